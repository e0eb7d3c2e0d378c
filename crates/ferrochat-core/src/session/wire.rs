//! The engine's view of HTTP: how a response ends up (done, worth retrying,
//! refused), the public API's paths, backoff, and `echo_id`s.

use serde_json::Value;

use super::HttpResponse;
use crate::chatwoot::ErrorBody;
use crate::wire::FromJson;

/// The first retry waits this long; each further one twice as long.
const BACKOFF_FIRST_MS: u64 = 1_000;
/// No retry waits longer: a visitor who comes back to the tab should not
/// wait minutes for the chat to recover.
const BACKOFF_MAX_MS: u64 = 30_000;

/// How a call ended, from the engine's side.
#[derive(Debug)]
pub(super) enum Outcome<T> {
    Done(T),
    /// Worth trying again: no answer, a 5xx, a 429, or a body that did not
    /// parse (a proxy's error page, a half-deployed server).
    Retry(String),
    /// The server refused the request (a 4xx other than 429): the same
    /// request would be refused again.
    Refused {
        status: u16,
        error: String,
    },
}

/// Classifies a response and parses a 2xx body as `T`.
pub(super) fn outcome<T: FromJson>(response: HttpResponse) -> Outcome<T> {
    match status_of(response) {
        // Through `Value` and the hand-written readers: serde's derived
        // parsers would weigh more in the widget's wasm.
        // The parser's own error is not kept: formatting it would cost the
        // wasm serde_json's messages, for a case no visitor can act on.
        Ok(body) => match serde_json::from_str::<Value>(&body)
            .map_err(|_| "the body is not JSON".to_owned())
            .and_then(T::from_json)
        {
            Ok(value) => Outcome::Done(value),
            Err(error) => Outcome::Retry(format!("unexpected response from the server: {error}")),
        },
        Err(failure) => failure,
    }
}

/// Classifies a response whose 2xx body does not matter (typing, last seen).
pub(super) fn outcome_empty(response: HttpResponse) -> Outcome<()> {
    match status_of(response) {
        Ok(_) => Outcome::Done(()),
        Err(failure) => failure,
    }
}

/// A 2xx body, or the failure.
fn status_of<T>(response: HttpResponse) -> Result<String, Outcome<T>> {
    match response {
        HttpResponse::Failed { error } => Err(Outcome::Retry(format!("network error: {error}"))),
        HttpResponse::Answered { status, body } if (200..300).contains(&status) => Ok(body),
        HttpResponse::Answered { status, body } if status == 429 || status >= 500 => {
            Err(Outcome::Retry(match described(&body) {
                Some(detail) => format!("server error {status}: {detail}"),
                None => format!("server error {status}"),
            }))
        }
        HttpResponse::Answered { status, body } => Err(Outcome::Refused {
            status,
            error: described(&body)
                .unwrap_or_else(|| format!("the server refused the request ({status})")),
        }),
    }
}

/// The server's own words for an error, when its body is one of Chatwoot's
/// error shapes.
fn described(body: &str) -> Option<String> {
    let body = serde_json::from_str::<Value>(body).ok()?;
    match ErrorBody::from_json(body).ok()? {
        ErrorBody::Other(_) => None,
        known => Some(known.describe()),
    }
}

/// The wait before retry number `failures` (0-based): 1 s, 2 s, 4 s, … 30 s.
pub(super) fn backoff_ms(failures: u32) -> u64 {
    BACKOFF_FIRST_MS
        .saturating_mul(1u64 << failures.min(16))
        .min(BACKOFF_MAX_MS)
}

/// Percent-encodes one path segment: identifiers come from storage and the
/// host page, and must not be able to change the path.
pub(super) fn segment(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// An `echo_id`: the time, then the `counter`th value of a SplitMix64
/// sequence seeded with `seed`. The time keeps ids of a reload apart from
/// the previous page's; the seed keeps two tabs' apart; the counter keeps a
/// session's own apart.
pub(super) fn echo_id(seed: u64, counter: u64, now_ms: u64) -> String {
    let mut z = seed.wrapping_add(counter.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    format!("{now_ms:x}-{z:016x}")
}
