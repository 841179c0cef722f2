//! Each route as an OpenAPI operation: its tag, who may call it and the
//! order of checks, its parameters, body, and every status and header it
//! answers.

use super::{header_ref, parameter_ref, response_ref, schema_ref};
use crate::api::routes::{Endpoint, Guard, Query, Route, Verb};
use serde_json::{json, Map, Value};

/// The base path every API route lives under.
const BASE: &str = "/api/internal/v1";

/// The tag of a route, from its path: new routes are grouped without a
/// change here.
pub(super) fn tag(route: &Route) -> &'static str {
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

pub(super) const TAGS: [(&str, &str); 8] = [
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
    if matches!(route.endpoint, PartnersDelete | UsersUpdateAccount) {
        out.push(("409", response_ref("Conflict")));
    }
    if if_match(route) {
        out.push(("412", response_ref("PreconditionFailed")));
    }
    if body || route.query != Query::None {
        out.push(("422", response_ref("ValidationFailed")));
    }
    if matches!(route.endpoint, Login | MePassword | MembersExport) {
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
pub(super) fn reply_schema(route: &Route) -> String {
    if route.list {
        format!("{}Page", route.reply)
    } else if matches!(route.reply, "Status" | "OpenApi" | "CsvExport" | "Metrics") {
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

pub(super) fn operation(route: &Route, examples: &Map<String, Value>) -> Value {
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
    } else if route.reply == "Metrics" {
        json!({
            "description": "OK: Prometheus text exposition format 0.0.4",
            "content": {"text/plain": {
                "schema": schema_ref("Metrics"),
                "example": examples["Metrics"],
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
