//! The host page's SDK: `setUser`, the contact's and the conversation's
//! custom attributes, and `reset`.
//!
//! Profile calls go out one at a time and only while the session is ready,
//! so that they reach the server in the order the page made them. A call
//! that gets no answer (or a 5xx) is retried at [`Timer::Retry`] with the
//! outbox's backoff, [`SEND_ATTEMPTS`] times in all; then, or at once when
//! the server refuses it, the page's request is dropped with a
//! [`Notice::Error`].

use serde_json::Value;

use super::engine::{Call, Flight, SEND_ATTEMPTS, json};
use super::wire::{Outcome, backoff_ms};
use super::{Attributes, Method, Notice, Phase, Session, Timer};
use crate::chatwoot::{Contact, ContactRequest, Conversation, ConversationStatus, Message};
use crate::content::SubmittedValue;
use crate::validate::{self, ValidationError};

/// Who the current contact is, as far as the engine knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Identity {
    /// Restored from storage: the next profile call's answer tells.
    Unknown,
    /// No identifier.
    Anonymous,
    Identified(String),
}

/// Checks what `setUser` got; normalizes the phone number as the server
/// would.
fn check_user(identifier: &str, user: &mut ContactRequest) -> Result<(), ValidationError> {
    if identifier.is_empty() {
        return Err(ValidationError::Empty {
            field: "identifier",
        });
    }
    validate::short_string("identifier", identifier)?;
    if let Some(hash) = &user.identifier_hash {
        validate::short_string("identifier_hash", hash)?;
    }
    if let Some(name) = &user.name {
        validate::name(name)?;
    }
    // An empty value clears the field: nothing to check.
    if let Some(email) = user.email.as_deref().map(str::trim)
        && !email.is_empty()
    {
        validate::email(email)?;
    }
    if let Some(phone) = &mut user.phone_number {
        *phone = validate::normalize_phone(phone);
        if !phone.is_empty() {
            validate::phone(phone)?;
        }
    }
    if let Some(url) = user.avatar_url.as_deref()
        && !url.is_empty()
    {
        validate::safe_url(url)?;
    }
    if let Some(attributes) = &user.custom_attributes {
        validate::custom_attribute_map(attributes)?;
    }
    Ok(())
}

/// The fields of `wanted` that differ from what was last applied.
fn changed(wanted: &ContactRequest, applied: &ContactRequest) -> ContactRequest {
    let pick = |wanted: &Option<String>, applied: &Option<String>| {
        wanted.clone().filter(|_| wanted != applied)
    };
    ContactRequest {
        name: pick(&wanted.name, &applied.name),
        email: pick(&wanted.email, &applied.email),
        avatar_url: pick(&wanted.avatar_url, &applied.avatar_url),
        phone_number: pick(&wanted.phone_number, &applied.phone_number),
        ..ContactRequest::default()
    }
}

/// Puts each field of `from` into `into` where `into` has none.
fn fill(into: &mut ContactRequest, from: ContactRequest) {
    for (target, value) in [
        (&mut into.name, from.name),
        (&mut into.email, from.email),
        (&mut into.phone_number, from.phone_number),
    ] {
        if target.is_none() {
            *target = value;
        }
    }
}

/// Records `sent` as applied.
fn applied(applied: &mut ContactRequest, sent: &ContactRequest) {
    for (target, value) in [
        (&mut applied.name, &sent.name),
        (&mut applied.email, &sent.email),
        (&mut applied.avatar_url, &sent.avatar_url),
        (&mut applied.phone_number, &sent.phone_number),
    ] {
        if value.is_some() {
            target.clone_from(value);
        }
    }
}

impl Session {
    // ------------------------------------------------------------- inputs

    pub(super) fn set_user(&mut self, identifier: &str, mut user: ContactRequest) {
        let identifier = identifier.trim();
        if let Err(error) = check_user(identifier, &mut user) {
            self.notify(Notice::Error(error.to_string()));
            return;
        }
        if let Some(attributes) = user.custom_attributes.take()
            && !self.change_attributes(attributes)
        {
            return;
        }
        user.identifier = None;
        user.source_id = None;
        self.pending_user = Some((identifier.to_owned(), user));
        self.profile_pump();
    }

    pub(super) fn submit_pre_chat(&mut self, values: Vec<SubmittedValue>) {
        let Some(form) = self.pre_chat() else {
            self.notify(Notice::Error("no details are asked for".into()));
            return;
        };
        let refused = validate::form_submission_but_patterns(&form, &values)
            .err()
            .and_then(|errors| errors.into_iter().next().map(|refusal| refusal.error))
            .or_else(|| {
                form.items.iter().find_map(|field| {
                    let value = values
                        .iter()
                        .find(|value| value.name.as_deref() == Some(field.name.as_str()))?;
                    validate::pre_chat_field(field, &value.value.text()).err()
                })
            });
        if let Some(error) = refused {
            self.notify(Notice::Error(error.to_string()));
            return;
        }
        let mut details = ContactRequest::default();
        let mut attributes = Attributes::new();
        for value in values {
            let (Some(name), text) = (value.name, value.value.text().trim().to_owned()) else {
                continue;
            };
            if text.is_empty() {
                continue;
            }
            match name.as_str() {
                "name" => details.name = Some(text),
                "email" => details.email = Some(text),
                "phone_number" => details.phone_number = Some(validate::normalize_phone(&text)),
                _ => {
                    attributes.insert(name, Value::String(text));
                }
            }
        }
        if !attributes.is_empty() && !self.change_attributes(attributes) {
            return;
        }
        fill(&mut details, std::mem::take(&mut self.details));
        self.details = details;
        self.details_given = true;
        self.store();
        self.profile_pump();
    }

    /// The contact already has a value for this pre-chat field, from the
    /// host page.
    pub(super) fn knows(&self, field: &str) -> bool {
        let given = |pick: fn(&ContactRequest) -> &Option<String>| {
            self.pending_user
                .iter()
                .map(|(_, user)| user)
                .chain([&self.user_sent])
                .any(|user| pick(user).as_deref().is_some_and(|value| !value.is_empty()))
        };
        match field {
            "name" => given(|user| &user.name),
            "email" => given(|user| &user.email),
            "phone_number" => given(|user| &user.phone_number),
            key => [self.attributes.as_ref(), Some(&self.attribute_changes)]
                .into_iter()
                .flatten()
                .any(|known| known.get(key).is_some_and(|value| !value.is_null())),
        }
    }

    pub(super) fn set_attributes(&mut self, attributes: Attributes) {
        if self.change_attributes(attributes) {
            self.profile_pump();
        }
    }

    /// Queues custom attribute changes; `false` (and a notice) if they are
    /// not valid, or would make the object too big.
    fn change_attributes(&mut self, attributes: Attributes) -> bool {
        let mut merged = self.attributes.clone().unwrap_or_default();
        merged.extend(self.attribute_changes.clone());
        merged.extend(attributes.clone());
        let checked = validate::custom_attribute_map(&attributes)
            .and_then(|()| validate::custom_attribute_map(&merged));
        if let Err(error) = checked {
            self.notify(Notice::Error(error.to_string()));
            return false;
        }
        self.attribute_changes.extend(attributes);
        true
    }

    pub(super) fn delete_attribute(&mut self, key: String) {
        if key.is_empty() {
            self.notify(Notice::Error(
                ValidationError::Empty {
                    field: "custom attribute key",
                }
                .to_string(),
            ));
            return;
        }
        let known_absent = self
            .attributes
            .as_ref()
            .is_some_and(|known| known.get(&key).is_none_or(Value::is_null));
        if known_absent && !self.attribute_changes.contains_key(&key) {
            return;
        }
        self.attribute_changes.insert(key, Value::Null);
        self.profile_pump();
    }

    pub(super) fn set_conversation_attributes(&mut self, attributes: Attributes) {
        let mut merged = self.conversation_attributes.clone();
        merged.extend(attributes);
        match validate::custom_attribute_map(&merged) {
            Ok(()) => self.conversation_attributes = merged,
            Err(error) => self.notify(Notice::Error(error.to_string())),
        }
    }

    /// Forgets the visitor and starts again with a new anonymous contact.
    pub(super) fn reset(&mut self) {
        self.pending_user = None;
        self.user_sent = ContactRequest::default();
        self.attributes = None;
        self.attribute_changes.clear();
        self.conversation_attributes.clear();
        self.details = ContactRequest::default();
        self.details_given = false;
        self.identity = Identity::Unknown;
        self.profile_waiting = false;
        self.profile_failures = 0;
        if self.phase == Phase::Idle {
            return;
        }
        self.close_socket();
        self.identifier = None;
        self.reconnects = 0;
        self.source_id = None;
        self.pubsub_token = None;
        self.fresh_contact = false;
        self.made_contact = false;
        self.forget_conversation();
        // The previous user's unsent words are theirs, not the next
        // visitor's on this browser.
        self.outbox.clear();
        self.flight = Flight::Idle;
        self.outbox_waiting = false;
        self.refresh_outbox();
        self.calls.retain(|(_, call)| matches!(call, Call::Inbox));
        self.stop_timer(Timer::Retry);
        self.start_failures = 0;
        self.boot.contact = false;
        self.store();
        self.begin_bootstrap();
    }

    /// The contact is dead and another is about to be made: an identified
    /// visitor is identified again on it.
    pub(super) fn identity_lost(&mut self) {
        if let Identity::Identified(identifier) = &self.identity
            && self.pending_user.is_none()
        {
            self.pending_user = Some((identifier.clone(), self.user_sent.clone()));
        }
        self.identity = Identity::Unknown;
        self.attributes = None;
        self.user_sent = ContactRequest::default();
    }

    // --------------------------------------------------------------- calls

    /// Sends the next profile call, if one is due and none is in flight.
    pub(super) fn profile_pump(&mut self) {
        let busy = self.in_flight(|call| {
            matches!(
                call,
                Call::Identify { .. } | Call::Profile { .. } | Call::Conversations
            )
        });
        if self.phase != Phase::Ready || self.profile_waiting || busy {
            return;
        }
        let Some(contact_path) = self.contact_path() else {
            return;
        };
        let mut fields = ContactRequest::default();
        if let Some((identifier, user)) = &self.pending_user {
            match &self.identity {
                Identity::Identified(current) if current == identifier => {
                    fields = changed(user, &self.user_sent);
                    if fields == ContactRequest::default() {
                        self.pending_user = None;
                    }
                }
                // An empty update changes nothing and answers the contact's
                // record: its identifier and custom attributes.
                Identity::Unknown => {
                    self.patch_contact(contact_path, fields, None);
                    return;
                }
                _ => {
                    // A message in flight finishes with the contact it
                    // started with.
                    if self.flight != Flight::Idle {
                        return;
                    }
                    let mut body = user.clone();
                    body.identifier = Some(identifier.clone());
                    let call = Call::Identify {
                        identifier: identifier.clone(),
                    };
                    let path = format!("{}/contacts", self.inbox_path());
                    self.request(call, Method::Post, path, Some(json(&body)));
                    return;
                }
            }
        }
        // The pre-chat form's answers, once the page's user is settled.
        if fields == ContactRequest::default() && self.pending_user.is_none() {
            fields = std::mem::take(&mut self.details);
        }
        // Without the whole object, the update that teaches it goes first.
        let changes = match &self.attributes {
            Some(_) if !self.attribute_changes.is_empty() => {
                Some(std::mem::take(&mut self.attribute_changes))
            }
            _ => None,
        };
        if fields == ContactRequest::default()
            && changes.is_none()
            && self.attribute_changes.is_empty()
        {
            return;
        }
        self.patch_contact(contact_path, fields, changes);
    }

    fn patch_contact(
        &mut self,
        contact_path: String,
        mut sent: ContactRequest,
        changes: Option<Attributes>,
    ) {
        let mut body = sent.clone();
        if let Some(changes) = &changes {
            let mut whole = self.attributes.clone().unwrap_or_default();
            whole.extend(changes.clone());
            body.custom_attributes = Some(whole);
        }
        // The hash goes nowhere on update; it is remembered as applied.
        if let Some((identifier, user)) = &self.pending_user
            && self.identity == Identity::Identified(identifier.clone())
        {
            sent.identifier_hash.clone_from(&user.identifier_hash);
        }
        self.request(
            Call::Profile { sent, changes },
            Method::Patch,
            contact_path,
            Some(json(&body)),
        );
    }

    /// [`Timer::Retry`] while ready.
    pub(super) fn profile_retry(&mut self) {
        if self.profile_waiting {
            self.profile_waiting = false;
            self.profile_pump();
        }
    }

    /// A profile call got no answer: wait and retry, or give up.
    fn profile_failed(&mut self, error: String) {
        self.profile_failures = self.profile_failures.saturating_add(1);
        if self.profile_failures < SEND_ATTEMPTS {
            self.profile_waiting = true;
            self.start_timer(Timer::Retry, backoff_ms(self.profile_failures - 1));
        } else {
            self.profile_refused(&error);
        }
    }

    /// Drops what the page asked for: the same calls would fail again.
    fn profile_refused(&mut self, error: &str) {
        self.profile_failures = 0;
        self.pending_user = None;
        self.attribute_changes.clear();
        self.details = ContactRequest::default();
        self.notify(Notice::Error(format!(
            "could not update your details: {error}"
        )));
        self.pump();
    }

    pub(super) fn on_identified(&mut self, identifier: String, result: Outcome<Contact>) {
        match result {
            Outcome::Done(Contact {
                source_id: Some(source_id),
                pubsub_token: Some(token),
                ..
            }) => {
                self.profile_failures = 0;
                if self.source_id.as_deref() != Some(source_id.as_str()) {
                    self.switch_contact(source_id, token);
                }
                self.identity = Identity::Identified(identifier);
                self.pump();
            }
            Outcome::Done(_) => self.profile_refused("the server answered without credentials"),
            Outcome::Retry(error) => self.profile_failed(error),
            // A bad identifier hash (401): the visitor stays who they were.
            Outcome::Refused { error, .. } => self.profile_refused(&error),
        }
    }

    /// The page's user is another contact: the session becomes theirs.
    fn switch_contact(&mut self, source_id: String, token: String) {
        self.close_socket();
        self.identifier = None;
        self.reconnects = 0;
        self.source_id = Some(source_id);
        self.pubsub_token = Some(token);
        // The server just gave it: a 404 or a rejected subscription a moment
        // later is its confusion, not a reason to drop the user's identity.
        self.fresh_contact = true;
        self.made_contact = true;
        self.attributes = None;
        self.user_sent = ContactRequest::default();
        self.forget_conversation();
        self.calls
            .retain(|(_, call)| !matches!(call, Call::Send { .. } | Call::CreateConversation));
        self.flight = Flight::Idle;
        self.outbox_waiting = false;
        for item in &mut self.outbox {
            item.attempts = 0;
            item.in_doubt = false;
            item.shadowed_by = None;
        }
        self.refresh_outbox();
        self.store();
        self.open_socket();
        if let Some(path) = self.contact_path() {
            self.request(
                Call::Conversations,
                Method::Get,
                format!("{path}/conversations"),
                None,
            );
        }
    }

    pub(super) fn on_profile(
        &mut self,
        sent: ContactRequest,
        changes: Option<Attributes>,
        result: Outcome<Attributes>,
    ) {
        match result {
            Outcome::Done(record) => {
                self.profile_failures = 0;
                match record.get("identifier") {
                    Some(Value::String(identifier)) if !identifier.is_empty() => {
                        self.identity = Identity::Identified(identifier.clone());
                    }
                    Some(_) => self.identity = Identity::Anonymous,
                    None if self.identity == Identity::Unknown => {
                        self.identity = Identity::Anonymous;
                    }
                    None => {}
                }
                self.attributes = Some(match record.get("custom_attributes") {
                    Some(Value::Object(whole)) => whole.clone(),
                    // A server that does not say: what was sent is it.
                    _ => {
                        let mut whole = self.attributes.clone().unwrap_or_default();
                        whole.extend(changes.unwrap_or_default());
                        whole
                    }
                });
                applied(&mut self.user_sent, &sent);
                if sent.identifier_hash.is_some() {
                    self.user_sent.identifier_hash = sent.identifier_hash;
                }
                self.profile_pump();
            }
            Outcome::Refused {
                status: 401 | 404, ..
            } => {
                self.keep_changes(changes);
                fill(&mut self.details, sent);
                self.credentials_dead();
            }
            Outcome::Retry(error) => {
                self.keep_changes(changes);
                fill(&mut self.details, sent);
                self.profile_failed(error);
            }
            Outcome::Refused { error, .. } => self.profile_refused(&error),
        }
    }

    /// Puts back changes that did not reach the server, under any made since.
    fn keep_changes(&mut self, changes: Option<Attributes>) {
        for (key, value) in changes.unwrap_or_default() {
            self.attribute_changes.entry(key).or_insert(value);
        }
    }

    pub(super) fn on_conversations(&mut self, result: Outcome<Vec<Conversation>>) {
        // A list that cannot be had leaves the visitor to start a new
        // conversation: better than a composer that waits forever.
        if let Outcome::Done(conversations) = result {
            if self.attributes.is_none()
                && let Some(Value::Object(whole)) = conversations
                    .last()
                    .and_then(|conversation| conversation.contact.get("custom_attributes"))
            {
                self.attributes = Some(whole.clone());
            }
            let latest = conversations
                .into_iter()
                .filter(|conversation| conversation.status != ConversationStatus::Resolved)
                .max_by_key(|conversation| conversation.id.0);
            if let Some(conversation) = latest {
                self.conversation = Some(conversation.id);
                self.status = Some(conversation.status);
                self.store();
                self.arrived(conversation.messages, false);
                if let Some(path) = self.conversation_path() {
                    self.request(Call::Resume, Method::Get, format!("{path}/messages"), None);
                }
                if self.open {
                    self.mark_seen();
                }
            }
        }
        self.pump();
    }

    pub(super) fn on_resumed(&mut self, result: Outcome<Vec<Message>>) {
        match result {
            Outcome::Done(messages) => self.arrived(messages, false),
            Outcome::Refused { status: 404, .. } => {
                self.forget_conversation();
                self.store();
            }
            // The next presence tick fetches the latest page.
            Outcome::Retry(_) | Outcome::Refused { .. } => self.backfill_due = true,
        }
    }
}
