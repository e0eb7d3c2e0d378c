//! Webex Connect: every message sample in seeds 000 and 001, and the
//! envelope, chat, list and search shapes (PROTOCOL.md §5).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use ferrochat_core::imi::{
    AbcSubType, AssetId, AttachmentKind, Channel, Chat, ChatRequest, ChatStatus, ChatSummary,
    Direction, Envelope, ImiMessage, LivechatSubType, SearchRequest, StatusCode, WhatsappSubType,
};
use ferrochat_core::quick_replies::input_select_from_imi;
use ferrochat_core::time::UtcMillis;
use serde_json::Value;

use crate::support::{fixture, round_trip};

/// Each sample of a seed, parsed and written back on its own.
fn seed_samples((path, json): (&str, &str)) -> Vec<ImiMessage> {
    let samples: Vec<Value> = serde_json::from_str(json).unwrap();
    samples
        .iter()
        .enumerate()
        .map(|(index, sample)| {
            let text = sample.to_string();
            round_trip::<ImiMessage>((&format!("{path}[{index}]"), &text))
        })
        .collect()
}

#[test]
fn every_seed_message_sample_round_trips() {
    for seed in [
        fixture!("imi/seed_000_messages.json"),
        fixture!("imi/seed_001_messages.json"),
    ] {
        let messages = seed_samples(seed);
        assert_eq!(messages.len(), 16, "{}", seed.0);
        let inbound = messages
            .iter()
            .filter(|m| m.direction == Direction::Inbound)
            .count();
        assert_eq!(inbound, 8, "{}", seed.0);
        let seed_time: UtcMillis = "2019-08-16T22:02:13.842Z".parse().unwrap();
        assert!(messages.iter().all(|m| m.timestamp == seed_time));
        assert!(messages.iter().all(|m| m.control().is_none()));
    }
}

#[test]
fn seed_samples_read_as_their_kinds() {
    let messages = seed_samples(fixture!("imi/seed_000_messages.json"));
    // The samples' placeholder kind is kept as written.
    let attachment = messages[1].attachment.as_ref().unwrap();
    assert_eq!(
        attachment.kind,
        AttachmentKind::Other("image | audio | video | file".into())
    );
    assert_eq!(
        messages[4].abc_sub_type,
        Some(AbcSubType::ListpickerResponse)
    );
    assert_eq!(messages[4].listpicker_response.as_ref().unwrap().len(), 2);
    assert_eq!(
        messages[5].abc_sub_type,
        Some(AbcSubType::TimepickerResponse)
    );
    assert!(messages[5].timepicker_response.is_some());

    let response = messages[7].quick_reply_response.as_ref().unwrap();
    assert_eq!(
        messages[7].livechat_sub_type,
        Some(LivechatSubType::QuickReplies)
    );
    assert_eq!(response.options[0].title, "Option 2");
    assert_eq!(response.options[0].payload, None);

    assert_eq!(
        messages[8]
            .delivery_details
            .as_ref()
            .unwrap()
            .correlation_id,
        "1234567890123456789012345678"
    );
    assert_eq!(messages[11].template_name.as_deref(), Some("template name"));
    assert_eq!(messages[13].whatsapp_sub_type, Some(WhatsappSubType::Hsm));

    let offered = messages[15].quick_replies.as_ref().unwrap();
    let select = input_select_from_imi(offered);
    assert_eq!(
        (
            select.items[0].title.as_str(),
            select.items[0].value.text().as_ref()
        ),
        ("Option 1", "option-1")
    );
}

#[test]
fn chat_details_list_and_errors() {
    let details: Envelope<Chat> = round_trip(fixture!("imi/chat_details.json"));
    assert_eq!(details.status_code, StatusCode::ChatDetailsRetrieved);
    assert_eq!(details.status_code.http_status(), 200);
    let chat = &details.response;
    assert_eq!(
        (chat.status.clone(), chat.channel.clone()),
        (ChatStatus::Picked, Channel::Livechat)
    );
    assert_eq!(chat.messages.len(), 4);
    assert_eq!(chat.customer.as_ref().unwrap().name.as_deref(), Some("Ada"));

    let list: Envelope<Vec<ChatSummary>> = round_trip(fixture!("imi/chat_list.json"));
    assert_eq!(list.status_code.code(), 4305);
    assert_eq!(list.response.len(), 2);
    // The list view of a chat is its summary.
    assert_eq!(ChatSummary::from(chat), list.response[0]);
    assert_eq!(list.response[1].status, ChatStatus::Queued);
    // An email asset's id is the mailbox, not a number.
    let email_asset = list.response[1].asset.as_ref().unwrap();
    assert_eq!(email_asset.id, AssetId::Text("support@acme.example".into()));
    assert_eq!(chat.asset.as_ref().unwrap().id, AssetId::Number(3));

    let missing: Envelope<Option<Chat>> = round_trip(fixture!("imi/chat_not_found.json"));
    assert_eq!(missing.status_code, StatusCode::ChatNotFound);
    assert_eq!(missing.status_code.http_status(), 404);
    assert!(missing.response.is_none());

    let request: ChatRequest = round_trip(fixture!("imi/chat_request.json"));
    assert_eq!(request.customer.destination_id, "visitor-88");
    assert_eq!(request.messages.len(), 1);
}

#[test]
fn the_search_body_parses_and_is_written_back() {
    let (_, json) = fixture!("imi/search_request.json");
    let search = SearchRequest::parse(json.as_bytes()).unwrap();
    assert_eq!(search.conditions.len(), 3);
    let written = serde_json::to_value(&search).unwrap();
    assert_eq!(written, serde_json::from_str::<Value>(json).unwrap());
}

#[test]
fn every_status_code_from_the_seeds_is_named_with_its_http_status() {
    let seeds = [
        (4304, 200),
        (4305, 200),
        (2002, 400),
        (2003, 400),
        (2004, 401),
        (2007, 500),
        (2010, 404),
        (2031, 404),
        (2099, 405),
        (4108, 500),
        (3454, 500),
        (3114, 400),
        (3115, 400),
        (3445, 400),
        (3446, 400),
        (3447, 400),
        (3451, 400),
        (4303, 400),
    ];
    assert_eq!(StatusCode::ALL.len(), seeds.len());
    for (code, http) in seeds {
        let status = StatusCode::from_code(code);
        assert!(
            !matches!(status, StatusCode::Other(_)),
            "{code} is not named"
        );
        assert_eq!((status.code(), status.http_status()), (code, http));
        assert_eq!(
            serde_json::to_value(status).unwrap(),
            serde_json::json!(code)
        );
    }
    assert_eq!(StatusCode::from_code(9999), StatusCode::Other(9999));
}
