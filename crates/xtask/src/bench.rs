//! `cargo xtask bench server`: the server's throughput and latency figures.
//! A benchmark, not a test: it prints numbers and fails only if the load
//! generator cannot run.

use crate::demo::build_server;
use crate::run::{run_visible_env, workspace_root};

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("server") => server(),
        Some(other) => Err(format!("unknown benchmark `{other}`; try `server`")),
        None => Err("which benchmark? `cargo xtask bench server`".to_owned()),
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
