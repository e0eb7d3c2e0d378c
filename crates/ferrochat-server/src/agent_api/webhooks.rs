//! `/api/v1/accounts/{account_id}/webhooks`: an account's webhooks, for its
//! administrators. The shapes are Chatwoot's: the list answers
//! `{"payload": {"webhooks": [...]}}`, a create or update
//! `{"payload": {"webhook": {...}}}`, a delete an empty 200. A webhook shows
//! its `secret`, the key its deliveries are signed with.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use serde_json::{Map, Value, json};

use super::{WebhookRow, fields, optional_string, receiver_url, require_administrator};
use crate::AppState;
use crate::agent_api::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::ids;
use crate::store;
use crate::time::now_millis;
use ferrochat_core::validate;

/// The events a webhook may subscribe to: Chatwoot's
/// `ALLOWED_WEBHOOK_EVENTS`. `contact_*` and `inbox_*` are accepted for
/// compatibility with Chatwoot's clients; this server does not send them.
const EVENTS: [&str; 12] = [
    "conversation_created",
    "conversation_status_changed",
    "conversation_updated",
    "message_created",
    "message_updated",
    "webwidget_triggered",
    "conversation_typing_on",
    "conversation_typing_off",
    "contact_created",
    "contact_updated",
    "inbox_created",
    "inbox_updated",
];

/// A new webhook without `subscriptions` gets Chatwoot's default list.
const DEFAULT_EVENTS: [&str; 8] = [
    "conversation_status_changed",
    "conversation_updated",
    "conversation_created",
    "contact_created",
    "contact_updated",
    "message_created",
    "message_updated",
    "webwidget_triggered",
];

const COLLECTION: &str = "/api/v1/accounts/{account_id}/webhooks";
const MEMBER: &str = "/api/v1/accounts/{account_id}/webhooks/{webhook_id}";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(COLLECTION, get(list).post(create))
        .route(MEMBER, patch(update).put(update).delete(destroy))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(account_id): Path<i64>,
) -> ApiResult<Response> {
    require_administrator(&caller, account_id)?;
    let rows: Vec<WebhookRow> =
        sqlx::query_as("SELECT * FROM webhooks WHERE account_id = $1 ORDER BY id")
            .bind(account_id)
            .fetch_all(&state.db.read)
            .await?;
    let mut webhooks = Vec::with_capacity(rows.len());
    for row in &rows {
        webhooks.push(render(&state, row).await?);
    }
    Ok(axum::Json(json!({"payload": {"webhooks": webhooks}})).into_response())
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(account_id): Path<i64>,
    Json(body): Json<Value>,
) -> ApiResult<Response> {
    require_administrator(&caller, account_id)?;
    let fields = fields(body, "webhook")?;
    let url = match fields.get("url") {
        Some(Value::String(url)) => url.clone(),
        Some(Value::Null) | None => {
            return Err(ApiError::unprocessable("url", "Url can't be blank"));
        }
        Some(_) => return Err(ApiError::unprocessable("url", "Url is invalid")),
    };
    let subscriptions = match fields.get("subscriptions") {
        None => DEFAULT_EVENTS
            .iter()
            .map(|event| (*event).to_owned())
            .collect(),
        Some(value) => subscriptions(value)?,
    };
    let name = optional_string(&fields, "name")?.flatten();
    let inbox_id = inbox_id(&fields)?.flatten();
    check(&state, account_id, None, &url, name.as_deref(), inbox_id).await?;
    let row: WebhookRow = sqlx::query_as(
        "INSERT INTO webhooks (account_id, inbox_id, name, url, subscriptions, secret, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
    )
    .bind(account_id)
    .bind(inbox_id)
    .bind(&name)
    .bind(&url)
    .bind(Value::from(subscriptions).to_string())
    .bind(ids::long_token())
    .bind(now_millis())
    .fetch_one(&state.db.write)
    .await?;
    state.inboxes_changed();
    Ok(axum::Json(json!({"payload": {"webhook": render(&state, &row).await?}})).into_response())
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path((account_id, webhook_id)): Path<(i64, i64)>,
    Json(body): Json<Value>,
) -> ApiResult<Response> {
    require_administrator(&caller, account_id)?;
    let row = find(&state, account_id, webhook_id).await?;
    let fields = fields(body, "webhook")?;
    let url = match fields.get("url") {
        None => row.url.clone(),
        Some(Value::String(url)) => url.clone(),
        Some(Value::Null) => return Err(ApiError::unprocessable("url", "Url can't be blank")),
        Some(_) => return Err(ApiError::unprocessable("url", "Url is invalid")),
    };
    let subscriptions = match fields.get("subscriptions") {
        None => row.subscriptions(),
        Some(value) => subscriptions(value)?,
    };
    let name = optional_string(&fields, "name")?.unwrap_or_else(|| row.name.clone());
    let inbox_id = inbox_id(&fields)?.unwrap_or(row.inbox_id);
    check(
        &state,
        account_id,
        Some(row.id),
        &url,
        name.as_deref(),
        inbox_id,
    )
    .await?;
    let row: WebhookRow = sqlx::query_as(
        "UPDATE webhooks SET url = $1, subscriptions = $2, name = $3, inbox_id = $4
         WHERE id = $5 AND account_id = $6 RETURNING *",
    )
    .bind(&url)
    .bind(Value::from(subscriptions).to_string())
    .bind(&name)
    .bind(inbox_id)
    .bind(row.id)
    .bind(account_id)
    .fetch_optional(&state.db.write)
    .await?
    .ok_or(ApiError::NotFound)?;
    state.inboxes_changed();
    Ok(axum::Json(json!({"payload": {"webhook": render(&state, &row).await?}})).into_response())
}

async fn destroy(
    State(state): State<AppState>,
    caller: Caller,
    Path((account_id, webhook_id)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    require_administrator(&caller, account_id)?;
    let deleted = sqlx::query("DELETE FROM webhooks WHERE id = $1 AND account_id = $2")
        .bind(webhook_id)
        .bind(account_id)
        .execute(&state.db.write)
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(ApiError::NotFound);
    }
    state.inboxes_changed();
    Ok(axum::http::StatusCode::OK.into_response())
}

async fn find(state: &AppState, account_id: i64, webhook_id: i64) -> ApiResult<WebhookRow> {
    sqlx::query_as("SELECT * FROM webhooks WHERE id = $1 AND account_id = $2")
        .bind(webhook_id)
        .bind(account_id)
        .fetch_optional(&state.db.read)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A non-empty list of known event names, without repeats.
fn subscriptions(value: &Value) -> ApiResult<Vec<String>> {
    let invalid = || ApiError::unprocessable("subscriptions", "Subscriptions Invalid events");
    let Value::Array(items) = value else {
        return Err(invalid());
    };
    let mut events: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let event = item
            .as_str()
            .filter(|event| EVENTS.contains(event))
            .ok_or_else(invalid)?;
        if !events.iter().any(|known| known == event) {
            events.push(event.to_owned());
        }
    }
    if events.is_empty() {
        return Err(invalid());
    }
    Ok(events)
}

/// `inbox_id`: absent, null (every inbox), or an inbox id (a number, or
/// digits in a string as Rails casts them). Checked against the account in
/// [`check`].
fn inbox_id(fields: &Map<String, Value>) -> ApiResult<Option<Option<i64>>> {
    match fields.get("inbox_id") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::Number(number)) => number
            .as_i64()
            .map(|id| Some(Some(id)))
            .ok_or_else(|| ApiError::unprocessable("inbox_id", "Inbox must exist")),
        Some(Value::String(text)) if text.is_empty() => Ok(Some(None)),
        Some(Value::String(text)) => text
            .parse()
            .map(|id| Some(Some(id)))
            .map_err(|_| ApiError::unprocessable("inbox_id", "Inbox must exist")),
        Some(_) => Err(ApiError::unprocessable("inbox_id", "Inbox must exist")),
    }
}

/// The rules a webhook's columns follow.
async fn check(
    state: &AppState,
    account_id: i64,
    own_id: Option<i64>,
    url: &str,
    name: Option<&str>,
    inbox_id: Option<i64>,
) -> ApiResult<()> {
    receiver_url("url", url)?;
    if let Some(name) = name {
        validate::short_string("name", name).map_err(|error| ApiError::invalid("name", &error))?;
    }
    if let Some(inbox_id) = inbox_id {
        let inbox = store::inbox_by_id(&state.db.read, inbox_id).await;
        if !inbox.is_ok_and(|inbox| inbox.account_id == account_id) {
            return Err(ApiError::unprocessable("inbox_id", "Inbox must exist"));
        }
    }
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM webhooks WHERE account_id = $1 AND url = $2 AND id <> $3",
    )
    .bind(account_id)
    .bind(url)
    .bind(own_id.unwrap_or(0))
    .fetch_optional(&state.db.read)
    .await?;
    if taken.is_some() {
        return Err(ApiError::unprocessable("url", "Url has already been taken"));
    }
    Ok(())
}

/// Chatwoot's webhook partial, with the inbox when the webhook has one.
async fn render(state: &AppState, row: &WebhookRow) -> ApiResult<Value> {
    let mut value = json!({
        "id": row.id,
        "name": row.name,
        "url": row.url,
        "account_id": row.account_id,
        "subscriptions": row.subscriptions(),
        "secret": row.secret,
    });
    if let Some(inbox_id) = row.inbox_id
        && let Ok(inbox) = store::inbox_by_id(&state.db.read, inbox_id).await
    {
        value["inbox"] = json!({"id": inbox.id, "name": inbox.name});
    }
    Ok(value)
}
