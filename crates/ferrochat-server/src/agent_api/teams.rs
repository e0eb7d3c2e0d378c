//! Teams: `GET/POST /teams`, `GET/PATCH/DELETE /teams/{team_id}`.
//! Anyone in the account may read them; administrators change them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use ferrochat_core::validate;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::FromRow;

use super::{ACCOUNT, Caller};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json as JsonBody, Path};
use crate::time::now_millis;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{ACCOUNT}/teams"), get(list).post(create))
        .route(
            &format!("{ACCOUNT}/teams/{{team_id}}"),
            get(show).patch(update).delete(destroy),
        )
}

#[derive(Clone, Debug, FromRow)]
pub(super) struct TeamRow {
    pub(super) id: i64,
    pub(super) account_id: i64,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) allow_auto_assign: bool,
}

/// Chatwoot's `team` shape. There are no team memberships here, so
/// `is_member` is always false.
pub(super) fn team_json(team: &TeamRow) -> Value {
    json!({
        "id": team.id,
        "name": team.name,
        "description": team.description,
        "allow_auto_assign": team.allow_auto_assign,
        "account_id": team.account_id,
        "is_member": false,
    })
}

/// A team of the account; 404 for another account's.
pub(super) async fn find(state: &AppState, account_id: i64, team_id: i64) -> ApiResult<TeamRow> {
    sqlx::query_as("SELECT * FROM teams WHERE id = $1 AND account_id = $2")
        .bind(team_id)
        .bind(account_id)
        .fetch_optional(&state.db.read)
        .await?
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
struct TeamRequest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    allow_auto_assign: Option<bool>,
}

/// Chatwoot stores team names in lower case and keeps them unique per
/// account.
fn team_name(name: &str) -> ApiResult<String> {
    let name = name.trim().to_lowercase();
    if name.is_empty() {
        return Err(ApiError::unprocessable("name", "Name can't be blank"));
    }
    validate::short_string("name", &name).map_err(|error| ApiError::invalid("name", &error))?;
    Ok(name)
}

fn check_description(description: Option<&str>) -> ApiResult<()> {
    if let Some(description) = description {
        validate::text("description", description)
            .map_err(|error| ApiError::invalid("description", &error))?;
    }
    Ok(())
}

async fn name_taken(state: &AppState, account_id: i64, name: &str, except: i64) -> ApiResult<()> {
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM teams WHERE account_id = $1 AND name = $2 AND id <> $3 LIMIT 1",
    )
    .bind(account_id)
    .bind(name)
    .bind(except)
    .fetch_optional(&state.db.write)
    .await?;
    match taken {
        Some(_) => Err(ApiError::unprocessable(
            "name",
            "Name has already been taken",
        )),
        None => Ok(()),
    }
}

async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Path(account_id): Path<i64>,
) -> ApiResult<Json<Vec<Value>>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let teams: Vec<TeamRow> =
        sqlx::query_as("SELECT * FROM teams WHERE account_id = $1 ORDER BY name, id")
            .bind(account_id)
            .fetch_all(&state.db.read)
            .await?;
    Ok(Json(teams.iter().map(team_json).collect()))
}

async fn create(
    caller: Caller,
    State(state): State<AppState>,
    Path(account_id): Path<i64>,
    JsonBody(request): JsonBody<TeamRequest>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.administrator()?;
    let name = team_name(request.name.as_deref().unwrap_or(""))?;
    check_description(request.description.as_deref())?;
    name_taken(&state, account_id, &name, 0).await?;
    let team: TeamRow = sqlx::query_as(
        "INSERT INTO teams (account_id, name, description, allow_auto_assign, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING *",
    )
    .bind(account_id)
    .bind(&name)
    .bind(&request.description)
    .bind(request.allow_auto_assign.unwrap_or(true))
    .bind(now_millis())
    .fetch_one(&state.db.write)
    .await?;
    Ok(Json(team_json(&team)))
}

async fn show(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, team_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    Ok(Json(team_json(&find(&state, account_id, team_id).await?)))
}

async fn update(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, team_id)): Path<(i64, i64)>,
    JsonBody(request): JsonBody<TeamRequest>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.administrator()?;
    let team = find(&state, account_id, team_id).await?;
    let name = match &request.name {
        Some(name) => {
            let name = team_name(name)?;
            name_taken(&state, account_id, &name, team.id).await?;
            name
        }
        None => team.name.clone(),
    };
    check_description(request.description.as_deref())?;
    let team: TeamRow = sqlx::query_as(
        "UPDATE teams SET name = $1, description = $2, allow_auto_assign = $3
         WHERE id = $4 RETURNING *",
    )
    .bind(&name)
    .bind(request.description.as_ref().or(team.description.as_ref()))
    .bind(request.allow_auto_assign.unwrap_or(team.allow_auto_assign))
    .bind(team.id)
    .fetch_one(&state.db.write)
    .await?;
    Ok(Json(team_json(&team)))
}

/// Deletes a team; its conversations stay, without a team.
async fn destroy(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, team_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    caller.check_account(account_id)?;
    caller.administrator()?;
    let team = find(&state, account_id, team_id).await?;
    let mut tx = state.db.write.begin().await?;
    sqlx::query("UPDATE conversations SET team_id = NULL WHERE team_id = $1")
        .bind(team.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM teams WHERE id = $1")
        .bind(team.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(StatusCode::OK)
}
