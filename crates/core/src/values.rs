//! Values with an invariant, parsed once at the edge ("parse, don't validate").

use std::fmt;

use crate::validation::Problem;

/// Trims, rejects empty input and control characters, and caps the length in characters.
fn one_line(input: &str, max: usize) -> Result<String, Problem> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Problem::Required);
    }
    if trimmed.chars().count() > max {
        return Err(Problem::TooLong { max });
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() || crate::validation::is_bidi_control(c))
    {
        return Err(Problem::BadCharacters {
            allowed: "one line of text",
        });
    }
    Ok(trimmed.to_owned())
}

/// An identifier of ASCII letters, digits, `-` and `_`, as contract numbers and tenant IDs are.
fn identifier(input: &str, max: usize) -> Result<String, Problem> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Problem::Required);
    }
    if trimmed.len() > max {
        return Err(Problem::TooLong { max });
    }
    if !trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Problem::BadCharacters {
            allowed: "A-Z a-z 0-9 - _",
        });
    }
    Ok(trimmed.to_owned())
}

macro_rules! string_value {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_value! {
    /// A display name: an organization's, a person's, a product line's (one line, ≤ 200 chars).
    Name
}

impl Name {
    pub const MAX: usize = 200;

    pub fn parse(input: &str) -> Result<Self, Problem> {
        one_line(input, Self::MAX).map(Name)
    }
}

string_value! {
    /// An email address, trimmed and lower-cased so that one person has one account.
    Email
}

impl Email {
    pub const MAX: usize = 254;

    pub fn parse(input: &str) -> Result<Self, Problem> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Problem::Required);
        }
        if trimmed.len() > Self::MAX {
            return Err(Problem::TooLong { max: Self::MAX });
        }
        let lower = trimmed.to_lowercase();
        let Some((local, domain)) = lower.split_once('@') else {
            return Err(Problem::NotAnEmail);
        };
        let well_formed = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain.contains('.')
            && !lower.chars().any(|c| c.is_whitespace() || c.is_control());
        if well_formed {
            Ok(Email(lower))
        } else {
            Err(Problem::NotAnEmail)
        }
    }
}

string_value! {
    /// 契約番号: the number of a contract, unique across the service.
    ContractNumber
}

impl ContractNumber {
    pub const MAX: usize = 64;

    pub fn parse(input: &str) -> Result<Self, Problem> {
        identifier(input, Self::MAX).map(ContractNumber)
    }
}

string_value! {
    /// A cloud tenant ID (`tenant-1a2b…`), unique across the service.
    TenantId
}

impl TenantId {
    pub const MAX: usize = 64;

    pub fn parse(input: &str) -> Result<Self, Problem> {
        identifier(input, Self::MAX).map(TenantId)
    }
}

/// A ticket's readable key, `SD-1042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketKey(u64);

impl TicketKey {
    pub const PREFIX: &'static str = "SD-";

    pub fn from_number(number: u64) -> Self {
        TicketKey(number)
    }

    pub fn number(self) -> u64 {
        self.0
    }

    /// Accepts `SD-1042` (any case of the prefix); nothing else, not even spaces or a line
    /// break around it (a search box trims what was typed before asking).
    pub fn parse(input: &str) -> Option<Self> {
        let (prefix, digits) = input.split_at_checked(Self::PREFIX.len())?;
        if !prefix.eq_ignore_ascii_case(Self::PREFIX)
            || digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        digits.parse().ok().map(TicketKey)
    }
}

impl fmt::Display for TicketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", Self::PREFIX, self.0)
    }
}

/// Passwords: long enough to resist guessing, short enough not to burden the hasher.
pub fn check_password(password: &str) -> Result<(), Problem> {
    const MIN: usize = 8;
    const MAX: usize = 256;
    let n = password.chars().count();
    if n == 0 {
        Err(Problem::Required)
    } else if n < MIN {
        Err(Problem::Conflicts {
            reason: "problem.password_too_short",
        })
    } else if n > MAX {
        Err(Problem::TooLong { max: MAX })
    } else {
        Ok(())
    }
}

/// The most characters of words searched (`q` of the ticket, queue and article lists): more
/// than any question needs, and a bound on the work one search makes the index do, since
/// every word becomes clauses of its query.
pub const SEARCH_WORDS_MAX: usize = 200;

/// Words to search for, within [`SEARCH_WORDS_MAX`] characters.
pub fn check_search_words(words: &str) -> Result<(), Problem> {
    if words.chars().count() > SEARCH_WORDS_MAX {
        return Err(Problem::TooLong {
            max: SEARCH_WORDS_MAX,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            Name::parse("  株式会社サンプル ").unwrap().as_str(),
            "株式会社サンプル"
        );
        assert_eq!(Name::parse("   "), Err(Problem::Required));
        assert_eq!(
            Name::parse(&"あ".repeat(201)),
            Err(Problem::TooLong { max: 200 })
        );
        assert!(Name::parse(&"あ".repeat(200)).is_ok());
        assert!(matches!(
            Name::parse("a\nb"),
            Err(Problem::BadCharacters { .. })
        ));
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            Email::parse(" Taro@Example.CO.JP ").unwrap().as_str(),
            "taro@example.co.jp"
        );
        for bad in [
            "taro",
            "taro@",
            "@example.com",
            "taro@example",
            "ta ro@example.com",
            "a@b@c.com",
            "a@.com",
        ] {
            assert_eq!(Email::parse(bad), Err(Problem::NotAnEmail), "{bad}");
        }
        assert_eq!(Email::parse(""), Err(Problem::Required));
    }

    #[test]
    fn contract_numbers_and_tenant_ids_are_plain_identifiers() {
        assert_eq!(
            ContractNumber::parse(" ECL-2024-0001 ").unwrap().as_str(),
            "ECL-2024-0001"
        );
        assert!(matches!(
            ContractNumber::parse("ECL 2024"),
            Err(Problem::BadCharacters { .. })
        ));
        assert!(matches!(
            TenantId::parse("テナント"),
            Err(Problem::BadCharacters { .. })
        ));
        assert_eq!(
            TenantId::parse(&"a".repeat(65)),
            Err(Problem::TooLong { max: 64 })
        );
        assert_eq!(
            TenantId::parse("tenant-1a2b3c").unwrap().as_str(),
            "tenant-1a2b3c"
        );
    }

    #[test]
    fn ticket_keys_parse_and_print() {
        assert_eq!(
            TicketKey::parse("SD-1042"),
            Some(TicketKey::from_number(1042))
        );
        assert_eq!(TicketKey::parse("sd-7"), Some(TicketKey::from_number(7)));
        assert_eq!(TicketKey::from_number(1042).to_string(), "SD-1042");
        for bad in [
            "SD-", "SD1042", "XX-1", "SD-12a", "SD--1", "", "S", "SD-1\n", " SD-1", "SD-1 ",
        ] {
            assert_eq!(TicketKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn passwords_have_a_minimum_length() {
        assert!(check_password("correct horse").is_ok());
        assert!(check_password("short").is_err());
        assert_eq!(check_password(""), Err(Problem::Required));
    }

    #[test]
    fn search_words_are_bounded() {
        assert!(check_search_words(&"a".repeat(SEARCH_WORDS_MAX)).is_ok());
        assert!(
            check_search_words(&"検".repeat(SEARCH_WORDS_MAX)).is_ok(),
            "characters, not bytes"
        );
        assert_eq!(
            check_search_words(&"a ".repeat(25_000)),
            Err(Problem::TooLong { max: 200 })
        );
    }
}
