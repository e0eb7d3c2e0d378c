//! ferrochat-server: a Chatwoot-compatible inbox server.
//!
//! [`app`] builds the whole router over an [`AppState`], so tests drive the
//! real thing; [`Server::start`] opens the database, seeds it, binds the
//! listener and serves until [`Server::shutdown`] or a signal.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

mod agent_api;
mod attachments;
mod cable;
mod chat;
pub mod config;
mod db;
mod demo_bot;
mod error;
mod events;
mod extract;
mod hub;
mod ids;
mod imi_api;
mod pages;
mod public;
mod render;
mod store;
mod time;
mod webhooks;

pub use config::Config;
pub use db::Seeded;

use crate::db::Db;
use crate::events::Event;
use crate::hub::Hub;
use crate::store::InboxRow;

/// How many events in-process listeners (webhooks, bots) may lag behind
/// before the oldest are dropped for them.
const EVENT_BACKLOG: usize = 16_384;

/// Everything a handler needs. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub(crate) db: Db,
    pub(crate) hub: Hub,
    /// Where browsers reach this server, without a trailing slash.
    pub(crate) base_url: String,
    pub(crate) data_dir: PathBuf,
    pub(crate) www_dir: Option<PathBuf>,
    pub(crate) events: broadcast::Sender<Event>,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) http: reqwest::Client,
    pub(crate) seeded: Seeded,
    pub(crate) writer: chat::Writer,
    inboxes: RwLock<HashMap<String, Arc<InboxRow>>>,
    /// Webhooks and agent bot per inbox id.
    receivers: RwLock<HashMap<i64, Arc<webhooks::Receivers>>>,
    /// Bumped by every change, so a lookup that raced one is not kept.
    generation: std::sync::atomic::AtomicU64,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Publishes an event to realtime subscribers and in-process listeners.
    /// Never waits: a slow listener loses events, it never slows a request.
    pub(crate) fn emit(&self, event: Event) {
        for (stream, payload, skip_user) in event.cable_routes(&self.base_url) {
            self.hub.publish(&stream, &payload, skip_user);
        }
        // No listener is not an error.
        let _ = self.events.send(event);
    }

    /// An inbox by its public identifier, from memory after the first look.
    pub(crate) async fn inbox(&self, identifier: &str) -> error::ApiResult<Arc<InboxRow>> {
        if let Some(inbox) = self
            .inboxes
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
            .get(identifier)
        {
            return Ok(inbox.clone());
        }
        let inbox: InboxRow = sqlx::query_as("SELECT * FROM inboxes WHERE identifier = $1")
            .bind(identifier)
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(error::ApiError::NotFound)?;
        let inbox = Arc::new(inbox);
        self.inboxes
            .write()
            .unwrap_or_else(|poison| poison.into_inner())
            .insert(identifier.to_owned(), inbox.clone());
        Ok(inbox)
    }

    /// Forgets cached inboxes and their webhook receivers; call after
    /// changing an inbox, a webhook or an agent bot.
    pub(crate) fn inboxes_changed(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inboxes
            .write()
            .unwrap_or_else(|poison| poison.into_inner())
            .clear();
        self.receivers
            .write()
            .unwrap_or_else(|poison| poison.into_inner())
            .clear();
    }

    /// The cached receivers of an inbox, or the generation to remember a
    /// fresh lookup under.
    pub(crate) fn receivers(&self, inbox_id: i64) -> Result<Arc<webhooks::Receivers>, u64> {
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        self.receivers
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
            .get(&inbox_id)
            .cloned()
            .ok_or(generation)
    }

    pub(crate) fn remember_receivers(
        &self,
        inbox_id: i64,
        generation: u64,
        receivers: Arc<webhooks::Receivers>,
    ) {
        let mut map = self
            .receivers
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        if self.generation.load(std::sync::atomic::Ordering::SeqCst) == generation {
            map.insert(inbox_id, receivers);
        }
    }

    pub(crate) fn shutting_down(&self) -> watch::Receiver<bool> {
        self.shutdown.clone()
    }
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(public::routes())
        .merge(agent_api::routes())
        .merge(imi_api::routes())
        .merge(cable::routes())
        .merge(attachments::routes())
        .merge(pages::routes(&state))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// A running server.
#[derive(Debug)]
pub struct Server {
    pub addr: SocketAddr,
    pub base_url: String,
    pub seeded: Seeded,
    state: AppState,
    stop: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Opens (creating and migrating) the database, seeds it on first
    /// start, binds and starts serving in the background.
    pub async fn start(config: Config) -> Result<Server, StartError> {
        // Webhooks may go to https URLs; ring is the TLS crypto. A second
        // install (tests start many servers) is a harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        std::fs::create_dir_all(&config.data_dir)?;
        std::fs::create_dir_all(attachments::dir(&config.data_dir))?;
        let db = Db::connect(&config.database_url()).await?;
        let seeded = db::seed(&db).await?;
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let base_url = config.public_url(addr);
        let (stop, shutdown) = watch::channel(false);
        let (events, _) = broadcast::channel(EVENT_BACKLOG);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("ferrochat/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| StartError::Http(error.to_string()))?;
        let writer = chat::Writer::spawn(db.clone());
        let state = AppState(Arc::new(Inner {
            writer,
            db,
            hub: Hub::default(),
            base_url: base_url.clone(),
            data_dir: config.data_dir.clone(),
            www_dir: config.www_dir.clone(),
            events,
            shutdown: shutdown.clone(),
            http,
            seeded: seeded.clone(),
            inboxes: RwLock::new(HashMap::new()),
            receivers: RwLock::new(HashMap::new()),
            generation: std::sync::atomic::AtomicU64::new(0),
        }));
        webhooks::spawn(state.clone());
        if config.demo_bot {
            demo_bot::spawn(state.clone()).await?;
        }
        let router = app(state.clone());
        let mut until = shutdown.clone();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = until.wait_for(|stop| *stop).await;
                })
                .await
        });
        Ok(Server {
            addr,
            base_url,
            seeded,
            state,
            stop,
            task,
        })
    }

    /// The lines a person copies from: the inbox, the token, the pages.
    pub fn banner(&self) -> String {
        format!(
            "ferrochat-server listening on {addr}\n\
             inbox identifier: {inbox}\n\
             api_access_token: {token}\n\
             account id: {account}\n\
             demo page: {base}/\n\
             agent console: {base}/agent.html\n",
            addr = self.addr,
            inbox = self.seeded.inbox_identifier,
            token = self.seeded.access_token,
            account = self.seeded.account_id,
            base = self.base_url,
        )
    }

    /// Stops accepting, tells every socket `disconnect` (server_restart,
    /// reconnect), finishes in-flight requests, and closes the database.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        let result = match tokio::time::timeout(Duration::from_secs(10), self.task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(std::io::Error::other(join)),
            Err(_) => Err(std::io::Error::other(
                "in-flight requests did not finish in 10 s",
            )),
        };
        // Sockets got their disconnect frame when `stop` flipped; give them
        // a moment to flush it.
        cable::drain(&self.state).await;
        self.state.db.close().await;
        result
    }

    /// The running server's state, for embedders and tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("http client: {0}")]
    Http(String),
    #[error("{0}")]
    Setup(String),
}

impl From<error::ApiError> for StartError {
    fn from(error: error::ApiError) -> Self {
        StartError::Setup(error.to_string())
    }
}
