//! Message content types: Chatwoot's `content_type` with its typed
//! `content_attributes` (PROTOCOL.md §3).
//!
//! On the wire the two are sibling fields of a message; [`Content`] holds both
//! and is `#[serde(flatten)]`ed into the structs that carry them. A known type
//! is parsed strictly (a broken `input_select` is an error, never "unknown");
//! an unknown type is kept as [`Content::Other`] and written back unchanged.
//!
//! Parsing checks shapes (an item is an object, a title a string); the rules a
//! well-formed value must also meet (at least one item, lengths, URL schemes)
//! live in [`crate::validate`].

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::wire::{Field, Fields, FromJson, Map, Scalar, deserialize_from_json, wire_enum};

/// Every `content_type` Chatwoot defines; readers must still keep others.
pub const CONTENT_TYPES: [&str; 13] = [
    "text",
    "input_text",
    "input_textarea",
    "input_email",
    "input_select",
    "cards",
    "form",
    "article",
    "incoming_email",
    "input_csat",
    "integrations",
    "sticker",
    "voice_call",
];

/// A message's `content_type` and `content_attributes`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Content {
    Text(TextAttributes),
    /// Quick replies.
    InputSelect(InputSelect),
    Cards(Cards),
    Form(Form),
    Article(Articles),
    InputEmail(InputEmail),
    InputCsat(CsatRequest),
    /// Any other type, known to Chatwoot but untyped here (`sticker`,
    /// `incoming_email`, …) or unknown, kept exactly as received.
    Other {
        content_type: String,
        attributes: Map,
    },
}

impl Default for Content {
    fn default() -> Self {
        Content::Text(TextAttributes::default())
    }
}

/// Why a known content type's attributes did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed {content_type} content_attributes: {reason}")]
pub struct ContentError {
    pub content_type: String,
    pub reason: String,
}

impl Content {
    /// The `content_type` written on the wire.
    pub fn content_type(&self) -> &str {
        match self {
            Content::Text(_) => "text",
            Content::InputSelect(_) => "input_select",
            Content::Cards(_) => "cards",
            Content::Form(_) => "form",
            Content::Article(_) => "article",
            Content::InputEmail(_) => "input_email",
            Content::InputCsat(_) => "input_csat",
            Content::Other { content_type, .. } => content_type,
        }
    }

    /// Builds content from the two wire fields, as a server reads them from
    /// storage. A missing `content_type` is Chatwoot's default, `text`.
    pub fn from_parts(content_type: &str, attributes: Map) -> Result<Content, ContentError> {
        fn typed<T: FromJson>(content_type: &str, attributes: Map) -> Result<T, ContentError> {
            T::from_json(Value::Object(attributes)).map_err(|reason| ContentError {
                content_type: content_type.to_owned(),
                reason,
            })
        }
        Ok(match content_type {
            "text" => Content::Text(TextAttributes { attributes }),
            "input_select" => Content::InputSelect(typed(content_type, attributes)?),
            "cards" => Content::Cards(typed(content_type, attributes)?),
            "form" => Content::Form(typed(content_type, attributes)?),
            "article" => Content::Article(typed(content_type, attributes)?),
            "input_email" => Content::InputEmail(typed(content_type, attributes)?),
            "input_csat" => Content::InputCsat(typed(content_type, attributes)?),
            other => Content::Other {
                content_type: other.to_owned(),
                attributes,
            },
        })
    }

    /// Whether a visitor has answered this message (quick replies, form, CSAT).
    pub fn is_answered(&self) -> bool {
        match self {
            Content::InputSelect(select) => select.submitted_values.is_some(),
            Content::Form(form) => form.submitted_values.is_some(),
            Content::InputCsat(csat) => csat.submitted_values.is_some(),
            Content::InputEmail(email) => email.submitted_email.is_some(),
            _ => false,
        }
    }
}

impl Serialize for Content {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("content_type", self.content_type())?;
        match self {
            Content::Text(attributes) => map.serialize_entry("content_attributes", attributes)?,
            Content::InputSelect(attributes) => {
                map.serialize_entry("content_attributes", attributes)?
            }
            Content::Cards(attributes) => map.serialize_entry("content_attributes", attributes)?,
            Content::Form(attributes) => map.serialize_entry("content_attributes", attributes)?,
            Content::Article(attributes) => {
                map.serialize_entry("content_attributes", attributes)?
            }
            Content::InputEmail(attributes) => {
                map.serialize_entry("content_attributes", attributes)?
            }
            Content::InputCsat(attributes) => {
                map.serialize_entry("content_attributes", attributes)?
            }
            Content::Other { attributes, .. } => {
                map.serialize_entry("content_attributes", attributes)?
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Content {
    /// Hand-written so that a broken known type is an error: a derived
    /// untagged fallback would quietly turn it into `Other`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A derived struct, so that under `#[serde(flatten)]` these two keys
        // are taken out of the parent's map and not also kept as unknown.
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            content_type: Option<String>,
            #[serde(default)]
            content_attributes: Option<Map>,
        }
        let raw = Raw::deserialize(deserializer)?;
        Content::from_parts(
            raw.content_type.as_deref().unwrap_or("text"),
            raw.content_attributes.unwrap_or_default(),
        )
        .map_err(D::Error::custom)
    }
}

/// `text`: plain (markdown) text. Chatwoot keeps threading and deletion here
/// (and writes `in_reply_to` as a number, a string or `null`), so the
/// attributes are kept whole and read through accessors.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TextAttributes {
    pub attributes: Map,
}

impl TextAttributes {
    /// The id of the message this one replies to.
    pub fn in_reply_to(&self) -> Option<u64> {
        match self.attributes.get("in_reply_to")? {
            Value::Number(number) => number.as_u64(),
            Value::String(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// A deleted message: hide it.
    pub fn is_deleted(&self) -> bool {
        self.attributes.get("deleted") == Some(&Value::Bool(true))
    }
}

/// `input_select`: quick-reply buttons.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct InputSelect {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<SelectItem>,
    /// The visitor's choice, once answered: the chosen item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_values: Option<Vec<SubmittedValue>>,
    #[serde(flatten)]
    pub extra: Map,
}

/// One quick-reply button.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SelectItem {
    pub title: String,
    /// What the choice submits: a string, or a number or boolean kept as such.
    pub value: Scalar,
}

/// One answered value: `{title, value}` for quick replies, `{name, value}`
/// for form fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubmittedValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub value: Scalar,
}

impl SubmittedValue {
    /// The answer to a quick reply.
    pub fn choice(item: &SelectItem) -> Self {
        SubmittedValue {
            name: None,
            title: Some(item.title.clone()),
            value: item.value.clone(),
        }
    }

    /// The answer to one form field.
    pub fn field(name: impl Into<String>, value: impl Into<Scalar>) -> Self {
        SubmittedValue {
            name: Some(name.into()),
            title: None,
            value: value.into(),
        }
    }
}

/// `cards`: a carousel of cards with actions.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cards {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Card>,
    #[serde(flatten)]
    pub extra: Map,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Card {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<CardAction>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardAction {
    #[serde(rename = "type")]
    pub kind: CardActionKind,
    pub text: String,
    /// Where a `link` action goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// What a `postback` action hands to the host page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
}

wire_enum! {
    /// What a card's button does.
    pub enum CardActionKind {
        /// Opens `uri` in a new tab.
        Link = "link",
        /// Fires a page event with `payload`; no API call.
        Postback = "postback",
    }
}

/// `form`: fields the visitor fills in and submits once.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Form {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<FormField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button_label: Option<String>,
    /// `{name, value}` per field, once submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_values: Option<Vec<SubmittedValue>>,
    #[serde(flatten)]
    pub extra: Map,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormField {
    #[serde(rename = "type")]
    pub kind: FormFieldKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// A regular expression the whole value must match, as HTML's `pattern`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What to tell the visitor when `pattern` does not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_error: Option<String>,
    /// The choices of a `select`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<FormOption>>,
}

impl FormField {
    pub fn is_required(&self) -> bool {
        self.required == Some(true)
    }
}

wire_enum! {
    /// A form field's input type.
    pub enum FormFieldKind {
        Text = "text",
        TextArea = "text_area",
        Email = "email",
        Select = "select",
    }
}

/// One choice of a `select` field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormOption {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl FormOption {
    /// The value submitted when this option is chosen: `value`, else `key`.
    pub fn submitted(&self) -> Option<&str> {
        self.value.as_deref().or(self.key.as_deref())
    }

    /// What the visitor sees: `label`, else the submitted value.
    pub fn shown(&self) -> Option<&str> {
        self.label.as_deref().or_else(|| self.submitted())
    }
}

/// `article`: a list of help-center links.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Articles {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Article>,
    #[serde(flatten)]
    pub extra: Map,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Article {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub link: String,
}

/// `input_email`: Chatwoot's "leave your email" prompt (website inboxes only).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct InputEmail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_email: Option<String>,
    #[serde(flatten)]
    pub extra: Map,
}

/// `input_csat`: the satisfaction survey sent when a conversation resolves.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CsatRequest {
    /// Emoji faces or stars; Chatwoot's default is emoji.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_type: Option<CsatDisplayType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_values: Option<CsatSubmitted>,
    #[serde(flatten)]
    pub extra: Map,
}

wire_enum! {
    /// How the CSAT survey asks for a rating.
    pub enum CsatDisplayType {
        Emoji = "emoji",
        Star = "star",
    }
}

/// `{csat_survey_response: {rating, feedback_message}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CsatSubmitted {
    pub csat_survey_response: CsatSurveyResponse,
}

/// A visitor's rating, 1 to 5 (see [`crate::validate::csat_rating`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CsatSurveyResponse {
    pub rating: u8,
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub feedback_message: Field<String>,
}

// ------------------------------------------------------------- reading
//
// By hand (see `crate::wire::FromJson`): each reader takes the fields its
// type declares, with the same defaults as the `serde` attributes that write
// them, and keeps the rest in `extra` where the type has one.

deserialize_from_json!(
    InputSelect,
    SelectItem,
    SubmittedValue,
    Cards,
    Card,
    CardAction,
    Form,
    FormField,
    FormOption,
    Articles,
    Article,
    InputEmail,
    CsatRequest,
    CsatSubmitted,
    CsatSurveyResponse,
);

impl FromJson for InputSelect {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct InputSelect")?;
        Ok(InputSelect {
            items: fields.or_default("items")?,
            submitted_values: fields.optional("submitted_values")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for SelectItem {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct SelectItem")?;
        Ok(SelectItem {
            title: fields.required("title")?,
            value: fields.required("value")?,
        })
    }
}

impl FromJson for SubmittedValue {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct SubmittedValue")?;
        Ok(SubmittedValue {
            name: fields.optional("name")?,
            title: fields.optional("title")?,
            value: fields.required("value")?,
        })
    }
}

impl FromJson for Cards {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Cards")?;
        Ok(Cards {
            items: fields.or_default("items")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for Card {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Card")?;
        Ok(Card {
            title: fields.required("title")?,
            description: fields.optional("description")?,
            media_url: fields.optional("media_url")?,
            actions: fields.or_default("actions")?,
        })
    }
}

impl FromJson for CardAction {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct CardAction")?;
        Ok(CardAction {
            kind: fields.required("type")?,
            text: fields.required("text")?,
            uri: fields.optional("uri")?,
            payload: fields.optional("payload")?,
        })
    }
}

impl FromJson for Form {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Form")?;
        Ok(Form {
            items: fields.or_default("items")?,
            button_label: fields.optional("button_label")?,
            submitted_values: fields.optional("submitted_values")?,
            extra: fields.rest(),
        })
    }
}

/// The contact fields a pre-chat form fills in by name; any other field's
/// answer becomes a custom attribute of the contact.
pub const CONTACT_FIELDS: [&str; 3] = ["name", "email", "phone_number"];

impl Form {
    /// The embed's `preChatForm` setting: `true` asks for a name and an
    /// email (required) and a phone number (optional); an object's
    /// `fields` (form fields, `type` defaulting to `text`, or `email` for
    /// the field named `email`) replaces them. `false`, `null` or absent:
    /// no form. The default fields carry no labels: the widget shows them
    /// in the visitor's language.
    pub fn pre_chat(setting: &Value) -> Result<Option<Form>, String> {
        let fields = match setting {
            Value::Null | Value::Bool(false) => return Ok(None),
            Value::Bool(true) => None,
            Value::Object(object) => object.get("fields").filter(|fields| !fields.is_null()),
            _ => return Err("preChatForm must be true, false or an object".into()),
        };
        let items = match fields {
            None => CONTACT_FIELDS
                .iter()
                .map(|name| FormField {
                    kind: if *name == "email" {
                        FormFieldKind::Email
                    } else {
                        FormFieldKind::Text
                    },
                    name: (*name).to_owned(),
                    label: None,
                    placeholder: None,
                    default: None,
                    required: Some(*name != "phone_number"),
                    pattern: None,
                    title: None,
                    pattern_error: None,
                    options: None,
                })
                .collect(),
            Some(Value::Array(fields)) => {
                let mut items: Vec<FormField> = Vec::new();
                for field in fields {
                    let mut field = field.clone();
                    if let Value::Object(object) = &mut field {
                        let kind = if object.get("name").and_then(Value::as_str) == Some("email") {
                            "email"
                        } else {
                            "text"
                        };
                        object.entry("type").or_insert_with(|| kind.into());
                    }
                    let field = FormField::from_json(field)?;
                    if field.name.is_empty() || items.iter().any(|item| item.name == field.name) {
                        return Err(format!(
                            "preChatForm: a field named \"{}\" again, or none",
                            field.name
                        ));
                    }
                    items.push(field);
                }
                items
            }
            Some(_) => return Err("preChatForm.fields must be a list".into()),
        };
        Ok((!items.is_empty()).then(|| Form {
            items,
            ..Form::default()
        }))
    }
}

impl FromJson for FormField {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct FormField")?;
        Ok(FormField {
            kind: fields.required("type")?,
            name: fields.required("name")?,
            label: fields.optional("label")?,
            placeholder: fields.optional("placeholder")?,
            default: fields.optional("default")?,
            required: fields.optional("required")?,
            pattern: fields.optional("pattern")?,
            title: fields.optional("title")?,
            pattern_error: fields.optional("pattern_error")?,
            options: fields.optional("options")?,
        })
    }
}

impl FromJson for FormOption {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct FormOption")?;
        Ok(FormOption {
            key: fields.optional("key")?,
            value: fields.optional("value")?,
            label: fields.optional("label")?,
        })
    }
}

impl FromJson for Articles {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Articles")?;
        Ok(Articles {
            items: fields.or_default("items")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for Article {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct Article")?;
        Ok(Article {
            title: fields.required("title")?,
            description: fields.optional("description")?,
            link: fields.required("link")?,
        })
    }
}

impl FromJson for InputEmail {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct InputEmail")?;
        Ok(InputEmail {
            submitted_email: fields.optional("submitted_email")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for CsatRequest {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct CsatRequest")?;
        Ok(CsatRequest {
            display_type: fields.optional("display_type")?,
            submitted_values: fields.optional("submitted_values")?,
            extra: fields.rest(),
        })
    }
}

impl FromJson for CsatSubmitted {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct CsatSubmitted")?;
        Ok(CsatSubmitted {
            csat_survey_response: fields.required("csat_survey_response")?,
        })
    }
}

impl FromJson for CsatSurveyResponse {
    fn from_json(value: Value) -> Result<Self, String> {
        let mut fields = Fields::of(value, "struct CsatSurveyResponse")?;
        Ok(CsatSurveyResponse {
            rating: fields.required("rating")?,
            feedback_message: fields.field("feedback_message")?,
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::json;

    use super::{CardActionKind, Content, FormFieldKind};

    fn parse(value: serde_json::Value) -> Result<Content, serde_json::Error> {
        serde_json::from_value(value)
    }

    #[test]
    fn missing_content_type_is_text() {
        assert_eq!(parse(json!({})).unwrap(), Content::default());
        assert_eq!(
            parse(json!({"content_type": "text", "content_attributes": null})).unwrap(),
            Content::default()
        );
    }

    #[test]
    fn a_broken_known_type_is_an_error_not_other() {
        let broken = [
            json!({"content_type": "input_select", "content_attributes": {"items": "yes,no"}}),
            json!({"content_type": "input_select", "content_attributes": {"items": [{"title": 1, "value": "a"}]}}),
            json!({"content_type": "cards", "content_attributes": {"items": [{"description": "no title"}]}}),
            json!({"content_type": "form", "content_attributes": {"items": [{"type": "text"}]}}),
            json!({"content_type": "input_csat", "content_attributes": {"submitted_values": {"csat_survey_response": {"rating": "five"}}}}),
            json!({"content_type": "article", "content_attributes": {"items": [{"title": "no link"}]}}),
        ];
        for value in broken {
            let error = parse(value.clone()).unwrap_err().to_string();
            assert!(error.starts_with("malformed "), "{value}: {error}");
        }
    }

    #[test]
    fn an_unknown_type_round_trips_unchanged() {
        let value = json!({
            "content_type": "hologram",
            "content_attributes": {"frames": [1, 2, {"deep": true}], "fps": 24}
        });
        let content = parse(value.clone()).unwrap();
        assert_eq!(content.content_type(), "hologram");
        assert_eq!(serde_json::to_value(&content).unwrap(), value);
    }

    #[test]
    fn unknown_attributes_of_a_known_type_survive() {
        let value = json!({
            "content_type": "input_select",
            "content_attributes": {
                "items": [{"title": "Yes", "value": "yes"}],
                "in_reply_to": 7,
                "future_flag": {"x": 1}
            }
        });
        let Content::InputSelect(select) = parse(value.clone()).unwrap() else {
            panic!("not input_select");
        };
        assert_eq!(select.items[0].title, "Yes");
        assert_eq!(select.extra["future_flag"], json!({"x": 1}));
        assert_eq!(
            serde_json::to_value(Content::InputSelect(select)).unwrap(),
            value
        );
    }

    #[test]
    fn unknown_enum_values_inside_known_types_are_kept() {
        let value = json!({
            "content_type": "cards",
            "content_attributes": {"items": [{"title": "T", "actions": [{"type": "call", "text": "Ring"}]}]}
        });
        let Content::Cards(cards) = parse(value.clone()).unwrap() else {
            panic!("not cards");
        };
        assert_eq!(
            cards.items[0].actions[0].kind,
            CardActionKind::Other("call".into())
        );
        assert_eq!(serde_json::to_value(Content::Cards(cards)).unwrap(), value);
        assert_eq!(
            FormFieldKind::from_wire("text_area"),
            FormFieldKind::TextArea
        );
    }

    #[test]
    fn answered_state_follows_submitted_values() {
        let unanswered = parse(json!({"content_type": "input_select", "content_attributes": {"items": [{"title": "A", "value": "a"}]}})).unwrap();
        let answered = parse(json!({"content_type": "input_select", "content_attributes": {"items": [{"title": "A", "value": "a"}], "submitted_values": [{"title": "A", "value": "a"}]}})).unwrap();
        assert!(!unanswered.is_answered());
        assert!(answered.is_answered());
    }
}
