//! Validation: one plain function per rule, a named constant per limit, and
//! a typed error that carries the numbers. Widget and server run the same
//! checks, so a visitor sees an error before the server would refuse.
//!
//! Lengths are in characters (Unicode scalar values), as Chatwoot counts.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::chatwoot::{ContactRequest, FileType, MessageRequest};
use crate::content::{
    CardActionKind, Content, Form, FormField, FormFieldKind, InputSelect, SubmittedValue,
};
use crate::wire::Map;

/// Chatwoot's short string columns (names, identifiers) are `varchar(255)`.
pub const SHORT_STRING_MAX_CHARS: usize = 255;
/// Chatwoot caps its other text columns at 20,000 characters.
pub const TEXT_MAX_CHARS: usize = 20_000;
/// Chatwoot rejects longer message content with 422.
pub const CONTENT_MAX_CHARS: usize = 150_000;
/// RFC 5321: a forward path holds at most 254 characters of address.
pub const EMAIL_MAX_CHARS: usize = 254;
/// RFC 5321: the part before `@` is at most 64 octets.
pub const EMAIL_LOCAL_MAX_BYTES: usize = 64;
/// E.164: a number has at most 15 digits (Chatwoot checks `\+[1-9]\d{1,14}`).
pub const PHONE_MAX_DIGITS: usize = 15;
/// Custom attributes are a small flat record, not a data store.
pub const CUSTOM_ATTRIBUTES_MAX_KEYS: usize = 100;
/// A custom attribute's key is a short string.
pub const CUSTOM_ATTRIBUTE_KEY_MAX_CHARS: usize = SHORT_STRING_MAX_CHARS;
/// A custom attribute's string value is capped like Chatwoot's text columns.
pub const CUSTOM_ATTRIBUTE_VALUE_MAX_CHARS: usize = TEXT_MAX_CHARS;
/// More quick replies than this do not fit a chat window as buttons.
pub const QUICK_REPLIES_MAX_ITEMS: usize = 20;
/// A quick reply's title and value are short strings.
pub const QUICK_REPLY_MAX_CHARS: usize = SHORT_STRING_MAX_CHARS;
/// Longer than any link or media URL a chat message has reason to carry.
pub const URL_MAX_CHARS: usize = 4_096;
/// The URL schemes that may be rendered as a link or loaded as media.
pub const SAFE_URL_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];
/// Chatwoot's limit for one attachment: 40 MB.
pub const ATTACHMENT_MAX_BYTES: u64 = 40 * 1024 * 1024;
/// Chatwoot's limit of attachments on one message.
pub const ATTACHMENTS_MAX_PER_MESSAGE: usize = 15;
/// CSAT ratings run from 1 to 5.
pub const CSAT_RATING_RANGE: std::ops::RangeInclusive<u8> = 1..=5;

/// Why a value was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    #[error("{field} has {chars} chars, max is {max}")]
    TooLong {
        field: &'static str,
        chars: usize,
        max: usize,
    },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} contains a control character")]
    ControlCharacter { field: &'static str },
    #[error("`{value}` is not an email address")]
    InvalidEmail { value: String },
    #[error("`{value}` is not a phone number in E.164 form (+ and 2 to 15 digits)")]
    InvalidPhone { value: String },
    #[error("`{value}` is not an absolute URL: {reason}")]
    InvalidUrl { value: String, reason: &'static str },
    #[error("URL scheme `{scheme}` is not allowed, only http, https, mailto and tel")]
    UnsafeUrlScheme { scheme: String },
    #[error("custom attributes must be a JSON object")]
    AttributesNotAnObject,
    #[error("custom attribute `{key}` must be a string, number, boolean or null")]
    NestedAttribute { key: String },
    #[error("{field} has {count} items, max is {max}")]
    TooManyItems {
        field: &'static str,
        count: usize,
        max: usize,
    },
    #[error("{field} needs at least one item")]
    NoItems { field: &'static str },
    #[error("{field} needs a {part}")]
    Missing {
        field: &'static str,
        part: &'static str,
    },
    #[error("attachment has {bytes} bytes, max is {max}")]
    AttachmentTooLarge { bytes: u64, max: u64 },
    #[error("attachment is empty")]
    EmptyAttachment,
    #[error("message has {count} attachments, max is {max}")]
    TooManyAttachments { count: usize, max: usize },
    #[error("{name} is required")]
    Required { name: String },
    #[error("{message}")]
    PatternMismatch { name: String, message: String },
    #[error("pattern `{pattern}` of field {name} is not a valid regular expression")]
    InvalidPattern { name: String, pattern: String },
    #[error("`{value}` is not one of the choices for {name}")]
    NotAChoice { name: String, value: String },
    #[error("form has no field named {name}")]
    UnknownField { name: String },
    #[error("form field {name} appears more than once")]
    DuplicateField { name: String },
    #[error("rating {rating} is out of range, it must be 1 to 5")]
    RatingOutOfRange { rating: u8 },
}

fn max_chars(field: &'static str, value: &str, max: usize) -> Result<(), ValidationError> {
    // Counting stops past the limit, so a huge value costs no more than a
    // value at the limit.
    let chars = value.chars().take(max + 1).count();
    if chars > max {
        return Err(ValidationError::TooLong {
            field,
            chars: value.chars().count(),
            max,
        });
    }
    Ok(())
}

fn no_control(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.chars().any(char::is_control) {
        return Err(ValidationError::ControlCharacter { field });
    }
    Ok(())
}

/// A one-line string for a short column: at most 255 chars, no control
/// characters.
pub fn short_string(field: &'static str, value: &str) -> Result<(), ValidationError> {
    max_chars(field, value, SHORT_STRING_MAX_CHARS)?;
    no_control(field, value)
}

/// A longer text column (a CSAT comment, a description): at most 20,000
/// chars.
pub fn text(field: &'static str, value: &str) -> Result<(), ValidationError> {
    max_chars(field, value, TEXT_MAX_CHARS)
}

/// A contact's or a field's name.
pub fn name(value: &str) -> Result<(), ValidationError> {
    short_string("name", value)
}

/// Message content: at most 150,000 chars.
pub fn content(value: &str) -> Result<(), ValidationError> {
    max_chars("content", value, CONTENT_MAX_CHARS)
}

/// An email address: `local@domain`, the local part without white space or
/// specials, the domain of two or more labels of letters, digits and inner
/// hyphens, with a non-numeric top-level label.
pub fn email(value: &str) -> Result<(), ValidationError> {
    max_chars("email", value, EMAIL_MAX_CHARS)?;
    let invalid = || ValidationError::InvalidEmail {
        value: value.to_owned(),
    };
    let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
    let local_ok = !local.is_empty()
        && local.len() <= EMAIL_LOCAL_MAX_BYTES
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"\"(),:;<>@[\\]".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|top| !top.chars().all(|c| c.is_ascii_digit()));
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// A phone number in E.164 form, as Chatwoot requires: `+`, a non-zero
/// digit, then 1 to 14 more digits. Use [`normalize_phone`] on typed input.
pub fn phone(value: &str) -> Result<(), ValidationError> {
    let digits = value.strip_prefix('+').unwrap_or("");
    let ok = (2..=PHONE_MAX_DIGITS).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::InvalidPhone {
            value: value.to_owned(),
        })
    }
}

/// Removes the spaces, dots, dashes and parentheses people type in phone
/// numbers: `+1 (555) 010-9999` becomes `+15550109999`.
pub fn normalize_phone(input: &str) -> String {
    input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}'))
        .collect()
}

/// A URL that may become a link's `href` or a media `src`: absolute, with
/// an http, https, mailto or tel scheme, and no white space or control
/// characters anywhere (browsers strip tabs and newlines inside URLs, which
/// is how `java\tscript:` sneaks past naive checks).
pub fn safe_url(value: &str) -> Result<(), ValidationError> {
    let invalid = |reason| ValidationError::InvalidUrl {
        value: value.to_owned(),
        reason,
    };
    if value.is_empty() {
        return Err(invalid("it is empty"));
    }
    max_chars("url", value, URL_MAX_CHARS)?;
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("it contains white space or control characters"));
    }
    let (scheme, rest) = value
        .split_once(':')
        .ok_or_else(|| invalid("it has no scheme"))?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(invalid("it has no scheme"));
    }
    let scheme = scheme.to_ascii_lowercase();
    if !SAFE_URL_SCHEMES.contains(&scheme.as_str()) {
        return Err(ValidationError::UnsafeUrlScheme { scheme });
    }
    let ok = match scheme.as_str() {
        "http" | "https" => rest.strip_prefix("//").is_some_and(|after| {
            let authority = after.split(['/', '?', '#']).next().unwrap_or("");
            let host = authority.rsplit('@').next().unwrap_or("");
            !host.is_empty() && !host.starts_with(':')
        }),
        _ => !rest.is_empty(),
    };
    if ok {
        Ok(())
    } else {
        Err(invalid("it has no host or address"))
    }
}

/// Custom attributes: a flat JSON object of at most 100 keys, each key 1 to
/// 255 chars, each value a string (at most 20,000 chars), number, boolean or
/// null.
pub fn custom_attributes(value: &Value) -> Result<(), ValidationError> {
    let Value::Object(map) = value else {
        return Err(ValidationError::AttributesNotAnObject);
    };
    custom_attribute_map(map)
}

/// [`custom_attributes`] for an already-typed object.
pub fn custom_attribute_map(map: &Map) -> Result<(), ValidationError> {
    if map.len() > CUSTOM_ATTRIBUTES_MAX_KEYS {
        return Err(ValidationError::TooManyItems {
            field: "custom attributes",
            count: map.len(),
            max: CUSTOM_ATTRIBUTES_MAX_KEYS,
        });
    }
    for (key, value) in map {
        if key.is_empty() {
            return Err(ValidationError::Empty {
                field: "custom attribute key",
            });
        }
        max_chars("custom attribute key", key, CUSTOM_ATTRIBUTE_KEY_MAX_CHARS)?;
        match value {
            Value::String(text) => {
                max_chars(
                    "custom attribute value",
                    text,
                    CUSTOM_ATTRIBUTE_VALUE_MAX_CHARS,
                )?;
            }
            Value::Number(_) | Value::Bool(_) | Value::Null => {}
            Value::Array(_) | Value::Object(_) => {
                return Err(ValidationError::NestedAttribute { key: key.clone() });
            }
        }
    }
    Ok(())
}

/// Quick replies: 1 to 20 items, each with a non-blank title; titles and
/// values at most 255 chars.
pub fn quick_replies(select: &InputSelect) -> Result<(), ValidationError> {
    items_count("quick replies", select.items.len(), QUICK_REPLIES_MAX_ITEMS)?;
    for item in &select.items {
        if item.title.trim().is_empty() {
            return Err(ValidationError::Empty {
                field: "quick reply title",
            });
        }
        max_chars("quick reply title", &item.title, QUICK_REPLY_MAX_CHARS)?;
        max_chars(
            "quick reply value",
            &item.value.text(),
            QUICK_REPLY_MAX_CHARS,
        )?;
    }
    Ok(())
}

fn items_count(field: &'static str, count: usize, max: usize) -> Result<(), ValidationError> {
    if count == 0 {
        return Err(ValidationError::NoItems { field });
    }
    if count > max {
        return Err(ValidationError::TooManyItems { field, count, max });
    }
    Ok(())
}

/// The structure an agent's or bot's rich message must have before it is
/// stored: items where the type needs them, safe URLs wherever one may be
/// rendered, a target for every card action, and form fields that can be
/// answered (names unique, patterns that compile, choices for a select).
pub fn content_attributes(content: &Content) -> Result<(), ValidationError> {
    match content {
        Content::InputSelect(select) => quick_replies(select),
        Content::Cards(cards) => {
            items_count("cards", cards.items.len(), QUICK_REPLIES_MAX_ITEMS)?;
            for card in &cards.items {
                short_string("card title", &card.title)?;
                if let Some(media) = &card.media_url {
                    safe_url(media)?;
                }
                for action in &card.actions {
                    match action.kind {
                        CardActionKind::Link => {
                            let uri = action.uri.as_deref().ok_or(ValidationError::Missing {
                                field: "card link action",
                                part: "uri",
                            })?;
                            safe_url(uri)?;
                        }
                        CardActionKind::Postback if action.payload.is_none() => {
                            return Err(ValidationError::Missing {
                                field: "card postback action",
                                part: "payload",
                            });
                        }
                        _ => {}
                    }
                }
            }
            Ok(())
        }
        Content::Form(form) => form_definition(form),
        Content::Article(articles) => {
            items_count("articles", articles.items.len(), QUICK_REPLIES_MAX_ITEMS)?;
            for article in &articles.items {
                short_string("article title", &article.title)?;
                safe_url(&article.link)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn form_definition(form: &Form) -> Result<(), ValidationError> {
    items_count("form fields", form.items.len(), QUICK_REPLIES_MAX_ITEMS)?;
    let mut names: Vec<&str> = Vec::with_capacity(form.items.len());
    for field in &form.items {
        if field.name.is_empty() {
            return Err(ValidationError::Empty {
                field: "form field name",
            });
        }
        short_string("form field name", &field.name)?;
        if names.contains(&field.name.as_str()) {
            return Err(ValidationError::DuplicateField {
                name: field.name.clone(),
            });
        }
        names.push(&field.name);
        if let Some(pattern) = &field.pattern
            && compile_pattern(pattern).is_none()
        {
            return Err(ValidationError::InvalidPattern {
                name: field.name.clone(),
                pattern: pattern.clone(),
            });
        }
        let has_choices = field
            .options
            .as_ref()
            .is_some_and(|options| options.iter().any(|option| option.submitted().is_some()));
        if field.kind == FormFieldKind::Select && !has_choices {
            return Err(ValidationError::NoItems {
                field: "select field options",
            });
        }
    }
    Ok(())
}

/// A form field's `pattern`, anchored to the whole value as HTML's `pattern`
/// attribute is. None when it does not compile.
fn compile_pattern(pattern: &str) -> Option<regex_lite::Regex> {
    regex_lite::Regex::new(&format!("^(?:{pattern})$")).ok()
}

/// One form field's answer (an empty answer to an optional field passes).
/// A `pattern` that does not compile is ignored, as browsers ignore it.
pub fn form_field(field: &FormField, value: &str) -> Result<(), ValidationError> {
    form_field_but_pattern(field, value)?;
    if value.trim().is_empty() {
        return Ok(());
    }
    if let Some(regex) = field.pattern.as_deref().and_then(compile_pattern)
        && !regex.is_match(value)
    {
        let label = field.label.as_deref().unwrap_or(&field.name);
        return Err(ValidationError::PatternMismatch {
            name: field.name.clone(),
            message: field
                .pattern_error
                .clone()
                .unwrap_or_else(|| format!("{label} is not in the expected format")),
        });
    }
    Ok(())
}

/// [`form_field`] without the `pattern`, which needs a regular expression
/// engine: for the widget, which leaves patterns to the server's check.
pub fn form_field_but_pattern(field: &FormField, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return if field.is_required() {
            Err(ValidationError::Required {
                name: field.label.clone().unwrap_or_else(|| field.name.clone()),
            })
        } else {
            Ok(())
        };
    }
    let limit = match field.kind {
        FormFieldKind::TextArea => TEXT_MAX_CHARS,
        _ => SHORT_STRING_MAX_CHARS,
    };
    max_chars("form answer", value, limit)?;
    match &field.kind {
        FormFieldKind::Email => email(value)?,
        FormFieldKind::Select => {
            let known = field
                .options
                .iter()
                .flatten()
                .any(|option| option.submitted() == Some(value));
            if !known {
                return Err(ValidationError::NotAChoice {
                    name: field.name.clone(),
                    value: value.to_owned(),
                });
            }
        }
        _ => {}
    }
    Ok(())
}

/// One answer of a pre-chat form ([`crate::content::Form::pre_chat`]):
/// [`form_field_but_pattern`], then the contact's own rule for a field that
/// fills in a contact field (a phone number is checked as the server would
/// store it, after [`normalize_phone`]).
pub fn pre_chat_field(field: &FormField, value: &str) -> Result<(), ValidationError> {
    form_field_but_pattern(field, value)?;
    let value = value.trim();
    if value.is_empty() {
        return Ok(());
    }
    match field.name.as_str() {
        "name" => name(value),
        "email" => email(value),
        "phone_number" => phone(&normalize_phone(value)),
        _ => Ok(()),
    }
}

/// One field's refusal, for showing beside that field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub name: String,
    pub error: ValidationError,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.error)
    }
}

/// A whole form submission: every field's answer checked, every error
/// returned (so each can be shown inline), no answer to a field the form does
/// not have, and at most one answer per field.
pub fn form_submission(form: &Form, values: &[SubmittedValue]) -> Result<(), Vec<FieldError>> {
    form_answers(form, values, form_field)
}

/// [`form_submission`] without the fields' `pattern`s (see
/// [`form_field_but_pattern`]).
pub fn form_submission_but_patterns(
    form: &Form,
    values: &[SubmittedValue],
) -> Result<(), Vec<FieldError>> {
    form_answers(form, values, form_field_but_pattern)
}

fn form_answers(
    form: &Form,
    values: &[SubmittedValue],
    check: fn(&FormField, &str) -> Result<(), ValidationError>,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for (index, value) in values.iter().enumerate() {
        let name = value.name.as_deref().unwrap_or("");
        let error = if !form.items.iter().any(|field| field.name == name) {
            ValidationError::UnknownField {
                name: name.to_owned(),
            }
        } else if values[..index]
            .iter()
            .any(|earlier| earlier.name == value.name)
        {
            ValidationError::DuplicateField {
                name: name.to_owned(),
            }
        } else {
            continue;
        };
        errors.push(FieldError {
            name: name.to_owned(),
            error,
        });
    }
    for field in &form.items {
        let answer = values
            .iter()
            .find(|value| value.name.as_deref() == Some(field.name.as_str()))
            .map(|value| value.value.text());
        if let Err(error) = check(field, answer.as_deref().unwrap_or("")) {
            errors.push(FieldError {
                name: field.name.clone(),
                error,
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A contact create or update body (`POST /contacts`,
/// `PATCH /contacts/{source_id}`): every field that is present checked by
/// its rule, every error returned with its field's name. Blank email,
/// phone and avatar fields are allowed: they clear the value.
pub fn contact(request: &ContactRequest) -> Result<(), Vec<FieldError>> {
    let present = |value: &Option<String>| value.clone().filter(|value| !value.is_empty());
    let checks = [
        ("name", request.name.as_deref().map(name)),
        ("email", present(&request.email).map(|value| email(&value))),
        (
            "phone_number",
            present(&request.phone_number).map(|value| phone(&value)),
        ),
        (
            "avatar_url",
            present(&request.avatar_url).map(|value| safe_url(&value)),
        ),
        (
            "identifier",
            (request.identifier.as_deref()).map(|value| short_string("identifier", value)),
        ),
        (
            "identifier_hash",
            (request.identifier_hash.as_deref())
                .map(|value| short_string("identifier_hash", value)),
        ),
        (
            "source_id",
            (request.source_id.as_deref()).map(|value| short_string("source_id", value)),
        ),
        (
            "custom_attributes",
            (request.custom_attributes.as_ref()).map(custom_attribute_map),
        ),
    ];
    field_errors(checks)
}

/// A message create body: its content (when given) and `echo_id`, and not
/// blank unless it carries files.
pub fn message(request: &MessageRequest, files: usize) -> Result<(), Vec<FieldError>> {
    let blank = request
        .content
        .as_deref()
        .is_none_or(|text| text.trim().is_empty());
    let checks = [
        (
            "content",
            if blank && files == 0 {
                Some(Err(ValidationError::Empty { field: "content" }))
            } else {
                request.content.as_deref().map(content)
            },
        ),
        (
            "echo_id",
            (request.echo_id.as_deref()).map(|value| short_string("echo_id", value)),
        ),
        ("attachments", (files > 0).then(|| attachment_count(files))),
    ];
    field_errors(checks)
}

fn field_errors<const N: usize>(
    checks: [(&'static str, Option<Result<(), ValidationError>>); N],
) -> Result<(), Vec<FieldError>> {
    let errors: Vec<FieldError> = checks
        .into_iter()
        .filter_map(|(name, check)| match check {
            Some(Err(error)) => Some(FieldError {
                name: name.to_owned(),
                error,
            }),
            _ => None,
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A file about to be attached: not empty, at most 40 MB. Returns the kind
/// the server will file it as.
pub fn attachment(mime: &str, bytes: u64) -> Result<FileType, ValidationError> {
    if bytes == 0 {
        return Err(ValidationError::EmptyAttachment);
    }
    if bytes > ATTACHMENT_MAX_BYTES {
        return Err(ValidationError::AttachmentTooLarge {
            bytes,
            max: ATTACHMENT_MAX_BYTES,
        });
    }
    Ok(FileType::from_mime(mime))
}

/// At most 15 attachments on one message.
pub fn attachment_count(count: usize) -> Result<(), ValidationError> {
    if count > ATTACHMENTS_MAX_PER_MESSAGE {
        return Err(ValidationError::TooManyAttachments {
            count,
            max: ATTACHMENTS_MAX_PER_MESSAGE,
        });
    }
    Ok(())
}

/// Files about to go as one message, each `(name, mime, bytes)`: at most
/// 15, each checked by [`attachment`]. The error is named after the file it
/// is about (`attachments` for their count).
pub fn attachments<'a>(
    files: impl ExactSizeIterator<Item = (&'a str, &'a str, u64)>,
) -> Result<(), FieldError> {
    let named = |name: &str| {
        let name = name.to_owned();
        move |error| FieldError { name, error }
    };
    attachment_count(files.len()).map_err(named("attachments"))?;
    for (name, mime, bytes) in files {
        attachment(mime, bytes).map_err(named(name))?;
    }
    Ok(())
}

/// A CSAT rating: 1 to 5.
pub fn csat_rating(rating: u8) -> Result<(), ValidationError> {
    if CSAT_RATING_RANGE.contains(&rating) {
        Ok(())
    } else {
        Err(ValidationError::RatingOutOfRange { rating })
    }
}

/// Declares a string newtype that can only hold a value its rule accepts.
macro_rules! checked_string {
    ($(#[$meta:meta])* $name:ident, $rule:path) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                $rule(&value)?;
                Ok($name(value))
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

checked_string!(
    /// An email address that passed [`email`].
    Email,
    email
);
checked_string!(
    /// A phone number in E.164 form that passed [`phone`].
    PhoneNumber,
    phone
);
checked_string!(
    /// A URL that passed [`safe_url`]: safe as a link's `href` or a media `src`.
    SafeUrl,
    safe_url
);
