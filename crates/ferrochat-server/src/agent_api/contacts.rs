//! Contacts as agents see them: the list and search (15 a page, only
//! "resolved" contacts, those with an email, phone number or identifier, as
//! Chatwoot lists them), one contact, create, update, and a contact's
//! conversations.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use ferrochat_core::{Map, validate};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::{QueryBuilder, Sqlite};

use super::{ACCOUNT, Caller};
use crate::AppState;
use crate::chat::{self, ConvCtx};
use crate::error::{ApiError, ApiResult};
use crate::events::contact_stream;
use crate::extract::{Json as JsonBody, Path, Query};
use crate::ids;
use crate::render;
use crate::store::{self, ContactInboxRow, ContactRow, ConversationRow, InboxRow};
use crate::time::{now_millis, seconds};

/// Contacts per page, as Chatwoot pages them.
const PAGE: i64 = 15;
/// Conversations a contact's conversation list shows, as Chatwoot caps it.
const CONVERSATIONS_MAX: i64 = 20;
/// Contacts with something to find them by.
const RESOLVED: &str = "(COALESCE(c.email, '') <> '' OR COALESCE(c.phone_number, '') <> '' OR COALESCE(c.identifier, '') <> '')";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{ACCOUNT}/contacts"), get(list).post(create))
        .route(&format!("{ACCOUNT}/contacts/search"), get(search))
        .route(
            &format!("{ACCOUNT}/contacts/{{id}}"),
            get(show).put(update).patch(update),
        )
        .route(
            &format!("{ACCOUNT}/contacts/{{id}}/conversations"),
            get(conversations),
        )
}

// ---------------------------------------------------------------- shape

/// A contact with its inboxes, in Chatwoot's contact shape.
fn contact_json(
    state: &AppState,
    contact: &ContactRow,
    inboxes: &[(ContactInboxRow, Arc<InboxRow>)],
) -> Value {
    // A contact is online while one of its widgets holds a live subscription.
    let online = inboxes
        .iter()
        .any(|(contact_inbox, _)| state.hub.subscriber_count(&contact_stream(contact_inbox)) > 0);
    let contact_inboxes: Vec<Value> = inboxes
        .iter()
        .map(|(contact_inbox, inbox)| {
            json!({
                "source_id": contact_inbox.source_id,
                "inbox": {
                    "id": inbox.id,
                    "avatar_url": "",
                    "channel_id": inbox.id,
                    "name": inbox.name,
                    "channel_type": inbox.channel_type,
                    "provider": Value::Null,
                },
            })
        })
        .collect();
    json!({
        "additional_attributes": render::parse_map(&contact.additional_attributes),
        "availability_status": if online { "online" } else { "offline" },
        "email": contact.email,
        "id": contact.id,
        "name": contact.name,
        "phone_number": contact.phone_number,
        "blocked": false,
        "identifier": contact.identifier,
        "thumbnail": contact.avatar_url.clone().unwrap_or_default(),
        "custom_attributes": render::parse_map(&contact.custom_attributes),
        "last_activity_at": contact.last_activity_at.map(seconds),
        "created_at": seconds(contact.created_at),
        "contact_inboxes": contact_inboxes,
    })
}

/// Each contact's contact inboxes, with their inboxes.
async fn contact_inboxes(
    state: &AppState,
    contacts: &[ContactRow],
) -> ApiResult<HashMap<i64, Vec<(ContactInboxRow, Arc<InboxRow>)>>> {
    let mut map: HashMap<i64, Vec<(ContactInboxRow, Arc<InboxRow>)>> = HashMap::new();
    if contacts.is_empty() {
        return Ok(map);
    }
    let mut builder =
        QueryBuilder::<Sqlite>::new("SELECT * FROM contact_inboxes WHERE contact_id IN (");
    let mut list = builder.separated(", ");
    for contact in contacts {
        list.push_bind(contact.id);
    }
    builder.push(") ORDER BY id");
    let rows: Vec<ContactInboxRow> = builder.build_query_as().fetch_all(&state.db.read).await?;
    let mut inboxes: HashMap<i64, Arc<InboxRow>> = HashMap::new();
    for row in rows {
        let inbox = match inboxes.get(&row.inbox_id) {
            Some(inbox) => inbox.clone(),
            None => {
                let inbox = Arc::new(store::inbox_by_id(&state.db.read, row.inbox_id).await?);
                inboxes.insert(row.inbox_id, inbox.clone());
                inbox
            }
        };
        map.entry(row.contact_id).or_default().push((row, inbox));
    }
    Ok(map)
}

async fn one_json(state: &AppState, contact: &ContactRow) -> ApiResult<Value> {
    let mut inboxes = contact_inboxes(state, std::slice::from_ref(contact)).await?;
    Ok(contact_json(
        state,
        contact,
        &inboxes.remove(&contact.id).unwrap_or_default(),
    ))
}

/// A contact of the account; 404 for another account's.
async fn find(state: &AppState, account_id: i64, id: i64) -> ApiResult<ContactRow> {
    let contact = store::contact(&state.db.read, id).await?;
    if contact.account_id == account_id {
        Ok(contact)
    } else {
        Err(ApiError::NotFound)
    }
}

// ---------------------------------------------------------------- list, search

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    q: Option<String>,
}

/// `ORDER BY` for Chatwoot's `sort` values; by default the most recently
/// active first. Nulls sort last either way, as Chatwoot sorts them.
fn order_by(sort: Option<&str>) -> &'static str {
    match sort {
        Some("name") => " ORDER BY c.name IS NULL, LOWER(c.name) ASC, c.id ASC",
        Some("-name") => " ORDER BY c.name IS NULL, LOWER(c.name) DESC, c.id DESC",
        Some("email") => " ORDER BY c.email IS NULL, c.email ASC, c.id ASC",
        Some("-email") => " ORDER BY c.email IS NULL, c.email DESC, c.id DESC",
        Some("phone_number") => " ORDER BY c.phone_number IS NULL, c.phone_number ASC, c.id ASC",
        Some("-phone_number") => " ORDER BY c.phone_number IS NULL, c.phone_number DESC, c.id DESC",
        Some("last_activity_at") => {
            " ORDER BY c.last_activity_at IS NULL, c.last_activity_at ASC, c.id ASC"
        }
        _ => " ORDER BY c.last_activity_at IS NULL, c.last_activity_at DESC, c.id DESC",
    }
}

/// `{meta: {count, current_page}, payload: [contact]}` for resolved contacts
/// matching `search` (a LIKE pattern over name, email, phone and identifier).
async fn page(
    state: &AppState,
    account_id: i64,
    query: &ListQuery,
    search: Option<String>,
) -> ApiResult<Value> {
    let page = super::page_number(query.page);
    let push_where = |builder: &mut QueryBuilder<Sqlite>| {
        builder
            .push(" WHERE c.account_id = ")
            .push_bind(account_id)
            .push(" AND ")
            .push(RESOLVED);
        if let Some(pattern) = &search {
            builder.push(" AND (");
            let mut any = builder.separated(" OR ");
            for column in ["c.name", "c.email", "c.phone_number", "c.identifier"] {
                any.push(format_args!("LOWER({column}) LIKE "))
                    .push_bind_unseparated(pattern.clone())
                    .push_unseparated(" ESCAPE '\\'");
            }
            builder.push(")");
        }
    };
    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM contacts c");
    push_where(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&state.db.read).await?;
    let mut select = QueryBuilder::<Sqlite>::new("SELECT c.* FROM contacts c");
    push_where(&mut select);
    select
        .push(order_by(query.sort.as_deref()))
        .push(" LIMIT ")
        .push_bind(PAGE)
        .push(" OFFSET ")
        .push_bind(super::page_offset(page, PAGE));
    let contacts: Vec<ContactRow> = select.build_query_as().fetch_all(&state.db.read).await?;
    let mut inboxes = contact_inboxes(state, &contacts).await?;
    let payload: Vec<Value> = contacts
        .iter()
        .map(|contact| {
            contact_json(
                state,
                contact,
                &inboxes.remove(&contact.id).unwrap_or_default(),
            )
        })
        .collect();
    Ok(json!({
        "meta": {"count": total, "current_page": page},
        "payload": payload,
    }))
}

async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Path(account_id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    Ok(Json(page(&state, account_id, &query, None).await?))
}

/// `?q=`: a case-insensitive part of the name, email, phone number or
/// identifier. Without `q`, a 422 as in Chatwoot.
async fn search(
    caller: Caller,
    State(state): State<AppState>,
    Path(account_id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let q = query.q.as_deref().map(str::trim).unwrap_or("");
    if q.is_empty() {
        return Err(ApiError::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Specify search string with parameter q",
        ));
    }
    let pattern = super::like_pattern(q);
    Ok(Json(page(&state, account_id, &query, Some(pattern)).await?))
}

// ---------------------------------------------------------------- one contact

async fn show(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let contact = find(&state, account_id, id).await?;
    Ok(Json(
        json!({ "payload": one_json(&state, &contact).await? }),
    ))
}

/// The create and update body.
#[derive(Debug, Default, Deserialize)]
struct ContactBody {
    #[serde(default)]
    inbox_id: Option<i64>,
    #[serde(default)]
    source_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    identifier: Option<String>,
    #[serde(default)]
    avatar_url: Option<String>,
    #[serde(default)]
    custom_attributes: Option<Map>,
    #[serde(default)]
    additional_attributes: Option<Map>,
}

/// A field's new value: `None` to leave it, `Some(None)` to clear it.
type Change = Option<Option<String>>;

/// The checked changes of a body.
#[derive(Debug, Default)]
struct ContactChanges {
    name: Change,
    email: Change,
    phone_number: Change,
    identifier: Change,
    avatar_url: Change,
}

fn change(value: &Option<String>, clean: impl Fn(&str) -> ApiResult<String>) -> ApiResult<Change> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(text) => Ok(Some(Some(clean(text)?))),
    }
}

impl ContactChanges {
    fn check(body: &ContactBody) -> ApiResult<ContactChanges> {
        let changes = ContactChanges {
            name: change(&body.name, |name| {
                validate::name(name).map_err(|error| ApiError::invalid("name", &error))?;
                Ok(name.to_owned())
            })?,
            email: change(&body.email, |email| {
                let email = email.to_lowercase();
                validate::email(&email).map_err(|error| ApiError::invalid("email", &error))?;
                Ok(email)
            })?,
            phone_number: change(&body.phone_number, |phone| {
                let phone = validate::normalize_phone(phone);
                validate::phone(&phone)
                    .map_err(|error| ApiError::invalid("phone_number", &error))?;
                Ok(phone)
            })?,
            identifier: change(&body.identifier, |identifier| {
                validate::short_string("identifier", identifier)
                    .map_err(|error| ApiError::invalid("identifier", &error))?;
                Ok(identifier.to_owned())
            })?,
            avatar_url: change(&body.avatar_url, |url| {
                validate::safe_url(url).map_err(|error| ApiError::invalid("avatar_url", &error))?;
                Ok(url.to_owned())
            })?,
        };
        Ok(changes)
    }

    /// Email and identifier are unique in an account.
    async fn check_unique(&self, state: &AppState, account_id: i64, except: i64) -> ApiResult<()> {
        if let Some(Some(email)) = &self.email
            && crate::store::email_taken(&state.db.write, account_id, email, except).await?
        {
            return Err(ApiError::unprocessable(
                "email",
                "Email has already been taken",
            ));
        }
        if let Some(Some(identifier)) = &self.identifier {
            let taken: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM contacts WHERE account_id = $1 AND identifier = $2 AND id <> $3 LIMIT 1",
            )
            .bind(account_id)
            .bind(identifier)
            .bind(except)
            .fetch_optional(&state.db.write)
            .await?;
            if taken.is_some() {
                return Err(ApiError::unprocessable(
                    "identifier",
                    "Identifier has already been taken",
                ));
            }
        }
        Ok(())
    }
}

/// Additional attributes hold what a browser reports (nested objects); they
/// are capped like a text column.
fn check_additional(attributes: &Map) -> ApiResult<String> {
    let text = Value::Object(attributes.clone()).to_string();
    validate::text("additional_attributes", &text)
        .map_err(|error| ApiError::invalid("additional_attributes", &error))?;
    Ok(text)
}

/// Creates a contact; with `inbox_id`, also its presence in that inbox, so
/// the contact can chat there through the public API with the answered
/// `source_id`.
async fn create(
    caller: Caller,
    State(state): State<AppState>,
    Path(account_id): Path<i64>,
    JsonBody(body): JsonBody<ContactBody>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let changes = ContactChanges::check(&body)?;
    let custom = body.custom_attributes.clone().unwrap_or_default();
    validate::custom_attribute_map(&custom)
        .map_err(|error| ApiError::invalid("custom_attributes", &error))?;
    let additional = check_additional(&body.additional_attributes.clone().unwrap_or_default())?;
    let inbox = match body.inbox_id {
        Some(inbox_id) => Some(Arc::new(
            super::inboxes::find(&state, account_id, inbox_id).await?,
        )),
        None => None,
    };
    if let Some(source_id) = &body.source_id {
        validate::short_string("source_id", source_id)
            .map_err(|error| ApiError::invalid("source_id", &error))?;
        if source_id.trim().is_empty() {
            return Err(ApiError::unprocessable(
                "source_id",
                "Source can't be blank",
            ));
        }
    }
    changes.check_unique(&state, account_id, 0).await?;
    let now = now_millis();
    let mut tx = state.db.write.begin().await?;
    let contact: ContactRow = sqlx::query_as(
        "INSERT INTO contacts (account_id, name, email, phone_number, identifier, avatar_url, custom_attributes, additional_attributes, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *",
    )
    .bind(account_id)
    .bind(changes.name.flatten())
    .bind(changes.email.flatten())
    .bind(changes.phone_number.flatten())
    .bind(changes.identifier.flatten())
    .bind(changes.avatar_url.flatten())
    .bind(Value::Object(custom).to_string())
    .bind(additional)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let contact_inbox = match &inbox {
        Some(inbox) => {
            if let Some(source_id) = &body.source_id {
                let taken: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM contact_inboxes WHERE inbox_id = $1 AND source_id = $2",
                )
                .bind(inbox.id)
                .bind(source_id)
                .fetch_optional(&mut *tx)
                .await?;
                if taken.is_some() {
                    return Err(ApiError::unprocessable(
                        "source_id",
                        "Source has already been taken",
                    ));
                }
            }
            let row: ContactInboxRow = sqlx::query_as(
                "INSERT INTO contact_inboxes (contact_id, inbox_id, source_id, pubsub_token, hmac_verified, created_at)
                 VALUES ($1, $2, $3, $4, FALSE, $5) RETURNING *",
            )
            .bind(contact.id)
            .bind(inbox.id)
            .bind(body.source_id.clone().unwrap_or_else(ids::token))
            .bind(ids::token())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            Some((row, inbox.clone()))
        }
        None => None,
    };
    tx.commit().await?;
    let inboxes: Vec<(ContactInboxRow, Arc<InboxRow>)> = contact_inbox.iter().cloned().collect();
    let contact_inbox_json = match &contact_inbox {
        Some((row, inbox)) => json!({
            "inbox": super::inboxes::inbox_json(inbox, caller.is_administrator()),
            "source_id": row.source_id,
        }),
        None => json!({"inbox": Value::Null, "source_id": Value::Null}),
    };
    Ok(Json(json!({
        "payload": {
            "contact": contact_json(&state, &contact, &inboxes),
            "contact_inbox": contact_inbox_json,
        },
    })))
}

/// `PUT` (or `PATCH`): the fields sent change; custom and additional
/// attributes are merged into what the contact has, as Chatwoot merges
/// them.
async fn update(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(body): JsonBody<ContactBody>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let contact = find(&state, account_id, id).await?;
    let changes = ContactChanges::check(&body)?;
    let mut custom = render::parse_map(&contact.custom_attributes);
    if let Some(update) = &body.custom_attributes {
        custom.extend(update.clone());
        validate::custom_attribute_map(&custom)
            .map_err(|error| ApiError::invalid("custom_attributes", &error))?;
    }
    let mut additional = render::parse_map(&contact.additional_attributes);
    if let Some(update) = &body.additional_attributes {
        additional.extend(update.clone());
    }
    let additional = check_additional(&additional)?;
    changes.check_unique(&state, account_id, contact.id).await?;
    let keep = |change: Change, current: &Option<String>| change.unwrap_or_else(|| current.clone());
    let updated: ContactRow = sqlx::query_as(
        "UPDATE contacts SET name = $1, email = $2, phone_number = $3, identifier = $4, avatar_url = $5,
             custom_attributes = $6, additional_attributes = $7, updated_at = $8
         WHERE id = $9 RETURNING *",
    )
    .bind(keep(changes.name, &contact.name))
    .bind(keep(changes.email, &contact.email))
    .bind(keep(changes.phone_number, &contact.phone_number))
    .bind(keep(changes.identifier, &contact.identifier))
    .bind(keep(changes.avatar_url, &contact.avatar_url))
    .bind(Value::Object(custom).to_string())
    .bind(additional)
    .bind(now_millis())
    .bind(contact.id)
    .fetch_one(&state.db.write)
    .await?;
    Ok(Json(
        json!({ "payload": one_json(&state, &updated).await? }),
    ))
}

/// The contact's latest 20 conversations, latest activity first.
async fn conversations(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let contact = find(&state, account_id, id).await?;
    let rows: Vec<ConversationRow> = sqlx::query_as(
        "SELECT * FROM conversations WHERE account_id = $1 AND contact_id = $2
         ORDER BY last_activity_at DESC, id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(contact.id)
    .bind(CONVERSATIONS_MAX)
    .fetch_all(&state.db.read)
    .await?;
    let mut payload = Vec::with_capacity(rows.len());
    for row in rows {
        let ctx: ConvCtx = super::context_of(&state, row).await?;
        let view = chat::conversation_view(&state, &ctx).await?;
        payload.push(render::push_conversation(&view, &state.base_url));
    }
    Ok(Json(json!({ "payload": payload })))
}
