//! Webhook and agent bot deliveries.
//!
//! [`spawn`] listens to the server's events. For each one it finds the
//! account's webhooks subscribed to it (account-wide, or for the event's
//! inbox) and the inbox's agent bot, renders the payload once, and hands
//! every delivery to its own task: a slow or failing receiver never holds
//! up the next event, another receiver, or any request.
//!
//! Every delivery is a `POST` of the JSON payload, signed the way Chatwoot
//! signs its webhooks:
//!
//! ```text
//! Content-Type: application/json
//! X-Chatwoot-Timestamp: <unix seconds>
//! X-Chatwoot-Signature: sha256=<lowercase hex HMAC-SHA256(key, "<timestamp>.<raw body>")>
//! X-Chatwoot-Delivery: <uuid, the same on every attempt of one delivery>
//! ```
//!
//! The key is the webhook's `secret`, or an agent bot's `access_token`.
//! A network error or an answer other than 2xx is retried after 1, 2, 4 and
//! 8 seconds (5 attempts in all), each attempt signed afresh with its own
//! timestamp; then the delivery is dropped with a warning.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use ferrochat_core::validate;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;
use sqlx::FromRow;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{Semaphore, watch};

use crate::AppState;
use crate::agent_api::Caller;
use crate::error::{ApiError, ApiResult};
use crate::events::Event;
use crate::ids;
use crate::store::AgentBotRow;

#[path = "agent_api/agent_bots.rs"]
mod agent_bots;
mod payload;
#[path = "agent_api/webhooks.rs"]
mod webhook_api;

/// Attempts per delivery, the first included.
const ATTEMPTS: u32 = 5;
/// The wait before the first retry; each later wait doubles it.
const RETRY_BASE: Duration = Duration::from_secs(1);
/// Requests under way at once, over all receivers.
const IN_FLIGHT: usize = 32;
/// Deliveries waiting for a slot or a retry; past this, new ones are
/// dropped (with a warning) instead of growing memory without bound.
const QUEUED: usize = 10_000;

/// The application API's webhook and agent bot routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(webhook_api::routes())
        .merge(agent_bots::routes())
}

/// Starts delivering events; call once per server.
pub(crate) fn spawn(state: AppState) {
    let events = state.events.subscribe();
    tokio::spawn(listen(state, events));
}

/// A row of `webhooks`.
#[derive(Clone, Debug, FromRow)]
pub(crate) struct WebhookRow {
    pub(crate) id: i64,
    pub(crate) account_id: i64,
    pub(crate) inbox_id: Option<i64>,
    pub(crate) name: Option<String>,
    pub(crate) url: String,
    /// JSON list of event names.
    pub(crate) subscriptions: String,
    pub(crate) secret: String,
}

impl WebhookRow {
    pub(crate) fn subscriptions(&self) -> Vec<String> {
        serde_json::from_str(&self.subscriptions).unwrap_or_default()
    }
}

/// Where the deliveries go out from: the HTTP client and the two bounds.
#[derive(Clone, Debug)]
struct Outbox {
    http: reqwest::Client,
    in_flight: Arc<Semaphore>,
    queued: Arc<Semaphore>,
    shutdown: watch::Receiver<bool>,
}

/// One payload for one receiver.
#[derive(Debug)]
struct Delivery {
    /// For the logs: `webhook 3` or `agent bot 2`.
    receiver: String,
    url: String,
    key: String,
    event: &'static str,
    id: String,
    body: Bytes,
}

async fn listen(state: AppState, mut events: tokio::sync::broadcast::Receiver<Event>) {
    let mut shutdown = state.shutting_down();
    let outbox = Outbox {
        http: state.http.clone(),
        in_flight: Arc::new(Semaphore::new(IN_FLIGHT)),
        queued: Arc::new(Semaphore::new(QUEUED)),
        shutdown: shutdown.clone(),
    };
    loop {
        let received = tokio::select! {
            received = events.recv() => received,
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        match received {
            Ok(event) => {
                if let Err(error) = dispatch(&state, &outbox, &event).await {
                    tracing::warn!(%error, event = event.webhook_name(), "webhook dispatch failed");
                }
            }
            Err(RecvError::Lagged(skipped)) => {
                tracing::warn!(skipped, "webhook listener fell behind; events dropped");
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// An inbox's webhooks and agent bot, kept in memory between changes
/// ([`AppState::inboxes_changed`] forgets them): every event needs them.
#[derive(Debug)]
pub(crate) struct Receivers {
    webhooks: Vec<WebhookRow>,
    bot: Option<AgentBotRow>,
}

async fn receivers(
    state: &AppState,
    account_id: i64,
    inbox_id: i64,
) -> ApiResult<std::sync::Arc<Receivers>> {
    let generation = match state.receivers(inbox_id) {
        Ok(known) => return Ok(known),
        Err(generation) => generation,
    };
    let webhooks: Vec<WebhookRow> = sqlx::query_as(
        "SELECT * FROM webhooks WHERE account_id = $1 AND (inbox_id IS NULL OR inbox_id = $2) ORDER BY id",
    )
    .bind(account_id)
    .bind(inbox_id)
    .fetch_all(&state.db.read)
    .await?;
    let bot: Option<AgentBotRow> = sqlx::query_as(
        "SELECT agent_bots.* FROM agent_bots JOIN inboxes ON inboxes.agent_bot_id = agent_bots.id
         WHERE inboxes.id = $1",
    )
    .bind(inbox_id)
    .fetch_optional(&state.db.read)
    .await?;
    let receivers = std::sync::Arc::new(Receivers { webhooks, bot });
    state.remember_receivers(inbox_id, generation, receivers.clone());
    Ok(receivers)
}

/// Finds the event's receivers and queues a delivery for each.
async fn dispatch(state: &AppState, outbox: &Outbox, event: &Event) -> ApiResult<()> {
    let Some(name) = event.webhook_name() else {
        return Ok(());
    };
    let inbox_id = event.inbox().id;
    let receivers = receivers(state, event.account_id(), inbox_id).await?;
    let webhooks: Vec<WebhookRow> = receivers
        .webhooks
        .iter()
        .filter(|webhook| webhook.subscriptions().iter().any(|event| event == name))
        .cloned()
        .collect();
    let bot = if payload::for_bot(event) {
        receivers.bot.clone()
    } else {
        None
    };
    let bot = bot.filter(|bot| {
        bot.outgoing_url
            .as_deref()
            .is_some_and(|url| !url.is_empty())
    });
    if webhooks.is_empty() && bot.is_none() {
        return Ok(());
    }
    let Some(payload) = payload::render(state, event).await? else {
        return Ok(());
    };
    let body = Bytes::from(serde_json::to_vec(&payload)?);
    for webhook in webhooks {
        outbox.send(Delivery {
            receiver: format!("webhook {}", webhook.id),
            url: webhook.url,
            key: webhook.secret,
            event: name,
            id: ids::uuid(),
            body: body.clone(),
        });
    }
    if let Some(bot) = bot {
        outbox.send(Delivery {
            receiver: format!("agent bot {}", bot.id),
            url: bot.outgoing_url.unwrap_or_default(),
            key: bot.access_token,
            event: name,
            id: ids::uuid(),
            body,
        });
    }
    Ok(())
}

impl Outbox {
    /// Queues a delivery on its own task, or drops it when too many wait.
    fn send(&self, delivery: Delivery) {
        let Ok(queued) = self.queued.clone().try_acquire_owned() else {
            tracing::warn!(
                receiver = delivery.receiver,
                event = delivery.event,
                "too many webhook deliveries waiting; this one is dropped"
            );
            return;
        };
        let outbox = self.clone();
        tokio::spawn(async move {
            outbox.deliver(delivery).await;
            drop(queued);
        });
    }

    /// Tries a delivery until it is accepted or out of attempts.
    async fn deliver(mut self, delivery: Delivery) {
        let mut failure = String::new();
        for attempt in 1..=ATTEMPTS {
            if attempt > 1 {
                let wait = RETRY_BASE * 2u32.pow(attempt - 2);
                tracing::debug!(
                    receiver = delivery.receiver,
                    event = delivery.event,
                    delivery = delivery.id,
                    attempt,
                    ?wait,
                    %failure,
                    "webhook delivery failed; retrying"
                );
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    _ = self.shutdown.wait_for(|stop| *stop) => {
                        tracing::warn!(
                            receiver = delivery.receiver,
                            event = delivery.event,
                            delivery = delivery.id,
                            %failure,
                            "server stopping; webhook delivery dropped"
                        );
                        return;
                    }
                }
            }
            let result = {
                // Closed only if the semaphore is, which it never is.
                let _slot = self.in_flight.acquire().await;
                self.attempt(&delivery).await
            };
            match result {
                Ok(()) => return,
                Err(error) => failure = error,
            }
        }
        tracing::warn!(
            receiver = delivery.receiver,
            event = delivery.event,
            delivery = delivery.id,
            %failure,
            attempts = ATTEMPTS,
            "webhook delivery failed; dropped"
        );
    }

    async fn attempt(&self, delivery: &Delivery) -> Result<(), String> {
        let timestamp = unix_seconds();
        let signature = signature(&delivery.key, timestamp, &delivery.body);
        let response = self
            .http
            .post(&delivery.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .header("X-Chatwoot-Timestamp", timestamp.to_string())
            .header("X-Chatwoot-Signature", format!("sha256={signature}"))
            .header("X-Chatwoot-Delivery", &delivery.id)
            .body(delivery.body.clone())
            .send()
            .await
            .map_err(|error| error.to_string())?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("answered {status}"))
        }
    }
}

/// 401 unless the caller is an administrator of `account_id`: webhooks
/// and bots are an administrator's business, as in Chatwoot.
fn require_administrator(caller: &Caller, account_id: i64) -> ApiResult<()> {
    caller.check_account(account_id)?;
    caller.administrator().map(|_| ())
}

/// 401 unless the caller is a user (not a bot) of `account_id`.
fn require_user(caller: &Caller, account_id: i64) -> ApiResult<()> {
    caller.check_account(account_id)?;
    caller.user().map(|_| ())
}

/// A receiver's URL: a safe, absolute http or https URL.
fn receiver_url(attribute: &str, value: &str) -> ApiResult<()> {
    validate::safe_url(value).map_err(|error| ApiError::invalid(attribute, &error))?;
    let scheme = value
        .split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("http" | "https") => Ok(()),
        _ => Err(ApiError::unprocessable(
            attribute,
            format!("{} is invalid", human(attribute)),
        )),
    }
}

/// `outgoing_url` as Rails names it in messages: `Outgoing url`.
fn human(attribute: &str) -> String {
    let text = attribute.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// The object a create or update reads its fields from: Rails accepts them
/// wrapped (`{"webhook": {…}}`) or at the top level.
fn fields(body: Value, wrapper: &str) -> ApiResult<Map<String, Value>> {
    match body {
        Value::Object(mut map) => match map.remove(wrapper) {
            Some(Value::Object(inner)) => Ok(inner),
            Some(other) => {
                map.insert(wrapper.to_owned(), other);
                Ok(map)
            }
            None => Ok(map),
        },
        _ => Err(ApiError::message(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object",
        )),
    }
}

/// An optional string field: absent, null, or a string.
fn optional_string(fields: &Map<String, Value>, key: &str) -> ApiResult<Option<Option<String>>> {
    match fields.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(text)) => Ok(Some(Some(text.clone()))),
        Some(_) => Err(ApiError::unprocessable(
            key,
            format!("{} must be a string", human(key)),
        )),
    }
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

/// Lowercase hex HMAC-SHA256 of `"{timestamp}.{body}"` under `key`.
fn signature(key: &str, timestamp: u64, body: &[u8]) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    ids::hex(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_is_hex_hmac_sha256_of_timestamp_dot_body() {
        // python3: hmac.new(b"Jefe", b"1700000000.what do ya want for nothing?",
        // hashlib.sha256).hexdigest()
        assert_eq!(
            super::signature("Jefe", 1_700_000_000, b"what do ya want for nothing?"),
            "1cdd0650c8be1cb0974b1788d458b1e781206cfef59b85faafc582d2e182c57e"
        );
    }
}
