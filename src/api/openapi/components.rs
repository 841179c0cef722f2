//! The reusable responses, headers and parameters the operations refer
//! to.

use super::{header_ref, schema_ref};
use crate::api::pagination::{DEFAULT_PER_PAGE, MAX_PER_PAGE};
use serde_json::{json, Map, Value};

fn error(description: &str, message: &str, headers: &[&str]) -> Value {
    let mut r = json!({
        "description": description,
        "content": {"application/json": {
            "schema": schema_ref("Error"),
            "example": {"message": message},
        }},
    });
    if !headers.is_empty() {
        let h: Map<String, Value> = headers
            .iter()
            .map(|name| (name.to_string(), header_ref(name)))
            .collect();
        r["headers"] = Value::Object(h);
    }
    r
}

pub(super) fn responses() -> Value {
    json!({
        "MalformedJson": error("The body is not JSON, not a JSON object, or nested deeper than 32 levels", "Malformed JSON: expected value at line 1 column 1", &[]),
        "InvalidCredentials": error("Wrong email or password (the same answer, in about the same time, for an unknown email)", "Invalid credentials.", &[]),
        "Unauthenticated": error("No, unknown, expired or revoked token", "Unauthenticated.", &["WWW-Authenticate"]),
        "Forbidden": error("Lacks the permission, or access to the partner", "This action is unauthorized.", &[]),
        "NotFound": error("No such resource under this partner", "Not found.", &[]),
        "MethodNotAllowed": error("The path exists with other methods, listed in `Allow`", "Method not allowed.", &["Allow"]),
        "RequestTimeout": error("The body did not arrive within 30 s", "Request timeout.", &[]),
        "Conflict": error("The change would orphan data (a partner that still has groups or customers) or leave no enabled admin", "The partner still has groups or customers.", &[]),
        "PreconditionFailed": error("`If-Match` does not match the current `ETag`; nothing changed", "Precondition failed.", &[]),
        "PayloadTooLarge": error("The body is larger than the route takes (64 KiB of JSON, 5 MB of CSV)", "Payload too large.", &[]),
        "UnsupportedMediaType": error("The body is not of the route's media type", "Unsupported media type.", &[]),
        "ValidationFailed": {
            "description": "Validation failed: messages per field (at most 100 fields)",
            "content": {"application/json": {
                "schema": schema_ref("ValidationError"),
                "example": {"message": "The name has already been taken.", "errors": {"name": ["The name has already been taken."]}},
            }},
        },
        "TooManyRequests": error("Too many failed logins for this email from this address (or from this address), or too many exports running for this user; retry after `Retry-After` seconds", "Too many attempts.", &["Retry-After"]),
        "Unavailable": error("Not done: the database cannot take writes now (disk full, read-only), or the server is at a limit it keeps (connections, logins waiting, exports); retry after `Retry-After` seconds. Reads go on working.", "Service unavailable.", &["Retry-After"]),
        "Error": error("Any other error, e.g. `500 {\"message\": \"Server error.\"}` for a bug (never a stack trace or SQL)", "Server error.", &[]),
    })
}

pub(super) fn headers() -> Value {
    json!({
        "ETag": {
            "description": "A strong tag of the group's representation (its `customers_count` included); send it as `If-Match` to update or delete only what you saw",
            "required": true, "schema": {"type": "string"}, "example": "\"9f3c2a7be01d44c500000093\"",
        },
        "Location": {
            "description": "The new resource's own GET route (a partner user's is `/api/internal/v1/users/{id}`)",
            "required": true, "schema": {"type": "string"}, "example": "/api/internal/v1/partners/1/groups/3",
        },
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "required": true, "schema": {"type": "integer", "minimum": 0}, "example": 5,
        },
        "WWW-Authenticate": {
            "description": "The scheme to authenticate with",
            "required": true, "schema": {"type": "string", "enum": ["Bearer"]}, "example": "Bearer",
        },
        "Allow": {
            "description": "The methods the path takes",
            "required": true, "schema": {"type": "string"}, "example": "GET, HEAD, PUT, PATCH, DELETE",
        },
        "Content-Disposition": {
            "description": "Download as a file",
            "required": true, "schema": {"type": "string"}, "example": "attachment; filename=\"group-3-members.csv\"",
        },
    })
}

pub(super) fn parameters() -> Value {
    let path_id = |name: &str, what: &str, example: i64| {
        json!({
            "name": name, "in": "path", "required": true,
            "description": format!("The {what}'s id; anything but a positive integer matches no route (404)"),
            "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX},
            "example": example,
        })
    };
    let query_id = |name: &str, description: &str, example: i64| {
        json!({
            "name": name, "in": "query", "required": false, "description": description,
            "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX},
            "example": example,
        })
    };
    let query_text = |name: &str, description: &str, example: &str| {
        json!({
            "name": name, "in": "query", "required": false, "description": description,
            "schema": {"type": "string"}, "example": example,
        })
    };
    json!({
        "partner_id": path_id("partner_id", "partner", 1),
        "group_id": path_id("group_id", "group", 3),
        "customer_id": path_id("customer_id", "customer", 7),
        "user_id": path_id("user_id", "user", 2),
        "page": {
            "name": "page", "in": "query", "required": false,
            "description": "The page, from 1; past the last page the list is empty",
            "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX, "default": 1},
            "example": 2,
        },
        "per_page": {
            "name": "per_page", "in": "query", "required": false,
            "description": format!("Rows per page, 1..={MAX_PER_PAGE}"),
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
            "example": 20,
        },
        "search": query_text("search", "Words split on white space; a row matches when every word occurs, ignoring case, in one of the searched fields. `%`, `_` and `\\` are literal.", "anna berger"),
        "If-Match": {
            "name": "If-Match", "in": "header", "required": false,
            "description": "The `ETag` the change is based on (or `*`); a mismatch is 412 and changes nothing. Without it the write goes ahead.",
            "schema": {"type": "string"}, "example": "\"9f3c2a7be01d44c500000093\"",
        },
        "audit_subject_type": query_text("subject_type", "Only entries about this kind of subject: group, customer, user or partner", "group"),
        "audit_subject_id": query_id("subject_id", "Only entries about this subject", 3),
        "audit_action": query_text("action", "Only entries of this action", "group.member_added"),
        "audit_user_id": query_id("user_id", "Only changes made by this user", 2),
        "audit_partner_id": query_id("partner_id", "Only this partner's entries", 1),
        "import_group_id": query_id("group_id", "Every imported customer joins this group of the partner (needs `groups.update` as well)", 3),
        "dry_run": {
            "name": "dry_run", "in": "query", "required": false,
            "description": "Validate and count; write nothing",
            "schema": {"type": "boolean", "default": false}, "example": true,
        },
    })
}
