//! Webex Connect's (imi.chat) chats API over the inbox's own store, so that
//! code written for it works against ferrochat: a conversation started in
//! the widget is also an imi chat, and an imi message posted for a chat
//! reaches the widget in real time.
//!
//! - `POST /v3.1/chats`: create a chat (and queue it for the header's team);
//! - `GET /v3.1/chats`, `?page=`: every chat of the account, newest first,
//!   10 a page;
//! - `GET /v3.1/chats/{chat_id}`: one chat with its messages;
//! - `POST /v3.1/chats/{chat_id}/messages`: one imi message for a chat
//!   (ferrochat's route: the seeds name none for it);
//! - `POST /v3.0/chats/search`, `?page=`: chats matching conditions
//!   (`ferrochat_core::imi::SearchRequest` documents the body).
//!
//! Every answer is the envelope `{status_code, description, response}` with
//! the seeds' HTTP status for its code. Headers: `Authorization`, an agent's
//! or bot's access token (as the application API's `api_access_token`,
//! with or without `Bearer `), and `teamid`, a team of its account.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::StatusCode as HttpStatus;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ferrochat_core::Map;
use ferrochat_core::chatwoot::{ConversationStatus, MessageType, SubmittedValues};
use ferrochat_core::content::{Content, InputSelect, TextAttributes};
use ferrochat_core::imi::{
    Channel, ChatRequest, ControlBody, Direction, Envelope, ImiMessage, SearchRequest, StatusCode,
};
use ferrochat_core::quick_replies;
use ferrochat_core::validate;
use serde_json::{Value, json};

use crate::AppState;
use crate::chat::{self, Author, ConvCtx, NewMessage};
use crate::error::ApiError;
use crate::events::Typist;
use crate::ids;
use crate::store::{self, AgentBotRow, ContactInboxRow, ContactRow, UserRow};
use crate::time::now_millis;

mod view;

use view::{CORRELATION_ID, ChatRecord, ChatRow, IMI_KEY, REQUEST_IDENTIFIER, chat_select};

/// Chats per page of the list and the search.
const PAGE_SIZE: usize = 10;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v3.1/chats",
            get(list).post(create).fallback(method_not_allowed),
        )
        .route(
            "/v3.1/chats/{chat_id}",
            get(show).fallback(method_not_allowed),
        )
        .route(
            "/v3.1/chats/{chat_id}/messages",
            post(append).fallback(method_not_allowed),
        )
        .route(
            "/v3.0/chats/search",
            post(search).fallback(method_not_allowed),
        )
}

/// A refusal or failure, answered in the envelope with its code's status.
#[derive(Debug)]
pub(crate) struct ImiError {
    code: StatusCode,
    description: String,
}

impl ImiError {
    fn new(code: StatusCode) -> ImiError {
        ImiError {
            code,
            description: code.description().to_owned(),
        }
    }

    fn with(code: StatusCode, description: impl Into<String>) -> ImiError {
        ImiError {
            code,
            description: description.into(),
        }
    }
}

impl From<ApiError> for ImiError {
    fn from(error: ApiError) -> ImiError {
        match error {
            ApiError::NotFound => ImiError::new(StatusCode::ChatNotFound),
            ApiError::Client { body, .. } => {
                ImiError::with(StatusCode::RequestInvalid, body.describe())
            }
            ApiError::Internal(error) => {
                tracing::error!("imi api: {error}");
                ImiError::new(StatusCode::InternalError)
            }
        }
    }
}

impl From<sqlx::Error> for ImiError {
    fn from(error: sqlx::Error) -> ImiError {
        ApiError::from(error).into()
    }
}

impl IntoResponse for ImiError {
    fn into_response(self) -> Response {
        let status = HttpStatus::from_u16(self.code.http_status())
            .unwrap_or(HttpStatus::INTERNAL_SERVER_ERROR);
        (status, Json(Envelope::error(self.code, self.description))).into_response()
    }
}

type ImiResult<T> = Result<T, ImiError>;

/// A success in the envelope.
fn ok<T: serde::Serialize>(code: StatusCode, response: T) -> Response {
    Json(Envelope::new(code, response)).into_response()
}

async fn method_not_allowed() -> ImiError {
    ImiError::new(StatusCode::MethodNotAllowed)
}

/// Who calls, for which team.
#[derive(Clone, Debug)]
pub(crate) struct ImiCaller {
    account_id: i64,
    team_id: i64,
    author: Author,
    user: Option<UserRow>,
}

impl FromRequestParts<AppState> for ImiCaller {
    type Rejection = ImiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ImiResult<ImiCaller> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
                .filter(|value| !value.is_empty())
        };
        let (Some(token), Some(team)) = (header("authorization"), header("teamid")) else {
            return Err(ImiError::new(StatusCode::MissingHeader));
        };
        let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
        let user: Option<UserRow> = sqlx::query_as("SELECT * FROM users WHERE access_token = $1")
            .bind(token)
            .fetch_optional(&state.db.read)
            .await?;
        let (account_id, author) = match &user {
            Some(user) => (user.account_id, Author::User(user.clone())),
            None => {
                let bot: Option<AgentBotRow> =
                    sqlx::query_as("SELECT * FROM agent_bots WHERE access_token = $1")
                        .bind(token)
                        .fetch_optional(&state.db.read)
                        .await?;
                let bot = bot.ok_or_else(|| ImiError::new(StatusCode::InvalidAccessToken))?;
                (bot.account_id, Author::Bot(bot))
            }
        };
        let team_id: Option<i64> = match team.parse::<i64>() {
            Ok(id) => {
                sqlx::query_scalar("SELECT id FROM teams WHERE id = $1 AND account_id = $2")
                    .bind(id)
                    .bind(account_id)
                    .fetch_optional(&state.db.read)
                    .await?
            }
            Err(_) => None,
        };
        let team_id = team_id.ok_or_else(|| ImiError::new(StatusCode::UnknownTeam))?;
        Ok(ImiCaller {
            account_id,
            team_id,
            author,
            user,
        })
    }
}

// ------------------------------------------------------------------ reading

/// Every chat of the account, newest first: two queries, the chats and
/// their labels.
async fn chats(state: &AppState, account_id: i64) -> ImiResult<Vec<ChatRecord>> {
    let rows: Vec<ChatRow> = sqlx::query_as(concat!(
        chat_select!(),
        " ORDER BY c.created_at DESC, c.id DESC"
    ))
    .bind(account_id)
    .fetch_all(&state.db.read)
    .await?;
    let labels: Vec<(i64, String)> = sqlx::query_as(
        "SELECT l.conversation_id, l.label FROM conversation_labels l
         JOIN conversations c ON c.id = l.conversation_id
         WHERE c.account_id = $1 ORDER BY l.label",
    )
    .bind(account_id)
    .fetch_all(&state.db.read)
    .await?;
    let mut by_chat: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for (conversation, label) in labels {
        by_chat.entry(conversation).or_default().push(label);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let tags = by_chat.remove(&row.id).unwrap_or_default();
            ChatRecord::new(row, tags)
        })
        .collect())
}

/// One chat by its `chat_id`; 2031 if the account has none.
async fn chat(state: &AppState, account_id: i64, chat_id: &str) -> ImiResult<ChatRecord> {
    let row: Option<ChatRow> = sqlx::query_as(concat!(chat_select!(), " AND c.uuid = $2"))
        .bind(account_id)
        .bind(chat_id)
        .fetch_optional(&state.db.read)
        .await?;
    let row = row.ok_or_else(|| ImiError::new(StatusCode::ChatNotFound))?;
    let tags: Vec<String> = sqlx::query_scalar(
        "SELECT label FROM conversation_labels WHERE conversation_id = $1 ORDER BY label",
    )
    .bind(row.id)
    .fetch_all(&state.db.read)
    .await?;
    Ok(ChatRecord::new(row, tags))
}

/// A chat with its messages, in the detail view.
async fn detail(state: &AppState, record: &ChatRecord) -> ImiResult<Value> {
    let rows: Vec<store::MessageRow> =
        sqlx::query_as("SELECT * FROM messages WHERE conversation_id = $1 ORDER BY id")
            .bind(record.row.id)
            .fetch_all(&state.db.read)
            .await?;
    let views = chat::message_views(state, rows, record.row.display_id).await?;
    let livechat = record.channel() == Channel::Livechat;
    let messages = view::messages(&views, &state.base_url, livechat);
    Ok(serde_json::to_value(record.chat(messages)).map_err(ApiError::from)?)
}

/// The 1-based page a query string asks for (`page=`); 3115 for one that
/// is not a number. Read by hand, so that no query is refused outside the
/// envelope.
fn page(query: Option<&str>) -> ImiResult<usize> {
    let asked = query.unwrap_or("").split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == "page").then_some(value)
    });
    match asked.map(str::trim) {
        None | Some("") => Ok(1),
        Some(text) => text.parse::<usize>().map(|page| page.max(1)).map_err(|_| {
            ImiError::with(
                StatusCode::RequestInvalid,
                format!("page `{text}` is not a page number"),
            )
        }),
    }
}

/// Page `page` of `records` in the list view.
fn paged(records: &[ChatRecord], page: usize) -> Vec<Value> {
    records
        .iter()
        .skip((page - 1).saturating_mul(PAGE_SIZE))
        .take(PAGE_SIZE)
        .filter_map(|record| serde_json::to_value(record.summary()).ok())
        .collect()
}

async fn list(
    State(state): State<AppState>,
    caller: ImiCaller,
    RawQuery(query): RawQuery,
) -> ImiResult<Response> {
    let page = page(query.as_deref())?;
    let records = chats(&state, caller.account_id)
        .await
        .map_err(|error| internal_as(error, StatusCode::ChatListUnavailable))?;
    Ok(ok(StatusCode::ChatListRetrieved, paged(&records, page)))
}

async fn show(
    State(state): State<AppState>,
    caller: ImiCaller,
    Path(chat_id): Path<String>,
) -> ImiResult<Response> {
    let record = chat(&state, caller.account_id, &chat_id).await?;
    let chat = detail(&state, &record)
        .await
        .map_err(|error| internal_as(error, StatusCode::ChatDetailsUnavailable))?;
    Ok(ok(StatusCode::ChatDetailsRetrieved, chat))
}

async fn search(
    State(state): State<AppState>,
    caller: ImiCaller,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> ImiResult<Response> {
    let search = SearchRequest::parse(&body)
        .map_err(|error| ImiError::with(error.code, error.description))?;
    let page = page(query.as_deref())?;
    let records: Vec<ChatRecord> = chats(&state, caller.account_id)
        .await
        .map_err(|error| internal_as(error, StatusCode::ChatListUnavailable))?
        .into_iter()
        .filter(|record| record.matches(&search))
        .collect();
    Ok(ok(StatusCode::ChatListRetrieved, paged(&records, page)))
}

/// A server failure reading a list or a chat, under that route's own code.
fn internal_as(error: ImiError, code: StatusCode) -> ImiError {
    if error.code == StatusCode::InternalError {
        ImiError::new(code)
    } else {
        error
    }
}

// ------------------------------------------------------------------ writing

/// A JSON object body; 3114 for none, 3115 for anything else.
fn object(body: &Bytes) -> ImiResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ImiError::new(StatusCode::RequestBodyMissing));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(ImiError::with(
            StatusCode::RequestInvalid,
            "Request is invalid: the body is not a JSON object",
        )),
    }
}

fn invalid(what: impl std::fmt::Display) -> ImiError {
    ImiError::with(
        StatusCode::RequestInvalid,
        format!("Request is invalid: {what}"),
    )
}

/// An imi message from a request: its `timestamp` may be left out (now).
fn imi_message(mut value: Value) -> ImiResult<ImiMessage> {
    if let Value::Object(object) = &mut value
        && !object.contains_key("timestamp")
    {
        let now =
            ferrochat_core::time::UtcMillis::from_unix_millis(now_millis()).unwrap_or_default();
        object.insert(
            "timestamp".into(),
            serde_json::to_value(now).map_err(ApiError::from)?,
        );
    }
    serde_json::from_value(value).map_err(|error| invalid(format!("a message: {error}")))
}

async fn create(
    State(state): State<AppState>,
    caller: ImiCaller,
    body: Bytes,
) -> ImiResult<Response> {
    let mut body = object(&body)?;
    let messages = match body
        .as_object_mut()
        .and_then(|body| body.remove("messages"))
    {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(messages)) => messages
            .into_iter()
            .map(|message| imi_message(message).and_then(plan))
            .collect::<ImiResult<Vec<_>>>()?,
        Some(_) => return Err(invalid("`messages` must be a list")),
    };
    check_answers(&messages)?;
    let request: ChatRequest = serde_json::from_value(body).map_err(invalid)?;
    if !matches!(request.channel, Channel::Livechat | Channel::Api) {
        return Err(invalid(format!(
            "channel `{}` is not served here: livechat and api chats are",
            serde_json::to_value(&request.channel)
                .unwrap_or_default()
                .as_str()
                .unwrap_or("")
        )));
    }
    let destination = request.customer.destination_id.trim().to_owned();
    if destination.is_empty() {
        return Err(invalid("customer.destination_id is empty"));
    }
    validate::short_string("customer.destination_id", &destination).map_err(invalid)?;
    if let Some(name) = &request.customer.name {
        validate::name(name).map_err(invalid)?;
    }
    let labels = crate::agent_api::clean_labels(&request.tag)?;
    let inbox_id = match &request.asset.id {
        ferrochat_core::imi::AssetId::Number(id) => i64::try_from(*id).ok(),
        ferrochat_core::imi::AssetId::Text(text) => text.parse().ok(),
    };
    let inbox = match inbox_id {
        Some(id) => match store::inbox_by_id(&state.db.read, id).await {
            Ok(inbox) => Some(inbox),
            Err(ApiError::NotFound) => None,
            Err(error) => return Err(error.into()),
        },
        None => None,
    }
    .filter(|inbox| inbox.account_id == caller.account_id)
    .ok_or_else(|| invalid("asset.id is not an inbox of this account"))?;

    // Everything the request says is checked: from here on it is written.
    let (contact, contact_inbox) = customer(
        &state,
        &inbox,
        &destination,
        request.customer.name.as_deref(),
    )
    .await?;
    let imi = json!({
        "channel": request.channel,
        "destination_id": destination,
        "alias_id": request.alias_id,
        "subject": request.subject,
        "thread_id": request.thread_id,
        "route_params": request.route_params,
        "other_details": request.other_details,
    });
    let setup = chat::ConversationSetup {
        additional_attributes: Map::from_iter([(IMI_KEY.to_owned(), imi)]),
        team_id: Some(caller.team_id),
        labels,
        ..chat::ConversationSetup::default()
    };
    let ctx =
        chat::create_conversation(&state, Arc::new(inbox), contact, contact_inbox, setup).await?;
    for plan in messages {
        // Each message sees what the one before did (a close, a reopen).
        let ctx = chat::context(&state, ctx.conversation.id).await?;
        carry_out(&state, &caller, &ctx, plan).await?;
    }
    let record = chat(&state, caller.account_id, &ctx.conversation.uuid).await?;
    Ok(ok(
        StatusCode::ChatDetailsRetrieved,
        detail(&state, &record).await?,
    ))
}

/// The first messages of a new chat answer only quick replies offered
/// before them in the same list, each once and with one of their options:
/// checked before anything is written.
fn check_answers(plans: &[Plan]) -> ImiResult<()> {
    let mut offered: Vec<(&str, &InputSelect, bool)> = Vec::new();
    for plan in plans {
        match plan {
            Plan::Store {
                kind: Content::InputSelect(select),
                ..
            } => {
                let identifier = select
                    .extra
                    .get(REQUEST_IDENTIFIER)
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if offered.iter().any(|(known, _, _)| *known == identifier) {
                    return Err(invalid(format!(
                        "request_identifier `{identifier}` is used twice"
                    )));
                }
                offered.push((identifier, select, false));
            }
            Plan::Answer(response) => {
                let Some((_, select, answered)) = offered
                    .iter_mut()
                    .find(|(known, _, _)| *known == response.request_identifier)
                else {
                    return Err(invalid(format!(
                        "no quick replies with request_identifier `{}`",
                        response.request_identifier
                    )));
                };
                if *answered {
                    return Err(invalid("these quick replies were already answered"));
                }
                quick_replies::submitted_from_response(response, select).map_err(invalid)?;
                *answered = true;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The contact at `destination` in `inbox`, made if there is none. Its
/// contact inbox gets a random `source_id` (the public API's credential);
/// the address is kept in `imi_customers`.
async fn customer(
    state: &AppState,
    inbox: &store::InboxRow,
    destination: &str,
    name: Option<&str>,
) -> ImiResult<(ContactRow, ContactInboxRow)> {
    let mut tx = state.db.write.begin().await?;
    let existing: Option<ContactInboxRow> = sqlx::query_as(
        "SELECT ci.* FROM imi_customers m JOIN contact_inboxes ci ON ci.id = m.contact_inbox_id
         WHERE m.inbox_id = $1 AND m.destination_id = $2",
    )
    .bind(inbox.id)
    .bind(destination)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(contact_inbox) = existing {
        let contact = store::contact(&mut *tx, contact_inbox.contact_id).await?;
        tx.commit().await?;
        return Ok((contact, contact_inbox));
    }
    let now = now_millis();
    let contact: ContactRow = sqlx::query_as(
        "INSERT INTO contacts (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING *",
    )
    .bind(inbox.account_id)
    .bind(name.map(str::trim).filter(|name| !name.is_empty()))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let contact_inbox: ContactInboxRow = sqlx::query_as(
        "INSERT INTO contact_inboxes (contact_id, inbox_id, source_id, pubsub_token, hmac_verified, created_at)
         VALUES ($1, $2, $3, $4, FALSE, $5) RETURNING *",
    )
    .bind(contact.id)
    .bind(inbox.id)
    .bind(ids::token())
    .bind(ids::token())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO imi_customers (inbox_id, destination_id, contact_inbox_id) VALUES ($1, $2, $3)",
    )
    .bind(inbox.id)
    .bind(destination)
    .bind(contact_inbox.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((contact, contact_inbox))
}

async fn append(
    State(state): State<AppState>,
    caller: ImiCaller,
    Path(chat_id): Path<String>,
    body: Bytes,
) -> ImiResult<Response> {
    let plan = plan(imi_message(object(&body)?)?)?;
    let record = chat(&state, caller.account_id, &chat_id).await?;
    let ctx = chat::context(&state, record.row.id).await?;
    carry_out(&state, &caller, &ctx, plan).await?;
    let record = chat(&state, caller.account_id, &chat_id).await?;
    Ok(ok(
        StatusCode::ChatDetailsRetrieved,
        detail(&state, &record).await?,
    ))
}

/// What an imi message does to a conversation, decided before anything is
/// written (so that a chat with one bad message is not made at all).
enum Plan {
    /// imi's typing or close signal, from this side.
    Control(ControlBody, Direction),
    /// The customer's answer to quick replies.
    Answer(ferrochat_core::imi::QuickReplyResponse),
    /// A message to store.
    Store {
        direction: Direction,
        content: String,
        kind: Content,
    },
}

/// One imi message, checked:
/// - outbound: from the caller; quick replies become an `input_select`
///   under their `request_identifier`, and the correlation id is kept;
/// - inbound: from the contact; a `quick_reply_response` answers the quick
///   replies it names (their `submitted_values`), as the widget's choice
///   would;
/// - imi's control bodies act instead of being stored: typing is a typing
///   event, close resolves the conversation;
/// - an attachment by URL is written into the text as a link (the server
///   stores only files it was sent).
fn plan(message: ImiMessage) -> ImiResult<Plan> {
    if !matches!(message.direction, Direction::Inbound | Direction::Outbound) {
        return Err(invalid("a message's type is inbound or outbound"));
    }
    if let Some(control) = message.control() {
        return Ok(Plan::Control(control, message.direction));
    }
    if let Some(response) = message.quick_reply_response {
        if message.direction != Direction::Inbound {
            return Err(invalid("a quick_reply_response is inbound"));
        }
        if response.options.is_empty() {
            return Err(invalid("quick_reply_response.options is empty"));
        }
        return Ok(Plan::Answer(response));
    }
    let mut text = message.text.clone().unwrap_or_default();
    if let Some(attachment) = &message.attachment {
        validate::safe_url(&attachment.url).map_err(invalid)?;
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&attachment.url);
    }
    let correlation = message
        .delivery_details
        .as_ref()
        .map(|details| Value::String(details.correlation_id.clone()));
    let kind = match &message.quick_replies {
        Some(offered) => {
            if message.direction != Direction::Outbound {
                return Err(invalid("quick_replies are outbound"));
            }
            if offered.options.is_empty() || offered.request_identifier.trim().is_empty() {
                return Err(invalid(
                    "quick_replies need a request_identifier and options",
                ));
            }
            let mut select = quick_replies::input_select_from_imi(offered);
            select.extra.insert(
                REQUEST_IDENTIFIER.into(),
                Value::String(offered.request_identifier.clone()),
            );
            if let Some(correlation) = correlation {
                select.extra.insert(CORRELATION_ID.into(), correlation);
            }
            Content::InputSelect(select)
        }
        None => {
            if text.trim().is_empty() {
                return Err(invalid(
                    "the message has no text, attachment or quick replies",
                ));
            }
            let mut attributes = TextAttributes::default();
            if let Some(correlation) = correlation {
                attributes
                    .attributes
                    .insert(CORRELATION_ID.into(), correlation);
            }
            Content::Text(attributes)
        }
    };
    if !text.is_empty() {
        validate::content(&text).map_err(invalid)?;
    }
    validate::content_attributes(&kind).map_err(invalid)?;
    Ok(Plan::Store {
        direction: message.direction,
        content: text,
        kind,
    })
}

/// Carries out a [`plan`] on a conversation.
async fn carry_out(
    state: &AppState,
    caller: &ImiCaller,
    ctx: &ConvCtx,
    plan: Plan,
) -> ImiResult<()> {
    let author = |direction: &Direction| match direction {
        Direction::Inbound => Author::Contact(ctx.contact.clone()),
        _ => caller.author.clone(),
    };
    match plan {
        Plan::Control(ControlBody::Typing, direction) => {
            let typist = match (&direction, &caller.user) {
                (Direction::Inbound, _) => Typist::Contact(ctx.contact.clone()),
                (_, Some(user)) => Typist::User(user.clone()),
                _ => return Ok(()),
            };
            chat::typing(state, ctx, typist, true, false).await?;
        }
        Plan::Control(ControlBody::CloseChat, direction) => {
            chat::set_status(
                state,
                ctx,
                ConversationStatus::Resolved,
                &author(&direction),
            )
            .await?;
        }
        Plan::Control(..) => {}
        Plan::Answer(response) => answer(state, ctx, &response).await?,
        Plan::Store {
            direction,
            content,
            kind,
        } => {
            if let Content::InputSelect(select) = &kind {
                let identifier = select
                    .extra
                    .get(REQUEST_IDENTIFIER)
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if offer(state, ctx, identifier).await?.is_some() {
                    return Err(invalid(format!(
                        "request_identifier `{identifier}` was already used in this chat"
                    )));
                }
            }
            let message_type = if direction == Direction::Inbound {
                MessageType::Incoming
            } else {
                MessageType::Outgoing
            };
            let new = NewMessage {
                message_type,
                content: Some(content).filter(|content| !content.is_empty()),
                kind,
                private: false,
                echo_id: None,
                files: Vec::new(),
            };
            chat::create_message(state, ctx, &author(&direction), new).await?;
        }
    }
    Ok(())
}

/// The visitor's answer to quick replies the conversation offered.
/// The quick replies the conversation offered the visitor under
/// `identifier` (private notes are not offers).
async fn offer(
    state: &AppState,
    ctx: &ConvCtx,
    identifier: &str,
) -> ImiResult<Option<(store::MessageRow, Map)>> {
    let rows: Vec<store::MessageRow> = sqlx::query_as(
        "SELECT * FROM messages WHERE conversation_id = $1 AND content_type = 'input_select'
         AND private = FALSE ORDER BY id DESC",
    )
    .bind(ctx.conversation.id)
    .fetch_all(&state.db.read)
    .await?;
    Ok(rows.into_iter().find_map(|row| {
        let attributes = crate::render::parse_map(&row.content_attributes);
        (view::request_identifier(&attributes, row.id) == identifier).then_some((row, attributes))
    }))
}

async fn answer(
    state: &AppState,
    ctx: &ConvCtx,
    response: &ferrochat_core::imi::QuickReplyResponse,
) -> ImiResult<()> {
    let Some((row, attributes)) = offer(state, ctx, &response.request_identifier).await? else {
        return Err(invalid(format!(
            "no quick replies with request_identifier `{}`",
            response.request_identifier
        )));
    };
    let Ok(Content::InputSelect(select)) = Content::from_parts("input_select", attributes) else {
        return Err(ImiError::new(StatusCode::InternalError));
    };
    if select.submitted_values.is_some() {
        return Err(invalid("these quick replies were already answered"));
    }
    let values = quick_replies::submitted_from_response(response, &select).map_err(invalid)?;
    chat::submit(state, ctx, row, SubmittedValues::Items(values)).await?;
    Ok(())
}
