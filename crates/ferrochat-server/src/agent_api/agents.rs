//! `GET /agents`: the account's users, in Chatwoot's agent shape.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ACCOUNT, Caller};
use crate::AppState;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::render;
use crate::store::UserRow;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(&format!("{ACCOUNT}/agents"), get(list))
}

/// What an agent shows as: their chosen availability while they have a live
/// connection, `offline` otherwise (Chatwoot's computed status).
pub(super) fn availability_status(state: &AppState, user: &UserRow) -> String {
    if state.hub.is_online(user.account_id, user.id) {
        user.availability.clone()
    } else {
        "offline".to_owned()
    }
}

/// Chatwoot's `agent` shape: the agent list and the assignment answer.
pub(super) fn agent_json(state: &AppState, user: &UserRow) -> Value {
    json!({
        "id": user.id,
        "account_id": user.account_id,
        "availability_status": availability_status(state, user),
        "auto_offline": true,
        "confirmed": true,
        "email": user.email,
        "available_name": render::available_name(user),
        "name": user.name,
        "role": user.role,
        "thumbnail": "",
        "custom_role_id": Value::Null,
    })
}

async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Path(account_id): Path<i64>,
) -> ApiResult<Json<Vec<Value>>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let users: Vec<UserRow> =
        sqlx::query_as("SELECT * FROM users WHERE account_id = $1 ORDER BY LOWER(name), id")
            .bind(account_id)
            .fetch_all(&state.db.read)
            .await?;
    Ok(Json(
        users.iter().map(|user| agent_json(&state, user)).collect(),
    ))
}
