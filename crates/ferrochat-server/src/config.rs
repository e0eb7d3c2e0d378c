//! Command-line flags, each also readable from an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

/// ferrochat-server: a Chatwoot-compatible inbox server.
#[derive(Clone, Debug, clap::Parser)]
#[command(version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "FERROCHAT_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Database URL; the file is created when missing. Defaults to
    /// `sqlite://<data-dir>/ferrochat.sqlite3`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where the database (by default) and uploaded attachments live.
    #[arg(long, env = "FERROCHAT_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The URL browsers reach this server at; used in attachment links and
    /// the banner. Defaults to `http://<listen>`.
    #[arg(long, env = "FERROCHAT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A folder of pages to serve at `/` (the demo page, the widget's
    /// files). Without it the server serves its own start page.
    #[arg(long, env = "FERROCHAT_WWW_DIR")]
    pub www_dir: Option<PathBuf>,
    /// Run the demo bot in the first inbox: greets, offers quick replies,
    /// sends cards, a form and articles, and resolves on request.
    #[arg(long, env = "FERROCHAT_DEMO_BOT")]
    pub demo_bot: bool,
}

impl Config {
    /// Defaults for tests and embedders: an ephemeral port, the given data
    /// dir, nothing else.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: None,
            data_dir: data_dir.into(),
            public_url: None,
            www_dir: None,
            demo_bot: false,
        }
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.data_dir.join("ferrochat.sqlite3").display()
            )
        })
    }

    /// The public URL without a trailing slash, given the address the
    /// listener actually got.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{bound}"),
        }
    }
}
