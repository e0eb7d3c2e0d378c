//! The inbox's operations, shared by the public API, the agent API and the
//! bots: each writes in one transaction and then emits its events.

use std::sync::Arc;

use ferrochat_core::Map;
use ferrochat_core::chatwoot::{ConversationStatus, MessageType, SubmittedValues};
use ferrochat_core::content::{Content, CsatRequest};
use serde_json::{Value, json};

use crate::AppState;
use crate::attachments::StoredFile;
use crate::error::{ApiError, ApiResult};
use crate::events::{Event, MessageEvent, Typist};
use crate::ids;
use crate::render::{ConversationView, MessageView};
use crate::store::{
    self, AgentBotRow, AttachmentRow, ContactInboxRow, ContactRow, ConversationRow, InboxRow,
    MessageRow, SenderRow, UserRow,
};
use crate::time::now_millis;

/// A conversation with its contact and inbox: what every operation needs.
#[derive(Clone, Debug)]
pub(crate) struct ConvCtx {
    pub conversation: ConversationRow,
    pub contact: ContactRow,
    pub contact_inbox: ContactInboxRow,
    pub inbox: Arc<InboxRow>,
}

/// Who does something.
#[derive(Clone, Debug)]
pub(crate) enum Author {
    Contact(ContactRow),
    User(UserRow),
    Bot(AgentBotRow),
    /// The server itself (activity and CSAT messages).
    System,
}

impl Author {
    fn sender_columns(&self) -> (Option<&'static str>, Option<i64>) {
        match self {
            Author::Contact(contact) => (Some("Contact"), Some(contact.id)),
            Author::User(user) => (Some("User"), Some(user.id)),
            Author::Bot(bot) => (Some("AgentBot"), Some(bot.id)),
            Author::System => (None, None),
        }
    }

    fn sender_row(&self) -> Option<SenderRow> {
        match self {
            Author::Contact(contact) => Some(SenderRow::Contact(contact.clone())),
            Author::User(user) => Some(SenderRow::User(user.clone())),
            Author::Bot(bot) => Some(SenderRow::Bot(bot.clone())),
            Author::System => None,
        }
    }

    fn name(&self) -> String {
        match self {
            Author::Contact(contact) => contact.name.clone().unwrap_or_else(|| "Contact".into()),
            Author::User(user) => crate::render::available_name(user),
            Author::Bot(bot) => bot.name.clone(),
            Author::System => "System".into(),
        }
    }
}

/// A message to create. Its content has been validated by the caller.
#[derive(Clone, Debug)]
pub(crate) struct NewMessage {
    pub message_type: MessageType,
    pub content: Option<String>,
    pub kind: Content,
    pub private: bool,
    pub echo_id: Option<String>,
    pub files: Vec<StoredFile>,
}

impl NewMessage {
    pub(crate) fn text(message_type: MessageType, content: impl Into<String>) -> Self {
        NewMessage {
            message_type,
            content: Some(content.into()),
            kind: Content::default(),
            private: false,
            echo_id: None,
            files: Vec::new(),
        }
    }
}

/// Loads a conversation's context by its row id.
pub(crate) async fn context(state: &AppState, conversation_id: i64) -> ApiResult<ConvCtx> {
    let conversation = store::conversation(&state.db.read, conversation_id).await?;
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

/// Attachments and sender for each message, in the given order.
pub(crate) async fn message_views(
    state: &AppState,
    rows: Vec<MessageRow>,
    display_id: i64,
) -> ApiResult<Vec<MessageView>> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut attachments = store::attachments(&state.db.read, &ids).await?;
    let mut conn = state.db.read.acquire().await?;
    let mut senders: Vec<((String, i64), SenderRow)> = Vec::new();
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let sender = match (&row.sender_type, row.sender_id) {
            (Some(kind), Some(id)) => {
                let key = (kind.clone(), id);
                match senders.iter().find(|(known, _)| *known == key) {
                    Some((_, sender)) => Some(sender.clone()),
                    None => {
                        let sender = store::sender(&mut conn, Some(kind), Some(id))
                            .await
                            .ok()
                            .flatten();
                        if let Some(sender) = &sender {
                            senders.push((key, sender.clone()));
                        }
                        sender
                    }
                }
            }
            _ => None,
        };
        let (mine, rest): (Vec<_>, Vec<_>) = attachments
            .into_iter()
            .partition(|attachment| attachment.message_id == row.id);
        attachments = rest;
        views.push(MessageView {
            message: row,
            attachments: mine,
            sender,
            display_id,
        });
    }
    Ok(views)
}

pub(crate) async fn conversation_view(
    state: &AppState,
    ctx: &ConvCtx,
) -> ApiResult<ConversationView> {
    let assignee = match ctx.conversation.assignee_id {
        Some(id) => store::user(&state.db.read, id).await.ok(),
        None => None,
    };
    let labels = store::labels(&state.db.read, ctx.conversation.id).await?;
    let last: Option<MessageRow> = sqlx::query_as(
        "SELECT * FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(ctx.conversation.id)
    .fetch_optional(&state.db.read)
    .await?;
    let last_message = match last {
        Some(row) => message_views(state, vec![row], ctx.conversation.display_id)
            .await?
            .pop(),
        None => None,
    };
    Ok(ConversationView {
        conversation: ctx.conversation.clone(),
        contact: ctx.contact.clone(),
        contact_inbox: ctx.contact_inbox.clone(),
        inbox: (*ctx.inbox).clone(),
        assignee,
        labels,
        last_message,
        unread_count: ctx.conversation.unread_count,
    })
}

/// What a new conversation starts with besides its contact.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConversationSetup {
    pub custom_attributes: Map,
    pub additional_attributes: Map,
    pub team_id: Option<i64>,
    /// Cleaned already (`agent_api::clean_labels`).
    pub labels: Vec<String>,
}

/// Creates a conversation for a contact in an inbox, with everything in
/// `setup` written before anyone hears of it. Conversations start
/// `pending` when the inbox has an agent bot (the bot answers first), else
/// `open`.
pub(crate) async fn create_conversation(
    state: &AppState,
    inbox: Arc<InboxRow>,
    contact: ContactRow,
    contact_inbox: ContactInboxRow,
    setup: ConversationSetup,
) -> ApiResult<ConvCtx> {
    let now = now_millis();
    let status = if inbox.agent_bot_id.is_some() {
        "pending"
    } else {
        "open"
    };
    let mut tx = state.db.write.begin().await?;
    let display_id: i64 = sqlx::query_scalar(
        "UPDATE accounts SET last_display_id = last_display_id + 1 WHERE id = $1 RETURNING last_display_id",
    )
    .bind(inbox.account_id)
    .fetch_one(&mut *tx)
    .await?;
    let conversation: ConversationRow = sqlx::query_as(
        "INSERT INTO conversations (account_id, inbox_id, contact_id, contact_inbox_id, display_id, uuid, status, custom_attributes, additional_attributes, team_id, last_activity_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11) RETURNING *",
    )
    .bind(inbox.account_id)
    .bind(inbox.id)
    .bind(contact.id)
    .bind(contact_inbox.id)
    .bind(display_id)
    .bind(ids::uuid())
    .bind(status)
    .bind(Value::Object(setup.custom_attributes).to_string())
    .bind(Value::Object(setup.additional_attributes).to_string())
    .bind(setup.team_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for label in &setup.labels {
        sqlx::query("INSERT INTO conversation_labels (conversation_id, label) VALUES ($1, $2)")
            .bind(conversation.id)
            .bind(label)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let ctx = ConvCtx {
        conversation,
        contact,
        contact_inbox,
        inbox,
    };
    let view = conversation_view(state, &ctx).await?;
    state.emit(Event::ConversationCreated(Arc::new(view)));
    Ok(ctx)
}

/// Creates a message. With an `echo_id` already used in this conversation,
/// returns the first message and `false` instead (an idempotent retry).
/// An incoming message on a resolved conversation reopens it.
pub(crate) async fn create_message(
    state: &AppState,
    ctx: &ConvCtx,
    author: &Author,
    new: NewMessage,
) -> ApiResult<(MessageView, bool)> {
    let now = now_millis();
    let (sender_type, sender_id) = author.sender_columns();
    let attributes = match serde_json::to_value(&new.kind)? {
        Value::Object(mut map) => map
            .remove("content_attributes")
            .unwrap_or_else(|| json!({})),
        _ => json!({}),
    };
    let reopen = new.message_type == MessageType::Incoming && ctx.conversation.status == "resolved";
    let job = Insert {
        account_id: ctx.conversation.account_id,
        inbox_id: ctx.conversation.inbox_id,
        conversation_id: ctx.conversation.id,
        message_type: i64::from(new.message_type.code()),
        content: new.content.clone(),
        content_type: new.kind.content_type().to_owned(),
        content_attributes: attributes.to_string(),
        private: new.private,
        sender_type,
        sender_id,
        echo_id: new.echo_id.clone(),
        files: new.files.clone(),
        now,
        reopen,
        contact_id: (new.message_type == MessageType::Incoming).then_some(ctx.contact.id),
    };
    let inserted = state.writer.insert(job).await?;
    let Some(Written {
        message,
        attachments,
        unread_count,
    }) = inserted
    else {
        crate::attachments::discard(&state.data_dir, &new.files).await;
        let first: MessageRow =
            sqlx::query_as("SELECT * FROM messages WHERE conversation_id = $1 AND echo_id = $2")
                .bind(ctx.conversation.id)
                .bind(&new.echo_id)
                .fetch_one(&state.db.write)
                .await?;
        let view = message_views(state, vec![first], ctx.conversation.display_id)
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("message vanished"))?;
        return Ok((view, false));
    };
    let mut conversation = ctx.conversation.clone();
    conversation.last_activity_at = conversation.last_activity_at.max(now);
    conversation.updated_at = conversation.updated_at.max(now);
    conversation.unread_count = unread_count;
    if reopen {
        conversation.status = "open".to_owned();
    }
    let view = MessageView {
        message,
        attachments,
        sender: author.sender_row(),
        display_id: conversation.display_id,
    };
    let ctx = ConvCtx {
        conversation,
        ..ctx.clone()
    };
    state.emit(Event::MessageCreated(Arc::new(MessageEvent {
        message: view.clone(),
        conversation: ctx.conversation.clone(),
        contact: ctx.contact.clone(),
        contact_inbox: ctx.contact_inbox.clone(),
        inbox: ctx.inbox.clone(),
        unread_count,
        previous_changes: None,
    })));
    if reopen {
        let view = conversation_view(state, &ctx).await?;
        state.emit(Event::ConversationStatusChanged(Arc::new(view)));
    }
    Ok((view, true))
}

/// Changes a conversation's status, records an activity message, and on
/// resolving an inbox with CSAT on, sends the survey (once per
/// conversation). Setting the status it already has changes nothing.
pub(crate) async fn set_status(
    state: &AppState,
    ctx: &ConvCtx,
    status: ConversationStatus,
    author: &Author,
) -> ApiResult<ConvCtx> {
    if ctx.conversation.status == status.as_str() {
        return Ok(ctx.clone());
    }
    let now = now_millis();
    let conversation: ConversationRow = sqlx::query_as(
        "UPDATE conversations SET status = $1, updated_at = $2 WHERE id = $3 RETURNING *",
    )
    .bind(status.as_str())
    .bind(now)
    .bind(ctx.conversation.id)
    .fetch_one(&state.db.write)
    .await?;
    let ctx = ConvCtx {
        conversation,
        ..ctx.clone()
    };
    let verb = match status {
        ConversationStatus::Resolved => "resolved",
        ConversationStatus::Pending => "marked as pending",
        ConversationStatus::Snoozed => "snoozed",
        _ => "reopened",
    };
    let note = format!("Conversation was {verb} by {}", author.name());
    create_message(
        state,
        &ctx,
        &Author::System,
        NewMessage::text(MessageType::Activity, note),
    )
    .await?;
    if status == ConversationStatus::Resolved && ctx.inbox.csat_survey_enabled {
        let surveyed: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM messages WHERE conversation_id = $1 AND content_type = 'input_csat' LIMIT 1",
        )
        .bind(ctx.conversation.id)
        .fetch_optional(&state.db.read)
        .await?;
        if surveyed.is_none() {
            let survey = NewMessage {
                message_type: MessageType::Template,
                content: Some("Please rate this conversation".into()),
                kind: Content::InputCsat(CsatRequest::default()),
                private: false,
                echo_id: None,
                files: Vec::new(),
            };
            create_message(state, &ctx, &Author::System, survey).await?;
        }
    }
    let ctx = context(state, ctx.conversation.id).await?;
    let view = conversation_view(state, &ctx).await?;
    state.emit(Event::ConversationStatusChanged(Arc::new(view)));
    Ok(ctx)
}

/// Emits a typing event. The typist never hears it back.
pub(crate) async fn typing(
    state: &AppState,
    ctx: &ConvCtx,
    typist: Typist,
    on: bool,
    is_private: bool,
) -> ApiResult<()> {
    let view = conversation_view(state, ctx).await?;
    state.emit(Event::Typing {
        conversation: Arc::new(view),
        typist,
        on,
        is_private,
    });
    Ok(())
}

/// Stores a visitor's answer in the message's `content_attributes`; for a
/// CSAT answer also records the rating. Emits `message.updated`.
pub(crate) async fn submit(
    state: &AppState,
    ctx: &ConvCtx,
    message: MessageRow,
    values: SubmittedValues,
) -> ApiResult<MessageView> {
    let now = now_millis();
    let mut attributes = crate::render::parse_map(&message.content_attributes);
    let before = Value::Object(attributes.clone());
    attributes.insert("submitted_values".into(), serde_json::to_value(&values)?);
    let after = Value::Object(attributes);
    let mut tx = state.db.write.begin().await?;
    let updated: MessageRow = sqlx::query_as(
        "UPDATE messages SET content_attributes = $1, updated_at = $2 WHERE id = $3 RETURNING *",
    )
    .bind(after.to_string())
    .bind(now)
    .bind(message.id)
    .fetch_one(&mut *tx)
    .await?;
    if let SubmittedValues::Csat(csat) = &values {
        let response = &csat.csat_survey_response;
        sqlx::query(
            "INSERT INTO csat_survey_responses (account_id, conversation_id, message_id, contact_id, assigned_agent_id, rating, feedback_message, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
             ON CONFLICT (message_id) DO UPDATE SET rating = excluded.rating, feedback_message = excluded.feedback_message, updated_at = excluded.updated_at",
        )
        .bind(ctx.conversation.account_id)
        .bind(ctx.conversation.id)
        .bind(message.id)
        .bind(ctx.contact.id)
        .bind(ctx.conversation.assignee_id)
        .bind(i64::from(response.rating))
        .bind(response.feedback_message.get())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let view = message_views(state, vec![updated], ctx.conversation.display_id)
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("message vanished"))?;
    state.emit(Event::MessageUpdated(Arc::new(MessageEvent {
        message: view.clone(),
        conversation: ctx.conversation.clone(),
        contact: ctx.contact.clone(),
        contact_inbox: ctx.contact_inbox.clone(),
        inbox: ctx.inbox.clone(),
        unread_count: 0,
        previous_changes: Some(json!({
            "content_attributes": [before, after],
            "updated_at": [message.updated_at, now],
        })),
    })));
    Ok(view)
}

/// One message to write.
#[derive(Debug)]
pub(crate) struct Insert {
    account_id: i64,
    inbox_id: i64,
    conversation_id: i64,
    message_type: i64,
    content: Option<String>,
    content_type: String,
    content_attributes: String,
    private: bool,
    sender_type: Option<&'static str>,
    sender_id: Option<i64>,
    echo_id: Option<String>,
    files: Vec<StoredFile>,
    now: i64,
    /// Reopen the (resolved) conversation.
    reopen: bool,
    /// The contact whose `last_activity_at` moves (incoming messages).
    contact_id: Option<i64>,
}

/// A written message, its attachments and its conversation's unread count
/// after the write.
#[derive(Debug)]
struct Written {
    message: MessageRow,
    attachments: Vec<AttachmentRow>,
    unread_count: i64,
}

/// `None` when the `echo_id` was already used in the conversation.
type Inserted = Option<Written>;

/// Group commit for message creates: one task owns the writes, takes every
/// create that is waiting, and writes them in one transaction, touching each
/// conversation and contact once. Under load this turns many small commits
/// into few large ones; alone, a create is written at once.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    jobs: tokio::sync::mpsc::Sender<(
        Insert,
        tokio::sync::oneshot::Sender<Result<Inserted, String>>,
    )>,
}

/// Creates written in one transaction at most.
const BATCH: usize = 256;

impl Writer {
    pub(crate) fn spawn(db: crate::db::Db) -> Writer {
        let (jobs, mut queue) = tokio::sync::mpsc::channel::<(
            Insert,
            tokio::sync::oneshot::Sender<Result<Inserted, String>>,
        )>(4 * BATCH);
        tokio::spawn(async move {
            while let Some(first) = queue.recv().await {
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match queue.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let inserts: Vec<&Insert> = batch.iter().map(|(insert, _)| insert).collect();
                match write_batch(&db, &inserts).await {
                    Ok(results) => {
                        for ((_, reply), result) in batch.into_iter().zip(results) {
                            let _ = reply.send(Ok(result));
                        }
                    }
                    // One bad create must not fail its neighbours: write
                    // them one by one instead.
                    Err(_) if batch.len() > 1 => {
                        for (insert, reply) in batch {
                            let result = write_batch(&db, &[&insert])
                                .await
                                .map(|mut results| results.pop().flatten())
                                .map_err(|error| error.to_string());
                            let _ = reply.send(result);
                        }
                    }
                    Err(error) => {
                        for (_, reply) in batch {
                            let _ = reply.send(Err(error.to_string()));
                        }
                    }
                }
            }
        });
        Writer { jobs }
    }

    async fn insert(&self, insert: Insert) -> ApiResult<Inserted> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.jobs
            .send((insert, reply))
            .await
            .map_err(|_| ApiError::internal("the writer has stopped"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("the writer has stopped"))?
            .map_err(ApiError::internal)
    }
}

/// `(…), (…)` with `rows` groups of `columns` numbered placeholders.
fn placeholders(rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", row * columns + column + 1));
        }
        sql.push(')');
    }
    sql
}

/// Writes a batch in one transaction and a handful of statements: one
/// multi-row insert for the messages, one update each for the
/// conversations and the contacts (each touched once, at its latest time).
async fn write_batch(db: &crate::db::Db, batch: &[&Insert]) -> Result<Vec<Inserted>, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let sql = format!(
        "INSERT INTO messages (account_id, inbox_id, conversation_id, message_type, content, content_type, content_attributes, private, sender_type, sender_id, echo_id, created_at, updated_at)
         VALUES {} ON CONFLICT (conversation_id, echo_id) DO NOTHING RETURNING *",
        placeholders(batch.len(), 13)
    );
    let mut query = sqlx::query_as::<_, MessageRow>(sqlx::AssertSqlSafe(sql));
    for insert in batch {
        query = query
            .bind(insert.account_id)
            .bind(insert.inbox_id)
            .bind(insert.conversation_id)
            .bind(insert.message_type)
            .bind(&insert.content)
            .bind(&insert.content_type)
            .bind(&insert.content_attributes)
            .bind(insert.private)
            .bind(insert.sender_type)
            .bind(insert.sender_id)
            .bind(&insert.echo_id)
            .bind(insert.now)
            .bind(insert.now);
    }
    let mut rows = query.fetch_all(&mut *tx).await?;
    // RETURNING's order is unspecified, but row ids follow the VALUES
    // order, and an insert that hit an earlier `echo_id` has no row: walk
    // both in id order and match on the conversation and `echo_id`.
    rows.sort_by_key(|row| row.id);
    let mut rows = rows.into_iter().peekable();
    let mut written = Vec::with_capacity(batch.len());
    for insert in batch {
        let matches = rows.peek().is_some_and(|row| {
            row.conversation_id == insert.conversation_id && row.echo_id == insert.echo_id
        });
        let Some(message) = rows.next_if(|_| matches) else {
            written.push(None);
            continue;
        };
        let mut attachments = Vec::with_capacity(insert.files.len());
        for file in &insert.files {
            attachments.push(
                sqlx::query_as(
                    "INSERT INTO attachments (message_id, account_id, file_type, mime_type, file_name, extension, file_size, width, height, storage_key, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *",
                )
                .bind(message.id)
                .bind(message.account_id)
                .bind(file.file_type.as_str())
                .bind(&file.mime_type)
                .bind(&file.file_name)
                .bind(&file.extension)
                .bind(file.size as i64)
                .bind(file.width.map(i64::from))
                .bind(file.height.map(i64::from))
                .bind(&file.storage_key)
                .bind(insert.now)
                .fetch_one(&mut *tx)
                .await?,
            );
        }
        written.push(Some((message, attachments)));
    }
    // Each conversation and contact once, at its latest time.
    let mut conversations: Vec<Touched> = Vec::new();
    let mut contacts: Vec<(i64, i64)> = Vec::new();
    for (insert, result) in batch.iter().zip(&written) {
        if result.is_none() {
            continue;
        }
        let incoming = i64::from(insert.message_type == i64::from(MessageType::Incoming.code()));
        match conversations
            .iter_mut()
            .find(|touched| touched.id == insert.conversation_id)
        {
            Some(touched) => {
                touched.at = touched.at.max(insert.now);
                touched.reopen |= insert.reopen;
                touched.incoming += incoming;
            }
            None => conversations.push(Touched {
                id: insert.conversation_id,
                at: insert.now,
                reopen: insert.reopen,
                incoming,
            }),
        }
        if let Some(contact_id) = insert.contact_id {
            match contacts.iter_mut().find(|(id, _)| *id == contact_id) {
                Some(entry) => entry.1 = entry.1.max(insert.now),
                None => contacts.push((contact_id, insert.now)),
            }
        }
    }
    let mut unread: Vec<(i64, i64)> = Vec::new();
    if !conversations.is_empty() {
        let sql = format!(
            "WITH touched (id, at, reopen, incoming) AS (VALUES {})
             UPDATE conversations SET last_activity_at = touched.at, updated_at = touched.at,
                 status = CASE WHEN touched.reopen THEN 'open' ELSE conversations.status END,
                 unread_count = conversations.unread_count + touched.incoming
             FROM touched WHERE conversations.id = touched.id
             RETURNING conversations.id, conversations.unread_count",
            placeholders(conversations.len(), 4)
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for touched in conversations {
            query = query
                .bind(touched.id)
                .bind(touched.at)
                .bind(touched.reopen)
                .bind(touched.incoming);
        }
        unread = query.fetch_all(&mut *tx).await?;
    }
    if !contacts.is_empty() {
        let sql = format!(
            "WITH touched (id, at) AS (VALUES {})
             UPDATE contacts SET last_activity_at = touched.at
             FROM touched WHERE contacts.id = touched.id",
            placeholders(contacts.len(), 2)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, at) in contacts {
            query = query.bind(id).bind(at);
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(written
        .into_iter()
        .map(|result| {
            result.map(|(message, attachments)| Written {
                unread_count: unread
                    .iter()
                    .find(|(id, _)| *id == message.conversation_id)
                    .map_or(0, |(_, count)| *count),
                message,
                attachments,
            })
        })
        .collect())
}

/// A conversation a batch wrote to.
#[derive(Debug)]
struct Touched {
    id: i64,
    /// The latest message's time.
    at: i64,
    reopen: bool,
    /// Incoming messages written.
    incoming: i64,
}
