//! `GET /api/v1/profile`: who the token belongs to. An agent console reads
//! its `pubsub_token` here to subscribe to `/cable`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Caller;
use crate::AppState;
use crate::error::ApiResult;
use crate::render;
use crate::store;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/profile", get(show))
}

async fn show(caller: Caller, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let user = caller.user()?;
    let account = store::account(&state.db.read, user.account_id).await?;
    let availability_status = super::agents::availability_status(&state, user);
    Ok(Json(json!({
        "id": user.id,
        "uid": user.email,
        "name": user.name,
        "display_name": user.display_name,
        "available_name": render::available_name(user),
        "email": user.email,
        "role": user.role,
        "account_id": user.account_id,
        "pubsub_token": user.pubsub_token,
        "access_token": user.access_token,
        "avatar_url": "",
        "confirmed": true,
        "provider": "email",
        "message_signature": Value::Null,
        "hmac_identifier": "",
        "inviter_id": Value::Null,
        "type": Value::Null,
        "ui_settings": {},
        "custom_attributes": {},
        "accounts": [{
            "id": account.id,
            "name": account.name,
            "role": user.role,
            "status": "active",
            "active_at": Value::Null,
            "permissions": [user.role],
            "availability": user.availability,
            "availability_status": availability_status,
            "auto_offline": true,
            "custom_role_id": Value::Null,
            "custom_role": Value::Null,
        }],
    })))
}
