//! What the npm package's two wasm APIs share (features `js` and
//! `helpers`): values cross as JSON text, read and written by serde.

use ferrochat_core::chatwoot::Message;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wasm_bindgen::JsError;

/// Reads `text` as a `T`; the error names `what` it was.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, JsError> {
    serde_json::from_str(text).map_err(|error| JsError::new(&format!("{what}: {error}")))
}

/// A message as Chatwoot writes it.
pub(crate) fn message_json(message: &Message) -> Value {
    serde_json::to_value(message).unwrap_or(Value::Null)
}
