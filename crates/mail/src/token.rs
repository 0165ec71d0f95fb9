//! The signed reply address: `reply+<token>@<inbound domain>`, where the token names a ticket
//! and the recipient and carries an HMAC-SHA256 with a server secret, so that nobody can make
//! one for a ticket or a person they were not sent.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The ticket number and the user id a valid token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyToken {
    pub ticket_number: u64,
    pub user_id: String,
}

/// Bytes of the MAC kept in the token: 64 bits, far beyond guessing through an MTA.
const MAC_BYTES: usize = 8;

fn mac(secret: &[u8], ticket_number: u64, user_id: &str) -> Hmac<Sha256> {
    // An HMAC takes a key of any length (proven infallible for HMAC).
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("madoguchi-reply:{ticket_number}:{user_id}").as_bytes());
    mac
}

/// A UUID's 32 hex digits (the local part must stay under 64 characters); other ids as they are.
fn compact(user_id: &str) -> String {
    let hex: String = user_id.chars().filter(|c| *c != '-').collect();
    if hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        hex.to_ascii_lowercase()
    } else {
        user_id.to_owned()
    }
}

fn expand(compact: &str) -> String {
    if compact.len() == 32 && compact.chars().all(|c| c.is_ascii_hexdigit()) {
        format!(
            "{}-{}-{}-{}-{}",
            &compact[..8],
            &compact[8..12],
            &compact[12..16],
            &compact[16..20],
            &compact[20..]
        )
    } else {
        compact.to_owned()
    }
}

impl ReplyToken {
    /// The token for `user_id` on ticket `ticket_number` (lower case: MTAs may fold case).
    pub fn sign(secret: &[u8], ticket_number: u64, user_id: &str) -> String {
        let tag = mac(secret, ticket_number, user_id).finalize().into_bytes();
        format!(
            "{ticket_number}.{}.{}",
            compact(user_id),
            hex::encode(&tag[..MAC_BYTES])
        )
    }

    /// The full reply address.
    pub fn address(secret: &[u8], ticket_number: u64, user_id: &str, domain: &str) -> String {
        format!(
            "reply+{}@{domain}",
            Self::sign(secret, ticket_number, user_id)
        )
    }

    /// Checks a token; `None` when it is malformed or its MAC does not match.
    pub fn verify(secret: &[u8], token: &str) -> Option<ReplyToken> {
        let token = token.to_ascii_lowercase();
        let mut parts = token.split('.');
        let number: u64 = parts.next()?.parse().ok()?;
        let user_id = expand(parts.next()?);
        let tag = hex::decode(parts.next()?).ok()?;
        if parts.next().is_some() || tag.len() != MAC_BYTES {
            return None;
        }
        mac(secret, number, &user_id)
            .verify_truncated_left(&tag)
            .ok()?;
        Some(ReplyToken {
            ticket_number: number,
            user_id,
        })
    }

    /// The token of an address `reply+<token>@<domain>` (domain compared without case).
    pub fn from_address<'a>(address: &'a str, domain: &str) -> Option<&'a str> {
        let (local, host) = address.trim().rsplit_once('@')?;
        if !host.eq_ignore_ascii_case(domain) {
            return None;
        }
        let (tag, token) = local.split_once('+')?;
        tag.eq_ignore_ascii_case("reply").then_some(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

    #[test]
    fn a_signed_token_verifies_and_names_ticket_and_user() {
        let token = ReplyToken::sign(b"secret", 1042, USER);
        let address = ReplyToken::address(b"secret", 1042, USER, "in.example");
        assert!(address.len() - "@in.example".len() <= 64, "{address}");
        assert_eq!(
            ReplyToken::verify(b"secret", &token),
            Some(ReplyToken {
                ticket_number: 1042,
                user_id: USER.into()
            })
        );
        assert_eq!(
            ReplyToken::from_address(&address, "IN.EXAMPLE"),
            Some(token.as_str())
        );
        // MTAs may upper-case a local part.
        assert!(ReplyToken::verify(b"secret", &token.to_uppercase()).is_some());
    }

    #[test]
    fn a_changed_ticket_user_or_secret_fails() {
        let token = ReplyToken::sign(b"secret", 1042, USER);
        let other_ticket = token.replacen("1042", "1043", 1);
        assert_eq!(ReplyToken::verify(b"secret", &other_ticket), None);
        let other_user = token.replacen("0190a1b2", "0190a1b3", 1);
        assert_eq!(ReplyToken::verify(b"secret", &other_user), None);
        assert_eq!(ReplyToken::verify(b"other", &token), None);
        assert_eq!(ReplyToken::verify(b"secret", "garbage"), None);
        assert_eq!(
            ReplyToken::from_address("support@in.example", "in.example"),
            None
        );
        assert_eq!(
            ReplyToken::from_address("reply+x@elsewhere", "in.example"),
            None
        );
    }
}
