//! Inboxes: list, show, create, update, and the agent bot that answers an
//! inbox first. Every inbox here is an API channel: the public API and the
//! widget reach it by its `inbox_identifier`.
//!
//! The public API caches inboxes, so every change ends with
//! `state.inboxes_changed()`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use ferrochat_core::Field;
use ferrochat_core::chatwoot::WorkingHours;
use ferrochat_core::validate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ACCOUNT, Caller};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json as JsonBody, Path};
use crate::ids;
use crate::render;
use crate::store::{self, AgentBotRow, InboxRow};
use crate::time::now_millis;

/// A caller-chosen `hmac_token` signs visitors' identities; shorter than
/// this it could be guessed. (Chatwoot generates 24 characters.)
const HMAC_TOKEN_MIN_CHARS: usize = 16;

/// What `channel_type` an API inbox has, as Chatwoot names the class.
const API_CHANNEL: &str = "Channel::Api";

pub(super) fn routes() -> Router<AppState> {
    // Chatwoot's OpenAPI file spells some of these with a trailing slash;
    // both spellings work.
    Router::new()
        .route(&format!("{ACCOUNT}/inboxes"), get(list).post(create))
        .route(&format!("{ACCOUNT}/inboxes/"), get(list).post(create))
        .route(
            &format!("{ACCOUNT}/inboxes/{{id}}"),
            get(show).patch(update),
        )
        .route(
            &format!("{ACCOUNT}/inboxes/{{id}}/"),
            get(show).patch(update),
        )
        .route(
            &format!("{ACCOUNT}/inboxes/{{id}}/agent_bot"),
            get(agent_bot),
        )
        .route(
            &format!("{ACCOUNT}/inboxes/{{id}}/set_agent_bot"),
            post(set_agent_bot),
        )
}

/// Chatwoot's inbox shape for an API channel. The `hmac_token` signs
/// visitors' identities, so only administrators see it, as in Chatwoot.
/// Website-widget fields exist in the shape and are null here.
pub(super) fn inbox_json(inbox: &InboxRow, administrator: bool) -> Value {
    let working_hours: Value =
        serde_json::from_str(&inbox.working_hours).unwrap_or_else(|_| json!([]));
    let mut value = json!({
        "id": inbox.id,
        "channel_id": inbox.id,
        "name": inbox.name,
        "channel_type": inbox.channel_type,
        "avatar_url": "",
        "website_url": Value::Null,
        "widget_color": Value::Null,
        "website_token": Value::Null,
        "web_widget_script": Value::Null,
        "welcome_title": Value::Null,
        "welcome_tagline": Value::Null,
        "enable_auto_assignment": false,
        "auto_assignment_config": {},
        "greeting_enabled": inbox.greeting_enabled,
        "greeting_message": inbox.greeting_message,
        "working_hours_enabled": inbox.working_hours_enabled,
        "working_hours": working_hours,
        "timezone": inbox.timezone,
        "out_of_office_message": inbox.out_of_office_message,
        "enable_email_collect": false,
        "csat_survey_enabled": inbox.csat_survey_enabled,
        "callback_webhook_url": Value::Null,
        "allow_messages_after_resolved": true,
        "lock_to_single_conversation": false,
        "sender_name_type": "friendly",
        "business_name": Value::Null,
        "hmac_mandatory": inbox.hmac_mandatory,
        "selected_feature_flags": [],
        "reply_time": inbox.reply_time,
        "messaging_service_sid": Value::Null,
        "phone_number": Value::Null,
        "medium": Value::Null,
        "provider": Value::Null,
        "webhook_url": inbox.webhook_url,
        "inbox_identifier": inbox.identifier,
        "additional_attributes": {},
    });
    if administrator && let Value::Object(map) = &mut value {
        map.insert("hmac_token".into(), json!(inbox.hmac_token));
    }
    value
}

/// An inbox of the account; 404 for another account's.
pub(super) async fn find(state: &AppState, account_id: i64, id: i64) -> ApiResult<InboxRow> {
    let inbox = store::inbox_by_id(&state.db.read, id).await?;
    if inbox.account_id == account_id {
        Ok(inbox)
    } else {
        Err(ApiError::NotFound)
    }
}

#[derive(Debug, Default, Deserialize)]
struct ChannelRequest {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    webhook_url: Field<String>,
    #[serde(default)]
    hmac_token: Option<String>,
    #[serde(default)]
    hmac_mandatory: Option<bool>,
}

/// Chatwoot's reply times, as the widget words them.
const REPLY_TIMES: [&str; 3] = ["in_a_few_minutes", "in_a_few_hours", "in_a_day"];

/// The create and update body; on update every field is optional.
#[derive(Debug, Default, Deserialize)]
struct InboxRequest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    greeting_enabled: Option<bool>,
    #[serde(default)]
    greeting_message: Field<String>,
    #[serde(default)]
    csat_survey_enabled: Option<bool>,
    #[serde(default)]
    working_hours_enabled: Option<bool>,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    working_hours: Option<Vec<WorkingHours>>,
    #[serde(default)]
    reply_time: Option<String>,
    #[serde(default)]
    out_of_office_message: Field<String>,
    #[serde(default)]
    channel: Option<ChannelRequest>,
}

/// The checked new values of an inbox's columns.
#[derive(Debug)]
struct InboxValues {
    name: String,
    greeting_enabled: bool,
    greeting_message: Option<String>,
    csat_survey_enabled: bool,
    working_hours_enabled: bool,
    timezone: String,
    working_hours: String,
    webhook_url: Option<String>,
    hmac_mandatory: bool,
    reply_time: String,
    out_of_office_message: Option<String>,
}

impl InboxValues {
    fn of(inbox: &InboxRow) -> Self {
        InboxValues {
            name: inbox.name.clone(),
            greeting_enabled: inbox.greeting_enabled,
            greeting_message: inbox.greeting_message.clone(),
            csat_survey_enabled: inbox.csat_survey_enabled,
            working_hours_enabled: inbox.working_hours_enabled,
            timezone: inbox.timezone.clone(),
            working_hours: inbox.working_hours.clone(),
            webhook_url: inbox.webhook_url.clone(),
            hmac_mandatory: inbox.hmac_mandatory,
            reply_time: inbox.reply_time.clone(),
            out_of_office_message: inbox.out_of_office_message.clone(),
        }
    }

    /// Applies and checks a request's fields over these values.
    fn apply(&mut self, request: &InboxRequest) -> ApiResult<()> {
        if let Some(name) = &request.name {
            let name = name.trim();
            if name.is_empty() {
                return Err(ApiError::unprocessable("name", "Name can't be blank"));
            }
            validate::short_string("name", name)
                .map_err(|error| ApiError::invalid("name", &error))?;
            self.name = name.to_owned();
        }
        if let Some(enabled) = request.greeting_enabled {
            self.greeting_enabled = enabled;
        }
        match &request.greeting_message {
            Field::Absent => {}
            Field::Null => self.greeting_message = None,
            Field::Value(message) => {
                validate::text("greeting_message", message)
                    .map_err(|error| ApiError::invalid("greeting_message", &error))?;
                self.greeting_message = Some(message.clone());
            }
        }
        if let Some(enabled) = request.csat_survey_enabled {
            self.csat_survey_enabled = enabled;
        }
        if let Some(enabled) = request.working_hours_enabled {
            self.working_hours_enabled = enabled;
        }
        if let Some(timezone) = &request.timezone {
            let timezone = timezone.trim();
            if timezone.is_empty() {
                return Err(ApiError::unprocessable(
                    "timezone",
                    "Timezone can't be blank",
                ));
            }
            validate::short_string("timezone", timezone)
                .map_err(|error| ApiError::invalid("timezone", &error))?;
            self.timezone = timezone.to_owned();
        }
        if let Some(days) = &request.working_hours {
            self.working_hours = working_hours(&self.working_hours, days)?;
        }
        if let Some(reply_time) = &request.reply_time {
            if !REPLY_TIMES.contains(&reply_time.as_str()) {
                return Err(ApiError::unprocessable(
                    "reply_time",
                    "Reply time must be in_a_few_minutes, in_a_few_hours or in_a_day",
                ));
            }
            self.reply_time = reply_time.clone();
        }
        match &request.out_of_office_message {
            Field::Absent => {}
            Field::Null => self.out_of_office_message = None,
            Field::Value(message) if message.trim().is_empty() => self.out_of_office_message = None,
            Field::Value(message) => {
                validate::text("out_of_office_message", message)
                    .map_err(|error| ApiError::invalid("out_of_office_message", &error))?;
                self.out_of_office_message = Some(message.clone());
            }
        }
        if let Some(channel) = &request.channel {
            match &channel.webhook_url {
                Field::Absent => {}
                Field::Null => self.webhook_url = None,
                Field::Value(url) if url.trim().is_empty() => self.webhook_url = None,
                Field::Value(url) => {
                    validate::safe_url(url)
                        .map_err(|error| ApiError::invalid("webhook_url", &error))?;
                    if !url.to_ascii_lowercase().starts_with("http") {
                        return Err(ApiError::unprocessable(
                            "webhook_url",
                            "Webhook url must be an http or https URL",
                        ));
                    }
                    self.webhook_url = Some(url.clone());
                }
            }
            if let Some(mandatory) = channel.hmac_mandatory {
                self.hmac_mandatory = mandatory;
            }
        }
        Ok(())
    }
}

/// Merges posted days into the stored seven, by `day_of_week`, checking the
/// hours and minutes.
fn working_hours(stored: &str, days: &[WorkingHours]) -> ApiResult<String> {
    let mut week: Vec<WorkingHours> = serde_json::from_str(stored).unwrap_or_default();
    if week.is_empty() {
        week = serde_json::from_str(&render::default_working_hours()).unwrap_or_default();
    }
    let invalid = |message: &str| ApiError::unprocessable("working_hours", message.to_owned());
    for day in days {
        if day.day_of_week > 6 {
            return Err(invalid("Day of week must be 0 (Sunday) to 6 (Saturday)"));
        }
        let hours_ok = [day.open_hour, day.close_hour]
            .iter()
            .flatten()
            .all(|hour| *hour <= 23);
        let minutes_ok = [day.open_minutes, day.close_minutes]
            .iter()
            .flatten()
            .all(|minutes| *minutes <= 59);
        if !hours_ok || !minutes_ok {
            return Err(invalid("Hours must be 0 to 23 and minutes 0 to 59"));
        }
        match week
            .iter_mut()
            .find(|known| known.day_of_week == day.day_of_week)
        {
            Some(known) => *known = day.clone(),
            None => week.push(day.clone()),
        }
    }
    week.sort_by_key(|day| day.day_of_week);
    Ok(serde_json::to_string(&week)?)
}

async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Path(account_id): Path<i64>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let inboxes: Vec<InboxRow> =
        sqlx::query_as("SELECT * FROM inboxes WHERE account_id = $1 ORDER BY id")
            .bind(account_id)
            .fetch_all(&state.db.read)
            .await?;
    let administrator = caller.is_administrator();
    let payload: Vec<Value> = inboxes
        .iter()
        .map(|inbox| inbox_json(inbox, administrator))
        .collect();
    Ok(Json(json!({ "payload": payload })))
}

async fn show(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let inbox = find(&state, account_id, id).await?;
    Ok(Json(inbox_json(&inbox, caller.is_administrator())))
}

async fn create(
    caller: Caller,
    State(state): State<AppState>,
    Path(account_id): Path<i64>,
    JsonBody(request): JsonBody<InboxRequest>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.administrator()?;
    let channel = request.channel.as_ref();
    match channel.and_then(|channel| channel.kind.as_deref()) {
        None | Some("api") => {}
        Some(other) => {
            return Err(ApiError::unprocessable(
                "channel",
                format!("Channel type {other} is not supported, only api"),
            ));
        }
    }
    if request.name.is_none() {
        return Err(ApiError::unprocessable("name", "Name can't be blank"));
    }
    let hmac_token = match channel.and_then(|channel| channel.hmac_token.as_deref()) {
        Some(token) => {
            validate::short_string("hmac_token", token)
                .map_err(|error| ApiError::invalid("hmac_token", &error))?;
            if token.chars().count() < HMAC_TOKEN_MIN_CHARS || token.contains(char::is_whitespace) {
                return Err(ApiError::unprocessable(
                    "hmac_token",
                    format!(
                        "Hmac token must be at least {HMAC_TOKEN_MIN_CHARS} characters without spaces"
                    ),
                ));
            }
            token.to_owned()
        }
        None => ids::token(),
    };
    let mut values = InboxValues {
        name: String::new(),
        greeting_enabled: false,
        greeting_message: None,
        csat_survey_enabled: false,
        working_hours_enabled: false,
        timezone: "UTC".to_owned(),
        working_hours: render::default_working_hours(),
        webhook_url: None,
        hmac_mandatory: false,
        reply_time: REPLY_TIMES[0].to_owned(),
        out_of_office_message: None,
    };
    values.apply(&request)?;
    let inbox: InboxRow = sqlx::query_as(
        "INSERT INTO inboxes (account_id, name, identifier, channel_type, webhook_url, hmac_token, hmac_mandatory,
             timezone, working_hours_enabled, working_hours, csat_survey_enabled, greeting_enabled, greeting_message, created_at,
             reply_time, out_of_office_message)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING *",
    )
    .bind(account_id)
    .bind(&values.name)
    .bind(ids::token())
    .bind(API_CHANNEL)
    .bind(&values.webhook_url)
    .bind(&hmac_token)
    .bind(values.hmac_mandatory)
    .bind(&values.timezone)
    .bind(values.working_hours_enabled)
    .bind(&values.working_hours)
    .bind(values.csat_survey_enabled)
    .bind(values.greeting_enabled)
    .bind(&values.greeting_message)
    .bind(now_millis())
    .bind(&values.reply_time)
    .bind(&values.out_of_office_message)
    .fetch_one(&state.db.write)
    .await?;
    state.inboxes_changed();
    Ok(Json(inbox_json(&inbox, true)))
}

async fn update(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(request): JsonBody<InboxRequest>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.administrator()?;
    let inbox = find(&state, account_id, id).await?;
    let mut values = InboxValues::of(&inbox);
    values.apply(&request)?;
    let inbox: InboxRow = sqlx::query_as(
        "UPDATE inboxes SET name = $1, greeting_enabled = $2, greeting_message = $3, csat_survey_enabled = $4,
             working_hours_enabled = $5, timezone = $6, working_hours = $7, webhook_url = $8, hmac_mandatory = $9,
             reply_time = $10, out_of_office_message = $11
         WHERE id = $12 RETURNING *",
    )
    .bind(&values.name)
    .bind(values.greeting_enabled)
    .bind(&values.greeting_message)
    .bind(values.csat_survey_enabled)
    .bind(values.working_hours_enabled)
    .bind(&values.timezone)
    .bind(&values.working_hours)
    .bind(&values.webhook_url)
    .bind(values.hmac_mandatory)
    .bind(&values.reply_time)
    .bind(&values.out_of_office_message)
    .bind(inbox.id)
    .fetch_one(&state.db.write)
    .await?;
    state.inboxes_changed();
    Ok(Json(inbox_json(&inbox, true)))
}

/// Chatwoot's `agent_bot` shape. The bot's token is its credential, so only
/// administrators see it.
fn agent_bot_json(bot: &AgentBotRow, administrator: bool) -> Value {
    let mut value = json!({
        "id": bot.id,
        "name": bot.name,
        "description": bot.description,
        "thumbnail": "",
        "outgoing_url": bot.outgoing_url,
        "bot_type": "webhook",
        "bot_config": {},
        "account_id": bot.account_id,
        "system_bot": false,
    });
    if administrator && let Value::Object(map) = &mut value {
        map.insert("access_token".into(), json!(bot.access_token));
    }
    value
}

/// `{"agent_bot": bot}`, or `{"agent_bot": null}` when the inbox has none.
async fn agent_bot(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    caller.check_account(account_id)?;
    caller.user()?;
    let inbox = find(&state, account_id, id).await?;
    let bot = match inbox.agent_bot_id {
        Some(bot_id) => store::agent_bot(&state.db.read, bot_id).await.ok(),
        None => None,
    };
    let bot = bot
        .filter(|bot| bot.account_id == account_id)
        .map(|bot| agent_bot_json(&bot, caller.is_administrator()));
    Ok(Json(json!({ "agent_bot": bot })))
}

#[derive(Debug, Default, Deserialize)]
struct SetAgentBot {
    /// The bot's id; null (or absent) removes the inbox's bot.
    #[serde(default)]
    agent_bot: Option<i64>,
}

/// Sets or removes the bot that answers new conversations first. Answers
/// an empty 200, as Chatwoot does.
async fn set_agent_bot(
    caller: Caller,
    State(state): State<AppState>,
    Path((account_id, id)): Path<(i64, i64)>,
    JsonBody(request): JsonBody<SetAgentBot>,
) -> ApiResult<StatusCode> {
    caller.check_account(account_id)?;
    caller.administrator()?;
    let inbox = find(&state, account_id, id).await?;
    if let Some(bot_id) = request.agent_bot {
        let bot = store::agent_bot(&state.db.read, bot_id).await?;
        if bot.account_id != account_id {
            return Err(ApiError::NotFound);
        }
    }
    sqlx::query("UPDATE inboxes SET agent_bot_id = $1 WHERE id = $2")
        .bind(request.agent_bot)
        .bind(inbox.id)
        .execute(&state.db.write)
        .await?;
    state.inboxes_changed();
    Ok(StatusCode::OK)
}
