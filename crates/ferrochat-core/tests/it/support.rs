//! Fixture loading and the round-trip check.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A fixture's path (for messages) and text, embedded so wasm tests need no
/// file system.
macro_rules! fixture {
    ($path:literal) => {
        ($path, include_str!(concat!("../fixtures/", $path)))
    };
}
pub(crate) use fixture;

/// Parses `json` as `T`, writes it back, and checks the output equals the
/// input as canonical JSON (key order and white space aside).
pub(crate) fn round_trip<T: Serialize + DeserializeOwned>((path, json): (&str, &str)) -> T {
    let typed: T = serde_json::from_str(json).unwrap_or_else(|error| panic!("{path}: {error}"));
    let expected: Value = serde_json::from_str(json).unwrap();
    let written = serde_json::to_value(&typed).unwrap();
    assert_eq!(written, expected, "{path} did not round-trip");
    typed
}
