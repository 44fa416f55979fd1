//! Secrets handed to clients (edit tokens, API keys): random, shown once, stored only as hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix that makes an avis API key recognisable in a config file or a leak scanner.
pub const API_KEY_PREFIX: &str = "avis_";

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A fresh API key secret.
pub fn new_api_key() -> String {
    format!("{API_KEY_PREFIX}{}", random_token())
}

/// The hash under which a high-entropy secret is stored and looked up.
///
/// The secrets are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Lower-case hexadecimal, two digits per byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    text
}

/// The few characters of a key shown in listings so an operator can tell keys apart.
pub fn display_prefix(secret: &str) -> String {
    secret.chars().take(API_KEY_PREFIX.len() + 6).collect()
}

/// How many bytes of the keyed hash a fingerprint keeps.
///
/// Two clients of one procedure share a fingerprint by chance with a probability of about
/// n² / 2⁶⁵ among n fingerprints of a duplicate window: under one in a million for ten million
/// reviews in an hour. Such a review would only be kept as a suspected duplicate. Every review
/// puts its fingerprint in an index for a day, at a random place: a quarter of the hash's
/// hexadecimal digits makes each entry less than half as large, and each batch cheaper to write.
pub const FINGERPRINT_BYTES: usize = 8;

/// A keyed hash of who sent a review to which procedure, under a salt that lives one day, in
/// hexadecimal. Once the salt is destroyed, nobody can tell whether two such hashes came from the
/// same client.
pub fn fingerprint(
    salt: &str,
    address: std::net::IpAddr,
    user_agent: &str,
    procedure: &str,
) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(salt.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{address}\n{user_agent}\n{procedure}").as_bytes());
    hex(&mac.finalize().into_bytes()[..FINGERPRINT_BYTES])
}

/// The key that signs hosted-form tokens. Nodes that share a database must share it.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// A key derived from an operator's secret phrase.
    pub fn from_phrase(phrase: &str) -> SigningKey {
        SigningKey(Sha256::digest(phrase.as_bytes()).into())
    }

    /// A fresh random key, good for one process.
    pub fn random() -> SigningKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SigningKey(bytes)
    }

    /// A secret for another purpose, derived from this key: who knows one cannot find the other.
    pub fn derive(&self, purpose: &str) -> String {
        let derived = self.mac(purpose).finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(derived)
    }

    fn mac(&self, message: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(message.as_bytes());
        mac
    }

    /// A token binding `subject` until `expires` (Unix seconds): `expires.signature`.
    pub fn sign(&self, subject: &str, expires: i64) -> String {
        let signature = self
            .mac(&format!("{subject}:{expires}"))
            .finalize()
            .into_bytes();
        format!("{expires}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// Whether `token` was signed by this key for `subject` and is still valid at `now`.
    pub fn verify(&self, token: &str, subject: &str, now: i64) -> bool {
        let Some((expires, signature)) = token.split_once('.') else {
            return false;
        };
        let (Ok(expires), Ok(signature)) =
            (expires.parse::<i64>(), URL_SAFE_NO_PAD.decode(signature))
        else {
            return false;
        };
        now <= expires
            && self
                .mac(&format!("{subject}:{expires}"))
                .verify_slice(&signature)
                .is_ok()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn hashes_are_stable_and_do_not_contain_the_secret() {
        let key = new_api_key();
        assert_eq!(hash(&key), hash(&key));
        assert_eq!(hash(&key).len(), 64);
        assert!(!hash(&key).contains(&key[5..]));
        assert!(display_prefix(&key).starts_with("avis_"));
        // Keys stored by earlier versions must still be found: lower-case SHA-256 in hex.
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn fingerprints_keep_the_start_of_the_keyed_hash() {
        let address = "192.0.2.7".parse().unwrap();
        let print = fingerprint("salt", address, "Firefox/140", "procedure");
        assert_eq!(print.len(), 2 * FINGERPRINT_BYTES);
        // The start of what earlier versions stored, so that a migration can shorten those.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"salt").unwrap();
        mac.update(b"192.0.2.7\nFirefox/140\nprocedure");
        assert!(hex(&mac.finalize().into_bytes()).starts_with(&print));
        assert_ne!(
            fingerprint("salt", address, "Firefox/141", "procedure"),
            print
        );
        assert_ne!(
            fingerprint("other", address, "Firefox/140", "procedure"),
            print
        );
    }

    #[test]
    fn signed_tokens_hold_for_their_subject_until_they_expire() {
        let key = SigningKey::from_phrase("phrase");
        let token = key.sign("button-1", 1_000);
        assert!(key.verify(&token, "button-1", 999));
        assert!(key.verify(&token, "button-1", 1_000));
        assert!(!key.verify(&token, "button-1", 1_001));
        assert!(!key.verify(&token, "button-2", 999));
        assert!(!SigningKey::random().verify(&token, "button-1", 999));
        let forged = token.replace("1000.", "9999.");
        assert!(!key.verify(&forged, "button-1", 999));
        assert!(!key.verify("garbage", "button-1", 0));
        assert!(!format!("{key:?}").contains("phrase"));
    }
}
