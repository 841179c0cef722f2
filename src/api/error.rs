//! The one error type: every failure a request can meet, mapped to the
//! contract's status and JSON body (../shared/API.md, "Errors").

use crate::db;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::json;
use std::collections::HashMap;
use std::fmt;
use warp::http::{header, HeaderValue, Response, StatusCode};
use warp::hyper::Body;

/// How long a client should wait before retrying a write the database could
/// not take (disk full, read-only).
const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// Everything that turns a request into an error response.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON, not an object, or nested too deep.
    #[error("Malformed JSON: {0}")]
    MalformedJson(String),
    /// 401: no, unknown, expired or revoked token.
    #[error("Unauthenticated.")]
    Unauthenticated,
    /// 401 at login: wrong email or password.
    #[error("Invalid credentials.")]
    InvalidCredentials,
    /// 403: lacks the permission or the partner access.
    #[error("This action is unauthorized.")]
    Forbidden,
    /// 404: no such route, or no such resource under this partner.
    #[error("Not found.")]
    NotFound,
    /// 405: known path, other methods; carries the `Allow` value.
    #[error("Method not allowed.")]
    MethodNotAllowed(String),
    /// 408: the client took too long to send its body.
    #[error("Request timeout.")]
    RequestTimeout,
    /// 409: the change would orphan data.
    #[error("{0}")]
    Conflict(&'static str),
    /// 412: `If-Match` does not match the current `ETag`.
    #[error("Precondition failed.")]
    PreconditionFailed,
    /// 413: the body is larger than the route accepts.
    #[error("Payload too large.")]
    PayloadTooLarge,
    /// 415: a body whose content type the route does not take.
    #[error("Unsupported media type.")]
    UnsupportedMediaType,
    /// 422: validation failed.
    #[error("{}", .0.first_message())]
    Invalid(FieldErrors),
    /// 429: too many failed logins; carries `Retry-After` seconds.
    #[error("Too many attempts.")]
    TooManyAttempts(u64),
    /// 503: the database cannot take writes now.
    #[error("Service unavailable.")]
    Unavailable,
    /// 500: a bug. Logged; the client sees a generic message.
    #[error("Server error.")]
    Internal(String),
}

impl ApiError {
    /// A 500 for something that should not happen; the detail goes to the
    /// log, never to the client.
    pub fn internal(detail: impl fmt::Display) -> ApiError {
        ApiError::Internal(detail.to_string())
    }

    /// A 422 with one message on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        ApiError::Invalid(errors)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The response the client sees.
    pub fn into_response(self) -> Response<Body> {
        if let ApiError::Internal(detail) = &self {
            tracing::error!("server error: {detail}");
        }
        let body = match &self {
            ApiError::Invalid(errors) => json!({"message": self.to_string(), "errors": errors}),
            _ => json!({"message": self.to_string()}),
        };
        let mut response = super::reply::json(self.status(), &body);
        let headers = response.headers_mut();
        match &self {
            ApiError::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::MethodNotAllowed(allow) => {
                if let Ok(v) = HeaderValue::from_str(allow) {
                    headers.insert(header::ALLOW, v);
                }
            }
            ApiError::TooManyAttempts(secs) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            ApiError::Unavailable => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS),
                );
            }
            _ => {}
        }
        response
    }
}

impl From<db::Error> for ApiError {
    /// Storage's failures as the client sees them. A unique violation or a
    /// conflict reaching this is one the call site did not expect (it maps
    /// the ones it knows, see [`OnUnique`]): a bug, so a 500.
    fn from(e: db::Error) -> ApiError {
        match e {
            db::Error::Sqlite(e) if db::is_unavailable(&e) => {
                tracing::warn!("database cannot take the request: {e}");
                ApiError::Unavailable
            }
            db::Error::Pool(e) => {
                tracing::warn!("no database connection: {e}");
                ApiError::Unavailable
            }
            db::Error::Unavailable => ApiError::Unavailable,
            other => ApiError::internal(other),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        db::Error::from(e).into()
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(e: r2d2::Error) -> ApiError {
        db::Error::from(e).into()
    }
}

/// Maps storage's unique violation on one key to the 422 of the field
/// behind it, at the call site that knows the field (realworld's
/// `on_constraint`); every other storage error goes through the `From`.
pub trait OnUnique<T> {
    /// `Err(Unique(key))` becomes a 422 with `message` on `field`.
    fn on_unique(self, key: &str, field: &str, message: &str) -> Result<T, ApiError>;
}

impl<T> OnUnique<T> for Result<T, db::Error> {
    fn on_unique(self, key: &str, field: &str, message: &str) -> Result<T, ApiError> {
        self.map_err(|e| match e {
            db::Error::Unique(k) if k == key => ApiError::invalid(field, message),
            other => other.into(),
        })
    }
}

/// Most fields one 422 lists in `errors`.
pub const MAX_ERROR_FIELDS: usize = 100;

/// Validation messages per field, in the order they were found (the first
/// one is the response's `message`). At most [`MAX_ERROR_FIELDS`] fields
/// are kept; messages past them are only counted, so a body with a
/// hundred thousand mistakes costs linear time and a bounded answer.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldErrors {
    fields: Vec<(String, Vec<String>)>,
    index: HashMap<String, usize>,
    /// Every message reported, kept or not.
    total: usize,
}

impl FieldErrors {
    /// Adds a message to a field.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.total += 1;
        let field = field.into();
        if let Some(&i) = self.index.get(&field) {
            self.fields[i].1.push(message.into());
        } else if self.fields.len() < MAX_ERROR_FIELDS {
            self.index.insert(field.clone(), self.fields.len());
            self.fields.push((field, vec![message.into()]));
        }
    }

    /// Adds a message to a field that no message has named yet (one per
    /// item of a list); once the answer is full, only counts it, without
    /// making the field's name or message.
    pub fn add_new(&mut self, field: impl FnOnce() -> String, message: impl FnOnce() -> String) {
        if self.is_full() {
            self.total += 1;
        } else {
            self.add(field(), message());
        }
    }

    /// Whether no more fields will be listed.
    pub fn is_full(&self) -> bool {
        self.fields.len() >= MAX_ERROR_FIELDS
    }

    /// Whether a field already has an error (among the fields kept).
    pub fn has(&self, field: &str) -> bool {
        self.index.contains_key(field)
    }

    /// Each field with its messages, in order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.fields.iter().map(|(f, m)| (f.as_str(), m.as_slice()))
    }

    /// Every message reported, kept or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// `Ok(())` when empty, else the 422.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid(self))
        }
    }

    /// The first message; when fields were left out, followed by Laravel's
    /// count of the other messages, "(and 63999 more errors)".
    fn first_message(&self) -> String {
        let first = self
            .fields
            .first()
            .and_then(|(_, m)| m.first())
            .map_or("The given data was invalid.", String::as_str);
        let kept: usize = self.fields.iter().map(|(_, m)| m.len()).sum();
        if kept == self.total {
            return first.to_string();
        }
        let more = self.total - 1;
        let plural = if more == 1 { "" } else { "s" };
        format!("{first} (and {more} more error{plural})")
    }
}

impl Serialize for FieldErrors {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.len()))?;
        for (field, messages) in &self.fields {
            map.serialize_entry(field, messages)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_a_hundred_fields_the_rest_are_counted_in_the_message() {
        let mut errors = FieldErrors::default();
        for i in 0..64_000 {
            errors.add_new(
                || format!("rows.{i}.last_name"),
                || "The last name field is required.".into(),
            );
        }
        assert_eq!(errors.entries().count(), MAX_ERROR_FIELDS);
        assert_eq!(
            ApiError::Invalid(errors).to_string(),
            "The last name field is required. (and 63999 more errors)"
        );
    }

    #[test]
    fn a_short_list_keeps_the_first_message_alone() {
        let mut errors = FieldErrors::default();
        errors.add("name", "The name field is required.");
        errors.add("name", "Another.");
        errors.add("email", "The email field is required.");
        assert!(errors.has("name"));
        assert_eq!(errors.entries().count(), 2);
        assert_eq!(
            ApiError::Invalid(errors).to_string(),
            "The name field is required."
        );
    }
}
