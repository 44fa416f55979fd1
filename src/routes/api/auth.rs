//! API keys on protected endpoints: who is calling, with which scope, over which organisation.
//!
//! No key is a 401, an unknown or revoked key a 401, a key of the wrong scope a 403. A key limited
//! to an organisation gets 404 for everything outside it, so it learns nothing of what exists.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use uuid::Uuid;

use crate::domain::catalog::Scope;
use crate::error::ApiError;
use crate::startup::AppState;
use crate::store::keys::ApiKey;

/// A live key of any scope, or none at all.
pub struct MaybeKey(pub Option<ApiKey>);

/// A key allowed to read indicators: scope `indicators:read` or `admin`.
pub struct ReaderKey(pub ApiKey);

/// A key of scope `admin`.
pub struct AdminKey(pub ApiKey);

/// What a key may see.
pub trait Visibility {
    /// The organisation the key is limited to, if any.
    fn organisation(&self) -> Option<Uuid>;

    /// Whether an object of `organisation` is visible to the key.
    fn sees(&self, organisation: Uuid) -> bool {
        self.organisation().is_none_or(|own| own == organisation)
    }
}

impl Visibility for ApiKey {
    fn organisation(&self) -> Option<Uuid> {
        self.organisation_id
    }
}

impl Visibility for Option<ApiKey> {
    fn organisation(&self) -> Option<Uuid> {
        self.as_ref().and_then(|key| key.organisation_id)
    }
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

async fn authenticate(req: HttpRequest) -> Result<Option<ApiKey>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, secret)| secret.trim().to_owned())
        .ok_or(ApiError::InvalidApiKey)?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let key = state
        .store
        .authenticate_api_key(&secret)
        .await?
        .ok_or(ApiError::InvalidApiKey)?;
    state
        .limits
        .key(key.id)
        .map_err(crate::routes::client::limited("key"))?;
    Ok(Some(key))
}

impl FromRequest for MaybeKey {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeKey(authenticate(req).await?)) })
    }
}

impl FromRequest for ReaderKey {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            // Both scopes read indicators; an admin may do everything a reader does.
            let key = authenticate(req).await?.ok_or(ApiError::MissingApiKey)?;
            Ok(ReaderKey(key))
        })
    }
}

impl FromRequest for AdminKey {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let key = authenticate(req).await?.ok_or(ApiError::MissingApiKey)?;
            if key.scope != Scope::Admin {
                return Err(ApiError::InsufficientScope);
            }
            Ok(AdminKey(key))
        })
    }
}
