//! Where mail goes: `--smtp-url` (`smtp://host:port`, `smtp://…?tls=starttls`, `smtps://…`, with
//! the relay's user and password in the URL) and `--smtp-from`, parsed once, and the lettre
//! transport they make. The credentials never show: the URL displays with them masked.

use std::fmt;
use std::time::Duration;

use anyhow::Context;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use url::Url;

/// How long a relay has to answer each step of a conversation.
const TIMEOUT: Duration = Duration::from_secs(20);

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// Plain SMTP: for a relay on this machine or its private network.
    Plain,
    /// Plain connection upgraded by STARTTLS, which must succeed.
    StartTls,
    /// TLS from the first byte (`smtps://`, often port 465).
    Wrapped,
}

/// The relay's address and credentials. Displays and debugs with the credentials masked.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    host: String,
    port: u16,
    security: Security,
    user: Option<String>,
    password: Option<String>,
}

impl SmtpUrl {
    pub fn parse(raw: &str) -> anyhow::Result<SmtpUrl> {
        // The URL itself is never repeated in an error: it may hold a password.
        let url = Url::parse(raw.trim()).map_err(|_| {
            anyhow::anyhow!("--smtp-url is not a URL: use smtp://host:port or smtps://host:port")
        })?;
        let mut security = match url.scheme() {
            "smtp" => Security::Plain,
            "smtps" => Security::Wrapped,
            other => anyhow::bail!("--smtp-url: unsupported scheme {other}: use smtp or smtps"),
        };
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref(), security) {
                ("tls", "starttls", Security::Plain) => security = Security::StartTls,
                ("tls", _, _) => anyhow::bail!(
                    "--smtp-url: tls=starttls is the only choice, and only with smtp://"
                ),
                (other, _, _) => anyhow::bail!("--smtp-url: unknown parameter {other}"),
            }
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .context("--smtp-url names no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = url.port().unwrap_or(match security {
            Security::Wrapped => 465,
            Security::Plain | Security::StartTls => 25,
        });
        let decode = |part: &str| {
            percent_decode(part).context("--smtp-url: the user or password is not valid UTF-8")
        };
        let user = match url.username() {
            "" => None,
            user => Some(decode(user)?),
        };
        let password = url.password().map(decode).transpose()?;
        anyhow::ensure!(
            password.is_none() || user.is_some(),
            "--smtp-url: a password needs a user"
        );
        Ok(SmtpUrl {
            host,
            port,
            security,
            user,
            password,
        })
    }
}

/// A part of the URL's user information as it was meant: `%40` is `@`, and `+` stays `+`.
fn percent_decode(part: &str) -> anyhow::Result<String> {
    Ok(percent_encoding::percent_decode_str(part)
        .decode_utf8()?
        .into_owned())
}

impl fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.security {
            Security::Wrapped => "smtps",
            Security::Plain | Security::StartTls => "smtp",
        };
        let credentials = match (&self.user, &self.password) {
            (Some(_), Some(_)) => "********:********@",
            (Some(_), None) => "********@",
            _ => "",
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(f, "{scheme}://{credentials}{host}:{}", self.port)?;
        if self.security == Security::StartTls {
            f.write_str("?tls=starttls")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpUrl({self})")
    }
}

/// Mail is on: where it goes and whom it comes from.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub url: SmtpUrl,
    pub from: Mailbox,
}

impl SmtpSettings {
    /// Both flags or neither: mail is off without a relay, and a relay needs a sender.
    pub fn parse(url: Option<&str>, from: Option<&str>) -> anyhow::Result<Option<SmtpSettings>> {
        match (url, from) {
            (None, None) => Ok(None),
            (Some(url), Some(from)) => Ok(Some(SmtpSettings {
                url: SmtpUrl::parse(url)?,
                from: from.trim().parse().map_err(|_| {
                    anyhow::anyhow!(
                        "--smtp-from is not an address: use avis@example.fr or \"Avis <avis@example.fr>\""
                    )
                })?,
            })),
            (Some(_), None) => anyhow::bail!("--smtp-url needs --smtp-from, the sender's address"),
            (None, Some(_)) => anyhow::bail!("--smtp-from needs --smtp-url"),
        }
    }

    /// The domain of the sender's address, for the Message-IDs.
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }

    /// A transport to the relay; it connects only when a message is sent.
    pub fn transport(&self) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
        crate::accounts::oidc::install_tls_provider();
        let url = &self.url;
        let tls = match url.security {
            Security::Plain => Tls::None,
            Security::StartTls => Tls::Required(tls_parameters(&url.host)?),
            Security::Wrapped => Tls::Wrapper(tls_parameters(&url.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&url.host)
            .port(url.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
        if let Some(user) = &url.user {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                url.password.clone().unwrap_or_default(),
            ));
        }
        Ok(builder.build())
    }
}

fn tls_parameters(host: &str) -> anyhow::Result<TlsParameters> {
    TlsParameters::new(host.to_owned()).context("cannot set up TLS towards the SMTP relay")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms_of_url_are_understood() {
        let plain = SmtpUrl::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((plain.port, plain.security), (2525, Security::Plain));
        let starttls = SmtpUrl::parse("smtp://relay.example.fr?tls=starttls").unwrap();
        assert_eq!((starttls.port, starttls.security), (25, Security::StartTls));
        let wrapped = SmtpUrl::parse("smtps://relay.example.fr").unwrap();
        assert_eq!((wrapped.port, wrapped.security), (465, Security::Wrapped));
    }

    #[test]
    fn credentials_are_read_and_never_shown() {
        let url =
            SmtpUrl::parse("smtps://avis%40ville.fr:p%40ss%20w0rd@relay.example.fr:465").unwrap();
        assert_eq!(url.user.as_deref(), Some("avis@ville.fr"));
        assert_eq!(url.password.as_deref(), Some("p@ss w0rd"));
        for shown in [url.to_string(), format!("{url:?}")] {
            assert!(
                !shown.contains("ville") && !shown.contains("w0rd"),
                "{shown}"
            );
            assert!(shown.contains("relay.example.fr:465"), "{shown}");
        }
    }

    #[test]
    fn wrong_urls_are_refused_without_repeating_them() {
        for raw in [
            "http://relay.example.fr",
            "smtp://relay.example.fr?tls=maybe",
            "smtps://relay.example.fr?tls=starttls",
            "smtp://relay.example.fr?port=25",
            "smtp://:s3cret@relay.example.fr",
            "not a url s3cret",
        ] {
            let err = SmtpUrl::parse(raw).unwrap_err().to_string();
            assert!(!err.contains("s3cret"), "{err}");
        }
    }

    #[test]
    fn a_relay_needs_a_sender_and_a_sender_a_relay() {
        assert!(SmtpSettings::parse(None, None).unwrap().is_none());
        assert!(SmtpSettings::parse(Some("smtp://localhost"), None).is_err());
        assert!(SmtpSettings::parse(None, Some("avis@example.fr")).is_err());
        assert!(SmtpSettings::parse(Some("smtp://localhost"), Some("not an address")).is_err());
        let settings =
            SmtpSettings::parse(Some("smtp://localhost"), Some("Avis <avis@example.fr>"))
                .unwrap()
                .unwrap();
        assert_eq!(settings.domain(), "example.fr");
    }
}
