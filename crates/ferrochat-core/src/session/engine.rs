//! The bootstrap, the outbox, the calls' answers and the merge of server
//! messages into the conversation.

use std::rc::Rc;

use serde::Serialize;

use super::wire::{Outcome, backoff_ms, echo_id, outcome, outcome_empty, segment};
use super::{
    Body, Delivery, Effect, Entry, HttpRequest, HttpResponse, Method, Notice, Outgoing,
    OutgoingFile, Phase, RequestId, Session, Stored, Timer,
};
use crate::Field;
use crate::chatwoot::{
    Contact, ContactRequest, Conversation, ConversationId, ConversationRequest, ConversationStatus,
    Message, MessageId, MessageRequest, MessageType, MessageUpdate, PublicInbox, SubmittedValues,
    TypingRequest, TypingStatus,
};
use crate::content::{Content, CsatSubmitted, CsatSurveyResponse, SubmittedValue};

/// A message is shown as failed after this many attempts that got no
/// answer (or a 5xx): about a minute of retrying with the backoff.
pub(super) const SEND_ATTEMPTS: u32 = 5;
/// The public API's page of messages.
const PAGE: usize = 20;
/// The visitor stopped typing after this long without a keystroke.
const VISITOR_TYPING_IDLE_MS: u64 = 3_000;
/// While the visitor keeps typing, `on` is sent again this often, so that an
/// agent who opened the conversation late still sees it.
const VISITOR_TYPING_EVERY_MS: u64 = 5_000;
/// A server message matches a visitor message whose send may have landed
/// only if it is at most this much older (clocks of browser and server
/// differ).
const SHADOW_SKEW_SECS: i64 = 300;

/// Which parts of the bootstrap are done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Boot {
    pub(super) inbox: bool,
    pub(super) contact: bool,
    pub(super) history: bool,
    pub(super) conversation: bool,
}

/// What a call in flight was for, so that its answer finds its handler.
#[derive(Clone, Debug)]
pub(super) enum Call {
    Inbox,
    /// Verifies stored credentials.
    Contact,
    CreateContact,
    /// The latest messages of the stored conversation.
    History,
    /// The stored conversation (for its status).
    Conversation,
    CreateConversation,
    Send {
        echo_id: String,
    },
    /// What a reconnect missed.
    Backfill,
    /// The page before the first message shown.
    Older,
    /// A quick reply: the content before and after the optimistic answer.
    Choose {
        message: MessageId,
        before: Content,
        after: Content,
    },
    Typing,
    LastSeen,
    /// `toggle_status`: the conversation it was for.
    Resolve {
        conversation: ConversationId,
    },
    /// `setUser` for a contact without this identifier: `POST /contacts`.
    Identify {
        identifier: String,
    },
    /// `PATCH /contacts/{sid}` with these fields and, when `changes` is
    /// some, the whole custom attributes object with these changes in it.
    Profile {
        sent: ContactRequest,
        changes: Option<crate::session::Attributes>,
    },
    /// After a switch of contact: its conversations, to resume one.
    Conversations,
    /// The latest messages of the conversation resumed after a switch.
    Resume,
}

/// The outbox's call in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Flight {
    Idle,
    /// Creating the conversation for the message with this `echo_id`.
    Conversation {
        echo_id: String,
    },
    Message {
        echo_id: String,
    },
}

/// A visitor message the server has not confirmed.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct OutboxItem {
    pub(super) outgoing: Outgoing,
    pub(super) delivery: Delivery,
    /// Attempts without an answer since the last success or manual retry.
    pub(super) attempts: u32,
    /// An attempt may have reached the server (or did before a reload), so a
    /// message list, which carries no `echo_id`, may already hold it.
    pub(super) in_doubt: bool,
    /// A server message that is most likely this one: the item is hidden
    /// while it is pending (no duplicate bubble), and its next attempt,
    /// deduplicated by `echo_id`, settles it.
    pub(super) shadowed_by: Option<MessageId>,
    /// The share of its upload's bytes sent, in percent, during an attempt.
    pub(super) progress: Option<u8>,
}

impl OutboxItem {
    fn new(outgoing: Outgoing, in_doubt: bool) -> Self {
        OutboxItem {
            outgoing,
            delivery: Delivery::Pending,
            attempts: 0,
            in_doubt,
            shadowed_by: None,
            progress: None,
        }
    }
}

/// A JSON request body; the bodies are plain structs, so this only falls
/// back in theory.
pub(super) fn json<T: Serialize>(body: &T) -> Body {
    Body::Json(serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned()))
}

impl Session {
    // ------------------------------------------------------------ effects

    pub(super) fn emit(&mut self, effect: Effect) {
        self.out.push(effect);
    }

    pub(super) fn notify(&mut self, notice: Notice) {
        self.emit(Effect::Notify(notice));
    }

    pub(super) fn start_timer(&mut self, timer: Timer, after_ms: u64) {
        self.emit(Effect::StartTimer { timer, after_ms });
    }

    pub(super) fn stop_timer(&mut self, timer: Timer) {
        self.emit(Effect::StopTimer(timer));
    }

    pub(super) fn request(&mut self, call: Call, method: Method, path: String, body: Option<Body>) {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        self.calls.push((id, call));
        self.emit(Effect::Http(HttpRequest {
            id,
            method,
            path,
            body,
        }));
    }

    pub(super) fn in_flight(&self, wanted: fn(&Call) -> bool) -> bool {
        self.calls.iter().any(|(_, call)| wanted(call))
    }

    pub(super) fn store(&mut self) {
        let stored = Stored {
            source_id: self.source_id.clone(),
            pubsub_token: self.pubsub_token.clone(),
            conversation: self.conversation,
            // A reload loses the files' bytes: only text is kept.
            outbox: self
                .outbox
                .iter()
                .filter(|item| item.outgoing.files.is_empty())
                .map(|item| item.outgoing.clone())
                .collect(),
            details_given: self.details_given,
        };
        // Nothing left to keep is said as "forget it".
        let keep = stored != Stored::default();
        self.emit(Effect::Store(keep.then_some(stored)));
    }

    // -------------------------------------------------------------- paths

    pub(super) fn inbox_path(&self) -> String {
        format!("/public/api/v1/inboxes/{}", segment(&self.config.inbox))
    }

    pub(super) fn contact_path(&self) -> Option<String> {
        let source_id = self.source_id.as_deref()?;
        Some(format!(
            "{}/contacts/{}",
            self.inbox_path(),
            segment(source_id)
        ))
    }

    pub(super) fn conversation_path(&self) -> Option<String> {
        let conversation = self.conversation?;
        Some(format!(
            "{}/conversations/{}",
            self.contact_path()?,
            conversation.0
        ))
    }

    // ---------------------------------------------------------- bootstrap

    pub(super) fn start(&mut self, stored: Option<Stored>) {
        if self.phase != Phase::Idle {
            return;
        }
        let stored = stored.unwrap_or_default();
        // Credentials come as a pair; half of them is none.
        if let (Some(source_id), Some(token)) = (stored.source_id, stored.pubsub_token) {
            // Who it is (an identifier, its custom attributes) is not
            // stored: the first profile call asks.
            self.identity = super::Identity::Unknown;
            self.source_id = Some(source_id);
            self.pubsub_token = Some(token);
            self.conversation = stored.conversation;
            self.details_given = stored.details_given;
        }
        // A restored message may have reached the server before the reload.
        self.outbox = stored
            .outbox
            .into_iter()
            .map(|outgoing| OutboxItem::new(outgoing, true))
            .collect();
        self.refresh_outbox();
        self.boot = Boot::default();
        self.begin_bootstrap();
    }

    /// Asks for every part of the bootstrap not done nor in flight.
    pub(super) fn begin_bootstrap(&mut self) {
        self.phase = Phase::Starting;
        if !self.boot.inbox && !self.in_flight(|call| matches!(call, Call::Inbox)) {
            self.request(Call::Inbox, Method::Get, self.inbox_path(), None);
        }
        let contact_in_flight =
            self.in_flight(|call| matches!(call, Call::Contact | Call::CreateContact));
        if !self.boot.contact && !contact_in_flight {
            match self.contact_path() {
                Some(path) => self.request(Call::Contact, Method::Get, path, None),
                None => self.request(
                    Call::CreateContact,
                    Method::Post,
                    format!("{}/contacts", self.inbox_path()),
                    Some(json(&ContactRequest::default())),
                ),
            }
        }
        match self.conversation_path() {
            Some(path) => {
                if !self.boot.history && !self.in_flight(|call| matches!(call, Call::History)) {
                    self.request(Call::History, Method::Get, format!("{path}/messages"), None);
                }
                if !self.boot.conversation
                    && !self.in_flight(|call| matches!(call, Call::Conversation))
                {
                    self.request(Call::Conversation, Method::Get, path, None);
                }
            }
            None => {
                self.boot.history = true;
                self.boot.conversation = true;
            }
        }
        self.check_bootstrap();
    }

    fn check_bootstrap(&mut self) {
        let Boot {
            inbox,
            contact,
            history,
            conversation,
        } = self.boot;
        if self.phase == Phase::Starting && inbox && contact && history && conversation {
            self.finish_bootstrap();
        }
    }

    fn finish_bootstrap(&mut self) {
        self.phase = Phase::Ready;
        self.start_failures = 0;
        if !self.ready_told {
            self.ready_told = true;
            self.notify(Notice::Ready);
        }
        self.open_socket();
        if self.open {
            self.mark_seen();
        }
        self.pump();
    }

    /// A bootstrap call failed. The first failure of an attempt decides the
    /// backoff; a refusal stops the automatic retries.
    fn boot_failed(&mut self, error: String, retry: bool) {
        if matches!(self.phase, Phase::Failed { .. }) {
            if !retry {
                self.stop_timer(Timer::Retry);
                self.phase = Phase::Failed { error };
            }
            return;
        }
        self.phase = Phase::Failed { error };
        if retry {
            let after_ms = backoff_ms(self.start_failures);
            self.start_failures = self.start_failures.saturating_add(1);
            self.start_timer(Timer::Retry, after_ms);
        }
    }

    pub(super) fn retry_start(&mut self) {
        if matches!(self.phase, Phase::Failed { .. }) {
            self.stop_timer(Timer::Retry);
            self.begin_bootstrap();
        }
    }

    /// The server does not know the contact (404/401 for its credentials, or
    /// a rejected subscription): forget it and everything that was its, and
    /// make a new one. The outbox stays: the visitor's words go to the new
    /// conversation.
    pub(super) fn credentials_dead(&mut self) {
        self.source_id = None;
        self.pubsub_token = None;
        self.identifier = None;
        self.fresh_contact = false;
        self.identity_lost();
        self.forget_conversation();
        self.calls.retain(|(_, call)| matches!(call, Call::Inbox));
        self.flight = Flight::Idle;
        if self.outbox_waiting || self.profile_waiting {
            self.outbox_waiting = false;
            self.profile_waiting = false;
            self.stop_timer(Timer::Retry);
        }
        for item in &mut self.outbox {
            item.attempts = 0;
            item.in_doubt = false;
            item.shadowed_by = None;
        }
        self.refresh_outbox();
        self.close_socket();
        self.boot.contact = false;
        self.store();
        self.begin_bootstrap();
    }

    /// The conversation is gone (404): what was shown of it too. The next
    /// message creates a new one.
    pub(super) fn forget_conversation(&mut self) {
        self.conversation = None;
        self.status = None;
        self.entries.drain(..self.message_count);
        self.message_count = 0;
        self.oldest_shown = false;
        self.boot.history = true;
        self.boot.conversation = true;
        self.backfill_due = false;
        self.calls.retain(|(_, call)| {
            !matches!(
                call,
                Call::History
                    | Call::Conversation
                    | Call::Backfill
                    | Call::Older
                    | Call::Choose { .. }
                    | Call::Typing
                    | Call::LastSeen
                    | Call::Resolve { .. }
            )
        });
        for item in &mut self.outbox {
            item.shadowed_by = None;
        }
        if self.agent_typing {
            self.agent_typing = false;
            self.stop_timer(Timer::AgentTyping);
        }
        if self.visitor_typing.take().is_some() {
            self.stop_timer(Timer::VisitorTyping);
        }
        if self.unread != 0 {
            self.unread = 0;
            self.notify(Notice::Unread(0));
        }
    }

    // ---------------------------------------------------------- responses

    pub(super) fn response(&mut self, id: RequestId, response: HttpResponse) {
        let Some(at) = self.calls.iter().position(|(known, _)| *known == id) else {
            return;
        };
        let (_, call) = self.calls.remove(at);
        match call {
            Call::Inbox => self.on_inbox(outcome(response)),
            Call::Contact => self.on_contact(outcome(response)),
            Call::CreateContact => self.on_contact_created(outcome(response)),
            Call::History => self.on_history(outcome(response)),
            Call::Conversation => self.on_conversation(outcome(response)),
            Call::CreateConversation => self.on_conversation_created(outcome(response)),
            Call::Send { echo_id } => {
                self.upload_ended(&echo_id);
                self.on_sent(&echo_id, outcome(response));
            }
            Call::Backfill => self.on_backfill(outcome(response)),
            Call::Older => self.on_older(outcome(response)),
            Call::Choose {
                message,
                before,
                after,
            } => self.on_chosen(message, before, after, outcome(response)),
            // Typing and read receipts are best effort: the next one corrects.
            Call::Typing | Call::LastSeen => {
                let _ = outcome_empty(response);
            }
            Call::Resolve { conversation } => self.on_resolved(conversation, outcome(response)),
            Call::Identify { identifier } => self.on_identified(identifier, outcome(response)),
            Call::Profile { sent, changes } => self.on_profile(sent, changes, outcome(response)),
            Call::Conversations => self.on_conversations(outcome(response)),
            Call::Resume => self.on_resumed(outcome(response)),
        }
    }

    fn on_inbox(&mut self, result: Outcome<PublicInbox>) {
        match result {
            Outcome::Done(inbox) => {
                self.inbox = Some(inbox);
                self.boot.inbox = true;
                self.check_bootstrap();
            }
            Outcome::Retry(error) => {
                self.boot_failed(format!("could not load the inbox: {error}"), true)
            }
            Outcome::Refused { status: 404, .. } => {
                self.boot_failed("this chat inbox does not exist".to_owned(), false)
            }
            Outcome::Refused { error, .. } => {
                self.boot_failed(format!("could not load the inbox: {error}"), false)
            }
        }
    }

    fn on_contact(&mut self, result: Outcome<Contact>) {
        match result {
            Outcome::Done(contact) => {
                // The token may have changed on the server's side.
                if let Some(token) = contact.pubsub_token
                    && self.pubsub_token.as_ref() != Some(&token)
                {
                    self.pubsub_token = Some(token);
                    self.store();
                }
                self.boot.contact = true;
                self.check_bootstrap();
            }
            Outcome::Refused {
                status: 401 | 404, ..
            } => self.credentials_dead(),
            Outcome::Retry(error) => {
                self.boot_failed(format!("could not load your chat: {error}"), true)
            }
            Outcome::Refused { error, .. } => {
                self.boot_failed(format!("could not load your chat: {error}"), false)
            }
        }
    }

    fn on_contact_created(&mut self, result: Outcome<Contact>) {
        match result {
            Outcome::Done(Contact {
                source_id: Some(source_id),
                pubsub_token: Some(token),
                ..
            }) => {
                self.source_id = Some(source_id);
                self.pubsub_token = Some(token);
                self.fresh_contact = true;
                self.made_contact = true;
                // Made from an empty body: no identifier, no attributes.
                self.identity = super::Identity::Anonymous;
                self.attributes = Some(super::Attributes::new());
                self.boot.contact = true;
                self.store();
                self.check_bootstrap();
            }
            Outcome::Done(_) => self.boot_failed(
                "could not start a chat: the server answered without credentials".to_owned(),
                true,
            ),
            Outcome::Retry(error) => {
                self.boot_failed(format!("could not start a chat: {error}"), true)
            }
            Outcome::Refused { error, .. } => {
                self.boot_failed(format!("could not start a chat: {error}"), false)
            }
        }
    }

    fn on_history(&mut self, result: Outcome<Vec<Message>>) {
        match result {
            Outcome::Done(messages) => {
                self.boot.history = true;
                self.oldest_shown = messages.len() < PAGE;
                self.arrived(messages, false);
                self.check_bootstrap();
            }
            Outcome::Refused { status: 404, .. } => self.conversation_gone_at_start(),
            Outcome::Retry(error) => {
                self.boot_failed(format!("could not load the messages: {error}"), true)
            }
            Outcome::Refused { error, .. } => {
                self.boot_failed(format!("could not load the messages: {error}"), false)
            }
        }
    }

    fn on_conversation(&mut self, result: Outcome<Conversation>) {
        match result {
            Outcome::Done(conversation) => {
                self.boot.conversation = true;
                self.status = Some(conversation.status);
                self.arrived(conversation.messages, false);
                self.check_bootstrap();
            }
            Outcome::Refused { status: 404, .. } => self.conversation_gone_at_start(),
            Outcome::Retry(error) => {
                self.boot_failed(format!("could not load the conversation: {error}"), true)
            }
            Outcome::Refused { error, .. } => {
                self.boot_failed(format!("could not load the conversation: {error}"), false)
            }
        }
    }

    fn conversation_gone_at_start(&mut self) {
        self.forget_conversation();
        self.store();
        self.check_bootstrap();
    }

    // ------------------------------------------------------------- outbox

    pub(super) fn send(&mut self, content: &str) {
        let content = content.trim();
        if content.is_empty() {
            return;
        }
        if let Err(error) = crate::validate::content(content) {
            self.notify(Notice::Error(error.to_string()));
            return;
        }
        self.enqueue(content, Vec::new());
    }

    /// Files with a caption: all of them are checked before any is queued,
    /// and a refusal names the file.
    pub(super) fn send_files(&mut self, content: &str, files: Vec<OutgoingFile>) {
        if files.is_empty() {
            self.send(content);
            return;
        }
        let content = content.trim();
        let described = files
            .iter()
            .map(|file| (file.name.as_str(), file.content_type.as_str(), file.size));
        let checked = crate::validate::attachments(described)
            .map_err(|error| error.to_string())
            .and_then(|()| crate::validate::content(content).map_err(|error| error.to_string()));
        if let Err(error) = checked {
            self.notify(Notice::Error(error));
            return;
        }
        self.enqueue(content, files);
    }

    fn enqueue(&mut self, content: &str, files: Vec<OutgoingFile>) {
        self.next_echo = self.next_echo.wrapping_add(1);
        let outgoing = Outgoing {
            echo_id: echo_id(self.config.seed, self.next_echo, self.now),
            content: content.to_owned(),
            created_at_ms: self.now,
            files,
        };
        self.outbox.push(OutboxItem::new(outgoing, false));
        self.refresh_outbox();
        self.store();
        self.typing_off();
        self.pump();
    }

    pub(super) fn retry_message(&mut self, echo_id: &str) {
        let Some(item) = self
            .outbox
            .iter_mut()
            .find(|item| item.outgoing.echo_id == echo_id)
        else {
            return;
        };
        if !matches!(item.delivery, Delivery::Failed { .. }) {
            return;
        }
        item.delivery = Delivery::Pending;
        item.attempts = 0;
        self.refresh_outbox();
        self.pump();
    }

    /// Sends the oldest pending message, one call at a time, so that the
    /// server gets them in the order the visitor wrote them.
    pub(super) fn pump(&mut self) {
        self.profile_pump();
        // While the contact may be switching, a message would go to the
        // wrong one (or make a conversation beside the one to resume).
        let switching =
            self.in_flight(|call| matches!(call, Call::Identify { .. } | Call::Conversations));
        if self.phase != Phase::Ready
            || self.flight != Flight::Idle
            || self.outbox_waiting
            || self.offline
            || switching
        {
            return;
        }
        let Some(index) = self
            .outbox
            .iter()
            .position(|item| item.delivery == Delivery::Pending)
        else {
            return;
        };
        let echo_id = self.outbox[index].outgoing.echo_id.clone();
        let Some(contact_path) = self.contact_path() else {
            return;
        };
        match self.conversation_path() {
            None => {
                self.flight = Flight::Conversation {
                    echo_id: echo_id.clone(),
                };
                self.request(
                    Call::CreateConversation,
                    Method::Post,
                    format!("{contact_path}/conversations"),
                    Some(json(&ConversationRequest {
                        custom_attributes: (!self.conversation_attributes.is_empty())
                            .then(|| self.conversation_attributes.clone()),
                    })),
                );
            }
            Some(path) => {
                let item = &mut self.outbox[index];
                item.in_doubt = true;
                item.progress = None;
                let outgoing = &item.outgoing;
                let body = if outgoing.files.is_empty() {
                    json(&MessageRequest {
                        content: Some(outgoing.content.clone()),
                        echo_id: Some(echo_id.clone()),
                    })
                } else {
                    // The same fields as the JSON body, as form fields; a
                    // caption-less upload sends no content at all.
                    let mut fields = Vec::new();
                    if !outgoing.content.is_empty() {
                        fields.push(("content", outgoing.content.clone()));
                    }
                    fields.push(("echo_id", echo_id.clone()));
                    Body::Multipart {
                        fields,
                        files: outgoing.files.iter().map(|file| file.id).collect(),
                    }
                };
                self.flight = Flight::Message {
                    echo_id: echo_id.clone(),
                };
                self.request(
                    Call::Send { echo_id },
                    Method::Post,
                    format!("{path}/messages"),
                    Some(body),
                );
            }
        }
    }

    fn on_conversation_created(&mut self, result: Outcome<Conversation>) {
        let echo_id = match std::mem::replace(&mut self.flight, Flight::Idle) {
            Flight::Conversation { echo_id } => echo_id,
            _ => String::new(),
        };
        match result {
            Outcome::Done(conversation) => {
                self.conversation = Some(conversation.id);
                self.status = Some(conversation.status);
                self.store();
                self.arrived(conversation.messages, true);
                self.pump();
                // What the server said in the new conversation before we
                // knew its id (a greeting, a bot's first answer) was
                // dropped as another conversation's: fetch it.
                self.backfill();
            }
            // A contact this session made is not dead a moment later: a
            // server that says so would have us make contacts forever.
            Outcome::Refused {
                status: 401 | 404,
                error,
            } if self.made_contact => self.send_failed(&echo_id, error, true),
            Outcome::Refused {
                status: 401 | 404, ..
            } => self.credentials_dead(),
            Outcome::Retry(error) => self.send_failed(&echo_id, error, true),
            Outcome::Refused { error, .. } => self.send_failed(&echo_id, error, false),
        }
    }

    fn on_sent(&mut self, echo_id: &str, result: Outcome<Message>) {
        if self.flight
            == (Flight::Message {
                echo_id: echo_id.to_owned(),
            })
        {
            self.flight = Flight::Idle;
        }
        match result {
            Outcome::Done(message) => {
                self.confirm(echo_id, message);
                self.pump();
            }
            Outcome::Refused { status: 404, error } => {
                // The conversation is gone: the next attempt makes a new one.
                self.forget_conversation();
                self.store();
                self.send_failed(echo_id, error, true);
            }
            Outcome::Retry(error) => self.send_failed(echo_id, error, true),
            Outcome::Refused { error, .. } => self.send_failed(echo_id, error, false),
        }
    }

    /// The server has the visitor's message: it replaces the outbox item,
    /// once, whichever of the answer and `message.created` comes first.
    fn confirm(&mut self, echo_id: &str, mut message: Message) {
        // The item goes whatever the answer holds: the server took it, and
        // keeping it would send it again.
        if let Some(index) = self
            .outbox
            .iter()
            .position(|item| item.outgoing.echo_id == echo_id)
        {
            self.outbox.remove(index);
            self.refresh_outbox();
            self.store();
        }
        if message.echo_id.is_none() {
            message.echo_id = Some(echo_id.to_owned());
        }
        // The server reopens a resolved conversation for a visitor message;
        // say so even if the socket is down and its event never comes.
        if self.status == Some(crate::chatwoot::ConversationStatus::Resolved)
            && message.message_type == MessageType::Incoming
        {
            self.status = Some(crate::chatwoot::ConversationStatus::Open);
        }
        self.arrived(vec![message], true);
    }

    fn send_failed(&mut self, echo_id: &str, error: String, retry: bool) {
        let Some(index) = self
            .outbox
            .iter()
            .position(|item| item.outgoing.echo_id == echo_id)
        else {
            // Confirmed meanwhile (by the socket): nothing failed.
            self.pump();
            return;
        };
        // With the network down a failure says nothing about the message:
        // it waits, its attempts kept, for the network ([`Input::Network`]).
        if retry && self.offline {
            return;
        }
        let item = &mut self.outbox[index];
        if retry {
            item.attempts = item.attempts.saturating_add(1);
            if item.attempts < SEND_ATTEMPTS {
                let after_ms = backoff_ms(item.attempts - 1);
                self.outbox_waiting = true;
                self.start_timer(Timer::Retry, after_ms);
                return;
            }
        }
        item.delivery = Delivery::Failed {
            error: error.clone(),
        };
        self.refresh_outbox();
        self.notify(Notice::Error(format!("message not sent: {error}")));
        self.pump();
    }

    /// The outbox's waiting is over ([`Timer::Retry`] while ready).
    pub(super) fn outbox_retry(&mut self) {
        if self.outbox_waiting {
            self.outbox_waiting = false;
            self.pump();
        }
    }

    // ------------------------------------------------------------ entries

    fn position(&self, id: MessageId) -> Result<usize, usize> {
        self.entries[..self.message_count].binary_search_by_key(&id, |entry| match entry {
            Entry::Message(message) => message.id,
            // Never in the message part; sorts last if it ever were.
            Entry::Outgoing { .. } => MessageId(u64::MAX),
        })
    }

    pub(super) fn message_mut(&mut self, id: MessageId) -> Option<&mut Message> {
        let index = self.position(id).ok()?;
        match &mut self.entries[index] {
            Entry::Message(message) => Some(Rc::make_mut(message)),
            Entry::Outgoing { .. } => None,
        }
    }

    pub(super) fn remove_message(&mut self, id: MessageId) {
        if let Ok(index) = self.position(id) {
            self.entries.remove(index);
            self.message_count -= 1;
        }
    }

    /// The last server message's id, for `?after=`.
    pub(super) fn load_older(&mut self) {
        let first = match self.entries[..self.message_count].first() {
            Some(Entry::Message(message)) => message.id,
            _ => return,
        };
        if self.oldest_shown || self.in_flight(|call| matches!(call, Call::Older)) {
            return;
        }
        if let Some(path) = self.conversation_path() {
            let path = format!("{path}/messages?before={}", first.0);
            self.request(Call::Older, Method::Get, path, None);
        }
    }

    fn on_older(&mut self, result: Outcome<Vec<Message>>) {
        // A failure is not worth a word: the next scroll to the top asks
        // again.
        if let Outcome::Done(messages) = result {
            self.oldest_shown = messages.len() < PAGE;
            self.arrived(messages, false);
        }
    }

    pub(super) fn last_message_id(&self) -> Option<MessageId> {
        match self.entries[..self.message_count].last() {
            Some(Entry::Message(message)) => Some(message.id),
            _ => None,
        }
    }

    /// Rewrites the outbox part of the entries.
    /// [`Input::Progress`]: the entry changes only when the whole percent
    /// does, so a render per percent at most.
    pub(super) fn progress(&mut self, id: RequestId, sent: u64, total: u64) {
        let echo_id = self.calls.iter().find_map(|(call_id, call)| match call {
            Call::Send { echo_id } if *call_id == id => Some(echo_id.clone()),
            _ => None,
        });
        let Some(echo_id) = echo_id.filter(|_| total > 0) else {
            return;
        };
        let percent = (sent.min(total).saturating_mul(100) / total) as u8;
        let Some(item) = self
            .outbox
            .iter_mut()
            .find(|item| item.outgoing.echo_id == echo_id && !item.outgoing.files.is_empty())
        else {
            return;
        };
        if item.progress != Some(percent) {
            item.progress = Some(percent);
            self.refresh_outbox();
        }
    }

    /// A send's call ended: whatever comes next, its progress is over.
    fn upload_ended(&mut self, echo_id: &str) {
        let item = self
            .outbox
            .iter_mut()
            .find(|item| item.outgoing.echo_id == echo_id);
        if let Some(item) = item
            && item.progress.take().is_some()
        {
            self.refresh_outbox();
        }
    }

    pub(super) fn refresh_outbox(&mut self) {
        self.entries.truncate(self.message_count);
        let shown = self
            .outbox
            .iter()
            .filter(|item| !(item.shadowed_by.is_some() && item.delivery == Delivery::Pending));
        let uploading = match &self.flight {
            Flight::Message { echo_id } => Some(echo_id.as_str()),
            _ => None,
        };
        let shown: Vec<Entry> = shown
            .map(|item| Entry::Outgoing {
                outgoing: item.outgoing.clone(),
                delivery: match item.progress {
                    Some(percent)
                        if item.delivery == Delivery::Pending
                            && uploading == Some(item.outgoing.echo_id.as_str()) =>
                    {
                        Delivery::Uploading { percent }
                    }
                    _ => item.delivery.clone(),
                },
            })
            .collect();
        self.entries.extend(shown);
    }

    /// Merges server messages of this conversation: new ids are inserted in
    /// order, known ids ignored, and an `echo_id` settles its outbox item.
    /// With `live`, agent messages are news: noticed, counted unread while
    /// the window is closed, and they end the agent's typing.
    pub(super) fn arrived(&mut self, messages: Vec<Message>, live: bool) {
        let mut outbox_changed = false;
        let mut news = 0u32;
        for message in messages {
            if Some(message.conversation_id) != self.conversation
                || !message.is_visible_to_contact()
            {
                continue;
            }
            if let Some(echo_id) = &message.echo_id
                && let Some(index) = self
                    .outbox
                    .iter()
                    .position(|item| &item.outgoing.echo_id == echo_id)
            {
                self.outbox.remove(index);
                outbox_changed = true;
            }
            let Err(index) = self.position(message.id) else {
                continue;
            };
            let agent = matches!(
                message.message_type,
                MessageType::Outgoing | MessageType::Template
            );
            if message.message_type == MessageType::Incoming && message.echo_id.is_none() {
                outbox_changed |= self.shadow(&message);
            }
            if live && agent {
                news += 1;
                self.notify(Notice::Message(message.clone()));
            }
            self.entries.insert(index, Entry::Message(Rc::new(message)));
            self.message_count += 1;
        }
        if outbox_changed {
            self.refresh_outbox();
            self.store();
            if self.outbox_waiting {
                // A shadowed message's next attempt settles it: no need to
                // wait out the backoff (the timer stays if a profile call
                // waits for it too).
                if !self.profile_waiting {
                    self.stop_timer(Timer::Retry);
                }
                self.outbox_retry();
            }
        }
        if news > 0 {
            if self.agent_typing {
                self.agent_typing = false;
                self.stop_timer(Timer::AgentTyping);
            }
            if self.open {
                self.mark_seen();
            } else {
                self.unread = self.unread.saturating_add(news);
                self.notify(Notice::Unread(self.unread));
            }
        }
    }

    /// A visitor message listed without its `echo_id` (lists never carry
    /// it) may be an outbox item whose answer got lost: hide that item
    /// rather than show the message twice. Returns whether one was hidden.
    fn shadow(&mut self, message: &Message) -> bool {
        let content = message.content.as_deref().unwrap_or_default();
        let taken: Vec<MessageId> = self
            .outbox
            .iter()
            .filter_map(|item| item.shadowed_by)
            .collect();
        if taken.contains(&message.id) {
            return false;
        }
        let candidate = self.outbox.iter_mut().find(|item| {
            item.in_doubt
                && item.shadowed_by.is_none()
                && item.delivery == Delivery::Pending
                && item.outgoing.content == content.trim()
                && item.outgoing.files.len() == message.attachments.len()
                && message.created_at
                    >= i64::try_from(item.outgoing.created_at_ms / 1000)
                        .unwrap_or(i64::MAX)
                        .saturating_sub(SHADOW_SKEW_SECS)
        });
        match candidate {
            Some(item) => {
                item.shadowed_by = Some(message.id);
                true
            }
            None => false,
        }
    }

    // ------------------------------------------------- visitor's other acts

    pub(super) fn choose(&mut self, id: MessageId, choice: SubmittedValue) {
        self.answer(id, |content| match content {
            Content::InputSelect(select) if select.submitted_values.is_none() => {
                select.submitted_values = Some(vec![choice.clone()]);
                Ok(SubmittedValues::Items(vec![choice]))
            }
            _ => Err(None),
        });
    }

    pub(super) fn submit_form(&mut self, id: MessageId, values: Vec<SubmittedValue>) {
        self.answer(id, |content| match content {
            Content::Form(form) if form.submitted_values.is_none() => {
                // Patterns need a regular expression engine, which would
                // weigh more than the rest of this crate in the widget: the
                // server checks them, and its refusal undoes the answer.
                if let Err(errors) = crate::validate::form_submission_but_patterns(form, &values) {
                    let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    return Err(Some(said.join("; ")));
                }
                form.submitted_values = Some(values.clone());
                Ok(SubmittedValues::Items(values))
            }
            Content::Form(_) => Err(Some("this form was already submitted".to_owned())),
            _ => Err(Some("that message is not a form".to_owned())),
        });
    }

    /// Answers the latest survey that has no answer yet.
    pub(super) fn rate(&mut self, rating: u8, feedback: Option<String>) {
        if let Err(error) = crate::validate::csat_rating(rating) {
            self.notify(Notice::Error(error.to_string()));
            return;
        }
        if let Some(feedback) = &feedback
            && let Err(error) = crate::validate::text("feedback_message", feedback)
        {
            self.notify(Notice::Error(error.to_string()));
            return;
        }
        let survey = self.entries.iter().rev().find_map(|entry| match entry {
            Entry::Message(message)
                if matches!(&message.kind, Content::InputCsat(csat) if csat.submitted_values.is_none()) =>
            {
                Some(message.id)
            }
            _ => None,
        });
        let Some(id) = survey else {
            self.notify(Notice::Error("there is no survey to answer".to_owned()));
            return;
        };
        self.answer(id, |content| match content {
            Content::InputCsat(csat) => {
                let answer = CsatSubmitted {
                    csat_survey_response: CsatSurveyResponse {
                        rating,
                        feedback_message: feedback.map_or(Field::Absent, Field::Value),
                    },
                };
                csat.submitted_values = Some(answer.clone());
                Ok(SubmittedValues::Csat(answer))
            }
            _ => Err(None),
        });
    }

    /// Answers message `id` (`PATCH …/messages/{id}` with
    /// `submitted_values`), showing the answer at once: `fill` writes it
    /// into the content and returns what to send, or refuses with what to
    /// tell the visitor (`None`: nothing, the message is not answerable).
    fn answer(
        &mut self,
        id: MessageId,
        fill: impl FnOnce(&mut Content) -> Result<SubmittedValues, Option<String>>,
    ) {
        let Some(path) = self.conversation_path() else {
            return;
        };
        let Some(message) = self.message_mut(id) else {
            return;
        };
        let before = message.kind.clone();
        let submitted_values = match fill(&mut message.kind) {
            Ok(values) => values,
            Err(error) => {
                if let Some(error) = error {
                    self.notify(Notice::Error(error));
                }
                return;
            }
        };
        let after = message.kind.clone();
        self.request(
            Call::Choose {
                message: id,
                before,
                after,
            },
            Method::Patch,
            format!("{path}/messages/{}", id.0),
            Some(json(&MessageUpdate { submitted_values })),
        );
    }

    fn on_chosen(
        &mut self,
        id: MessageId,
        before: Content,
        after: Content,
        result: Outcome<Message>,
    ) {
        let error = match result {
            Outcome::Done(message) => {
                if message.id == id
                    && message.is_visible_to_contact()
                    && let Some(shown) = self.message_mut(id)
                {
                    *shown = message;
                }
                return;
            }
            Outcome::Retry(error) | Outcome::Refused { error, .. } => error,
        };
        // Undo the optimistic answer, unless the server's word replaced it.
        if let Some(shown) = self.message_mut(id)
            && shown.kind == after
        {
            shown.kind = before;
        }
        self.notify(Notice::Error(format!("your answer was not sent: {error}")));
    }

    pub(super) fn typed(&mut self) {
        let Some(path) = self.conversation_path() else {
            return;
        };
        if self.phase != Phase::Ready || self.offline {
            return;
        }
        let due = self
            .visitor_typing
            .is_none_or(|sent| self.now.saturating_sub(sent) >= VISITOR_TYPING_EVERY_MS);
        if due {
            self.visitor_typing = Some(self.now);
            self.toggle_typing(path, TypingStatus::On);
        }
        self.start_timer(Timer::VisitorTyping, VISITOR_TYPING_IDLE_MS);
    }

    /// The visitor stopped typing (a pause, or the message went out).
    pub(super) fn typing_off(&mut self) {
        if self.visitor_typing.take().is_none() {
            return;
        }
        self.stop_timer(Timer::VisitorTyping);
        if let Some(path) = self.conversation_path() {
            self.toggle_typing(path, TypingStatus::Off);
        }
    }

    fn toggle_typing(&mut self, conversation_path: String, typing_status: TypingStatus) {
        self.request(
            Call::Typing,
            Method::Post,
            format!("{conversation_path}/toggle_typing"),
            Some(json(&TypingRequest { typing_status })),
        );
    }

    pub(super) fn visible(&mut self, open: bool) {
        self.open = open;
        if !open {
            return;
        }
        if self.unread != 0 {
            self.unread = 0;
            self.notify(Notice::Unread(0));
        }
        if self.phase == Phase::Ready {
            self.mark_seen();
        }
    }

    /// The SDK's `markSeen()`.
    pub(super) fn read_elsewhere(&mut self) {
        if self.unread != 0 {
            self.unread = 0;
            self.notify(Notice::Unread(0));
        }
    }

    pub(super) fn seen(&mut self) {
        if self.unread != 0 {
            self.unread = 0;
            self.notify(Notice::Unread(0));
        }
        if self.phase == Phase::Ready {
            self.mark_seen();
        }
    }

    pub(super) fn resolve(&mut self) {
        let (Some(path), Some(conversation)) = (self.conversation_path(), self.conversation) else {
            return;
        };
        if self.status == Some(ConversationStatus::Resolved)
            || self.in_flight(|call| matches!(call, Call::Resolve { .. }))
        {
            return;
        }
        self.request(
            Call::Resolve { conversation },
            Method::Post,
            format!("{path}/toggle_status"),
            None,
        );
    }

    fn on_resolved(&mut self, conversation: ConversationId, result: Outcome<Conversation>) {
        match result {
            // The socket's `conversation.status_changed` says the same; the
            // answer is enough when the socket is down.
            Outcome::Done(answer) => {
                if self.conversation == Some(conversation) {
                    self.status = Some(answer.status);
                }
            }
            Outcome::Retry(error) | Outcome::Refused { error, .. } => {
                self.notify(Notice::Error(format!(
                    "the conversation was not resolved: {error}"
                )));
            }
        }
    }

    /// Tells the server the visitor has read the conversation.
    pub(super) fn mark_seen(&mut self) {
        if let Some(path) = self.conversation_path() {
            self.request(
                Call::LastSeen,
                Method::Post,
                format!("{path}/update_last_seen"),
                None,
            );
        }
    }

    // ----------------------------------------------------------- backfill

    /// Fetches what the socket missed: the messages after the last one
    /// shown (or the latest page when none is).
    pub(super) fn backfill(&mut self) {
        if self.in_flight(|call| matches!(call, Call::Backfill)) {
            return;
        }
        let Some(path) = self.conversation_path() else {
            return;
        };
        self.backfill_due = false;
        let path = match self.last_message_id() {
            Some(last) => format!("{path}/messages?after={}", last.0),
            None => format!("{path}/messages"),
        };
        self.request(Call::Backfill, Method::Get, path, None);
    }

    fn on_backfill(&mut self, result: Outcome<Vec<Message>>) {
        match result {
            Outcome::Done(messages) => {
                let full = messages.len() >= PAGE;
                let before = self.last_message_id();
                self.arrived(messages, true);
                // A full page may have more behind it; stop if it brought
                // nothing new, so a misbehaving server cannot loop us.
                if full && self.last_message_id() != before {
                    self.backfill();
                }
            }
            Outcome::Refused { status: 404, .. } => {
                self.forget_conversation();
                self.store();
            }
            Outcome::Retry(_) | Outcome::Refused { .. } => self.backfill_due = true,
        }
    }
}
