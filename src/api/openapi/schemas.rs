//! The schemas: resources, request bodies (each as strict as the server's
//! validation, so a fuzzer and a client agree with it), and the envelopes
//! the routes answer.

use super::operations::reply_schema;
use super::schema_ref;
use crate::api::auth::PERMISSIONS;
use crate::api::members::BATCH_LIMIT;
use crate::api::pagination::MAX_PER_PAGE;
use crate::api::routes::Route;
use serde_json::{json, Map, Value};

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

/// A password as a request gives it: not trimmed, `min` characters to
/// 1024 bytes, no NUL.
fn password(min: usize) -> Value {
    json!({"type": "string", "minLength": min, "maxLength": 1024, "pattern": "^[^\\u0000]*$", "description": "Not trimmed; at most 1024 bytes of UTF-8"})
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

pub(super) fn schemas(examples: &Map<String, Value>, routes: &[&Route]) -> Map<String, Value> {
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
            &["id", "email", "first_name", "last_name", "is_admin", "disabled", "permissions", "partner_ids", "created_at", "updated_at"],
            json!({
                "id": id(2),
                "email": ex(json!({"type": "string", "format": "email"}), json!("lena.schmidt@sporthalle-nord.example")),
                "first_name": text("Lena"), "last_name": text("Schmidt"),
                "is_admin": described(ex(json!({"type": "boolean"}), json!(false)), "Holds every permission and has access to every partner"),
                "disabled": described(ex(json!({"type": "boolean"}), json!(false)), "Cannot log in, and none of its tokens work"),
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
        "RevokedCount": object(&["revoked"], json!({"revoked": described(count(3), "How many tokens stopped working")}), &e("RevokedCount")),
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
        "Metrics": {
            "type": "string",
            "description": "Prometheus text format 0.0.4: venue_groups_http_requests_total, venue_groups_http_request_duration_seconds, venue_groups_writer_queue_depth, venue_groups_writer_batch_size, venue_groups_db_commits_total, venue_groups_db_commit_seconds, venue_groups_logins_total, venue_groups_open_connections, venue_groups_database_bytes, venue_groups_wal_bytes, venue_groups_build_info",
            "examples": [e("Metrics")],
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
        "PasswordChange": input(&["current_password", "new_password", "new_password_confirmation"], json!({
            "current_password": ex(password(1), json!("the-printed-password")),
            "new_password": ex(password(8), json!("a-long-new-password")),
            "new_password_confirmation": described(ex(password(0), json!("a-long-new-password")), "The same as `new_password`"),
        }), &e("PasswordChange")),
        "PartnerUserUpdate": input(&[], json!({
            "first_name": line(255, "Lena"), "last_name": line(255, "Schmidt"),
            "email": ex(json!({"type": "string", "format": "email", "maxLength": 254, "description": "Unique, ignoring case"}), json!("lena.schmidt@sporthalle-nord.example")),
            "new_password": ex(password(8), json!("a-long-new-password")),
            "new_password_confirmation": described(ex(password(0), json!("a-long-new-password")), "Required with `new_password`, and the same"),
        }), &e("PartnerUserUpdate")),
        "UserUpdate": input(&[], json!({
            "first_name": line(255, "Lena"), "last_name": line(255, "Schmidt"),
            "email": ex(json!({"type": "string", "format": "email", "maxLength": 254, "description": "Unique, ignoring case"}), json!("lena.schmidt@sporthalle-nord.example")),
            "is_admin": ex(json!({"type": "boolean"}), json!(false)),
            "disabled": described(ex(json!({"type": "boolean"}), json!(true)), "A disabled user cannot log in, and its tokens end"),
            "new_password": ex(password(8), json!("a-long-new-password")),
            "new_password_confirmation": described(ex(password(0), json!("a-long-new-password")), "Required with `new_password`, and the same"),
        }), &e("UserUpdate")),
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
