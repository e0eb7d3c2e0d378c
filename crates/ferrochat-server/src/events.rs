//! Domain events. `AppState::emit` sends each to the realtime hub (to the
//! contact and to the account's agents, as Chatwoot routes it) and to the
//! in-process listeners: webhooks, agent bots and the demo bot.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::hub::Stream;
use crate::render::{self, ConversationView, MessageView};
use crate::store::{ContactInboxRow, ContactRow, ConversationRow, InboxRow, UserRow};

/// A message and the conversation it belongs to.
#[derive(Clone, Debug)]
pub(crate) struct MessageEvent {
    pub message: MessageView,
    pub conversation: ConversationRow,
    pub contact: ContactRow,
    pub contact_inbox: ContactInboxRow,
    pub inbox: Arc<InboxRow>,
    pub unread_count: i64,
    /// `message.updated` only: `{column: [before, after]}`.
    pub previous_changes: Option<Value>,
}

/// Who is typing.
#[derive(Clone, Debug)]
pub(crate) enum Typist {
    Contact(ContactRow),
    User(UserRow),
}

#[derive(Clone, Debug)]
pub(crate) enum Event {
    MessageCreated(Arc<MessageEvent>),
    MessageUpdated(Arc<MessageEvent>),
    ConversationCreated(Arc<ConversationView>),
    ConversationUpdated(Arc<ConversationView>),
    ConversationStatusChanged(Arc<ConversationView>),
    Typing {
        conversation: Arc<ConversationView>,
        typist: Typist,
        on: bool,
        is_private: bool,
    },
    /// A visitor opened the widget (`webwidget_triggered`).
    WidgetTriggered {
        contact: ContactRow,
        contact_inbox: ContactInboxRow,
        inbox: Arc<InboxRow>,
        event_info: Value,
    },
}

impl Event {
    /// Chatwoot's ActionCable event name.
    pub(crate) fn cable_name(&self) -> &'static str {
        match self {
            Event::MessageCreated(_) => "message.created",
            Event::MessageUpdated(_) => "message.updated",
            Event::ConversationCreated(_) => "conversation.created",
            Event::ConversationUpdated(_) => "conversation.updated",
            Event::ConversationStatusChanged(_) => "conversation.status_changed",
            Event::Typing { on: true, .. } => "conversation.typing_on",
            Event::Typing { on: false, .. } => "conversation.typing_off",
            Event::WidgetTriggered { .. } => "webwidget.triggered",
        }
    }

    /// Chatwoot's webhook event name.
    pub(crate) fn webhook_name(&self) -> Option<&'static str> {
        Some(match self {
            Event::MessageCreated(_) => "message_created",
            Event::MessageUpdated(_) => "message_updated",
            Event::ConversationCreated(_) => "conversation_created",
            Event::ConversationUpdated(_) => "conversation_updated",
            Event::ConversationStatusChanged(_) => "conversation_status_changed",
            Event::WidgetTriggered { .. } => "webwidget_triggered",
            Event::Typing { on: true, .. } => "conversation_typing_on",
            Event::Typing { on: false, .. } => "conversation_typing_off",
        })
    }

    pub(crate) fn account_id(&self) -> i64 {
        match self {
            Event::MessageCreated(event) | Event::MessageUpdated(event) => event.inbox.account_id,
            Event::ConversationCreated(view)
            | Event::ConversationUpdated(view)
            | Event::ConversationStatusChanged(view)
            | Event::Typing {
                conversation: view, ..
            } => view.inbox.account_id,
            Event::WidgetTriggered { inbox, .. } => inbox.account_id,
        }
    }

    pub(crate) fn inbox(&self) -> &InboxRow {
        match self {
            Event::MessageCreated(event) | Event::MessageUpdated(event) => &event.inbox,
            Event::ConversationCreated(view)
            | Event::ConversationUpdated(view)
            | Event::ConversationStatusChanged(view)
            | Event::Typing {
                conversation: view, ..
            } => &view.inbox,
            Event::WidgetTriggered { inbox, .. } => inbox,
        }
    }

    /// The realtime frames: (who, payload, whose own connections to skip).
    pub(crate) fn cable_routes(&self, base_url: &str) -> Vec<(Stream, Arc<str>, Option<i64>)> {
        let account = Stream::Account(self.account_id());
        let name = self.cable_name();
        let payload = |data: Value| -> Arc<str> {
            Arc::from(json!({"event": name, "data": data}).to_string())
        };
        match self {
            Event::MessageCreated(event) | Event::MessageUpdated(event) => {
                let mut data = render::push_message(
                    &event.message,
                    base_url,
                    Some((
                        &event.conversation,
                        &event.contact_inbox,
                        event.unread_count,
                    )),
                );
                if let (Some(changes), Value::Object(map)) = (&event.previous_changes, &mut data) {
                    map.insert("previous_changes".into(), changes.clone());
                }
                let payload = payload(data);
                let mut routes = vec![(account, payload.clone(), None)];
                let visible =
                    !event.message.message.private && event.message.message.message_type != 2;
                if visible {
                    routes.push((contact_stream(&event.contact_inbox), payload, None));
                }
                routes
            }
            Event::ConversationCreated(view)
            | Event::ConversationUpdated(view)
            | Event::ConversationStatusChanged(view) => {
                let mut data = render::push_conversation(view, base_url);
                // The contact never sees private notes, even as the last message.
                let visitor_data = {
                    let mut copy = data.clone();
                    if let Some(messages) = copy.get_mut("messages").and_then(Value::as_array_mut) {
                        messages.retain(|message| {
                            message.get("private") != Some(&Value::Bool(true))
                                && message.get("message_type") != Some(&json!(2))
                        });
                    }
                    copy
                };
                if let Value::Object(map) = &mut data {
                    map.insert("account_id".into(), json!(view.inbox.account_id));
                }
                vec![
                    (account, payload(data), None),
                    (
                        contact_stream(&view.contact_inbox),
                        payload(visitor_data),
                        None,
                    ),
                ]
            }
            Event::Typing {
                conversation,
                typist,
                is_private,
                ..
            } => {
                let conversation_data = render::push_conversation(conversation, base_url);
                match typist {
                    Typist::Contact(contact) => {
                        let data = json!({
                            "conversation": conversation_data,
                            "user": render::contact_push(contact),
                            "is_private": false,
                            "account_id": conversation.inbox.account_id,
                        });
                        vec![(account, payload(data), None)]
                    }
                    Typist::User(user) => {
                        let data = json!({
                            "conversation": conversation_data,
                            "user": render::user_push(user),
                            "is_private": is_private,
                            "account_id": conversation.inbox.account_id,
                        });
                        let payload = payload(data);
                        let mut routes = vec![(account, payload.clone(), Some(user.id))];
                        // A private note being typed is the agents' business.
                        if !is_private {
                            routes.push((
                                contact_stream(&conversation.contact_inbox),
                                payload,
                                None,
                            ));
                        }
                        routes
                    }
                }
            }
            Event::WidgetTriggered { .. } => Vec::new(),
        }
    }
}

/// The visitor stream of a contact inbox: its own token's, or, once its
/// identity is verified, the one all of that user's verified devices in the
/// inbox share (see [`Stream::VerifiedContact`]).
pub(crate) fn contact_stream(contact_inbox: &ContactInboxRow) -> Stream {
    if contact_inbox.hmac_verified {
        Stream::VerifiedContact {
            inbox_id: contact_inbox.inbox_id,
            contact_id: contact_inbox.contact_id,
        }
    } else {
        Stream::Contact(Arc::from(contact_inbox.pubsub_token.as_str()))
    }
}
