//! Identity validation: `identifier_hash` is the lowercase hex HMAC-SHA256 of
//! a contact's `identifier`, keyed with the inbox's `hmac_token`. A site's
//! backend computes it; the server verifies it.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Hex digits of a SHA-256 HMAC.
pub const IDENTIFIER_HASH_LEN: usize = 64;

fn mac(hmac_token: &str, identifier: &str) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(hmac_token.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(identifier.as_bytes());
    mac
}

/// The `identifier_hash` for `identifier` under the inbox's `hmac_token`.
pub fn identifier_hash(hmac_token: &str, identifier: &str) -> String {
    let tag = mac(hmac_token, identifier).finalize().into_bytes();
    let mut hex = String::with_capacity(IDENTIFIER_HASH_LEN);
    for byte in tag {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn lower_hex_digit(byte: u8) -> Option<u32> {
    match byte {
        b'0'..=b'9' | b'a'..=b'f' => char::from(byte).to_digit(16),
        _ => None,
    }
}

/// Whether `given` is the right hash for `identifier`. The comparison of the
/// tags takes the same time wherever they differ, so a caller cannot learn
/// the right hash byte by byte; only the (public) length and lowercase-hex
/// form of `given` are checked first. Like Chatwoot, which compares the hex
/// strings, an upper-case hash is refused.
pub fn verify_identifier_hash(hmac_token: &str, identifier: &str, given: &str) -> bool {
    let Some(tag) = decode_hex(given) else {
        return false;
    };
    mac(hmac_token, identifier).verify_slice(&tag).is_ok()
}

fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != IDENTIFIER_HASH_LEN {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let high = lower_hex_digit(pair[0])?;
        let low = lower_hex_digit(pair[1])?;
        *slot = u8::try_from(high << 4 | low).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::{identifier_hash, verify_identifier_hash};

    /// RFC 4231, test case 2.
    const RFC_KEY: &str = "Jefe";
    const RFC_DATA: &str = "what do ya want for nothing?";
    const RFC_TAG: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    #[test]
    fn matches_the_rfc_4231_vector() {
        assert_eq!(identifier_hash(RFC_KEY, RFC_DATA), RFC_TAG);
        assert!(verify_identifier_hash(RFC_KEY, RFC_DATA, RFC_TAG));
        // Chatwoot compares lowercase hex strings; so does ferrochat.
        assert!(!verify_identifier_hash(
            RFC_KEY,
            RFC_DATA,
            &RFC_TAG.to_uppercase()
        ));
    }

    #[test]
    fn refuses_any_other_hash() {
        let good = identifier_hash("inbox-token", "user-42");
        assert!(verify_identifier_hash("inbox-token", "user-42", &good));
        // Another identifier, another token, one flipped digit, a cut or
        // padded hash, non-hex: all refused.
        assert!(!verify_identifier_hash("inbox-token", "user-43", &good));
        assert!(!verify_identifier_hash("other-token", "user-42", &good));
        let mut flipped = good.clone().into_bytes();
        flipped[63] = if flipped[63] == b'0' { b'1' } else { b'0' };
        assert!(!verify_identifier_hash(
            "inbox-token",
            "user-42",
            &String::from_utf8(flipped).unwrap()
        ));
        assert!(!verify_identifier_hash(
            "inbox-token",
            "user-42",
            &good[..62]
        ));
        assert!(!verify_identifier_hash(
            "inbox-token",
            "user-42",
            &format!("{good}00")
        ));
        assert!(!verify_identifier_hash(
            "inbox-token",
            "user-42",
            &"zz".repeat(32)
        ));
        assert!(!verify_identifier_hash("inbox-token", "user-42", ""));
    }
}
