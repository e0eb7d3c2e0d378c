//! The server's clock. Rows keep unix milliseconds; Chatwoot's public shapes
//! want unix seconds and its webhooks ISO 8601.

use std::time::{SystemTime, UNIX_EPOCH};

use ferrochat_core::time::UtcMillis;

pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub(crate) fn seconds(millis: i64) -> i64 {
    millis.div_euclid(1000)
}

/// `2024-05-01T10:00:00.000Z`.
pub(crate) fn iso(millis: i64) -> String {
    UtcMillis::from_unix_millis(millis)
        .map(|time| time.to_string())
        .unwrap_or_default()
}
