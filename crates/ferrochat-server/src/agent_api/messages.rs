//! A conversation's messages as agents see them: private notes and activity
//! messages included. Agents and bots post replies, notes and rich messages
//! (quick replies, cards, forms, articles, CSAT); agents delete messages,
//! which Chatwoot does by blanking them, not by removing the row.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{delete, get};
use axum::{Json, Router};
use ferrochat_core::agent::{AgentMessageRequest, AgentMessageType};
use ferrochat_core::chatwoot::MessageType;
use ferrochat_core::content::Content;
use ferrochat_core::validate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ACCOUNT, Caller};
use crate::AppState;
use crate::chat::{self, Author, ConvCtx, NewMessage};
use crate::error::{ApiError, ApiResult};
use crate::events::{Event, MessageEvent};
use crate::extract::{Json as JsonBody, Path, Query};
use crate::render::{self, MessageView};
use crate::store::{AttachmentRow, MessageRow};
use crate::time::{iso, now_millis};

/// Messages per page, as the public API pages them.
const PAGE: i64 = 20;
/// What a deleted message says instead, as Chatwoot words it.
const DELETED_CONTENT: &str = "This message was deleted";
/// The content types an agent or a bot may post.
const POSTABLE_TYPES: [&str; 7] = [
    "text",
    "input_select",
    "cards",
    "form",
    "article",
    "input_email",
    "input_csat",
];

pub(super) fn routes() -> Router<AppState> {
    let messages = format!("{ACCOUNT}/conversations/{{conversation_id}}/messages");
    Router::new()
        .route(&messages, get(list).post(create))
        .route(&format!("{messages}/{{message_id}}"), delete(destroy))
}

/// A message in the agent shape, with the conversation's summary.
async fn message_json(state: &AppState, ctx: &ConvCtx, view: &MessageView) -> ApiResult<Value> {
    Ok(render::push_message(
        view,
        &state.base_url,
        Some((
            &ctx.conversation,
            &ctx.contact_inbox,
            ctx.conversation.unread_count,
        )),
    ))
}

#[derive(Debug, Default, Deserialize)]
struct Page {
    before: Option<i64>,
    after: Option<i64>,
}

/// The latest 20 messages, the 20 before `before` or the 20 after `after`,
/// oldest first, with the conversation's `meta`. Reading the latest page
/// counts as the agent having seen the conversation.
async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    Query(page): Query<Page>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let mut ctx = super::conversation(&state, account_id, id).await?;
    let rows: Vec<MessageRow> = match (page.before, page.after) {
        (_, Some(after)) => {
            sqlx::query_as(
                "SELECT * FROM messages WHERE conversation_id = $1 AND id > $2 ORDER BY id ASC LIMIT $3",
            )
            .bind(ctx.conversation.id)
            .bind(after)
            .bind(PAGE)
            .fetch_all(&state.db.read)
            .await?
        }
        (before, None) => {
            let mut rows: Vec<MessageRow> = sqlx::query_as(
                "SELECT * FROM messages WHERE conversation_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
            )
            .bind(ctx.conversation.id)
            .bind(before.unwrap_or(i64::MAX))
            .bind(PAGE)
            .fetch_all(&state.db.read)
            .await?;
            rows.reverse();
            rows
        }
    };
    if page.before.is_none() && page.after.is_none() {
        super::conversations::mark_seen(&state, ctx.conversation.id).await?;
        ctx = chat::context(&state, ctx.conversation.id).await?;
    }
    let views = chat::message_views(&state, rows, ctx.conversation.display_id).await?;
    let unread = ctx.conversation.unread_count;
    let payload: Vec<Value> = views
        .iter()
        .map(|view| {
            render::push_message(
                view,
                &state.base_url,
                Some((&ctx.conversation, &ctx.contact_inbox, unread)),
            )
        })
        .collect();
    let labels = crate::store::labels(&state.db.read, ctx.conversation.id).await?;
    let mut meta = json!({
        "labels": labels,
        "additional_attributes": render::parse_map(&ctx.conversation.additional_attributes),
        "contact": render::contact_push(&ctx.contact),
        "agent_last_seen_at": ctx.conversation.agent_last_seen_at.map(iso),
        "assignee_last_seen_at": ctx.conversation.agent_last_seen_at.map(iso),
    });
    if let Some(assignee_id) = ctx.conversation.assignee_id
        && let Ok(assignee) = crate::store::user(&state.db.read, assignee_id).await
        && let Value::Object(map) = &mut meta
    {
        map.insert("assignee".into(), render::user_push(&assignee));
    }
    Ok(Json(json!({ "meta": meta, "payload": payload })))
}

/// The create body: Chatwoot's fields, and the `echo_id` its dashboard sends
/// so it can match the realtime echo to the bubble it already shows.
#[derive(Debug, Deserialize)]
struct CreateBody {
    #[serde(flatten)]
    request: AgentMessageRequest,
    #[serde(default)]
    echo_id: Option<String>,
}

/// Checks a posted message and turns it into what `chat::create_message`
/// stores.
fn new_message(body: CreateBody) -> ApiResult<NewMessage> {
    let CreateBody { request, echo_id } = body;
    let message_type = match &request.message_type {
        None | Some(AgentMessageType::Outgoing) => MessageType::Outgoing,
        Some(AgentMessageType::Incoming) => MessageType::Incoming,
        Some(other) => {
            return Err(ApiError::unprocessable(
                "message_type",
                format!("Message type {other} is not one of outgoing, incoming"),
            ));
        }
    };
    let content_type = request.kind.content_type();
    if !POSTABLE_TYPES.contains(&content_type) {
        return Err(ApiError::unprocessable(
            "content_type",
            format!("Content type {content_type} cannot be posted"),
        ));
    }
    if let Some(content) = &request.content {
        validate::content(content).map_err(|error| ApiError::invalid("content", &error))?;
    }
    validate::content_attributes(&request.kind)
        .map_err(|error| ApiError::invalid("content_attributes", &error))?;
    if let Some(echo_id) = &echo_id {
        validate::short_string("echo_id", echo_id)
            .map_err(|error| ApiError::invalid("echo_id", &error))?;
    }
    let blank = request
        .content
        .as_deref()
        .is_none_or(|content| content.trim().is_empty());
    if blank && matches!(request.kind, Content::Text(_)) {
        return Err(ApiError::unprocessable("content", "Content can't be blank"));
    }
    let private = request.is_private();
    Ok(NewMessage {
        message_type,
        content: request.content,
        kind: request.kind,
        private,
        echo_id,
        files: Vec::new(),
    })
}

/// Posts a reply (outgoing, the default), a private note (`private: true`),
/// or a message on the contact's behalf (`incoming`, sent as the contact).
async fn create(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(body): JsonBody<CreateBody>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    let ctx = super::conversation(&state, account_id, id).await?;
    let new = new_message(body)?;
    let author = if new.message_type == MessageType::Incoming {
        Author::Contact(ctx.contact.clone())
    } else {
        caller.author()
    };
    let (view, _created) = chat::create_message(&state, &ctx, &author, new).await?;
    let ctx = chat::context(&state, ctx.conversation.id).await?;
    Ok(Json(message_json(&state, &ctx, &view).await?))
}

/// Chatwoot's delete: the content becomes "This message was deleted", the
/// attributes `{deleted: true}`, the attachments go. Answers the message
/// and announces `message.updated`. The old content is not sent along in
/// `previous_changes`: whoever was not meant to see it any more must not
/// receive it in the announcement of its deletion.
async fn destroy(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id, message_id)): Path<(i64, i64, i64)>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let ctx = super::conversation(&state, account_id, id).await?;
    let message: MessageRow =
        sqlx::query_as("SELECT * FROM messages WHERE id = $1 AND conversation_id = $2")
            .bind(message_id)
            .bind(ctx.conversation.id)
            .fetch_optional(&state.db.read)
            .await?
            .ok_or(ApiError::NotFound)?;
    let now = now_millis();
    let mut tx = state.db.write.begin().await?;
    let attachments: Vec<AttachmentRow> =
        sqlx::query_as("SELECT * FROM attachments WHERE message_id = $1")
            .bind(message.id)
            .fetch_all(&mut *tx)
            .await?;
    sqlx::query("DELETE FROM attachments WHERE message_id = $1")
        .bind(message.id)
        .execute(&mut *tx)
        .await?;
    let updated: MessageRow = sqlx::query_as(
        "UPDATE messages SET content = $1, content_type = 'text', content_attributes = $2, updated_at = $3
         WHERE id = $4 RETURNING *",
    )
    .bind(DELETED_CONTENT)
    .bind(json!({"deleted": true}).to_string())
    .bind(now)
    .bind(message.id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let folder = crate::attachments::dir(&state.data_dir);
    for attachment in &attachments {
        // A file that is already gone is what we wanted.
        let _ = tokio::fs::remove_file(folder.join(&attachment.storage_key)).await;
    }
    let view = chat::message_views(&state, vec![updated], ctx.conversation.display_id)
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("message vanished"))?;
    state.emit(Event::MessageUpdated(Arc::new(MessageEvent {
        message: view.clone(),
        conversation: ctx.conversation.clone(),
        contact: ctx.contact.clone(),
        contact_inbox: ctx.contact_inbox.clone(),
        inbox: ctx.inbox.clone(),
        unread_count: ctx.conversation.unread_count,
        previous_changes: Some(json!({
            "content_attributes": [Value::Null, {"deleted": true}],
            "updated_at": [message.updated_at, now],
        })),
    })));
    Ok(Json(message_json(&state, &ctx, &view).await?))
}
