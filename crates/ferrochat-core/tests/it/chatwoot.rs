//! Every Chatwoot public-API shape in PROTOCOL.md §1 and §3, and the
//! application API's message body from seed 003, round-trips; accessors read
//! what a widget or a server would read.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use ferrochat_core::Field;
use ferrochat_core::agent::{AgentMessageRequest, AgentMessageType};
use ferrochat_core::chatwoot::{
    Contact, ContactRequest, Conversation, ConversationId, ConversationRequest, ConversationStatus,
    CsatSurvey, CsatSurveyUpdate, ErrorBody, FileType, Message, MessageId, MessageRequest,
    MessageType, MessageUpdate, PublicInbox, SenderType, SubmittedValues, TypingRequest,
    TypingStatus,
};
use ferrochat_core::content::{CardActionKind, Content, CsatDisplayType, FormFieldKind};
use ferrochat_core::quick_replies::{Payload, choose};
use serde_json::json;

use crate::support::{fixture, round_trip};

#[test]
fn inbox() {
    let inbox: PublicInbox = round_trip(fixture!("chatwoot/inbox.json"));
    assert_eq!(inbox.name, "Acme Support");
    assert!(inbox.csat_survey_enabled);
    let sunday = &inbox.working_hours[0];
    assert!(sunday.closed_all_day);
    assert_eq!(sunday.open_hour, None);
    let monday = &inbox.working_hours[1];
    assert_eq!(
        (monday.open_hour, monday.close_hour, monday.close_minutes),
        (Some(9), Some(17), Some(30))
    );
}

#[test]
fn contact_requests_and_responses() {
    let request: ContactRequest = round_trip(fixture!("chatwoot/contact_request.json"));
    assert_eq!(request.identifier.as_deref(), Some("user-42"));
    assert_eq!(request.custom_attributes.unwrap()["seats"], json!(12));
    let empty: ContactRequest = round_trip(fixture!("chatwoot/contact_request_empty.json"));
    assert_eq!(empty, ContactRequest::default());

    let created: Contact = round_trip(fixture!("chatwoot/contact.json"));
    assert_eq!(
        created.source_id.as_deref(),
        Some("b5f1c0de-7a0e-4c44-9d52-6a5f4c2e9b11")
    );
    assert_eq!(
        created.pubsub_token.as_deref(),
        Some("V9sJ3t5cVZ8aNcEd3X1vq7Tq")
    );
    assert_eq!(created.phone_number, None);

    let updated: Contact = round_trip(fixture!("chatwoot/contact_updated.json"));
    assert_eq!(updated.source_id, None);
    assert_eq!(updated.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(updated.extra["identifier"], "user-42");
}

#[test]
fn conversation_and_its_requests() {
    let conversation: Conversation = round_trip(fixture!("chatwoot/conversation.json"));
    assert_eq!(conversation.id, ConversationId(12));
    assert_eq!(conversation.status, ConversationStatus::Open);
    assert_eq!(conversation.agent_last_seen_at, 0);
    assert_eq!(conversation.messages.len(), 2);
    assert_eq!(conversation.messages[0].message_type, MessageType::Incoming);
    assert!(
        matches!(&conversation.messages[1].kind, Content::InputSelect(select) if select.items.len() == 2)
    );
    assert_eq!(conversation.contact["identifier"], "user-42");

    let request: ConversationRequest = round_trip(fixture!("chatwoot/conversation_request.json"));
    assert_eq!(request.custom_attributes.unwrap()["order_id"], "A-1001");
    let typing: TypingRequest = round_trip(fixture!("chatwoot/typing_request.json"));
    assert_eq!(typing.typing_status, TypingStatus::On);
}

#[test]
fn text_messages() {
    let text: Message = round_trip(fixture!("chatwoot/message_text.json"));
    assert_eq!(text.id, MessageId(1841));
    assert_eq!(text.content.as_deref(), Some("Hello, is anyone there?"));
    assert_eq!(text.created_at, 1_731_500_000);
    let sender = text.sender.as_ref().unwrap();
    assert_eq!(sender.kind, SenderType::Contact);
    assert!(text.is_visible_to_contact());

    let deleted: Message = round_trip(fixture!("chatwoot/message_text_deleted.json"));
    assert!(matches!(&deleted.kind, Content::Text(text) if text.is_deleted()));
    let reply: Message = round_trip(fixture!("chatwoot/message_text_reply.json"));
    assert!(matches!(&reply.kind, Content::Text(text) if text.in_reply_to() == Some(1841)));
    let list: Vec<Message> = round_trip(fixture!("chatwoot/messages.json"));
    assert_eq!(list.len(), 2);
}

#[test]
fn quick_reply_messages() {
    let select: Message = round_trip(fixture!("chatwoot/message_input_select.json"));
    let Content::InputSelect(items) = &select.kind else {
        panic!("not input_select");
    };
    assert_eq!(items.items[1].title, "A bug");
    assert!(!select.kind.is_answered());
    assert_eq!(
        select.sender.as_ref().and_then(|s| s.display_name()),
        Some("Priya")
    );

    let answered: Message = round_trip(fixture!("chatwoot/message_input_select_answered.json"));
    assert!(answered.kind.is_answered());
}

#[test]
fn values_and_nulls_as_bots_and_chatwoot_write_them() {
    // Bots send quick-reply values as numbers and booleans; they are kept.
    let numbers: Message = round_trip(fixture!("chatwoot/message_input_select_numbers.json"));
    let Content::InputSelect(select) = &numbers.kind else {
        panic!("not input_select")
    };
    assert_eq!(select.items[1].value.as_json(), &json!(10));
    assert_eq!(select.items[2].value.text(), "false");
    let choice = choose(select, 1, "1860", Payload::Include).unwrap();
    assert_eq!(
        serde_json::to_value(&choice.submitted_values).unwrap(),
        json!([{"title": "Ten", "value": 10}])
    );
    assert_eq!(
        choice.quick_reply_response.options[0].payload.as_deref(),
        Some("10")
    );
    // A bot without an avatar: the explicit null is kept.
    assert_eq!(numbers.sender.as_ref().unwrap().avatar_url, Field::Null);

    // `in_reply_to` as a string, and as null.
    let reply: Message = round_trip(fixture!("chatwoot/message_text_reply_string.json"));
    assert!(matches!(&reply.kind, Content::Text(text) if text.in_reply_to() == Some(1841)));
    let location: Message = round_trip(fixture!("chatwoot/message_location.json"));
    assert!(matches!(&location.kind, Content::Text(text) if text.in_reply_to().is_none()));

    // A location has no file fields and no data_url.
    let place = &location.attachments[0];
    assert_eq!(place.file_type, FileType::Location);
    assert_eq!(place.data_url, None);
    assert!(place.thumb_url.is_absent());
    assert_eq!(place.extra["fallback_title"], "Berlin");
}

#[test]
fn cards_form_article_email_and_csat_messages() {
    let cards: Message = round_trip(fixture!("chatwoot/message_cards.json"));
    let Content::Cards(cards_content) = &cards.kind else {
        panic!("not cards")
    };
    assert_eq!(cards.content, None);
    assert_eq!(
        cards_content.items[0].actions[1].kind,
        CardActionKind::Postback
    );
    assert_eq!(
        cards_content.items[0].actions[1].payload.as_deref(),
        Some("TRIAL_PRO")
    );
    assert_eq!(cards.sender.as_ref().unwrap().kind, SenderType::AgentBot);

    let form: Message = round_trip(fixture!("chatwoot/message_form.json"));
    let Content::Form(fields) = &form.kind else {
        panic!("not form")
    };
    assert_eq!(fields.button_label.as_deref(), Some("Send"));
    assert!(fields.items[0].is_required());
    assert_eq!(fields.items[2].kind, FormFieldKind::TextArea);
    let topic = fields.items[3].options.as_ref().unwrap();
    assert_eq!(topic[1].submitted(), Some("bug"));
    assert_eq!(topic[0].shown(), Some("🌯 Billing"));
    let answered: Message = round_trip(fixture!("chatwoot/message_form_answered.json"));
    assert!(answered.kind.is_answered());

    let article: Message = round_trip(fixture!("chatwoot/message_article.json"));
    assert!(
        matches!(&article.kind, Content::Article(a) if a.items[1].link == "https://help.example.com/billing")
    );

    let email: Message = round_trip(fixture!("chatwoot/message_input_email.json"));
    assert_eq!(email.message_type, MessageType::Template);
    assert!(email.kind.is_answered());

    let csat: Message = round_trip(fixture!("chatwoot/message_input_csat.json"));
    assert!(
        matches!(&csat.kind, Content::InputCsat(c) if c.display_type == Some(CsatDisplayType::Star))
    );
    let rated: Message = round_trip(fixture!("chatwoot/message_input_csat_answered.json"));
    let Content::InputCsat(rated) = &rated.kind else {
        panic!("not input_csat")
    };
    assert_eq!(
        rated
            .submitted_values
            .as_ref()
            .unwrap()
            .csat_survey_response
            .rating,
        5
    );
}

#[test]
fn attachments_and_unknown_types() {
    let message: Message = round_trip(fixture!("chatwoot/message_attachments.json"));
    assert_eq!(message.content, None);
    assert_eq!(message.attachments[0].file_type, FileType::Image);
    assert_eq!(message.attachments[0].width, Field::Value(800));
    assert_eq!(message.attachments[1].file_type, FileType::File);
    assert_eq!(message.attachments[1].file_size, Field::Value(120_044));

    let unknown: Message = round_trip(fixture!("chatwoot/message_unknown_type.json"));
    assert_eq!(unknown.kind.content_type(), "sticker");
    assert!(
        matches!(&unknown.kind, Content::Other { attributes, .. } if attributes["sticker_id"] == "st-99")
    );
    assert_eq!(unknown.extra["future_field"], json!({"kept": true}));
}

#[test]
fn message_requests_and_updates() {
    let create: MessageRequest = round_trip(fixture!("chatwoot/message_request.json"));
    assert_eq!(
        create.echo_id.as_deref(),
        Some("b0b3e8f1-3c0d-4f6a-9a57-1b7f3f6f0a01")
    );
    let select: MessageUpdate = round_trip(fixture!("chatwoot/message_update_select.json"));
    assert!(
        matches!(&select.submitted_values, SubmittedValues::Items(items) if items[0].title.as_deref() == Some("A bug"))
    );
    let form: MessageUpdate = round_trip(fixture!("chatwoot/message_update_form.json"));
    assert!(
        matches!(&form.submitted_values, SubmittedValues::Items(items) if items[1].name.as_deref() == Some("order"))
    );
    // Chatwoot's OpenAPI file documents one object; it is read as a list of one.
    let single: MessageUpdate =
        serde_json::from_value(json!({"submitted_values": {"title": "A bug", "value": "bug"}}))
            .unwrap();
    assert_eq!(
        serde_json::to_value(&single).unwrap(),
        json!({"submitted_values": [{"title": "A bug", "value": "bug"}]})
    );
    let csat: MessageUpdate = round_trip(fixture!("chatwoot/message_update_csat.json"));
    assert!(
        matches!(&csat.submitted_values, SubmittedValues::Csat(c) if c.csat_survey_response.rating == 4)
    );
}

#[test]
fn csat_survey_routes() {
    let survey: CsatSurvey = round_trip(fixture!("chatwoot/csat_survey.json"));
    assert_eq!(survey.display_type, Some(CsatDisplayType::Emoji));
    assert_eq!(survey.csat_survey_response.as_ref().unwrap().rating, 5);
    assert_eq!(survey.extra["created_at"], "2024-11-13T12:15:00.000Z");
    let mut default_display = serde_json::to_value(&survey).unwrap();
    default_display["display_type"] = json!(null);
    let default_display: CsatSurvey = serde_json::from_value(default_display).unwrap();
    assert_eq!(default_display.display_type, None);
    let update: CsatSurveyUpdate = round_trip(fixture!("chatwoot/csat_survey_update.json"));
    assert!(
        matches!(update.message.submitted_values, SubmittedValues::Csat(c) if c.csat_survey_response.feedback_message == Field::Value("Slow reply".to_owned()))
    );
}

#[test]
fn error_bodies() {
    assert_eq!(
        round_trip::<ErrorBody>(fixture!("chatwoot/error_not_found.json")),
        ErrorBody::NotFound
    );
    let too_long: ErrorBody = round_trip(fixture!("chatwoot/error_content_too_long.json"));
    assert_eq!(
        too_long,
        ErrorBody::invalid(
            "content",
            "Content is too long (maximum is 150000 characters)"
        )
    );
    assert_eq!(
        round_trip::<ErrorBody>(fixture!("chatwoot/error_hmac.json")),
        ErrorBody::hmac_failed()
    );
    let locked: ErrorBody = round_trip(fixture!("chatwoot/error_csat_locked.json"));
    assert_eq!(
        locked.describe(),
        "You cannot update the CSAT survey after 14 days"
    );
    let other: ErrorBody = serde_json::from_value(json!({"errors": ["x"]})).unwrap();
    assert!(matches!(other, ErrorBody::Other(_)));
}

#[test]
fn agent_message_bodies() {
    // Seed 003's sample: cards with empty attributes parse (Chatwoot's
    // validator, not the parser, refuses a card-less cards message).
    let seed: AgentMessageRequest =
        round_trip(fixture!("chatwoot/agent_message_request_seed.json"));
    assert_eq!(seed.message_type, Some(AgentMessageType::Outgoing));
    assert!(seed.is_private());
    assert!(matches!(&seed.kind, Content::Cards(cards) if cards.items.is_empty()));
    let template = seed.template_params.unwrap();
    assert_eq!(
        (
            template.name.as_str(),
            template.processed_params["1"].as_str()
        ),
        ("sample_issue_resolution", Some("Nimchat"))
    );

    let select: AgentMessageRequest =
        round_trip(fixture!("chatwoot/agent_message_request_select.json"));
    assert!(matches!(&select.kind, Content::InputSelect(s) if s.items.len() == 2));

    // Without content_type the message is text, and is written as text.
    let (_, note) = fixture!("chatwoot/agent_message_request_note.json");
    let note: AgentMessageRequest = serde_json::from_str(note).unwrap();
    assert!(note.is_private());
    assert_eq!(note.kind, Content::default());
    let written = serde_json::to_value(&note).unwrap();
    assert_eq!(written["content_type"], "text");
    assert_eq!(written["content_attributes"], json!({}));
}
