//! `cargo xtask <command>`: the project's set-up, build and test orchestration.
//!
//! Plain Rust with no dependencies, so it builds in seconds on a fresh machine
//! and there is no shell script to keep in sync with it.

// xtask is a terminal program: printing is its job.
#![allow(clippy::print_stdout)]

mod bench;
mod demo;
mod run;
mod setup;

use std::process::ExitCode;

use run::{Report, Step};

const HELP: &str = "\
usage: cargo xtask <command>

commands:
  setup   install what the build and tests need (wasm target, wasm-bindgen CLI
          at the Cargo.lock version, Chromium and chromedriver, node)
  test    setup, then rustfmt, clippy (-D warnings, native and wasm32), a
          release wasm32 build of the core and its no-IO check, native tests,
          and the core's wasm tests in node and in headless Chromium
  demo    build the server and run it with the demo bot on 127.0.0.1:3000,
          data in ./data; flags after `--` go to the server
          (`cargo xtask demo -- --listen 127.0.0.1:4000`)
  bench server
          build the server (profile `server`) and run the load generator
          against it on loopback: message creates per second with p50/p99
          latency, and message.created delivery latency to 1,000 sockets
  help    this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup_only(),
        Some("test") => test(),
        Some("demo") => demo::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("help" | "-h" | "--help") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn setup_only() -> Result<(), String> {
    let mut report = Report::default();
    setup::all(&mut report)?;
    report.print_timings();
    Ok(())
}

fn test() -> Result<(), String> {
    let mut report = Report::default();
    let outcome = run_tests(&mut report);
    report.print_timings();
    report.print_counts();
    outcome
}

fn run_tests(report: &mut Report) -> Result<(), String> {
    setup::all(report)?;
    let root = run::workspace_root();

    report
        .step(Step::new("rustfmt --check").arg_list(&["cargo", "fmt", "--all", "--", "--check"]))?;
    report.step(Step::new("clippy (native)").arg_list(&[
        "cargo",
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    report.step(Step::new("clippy (wasm32 core)").arg_list(&[
        "cargo",
        "clippy",
        "-p",
        "ferrochat-core",
        "--all-targets",
        "--locked",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    report.step(Step::new("build core for wasm32 (release)").arg_list(&[
        "cargo",
        "build",
        "-p",
        "ferrochat-core",
        "--locked",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
    ]))?;
    report.timed("core has no IO dependency", || {
        setup::check_core_is_io_free(&root)
    })?;
    report.step(
        Step::new("native tests")
            .arg_list(&["cargo", "test", "--workspace", "--locked"])
            .counting("native"),
    )?;
    let wasm_tests = [
        "cargo",
        "test",
        "-p",
        "ferrochat-core",
        "--locked",
        "--target",
        "wasm32-unknown-unknown",
    ];
    report.step(
        Step::new("wasm tests (node)")
            .arg_list(&wasm_tests)
            .counting("wasm32 node"),
    )?;
    report.step(
        Step::new("wasm tests (headless Chromium)")
            .arg_list(&wasm_tests)
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .env("CHROMEDRIVER", setup::CHROMEDRIVER)
            .counting("wasm32 Chromium"),
    )?;
    Ok(())
}
