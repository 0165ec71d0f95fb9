//! Random secrets (API tokens, session ids, CSRF tokens) and their stored digests.

use base64::Engine;
use sha2::{Digest, Sha256};

/// 32 random bytes from the operating system, URL-safe base64: 256 bits, unguessable.
pub fn random_secret() -> Result<String, crate::StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| crate::StoreError::corrupt(format!("no randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored instead of a secret: a database leak gives away no usable token.
/// A plain SHA-256 suffices: the secrets are random, not passwords.
pub(crate) fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
