//! `cargo xtask demo`: build the widget (release) and the server, and run
//! the server with the demo bot on `127.0.0.1:3000`, serving `target/www`,
//! with its data in `./data`, until Ctrl-C.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::{run_visible, workspace_root};

const DEFAULT_LISTEN: &str = "127.0.0.1:3000";
const DEFAULT_DATA_DIR: &str = "./data";

/// Builds the widget and the server, then becomes the server: on Unix this process is replaced by
/// the server, so Ctrl-C reaches the server alone, which stops gracefully
/// and hands the terminal back. `extra` (what follows `cargo xtask demo --`)
/// goes to the server and wins over the defaults.
pub(crate) fn run(extra: &[String]) -> Result<(), String> {
    let root = workspace_root();
    crate::setup::build_tools(&mut crate::run::Report::default())?;
    let www = crate::widget::build_widget(&root, true)?;
    let binary = build_server(&root)?;
    let www = relative(&www, &root).display().to_string();
    let args = server_args(extra, &www);
    println!(
        "\n$ {} {}\n\
         Data lives in {} (delete it to start over). Ctrl-C stops the server.\n",
        relative(&binary, &root).display(),
        args.join(" "),
        data_dir(&args),
    );
    let mut command = Command::new(&binary);
    command.args(&args).current_dir(&root);
    become_server(command)
}

/// Builds `ferrochat-server` with the workspace's `server` profile and
/// returns the binary's path.
pub(crate) fn build_server(root: &Path) -> Result<PathBuf, String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|error| format!("cannot read Cargo.toml: {error}"))?;
    let profile = server_profile(&manifest);
    let profile_flag = format!("--profile={profile}");
    run_visible(
        "cargo",
        &[
            "build",
            "-p",
            "ferrochat-server",
            "--bin",
            "ferrochat-server",
            "--locked",
            &profile_flag,
        ],
    )?;
    let binary = target_dir(root).join(profile).join("ferrochat-server");
    if !binary.exists() {
        return Err(format!("the build left no {}", binary.display()));
    }
    Ok(binary)
}

/// The workspace's `server` profile (speed without a long LTO build) when it
/// has one, else `release`.
fn server_profile(manifest: &str) -> &'static str {
    if manifest
        .lines()
        .any(|line| line.trim() == "[profile.server]")
    {
        "server"
    } else {
        "release"
    }
}

/// The `--data-dir` the server gets (the last one given wins, as in clap).
fn data_dir(args: &[String]) -> String {
    let mut found = DEFAULT_DATA_DIR.to_owned();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            if let Some(value) = args.next() {
                found = value.clone();
            }
        } else if let Some(value) = arg.strip_prefix("--data-dir=") {
            found = value.to_owned();
        }
    }
    found
}

/// Where cargo puts its builds: `CARGO_TARGET_DIR`, else `<root>/target`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

fn relative<'a>(path: &'a Path, root: &Path) -> &'a Path {
    path.strip_prefix(root).unwrap_or(path)
}

/// The server's flags: `--demo-bot`, then each default the caller did not
/// give (`--listen`, `--data-dir`, `--www-dir` the widget build's folder),
/// then the caller's own.
fn server_args(extra: &[String], www: &str) -> Vec<String> {
    let extra = match extra.split_first() {
        Some((first, rest)) if first == "--" => rest,
        _ => extra,
    };
    let given = |flag: &str| {
        extra
            .iter()
            .any(|arg| arg == flag || arg.starts_with(&format!("{flag}=")))
    };
    let mut args = Vec::new();
    if !given("--demo-bot") {
        args.push("--demo-bot".to_owned());
    }
    let defaults = [
        ("--listen", DEFAULT_LISTEN),
        ("--data-dir", DEFAULT_DATA_DIR),
        ("--www-dir", www),
    ];
    for (flag, value) in defaults {
        if !given(flag) {
            args.push(flag.to_owned());
            args.push(value.to_owned());
        }
    }
    args.extend(extra.iter().cloned());
    args
}

#[cfg(unix)]
fn become_server(mut command: Command) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    // Only returns when the exec failed.
    let error = command.exec();
    Err(format!("cannot start the server: {error}"))
}

/// Without exec, wait for the server: Ctrl-C reaches it through the console
/// as well, and it stops by itself.
#[cfg(not(unix))]
fn become_server(mut command: Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|error| format!("cannot start the server: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the server exited with {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::{data_dir, server_args, server_profile};

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn defaults_give_way_to_the_callers_flags() {
        assert_eq!(
            server_args(&[], "target/www"),
            strings(&[
                "--demo-bot",
                "--listen",
                "127.0.0.1:3000",
                "--data-dir",
                "./data",
                "--www-dir",
                "target/www"
            ])
        );
        assert_eq!(
            server_args(
                &strings(&["--", "--listen", "127.0.0.1:4000"]),
                "target/www"
            ),
            strings(&[
                "--demo-bot",
                "--data-dir",
                "./data",
                "--www-dir",
                "target/www",
                "--listen",
                "127.0.0.1:4000"
            ])
        );
        assert_eq!(
            server_args(
                &strings(&["--data-dir=/tmp/x", "--www-dir", "w"]),
                "target/www"
            ),
            strings(&[
                "--demo-bot",
                "--listen",
                "127.0.0.1:3000",
                "--data-dir=/tmp/x",
                "--www-dir",
                "w"
            ])
        );
    }

    #[test]
    fn reads_the_profile_and_the_data_dir() {
        assert_eq!(server_profile("[profile.release]\nlto = true\n"), "release");
        assert_eq!(
            server_profile("[profile.server]\ninherits = \"release\"\n"),
            "server"
        );
        assert_eq!(data_dir(&server_args(&[], "w")), "./data");
        assert_eq!(
            data_dir(&server_args(&strings(&["--data-dir", "/tmp/d"]), "w")),
            "/tmp/d"
        );
        assert_eq!(
            data_dir(&server_args(&strings(&["--data-dir=/tmp/e"]), "w")),
            "/tmp/e"
        );
    }
}
