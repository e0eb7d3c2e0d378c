//! The widget's session as a pure state machine: no IO, no clock, no
//! randomness of its own. The browser side feeds it [`Input`]s (API
//! responses, socket frames, timer ticks, visitor actions) with the current
//! time, and runs the [`Effect`]s it answers with (HTTP calls, socket
//! frames, storage writes, timers, notices for the host page). Everything
//! hard about a chat widget lives here and is tested natively: bootstrap,
//! the outbox, ordering and dedupe, realtime merge, reconnect and backfill,
//! agent typing, unread counting, a resolved conversation.
//!
//! The engine talks to Chatwoot's public client API (PROTOCOL.md §1) with
//! paths relative to the server's base URL, and to `/cable` with
//! ActionCable frames ([`crate::cable`]).

use std::rc::Rc;

use serde::Serialize;
use serde_json::Value;

use crate::chatwoot::{
    ContactRequest, ConversationId, ConversationStatus, Message, MessageId, PublicInbox,
};
use crate::content::{Form, SubmittedValue};
use crate::wire::{Fields, FromJson, deserialize_from_json};

mod engine;
mod profile;
mod realtime;
#[cfg(test)]
mod tests;
mod wire;

use engine::{Boot, Call, Flight, OutboxItem};
use profile::Identity;

/// Custom attributes: a flat JSON object (see
/// [`crate::validate::custom_attribute_map`]).
pub type Attributes = serde_json::Map<String, serde_json::Value>;

/// What the engine is set up with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The inbox identifier of the public API.
    pub inbox: String,
    /// Seeds the `echo_id`s this session makes (with the time, so that two
    /// tabs or a reload never reuse one): the browser side passes random
    /// bits here.
    pub seed: u64,
}

/// What survives a reload, per inbox: the browser side writes it to
/// `localStorage` whenever [`Effect::Store`] says so, and passes it back in
/// [`Input::Start`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stored {
    /// The contact's credentials.
    pub source_id: Option<String>,
    pub pubsub_token: Option<String>,
    /// The conversation's display id, once the first message created it.
    pub conversation: Option<ConversationId>,
    /// Messages typed but not yet confirmed by the server, oldest first:
    /// sent again after a reload.
    #[serde(default)]
    pub outbox: Vec<Outgoing>,
    /// The visitor answered the pre-chat form: it is not asked again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub details_given: bool,
}

impl Stored {
    /// Reads what [`Effect::Store`] wrote; `None` for anything else (another
    /// version's format, a value edited by hand).
    pub fn parse(text: &str) -> Option<Stored> {
        // Through `Value` and a hand-written reader, like every other JSON
        // the engine reads (see `crate::wire::FromJson`).
        Stored::from_json(serde_json::from_str(text).ok()?).ok()
    }
}

deserialize_from_json!(Stored, Outgoing);

impl FromJson for Stored {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Stored")?;
        Ok(Stored {
            source_id: fields.optional("source_id")?,
            pubsub_token: fields.optional("pubsub_token")?,
            conversation: fields.optional("conversation")?,
            outbox: fields.or_default("outbox")?,
            details_given: fields.or_default("details_given")?,
        })
    }
}

impl FromJson for Outgoing {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Outgoing")?;
        Ok(Outgoing {
            echo_id: fields.required("echo_id")?,
            content: fields.required("content")?,
            created_at_ms: fields.required("created_at_ms")?,
            files: Vec::new(),
        })
    }
}

/// A message the visitor sent that the server has not confirmed yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outgoing {
    /// The `echo_id` every attempt carries: the server makes a retried
    /// create idempotent with it, and `message.created` echoes it back.
    pub echo_id: String,
    pub content: String,
    /// When the visitor sent it, unix milliseconds.
    pub created_at_ms: u64,
    /// The files it carries (then `content` may be empty). Never stored: a
    /// reload loses the bytes, so a message with files is not kept across
    /// one (the visitor still has the files and sees it did not go).
    #[serde(skip)]
    pub files: Vec<OutgoingFile>,
}

/// Names a file the browser side keeps while the outbox needs it: the
/// engine never sees the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileId(pub u64);

/// A file the visitor attaches: what the engine checks and shows of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingFile {
    pub id: FileId,
    pub name: String,
    /// Its MIME type, as the browser reports it (may be empty).
    pub content_type: String,
    pub size: u64,
}

/// Identifies an HTTP call, so that its response finds its way back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

/// An HTTP method the public API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
}

/// An HTTP call to run: `path` is relative to the server's base URL (it
/// starts with `/public/api/v1/inboxes/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub id: RequestId,
    pub method: Method,
    pub path: String,
    pub body: Option<Body>,
}

/// A request's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Json(String),
    /// `multipart/form-data`: the text fields in order, then each file as
    /// an `attachments[]` part named by its file name.
    Multipart {
        fields: Vec<(&'static str, String)>,
        files: Vec<FileId>,
    },
}

impl Body {
    /// The JSON text, if this is a JSON body.
    pub fn json(&self) -> Option<&str> {
        match self {
            Body::Json(text) => Some(text),
            Body::Multipart { .. } => None,
        }
    }
}

/// How an HTTP call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpResponse {
    /// The server answered, with any status.
    Answered { status: u16, body: String },
    /// No answer: the network failed or the call timed out.
    Failed { error: String },
}

/// The engine's timers. Starting a timer that is already running restarts
/// it; a timer fires at most once per start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// Retry what failed: the bootstrap or the outbox.
    Retry,
    /// Open the socket again.
    Reconnect,
    /// No frame (not even a ping) for [`crate::cable::STALE_AFTER_SECS`]:
    /// the socket is dead even if the browser has not noticed.
    Stale,
    /// Chatwoot's presence heartbeat.
    Presence,
    /// An agent's typing indicator expires (30 s, as Chatwoot's widget).
    AgentTyping,
    /// The visitor stopped typing.
    VisitorTyping,
}

/// What happened: the browser side turns each event into one of these.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// The widget starts, with what [`Effect::Store`] last wrote for this
    /// inbox (if anything).
    Start {
        stored: Option<Stored>,
    },
    /// The visitor sends a text message.
    Send {
        content: String,
    },
    /// The visitor sends files, with `content` as their caption (may be
    /// empty): one message, uploaded as multipart. Each file and their
    /// count are checked first ([`crate::validate::attachment`]); the
    /// browser side keeps the bytes while [`Session::files`] names them.
    SendFiles {
        content: String,
        files: Vec<OutgoingFile>,
    },
    /// The visitor retries a failed message.
    Retry {
        echo_id: String,
    },
    /// The visitor retries after [`Phase::Failed`].
    RetryStart,
    /// The visitor picks a quick reply.
    Choose {
        message: MessageId,
        choice: SubmittedValue,
    },
    /// The visitor fills in and submits a `form` message: one
    /// `{name, value}` per field, checked against the form's rules
    /// ([`crate::validate::form_submission`]) before anything is sent.
    SubmitForm {
        message: MessageId,
        values: Vec<SubmittedValue>,
    },
    /// The visitor answers the conversation's satisfaction survey (the
    /// latest unanswered `input_csat` message): a rating from 1 to 5 and
    /// an optional comment.
    Rate {
        rating: u8,
        feedback: Option<String>,
    },
    /// The visitor typed in the composer (the engine throttles what it
    /// sends and turns typing off after a pause).
    Typed,
    /// The visitor stopped typing (an SDK's `typing(false)`): `off` is sent
    /// now rather than after the pause.
    StoppedTyping,
    /// The visitor read the conversation (an SDK's `markSeen()`): the unread
    /// count goes to 0 and the server hears of it, whether or not a window
    /// is open.
    Seen,
    /// The visitor scrolled to the top of what is shown: the page of
    /// messages before the first one is fetched (`messages?before=`), once
    /// at a time, until the server has no more.
    LoadOlder,
    /// The visitor read the conversation in another tab: the unread count
    /// goes to 0 here too, with nothing sent (that tab told the server).
    ReadElsewhere,
    /// The visitor ends the conversation (`toggle_status`): it is resolved,
    /// and the next message starts a new one.
    Resolve,
    /// The chat window was opened or closed: while it is open, messages are
    /// read as they arrive.
    Visible {
        open: bool,
    },
    /// An upload's progress: `sent` of `total` bytes of call `id`'s body
    /// went out (the browser's `progress` events on a multipart call). A
    /// message with files shows it ([`Delivery::Uploading`]) while that
    /// call is in flight.
    Progress {
        id: RequestId,
        sent: u64,
        total: u64,
    },
    /// An HTTP call ended.
    Http {
        id: RequestId,
        response: HttpResponse,
    },
    SocketOpened,
    /// A text frame from `/cable`.
    SocketFrame(String),
    /// The socket closed or failed.
    SocketClosed,
    Timer(Timer),
    /// The browser's word on the network (`navigator.onLine`, the `online`
    /// and `offline` events). While it is down, messages wait in the outbox
    /// without spending their attempts; when it is back, they go at once,
    /// in order, and the socket reconnects without waiting for its backoff.
    Network {
        online: bool,
    },
    /// The page is leaving, perhaps into the back/forward cache
    /// (`pagehide`): the socket closes, so that the page can be cached,
    /// and stays closed until [`Input::Resume`].
    Suspend,
    /// The page is shown again (`pageshow`): the socket reconnects and
    /// what was said meanwhile is fetched.
    Resume,
    /// The host page's `setUser(identifier, {name, email, avatar_url,
    /// phone_number, identifier_hash})`: the visitor is this user of the
    /// host site. `user.identifier` and `user.source_id` are ignored (the
    /// engine puts `identifier` in); `user.custom_attributes`, if any, are
    /// set as by [`Input::SetCustomAttributes`].
    ///
    /// If the current contact already has this identifier, only the fields
    /// that changed are sent (`PATCH /contacts/{sid}`). Otherwise
    /// `POST /contacts` with the identifier gets that user's contact (the
    /// server finds or makes it), and the session switches to it: new
    /// credentials, the socket subscribed with the new token, the previous
    /// contact's conversation gone from view, and the user's latest
    /// conversation that is not resolved resumed. Messages the visitor
    /// typed but the server has not confirmed are kept and go to the new
    /// contact's conversation: a visitor who just logged in expects their
    /// words to reach the support team, as them.
    ///
    /// A refused identity (401, a bad `identifier_hash`) is a
    /// [`Notice::Error`] with the server's words, and the visitor stays who
    /// they were. Before the session is ready, it is kept and applied once
    /// the bootstrap is done.
    SetUser {
        identifier: String,
        user: ContactRequest,
    },
    /// The host page's `setCustomAttributes({...})`: set these keys on the
    /// contact, keep the others.
    ///
    /// Chatwoot's public API replaces the whole object on update (ferrochat's
    /// server merges): the engine knows the contact's full object (from the
    /// update's answer, or a conversation's `contact`) and always sends all
    /// of it, which is right for both.
    SetCustomAttributes(Attributes),
    /// The host page's `deleteCustomAttribute(key)`.
    ///
    /// The public API has no way to remove a key that works on both servers
    /// (ferrochat's merges, so a key left out is kept): the key is sent as
    /// `null`, which clears its value on both.
    DeleteCustomAttribute(String),
    /// The host page's `setConversationCustomAttributes({...})`, merged with
    /// what it set before.
    ///
    /// The public API cannot update a conversation: these attributes go with
    /// the `POST /contacts/{sid}/conversations` that creates the next one
    /// (the visitor's first message makes it). Set while a conversation
    /// exists, they wait for the next one (after a contact switch or a
    /// reset, or when the server lost the conversation): no error, since
    /// nothing the visitor did is wrong.
    SetConversationCustomAttributes(Attributes),
    /// The embed's pre-chat form ([`crate::content::Form::pre_chat`]), or
    /// none. [`Session::pre_chat`] says when to show it.
    PreChatForm(Option<Form>),
    /// The visitor answers the pre-chat form: each answer is checked
    /// ([`crate::validate::pre_chat_field`]), then `name`, `email` and
    /// `phone_number` update the contact and every other field becomes one
    /// of its custom attributes (`PATCH /contacts/{sid}`, retried as the
    /// other profile calls). The form is not asked again for this
    /// contact, even after a reload.
    SubmitPreChat {
        values: Vec<SubmittedValue>,
    },
    /// The host page's `reset()` (after a logout): forget the contact, its
    /// conversation, the unsent messages and everything the page set, and
    /// start again as a new anonymous visitor.
    Reset,
}

/// What to do.
// A message is a few hundred bytes and the other variants are small; boxing
// it would change the shape the browser side and the widget code against,
// for values that live only between one input and the next render.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Http(HttpRequest),
    /// Open `/cable` (subprotocol [`crate::cable::SUBPROTOCOL`]), closing any
    /// socket still open.
    SocketOpen,
    /// Send a text frame.
    SocketSend(String),
    SocketClose,
    /// Write this for the inbox (`None`: forget it).
    Store(Option<Stored>),
    StartTimer {
        timer: Timer,
        after_ms: u64,
    },
    StopTimer(Timer),
    /// Tell the host page.
    Notify(Notice),
}

/// What the host page hears about (its `ferrochat:*` window events).
// A message is a few hundred bytes and the other variants are small; boxing
// it would change the shape the browser side and the widget code against,
// for values that live only between one input and the next render.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// The session is ready: `ferrochat:ready`.
    Ready,
    /// An agent's or bot's message arrived: `ferrochat:on-message`.
    Message(Message),
    /// The unread count changed: `ferrochat:unread-count`.
    Unread(u32),
    /// Something failed that the visitor can see: `ferrochat:error`.
    Error(String),
}

/// Where the session is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Before [`Input::Start`].
    Idle,
    /// Loading the inbox, the contact and the messages.
    Starting,
    Ready,
    /// The bootstrap failed; [`Input::RetryStart`] tries again (and the
    /// engine retries by itself with backoff when the failure is a network
    /// one).
    Failed {
        error: String,
    },
}

/// The realtime connection, for the header's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    Offline,
    Connecting,
    Live,
}

/// A visitor's message's delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Sent, not yet confirmed (retrying if need be).
    Pending,
    /// Files on their way: the share of the upload's bytes the browser has
    /// sent, in percent ([`Input::Progress`]). Then as `Pending`.
    Uploading { percent: u8 },
    /// Confirmed by the server.
    Sent,
    /// Gave up retrying or the server refused it: shown with a retry button.
    Failed { error: String },
}

/// One line of the conversation as the widget shows it.
///
/// A message is shared (`Rc`): a view copies and compares the whole
/// conversation on every render, which costs a pointer per message, not
/// the message.
#[derive(Clone, Debug)]
pub enum Entry {
    /// A message the server has (confirmed visitor messages included).
    Message(Rc<Message>),
    /// A visitor message not yet confirmed, or failed.
    Outgoing {
        outgoing: Outgoing,
        delivery: Delivery,
    },
}

impl PartialEq for Entry {
    /// The same shared message is equal at once; another is compared.
    fn eq(&self, other: &Entry) -> bool {
        match (self, other) {
            (Entry::Message(a), Entry::Message(b)) => Rc::ptr_eq(a, b) || a == b,
            (
                Entry::Outgoing { outgoing, delivery },
                Entry::Outgoing {
                    outgoing: other_outgoing,
                    delivery: other_delivery,
                },
            ) => outgoing == other_outgoing && delivery == other_delivery,
            _ => false,
        }
    }
}

/// The engine: feed it [`Input`]s, run the [`Effect`]s it returns, and read
/// its state to render the widget.
///
/// It never panics and never trusts what it hears: a response or a frame
/// that does not parse is a failure the visitor can see (or, for a frame,
/// ignored), and a response for a call it no longer waits for is dropped.
#[derive(Debug)]
pub struct Session {
    config: Config,
    /// The time of the input being handled: effects are computed from it.
    now: u64,
    /// Effects of the input being handled, in order.
    out: Vec<Effect>,
    phase: Phase,
    /// [`Notice::Ready`] goes out once, even if dead credentials send the
    /// session through the bootstrap again.
    ready_told: bool,
    boot: Boot,
    /// Bootstrap failures in a row: the next automatic retry's backoff.
    start_failures: u32,
    inbox: Option<PublicInbox>,
    source_id: Option<String>,
    pubsub_token: Option<String>,
    /// A contact this session created and has not yet seen confirmed on the
    /// socket: if its subscription is rejected, making another one would
    /// loop, so the engine gives up on realtime instead.
    fresh_contact: bool,
    /// This session made its contact: a 404 for it is then the server's
    /// confusion, not dead credentials, and is not answered with another.
    made_contact: bool,
    conversation: Option<ConversationId>,
    status: Option<ConversationStatus>,
    /// Server messages by id (`..message_count`), then the outbox.
    entries: Vec<Entry>,
    message_count: usize,
    outbox: Vec<OutboxItem>,
    /// The outbox's one call in flight, which keeps messages in order.
    flight: Flight,
    /// The outbox waits for [`Timer::Retry`] after a failed attempt.
    outbox_waiting: bool,
    /// The browser says the network is down ([`Input::Network`]).
    offline: bool,
    /// The server has no messages before the first one shown.
    oldest_shown: bool,
    /// The page is hidden in the back/forward cache ([`Input::Suspend`]).
    suspended: bool,
    calls: Vec<(RequestId, Call)>,
    next_request: u64,
    next_echo: u64,
    /// Whether a socket is open or being opened (as far as the engine asked).
    socket_open: bool,
    identifier: Option<String>,
    connection: Connection,
    /// Reconnects since the last confirmed subscription: the next backoff.
    reconnects: u32,
    /// A backfill failed: try again at the next presence tick.
    backfill_due: bool,
    agent_typing: bool,
    /// While the visitor is typing: when `on` was last sent.
    visitor_typing: Option<u64>,
    open: bool,
    unread: u32,
    /// Who the current contact is, as far as the engine knows.
    identity: Identity,
    /// A `setUser` not yet applied: the identifier and the fields.
    pending_user: Option<(String, ContactRequest)>,
    /// The fields last applied by `setUser` to the current contact (with
    /// its `identifier_hash`), so that the same call again sends nothing.
    user_sent: ContactRequest,
    /// The contact's whole custom attributes object; `None` while unknown.
    attributes: Option<Attributes>,
    /// Custom attributes to set (`null`: delete), not yet sent.
    attribute_changes: Attributes,
    /// Custom attributes for the next conversation created.
    conversation_attributes: Attributes,
    /// The embed's pre-chat form.
    pre_chat: Option<Form>,
    /// The visitor answered it.
    details_given: bool,
    /// Contact fields from the pre-chat form, not yet sent.
    details: ContactRequest,
    /// A profile call failed: the next one waits for [`Timer::Retry`].
    profile_waiting: bool,
    /// Profile calls failed in a row: the next backoff.
    profile_failures: u32,
}

impl Session {
    /// A session in [`Phase::Idle`]: nothing happens until [`Input::Start`].
    pub fn new(config: Config) -> Session {
        Session {
            config,
            now: 0,
            out: Vec::new(),
            phase: Phase::Idle,
            ready_told: false,
            boot: Boot::default(),
            start_failures: 0,
            inbox: None,
            source_id: None,
            pubsub_token: None,
            fresh_contact: false,
            made_contact: false,
            conversation: None,
            status: None,
            entries: Vec::new(),
            message_count: 0,
            outbox: Vec::new(),
            flight: Flight::Idle,
            outbox_waiting: false,
            offline: false,
            oldest_shown: false,
            suspended: false,
            calls: Vec::new(),
            next_request: 1,
            next_echo: 0,
            socket_open: false,
            identifier: None,
            connection: Connection::Offline,
            reconnects: 0,
            backfill_due: false,
            agent_typing: false,
            visitor_typing: None,
            open: false,
            unread: 0,
            identity: Identity::Unknown,
            pending_user: None,
            user_sent: ContactRequest::default(),
            attributes: None,
            attribute_changes: Attributes::new(),
            conversation_attributes: Attributes::new(),
            profile_waiting: false,
            profile_failures: 0,
            pre_chat: None,
            details_given: false,
            details: ContactRequest::default(),
        }
    }

    /// Feeds one input at `now_ms` (unix milliseconds); returns the effects
    /// to run, in order.
    ///
    /// Inputs other than [`Input::Start`], [`Input::Visible`] and the host
    /// page's (kept for after the bootstrap) that come before `Start` are
    /// ignored: nothing is loaded yet, and a [`Effect::Store`] then would
    /// overwrite what the reload kept.
    pub fn handle(&mut self, input: Input, now_ms: u64) -> Vec<Effect> {
        self.now = now_ms;
        // An answer proves the network, whatever the browser said of it.
        if self.offline
            && matches!(
                &input,
                Input::Http {
                    response: HttpResponse::Answered { .. },
                    ..
                }
            )
        {
            self.network(true);
        }
        match input {
            Input::Start { stored } => self.start(stored),
            Input::Visible { open } => self.visible(open),
            Input::SetUser { identifier, user } => self.set_user(&identifier, user),
            Input::SetCustomAttributes(attributes) => self.set_attributes(attributes),
            Input::DeleteCustomAttribute(key) => self.delete_attribute(key),
            Input::SetConversationCustomAttributes(attributes) => {
                self.set_conversation_attributes(attributes)
            }
            Input::PreChatForm(form) => self.pre_chat = form,
            Input::Reset => self.reset(),
            Input::Network { online } => self.network(online),
            Input::Suspend => self.suspend(),
            Input::Resume => self.resume(),
            _ if self.phase == Phase::Idle => {}
            Input::Send { content } => self.send(&content),
            Input::SendFiles { content, files } => self.send_files(&content, files),
            Input::Retry { echo_id } => self.retry_message(&echo_id),
            Input::RetryStart => self.retry_start(),
            Input::SubmitPreChat { values } => self.submit_pre_chat(values),
            Input::Progress { id, sent, total } => self.progress(id, sent, total),
            Input::Choose { message, choice } => self.choose(message, choice),
            Input::SubmitForm { message, values } => self.submit_form(message, values),
            Input::Rate { rating, feedback } => self.rate(rating, feedback),
            Input::Typed => self.typed(),
            Input::StoppedTyping => self.typing_off(),
            Input::Seen => self.seen(),
            Input::ReadElsewhere => self.read_elsewhere(),
            Input::LoadOlder => self.load_older(),
            Input::Resolve => self.resolve(),
            Input::Http { id, response } => self.response(id, response),
            Input::SocketOpened => self.socket_opened(),
            Input::SocketFrame(text) => self.frame(&text),
            Input::SocketClosed => self.socket_closed(),
            Input::Timer(timer) => self.timer(timer),
        }
        std::mem::take(&mut self.out)
    }

    /// Where the bootstrap is: the widget shows a spinner, the chat, or the
    /// error with a retry button.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The realtime link, for the header: messages still go out over HTTP
    /// while it is down.
    pub fn connection(&self) -> Connection {
        self.connection
    }

    /// The browser says the network is down: what the visitor sends waits
    /// for it.
    pub fn offline(&self) -> bool {
        self.offline
    }

    /// The pre-chat form to show now, if any: the embed asked for one, the
    /// session is ready, the visitor has no conversation yet (nor a message
    /// waiting to start one) and has not answered it. Fields the host page
    /// already filled in (`setUser`'s name, email or phone number, a custom
    /// attribute the contact has) are left out; with none left, no form.
    pub fn pre_chat(&self) -> Option<Form> {
        let form = self.pre_chat.as_ref()?;
        if self.details_given
            || self.phase != Phase::Ready
            || self.conversation.is_some()
            || !self.outbox.is_empty()
        {
            return None;
        }
        let items: Vec<_> = form
            .items
            .iter()
            .filter(|field| !self.knows(&field.name))
            .cloned()
            .collect();
        (!items.is_empty()).then(|| Form {
            items,
            ..form.clone()
        })
    }

    /// The inbox's name and working hours, once loaded.
    pub fn inbox(&self) -> Option<&PublicInbox> {
        self.inbox.as_ref()
    }

    /// The conversation's status (a resolved one can still be written to:
    /// the server reopens it); `None` before there is a conversation.
    pub fn status(&self) -> Option<ConversationStatus> {
        self.status.clone()
    }

    /// The conversation's display id; `None` until the first message made it.
    pub fn conversation(&self) -> Option<ConversationId> {
        self.conversation
    }

    /// The conversation in order: server messages by id, then the outbox in
    /// send order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// An agent is typing in this conversation (cleared by their message,
    /// their `typing_off`, or 30 s without news).
    pub fn agent_typing(&self) -> bool {
        self.agent_typing
    }

    /// Agent messages that arrived while the window was closed.
    pub fn unread(&self) -> u32 {
        self.unread
    }

    /// The files the outbox still needs: the browser side may let go of
    /// every other one.
    pub fn files(&self) -> impl Iterator<Item = FileId> + '_ {
        self.outbox
            .iter()
            .flat_map(|item| item.outgoing.files.iter().map(|file| file.id))
    }
}
