//! Quick replies in both dialects: Chatwoot's `input_select` and imi's
//! `quick_replies` / `quick_reply_response`.
//!
//! The mapping (PROTOCOL.md §5): `options[].title` ⇄ `items[].title`,
//! `options[].payload` ⇄ `items[].value`, `request_identifier` ⇄ the
//! message's id or a stored GUID; the visitor's choice is Chatwoot's
//! `submitted_values` and imi's inbound `quick_reply_response`.

use crate::content::{InputSelect, SelectItem, SubmittedValue};
use crate::imi::{QuickReplies, QuickReplyOption, QuickReplyResponse};
use crate::wire::Map;

/// imi quick replies as Chatwoot quick replies. An option without a payload
/// submits its title.
pub fn input_select_from_imi(quick_replies: &QuickReplies) -> InputSelect {
    InputSelect {
        items: quick_replies
            .options
            .iter()
            .map(|option| SelectItem {
                title: option.title.clone(),
                value: option
                    .payload
                    .clone()
                    .unwrap_or_else(|| option.title.clone())
                    .into(),
            })
            .collect(),
        submitted_values: None,
        extra: Map::new(),
    }
}

/// Chatwoot quick replies as imi quick replies, under `request_identifier`.
/// imi payloads are strings, so a numeric value becomes its JSON text.
pub fn imi_from_input_select(
    select: &InputSelect,
    request_identifier: impl Into<String>,
) -> QuickReplies {
    QuickReplies {
        request_identifier: request_identifier.into(),
        options: select
            .items
            .iter()
            .map(|item| QuickReplyOption {
                title: item.title.clone(),
                payload: Some(item.value.text().into_owned()),
            })
            .collect(),
    }
}

/// Whether an imi `quick_reply_response` carries the chosen payload; imi's
/// own sample sends only the title.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    Include,
    Omit,
}

/// A visitor's choice, in both dialects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// Chatwoot: `PATCH` the message with these.
    pub submitted_values: Vec<SubmittedValue>,
    /// imi: the inbound answer.
    pub quick_reply_response: QuickReplyResponse,
}

/// Why a choice could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChoiceError {
    #[error("quick reply {index} does not exist, there are {count}")]
    NoSuchItem { index: usize, count: usize },
    #[error("quick replies were already answered")]
    AlreadyAnswered,
    #[error("no quick reply is titled `{title}`")]
    NoSuchTitle { title: String },
}

/// The visitor chose item `index` of `select`.
pub fn choose(
    select: &InputSelect,
    index: usize,
    request_identifier: impl Into<String>,
    payload: Payload,
) -> Result<Choice, ChoiceError> {
    if select.submitted_values.is_some() {
        return Err(ChoiceError::AlreadyAnswered);
    }
    let item = select.items.get(index).ok_or(ChoiceError::NoSuchItem {
        index,
        count: select.items.len(),
    })?;
    Ok(Choice {
        submitted_values: vec![SubmittedValue::choice(item)],
        quick_reply_response: QuickReplyResponse {
            request_identifier: request_identifier.into(),
            options: vec![option_for(item, payload)],
        },
    })
}

/// Chatwoot `submitted_values` (as stored on an answered message) as imi's
/// inbound response.
pub fn response_from_submitted(
    submitted: &[SubmittedValue],
    request_identifier: impl Into<String>,
    payload: Payload,
) -> QuickReplyResponse {
    QuickReplyResponse {
        request_identifier: request_identifier.into(),
        options: submitted
            .iter()
            .map(|value| {
                let item = SelectItem {
                    title: value
                        .title
                        .clone()
                        .unwrap_or_else(|| value.value.text().into_owned()),
                    value: value.value.clone(),
                };
                option_for(&item, payload)
            })
            .collect(),
    }
}

/// imi's inbound response as the `submitted_values` of the quick replies it
/// answers. Options are matched by payload when present, else by title.
pub fn submitted_from_response(
    response: &QuickReplyResponse,
    select: &InputSelect,
) -> Result<Vec<SubmittedValue>, ChoiceError> {
    response
        .options
        .iter()
        .map(|option| {
            select
                .items
                .iter()
                .find(|item| match &option.payload {
                    Some(payload) => item.value.text() == payload.as_str(),
                    None => item.title == option.title,
                })
                .map(SubmittedValue::choice)
                .ok_or_else(|| ChoiceError::NoSuchTitle {
                    title: option.title.clone(),
                })
        })
        .collect()
}

fn option_for(item: &SelectItem, payload: Payload) -> QuickReplyOption {
    QuickReplyOption {
        title: item.title.clone(),
        payload: match payload {
            Payload::Include => Some(item.value.text().into_owned()),
            Payload::Omit => None,
        },
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::json;

    use super::{
        ChoiceError, Payload, choose, imi_from_input_select, input_select_from_imi,
        response_from_submitted, submitted_from_response,
    };
    use crate::content::InputSelect;
    use crate::imi::QuickReplies;

    fn seed_quick_replies() -> QuickReplies {
        serde_json::from_value(json!({
            "request_identifier": "12kj3h1k2j-23jkh43j-2kj3h4j-2k3j4h3jk",
            "options": [{"title": "Option 1", "payload": "option-1"}, {"title": "Option 2"}]
        }))
        .unwrap()
    }

    #[test]
    fn imi_options_become_input_select_items_and_back() {
        let select = input_select_from_imi(&seed_quick_replies());
        assert_eq!(
            serde_json::to_value(&select).unwrap(),
            json!({"items": [{"title": "Option 1", "value": "option-1"}, {"title": "Option 2", "value": "Option 2"}]})
        );
        let back = imi_from_input_select(&select, "12kj3h1k2j-23jkh43j-2kj3h4j-2k3j4h3jk");
        assert_eq!(back.options[0], seed_quick_replies().options[0]);
        assert_eq!(back.options[1].payload.as_deref(), Some("Option 2"));
    }

    #[test]
    fn a_choice_is_built_in_both_dialects() {
        let select = input_select_from_imi(&seed_quick_replies());
        let choice = choose(&select, 1, "req-1", Payload::Omit).unwrap();
        assert_eq!(
            serde_json::to_value(&choice.submitted_values).unwrap(),
            json!([{"title": "Option 2", "value": "Option 2"}])
        );
        assert_eq!(
            serde_json::to_value(&choice.quick_reply_response).unwrap(),
            json!({"request_identifier": "req-1", "options": [{"title": "Option 2"}]})
        );
        let with_payload = choose(&select, 0, "req-1", Payload::Include).unwrap();
        assert_eq!(
            with_payload.quick_reply_response.options[0]
                .payload
                .as_deref(),
            Some("option-1")
        );
    }

    #[test]
    fn a_choice_needs_an_item_and_an_unanswered_message() {
        let mut select = input_select_from_imi(&seed_quick_replies());
        assert_eq!(
            choose(&select, 2, "r", Payload::Omit),
            Err(ChoiceError::NoSuchItem { index: 2, count: 2 })
        );
        let answered = choose(&select, 0, "r", Payload::Omit).unwrap();
        select.submitted_values = Some(answered.submitted_values);
        assert_eq!(
            choose(&select, 1, "r", Payload::Omit),
            Err(ChoiceError::AlreadyAnswered)
        );
    }

    #[test]
    fn responses_map_back_to_submitted_values() {
        let select: InputSelect = input_select_from_imi(&seed_quick_replies());
        let choice = choose(&select, 0, "r", Payload::Omit).unwrap();
        let back = submitted_from_response(&choice.quick_reply_response, &select).unwrap();
        assert_eq!(back, choice.submitted_values);
        assert_eq!(
            response_from_submitted(&back, "r", Payload::Omit),
            choice.quick_reply_response
        );
        let stranger = serde_json::from_value(
            json!({"request_identifier": "r", "options": [{"title": "Option 9"}]}),
        )
        .unwrap();
        assert_eq!(
            submitted_from_response(&stranger, &select),
            Err(ChoiceError::NoSuchTitle {
                title: "Option 9".into()
            })
        );
    }
}
