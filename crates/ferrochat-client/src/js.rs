//! The npm package's headless client (feature `js`): [`Client`], for the
//! hand-written JavaScript in `npm/` that frontend developers import. The
//! helpers are another wasm (`crate::helpers`).
//!
//! Values cross as JSON text: `JSON.stringify` on one side and serde on the
//! other cost less wasm than a binding per type, and the JavaScript wrapper
//! gives them their TypeScript types.

use std::cell::RefCell;
use std::rc::Rc;

use ferrochat_core::chatwoot::{ContactRequest, ConversationStatus, MessageId};
use ferrochat_core::content::{Content, SelectItem, SubmittedValue};
use ferrochat_core::session::{Connection, Delivery, Entry, Input, Notice, Phase, Session};
use ferrochat_core::validate::{self, FieldError};
use ferrochat_core::{Map, Scalar};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;

use crate::text::{message_json, parse};
use crate::{Chat, Keep};

/// A chat session for one inbox, without a view: the JavaScript wrapper's
/// `createClient`. Events go to `on_event(name, json)`.
#[wasm_bindgen]
pub struct Client {
    base: String,
    inbox: String,
    keep: Keep,
    saved: Option<String>,
    shared: Rc<Shared>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// What the session's callbacks share with the client.
struct Shared {
    chat: RefCell<Option<Chat>>,
    on_event: js_sys::Function,
    /// What the last change showed, to tell what the next one changed.
    last: RefCell<Seen>,
    /// Events waiting to be handed out, after the engine's borrow is over.
    queue: RefCell<Vec<(&'static str, String)>>,
}

#[derive(Default)]
struct Seen {
    entries: Vec<Entry>,
    phase: Option<Phase>,
    connection: Option<Connection>,
    status: Option<Option<ConversationStatus>>,
    typing: bool,
}

#[wasm_bindgen]
impl Client {
    /// `local`: keep the session in `localStorage`; else only where the
    /// `store` event puts it, and `saved` brings it back.
    #[wasm_bindgen(constructor)]
    pub fn new(
        base: String,
        inbox: String,
        local: bool,
        saved: Option<String>,
        on_event: js_sys::Function,
    ) -> Client {
        Client {
            base,
            inbox,
            keep: if local { Keep::Local } else { Keep::Elsewhere },
            saved,
            shared: Rc::new(Shared {
                chat: RefCell::new(None),
                on_event,
                last: RefCell::new(Seen::default()),
                queue: RefCell::new(Vec::new()),
            }),
        }
    }

    /// Starts the session (once; later calls do nothing).
    pub fn start(&self) {
        if self.shared.chat.borrow().is_some() {
            return;
        }
        let (changed, noticed, stored) = (
            Rc::downgrade(&self.shared),
            Rc::downgrade(&self.shared),
            Rc::downgrade(&self.shared),
        );
        let chat = Chat::start(
            &self.base,
            &self.inbox,
            self.keep,
            self.saved.as_deref(),
            move || {
                if let Some(shared) = changed.upgrade() {
                    shared.changed();
                }
            },
            move |notice| {
                if let Some(shared) = noticed.upgrade() {
                    shared.noticed(notice);
                }
            },
            move |value| {
                if let Some(shared) = stored.upgrade() {
                    shared.push("store", json!(value).to_string());
                }
            },
        );
        // A headless client is read as things arrive, unless the app says
        // otherwise (`markSeen` clears what `unread` counted while hidden).
        chat.input(Input::Visible { open: true });
        *self.shared.chat.borrow_mut() = Some(chat);
        self.shared.changed();
    }

    /// `visible`: whether the app shows the conversation (messages are read
    /// as they arrive) or not (they count as unread).
    #[wasm_bindgen(js_name = setVisible)]
    pub fn set_visible(&self, visible: bool) {
        self.input(Input::Visible { open: visible });
    }

    pub fn send(&self, text: &str) -> Result<(), JsError> {
        if text.trim().is_empty() {
            return Err(JsError::new("a message needs some text"));
        }
        validate::content(text).map_err(|error| JsError::new(&error.to_string()))?;
        self.input(Input::Send {
            content: text.to_owned(),
        });
        Ok(())
    }

    /// Sends `files` (`File`s) as one message with `caption` (may be
    /// empty), checked first: at most 15, none empty nor over 40 MB.
    #[wasm_bindgen(js_name = sendFiles)]
    pub fn send_files(&self, files: js_sys::Array, caption: &str) -> Result<(), JsError> {
        let files = files
            .iter()
            .map(|file| {
                file.dyn_into::<web_sys::File>().map_err(|_| {
                    JsError::new("sendFiles takes File objects (from a file input or a drop)")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if files.is_empty() {
            return Err(JsError::new("sendFiles needs at least one file"));
        }
        // The engine's rules, checked here too so that a refusal throws.
        let described: Vec<(String, String, u64)> = (files.iter())
            .map(|file| (file.name(), file.type_(), file.size() as u64))
            .collect();
        let described =
            (described.iter()).map(|(name, mime, size)| (name.as_str(), mime.as_str(), *size));
        validate::attachments(described).map_err(|error| JsError::new(&error.to_string()))?;
        validate::content(caption).map_err(|error| JsError::new(&error.to_string()))?;
        let chat = self.shared.chat.borrow().clone();
        match chat {
            Some(chat) => chat.send_files(caption, files),
            None => {
                return Err(JsError::new(
                    "the client is not started: call start() first",
                ));
            }
        }
        self.shared.flush();
        Ok(())
    }

    /// Sends a failed message again.
    pub fn retry(&self, echo_id: String) {
        self.input(Input::Retry { echo_id });
    }

    /// Retries a failed start.
    #[wasm_bindgen(js_name = retryStart)]
    pub fn retry_start(&self) {
        self.input(Input::RetryStart);
    }

    /// Chooses quick reply `item` (`{title, value}`, as the message lists
    /// it) of message `message`.
    pub fn choose(&self, message: f64, item: &str) -> Result<(), JsError> {
        let item: SelectItem = parse(item, "the quick reply")?;
        let (message, content) = self.shown(message)?;
        match content {
            Content::InputSelect(select) if select.items.contains(&item) => {}
            _ => return Err(not_offered(message)),
        }
        self.input(Input::Choose {
            message,
            choice: SubmittedValue::choice(&item),
        });
        Ok(())
    }

    /// Submits form message `message` with `values`, `{name: value}`.
    #[wasm_bindgen(js_name = submitForm)]
    pub fn submit_form(&self, message: f64, values: &str) -> Result<(), JsError> {
        let values: Map = parse(values, "the form's values")?;
        let values = values
            .into_iter()
            .map(|(name, value)| {
                let value: Scalar = serde_json::from_value(value).map_err(|_| {
                    JsError::new(&format!(
                        "form field {name} must be a string, number or boolean"
                    ))
                })?;
                Ok(SubmittedValue::field(name, value))
            })
            .collect::<Result<Vec<_>, JsError>>()?;
        let (message, content) = self.shown(message)?;
        let Content::Form(form) = content else {
            return Err(not_offered(message));
        };
        // Patterns are left to the server, as the engine does: a regular
        // expression engine would weigh a sixth of this wasm. Its refusal
        // comes as an `error` event and undoes the answer.
        validate::form_submission_but_patterns(&form, &values)
            .map_err(|errors| JsError::new(&said(&errors)))?;
        self.input(Input::SubmitForm { message, values });
        Ok(())
    }

    /// Answers the satisfaction survey.
    pub fn rate(&self, rating: u8, feedback: Option<String>) -> Result<(), JsError> {
        validate::csat_rating(rating).map_err(|error| JsError::new(&error.to_string()))?;
        self.input(Input::Rate {
            rating,
            feedback: feedback.filter(|text| !text.trim().is_empty()),
        });
        Ok(())
    }

    pub fn typing(&self, on: bool) {
        self.input(if on {
            Input::Typed
        } else {
            Input::StoppedTyping
        });
    }

    #[wasm_bindgen(js_name = markSeen)]
    pub fn mark_seen(&self) {
        self.input(Input::Seen);
    }

    pub fn resolve(&self) {
        self.input(Input::Resolve);
    }

    /// `user`: `{name, email, phone_number, avatar_url, identifier_hash,
    /// custom_attributes}`, checked before anything is sent.
    #[wasm_bindgen(js_name = setUser)]
    pub fn set_user(&self, identifier: String, user: &str) -> Result<(), JsError> {
        validate::short_string("identifier", &identifier)
            .map_err(|error| JsError::new(&error.to_string()))?;
        let user: ContactRequest = parse(user, "the user")?;
        validate::contact(&user).map_err(|errors| JsError::new(&said(&errors)))?;
        self.input(Input::SetUser { identifier, user });
        Ok(())
    }

    #[wasm_bindgen(js_name = setCustomAttributes)]
    pub fn set_custom_attributes(&self, attributes: &str) -> Result<(), JsError> {
        let attributes = attributes_of(attributes)?;
        self.input(Input::SetCustomAttributes(attributes));
        Ok(())
    }

    #[wasm_bindgen(js_name = deleteCustomAttribute)]
    pub fn delete_custom_attribute(&self, key: String) {
        self.input(Input::DeleteCustomAttribute(key));
    }

    #[wasm_bindgen(js_name = setConversationCustomAttributes)]
    pub fn set_conversation_custom_attributes(&self, attributes: &str) -> Result<(), JsError> {
        let attributes = attributes_of(attributes)?;
        self.input(Input::SetConversationCustomAttributes(attributes));
        Ok(())
    }

    /// Forgets the visitor and starts again as a new one (after a logout).
    pub fn reset(&self) {
        self.input(Input::Reset);
    }

    /// The conversation's lines, oldest first, as JSON.
    pub fn messages(&self) -> String {
        match self.shared.chat.borrow().as_ref() {
            Some(chat) => {
                Value::Array(chat.session().entries().iter().map(entry).collect()).to_string()
            }
            None => "[]".to_owned(),
        }
    }

    /// The session's state, as JSON.
    pub fn state(&self) -> String {
        match self.shared.chat.borrow().as_ref() {
            Some(chat) => state(&chat.session()).to_string(),
            None => json!({"phase": "idle", "error": null, "connection": "offline", "status": null,
                "conversationId": null, "unread": 0, "agentTyping": false, "inbox": null})
            .to_string(),
        }
    }

    /// Closes the socket and stops the timers; the stored session stays.
    pub fn stop(&self) {
        if let Some(chat) = self.shared.chat.borrow_mut().take() {
            chat.stop();
        }
    }
}

impl Client {
    fn input(&self, input: Input) {
        let chat = self.shared.chat.borrow().clone();
        match chat {
            Some(chat) => chat.input(input),
            None => self.shared.push(
                "error",
                json!("the client is not started: call start() first").to_string(),
            ),
        }
        self.shared.flush();
    }

    /// The message `id` on show, and its content.
    fn shown(&self, id: f64) -> Result<(MessageId, Content), JsError> {
        let chat = self.shared.chat.borrow();
        let session = chat
            .as_ref()
            .map(Chat::session)
            .ok_or_else(|| JsError::new("the client is not started: call start() first"))?;
        session
            .entries()
            .iter()
            .find_map(|entry| match entry {
                Entry::Message(message) if message.id.0 as f64 == id => {
                    Some((message.id, message.kind.clone()))
                }
                _ => None,
            })
            .ok_or_else(|| JsError::new(&format!("message {id} is not in the conversation")))
    }
}

fn not_offered(message: MessageId) -> JsError {
    JsError::new(&format!("message {} does not offer that answer", message.0))
}

impl Shared {
    fn push(&self, name: &'static str, json: String) {
        self.queue.borrow_mut().push((name, json));
    }

    fn noticed(&self, notice: &Notice) {
        match notice {
            Notice::Ready => self.push("ready", "null".to_owned()),
            Notice::Unread(count) => self.push("unread", count.to_string()),
            Notice::Error(error) => self.push("error", json!(error).to_string()),
            // Seen as a new entry by `changed`, with the visitor's own.
            Notice::Message(_) => {}
        }
    }

    /// Compares the session with what the last change showed, queues an
    /// event per difference, then hands the queue out.
    fn changed(&self) {
        {
            let chat = self.chat.borrow();
            let Some(chat) = chat.as_ref() else {
                return;
            };
            let session = chat.session();
            let mut last = self.last.borrow_mut();
            let mut queue = self.queue.borrow_mut();
            diff(&mut last, &session, &mut queue);
        }
        self.flush();
    }

    /// Calls the handler per queued event. Nothing is borrowed meanwhile, so
    /// a handler may call the client again.
    fn flush(&self) {
        loop {
            let events = std::mem::take(&mut *self.queue.borrow_mut());
            if events.is_empty() {
                return;
            }
            for (name, json) in events {
                let _ = self
                    .on_event
                    .call2(&JsValue::NULL, &name.into(), &json.into());
            }
        }
    }
}

fn diff(last: &mut Seen, session: &Session, queue: &mut Vec<(&'static str, String)>) {
    let phase = session.phase();
    if last.phase.as_ref() != Some(phase) {
        let (name, error) = phase_parts(phase);
        queue.push(("phase", json!({"phase": name, "error": error}).to_string()));
        last.phase = Some(phase.clone());
    }
    let connection = session.connection();
    if last.connection != Some(connection) {
        queue.push(("connection", json!(connection_name(connection)).to_string()));
        last.connection = Some(connection);
    }
    let status = session.status();
    if last.status.as_ref() != Some(&status) {
        queue.push(("status", json!(status).to_string()));
        last.status = Some(status);
    }
    if last.typing != session.agent_typing() {
        last.typing = session.agent_typing();
        queue.push(("typing", last.typing.to_string()));
    }
    let entries = session.entries();
    if last.entries.as_slice() != entries {
        for now in entries {
            let before = last.entries.iter().find(|before| same_line(before, now));
            match before {
                None => queue.push(("message", entry(now).to_string())),
                Some(before) if before != now => {
                    queue.push(("message-updated", entry(now).to_string()));
                }
                Some(_) => {}
            }
        }
        last.entries = entries.to_vec();
    }
}

/// Whether two entries are the same line of the conversation: the same
/// message, the same outgoing message, or an outgoing message and the
/// server's copy of it.
fn same_line(before: &Entry, now: &Entry) -> bool {
    match (before, now) {
        (Entry::Message(a), Entry::Message(b)) => a.id == b.id,
        (Entry::Outgoing { outgoing: a, .. }, Entry::Outgoing { outgoing: b, .. }) => {
            a.echo_id == b.echo_id
        }
        (Entry::Outgoing { outgoing, .. }, Entry::Message(message)) => {
            message.echo_id.as_deref() == Some(outgoing.echo_id.as_str())
        }
        (Entry::Message(_), Entry::Outgoing { .. }) => false,
    }
}

fn entry(entry: &Entry) -> Value {
    match entry {
        Entry::Message(message) => json!({"kind": "message", "message": message_json(message)}),
        Entry::Outgoing { outgoing, delivery } => {
            let (status, error, progress) = match delivery {
                Delivery::Pending => ("pending", None, None),
                Delivery::Uploading { percent } => ("pending", None, Some(*percent)),
                Delivery::Sent => ("sent", None, None),
                Delivery::Failed { error } => ("failed", Some(error), None),
            };
            let files: Vec<Value> = (outgoing.files.iter())
                .map(|file| json!({"name": file.name, "contentType": file.content_type, "size": file.size}))
                .collect();
            json!({
                "kind": "outgoing",
                "echoId": outgoing.echo_id,
                "content": outgoing.content,
                "files": files,
                "createdAt": outgoing.created_at_ms,
                "status": status,
                "error": error,
                "progress": progress,
            })
        }
    }
}

fn state(session: &Session) -> Value {
    let (phase, error) = phase_parts(session.phase());
    json!({
        "phase": phase,
        "error": error,
        "connection": connection_name(session.connection()),
        "status": session.status(),
        "conversationId": session.conversation().map(|id| id.0),
        "unread": session.unread(),
        "agentTyping": session.agent_typing(),
        "inbox": session.inbox(),
    })
}

/// The phase's name, and why it failed.
fn phase_parts(phase: &Phase) -> (&'static str, Option<&str>) {
    match phase {
        Phase::Idle => ("idle", None),
        Phase::Starting => ("starting", None),
        Phase::Ready => ("ready", None),
        Phase::Failed { error } => ("failed", Some(error)),
    }
}

fn connection_name(connection: Connection) -> &'static str {
    match connection {
        Connection::Offline => "offline",
        Connection::Connecting => "connecting",
        Connection::Live => "live",
    }
}

fn attributes_of(text: &str) -> Result<Map, JsError> {
    let attributes: Map = parse(text, "custom attributes")?;
    validate::custom_attribute_map(&attributes)
        .map_err(|error| JsError::new(&error.to_string()))?;
    Ok(attributes)
}

/// Every field's reason, in one line.
fn said(errors: &[FieldError]) -> String {
    let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
    said.join("; ")
}
