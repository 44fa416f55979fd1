//! Proof of work for buttons under attack: an ALTCHA (v2) challenge the widget solves before its
//! first answer is accepted.
//!
//! A challenge is bound to one button, expires after a few minutes and is signed with a key
//! derived from the form-signing key, so every node sharing that key can check it. Issuing one
//! costs the server an HMAC; checking one costs a single key derivation, while finding the
//! solution costs the client about 256 of them. A solution is accepted once: the challenges
//! already used are remembered by this node until they expire (like the rate limits, this memory
//! is per node).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use altcha::{Challenge, CreateChallengeOptions, Payload, VerifySolutionOptions};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;

use crate::domain::secret::SigningKey;

/// The key derivation clients run: available in every browser's WebCrypto.
const ALGORITHM: &str = "PBKDF2/SHA-256";
/// Two leading zero hex digits: one derivation in 256 succeeds.
const KEY_PREFIX: &str = "00";
/// How long a challenge may be solved and used, in seconds.
pub const CHALLENGE_TTL_SECONDS: i64 = 300;
/// Challenges remembered at most; past that, new proofs wait for old ones to expire.
const REMEMBERED_AT_MOST: usize = 1_000_000;

/// Why a proof was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the proof of work is not a base64-encoded ALTCHA payload")]
    Malformed,
    #[error("the proof of work was issued for another button")]
    OtherButton,
    #[error("the proof of work has expired; ask for a new challenge")]
    Expired,
    #[error("the proof of work was not signed by this service")]
    BadSignature,
    #[error("the proof of work does not solve its challenge")]
    Unsolved,
    #[error("the proof of work has already been used")]
    Replayed,
    #[error("too many proofs of work are pending; try again in a minute")]
    Saturated,
}

pub struct ProofOfWork {
    secret: String,
    cost: u32,
    /// Signatures of the challenges already used, with their expiry (Unix seconds).
    used: Mutex<HashMap<String, i64>>,
}

impl ProofOfWork {
    /// `cost` is the number of PBKDF2 iterations of one attempt.
    pub fn new(key: &SigningKey, cost: u32) -> ProofOfWork {
        ProofOfWork {
            secret: key.derive("altcha challenges"),
            cost: cost.max(1),
            used: Mutex::new(HashMap::new()),
        }
    }

    /// A fresh challenge for `button`, valid until `now` + [`CHALLENGE_TTL_SECONDS`].
    pub fn challenge(&self, button: Uuid, now: i64) -> Challenge {
        let data = BTreeMap::from([("button".to_owned(), button.to_string().into())]);
        altcha::create_challenge(CreateChallengeOptions {
            algorithm: ALGORITHM.to_owned(),
            cost: self.cost,
            data: Some(data),
            expires_at: Some(now + CHALLENGE_TTL_SECONDS),
            key_prefix: KEY_PREFIX.to_owned(),
            hmac_signature_secret: Some(self.secret.clone()),
            ..CreateChallengeOptions::default()
        })
        .expect("a PBKDF2 challenge with a hex prefix is always valid")
    }

    /// Accepts `encoded` (base64 of the JSON `{challenge, solution}`, as ALTCHA clients send it)
    /// once, for `button`.
    pub fn accept(&self, encoded: &str, button: Uuid, now: i64) -> Result<(), Refusal> {
        let json = STANDARD
            .decode(encoded.trim())
            .map_err(|_| Refusal::Malformed)?;
        let payload: Payload = serde_json::from_slice(&json).map_err(|_| Refusal::Malformed)?;
        let parameters = &payload.challenge.parameters;
        let bound_to = parameters
            .data
            .as_ref()
            .and_then(|data| data.get("button"))
            .and_then(|value| value.as_str());
        if bound_to != Some(button.to_string().as_str()) {
            return Err(Refusal::OtherButton);
        }
        let (Some(expires_at), Some(signature)) =
            (parameters.expires_at, payload.challenge.signature.clone())
        else {
            return Err(Refusal::BadSignature);
        };
        if expires_at < now {
            return Err(Refusal::Expired);
        }
        if parameters.algorithm != ALGORITHM {
            return Err(Refusal::BadSignature);
        }
        if self.used().contains_key(&signature) {
            return Err(Refusal::Replayed);
        }
        let verdict = altcha::verify_solution(VerifySolutionOptions::new(
            &payload.challenge,
            &payload.solution,
            self.secret.as_str(),
        ))
        .map_err(|_| Refusal::Malformed)?;
        if verdict.expired {
            return Err(Refusal::Expired);
        }
        if verdict.invalid_signature == Some(true) {
            return Err(Refusal::BadSignature);
        }
        if !verdict.verified {
            return Err(Refusal::Unsolved);
        }
        let mut used = self.used();
        if used.len() >= REMEMBERED_AT_MOST {
            used.retain(|_, expiry| *expiry >= now);
            if used.len() >= REMEMBERED_AT_MOST {
                return Err(Refusal::Saturated);
            }
        }
        match used.insert(signature, expires_at) {
            Some(_) => Err(Refusal::Replayed),
            None => Ok(()),
        }
    }

    /// Forgets the challenges that expired: they can no longer be presented anyway.
    pub fn housekeeping(&self, now: i64) {
        self.used().retain(|_, expiry| *expiry >= now);
    }

    pub fn remembered(&self) -> usize {
        self.used().len()
    }

    fn used(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.used
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl std::fmt::Debug for ProofOfWork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProofOfWork")
            .field("cost", &self.cost)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use altcha::{Solution, SolveChallengeOptions};

    const NOW: i64 = 1_800_000_000;

    fn proof() -> ProofOfWork {
        ProofOfWork::new(&SigningKey::from_phrase("test"), 10)
    }

    fn solve(challenge: &Challenge) -> Solution {
        altcha::solve_challenge(SolveChallengeOptions::new(challenge))
            .unwrap()
            .expect("a solution within the timeout")
    }

    fn encode(challenge: &Challenge, solution: &Solution) -> String {
        let payload = Payload {
            challenge: challenge.clone(),
            solution: solution.clone(),
        };
        STANDARD.encode(serde_json::to_vec(&payload).unwrap())
    }

    #[test]
    fn a_solved_challenge_is_accepted_once() {
        let pow = proof();
        let button = Uuid::now_v7();
        let challenge = pow.challenge(button, NOW);
        let encoded = encode(&challenge, &solve(&challenge));
        assert_eq!(pow.accept(&encoded, button, NOW + 10), Ok(()));
        assert_eq!(
            pow.accept(&encoded, button, NOW + 11),
            Err(Refusal::Replayed)
        );
        pow.housekeeping(NOW + CHALLENGE_TTL_SECONDS);
        assert_eq!(pow.remembered(), 1, "kept until it expires");
        pow.housekeeping(NOW + CHALLENGE_TTL_SECONDS + 1);
        assert_eq!(pow.remembered(), 0);
    }

    #[test]
    fn wrong_proofs_are_told_apart() {
        let pow = proof();
        let button = Uuid::now_v7();
        let challenge = pow.challenge(button, NOW);
        let solution = solve(&challenge);
        let encoded = encode(&challenge, &solution);

        assert_eq!(
            pow.accept(&encoded, Uuid::now_v7(), NOW),
            Err(Refusal::OtherButton)
        );
        assert_eq!(
            pow.accept(&encoded, button, NOW + CHALLENGE_TTL_SECONDS + 1),
            Err(Refusal::Expired)
        );
        assert_eq!(
            pow.accept("not base64!", button, NOW),
            Err(Refusal::Malformed)
        );
        assert_eq!(
            pow.accept(&STANDARD.encode("{}"), button, NOW),
            Err(Refusal::Malformed)
        );

        let mut wrong = solution.clone();
        wrong.counter += 1;
        assert_eq!(
            pow.accept(&encode(&challenge, &wrong), button, NOW),
            Err(Refusal::Unsolved)
        );

        // A longer life breaks the signature, and so does another service's key.
        let mut longer = challenge.clone();
        longer.parameters.expires_at = Some(NOW + 86_400);
        assert_eq!(
            pow.accept(&encode(&longer, &solution), button, NOW),
            Err(Refusal::BadSignature)
        );
        let other = ProofOfWork::new(&SigningKey::from_phrase("another"), 10);
        let foreign = other.challenge(button, NOW);
        assert_eq!(
            pow.accept(&encode(&foreign, &solve(&foreign)), button, NOW),
            Err(Refusal::BadSignature)
        );
        assert_eq!(pow.remembered(), 0, "nothing refused is remembered");
    }
}
