//! People of the back-office: their email addresses, roles and passwords' rules, parsed once.

use std::fmt;

use serde::Serialize;

/// An email address as accounts are matched by: trimmed and lower-cased, one `@`, a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let email = raw.trim().to_lowercase();
        let Some((local, domain)) = email.split_once('@') else {
            return Err(EmailError);
        };
        let fine_domain = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let fine_local = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "@<>()[]\\,;:\"".contains(c));
        if !fine_domain || !fine_local || email.chars().count() > Self::MAX_CHARS {
            return Err(EmailError);
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Not an email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailError;

/// What a person may do in one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads the organisation's dashboards and reviews; changes nothing.
    Member,
    /// Manages the organisation's procedures, buttons, members and keys, and moderates.
    Admin,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        match code {
            "member" => Some(Role::Member),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// What an invitation makes of the person who accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    Superadmin,
    Organisation(uuid::Uuid, Role),
}

impl Grant {
    /// The role's code as stored.
    pub fn code(self) -> &'static str {
        match self {
            Grant::Superadmin => "superadmin",
            Grant::Organisation(_, role) => role.code(),
        }
    }

    pub fn organisation(self) -> Option<uuid::Uuid> {
        match self {
            Grant::Superadmin => None,
            Grant::Organisation(id, _) => Some(id),
        }
    }
}

/// A new password: at least [`Password::MIN_CHARS`] characters, at most [`Password::MAX_CHARS`]
/// (Argon2 takes any length; the bound keeps a request from costing more than it should).
pub struct Password(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
}

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Password, PasswordError> {
        match raw.chars().count() {
            n if n < Self::MIN_CHARS => Err(PasswordError::TooShort),
            n if n > Self::MAX_CHARS => Err(PasswordError::TooLong),
            _ => Ok(Password(raw.to_owned())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_matched_lower_cased_and_trimmed() {
        let email = Email::parse("  Agent.Dupont@Interieur.Gouv.FR ").unwrap();
        assert_eq!(email.as_str(), "agent.dupont@interieur.gouv.fr");
        assert_eq!(email.domain(), "interieur.gouv.fr");
    }

    #[test]
    fn things_that_are_not_email_addresses_are_refused() {
        for raw in [
            "",
            "agent",
            "@gouv.fr",
            "agent@",
            "agent@gouv",
            "agent@.gouv.fr",
            "agent@gouv..fr",
            "a b@gouv.fr",
            "agent@gouv.fr>",
            "<agent@gouv.fr",
        ] {
            assert_eq!(Email::parse(raw), Err(EmailError), "{raw:?}");
        }
    }

    #[test]
    fn passwords_have_a_minimum_and_a_maximum_length() {
        assert_eq!(
            Password::parse("short").err(),
            Some(PasswordError::TooShort)
        );
        assert!(Password::parse("douze caract").is_ok());
        assert_eq!(
            Password::parse(&"x".repeat(257)).err(),
            Some(PasswordError::TooLong)
        );
        assert_eq!(
            format!("{:?}", Password::parse("a secret long enough").unwrap()),
            "Password(…)"
        );
    }

    #[test]
    fn roles_and_grants_round_trip_their_codes() {
        for role in [Role::Member, Role::Admin] {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert_eq!(Role::parse("superadmin"), None);
        assert_eq!(Grant::Superadmin.code(), "superadmin");
        assert!(Role::Admin > Role::Member);
    }
}
