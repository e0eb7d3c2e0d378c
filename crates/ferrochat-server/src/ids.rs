//! Random credentials and ids. Every token a visitor or an agent holds comes
//! from the operating system's generator and carries at least 128 bits.

use std::fmt::Write;

/// 16 random bytes as 32 lowercase hex characters (128 bits).
pub(crate) fn token() -> String {
    hex(&random::<16>())
}

/// 24 random bytes as 48 hex characters (192 bits): API access tokens and
/// webhook secrets, which are long-lived.
pub(crate) fn long_token() -> String {
    hex(&random::<24>())
}

/// A version 4 UUID (a conversation's `uuid`, which Chatwoot shows in
/// survey links).
pub(crate) fn uuid() -> String {
    let mut bytes = random::<16>();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let text = hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &text[0..8],
        &text[8..12],
        &text[12..16],
        &text[16..20],
        &text[20..32]
    )
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS generator failing means the machine cannot make credentials at
    // all; there is nothing sensible to continue with.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random generator failed");
    bytes
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_long_random_and_distinct() {
        let a = super::token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, super::token());
        assert_eq!(super::long_token().len(), 48);
        let uuid = super::uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
    }
}
