//! ActionCable over WebSocket, as Chatwoot's `/cable` speaks it
//! (PROTOCOL.md §2): the client's commands, the server's frames, and the
//! `{event, data}` messages of the RoomChannel.
//!
//! A subscription's `identifier` is an opaque string that the server echoes
//! exactly as received; it is kept as a `String` and never rebuilt from a
//! parsed form.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::chatwoot::{Availability, ConversationId, ConversationStatus, Message, Sender};
use crate::wire::{Fields, FromJson, Map, deserialize_from_json, wire_enum};

/// The WebSocket subprotocol.
pub const SUBPROTOCOL: &str = "actioncable-v1-json";
/// The server pings this often.
pub const PING_INTERVAL_SECS: u64 = 3;
/// A client calls the link stale after this long without a ping.
pub const STALE_AFTER_SECS: u64 = 6;
/// Chatwoot's widget sends `update_presence` this often.
pub const PRESENCE_INTERVAL_SECS: u64 = 20;
/// The channel every Chatwoot subscription names.
pub const ROOM_CHANNEL: &str = "RoomChannel";

/// The parsed form of a RoomChannel identifier, for building one and for a
/// server to read the token. Field order is the wire order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomIdentifier {
    pub channel: String,
    pub pubsub_token: String,
    /// Agents name their account and user; contacts may too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
}

impl RoomIdentifier {
    /// A contact's subscription.
    pub fn contact(pubsub_token: impl Into<String>) -> Self {
        RoomIdentifier {
            channel: ROOM_CHANNEL.to_owned(),
            pubsub_token: pubsub_token.into(),
            account_id: None,
            user_id: None,
        }
    }

    /// The identifier string, `{"channel":"RoomChannel","pubsub_token":"…"}`.
    pub fn to_identifier(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads an identifier string; None when it is not a RoomChannel one.
    pub fn parse(identifier: &str) -> Option<Self> {
        serde_json::from_str::<RoomIdentifier>(identifier)
            .ok()
            .filter(|room| room.channel == ROOM_CHANNEL)
    }
}

/// A frame the client sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum ClientCommand {
    Subscribe {
        identifier: String,
    },
    Unsubscribe {
        identifier: String,
    },
    /// Performs a channel action; `data` is a JSON string such as
    /// `{"action":"update_presence"}`.
    Message {
        identifier: String,
        data: String,
    },
}

impl ClientCommand {
    /// The presence heartbeat Chatwoot's widget sends every 20 s.
    pub fn update_presence(identifier: impl Into<String>) -> Self {
        ClientCommand::Message {
            identifier: identifier.into(),
            data: r#"{"action":"update_presence"}"#.to_owned(),
        }
    }

    /// The action a `message` command performs, if its data names one.
    pub fn action(&self) -> Option<String> {
        let ClientCommand::Message { data, .. } = self else {
            return None;
        };
        let value: Value = serde_json::from_str(data).ok()?;
        value.get("action")?.as_str().map(str::to_owned)
    }
}

wire_enum! {
    /// Why the server is closing the connection.
    pub enum DisconnectReason {
        ServerRestart = "server_restart",
        Unauthorized = "unauthorized",
        InvalidRequest = "invalid_request",
        Remote = "remote",
    }
}

/// A frame the server sends.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ServerFrame {
    Welcome,
    /// `message` is the server's clock in unix seconds.
    Ping {
        message: i64,
    },
    ConfirmSubscription {
        identifier: String,
    },
    RejectSubscription {
        identifier: String,
    },
    Disconnect {
        reason: Option<DisconnectReason>,
        reconnect: bool,
    },
    /// A broadcast on a subscription.
    Message {
        identifier: String,
        message: CableMessage,
    },
    /// A frame this version does not know, kept as received.
    Other(Map),
}

impl Serialize for ServerFrame {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_json::json;
        let value = match self {
            ServerFrame::Welcome => json!({"type": "welcome"}),
            ServerFrame::Ping { message } => json!({"type": "ping", "message": message}),
            ServerFrame::ConfirmSubscription { identifier } => {
                json!({"identifier": identifier, "type": "confirm_subscription"})
            }
            ServerFrame::RejectSubscription { identifier } => {
                json!({"identifier": identifier, "type": "reject_subscription"})
            }
            ServerFrame::Disconnect { reason, reconnect } => match reason {
                Some(reason) => {
                    json!({"type": "disconnect", "reason": reason, "reconnect": reconnect})
                }
                None => json!({"type": "disconnect", "reconnect": reconnect}),
            },
            ServerFrame::Message {
                identifier,
                message,
            } => json!({"identifier": identifier, "message": message}),
            ServerFrame::Other(map) => Value::Object(map.clone()),
        };
        value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ServerFrame {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ServerFrame::from_map(Map::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

impl ServerFrame {
    /// Reads a frame from its JSON object (the widget's path: no serde
    /// deserializer over a `Value`, which would weigh more in its wasm).
    pub fn from_map(mut map: Map) -> Result<Self, &'static str> {
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let identifier = || text("identifier").ok_or("frame without an identifier");
        let frame = match text("type").as_deref() {
            Some("welcome") => ServerFrame::Welcome,
            Some("ping") => ServerFrame::Ping {
                message: map
                    .get("message")
                    .and_then(Value::as_i64)
                    .ok_or("ping without a time")?,
            },
            Some("confirm_subscription") => ServerFrame::ConfirmSubscription {
                identifier: identifier()?,
            },
            Some("reject_subscription") => ServerFrame::RejectSubscription {
                identifier: identifier()?,
            },
            Some("disconnect") => ServerFrame::Disconnect {
                reason: text("reason").as_deref().map(DisconnectReason::from_wire),
                reconnect: map
                    .get("reconnect")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
            // A broadcast: an identifier and an `{event, data}` message. One
            // not of that shape is kept as an unknown frame. The shape is
            // checked first so the message is moved out of the map, not copied.
            None => {
                let identifier = text("identifier");
                let is_broadcast = map.get("message").is_some_and(|message| {
                    message.get("event").is_some_and(Value::is_string)
                        && message.get("data").is_some()
                });
                match identifier {
                    Some(identifier) if is_broadcast => {
                        let message = map.get_mut("message").map(Value::take).unwrap_or_default();
                        ServerFrame::Message {
                            identifier,
                            message: CableMessage::from_json(message)
                                .map_err(|_| "a broadcast that does not parse")?,
                        }
                    }
                    _ => ServerFrame::Other(map),
                }
            }
            _ => ServerFrame::Other(map),
        };
        Ok(frame)
    }
}

wire_enum! {
    /// A RoomChannel event's name.
    pub enum EventName {
        MessageCreated = "message.created",
        MessageUpdated = "message.updated",
        ConversationCreated = "conversation.created",
        ConversationUpdated = "conversation.updated",
        ConversationStatusChanged = "conversation.status_changed",
        ConversationRead = "conversation.read",
        ConversationContactChanged = "conversation.contact_changed",
        ConversationTypingOn = "conversation.typing_on",
        ConversationTypingOff = "conversation.typing_off",
        AssigneeChanged = "assignee.changed",
        ContactUpdated = "contact.updated",
        PresenceUpdate = "presence.update",
    }
}

/// The `{event, data}` envelope of a broadcast. `data` stays JSON until
/// [`CableMessage::into_event`] types it, so a frame whose data does not fit
/// its event is still read, and its failure is the event's alone.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CableMessage {
    pub event: EventName,
    pub data: Value,
}

/// A typed broadcast.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    MessageCreated(Message),
    /// The updated message; Chatwoot adds `previous_changes` (in `extra`).
    MessageUpdated(Message),
    ConversationCreated(ConversationEvent),
    ConversationUpdated(ConversationEvent),
    ConversationStatusChanged(ConversationEvent),
    TypingOn(TypingEvent),
    TypingOff(TypingEvent),
    PresenceUpdate(PresenceEvent),
    /// Any other event, its data untouched.
    Other {
        event: EventName,
        data: Value,
    },
}

impl CableMessage {
    /// Types the event's data, moving it rather than copying: this runs for
    /// every realtime event a widget receives.
    pub fn into_event(self) -> Result<Event, String> {
        fn typed<T: FromJson>(data: Value) -> Result<T, String> {
            T::from_json(data)
        }
        let data = self.data;
        Ok(match self.event {
            EventName::MessageCreated => Event::MessageCreated(typed(data)?),
            EventName::MessageUpdated => Event::MessageUpdated(typed(data)?),
            EventName::ConversationCreated => Event::ConversationCreated(typed(data)?),
            EventName::ConversationUpdated => Event::ConversationUpdated(typed(data)?),
            EventName::ConversationStatusChanged => Event::ConversationStatusChanged(typed(data)?),
            EventName::ConversationTypingOn => Event::TypingOn(typed(data)?),
            EventName::ConversationTypingOff => Event::TypingOff(typed(data)?),
            EventName::PresenceUpdate => Event::PresenceUpdate(typed(data)?),
            event => Event::Other { event, data },
        })
    }
}

/// A conversation as realtime events carry it (Chatwoot's push data: `meta`,
/// `unread_count`, timestamps… are in `extra`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConversationEvent {
    /// The display id.
    pub id: ConversationId,
    pub inbox_id: u64,
    pub status: ConversationStatus,
    /// The latest message, when there is one.
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(flatten)]
    pub extra: Map,
}

/// `conversation.typing_on` / `typing_off`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypingEvent {
    pub conversation: ConversationEvent,
    /// Who is typing.
    pub user: Sender,
    /// An agent typing a private note: a widget ignores it.
    #[serde(default)]
    pub is_private: bool,
    #[serde(flatten)]
    pub extra: Map,
}

/// `presence.update`: agents' availability by id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PresenceEvent {
    pub account_id: u64,
    /// User id → availability, as sent; read through
    /// [`PresenceEvent::availability`]. Kept as JSON so that the widget's
    /// wasm carries one map type, not two.
    pub users: Map,
    #[serde(flatten)]
    pub extra: Map,
}

impl PresenceEvent {
    /// One user's availability; `None` for a user not listed or a value
    /// that is not one of Chatwoot's.
    pub fn availability(&self, user_id: &str) -> Option<Availability> {
        Availability::from_json(self.users.get(user_id)?.clone()).ok()
    }
}

// ------------------------------------------------------------- reading
//
// By hand, as the public API's types are (see `crate::wire::FromJson`):
// every realtime event a widget receives goes through these.

deserialize_from_json!(CableMessage, ConversationEvent, TypingEvent, PresenceEvent);

impl FromJson for CableMessage {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct CableMessage")?;
        Ok(CableMessage {
            event: fields.required("event")?,
            data: fields.required("data")?,
        })
    }
}

impl FromJson for ConversationEvent {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct ConversationEvent")?;
        Ok(ConversationEvent {
            id: fields.required("id")?,
            inbox_id: fields.required("inbox_id")?,
            status: fields.required("status")?,
            messages: fields.or_default("messages")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for TypingEvent {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct TypingEvent")?;
        Ok(TypingEvent {
            conversation: fields.required("conversation")?,
            user: fields.required("user")?,
            is_private: fields.or_default("is_private")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for PresenceEvent {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct PresenceEvent")?;
        Ok(PresenceEvent {
            account_id: fields.required("account_id")?,
            users: fields.required("users")?,
            extra: fields.rest(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::{ClientCommand, RoomIdentifier, ServerFrame};

    #[test]
    fn a_contact_identifier_is_channel_then_token() {
        let identifier = RoomIdentifier::contact("tok3n").to_identifier();
        assert_eq!(
            identifier,
            r#"{"channel":"RoomChannel","pubsub_token":"tok3n"}"#
        );
        assert_eq!(
            RoomIdentifier::parse(&identifier),
            Some(RoomIdentifier::contact("tok3n"))
        );
        assert_eq!(
            RoomIdentifier::parse(r#"{"channel":"Other","pubsub_token":"t"}"#),
            None
        );
        assert_eq!(RoomIdentifier::parse("not json"), None);
    }

    #[test]
    fn the_identifier_is_echoed_byte_for_byte() {
        // Spacing and key order the server must not "normalise".
        let identifier = r#"{ "pubsub_token" : "T", "channel":"RoomChannel" }"#;
        let subscribe: ClientCommand = serde_json::from_str(&format!(
            r#"{{"command":"subscribe","identifier":{}}}"#,
            serde_json::to_string(identifier).unwrap()
        ))
        .unwrap();
        let ClientCommand::Subscribe { identifier: read } = subscribe else {
            panic!("not a subscribe");
        };
        assert_eq!(read, identifier);
        let confirm = ServerFrame::ConfirmSubscription { identifier: read };
        let written = serde_json::to_string(&confirm).unwrap();
        let back: ServerFrame = serde_json::from_str(&written).unwrap();
        assert_eq!(back, confirm);
    }

    #[test]
    fn update_presence_names_its_action() {
        let command = ClientCommand::update_presence("id");
        assert_eq!(command.action().as_deref(), Some("update_presence"));
        assert_eq!(
            serde_json::to_value(&command).unwrap(),
            serde_json::json!({"command": "message", "identifier": "id", "data": "{\"action\":\"update_presence\"}"})
        );
    }
}
