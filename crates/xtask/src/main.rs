//! `cargo xtask <command>`: the project's set-up, build and test orchestration.
//!
//! Plain Rust with no dependencies, so it builds in seconds on a fresh machine
//! and there is no shell script to keep in sync with it.

// xtask is a terminal program: printing is its job.
#![allow(clippy::print_stdout)]

mod bench;
mod demo;
mod pack;
mod run;
mod setup;
mod shorten;
mod size;
mod wasm;
mod widget;

use std::process::ExitCode;

use run::{Report, Step};

const HELP: &str = "\
usage: cargo xtask <command>

commands:
  setup   install what the build and tests need (wasm target, wasm-bindgen CLI
          at the Cargo.lock version, Chromium and chromedriver, node, brotli,
          and `npm ci` in tests/: playwright-core, wasm-opt, terser, Vite,
          TypeScript)
  test    setup, then rustfmt, clippy (-D warnings, native and wasm32), a
          release wasm32 build of the core and its no-IO check, native tests,
          the core's wasm tests in node and in headless Chromium, the widget's
          component tests in headless Chromium, its size report (fails past
          the loader's budget), and the end-to-end tests (tests/e2e: the real
          server and Chromium), then the npm package: packed, installed
          into tests/npm, type-checked with tsc, built with Vite, and tested
          in Node and Chromium
  demo    build the widget (release) into target/www and the server, and run
          the server with the demo bot on 127.0.0.1:3000 serving target/www,
          data in ./data; flags after `--` go to the server
          (`cargo xtask demo -- --listen 127.0.0.1:4000`)
  size    build the widget (release) and print the raw, gzip -9 and brotli
          -q 11 bytes of the loader and of everything fetched to open the
          chat; fails past 2 KB (loader) or 150 KB (total) brotli
  pack    build the npm package (the headless client and helpers for the web,
          bundlers and Node, and the in-page chat window) into
          target/npm/ferrochat-<version>.tgz with `npm pack`, and print the
          tarball's size and each entry point's raw and brotli bytes
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
        Some("size") => size::run(),
        Some("pack") => pack::run(),
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
    report.step(Step::new("clippy (wasm32)").arg_list(&[
        "cargo",
        "clippy",
        "-p",
        "ferrochat-core",
        "-p",
        "ferrochat-client",
        "-p",
        "ferrochat-widget",
        "--all-targets",
        "--locked",
        "--target",
        "wasm32-unknown-unknown",
        "--features",
        "ferrochat-client/js,ferrochat-client/helpers,ferrochat-widget/mount",
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
    report.step(
        Step::new("widget tests (headless Chromium)")
            .arg_list(&[
                "cargo",
                "test",
                "-p",
                "ferrochat-widget",
                "--locked",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .env("CHROMEDRIVER", setup::CHROMEDRIVER)
            .counting("widget Chromium"),
    )?;
    let www = report.timed("build the widget (release)", || {
        widget::build_widget(&root, true)
    })?;
    report.timed("widget size", || size::check(&root, &www))?;
    let server = report.timed("build the server (profile server)", || {
        demo::build_server(&root)
    })?;
    let artifacts = demo::target_dir(&root).join("e2e");
    std::fs::create_dir_all(&artifacts)
        .map_err(|error| format!("cannot create {}: {error}", artifacts.display()))?;
    let browser_env = BrowserEnv {
        server: absolute(&server)?,
        www: absolute(&www)?,
        artifacts: absolute(&artifacts)?,
    };
    report.step(browser_env.node_tests(
        "end-to-end tests (Chromium)",
        "tests/e2e/",
        "end to end",
    ))?;
    npm_package(report, &root, &browser_env)
}

/// What the node suites that start the server and Chromium are told.
struct BrowserEnv {
    server: String,
    www: String,
    artifacts: String,
}

impl BrowserEnv {
    /// `node --test` over `folder`, one file at a time, counted as `suite`.
    fn node_tests(&self, name: &str, folder: &str, suite: &str) -> Step {
        Step::new(name)
            .arg_list(&[
                "node",
                "--test",
                "--test-concurrency=1",
                "--test-timeout=120000",
                "--test-reporter=spec",
                folder,
            ])
            .env("FERROCHAT_SERVER_BIN", &self.server)
            .env("FERROCHAT_WWW_DIR", &self.www)
            .env("FERROCHAT_E2E_ARTIFACTS", &self.artifacts)
            .env("CHROMIUM", setup::CHROMIUM)
            .counting(suite)
    }
}

fn absolute(path: &std::path::Path) -> Result<String, String> {
    path.canonicalize()
        .map(|path| path.display().to_string())
        .map_err(|error| format!("cannot find {}: {error}", path.display()))
}

/// The npm package: packed, installed into the scratch app `tests/npm`,
/// type-checked, built with Vite, and tested in Node and Chromium.
fn npm_package(
    report: &mut Report,
    root: &std::path::Path,
    browser_env: &BrowserEnv,
) -> Result<(), String> {
    let packed = report.timed("pack the npm package", || {
        let packed = pack::pack(root)?;
        pack::report(&packed)?;
        Ok(packed)
    })?;
    let tarball = packed.tarball.display().to_string();
    let scratch = root.join("tests").join("npm");
    let scratch_dir = scratch.display().to_string();
    report.step(Step::new("install the tarball into tests/npm").arg_list(&[
        "npm",
        "install",
        "--prefix",
        &scratch_dir,
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        "--offline",
        &tarball,
    ]))?;
    let tsc = widget::npm_bin(root, "tsc").display().to_string();
    let tsconfig = scratch.join("tsconfig.json").display().to_string();
    report.step(
        Step::new("tsc --noEmit (a TypeScript consumer)")
            .arg_list(&[&tsc, "--noEmit", "-p", &tsconfig]),
    )?;
    let vite = widget::npm_bin(root, "vite").display().to_string();
    let config = scratch.join("vite.config.mjs").display().to_string();
    report.step(
        Step::new("vite build (tests/npm)").arg_list(&[&vite, "build", "--config", &config]),
    )?;
    report.step(browser_env.node_tests(
        "npm package tests (Node and Chromium)",
        "tests/npm/",
        "npm package",
    ))
}
