//! The npm package's helpers (feature `helpers`): the core's validation,
//! message parsing, quick replies in both dialects and identity hashes,
//! for servers and browsers. Their own wasm, so that the headless client
//! (feature `js`) does not carry them, nor they the client.

use ferrochat_core::chatwoot::{ContactRequest, Message, MessageRequest};
use ferrochat_core::content::InputSelect;
use ferrochat_core::imi::{ImiMessage, QuickReplies};
use ferrochat_core::validate::{self, FieldError};
use ferrochat_core::{identity, quick_replies};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;

use crate::text::{message_json, parse};

/// `{valid, errors: [{field, message}]}`.
fn report(result: Result<(), Vec<FieldError>>) -> String {
    let errors: Vec<Value> = result
        .err()
        .unwrap_or_default()
        .iter()
        .map(|error| json!({"field": error.name, "message": error.error.to_string()}))
        .collect();
    json!({"valid": errors.is_empty(), "errors": errors}).to_string()
}

/// A body that is not even shaped right: one error without a field.
fn shape_error(error: &serde_json::Error) -> String {
    json!({"valid": false, "errors": [{"field": null, "message": error.to_string()}]}).to_string()
}

/// The contact body's rules, as the server applies them.
#[wasm_bindgen(js_name = validateContact)]
pub fn validate_contact(contact: &str) -> String {
    match serde_json::from_str::<ContactRequest>(contact) {
        Ok(contact) => report(validate::contact(&contact)),
        Err(error) => shape_error(&error),
    }
}

/// The message body's rules; `files` attachments go with it.
#[wasm_bindgen(js_name = validateMessage)]
pub fn validate_message(message: &str, files: u32) -> String {
    match serde_json::from_str::<MessageRequest>(message) {
        Ok(message) => report(validate::message(&message, files as usize)),
        Err(error) => shape_error(&error),
    }
}

/// A Chatwoot message (it has `message_type`) or an imi message (it has
/// `type`), read by the core's types: `{dialect, message}` as they write it.
#[wasm_bindgen(js_name = parseMessage)]
pub fn parse_message(text: &str) -> Result<String, JsError> {
    let value: Value = parse(text, "the message")?;
    let (dialect, message) = if value.get("message_type").is_some() {
        let message: Message = serde_json::from_value(value)
            .map_err(|error| JsError::new(&format!("not a Chatwoot message: {error}")))?;
        ("chatwoot", message_json(&message))
    } else if value.get("type").is_some() {
        let message: ImiMessage = serde_json::from_value(value)
            .map_err(|error| JsError::new(&format!("not an imi message: {error}")))?;
        ("imi", serde_json::to_value(&message).unwrap_or(Value::Null))
    } else {
        return Err(JsError::new(
            "neither a Chatwoot message (no message_type) nor an imi message (no type)",
        ));
    };
    Ok(json!({"dialect": dialect, "message": message}).to_string())
}

#[wasm_bindgen(js_name = quickRepliesToInputSelect)]
pub fn quick_replies_to_input_select(text: &str) -> Result<String, JsError> {
    let replies: QuickReplies = parse(text, "the quick replies")?;
    let select = quick_replies::input_select_from_imi(&replies);
    to_json(&select)
}

#[wasm_bindgen(js_name = inputSelectToQuickReplies)]
pub fn input_select_to_quick_replies(
    text: &str,
    request_identifier: String,
) -> Result<String, JsError> {
    let select: InputSelect = parse(text, "the input_select attributes")?;
    validate::quick_replies(&select).map_err(|error| JsError::new(&error.to_string()))?;
    to_json(&quick_replies::imi_from_input_select(
        &select,
        request_identifier,
    ))
}

/// The visitor chose item `index` of `select`: `{submitted_values,
/// quick_reply_response}`.
#[wasm_bindgen(js_name = quickReplyResponse)]
pub fn quick_reply_response(
    text: &str,
    index: u32,
    request_identifier: String,
    include_payload: bool,
) -> Result<String, JsError> {
    let select: InputSelect = parse(text, "the input_select attributes")?;
    let payload = if include_payload {
        quick_replies::Payload::Include
    } else {
        quick_replies::Payload::Omit
    };
    let choice = quick_replies::choose(&select, index as usize, request_identifier, payload)
        .map_err(|error| JsError::new(&error.to_string()))?;
    Ok(json!({
        "submitted_values": choice.submitted_values,
        "quick_reply_response": choice.quick_reply_response,
    })
    .to_string())
}

/// Chatwoot's `identifier_hash`: lowercase hex HMAC-SHA256 of `identifier`
/// under the inbox's HMAC token. For servers only: the token is a secret.
#[wasm_bindgen(js_name = identifierHash)]
pub fn identifier_hash(hmac_token: &str, identifier: &str) -> String {
    identity::identifier_hash(hmac_token, identifier)
}

/// Checks a given `identifier_hash` in constant time.
#[wasm_bindgen(js_name = verifyIdentifierHash)]
pub fn verify_identifier_hash(hmac_token: &str, identifier: &str, given: &str) -> bool {
    identity::verify_identifier_hash(hmac_token, identifier, given)
}

fn to_json(value: &impl serde::Serialize) -> Result<String, JsError> {
    serde_json::to_string(value).map_err(|error| JsError::new(&error.to_string()))
}
