//! Events into Chatwoot's webhook payloads (`WebhookListener` and
//! `AgentBotListener`): `{"event": "message_created", …}` with the models'
//! `webhook_data`. Times here are ISO 8601 strings and `message_type` is a
//! name, unlike the realtime shapes.

use serde_json::{Map, Value, json};

use crate::AppState;
use crate::chat::{self, ConvCtx};
use crate::error::ApiResult;
use crate::events::{Event, MessageEvent, Typist};
use crate::render::{self, ConversationView};
use crate::store::{self, AccountRow, ContactInboxRow, ContactRow, InboxRow, SenderRow, UserRow};
use crate::time::iso;

/// Chatwoot's names for `messages.message_type`.
fn message_type_name(code: i64) -> &'static str {
    match code {
        1 => "outgoing",
        2 => "activity",
        3 => "template",
        _ => "incoming",
    }
}

/// `Account#webhook_data`.
fn account(row: &AccountRow) -> Value {
    json!({"id": row.id, "name": row.name})
}

/// `Inbox#webhook_data`.
fn inbox(row: &InboxRow) -> Value {
    json!({"id": row.id, "name": row.name})
}

/// `Contact#webhook_data`.
fn contact(row: &ContactRow, account_data: &Value) -> Value {
    json!({
        "account": account_data,
        "additional_attributes": render::parse_map(&row.additional_attributes),
        "avatar": row.avatar_url.clone().unwrap_or_default(),
        "custom_attributes": render::parse_map(&row.custom_attributes),
        "email": row.email,
        "id": row.id,
        "identifier": row.identifier,
        "name": row.name,
        "phone_number": row.phone_number,
        "thumbnail": row.avatar_url.clone().unwrap_or_default(),
        "type": "contact",
    })
}

/// `User#webhook_data`.
fn user(row: &UserRow) -> Value {
    json!({
        "id": row.id,
        "name": row.name,
        "available_name": render::available_name(row),
        "avatar_url": "",
        "email": row.email,
        "type": "user",
    })
}

fn sender(row: &SenderRow, account_data: &Value) -> Value {
    match row {
        SenderRow::Contact(row) => contact(row, account_data),
        SenderRow::User(row) => user(row),
        SenderRow::Bot(bot) => json!({"id": bot.id, "name": bot.name, "type": "agent_bot"}),
    }
}

/// The conversation's `push_event_data`, as webhooks carry it. Unlike
/// Chatwoot, the visitor's `pubsub_token` (their realtime credential) stays
/// on the server, and `messages` (the latest message) only ever holds a
/// message the contact may see.
fn conversation(view: &ConversationView, base_url: &str) -> Value {
    let mut data = render::push_conversation(view, base_url);
    if let Some(contact_inbox) = data.get_mut("contact_inbox").and_then(Value::as_object_mut) {
        contact_inbox.remove("pubsub_token");
    }
    if let Some(messages) = data.get_mut("messages").and_then(Value::as_array_mut) {
        messages.retain(|message| {
            message.get("private") != Some(&Value::Bool(true))
                && message.get("message_type") != Some(&json!(2))
        });
    }
    data
}

fn insert(mut value: Value, fields: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    if let Value::Object(map) = &mut value {
        for (key, field) in fields {
            map.insert(key.to_owned(), field);
        }
    }
    value
}

/// The payload of one event, rendered once for every receiver; `None` for
/// events webhooks never carry (activity messages, which Chatwoot does not
/// consider `webhook_sendable`).
pub(crate) async fn render(state: &AppState, event: &Event) -> ApiResult<Option<Value>> {
    let Some(name) = event.webhook_name() else {
        return Ok(None);
    };
    let base_url = state.base_url.as_str();
    let account_data = account(&store::account(&state.db.read, event.account_id()).await?);
    let payload = match event {
        Event::MessageCreated(message) | Event::MessageUpdated(message) => {
            if message.message.message.message_type == 2 {
                return Ok(None);
            }
            message_payload(state, message, &account_data).await?
        }
        Event::ConversationCreated(view) => conversation(view, base_url),
        Event::ConversationUpdated(view) | Event::ConversationStatusChanged(view) => {
            // The event does not say what changed; Chatwoot's list of
            // `{attribute: {previous_value, current_value}}` is left empty.
            insert(
                conversation(view, base_url),
                [("changed_attributes", json!([]))],
            )
        }
        Event::Typing {
            conversation: view,
            typist,
            is_private,
            ..
        } => json!({
            "user": match typist {
                Typist::Contact(row) => contact(row, &account_data),
                Typist::User(row) => user(row),
            },
            "conversation": conversation(view, base_url),
            "is_private": is_private,
        }),
        Event::WidgetTriggered {
            contact: contact_row,
            contact_inbox,
            inbox: inbox_row,
            event_info,
        } => {
            let current = current_conversation(state, contact_inbox).await?;
            json!({
                "id": contact_inbox.id,
                "contact": contact(contact_row, &account_data),
                "inbox": inbox(inbox_row),
                "account": account_data,
                "current_conversation": current,
                "source_id": contact_inbox.source_id,
                "event_info": event_info,
            })
        }
    };
    Ok(Some(insert(payload, [("event", json!(name))])))
}

/// `Message#webhook_data`, with the contact beside the sender.
async fn message_payload(
    state: &AppState,
    event: &MessageEvent,
    account_data: &Value,
) -> ApiResult<Value> {
    let row = &event.message.message;
    let ctx = ConvCtx {
        conversation: event.conversation.clone(),
        contact: event.contact.clone(),
        contact_inbox: event.contact_inbox.clone(),
        inbox: event.inbox.clone(),
    };
    let view = chat::conversation_view(state, &ctx).await?;
    let mut data = Map::new();
    data.insert("account".into(), account_data.clone());
    data.insert("additional_attributes".into(), json!({}));
    data.insert(
        "content_attributes".into(),
        Value::Object(render::parse_map(&row.content_attributes)),
    );
    data.insert("content_type".into(), json!(row.content_type));
    data.insert("content".into(), json!(row.content));
    data.insert("conversation".into(), conversation(&view, &state.base_url));
    data.insert("created_at".into(), json!(iso(row.created_at)));
    data.insert("id".into(), json!(row.id));
    data.insert("inbox".into(), inbox(&event.inbox));
    data.insert(
        "message_type".into(),
        json!(message_type_name(row.message_type)),
    );
    data.insert("private".into(), json!(row.private));
    data.insert(
        "sender".into(),
        event
            .message
            .sender
            .as_ref()
            .map_or(Value::Null, |row| sender(row, account_data)),
    );
    data.insert("source_id".into(), Value::Null);
    data.insert("contact".into(), contact(&event.contact, account_data));
    if !event.message.attachments.is_empty() {
        let attachments: Vec<Value> = event
            .message
            .attachments
            .iter()
            .map(|row| serde_json::to_value(render::attachment(row, &state.base_url)))
            .collect::<Result<_, _>>()?;
        data.insert("attachments".into(), Value::Array(attachments));
    }
    Ok(Value::Object(data))
}

/// The contact inbox's latest conversation, as `current_conversation`.
async fn current_conversation(
    state: &AppState,
    contact_inbox: &ContactInboxRow,
) -> ApiResult<Value> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM conversations WHERE contact_inbox_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(contact_inbox.id)
    .fetch_optional(&state.db.read)
    .await?;
    let Some(id) = id else {
        return Ok(Value::Null);
    };
    let ctx = chat::context(state, id).await?;
    let view = chat::conversation_view(state, &ctx).await?;
    Ok(conversation(&view, &state.base_url))
}

/// Whether an agent bot hears this event: what Chatwoot's
/// `AgentBotListener` forwards, never a private note.
pub(crate) fn for_bot(event: &Event) -> bool {
    match event {
        Event::MessageCreated(message) | Event::MessageUpdated(message) => {
            !message.message.message.private
        }
        Event::ConversationCreated(_)
        | Event::ConversationUpdated(_)
        | Event::ConversationStatusChanged(_)
        | Event::WidgetTriggered { .. } => true,
        Event::Typing { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn message_types_have_chatwoot_names() {
        assert_eq!(super::message_type_name(0), "incoming");
        assert_eq!(super::message_type_name(1), "outgoing");
        assert_eq!(super::message_type_name(2), "activity");
        assert_eq!(super::message_type_name(3), "template");
    }
}
