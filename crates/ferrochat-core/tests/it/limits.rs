//! Every limit, at MAX (accepted) and MAX + 1 (refused, with the numbers).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use ferrochat_core::Map;
use ferrochat_core::content::{FormField, FormFieldKind, InputSelect, SelectItem};
use ferrochat_core::validate::{
    self, ATTACHMENT_MAX_BYTES, ATTACHMENTS_MAX_PER_MESSAGE, CONTENT_MAX_CHARS,
    CUSTOM_ATTRIBUTE_KEY_MAX_CHARS, CUSTOM_ATTRIBUTE_VALUE_MAX_CHARS, CUSTOM_ATTRIBUTES_MAX_KEYS,
    EMAIL_LOCAL_MAX_BYTES, EMAIL_MAX_CHARS, PHONE_MAX_DIGITS, QUICK_REPLIES_MAX_ITEMS,
    QUICK_REPLY_MAX_CHARS, SHORT_STRING_MAX_CHARS, TEXT_MAX_CHARS, URL_MAX_CHARS, ValidationError,
};
use serde_json::{Value, json};

/// Multi-byte characters, so that a byte count would get these wrong.
fn chars(count: usize) -> String {
    "é".repeat(count)
}

fn too_long(field: &'static str, chars: usize, max: usize) -> ValidationError {
    ValidationError::TooLong { field, chars, max }
}

#[test]
fn content() {
    assert_eq!(CONTENT_MAX_CHARS, 150_000);
    assert_eq!(validate::content(&chars(CONTENT_MAX_CHARS)), Ok(()));
    let error = validate::content(&chars(CONTENT_MAX_CHARS + 1)).unwrap_err();
    assert_eq!(error, too_long("content", 150_001, 150_000));
    assert_eq!(error.to_string(), "content has 150001 chars, max is 150000");
}

#[test]
fn names_and_short_strings() {
    assert_eq!(validate::name(&chars(SHORT_STRING_MAX_CHARS)), Ok(()));
    assert_eq!(
        validate::name(&chars(SHORT_STRING_MAX_CHARS + 1)),
        Err(too_long("name", 256, 255))
    );
    assert_eq!(
        validate::short_string("identifier", "a\u{7}b"),
        Err(ValidationError::ControlCharacter {
            field: "identifier"
        })
    );
}

#[test]
fn email_length_and_local_part() {
    // 64 + 1 + 189 = 254 characters, labels of at most 63.
    let domain = format!(
        "{}.{}.{}.com",
        "d".repeat(63),
        "d".repeat(63),
        "d".repeat(57)
    );
    let at_max = format!("{}@{domain}", "l".repeat(EMAIL_LOCAL_MAX_BYTES));
    assert_eq!(at_max.chars().count(), EMAIL_MAX_CHARS);
    assert_eq!(validate::email(&at_max), Ok(()));
    let over = format!("{}@{domain}x", "l".repeat(EMAIL_LOCAL_MAX_BYTES));
    assert_eq!(validate::email(&over), Err(too_long("email", 255, 254)));
    let local_over = format!("{}@example.com", "l".repeat(EMAIL_LOCAL_MAX_BYTES + 1));
    assert!(matches!(
        validate::email(&local_over),
        Err(ValidationError::InvalidEmail { .. })
    ));
}

#[test]
fn phone_digits() {
    let at_max = format!("+1{}", "2".repeat(PHONE_MAX_DIGITS - 1));
    assert_eq!(validate::phone(&at_max), Ok(()));
    let over = format!("+1{}", "2".repeat(PHONE_MAX_DIGITS));
    assert!(matches!(
        validate::phone(&over),
        Err(ValidationError::InvalidPhone { .. })
    ));
    assert_eq!(validate::phone("+12"), Ok(()));
    assert!(validate::phone("+1").is_err());
}

#[test]
fn custom_attributes() {
    let with_keys = |count: usize| -> Value {
        Value::Object(
            (0..count)
                .map(|i| (format!("k{i}"), json!(i)))
                .collect::<Map>(),
        )
    };
    assert_eq!(
        validate::custom_attributes(&with_keys(CUSTOM_ATTRIBUTES_MAX_KEYS)),
        Ok(())
    );
    assert_eq!(
        validate::custom_attributes(&with_keys(CUSTOM_ATTRIBUTES_MAX_KEYS + 1)),
        Err(ValidationError::TooManyItems {
            field: "custom attributes",
            count: 101,
            max: 100
        })
    );
    let key = |length: usize| json!({ chars(length): 1 });
    assert_eq!(
        validate::custom_attributes(&key(CUSTOM_ATTRIBUTE_KEY_MAX_CHARS)),
        Ok(())
    );
    assert_eq!(
        validate::custom_attributes(&key(CUSTOM_ATTRIBUTE_KEY_MAX_CHARS + 1)),
        Err(too_long("custom attribute key", 256, 255))
    );
    let value = |length: usize| json!({ "note": chars(length) });
    assert_eq!(
        validate::custom_attributes(&value(CUSTOM_ATTRIBUTE_VALUE_MAX_CHARS)),
        Ok(())
    );
    assert_eq!(
        validate::custom_attributes(&value(CUSTOM_ATTRIBUTE_VALUE_MAX_CHARS + 1)),
        Err(too_long("custom attribute value", 20_001, 20_000))
    );
}

fn select(items: usize, title: &str, value: &str) -> InputSelect {
    InputSelect {
        items: (0..items)
            .map(|_| SelectItem {
                title: title.to_owned(),
                value: value.into(),
            })
            .collect(),
        ..InputSelect::default()
    }
}

#[test]
fn quick_reply_items() {
    assert_eq!(
        validate::quick_replies(&select(QUICK_REPLIES_MAX_ITEMS, "Yes", "yes")),
        Ok(())
    );
    assert_eq!(
        validate::quick_replies(&select(QUICK_REPLIES_MAX_ITEMS + 1, "Yes", "yes")),
        Err(ValidationError::TooManyItems {
            field: "quick replies",
            count: 21,
            max: 20
        })
    );
    assert_eq!(
        validate::quick_replies(&select(0, "Yes", "yes")),
        Err(ValidationError::NoItems {
            field: "quick replies"
        })
    );
    let long = chars(QUICK_REPLY_MAX_CHARS);
    assert_eq!(validate::quick_replies(&select(1, &long, &long)), Ok(()));
    let over = chars(QUICK_REPLY_MAX_CHARS + 1);
    assert_eq!(
        validate::quick_replies(&select(1, &over, "v")),
        Err(too_long("quick reply title", 256, 255))
    );
    assert_eq!(
        validate::quick_replies(&select(1, "t", &over)),
        Err(too_long("quick reply value", 256, 255))
    );
    assert_eq!(
        validate::quick_replies(&select(1, "  ", "v")),
        Err(ValidationError::Empty {
            field: "quick reply title"
        })
    );
}

#[test]
fn urls() {
    let base = "https://example.com/";
    let at_max = format!("{base}{}", "a".repeat(URL_MAX_CHARS - base.len()));
    assert_eq!(validate::safe_url(&at_max), Ok(()));
    let over = format!("{at_max}a");
    assert_eq!(validate::safe_url(&over), Err(too_long("url", 4097, 4096)));
}

#[test]
fn attachments() {
    assert!(validate::attachment("application/pdf", ATTACHMENT_MAX_BYTES).is_ok());
    assert_eq!(
        validate::attachment("application/pdf", ATTACHMENT_MAX_BYTES + 1),
        Err(ValidationError::AttachmentTooLarge {
            bytes: 41_943_041,
            max: 41_943_040
        })
    );
    assert_eq!(
        validate::attachment("image/png", 0),
        Err(ValidationError::EmptyAttachment)
    );
    assert_eq!(
        validate::attachment_count(ATTACHMENTS_MAX_PER_MESSAGE),
        Ok(())
    );
    assert_eq!(
        validate::attachment_count(ATTACHMENTS_MAX_PER_MESSAGE + 1),
        Err(ValidationError::TooManyAttachments { count: 16, max: 15 })
    );
}

#[test]
fn form_answers() {
    let field = |kind| FormField {
        kind,
        name: "answer".into(),
        label: None,
        placeholder: None,
        default: None,
        required: None,
        pattern: None,
        title: None,
        pattern_error: None,
        options: None,
    };
    let text = field(FormFieldKind::Text);
    assert_eq!(
        validate::form_field(&text, &chars(SHORT_STRING_MAX_CHARS)),
        Ok(())
    );
    assert_eq!(
        validate::form_field(&text, &chars(SHORT_STRING_MAX_CHARS + 1)),
        Err(too_long("form answer", 256, 255))
    );
    let area = field(FormFieldKind::TextArea);
    assert_eq!(validate::form_field(&area, &chars(TEXT_MAX_CHARS)), Ok(()));
    assert_eq!(
        validate::form_field(&area, &chars(TEXT_MAX_CHARS + 1)),
        Err(too_long("form answer", 20_001, 20_000))
    );
}

#[test]
fn csat_rating() {
    assert_eq!(validate::csat_rating(1), Ok(()));
    assert_eq!(validate::csat_rating(5), Ok(()));
    assert_eq!(
        validate::csat_rating(0),
        Err(ValidationError::RatingOutOfRange { rating: 0 })
    );
    assert_eq!(
        validate::csat_rating(6),
        Err(ValidationError::RatingOutOfRange { rating: 6 })
    );
}
