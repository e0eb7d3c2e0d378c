//! The inbox's conversations as imi chats, and their messages as imi
//! livechat messages (PROTOCOL.md §5).
//!
//! - chat status: resolved → `closed`, snoozed → `onhold`, open or pending
//!   with an assignee → `picked`, without one → `queued`;
//! - `chat_id`: the conversation's `uuid`; `alias_id`: what the chat was
//!   created with, else the conversation's display id;
//! - channel and asset: the channel a chat was created with (else
//!   `livechat`) on its inbox (`asset.id` is the inbox id);
//! - customer: the contact (`id`), by its address on the channel
//!   (`destination_id`: for livechat, the contact's `source_id`);
//! - `assignee`: the assigned agent's email (their login); `tag`: the
//!   conversation's labels; `team_id`/`team_name`: its team.

use ferrochat_core::Map;
use ferrochat_core::chatwoot::FileType;
use ferrochat_core::chatwoot::MessageType;
use ferrochat_core::content::{Content, SubmittedValue};
use ferrochat_core::imi::{
    Asset, AssetId, AttachmentKind, Channel, Chat, ChatStatus, ChatSummary, ControlBody, Customer,
    DeliveryDetails, Direction, Filter, FilterParam, FilterValue, ImiAttachment, ImiMessage,
    LivechatSubType, Operator, SearchRequest,
};
use ferrochat_core::quick_replies::{self, Payload};
use ferrochat_core::time::UtcMillis;
use serde_json::Value;
use sqlx::FromRow;

use crate::render::{self, MessageView};

/// Where a chat's imi details live: `additional_attributes.imi` of its
/// conversation.
pub(super) const IMI_KEY: &str = "imi";

/// A message's quick replies keep their `request_identifier` here, in its
/// `content_attributes`; an outbound message its `correlation_id`.
pub(super) const REQUEST_IDENTIFIER: &str = "request_identifier";
pub(super) const CORRELATION_ID: &str = "correlation_id";

/// A conversation with everything its chat shows, in one query.
#[derive(Clone, Debug, FromRow)]
pub(super) struct ChatRow {
    pub id: i64,
    pub display_id: i64,
    pub uuid: String,
    pub status: String,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub additional_attributes: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub inbox_id: i64,
    pub inbox_name: String,
    pub contact_id: i64,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub source_id: String,
    pub assignee_email: Option<String>,
    pub team_name: Option<String>,
}

/// The `SELECT` of `ChatRow`s of account `$1`, to which a query adds
/// conditions and an order.
macro_rules! chat_select {
    () => {
        "SELECT c.id, c.display_id, c.uuid, c.status, c.assignee_id, c.team_id,
            c.additional_attributes, c.created_at, c.updated_at, c.inbox_id, i.name AS inbox_name,
            c.contact_id, ct.name AS contact_name, ct.email AS contact_email,
            ct.phone_number AS contact_phone, ci.source_id, u.email AS assignee_email,
            t.name AS team_name
        FROM conversations c
        JOIN inboxes i ON i.id = c.inbox_id
        JOIN contacts ct ON ct.id = c.contact_id
        JOIN contact_inboxes ci ON ci.id = c.contact_inbox_id
        LEFT JOIN users u ON u.id = c.assignee_id
        LEFT JOIN teams t ON t.id = c.team_id
        WHERE c.account_id = $1"
    };
}
pub(super) use chat_select;

/// A chat: its row, its imi details and its labels.
#[derive(Clone, Debug)]
pub(super) struct ChatRecord {
    pub row: ChatRow,
    pub imi: Map,
    pub tags: Vec<String>,
}

impl ChatRecord {
    pub(super) fn new(row: ChatRow, tags: Vec<String>) -> ChatRecord {
        let imi = match render::parse_map(&row.additional_attributes).remove(IMI_KEY) {
            Some(Value::Object(imi)) => imi,
            _ => Map::new(),
        };
        ChatRecord { row, imi, tags }
    }

    fn text(&self, key: &str) -> Option<String> {
        self.imi.get(key).and_then(Value::as_str).map(str::to_owned)
    }

    fn map(&self, key: &str) -> Map {
        match self.imi.get(key) {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        }
    }

    pub(super) fn status(&self) -> ChatStatus {
        match self.row.status.as_str() {
            "resolved" => ChatStatus::Closed,
            "snoozed" => ChatStatus::OnHold,
            _ if self.row.assignee_id.is_some() => ChatStatus::Picked,
            _ => ChatStatus::Queued,
        }
    }

    pub(super) fn channel(&self) -> Channel {
        self.imi
            .get("channel")
            .and_then(|channel| serde_json::from_value(channel.clone()).ok())
            .unwrap_or(Channel::Livechat)
    }

    /// The customer's address on the chat's channel.
    pub(super) fn destination_id(&self) -> String {
        self.text("destination_id")
            .unwrap_or_else(|| self.row.source_id.clone())
    }

    fn asset(&self) -> Asset {
        Asset {
            id: AssetId::Number(self.row.inbox_id as u64),
            name: Some(self.row.inbox_name.clone()),
        }
    }

    fn time(millis: i64) -> UtcMillis {
        UtcMillis::from_unix_millis(millis).unwrap_or_default()
    }

    pub(super) fn created_at(&self) -> UtcMillis {
        Self::time(self.row.created_at)
    }

    pub(super) fn updated_at(&self) -> UtcMillis {
        Self::time(self.row.updated_at)
    }

    /// The detail view, with `messages`.
    pub(super) fn chat(&self, messages: Vec<ImiMessage>) -> Chat {
        Chat {
            team_id: self.row.team_id.map(|id| id as u64),
            team_name: self.row.team_name.clone(),
            chat_id: self.row.uuid.clone(),
            alias_id: Some(
                self.text("alias_id")
                    .unwrap_or_else(|| self.row.display_id.to_string()),
            ),
            created_at: self.created_at(),
            updated_at: self.updated_at(),
            status: self.status(),
            channel: self.channel(),
            subject: self.text("subject"),
            thread_id: self.text("thread_id"),
            asset: Some(self.asset()),
            customer: Some(Customer {
                id: self.row.contact_id as u64,
                destination_id: self.destination_id(),
                name: self.row.contact_name.clone(),
            }),
            messages,
            assignee: self.row.assignee_email.clone(),
            flag: None,
            tag: self.tags.clone(),
            route_params: self.map("route_params"),
            other_details: self.map("other_details"),
            extra: Map::new(),
        }
    }

    /// The list and search view.
    pub(super) fn summary(&self) -> ChatSummary {
        ChatSummary::from(&self.chat(Vec::new()))
    }

    /// Whether the chat passes one search condition.
    fn passes(&self, filter: &Filter) -> bool {
        let wanted = match &filter.value {
            FilterValue::Text(text) => Some(text.as_str()),
            _ => None,
        };
        let on_channel = |channel: Channel, extra: Option<&str>| {
            (self.channel() == channel && wanted == Some(self.destination_id().as_str()))
                || (extra.is_some() && extra == wanted)
        };
        match (filter.param, &filter.value) {
            (FilterParam::Status, FilterValue::Status(status)) => {
                (self.status() == *status) == (filter.operator == Operator::Eq)
            }
            (FilterParam::CreatedAt, FilterValue::Time(time)) => {
                compare(self.created_at(), filter.operator, *time)
            }
            (FilterParam::UpdatedAt, FilterValue::Time(time)) => {
                compare(self.updated_at(), filter.operator, *time)
            }
            (FilterParam::Channel, FilterValue::Channel(channel)) => self.channel() == *channel,
            (FilterParam::Tag, FilterValue::Text(tag)) => self.tags.contains(tag),
            (FilterParam::Assignee, FilterValue::Text(login)) => {
                self.row.assignee_email.as_deref() == Some(login.as_str())
            }
            (FilterParam::FacebookPsid, _) => on_channel(Channel::Facebook, None),
            (FilterParam::TwitterId, _) => on_channel(Channel::Twitter, None),
            (FilterParam::EmailId, _) => {
                on_channel(Channel::Email, self.row.contact_email.as_deref())
            }
            (FilterParam::Mobile, _) => on_channel(Channel::Sms, self.row.contact_phone.as_deref()),
            (FilterParam::LivechatId, _) => on_channel(Channel::Livechat, None),
            (FilterParam::AbcUserId, _) => on_channel(Channel::Abc, None),
            (FilterParam::WhatsappMobileNumber, _) => on_channel(Channel::Whatsapp, None),
            (FilterParam::Intent | FilterParam::Group, FilterValue::Text(wanted)) => {
                self.map("route_params")
                    .get(filter.param.as_str())
                    .and_then(Value::as_str)
                    == Some(wanted.as_str())
            }
            _ => false,
        }
    }

    /// Whether the chat matches a whole search.
    pub(super) fn matches(&self, search: &SearchRequest) -> bool {
        match search.condition {
            ferrochat_core::imi::Condition::And => {
                search.conditions.iter().all(|filter| self.passes(filter))
            }
            ferrochat_core::imi::Condition::Or => {
                search.conditions.is_empty()
                    || search.conditions.iter().any(|filter| self.passes(filter))
            }
        }
    }
}

fn compare(left: UtcMillis, operator: Operator, right: UtcMillis) -> bool {
    match operator {
        Operator::Eq => left == right,
        Operator::NotEq => left != right,
        Operator::Lt => left < right,
        Operator::Gt => left > right,
        Operator::Lte => left <= right,
        Operator::Gte => left >= right,
    }
}

fn attachment_kind(mime: &str) -> AttachmentKind {
    match FileType::from_mime(mime) {
        FileType::Image => AttachmentKind::Image,
        FileType::Audio => AttachmentKind::Audio,
        FileType::Video => AttachmentKind::Video,
        _ => AttachmentKind::File,
    }
}

/// The request identifier of an `input_select` message: the one it was
/// sent with, else its id.
pub(super) fn request_identifier(attributes: &Map, message_id: i64) -> String {
    attributes
        .get(REQUEST_IDENTIFIER)
        .and_then(Value::as_str)
        .map_or_else(|| message_id.to_string(), str::to_owned)
}

/// A conversation's messages as imi messages, oldest first. Private notes
/// and imi's control bodies (typing, close) are left out; a message with
/// several files is one imi message per file (the first with the text);
/// an answered `input_select` is followed by the visitor's inbound
/// `quick_reply_response`.
pub(super) fn messages(views: &[MessageView], base_url: &str, livechat: bool) -> Vec<ImiMessage> {
    let mut out = Vec::new();
    for view in views {
        let row = &view.message;
        if row.private
            || row
                .content
                .as_deref()
                .is_some_and(|text| ControlBody::parse(text).is_some())
        {
            continue;
        }
        let direction = match render::message_type(row.message_type) {
            MessageType::Incoming => Direction::Inbound,
            MessageType::Activity => Direction::Announcement,
            _ => Direction::Outbound,
        };
        let timestamp = ChatRecord::time(row.created_at);
        let attributes = render::parse_map(&row.content_attributes);
        let mut message = ImiMessage::new(direction.clone(), timestamp);
        message.text = row.content.clone().filter(|text| !text.is_empty());
        if livechat && direction != Direction::Announcement {
            message.livechat_sub_type = Some(LivechatSubType::Text);
        }
        if direction == Direction::Outbound
            && let Some(id) = attributes.get(CORRELATION_ID).and_then(Value::as_str)
        {
            message.delivery_details = Some(DeliveryDetails {
                correlation_id: id.to_owned(),
            });
        }
        let mut answer = None;
        if let Ok(Content::InputSelect(select)) =
            Content::from_parts(&row.content_type, attributes.clone())
        {
            let identifier = request_identifier(&attributes, row.id);
            message.livechat_sub_type = Some(LivechatSubType::QuickReplies);
            message.quick_replies = Some(quick_replies::imi_from_input_select(
                &select,
                identifier.clone(),
            ));
            if let Some(values) = &select.submitted_values {
                answer = Some(answered(values, identifier, row.updated_at, livechat));
            }
        }
        let mut files = view.attachments.iter().map(|file| ImiAttachment {
            kind: attachment_kind(&file.mime_type),
            url: render::attachment_url(file, base_url),
        });
        message.attachment = files.next();
        let rest: Vec<ImiAttachment> = files.collect();
        out.push(message);
        for attachment in rest {
            let mut more = ImiMessage::new(direction.clone(), timestamp);
            if livechat && direction != Direction::Announcement {
                more.livechat_sub_type = Some(LivechatSubType::Text);
            }
            more.attachment = Some(attachment);
            out.push(more);
        }
        out.extend(answer);
    }
    out
}

/// The visitor's answer to quick replies, as imi's inbound response.
fn answered(values: &[SubmittedValue], identifier: String, at: i64, livechat: bool) -> ImiMessage {
    let mut message = ImiMessage::new(Direction::Inbound, ChatRecord::time(at));
    if livechat {
        message.livechat_sub_type = Some(LivechatSubType::QuickReplies);
    }
    message.quick_reply_response = Some(quick_replies::response_from_submitted(
        values,
        identifier,
        Payload::Include,
    ));
    message
}
