//! `cargo xtask bench server`: the server's throughput and latency figures;
//! `cargo xtask bench widget`: the widget's, in headless Chromium
//! (`tests/bench/widget.mjs`). Benchmarks, not tests: they print numbers and
//! fail only if they cannot run.

use crate::demo::build_server;
use crate::run::{Report, run_visible_env, workspace_root};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("server") => server(),
        Some("widget") => widget(),
        Some(other) => Err(format!(
            "unknown benchmark `{other}`; try `server` or `widget`"
        )),
        None => Err("which benchmark? `cargo xtask bench server` or `widget`".to_owned()),
    }
}

fn server() -> Result<(), String> {
    let root = workspace_root();
    let binary = build_server(&root)?;
    let binary = binary
        .canonicalize()
        .map_err(|error| format!("cannot find the server binary: {error}"))?;
    // The load generator runs in its own process with the same optimisation
    // as the server, so neither is slowed by a debug build.
    run_visible_env(
        "cargo",
        &[
            "bench",
            "--profile=server",
            "--locked",
            "-p",
            "ferrochat-server",
            "--bench",
            "server",
        ],
        &[("FERROCHAT_SERVER_BIN", &binary.display().to_string())],
    )
}

fn widget() -> Result<(), String> {
    let root = workspace_root();
    crate::setup::all(&mut Report::default())?;
    let www = crate::widget::build_widget(&root, true)?;
    let server = build_server(&root)?;
    let absolute = |path: &std::path::Path| {
        path.canonicalize()
            .map(|path| path.display().to_string())
            .map_err(|error| format!("cannot find {}: {error}", path.display()))
    };
    run_visible_env(
        "node",
        &["tests/bench/widget.mjs"],
        &[
            ("FERROCHAT_SERVER_BIN", &absolute(&server)?),
            ("FERROCHAT_WWW_DIR", &absolute(&www)?),
            ("CHROMIUM", crate::setup::CHROMIUM),
        ],
    )
}
