//! Rows, and the queries more than one part of the server runs. Every query
//! binds its parameters and is written in SQL that Postgres also accepts.

use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

use crate::error::{ApiError, ApiResult};

#[derive(Clone, Debug, FromRow)]
pub(crate) struct AccountRow {
    pub id: i64,
    pub name: String,
    pub locale: String,
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub display_name: Option<String>,
    pub email: String,
    pub role: String,
    pub access_token: String,
    pub pubsub_token: String,
    pub availability: String,
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct AgentBotRow {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub outgoing_url: Option<String>,
    pub access_token: String,
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct InboxRow {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub identifier: String,
    pub channel_type: String,
    pub webhook_url: Option<String>,
    pub hmac_token: String,
    pub hmac_mandatory: bool,
    pub timezone: String,
    pub working_hours_enabled: bool,
    pub working_hours: String,
    pub csat_survey_enabled: bool,
    pub greeting_enabled: bool,
    pub greeting_message: Option<String>,
    pub agent_bot_id: Option<i64>,
    /// `in_a_few_minutes`, `in_a_few_hours` or `in_a_day`.
    pub reply_time: String,
    pub out_of_office_message: Option<String>,
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct ContactRow {
    pub id: i64,
    pub account_id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub identifier: Option<String>,
    pub avatar_url: Option<String>,
    pub custom_attributes: String,
    pub additional_attributes: String,
    pub last_activity_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct ContactInboxRow {
    pub id: i64,
    pub contact_id: i64,
    pub inbox_id: i64,
    pub source_id: String,
    pub pubsub_token: String,
    pub hmac_verified: bool,
    pub created_at: i64,
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct ConversationRow {
    pub id: i64,
    pub account_id: i64,
    pub inbox_id: i64,
    pub contact_id: i64,
    pub contact_inbox_id: i64,
    pub display_id: i64,
    pub uuid: String,
    pub status: String,
    pub priority: Option<String>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub custom_attributes: String,
    pub additional_attributes: String,
    pub contact_last_seen_at: Option<i64>,
    pub agent_last_seen_at: Option<i64>,
    /// Incoming messages since the agents last read the conversation.
    pub unread_count: i64,
    pub last_activity_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct MessageRow {
    pub id: i64,
    pub account_id: i64,
    pub inbox_id: i64,
    pub conversation_id: i64,
    pub message_type: i64,
    pub content: Option<String>,
    pub content_type: String,
    pub content_attributes: String,
    pub private: bool,
    pub status: String,
    pub sender_type: Option<String>,
    pub sender_id: Option<i64>,
    pub echo_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, FromRow)]
pub(crate) struct AttachmentRow {
    pub id: i64,
    pub message_id: i64,
    pub account_id: i64,
    pub mime_type: String,
    pub file_name: String,
    pub extension: Option<String>,
    pub file_size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub storage_key: String,
}

/// Who sent a message, loaded for display.
#[derive(Clone, Debug)]
pub(crate) enum SenderRow {
    Contact(ContactRow),
    User(UserRow),
    Bot(AgentBotRow),
}

pub(crate) async fn account(db: impl SqliteExecutor<'_>, id: i64) -> ApiResult<AccountRow> {
    sqlx::query_as("SELECT id, name, locale FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub(crate) async fn inbox_by_id(db: impl SqliteExecutor<'_>, id: i64) -> ApiResult<InboxRow> {
    sqlx::query_as("SELECT * FROM inboxes WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub(crate) async fn contact(db: impl SqliteExecutor<'_>, id: i64) -> ApiResult<ContactRow> {
    sqlx::query_as("SELECT * FROM contacts WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub(crate) async fn contact_inbox(
    db: impl SqliteExecutor<'_>,
    id: i64,
) -> ApiResult<ContactInboxRow> {
    sqlx::query_as("SELECT * FROM contact_inboxes WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub(crate) async fn conversation(
    db: impl SqliteExecutor<'_>,
    id: i64,
) -> ApiResult<ConversationRow> {
    sqlx::query_as("SELECT * FROM conversations WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub(crate) async fn message(db: impl SqliteExecutor<'_>, id: i64) -> ApiResult<MessageRow> {
    sqlx::query_as("SELECT * FROM messages WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub(crate) async fn user(db: impl SqliteExecutor<'_>, id: i64) -> ApiResult<UserRow> {
    sqlx::query_as("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub(crate) async fn agent_bot(db: impl SqliteExecutor<'_>, id: i64) -> ApiResult<AgentBotRow> {
    sqlx::query_as("SELECT * FROM agent_bots WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub(crate) async fn attachments(
    db: impl SqliteExecutor<'_>,
    message_ids: &[i64],
) -> ApiResult<Vec<AttachmentRow>> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Message ids are integers from our own rows, so they are safe to
    // inline; SQLite has no array binding.
    let list = message_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM attachments WHERE message_id IN ({list}) ORDER BY id"
    )))
    .fetch_all(db)
    .await?)
}

pub(crate) async fn sender(
    db: &mut SqliteConnection,
    sender_type: Option<&str>,
    sender_id: Option<i64>,
) -> ApiResult<Option<SenderRow>> {
    let Some(id) = sender_id else {
        return Ok(None);
    };
    Ok(match sender_type {
        Some("Contact") => Some(SenderRow::Contact(contact(&mut *db, id).await?)),
        Some("User") => Some(SenderRow::User(user(&mut *db, id).await?)),
        Some("AgentBot") => Some(SenderRow::Bot(agent_bot(&mut *db, id).await?)),
        _ => None,
    })
}

/// Whether another contact of the account (not `except`) has this email;
/// emails are unique in an account.
pub(crate) async fn email_taken(
    db: impl SqliteExecutor<'_>,
    account_id: i64,
    email: &str,
    except: i64,
) -> ApiResult<bool> {
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM contacts WHERE account_id = $1 AND email = $2 AND id <> $3 LIMIT 1",
    )
    .bind(account_id)
    .bind(email)
    .bind(except)
    .fetch_optional(db)
    .await?;
    Ok(taken.is_some())
}

pub(crate) async fn labels(
    db: impl SqliteExecutor<'_>,
    conversation_id: i64,
) -> ApiResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT label FROM conversation_labels WHERE conversation_id = $1 ORDER BY label",
    )
    .bind(conversation_id)
    .fetch_all(db)
    .await?)
}

/// The columns of a contact inbox, its contact and one of its conversations,
/// prefixed `ci_`, `c_` and `cv_`, for one-query lookups.
pub(crate) const CONVERSATION_CONTEXT_COLUMNS: &str = "ci.id AS ci_id, ci.contact_id AS ci_contact_id, ci.inbox_id AS ci_inbox_id, ci.source_id AS ci_source_id, ci.pubsub_token AS ci_pubsub_token, ci.hmac_verified AS ci_hmac_verified, ci.created_at AS ci_created_at, c.id AS c_id, c.account_id AS c_account_id, c.name AS c_name, c.email AS c_email, c.phone_number AS c_phone_number, c.identifier AS c_identifier, c.avatar_url AS c_avatar_url, c.custom_attributes AS c_custom_attributes, c.additional_attributes AS c_additional_attributes, c.last_activity_at AS c_last_activity_at, c.created_at AS c_created_at, c.updated_at AS c_updated_at, cv.id AS cv_id, cv.account_id AS cv_account_id, cv.inbox_id AS cv_inbox_id, cv.contact_id AS cv_contact_id, cv.contact_inbox_id AS cv_contact_inbox_id, cv.display_id AS cv_display_id, cv.uuid AS cv_uuid, cv.status AS cv_status, cv.priority AS cv_priority, cv.assignee_id AS cv_assignee_id, cv.team_id AS cv_team_id, cv.custom_attributes AS cv_custom_attributes, cv.additional_attributes AS cv_additional_attributes, cv.contact_last_seen_at AS cv_contact_last_seen_at, cv.agent_last_seen_at AS cv_agent_last_seen_at, cv.unread_count AS cv_unread_count, cv.last_activity_at AS cv_last_activity_at, cv.created_at AS cv_created_at, cv.updated_at AS cv_updated_at";

/// Reads a row selected with [`CONVERSATION_CONTEXT_COLUMNS`].
pub(crate) fn conversation_context(
    row: &sqlx::sqlite::SqliteRow,
) -> Result<(ContactInboxRow, ContactRow, ConversationRow), sqlx::Error> {
    use sqlx::Row;
    let contact_inbox = ContactInboxRow {
        id: row.try_get("ci_id")?,
        contact_id: row.try_get("ci_contact_id")?,
        inbox_id: row.try_get("ci_inbox_id")?,
        source_id: row.try_get("ci_source_id")?,
        pubsub_token: row.try_get("ci_pubsub_token")?,
        hmac_verified: row.try_get("ci_hmac_verified")?,
        created_at: row.try_get("ci_created_at")?,
    };
    let contact = ContactRow {
        id: row.try_get("c_id")?,
        account_id: row.try_get("c_account_id")?,
        name: row.try_get("c_name")?,
        email: row.try_get("c_email")?,
        phone_number: row.try_get("c_phone_number")?,
        identifier: row.try_get("c_identifier")?,
        avatar_url: row.try_get("c_avatar_url")?,
        custom_attributes: row.try_get("c_custom_attributes")?,
        additional_attributes: row.try_get("c_additional_attributes")?,
        last_activity_at: row.try_get("c_last_activity_at")?,
        created_at: row.try_get("c_created_at")?,
        updated_at: row.try_get("c_updated_at")?,
    };
    let conversation = ConversationRow {
        id: row.try_get("cv_id")?,
        account_id: row.try_get("cv_account_id")?,
        inbox_id: row.try_get("cv_inbox_id")?,
        contact_id: row.try_get("cv_contact_id")?,
        contact_inbox_id: row.try_get("cv_contact_inbox_id")?,
        display_id: row.try_get("cv_display_id")?,
        uuid: row.try_get("cv_uuid")?,
        status: row.try_get("cv_status")?,
        priority: row.try_get("cv_priority")?,
        assignee_id: row.try_get("cv_assignee_id")?,
        team_id: row.try_get("cv_team_id")?,
        custom_attributes: row.try_get("cv_custom_attributes")?,
        additional_attributes: row.try_get("cv_additional_attributes")?,
        contact_last_seen_at: row.try_get("cv_contact_last_seen_at")?,
        agent_last_seen_at: row.try_get("cv_agent_last_seen_at")?,
        unread_count: row.try_get("cv_unread_count")?,
        last_activity_at: row.try_get("cv_last_activity_at")?,
        created_at: row.try_get("cv_created_at")?,
        updated_at: row.try_get("cv_updated_at")?,
    };
    Ok((contact_inbox, contact, conversation))
}
