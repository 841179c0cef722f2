//! The OpenAPI 3.1 document, generated from the route table: every route
//! with its tag, a description naming who may call it and the order of
//! checks, its parameters, request body and every status and header it can
//! answer, each with a schema and an example. Client generators
//! (openapi-python-client), fuzzers (schemathesis) and explorers (Swagger
//! UI, Redoc) read it; `.ci/openapi-lint` keeps it clean for all of them.

use super::auth::PERMISSIONS;
use super::members::BATCH_LIMIT;
use super::pagination::{DEFAULT_PER_PAGE, MAX_PER_PAGE};
use super::reply;
use super::routes::{Endpoint, Guard, Query, Route, Verb, ROUTES};
use serde_json::{json, Map, Value};
use std::sync::{Mutex, OnceLock};
use warp::http::{Response, StatusCode};
use warp::hyper::Body;

/// GET /api/openapi.json, with `servers` naming the server's public URL so
/// a client generated from it, or an explorer, calls the right place.
pub fn document(public_url: &str) -> Response<Body> {
    // The route table does not change while the process runs: the
    // document is built once, and its bytes once per public URL (a
    // process serves one; tests run several servers in one process, so
    // only the last is kept).
    static DOC: OnceLock<Value> = OnceLock::new();
    static BYTES: Mutex<Option<(String, bytes::Bytes)>> = Mutex::new(None);
    let mut cache = BYTES.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = match &*cache {
        Some((url, bytes)) if url == public_url => bytes.clone(),
        _ => {
            let mut doc = DOC.get_or_init(spec).clone();
            doc["servers"] = json!([{"url": public_url, "description": "This server"}]);
            let bytes = bytes::Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
            *cache = Some((public_url.to_string(), bytes.clone()));
            bytes
        }
    };
    drop(cache);
    reply::json_bytes(StatusCode::OK, Body::from(bytes))
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn response_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/responses/{name}")})
}

fn parameter_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

fn header_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/headers/{name}")})
}

/// The base path every API route lives under.
const BASE: &str = "/api/internal/v1";

/// The tag of a route, from its path: new routes are grouped without a
/// change here.
fn tag(route: &Route) -> &'static str {
    let path = route.path.strip_prefix(BASE).unwrap_or(route.path);
    if !route.path.starts_with(BASE) {
        "Health"
    } else if path.starts_with("/auth") || path.starts_with("/me") {
        "Auth"
    } else if path.contains("/groups/{group_id}/customers") {
        "Members"
    } else if path.contains("/audit") {
        "Audit"
    } else if path.contains("/groups") {
        "Groups"
    } else if path.contains("/customers") {
        "Customers"
    } else if path.contains("/users") {
        "Users"
    } else {
        "Partners"
    }
}

const TAGS: [(&str, &str); 8] = [
    ("Auth", "Log in for a bearer token, log out, and the signed-in user."),
    ("Partners", "Venues (partners): admins manage them; other users see the partners they have access to."),
    ("Users", "Staff logins: a partner's users, and the admin's permission and partner management."),
    ("Customers", "A partner's customers, one by one or imported from a CSV file."),
    ("Groups", "A partner's groups (members, season-ticket holders, coaches, a school class), with ETags for safe concurrent updates."),
    ("Members", "Which customers are in a group: one at a time, in batches, or exported as CSV."),
    ("Audit", "Who changed what: an entry for every change, never changed or deleted."),
    ("Health", "Liveness, health and this document; no token needed."),
];

/// Who may call the route and the order the server checks things in.
fn access(route: &Route) -> String {
    let partner = route.path.contains("{partner_id}");
    let inside = route.path.matches('{').count() > usize::from(partner);
    let resource = if inside {
        " → the resource inside it (404)"
    } else {
        ""
    };
    let input = match (route.body.is_some(), route.query != Query::None) {
        (true, true) => " → the query and the body (400/413/415/422)",
        (true, false) => " → the body (400/413/415/422)",
        (false, true) => " → the query (422)",
        (false, false) => "",
    };
    let partner_check = "partner access (403; a partner that does not exist is also 403 for a non-admin, 404 for an admin)";
    match route.guard {
        Guard::Public if input.is_empty() => "**Public**: no token needed.".to_string(),
        Guard::Public => format!("**Public**: no token needed. Checks: {}.", input.trim_start_matches(" → ")),
        Guard::User if partner => format!("**Any signed-in user** with access to the partner (admins: every partner). Checks, in order: token (401) → {partner_check}{resource}{input}."),
        Guard::User => format!("**Any signed-in user.** Checks, in order: token (401){resource}{input}."),
        Guard::Admin => format!("**Admin only.** Checks, in order: token (401) → admin (403){}{input}.", if route.path.contains('{') { " → the resource (404)" } else { "" }),
        Guard::Partner(p) => format!("**Permission `{}`** and access to the partner (admins hold every permission and every partner). Checks, in order: token (401) → permission (403) → {partner_check}{resource}{input}.", p.name()),
        Guard::PartnerMember => format!("**Admin, or a user with access to the partner.** Checks, in order: token (401) → {partner_check}{input}."),
    }
}

/// The statuses a route answers besides 200, each a reusable response.
fn error_responses(route: &Route) -> Vec<(&'static str, Value)> {
    use Endpoint::*;
    let mut out: Vec<(&'static str, Value)> = Vec::new();
    let body = route.body.is_some();
    if body {
        if route.endpoint != CustomersImport {
            out.push(("400", response_ref("MalformedJson")));
        }
        out.push(("408", response_ref("RequestTimeout")));
        out.push(("413", response_ref("PayloadTooLarge")));
        out.push(("415", response_ref("UnsupportedMediaType")));
    }
    if route.endpoint == Login {
        out.push(("401", response_ref("InvalidCredentials")));
    } else if route.guard != Guard::Public {
        out.push(("401", response_ref("Unauthenticated")));
    }
    let partner = route.path.contains("{partner_id}");
    if matches!(
        route.guard,
        Guard::Admin | Guard::Partner(_) | Guard::PartnerMember
    ) || (route.guard == Guard::User && partner)
    {
        out.push(("403", response_ref("Forbidden")));
    }
    if route.path.contains('{') {
        out.push(("404", response_ref("NotFound")));
    }
    out.push(("405", response_ref("MethodNotAllowed")));
    if route.endpoint == PartnersDelete {
        out.push(("409", response_ref("Conflict")));
    }
    if if_match(route) {
        out.push(("412", response_ref("PreconditionFailed")));
    }
    if body || route.query != Query::None {
        out.push(("422", response_ref("ValidationFailed")));
    }
    if matches!(route.endpoint, Login | MembersExport) {
        out.push(("429", response_ref("TooManyRequests")));
    }
    out.push(("503", response_ref("Unavailable")));
    out.push(("default", response_ref("Error")));
    out
}

/// Writes that take `If-Match`: those of a resource that has an `ETag`.
fn if_match(route: &Route) -> bool {
    matches!(
        route.endpoint,
        Endpoint::GroupsUpdate | Endpoint::GroupsDelete
    )
}

/// The headers of the 200.
fn ok_headers(route: &Route) -> Value {
    use Endpoint::*;
    let mut h = Map::new();
    match route.endpoint {
        // Creates of a resource of their own; a member, a batch and an
        // import create none.
        PartnersCreate | PartnerUsersCreate | CustomersCreate | GroupsCreate => {
            h.insert("Location".into(), header_ref("Location"));
        }
        GroupsShow | GroupsUpdate => {
            h.insert("ETag".into(), header_ref("ETag"));
        }
        MembersExport => {
            h.insert(
                "Content-Disposition".into(),
                header_ref("Content-Disposition"),
            );
        }
        _ => {}
    }
    Value::Object(h)
}

fn parameters(route: &Route) -> Vec<Value> {
    let mut out = Vec::new();
    for segment in route.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            out.push(parameter_ref(name));
        }
    }
    match route.query {
        Query::Audit => {
            for name in ["subject_type", "subject_id", "action", "user_id"] {
                out.push(parameter_ref(&format!("audit_{name}")));
            }
            if route.guard == Guard::Admin {
                out.push(parameter_ref("audit_partner_id"));
            }
        }
        Query::Import => {
            out.push(parameter_ref("import_group_id"));
            out.push(parameter_ref("dry_run"));
        }
        _ => {}
    }
    if matches!(route.query, Query::Page | Query::PageSearch | Query::Audit) {
        out.push(parameter_ref("page"));
        out.push(parameter_ref("per_page"));
    }
    if route.query == Query::PageSearch {
        out.push(parameter_ref("search"));
    }
    if if_match(route) {
        out.push(parameter_ref("If-Match"));
    }
    out
}

/// The schema name of the 200's body: `GroupResource` (`{"data": Group}`),
/// `GroupPage` (a page of groups), or the reply itself.
fn reply_schema(route: &Route) -> String {
    if route.list {
        format!("{}Page", route.reply)
    } else if matches!(route.reply, "Status" | "OpenApi" | "CsvExport") {
        route.reply.to_string()
    } else {
        format!("{}Resource", route.reply)
    }
}

fn operation_id(route: &Route) -> String {
    format!(
        "{:?}{}",
        route.endpoint,
        if route.method == Verb::Patch {
            "Patch"
        } else {
            ""
        }
    )
}

fn operation(route: &Route, examples: &Map<String, Value>) -> Value {
    let schema = reply_schema(route);
    let ok = if route.reply == "CsvExport" {
        json!({
            "description": "A header row, then one row per member, streamed",
            "headers": ok_headers(route),
            "content": {"text/csv": {
                "schema": schema_ref("CsvExport"),
                "example": examples["CsvExport"],
            }},
        })
    } else {
        let mut media = json!({"schema": schema_ref(&schema)});
        if let Some(example) = examples.get(&schema) {
            media["example"] = example.clone();
        }
        let mut ok = json!({
            "description": "OK",
            "content": {"application/json": media},
        });
        let headers = ok_headers(route);
        if headers.as_object().is_some_and(|h| !h.is_empty()) {
            ok["headers"] = headers;
        }
        ok
    };
    let mut responses = Map::new();
    responses.insert("200".into(), ok);
    for (status, response) in error_responses(route) {
        responses.insert(status.into(), response);
    }
    let mut description = access(route);
    if !route.about.is_empty() {
        description = format!("{}\n\n{description}", route.about);
    }
    let mut op = json!({
        "tags": [tag(route)],
        "operationId": operation_id(route),
        "summary": route.summary,
        "description": description,
        "responses": responses,
    });
    let params = parameters(route);
    if !params.is_empty() {
        op["parameters"] = Value::Array(params);
    }
    match route.guard {
        Guard::Public => op["security"] = json!([]),
        Guard::Partner(p) => op["x-permission"] = json!(p.name()),
        Guard::Admin => op["x-permission"] = json!("admin"),
        _ => {}
    }
    if let Some(body) = route.body {
        let (media, description) = if body == "CsvImport" {
            (
                "text/csv",
                "The CSV file (`Content-Type: text/csv`, up to 5 MB)",
            )
        } else if body == "Empty" {
            ("application/json", "Nothing, or an empty JSON object")
        } else {
            ("application/json", "A JSON object (up to 64 KiB)")
        };
        let mut content = json!({"schema": schema_ref(body)});
        if let Some(example) = examples.get(body) {
            content["example"] = example.clone();
        }
        // No body reads as `{}`: an update without one changes nothing.
        op["requestBody"] = json!({
            "description": description,
            "required": body != "Empty" && !body.ends_with("Update"),
            "content": {media: content},
        });
    }
    op
}

/// Adds `examples` to a property schema.
fn ex(mut schema: Value, example: Value) -> Value {
    schema["examples"] = json!([example]);
    schema
}

fn described(mut schema: Value, description: &str) -> Value {
    schema["description"] = json!(description);
    schema
}

const CONTROL: &str = "\\u0000-\\u001f\\u007f-\\u009f";
/// What `str::trim` takes off (Unicode White_Space), line breaks and tabs
/// included.
const WHITE: &str =
    "\\u0009-\\u000d\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// A pattern for text the server trims and then takes when it is
/// 1..=`max` characters with none of `banned` in it: white space around
/// it is free, so the limit is on what is left (as the server counts).
fn trimmed(max: usize, banned: &str, optional: bool) -> String {
    let inner = format!(
        "[^{WHITE}{banned}](?:[^{banned}]{{0,{}}}[^{WHITE}{banned}])?",
        max - 2
    );
    if optional {
        format!("^[{WHITE}]*(?:{inner})?[{WHITE}]*$")
    } else {
        format!("^[{WHITE}]*{inner}[{WHITE}]*$")
    }
}

/// A name as a request gives it: trimmed, then one line (no control
/// characters) of 1..=max characters, as the server checks.
fn line(max: usize, example: &str) -> Value {
    ex(
        json!({
            "type": "string", "minLength": 1,
            "pattern": trimmed(max, CONTROL, false),
            "description": format!("One line; trimmed, then 1..={max} characters"),
        }),
        json!(example),
    )
}

/// An optional one-line string: an empty (or all-space) string is `null`,
/// as Laravel's ConvertEmptyStringsToNull makes it.
fn nullable_line(max: usize, example: &str) -> Value {
    ex(
        json!({
            "type": ["string", "null"],
            "pattern": trimmed(max, CONTROL, true),
            "description": format!("One line; trimmed, then up to {max} characters. `null`, or an empty string (stored as `null`), clears it"),
        }),
        json!(example),
    )
}

/// An optional text of several lines: trimmed, up to `max` characters, no
/// NUL; empty is `null`.
fn nullable_text(max: usize, example: &str) -> Value {
    ex(
        json!({
            "type": ["string", "null"],
            "pattern": trimmed(max, "\\u0000", true),
            "description": format!("Line breaks allowed; trimmed, then up to {max} characters. `null`, or an empty string (stored as `null`), clears it"),
        }),
        json!(example),
    )
}

/// An optional email: a valid address, or `null`, or an empty string,
/// which the server stores as `null` (so a client and a fuzzer agree).
fn nullable_email(example: &str) -> Value {
    ex(
        json!({
            "anyOf": [
                {"type": "string", "format": "email", "maxLength": 254},
                {"type": "string", "maxLength": 0, "description": "Empty: stored as null"},
                {"type": "null"},
            ],
            "description": "A valid address, unique within the partner ignoring case; `null`, or an empty string (stored as `null`), clears it",
        }),
        json!(example),
    )
}

fn timestamp() -> Value {
    ex(
        json!({"type": "string", "format": "date-time", "description": "RFC 3339, UTC"}),
        json!("2026-11-26T08:15:00Z"),
    )
}

fn id(example: i64) -> Value {
    ex(
        json!({"type": "integer", "format": "int64", "minimum": 1}),
        json!(example),
    )
}

fn count(example: i64) -> Value {
    ex(json!({"type": "integer", "minimum": 0}), json!(example))
}

fn text(example: &str) -> Value {
    ex(json!({"type": "string"}), json!(example))
}

fn object(required: &[&str], properties: Value, example: &Value) -> Value {
    let mut o = json!({"type": "object", "properties": properties, "examples": [example]});
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o
}

/// A request body: no other fields allowed.
fn input(required: &[&str], properties: Value, example: &Value) -> Value {
    let mut o = object(required, properties, example);
    o["additionalProperties"] = json!(false);
    o
}

/// One example of every resource and request body, as the server would
/// answer or take it: a venue's real-looking data.
fn examples() -> Map<String, Value> {
    let at = "2026-11-26T08:15:00Z";
    let partner = json!({"id": 1, "name": "Sporthalle Nord", "created_at": at, "updated_at": at});
    let group = json!({
        "id": 3, "partner_id": 1, "name": "Members", "description": "Member prices on all courts",
        "customers_count": 42, "created_at": at, "updated_at": "2026-11-27T17:40:12Z",
    });
    let customer = json!({
        "id": 7, "partner_id": 1, "first_name": "Anna", "last_name": "Berger",
        "email": "anna.berger@example.com", "phone": "+43 660 1234567",
        "created_at": at, "updated_at": at,
    });
    let mut member = customer.clone();
    member["added_at"] = json!("2026-11-27T17:40:12Z");
    let user = json!({
        "id": 2, "email": "lena.schmidt@sporthalle-nord.example", "first_name": "Lena", "last_name": "Schmidt",
        "is_admin": false, "permissions": ["groups.read", "groups.update", "customers.read"],
        "partner_ids": [1], "created_at": at, "updated_at": at,
    });
    let entry = json!({
        "id": 118, "partner_id": 1, "user_id": 2, "action": "group.member_added",
        "subject_type": "group", "subject_id": 3, "changes": {"customer_id": [null, 7]},
        "created_at": "2026-11-27T17:40:12Z",
    });
    let mut m = Map::new();
    let mut put = |name: &str, v: Value| {
        m.insert(name.to_string(), v);
    };
    put("Partner", partner);
    put("Group", group);
    put("Customer", customer);
    put("Member", member);
    put("User", user.clone());
    put(
        "UserSummary",
        json!({"id": 2, "first_name": "Lena", "last_name": "Schmidt", "email": "lena.schmidt@sporthalle-nord.example"}),
    );
    put("AuditEntry", entry);
    put(
        "Session",
        json!({
            "token": "q3Vd9xJr2mFZkT1uYb7hWc5nLp0aEs8o4GiRtUvXyNw", "token_type": "Bearer",
            "expires_at": "2026-11-26T20:15:00Z", "user": user,
        }),
    );
    put("Revoked", json!({"revoked": true}));
    put(
        "BatchResult",
        json!({"added": 3, "removed": 1, "customers_count": 44}),
    );
    put(
        "ImportResult",
        json!({"created": 4, "matched": 1, "added_to_group": 5, "dry_run": false}),
    );
    put("Status", json!({"status": "ok"}));
    put(
        "OpenApi",
        json!({"openapi": "3.1.0", "info": {"title": "venue-groups", "version": env!("CARGO_PKG_VERSION")}}),
    );
    put(
        "PageMeta",
        json!({"current_page": 2, "from": 21, "to": 40, "per_page": 20, "total": 57, "last_page": 3}),
    );
    let list = "https://groups.sporthalle-nord.example/api/internal/v1/partners/1/groups";
    put(
        "PageLinks",
        json!({
            "first": format!("{list}?search=m&page=1"), "last": format!("{list}?search=m&page=3"),
            "prev": format!("{list}?search=m&page=1"), "next": format!("{list}?search=m&page=3"),
        }),
    );
    put(
        "Login",
        json!({"email": "lena.schmidt@sporthalle-nord.example", "password": "correct horse battery staple"}),
    );
    put("Empty", json!({}));
    put("PartnerCreate", json!({"name": "Sporthalle Nord"}));
    put(
        "PartnerUpdate",
        json!({"name": "Sporthalle Nord (Halle 2)"}),
    );
    put(
        "UserPermissions",
        json!({"permissions": ["groups.read", "groups.update", "customers.read"]}),
    );
    put("UserPartners", json!({"partner_ids": [1]}));
    put(
        "PartnerUserCreate",
        json!({
            "email": "lena.schmidt@sporthalle-nord.example", "password": "a-long-password",
            "first_name": "Lena", "last_name": "Schmidt",
        }),
    );
    put(
        "CustomerCreate",
        json!({"first_name": "Anna", "last_name": "Berger", "email": "anna.berger@example.com", "phone": "+43 660 1234567"}),
    );
    put("CustomerUpdate", json!({"phone": null}));
    put(
        "GroupCreate",
        json!({"name": "Members", "description": "Member prices on all courts"}),
    );
    put(
        "GroupUpdate",
        json!({"description": "Member prices on all courts, 10% off in the shop"}),
    );
    put("MemberAdd", json!({"customer_id": 7}));
    put("MembersBatch", json!({"add": [7, 8, 9], "remove": [4]}));
    put("CsvImport", json!("first_name;last_name;email;phone\nAnna;Berger;anna.berger@example.com;+43 660 1234567\nJonas;Huber;;\n"));
    put("CsvExport", json!("id,first_name,last_name,email,phone,added_at\r\n7,Anna,Berger,anna.berger@example.com,+43 660 1234567,2026-11-27T17:40:12Z\r\n"));
    put("Error", json!({"message": "This action is unauthorized."}));
    put(
        "ValidationError",
        json!({
            "message": "The name has already been taken.",
            "errors": {"name": ["The name has already been taken."]},
        }),
    );
    m
}

fn schemas(examples: &Map<String, Value>, routes: &[&Route]) -> Map<String, Value> {
    let e = |name: &str| examples[name].clone();
    let customer_props = json!({
        "id": id(7), "partner_id": id(1),
        "first_name": ex(json!({"type": "string", "minLength": 1, "maxLength": 255}), json!("Anna")),
        "last_name": ex(json!({"type": "string", "minLength": 1, "maxLength": 255}), json!("Berger")),
        "email": ex(json!({"type": ["string", "null"], "format": "email"}), json!("anna.berger@example.com")),
        "phone": ex(json!({"type": ["string", "null"], "maxLength": 50}), json!("+43 660 1234567")),
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
    member_props["added_at"] = described(timestamp(), "When the customer joined the group");
    let mut member_required = customer_required.to_vec();
    member_required.push("added_at");
    // A repeated permission in a request is taken once, so no
    // `uniqueItems`: the answer lists each once.
    let permission_list = |example: Value| {
        ex(
            json!({"type": "array", "items": schema_ref("Permission")}),
            example,
        )
    };
    let status_enum = ex(json!({"type": "string", "enum": ["ok"]}), json!("ok"));
    let mut s: Map<String, Value> = serde_json::from_value(json!({
        "Permission": {
            "type": "string", "enum": PERMISSIONS,
            "description": "A permission a user holds; admins hold every one.",
            "examples": ["groups.read"],
        },
        "Error": object(&["message"], json!({"message": text("This action is unauthorized.")}), &e("Error")),
        "ValidationError": object(&["message", "errors"], json!({
            "message": described(text("The name has already been taken."), "The first error; past 100 fields it ends \"(and N more errors)\""),
            "errors": ex(json!({
                "type": "object", "maxProperties": 100,
                "description": "Messages per field: body fields by name, list items as `add.0`, CSV rows as `rows.3.email`",
                "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            }), json!({"name": ["The name has already been taken."]})),
        }), &e("ValidationError")),
        "Status": object(&["status"], json!({"status": status_enum}), &e("Status")),
        "OpenApi": {"type": "object", "description": "An OpenAPI 3.1 document", "examples": [e("OpenApi")]},
        "PageMeta": object(&["current_page", "from", "to", "per_page", "total", "last_page"], json!({
            "current_page": ex(json!({"type": "integer", "minimum": 1}), json!(2)),
            "from": described(ex(json!({"type": ["integer", "null"], "minimum": 1}), json!(21)), "null on an empty page"),
            "to": described(ex(json!({"type": ["integer", "null"], "minimum": 1}), json!(40)), "null on an empty page"),
            "per_page": ex(json!({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}), json!(20)),
            "total": count(57),
            "last_page": ex(json!({"type": "integer", "minimum": 1}), json!(3)),
        }), &e("PageMeta")),
        "PageLinks": described(object(&["first", "last", "prev", "next"], json!({
            "first": ex(json!({"type": "string", "format": "uri"}), e("PageLinks")["first"].clone()),
            "last": ex(json!({"type": "string", "format": "uri"}), e("PageLinks")["last"].clone()),
            "prev": described(ex(json!({"type": ["string", "null"], "format": "uri"}), e("PageLinks")["prev"].clone()), "null on the first page"),
            "next": described(ex(json!({"type": ["string", "null"], "format": "uri"}), e("PageLinks")["next"].clone()), "null on the last page and past it"),
        }), &e("PageLinks")), "Absolute URLs on the server's public URL (`--public-url`), keeping every query parameter but `page`"),
        "Group": object(
            &["id", "partner_id", "name", "description", "customers_count", "created_at", "updated_at"],
            json!({
                "id": id(3), "partner_id": id(1),
                "name": described(ex(json!({"type": "string", "minLength": 1, "maxLength": 255}), json!("Members")), "Unique within the partner, ignoring case"),
                "description": ex(json!({"type": ["string", "null"], "maxLength": 2000}), json!("Member prices on all courts")),
                "customers_count": described(count(42), "Always exact"),
                "created_at": timestamp(), "updated_at": timestamp(),
            }),
            &e("Group"),
        ),
        "Customer": object(&customer_required, customer_props, &e("Customer")),
        "Member": described(object(&member_required, member_props, &e("Member")), "A customer in a group"),
        "Partner": object(&["id", "name", "created_at", "updated_at"], json!({
            "id": id(1),
            "name": ex(json!({"type": "string", "minLength": 1, "maxLength": 255}), json!("Sporthalle Nord")),
            "created_at": timestamp(), "updated_at": timestamp(),
        }), &e("Partner")),
        "User": object(
            &["id", "email", "first_name", "last_name", "is_admin", "permissions", "partner_ids", "created_at", "updated_at"],
            json!({
                "id": id(2),
                "email": ex(json!({"type": "string", "format": "email"}), json!("lena.schmidt@sporthalle-nord.example")),
                "first_name": text("Lena"), "last_name": text("Schmidt"),
                "is_admin": described(ex(json!({"type": "boolean"}), json!(false)), "Holds every permission and has access to every partner"),
                "permissions": permission_list(json!(["groups.read", "groups.update", "customers.read"])),
                "partner_ids": described(ex(json!({"type": "array", "items": {"type": "integer", "format": "int64", "minimum": 1}}), json!([1])), "Shown to a non-admin: only the partners the caller has access to"),
                "created_at": timestamp(), "updated_at": timestamp(),
            }),
            &e("User"),
        ),
        "UserSummary": object(&["id", "first_name", "last_name", "email"], json!({
            "id": id(2), "first_name": text("Lena"), "last_name": text("Schmidt"),
            "email": ex(json!({"type": "string", "format": "email"}), json!("lena.schmidt@sporthalle-nord.example")),
        }), &e("UserSummary")),
        "Session": object(&["token", "token_type", "expires_at", "user"], json!({
            "token": described(text("q3Vd9xJr2mFZkT1uYb7hWc5nLp0aEs8o4GiRtUvXyNw"), "Send as `Authorization: Bearer <token>`; shown once"),
            "token_type": ex(json!({"type": "string", "enum": ["Bearer"]}), json!("Bearer")),
            "expires_at": timestamp(), "user": schema_ref("User"),
        }), &e("Session")),
        "Revoked": object(&["revoked"], json!({"revoked": ex(json!({"type": "boolean"}), json!(true))}), &e("Revoked")),
        "BatchResult": object(&["added", "removed", "customers_count"], json!({
            "added": described(count(3), "Customers that were not members before"),
            "removed": described(count(1), "Customers that were members before"),
            "customers_count": described(count(44), "The group's members now"),
        }), &e("BatchResult")),
        "ImportResult": object(&["created", "matched", "added_to_group", "dry_run"], json!({
            "created": described(count(4), "New customers"),
            "matched": described(count(1), "Rows whose email matched an existing customer, reused unchanged"),
            "added_to_group": described(count(5), "New members of `group_id`'s group"),
            "dry_run": ex(json!({"type": "boolean"}), json!(false)),
        }), &e("ImportResult")),
        "AuditEntry": object(
            &["id", "partner_id", "user_id", "action", "subject_type", "subject_id", "changes", "created_at"],
            json!({
                "id": id(118),
                "partner_id": described(ex(json!({"type": ["integer", "null"], "format": "int64", "minimum": 1}), json!(1)), "null for changes outside a partner"),
                "user_id": described(ex(json!({"type": ["integer", "null"], "format": "int64", "minimum": 1}), json!(2)), "null for the command line"),
                "action": described(text("group.member_added"), "e.g. group.created, customer.updated, customers.imported"),
                "subject_type": described(text("group"), "group, customer, user or partner"),
                "subject_id": ex(json!({"type": ["integer", "null"], "format": "int64"}), json!(3)),
                "changes": ex(json!({"type": "object", "description": "Each changed field: [old, new] (passwords never appear)"}), json!({"customer_id": [null, 7]})),
                "created_at": timestamp(),
            }),
            &e("AuditEntry"),
        ),
        "CsvExport": {
            "type": "string",
            "description": "RFC 4180 CSV, UTF-8: a header row `id,first_name,last_name,email,phone,added_at` and one row per member in id order. A cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`.",
            "examples": [e("CsvExport")],
        },
        "CsvImport": {
            "type": "string", "format": "binary", "contentMediaType": "text/csv",
            "description": "UTF-8 CSV (byte-order mark allowed), separated by `,` or `;` (taken from the header row). The header names columns among first_name, last_name, email, phone in any order; first_name and last_name are required. Up to 5 MB.",
            "examples": [e("CsvImport")],
        },
        "Login": input(&["email", "password"], json!({
            "email": line(255, "lena.schmidt@sporthalle-nord.example"),
            "password": ex(json!({"type": "string", "minLength": 1, "maxLength": 1024, "pattern": "^[^\\u0000]*$", "description": "Not trimmed; at most 1024 bytes of UTF-8"}), json!("correct horse battery staple")),
        }), &e("Login")),
        "Empty": input(&[], json!({}), &e("Empty")),
        "PartnerCreate": input(&["name"], json!({"name": line(255, "Sporthalle Nord")}), &e("PartnerCreate")),
        "PartnerUpdate": input(&[], json!({"name": line(255, "Sporthalle Nord (Halle 2)")}), &e("PartnerUpdate")),
        "UserPermissions": input(&["permissions"], json!({
            "permissions": described(permission_list(json!(["groups.read", "groups.update", "customers.read"])), "The whole new set"),
        }), &e("UserPermissions")),
        "UserPartners": input(&["partner_ids"], json!({
            "partner_ids": described(ex(json!({"type": "array", "items": {"type": "integer", "format": "int64", "minimum": 1}}), json!([1])), "The whole new set; each an existing partner"),
        }), &e("UserPartners")),
        "PartnerUserCreate": input(&["email", "password", "first_name", "last_name"], json!({
            "email": ex(json!({"type": "string", "format": "email", "maxLength": 254, "description": "An existing user with this email is attached instead, and the other fields are ignored"}), json!("lena.schmidt@sporthalle-nord.example")),
            "password": ex(json!({"type": "string", "minLength": 8, "maxLength": 1024, "pattern": "^[^\\u0000]*$", "description": "Not trimmed; 8 to 1024 bytes of UTF-8"}), json!("a-long-password")),
            "first_name": line(255, "Lena"), "last_name": line(255, "Schmidt"),
        }), &e("PartnerUserCreate")),
        "CustomerCreate": input(&["first_name", "last_name"], json!({
            "first_name": line(255, "Anna"), "last_name": line(255, "Berger"),
            "email": nullable_email("anna.berger@example.com"),
            "phone": nullable_line(50, "+43 660 1234567"),
        }), &e("CustomerCreate")),
        "CustomerUpdate": input(&[], json!({
            "first_name": line(255, "Anna"), "last_name": line(255, "Berger"),
            "email": nullable_email("anna.berger@example.com"),
            "phone": nullable_line(50, "+43 660 1234567"),
        }), &e("CustomerUpdate")),
        "GroupCreate": input(&["name"], json!({
            "name": line(255, "Members"),
            "description": nullable_text(2000, "Member prices on all courts"),
        }), &e("GroupCreate")),
        "GroupUpdate": input(&[], json!({
            "name": line(255, "Members"),
            "description": nullable_text(2000, "Member prices on all courts"),
        }), &e("GroupUpdate")),
        "MemberAdd": input(&["customer_id"], json!({"customer_id": described(id(7), "A customer of this partner")}), &e("MemberAdd")),
    }))
    .unwrap_or_default();
    let mut batch = input(
        &[],
        json!({
            "add": described(ex(json!({"type": "array", "items": {"type": "integer", "format": "int64", "minimum": 1}, "maxItems": BATCH_LIMIT}), json!([7, 8, 9])), "Customers of this partner to add (members already are ignored)"),
            "remove": described(ex(json!({"type": "array", "items": {"type": "integer", "format": "int64", "minimum": 1}, "maxItems": BATCH_LIMIT}), json!([4])), "Customers to remove (non-members are ignored)"),
        }),
        &e("MembersBatch"),
    );
    batch["description"] = json!(format!(
        "At least one id, and at most {BATCH_LIMIT} ids in `add` and `remove` together."
    ));
    // At least one id in one of the lists: `{}` and `{"add": []}` are 422.
    // Said as "not (every list given is empty)", which keeps the body one
    // object for client generators (an `anyOf` makes two models of it).
    batch["not"] = json!({
        "description": "No list given, or only empty ones",
        "properties": {"add": {"maxItems": 0}, "remove": {"maxItems": 0}},
    });
    s.insert("MembersBatch".into(), batch);
    // The envelopes the routes answer: `{"data": X}` and pages of X.
    for route in routes {
        let name = reply_schema(route);
        if s.contains_key(&name) {
            continue;
        }
        let inner = route.reply;
        // A reply without an example (a route added without one) still
        // gets its envelope; the tests below then name what is missing.
        let example = examples.get(&name).cloned().unwrap_or(Value::Null);
        let mut schema = if route.list {
            object(
                &["data", "meta", "links"],
                json!({
                    "data": {"type": "array", "items": schema_ref(inner), "examples": [example["data"]]},
                    "meta": schema_ref("PageMeta"),
                    "links": schema_ref("PageLinks"),
                }),
                &example,
            )
        } else {
            object(&["data"], json!({"data": schema_ref(inner)}), &example)
        };
        if example.is_null() {
            if let Some(o) = schema.as_object_mut() {
                o.remove("examples");
            }
            schema["properties"]["data"]
                .as_object_mut()
                .map(|d| d.remove("examples"));
        }
        s.insert(name, schema);
    }
    s
}

/// Examples of the envelopes, from the examples of what they wrap.
fn envelope_examples(examples: &mut Map<String, Value>, routes: &[&Route]) {
    for route in routes {
        let name = reply_schema(route);
        if examples.contains_key(&name) {
            continue;
        }
        let Some(inner) = examples.get(route.reply).cloned() else {
            continue;
        };
        let example = if route.list {
            json!({"data": [inner], "meta": {"current_page": 1, "from": 1, "to": 1, "per_page": DEFAULT_PER_PAGE, "total": 1, "last_page": 1},
                   "links": {"first": "https://groups.sporthalle-nord.example/api/internal/v1/partners/1/groups?page=1",
                             "last": "https://groups.sporthalle-nord.example/api/internal/v1/partners/1/groups?page=1",
                             "prev": null, "next": null}})
        } else {
            json!({"data": inner})
        };
        examples.insert(name, example);
    }
}

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

fn responses() -> Value {
    json!({
        "MalformedJson": error("The body is not JSON, not a JSON object, or nested deeper than 32 levels", "Malformed JSON: expected value at line 1 column 1", &[]),
        "InvalidCredentials": error("Wrong email or password (the same answer, in about the same time, for an unknown email)", "Invalid credentials.", &[]),
        "Unauthenticated": error("No, unknown, expired or revoked token", "Unauthenticated.", &["WWW-Authenticate"]),
        "Forbidden": error("Lacks the permission, or access to the partner", "This action is unauthorized.", &[]),
        "NotFound": error("No such resource under this partner", "Not found.", &[]),
        "MethodNotAllowed": error("The path exists with other methods, listed in `Allow`", "Method not allowed.", &["Allow"]),
        "RequestTimeout": error("The body did not arrive within 30 s", "Request timeout.", &[]),
        "Conflict": error("The change would orphan data (a partner that still has groups or customers)", "The partner still has groups or customers.", &[]),
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

fn headers() -> Value {
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

fn parameter_components() -> Value {
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

const DESCRIPTION: &str = "\
The partner-groups endpoints of the Venuzle Manager API, served by venue-groups: \
a venue (*partner*) keeps its *customers* and sorts them into *groups*; partner staff \
are *users* with *permissions* and access to the partners they work for.

- **Authentication**: `Authorization: Bearer <token>`, a token from `POST /api/internal/v1/auth/login`.
- **Order of checks** for a partner route: token (401) → permission (403) → partner access \
(403; a partner that does not exist is also 403 for a non-admin, 404 for an admin) → the \
resource inside that partner (404) → the query and the body (400/413/415/422). Routing comes \
first: an unknown path is 404 and a known path with another method is 405 with `Allow`.
- **Bodies** are JSON objects; unknown fields are 422; strings other than passwords are \
trimmed, and an empty optional string is `null`.
- **Lists** are pages: `{\"data\": [...], \"meta\": {...}, \"links\": {...}}` with absolute links.
- **Errors** are `{\"message\": \"...\"}`, with `errors` per field on a 422.

The whole contract is `docs/API.md` in the repository.";

/// The document as JSON (without `servers`, which [`document`] adds).
pub fn spec() -> Value {
    let routes: Vec<&Route> = ROUTES.iter().collect();
    let mut examples = examples();
    envelope_examples(&mut examples, &routes);
    let mut paths = Map::new();
    for route in &routes {
        let item = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        item[route.method.as_str().to_ascii_lowercase()] = operation(route, &examples);
    }
    let tags: Vec<Value> = TAGS
        .iter()
        .map(|(name, description)| json!({"name": name, "description": description}))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "venue-groups",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "Partner groups of the Venuzle Manager API, from one self-hosted binary.",
            "description": DESCRIPTION,
            "contact": {"name": "venue-groups maintainers", "url": "https://venue-groups.example/docs", "email": "support@venue-groups.example"},
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "http://127.0.0.1:8080", "description": "The default address"}],
        "security": [{"bearerAuth": []}],
        "tags": tags,
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "opaque",
                "description": "A token from `POST /api/internal/v1/auth/login`: 43 characters, opaque, valid for 12 h by default (`--token-ttl`), revoked by `POST /api/internal/v1/auth/logout`.",
            }},
            "schemas": schemas(&examples, &routes),
            "responses": responses(),
            "parameters": parameter_components(),
            "headers": headers(),
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
            assert!(op["responses"]["405"].is_object());
            assert!(op["responses"]["503"].is_object());
            assert!(op["responses"]["default"].is_object());
            assert_eq!(op["tags"].as_array().map(Vec::len), Some(1));
            assert!(op["description"].as_str().is_some_and(|d| d.contains("**")));
            if route.guard != Guard::Public {
                assert!(op["responses"]["401"].is_object(), "{}", route.path);
            }
            if let Some(body) = route.body {
                assert!(doc["components"]["schemas"][body].is_object(), "{body}");
                assert!(op["responses"]["422"].is_object());
            }
        }
    }

    #[test]
    fn every_reference_resolves_and_every_component_is_used() {
        let doc = spec();
        let text = doc.to_string();
        for kind in ["schemas", "responses", "parameters", "headers"] {
            let prefix = format!("#/components/{kind}/");
            for part in text.split(&prefix).skip(1) {
                let name: String = part.chars().take_while(|c| *c != '"').collect();
                assert!(doc["components"][kind][&name].is_object(), "{kind}/{name}");
            }
            for name in doc["components"][kind].as_object().unwrap().keys() {
                assert!(
                    text.contains(&format!("\"{prefix}{name}\"")),
                    "{kind}/{name} unused"
                );
            }
        }
    }

    #[test]
    fn every_schema_property_and_body_has_an_example() {
        let doc = spec();
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            assert!(schema["examples"].is_array(), "{name}");
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                assert!(
                    property["examples"].is_array() || property["$ref"].is_string(),
                    "{name}.{field}"
                );
            }
        }
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for media in op["requestBody"]["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    assert!(
                        media.1["example"].is_string() || media.1["example"].is_object(),
                        "{method} {path}"
                    );
                }
                let ok = &op["responses"]["200"]["content"];
                assert!(
                    ok.as_object()
                        .unwrap()
                        .values()
                        .all(|m| !m["example"].is_null()),
                    "{method} {path}"
                );
            }
        }
    }

    #[test]
    fn the_tags_used_are_the_tags_described() {
        let described: Vec<&str> = TAGS.iter().map(|(name, _)| *name).collect();
        for route in ROUTES {
            assert!(described.contains(&tag(route)), "{}", route.path);
        }
    }
}
