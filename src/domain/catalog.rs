//! What administrations register: names, titles, origins and tags, parsed once.

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use super::text::clean_text;

/// A human-readable name or title: cleaned, non-empty, at most 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Name, String> {
        let text = clean_text(raw).replace(['\n', '\t'], " ");
        match text.chars().count() {
            0 => Err("must not be empty".into()),
            n if n > Self::MAX_CHARS => Err(format!(
                "must be at most {} characters long",
                Self::MAX_CHARS
            )),
            _ => Ok(Name(text)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A short identifier given by someone else (the observatory's procedure number, a source tag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Tag(String);

impl Tag {
    pub const MAX_CHARS: usize = 64;

    /// Letters, digits and `-_.:` only, 1 to 64 characters.
    pub fn parse(raw: &str) -> Result<Tag, String> {
        let raw = raw.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.:".contains(c);
        if raw.is_empty() || raw.len() > Self::MAX_CHARS || !raw.chars().all(allowed) {
            return Err(format!(
                "must be 1 to {} letters, digits or -_.: characters",
                Self::MAX_CHARS
            ));
        }
        Ok(Tag(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A web origin (`https://host[:port]`) allowed to embed a button's widget.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(value_type = String, example = "https://www.example.gouv.fr")]
pub struct Origin(String);

impl Origin {
    pub fn parse(raw: &str) -> Result<Origin, String> {
        let url = Url::parse(raw.trim()).map_err(|e| format!("is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(
                "must be an http or https origin such as https://www.example.gouv.fr".into(),
            );
        }
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err("must be an origin only, without path, query or fragment".into());
        }
        Ok(Origin(url.origin().ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Scope {
    #[serde(rename = "admin")]
    Admin,
    #[serde(rename = "indicators:read")]
    IndicatorsRead,
}

impl Scope {
    pub fn code(self) -> &'static str {
        match self {
            Scope::Admin => "admin",
            Scope::IndicatorsRead => "indicators:read",
        }
    }

    pub fn parse(code: &str) -> Result<Scope, String> {
        match code {
            "admin" => Ok(Scope::Admin),
            "indicators:read" => Ok(Scope::IndicatorsRead),
            _ => Err("must be \"admin\" or \"indicators:read\"".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_bounded() {
        assert_eq!(
            Name::parse("  Demande\nde RSA ").unwrap().as_str(),
            "Demande de RSA"
        );
        assert!(Name::parse(" \u{0} ").is_err());
        assert!(Name::parse(&"a".repeat(201)).is_err());
    }

    #[test]
    fn origins_are_normalised_and_paths_refused() {
        assert_eq!(
            Origin::parse("HTTPS://Www.Example.gouv.fr")
                .unwrap()
                .as_str(),
            "https://www.example.gouv.fr"
        );
        assert_eq!(
            Origin::parse("http://localhost:8080/").unwrap().as_str(),
            "http://localhost:8080"
        );
        assert_eq!(
            Origin::parse("https://example.fr:443").unwrap().as_str(),
            "https://example.fr"
        );
        for bad in [
            "example.fr",
            "ftp://example.fr",
            "https://example.fr/page",
            "javascript:alert(1)",
            "https://a.fr/?q",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_refuse_spaces_and_markup() {
        assert!(Tag::parse("1617").is_ok());
        assert!(Tag::parse("footer-v2").is_ok());
        for bad in ["", "a b", "<b>", &"x".repeat(65)] {
            assert!(Tag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_have_stable_codes() {
        for scope in [Scope::Admin, Scope::IndicatorsRead] {
            assert_eq!(Scope::parse(scope.code()), Ok(scope));
        }
        assert!(Scope::parse("root").is_err());
    }
}
