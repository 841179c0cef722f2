//! The OpenAPI 3.1 document, generated from the route table: every route,
//! its parameters, request body and every status it can answer, each with
//! its body schema.

use super::auth::PERMISSIONS;
use super::pagination::MAX_PER_PAGE;
use super::reply;
use super::routes::{Guard, Query, Route, Verb, ROUTES};
use serde_json::{json, Map, Value};
use std::sync::OnceLock;
use warp::http::{Response, StatusCode};
use warp::hyper::Body;

/// GET /api/openapi.json
pub fn document() -> Response<Body> {
    // Built once: the route table does not change while the process runs.
    static DOC: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = DOC.get_or_init(|| serde_json::to_vec(&spec()).unwrap_or_default());
    reply::json_bytes(StatusCode::OK, Body::from(bytes.as_slice()))
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": content(schema_ref("Error"))})
}

/// The statuses a route can answer besides 200, with why.
fn error_statuses(route: &Route) -> Vec<(&'static str, Value)> {
    let mut out: Vec<(&'static str, Value)> = Vec::new();
    let has_params = route.path.contains('{');
    let writes = route.method != Verb::Get;
    if route.guard != Guard::Public {
        out.push((
            "401",
            json!({
                "description": "No, unknown, expired or revoked token",
                "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                "content": content(schema_ref("Error")),
            }),
        ));
        if route.guard != Guard::User || route.path.contains("{partner_id}") {
            out.push((
                "403",
                error_response("Lacks the permission or the partner access"),
            ));
        }
    }
    if has_params {
        out.push(("404", error_response("No such resource under this partner")));
    }
    if route.body.is_some() {
        out.push(("400", error_response("Malformed JSON")));
        out.push(("408", error_response("The body did not arrive in time")));
        out.push((
            "413",
            error_response("Body larger than the route takes (64 KiB of JSON, 5 MB of CSV)"),
        ));
        out.push((
            "415",
            error_response("Body is not of the route's media type"),
        ));
    }
    if route.body.is_some() || route.query != Query::None {
        out.push((
            "422",
            json!({"description": "Validation failed", "content": content(schema_ref("ValidationError"))}),
        ));
    }
    use super::routes::Endpoint::*;
    match route.endpoint {
        PartnersDelete => out.push((
            "409",
            error_response("The partner still has groups or customers"),
        )),
        GroupsUpdate | GroupsDelete => {
            out.push(("412", error_response("If-Match does not match the ETag")))
        }
        Login => {
            out.push(("401", error_response("Wrong email or password")));
            out.push((
                "429",
                json!({
                    "description": "Too many failed logins for this email",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": content(schema_ref("Error")),
                }),
            ));
        }
        _ => {}
    }
    if writes || route.endpoint == Healthz || route.endpoint == Login {
        out.push((
            "503",
            json!({
                "description": "The database cannot take writes now (disk full, read-only)",
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": content(schema_ref("Error")),
            }),
        ));
    }
    out
}

fn parameters(route: &Route) -> Vec<Value> {
    let mut out = Vec::new();
    for segment in route.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            out.push(json!({
                "name": name, "in": "path", "required": true,
                "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX},
            }));
        }
    }
    let integer = json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX});
    let query = |name: &str, schema: &Value, description: &str| json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema});
    match route.query {
        Query::Audit => {
            let text = json!({"type": "string"});
            out.push(query(
                "subject_type",
                &text,
                "e.g. group, customer, user, partner",
            ));
            out.push(query("subject_id", &integer, "The subject's id"));
            out.push(query("action", &text, "e.g. group.created"));
            out.push(query("user_id", &integer, "Who made the change"));
            if route.guard == Guard::Admin {
                out.push(query("partner_id", &integer, "Only this partner's entries"));
            }
        }
        Query::Import => {
            out.push(query(
                "group_id",
                &integer,
                "Every imported customer joins this group (needs groups.update)",
            ));
            out.push(query(
                "dry_run",
                &json!({"type": "boolean"}),
                "Validate and count; write nothing",
            ));
        }
        _ => {}
    }
    if matches!(route.query, Query::Page | Query::PageSearch | Query::Audit) {
        out.push(json!({"name": "page", "in": "query", "required": false,
            "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX, "default": 1}}));
        out.push(json!({"name": "per_page", "in": "query", "required": false,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20}}));
    }
    if route.query == Query::PageSearch {
        out.push(json!({"name": "search", "in": "query", "required": false,
            "description": "Case-insensitive substring; % and _ are literal",
            "schema": {"type": "string"}}));
    }
    if matches!(route.method, Verb::Put | Verb::Patch | Verb::Delete) && route.reply == "Group" {
        out.push(
            json!({"name": "If-Match", "in": "header", "required": false,
            "description": "The group's ETag; a mismatch is 412", "schema": {"type": "string"}}),
        );
    }
    out
}

fn operation(route: &Route) -> Value {
    let data = if route.list {
        json!({
            "type": "object",
            "required": ["data", "meta", "links"],
            "properties": {
                "data": {"type": "array", "items": schema_ref(route.reply)},
                "meta": schema_ref("PageMeta"),
                "links": schema_ref("PageLinks"),
            },
        })
    } else if matches!(route.reply, "Status" | "OpenApi" | "CsvExport" | "Metrics") {
        schema_ref(route.reply)
    } else {
        json!({"type": "object", "required": ["data"], "properties": {"data": schema_ref(route.reply)}})
    };
    let mut ok = if route.reply == "CsvExport" {
        json!({
            "description": "OK: a header row, then one row per member",
            "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
            "content": {"text/csv": {"schema": data}},
        })
    } else if route.reply == "Metrics" {
        json!({"description": "OK: Prometheus text exposition format 0.0.4", "content": {"text/plain": {"schema": data}}})
    } else {
        json!({"description": "OK", "content": content(data)})
    };
    if route.method == Verb::Post
        && route.endpoint != super::routes::Endpoint::MembersAdd
        && route.reply != "Session"
        && route.reply != "Revoked"
    {
        ok["headers"] = json!({"Location": {"schema": {"type": "string"}, "description": "The new resource's route"}});
    }
    if route.reply == "Group" && route.method != Verb::Delete && route.method != Verb::Post {
        ok["headers"] = json!({"ETag": {"schema": {"type": "string"}}});
    }
    let mut responses = Map::new();
    responses.insert("200".into(), ok);
    for (status, response) in error_statuses(route) {
        responses.insert(status.into(), response);
    }
    let mut op = json!({
        "operationId": format!("{:?}{}", route.endpoint, if route.method == Verb::Patch { "Patch" } else { "" }),
        "summary": route.summary,
        "parameters": parameters(route),
        "responses": responses,
    });
    if route.guard == Guard::Public {
        op["security"] = json!([]);
    }
    if let Some(body) = route.body {
        let media = if body == "CsvImport" {
            "text/csv"
        } else {
            "application/json"
        };
        // No body reads as `{}`: an update without one changes nothing.
        op["requestBody"] = json!({"required": body != "Empty" && !body.ends_with("Update"), "content": {media: {"schema": schema_ref(body)}}});
    }
    op
}

fn string(max: usize) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max})
}

/// A name as a request gives it: one line (no control characters, as the
/// server checks) with something besides spaces (it is trimmed first).
fn line(max: usize) -> Value {
    const CONTROL: &str = "\\u0000-\\u001f\\u007f-\\u009f";
    const SPACE: &str = "\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
    json!({
        "type": "string", "minLength": 1, "maxLength": max,
        "pattern": format!("^[^{CONTROL}]*[^{CONTROL}{SPACE}][^{CONTROL}]*$"),
    })
}

fn nullable_string(max: usize) -> Value {
    json!({"type": ["string", "null"], "maxLength": max})
}

fn timestamp() -> Value {
    json!({"type": "string", "format": "date-time"})
}

fn id() -> Value {
    json!({"type": "integer", "format": "int64", "minimum": 1})
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

/// A request body: no other fields allowed.
fn input(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties, "additionalProperties": false})
}

fn schemas() -> Value {
    let customer_props = json!({
        "id": id(), "partner_id": id(),
        "first_name": string(255), "last_name": string(255),
        "email": {"type": ["string", "null"], "format": "email"},
        "phone": nullable_string(50),
        "created_at": timestamp(), "updated_at": timestamp(),
    });
    let customer_required = [
        "id",
        "partner_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "created_at",
        "updated_at",
    ];
    let mut member_props = customer_props.clone();
    member_props["added_at"] = timestamp();
    let mut member_required = customer_required.to_vec();
    member_required.push("added_at");
    let user = object(
        &[
            "id",
            "email",
            "first_name",
            "last_name",
            "is_admin",
            "permissions",
            "partner_ids",
            "created_at",
            "updated_at",
        ],
        json!({
            "id": id(), "email": {"type": "string"}, "first_name": {"type": "string"}, "last_name": {"type": "string"},
            "is_admin": {"type": "boolean"},
            "permissions": {"type": "array", "items": {"type": "string", "enum": PERMISSIONS}},
            "partner_ids": {"type": "array", "items": id()},
            "created_at": timestamp(), "updated_at": timestamp(),
        }),
    );
    let mut schemas = json!({
        "Error": object(&["message"], json!({"message": {"type": "string"}})),
        "ValidationError": object(&["message", "errors"], json!({
            "message": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        })),
        "Status": object(&["status"], json!({"status": {"type": "string", "enum": ["ok"]}})),
        "OpenApi": {"type": "object"},
        "PageMeta": object(&["current_page", "from", "to", "per_page", "total", "last_page"], json!({
            "current_page": {"type": "integer", "minimum": 1},
            "from": {"type": ["integer", "null"]}, "to": {"type": ["integer", "null"]},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0}, "last_page": {"type": "integer", "minimum": 1},
        })),
        "PageLinks": object(&["first", "last", "prev", "next"], json!({
            "first": {"type": "string"}, "last": {"type": "string"},
            "prev": {"type": ["string", "null"]}, "next": {"type": ["string", "null"]},
        })),
        "Group": object(
            &["id", "partner_id", "name", "description", "customers_count", "created_at", "updated_at"],
            json!({
                "id": id(), "partner_id": id(), "name": string(255), "description": nullable_string(2000),
                "customers_count": {"type": "integer", "minimum": 0},
                "created_at": timestamp(), "updated_at": timestamp(),
            }),
        ),
        "Customer": object(&customer_required, customer_props),
        "Member": object(&member_required, member_props),
        "Partner": object(&["id", "name", "created_at", "updated_at"], json!({
            "id": id(), "name": string(255), "created_at": timestamp(), "updated_at": timestamp(),
        })),
        "User": user,
        "UserSummary": object(&["id", "first_name", "last_name", "email"], json!({
            "id": id(), "first_name": {"type": "string"}, "last_name": {"type": "string"}, "email": {"type": "string"},
        })),
        "Session": object(&["token", "token_type", "expires_at", "user"], json!({
            "token": {"type": "string"}, "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_at": timestamp(), "user": schema_ref("User"),
        })),
        "Revoked": object(&["revoked"], json!({"revoked": {"type": "boolean"}})),
        "Login": input(&["email", "password"], json!({"email": line(255), "password": {"type": "string", "minLength": 1, "maxLength": 1024}})),
        "Empty": input(&[], json!({})),
        "PartnerCreate": input(&["name"], json!({"name": line(255)})),
        "PartnerUpdate": input(&[], json!({"name": line(255)})),
        "UserPermissions": input(&["permissions"], json!({
            "permissions": {"type": "array", "items": {"type": "string", "enum": PERMISSIONS}},
        })),
        "UserPartners": input(&["partner_ids"], json!({"partner_ids": {"type": "array", "items": id()}})),
        "PartnerUserCreate": input(&["email", "password", "first_name", "last_name"], json!({
            "email": {"type": "string", "format": "email", "maxLength": 255},
            "password": {"type": "string", "minLength": 8, "maxLength": 1024},
            "first_name": line(255), "last_name": line(255),
        })),
        "CustomerCreate": input(&["first_name", "last_name"], json!({
            "first_name": line(255), "last_name": line(255),
            "email": {"type": ["string", "null"], "format": "email", "maxLength": 255},
            "phone": nullable_string(50),
        })),
        "CustomerUpdate": input(&[], json!({
            "first_name": line(255), "last_name": line(255),
            "email": {"type": ["string", "null"], "format": "email", "maxLength": 255},
            "phone": nullable_string(50),
        })),
        "GroupCreate": input(&["name"], json!({"name": line(255), "description": nullable_string(2000)})),
        "GroupUpdate": input(&[], json!({"name": line(255), "description": nullable_string(2000)})),
        "MembersBatch": input(&[], json!({
            "add": {"type": "array", "items": id(), "maxItems": 1000},
            "remove": {"type": "array", "items": id(), "maxItems": 1000},
        })),
        "BatchResult": object(&["added", "removed", "customers_count"], json!({
            "added": {"type": "integer", "minimum": 0}, "removed": {"type": "integer", "minimum": 0},
            "customers_count": {"type": "integer", "minimum": 0},
        })),
        "CsvExport": {"type": "string", "description": "RFC 4180 CSV: id,first_name,last_name,email,phone,added_at; cells starting with = + - @ tab or CR get a leading '"},
        "CsvImport": {"type": "string", "description": "UTF-8 CSV (BOM allowed), `,` or `;`; header names first_name, last_name, email, phone in any order; up to 5 MB"},
        "ImportResult": object(&["created", "matched", "added_to_group", "dry_run"], json!({
            "created": {"type": "integer", "minimum": 0}, "matched": {"type": "integer", "minimum": 0},
            "added_to_group": {"type": "integer", "minimum": 0}, "dry_run": {"type": "boolean"},
        })),
        "AuditEntry": object(
            &["id", "partner_id", "user_id", "action", "subject_type", "subject_id", "changes", "created_at"],
            json!({
                "id": id(), "partner_id": {"type": ["integer", "null"]}, "user_id": {"type": ["integer", "null"]},
                "action": {"type": "string"}, "subject_type": {"type": "string"},
                "subject_id": {"type": ["integer", "null"]},
                "changes": {"type": "object", "description": "field: [old, new]"},
                "created_at": timestamp(),
            }),
        ),
        "MemberAdd": input(&["customer_id"], json!({"customer_id": id()})),
    });
    // Apart: one more entry in the literal above passes json!'s recursion limit.
    schemas["Metrics"] = json!({"type": "string", "description": "Prometheus text format 0.0.4: venue_groups_http_requests_total, venue_groups_http_request_duration_seconds, venue_groups_writer_queue_depth, venue_groups_writer_batch_size, venue_groups_db_commits_total, venue_groups_db_commit_seconds, venue_groups_logins_total, venue_groups_open_connections, venue_groups_database_bytes, venue_groups_wal_bytes, venue_groups_build_info"});
    schemas
}

/// The document as JSON.
pub fn spec() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let item = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        item[route.method.as_str().to_ascii_lowercase()] = operation(route);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "venue-groups",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Partner groups of the Venuzle Manager API, served by venue-groups.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_with_its_statuses() {
        let doc = spec();
        for route in ROUTES {
            let op = &doc["paths"][route.path][route.method.as_str().to_ascii_lowercase()];
            assert!(op.is_object(), "{} {}", route.method.as_str(), route.path);
            assert!(op["responses"]["200"].is_object());
            if route.guard != Guard::Public {
                assert!(op["responses"]["401"].is_object(), "{}", route.path);
            }
            if let Some(body) = route.body {
                assert!(doc["components"]["schemas"][body].is_object(), "{body}");
                assert!(op["responses"]["422"].is_object());
            }
            assert!(
                doc["components"]["schemas"][route.reply].is_object(),
                "{}",
                route.reply
            );
        }
    }

    #[test]
    fn every_schema_reference_resolves() {
        let text = spec().to_string();
        let doc = spec();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(doc["components"]["schemas"][&name].is_object(), "{name}");
        }
    }
}
