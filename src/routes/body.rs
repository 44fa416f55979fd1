//! Reading a JSON request body: media type, size limit, and errors that name the bad field.

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::domain::FieldError;
use crate::error::ApiError;

/// Largest review body accepted: a 5,000-character comment fully escaped fits with room to spare.
pub const REVIEW_BODY_LIMIT: usize = 64 * 1024;

/// Largest administration body accepted.
pub const ADMIN_BODY_LIMIT: usize = 16 * 1024;

/// Reads and parses a JSON body. `text/plain` is accepted so a browser can post without a CORS
/// preflight; a missing media type is accepted too, as `sendBeacon` may send none.
pub async fn json_body<T: DeserializeOwned>(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<T, ApiError> {
    check_media_type(req)?;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::InvalidJson(format!("the body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    parse_json(&body)
}

fn check_media_type(req: &HttpRequest) -> Result<(), ApiError> {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .map_err(|_| ApiError::UnsupportedMediaType)?
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let accepted =
        essence == "application/json" || essence == "text/plain" || essence.ends_with("+json");
    if accepted {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType)
    }
}

/// Parses JSON text into `T` through an object: a syntax error is a 400, a body that is not an
/// object or a member of the wrong shape a 422 naming its path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Most bodies are good: they are read without keeping track of the path, which costs an
    // allocation per member. Only a body that fails is read again, to say where.
    if let Ok(object) = serde_json::from_slice::<Map<String, Value>>(bytes)
        && let Ok(parsed) = T::deserialize(Value::Object(object))
    {
        return Ok(parsed);
    }
    let shape_error = |path: String, message: String| {
        let field = if path == "." { "body".to_owned() } else { path };
        ApiError::InvalidRequest(vec![FieldError::new(field, message)])
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let object: Map<String, Value> =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_data() {
                shape_error(path, "must be a JSON object".to_owned())
            } else {
                ApiError::InvalidJson(inner.to_string())
            }
        })?;
    deserializer
        .end()
        .map_err(|e| ApiError::InvalidJson(e.to_string()))?;
    serde_path_to_error::deserialize(Value::Object(object)).map_err(|err| {
        let path = err.path().to_string();
        shape_error(path, err.into_inner().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[allow(dead_code)]
        answers: serde_json::Map<String, serde_json::Value>,
    }

    fn code(bytes: &[u8]) -> &'static str {
        parse_json::<Body>(bytes).unwrap_err().code()
    }

    #[test]
    fn syntax_errors_and_wrong_shapes_are_told_apart() {
        assert_eq!(code(b"{"), "invalid_json");
        assert_eq!(code(br#"{"answers": {}} {}"#), "invalid_json");
        assert_eq!(code(b"\xff\xfe"), "invalid_json");
        assert_eq!(code(b"[]"), "invalid_request");
        assert_eq!(code(br#"{"answers": 3}"#), "invalid_request");
        assert_eq!(code(b"[{}]"), "invalid_request");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let deep = format!(
            "{{\"answers\": {{\"x\": {}{}}}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(code(deep.as_bytes()), "invalid_json");
    }

    #[test]
    fn a_wrong_shape_names_its_field() {
        let Err(ApiError::InvalidRequest(errors)) = parse_json::<Body>(br#"{"answers": []}"#)
        else {
            panic!("expected a field error");
        };
        assert_eq!(errors[0].field, "answers");
    }
}
