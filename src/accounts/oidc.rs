//! Sign-in with ProConnect, the civil servants' OpenID Connect federation: the authorisation
//! code flow as ProConnect's rules for service providers have it.
//!
//! - The authorisation request carries exactly `response_type`, `client_id`, `redirect_uri`,
//!   `scope`, `state` and `nonce` (ProConnect refuses any other parameter, PKCE's included).
//! - `state` and `nonce` are 43 random characters each, kept in a short-lived cookie signed with
//!   the nodes' shared key, so any node can finish a flow another one began.
//! - The code is exchanged with the client secret in the form (`client_secret_post`); the
//!   id_token's signature, issuer, audience, expiry and nonce are checked.
//! - The person's claims come only from the userinfo answer, which must be a JWT signed like the
//!   id_token (`application/jwt`) and about the same subject.
//! - Signing out goes through the provider's `end_session_endpoint` with `id_token_hint`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use jiff::Timestamp;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::RwLock;
use url::Url;

use crate::config::Secret;
use crate::domain::people::Email;
use crate::domain::secret::{SigningKey, random_token};

/// What an operator configures.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Email domains whose people get an account at their first sign-in.
    pub allowed_domains: Vec<String>,
}

/// How long a begun sign-in may take at the provider.
const PENDING_SECONDS: i64 = 600;

/// How often the provider's keys may be read again for a token signed by a key not seen yet.
const KEYS_REFRESH: Duration = Duration::from_secs(60);

/// The scopes ProConnect gives the email and names under.
const SCOPE: &str = "openid email given_name usual_name";

/// Signature algorithms accepted from the provider; HS256 is keyed with the client secret.
const ALGORITHMS: [Algorithm; 3] = [Algorithm::RS256, Algorithm::ES256, Algorithm::HS256];

#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: Url,
    token_endpoint: Url,
    userinfo_endpoint: Url,
    jwks_uri: Url,
    end_session_endpoint: Option<Url>,
}

struct Provider {
    meta: Discovery,
    keys: JwkSet,
    keys_read: Instant,
}

#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    id_token: String,
}

#[derive(Deserialize)]
struct IdClaims {
    sub: String,
    nonce: Option<String>,
}

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    email: String,
    given_name: Option<String>,
    usual_name: Option<String>,
}

/// Who the provider says signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub email: Email,
    /// Given and usual names, as the account's display name.
    pub name: String,
    /// Kept with the session, to sign out at the provider.
    pub id_token: String,
}

/// The client of one provider, shared by every request.
pub struct Oidc {
    pub settings: OidcSettings,
    redirect_uri: String,
    post_logout_uri: String,
    http: reqwest::Client,
    provider: RwLock<Option<Arc<Provider>>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.settings.issuer)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// Makes ring the process's TLS provider, the one this binary carries (aws-lc's C build is long),
/// before any HTTP client is built; harmless when done already.
pub fn install_tls_provider() {
    // rustls marks ring's provider deprecated (it lacks post-quantum key exchange); ProConnect's
    // servers still offer the classic ones.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Whether a provider's address is acceptable: HTTPS, or plain HTTP on this machine only.
fn acceptable_issuer(issuer: &str) -> anyhow::Result<()> {
    let url = Url::parse(issuer).with_context(|| format!("invalid OpenID issuer {issuer:?}"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(host)) => host == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    ensure!(
        url.scheme() == "https" || (url.scheme() == "http" && loopback),
        "the OpenID issuer must be an https:// address (plain http only on loopback)"
    );
    Ok(())
}

impl Oidc {
    /// The client for `settings`, its addresses under `base_url`. The provider is read at the
    /// first sign-in, and again after a failure, so avis starts even while the provider is down.
    pub fn new(settings: OidcSettings, base_url: &str) -> anyhow::Result<Oidc> {
        acceptable_issuer(&settings.issuer)?;
        install_tls_provider();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .context("cannot build the OpenID client")?;
        Ok(Oidc {
            redirect_uri: format!("{base_url}/admin/login/oidc/callback"),
            post_logout_uri: format!("{base_url}/admin/login"),
            settings,
            http,
            provider: RwLock::new(None),
        })
    }

    async fn get_json<T: DeserializeOwned>(&self, url: Url) -> anyhow::Result<T> {
        let response = self.http.get(url.clone()).send().await?;
        ensure!(
            response.status().is_success(),
            "{url} answered {}",
            response.status()
        );
        Ok(response.json().await?)
    }

    async fn discover(&self) -> anyhow::Result<Provider> {
        let issuer = self.settings.issuer.trim_end_matches('/');
        let url = Url::parse(&format!("{issuer}/.well-known/openid-configuration"))?;
        let meta: Discovery = self.get_json(url).await.context("discovery failed")?;
        ensure!(
            meta.issuer == self.settings.issuer,
            "the discovery document names the issuer {:?}, not {:?}",
            meta.issuer,
            self.settings.issuer
        );
        let keys = self
            .get_json(meta.jwks_uri.clone())
            .await
            .context("reading the provider's keys failed")?;
        Ok(Provider {
            meta,
            keys,
            keys_read: Instant::now(),
        })
    }

    async fn provider(&self) -> anyhow::Result<Arc<Provider>> {
        if let Some(provider) = self.provider.read().await.clone() {
            return Ok(provider);
        }
        let provider = Arc::new(self.discover().await?);
        *self.provider.write().await = Some(provider.clone());
        Ok(provider)
    }

    /// The provider with its keys read again, for a token signed by a key not seen yet.
    async fn refreshed(&self, stale: &Provider) -> anyhow::Result<Option<Arc<Provider>>> {
        if stale.keys_read.elapsed() < KEYS_REFRESH {
            return Ok(None);
        }
        let provider = Arc::new(self.discover().await?);
        *self.provider.write().await = Some(provider.clone());
        Ok(Some(provider))
    }

    /// Where to send the browser, and the cookie value that remembers this flow.
    pub async fn begin(&self, signing: &SigningKey) -> anyhow::Result<(Url, String)> {
        let provider = self.provider().await?;
        let (state, nonce) = (random_token(), random_token());
        let mut url = provider.meta.authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", SCOPE)
            .append_pair("state", &state)
            .append_pair("nonce", &nonce);
        Ok((url, pending_cookie(signing, &state, &nonce)))
    }

    /// Finishes a flow from the callback's query and the flow's cookie: who signed in.
    pub async fn finish(
        &self,
        query: &[(String, String)],
        cookie: Option<&str>,
        signing: &SigningKey,
    ) -> anyhow::Result<Identity> {
        let param = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if let Some(error) = param("error") {
            bail!("the provider answered {error}");
        }
        let (state, nonce) = cookie
            .and_then(|c| pending(signing, c))
            .context("no sign-in under way in this browser, or it expired")?;
        ensure!(
            param("state").is_some_and(|s| same(s, &state)),
            "the state differs from the one sent"
        );
        let mut provider = self.provider().await?;
        if let Some(iss) = param("iss") {
            ensure!(
                iss == provider.meta.issuer,
                "the callback names another issuer"
            );
        }
        let code = param("code").context("the callback has no code")?;
        let response = self
            .http
            .post(provider.meta.token_endpoint.clone())
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &self.redirect_uri),
                ("client_id", &self.settings.client_id),
                ("client_secret", &self.settings.client_secret.0),
            ])
            .send()
            .await
            .context("the token request failed")?;
        ensure!(
            response.status().is_success(),
            "the token endpoint answered {}",
            response.status()
        );
        let tokens: Tokens = response.json().await.context("unreadable token answer")?;
        let id: IdClaims = self
            .verify_fresh(&mut provider, &tokens.id_token, true)
            .await
            .context("the id_token was refused")?;
        ensure!(
            id.nonce.as_deref().is_some_and(|n| same(n, &nonce)),
            "the id_token's nonce differs from the one sent"
        );
        let response = self
            .http
            .get(provider.meta.userinfo_endpoint.clone())
            .bearer_auth(&tokens.access_token)
            .send()
            .await
            .context("the userinfo request failed")?;
        ensure!(
            response.status().is_success(),
            "the userinfo endpoint answered {}",
            response.status()
        );
        let kind = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        ensure!(
            kind.split(';')
                .next()
                .is_some_and(|k| k.trim().eq_ignore_ascii_case("application/jwt")),
            "userinfo came as {kind:?}, not as a signed JWT"
        );
        let jwt = response.text().await?;
        let info: UserInfo = self
            .verify_fresh(&mut provider, jwt.trim(), false)
            .await
            .context("the userinfo was refused")?;
        ensure!(
            info.sub == id.sub,
            "userinfo and id_token are about different people"
        );
        let email = Email::parse(&info.email)
            .map_err(|_| anyhow::anyhow!("the provider's email is not an address"))?;
        let name = [info.given_name, info.usual_name]
            .into_iter()
            .flatten()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Identity {
            name: if name.is_empty() {
                email.to_string()
            } else {
                name
            },
            email,
            id_token: tokens.id_token,
        })
    }

    /// Checks a JWT's signature (key by `kid`, algorithm from the allow-list), issuer, audience
    /// and, for an id_token, expiry and issue time.
    fn verify<T: DeserializeOwned>(
        &self,
        provider: &Provider,
        jwt: &str,
        id_token: bool,
    ) -> Result<T, Refusal> {
        let header = decode_header(jwt).map_err(|e| Refusal::Invalid(e.into()))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(Refusal::Invalid(anyhow::anyhow!(
                "algorithm {:?} refused",
                header.alg
            )));
        }
        let key = if header.alg == Algorithm::HS256 {
            DecodingKey::from_secret(self.settings.client_secret.0.as_bytes())
                .map_err(|e| Refusal::Invalid(e.into()))?
        } else {
            let found = match &header.kid {
                Some(kid) => provider.keys.find(kid),
                None if provider.keys.keys.len() == 1 => provider.keys.keys.first(),
                None => None,
            };
            DecodingKey::from_jwk(found.ok_or(Refusal::UnknownKey)?)
                .map_err(|e| Refusal::Invalid(e.into()))?
        };
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&provider.meta.issuer]);
        validation.set_audience(&[&self.settings.client_id]);
        validation.leeway = 60;
        if id_token {
            validation.set_required_spec_claims(&["iss", "aud", "exp", "iat", "sub"]);
        } else {
            validation.set_required_spec_claims(&["iss", "aud", "sub"]);
            validation.validate_exp = false;
        }
        decode::<T>(jwt, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| Refusal::Invalid(e.into()))
    }

    /// Checks a JWT, reading the provider's keys again once if it names a key not seen yet.
    async fn verify_fresh<T: DeserializeOwned>(
        &self,
        provider: &mut Arc<Provider>,
        jwt: &str,
        id_token: bool,
    ) -> anyhow::Result<T> {
        match self.verify(provider, jwt, id_token) {
            Err(Refusal::UnknownKey) => {
                *provider = self
                    .refreshed(provider)
                    .await?
                    .context("signed by a key the provider does not publish")?;
                self.verify(provider, jwt, id_token)
            }
            other => other,
        }
        .map_err(|refusal| match refusal {
            Refusal::UnknownKey => anyhow::anyhow!("signed by a key the provider does not publish"),
            Refusal::Invalid(err) => err,
        })
    }

    /// Where to send the browser to sign out at the provider too, if it says where.
    pub async fn logout_url(&self, id_token: &str) -> Option<Url> {
        let provider = self.provider().await.ok()?;
        let mut url = provider.meta.end_session_endpoint.clone()?;
        url.query_pairs_mut()
            .append_pair("id_token_hint", id_token)
            .append_pair("state", &random_token())
            .append_pair("post_logout_redirect_uri", &self.post_logout_uri);
        Some(url)
    }

    /// Whether someone unknown with this address gets an account at their first sign-in.
    pub fn provisions(&self, email: &Email) -> bool {
        self.settings
            .allowed_domains
            .iter()
            .any(|d| d.eq_ignore_ascii_case(email.domain()))
    }
}

/// Why a JWT was refused: a key the provider's key set does not hold (yet), or anything else.
enum Refusal {
    UnknownKey,
    Invalid(anyhow::Error),
}

/// The cookie value that remembers a begun flow: `state.nonce.expires.signature`.
fn pending_cookie(signing: &SigningKey, state: &str, nonce: &str) -> String {
    let expires = Timestamp::now().as_second() + PENDING_SECONDS;
    let token = signing.sign(&format!("oidc:{state}.{nonce}"), expires);
    format!("{state}.{nonce}.{token}")
}

/// The state and nonce of a cookie this service signed and that has not expired.
fn pending(signing: &SigningKey, cookie: &str) -> Option<(String, String)> {
    let mut parts = cookie.splitn(3, '.');
    let (state, nonce, token) = (parts.next()?, parts.next()?, parts.next()?);
    signing
        .verify(
            token,
            &format!("oidc:{state}.{nonce}"),
            Timestamp::now().as_second(),
        )
        .then(|| (state.to_owned(), nonce.to_owned()))
}

/// Compares two secrets in a time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

/// How long the flow's cookie lives.
pub fn pending_seconds() -> i64 {
    PENDING_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_cookie_gives_back_its_state_and_nonce_only_to_the_key_that_signed_it() {
        let key = SigningKey::from_phrase("nodes' shared phrase");
        let cookie = pending_cookie(&key, "the-state", "the-nonce");
        assert_eq!(
            pending(&key, &cookie),
            Some(("the-state".to_owned(), "the-nonce".to_owned()))
        );
        assert_eq!(pending(&SigningKey::from_phrase("another"), &cookie), None);
        let forged = cookie.replacen("the-nonce", "my-nonce", 1);
        assert_eq!(pending(&key, &forged), None);
        assert_eq!(pending(&key, "no dots at all"), None);
    }

    #[test]
    fn the_issuer_must_be_https_except_on_this_machine() {
        assert!(acceptable_issuer("https://auth.agentconnect.gouv.fr/api/v2").is_ok());
        assert!(acceptable_issuer("http://127.0.0.1:9000").is_ok());
        assert!(acceptable_issuer("http://localhost:9000").is_ok());
        assert!(acceptable_issuer("http://auth.example.fr").is_err());
        assert!(acceptable_issuer("not a url").is_err());
    }
}
