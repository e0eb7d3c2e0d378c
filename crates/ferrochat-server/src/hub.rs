//! The realtime fan-out. A broadcast is serialized once and handed to each
//! subscriber's bounded queue without waiting: a full queue means that
//! connection is too far behind, so it is told to go away (and backfills
//! with `messages?after=` when it reconnects) instead of stalling everyone
//! else.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use tokio::sync::{Notify, mpsc};

/// How many frames a connection may have waiting before it is dropped.
pub(crate) const QUEUE_FRAMES: usize = 256;

/// Who hears a broadcast.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Stream {
    /// One visitor in one inbox, by the contact inbox's `pubsub_token`.
    Contact(Arc<str>),
    /// A verified user (their `identifier_hash` checked) in one inbox: every
    /// device they verified on hears it, as each sees all their
    /// conversations there.
    VerifiedContact { inbox_id: i64, contact_id: i64 },
    /// Every agent of an account.
    Account(i64),
}

/// One frame for one subscription: the identifier (already a JSON string)
/// and the broadcast's `message` (already JSON).
#[derive(Clone, Debug)]
pub(crate) struct Outbound {
    pub identifier: Arc<str>,
    pub payload: Arc<str>,
}

impl Outbound {
    pub(crate) fn frame(&self) -> String {
        let mut text = String::with_capacity(self.identifier.len() + self.payload.len() + 28);
        text.push_str("{\"identifier\":");
        text.push_str(&self.identifier);
        text.push_str(",\"message\":");
        text.push_str(&self.payload);
        text.push('}');
        text
    }
}

pub(crate) type ConnId = u64;

/// A connection's handle, shared by all its subscriptions.
#[derive(Clone, Debug)]
pub(crate) struct Connection {
    pub id: ConnId,
    pub tx: mpsc::Sender<Outbound>,
    /// Woken when the queue overflowed.
    pub overflow: Arc<Notify>,
}

#[derive(Clone, Debug)]
struct Subscriber {
    connection: Connection,
    /// The agent behind the subscription, so their own typing is not sent
    /// back to them.
    user_id: Option<i64>,
    identifier: Arc<str>,
}

#[derive(Debug, Default)]
pub(crate) struct Hub {
    streams: RwLock<HashMap<Stream, Vec<Subscriber>>>,
    next_id: AtomicU64,
    /// Frames queued, and connections dropped for falling behind.
    pub delivered: AtomicU64,
    pub overflowed: AtomicU64,
    /// Open WebSocket connections, and a wake-up for when the last closes.
    pub live: AtomicU64,
    pub idle: Notify,
    /// Live agent connections per (account, user).
    online: RwLock<HashMap<(i64, i64), usize>>,
}

impl Hub {
    pub(crate) fn connection(&self) -> (Connection, mpsc::Receiver<Outbound>) {
        let (tx, rx) = mpsc::channel(QUEUE_FRAMES);
        let connection = Connection {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            tx,
            overflow: Arc::new(Notify::new()),
        };
        (connection, rx)
    }

    pub(crate) fn subscribe(
        &self,
        stream: Stream,
        connection: &Connection,
        identifier: Arc<str>,
        user_id: Option<i64>,
    ) {
        let mut streams = self
            .streams
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        streams.entry(stream).or_default().push(Subscriber {
            connection: connection.clone(),
            user_id,
            identifier,
        });
    }

    /// Removes one subscription (`identifier`) of a connection, or all of
    /// them when `identifier` is `None`.
    pub(crate) fn unsubscribe(
        &self,
        streams: &[Stream],
        connection: ConnId,
        identifier: Option<&str>,
    ) {
        let mut map = self
            .streams
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        for stream in streams {
            if let Some(list) = map.get_mut(stream) {
                list.retain(|subscriber| {
                    subscriber.connection.id != connection
                        || identifier.is_some_and(|id| *subscriber.identifier != *id)
                });
                if list.is_empty() {
                    map.remove(stream);
                }
            }
        }
    }

    /// Queues `payload` for every subscriber of `stream` except `skip_user`'s
    /// own connections; returns how many were queued.
    pub(crate) fn publish(
        &self,
        stream: &Stream,
        payload: &Arc<str>,
        skip_user: Option<i64>,
    ) -> usize {
        let map = self
            .streams
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        let Some(list) = map.get(stream) else {
            return 0;
        };
        let mut queued = 0;
        for subscriber in list {
            if skip_user.is_some() && subscriber.user_id == skip_user {
                continue;
            }
            let frame = Outbound {
                identifier: subscriber.identifier.clone(),
                payload: payload.clone(),
            };
            match subscriber.connection.tx.try_send(frame) {
                Ok(()) => queued += 1,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    self.overflowed.fetch_add(1, Ordering::Relaxed);
                    subscriber.connection.overflow.notify_one();
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
        self.delivered.fetch_add(queued as u64, Ordering::Relaxed);
        queued
    }

    pub(crate) fn subscriber_count(&self, stream: &Stream) -> usize {
        let map = self
            .streams
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        map.get(stream).map_or(0, Vec::len)
    }

    /// Records an agent connection coming (`+1`) or going (`-1`); returns
    /// whether the agent's presence changed.
    pub(crate) fn agent_presence(&self, account_id: i64, user_id: i64, joined: bool) -> bool {
        let mut online = self
            .online
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        let count = online.entry((account_id, user_id)).or_default();
        let before = *count;
        if joined {
            *count += 1;
        } else {
            *count = count.saturating_sub(1);
        }
        let changed = (before == 0) != (*count == 0);
        if *count == 0 {
            online.remove(&(account_id, user_id));
        }
        changed
    }

    pub(crate) fn is_online(&self, account_id: i64, user_id: i64) -> bool {
        let online = self
            .online
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        online.contains_key(&(account_id, user_id))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Hub, QUEUE_FRAMES, Stream};

    #[test]
    fn a_full_queue_drops_only_that_connection() {
        let hub = Hub::default();
        let stream = Stream::Account(1);
        let (slow, _slow_rx) = hub.connection();
        let (fast, mut fast_rx) = hub.connection();
        hub.subscribe(stream.clone(), &slow, Arc::from("\"s\""), None);
        hub.subscribe(stream.clone(), &fast, Arc::from("\"f\""), None);
        let payload: Arc<str> = Arc::from("{}");
        for _ in 0..QUEUE_FRAMES + 1 {
            hub.publish(&stream, &payload, None);
            assert!(
                fast_rx.try_recv().is_ok(),
                "the fast reader gets every frame"
            );
        }
        assert_eq!(hub.overflowed.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    #[test]
    fn typing_skips_the_typist() {
        let hub = Hub::default();
        let stream = Stream::Account(1);
        let (agent, mut rx) = hub.connection();
        hub.subscribe(stream.clone(), &agent, Arc::from("\"a\""), Some(7));
        assert_eq!(hub.publish(&stream, &Arc::from("{}"), Some(7)), 0);
        assert_eq!(hub.publish(&stream, &Arc::from("{}"), Some(8)), 1);
        assert_eq!(
            rx.try_recv().unwrap().frame(),
            r#"{"identifier":"a","message":{}}"#
        );
    }
}
