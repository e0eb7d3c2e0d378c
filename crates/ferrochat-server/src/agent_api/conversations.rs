//! Conversations as agents work them: the filtered list with its counts,
//! one conversation, and the actions on it (status, priority, typing,
//! assignment, labels, custom attributes, last seen).
//!
//! Paths carry the conversation's display id, scoped to the path's account.
//! Every change is written, recorded as an activity message where Chatwoot
//! records one, and announced with `conversation.updated` (status changes go
//! through `chat::set_status`, which announces `conversation.status_changed`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use ferrochat_core::chatwoot::{ConversationStatus, MessageType, TypingStatus};
use ferrochat_core::{Field, Map, validate};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::{QueryBuilder, Sqlite};

use super::{ACCOUNT, Caller};
use crate::AppState;
use crate::chat::{self, Author, ConvCtx, NewMessage};
use crate::error::{ApiError, ApiResult};
use crate::events::{Event, Typist};
use crate::extract::{Json as JsonBody, Path, Query};
use crate::render;
use crate::store::{self, ConversationRow, InboxRow, UserRow};
use crate::time::now_millis;

/// Conversations per page of the list, as Chatwoot pages it.
const PAGE: i64 = 25;
/// Labels one conversation may carry.
const LABELS_MAX: usize = 100;

pub(super) fn routes() -> Router<AppState> {
    let conversation = format!("{ACCOUNT}/conversations/{{conversation_id}}");
    Router::new()
        .route(&format!("{ACCOUNT}/conversations"), get(list))
        .route(&format!("{ACCOUNT}/conversations/meta"), get(meta))
        .route(&conversation, get(show).patch(update))
        .route(
            &format!("{conversation}/toggle_status"),
            post(toggle_status),
        )
        .route(
            &format!("{conversation}/toggle_priority"),
            post(toggle_priority),
        )
        .route(
            &format!("{conversation}/toggle_typing_status"),
            post(toggle_typing_status),
        )
        .route(&format!("{conversation}/assignments"), post(assign))
        .route(
            &format!("{conversation}/labels"),
            get(labels).post(set_labels),
        )
        .route(
            &format!("{conversation}/custom_attributes"),
            post(custom_attributes),
        )
        .route(
            &format!("{conversation}/update_last_seen"),
            post(update_last_seen),
        )
}

// ---------------------------------------------------------------- shared

/// Records activity notes, then announces the conversation as it now is.
/// Returns the fresh context.
async fn changed(state: &AppState, ctx: &ConvCtx, notes: Vec<String>) -> ApiResult<ConvCtx> {
    let mut ctx = chat::context(state, ctx.conversation.id).await?;
    if !notes.is_empty() {
        for note in notes {
            chat::create_message(
                state,
                &ctx,
                &Author::System,
                NewMessage::text(MessageType::Activity, note),
            )
            .await?;
        }
        ctx = chat::context(state, ctx.conversation.id).await?;
    }
    let view = chat::conversation_view(state, &ctx).await?;
    state.emit(Event::ConversationUpdated(Arc::new(view)));
    Ok(ctx)
}

/// The agent has read the conversation up to now: nothing is unread.
pub(super) async fn mark_seen(state: &AppState, conversation_id: i64) -> ApiResult<()> {
    sqlx::query("UPDATE conversations SET agent_last_seen_at = $1, unread_count = 0 WHERE id = $2")
        .bind(now_millis())
        .bind(conversation_id)
        .execute(&state.db.write)
        .await?;
    Ok(())
}

/// The agent shape of a conversation.
async fn conversation_json(state: &AppState, ctx: &ConvCtx) -> ApiResult<Value> {
    let view = chat::conversation_view(state, ctx).await?;
    Ok(render::push_conversation(&view, &state.base_url))
}

// ---------------------------------------------------------------- list

/// The list's query: Chatwoot's `status`, `assignee_type`, `inbox_id`,
/// `team_id`, `labels` (`labels[]=a&labels[]=b` or `labels=a,b`), `q` and
/// `page`.
#[derive(Debug)]
struct Filter {
    /// `open` by default; `all` for every status.
    status: String,
    /// `me`, `unassigned`, `assigned`; anything else is all.
    assignee_type: String,
    inbox_id: Option<i64>,
    team_id: Option<i64>,
    labels: Vec<String>,
    q: Option<String>,
    page: i64,
}

impl Filter {
    fn parse(pairs: Vec<(String, String)>) -> ApiResult<Filter> {
        let mut filter = Filter {
            status: "open".to_owned(),
            assignee_type: "all".to_owned(),
            inbox_id: None,
            team_id: None,
            labels: Vec::new(),
            q: None,
            page: 1,
        };
        let number = |name: &str, value: &str| {
            value.trim().parse::<i64>().map_err(|_| {
                ApiError::message(StatusCode::BAD_REQUEST, format!("{name} must be a number"))
            })
        };
        for (key, value) in pairs {
            match key.as_str() {
                "status" if !value.is_empty() => filter.status = value,
                "assignee_type" if !value.is_empty() => filter.assignee_type = value,
                "inbox_id" if !value.is_empty() => {
                    filter.inbox_id = Some(number("inbox_id", &value)?)
                }
                "team_id" if !value.is_empty() => filter.team_id = Some(number("team_id", &value)?),
                "page" if !value.is_empty() => {
                    filter.page = super::page_number(Some(number("page", &value)?))
                }
                "labels" | "labels[]" => filter.labels.extend(
                    value
                        .split(',')
                        .map(|label| label.trim().to_lowercase())
                        .filter(|label| !label.is_empty()),
                ),
                "q" if !value.trim().is_empty() => filter.q = Some(value.trim().to_owned()),
                _ => {}
            }
        }
        Ok(filter)
    }

    /// `WHERE …` over `conversations c` for everything but the assignee.
    fn push_where(&self, builder: &mut QueryBuilder<Sqlite>, account_id: i64) {
        builder.push(" WHERE c.account_id = ").push_bind(account_id);
        if self.status != "all" {
            builder
                .push(" AND c.status = ")
                .push_bind(self.status.clone());
        }
        if let Some(inbox_id) = self.inbox_id {
            builder.push(" AND c.inbox_id = ").push_bind(inbox_id);
        }
        if let Some(team_id) = self.team_id {
            builder.push(" AND c.team_id = ").push_bind(team_id);
        }
        if !self.labels.is_empty() {
            builder.push(
                " AND EXISTS (SELECT 1 FROM conversation_labels l WHERE l.conversation_id = c.id AND l.label IN (",
            );
            let mut list = builder.separated(", ");
            for label in &self.labels {
                list.push_bind(label.clone());
            }
            builder.push("))");
        }
        if let Some(q) = &self.q {
            let pattern = super::like_pattern(q);
            builder
                .push(" AND (EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND LOWER(m.content) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\') OR EXISTS (SELECT 1 FROM contacts p WHERE p.id = c.contact_id AND (LOWER(p.name) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR LOWER(p.email) LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\'))");
            if let Ok(display_id) = q.parse::<i64>() {
                builder.push(" OR c.display_id = ").push_bind(display_id);
            }
            builder.push(")");
        }
    }

    fn push_assignee(&self, builder: &mut QueryBuilder<Sqlite>, user_id: i64) {
        match self.assignee_type.as_str() {
            "me" => {
                builder.push(" AND c.assignee_id = ").push_bind(user_id);
            }
            "unassigned" => {
                builder.push(" AND c.assignee_id IS NULL");
            }
            "assigned" => {
                builder.push(" AND c.assignee_id IS NOT NULL");
            }
            _ => {}
        }
    }
}

/// `{mine_count, unassigned_count, assigned_count, all_count}` under the
/// filter, whatever its `assignee_type`.
async fn counts(
    state: &AppState,
    account_id: i64,
    user_id: i64,
    filter: &Filter,
) -> ApiResult<Value> {
    let mut builder = QueryBuilder::<Sqlite>::new(
        "SELECT COUNT(*), COUNT(c.assignee_id),
             COALESCE(SUM(CASE WHEN c.assignee_id IS NULL THEN 1 ELSE 0 END), 0),
             COALESCE(SUM(CASE WHEN c.assignee_id = ",
    );
    builder.push_bind(user_id);
    builder.push(" THEN 1 ELSE 0 END), 0) FROM conversations c");
    filter.push_where(&mut builder, account_id);
    let (all, assigned, unassigned, mine): (i64, i64, i64, i64) =
        builder.build_query_as().fetch_one(&state.db.read).await?;
    Ok(json!({
        "mine_count": mine,
        "unassigned_count": unassigned,
        "assigned_count": assigned,
        "all_count": all,
    }))
}

/// Conversation views for rows, loading each inbox once.
async fn payload(state: &AppState, rows: Vec<ConversationRow>) -> ApiResult<Vec<Value>> {
    let mut inboxes: HashMap<i64, Arc<InboxRow>> = HashMap::new();
    let mut list = Vec::with_capacity(rows.len());
    for conversation in rows {
        let inbox = match inboxes.get(&conversation.inbox_id) {
            Some(inbox) => inbox.clone(),
            None => {
                let inbox =
                    Arc::new(store::inbox_by_id(&state.db.read, conversation.inbox_id).await?);
                inboxes.insert(conversation.inbox_id, inbox.clone());
                inbox
            }
        };
        let ctx = ConvCtx {
            contact: store::contact(&state.db.read, conversation.contact_id).await?,
            contact_inbox: store::contact_inbox(&state.db.read, conversation.contact_inbox_id)
                .await?,
            conversation,
            inbox,
        };
        list.push(conversation_json(state, &ctx).await?);
    }
    Ok(list)
}

/// The account's conversations, latest activity first, 25 a page, with the
/// counts the console shows on its tabs.
async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Path(account_id): Path<i64>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    let user = caller.user()?;
    let filter = Filter::parse(pairs)?;
    let meta = counts(&state, account_id, user.id, &filter).await?;
    let mut builder = QueryBuilder::<Sqlite>::new("SELECT c.* FROM conversations c");
    filter.push_where(&mut builder, account_id);
    filter.push_assignee(&mut builder, user.id);
    builder
        .push(" ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ")
        .push_bind(PAGE)
        .push(" OFFSET ")
        .push_bind(super::page_offset(filter.page, PAGE));
    let rows: Vec<ConversationRow> = builder.build_query_as().fetch_all(&state.db.read).await?;
    let payload = payload(&state, rows).await?;
    Ok(Json(
        json!({ "data": { "meta": meta, "payload": payload } }),
    ))
}

async fn meta(
    caller: Caller,
    State(state): State<AppState>,
    Path(account_id): Path<i64>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    let user = caller.user()?;
    let filter = Filter::parse(pairs)?;
    let meta = counts(&state, account_id, user.id, &filter).await?;
    Ok(Json(json!({ "meta": meta })))
}

// ---------------------------------------------------------------- one conversation

async fn show(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let ctx = super::conversation(&state, account_id, id).await?;
    Ok(Json(conversation_json(&state, &ctx).await?))
}

/// `priority`: urgent, high, medium, low; `none` (or null, or "") removes it.
/// `Ok(None)` when the field is absent.
fn priority(value: &Field<String>) -> ApiResult<Option<Option<&'static str>>> {
    let text = match value {
        Field::Absent => return Ok(None),
        Field::Null => return Ok(Some(None)),
        Field::Value(text) => text.as_str(),
    };
    Ok(Some(match text {
        "urgent" => Some("urgent"),
        "high" => Some("high"),
        "medium" => Some("medium"),
        "low" => Some("low"),
        "none" | "" => None,
        other => {
            return Err(ApiError::unprocessable(
                "priority",
                format!("Priority {other} is not one of urgent, high, medium, low, none"),
            ));
        }
    }))
}

/// Writes a new priority and returns the activity note, if it changed.
async fn set_priority(
    state: &AppState,
    ctx: &ConvCtx,
    caller: &Caller,
    priority: Option<&str>,
) -> ApiResult<Option<String>> {
    let before = ctx.conversation.priority.as_deref();
    if before == priority {
        return Ok(None);
    }
    sqlx::query("UPDATE conversations SET priority = $1, updated_at = $2 WHERE id = $3")
        .bind(priority)
        .bind(now_millis())
        .bind(ctx.conversation.id)
        .execute(&state.db.write)
        .await?;
    let name = caller.name();
    Ok(Some(match (before, priority) {
        (None, Some(new)) => format!("{name} set the priority to {new}"),
        (Some(old), Some(new)) => format!("{name} changed the priority from {old} to {new}"),
        _ => format!("{name} removed the priority"),
    }))
}

fn check_attributes(attributes: &Map) -> ApiResult<()> {
    validate::custom_attribute_map(attributes)
        .map_err(|error| ApiError::invalid("custom_attributes", &error))
}

async fn write_custom_attributes(
    state: &AppState,
    ctx: &ConvCtx,
    attributes: &Map,
) -> ApiResult<()> {
    sqlx::query("UPDATE conversations SET custom_attributes = $1, updated_at = $2 WHERE id = $3")
        .bind(Value::Object(attributes.clone()).to_string())
        .bind(now_millis())
        .bind(ctx.conversation.id)
        .execute(&state.db.write)
        .await?;
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
struct ConversationUpdate {
    #[serde(default)]
    priority: Field<String>,
    /// Replaces the conversation's custom attributes.
    #[serde(default)]
    custom_attributes: Option<Map>,
}

/// `PATCH`: priority and custom attributes; answers the conversation.
async fn update(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(request): JsonBody<ConversationUpdate>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    let ctx = super::conversation(&state, account_id, id).await?;
    let priority = priority(&request.priority)?;
    if let Some(attributes) = &request.custom_attributes {
        check_attributes(attributes)?;
    }
    let mut notes = Vec::new();
    if let Some(priority) = priority {
        notes.extend(set_priority(&state, &ctx, &caller, priority).await?);
    }
    if let Some(attributes) = &request.custom_attributes {
        write_custom_attributes(&state, &ctx, attributes).await?;
    }
    let ctx = if notes.is_empty() && request.custom_attributes.is_none() {
        ctx
    } else {
        changed(&state, &ctx, notes).await?
    };
    Ok(Json(conversation_json(&state, &ctx).await?))
}

#[derive(Debug, Default, Deserialize)]
struct ToggleStatus {
    #[serde(default)]
    status: Option<String>,
}

/// Sets the status, or without one toggles open and resolved. An agent
/// (not an administrator) who opens an unassigned conversation takes it,
/// as in Chatwoot.
async fn toggle_status(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(request): JsonBody<ToggleStatus>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    let ctx = super::conversation(&state, account_id, id).await?;
    let status = match request.status.as_deref() {
        Some(text) => match ConversationStatus::from_wire(text) {
            ConversationStatus::Other(other) => {
                return Err(ApiError::unprocessable(
                    "status",
                    format!("Status {other} is not one of open, resolved, pending, snoozed"),
                ));
            }
            status => status,
        },
        None if ctx.conversation.status == "open" => ConversationStatus::Resolved,
        None => ConversationStatus::Open,
    };
    let mut ctx = chat::set_status(&state, &ctx, status, &caller.author()).await?;
    if let Caller::User(user) = &caller
        && user.role == "agent"
        && ctx.conversation.status == "open"
        && ctx.conversation.assignee_id.is_none()
    {
        let note = write_assignee(&state, &ctx, &caller, Some(user)).await?;
        ctx = changed(&state, &ctx, note.into_iter().collect()).await?;
    }
    Ok(Json(json!({
        "meta": {},
        "payload": {
            "success": true,
            "current_status": ctx.conversation.status,
            "conversation_id": ctx.conversation.display_id,
        },
    })))
}

#[derive(Debug, Default, Deserialize)]
struct TogglePriority {
    #[serde(default)]
    priority: Field<String>,
}

/// Sets the priority; without one (or with `none`) removes it. Empty 200.
async fn toggle_priority(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(request): JsonBody<TogglePriority>,
) -> ApiResult<StatusCode> {
    caller.check_account(account_id)?;
    let ctx = super::conversation(&state, account_id, id).await?;
    let priority = priority(&request.priority)?.unwrap_or(None);
    if let Some(note) = set_priority(&state, &ctx, &caller, priority).await? {
        changed(&state, &ctx, vec![note]).await?;
    }
    Ok(StatusCode::OK)
}

#[derive(Debug, Deserialize)]
struct TypingBody {
    typing_status: TypingStatus,
    #[serde(default)]
    is_private: bool,
}

/// An agent typing a reply (or, with `is_private`, a note only agents are
/// told about). Bots do not type: their call is a 200 that does nothing.
async fn toggle_typing_status(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(request): JsonBody<TypingBody>,
) -> ApiResult<StatusCode> {
    caller.check_account(account_id)?;
    let ctx = super::conversation(&state, account_id, id).await?;
    let on = match request.typing_status {
        TypingStatus::On => true,
        TypingStatus::Off => false,
        other => {
            return Err(ApiError::unprocessable(
                "typing_status",
                format!("Typing status must be on or off, got {other}"),
            ));
        }
    };
    if let Caller::User(user) = &caller {
        chat::typing(
            &state,
            &ctx,
            Typist::User(user.clone()),
            on,
            request.is_private,
        )
        .await?;
    }
    Ok(StatusCode::OK)
}

// ---------------------------------------------------------------- assignment

/// Writes the assignee and returns the activity note, if it changed.
async fn write_assignee(
    state: &AppState,
    ctx: &ConvCtx,
    caller: &Caller,
    assignee: Option<&UserRow>,
) -> ApiResult<Option<String>> {
    let id = assignee.map(|user| user.id);
    if ctx.conversation.assignee_id == id {
        return Ok(None);
    }
    sqlx::query("UPDATE conversations SET assignee_id = $1, updated_at = $2 WHERE id = $3")
        .bind(id)
        .bind(now_millis())
        .bind(ctx.conversation.id)
        .execute(&state.db.write)
        .await?;
    let name = caller.name();
    Ok(Some(match assignee {
        Some(user) if matches!(caller, Caller::User(me) if me.id == user.id) => {
            format!("{name} self-assigned this conversation")
        }
        Some(user) => format!("Assigned to {} by {name}", render::available_name(user)),
        None => format!("Conversation unassigned by {name}"),
    }))
}

#[derive(Debug, Default, Deserialize)]
struct Assignment {
    #[serde(default)]
    assignee_id: Field<i64>,
    #[serde(default)]
    team_id: Field<i64>,
}

/// `{assignee_id}` assigns an agent of the account (null unassigns) and
/// answers the agent; `{team_id}` assigns a team and answers the team. An
/// unknown id is a 404 here, where Chatwoot silently unassigns.
async fn assign(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(request): JsonBody<Assignment>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    let ctx = super::conversation(&state, account_id, id).await?;
    if !request.assignee_id.is_absent() {
        let assignee: Option<UserRow> = match request.assignee_id.get() {
            Some(user_id) => Some(
                sqlx::query_as("SELECT * FROM users WHERE id = $1 AND account_id = $2")
                    .bind(user_id)
                    .bind(account_id)
                    .fetch_optional(&state.db.read)
                    .await?
                    .ok_or(ApiError::NotFound)?,
            ),
            None => None,
        };
        if let Some(note) = write_assignee(&state, &ctx, &caller, assignee.as_ref()).await? {
            changed(&state, &ctx, vec![note]).await?;
        }
        return Ok(Json(match &assignee {
            Some(user) => super::agents::agent_json(&state, user),
            None => Value::Null,
        }));
    }
    if !request.team_id.is_absent() {
        let team = match request.team_id.get() {
            Some(team_id) => Some(super::teams::find(&state, account_id, *team_id).await?),
            None => None,
        };
        let team_id = team.as_ref().map(|team| team.id);
        if ctx.conversation.team_id != team_id {
            let before = match ctx.conversation.team_id {
                Some(old) => super::teams::find(&state, account_id, old).await.ok(),
                None => None,
            };
            sqlx::query("UPDATE conversations SET team_id = $1, updated_at = $2 WHERE id = $3")
                .bind(team_id)
                .bind(now_millis())
                .bind(ctx.conversation.id)
                .execute(&state.db.write)
                .await?;
            let name = caller.name();
            let note = match (&team, &before) {
                (Some(team), _) => format!("Assigned to {} by {name}", team.name),
                (None, Some(old)) => format!("Unassigned from {} by {name}", old.name),
                (None, None) => format!("Conversation unassigned from its team by {name}"),
            };
            changed(&state, &ctx, vec![note]).await?;
        }
        return Ok(Json(match &team {
            Some(team) => super::teams::team_json(team),
            None => Value::Null,
        }));
    }
    Ok(Json(Value::Null))
}

// ---------------------------------------------------------------- labels

async fn labels(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let ctx = super::conversation(&state, account_id, id).await?;
    let labels = store::labels(&state.db.read, ctx.conversation.id).await?;
    Ok(Json(json!({ "payload": labels })))
}

#[derive(Debug, Default, Deserialize)]
struct LabelsBody {
    #[serde(default)]
    labels: Option<Vec<String>>,
}

/// Labels are kept trimmed and in lower case, as Chatwoot's tagging does.
pub(crate) fn clean_labels(labels: &[String]) -> ApiResult<Vec<String>> {
    let mut clean: Vec<String> = Vec::with_capacity(labels.len());
    for label in labels {
        let label = label.trim().to_lowercase();
        if label.is_empty() {
            return Err(ApiError::unprocessable("labels", "Labels can't be blank"));
        }
        validate::short_string("label", &label)
            .map_err(|error| ApiError::invalid("labels", &error))?;
        if !clean.contains(&label) {
            clean.push(label);
        }
    }
    if clean.len() > LABELS_MAX {
        return Err(ApiError::unprocessable(
            "labels",
            format!("A conversation has at most {LABELS_MAX} labels"),
        ));
    }
    clean.sort();
    Ok(clean)
}

/// Replaces the conversation's labels with `labels` and answers the new set.
async fn set_labels(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(request): JsonBody<LabelsBody>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let ctx = super::conversation(&state, account_id, id).await?;
    let Some(labels) = &request.labels else {
        return Err(ApiError::unprocessable(
            "labels",
            "Labels must be a list of strings",
        ));
    };
    let labels = clean_labels(labels)?;
    let before = store::labels(&state.db.read, ctx.conversation.id).await?;
    let added: Vec<&str> = labels
        .iter()
        .filter(|label| !before.contains(label))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = before
        .iter()
        .filter(|label| !labels.contains(label))
        .map(String::as_str)
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        let mut tx = state.db.write.begin().await?;
        sqlx::query("DELETE FROM conversation_labels WHERE conversation_id = $1")
            .bind(ctx.conversation.id)
            .execute(&mut *tx)
            .await?;
        for label in &labels {
            sqlx::query("INSERT INTO conversation_labels (conversation_id, label) VALUES ($1, $2)")
                .bind(ctx.conversation.id)
                .bind(label)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE conversations SET updated_at = $1 WHERE id = $2")
            .bind(now_millis())
            .bind(ctx.conversation.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let name = caller.name();
        let mut notes = Vec::new();
        if !added.is_empty() {
            notes.push(format!("{name} added {}", added.join(", ")));
        }
        if !removed.is_empty() {
            notes.push(format!("{name} removed {}", removed.join(", ")));
        }
        changed(&state, &ctx, notes).await?;
    }
    Ok(Json(json!({ "payload": labels })))
}

// ---------------------------------------------------------------- attributes, last seen

#[derive(Debug, Default, Deserialize)]
struct CustomAttributesBody {
    #[serde(default)]
    custom_attributes: Option<Map>,
}

/// Replaces the conversation's custom attributes.
async fn custom_attributes(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(request): JsonBody<CustomAttributesBody>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    let ctx = super::conversation(&state, account_id, id).await?;
    let Some(attributes) = &request.custom_attributes else {
        return Err(ApiError::unprocessable(
            "custom_attributes",
            "Custom attributes must be an object",
        ));
    };
    check_attributes(attributes)?;
    write_custom_attributes(&state, &ctx, attributes).await?;
    changed(&state, &ctx, Vec::new()).await?;
    Ok(Json(json!({ "custom_attributes": attributes })))
}

/// The agent has read the conversation: its unread count drops to 0.
async fn update_last_seen(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    caller.check_account(account_id)?;
    caller.user()?;
    let ctx = super::conversation(&state, account_id, id).await?;
    mark_seen(&state, ctx.conversation.id).await?;
    Ok(StatusCode::OK)
}
