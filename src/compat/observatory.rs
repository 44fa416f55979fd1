//! The observatory's pull, `GET /api/trpc/answer.getObservatoireStats?input=…`, answered as the
//! incumbent's tRPC route does (`webapp-backoffice/src/server/routers/answer/
//! get-observatoire-stats.ts` in DISIC/jedonnemonavis.numerique.gouv.fr): the same input
//! (`{"json": {product_id, form_id?, button_id?, start_date?, end_date?, isXWiki?}}`), the same
//! figures (see [`crate::domain::observatory`]), the same envelopes.
//!
//! Products are the imported procedures, by the incumbent's product id or, with `isXWiki`, its
//! XWiki démarche id; `button_id` is an imported button's legacy id; `form_id` one of the
//! product's forms the import kept (migration 33), by default its legacy form. Only the answers
//! of the reviews that carry that form count: a button's reviews carry its form, but for those
//! the import noted apart with the form they carried (see [`crate::domain::observatory::apart`]).
//! « Je n'ai pas eu besoin d'aide » ticked beside a channel, which an imported review cannot
//! hold, counts from the import's notes (migration 30).
//!
//! As in that code, a product that does not exist or is not public, a form that does not exist
//! and a missing `form_id` for a product without a legacy form are each a tRPC
//! `INTERNAL_SERVER_ERROR` (a plain `Error` thrown there, or a `TypeError` for the last), a
//! malformed input a `BAD_REQUEST` with zod's issues. A form of another product is not found
//! either, as the incumbent's later code has it: its earlier code counted the product's reviews
//! that carried that form, which only a robot set up wrongly would ask.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::aggregate::Tally;
use crate::domain::observatory::{Stats, Window, home};
use crate::routes::query::Params;
use crate::startup::AppState;

/// The procedure's path, as tRPC names it in its errors.
const PATH: &str = "answer.getObservatoireStats";

/// What the robot asks.
#[derive(Debug, PartialEq)]
struct Input {
    product_id: i64,
    form_id: Option<i64>,
    button_id: Option<i64>,
    start_date: Option<String>,
    end_date: Option<String>,
    is_xwiki: bool,
}

/// One of zod's issues, as tRPC puts them in a `BAD_REQUEST`'s message.
fn issue(path: &str, expected: &str, received: &str) -> Value {
    let message = if received == "undefined" {
        "Required".to_owned()
    } else {
        format!("Expected {expected}, received {received}")
    };
    let path: Vec<&str> = if path.is_empty() { vec![] } else { vec![path] };
    json!({"code": "invalid_type", "expected": expected, "received": received, "path": path, "message": message})
}

/// zod's name for the type of a JSON value.
fn received(value: Option<&Value>) -> &'static str {
    match value {
        None => "undefined",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

/// Reads `input` as the incumbent's schema would, or zod's issues.
fn parse(raw: Option<&str>) -> Result<Input, Vec<Value>> {
    let value: Option<Value> = match raw {
        Some(raw) => Some(serde_json::from_str(raw).map_err(|_| Vec::new())?),
        None => None,
    };
    // The transformer's envelope: what is not `{"json": …}` reaches the schema as nothing.
    let input = value.as_ref().and_then(|v| v.get("json"));
    let Some(Value::Object(fields)) = input else {
        return Err(vec![issue("", "object", received(input))]);
    };
    let mut issues = Vec::new();
    let number = |name: &str, issues: &mut Vec<Value>| -> Option<i64> {
        match fields.get(name) {
            None => None,
            Some(Value::Number(n)) => match n.as_i64() {
                Some(n) => Some(n),
                None => {
                    issues.push(issue(name, "integer", "float"));
                    None
                }
            },
            // The incumbent's own pages send the product id as text: a version of its schema
            // took it so, and some callers may still.
            Some(Value::String(text))
                if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) =>
            {
                match text.parse() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        issues.push(issue(name, "number", "string"));
                        None
                    }
                }
            }
            other => {
                issues.push(issue(name, "number", received(other)));
                None
            }
        }
    };
    let product_id = number("product_id", &mut issues);
    if !fields.contains_key("product_id") {
        issues.push(issue("product_id", "number", "undefined"));
    }
    let form_id = number("form_id", &mut issues);
    let button_id = number("button_id", &mut issues);
    let text = |name: &str, issues: &mut Vec<Value>| match fields.get(name) {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        other => {
            issues.push(issue(name, "string", received(other)));
            None
        }
    };
    let start_date = text("start_date", &mut issues);
    let end_date = text("end_date", &mut issues);
    let flag = |name: &str, issues: &mut Vec<Value>| match fields.get(name) {
        None => false,
        Some(Value::Bool(b)) => *b,
        other => {
            issues.push(issue(name, "boolean", received(other)));
            false
        }
    };
    let is_xwiki = flag("isXWiki", &mut issues);
    flag("needLogging", &mut issues);
    match product_id {
        Some(product_id) if issues.is_empty() => Ok(Input {
            product_id,
            form_id,
            button_id,
            start_date,
            end_date,
            is_xwiki,
        }),
        _ => Err(issues),
    }
}

/// A tRPC error as its HTTP adapter sends it, through the transformer's envelope.
fn error(status: StatusCode, code: &str, rpc: i32, message: &str, zod: Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({"error": {"json": {
            "message": message,
            "code": rpc,
            "data": {"code": code, "httpStatus": status.as_u16(), "path": PATH, "zodError": zod},
        }}}))
}

fn bad_request(message: &str, zod: Value) -> HttpResponse {
    error(StatusCode::BAD_REQUEST, "BAD_REQUEST", -32600, message, zod)
}

fn internal(message: &str) -> HttpResponse {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
        -32603,
        message,
        Value::Null,
    )
}

/// zod's `flatten()` of issues: each field's messages.
fn flatten(issues: &[Value]) -> Value {
    let mut fields: Map<String, Value> = Map::new();
    let mut form = Vec::new();
    for issue in issues {
        let message = issue["message"].clone();
        match issue["path"][0].as_str() {
            Some(field) => {
                if let Value::Array(list) = fields
                    .entry(field.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    list.push(message);
                }
            }
            None => form.push(message),
        }
    }
    json!({"formErrors": form, "fieldErrors": fields})
}

#[get("/api/trpc/answer.getObservatoireStats")]
#[tracing::instrument(skip_all)]
pub async fn stats(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let params = Params::of(&req);
    let input = match parse(params.get("input")) {
        Ok(input) => input,
        Err(issues) if issues.is_empty() => {
            return error(
                StatusCode::BAD_REQUEST,
                "PARSE_ERROR",
                -32700,
                "the input is not JSON",
                Value::Null,
            );
        }
        Err(issues) => {
            let message = serde_json::to_string_pretty(&issues).unwrap_or_default();
            return bad_request(&message, flatten(&issues));
        }
    };
    let window = match Window::parse(
        input.start_date.as_deref(),
        input.end_date.as_deref(),
        Timestamp::now(),
    ) {
        Ok(window) => window,
        Err(message) => return bad_request(&message, Value::Null),
    };
    match answer(&state, &input, window).await {
        Ok(Ok(stats)) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({"result": {"data": {"json": stats}}})),
        Ok(Err(message)) => internal(message),
        Err(err) => {
            tracing::error!(error = ?err, "observatory figures failed");
            internal("Internal server error")
        }
    }
}

/// What the incumbent says when no form is asked for and the product has no legacy form: its
/// code reads the id of a legacy form that is not there.
const NO_LEGACY_FORM: &str = "Cannot read properties of undefined (reading 'id')";

/// The figures, or the incumbent's message for a product or form it would not answer for.
async fn answer(
    state: &AppState,
    input: &Input,
    window: Window,
) -> Result<Result<Stats, &'static str>, crate::store::StoreError> {
    let store = &state.store;
    let Some(procedure) = store
        .legacy_procedure(input.product_id, input.is_xwiki)
        .await?
    else {
        return Ok(Err("Product not found"));
    };
    if !procedure.is_public {
        return Ok(Err("Product is not public"));
    }
    let forms = store.legacy_forms_of(procedure.id).await?;
    // `form_id: 0` is none there (a falsy number): the product's legacy form.
    let form = match input.form_id.filter(|f| *f != 0) {
        Some(asked) => forms.iter().find(|f| f.id == asked).ok_or("Form not found"),
        None => forms.iter().find(|f| f.legacy).ok_or(NO_LEGACY_FORM),
    };
    let form = match form {
        Ok(form) => *form,
        Err(message) => return Ok(Err(message)),
    };
    // The form each button's reviews carry, but for those the import noted apart.
    let buttons = store.button_forms(procedure.id).await?;
    let home = home(&forms);
    let carried = |button: &Uuid| buttons.get(button).copied().flatten().or(home);
    let mut tallies = store.counts_by_button_between(procedure.id, window).await?;
    tallies.retain(|button, _| form.counts(carried(button)));
    for ((button, apart), tally) in store
        .legacy_review_forms_between(procedure.id, window)
        .await?
    {
        match (form.counts(carried(&button)), form.counts(apart)) {
            (false, true) => tallies.entry(button).or_default().merge(&tally),
            (true, false) => tallies.entry(button).or_default().remove(&tally),
            _ => {}
        }
    }
    let mut all = Tally::default();
    for tally in tallies.values() {
        all.merge(tally);
    }
    let mut beside: HashMap<Uuid, i64> = HashMap::new();
    for noted in store
        .legacy_autonomous_between(procedure.id, window)
        .await?
    {
        let form_carried = if noted.apart {
            noted.carried
        } else {
            carried(&noted.button)
        };
        if form.counts(form_carried) {
            *beside.entry(noted.button).or_default() += noted.n;
        }
    }
    // `button_id: 0` is no filter there (a falsy number).
    let (filtered, beside) = match input.button_id.filter(|b| *b != 0) {
        None => (all, beside.values().sum()),
        Some(legacy) => match store.legacy_button(legacy).await? {
            Some(button) if button.procedure_id == procedure.id => (
                tallies.get(&button.id).copied().unwrap_or_default(),
                beside.get(&button.id).copied().unwrap_or_default(),
            ),
            _ => (Tally::default(), 0),
        },
    };
    Ok(Ok(Stats::of(&filtered, &all, beside)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_robot_s_input_is_read_through_the_transformer_s_envelope() {
        let input = parse(Some(
            r#"{"json":{"product_id":12,"start_date":"1735689600000","end_date":"1767225599999","form_id":3,"extra":1}}"#,
        ))
        .unwrap();
        assert_eq!(input.product_id, 12);
        let as_text = parse(Some(r#"{"json":{"product_id":"12","button_id":"40"}}"#)).unwrap();
        assert_eq!((as_text.product_id, as_text.button_id), (12, Some(40)));
        assert_eq!(input.start_date.as_deref(), Some("1735689600000"));
        assert!(!input.is_xwiki);
    }

    #[test]
    fn every_bad_field_is_one_of_zod_s_issues() {
        let issues = parse(Some(
            r#"{"json":{"product_id":"douze","button_id":null,"isXWiki":"yes"}}"#,
        ))
        .unwrap_err();
        let paths: Vec<&str> = issues
            .iter()
            .map(|i| i["path"][0].as_str().unwrap())
            .collect();
        assert_eq!(paths, vec!["product_id", "button_id", "isXWiki"]);
        assert_eq!(issues[0]["message"], "Expected number, received string");
        assert_eq!(
            parse(Some(r#"{"json":{}}"#)).unwrap_err()[0]["message"],
            "Required"
        );
        assert_eq!(parse(None).unwrap_err()[0]["expected"], "object");
        assert_eq!(parse(Some(r#"{"product_id":1}"#)).unwrap_err().len(), 1);
        assert!(parse(Some("{")).unwrap_err().is_empty());
    }
}
