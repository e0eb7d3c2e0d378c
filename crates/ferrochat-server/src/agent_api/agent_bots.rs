//! `/api/v1/accounts/{account_id}/agent_bots`: an account's agent bots. Any
//! agent of the account may list and read them; administrators create,
//! change and delete them, and only they see a bot's `access_token` (the
//! bot's `api_access_token`, and the key its deliveries are signed with).
//! An inbox gets its bot through `POST /inboxes/{id}/set_agent_bot`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ferrochat_core::validate;
use serde_json::{Map, Value, json};

use super::{fields, optional_string, receiver_url, require_administrator, require_user};
use crate::AppState;
use crate::agent_api::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::ids;
use crate::store::AgentBotRow;
use crate::time::now_millis;

const COLLECTION: &str = "/api/v1/accounts/{account_id}/agent_bots";
const MEMBER: &str = "/api/v1/accounts/{account_id}/agent_bots/{id}";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(COLLECTION, get(list).post(create))
        .route(MEMBER, get(show).patch(update).put(update).delete(destroy))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(account_id): Path<i64>,
) -> ApiResult<Response> {
    require_user(&caller, account_id)?;
    let rows: Vec<AgentBotRow> =
        sqlx::query_as("SELECT * FROM agent_bots WHERE account_id = $1 ORDER BY id")
            .bind(account_id)
            .fetch_all(&state.db.read)
            .await?;
    let bots: Vec<Value> = rows
        .iter()
        .map(|row| render(row, caller.is_administrator()))
        .collect();
    Ok(axum::Json(Value::Array(bots)).into_response())
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path((account_id, id)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    require_user(&caller, account_id)?;
    let row = find(&state, account_id, id).await?;
    Ok(axum::Json(render(&row, caller.is_administrator())).into_response())
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(account_id): Path<i64>,
    Json(body): Json<Value>,
) -> ApiResult<Response> {
    require_administrator(&caller, account_id)?;
    let fields = fields(body, "agent_bot")?;
    let name = optional_string(&fields, "name")?
        .flatten()
        .unwrap_or_default();
    let description = optional_string(&fields, "description")?.flatten();
    let outgoing_url = outgoing_url(&fields)?.flatten();
    check(&name, description.as_deref(), outgoing_url.as_deref())?;
    let row: AgentBotRow = sqlx::query_as(
        "INSERT INTO agent_bots (account_id, name, description, outgoing_url, access_token, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
    )
    .bind(account_id)
    .bind(&name)
    .bind(&description)
    .bind(&outgoing_url)
    .bind(ids::long_token())
    .bind(now_millis())
    .fetch_one(&state.db.write)
    .await?;
    Ok(axum::Json(render(&row, true)).into_response())
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path((account_id, id)): Path<(i64, i64)>,
    Json(body): Json<Value>,
) -> ApiResult<Response> {
    require_administrator(&caller, account_id)?;
    let row = find(&state, account_id, id).await?;
    let fields = fields(body, "agent_bot")?;
    let name = optional_string(&fields, "name")?
        .map(Option::unwrap_or_default)
        .unwrap_or_else(|| row.name.clone());
    let description =
        optional_string(&fields, "description")?.unwrap_or_else(|| row.description.clone());
    let outgoing_url = outgoing_url(&fields)?.unwrap_or_else(|| row.outgoing_url.clone());
    check(&name, description.as_deref(), outgoing_url.as_deref())?;
    let row: AgentBotRow = sqlx::query_as(
        "UPDATE agent_bots SET name = $1, description = $2, outgoing_url = $3
         WHERE id = $4 AND account_id = $5 RETURNING *",
    )
    .bind(&name)
    .bind(&description)
    .bind(&outgoing_url)
    .bind(row.id)
    .bind(account_id)
    .fetch_optional(&state.db.write)
    .await?
    .ok_or(ApiError::NotFound)?;
    state.inboxes_changed();
    Ok(axum::Json(render(&row, true)).into_response())
}

/// Deletes a bot: its inboxes lose it, and its messages keep their content
/// but no longer name a sender (Chatwoot's `dependent: :nullify`).
async fn destroy(
    State(state): State<AppState>,
    caller: Caller,
    Path((account_id, id)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    require_administrator(&caller, account_id)?;
    let mut tx = state.db.write.begin().await?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM agent_bots WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
    if found.is_none() {
        return Err(ApiError::NotFound);
    }
    sqlx::query("UPDATE inboxes SET agent_bot_id = NULL WHERE agent_bot_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE messages SET sender_type = NULL, sender_id = NULL
         WHERE sender_type = 'AgentBot' AND sender_id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM agent_bots WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    state.inboxes_changed();
    Ok(StatusCode::OK.into_response())
}

async fn find(state: &AppState, account_id: i64, id: i64) -> ApiResult<AgentBotRow> {
    sqlx::query_as("SELECT * FROM agent_bots WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .fetch_optional(&state.db.read)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `outgoing_url`: absent, or null or empty (no URL), or a URL.
fn outgoing_url(fields: &Map<String, Value>) -> ApiResult<Option<Option<String>>> {
    Ok(optional_string(fields, "outgoing_url")?.map(|url| url.filter(|url| !url.is_empty())))
}

fn check(name: &str, description: Option<&str>, outgoing_url: Option<&str>) -> ApiResult<()> {
    if name.trim().is_empty() {
        return Err(ApiError::unprocessable("name", "Name can't be blank"));
    }
    validate::short_string("name", name).map_err(|error| ApiError::invalid("name", &error))?;
    if let Some(description) = description {
        validate::text("description", description)
            .map_err(|error| ApiError::invalid("description", &error))?;
    }
    if let Some(url) = outgoing_url {
        receiver_url("outgoing_url", url)?;
    }
    Ok(())
}

/// Chatwoot's agent bot partial; the token only for administrators.
fn render(row: &AgentBotRow, administrator: bool) -> Value {
    let mut value = json!({
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "thumbnail": "",
        "outgoing_url": row.outgoing_url,
        "bot_type": "webhook",
        "bot_config": {},
        "account_id": row.account_id,
        "system_bot": false,
    });
    if administrator {
        value["access_token"] = json!(row.access_token);
    }
    value
}
