//! The validation rules beyond their limits: URL schemes, addresses, custom
//! attribute shapes, forms, and the structure of agents' rich messages.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use ferrochat_core::chatwoot::{FileType, Message};
use ferrochat_core::content::{Content, Form, SubmittedValue};
use ferrochat_core::validate::{self, Email, SafeUrl, ValidationError};
use serde_json::json;

use crate::support::fixture;

#[test]
fn only_http_https_mailto_and_tel_urls_may_be_rendered() {
    let safe = [
        "https://example.com",
        "HTTP://EXAMPLE.COM/a?b=c#d",
        "https://user@example.com:8080/path",
        "mailto:ada@example.com",
        "tel:+15550100",
    ];
    for url in safe {
        assert_eq!(validate::safe_url(url), Ok(()), "{url}");
    }
    let unsafe_schemes = [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "blob:https://example.com/uuid",
    ];
    for url in unsafe_schemes {
        assert!(
            matches!(
                validate::safe_url(url),
                Err(ValidationError::UnsafeUrlScheme { .. })
            ),
            "{url}"
        );
    }
    // Browsers drop tabs and newlines inside URLs and leading controls and
    // spaces, so these would all run script if passed through.
    let disguised = [
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\u{0}javascript:alert(1)",
        "javascript&colon;alert(1)",
        "jav&#x61;script:alert(1)",
        "//evil.example/x",
        "/relative/path",
        "https://",
        "https:///path-only",
        "https:example.com",
        "mailto:",
        "",
    ];
    for url in disguised {
        assert!(validate::safe_url(url).is_err(), "{url:?} was accepted");
    }
}

#[test]
fn email_addresses() {
    for good in [
        "ada@example.com",
        "a.b+tag@sub.example.co.uk",
        "用户@例子.广告",
    ] {
        assert_eq!(validate::email(good), Ok(()), "{good}");
    }
    for bad in [
        "",
        "ada",
        "@example.com",
        "ada@",
        "ada@localhost",
        "ada@example.123",
        "ada @example.com",
        "ada@exa mple.com",
        ".ada@example.com",
        "a..da@example.com",
        "ada@-example.com",
        "ada@example..com",
        "a@b@example.com",
        "<ada>@example.com",
    ] {
        assert!(validate::email(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn phone_numbers_are_e164_after_normalising() {
    assert_eq!(
        validate::normalize_phone(" +1 (555) 010-9999 "),
        "+15550109999"
    );
    assert_eq!(
        validate::phone(&validate::normalize_phone("+49 151.1234 5678")),
        Ok(())
    );
    for bad in [
        "15550109999",
        "+05550109999",
        "+1555010999a",
        "+",
        "++15550109999",
    ] {
        assert!(validate::phone(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn custom_attributes_are_a_flat_object() {
    assert_eq!(
        validate::custom_attributes(
            &json!({"plan": "pro", "seats": 3, "trial": false, "ended": null})
        ),
        Ok(())
    );
    assert_eq!(
        validate::custom_attributes(&json!(["plan"])),
        Err(ValidationError::AttributesNotAnObject)
    );
    assert_eq!(
        validate::custom_attributes(&json!({"address": {"city": "Berlin"}})),
        Err(ValidationError::NestedAttribute {
            key: "address".into()
        })
    );
    assert_eq!(
        validate::custom_attributes(&json!({"tags": ["a"]})),
        Err(ValidationError::NestedAttribute { key: "tags".into() })
    );
    assert_eq!(
        validate::custom_attributes(&json!({"": 1})),
        Err(ValidationError::Empty {
            field: "custom attribute key"
        })
    );
}

fn form_fixture() -> Form {
    let (_, json) = fixture!("chatwoot/message_form.json");
    let message: Message = serde_json::from_str(json).unwrap();
    let Content::Form(form) = message.kind else {
        panic!("not a form")
    };
    form
}

#[test]
fn a_good_form_submission_passes() {
    let form = form_fixture();
    let values = [
        SubmittedValue::field("email", "ada@example.com"),
        SubmittedValue::field("order", "A-1001"),
        SubmittedValue::field("topic", "bug"),
    ];
    assert_eq!(validate::form_submission(&form, &values), Ok(()));
}

#[test]
fn a_bad_form_submission_reports_every_field() {
    let form = form_fixture();
    let values = [
        SubmittedValue::field("order", "B-1"),
        SubmittedValue::field("topic", "refund"),
        SubmittedValue::field("shoe_size", "44"),
    ];
    let errors = validate::form_submission(&form, &values).unwrap_err();
    let by_field: Vec<(String, String)> = errors
        .iter()
        .map(|e| (e.name.clone(), e.error.to_string()))
        .collect();
    assert_eq!(
        by_field,
        vec![
            (
                "shoe_size".to_owned(),
                "form has no field named shoe_size".to_owned()
            ),
            ("email".to_owned(), "Email is required".to_owned()),
            (
                "order".to_owned(),
                "Order numbers look like A-1234".to_owned()
            ),
            (
                "topic".to_owned(),
                "`refund` is not one of the choices for topic".to_owned()
            ),
        ]
    );
    // A second answer to the same field is refused, not skipped.
    let twice = [
        SubmittedValue::field("email", "ada@example.com"),
        SubmittedValue::field("email", "<script>"),
        SubmittedValue::field("topic", "bug"),
    ];
    let errors = validate::form_submission(&form, &twice).unwrap_err();
    assert_eq!(
        errors[0].error,
        ValidationError::DuplicateField {
            name: "email".into()
        }
    );
    let bad_email = [
        SubmittedValue::field("email", "ada@"),
        SubmittedValue::field("topic", "billing"),
    ];
    let errors = validate::form_submission(&form, &bad_email).unwrap_err();
    assert!(matches!(&errors[0].error, ValidationError::InvalidEmail { value } if value == "ada@"));
}

#[test]
fn the_pattern_must_match_the_whole_answer() {
    let form = form_fixture();
    let order = &form.items[1];
    assert_eq!(validate::form_field(order, "A-1234"), Ok(()));
    assert!(validate::form_field(order, "xA-1234").is_err());
    assert!(validate::form_field(order, "A-12345").is_err());
    // An optional field may be left empty whatever its pattern.
    assert_eq!(validate::form_field(order, ""), Ok(()));
}

#[test]
fn a_broken_pattern_is_refused_in_a_definition_and_ignored_in_an_answer() {
    let mut form = form_fixture();
    form.items[1].pattern = Some("([unclosed".into());
    assert_eq!(
        validate::content_attributes(&Content::Form(form.clone())),
        Err(ValidationError::InvalidPattern {
            name: "order".into(),
            pattern: "([unclosed".into()
        })
    );
    assert_eq!(validate::form_field(&form.items[1], "anything"), Ok(()));
}

#[test]
fn rich_messages_are_checked_before_they_are_stored() {
    let parse = |value: serde_json::Value| -> Content { serde_json::from_value(value).unwrap() };
    assert_eq!(
        validate::content_attributes(&Content::Form(form_fixture())),
        Ok(())
    );
    let card = |media: &str, action: serde_json::Value| {
        parse(
            json!({"content_type": "cards", "content_attributes": {"items": [{"title": "T", "media_url": media, "actions": [action]}]}}),
        )
    };
    assert_eq!(
        validate::content_attributes(&card(
            "https://cdn.example.com/a.png",
            json!({"type": "link", "text": "Go", "uri": "https://example.com"})
        )),
        Ok(())
    );
    assert!(matches!(
        validate::content_attributes(&card(
            "javascript:alert(1)",
            json!({"type": "link", "text": "Go", "uri": "https://example.com"})
        )),
        Err(ValidationError::UnsafeUrlScheme { .. })
    ));
    assert!(matches!(
        validate::content_attributes(&card(
            "https://cdn.example.com/a.png",
            json!({"type": "link", "text": "Go", "uri": "javascript:alert(1)"})
        )),
        Err(ValidationError::UnsafeUrlScheme { .. })
    ));
    assert_eq!(
        validate::content_attributes(&card(
            "https://cdn.example.com/a.png",
            json!({"type": "link", "text": "Go"})
        )),
        Err(ValidationError::Missing {
            field: "card link action",
            part: "uri"
        })
    );
    assert_eq!(
        validate::content_attributes(&card(
            "https://cdn.example.com/a.png",
            json!({"type": "postback", "text": "Go"})
        )),
        Err(ValidationError::Missing {
            field: "card postback action",
            part: "payload"
        })
    );
    let article = parse(
        json!({"content_type": "article", "content_attributes": {"items": [{"title": "T", "link": "data:text/html,x"}]}}),
    );
    assert!(matches!(
        validate::content_attributes(&article),
        Err(ValidationError::UnsafeUrlScheme { .. })
    ));
    // Seed 003's sample: a cards message without cards.
    let empty_cards = parse(json!({"content_type": "cards", "content_attributes": {}}));
    assert_eq!(
        validate::content_attributes(&empty_cards),
        Err(ValidationError::NoItems { field: "cards" })
    );
    let duplicate = parse(
        json!({"content_type": "form", "content_attributes": {"items": [
        {"type": "text", "name": "a"}, {"type": "email", "name": "a"}]}}),
    );
    assert_eq!(
        validate::content_attributes(&duplicate),
        Err(ValidationError::DuplicateField { name: "a".into() })
    );
    let no_options = parse(
        json!({"content_type": "form", "content_attributes": {"items": [{"type": "select", "name": "s", "options": []}]}}),
    );
    assert_eq!(
        validate::content_attributes(&no_options),
        Err(ValidationError::NoItems {
            field: "select field options"
        })
    );
}

#[test]
fn checked_strings_refuse_bad_values_when_parsed() {
    let email: Email = serde_json::from_value(json!("ada@example.com")).unwrap();
    assert_eq!(email.as_str(), "ada@example.com");
    assert!(serde_json::from_value::<Email>(json!("ada@")).is_err());
    let error = serde_json::from_value::<SafeUrl>(json!("javascript:alert(1)")).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("scheme `javascript` is not allowed"),
        "{error}"
    );
    assert_eq!(
        serde_json::to_value(SafeUrl::try_from("https://x.example".to_owned()).unwrap()).unwrap(),
        json!("https://x.example")
    );
}

#[test]
fn attachments_are_filed_by_mime_type() {
    assert_eq!(validate::attachment("image/jpeg", 1), Ok(FileType::Image));
    assert_eq!(validate::attachment("audio/ogg", 1), Ok(FileType::Audio));
    assert_eq!(validate::attachment("video/webm", 1), Ok(FileType::Video));
    assert_eq!(validate::attachment("image/svg+xml", 1), Ok(FileType::File));
}

#[test]
fn a_contact_body_reports_every_bad_field_by_name() {
    let request: ferrochat_core::chatwoot::ContactRequest = serde_json::from_value(json!({
        "name": "Ada",
        "email": "ada@",
        "phone_number": "12",
        "avatar_url": "javascript:alert(1)",
        "custom_attributes": {"plan": {"nested": true}}
    }))
    .unwrap();
    let errors = validate::contact(&request).unwrap_err();
    let names: Vec<&str> = errors.iter().map(|error| error.name.as_str()).collect();
    assert_eq!(
        names,
        ["email", "phone_number", "avatar_url", "custom_attributes"]
    );
    let blank: ferrochat_core::chatwoot::ContactRequest =
        serde_json::from_value(json!({"name": "Ada", "email": "", "phone_number": ""})).unwrap();
    assert_eq!(validate::contact(&blank), Ok(()), "blank clears the value");
}

#[test]
fn a_message_body_needs_content_or_files() {
    let request = |content: Option<&str>| ferrochat_core::chatwoot::MessageRequest {
        content: content.map(str::to_owned),
        echo_id: Some("e-1".to_owned()),
    };
    assert_eq!(validate::message(&request(Some("Hello")), 0), Ok(()));
    assert_eq!(validate::message(&request(Some("  ")), 1), Ok(()));
    let errors = validate::message(&request(Some(" ")), 0).unwrap_err();
    assert_eq!(errors[0].name, "content");
    assert_eq!(errors[0].error, ValidationError::Empty { field: "content" });
    let errors = validate::message(&request(None), 16).unwrap_err();
    assert_eq!(errors[0].name, "attachments");
}
