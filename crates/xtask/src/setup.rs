//! Installing what the build and tests need, each only when it is missing or
//! at the wrong version, so a second run costs a few process spawns.

use std::path::Path;

use crate::run::{Report, output_of, run_visible};

pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Crates that do IO; none may appear among ferrochat-core's dependencies.
const IO_CRATES: &[&str] = &[
    "tokio",
    "mio",
    "async-std",
    "hyper",
    "reqwest",
    "ureq",
    "web-sys",
    "js-sys",
    "wasm-bindgen",
    "gloo",
    "gloo-net",
    "gloo-storage",
    "sqlx",
    "rusqlite",
    "getrandom",
    "tempfile",
];

pub(crate) fn all(report: &mut Report) -> Result<(), String> {
    build_tools(report)?;
    report.timed("Chromium and chromedriver", ensure_chromium)
}

/// What building the widget needs (`cargo xtask demo`, `size`): everything
/// but the browser.
pub(crate) fn build_tools(report: &mut Report) -> Result<(), String> {
    let root = crate::run::workspace_root();
    report.timed("wasm32 target", ensure_wasm_target)?;
    report.timed("standard library source", ensure_rust_src)?;
    report.timed("wasm-bindgen CLI", || ensure_wasm_bindgen_cli(&root))?;
    report.timed("node", ensure_node)?;
    report.timed("brotli", ensure_brotli)?;
    report.timed("npm tools (tests/)", || ensure_npm_tools(&root))?;
    Ok(())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output_of("rustup", &["target", "list", "--installed"])
        .ok_or("`rustup target list --installed` failed: is rustup on PATH?")?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("{WASM_TARGET} is installed");
        return Ok(());
    }
    println!("installing {WASM_TARGET}");
    run_visible("rustup", &["target", "add", WASM_TARGET])
}

/// The standard library's source (`rust-src`): release wasm builds compile
/// `std` themselves, so that a panic aborts at once (see
/// [`crate::widget::cargo_cdylib`]).
fn ensure_rust_src() -> Result<(), String> {
    let sysroot = output_of("rustc", &["--print", "sysroot"])
        .ok_or("`rustc --print sysroot` failed: is rustc on PATH?")?;
    let library = Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library/Cargo.lock");
    if library.is_file() {
        println!("rust-src is installed");
        return Ok(());
    }
    println!("installing rust-src");
    run_visible("rustup", &["component", "add", "rust-src"])
}

/// The wasm-bindgen CLI (and its test runner) must equal the `wasm-bindgen`
/// crate in Cargo.lock, or the generated glue does not match the wasm.
fn ensure_wasm_bindgen_cli(root: &Path) -> Result<(), String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|error| format!("cannot read Cargo.lock: {error}"))?;
    let wanted =
        locked_version(&lock, "wasm-bindgen").ok_or("Cargo.lock has no wasm-bindgen package")?;
    let installed = output_of("wasm-bindgen", &["--version"]);
    let have_runner = output_of("wasm-bindgen-test-runner", &["--version"]).is_some();
    let installed_version = installed
        .as_deref()
        .and_then(|text| text.split_whitespace().nth(1))
        .map(str::to_owned);
    if installed_version.as_deref() == Some(wanted.as_str()) && have_runner {
        println!("wasm-bindgen {wanted} is installed");
        return Ok(());
    }
    println!(
        "installing wasm-bindgen-cli {wanted} (found {})",
        installed_version.as_deref().unwrap_or("none")
    );
    // No `--locked`: the CLI's own lockfile pins a crate the registry lacks.
    let version = format!("={wanted}");
    run_visible(
        "cargo",
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--no-default-features",
            "--force",
        ],
    )
}

/// The version of `name` in a Cargo.lock, read without a TOML parser: the
/// file is machine-written, `name = "…"` then `version = "…"`.
pub(crate) fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?;
            return version.strip_suffix('"').map(str::to_owned);
        }
    }
    None
}

fn ensure_chromium() -> Result<(), String> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        let version = output_of(CHROMIUM, &["--version"]).unwrap_or_default();
        println!("{} is installed", version.trim());
        return Ok(());
    }
    println!("installing Debian's chromium and chromium-driver");
    apt_install(&["chromium", "chromium-driver"])
}

fn ensure_node() -> Result<(), String> {
    if let Some(version) = output_of("node", &["--version"]) {
        println!("node {} is installed", version.trim());
        return Ok(());
    }
    println!("installing Debian's nodejs and npm");
    apt_install(&["nodejs", "npm"])
}

fn ensure_brotli() -> Result<(), String> {
    if let Some(version) = output_of("brotli", &["--version"]) {
        println!("{} is installed", version.trim());
        return Ok(());
    }
    println!("installing Debian's brotli");
    apt_install(&["brotli"])
}

/// `npm ci` in `tests/` (Playwright's core, binaryen's wasm-opt, terser, at
/// the versions in its lockfile), only when `node_modules` is missing or was
/// installed from another lockfile.
fn ensure_npm_tools(root: &Path) -> Result<(), String> {
    let tests = root.join("tests");
    let lock = std::fs::read(tests.join("package-lock.json"))
        .map_err(|error| format!("cannot read tests/package-lock.json: {error}"))?;
    let stamp = tests.join("node_modules").join(".ferrochat-lock");
    if std::fs::read(&stamp).is_ok_and(|installed| installed == lock) {
        println!("tests/node_modules matches tests/package-lock.json");
        return Ok(());
    }
    if output_of("npm", &["--version"]).is_none() {
        println!("installing Debian's npm");
        apt_install(&["npm"])?;
    }
    let prefix = tests.display().to_string();
    run_visible(
        "npm",
        &["ci", "--prefix", &prefix, "--no-audit", "--no-fund"],
    )?;
    std::fs::write(&stamp, lock)
        .map_err(|error| format!("cannot write {}: {error}", stamp.display()))
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    // CI has no terminal: a package that asks a question must not wait.
    // `env` sets that for apt-get alone, and survives sudo's clean environment.
    const APT: [&str; 2] = ["DEBIAN_FRONTEND=noninteractive", "apt-get"];
    let is_root = output_of("id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
    let (program, mut prefix): (&str, Vec<&str>) = if is_root {
        ("env", Vec::new())
    } else if output_of("sudo", &["-n", "true"]).is_some() {
        ("sudo", vec!["-n", "env"])
    } else {
        return Err(format!(
            "{} must be installed; run as root or install them with apt-get",
            packages.join(", ")
        ));
    };
    prefix.extend(APT);
    let mut update = prefix.clone();
    update.extend(["update", "-q"]);
    run_visible(program, &update)?;
    let mut install = prefix;
    install.extend(["install", "-y", "-q", "--no-install-recommends"]);
    install.extend(packages);
    run_visible(program, &install)
}

/// ferrochat-core's promise: it builds for native and wasm32 and does no IO,
/// so neither target's normal dependency tree may hold an IO crate.
pub(crate) fn check_core_is_io_free(root: &Path) -> Result<(), String> {
    let manifest = root.join("Cargo.toml");
    let manifest = manifest.to_string_lossy();
    let tree = output_of(
        "cargo",
        &[
            "tree",
            "--manifest-path",
            &manifest,
            "-p",
            "ferrochat-core",
            "-e",
            "normal",
            "--target",
            "all",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ],
    )
    .ok_or("`cargo tree -p ferrochat-core` failed")?;
    let found: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| IO_CRATES.contains(name))
        .collect();
    if found.is_empty() {
        let count = tree.lines().filter(|line| !line.trim().is_empty()).count();
        println!("ferrochat-core depends on {count} crates, none of them IO");
        Ok(())
    } else {
        Err(format!(
            "ferrochat-core depends on IO crates: {}",
            found.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn finds_a_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-test\"\nversion = \"0.3.80\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version(lock, "wasm-bindgen-test").as_deref(),
            Some("0.3.80")
        );
        assert_eq!(locked_version(lock, "yew"), None);
    }
}
