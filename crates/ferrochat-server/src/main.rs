//! `ferrochat-server`: parse the flags, start, print the banner, and stop
//! gracefully on SIGINT or SIGTERM.

use clap::Parser;
use ferrochat_server::{Config, Server};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = Config::parse();
    let server = match Server::start(config).await {
        Ok(server) => server,
        Err(error) => {
            tracing::error!(%error, "could not start");
            return std::process::ExitCode::FAILURE;
        }
    };
    // The banner is for people to copy from; logs go to standard error.
    #[allow(clippy::print_stdout)]
    {
        print!("{}", server.banner());
    }
    signal().await;
    tracing::info!("shutting down");
    match server.shutdown().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "unclean shutdown");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
