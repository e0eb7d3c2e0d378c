//! The application API (`/api/v1/accounts/{account_id}/…`): what an agent,
//! a bot or an integration uses to run the inbox. Every route needs the
//! `api_access_token` header of a user or an agent bot of that account.
//!
//! One child module per resource; this file holds what they share: who is
//! calling ([`Caller`]), and finding a conversation by the display id the
//! paths carry.

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;

use crate::AppState;
use crate::chat::{Author, ConvCtx};
use crate::error::{ApiError, ApiResult};
use crate::store::{self, AgentBotRow, ConversationRow, UserRow};

mod agents;
mod contacts;
mod conversations;
mod inboxes;
mod messages;
mod profile;
mod teams;

pub(crate) use conversations::clean_labels;

/// The prefix of every account-scoped route.
const ACCOUNT: &str = "/api/v1/accounts/{account_id}";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(profile::routes())
        .merge(inboxes::routes())
        .merge(conversations::routes())
        .merge(messages::routes())
        .merge(contacts::routes())
        .merge(agents::routes())
        .merge(teams::routes())
        .merge(crate::webhooks::routes())
}

/// Who is calling: a user (agent or administrator) or an agent bot.
#[derive(Clone, Debug)]
pub(crate) enum Caller {
    User(UserRow),
    Bot(AgentBotRow),
}

impl Caller {
    pub(crate) fn account_id(&self) -> i64 {
        match self {
            Caller::User(user) => user.account_id,
            Caller::Bot(bot) => bot.account_id,
        }
    }

    pub(crate) fn author(&self) -> Author {
        match self {
            Caller::User(user) => Author::User(user.clone()),
            Caller::Bot(bot) => Author::Bot(bot.clone()),
        }
    }

    pub(crate) fn is_administrator(&self) -> bool {
        matches!(self, Caller::User(user) if user.role == "administrator")
    }

    /// The name activity messages give the caller ("… by Jane").
    pub(crate) fn name(&self) -> String {
        match self {
            Caller::User(user) => crate::render::available_name(user),
            Caller::Bot(bot) => bot.name.clone(),
        }
    }

    /// 401 unless the caller belongs to `account_id` (the path's account).
    pub(crate) fn check_account(&self, account_id: i64) -> ApiResult<()> {
        if self.account_id() == account_id {
            Ok(())
        } else {
            Err(ApiError::unauthorized())
        }
    }

    /// The user behind the call. Chatwoot lets agent bots reach only the
    /// conversation actions a bot needs (status, priority, assignment,
    /// attributes, messages); everything else answers a bot with 401.
    pub(crate) fn user(&self) -> ApiResult<&UserRow> {
        match self {
            Caller::User(user) => Ok(user),
            Caller::Bot(_) => Err(ApiError::message(
                StatusCode::UNAUTHORIZED,
                "Access to this endpoint is not authorized for bots",
            )),
        }
    }

    /// The caller, if they are an administrator: changing inboxes and teams
    /// is an administrator's job, as in Chatwoot.
    pub(crate) fn administrator(&self) -> ApiResult<&UserRow> {
        let user = self.user()?;
        if user.role == "administrator" {
            Ok(user)
        } else {
            Err(ApiError::message(
                StatusCode::UNAUTHORIZED,
                "You are not authorized to do this action",
            ))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get("api_access_token")
            .or_else(|| parts.headers.get("api-access-token"))
            .and_then(|value| value.to_str().ok())
            .filter(|token| !token.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        let user: Option<UserRow> = sqlx::query_as("SELECT * FROM users WHERE access_token = $1")
            .bind(token)
            .fetch_optional(&state.db.read)
            .await?;
        if let Some(user) = user {
            return Ok(Caller::User(user));
        }
        let bot: Option<AgentBotRow> =
            sqlx::query_as("SELECT * FROM agent_bots WHERE access_token = $1")
                .bind(token)
                .fetch_optional(&state.db.read)
                .await?;
        bot.map(Caller::Bot).ok_or_else(ApiError::unauthorized)
    }
}

/// A conversation of the account by its display id (the id every path and
/// every payload shows); 404 for another account's.
async fn conversation(state: &AppState, account_id: i64, display_id: i64) -> ApiResult<ConvCtx> {
    let row: ConversationRow =
        sqlx::query_as("SELECT * FROM conversations WHERE account_id = $1 AND display_id = $2")
            .bind(account_id)
            .bind(display_id)
            .fetch_optional(&state.db.read)
            .await?
            .ok_or(ApiError::NotFound)?;
    context_of(state, row).await
}

/// The context of a conversation row already loaded.
async fn context_of(state: &AppState, conversation: ConversationRow) -> ApiResult<ConvCtx> {
    let contact = store::contact(&state.db.read, conversation.contact_id).await?;
    let contact_inbox = store::contact_inbox(&state.db.read, conversation.contact_inbox_id).await?;
    let inbox = Arc::new(store::inbox_by_id(&state.db.read, conversation.inbox_id).await?);
    Ok(ConvCtx {
        conversation,
        contact,
        contact_inbox,
        inbox,
    })
}

/// A 1-based page number from a query; anything below 1 is the first page.
fn page_number(page: Option<i64>) -> i64 {
    page.unwrap_or(1).max(1)
}

/// The offset of `page` for pages of `size`, saturating instead of
/// overflowing on absurd page numbers.
fn page_offset(page: i64, size: i64) -> i64 {
    (page - 1).saturating_mul(size)
}

/// A LIKE pattern (for `LIKE … ESCAPE '\'`) matching any text that contains
/// `query`, compared in lower case; the query's own `%` and `_` match
/// themselves.
fn like_pattern(query: &str) -> String {
    let mut pattern = String::with_capacity(query.len() + 2);
    pattern.push('%');
    for c in query.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
