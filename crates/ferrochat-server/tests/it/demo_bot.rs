//! The demo bot (`--demo-bot`), as a visitor sees it: over `/cable` and in
//! the public API.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Cable, TestServer};

async fn demo() -> TestServer {
    TestServer::start_with(|config| config.demo_bot = true).await
}

/// The next `message.created` with this `content_type`, skipping others.
async fn created(cable: &mut Cable, content_type: &str) -> Value {
    let find = async {
        loop {
            let event = cable.event().await;
            if event["event"] == "message.created" && event["data"]["content_type"] == content_type
            {
                return event["data"].clone();
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), find)
        .await
        .unwrap_or_else(|_| panic!("no {content_type} message within 10 s"))
}

/// A visitor subscribed to `/cable` before their conversation exists, so
/// the greeting cannot slip past: `(source_id, cable, display id)`.
async fn visitor_with_conversation(server: &TestServer) -> (String, Cable, u64) {
    let (source_id, token) = server.visitor().await;
    let mut cable = Cable::connect(&server.base).await;
    cable.subscribe(&token).await;
    let (status, conversation) = server
        .call(
            "POST",
            &server.public(&format!("/contacts/{source_id}/conversations")),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{conversation}");
    (source_id, cable, conversation["id"].as_u64().unwrap())
}

async fn say(server: &TestServer, source_id: &str, id: u64, text: &str) {
    let (status, body) = server
        .call(
            "POST",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages"
            )),
            Some(json!({"content": text})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn choose(server: &TestServer, source_id: &str, id: u64, message: &Value, value: &str) {
    let item = message["content_attributes"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["value"] == value)
        .unwrap_or_else(|| panic!("no quick reply {value} in {message}"))
        .clone();
    let (status, body) = server
        .call(
            "PATCH",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages/{}",
                message["id"]
            )),
            Some(json!({"submitted_values": [{"title": item["title"], "value": item["value"]}]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn greets_a_new_conversation_with_quick_replies() {
    let server = demo().await;
    let (source_id, mut cable, id) = visitor_with_conversation(&server).await;

    let greeting = created(&mut cable, "text").await;
    assert!(
        greeting["content"].as_str().unwrap().contains("demo bot"),
        "{greeting}"
    );
    assert_eq!(greeting["message_type"], 1);
    assert_eq!(greeting["sender"]["type"], "agent_bot", "{greeting}");
    let menu = created(&mut cable, "input_select").await;
    assert_eq!(menu["content"], "What would you like to see?");
    assert_eq!(menu["conversation_id"], id);
    let values: Vec<&str> = menu["content_attributes"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["value"].as_str().unwrap())
        .collect();
    for wanted in ["cards", "form", "articles", "human", "resolve"] {
        assert!(values.contains(&wanted), "{values:?}");
    }

    // The same in the visitor's history.
    let (status, messages) = server
        .call(
            "GET",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages"
            )),
            None,
        )
        .await;
    assert_eq!(status, 200, "{messages}");
    let types: Vec<&str> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["content_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["text", "input_select"]);

    // It greets, it does not start conversations pending.
    let (_, conversation) = server
        .call(
            "GET",
            &server.public(&format!("/contacts/{source_id}/conversations/{id}")),
            None,
        )
        .await;
    assert_eq!(conversation["status"], "open");
}

#[tokio::test]
async fn a_chosen_card_brings_cards_and_typed_form_brings_a_form() {
    let server = demo().await;
    let (source_id, mut cable, id) = visitor_with_conversation(&server).await;
    let menu = created(&mut cable, "input_select").await;

    choose(&server, &source_id, id, &menu, "cards").await;
    let cards = created(&mut cable, "cards").await;
    let items = cards["content_attributes"]["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let actions: Vec<&str> = items[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|action| action["type"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"link") && actions.contains(&"postback"),
        "{actions:?}"
    );

    say(&server, &source_id, id, "Can I see a form?").await;
    let form = created(&mut cable, "form").await;
    let fields = form["content_attributes"]["items"].as_array().unwrap();
    let kinds: Vec<&str> = fields
        .iter()
        .map(|field| field["type"].as_str().unwrap())
        .collect();
    for kind in ["email", "text", "select", "text_area"] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    assert!(form["content_attributes"]["button_label"].is_string());

    // Submitting the form gets a summary back.
    let (status, body) = server
        .call(
            "PATCH",
            &server.public(&format!(
                "/contacts/{source_id}/conversations/{id}/messages/{}",
                form["id"]
            )),
            Some(json!({"submitted_values": [
                {"name": "name", "value": "Ada"},
                {"name": "email", "value": "ada@example.com"},
                {"name": "topic", "value": "support"},
                {"name": "message", "value": "Hello"},
            ]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let summary = loop {
        let message = created(&mut cable, "text").await;
        if message["message_type"] == 1 {
            break message;
        }
    };
    let text = summary["content"].as_str().unwrap();
    assert!(
        text.contains("ada@example.com") && text.contains("Getting help"),
        "{text}"
    );
}

#[tokio::test]
async fn resolving_brings_the_survey_and_the_bot_ignores_notes_and_itself() {
    let server = demo().await;
    let (source_id, mut cable, id) = visitor_with_conversation(&server).await;
    let menu = created(&mut cable, "input_select").await;

    choose(&server, &source_id, id, &menu, "resolve").await;
    let survey = created(&mut cable, "input_csat").await;
    assert_eq!(survey["conversation_id"], id);
    let (_, conversation) = server
        .call(
            "GET",
            &server.public(&format!("/contacts/{source_id}/conversations/{id}")),
            None,
        )
        .await;
    assert_eq!(conversation["status"], "resolved");

    // Unknown text (which also reopens the conversation) gets help and the
    // quick replies again, once: the bot does not answer itself.
    say(&server, &source_id, id, "qwertyuiop").await;
    let help = created(&mut cable, "input_select").await;
    assert!(
        help["content"].as_str().unwrap().contains("demo bot"),
        "{help}"
    );
    let extra = async {
        loop {
            let event = cable.event().await;
            if event["event"] == "message.created" && event["data"]["message_type"] == 1 {
                return event;
            }
        }
    };
    assert!(
        tokio::time::timeout(Duration::from_millis(500), extra)
            .await
            .is_err(),
        "the bot answered more than once"
    );
}

#[tokio::test]
async fn a_human_hand_off_keeps_the_conversation_open() {
    let server = demo().await;
    let (source_id, mut cable, id) = visitor_with_conversation(&server).await;
    created(&mut cable, "input_select").await;

    say(&server, &source_id, id, "I want to talk to a human").await;
    let handoff = loop {
        let message = created(&mut cable, "text").await;
        if message["message_type"] == 1 {
            break message;
        }
    };
    assert!(
        handoff["content"]
            .as_str()
            .unwrap()
            .starts_with("A human will be with you shortly"),
        "{handoff}"
    );
    // Until a human resolves it, typed text is theirs to answer.
    say(&server, &source_id, id, "hello?").await;
    let quiet = async {
        loop {
            let event = cable.event().await;
            if event["event"] == "message.created" && event["data"]["message_type"] == 1 {
                return event;
            }
        }
    };
    assert!(
        tokio::time::timeout(Duration::from_millis(500), quiet)
            .await
            .is_err(),
        "the bot answered after the hand-off"
    );
    let (_, conversation) = server
        .call(
            "GET",
            &server.public(&format!("/contacts/{source_id}/conversations/{id}")),
            None,
        )
        .await;
    assert_eq!(conversation["status"], "open");
}

#[tokio::test]
async fn without_the_flag_there_is_no_bot() {
    let server = TestServer::start().await;
    let (source_id, mut cable, id) = visitor_with_conversation(&server).await;
    say(&server, &source_id, id, "card").await;
    let answer = async {
        loop {
            let event = cable.event().await;
            if event["event"] == "message.created" && event["data"]["message_type"] == 1 {
                return event;
            }
        }
    };
    assert!(
        tokio::time::timeout(Duration::from_millis(500), answer)
            .await
            .is_err(),
        "something answered without --demo-bot"
    );
}
