//! Passwords, stored only as Argon2id hashes (the crate's defaults: 19 MiB, 2 passes, one
//! lane, as OWASP recommends). Hashing and checking run off the async threads: each takes tens
//! of milliseconds of one core.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::LazyLock;

use crate::domain::people::Password;

/// The PHC string of a new password.
pub async fn hash(password: Password) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(password.expose()))
        .await
        .map_err(|e| anyhow::anyhow!("password hashing stopped: {e}"))?
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| anyhow::anyhow!("cannot encode a password salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash a password: {e}"))
}

/// A hash of nothing anyone knows: checked when an account does not exist or has no password,
/// so a wrong address takes as long to refuse as a wrong password.
static DECOY: LazyLock<String> = LazyLock::new(|| {
    hash_now(&crate::domain::secret::random_token()).expect("hashing a random token works")
});

/// Whether `password` matches `stored`; with no stored hash, spends the same time and says no.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DECOY.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash(Password::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("correct horse battery!".into(), Some(stored)).await);
        assert!(!verify("anything at all".into(), None).await);
        assert!(!verify("anything at all".into(), Some("not a hash".into())).await);
    }
}
