//! The `/cable` side: subscribing, liveness, reconnects, and the RoomChannel
//! events; and the timers.

use super::engine::Flight;
use super::wire::backoff_ms;
use super::{Connection, Effect, Phase, Session, Timer};
use crate::cable::{
    ClientCommand, ConversationEvent, Event, PRESENCE_INTERVAL_SECS, RoomIdentifier,
    STALE_AFTER_SECS, ServerFrame, TypingEvent,
};
use crate::chatwoot::{ConversationStatus, Message, SenderType};

/// An agent's typing bubble goes away after this long without news, as in
/// Chatwoot's widget.
const AGENT_TYPING_MS: u64 = 30_000;

impl Session {
    /// Opens the socket. The stale timer runs from here, so a connection that
    /// never opens (nor fails) is retried like one that went quiet.
    pub(super) fn open_socket(&mut self) {
        if self.pubsub_token.is_none() || self.suspended {
            return;
        }
        self.emit(Effect::SocketOpen);
        self.socket_open = true;
        self.connection = Connection::Connecting;
        self.start_timer(Timer::Stale, STALE_AFTER_SECS * 1000);
    }

    /// Closes the socket on purpose: no reconnect.
    pub(super) fn close_socket(&mut self) {
        if self.socket_open {
            self.emit(Effect::SocketClose);
            self.socket_open = false;
        }
        self.stop_timer(Timer::Stale);
        self.stop_timer(Timer::Presence);
        self.stop_timer(Timer::Reconnect);
        self.connection = Connection::Offline;
    }

    /// The socket is gone without being asked to: try again after a backoff.
    fn socket_lost(&mut self) {
        self.socket_open = false;
        self.stop_timer(Timer::Stale);
        self.stop_timer(Timer::Presence);
        self.connection = Connection::Offline;
        let after_ms = backoff_ms(self.reconnects);
        self.reconnects = self.reconnects.saturating_add(1);
        self.start_timer(Timer::Reconnect, after_ms);
    }

    /// The browser's word on the network: back, everything that waited
    /// for it goes now.
    pub(super) fn network(&mut self, online: bool) {
        if self.offline != online {
            return;
        }
        self.offline = !online;
        if !online {
            return;
        }
        match self.phase {
            Phase::Failed { .. } => self.retry_start(),
            Phase::Ready => {
                if !self.socket_open {
                    self.stop_timer(Timer::Reconnect);
                    self.reconnects = 0;
                    self.open_socket();
                }
                if self.outbox_waiting || self.profile_waiting {
                    self.stop_timer(Timer::Retry);
                    self.outbox_waiting = false;
                    self.profile_waiting = false;
                }
                self.pump();
            }
            _ => {}
        }
    }

    /// The page may go into the back/forward cache, which an open socket
    /// would keep it out of.
    pub(super) fn suspend(&mut self) {
        self.suspended = true;
        self.close_socket();
    }

    /// The page is back: reconnect (the subscription's confirmation
    /// fetches what was missed).
    pub(super) fn resume(&mut self) {
        if !self.suspended {
            return;
        }
        self.suspended = false;
        if self.phase == Phase::Ready {
            self.reconnects = 0;
            self.open_socket();
        }
    }

    pub(super) fn socket_opened(&mut self) {
        if self.socket_open {
            self.start_timer(Timer::Stale, STALE_AFTER_SECS * 1000);
        }
    }

    pub(super) fn socket_closed(&mut self) {
        // A close the engine asked for (or of a socket it no longer uses)
        // is no news.
        if self.socket_open {
            self.socket_lost();
        }
    }

    pub(super) fn frame(&mut self, text: &str) {
        if !self.socket_open {
            return;
        }
        // A frame that does not parse is dropped: the connection is alive,
        // and the next ping keeps it so.
        let frame = match serde_json::from_str(text) {
            Ok(serde_json::Value::Object(map)) => ServerFrame::from_map(map).ok(),
            _ => None,
        };
        let Some(frame) = frame else {
            return;
        };
        self.start_timer(Timer::Stale, STALE_AFTER_SECS * 1000);
        match frame {
            ServerFrame::Welcome => self.subscribe(),
            ServerFrame::ConfirmSubscription { identifier } if self.is_ours(&identifier) => {
                self.connection = Connection::Live;
                self.reconnects = 0;
                self.fresh_contact = false;
                self.start_timer(Timer::Presence, PRESENCE_INTERVAL_SECS * 1000);
                self.backfill();
            }
            ServerFrame::RejectSubscription { identifier } if self.is_ours(&identifier) => {
                if self.fresh_contact {
                    // A contact made a moment ago is refused: making
                    // another would only loop. Chat goes on without realtime.
                    self.close_socket();
                    self.notify(super::Notice::Error(
                        "the chat server refused the live connection".to_owned(),
                    ));
                } else {
                    self.credentials_dead();
                }
            }
            ServerFrame::Disconnect { reconnect, .. } => {
                if reconnect {
                    self.emit(Effect::SocketClose);
                    self.socket_lost();
                } else {
                    self.close_socket();
                }
            }
            ServerFrame::Message {
                identifier,
                message,
            } if self.is_ours(&identifier) => {
                // An event whose data does not fit its name is dropped: one
                // odd event must not stop the others.
                if let Ok(event) = message.into_event() {
                    self.event(event);
                }
            }
            _ => {}
        }
    }

    fn is_ours(&self, identifier: &str) -> bool {
        self.identifier.as_deref() == Some(identifier)
    }

    fn subscribe(&mut self) {
        let Some(token) = &self.pubsub_token else {
            return;
        };
        let identifier = RoomIdentifier::contact(token.clone()).to_identifier();
        self.identifier = Some(identifier.clone());
        self.send_command(&ClientCommand::Subscribe { identifier });
    }

    fn send_command(&mut self, command: &ClientCommand) {
        if let Ok(text) = serde_json::to_string(command) {
            self.emit(Effect::SocketSend(text));
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::MessageCreated(message) => self.arrived(vec![message], true),
            Event::MessageUpdated(message) => self.updated(message),
            Event::ConversationCreated(conversation) => {
                // Another tab (or device) of this contact started a
                // conversation first: follow it, rather than start a second
                // one with the next message.
                if self.conversation.is_none()
                    && conversation.status != ConversationStatus::Resolved
                    && !matches!(self.flight, Flight::Conversation { .. })
                {
                    self.conversation = Some(conversation.id);
                    self.store();
                    self.backfill();
                }
                self.conversation_event(conversation);
            }
            Event::ConversationUpdated(conversation)
            | Event::ConversationStatusChanged(conversation) => {
                self.conversation_event(conversation)
            }
            Event::TypingOn(typing) if self.is_agent_typing(&typing) => {
                self.agent_typing = true;
                self.start_timer(Timer::AgentTyping, AGENT_TYPING_MS);
            }
            Event::TypingOff(typing) if self.agent_typing && self.is_agent_typing(&typing) => {
                self.agent_typing = false;
                self.stop_timer(Timer::AgentTyping);
            }
            _ => {}
        }
    }

    /// Typing in this conversation by someone the visitor should see type.
    fn is_agent_typing(&self, typing: &TypingEvent) -> bool {
        !typing.is_private
            && Some(typing.conversation.id) == self.conversation
            && typing.user.kind != SenderType::Contact
    }

    fn updated(&mut self, message: Message) {
        if Some(message.conversation_id) != self.conversation {
            return;
        }
        if !message.is_visible_to_contact() {
            self.remove_message(message.id);
            return;
        }
        if let Some(shown) = self.message_mut(message.id) {
            *shown = message;
        }
    }

    fn conversation_event(&mut self, conversation: ConversationEvent) {
        if Some(conversation.id) == self.conversation {
            self.status = Some(conversation.status);
        }
    }

    pub(super) fn timer(&mut self, timer: Timer) {
        match timer {
            Timer::Retry => {
                if matches!(self.phase, Phase::Failed { .. }) {
                    self.begin_bootstrap();
                } else {
                    self.outbox_retry();
                    self.profile_retry();
                }
            }
            // Offline, a reconnect could only fail: the network's return
            // reconnects ([`Input::Network`]).
            Timer::Reconnect => {
                if !self.socket_open && self.phase == Phase::Ready && !self.offline {
                    self.open_socket();
                }
            }
            Timer::Stale => {
                if self.socket_open {
                    self.emit(Effect::SocketClose);
                    self.socket_lost();
                }
            }
            Timer::Presence => {
                if self.connection == Connection::Live {
                    if let Some(identifier) = self.identifier.clone() {
                        self.send_command(&ClientCommand::update_presence(identifier));
                    }
                    self.start_timer(Timer::Presence, PRESENCE_INTERVAL_SECS * 1000);
                    if self.backfill_due {
                        self.backfill();
                    }
                }
            }
            Timer::AgentTyping => self.agent_typing = false,
            Timer::VisitorTyping => self.typing_off(),
        }
    }
}
