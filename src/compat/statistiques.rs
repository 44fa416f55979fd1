//! The incumbent's `POST /api/open-api/statistiques`, which administrations' scripts call for
//! their counts, with the request and answer of its
//! `webapp-backoffice/src/server/routers/open-api/stats-usagers.ts`:
//! `{start_date, end_date, field_codes?, product_ids?, form_ids?, interval?}` in,
//! `{"data": [{product_id, product_name, forms: [{form_id, form_name, intervals: [{date,
//! length_interval, data: [{category, label, number_hits: [{intention, label, count,
//! children?}]}]}]}]}]}` out (see [`crate::domain::statistiques`] for the figures).
//!
//! The caller is avis's: any API key. One limited to an organisation sees that organisation's
//! imported procedures, and asking for none means all of them, as the incumbent's keys of an
//! entity; another key sees every one but must name them. At most 10 products a call, as
//! there. Products are the incumbent's product ids; a product the key may not see is refused
//! exactly like one never imported, naming every such id, so that a key learns nothing of
//! other organisations (the incumbent told the two apart, and quietly dropped the hidden ones
//! when others were left).
//!
//! This answer is not broken down by the incumbent's forms (the import keeps them for the
//! observatory's pull only): each product answers one form, the one questionnaire all its
//! reviews answered, with an empty `form_id` and `form_name`; `form_ids` is refused rather than
//! ignored, since the incumbent's forms narrowed the answer. Dates are
//! read as the observatory's (epoch milliseconds, `YYYY-MM-DD` or an RFC 3339 instant, both
//! bounds included). Test buttons count and excluded reviews do not, as in the observatory.
//! A `contact_tried` option's `children` are its own interval's answers about that channel,
//! where the incumbent summed them over every interval and product of its answer (the same
//! figure for one product with `interval: none`).
//!
//! Errors are avis's problem documents, as on the other routes that take a key: no key or an
//! unknown one 401, a body that is not JSON 400, one of the wrong shape or a refused value 422
//! naming the field (the incumbent answered 400 to the last two).

use actix_web::{HttpRequest, HttpResponse, post, web};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::FieldError;
use crate::domain::observatory::Window;
use crate::domain::statistiques::{Interval, periods, questions};
use crate::error::ApiError;
use crate::routes::api::auth::{ReaderKey, Visibility};
use crate::routes::body::{ADMIN_BODY_LIMIT, json_body};
use crate::startup::AppState;
use crate::store::Store;
use crate::store::keys::ApiKey;
use crate::store::statistiques::LegacyProduct;

/// The most products one call may count, as the incumbent allows.
const MAX_PRODUCTS: usize = 10;

/// What a script asks, with the incumbent's defaults.
#[derive(Debug, Deserialize)]
struct Asked {
    start_date: String,
    end_date: String,
    #[serde(default)]
    field_codes: Vec<String>,
    #[serde(default)]
    product_ids: Vec<i64>,
    #[serde(default)]
    form_ids: Vec<i64>,
    #[serde(default)]
    interval: Interval,
}

fn refused(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::InvalidRequest(vec![FieldError::new(field, message)])
}

fn too_many() -> ApiError {
    refused(
        "product_ids",
        format!("at most {MAX_PRODUCTS} products a call: ask for fewer"),
    )
}

/// The window of `asked`, or the bound it could not read.
fn window(asked: &Asked) -> Result<Window, ApiError> {
    Window::parse(
        Some(&asked.start_date),
        Some(&asked.end_date),
        Timestamp::now(),
    )
    .map_err(|message| match message.split_once(": ") {
        Some((field, why)) => refused(field, why),
        None => refused("start_date", message),
    })
}

/// The procedures `asked` names that `key` may see, or all of its organisation's when it
/// names none.
async fn products(
    store: &Store,
    key: &ApiKey,
    asked: &[i64],
) -> Result<Vec<LegacyProduct>, ApiError> {
    let mut ids: Vec<i64> = Vec::with_capacity(asked.len());
    for id in asked {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    if ids.len() > MAX_PRODUCTS {
        return Err(too_many());
    }
    let found = match (ids.is_empty(), key.organisation()) {
        (true, Some(organisation)) => store.legacy_products_of(organisation).await?,
        (true, None) => {
            return Err(refused(
                "product_ids",
                format!("name the products to count (at most {MAX_PRODUCTS})"),
            ));
        }
        (false, _) => {
            let mut found = store.legacy_products(&ids).await?;
            found.retain(|product| key.sees(product.organisation_id));
            found
        }
    };
    let unseen: Vec<String> = ids
        .iter()
        .filter(|id| !found.iter().any(|p| p.legacy_id == **id))
        .map(i64::to_string)
        .collect();
    if !unseen.is_empty() {
        return Err(refused(
            "product_ids",
            format!(
                "no imported procedure this key may see has product id {}",
                unseen.join(", ")
            ),
        ));
    }
    match found.len() {
        0 => Err(refused(
            "product_ids",
            "this key sees no imported procedure",
        )),
        n if n > MAX_PRODUCTS => Err(too_many()),
        _ => Ok(found),
    }
}

#[post("/api/open-api/statistiques")]
#[tracing::instrument(skip_all)]
pub async fn counts(
    req: HttpRequest,
    payload: web::Payload,
    key: ReaderKey,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let asked: Asked = json_body(&req, payload, ADMIN_BODY_LIMIT).await?;
    let window = window(&asked)?;
    if !asked.form_ids.is_empty() {
        return Err(refused(
            "form_ids",
            "avis does not break statistics down by the incumbent's forms: ask by product_ids",
        ));
    }
    let products = products(&state.store, &key.0, &asked.product_ids).await?;
    let asked_questions = questions(&asked.field_codes);
    let mut data: Vec<Value> = Vec::with_capacity(products.len());
    for product in products {
        let days = state
            .store
            .counts_by_day_between(product.id, window)
            .await?;
        let intervals = periods(&days, asked.interval, &asked_questions);
        // As there, a product with nothing to count is left out.
        if intervals.is_empty() {
            continue;
        }
        data.push(json!({
            "product_id": product.legacy_id.to_string(),
            "product_name": product.title,
            "forms": [{"form_id": "", "form_name": "", "intervals": intervals}],
        }));
    }
    Ok(HttpResponse::Ok().json(json!({ "data": data })))
}
