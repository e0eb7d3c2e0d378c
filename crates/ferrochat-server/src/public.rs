//! The public client API (PROTOCOL.md §1): what a website visitor's widget
//! calls. The inbox identifier and the contact's `source_id` are the
//! credentials; every lookup is scoped to both, so no visitor can reach
//! another's contact or conversations, whatever ids they guess.

use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json as AxumJson, Router};
use ferrochat_core::Map;
use ferrochat_core::chatwoot::{
    ContactRequest, ConversationRequest, ConversationStatus, CsatSurvey, CsatSurveyRecord,
    CsatSurveyUpdate, Message, MessageRequest, MessageType, MessageUpdate, SubmittedValues,
    TypingRequest, TypingStatus,
};
use ferrochat_core::content::{Content, CsatDisplayType};
use ferrochat_core::identity::verify_identifier_hash;
use ferrochat_core::validate;
use serde::Deserialize;
use serde_json::Value;
use tower_http::cors::CorsLayer;

use crate::AppState;
use crate::chat::{self, Author, ConvCtx, NewMessage};
use crate::error::{ApiError, ApiResult};
use crate::events::Typist;
use crate::extract::{Json, Path, Query};
use crate::ids;
use crate::render;
use crate::store::{ContactInboxRow, ContactRow, ConversationRow, InboxRow, MessageRow};
use crate::time::now_millis;

/// JSON bodies: 150,000 characters of content, escaped, fit with room.
pub(crate) const JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Multipart bodies: 15 files of 40 MB and the text fields.
pub(crate) const MULTIPART_BODY_LIMIT: usize = 15 * 40 * 1024 * 1024 + 1024 * 1024;
/// Messages per page of the message index.
pub(crate) const PAGE: i64 = 20;
/// Chatwoot locks a CSAT answer 14 days after the survey was sent.
const CSAT_EDITABLE_MILLIS: i64 = 14 * 24 * 60 * 60 * 1000;

const BASE: &str = "/public/api/v1/inboxes/{inbox}";

pub(crate) fn routes() -> Router<AppState> {
    let json_limit = axum::extract::DefaultBodyLimit::max(JSON_BODY_LIMIT);
    Router::new()
        .route(BASE, get(show_inbox))
        .route(&format!("{BASE}/contacts"), post(create_contact))
        .route(
            &format!("{BASE}/contacts/{{sid}}"),
            get(show_contact).patch(update_contact),
        )
        .route(
            &format!("{BASE}/contacts/{{sid}}/conversations"),
            get(list_conversations).post(create_conversation),
        )
        .route(
            &format!("{BASE}/contacts/{{sid}}/events"),
            post(widget_event),
        )
        .route(
            &format!("{BASE}/contacts/{{sid}}/conversations/{{id}}"),
            get(show_conversation),
        )
        .route(
            &format!("{BASE}/contacts/{{sid}}/conversations/{{id}}/toggle_status"),
            post(toggle_status),
        )
        .route(
            &format!("{BASE}/contacts/{{sid}}/conversations/{{id}}/toggle_typing"),
            post(toggle_typing),
        )
        .route(
            &format!("{BASE}/contacts/{{sid}}/conversations/{{id}}/update_last_seen"),
            post(update_last_seen),
        )
        .route(
            &format!("{BASE}/contacts/{{sid}}/conversations/{{id}}/messages/{{mid}}"),
            patch(update_message),
        )
        .route(
            "/public/api/v1/csat_survey/{uuid}",
            get(show_csat).patch(update_csat),
        )
        .layer(json_limit)
        // Message creates take multipart files, so their limit is the
        // multipart one; JSON bodies on the route are capped in the handler.
        .route(
            &format!("{BASE}/contacts/{{sid}}/conversations/{{id}}/messages"),
            get(list_messages)
                .post(create_message)
                .layer(axum::extract::DefaultBodyLimit::max(MULTIPART_BODY_LIMIT)),
        )
        // Chatwoot answers the public API to any origin: the widget runs
        // on the customer's site.
        .layer(CorsLayer::permissive().max_age(std::time::Duration::from_secs(3600)))
}

// ---------------------------------------------------------------- lookups

async fn contact_by_source(
    state: &AppState,
    inbox: &InboxRow,
    source_id: &str,
) -> ApiResult<(ContactInboxRow, ContactRow)> {
    let contact_inbox: ContactInboxRow =
        sqlx::query_as("SELECT * FROM contact_inboxes WHERE inbox_id = $1 AND source_id = $2")
            .bind(inbox.id)
            .bind(source_id)
            .fetch_optional(&state.db.read)
            .await?
            .ok_or(ApiError::NotFound)?;
    let contact = crate::store::contact(&state.db.read, contact_inbox.contact_id).await?;
    Ok((contact_inbox, contact))
}

/// A conversation of this contact inbox, by display id, or, for a verified
/// user, of any of their verified contact inboxes in this inbox (their other
/// devices): never one of another contact's, never one of another inbox's,
/// never one an unverified visitor started under a verified user's
/// identifier (Chatwoot's lookup is contact-wide, issue 10626). The context
/// carries the conversation's own contact inbox.
async fn conversation_ctx(
    state: &AppState,
    inbox_identifier: &str,
    source_id: &str,
    display_id: i64,
) -> ApiResult<ConvCtx> {
    let inbox = state.inbox(inbox_identifier).await?;
    // One query: this path runs for every message a visitor sends.
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}
         FROM contact_inboxes me
         JOIN conversations cv
           ON cv.account_id = $4 AND cv.display_id = $3 AND cv.inbox_id = me.inbox_id
         JOIN contact_inboxes ci ON ci.id = cv.contact_inbox_id
         JOIN contacts c ON c.id = ci.contact_id
         WHERE me.inbox_id = $1 AND me.source_id = $2
           AND (ci.id = me.id
                OR (me.hmac_verified AND ci.hmac_verified AND ci.contact_id = me.contact_id))",
        crate::store::CONVERSATION_CONTEXT_COLUMNS
    )))
    .bind(inbox.id)
    .bind(source_id)
    .bind(display_id)
    .bind(inbox.account_id)
    .fetch_optional(&state.db.read)
    .await?
    .ok_or(ApiError::NotFound)?;
    let (contact_inbox, contact, conversation) = crate::store::conversation_context(&row)?;
    Ok(ConvCtx {
        conversation,
        contact,
        contact_inbox,
        inbox,
    })
}

// ---------------------------------------------------------------- inbox

async fn show_inbox(
    State(state): State<AppState>,
    Path(inbox): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let inbox = state.inbox(&inbox).await?;
    Ok(AxumJson(render::public_inbox(&inbox)))
}

// ---------------------------------------------------------------- contacts

/// Checks the fields a visitor may set; `identifier` only on create.
fn validate_contact(request: &ContactRequest) -> ApiResult<()> {
    // Chatwoot answers with one attribute's error at a time.
    if let Err(errors) = validate::contact(request)
        && let Some(first) = errors.first()
    {
        return Err(ApiError::invalid(&first.name, &first.error));
    }
    Ok(())
}

fn blank_to_none(value: &Option<String>) -> Option<String> {
    value.clone().filter(|value| !value.trim().is_empty())
}

/// Whether the request proves its identity. A hash that is sent must
/// check out; an inbox with `hmac_mandatory` requires one.
fn verify_identity(inbox: &InboxRow, request: &ContactRequest) -> ApiResult<bool> {
    match (&request.identifier, &request.identifier_hash) {
        (Some(identifier), Some(hash)) => {
            if verify_identifier_hash(&inbox.hmac_token, identifier, hash) {
                Ok(true)
            } else {
                Err(ApiError::hmac_failed())
            }
        }
        (None, Some(_)) => Err(ApiError::hmac_failed()),
        _ if inbox.hmac_mandatory => Err(ApiError::hmac_failed()),
        _ => Ok(false),
    }
}

async fn create_contact(
    State(state): State<AppState>,
    Path(inbox): Path<String>,
    Json(request): Json<ContactRequest>,
) -> ApiResult<impl IntoResponse> {
    let inbox = state.inbox(&inbox).await?;
    validate_contact(&request)?;
    let verified = verify_identity(&inbox, &request)?;
    let now = now_millis();
    let identifier = blank_to_none(&request.identifier);
    let email = blank_to_none(&request.email).map(|email| email.to_lowercase());
    let phone = blank_to_none(&request.phone_number).map(|phone| validate::normalize_phone(&phone));
    let mut tx = state.db.write.begin().await?;
    // A visitor who names a source id they already hold gets their contact.
    if let Some(source_id) = &request.source_id {
        let existing: Option<ContactInboxRow> =
            sqlx::query_as("SELECT * FROM contact_inboxes WHERE inbox_id = $1 AND source_id = $2")
                .bind(inbox.id)
                .bind(source_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(contact_inbox) = existing {
            let contact = crate::store::contact(&mut *tx, contact_inbox.contact_id).await?;
            tx.commit().await?;
            return Ok(AxumJson(render::public_contact(&contact, &contact_inbox)));
        }
    }
    // Reuse: by identifier (Chatwoot's rule; with a verified hash when the
    // inbox requires one), and by email or phone only when the identity is
    // verified, so that typing someone's email never attaches a visitor to
    // their contact (Chatwoot merges on an unverified email).
    let mut contact: Option<ContactRow> = None;
    if let Some(identifier) = &identifier {
        contact =
            sqlx::query_as("SELECT * FROM contacts WHERE account_id = $1 AND identifier = $2")
                .bind(inbox.account_id)
                .bind(identifier)
                .fetch_optional(&mut *tx)
                .await?;
    }
    if contact.is_none()
        && verified
        && let Some(email) = &email
    {
        {
            contact = sqlx::query_as(
                "SELECT * FROM contacts WHERE account_id = $1 AND email = $2 ORDER BY id LIMIT 1",
            )
            .bind(inbox.account_id)
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
        }
    }
    if contact.is_none()
        && verified
        && let Some(phone) = &phone
    {
        {
            contact = sqlx::query_as(
                "SELECT * FROM contacts WHERE account_id = $1 AND phone_number = $2 ORDER BY id LIMIT 1",
            )
            .bind(inbox.account_id)
            .bind(phone)
            .fetch_optional(&mut *tx)
            .await?;
        }
    }
    let contact = match contact {
        Some(contact) => contact,
        None => {
            let attributes = request.custom_attributes.clone().unwrap_or_default();
            // An unverified email that another contact already has is not
            // stored on this one: emails are unique per account.
            let email_taken = match &email {
                Some(email) => {
                    crate::store::email_taken(&mut *tx, inbox.account_id, email, 0).await?
                }
                None => false,
            };
            sqlx::query_as(
                "INSERT INTO contacts (account_id, name, email, phone_number, identifier, avatar_url, custom_attributes, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *",
            )
            .bind(inbox.account_id)
            .bind(blank_to_none(&request.name))
            .bind(if email_taken { None } else { email.clone() })
            .bind(&phone)
            .bind(&identifier)
            .bind(blank_to_none(&request.avatar_url))
            .bind(Value::Object(attributes).to_string())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
        }
    };
    let contact_inbox: ContactInboxRow = sqlx::query_as(
        "INSERT INTO contact_inboxes (contact_id, inbox_id, source_id, pubsub_token, hmac_verified, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
    )
    .bind(contact.id)
    .bind(inbox.id)
    .bind(request.source_id.clone().unwrap_or_else(ids::token))
    .bind(ids::token())
    .bind(verified)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(AxumJson(render::public_contact(&contact, &contact_inbox)))
}

async fn show_contact(
    State(state): State<AppState>,
    Path((inbox, source_id)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let inbox = state.inbox(&inbox).await?;
    let (contact_inbox, contact) = contact_by_source(&state, &inbox, &source_id).await?;
    Ok(AxumJson(render::public_contact(&contact, &contact_inbox)))
}

async fn update_contact(
    State(state): State<AppState>,
    Path((inbox, source_id)): Path<(String, String)>,
    Json(mut request): Json<ContactRequest>,
) -> ApiResult<impl IntoResponse> {
    let inbox = state.inbox(&inbox).await?;
    let (_, contact) = contact_by_source(&state, &inbox, &source_id).await?;
    // The identifier is set on create only.
    request.identifier = None;
    request.source_id = None;
    if request.identifier_hash.is_some() {
        // A hash alone proves nothing without the identifier it signs.
        request.identifier_hash = None;
    }
    validate_contact(&request)?;
    let email = match &request.email {
        Some(email) if email.trim().is_empty() => Some(None),
        Some(email) => Some(Some(email.to_lowercase())),
        None => None,
    };
    if let Some(Some(email)) = &email
        && crate::store::email_taken(&state.db.read, inbox.account_id, email, contact.id).await?
    {
        return Err(ApiError::unprocessable(
            "email",
            "Email has already been taken",
        ));
    }
    let phone = request
        .phone_number
        .as_ref()
        .map(|phone| Some(validate::normalize_phone(phone)).filter(|phone| !phone.is_empty()));
    let mut attributes = render::parse_map(&contact.custom_attributes);
    if let Some(update) = &request.custom_attributes {
        for (key, value) in update {
            attributes.insert(key.clone(), value.clone());
        }
        validate::custom_attribute_map(&attributes)
            .map_err(|error| ApiError::invalid("custom_attributes", &error))?;
    }
    let updated: ContactRow = sqlx::query_as(
        "UPDATE contacts SET
             name = CASE WHEN $1 THEN $2 ELSE name END,
             email = CASE WHEN $3 THEN $4 ELSE email END,
             phone_number = CASE WHEN $5 THEN $6 ELSE phone_number END,
             avatar_url = CASE WHEN $7 THEN $8 ELSE avatar_url END,
             custom_attributes = $9,
             updated_at = $10
         WHERE id = $11 RETURNING *",
    )
    .bind(request.name.is_some())
    .bind(blank_to_none(&request.name))
    .bind(email.is_some())
    .bind(email.flatten())
    .bind(phone.is_some())
    .bind(phone.flatten())
    .bind(request.avatar_url.is_some())
    .bind(blank_to_none(&request.avatar_url))
    .bind(Value::Object(attributes).to_string())
    .bind(now_millis())
    .bind(contact.id)
    .fetch_one(&state.db.write)
    .await?;
    Ok(AxumJson(render::contact_record(&updated)))
}

/// `POST /contacts/{source_id}/events` `{name: "webwidget.triggered",
/// event_info: {…}}`: a ferrochat addition, the public API's form of
/// Chatwoot's website-widget events route. A widget reports that the
/// visitor opened it, and webhooks get `webwidget_triggered`.
async fn widget_event(
    State(state): State<AppState>,
    Path((inbox, source_id)): Path<(String, String)>,
    Json(event): Json<WidgetEvent>,
) -> ApiResult<impl IntoResponse> {
    let inbox = state.inbox(&inbox).await?;
    let (contact_inbox, contact) = contact_by_source(&state, &inbox, &source_id).await?;
    if event.name != "webwidget.triggered" {
        return Err(ApiError::unprocessable(
            "name",
            format!("Name must be webwidget.triggered, got {}", event.name),
        ));
    }
    let event_info = event.event_info.unwrap_or_default();
    if serde_json::to_string(&event_info)?.len() > validate::TEXT_MAX_CHARS {
        return Err(ApiError::unprocessable(
            "event_info",
            "Event info is too long",
        ));
    }
    state.emit(crate::events::Event::WidgetTriggered {
        contact,
        contact_inbox,
        inbox,
        event_info: Value::Object(event_info),
    });
    Ok(StatusCode::OK)
}

#[derive(Debug, Deserialize)]
struct WidgetEvent {
    name: String,
    #[serde(default)]
    event_info: Option<Map>,
}

// ---------------------------------------------------------------- conversations

async fn visible_messages(state: &AppState, ctx: &ConvCtx, limit: i64) -> ApiResult<Vec<Message>> {
    let mut rows: Vec<MessageRow> = sqlx::query_as(
        "SELECT * FROM messages WHERE conversation_id = $1 AND private = FALSE AND message_type <> 2
         ORDER BY id DESC LIMIT $2",
    )
    .bind(ctx.conversation.id)
    .bind(limit)
    .fetch_all(&state.db.read)
    .await?;
    rows.reverse();
    let views = chat::message_views(state, rows, ctx.conversation.display_id).await?;
    Ok(views
        .iter()
        .map(|view| render::public_message(view, &state.base_url))
        .collect())
}

async fn list_conversations(
    State(state): State<AppState>,
    Path((inbox, source_id)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let inbox = state.inbox(&inbox).await?;
    let (contact_inbox, contact) = contact_by_source(&state, &inbox, &source_id).await?;
    // A verified user sees the conversations of all their verified devices
    // (Chatwoot lists a verified contact's conversations contact-wide; the
    // ones an unverified visitor started under the same identifier stay
    // that visitor's).
    let conversations: Vec<ConversationRow> = sqlx::query_as(
        "SELECT * FROM conversations
         WHERE inbox_id = $2 AND contact_inbox_id IN (
             SELECT $1
             UNION
             SELECT id FROM contact_inboxes
             WHERE $3 AND contact_id = $4 AND inbox_id = $2 AND hmac_verified
         )
         ORDER BY id",
    )
    .bind(contact_inbox.id)
    .bind(inbox.id)
    .bind(contact_inbox.hmac_verified)
    .bind(contact_inbox.contact_id)
    .fetch_all(&state.db.read)
    .await?;
    let mut list = Vec::with_capacity(conversations.len());
    for conversation in conversations {
        let ctx = ConvCtx {
            conversation,
            contact: contact.clone(),
            contact_inbox: contact_inbox.clone(),
            inbox: inbox.clone(),
        };
        let messages = visible_messages(&state, &ctx, PAGE).await?;
        list.push(render::public_conversation(
            &ctx.conversation,
            &contact,
            messages,
        ));
    }
    Ok(AxumJson(list))
}

async fn create_conversation(
    State(state): State<AppState>,
    Path((inbox, source_id)): Path<(String, String)>,
    Json(request): Json<ConversationRequest>,
) -> ApiResult<impl IntoResponse> {
    let inbox = state.inbox(&inbox).await?;
    let (contact_inbox, contact) = contact_by_source(&state, &inbox, &source_id).await?;
    let attributes = request.custom_attributes.unwrap_or_default();
    validate::custom_attribute_map(&attributes)
        .map_err(|error| ApiError::invalid("custom_attributes", &error))?;
    let setup = chat::ConversationSetup {
        custom_attributes: attributes,
        ..chat::ConversationSetup::default()
    };
    let ctx = chat::create_conversation(&state, inbox, contact, contact_inbox, setup).await?;
    Ok(AxumJson(render::public_conversation(
        &ctx.conversation,
        &ctx.contact,
        Vec::new(),
    )))
}

async fn show_conversation(
    State(state): State<AppState>,
    Path((inbox, source_id, id)): Path<(String, String, i64)>,
) -> ApiResult<impl IntoResponse> {
    let ctx = conversation_ctx(&state, &inbox, &source_id, id).await?;
    let messages = visible_messages(&state, &ctx, PAGE).await?;
    Ok(AxumJson(render::public_conversation(
        &ctx.conversation,
        &ctx.contact,
        messages,
    )))
}

/// From the public API a conversation can only be resolved; resolving a
/// resolved conversation is a 200 that changes nothing.
async fn toggle_status(
    State(state): State<AppState>,
    Path((inbox, source_id, id)): Path<(String, String, i64)>,
) -> ApiResult<impl IntoResponse> {
    let ctx = conversation_ctx(&state, &inbox, &source_id, id).await?;
    let author = Author::Contact(ctx.contact.clone());
    let ctx = chat::set_status(&state, &ctx, ConversationStatus::Resolved, &author).await?;
    let messages = visible_messages(&state, &ctx, PAGE).await?;
    Ok(AxumJson(render::public_conversation(
        &ctx.conversation,
        &ctx.contact,
        messages,
    )))
}

async fn toggle_typing(
    State(state): State<AppState>,
    Path((inbox, source_id, id)): Path<(String, String, i64)>,
    Json(request): Json<TypingRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = conversation_ctx(&state, &inbox, &source_id, id).await?;
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
    let typist = Typist::Contact(ctx.contact.clone());
    chat::typing(&state, &ctx, typist, on, false).await?;
    Ok(StatusCode::OK)
}

async fn update_last_seen(
    State(state): State<AppState>,
    Path((inbox, source_id, id)): Path<(String, String, i64)>,
) -> ApiResult<impl IntoResponse> {
    let ctx = conversation_ctx(&state, &inbox, &source_id, id).await?;
    let now = now_millis();
    sqlx::query("UPDATE conversations SET contact_last_seen_at = $1 WHERE id = $2")
        .bind(now)
        .bind(ctx.conversation.id)
        .execute(&state.db.write)
        .await?;
    // The agents' messages up to now count as read.
    sqlx::query(
        "UPDATE messages SET status = 'read' WHERE conversation_id = $1 AND created_at <= $2 AND message_type IN (1, 3) AND status <> 'read'",
    )
    .bind(ctx.conversation.id)
    .bind(now)
    .execute(&state.db.write)
    .await?;
    Ok(StatusCode::OK)
}

// ---------------------------------------------------------------- messages

#[derive(Debug, Deserialize)]
struct Page {
    before: Option<i64>,
    after: Option<i64>,
}

/// The latest 20 messages, the 20 before `before`, or the 20 after `after`
/// (a reconnect's backfill), oldest first.
async fn list_messages(
    State(state): State<AppState>,
    Path((inbox, source_id, id)): Path<(String, String, i64)>,
    Query(page): Query<Page>,
) -> ApiResult<impl IntoResponse> {
    let ctx = conversation_ctx(&state, &inbox, &source_id, id).await?;
    let mut rows: Vec<MessageRow> = match (page.before, page.after) {
        (_, Some(after)) => {
            sqlx::query_as(
                "SELECT * FROM messages WHERE conversation_id = $1 AND private = FALSE AND message_type <> 2
                 AND id > $2 ORDER BY id ASC LIMIT $3",
            )
            .bind(ctx.conversation.id)
            .bind(after)
            .bind(PAGE)
            .fetch_all(&state.db.read)
            .await?
        }
        (before, None) => {
            let mut rows: Vec<MessageRow> = sqlx::query_as(
                "SELECT * FROM messages WHERE conversation_id = $1 AND private = FALSE AND message_type <> 2
                 AND id < $2 ORDER BY id DESC LIMIT $3",
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
    rows.truncate(PAGE as usize);
    let views = chat::message_views(&state, rows, ctx.conversation.display_id).await?;
    let list: Vec<Message> = views
        .iter()
        .map(|view| render::public_message(view, &state.base_url))
        .collect();
    Ok(AxumJson(list))
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// JSON `{content, echo_id}` or multipart with `attachments[]`. A second
/// create with the same `echo_id` answers the first message (200) and
/// creates nothing.
async fn create_message(
    State(state): State<AppState>,
    Path((inbox, source_id, id)): Path<(String, String, i64)>,
    request: Request,
) -> ApiResult<Response> {
    let ctx = conversation_ctx(&state, &inbox, &source_id, id).await?;
    let (content, echo_id, files) = if is_multipart(request.headers()) {
        let multipart = axum::extract::Multipart::from_request(request, &state)
            .await
            .map_err(|error| ApiError::message(StatusCode::BAD_REQUEST, error.body_text()))?;
        let upload = crate::attachments::receive(&state, multipart).await?;
        (upload.content, upload.echo_id, upload.files)
    } else {
        let (parts, body) = request.into_parts();
        let limited = axum::body::to_bytes(body, JSON_BODY_LIMIT)
            .await
            .map_err(|_| {
                ApiError::message(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large")
            })?;
        let request = Request::from_parts(parts, axum::body::Body::from(limited));
        let Json(body) = Json::<MessageRequest>::from_request(request, &state).await?;
        (body.content, body.echo_id, Vec::new())
    };
    let checked = (|| {
        if let Some(content) = &content {
            validate::content(content).map_err(|error| ApiError::invalid("content", &error))?;
        }
        if let Some(echo_id) = &echo_id {
            validate::short_string("echo_id", echo_id)
                .map_err(|error| ApiError::invalid("echo_id", &error))?;
        }
        let empty = content.as_deref().is_none_or(|text| text.trim().is_empty());
        if empty && files.is_empty() {
            return Err(ApiError::unprocessable("content", "Content can't be blank"));
        }
        Ok(())
    })();
    if let Err(error) = checked {
        crate::attachments::discard(&state.data_dir, &files).await;
        return Err(error);
    }
    let new = NewMessage {
        message_type: MessageType::Incoming,
        content,
        kind: Content::default(),
        private: false,
        echo_id,
        files,
    };
    let author = Author::Contact(ctx.contact.clone());
    let (view, _created) = chat::create_message(&state, &ctx, &author, new).await?;
    let mut message = render::public_message(&view, &state.base_url);
    message.echo_id = view.message.echo_id.clone();
    Ok(AxumJson(message).into_response())
}

/// Stores a visitor's answer to quick replies, a form or the CSAT survey.
async fn update_message(
    State(state): State<AppState>,
    Path((inbox, source_id, id, message_id)): Path<(String, String, i64, i64)>,
    Json(update): Json<MessageUpdate>,
) -> ApiResult<impl IntoResponse> {
    let ctx = conversation_ctx(&state, &inbox, &source_id, id).await?;
    let message: MessageRow = sqlx::query_as(
        "SELECT * FROM messages WHERE id = $1 AND conversation_id = $2 AND private = FALSE",
    )
    .bind(message_id)
    .bind(ctx.conversation.id)
    .fetch_optional(&state.db.read)
    .await?
    .ok_or(ApiError::NotFound)?;
    check_answer(&message, &update.submitted_values)?;
    let view = chat::submit(&state, &ctx, message, update.submitted_values).await?;
    Ok(AxumJson(render::public_message(&view, &state.base_url)))
}

/// An answer must fit the question: a choice among the quick replies, the
/// form's fields, a 1–5 rating within 14 days.
fn check_answer(message: &MessageRow, values: &SubmittedValues) -> ApiResult<()> {
    let content = Content::from_parts(
        &message.content_type,
        render::parse_map(&message.content_attributes),
    )
    .map_err(|error| ApiError::internal(error.to_string()))?;
    let wrong = |what: &str| {
        ApiError::unprocessable("submitted_values", format!("Submitted values {what}"))
    };
    match (&content, values) {
        (Content::InputSelect(select), SubmittedValues::Items(items)) => {
            let [choice] = items.as_slice() else {
                return Err(wrong("must hold exactly one choice"));
            };
            let known = select.items.iter().any(|item| {
                item.value.text() == choice.value.text()
                    && choice
                        .title
                        .as_deref()
                        .is_none_or(|title| title == item.title)
            });
            if !known {
                return Err(wrong("is not one of the message's options"));
            }
            Ok(())
        }
        (Content::Form(form), SubmittedValues::Items(items)) => {
            validate::form_submission(form, items).map_err(|errors| {
                let first = errors
                    .first()
                    .map(|error| format!("{}: {}", error.name, error.error))
                    .unwrap_or_default();
                wrong(&format!("are invalid ({first})"))
            })
        }
        (Content::InputCsat(_), SubmittedValues::Csat(csat)) => {
            validate::csat_rating(csat.csat_survey_response.rating)
                .map_err(|error| ApiError::invalid("rating", &error))?;
            if let Some(feedback) = csat.csat_survey_response.feedback_message.get() {
                validate::text("feedback_message", feedback)
                    .map_err(|error| ApiError::invalid("feedback_message", &error))?;
            }
            if now_millis() - message.created_at > CSAT_EDITABLE_MILLIS {
                return Err(ApiError::message(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "You cannot update the CSAT survey after 14 days",
                ));
            }
            Ok(())
        }
        (Content::InputSelect(_) | Content::Form(_) | Content::InputCsat(_), _) => {
            Err(wrong("do not fit this message's type"))
        }
        _ => Err(wrong(&format!(
            "cannot be set on a {} message",
            message.content_type
        ))),
    }
}

// ---------------------------------------------------------------- CSAT page

async fn csat_context(state: &AppState, uuid: &str) -> ApiResult<(ConvCtx, MessageRow)> {
    let conversation: ConversationRow =
        sqlx::query_as("SELECT * FROM conversations WHERE uuid = $1")
            .bind(uuid)
            .fetch_optional(&state.db.read)
            .await?
            .ok_or(ApiError::NotFound)?;
    let message: MessageRow = sqlx::query_as(
        "SELECT * FROM messages WHERE conversation_id = $1 AND content_type = 'input_csat' ORDER BY id DESC LIMIT 1",
    )
    .bind(conversation.id)
    .fetch_optional(&state.db.read)
    .await?
    .ok_or(ApiError::NotFound)?;
    let ctx = chat::context(state, conversation.id).await?;
    Ok((ctx, message))
}

async fn csat_body(state: &AppState, ctx: &ConvCtx, message: &MessageRow) -> ApiResult<CsatSurvey> {
    let record: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT rating, feedback_message FROM csat_survey_responses WHERE message_id = $1",
    )
    .bind(message.id)
    .fetch_optional(&state.db.read)
    .await?;
    let account = crate::store::account(&state.db.read, ctx.inbox.account_id).await?;
    let display_type = match Content::from_parts(
        &message.content_type,
        render::parse_map(&message.content_attributes),
    ) {
        Ok(Content::InputCsat(csat)) => csat.display_type,
        _ => None,
    }
    .or(Some(CsatDisplayType::Emoji));
    Ok(CsatSurvey {
        id: message.id as u64,
        csat_survey_response: record.map(|(rating, feedback_message)| CsatSurveyRecord {
            rating: rating as u8,
            feedback_message,
            extra: Map::new(),
        }),
        display_type,
        content: message.content.clone(),
        inbox_avatar_url: None,
        inbox_name: ctx.inbox.name.clone(),
        locale: account.locale,
        conversation_id: ctx.conversation.display_id as u64,
        extra: [(
            "created_at".to_owned(),
            Value::from(crate::time::seconds(message.created_at)),
        )]
        .into_iter()
        .collect(),
    })
}

async fn show_csat(
    State(state): State<AppState>,
    Path(uuid): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let (ctx, message) = csat_context(&state, &uuid).await?;
    Ok(AxumJson(csat_body(&state, &ctx, &message).await?))
}

async fn update_csat(
    State(state): State<AppState>,
    Path(uuid): Path<String>,
    Json(update): Json<CsatSurveyUpdate>,
) -> ApiResult<impl IntoResponse> {
    let (ctx, message) = csat_context(&state, &uuid).await?;
    check_answer(&message, &update.message.submitted_values)?;
    chat::submit(
        &state,
        &ctx,
        message.clone(),
        update.message.submitted_values,
    )
    .await?;
    let message = crate::store::message(&state.db.read, message.id).await?;
    Ok(AxumJson(csat_body(&state, &ctx, &message).await?))
}
