//! The session engine, driven as the browser side drives it: inputs in,
//! effects out, with server bodies shaped like ferrochat-server's and
//! Chatwoot's (PROTOCOL.md §1, §2).

// A failed unwrap is a failed test. (Clippy's test exemption does not reach
// `#[test]` when it names wasm-bindgen-test's attribute.)
#![allow(clippy::unwrap_used)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde_json::{Value, json};

use super::{
    Body, Config, Connection, Delivery, Effect, Entry, FileId, HttpRequest, HttpResponse, Input,
    Method, Notice, Outgoing, OutgoingFile, Phase, Session, Stored, Timer,
};
use crate::cable::RoomIdentifier;
use crate::chatwoot::{ConversationId, ConversationStatus, MessageId};
use crate::content::{Content, SubmittedValue};

const INBOX: &str = "Kx7qPp2WcY8sJd4T9fLm3vRz";
const SID: &str = "b5f1c0de-7a0e-4c44-9d52-6a5f4c2e9b11";
const TOKEN: &str = "V9sJ3t5cVZ8aNcEd3X1vq7Tq";
const SID2: &str = "0c1d2e3f-aaaa-4bbb-8ccc-123456789abc";
const TOKEN2: &str = "NewT0kenNewT0kenNewT0ken";
const T0: u64 = 1_731_500_100_000;

fn base() -> String {
    format!("/public/api/v1/inboxes/{INBOX}")
}

fn contacts() -> String {
    format!("{}/contacts", base())
}

fn contact_path() -> String {
    format!("{}/contacts/{SID}", base())
}

fn conversations() -> String {
    format!("{}/conversations", contact_path())
}

fn conv() -> String {
    format!("{}/conversations/12", contact_path())
}

fn messages() -> String {
    format!("{}/messages", conv())
}

// -------------------------------------------------------------- server bodies

fn inbox() -> Value {
    json!({
        "identifier": INBOX,
        "identity_validation_enabled": false,
        "name": "Acme Support",
        "timezone": "Europe/Berlin",
        "working_hours": [{"day_of_week": 1, "closed_all_day": false, "open_hour": 9, "open_minutes": 0, "close_hour": 17, "close_minutes": 30, "open_all_day": false}],
        "working_hours_enabled": true,
        "csat_survey_enabled": true,
        "greeting_enabled": false
    })
}

fn contact(sid: &str, token: &str) -> Value {
    json!({"id": 7, "source_id": sid, "pubsub_token": token, "name": null, "email": null, "phone_number": null})
}

fn conversation(status: &str, messages: Value) -> Value {
    json!({
        "id": 12,
        "uuid": "8f3c2a55-4d1e-4f7b-9d0a-5a1b2c3d4e5f",
        "inbox_id": 3,
        "contact_last_seen_at": 0,
        "status": status,
        "agent_last_seen_at": 0,
        "messages": messages,
        "contact": {"id": 7, "name": null, "email": null, "phone_number": null}
    })
}

fn agent() -> Value {
    json!({"id": 1, "name": "Priya Raman", "available_name": "Priya", "avatar_url": "", "type": "user", "availability_status": "online", "thumbnail": ""})
}

/// An agent's text message, as the public API lists it.
fn agent_message(id: u64, content: &str) -> Value {
    json!({
        "id": id,
        "content": content,
        "message_type": 1,
        "content_type": "text",
        "content_attributes": {},
        "created_at": 1_731_500_000 + id as i64,
        "conversation_id": 12,
        "sender": agent()
    })
}

/// The visitor's message; `echo` as the create answer and `message.created`
/// carry it (lists do not).
fn visitor_message(id: u64, content: &str, echo: Option<&str>) -> Value {
    let mut message = json!({
        "id": id,
        "content": content,
        "message_type": 0,
        "content_type": "text",
        "content_attributes": {},
        "created_at": 1_731_500_100 + id as i64,
        "conversation_id": 12,
        "sender": {"id": 7, "name": null, "thumbnail": "", "type": "contact"}
    });
    if let Some(echo) = echo {
        message["echo_id"] = json!(echo);
    }
    message
}

fn quick_replies(id: u64, submitted: Option<Value>) -> Value {
    let mut attributes = json!({"items": [{"title": "Billing", "value": "billing"}, {"title": "A bug", "value": "bug"}]});
    if let Some(submitted) = submitted {
        attributes["submitted_values"] = submitted;
    }
    json!({
        "id": id,
        "content": "How can we help?",
        "message_type": 1,
        "content_type": "input_select",
        "content_attributes": attributes,
        "created_at": 1_731_500_000,
        "conversation_id": 12,
        "sender": agent()
    })
}

/// A realtime message: every column, as `message.created` carries it.
fn pushed(mut message: Value) -> Value {
    message["account_id"] = json!(1);
    message["inbox_id"] = json!(3);
    message["private"] = json!(false);
    message["status"] = json!("sent");
    message["conversation"] = json!({"assignee_id": 1, "unread_count": 1, "last_activity_at": 1_731_500_000, "contact_inbox": {"source_id": SID}});
    message
}

fn identifier() -> String {
    RoomIdentifier::contact(TOKEN).to_identifier()
}

fn broadcast(event: &str, data: Value) -> Value {
    json!({"identifier": identifier(), "message": {"event": event, "data": data}})
}

fn conversation_event(id: u64, status: &str) -> Value {
    json!({"id": id, "inbox_id": 3, "status": status, "messages": [], "meta": {"assignee": agent(), "hmac_verified": false}, "unread_count": 0, "account_id": 1})
}

fn typing(event: &str, conversation: u64, private: bool) -> Value {
    broadcast(
        event,
        json!({"conversation": conversation_event(conversation, "open"), "user": agent(), "is_private": private, "account_id": 1}),
    )
}

// -------------------------------------------------------------------- harness

/// Drives a session with a clock and keeps the HTTP calls not yet answered.
struct Harness {
    session: Session,
    now: u64,
    open: Vec<HttpRequest>,
}

impl Harness {
    fn new() -> Self {
        Harness {
            session: Session::new(Config {
                inbox: INBOX.to_owned(),
                seed: 42,
            }),
            now: T0,
            open: Vec::new(),
        }
    }

    fn input(&mut self, input: Input) -> Vec<Effect> {
        let effects = self.session.handle(input, self.now);
        for effect in &effects {
            if let Effect::Http(request) = effect {
                self.open.push(request.clone());
            }
        }
        effects
    }

    fn advance(&mut self, ms: u64) {
        self.now += ms;
    }

    fn has(&self, method: Method, path: &str) -> bool {
        self.open
            .iter()
            .any(|request| request.method == method && request.path == path)
    }

    /// Takes the unanswered call with this method and path.
    fn take(&mut self, method: Method, path: &str) -> HttpRequest {
        let index = self
            .open
            .iter()
            .position(|request| request.method == method && request.path == path)
            .unwrap_or_else(|| panic!("no {method:?} {path} among {:#?}", self.open));
        self.open.remove(index)
    }

    fn respond(&mut self, request: &HttpRequest, status: u16, body: Value) -> Vec<Effect> {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        self.input(Input::Http {
            id: request.id,
            response: HttpResponse::Answered { status, body },
        })
    }

    fn answer(&mut self, method: Method, path: &str, status: u16, body: Value) -> Vec<Effect> {
        let request = self.take(method, path);
        self.respond(&request, status, body)
    }

    fn time_out(&mut self, request: &HttpRequest) -> Vec<Effect> {
        self.input(Input::Http {
            id: request.id,
            response: HttpResponse::Failed {
                error: "timed out".to_owned(),
            },
        })
    }

    fn frame(&mut self, frame: Value) -> Vec<Effect> {
        self.input(Input::SocketFrame(frame.to_string()))
    }

    fn fire(&mut self, timer: Timer) -> Vec<Effect> {
        self.input(Input::Timer(timer))
    }

    /// Welcome, subscribe, confirm: the socket is live.
    fn go_live(&mut self) -> Vec<Effect> {
        self.input(Input::SocketOpened);
        let welcome = self.frame(json!({"type": "welcome"}));
        assert!(
            sent_frames(&welcome)
                .contains(&json!({"command": "subscribe", "identifier": identifier()})),
            "{welcome:#?}"
        );
        let confirmed =
            self.frame(json!({"identifier": identifier(), "type": "confirm_subscription"}));
        assert_eq!(self.session.connection(), Connection::Live);
        confirmed
    }

    /// What the visitor sees, one line per entry: `#id text` for server
    /// messages, `… text` pending, `! text` failed.
    fn view(&self) -> Vec<String> {
        self.session
            .entries()
            .iter()
            .map(|entry| match entry {
                Entry::Message(message) => {
                    format!(
                        "#{} {}",
                        message.id.0,
                        message.content.as_deref().unwrap_or("")
                    )
                }
                Entry::Outgoing { outgoing, delivery } => match delivery {
                    Delivery::Pending | Delivery::Uploading { .. } => {
                        format!("… {}", outgoing.content)
                    }
                    Delivery::Sent => format!("✓ {}", outgoing.content),
                    Delivery::Failed { .. } => format!("! {}", outgoing.content),
                },
            })
            .collect()
    }
}

fn notices(effects: &[Effect]) -> Vec<Notice> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Notify(notice) => Some(notice.clone()),
            _ => None,
        })
        .collect()
}

fn errors(effects: &[Effect]) -> Vec<String> {
    notices(effects)
        .into_iter()
        .filter_map(|notice| match notice {
            Notice::Error(error) => Some(error),
            _ => None,
        })
        .collect()
}

fn last_stored(effects: &[Effect]) -> Option<Stored> {
    effects.iter().rev().find_map(|effect| match effect {
        Effect::Store(stored) => Some(stored.clone().unwrap_or_default()),
        _ => None,
    })
}

fn sent_frames(effects: &[Effect]) -> Vec<Value> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::SocketSend(text) => serde_json::from_str(text).ok(),
            _ => None,
        })
        .collect()
}

fn started(effects: &[Effect], timer: Timer) -> Option<u64> {
    effects.iter().rev().find_map(|effect| match effect {
        Effect::StartTimer {
            timer: started,
            after_ms,
        } if *started == timer => Some(*after_ms),
        _ => None,
    })
}

fn body(request: &HttpRequest) -> Value {
    let json = request
        .body
        .as_ref()
        .map(|body| body.json().expect("a JSON body"));
    serde_json::from_str(json.unwrap_or("null")).unwrap()
}

fn stored(conversation: Option<u64>, outbox: Vec<Outgoing>) -> Stored {
    Stored {
        source_id: Some(SID.to_owned()),
        pubsub_token: Some(TOKEN.to_owned()),
        conversation: conversation.map(ConversationId),
        outbox,
        details_given: false,
    }
}

/// A message a reload brought back from the stored outbox, typed 5 s ago.
fn restored_message(content: &str) -> Outgoing {
    Outgoing {
        echo_id: "18d3a1b2c3-00000000deadbeef".to_owned(),
        content: content.to_owned(),
        created_at_ms: T0 - 5_000,
        files: Vec::new(),
    }
}

/// A first visit, through to a ready session with its socket opening.
fn fresh() -> Harness {
    let mut h = Harness::new();
    h.input(Input::Start { stored: None });
    h.answer(Method::Get, &base(), 200, inbox());
    h.answer(Method::Post, &contacts(), 200, contact(SID, TOKEN));
    assert_eq!(h.session.phase(), &Phase::Ready);
    h
}

/// A reload with conversation 12 and these messages, ready and live (the
/// reconnect backfill answered with nothing new).
fn restored(status: &str, history: Value) -> Harness {
    let mut h = Harness::new();
    h.input(Input::Start {
        stored: Some(stored(Some(12), Vec::new())),
    });
    h.answer(Method::Get, &base(), 200, inbox());
    h.answer(Method::Get, &contact_path(), 200, contact(SID, TOKEN));
    h.answer(Method::Get, &messages(), 200, history.clone());
    h.answer(Method::Get, &conv(), 200, conversation(status, history));
    assert_eq!(h.session.phase(), &Phase::Ready);
    h.go_live();
    let after = h
        .open
        .iter()
        .find(|request| request.path.starts_with(&messages()))
        .cloned()
        .unwrap();
    h.open.retain(|request| request.id != after.id);
    h.respond(&after, 200, json!([]));
    h
}

fn two_messages() -> Value {
    json!([
        visitor_message(1841, "Hello, is anyone there?", None),
        agent_message(1842, "Hi! How can we help?")
    ])
}

/// Sends `text` into the live conversation 12 and returns the create call.
fn send(h: &mut Harness, text: &str) -> HttpRequest {
    h.input(Input::Send {
        content: text.to_owned(),
    });
    h.take(Method::Post, &messages())
}

// ---------------------------------------------------------------- bootstrap

#[test]
fn a_first_visit_makes_a_contact_stores_it_and_opens_the_socket() {
    let mut h = Harness::new();
    assert_eq!(h.session.phase(), &Phase::Idle);
    h.input(Input::Start { stored: None });
    assert_eq!(h.session.phase(), &Phase::Starting);
    assert!(h.has(Method::Get, &base()));
    let create = h.take(Method::Post, &contacts());
    assert_eq!(body(&create), json!({}));

    h.answer(Method::Get, &base(), 200, inbox());
    assert_eq!(h.session.phase(), &Phase::Starting);
    let effects = h.respond(&create, 200, contact(SID, TOKEN));

    assert_eq!(h.session.phase(), &Phase::Ready);
    assert_eq!(h.session.inbox().unwrap().name, "Acme Support");
    assert_eq!(last_stored(&effects), Some(stored(None, Vec::new())));
    assert_eq!(notices(&effects), [Notice::Ready]);
    assert!(effects.contains(&Effect::SocketOpen));
    assert_eq!(h.session.connection(), Connection::Connecting);
    // No conversation until the first message: nothing else is fetched.
    assert!(h.open.is_empty(), "{:#?}", h.open);

    // Subscribing needs no conversation either, and there is nothing to backfill.
    h.go_live();
    assert!(h.open.is_empty(), "{:#?}", h.open);
}

#[test]
fn a_reload_verifies_the_contact_and_loads_the_conversation() {
    let mut h = Harness::new();
    h.input(Input::Start {
        stored: Some(stored(Some(12), Vec::new())),
    });
    // Nothing is created: the stored contact is checked.
    assert!(!h.has(Method::Post, &contacts()));
    h.answer(Method::Get, &contact_path(), 200, contact(SID, TOKEN));
    h.answer(Method::Get, &messages(), 200, two_messages());
    h.answer(
        Method::Get,
        &conv(),
        200,
        conversation("open", two_messages()),
    );
    assert_eq!(h.session.phase(), &Phase::Starting);
    let effects = h.answer(Method::Get, &base(), 200, inbox());

    assert_eq!(h.session.phase(), &Phase::Ready);
    assert_eq!(notices(&effects), [Notice::Ready]);
    assert_eq!(h.session.conversation(), Some(ConversationId(12)));
    assert_eq!(h.session.status(), Some(ConversationStatus::Open));
    // The conversation's own copy of the messages does not double them.
    assert_eq!(
        h.view(),
        [
            "#1841 Hello, is anyone there?",
            "#1842 Hi! How can we help?"
        ]
    );
    // History is not news: nothing unread.
    assert_eq!(h.session.unread(), 0);

    // Once live, what came between the load and the subscription is fetched.
    h.go_live();
    assert!(h.has(Method::Get, &format!("{}?after=1842", messages())));
}

#[test]
fn dead_credentials_are_forgotten_and_a_new_contact_is_made() {
    let mut h = Harness::new();
    h.input(Input::Start {
        stored: Some(stored(Some(12), Vec::new())),
    });
    h.answer(Method::Get, &base(), 200, inbox());
    let history = h.take(Method::Get, &messages());
    let effects = h.answer(
        Method::Get,
        &contact_path(),
        404,
        json!({"status": 404, "error": "Not Found"}),
    );

    assert!(effects.contains(&Effect::Store(None)), "{effects:#?}");
    assert_eq!(h.session.conversation(), None);
    assert_eq!(h.session.phase(), &Phase::Starting);
    // The dead contact's late answers change nothing.
    h.respond(&history, 404, json!({"status": 404, "error": "Not Found"}));
    assert_eq!(h.session.phase(), &Phase::Starting);

    let effects = h.answer(Method::Post, &contacts(), 200, contact(SID2, TOKEN2));
    assert_eq!(h.session.phase(), &Phase::Ready);
    assert_eq!(
        last_stored(&effects).unwrap().source_id.as_deref(),
        Some(SID2)
    );
    assert!(effects.contains(&Effect::SocketOpen));

    // The socket subscribes with the new token.
    h.input(Input::SocketOpened);
    let welcome = h.frame(json!({"type": "welcome"}));
    assert_eq!(
        sent_frames(&welcome),
        [
            json!({"command": "subscribe", "identifier": RoomIdentifier::contact(TOKEN2).to_identifier()})
        ]
    );
}

#[test]
fn a_rejected_subscription_means_dead_credentials() {
    let mut h = restored("open", two_messages());
    let effects = h.frame(json!({"identifier": identifier(), "type": "reject_subscription"}));
    assert!(effects.contains(&Effect::SocketClose));
    assert_eq!(h.session.connection(), Connection::Offline);
    assert!(h.session.entries().is_empty());
    assert_eq!(last_stored(&effects), Some(Stored::default()));
    h.answer(Method::Post, &contacts(), 200, contact(SID2, TOKEN2));
    assert_eq!(h.session.phase(), &Phase::Ready);
    assert_eq!(h.session.connection(), Connection::Connecting);

    // A contact made a moment ago that is refused too: no loop of contacts.
    h.input(Input::SocketOpened);
    h.frame(json!({"type": "welcome"}));
    let rejected = h.frame(json!({"identifier": RoomIdentifier::contact(TOKEN2).to_identifier(), "type": "reject_subscription"}));
    assert_eq!(errors(&rejected).len(), 1);
    assert!(!h.has(Method::Post, &contacts()));
    assert_eq!(h.session.connection(), Connection::Offline);
    assert_eq!(h.session.phase(), &Phase::Ready);
}

#[test]
fn a_server_error_at_start_is_retried_with_backoff() {
    let mut h = Harness::new();
    h.input(Input::Start { stored: None });
    h.answer(Method::Post, &contacts(), 200, contact(SID, TOKEN));
    let effects = h.answer(
        Method::Get,
        &base(),
        500,
        json!({"error": "Internal Server Error"}),
    );
    let Phase::Failed { error } = h.session.phase() else {
        panic!("{:?}", h.session.phase());
    };
    assert!(error.contains("500"), "{error}");
    assert_eq!(started(&effects, Timer::Retry), Some(1_000));

    // The second failure waits longer; the contact is not made twice.
    h.fire(Timer::Retry);
    assert_eq!(h.session.phase(), &Phase::Starting);
    assert!(!h.has(Method::Post, &contacts()));
    let effects = h.answer(Method::Get, &base(), 503, Value::Null);
    assert_eq!(started(&effects, Timer::Retry), Some(2_000));

    // The visitor's retry does not wait for the timer.
    let effects = h.input(Input::RetryStart);
    assert!(effects.contains(&Effect::StopTimer(Timer::Retry)));
    let effects = h.answer(Method::Get, &base(), 200, inbox());
    assert_eq!(h.session.phase(), &Phase::Ready);
    assert_eq!(notices(&effects), [Notice::Ready]);
    assert!(effects.contains(&Effect::SocketOpen));
}

#[test]
fn a_refusal_at_start_fails_without_retrying() {
    let mut h = Harness::new();
    h.input(Input::Start { stored: None });
    let effects = h.answer(
        Method::Get,
        &base(),
        404,
        json!({"status": 404, "error": "Not Found"}),
    );
    assert_eq!(
        h.session.phase(),
        &Phase::Failed {
            error: "this chat inbox does not exist".to_owned()
        }
    );
    assert_eq!(started(&effects, Timer::Retry), None);
}

#[test]
fn a_body_that_does_not_parse_is_a_failure_not_a_panic() {
    let mut h = Harness::new();
    h.input(Input::Start { stored: None });
    let request = h.take(Method::Get, &base());
    let effects = h.input(Input::Http {
        id: request.id,
        response: HttpResponse::Answered {
            status: 200,
            body: "<html>502 Bad Gateway</html>".to_owned(),
        },
    });
    let Phase::Failed { error } = h.session.phase() else {
        panic!("{:?}", h.session.phase());
    };
    assert!(error.contains("unexpected response"), "{error}");
    assert_eq!(started(&effects, Timer::Retry), Some(1_000));
}

// ------------------------------------------------------------------- outbox

#[test]
fn the_first_message_creates_the_conversation_then_is_confirmed() {
    let mut h = fresh();
    h.go_live();
    let effects = h.input(Input::Send {
        content: "  Hello!  ".to_owned(),
    });
    // Shown at once, kept for a reload.
    assert_eq!(h.view(), ["… Hello!"]);
    let outbox = last_stored(&effects).unwrap().outbox;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].content, "Hello!");
    assert_eq!(outbox[0].created_at_ms, T0);

    let create = h.take(Method::Post, &conversations());
    assert_eq!(body(&create), json!({}));
    let effects = h.respond(&create, 200, conversation("open", json!([])));
    assert_eq!(
        last_stored(&effects).unwrap().conversation,
        Some(ConversationId(12))
    );
    assert_eq!(h.session.status(), Some(ConversationStatus::Open));

    let post = h.take(Method::Post, &messages());
    let echo = outbox[0].echo_id.clone();
    assert_eq!(body(&post), json!({"content": "Hello!", "echo_id": echo}));
    let effects = h.respond(&post, 200, visitor_message(1850, "Hello!", Some(&echo)));
    assert_eq!(h.view(), ["#1850 Hello!"]);
    assert!(last_stored(&effects).unwrap().outbox.is_empty());
    // Our own message is no news for the host page.
    assert!(notices(&effects).is_empty());
}

#[test]
fn a_greeting_sent_before_the_conversation_was_known_is_fetched() {
    let mut h = fresh();
    h.go_live();
    h.input(Input::Send {
        content: "Hi".to_owned(),
    });
    let create = h.take(Method::Post, &conversations());
    // The bot greets the new conversation before its create is answered:
    // the broadcast names a conversation this session does not know yet.
    h.frame(broadcast(
        "message.created",
        pushed(agent_message(1849, "Welcome!")),
    ));
    assert!(h.view().iter().all(|line| !line.contains("Welcome")));
    h.respond(&create, 200, conversation("open", json!([])));
    let post = h.take(Method::Post, &messages());
    let fetch = h.take(Method::Get, &messages());
    h.respond(&fetch, 200, json!([agent_message(1849, "Welcome!")]));
    let echo = body(&post)["echo_id"].as_str().unwrap().to_owned();
    h.respond(&post, 200, visitor_message(1850, "Hi", Some(&echo)));
    assert_eq!(h.view(), ["#1849 Welcome!", "#1850 Hi"]);
}

#[test]
fn messages_go_out_one_at_a_time_in_order() {
    let mut h = restored("open", two_messages());
    let first = send(&mut h, "one");
    h.input(Input::Send {
        content: "two".to_owned(),
    });
    assert!(!h.has(Method::Post, &messages()), "only one in flight");
    assert_eq!(h.view()[2..], ["… one", "… two"]);
    let echo = body(&first)["echo_id"].as_str().unwrap().to_owned();
    h.respond(&first, 200, visitor_message(1850, "one", Some(&echo)));
    let second = h.take(Method::Post, &messages());
    assert_eq!(body(&second)["content"], "two");
    assert_ne!(body(&second)["echo_id"], json!(echo));
}

#[test]
fn a_blank_or_too_long_message_is_not_sent() {
    let mut h = restored("open", two_messages());
    let effects = h.input(Input::Send {
        content: " \n ".to_owned(),
    });
    assert!(effects.is_empty());
    let effects = h.input(Input::Send {
        content: "x".repeat(crate::validate::CONTENT_MAX_CHARS + 1),
    });
    assert_eq!(errors(&effects).len(), 1);
    assert!(h.open.is_empty());
    assert_eq!(h.view().len(), 2);
}

#[test]
fn the_socket_confirming_first_then_the_answer_shows_one_message() {
    let mut h = restored("open", two_messages());
    let post = send(&mut h, "Any news?");
    let echo = body(&post)["echo_id"].as_str().unwrap().to_owned();

    let effects = h.frame(broadcast(
        "message.created",
        pushed(visitor_message(1850, "Any news?", Some(&echo))),
    ));
    assert_eq!(h.view()[2..], ["#1850 Any news?"]);
    assert!(last_stored(&effects).unwrap().outbox.is_empty());
    assert!(notices(&effects).is_empty());

    h.respond(&post, 200, visitor_message(1850, "Any news?", Some(&echo)));
    assert_eq!(h.view()[2..], ["#1850 Any news?"]);
}

#[test]
fn the_answer_first_then_the_socket_shows_one_message() {
    let mut h = restored("open", two_messages());
    let post = send(&mut h, "Any news?");
    let echo = body(&post)["echo_id"].as_str().unwrap().to_owned();

    h.respond(&post, 200, visitor_message(1850, "Any news?", Some(&echo)));
    assert_eq!(h.view()[2..], ["#1850 Any news?"]);
    let effects = h.frame(broadcast(
        "message.created",
        pushed(visitor_message(1850, "Any news?", Some(&echo))),
    ));
    assert_eq!(h.view()[2..], ["#1850 Any news?"]);
    assert!(notices(&effects).is_empty());
}

#[test]
fn a_confirmation_heard_twice_shows_one_message() {
    let mut h = restored("open", two_messages());
    let post = send(&mut h, "Any news?");
    let echo = body(&post)["echo_id"].as_str().unwrap().to_owned();
    let created = broadcast(
        "message.created",
        pushed(visitor_message(1850, "Any news?", Some(&echo))),
    );
    h.frame(created.clone());
    h.frame(created);
    h.respond(&post, 200, visitor_message(1850, "Any news?", Some(&echo)));
    assert_eq!(
        h.view(),
        [
            "#1841 Hello, is anyone there?",
            "#1842 Hi! How can we help?",
            "#1850 Any news?"
        ]
    );
}

#[test]
fn a_timed_out_send_is_retried_and_the_servers_dedupe_leaves_one_message() {
    let mut h = restored("open", two_messages());
    let post = send(&mut h, "Any news?");
    let echo = body(&post)["echo_id"].as_str().unwrap().to_owned();
    let effects = h.time_out(&post);
    assert_eq!(started(&effects, Timer::Retry), Some(1_000));
    assert!(errors(&effects).is_empty());
    assert_eq!(h.view()[2..], ["… Any news?"]);

    h.advance(1_000);
    h.fire(Timer::Retry);
    let again = h.take(Method::Post, &messages());
    assert_eq!(body(&again), body(&post), "the same echo_id");
    // The first attempt had landed: the server answers its message.
    h.respond(&again, 200, visitor_message(1850, "Any news?", Some(&echo)));
    assert_eq!(h.view()[2..], ["#1850 Any news?"]);
}

#[test]
fn a_deleted_conversation_is_replaced_by_a_new_one() {
    let mut h = restored("open", two_messages());
    let post = send(&mut h, "Hello again");
    let effects = h.respond(&post, 404, json!({"status": 404, "error": "Not Found"}));
    assert_eq!(h.session.conversation(), None);
    assert_eq!(last_stored(&effects).unwrap().conversation, None);
    // The old conversation's messages go with it; the visitor's stays pending.
    assert_eq!(h.view(), ["… Hello again"]);
    h.fire(Timer::Retry);
    h.answer(
        Method::Post,
        &conversations(),
        200,
        conversation("open", json!([])),
    );
    let post = h.take(Method::Post, &messages());
    assert_eq!(body(&post)["content"], "Hello again");
}

#[test]
fn a_new_contact_is_not_replaced_when_its_conversation_cannot_be_made() {
    let mut h = fresh();
    h.input(Input::Send {
        content: "Hello".to_owned(),
    });
    let effects = h.answer(
        Method::Post,
        &conversations(),
        404,
        json!({"status": 404, "error": "Not Found"}),
    );
    assert!(!h.has(Method::Post, &contacts()));
    assert_eq!(started(&effects, Timer::Retry), Some(1_000));
    assert_eq!(h.view(), ["… Hello"]);
}

#[test]
fn a_refused_message_fails_at_once_with_the_servers_words() {
    let mut h = restored("open", two_messages());
    let post = send(&mut h, "spam");
    let effects = h.respond(
        &post,
        422,
        json!({"message": "Content is too long (maximum is 150000 characters)", "attributes": ["content"]}),
    );
    assert_eq!(h.view()[2..], ["! spam"]);
    let Entry::Outgoing {
        delivery: Delivery::Failed { error },
        ..
    } = &h.session.entries()[2]
    else {
        panic!()
    };
    assert_eq!(error, "Content is too long (maximum is 150000 characters)");
    assert_eq!(errors(&effects).len(), 1);
    assert_eq!(started(&effects, Timer::Retry), None);
}

#[test]
fn a_message_that_keeps_failing_is_failed_and_the_visitor_can_retry_it() {
    let mut h = restored("open", two_messages());
    let mut post = send(&mut h, "Any news?");
    let echo = body(&post)["echo_id"].as_str().unwrap().to_owned();
    let mut waits = Vec::new();
    for _ in 0..4 {
        let effects = h.respond(&post, 502, Value::Null);
        waits.push(started(&effects, Timer::Retry).unwrap());
        h.fire(Timer::Retry);
        post = h.take(Method::Post, &messages());
    }
    assert_eq!(waits, [1_000, 2_000, 4_000, 8_000]);
    let effects = h.time_out(&post);
    assert_eq!(h.view()[2..], ["! Any news?"]);
    assert_eq!(errors(&effects).len(), 1);
    assert!(h.open.is_empty());

    h.input(Input::Retry {
        echo_id: echo.clone(),
    });
    assert_eq!(h.view()[2..], ["… Any news?"]);
    let post = h.take(Method::Post, &messages());
    assert_eq!(body(&post)["echo_id"], json!(echo));
    h.respond(&post, 200, visitor_message(1850, "Any news?", Some(&echo)));
    assert_eq!(h.view()[2..], ["#1850 Any news?"]);
}

#[test]
fn offline_messages_wait_without_spending_attempts_then_go_in_order_once() {
    let mut h = restored("open", two_messages());
    // The network drops with a message on its way: the failure is not an
    // attempt, and nothing is retried until the browser says it is back.
    let post = send(&mut h, "one");
    let echo_one = body(&post)["echo_id"].as_str().unwrap().to_owned();
    h.input(Input::Network { online: false });
    assert!(h.session.offline());
    let effects = h.time_out(&post);
    assert_eq!(started(&effects, Timer::Retry), None);
    assert!(errors(&effects).is_empty());
    h.input(Input::SocketClosed);
    for text in ["two", "three"] {
        h.input(Input::Send {
            content: text.to_owned(),
        });
    }
    assert!(
        h.open.is_empty(),
        "nothing goes while offline: {:#?}",
        h.open
    );
    assert_eq!(h.view()[2..], ["… one", "… two", "… three"]);

    // Back: the socket reconnects at once, and the outbox goes in order,
    // the first message again with its echo id (the server's dedupe keeps
    // it once if it had landed).
    let effects = h.input(Input::Network { online: true });
    assert!(!h.session.offline());
    assert!(effects.contains(&Effect::SocketOpen));
    for (id, text) in [(1850, "one"), (1851, "two"), (1852, "three")] {
        let post = h.take(Method::Post, &messages());
        assert_eq!(body(&post)["content"], json!(text));
        assert!(h.open.iter().all(|request| request.method != Method::Post));
        let echo = body(&post)["echo_id"].as_str().unwrap().to_owned();
        if text == "one" {
            assert_eq!(echo, echo_one);
        }
        h.respond(&post, 200, visitor_message(id, text, Some(&echo)));
    }
    assert_eq!(h.view()[2..], ["#1850 one", "#1851 two", "#1852 three"]);
}

#[test]
fn the_network_back_ends_a_retry_wait_and_a_failed_start() {
    let mut h = restored("open", two_messages());
    let post = send(&mut h, "Any news?");
    let effects = h.respond(&post, 502, Value::Null);
    assert_eq!(started(&effects, Timer::Retry), Some(1_000));
    h.input(Input::Network { online: false });
    let effects = h.input(Input::Network { online: true });
    assert!(effects.contains(&Effect::StopTimer(Timer::Retry)));
    h.take(Method::Post, &messages());

    let mut h = Harness::new();
    h.input(Input::Network { online: false });
    h.input(Input::Start { stored: None });
    let request = h.take(Method::Get, &base());
    h.time_out(&request);
    assert!(matches!(h.session.phase(), Phase::Failed { .. }));
    h.input(Input::Network { online: true });
    assert!(
        h.has(Method::Get, &base()),
        "the start is tried again at once"
    );
}

#[test]
fn a_page_put_in_the_back_forward_cache_closes_its_socket_until_shown_again() {
    let mut h = restored("open", two_messages());
    let effects = h.input(Input::Suspend);
    assert!(effects.contains(&Effect::SocketClose));
    assert_eq!(h.session.connection(), Connection::Offline);
    // No reconnect while hidden, whatever fires.
    assert!(!h.fire(Timer::Reconnect).contains(&Effect::SocketOpen));
    assert!(
        !h.input(Input::SocketClosed)
            .iter()
            .any(|effect| matches!(effect, Effect::StartTimer { .. }))
    );
    let effects = h.input(Input::Resume);
    assert!(effects.contains(&Effect::SocketOpen));
    // The subscription's confirmation fetches what was said meanwhile.
    h.go_live();
    assert!(
        h.open
            .iter()
            .any(|request| request.path == format!("{}?after=1842", messages()))
    );
}

#[test]
fn a_conversation_another_tab_started_is_followed_not_doubled() {
    let mut h = fresh();
    h.go_live();
    assert_eq!(h.session.conversation(), None);
    let effects = h.frame(broadcast(
        "conversation.created",
        conversation_event(12, "open"),
    ));
    assert_eq!(h.session.conversation(), Some(ConversationId(12)));
    assert_eq!(
        last_stored(&effects).unwrap().conversation,
        Some(ConversationId(12))
    );
    h.answer(Method::Get, &messages(), 200, two_messages());
    assert_eq!(
        h.view(),
        [
            "#1841 Hello, is anyone there?",
            "#1842 Hi! How can we help?"
        ]
    );
    // The next message goes into it: no second conversation.
    send(&mut h, "Me again");
    assert!(!h.has(Method::Post, &conversations()));

    // Only a conversation that was just created, and is not resolved.
    let mut h = fresh();
    h.go_live();
    h.frame(broadcast(
        "conversation.updated",
        conversation_event(12, "open"),
    ));
    h.frame(broadcast(
        "conversation.created",
        conversation_event(13, "resolved"),
    ));
    assert_eq!(h.session.conversation(), None);
}

#[test]
fn a_browser_wrongly_offline_is_corrected_by_the_first_answer() {
    let mut h = Harness::new();
    h.input(Input::Network { online: false });
    h.input(Input::Start { stored: None });
    h.answer(Method::Get, &base(), 200, inbox());
    assert!(!h.session.offline());
    h.answer(Method::Post, &contacts(), 200, contact(SID, TOKEN));
    assert_eq!(h.session.phase(), &Phase::Ready);
}

#[test]
fn reading_in_another_tab_clears_the_unread_count_without_a_call() {
    let mut h = restored("open", two_messages());
    h.frame(broadcast(
        "message.created",
        pushed(agent_message(1843, "Still there?")),
    ));
    assert_eq!(h.session.unread(), 1);
    let effects = h.input(Input::ReadElsewhere);
    assert_eq!(h.session.unread(), 0);
    assert_eq!(notices(&effects), [Notice::Unread(0)]);
    assert!(h.open.is_empty());
}

#[test]
fn scrolling_to_the_top_fetches_older_pages_until_there_are_none() {
    let page: Vec<Value> = (2001..=2020)
        .map(|id| agent_message(id, &format!("m{id}")))
        .collect();
    let mut h = restored("open", Value::Array(page));
    assert_eq!(h.view().len(), 20);
    h.input(Input::LoadOlder);
    // One page at a time.
    h.input(Input::LoadOlder);
    let before = format!("{}?before=2001", messages());
    let request = h.take(Method::Get, &before);
    assert!(!h.has(Method::Get, &before));
    let older: Vec<Value> = (1996..=2000)
        .map(|id| agent_message(id, &format!("m{id}")))
        .collect();
    let effects = h.respond(&request, 200, Value::Array(older));
    assert!(notices(&effects).is_empty(), "older messages are not news");
    assert_eq!(h.view().len(), 25);
    assert_eq!(h.view()[0], "#1996 m1996");
    assert_eq!(h.session.unread(), 0);
    // A short page was the last one.
    h.input(Input::LoadOlder);
    assert!(h.open.is_empty());
}

#[test]
fn an_outbox_restored_after_a_reload_is_sent() {
    let pending = restored_message("Are you there?");
    let mut h = Harness::new();
    h.input(Input::Start {
        stored: Some(stored(Some(12), vec![pending.clone()])),
    });
    // Shown before anything loaded.
    assert_eq!(h.view(), ["… Are you there?"]);
    h.answer(Method::Get, &base(), 200, inbox());
    h.answer(Method::Get, &contact_path(), 200, contact(SID, TOKEN));
    h.answer(Method::Get, &conv(), 200, conversation("open", json!([])));
    assert!(
        !h.has(Method::Post, &messages()),
        "sent after the bootstrap"
    );
    h.answer(Method::Get, &messages(), 200, two_messages());
    let post = h.take(Method::Post, &messages());
    assert_eq!(
        body(&post),
        json!({"content": "Are you there?", "echo_id": pending.echo_id})
    );
    h.respond(
        &post,
        200,
        visitor_message(1843, "Are you there?", Some(&pending.echo_id)),
    );
    assert_eq!(h.view()[2..], ["#1843 Are you there?"]);
}

#[test]
fn a_restored_outbox_without_a_conversation_creates_one() {
    let pending = restored_message("Hello?");
    let mut h = Harness::new();
    h.input(Input::Start {
        stored: Some(stored(None, vec![pending.clone()])),
    });
    h.answer(Method::Get, &base(), 200, inbox());
    h.answer(Method::Get, &contact_path(), 200, contact(SID, TOKEN));
    h.answer(
        Method::Post,
        &conversations(),
        200,
        conversation("open", json!([])),
    );
    let post = h.take(Method::Post, &messages());
    assert_eq!(body(&post)["echo_id"], json!(pending.echo_id));
}

#[test]
fn a_restored_message_that_had_landed_is_not_shown_twice() {
    // The page reloaded after the server took the message but before the
    // answer came: the list has it (without echo_id), the outbox too.
    let pending = restored_message("Are you there?");
    let mut h = Harness::new();
    h.input(Input::Start {
        stored: Some(stored(Some(12), vec![pending.clone()])),
    });
    let landed = json!([
        agent_message(1842, "Hi!"),
        visitor_message(1843, "Are you there?", None)
    ]);
    h.answer(Method::Get, &base(), 200, inbox());
    h.answer(Method::Get, &contact_path(), 200, contact(SID, TOKEN));
    h.answer(Method::Get, &conv(), 200, conversation("open", json!([])));
    h.answer(Method::Get, &messages(), 200, landed);
    assert_eq!(h.view(), ["#1842 Hi!", "#1843 Are you there?"]);
    // Sent again all the same; the server's dedupe answers the same message.
    let post = h.take(Method::Post, &messages());
    h.respond(
        &post,
        200,
        visitor_message(1843, "Are you there?", Some(&pending.echo_id)),
    );
    assert_eq!(h.view(), ["#1842 Hi!", "#1843 Are you there?"]);
    assert!(h.open.iter().all(|request| request.method != Method::Post));
}

// -------------------------------------------------------------------- files

fn file(id: u64, name: &str, content_type: &str, size: u64) -> OutgoingFile {
    OutgoingFile {
        id: FileId(id),
        name: name.to_owned(),
        content_type: content_type.to_owned(),
        size,
    }
}

/// A visitor message carrying `files` attachments, as the server answers it.
fn upload_message(id: u64, content: Option<&str>, files: usize, echo: Option<&str>) -> Value {
    let mut message = visitor_message(id, content.unwrap_or_default(), echo);
    if content.is_none() {
        message["content"] = Value::Null;
    }
    message["attachments"] = (0..files)
        .map(|n| {
            json!({"id": 90 + n, "message_id": id, "file_type": "image", "account_id": 1,
                "extension": "png", "data_url": format!("http://127.0.0.1/files/{n}.png"),
                "thumb_url": "", "file_size": 1234, "width": null, "height": null})
        })
        .collect();
    message
}

fn multipart(request: &HttpRequest) -> (Vec<(&'static str, String)>, Vec<FileId>) {
    match &request.body {
        Some(Body::Multipart { fields, files }) => (fields.clone(), files.clone()),
        other => panic!("not a multipart body: {other:?}"),
    }
}

fn held(h: &Harness) -> Vec<FileId> {
    h.session.files().collect()
}

#[test]
fn files_go_out_as_one_multipart_message_and_are_let_go_once_confirmed() {
    let mut h = restored("open", two_messages());
    let effects = h.input(Input::SendFiles {
        content: " Here they are ".to_owned(),
        files: vec![
            file(1, "screenshot.png", "image/png", 1234),
            file(2, "invoice.pdf", "application/pdf", 56_789),
        ],
    });
    assert_eq!(h.view()[2..], ["… Here they are"]);
    // The bytes would not survive a reload: nothing of it is stored.
    assert!(last_stored(&effects).unwrap().outbox.is_empty());
    assert_eq!(held(&h), [FileId(1), FileId(2)]);

    let post = h.take(Method::Post, &messages());
    let (fields, files) = multipart(&post);
    let echo = fields[1].1.clone();
    assert_eq!(
        fields,
        [
            ("content", "Here they are".to_owned()),
            ("echo_id", echo.clone())
        ]
    );
    assert_eq!(files, [FileId(1), FileId(2)]);

    // The browser's progress shows on the message, a whole percent at a time.
    let uploading = |h: &Harness| match h.session.entries().last() {
        Some(Entry::Outgoing { delivery, .. }) => delivery.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(uploading(&h), Delivery::Pending);
    h.input(Input::Progress {
        id: post.id,
        sent: 29_000,
        total: 58_400,
    });
    assert_eq!(uploading(&h), Delivery::Uploading { percent: 49 });
    h.input(Input::Progress {
        id: post.id,
        sent: 58_400,
        total: 58_400,
    });
    assert_eq!(uploading(&h), Delivery::Uploading { percent: 100 });
    // Another call's progress is not this message's.
    h.input(Input::Progress {
        id: super::RequestId(post.id.0 + 1000),
        sent: 1,
        total: 2,
    });
    assert_eq!(uploading(&h), Delivery::Uploading { percent: 100 });

    h.respond(
        &post,
        200,
        upload_message(1850, Some("Here they are"), 2, Some(&echo)),
    );
    assert_eq!(h.view()[2..], ["#1850 Here they are"]);
    assert!(held(&h).is_empty());
}

#[test]
fn an_upload_that_failed_midway_shows_pending_again_until_its_retry_reports() {
    let mut h = restored("open", two_messages());
    h.input(Input::SendFiles {
        content: String::new(),
        files: vec![file(1, "video.mp4", "video/mp4", 4_000_000)],
    });
    let post = h.take(Method::Post, &messages());
    h.input(Input::Progress {
        id: post.id,
        sent: 1_000_000,
        total: 4_000_200,
    });
    assert!(matches!(
        h.session.entries().last(),
        Some(Entry::Outgoing {
            delivery: Delivery::Uploading { percent: 24 },
            ..
        })
    ));
    h.time_out(&post);
    assert!(matches!(
        h.session.entries().last(),
        Some(Entry::Outgoing {
            delivery: Delivery::Pending,
            ..
        })
    ));
    h.fire(Timer::Retry);
    let again = h.take(Method::Post, &messages());
    h.input(Input::Progress {
        id: again.id,
        sent: 10,
        total: 4_000_200,
    });
    assert!(matches!(
        h.session.entries().last(),
        Some(Entry::Outgoing {
            delivery: Delivery::Uploading { percent: 0 },
            ..
        })
    ));
}

#[test]
fn an_upload_without_a_caption_sends_no_content() {
    let mut h = restored("open", two_messages());
    h.input(Input::SendFiles {
        content: "  ".to_owned(),
        files: vec![file(7, "photo.jpg", "image/jpeg", 2_000_000)],
    });
    let post = h.take(Method::Post, &messages());
    let (fields, files) = multipart(&post);
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].0, "echo_id");
    assert_eq!(files, [FileId(7)]);
}

#[test]
fn a_file_too_large_empty_or_one_too_many_is_refused_before_anything_goes() {
    let mut h = restored("open", two_messages());
    let too_large = crate::validate::ATTACHMENT_MAX_BYTES + 1;
    let effects = h.input(Input::SendFiles {
        content: "both".to_owned(),
        files: vec![
            file(1, "small.png", "image/png", 10),
            file(2, "movie.mov", "video/quicktime", too_large),
        ],
    });
    let said = errors(&effects);
    assert_eq!(said.len(), 1);
    assert!(said[0].starts_with("movie.mov: "), "{said:?}");

    let effects = h.input(Input::SendFiles {
        content: String::new(),
        files: vec![file(3, "empty.txt", "text/plain", 0)],
    });
    assert!(errors(&effects)[0].starts_with("empty.txt: "));

    let many = (0..=crate::validate::ATTACHMENTS_MAX_PER_MESSAGE as u64)
        .map(|n| file(10 + n, "a.png", "image/png", 10))
        .collect();
    let effects = h.input(Input::SendFiles {
        content: String::new(),
        files: many,
    });
    assert_eq!(errors(&effects).len(), 1);

    assert!(h.open.is_empty());
    assert_eq!(h.view().len(), 2);
    assert!(held(&h).is_empty(), "refused files are let go");
}

#[test]
fn a_refused_upload_keeps_its_files_for_the_visitors_retry() {
    let mut h = restored("open", two_messages());
    h.input(Input::SendFiles {
        content: String::new(),
        files: vec![file(4, "notes.exe", "application/x-msdownload", 10)],
    });
    let post = h.take(Method::Post, &messages());
    let echo = multipart(&post).0[0].1.clone();
    let effects = h.respond(
        &post,
        422,
        json!({"message": "Attachments is too big", "attributes": ["attachments"]}),
    );
    assert_eq!(errors(&effects).len(), 1);
    assert_eq!(h.view()[2..], ["! "]);
    assert_eq!(held(&h), [FileId(4)]);

    h.input(Input::Retry {
        echo_id: echo.clone(),
    });
    let again = h.take(Method::Post, &messages());
    assert_eq!(
        multipart(&again),
        (vec![("echo_id", echo)], vec![FileId(4)])
    );
}

#[test]
fn an_upload_listed_after_its_answer_was_lost_is_not_shown_twice() {
    let mut h = restored("open", two_messages());
    h.input(Input::SendFiles {
        content: String::new(),
        files: vec![file(5, "map.png", "image/png", 999)],
    });
    let post = h.take(Method::Post, &messages());
    let echo = multipart(&post).0[0].1.clone();
    h.time_out(&post);
    // The socket dropped meanwhile; the backfill lists the upload, which
    // the server had taken, without its echo_id.
    h.input(Input::SocketClosed);
    h.fire(Timer::Reconnect);
    h.go_live();
    h.answer(
        Method::Get,
        &format!("{}?after=1842", messages()),
        200,
        json!([upload_message(1843, None, 1, None)]),
    );
    assert_eq!(h.view()[2..], ["#1843 "]);
    // Its retry, deduplicated by the server, settles it.
    let again = h.take(Method::Post, &messages());
    h.respond(&again, 200, upload_message(1843, None, 1, Some(&echo)));
    assert_eq!(h.view()[2..], ["#1843 "]);
    assert!(held(&h).is_empty());
}

// ----------------------------------------------------------------- realtime

#[test]
fn a_socket_dropped_mid_send_reconnects_and_backfills_what_it_missed() {
    let mut h = restored("open", two_messages());
    let post = send(&mut h, "Are you there?");
    let echo = body(&post)["echo_id"].as_str().unwrap().to_owned();

    let effects = h.input(Input::SocketClosed);
    assert_eq!(h.session.connection(), Connection::Offline);
    assert_eq!(started(&effects, Timer::Reconnect), Some(1_000));
    // The network is down: the send fails too and waits.
    let effects = h.time_out(&post);
    assert_eq!(started(&effects, Timer::Retry), Some(1_000));
    assert_eq!(h.view()[2..], ["… Are you there?"]);

    // A first reconnect fails: the next waits longer.
    let effects = h.fire(Timer::Reconnect);
    assert!(effects.contains(&Effect::SocketOpen));
    assert_eq!(h.session.connection(), Connection::Connecting);
    let effects = h.input(Input::SocketClosed);
    assert_eq!(started(&effects, Timer::Reconnect), Some(2_000));

    h.fire(Timer::Reconnect);
    let effects = h.go_live();
    assert_eq!(
        started(&effects, Timer::Presence),
        Some(crate::cable::PRESENCE_INTERVAL_SECS * 1000)
    );
    // The message had landed before the network went; an agent answered.
    let missed = json!([
        visitor_message(1843, "Are you there?", None),
        agent_message(1844, "Yes, here!")
    ]);
    let effects = h.answer(
        Method::Get,
        &format!("{}?after=1842", messages()),
        200,
        missed,
    );
    assert_eq!(
        h.view(),
        [
            "#1841 Hello, is anyone there?",
            "#1842 Hi! How can we help?",
            "#1843 Are you there?",
            "#1844 Yes, here!"
        ]
    );
    assert_eq!(notices(&effects)[0], {
        let Notice::Message(message) = &notices(&effects)[0] else {
            panic!()
        };
        assert_eq!(message.id, MessageId(1844));
        Notice::Message(message.clone())
    });
    // The in-doubt message is settled at once by its dedupe, not after the backoff.
    let again = h.take(Method::Post, &messages());
    h.respond(
        &again,
        200,
        visitor_message(1843, "Are you there?", Some(&echo)),
    );
    assert_eq!(h.view().len(), 4);
    assert!(h.open.is_empty());

    // Live again: the next drop starts the backoff over.
    let effects = h.input(Input::SocketClosed);
    assert_eq!(started(&effects, Timer::Reconnect), Some(1_000));
}

#[test]
fn a_silent_socket_is_called_stale_and_reopened() {
    let mut h = restored("open", two_messages());
    let effects = h.frame(json!({"type": "ping", "message": 1_731_500_103}));
    assert_eq!(
        started(&effects, Timer::Stale),
        Some(crate::cable::STALE_AFTER_SECS * 1000)
    );
    let effects = h.fire(Timer::Stale);
    assert!(effects.contains(&Effect::SocketClose));
    assert_eq!(h.session.connection(), Connection::Offline);
    assert_eq!(started(&effects, Timer::Reconnect), Some(1_000));
    // The close the engine asked for is not a second loss.
    let effects = h.input(Input::SocketClosed);
    assert!(effects.is_empty());
    let effects = h.fire(Timer::Reconnect);
    assert!(effects.contains(&Effect::SocketOpen));
    assert_eq!(h.session.connection(), Connection::Connecting);
}

#[test]
fn the_presence_heartbeat_runs_while_live() {
    let mut h = restored("open", two_messages());
    let effects = h.fire(Timer::Presence);
    assert_eq!(
        sent_frames(&effects),
        [
            json!({"command": "message", "identifier": identifier(), "data": "{\"action\":\"update_presence\"}"})
        ]
    );
    assert!(started(&effects, Timer::Presence).is_some());
    h.input(Input::SocketClosed);
    let effects = h.fire(Timer::Presence);
    assert!(effects.is_empty());
}

#[test]
fn a_server_disconnect_reconnects_when_asked_to() {
    let mut h = restored("open", two_messages());
    let effects =
        h.frame(json!({"type": "disconnect", "reason": "server_restart", "reconnect": true}));
    assert!(effects.contains(&Effect::SocketClose));
    assert_eq!(started(&effects, Timer::Reconnect), Some(1_000));

    let mut h = restored("open", two_messages());
    let effects =
        h.frame(json!({"type": "disconnect", "reason": "unauthorized", "reconnect": false}));
    assert!(effects.contains(&Effect::SocketClose));
    assert_eq!(started(&effects, Timer::Reconnect), None);
    assert_eq!(h.session.connection(), Connection::Offline);
}

#[test]
fn messages_are_ordered_by_id_and_never_doubled() {
    let mut h = restored("open", two_messages());
    h.frame(broadcast(
        "message.created",
        pushed(agent_message(1845, "later")),
    ));
    h.frame(broadcast(
        "message.created",
        pushed(agent_message(1843, "earlier")),
    ));
    let again = h.frame(broadcast(
        "message.created",
        pushed(agent_message(1843, "earlier")),
    ));
    assert!(notices(&again).is_empty());
    // Not the visitor's to see, or not this conversation.
    let mut private = pushed(agent_message(1846, "internal note"));
    private["private"] = json!(true);
    h.frame(broadcast("message.created", private));
    let mut activity = pushed(agent_message(1847, "Conversation was resolved"));
    activity["message_type"] = json!(2);
    h.frame(broadcast("message.created", activity));
    let mut other = pushed(agent_message(1848, "elsewhere"));
    other["conversation_id"] = json!(99);
    h.frame(broadcast("message.created", other));
    // Another subscription's frame.
    h.frame(json!({"identifier": "{\"channel\":\"RoomChannel\",\"pubsub_token\":\"x\"}", "message": {"event": "message.created", "data": pushed(agent_message(1849, "not ours"))}}));

    let mut edited = pushed(agent_message(1843, "earlier, edited"));
    edited["previous_changes"] = json!({"content": ["earlier", "earlier, edited"]});
    h.frame(broadcast("message.updated", edited));
    assert_eq!(
        h.view(),
        [
            "#1841 Hello, is anyone there?",
            "#1842 Hi! How can we help?",
            "#1843 earlier, edited",
            "#1845 later"
        ]
    );
    // Frames that make no sense are dropped.
    let effects = h.input(Input::SocketFrame("{not json".to_owned()));
    assert!(effects.is_empty());
    h.frame(broadcast("message.created", json!({"id": "nope"})));
    assert_eq!(h.view().len(), 4);
}

#[test]
fn an_agent_typing_shows_and_goes_away() {
    let mut h = restored("open", two_messages());
    let effects = h.frame(typing("conversation.typing_on", 12, false));
    assert!(h.session.agent_typing());
    assert_eq!(started(&effects, Timer::AgentTyping), Some(30_000));
    h.frame(typing("conversation.typing_off", 12, false));
    assert!(!h.session.agent_typing());

    // It expires without news.
    h.frame(typing("conversation.typing_on", 12, false));
    h.fire(Timer::AgentTyping);
    assert!(!h.session.agent_typing());

    // The agent's message ends it.
    h.frame(typing("conversation.typing_on", 12, false));
    let effects = h.frame(broadcast(
        "message.created",
        pushed(agent_message(1843, "Done")),
    ));
    assert!(!h.session.agent_typing());
    assert!(effects.contains(&Effect::StopTimer(Timer::AgentTyping)));

    // A private note's typing, or another conversation's, is not shown.
    h.frame(typing("conversation.typing_on", 12, true));
    h.frame(typing("conversation.typing_on", 99, false));
    assert!(!h.session.agent_typing());
}

#[test]
fn agent_messages_count_unread_while_closed_and_reset_on_open() {
    let mut h = restored("open", two_messages());
    let effects = h.frame(broadcast(
        "message.created",
        pushed(agent_message(1843, "Still there?")),
    ));
    assert_eq!(h.session.unread(), 1);
    let notices_heard = notices(&effects);
    assert!(matches!(&notices_heard[0], Notice::Message(message) if message.id == MessageId(1843)));
    assert_eq!(notices_heard[1], Notice::Unread(1));

    let mut survey = pushed(agent_message(1844, "Rate us"));
    survey["message_type"] = json!(3);
    let effects = h.frame(broadcast("message.created", survey));
    assert_eq!(notices(&effects).last(), Some(&Notice::Unread(2)));

    // The visitor's own message from another tab is not unread.
    h.frame(broadcast(
        "message.created",
        pushed(visitor_message(1845, "me", Some("other-tab"))),
    ));
    assert_eq!(h.session.unread(), 2);

    let effects = h.input(Input::Visible { open: true });
    assert_eq!(notices(&effects), [Notice::Unread(0)]);
    assert_eq!(h.session.unread(), 0);
    h.take(Method::Post, &format!("{}/update_last_seen", conv()));

    // While open, messages are read as they come.
    let effects = h.frame(broadcast(
        "message.created",
        pushed(agent_message(1846, "Great")),
    ));
    assert_eq!(h.session.unread(), 0);
    assert!(
        !notices(&effects)
            .iter()
            .any(|notice| matches!(notice, Notice::Unread(_)))
    );
    h.answer(
        Method::Post,
        &format!("{}/update_last_seen", conv()),
        200,
        Value::Null,
    );

    // Closed again: counting starts over.
    h.input(Input::Visible { open: false });
    h.frame(broadcast(
        "message.created",
        pushed(agent_message(1847, "Bye")),
    ));
    assert_eq!(h.session.unread(), 1);
}

#[test]
fn the_visitors_typing_is_sent_throttled_and_turned_off() {
    let mut h = fresh();
    // No conversation yet: nothing to type into.
    assert!(h.input(Input::Typed).is_empty());

    let mut h = restored("open", two_messages());
    let effects = h.input(Input::Typed);
    assert_eq!(started(&effects, Timer::VisitorTyping), Some(3_000));
    let on = h.take(Method::Post, &format!("{}/toggle_typing", conv()));
    assert_eq!(body(&on), json!({"typing_status": "on"}));
    h.advance(1_000);
    h.input(Input::Typed);
    assert!(h.open.is_empty(), "throttled");
    h.advance(3_000);
    h.fire(Timer::VisitorTyping);
    let off = h.take(Method::Post, &format!("{}/toggle_typing", conv()));
    assert_eq!(body(&off), json!({"typing_status": "off"}));

    // Sending ends typing too.
    h.input(Input::Typed);
    h.take(Method::Post, &format!("{}/toggle_typing", conv()));
    let effects = h.input(Input::Send {
        content: "hi".to_owned(),
    });
    assert!(effects.contains(&Effect::StopTimer(Timer::VisitorTyping)));
    let off = h.take(Method::Post, &format!("{}/toggle_typing", conv()));
    assert_eq!(body(&off), json!({"typing_status": "off"}));
}

// -------------------------------------------------------------- quick replies

fn choice() -> SubmittedValue {
    serde_json::from_value(json!({"title": "Billing", "value": "billing"})).unwrap()
}

fn answered(h: &Harness, id: u64) -> Option<Vec<SubmittedValue>> {
    h.session.entries().iter().find_map(|entry| match entry {
        Entry::Message(message) if message.id == MessageId(id) => match &message.kind {
            Content::InputSelect(select) => {
                Some(select.submitted_values.clone().unwrap_or_default())
            }
            _ => None,
        },
        _ => None,
    })
}

#[test]
fn a_quick_reply_shows_as_answered_at_once_and_stays_so() {
    let history = json!([quick_replies(1842, None)]);
    let mut h = restored("open", history);
    h.input(Input::Choose {
        message: MessageId(1842),
        choice: choice(),
    });
    assert_eq!(answered(&h, 1842), Some(vec![choice()]));
    let patch = h.take(Method::Patch, &format!("{}/1842", messages()));
    assert_eq!(
        body(&patch),
        json!({"submitted_values": [{"title": "Billing", "value": "billing"}]})
    );
    // Answered once: a second tap sends nothing.
    h.input(Input::Choose {
        message: MessageId(1842),
        choice: choice(),
    });
    assert!(h.open.is_empty());

    let effects = h.respond(
        &patch,
        200,
        quick_replies(
            1842,
            Some(json!([{"title": "Billing", "value": "billing"}])),
        ),
    );
    assert!(errors(&effects).is_empty());
    assert_eq!(answered(&h, 1842), Some(vec![choice()]));
}

#[test]
fn a_quick_reply_that_fails_is_undone() {
    let history = json!([quick_replies(1842, None)]);
    let mut h = restored("open", history);
    h.input(Input::Choose {
        message: MessageId(1842),
        choice: choice(),
    });
    let effects = h.answer(
        Method::Patch,
        &format!("{}/1842", messages()),
        422,
        json!({"message": "Submitted values is invalid", "attributes": ["submitted_values"]}),
    );
    assert_eq!(answered(&h, 1842), Some(vec![]));
    assert_eq!(
        errors(&effects),
        ["your answer was not sent: Submitted values is invalid"]
    );
    // The visitor may try again.
    h.input(Input::Choose {
        message: MessageId(1842),
        choice: choice(),
    });
    assert!(h.has(Method::Patch, &format!("{}/1842", messages())));
}

// --------------------------------------------------------- forms and survey

fn form(id: u64) -> Value {
    json!({
        "id": id,
        "content": "Tell us about you",
        "message_type": 1,
        "content_type": "form",
        "content_attributes": {"items": [
            {"type": "email", "name": "email", "label": "Email", "required": true},
            {"type": "text", "name": "company", "label": "Company"}
        ]},
        "created_at": 1_731_500_000,
        "conversation_id": 12,
        "sender": agent()
    })
}

fn survey(id: u64) -> Value {
    json!({
        "id": id,
        "content": "Please rate the conversation",
        "message_type": 3,
        "content_type": "input_csat",
        "content_attributes": {"display_type": "star"},
        "created_at": 1_731_500_000,
        "conversation_id": 12
    })
}

fn kind(h: &Harness, id: u64) -> Content {
    h.session
        .entries()
        .iter()
        .find_map(|entry| match entry {
            Entry::Message(message) if message.id == MessageId(id) => Some(message.kind.clone()),
            _ => None,
        })
        .unwrap()
}

fn field(name: &str, value: &str) -> SubmittedValue {
    SubmittedValue::field(name, value)
}

#[test]
fn a_form_is_checked_then_submitted_once() {
    let mut h = restored("open", json!([form(1900)]));
    let effects = h.input(Input::SubmitForm {
        message: MessageId(1900),
        values: vec![field("email", "not an email")],
    });
    assert_eq!(errors(&effects).len(), 1, "{effects:?}");
    assert!(errors(&effects)[0].contains("email"), "{effects:?}");
    assert!(h.open.is_empty(), "nothing is sent");
    assert!(!kind(&h, 1900).is_answered());

    let values = vec![field("email", "ada@example.com"), field("company", "Acme")];
    h.input(Input::SubmitForm {
        message: MessageId(1900),
        values: values.clone(),
    });
    assert!(kind(&h, 1900).is_answered(), "shown as answered at once");
    let patch = h.take(Method::Patch, &format!("{}/1900", messages()));
    assert_eq!(
        body(&patch),
        json!({"submitted_values": [
            {"name": "email", "value": "ada@example.com"},
            {"name": "company", "value": "Acme"}
        ]})
    );
    let effects = h.input(Input::SubmitForm {
        message: MessageId(1900),
        values,
    });
    assert_eq!(errors(&effects), ["this form was already submitted"]);
    assert!(h.open.is_empty());
}

#[test]
fn a_rating_answers_the_latest_survey_and_a_failure_undoes_it() {
    let mut h = restored("resolved", json!([agent_message(1901, "Done")]));
    let effects = h.input(Input::Rate {
        rating: 5,
        feedback: None,
    });
    assert_eq!(errors(&effects), ["there is no survey to answer"]);
    let effects = h.input(Input::Rate {
        rating: 9,
        feedback: None,
    });
    assert_eq!(errors(&effects).len(), 1, "a rating outside 1 to 5");

    h.frame(broadcast("message.created", pushed(survey(1902))));
    h.input(Input::Rate {
        rating: 4,
        feedback: Some("Quick and kind".to_owned()),
    });
    assert!(kind(&h, 1902).is_answered());
    let patch = h.take(Method::Patch, &format!("{}/1902", messages()));
    assert_eq!(
        body(&patch),
        json!({"submitted_values": {"csat_survey_response": {"rating": 4, "feedback_message": "Quick and kind"}}})
    );
    let effects = h.respond(&patch, 500, json!({"error": "boom"}));
    assert!(!kind(&h, 1902).is_answered(), "undone");
    assert_eq!(errors(&effects).len(), 1);
    // Answerable again.
    h.input(Input::Rate {
        rating: 4,
        feedback: None,
    });
    let patch = h.take(Method::Patch, &format!("{}/1902", messages()));
    assert_eq!(
        body(&patch),
        json!({"submitted_values": {"csat_survey_response": {"rating": 4}}})
    );
}

#[test]
fn the_visitor_can_resolve_the_conversation() {
    let mut h = restored("open", two_messages());
    h.input(Input::Resolve);
    let post = h.take(Method::Post, &format!("{}/toggle_status", conv()));
    assert_eq!(post.body, None);
    h.input(Input::Resolve);
    assert!(h.open.is_empty(), "one call at a time");
    let effects = h.respond(&post, 200, conversation("resolved", two_messages()));
    assert!(errors(&effects).is_empty());
    assert_eq!(h.session.status(), Some(ConversationStatus::Resolved));
    h.input(Input::Resolve);
    assert!(h.open.is_empty(), "already resolved");

    let mut h = restored("open", two_messages());
    h.input(Input::Resolve);
    let effects = h.answer(
        Method::Post,
        &format!("{}/toggle_status", conv()),
        404,
        json!({"error": "Resource could not be found"}),
    );
    assert_eq!(
        errors(&effects),
        ["the conversation was not resolved: Resource could not be found"]
    );
    assert_eq!(h.session.status(), Some(ConversationStatus::Open));
}

#[test]
fn seen_clears_unread_and_stopped_typing_says_off_at_once() {
    let mut h = restored("open", two_messages());
    h.frame(broadcast(
        "message.created",
        pushed(agent_message(1903, "Hi")),
    ));
    assert_eq!(h.session.unread(), 1);
    let effects = h.input(Input::Seen);
    assert_eq!(notices(&effects), [Notice::Unread(0)]);
    h.take(Method::Post, &format!("{}/update_last_seen", conv()));

    assert!(h.input(Input::StoppedTyping).is_empty(), "not typing");
    h.input(Input::Typed);
    h.take(Method::Post, &format!("{}/toggle_typing", conv()));
    let effects = h.input(Input::StoppedTyping);
    assert!(effects.contains(&Effect::StopTimer(Timer::VisitorTyping)));
    let off = h.take(Method::Post, &format!("{}/toggle_typing", conv()));
    assert_eq!(body(&off), json!({"typing_status": "off"}));
}

// ------------------------------------------------------------------- status

#[test]
fn a_resolved_conversation_shows_and_a_new_message_reopens_it() {
    let mut h = restored("resolved", two_messages());
    assert_eq!(h.session.status(), Some(ConversationStatus::Resolved));
    h.frame(broadcast(
        "conversation.status_changed",
        conversation_event(12, "open"),
    ));
    assert_eq!(h.session.status(), Some(ConversationStatus::Open));
    h.frame(broadcast(
        "conversation.status_changed",
        conversation_event(99, "snoozed"),
    ));
    assert_eq!(h.session.status(), Some(ConversationStatus::Open));
    h.frame(broadcast(
        "conversation.status_changed",
        conversation_event(12, "resolved"),
    ));
    assert_eq!(h.session.status(), Some(ConversationStatus::Resolved));

    // Writing to a resolved conversation is allowed: the server reopens it.
    let post = send(&mut h, "One more thing");
    let echo = body(&post)["echo_id"].as_str().unwrap().to_owned();
    h.respond(
        &post,
        200,
        visitor_message(1850, "One more thing", Some(&echo)),
    );
    assert_eq!(h.session.status(), Some(ConversationStatus::Open));
    assert_eq!(h.view()[2..], ["#1850 One more thing"]);
}

// -------------------------------------------------------------------- misc

#[test]
fn echo_ids_differ_within_a_session_across_reloads_and_tabs() {
    use super::wire::echo_id;
    let ids = [
        echo_id(42, 1, T0),
        echo_id(42, 2, T0),
        echo_id(42, 1, T0 + 1),
        echo_id(43, 1, T0),
    ];
    for (i, a) in ids.iter().enumerate() {
        assert!(a.len() <= crate::validate::SHORT_STRING_MAX_CHARS);
        for b in &ids[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn nothing_happens_before_start() {
    let mut h = Harness::new();
    assert!(
        h.input(Input::Send {
            content: "hi".to_owned()
        })
        .is_empty()
    );
    assert!(
        h.input(Input::SocketFrame("{\"type\":\"welcome\"}".to_owned()))
            .is_empty()
    );
    assert!(h.fire(Timer::Retry).is_empty());
    assert_eq!(h.session.phase(), &Phase::Idle);
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// Bodies the server might answer (and some it never should).
    fn bodies() -> Vec<String> {
        vec![
            String::new(),
            "null".to_owned(),
            "[]".to_owned(),
            "{}".to_owned(),
            "<html></html>".to_owned(),
            inbox().to_string(),
            contact(SID, TOKEN).to_string(),
            json!({"id": 7}).to_string(),
            conversation("resolved", two_messages()).to_string(),
            two_messages().to_string(),
            json!([quick_replies(1842, None)]).to_string(),
            visitor_message(1850, "hi", Some("e")).to_string(),
            json!({"status": 404, "error": "Not Found"}).to_string(),
            json!({"message": "bad", "attributes": ["content"]}).to_string(),
            record(Some(USER), json!({"plan": "pro"})).to_string(),
            json!([conversation("open", two_messages())]).to_string(),
        ]
    }

    fn frames() -> Vec<String> {
        vec![
            json!({"type": "welcome"}).to_string(),
            json!({"type": "ping", "message": 1}).to_string(),
            json!({"identifier": identifier(), "type": "confirm_subscription"}).to_string(),
            json!({"identifier": identifier(), "type": "reject_subscription"}).to_string(),
            json!({"type": "disconnect", "reconnect": true}).to_string(),
            broadcast("message.created", pushed(agent_message(1843, "x"))).to_string(),
            broadcast(
                "message.created",
                pushed(visitor_message(1850, "hi", Some("e"))),
            )
            .to_string(),
            broadcast(
                "message.updated",
                pushed(quick_replies(1842, Some(json!([])))),
            )
            .to_string(),
            typing("conversation.typing_on", 12, false).to_string(),
            broadcast(
                "conversation.status_changed",
                conversation_event(12, "resolved"),
            )
            .to_string(),
            broadcast("message.created", json!(null)).to_string(),
        ]
    }

    #[derive(Clone, Debug)]
    enum Step {
        Answer {
            pick: usize,
            status: u16,
            body: usize,
        },
        Garbage {
            pick: usize,
            body: String,
        },
        Frame(usize),
        RawFrame(String),
        Input(u8),
        Advance(u64),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (any::<usize>(), prop::sample::select(vec![200u16, 401, 404, 422, 429, 500]), any::<usize>())
                .prop_map(|(pick, status, body)| Step::Answer { pick, status, body }),
            1 => (any::<usize>(), ".{0,40}").prop_map(|(pick, body)| Step::Garbage { pick, body }),
            3 => any::<usize>().prop_map(Step::Frame),
            1 => ".{0,60}".prop_map(Step::RawFrame),
            3 => any::<u8>().prop_map(Step::Input),
            1 => (0u64..40_000).prop_map(Step::Advance),
        ]
    }

    fn input(code: u8, h: &Harness) -> Input {
        let timers = [
            Timer::Retry,
            Timer::Reconnect,
            Timer::Stale,
            Timer::Presence,
            Timer::AgentTyping,
            Timer::VisitorTyping,
        ];
        match code % 15 {
            12 => set_user(USER, ada()),
            13 => Input::SetCustomAttributes(attributes(json!({"plan": "pro"}))),
            14 => Input::Reset,
            0 => Input::Send {
                content: format!("msg {code}"),
            },
            1 => Input::Retry {
                echo_id: h
                    .session
                    .entries()
                    .iter()
                    .find_map(|entry| match entry {
                        Entry::Outgoing { outgoing, .. } => Some(outgoing.echo_id.clone()),
                        Entry::Message(_) => None,
                    })
                    .unwrap_or_default(),
            },
            2 => Input::RetryStart,
            3 => Input::Choose {
                message: MessageId(1842),
                choice: choice(),
            },
            4 => Input::Typed,
            5 => Input::Visible {
                open: code.is_multiple_of(2),
            },
            6 => Input::SocketOpened,
            7 => Input::SocketClosed,
            _ => Input::Timer(timers[usize::from(code) % timers.len()]),
        }
    }

    proptest! {
        #[test]
        fn any_sequence_of_inputs_keeps_the_conversation_sound(
            from in 0u8..4,
            steps in prop::collection::vec(step(), 0..60),
        ) {
            // From the start (where random answers rarely get far), and from
            // ready sessions, where the outbox and realtime are exercised.
            let mut h = match from {
                0 => {
                    let mut h = Harness::new();
                    h.input(Input::Start { stored: None });
                    h
                }
                1 => {
                    let mut h = Harness::new();
                    h.input(Input::Start { stored: Some(stored(Some(12), Vec::new())) });
                    h
                }
                2 => {
                    let mut h = fresh();
                    h.go_live();
                    h
                }
                _ => restored("open", json!([visitor_message(1841, "hi", None), quick_replies(1842, None)])),
            };
            let bodies = bodies();
            let frames = frames();
            for step in steps {
                match step {
                    Step::Answer { pick, status, body } if !h.open.is_empty() => {
                        let request = h.open.remove(pick % h.open.len());
                        let response = HttpResponse::Answered { status, body: bodies[body % bodies.len()].clone() };
                        h.input(Input::Http { id: request.id, response });
                    }
                    Step::Garbage { pick, body } if !h.open.is_empty() => {
                        let request = h.open.remove(pick % h.open.len());
                        h.input(Input::Http { id: request.id, response: HttpResponse::Answered { status: 200, body } });
                    }
                    Step::Frame(index) => { h.input(Input::SocketFrame(frames[index % frames.len()].clone())); }
                    Step::RawFrame(text) => { h.input(Input::SocketFrame(text)); }
                    Step::Input(code) => { let input = input(code, &h); h.input(input); }
                    Step::Advance(ms) => h.advance(ms),
                    _ => {}
                }
                // Server messages strictly by id, then only outbox entries.
                let entries = h.session.entries();
                let ids: Vec<u64> = entries.iter().filter_map(|entry| match entry {
                    Entry::Message(message) => Some(message.id.0),
                    Entry::Outgoing { .. } => None,
                }).collect();
                prop_assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");
                let first_outgoing = entries.iter().position(|entry| matches!(entry, Entry::Outgoing { .. })).unwrap_or(entries.len());
                prop_assert_eq!(first_outgoing, ids.len());
                // A visitor message is shown once: never both pending and confirmed.
                let confirmed: Vec<&str> = entries.iter().filter_map(|entry| match entry {
                    Entry::Message(message) => message.echo_id.as_deref(),
                    Entry::Outgoing { .. } => None,
                }).collect();
                for entry in &entries[first_outgoing..] {
                    if let Entry::Outgoing { outgoing, .. } = entry {
                        prop_assert!(!confirmed.contains(&outgoing.echo_id.as_str()));
                    }
                }
            }
        }
    }
}

// ------------------------------------------------------- the host page's SDK

const USER: &str = "user-4711";
const HASH: &str = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

fn contact2_path() -> String {
    format!("{}/contacts/{SID2}", base())
}

fn ada() -> super::ContactRequest {
    super::ContactRequest {
        name: Some("Ada Lovelace".to_owned()),
        email: Some("ada@example.com".to_owned()),
        identifier_hash: Some(HASH.to_owned()),
        ..Default::default()
    }
}

fn set_user(identifier: &str, user: super::ContactRequest) -> Input {
    Input::SetUser {
        identifier: identifier.to_owned(),
        user,
    }
}

fn attributes(value: Value) -> super::Attributes {
    match value {
        Value::Object(map) => map,
        _ => panic!("not an object"),
    }
}

/// What `PATCH /contacts/{sid}` answers: the contact's record.
fn record(identifier: Option<&str>, custom: Value) -> Value {
    json!({
        "id": 7, "name": "Ada Lovelace", "email": "ada@example.com", "phone_number": null,
        "identifier": identifier, "thumbnail": "", "additional_attributes": {},
        "custom_attributes": custom, "account_id": 1,
        "created_at": "2024-11-13T12:15:00.000Z", "updated_at": "2024-11-13T12:15:00.000Z",
        "last_activity_at": null
    })
}

/// A message of conversation `conversation`.
fn in_conversation(mut message: Value, conversation: u64) -> Value {
    message["conversation_id"] = json!(conversation);
    message
}

#[test]
fn set_user_with_a_new_identity_switches_contact_and_resumes_its_open_conversation() {
    let mut h = restored("open", two_messages());
    // A message whose send got no answer waits for its retry.
    let create = send(&mut h, "I need help with my order");
    h.time_out(&create);

    h.input(set_user(USER, ada()));
    // A restored contact is asked who it is (an empty update): anonymous.
    let probe = h.take(Method::Patch, &contact_path());
    assert_eq!(body(&probe), json!({}));
    h.respond(&probe, 200, record(None, json!({})));
    let identify = h.take(Method::Post, &contacts());
    assert_eq!(
        body(&identify),
        json!({"identifier": USER, "identifier_hash": HASH, "name": "Ada Lovelace", "email": "ada@example.com"})
    );
    let effects = h.respond(&identify, 200, contact(SID2, TOKEN2));
    assert_eq!(
        last_stored(&effects).unwrap().source_id.as_deref(),
        Some(SID2)
    );
    assert!(effects.contains(&Effect::SocketClose));
    assert!(effects.contains(&Effect::SocketOpen));
    // The anonymous contact's conversation is gone; the unsent message stays.
    assert_eq!(h.session.conversation(), None);
    assert_eq!(h.view(), ["… I need help with my order"]);
    // Nothing goes out until the user's conversations are known.
    assert!(!h.open.iter().any(|request| request.method == Method::Post));

    let mut old = conversation("resolved", json!([]));
    old["id"] = json!(9);
    let mut open = conversation(
        "open",
        json!([in_conversation(
            agent_message(2001, "Welcome back, Ada"),
            31
        )]),
    );
    open["id"] = json!(31);
    h.answer(
        Method::Get,
        &format!("{}/conversations", contact2_path()),
        200,
        json!([old, open]),
    );
    assert_eq!(h.session.conversation(), Some(ConversationId(31)));
    assert_eq!(h.session.status(), Some(ConversationStatus::Open));
    let resumed = format!("{}/conversations/31/messages", contact2_path());
    h.answer(
        Method::Get,
        &resumed,
        200,
        json!([
            in_conversation(visitor_message(2000, "My order is late", None), 31),
            in_conversation(agent_message(2001, "Welcome back, Ada"), 31)
        ]),
    );
    assert_eq!(
        h.view(),
        [
            "#2000 My order is late",
            "#2001 Welcome back, Ada",
            "… I need help with my order"
        ]
    );
    // The pending message goes to the user's conversation, and the user's
    // fields to their contact (which may have existed without them).
    let resend = h.take(Method::Post, &resumed);
    assert_eq!(body(&resend)["content"], "I need help with my order");
    let patch = h.take(Method::Patch, &contact2_path());
    assert_eq!(
        body(&patch),
        json!({"name": "Ada Lovelace", "email": "ada@example.com"})
    );

    // The socket subscribes with the user's token.
    h.input(Input::SocketOpened);
    let welcome = h.frame(json!({"type": "welcome"}));
    assert_eq!(
        sent_frames(&welcome),
        [
            json!({"command": "subscribe", "identifier": RoomIdentifier::contact(TOKEN2).to_identifier()})
        ]
    );
}

#[test]
fn set_user_with_the_same_identity_only_patches_what_changed() {
    let mut h = fresh();
    h.input(set_user(USER, ada()));
    h.answer(Method::Post, &contacts(), 200, contact(SID2, TOKEN2));
    h.answer(
        Method::Get,
        &format!("{}/conversations", contact2_path()),
        200,
        json!([]),
    );
    h.answer(
        Method::Patch,
        &contact2_path(),
        200,
        record(Some(USER), json!({})),
    );
    assert!(h.open.is_empty(), "{:#?}", h.open);

    // The page says the same again (every page load does): nothing to send.
    h.input(set_user(USER, ada()));
    assert!(h.open.is_empty(), "{:#?}", h.open);

    // A new name: only it is sent, to the same contact.
    let renamed = super::ContactRequest {
        name: Some("Ada King".to_owned()),
        ..ada()
    };
    h.input(set_user(USER, renamed));
    assert!(!h.has(Method::Post, &contacts()));
    let patch = h.take(Method::Patch, &contact2_path());
    assert_eq!(body(&patch), json!({"name": "Ada King"}));
}

#[test]
fn set_user_before_ready_applies_after_bootstrap() {
    // At a first visit: the page's user, not an anonymous contact.
    let mut h = Harness::new();
    assert!(h.input(set_user(USER, ada())).is_empty());
    h.input(Input::Start { stored: None });
    h.answer(Method::Get, &base(), 200, inbox());
    h.answer(Method::Post, &contacts(), 200, contact(SID, TOKEN));
    assert_eq!(h.session.phase(), &Phase::Ready);
    let identify = h.take(Method::Post, &contacts());
    assert_eq!(body(&identify)["identifier"], USER);
    let effects = h.respond(&identify, 200, contact(SID2, TOKEN2));
    assert_eq!(
        last_stored(&effects).unwrap().source_id.as_deref(),
        Some(SID2)
    );

    // After a reload, the stored contact is asked who it is: it is the user
    // already, so no new contact is made.
    let mut h = Harness::new();
    h.input(Input::Start {
        stored: Some(stored(None, Vec::new())),
    });
    h.input(set_user(USER, ada()));
    assert!(!h.open.iter().any(|request| request.method != Method::Get));
    h.answer(Method::Get, &base(), 200, inbox());
    h.answer(Method::Get, &contact_path(), 200, contact(SID, TOKEN));
    let probe = h.take(Method::Patch, &contact_path());
    assert_eq!(body(&probe), json!({}));
    h.respond(&probe, 200, record(Some(USER), json!({})));
    assert!(!h.has(Method::Post, &contacts()));
    let patch = h.take(Method::Patch, &contact_path());
    assert_eq!(
        body(&patch),
        json!({"name": "Ada Lovelace", "email": "ada@example.com"})
    );
}

#[test]
fn a_bad_identifier_hash_keeps_the_contact_and_tells_the_page() {
    let mut h = restored("open", two_messages());
    let bad = super::ContactRequest {
        identifier_hash: Some("0000".to_owned()),
        ..ada()
    };
    h.input(set_user(USER, bad));
    h.answer(Method::Patch, &contact_path(), 200, record(None, json!({})));
    let effects = h.answer(
        Method::Post,
        &contacts(),
        401,
        json!({"error": "HMAC failed: Invalid Identifier Hash Provided"}),
    );
    let said = errors(&effects);
    assert_eq!(said.len(), 1);
    assert!(
        said[0].contains("HMAC failed: Invalid Identifier Hash Provided"),
        "{said:?}"
    );
    assert!(!effects.contains(&Effect::SocketClose));
    assert_eq!(last_stored(&effects), None);
    assert_eq!(h.session.conversation(), Some(ConversationId(12)));
    assert_eq!(h.session.connection(), Connection::Live);
    assert_eq!(h.view().len(), 2);
    assert!(h.open.is_empty(), "{:#?}", h.open);

    // Bad input is refused before anything is sent.
    for (identifier, email) in [("  ", "ada@example.com"), (USER, "ada@example")] {
        let user = super::ContactRequest {
            email: Some(email.to_owned()),
            ..ada()
        };
        let effects = h.input(set_user(identifier, user));
        assert_eq!(errors(&effects).len(), 1, "{effects:#?}");
        assert!(h.open.is_empty(), "{:#?}", h.open);
    }
}

#[test]
fn custom_attributes_are_merged_and_deleted() {
    let mut h = restored("open", two_messages());
    h.input(Input::SetCustomAttributes(attributes(
        json!({"plan": "pro"}),
    )));
    // The contact's own attributes are not known after a reload: they are
    // read first (an empty update), so that none is lost.
    let probe = h.take(Method::Patch, &contact_path());
    assert_eq!(body(&probe), json!({}));
    h.respond(
        &probe,
        200,
        record(None, json!({"signup_source": "newsletter"})),
    );
    let set = h.take(Method::Patch, &contact_path());
    assert_eq!(
        body(&set),
        json!({"custom_attributes": {"signup_source": "newsletter", "plan": "pro"}})
    );
    // No answer: the same update is sent again at the retry.
    let effects = h.time_out(&set);
    assert!(started(&effects, Timer::Retry).is_some());
    assert!(h.open.is_empty());
    h.fire(Timer::Retry);
    let set = h.take(Method::Patch, &contact_path());
    assert_eq!(
        body(&set),
        json!({"custom_attributes": {"signup_source": "newsletter", "plan": "pro"}})
    );
    h.respond(
        &set,
        200,
        record(None, json!({"signup_source": "newsletter", "plan": "pro"})),
    );

    h.input(Input::SetCustomAttributes(attributes(json!({"seats": 5}))));
    let set = h.take(Method::Patch, &contact_path());
    assert_eq!(
        body(&set),
        json!({"custom_attributes": {"signup_source": "newsletter", "plan": "pro", "seats": 5}})
    );
    h.respond(
        &set,
        200,
        record(
            None,
            json!({"signup_source": "newsletter", "plan": "pro", "seats": 5}),
        ),
    );

    h.input(Input::DeleteCustomAttribute("plan".to_owned()));
    let delete = h.take(Method::Patch, &contact_path());
    assert_eq!(
        body(&delete),
        json!({"custom_attributes": {"signup_source": "newsletter", "plan": null, "seats": 5}})
    );
    h.respond(
        &delete,
        200,
        record(
            None,
            json!({"signup_source": "newsletter", "plan": null, "seats": 5}),
        ),
    );
    // A key the contact does not have: nothing to delete.
    h.input(Input::DeleteCustomAttribute("coupon".to_owned()));
    assert!(h.open.is_empty(), "{:#?}", h.open);
    // A nested value is refused before anything is sent.
    let effects = h.input(Input::SetCustomAttributes(attributes(
        json!({"cart": {"items": 2}}),
    )));
    assert_eq!(errors(&effects).len(), 1);
    assert!(h.open.is_empty(), "{:#?}", h.open);
}

#[test]
fn conversation_attributes_go_with_the_conversation_create() {
    let mut h = fresh();
    h.go_live();
    let effects = h.input(Input::SetConversationCustomAttributes(attributes(
        json!({"order_id": "A-1001", "page": "checkout"}),
    )));
    assert!(effects.is_empty(), "{effects:#?}");
    h.input(Input::Send {
        content: "Where is my order?".to_owned(),
    });
    let create = h.take(Method::Post, &conversations());
    assert_eq!(
        body(&create),
        json!({"custom_attributes": {"order_id": "A-1001", "page": "checkout"}})
    );

    // With a conversation already there, they wait for the next one: no
    // error for the visitor, no call.
    let mut h = restored("open", two_messages());
    let effects = h.input(Input::SetConversationCustomAttributes(attributes(
        json!({"order_id": "A-1001"}),
    )));
    assert!(effects.is_empty(), "{effects:#?}");
    send(&mut h, "Where is my order?");
    assert!(!h.has(Method::Post, &conversations()));
}

#[test]
fn reset_forgets_everything_and_makes_a_new_contact() {
    let mut h = restored("open", two_messages());
    h.input(Input::Visible { open: false });
    h.frame(broadcast(
        "message.created",
        pushed(agent_message(1843, "Anything else?")),
    ));
    assert_eq!(h.session.unread(), 1);
    let create = send(&mut h, "Yes, one more thing");
    h.time_out(&create);

    let effects = h.input(Input::Reset);
    assert!(effects.contains(&Effect::SocketClose));
    assert!(effects.contains(&Effect::Store(None)), "{effects:#?}");
    assert!(notices(&effects).contains(&Notice::Unread(0)));
    assert!(h.session.entries().is_empty());
    assert_eq!(h.session.conversation(), None);
    assert_eq!(h.session.connection(), Connection::Offline);
    assert_eq!(h.session.phase(), &Phase::Starting);

    let create = h.take(Method::Post, &contacts());
    assert_eq!(body(&create), json!({}));
    let effects = h.respond(&create, 200, contact(SID2, TOKEN2));
    assert_eq!(h.session.phase(), &Phase::Ready);
    assert_eq!(
        last_stored(&effects),
        Some(Stored {
            source_id: Some(SID2.to_owned()),
            pubsub_token: Some(TOKEN2.to_owned()),
            conversation: None,
            outbox: Vec::new(),
            details_given: false,
        })
    );
    assert!(effects.contains(&Effect::SocketOpen));
    // The previous visitor's unsent message is not sent as the new one.
    assert!(h.open.is_empty(), "{:#?}", h.open);
    h.fire(Timer::Retry);
    assert!(h.open.is_empty(), "{:#?}", h.open);
}

// ------------------------------------------------------------ pre-chat form

fn pre_chat(setting: Value) -> Input {
    Input::PreChatForm(crate::content::Form::pre_chat(&setting).unwrap())
}

fn asked(h: &Harness) -> Vec<String> {
    h.session
        .pre_chat()
        .map(|form| form.items.into_iter().map(|field| field.name).collect())
        .unwrap_or_default()
}

#[test]
fn the_pre_chat_form_is_asked_once_checked_and_stored_on_the_contact() {
    let mut h = fresh();
    assert!(asked(&h).is_empty(), "no form unless the embed asks");
    h.input(pre_chat(json!({"fields": [
        {"name": "name", "required": true},
        {"name": "email", "required": true},
        {"name": "phone_number"},
        {"name": "order", "label": "Order number"}
    ]})));
    assert_eq!(asked(&h), ["name", "email", "phone_number", "order"]);

    // Refused before anything goes: a required field left out, a bad email,
    // a phone number that is not one, a field the form does not have.
    for values in [
        vec![field("email", "ada@example.com")],
        vec![field("name", "Ada"), field("email", "ada@")],
        vec![
            field("name", "Ada"),
            field("email", "ada@example.com"),
            field("phone_number", "call me"),
        ],
        vec![
            field("name", "Ada"),
            field("email", "ada@example.com"),
            field("plan", "pro"),
        ],
    ] {
        let effects = h.input(Input::SubmitPreChat { values });
        assert_eq!(errors(&effects).len(), 1, "{effects:#?}");
        assert!(h.open.is_empty(), "{:#?}", h.open);
        assert_eq!(asked(&h).len(), 4, "still asked");
    }

    let effects = h.input(Input::SubmitPreChat {
        values: vec![
            field("name", " Ada Lovelace "),
            field("email", "ada@example.com"),
            field("phone_number", "+49 (30) 1234-5678"),
            field("order", "A-1001"),
        ],
    });
    assert!(asked(&h).is_empty(), "the chat shows at once");
    assert!(last_stored(&effects).unwrap().details_given);
    // One update: the contact this session made has no attributes yet.
    let whole = json!({
        "name": "Ada Lovelace", "email": "ada@example.com", "phone_number": "+493012345678",
        "custom_attributes": {"order": "A-1001"}
    });
    let patch = h.take(Method::Patch, &contact_path());
    assert_eq!(body(&patch), whole);
    // A server error: the same details again at the retry.
    h.respond(&patch, 503, json!({"error": "busy"}));
    assert!(h.open.is_empty());
    h.fire(Timer::Retry);
    let patch = h.take(Method::Patch, &contact_path());
    assert_eq!(body(&patch), whole);
    h.respond(&patch, 200, record(None, json!({"order": "A-1001"})));
    assert!(h.open.is_empty(), "{:#?}", h.open);

    // A reload does not ask again; a reset (another visitor) does.
    let mut again = Harness::new();
    again.input(Input::Start {
        stored: Some(Stored {
            details_given: true,
            ..stored(None, Vec::new())
        }),
    });
    again.input(pre_chat(json!(true)));
    again.answer(Method::Get, &base(), 200, inbox());
    again.answer(Method::Get, &contact_path(), 200, contact(SID, TOKEN));
    assert_eq!(again.session.phase(), &Phase::Ready);
    assert!(asked(&again).is_empty());
    again.input(Input::Reset);
    again.answer(Method::Post, &contacts(), 200, contact(SID2, TOKEN2));
    assert_eq!(asked(&again), ["name", "email", "phone_number"]);
}

#[test]
fn the_pre_chat_form_leaves_out_what_the_page_said_and_any_existing_conversation() {
    let mut h = fresh();
    h.input(pre_chat(json!({"fields": [
        {"name": "name", "required": true},
        {"name": "email", "required": true},
        {"name": "plan"}
    ]})));
    h.input(set_user(
        USER,
        super::ContactRequest {
            email: Some("ada@example.com".to_owned()),
            ..Default::default()
        },
    ));
    h.input(Input::SetCustomAttributes(attributes(
        json!({"plan": "pro"}),
    )));
    assert_eq!(asked(&h), ["name"]);

    // A returning visitor with a conversation is not asked.
    let mut back = restored("open", two_messages());
    back.input(pre_chat(json!(true)));
    assert!(asked(&back).is_empty());
    let effects = back.input(Input::SubmitPreChat {
        values: vec![field("name", "Ada")],
    });
    assert_eq!(errors(&effects).len(), 1);
}

#[test]
fn the_pre_chat_setting_is_read_or_refused() {
    use crate::content::{Form, FormFieldKind};
    assert_eq!(Form::pre_chat(&json!(false)), Ok(None));
    assert_eq!(Form::pre_chat(&Value::Null), Ok(None));
    let default = Form::pre_chat(&json!(true)).unwrap().unwrap();
    let shape: Vec<_> = default
        .items
        .iter()
        .map(|field| (field.name.as_str(), field.kind.clone(), field.is_required()))
        .collect();
    assert_eq!(
        shape,
        [
            ("name", FormFieldKind::Text, true),
            ("email", FormFieldKind::Email, true),
            ("phone_number", FormFieldKind::Text, false)
        ]
    );
    assert_eq!(
        Form::pre_chat(&json!({"message": "Hi"})).unwrap(),
        Some(default)
    );
    let custom = Form::pre_chat(
        &json!({"fields": [{"name": "topic", "type": "select", "options": [{"value": "sales"}]}]}),
    )
    .unwrap()
    .unwrap();
    assert_eq!(custom.items[0].kind, FormFieldKind::Select);
    assert!(Form::pre_chat(&json!("yes")).is_err());
    assert!(Form::pre_chat(&json!({"fields": {"name": "name"}})).is_err());
    assert!(Form::pre_chat(&json!({"fields": [{"name": "a"}, {"name": "a"}]})).is_err());
    assert_eq!(Form::pre_chat(&json!({"fields": []})), Ok(None));
}
