//! Property tests: generated values round-trip through JSON, the two
//! quick-reply dialects convert without loss, and no disguise of a script
//! URL passes validation.

use std::collections::BTreeSet;

use ferrochat_core::chatwoot::{ConversationId, Message, MessageId, MessageType};
use ferrochat_core::content::{
    CONTENT_TYPES, Content, InputSelect, SelectItem, SubmittedValue, TextAttributes,
};
use ferrochat_core::identity::{identifier_hash, verify_identifier_hash};
use ferrochat_core::imi::{Direction, ImiMessage, LivechatSubType, QuickReplies, QuickReplyOption};
use ferrochat_core::quick_replies::{
    Payload, choose, imi_from_input_select, input_select_from_imi, submitted_from_response,
};
use ferrochat_core::time::UtcMillis;
use ferrochat_core::{Map, validate};
use proptest::prelude::*;
use serde_json::{Value, json};

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn flat_map() -> impl Strategy<Value = Map> {
    prop::collection::btree_map("[a-z_]{1,12}", scalar(), 0..5)
        .prop_map(|map| map.into_iter().collect())
}

fn select_items() -> impl Strategy<Value = Vec<SelectItem>> {
    prop::collection::vec(
        (any::<String>(), any::<String>()).prop_map(|(title, value)| SelectItem {
            title,
            value: value.into(),
        }),
        1..8,
    )
}

fn content() -> impl Strategy<Value = Content> {
    // Unknown types avoid Chatwoot's names (those parse into typed variants)
    // and keys that known types own.
    let other_type = "[a-z_]{3,16}".prop_filter("not a typed content type", |name| {
        !CONTENT_TYPES.contains(&name.as_str())
    });
    prop_oneof![
        flat_map().prop_map(|attributes| Content::Text(TextAttributes { attributes })),
        (select_items(), any::<bool>()).prop_map(|(items, answered)| {
            let submitted_values = answered.then(|| vec![SubmittedValue::choice(&items[0])]);
            Content::InputSelect(InputSelect {
                items,
                submitted_values,
                extra: Map::new(),
            })
        }),
        (other_type, flat_map()).prop_map(|(content_type, attributes)| Content::Other {
            content_type,
            attributes
        }),
    ]
}

fn message_type() -> impl Strategy<Value = MessageType> {
    prop_oneof![
        Just(MessageType::Incoming),
        Just(MessageType::Outgoing),
        Just(MessageType::Activity),
        Just(MessageType::Template),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    (
        any::<u64>(),
        proptest::option::of(any::<String>()),
        message_type(),
        content(),
        any::<i64>(),
        any::<u64>(),
        proptest::option::of("[a-f0-9-]{8,36}"),
    )
        .prop_map(
            |(id, content, message_type, kind, created_at, conversation, echo_id)| Message {
                id: MessageId(id),
                content,
                message_type,
                kind,
                created_at,
                conversation_id: ConversationId(conversation),
                attachments: Vec::new(),
                sender: None,
                echo_id,
                extra: Map::new(),
            },
        )
}

fn utc_millis() -> impl Strategy<Value = UtcMillis> {
    (-62_167_219_200_000i64..=253_402_300_799_999)
        .prop_map(|millis| UtcMillis::from_unix_millis(millis).unwrap())
}

fn imi_message() -> impl Strategy<Value = ImiMessage> {
    (
        prop_oneof![
            Just(Direction::Inbound),
            Just(Direction::Outbound),
            Just(Direction::Announcement)
        ],
        proptest::option::of(any::<String>()),
        proptest::option::of(prop::collection::vec(
            (any::<String>(), proptest::option::of(any::<String>())),
            1..5,
        )),
        utc_millis(),
    )
        .prop_map(|(direction, text, options, timestamp)| {
            let mut message = ImiMessage::new(direction, timestamp);
            message.text = text;
            if let Some(options) = options {
                message.livechat_sub_type = Some(LivechatSubType::QuickReplies);
                message.quick_replies = Some(QuickReplies {
                    request_identifier: "req".into(),
                    options: options
                        .into_iter()
                        .map(|(title, payload)| QuickReplyOption { title, payload })
                        .collect(),
                });
            }
            message
        })
}

proptest! {
    #[test]
    fn timestamps_round_trip(time in utc_millis()) {
        let text = time.to_string();
        prop_assert_eq!(text.len(), 24);
        prop_assert_eq!(text.parse::<UtcMillis>().unwrap(), time);
    }

    #[test]
    fn messages_round_trip(message in message()) {
        let json = serde_json::to_string(&message).unwrap();
        let back: Message = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, message);
    }

    #[test]
    fn unknown_fields_survive(message in message(), extra in flat_map()) {
        let mut value = serde_json::to_value(&message).unwrap();
        let object = value.as_object_mut().unwrap();
        for (key, field) in &extra {
            object.entry(format!("x_{key}")).or_insert(field.clone());
        }
        let back: Message = serde_json::from_value(value.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&back).unwrap(), value);
    }

    #[test]
    fn imi_messages_round_trip(message in imi_message()) {
        let json = serde_json::to_string(&message).unwrap();
        let back: ImiMessage = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, message);
    }

    #[test]
    fn quick_replies_convert_both_ways(items in select_items()) {
        let select = InputSelect { items, submitted_values: None, extra: Map::new() };
        let imi = imi_from_input_select(&select, "req");
        prop_assert_eq!(input_select_from_imi(&imi), select.clone());
        for index in 0..select.items.len() {
            let choice = choose(&select, index, "req", Payload::Include).unwrap();
            let back = submitted_from_response(&choice.quick_reply_response, &select).unwrap();
            prop_assert_eq!(back[0].value.clone(), select.items[index].value.clone());
        }
    }

    #[test]
    fn choices_without_payload_map_back_by_unique_title(titles in prop::collection::btree_set(any::<String>(), 1..8)) {
        let titles: BTreeSet<String> = titles;
        let items = titles.iter().enumerate().map(|(i, title)| SelectItem { title: title.clone(), value: format!("v{i}").into() }).collect();
        let select = InputSelect { items, submitted_values: None, extra: Map::new() };
        for index in 0..select.items.len() {
            let choice = choose(&select, index, "req", Payload::Omit).unwrap();
            prop_assert_eq!(submitted_from_response(&choice.quick_reply_response, &select).unwrap(), choice.submitted_values);
        }
    }

    #[test]
    fn no_disguise_of_a_script_url_is_safe(
        scheme in prop_oneof![Just("javascript"), Just("data"), Just("vbscript")],
        upper in prop::collection::vec(any::<bool>(), 10),
        junk in prop::collection::vec((0usize..12, prop_oneof![Just('\t'), Just('\n'), Just('\r'), Just(' '), Just('\u{0}'), Just('\u{b}'), Just('\u{a0}')]), 0..4),
        lead in "[ \t\n\u{0}-\u{1f}]{0,3}",
    ) {
        let mut text: Vec<char> = scheme.chars().zip(upper.iter().cycle()).map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c }).collect();
        for (at, c) in junk {
            text.insert(at.min(text.len()), c);
        }
        let url = format!("{lead}{}:alert(1)", text.into_iter().collect::<String>());
        prop_assert!(validate::safe_url(&url).is_err(), "{:?} was accepted", url);
    }

    #[test]
    fn a_safe_scheme_with_junk_inside_is_refused(
        scheme in prop_oneof![Just("http"), Just("https"), Just("mailto"), Just("tel")],
        at in 1usize..4,
        junk in prop_oneof![Just('\t'), Just('\n'), Just('\r'), Just(' '), Just('\u{0}'), Just('\u{a0}'), Just('\u{2028}')],
    ) {
        let mut text: Vec<char> = scheme.chars().collect();
        text.insert(at.min(text.len()), junk);
        let url = format!("{}://example.com/", text.into_iter().collect::<String>());
        prop_assert!(validate::safe_url(&url).is_err(), "{:?} was accepted", url);
    }

    #[test]
    fn short_strings_are_accepted_up_to_the_limit(text in "[^\\p{Cc}]{0,300}") {
        let ok = validate::short_string("name", &text).is_ok();
        prop_assert_eq!(ok, text.chars().count() <= validate::SHORT_STRING_MAX_CHARS);
    }

    #[test]
    fn identity_hashes_verify_and_any_change_fails(token in ".{1,40}", identifier in ".{0,40}", flip in 0usize..64) {
        let hash = identifier_hash(&token, &identifier);
        prop_assert!(verify_identifier_hash(&token, &identifier, &hash));
        let mut changed = hash.into_bytes();
        changed[flip] = if changed[flip] == b'a' { b'b' } else { b'a' };
        let changed = String::from_utf8(changed).unwrap();
        prop_assert!(!verify_identifier_hash(&token, &identifier, &changed));
    }

    #[test]
    fn custom_attributes_accept_any_flat_object(map in flat_map()) {
        prop_assert_eq!(validate::custom_attributes(&Value::Object(map.clone())), Ok(()));
        let mut nested = map;
        nested.insert("nested".into(), json!({"a": 1}));
        prop_assert!(validate::custom_attributes(&Value::Object(nested)).is_err());
    }
}
