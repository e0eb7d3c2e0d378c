//! Rows into Chatwoot's JSON shapes. The public API's shapes are the core's
//! types; the realtime and agent shapes ("every column") are built here.

use ferrochat_core::chatwoot::{
    Attachment, Availability, Contact, Conversation, ConversationId, ConversationStatus, FileType,
    Message, MessageId, MessageType, PublicInbox, Sender, SenderType, WorkingHours,
};
use ferrochat_core::content::Content;
use ferrochat_core::{Field, Map};
use serde_json::{Value, json};

use crate::store::{
    AttachmentRow, ContactInboxRow, ContactRow, ConversationRow, InboxRow, MessageRow, SenderRow,
    UserRow,
};
use crate::time::{iso, seconds};

/// A message with what it is shown with.
#[derive(Clone, Debug)]
pub(crate) struct MessageView {
    pub message: MessageRow,
    pub attachments: Vec<AttachmentRow>,
    pub sender: Option<SenderRow>,
    /// The conversation's display id.
    pub display_id: i64,
}

/// A conversation with what its realtime and agent shapes carry.
#[derive(Clone, Debug)]
pub(crate) struct ConversationView {
    pub conversation: ConversationRow,
    pub contact: ContactRow,
    pub contact_inbox: ContactInboxRow,
    pub inbox: InboxRow,
    pub assignee: Option<UserRow>,
    pub labels: Vec<String>,
    pub last_message: Option<MessageView>,
    pub unread_count: i64,
}

pub(crate) fn parse_map(text: &str) -> Map {
    serde_json::from_str(text).unwrap_or_default()
}

pub(crate) fn default_working_hours() -> String {
    let days: Vec<Value> = (0..7)
        .map(|day| {
            json!({
                "day_of_week": day,
                "open_all_day": false,
                "closed_all_day": day == 0 || day == 6,
                "open_hour": if day == 0 || day == 6 { Value::Null } else { json!(9) },
                "open_minutes": if day == 0 || day == 6 { Value::Null } else { json!(0) },
                "close_hour": if day == 0 || day == 6 { Value::Null } else { json!(17) },
                "close_minutes": if day == 0 || day == 6 { Value::Null } else { json!(0) },
            })
        })
        .collect();
    Value::Array(days).to_string()
}

pub(crate) fn public_inbox(inbox: &InboxRow) -> PublicInbox {
    let working_hours: Vec<WorkingHours> =
        serde_json::from_str(&inbox.working_hours).unwrap_or_default();
    PublicInbox {
        identifier: inbox.identifier.clone(),
        identity_validation_enabled: inbox.hmac_mandatory,
        name: inbox.name.clone(),
        timezone: inbox.timezone.clone(),
        working_hours,
        working_hours_enabled: inbox.working_hours_enabled,
        csat_survey_enabled: inbox.csat_survey_enabled,
        greeting_enabled: inbox.greeting_enabled,
        // Beyond Chatwoot's public inbox: what its website widget reads
        // from the widget's own configuration.
        extra: Map::from_iter([
            (
                "reply_time".to_owned(),
                Value::from(inbox.reply_time.clone()),
            ),
            (
                "out_of_office_message".to_owned(),
                inbox
                    .out_of_office_message
                    .clone()
                    .map_or(Value::Null, Value::from),
            ),
        ]),
    }
}

/// What `POST /contacts` and `GET /contacts/{source_id}` answer.
pub(crate) fn public_contact(contact: &ContactRow, contact_inbox: &ContactInboxRow) -> Contact {
    Contact {
        id: contact.id as u64,
        source_id: Some(contact_inbox.source_id.clone()),
        pubsub_token: Some(contact_inbox.pubsub_token.clone()),
        name: contact.name.clone(),
        email: contact.email.clone(),
        phone_number: contact.phone_number.clone(),
        extra: Map::new(),
    }
}

/// The contact's record, as Chatwoot serializes its model (the update
/// answer and a conversation's `contact`).
pub(crate) fn contact_record(contact: &ContactRow) -> Map {
    let value = json!({
        "id": contact.id,
        "name": contact.name,
        "email": contact.email,
        "phone_number": contact.phone_number,
        "identifier": contact.identifier,
        "thumbnail": contact.avatar_url.clone().unwrap_or_default(),
        "additional_attributes": parse_map(&contact.additional_attributes),
        "custom_attributes": parse_map(&contact.custom_attributes),
        "account_id": contact.account_id,
        "created_at": iso(contact.created_at),
        "updated_at": iso(contact.updated_at),
        "last_activity_at": contact.last_activity_at.map(seconds),
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub(crate) fn attachment(row: &AttachmentRow, base_url: &str) -> Attachment {
    let data_url = attachment_url(row, base_url);
    let image = FileType::from_mime(&row.mime_type) == FileType::Image;
    Attachment {
        id: row.id as u64,
        message_id: row.message_id as u64,
        file_type: FileType::from_mime(&row.mime_type),
        account_id: row.account_id as u64,
        thumb_url: Field::Value(if image {
            data_url.clone()
        } else {
            String::new()
        }),
        data_url: Some(data_url),
        extension: row.extension.clone().into(),
        file_size: Field::Value(row.file_size as u64),
        width: row.width.map(|width| width as u32).into(),
        height: row.height.map(|height| height as u32).into(),
        extra: Map::new(),
    }
}

/// Where an attachment is served: the random key, then the file name for
/// people and for downloads.
pub(crate) fn attachment_url(row: &AttachmentRow, base_url: &str) -> String {
    format!(
        "{base_url}/attachments/{}/{}",
        row.storage_key,
        crate::attachments::url_encode(&row.file_name)
    )
}

/// A sender in its `push_event_data` shape.
pub(crate) fn sender(row: &SenderRow) -> Sender {
    match row {
        SenderRow::Contact(contact) => {
            let record = contact_push(contact);
            let mut extra = record;
            extra.remove("id");
            extra.remove("name");
            extra.remove("thumbnail");
            extra.remove("type");
            Sender {
                id: contact.id as u64,
                name: contact.name.clone(),
                available_name: Field::Absent,
                avatar_url: Field::Absent,
                thumbnail: Field::Value(contact.avatar_url.clone().unwrap_or_default()),
                availability_status: Field::Absent,
                kind: SenderType::Contact,
                extra,
            }
        }
        SenderRow::User(user) => Sender {
            id: user.id as u64,
            name: Some(user.name.clone()),
            available_name: Field::Value(available_name(user)),
            avatar_url: Field::Value(String::new()),
            thumbnail: Field::Value(String::new()),
            availability_status: Field::Value(availability(&user.availability)),
            kind: SenderType::User,
            extra: Map::new(),
        },
        SenderRow::Bot(bot) => Sender {
            id: bot.id as u64,
            name: Some(bot.name.clone()),
            available_name: Field::Absent,
            avatar_url: Field::Value(String::new()),
            thumbnail: Field::Absent,
            availability_status: Field::Absent,
            kind: SenderType::AgentBot,
            extra: Map::new(),
        },
    }
}

pub(crate) fn available_name(user: &UserRow) -> String {
    user.display_name
        .clone()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| user.name.clone())
}

pub(crate) fn availability(text: &str) -> Availability {
    match text {
        "busy" => Availability::Busy,
        "offline" => Availability::Offline,
        _ => Availability::Online,
    }
}

/// A contact in its `push_event_data` shape (a message's sender, a
/// conversation's `meta.sender`, the typist of a typing event).
pub(crate) fn contact_push(contact: &ContactRow) -> Map {
    let value = json!({
        "additional_attributes": parse_map(&contact.additional_attributes),
        "custom_attributes": parse_map(&contact.custom_attributes),
        "email": contact.email,
        "id": contact.id,
        "identifier": contact.identifier,
        "name": contact.name,
        "phone_number": contact.phone_number,
        "thumbnail": contact.avatar_url.clone().unwrap_or_default(),
        "type": "contact",
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// An agent in its `push_event_data` shape.
pub(crate) fn user_push(user: &UserRow) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "available_name": available_name(user),
        "avatar_url": "",
        "type": "user",
        "availability_status": user.availability,
        "thumbnail": "",
    })
}

pub(crate) fn message_type(code: i64) -> MessageType {
    MessageType::from_code(code as u64).unwrap_or(MessageType::Incoming)
}

fn content(row: &MessageRow) -> Content {
    let attributes = parse_map(&row.content_attributes);
    Content::from_parts(&row.content_type, attributes.clone()).unwrap_or(Content::Other {
        content_type: row.content_type.clone(),
        attributes,
    })
}

/// A message as the public API lists it.
pub(crate) fn public_message(view: &MessageView, base_url: &str) -> Message {
    let row = &view.message;
    Message {
        id: MessageId(row.id as u64),
        content: row.content.clone(),
        message_type: message_type(row.message_type),
        kind: content(row),
        created_at: seconds(row.created_at),
        conversation_id: ConversationId(view.display_id as u64),
        attachments: view
            .attachments
            .iter()
            .map(|row| attachment(row, base_url))
            .collect(),
        sender: view.sender.as_ref().map(sender),
        echo_id: None,
        extra: Map::new(),
    }
}

/// A message with every column: `message.created` and `message.updated`,
/// and the agent API's message shape. `conversation` is the
/// conversation's summary, when the caller has one.
pub(crate) fn push_message(
    view: &MessageView,
    base_url: &str,
    conversation: Option<(&ConversationRow, &ContactInboxRow, i64)>,
) -> Value {
    let row = &view.message;
    let public = public_message(view, base_url);
    let mut value = match serde_json::to_value(&public) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    value.insert("account_id".into(), json!(row.account_id));
    value.insert("inbox_id".into(), json!(row.inbox_id));
    value.insert("updated_at".into(), json!(iso(row.updated_at)));
    value.insert("private".into(), json!(row.private));
    value.insert("status".into(), json!(row.status));
    value.insert("source_id".into(), Value::Null);
    value.insert("sender_type".into(), json!(row.sender_type));
    value.insert("sender_id".into(), json!(row.sender_id));
    value.insert("external_source_ids".into(), json!({}));
    value.insert("additional_attributes".into(), json!({}));
    value.insert("processed_message_content".into(), json!(row.content));
    value.insert("sentiment".into(), json!({}));
    if let Some(echo_id) = &row.echo_id {
        value.insert("echo_id".into(), json!(echo_id));
    }
    if let Some((conversation, contact_inbox, unread_count)) = conversation {
        value.insert(
            "conversation".into(),
            json!({
                "assignee_id": conversation.assignee_id,
                "unread_count": unread_count,
                "last_activity_at": seconds(conversation.last_activity_at),
                "contact_inbox": {"source_id": contact_inbox.source_id},
            }),
        );
    }
    Value::Object(value)
}

pub(crate) fn status(text: &str) -> ConversationStatus {
    match text {
        "resolved" => ConversationStatus::Resolved,
        "pending" => ConversationStatus::Pending,
        "snoozed" => ConversationStatus::Snoozed,
        _ => ConversationStatus::Open,
    }
}

/// A conversation as the public API returns it. `messages` are the ones the
/// contact may see.
pub(crate) fn public_conversation(
    conversation: &ConversationRow,
    contact: &ContactRow,
    messages: Vec<Message>,
) -> Conversation {
    Conversation {
        id: ConversationId(conversation.display_id as u64),
        uuid: conversation.uuid.clone(),
        inbox_id: conversation.inbox_id as u64,
        contact_last_seen_at: conversation.contact_last_seen_at.map(seconds).unwrap_or(0),
        status: status(&conversation.status),
        agent_last_seen_at: conversation.agent_last_seen_at.map(seconds).unwrap_or(0),
        messages,
        contact: contact_record(contact),
        extra: Map::new(),
    }
}

/// A conversation in its `push_event_data` shape: `conversation.*` events,
/// webhooks and the agent API.
pub(crate) fn push_conversation(view: &ConversationView, base_url: &str) -> Value {
    let conversation = &view.conversation;
    let messages: Vec<Value> = view
        .last_message
        .iter()
        .map(|message| push_message(message, base_url, None))
        .collect();
    json!({
        "additional_attributes": parse_map(&conversation.additional_attributes),
        "can_reply": true,
        "channel": view.inbox.channel_type,
        "contact_inbox": {
            "id": view.contact_inbox.id,
            "contact_id": view.contact_inbox.contact_id,
            "inbox_id": view.contact_inbox.inbox_id,
            "source_id": view.contact_inbox.source_id,
            "created_at": iso(view.contact_inbox.created_at),
            "hmac_verified": view.contact_inbox.hmac_verified,
            "pubsub_token": view.contact_inbox.pubsub_token,
        },
        "id": conversation.display_id,
        "inbox_id": conversation.inbox_id,
        "account_id": conversation.account_id,
        "uuid": conversation.uuid,
        "messages": messages,
        "labels": view.labels,
        "meta": {
            "sender": contact_push(&view.contact),
            "assignee": view.assignee.as_ref().map(user_push),
            "team": Value::Null,
            "hmac_verified": view.contact_inbox.hmac_verified,
        },
        "status": conversation.status,
        "priority": conversation.priority,
        "assignee_id": conversation.assignee_id,
        "team_id": conversation.team_id,
        "custom_attributes": parse_map(&conversation.custom_attributes),
        "snoozed_until": Value::Null,
        "unread_count": view.unread_count,
        "first_reply_created_at": Value::Null,
        "waiting_since": 0,
        "agent_last_seen_at": conversation.agent_last_seen_at.map(seconds).unwrap_or(0),
        "contact_last_seen_at": conversation.contact_last_seen_at.map(seconds).unwrap_or(0),
        "last_activity_at": seconds(conversation.last_activity_at),
        "timestamp": seconds(conversation.last_activity_at),
        "created_at": seconds(conversation.created_at),
        "updated_at": seconds(conversation.updated_at),
    })
}
