//! One example of every resource, request body and envelope, as the
//! server would answer or take it: a venue's real-looking data.

use super::operations::reply_schema;
use crate::api::pagination::DEFAULT_PER_PAGE;
use crate::api::routes::Route;
use serde_json::{json, Map, Value};

/// One example of every resource and request body, as the server would
/// answer or take it: a venue's real-looking data.
pub(super) fn examples() -> Map<String, Value> {
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
        "is_admin": false, "disabled": false, "permissions": ["groups.read", "groups.update", "customers.read"],
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
    put("RevokedCount", json!({"revoked": 3}));
    put(
        "PasswordChange",
        json!({"current_password": "the-printed-password", "new_password": "a-long-new-password",
               "new_password_confirmation": "a-long-new-password"}),
    );
    put(
        "PartnerUserUpdate",
        json!({"last_name": "Schmidt-Huber", "new_password": "a-long-new-password",
               "new_password_confirmation": "a-long-new-password"}),
    );
    put("UserUpdate", json!({"disabled": true}));
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
    put("Metrics", json!("# TYPE venue_groups_http_requests_total counter\nvenue_groups_http_requests_total{route=\"GET /livez\",status=\"200\"} 12\n"));
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

/// Examples of the envelopes, from the examples of what they wrap.
pub(super) fn envelopes(examples: &mut Map<String, Value>, routes: &[&Route]) {
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
