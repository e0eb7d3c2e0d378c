//! `/cable`: ActionCable's protocol over WebSocket (PROTOCOL.md §2).
//! Contacts subscribe to RoomChannel with their contact inbox's
//! `pubsub_token`; agents with their user's `pubsub_token`, which also
//! brings them their account's events.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message as WsMessage, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use ferrochat_core::cable::{
    ClientCommand, DisconnectReason, PING_INTERVAL_SECS, RoomIdentifier, SUBPROTOCOL, ServerFrame,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;

use crate::AppState;
use crate::events::contact_stream;
use crate::hub::{Connection, Stream};
use crate::store::{ContactInboxRow, UserRow};

/// A client frame larger than this closes the connection: commands are tiny.
const MAX_CLIENT_FRAME: usize = 64 * 1024;
/// Subscriptions one connection may hold.
const MAX_SUBSCRIPTIONS: usize = 16;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/cable", get(upgrade))
}

async fn upgrade(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .protocols([SUBPROTOCOL])
        .max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        .on_upgrade(move |socket| async move {
            state.hub.live.fetch_add(1, Ordering::SeqCst);
            run(&state, socket).await;
            if state.hub.live.fetch_sub(1, Ordering::SeqCst) == 1 {
                state.hub.idle.notify_waiters();
            }
        })
}

/// Waits (briefly) for sockets to finish sending their disconnect frame.
pub(crate) async fn drain(state: &AppState) {
    let wait = async {
        while state.hub.live.load(Ordering::SeqCst) > 0 {
            let idle = state.hub.idle.notified();
            if state.hub.live.load(Ordering::SeqCst) == 0 {
                break;
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), idle).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), wait).await;
}

/// One subscription of a connection.
struct Subscription {
    identifier: String,
    /// The identifier as a JSON string, as the hub keeps it.
    quoted: Arc<str>,
    streams: Vec<Stream>,
    /// The account whose agents' presence the subscriber is told of.
    account_id: i64,
    agent: Option<(i64, i64)>,
}

fn text(frame: &ServerFrame) -> WsMessage {
    WsMessage::Text(Utf8Bytes::from(
        serde_json::to_string(frame).unwrap_or_default(),
    ))
}

fn unix_seconds() -> i64 {
    crate::time::seconds(crate::time::now_millis())
}

async fn run(state: &AppState, socket: WebSocket) {
    let (connection, mut queue) = state.hub.connection();
    let (mut sink, mut incoming) = socket.split();
    let mut subscriptions: Vec<Subscription> = Vec::new();
    let mut shutdown = state.shutting_down();
    let mut ping = tokio::time::interval(Duration::from_secs(PING_INTERVAL_SECS));
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ping.tick().await;
    if sink.send(text(&ServerFrame::Welcome)).await.is_err() {
        return;
    }
    let goodbye = loop {
        tokio::select! {
            biased;
            () = stopped(&mut shutdown) => {
                break Some(ServerFrame::Disconnect {
                    reason: Some(DisconnectReason::ServerRestart),
                    reconnect: true,
                });
            }
            _ = connection.overflow.notified() => {
                // Too far behind: the client reconnects and backfills with
                // `messages?after=`.
                tracing::info!(connection = connection.id, "dropping a connection that fell behind");
                break Some(ServerFrame::Disconnect {
                    reason: Some(DisconnectReason::ServerRestart),
                    reconnect: true,
                });
            }
            frame = queue.recv() => {
                let Some(frame) = frame else { break None };
                if sink.feed(WsMessage::Text(Utf8Bytes::from(frame.frame()))).await.is_err() {
                    break None;
                }
                // Send whatever else is already waiting in the same flush.
                let mut failed = false;
                while let Ok(frame) = queue.try_recv() {
                    if sink.feed(WsMessage::Text(Utf8Bytes::from(frame.frame()))).await.is_err() {
                        failed = true;
                        break;
                    }
                }
                if failed || sink.flush().await.is_err() {
                    break None;
                }
            }
            _ = ping.tick() => {
                if sink.send(text(&ServerFrame::Ping { message: unix_seconds() })).await.is_err() {
                    break None;
                }
            }
            message = incoming.next() => {
                let command = match message {
                    Some(Ok(WsMessage::Text(text))) => text,
                    Some(Ok(WsMessage::Binary(_))) => {
                        break Some(ServerFrame::Disconnect {
                            reason: Some(DisconnectReason::InvalidRequest),
                            reconnect: false,
                        });
                    }
                    Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
                    Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => break None,
                };
                let reply = match serde_json::from_str::<ClientCommand>(command.as_str()) {
                    Ok(command) => handle(state, &connection, &mut subscriptions, command).await,
                    Err(_) => {
                        break Some(ServerFrame::Disconnect {
                            reason: Some(DisconnectReason::InvalidRequest),
                            reconnect: false,
                        });
                    }
                };
                let mut failed = false;
                for frame in reply {
                    if sink.send(frame).await.is_err() {
                        failed = true;
                        break;
                    }
                }
                if failed {
                    break None;
                }
            }
        }
    };
    for subscription in subscriptions.drain(..) {
        forget(state, &connection, subscription);
    }
    if let Some(frame) = goodbye {
        let _ = sink.send(text(&frame)).await;
    }
    let _ = sink.close().await;
}

async fn stopped(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

fn forget(state: &AppState, connection: &Connection, subscription: Subscription) {
    state.hub.unsubscribe(
        &subscription.streams,
        connection.id,
        Some(&subscription.quoted),
    );
    if let Some((account_id, user_id)) = subscription.agent
        && state.hub.agent_presence(account_id, user_id, false)
    {
        broadcast_presence(state, account_id);
    }
}

enum Subscriber {
    Contact(ContactInboxRow),
    Agent(UserRow),
}

async fn find_subscriber(state: &AppState, room: &RoomIdentifier) -> Option<Subscriber> {
    let contact: Option<ContactInboxRow> =
        sqlx::query_as("SELECT * FROM contact_inboxes WHERE pubsub_token = $1")
            .bind(&room.pubsub_token)
            .fetch_optional(&state.db.read)
            .await
            .ok()
            .flatten();
    if let Some(contact) = contact {
        return Some(Subscriber::Contact(contact));
    }
    let user: Option<UserRow> = sqlx::query_as("SELECT * FROM users WHERE pubsub_token = $1")
        .bind(&room.pubsub_token)
        .fetch_optional(&state.db.read)
        .await
        .ok()
        .flatten();
    let user = user?;
    // An agent naming another account gets nothing.
    if room
        .account_id
        .is_some_and(|account| account as i64 != user.account_id)
    {
        return None;
    }
    Some(Subscriber::Agent(user))
}

async fn handle(
    state: &AppState,
    connection: &Connection,
    subscriptions: &mut Vec<Subscription>,
    command: ClientCommand,
) -> Vec<WsMessage> {
    match command {
        ClientCommand::Subscribe { identifier } => {
            let reject = vec![text(&ServerFrame::RejectSubscription {
                identifier: identifier.clone(),
            })];
            if subscriptions.iter().any(|sub| sub.identifier == identifier) {
                // ActionCable ignores a second subscribe to the same identifier.
                return Vec::new();
            }
            if subscriptions.len() >= MAX_SUBSCRIPTIONS {
                return reject;
            }
            let Some(room) = RoomIdentifier::parse(&identifier) else {
                return reject;
            };
            let Some(subscriber) = find_subscriber(state, &room).await else {
                return reject;
            };
            let quoted: Arc<str> =
                Arc::from(serde_json::to_string(&identifier).unwrap_or_default());
            let subscription = match subscriber {
                Subscriber::Contact(contact_inbox) => {
                    let Ok(inbox) =
                        crate::store::inbox_by_id(&state.db.read, contact_inbox.inbox_id).await
                    else {
                        return reject;
                    };
                    let stream = contact_stream(&contact_inbox);
                    state
                        .hub
                        .subscribe(stream.clone(), connection, quoted.clone(), None);
                    Subscription {
                        identifier: identifier.clone(),
                        quoted,
                        streams: vec![stream],
                        account_id: inbox.account_id,
                        agent: None,
                    }
                }
                Subscriber::Agent(user) => {
                    let stream = Stream::Account(user.account_id);
                    state
                        .hub
                        .subscribe(stream.clone(), connection, quoted.clone(), Some(user.id));
                    if state.hub.agent_presence(user.account_id, user.id, true) {
                        broadcast_presence(state, user.account_id);
                    }
                    Subscription {
                        identifier: identifier.clone(),
                        quoted,
                        streams: vec![stream],
                        account_id: user.account_id,
                        agent: Some((user.account_id, user.id)),
                    }
                }
            };
            subscriptions.push(subscription);
            vec![text(&ServerFrame::ConfirmSubscription { identifier })]
        }
        ClientCommand::Unsubscribe { identifier } => {
            if let Some(index) = subscriptions
                .iter()
                .position(|sub| sub.identifier == identifier)
            {
                let subscription = subscriptions.swap_remove(index);
                forget(state, connection, subscription);
            }
            Vec::new()
        }
        ClientCommand::Message { ref identifier, .. } => {
            let Some(subscription) = subscriptions
                .iter()
                .find(|sub| sub.identifier == *identifier)
            else {
                return Vec::new();
            };
            match command.action().as_deref() {
                Some("update_presence") => {
                    let payload = presence_payload(state, subscription.account_id).await;
                    let identifier = serde_json::to_string(identifier).unwrap_or_default();
                    vec![WsMessage::Text(Utf8Bytes::from(format!(
                        "{{\"identifier\":{identifier},\"message\":{payload}}}"
                    )))]
                }
                _ => Vec::new(),
            }
        }
    }
}

/// `presence.update`: each agent's availability, `offline` when they have no
/// live connection.
async fn presence_payload(state: &AppState, account_id: i64) -> String {
    let users: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, availability FROM users WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&state.db.read)
            .await
            .unwrap_or_default();
    let users: serde_json::Map<String, serde_json::Value> = users
        .into_iter()
        .map(|(id, availability)| {
            let status = if state.hub.is_online(account_id, id) {
                availability
            } else {
                "offline".to_owned()
            };
            (id.to_string(), json!(status))
        })
        .collect();
    json!({
        "event": "presence.update",
        "data": {"account_id": account_id, "users": users},
    })
    .to_string()
}

fn broadcast_presence(state: &AppState, account_id: i64) {
    let state = state.clone();
    tokio::spawn(async move {
        let payload: Arc<str> = Arc::from(presence_payload(&state, account_id).await);
        state
            .hub
            .publish(&Stream::Account(account_id), &payload, None);
    });
}
