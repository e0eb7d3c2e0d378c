//! Chatwoot's public client API (the `inbox_identifier` API, PROTOCOL.md §1):
//! the bodies a widget sends and the ones it gets back.
//!
//! Fields Chatwoot always writes (`null` when unset) are plain `Option`s and
//! are always written; fields it writes only sometimes (`attachments`,
//! `sender`, `echo_id`) are skipped when absent. Every response type keeps
//! unknown fields in `extra`, so a newer server's additions survive a round
//! trip through an older reader.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::content::{Content, CsatDisplayType, CsatSubmitted, SubmittedValue};
use crate::validate::ValidationError;
use crate::wire::{Field, Fields, FromJson, Map, deserialize_from_json, wire_enum};

/// A message's id (the database id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub u64);

/// A conversation's `display_id`: the per-account number the public API uses
/// in paths and as `id`, not the row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConversationId(pub u64);

/// `GET /public/api/v1/inboxes/{inbox_identifier}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PublicInbox {
    pub identifier: String,
    /// The inbox requires a valid `identifier_hash` (Chatwoot's `hmac_mandatory`).
    pub identity_validation_enabled: bool,
    pub name: String,
    pub timezone: String,
    pub working_hours: Vec<WorkingHours>,
    pub working_hours_enabled: bool,
    pub csat_survey_enabled: bool,
    pub greeting_enabled: bool,
    #[serde(flatten)]
    pub extra: Map,
}

/// One day of an inbox's weekly schedule, in the inbox's timezone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkingHours {
    /// Sunday is 0, Saturday 6.
    pub day_of_week: u8,
    pub open_all_day: bool,
    pub closed_all_day: bool,
    pub open_hour: Option<u8>,
    pub open_minutes: Option<u8>,
    pub close_hour: Option<u8>,
    pub close_minutes: Option<u8>,
    #[serde(flatten)]
    pub extra: Map,
}

/// Minutes in a day, and in a week.
const DAY_MINUTES: u32 = 24 * 60;
const WEEK_MINUTES: u32 = 7 * DAY_MINUTES;

impl PublicInbox {
    /// How long until the inbox is open, from `minute_of_week` (minutes
    /// since Sunday 00:00, in the inbox's timezone): `Some(0)` when it is
    /// open now (or keeps no working hours), `None` when no day of the week
    /// opens. A day without an entry is closed, as in Chatwoot.
    pub fn minutes_until_open(&self, minute_of_week: u32) -> Option<u32> {
        if !self.working_hours_enabled {
            return Some(0);
        }
        let now = minute_of_week % WEEK_MINUTES;
        let today = now / DAY_MINUTES;
        (0..=7)
            .filter_map(|ahead| {
                let day = (today + ahead) % 7;
                let hours = self
                    .working_hours
                    .iter()
                    .find(|hours| u32::from(hours.day_of_week) == day)?;
                let (open, close) = hours.open_interval()?;
                let start = (today + ahead) * DAY_MINUTES;
                let (open, close) = (start + open, start + close);
                if now < open {
                    Some(open - now)
                } else if now < close {
                    Some(0)
                } else {
                    None
                }
            })
            .next()
    }
}

impl WorkingHours {
    /// The minutes of the day this day is open, `[open, close)`; `None`
    /// when it is closed.
    fn open_interval(&self) -> Option<(u32, u32)> {
        if self.open_all_day {
            return Some((0, DAY_MINUTES));
        }
        if self.closed_all_day {
            return None;
        }
        let at = |hour: Option<u8>, minutes: Option<u8>| {
            Some(u32::from(hour?) * 60 + u32::from(minutes.unwrap_or(0)))
        };
        let open = at(self.open_hour, self.open_minutes)?;
        let close = at(self.close_hour, self.close_minutes)?.min(DAY_MINUTES);
        (open < close).then_some((open, close))
    }
}

/// The body of `POST /contacts` and `PATCH /contacts/{source_id}`; every field
/// is optional and an empty body is valid. `identifier` is ignored on update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Lowercase hex HMAC-SHA256 of `identifier` (see [`crate::identity`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map>,
}

/// A contact as the public API returns it. Create and show carry the
/// visitor's credentials (`source_id`, `pubsub_token`); update returns the
/// contact's record without them (its other columns land in `extra`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contact {
    pub id: u64,
    /// With the inbox identifier, the visitor's credential for this API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The visitor's credential for the `/cable` RoomChannel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubsub_token: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    #[serde(flatten)]
    pub extra: Map,
}

wire_enum! {
    /// A conversation's status.
    pub enum ConversationStatus {
        Open = "open",
        Resolved = "resolved",
        Pending = "pending",
        Snoozed = "snoozed",
    }
}

/// A conversation as the public API returns it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Conversation {
    /// The display id.
    pub id: ConversationId,
    pub uuid: String,
    pub inbox_id: u64,
    /// Unix seconds; 0 when never seen.
    pub contact_last_seen_at: i64,
    pub status: ConversationStatus,
    /// Unix seconds; 0 when never seen.
    pub agent_last_seen_at: i64,
    pub messages: Vec<Message>,
    /// The contact's whole record, as Chatwoot serializes its model.
    pub contact: Map,
    #[serde(flatten)]
    pub extra: Map,
}

/// The body of `POST /contacts/{source_id}/conversations`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map>,
}

wire_enum! {
    /// `typing_status` of a typing toggle.
    pub enum TypingStatus {
        On = "on",
        Off = "off",
    }
}

/// The body of `POST …/toggle_typing`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingRequest {
    pub typing_status: TypingStatus,
}

/// Who sent a message, from where the inbox stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// From the contact (0).
    Incoming,
    /// From an agent or a bot (1).
    Outgoing,
    /// A system note ("Conversation was resolved"); never shown to a contact (2).
    Activity,
    /// Sent by the system on the inbox's behalf, like the CSAT survey (3).
    Template,
}

impl MessageType {
    /// The integer Chatwoot writes.
    pub fn code(self) -> u8 {
        match self {
            MessageType::Incoming => 0,
            MessageType::Outgoing => 1,
            MessageType::Activity => 2,
            MessageType::Template => 3,
        }
    }

    pub fn from_code(code: u64) -> Option<Self> {
        Some(match code {
            0 => MessageType::Incoming,
            1 => MessageType::Outgoing,
            2 => MessageType::Activity,
            3 => MessageType::Template,
            _ => return None,
        })
    }

    /// The name Chatwoot's application API accepts and some of its views write.
    pub fn name(self) -> &'static str {
        match self {
            MessageType::Incoming => "incoming",
            MessageType::Outgoing => "outgoing",
            MessageType::Activity => "activity",
            MessageType::Template => "template",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [
            MessageType::Incoming,
            MessageType::Outgoing,
            MessageType::Activity,
            MessageType::Template,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }
}

impl Serialize for MessageType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}

impl FromJson for MessageType {
    /// Reads the integer, and also the name, which some views write.
    fn from_json(value: Value) -> Result<Self, String> {
        match value {
            Value::Number(number) => number
                .as_u64()
                .and_then(MessageType::from_code)
                .ok_or_else(|| format!("unknown message_type {number}")),
            Value::String(name) => MessageType::from_name(&name)
                .ok_or_else(|| format!("unknown message_type `{name}`")),
            other => Err(crate::wire::invalid(&other, "message_type 0 to 3")),
        }
    }
}

/// A message, as the public API lists it and as `message.created` carries it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
    pub id: MessageId,
    /// Markdown text; `null` for an attachment-only message.
    pub content: Option<String>,
    pub message_type: MessageType,
    /// `content_type` and `content_attributes`.
    #[serde(flatten)]
    pub kind: Content,
    /// Unix seconds.
    pub created_at: i64,
    /// The conversation's display id.
    pub conversation_id: ConversationId,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
    /// The sender's temporary id, echoed in `message.created` so the sender
    /// can swap its pending bubble for this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echo_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map,
}

impl Message {
    /// Chatwoot's private-note flag, carried by realtime and agent views.
    pub fn is_private(&self) -> bool {
        self.extra.get("private") == Some(&Value::Bool(true))
    }

    /// Whether a contact may see this message: never a private note, never an
    /// activity message.
    pub fn is_visible_to_contact(&self) -> bool {
        !self.is_private() && self.message_type != MessageType::Activity
    }
}

wire_enum! {
    /// What kind of file an attachment is; the server picks it from the MIME
    /// type ([`FileType::from_mime`]).
    pub enum FileType {
        Image = "image",
        Audio = "audio",
        Video = "video",
        File = "file",
        Location = "location",
        Fallback = "fallback",
        Share = "share",
        StoryMention = "story_mention",
        Contact = "contact",
        IgReel = "ig_reel",
        Embed = "embed",
    }
}

impl FileType {
    /// Chatwoot's rule: jpeg, png, gif, bmp and webp are images; ogg, mp4,
    /// webm and quicktime video; any `audio/*` is audio; anything else is a
    /// plain file (SVG too, which is never rendered inline).
    pub fn from_mime(mime: &str) -> FileType {
        let essence = mime
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "image/jpeg" | "image/jpg" | "image/png" | "image/gif" | "image/bmp" | "image/webp" => {
                FileType::Image
            }
            "video/ogg" | "video/mp4" | "video/webm" | "video/quicktime" => FileType::Video,
            audio if audio.starts_with("audio/") => FileType::Audio,
            _ => FileType::File,
        }
    }
}

/// A file attached to a message. Files carry the file fields; a location,
/// contact or fallback attachment carries its own (`coordinates_lat`,
/// `fallback_title`, … in `extra`) and may have no `data_url`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attachment {
    pub id: u64,
    pub message_id: u64,
    pub file_type: FileType,
    pub account_id: u64,
    pub data_url: Option<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub extension: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub thumb_url: Field<String>,
    /// Bytes.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub file_size: Field<u64>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub width: Field<u32>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub height: Field<u32>,
    #[serde(flatten)]
    pub extra: Map,
}

wire_enum! {
    /// Who a sender is.
    pub enum SenderType {
        /// A human agent.
        User = "user",
        Contact = "contact",
        AgentBot = "agent_bot",
    }
}

wire_enum! {
    /// An agent's presence.
    pub enum Availability {
        Online = "online",
        Busy = "busy",
        Offline = "offline",
    }
}

/// A message's sender: an agent, the contact, or a bot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sender {
    pub id: u64,
    pub name: Option<String>,
    /// An agent's display name.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub available_name: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub avatar_url: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub thumbnail: Field<String>,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub availability_status: Field<Availability>,
    #[serde(rename = "type")]
    pub kind: SenderType,
    #[serde(flatten)]
    pub extra: Map,
}

impl Sender {
    /// The name to show: an agent's `available_name`, else `name`.
    pub fn display_name(&self) -> Option<&str> {
        self.available_name
            .get()
            .map(String::as_str)
            .filter(|name| !name.is_empty())
            .or(self.name.as_deref())
    }
}

/// The JSON body of `POST …/messages` (multipart bodies carry the same fields
/// plus `attachments[]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// A temporary id, echoed back in `message.created`; ferrochat's server
    /// also uses it to make a retried create idempotent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echo_id: Option<String>,
}

/// `submitted_values`: a list for quick replies and forms, an object for CSAT.
/// A single `{title, value}` or `{name, value}` object (as Chatwoot's OpenAPI
/// file documents the field) is read as a list of one and written as a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubmittedValues {
    /// `[{title, value}]` (the chosen quick reply) or `[{name, value}]` (form fields).
    Items(Vec<SubmittedValue>),
    /// `{csat_survey_response: {rating, feedback_message}}`.
    Csat(CsatSubmitted),
}

impl Serialize for SubmittedValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SubmittedValues::Items(items) => items.serialize(serializer),
            SubmittedValues::Csat(csat) => csat.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SubmittedValues {
    /// By hand, for errors that say what was wrong rather than serde's
    /// "did not match any variant".
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let parsed = match Value::deserialize(deserializer)? {
            items @ Value::Array(_) => serde_json::from_value(items).map(SubmittedValues::Items),
            csat @ Value::Object(_) if csat.get("csat_survey_response").is_some() => {
                serde_json::from_value(csat).map(SubmittedValues::Csat)
            }
            one @ Value::Object(_) => {
                serde_json::from_value(one).map(|value| SubmittedValues::Items(vec![value]))
            }
            other => {
                return Err(D::Error::custom(format!(
                    "submitted_values must be an array or a csat_survey_response object, got {other}"
                )));
            }
        };
        parsed.map_err(|error| D::Error::custom(format!("submitted_values: {error}")))
    }
}

/// The body of `PATCH …/messages/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageUpdate {
    pub submitted_values: SubmittedValues,
}

/// The body of `PATCH /public/api/v1/csat_survey/{conversation_uuid}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsatSurveyUpdate {
    pub message: MessageUpdate,
}

/// `GET /public/api/v1/csat_survey/{conversation_uuid}`: the standalone
/// survey page's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CsatSurvey {
    /// The survey message's id.
    pub id: u64,
    /// The stored answer, once given.
    pub csat_survey_response: Option<CsatSurveyRecord>,
    /// `null` means Chatwoot's default, emoji.
    pub display_type: Option<CsatDisplayType>,
    /// The question the inbox asks.
    pub content: Option<String>,
    pub inbox_avatar_url: Option<String>,
    pub inbox_name: String,
    pub locale: String,
    pub conversation_id: u64,
    #[serde(flatten)]
    pub extra: Map,
}

/// A stored CSAT answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CsatSurveyRecord {
    pub rating: u8,
    pub feedback_message: Option<String>,
    #[serde(flatten)]
    pub extra: Map,
}

/// Chatwoot's error bodies on this API.
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorBody {
    /// 404 `{"status":404,"error":"Not Found"}`.
    NotFound,
    /// 422 `{"message":"Content is too long (maximum is 150000 characters)","attributes":["content"]}`.
    Invalid {
        message: String,
        attributes: Vec<String>,
    },
    /// `{"error": "…"}`: a bad identity hash (401), a locked CSAT (422), a bad
    /// token on the application API (401).
    Message(String),
    /// Any other body, kept as received.
    Other(Value),
}

impl ErrorBody {
    /// What ferrochat answers (401) for an `identifier_hash` that does not
    /// check out, where Chatwoot's public API fails with a 500.
    pub fn hmac_failed() -> Self {
        ErrorBody::Message("HMAC failed: Invalid Identifier Hash Provided".to_owned())
    }

    /// A 422 for one attribute.
    pub fn invalid(attribute: &str, message: impl Into<String>) -> Self {
        ErrorBody::Invalid {
            message: message.into(),
            attributes: vec![attribute.to_owned()],
        }
    }

    /// Chatwoot's 422 for a value of `attribute` (a request field such as
    /// `content` or `phone_number`) that failed validation, in the words a
    /// Rails model error uses: `Content is too long (maximum is 150000
    /// characters)`.
    pub fn from_validation(attribute: &str, error: &ValidationError) -> Self {
        let mut human = attribute.replace('_', " ");
        if let Some(first) = human.get(..1) {
            human = first.to_uppercase() + &human[1..];
        }
        let phrase = match error {
            ValidationError::TooLong { max, .. } => {
                format!("is too long (maximum is {max} characters)")
            }
            ValidationError::Empty { .. } | ValidationError::NoItems { .. } => {
                "can't be blank".to_owned()
            }
            ValidationError::InvalidEmail { .. } => "Invalid email".to_owned(),
            ValidationError::InvalidPhone { .. } => "should be in e164 format".to_owned(),
            other => other.to_string(),
        };
        ErrorBody::invalid(attribute, format!("{human} {phrase}"))
    }

    /// A one-line description for logs and the widget's error state.
    pub fn describe(&self) -> String {
        match self {
            ErrorBody::NotFound => "not found".to_owned(),
            ErrorBody::Invalid { message, .. } | ErrorBody::Message(message) => message.clone(),
            // Compact, as the server wrote it (and not through `Display`,
            // whose pretty printer would weigh on the widget).
            ErrorBody::Other(value) => serde_json::to_string(value).unwrap_or_default(),
        }
    }
}

impl Serialize for ErrorBody {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = match self {
            ErrorBody::NotFound => serde_json::json!({"status": 404, "error": "Not Found"}),
            ErrorBody::Invalid {
                message,
                attributes,
            } => serde_json::json!({"message": message, "attributes": attributes}),
            ErrorBody::Message(error) => serde_json::json!({"error": error}),
            ErrorBody::Other(value) => value.clone(),
        };
        value.serialize(serializer)
    }
}

impl FromJson for ErrorBody {
    /// Never fails: a body of no known shape is `Other`.
    fn from_json(value: Value) -> Result<Self, String> {
        let Value::Object(object) = &value else {
            return Ok(ErrorBody::Other(value));
        };
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let not_found = object.len() == 2
            && object.get("status") == Some(&Value::from(404))
            && text("error").as_deref() == Some("Not Found");
        if not_found {
            return Ok(ErrorBody::NotFound);
        }
        let attributes: Option<Vec<String>> = object
            .get("attributes")
            .and_then(|list| Vec::from_json(list.clone()).ok());
        match (object.len(), text("message"), attributes, text("error")) {
            (2, Some(message), Some(attributes), _) => Ok(ErrorBody::Invalid {
                message,
                attributes,
            }),
            (1, _, _, Some(error)) => Ok(ErrorBody::Message(error)),
            _ => Ok(ErrorBody::Other(value)),
        }
    }
}

// ------------------------------------------------------------- reading
//
// By hand, as the content types are (see `crate::wire::FromJson`): these are
// the responses and events the widget reads. Each reader takes the fields
// its type declares, with the defaults of the `serde` attributes that write
// them, and keeps the rest in `extra`.

// The ids keep their derived `Deserialize`: they are also read from paths
// and query strings, where a number arrives as text.
deserialize_from_json!(
    ErrorBody,
    MessageType,
    PublicInbox,
    WorkingHours,
    Contact,
    Conversation,
    Message,
    Attachment,
    Sender,
);

impl FromJson for MessageId {
    fn from_json(value: Value) -> Result<Self, String> {
        u64::from_json(value).map(MessageId)
    }
}

impl FromJson for ConversationId {
    fn from_json(value: Value) -> Result<Self, String> {
        u64::from_json(value).map(ConversationId)
    }
}

impl FromJson for PublicInbox {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct PublicInbox")?;
        Ok(PublicInbox {
            identifier: fields.required("identifier")?,
            identity_validation_enabled: fields.required("identity_validation_enabled")?,
            name: fields.required("name")?,
            timezone: fields.required("timezone")?,
            working_hours: fields.required("working_hours")?,
            working_hours_enabled: fields.required("working_hours_enabled")?,
            csat_survey_enabled: fields.required("csat_survey_enabled")?,
            greeting_enabled: fields.required("greeting_enabled")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for WorkingHours {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct WorkingHours")?;
        Ok(WorkingHours {
            day_of_week: fields.required("day_of_week")?,
            open_all_day: fields.required("open_all_day")?,
            closed_all_day: fields.required("closed_all_day")?,
            open_hour: fields.optional("open_hour")?,
            open_minutes: fields.optional("open_minutes")?,
            close_hour: fields.optional("close_hour")?,
            close_minutes: fields.optional("close_minutes")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for Contact {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Contact")?;
        Ok(Contact {
            id: fields.required("id")?,
            source_id: fields.optional("source_id")?,
            pubsub_token: fields.optional("pubsub_token")?,
            name: fields.optional("name")?,
            email: fields.optional("email")?,
            phone_number: fields.optional("phone_number")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for Conversation {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Conversation")?;
        Ok(Conversation {
            id: fields.required("id")?,
            uuid: fields.required("uuid")?,
            inbox_id: fields.required("inbox_id")?,
            contact_last_seen_at: fields.required("contact_last_seen_at")?,
            status: fields.required("status")?,
            agent_last_seen_at: fields.required("agent_last_seen_at")?,
            messages: fields.required("messages")?,
            contact: fields.required("contact")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for Message {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Message")?;
        let content_type: Option<String> = fields.optional("content_type")?;
        let attributes: Option<Map> = fields.optional("content_attributes")?;
        Ok(Message {
            id: fields.required("id")?,
            content: fields.optional("content")?,
            message_type: fields.required("message_type")?,
            kind: Content::from_parts(
                content_type.as_deref().unwrap_or("text"),
                attributes.unwrap_or_default(),
            )
            .map_err(|error| error.to_string())?,
            created_at: fields.required("created_at")?,
            conversation_id: fields.required("conversation_id")?,
            attachments: fields.or_default("attachments")?,
            sender: fields.optional("sender")?,
            echo_id: fields.optional("echo_id")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for Attachment {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Attachment")?;
        Ok(Attachment {
            id: fields.required("id")?,
            message_id: fields.required("message_id")?,
            file_type: fields.required("file_type")?,
            account_id: fields.required("account_id")?,
            data_url: fields.optional("data_url")?,
            extension: fields.field("extension")?,
            thumb_url: fields.field("thumb_url")?,
            file_size: fields.field("file_size")?,
            width: fields.field("width")?,
            height: fields.field("height")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for Sender {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Sender")?;
        Ok(Sender {
            id: fields.required("id")?,
            name: fields.optional("name")?,
            available_name: fields.field("available_name")?,
            avatar_url: fields.field("avatar_url")?,
            thumbnail: fields.field("thumbnail")?,
            availability_status: fields.field("availability_status")?,
            kind: fields.required("type")?,
            extra: fields.rest(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::json;

    use super::{
        ErrorBody, FileType, MessageType, MessageUpdate, PublicInbox, SubmittedValues, WorkingHours,
    };
    use crate::wire::Map;

    #[test]
    fn working_hours_say_how_long_until_the_inbox_opens() {
        let day = |day_of_week: u8, open: Option<(u8, u8, u8, u8)>| WorkingHours {
            day_of_week,
            open_all_day: false,
            closed_all_day: open.is_none(),
            open_hour: open.map(|hours| hours.0),
            open_minutes: open.map(|hours| hours.1),
            close_hour: open.map(|hours| hours.2),
            close_minutes: open.map(|hours| hours.3),
            extra: Map::new(),
        };
        let weekdays = (1..=5).map(|weekday| day(weekday, Some((9, 0, 17, 30))));
        let mut inbox = PublicInbox {
            identifier: "x".to_owned(),
            identity_validation_enabled: false,
            name: "Acme".to_owned(),
            timezone: "UTC".to_owned(),
            working_hours: weekdays.chain([day(0, None), day(6, None)]).collect(),
            working_hours_enabled: true,
            csat_survey_enabled: false,
            greeting_enabled: false,
            extra: Map::new(),
        };
        let at = |weekday: u32, hour: u32, minute: u32| (weekday * 24 + hour) * 60 + minute;
        // Monday 10:00 is open; 17:30 is closing time; 08:15 opens in 45 minutes.
        assert_eq!(inbox.minutes_until_open(at(1, 10, 0)), Some(0));
        assert_eq!(inbox.minutes_until_open(at(1, 17, 29)), Some(0));
        assert_eq!(inbox.minutes_until_open(at(1, 8, 15)), Some(45));
        assert_eq!(inbox.minutes_until_open(at(1, 17, 30)), Some(15 * 60 + 30));
        // Friday evening waits for Monday morning, over the weekend.
        assert_eq!(
            inbox.minutes_until_open(at(5, 18, 0)),
            Some(((2 * 24) + 15) * 60)
        );
        assert_eq!(inbox.minutes_until_open(at(6, 12, 0)), Some((36 + 9) * 60));
        // Open all day, and no hours at all.
        inbox.working_hours.push(WorkingHours {
            open_all_day: true,
            closed_all_day: false,
            ..day(6, None)
        });
        inbox
            .working_hours
            .retain(|hours| !(hours.day_of_week == 6 && hours.closed_all_day));
        assert_eq!(inbox.minutes_until_open(at(6, 3, 0)), Some(0));
        inbox.working_hours.clear();
        assert_eq!(inbox.minutes_until_open(at(2, 12, 0)), None);
        inbox.working_hours_enabled = false;
        assert_eq!(inbox.minutes_until_open(at(2, 12, 0)), Some(0));
    }

    #[test]
    fn message_type_is_written_as_its_integer_and_read_from_either() {
        for (kind, code) in [
            (MessageType::Incoming, 0),
            (MessageType::Outgoing, 1),
            (MessageType::Activity, 2),
            (MessageType::Template, 3),
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(code));
            assert_eq!(
                serde_json::from_value::<MessageType>(json!(code)).unwrap(),
                kind
            );
            assert_eq!(
                serde_json::from_value::<MessageType>(json!(kind.name())).unwrap(),
                kind
            );
        }
        assert!(serde_json::from_value::<MessageType>(json!(4)).is_err());
        assert!(serde_json::from_value::<MessageType>(json!("broadcast")).is_err());
    }

    #[test]
    fn file_type_follows_chatwoots_mime_rule() {
        let cases = [
            ("image/jpeg", FileType::Image),
            ("IMAGE/PNG", FileType::Image),
            ("image/webp; q=1", FileType::Image),
            ("image/svg+xml", FileType::File),
            ("video/mp4", FileType::Video),
            ("video/x-msvideo", FileType::File),
            ("audio/mpeg", FileType::Audio),
            ("application/pdf", FileType::File),
            ("", FileType::File),
        ];
        for (mime, expected) in cases {
            assert_eq!(FileType::from_mime(mime), expected, "{mime}");
        }
    }

    #[test]
    fn validation_errors_become_chatwoots_422_body() {
        let too_long = crate::validate::content(&"x".repeat(150_001)).unwrap_err();
        assert_eq!(
            serde_json::to_value(ErrorBody::from_validation("content", &too_long)).unwrap(),
            json!({"message": "Content is too long (maximum is 150000 characters)", "attributes": ["content"]})
        );
        let phone = crate::validate::phone("0151").unwrap_err();
        assert_eq!(
            ErrorBody::from_validation("phone_number", &phone),
            ErrorBody::invalid("phone_number", "Phone number should be in e164 format")
        );
        let email = crate::validate::email("ada@").unwrap_err();
        assert_eq!(
            ErrorBody::from_validation("email", &email).describe(),
            "Email Invalid email"
        );
    }

    #[test]
    fn submitted_values_errors_say_what_is_wrong() {
        let error = serde_json::from_value::<MessageUpdate>(json!({"submitted_values": "yes"}))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("must be an array or a csat_survey_response"),
            "{error}"
        );
        let update: MessageUpdate =
            serde_json::from_value(json!({"submitted_values": [{"title": "Yes", "value": "yes"}]}))
                .unwrap();
        assert!(
            matches!(update.submitted_values, SubmittedValues::Items(ref items) if items.len() == 1)
        );
    }
}
