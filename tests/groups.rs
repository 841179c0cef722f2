//! The eight group endpoints under `/partners/:partner_id/groups`: their
//! answers, validation, `ETag`/`If-Match`, and who may call them (in the
//! contract's order of checks).

mod common;

use common::{
    all_but, expect, expect_forbidden, expect_not_found, expect_unauthenticated, expired_token,
    is_utc_timestamp, revoked_token, send, user_id_of, Answer, TestServer, PASSWORD,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// One of the eight endpoints, as a request that succeeds for someone
/// allowed to make it.
struct Endpoint {
    name: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
    permission: &'static str,
}

/// The eight endpoints on group `g` of partner `p`; `c` is a customer of
/// `p` that is a member of `g`. Made in this order, each succeeds (the
/// delete comes last).
fn endpoints(p: i64, g: i64, c: i64) -> Vec<Endpoint> {
    let e = |name, method, path: String, body, permission| Endpoint {
        name,
        method,
        path,
        body,
        permission,
    };
    vec![
        e(
            "list groups",
            Method::GET,
            format!("/partners/{p}/groups"),
            None,
            "groups.read",
        ),
        e(
            "create group",
            Method::POST,
            format!("/partners/{p}/groups"),
            Some(json!({"name": "Brand new"})),
            "groups.create",
        ),
        e(
            "show group",
            Method::GET,
            format!("/partners/{p}/groups/{g}"),
            None,
            "groups.read",
        ),
        e(
            "update group",
            Method::PUT,
            format!("/partners/{p}/groups/{g}"),
            Some(json!({"description": "changed"})),
            "groups.update",
        ),
        e(
            "list members",
            Method::GET,
            format!("/partners/{p}/groups/{g}/customers"),
            None,
            "groups.read",
        ),
        e(
            "add member",
            Method::POST,
            format!("/partners/{p}/groups/{g}/customers"),
            Some(json!({"customer_id": c})),
            "groups.update",
        ),
        e(
            "remove member",
            Method::DELETE,
            format!("/partners/{p}/groups/{g}/customers/{c}"),
            None,
            "groups.update",
        ),
        e(
            "delete group",
            Method::DELETE,
            format!("/partners/{p}/groups/{g}"),
            None,
            "groups.delete",
        ),
    ]
}

/// The endpoints that name a group in their path.
fn group_endpoints(p: i64, g: i64, c: i64) -> Vec<Endpoint> {
    endpoints(p, g, c)
        .into_iter()
        .filter(|e| e.path.contains("/groups/"))
        .collect()
}

impl Endpoint {
    async fn call(&self, s: &TestServer, token: Option<&str>) -> Answer {
        s.call(self.method.clone(), &self.path, token, self.body.clone())
            .await
    }
}

/// Two partners, each with a group holding one customer.
struct World {
    s: TestServer,
    p: i64,
    g: i64,
    c: i64,
    p2: i64,
    g2: i64,
    c2: i64,
}

async fn world() -> World {
    let s = TestServer::start().await;
    let t = s.admin.clone();
    let p = s.partner("Hall").await;
    let p2 = s.partner("Pool").await;
    let g = s.group(&t, p, "Juniors").await;
    let g2 = s.group(&t, p2, "Seniors").await;
    let c = s
        .customer(&t, p, "Anna", "Berger", Some("anna@example.com"))
        .await;
    let c2 = s
        .customer(&t, p2, "Bert", "Huber", Some("bert@example.com"))
        .await;
    assert_eq!(s.add_member(&t, p, g, c).await.status, StatusCode::OK);
    assert_eq!(s.add_member(&t, p2, g2, c2).await.status, StatusCode::OK);
    World {
        s,
        p,
        g,
        c,
        p2,
        g2,
        c2,
    }
}

fn group_path(p: i64, g: i64) -> String {
    format!("/partners/{p}/groups/{g}")
}

/// A request with a JSON body and an `If-Match` header.
async fn with_if_match(
    s: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    if_match: &str,
    body: Option<Value>,
) -> Answer {
    let mut req = s
        .client
        .request(method, s.api(path))
        .bearer_auth(token)
        .header("if-match", if_match);
    if let Some(b) = body {
        req = req.json(&b);
    }
    send(req).await
}

fn name_error(message: &str) -> Value {
    json!({"message": message, "errors": {"name": [message]}})
}

// --- Success answers ---------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_group_answers_200_with_every_field_and_a_location() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    let a = s
        .post(
            &format!("/partners/{p}/groups"),
            &s.admin,
            json!({"name": "Members", "description": "All members"}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let d = &a.body["data"];
    let id = d["id"].as_i64().expect("an integer id");
    assert!(id >= 1);
    assert!(is_utc_timestamp(&d["created_at"]), "{}", d["created_at"]);
    assert_eq!(d["updated_at"], d["created_at"]);
    assert_eq!(
        a.body,
        json!({"data": {
            "id": id,
            "partner_id": p,
            "name": "Members",
            "description": "All members",
            "customers_count": 0,
            "created_at": d["created_at"],
            "updated_at": d["created_at"],
        }})
    );
    assert_eq!(
        a.header("location"),
        Some(format!("/api/internal/v1/partners/{p}/groups/{id}").as_str())
    );
    assert!(a
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_location_of_a_created_group_answers_the_same_group() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let a = s
        .post(
            &format!("/partners/{p}/groups"),
            &s.admin,
            json!({"name": "Members"}),
        )
        .await;
    let location = a.header("location").unwrap().to_string();

    let b = send(
        s.client
            .get(format!("{}{location}", s.url))
            .bearer_auth(&s.admin),
    )
    .await;

    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    assert_eq!(b.body, a.body);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_group_without_a_description_stores_null() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    let a = s
        .post(
            &format!("/partners/{p}/groups"),
            &s.admin,
            json!({"name": "Members"}),
        )
        .await;
    let b = s
        .post(
            &format!("/partners/{p}/groups"),
            &s.admin,
            json!({"name": "Others", "description": null}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["description"], Value::Null);
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    assert_eq!(b.body["data"]["description"], Value::Null);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_groups_answers_the_partners_groups_only_in_id_order() {
    let w = world().await;
    let s = &w.s;
    let second = s.group(&s.admin, w.p, "Adults").await;
    let shown = s.get(&group_path(w.p, w.g), &s.admin).await;

    let a = s.get(&format!("/partners/{}/groups", w.p), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let data = a.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0], shown.body["data"]);
    assert_eq!(data[1]["id"], second);
    assert_eq!(data[1]["name"], "Adults");
    assert_eq!(a.body["meta"]["total"], 2);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn showing_a_group_answers_it_with_a_strong_etag() {
    let w = world().await;
    let s = &w.s;

    let a = s.get(&group_path(w.p, w.g), &s.admin).await;
    let again = s.get(&group_path(w.p, w.g), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let d = &a.body["data"];
    assert_eq!(
        a.body,
        json!({"data": {
            "id": w.g,
            "partner_id": w.p,
            "name": "Juniors",
            "description": null,
            "customers_count": 1,
            "created_at": d["created_at"],
            "updated_at": d["updated_at"],
        }})
    );
    assert!(is_utc_timestamp(&d["created_at"]));
    assert!(is_utc_timestamp(&d["updated_at"]));
    let etag = a.header("etag").expect("an ETag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2,
        "{etag}"
    );
    assert_eq!(again.header("etag"), Some(etag));
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updating_a_group_answers_its_new_state_with_the_etag_a_get_then_shows() {
    let w = world().await;
    let s = &w.s;
    let before = s.get(&group_path(w.p, w.g), &s.admin).await;

    let a = s
        .put(
            &group_path(w.p, w.g),
            &s.admin,
            json!({"name": "Juniors A", "description": "Under 12"}),
        )
        .await;
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let d = &a.body["data"];
    assert_eq!(d["id"], w.g);
    assert_eq!(d["partner_id"], w.p);
    assert_eq!(d["name"], "Juniors A");
    assert_eq!(d["description"], "Under 12");
    assert_eq!(d["customers_count"], 1);
    assert_eq!(d["created_at"], before.body["data"]["created_at"]);
    assert!(is_utc_timestamp(&d["updated_at"]));
    assert_eq!(after.body, a.body);
    let etag = a.header("etag").expect("an ETag on PUT");
    assert_eq!(after.header("etag"), Some(etag));
    assert_ne!(before.header("etag"), Some(etag));
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_put_changes_nothing() {
    let w = world().await;
    let s = &w.s;
    let before = s.get(&group_path(w.p, w.g), &s.admin).await;

    let a = s.put(&group_path(w.p, w.g), &s.admin, json!({})).await;
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body, before.body);
    assert_eq!(after.body, before.body);
    assert_eq!(a.header("etag"), before.header("etag"));
    assert_eq!(after.header("etag"), before.header("etag"));
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_with_only_a_description_keeps_the_name() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .put(
            &group_path(w.p, w.g),
            &s.admin,
            json!({"description": "Kids"}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "Juniors");
    assert_eq!(a.body["data"]["description"], "Kids");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_with_only_a_name_keeps_the_description() {
    let w = world().await;
    let s = &w.s;
    s.put(
        &group_path(w.p, w.g),
        &s.admin,
        json!({"description": "Kids"}),
    )
    .await;

    let a = s
        .put(&group_path(w.p, w.g), &s.admin, json!({"name": "Youth"}))
        .await;
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "Youth");
    assert_eq!(a.body["data"]["description"], "Kids");
    assert_eq!(after.body, a.body);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_with_a_null_description_clears_it() {
    let w = world().await;
    let s = &w.s;
    s.put(
        &group_path(w.p, w.g),
        &s.admin,
        json!({"description": "Kids"}),
    )
    .await;

    let a = s
        .put(
            &group_path(w.p, w.g),
            &s.admin,
            json!({"description": null}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["description"], Value::Null);
    assert_eq!(a.body["data"]["name"], "Juniors");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_updates_a_group_as_put_does() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .call(
            Method::PATCH,
            &group_path(w.p, w.g),
            Some(&s.admin),
            Some(json!({"description": "Patched"})),
        )
        .await;
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "Juniors");
    assert_eq!(a.body["data"]["description"], "Patched");
    assert_eq!(after.body, a.body);
    assert_eq!(a.header("etag"), after.header("etag"));
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_group_answers_it_as_it_was_and_then_it_is_gone() {
    let w = world().await;
    let s = &w.s;
    let before = s.get(&group_path(w.p, w.g), &s.admin).await;

    let a = s.delete(&group_path(w.p, w.g), &s.admin).await;
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;
    let list = s.get(&format!("/partners/{}/groups", w.p), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body, before.body);
    assert_eq!(a.body["data"]["customers_count"], 1);
    expect_not_found(&after, "GET after delete");
    assert_eq!(list.body["data"], json!([]));
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_group_keeps_its_customers_and_drops_its_memberships() {
    let w = world().await;
    let s = &w.s;
    let other = s.group(&s.admin, w.p, "Other").await;
    assert_eq!(
        s.add_member(&s.admin, w.p, other, w.c).await.status,
        StatusCode::OK
    );

    let a = s.delete(&group_path(w.p, w.g), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let customer = s
        .get(&format!("/partners/{}/customers/{}", w.p, w.c), &s.admin)
        .await;
    assert_eq!(customer.status, StatusCode::OK, "{}", customer.text);
    assert_eq!(customer.body["data"]["first_name"], "Anna");
    let left: i64 = s
        .db()
        .query_row(
            "SELECT count(*) FROM group_customers WHERE group_id = ?1",
            [w.g],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
    let other_group = s.get(&group_path(w.p, other), &s.admin).await;
    assert_eq!(other_group.body["data"]["customers_count"], 1);
    let members = s
        .get(
            &format!("/partners/{}/groups/{other}/customers", w.p),
            &s.admin,
        )
        .await;
    assert_eq!(members.body["data"][0]["id"], w.c);
    w.s.stop().await;
}

// --- Names and descriptions ------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_names_are_trimmed_on_create_and_update() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .post(
            &format!("/partners/{}/groups", w.p),
            &s.admin,
            json!({"name": "  Padded \t"}),
        )
        .await;
    let b = s
        .put(
            &group_path(w.p, w.g),
            &s.admin,
            json!({"name": "  Spaced  "}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "Padded");
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    assert_eq!(b.body["data"]["name"], "Spaced");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_group_whose_name_the_partner_has_in_another_case_is_422() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .post(
            &format!("/partners/{}/groups", w.p),
            &s.admin,
            json!({"name": " JUNIORS "}),
        )
        .await;
    let list = s.get(&format!("/partners/{}/groups", w.p), &s.admin).await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name has already been taken."),
        "duplicate name",
    );
    assert_eq!(list.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_ascii_names_are_unique_ignoring_case() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    s.group(&s.admin, p, "Überfit").await;

    let a = s
        .post(
            &format!("/partners/{p}/groups"),
            &s.admin,
            json!({"name": "überFIT"}),
        )
        .await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name has already been taken."),
        "duplicate non-ASCII name",
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_group_to_another_groups_name_in_another_case_is_422_and_changes_nothing() {
    let w = world().await;
    let s = &w.s;
    let other = s.group(&s.admin, w.p, "Adults").await;
    let before = s.get(&group_path(w.p, other), &s.admin).await;

    let a = s
        .put(
            &group_path(w.p, other),
            &s.admin,
            json!({"name": "juniors"}),
        )
        .await;
    let after = s.get(&group_path(w.p, other), &s.admin).await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name has already been taken."),
        "rename to a taken name",
    );
    assert_eq!(after.body, before.body);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_group_to_its_own_name_in_another_case_is_allowed() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .put(&group_path(w.p, w.g), &s.admin, json!({"name": "JUNIORS"}))
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "JUNIORS");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_group_name_is_allowed_in_another_partner() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .post(
            &format!("/partners/{}/groups", w.p2),
            &s.admin,
            json!({"name": "Juniors"}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "Juniors");
    assert_eq!(a.body["data"]["partner_id"], w.p2);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_of_255_characters_is_accepted_and_256_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");

    let ok = s
        .post(&path, &s.admin, json!({"name": "a".repeat(255)}))
        .await;
    let wide = s
        .post(&path, &s.admin, json!({"name": "ü".repeat(255)}))
        .await;
    let long = s
        .post(&path, &s.admin, json!({"name": "b".repeat(256)}))
        .await;
    let padded = s
        .post(
            &path,
            &s.admin,
            json!({"name": format!("  {}  ", "c".repeat(255))}),
        )
        .await;

    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.body["data"]["name"], "a".repeat(255));
    assert_eq!(wide.status, StatusCode::OK, "{}", wide.text);
    assert_eq!(wide.body["data"]["name"], "ü".repeat(255));
    expect(
        &long,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name field must not be greater than 255 characters."),
        "256 characters",
    );
    assert_eq!(padded.status, StatusCode::OK, "{}", padded.text);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_description_of_2000_characters_is_accepted_and_2001_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");

    let ok = s
        .post(
            &path,
            &s.admin,
            json!({"name": "One", "description": "é".repeat(2000)}),
        )
        .await;
    let long = s
        .post(
            &path,
            &s.admin,
            json!({"name": "Two", "description": "d".repeat(2001)}),
        )
        .await;
    let g = ok.body["data"]["id"].as_i64().unwrap_or(0);
    let long_put = s
        .put(
            &group_path(p, g),
            &s.admin,
            json!({"description": "d".repeat(2001)}),
        )
        .await;

    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.body["data"]["description"], "é".repeat(2000));
    let message = "The description field must not be greater than 2000 characters.";
    let error = json!({"message": message, "errors": {"description": [message]}});
    expect(
        &long,
        StatusCode::UNPROCESSABLE_ENTITY,
        error.clone(),
        "POST",
    );
    expect(&long_put, StatusCode::UNPROCESSABLE_ENTITY, error, "PUT");
    let list = s.get(&path, &s.admin).await;
    assert_eq!(list.body["meta"]["total"], 1);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_group_without_a_name_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");
    let required = name_error("The name field is required.");

    for body in [
        json!({}),
        json!({"name": null}),
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"description": "no name"}),
    ] {
        let a = s.post(&path, &s.admin, body.clone()).await;
        expect(
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            required.clone(),
            &body.to_string(),
        );
    }
    let list = s.get(&path, &s.admin).await;
    assert_eq!(list.body["meta"]["total"], 0);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_or_description_that_is_not_a_string_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");

    let a = s.post(&path, &s.admin, json!({"name": 42})).await;
    let b = s
        .post(&path, &s.admin, json!({"name": "Ok", "description": ["x"]}))
        .await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name field must be a string."),
        "numeric name",
    );
    let message = "The description field must be a string.";
    expect(
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": message, "errors": {"description": [message]}}),
        "array description",
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_field_is_422_under_its_own_name_on_create_and_update() {
    let w = world().await;
    let s = &w.s;
    let message = "The color field is prohibited.";
    let error = json!({"message": message, "errors": {"color": [message]}});

    let a = s
        .post(
            &format!("/partners/{}/groups", w.p),
            &s.admin,
            json!({"name": "New", "color": "red"}),
        )
        .await;
    let b = s
        .put(
            &group_path(w.p, w.g),
            &s.admin,
            json!({"name": "Renamed", "color": "red"}),
        )
        .await;
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;

    expect(&a, StatusCode::UNPROCESSABLE_ENTITY, error.clone(), "POST");
    expect(&b, StatusCode::UNPROCESSABLE_ENTITY, error, "PUT");
    assert_eq!(after.body["data"]["name"], "Juniors");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_with_a_null_or_blank_name_is_422_and_changes_nothing() {
    let w = world().await;
    let s = &w.s;
    let before = s.get(&group_path(w.p, w.g), &s.admin).await;

    for body in [
        json!({"name": null}),
        json!({"name": ""}),
        json!({"name": "  ", "description": "x"}),
    ] {
        let a = s.put(&group_path(w.p, w.g), &s.admin, body.clone()).await;
        expect(
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            name_error("The name field is required."),
            &body.to_string(),
        );
    }
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;
    assert_eq!(after.body, before.body);
    w.s.stop().await;
}

// --- ETag and If-Match ----------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_with_a_matching_if_match_is_200() {
    let w = world().await;
    let s = &w.s;
    let etag = s
        .get(&group_path(w.p, w.g), &s.admin)
        .await
        .header("etag")
        .unwrap()
        .to_string();

    let a = with_if_match(
        s,
        Method::PUT,
        &group_path(w.p, w.g),
        &s.admin,
        &etag,
        Some(json!({"name": "Matched"})),
    )
    .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "Matched");
    assert_ne!(a.header("etag"), Some(etag.as_str()));
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_with_a_stale_if_match_is_412_and_changes_nothing() {
    let w = world().await;
    let s = &w.s;
    let stale = s
        .get(&group_path(w.p, w.g), &s.admin)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    s.put(
        &group_path(w.p, w.g),
        &s.admin,
        json!({"description": "Someone else"}),
    )
    .await;
    let before = s.get(&group_path(w.p, w.g), &s.admin).await;

    let a = with_if_match(
        s,
        Method::PUT,
        &group_path(w.p, w.g),
        &s.admin,
        &stale,
        Some(json!({"name": "Mine"})),
    )
    .await;
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;

    expect(
        &a,
        StatusCode::PRECONDITION_FAILED,
        json!({"message": "Precondition failed."}),
        "stale If-Match",
    );
    assert_eq!(after.body, before.body);
    assert_eq!(after.body["data"]["name"], "Juniors");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_if_match_that_is_weak_or_made_up_is_412_for_put() {
    let w = world().await;
    let s = &w.s;
    let current = s.get(&group_path(w.p, w.g), &s.admin).await;
    let etag = current.header("etag").unwrap().to_string();

    for tag in [format!("W/{etag}"), "\"nope\"".to_string()] {
        let a = with_if_match(
            s,
            Method::PUT,
            &group_path(w.p, w.g),
            &s.admin,
            &tag,
            Some(json!({"name": "Mine"})),
        )
        .await;
        expect(
            &a,
            StatusCode::PRECONDITION_FAILED,
            json!({"message": "Precondition failed."}),
            &tag,
        );
    }
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;
    assert_eq!(after.body, current.body);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_with_a_matching_if_match_is_200() {
    let w = world().await;
    let s = &w.s;
    let current = s.get(&group_path(w.p, w.g), &s.admin).await;
    let etag = current.header("etag").unwrap().to_string();

    let a = with_if_match(
        s,
        Method::DELETE,
        &group_path(w.p, w.g),
        &s.admin,
        &etag,
        None,
    )
    .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body, current.body);
    expect_not_found(
        &s.get(&group_path(w.p, w.g), &s.admin).await,
        "after delete",
    );
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_with_a_stale_if_match_is_412_and_the_group_stays() {
    let w = world().await;
    let s = &w.s;
    let stale = s
        .get(&group_path(w.p, w.g), &s.admin)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    s.put(&group_path(w.p, w.g), &s.admin, json!({"name": "Moved on"}))
        .await;
    let before = s.get(&group_path(w.p, w.g), &s.admin).await;

    let a = with_if_match(
        s,
        Method::DELETE,
        &group_path(w.p, w.g),
        &s.admin,
        &stale,
        None,
    )
    .await;
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;

    expect(
        &a,
        StatusCode::PRECONDITION_FAILED,
        json!({"message": "Precondition failed."}),
        "stale If-Match on DELETE",
    );
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body, before.body);
    let members = s
        .get(&format!("{}/customers", group_path(w.p, w.g)), &s.admin)
        .await;
    assert_eq!(members.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_etag_changes_when_customers_count_changes() {
    let w = world().await;
    let s = &w.s;
    let first = s.get(&group_path(w.p, w.g), &s.admin).await;
    let c = s.customer(&s.admin, w.p, "Carl", "Dorn", None).await;

    assert_eq!(
        s.add_member(&s.admin, w.p, w.g, c).await.status,
        StatusCode::OK
    );
    let added = s.get(&group_path(w.p, w.g), &s.admin).await;
    let removed_answer = s
        .delete(
            &format!("/partners/{}/groups/{}/customers/{c}", w.p, w.g),
            &s.admin,
        )
        .await;
    let removed = s.get(&group_path(w.p, w.g), &s.admin).await;

    assert_eq!(added.body["data"]["customers_count"], 2);
    assert_ne!(added.header("etag"), first.header("etag"));
    assert_eq!(removed_answer.status, StatusCode::OK);
    assert_eq!(removed.body["data"]["customers_count"], 1);
    assert_ne!(removed.header("etag"), added.header("etag"));
    let a = with_if_match(
        s,
        Method::PUT,
        &group_path(w.p, w.g),
        &s.admin,
        added.header("etag").unwrap(),
        Some(json!({"name": "Stale"})),
    )
    .await;
    expect(
        &a,
        StatusCode::PRECONDITION_FAILED,
        json!({"message": "Precondition failed."}),
        "If-Match from before a member left",
    );
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_if_match_with_a_list_or_star_lets_the_write_go_on() {
    let w = world().await;
    let s = &w.s;
    let etag = s
        .get(&group_path(w.p, w.g), &s.admin)
        .await
        .header("etag")
        .unwrap()
        .to_string();

    let listed = with_if_match(
        s,
        Method::PUT,
        &group_path(w.p, w.g),
        &s.admin,
        &format!("\"other\", {etag}"),
        Some(json!({"name": "Listed"})),
    )
    .await;
    let star = with_if_match(
        s,
        Method::PUT,
        &group_path(w.p, w.g),
        &s.admin,
        "*",
        Some(json!({"name": "Starred"})),
    )
    .await;

    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.body["data"]["name"], "Listed");
    assert_eq!(star.status, StatusCode::OK, "{}", star.text);
    assert_eq!(star.body["data"]["name"], "Starred");
    w.s.stop().await;
}

// --- Who may call them ------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_succeeds_for_a_user_with_just_its_permission() {
    let w = world().await;
    let s = &w.s;
    let mut i = 0;
    for e in endpoints(w.p, w.g, w.c) {
        i += 1;
        let (_, t) = s
            .user(&format!("just{i}@example.com"), &[e.permission], &[w.p])
            .await;
        let a = e.call(s, Some(&t)).await;
        assert_eq!(a.status, StatusCode::OK, "{}: {}", e.name, a.text);
        assert!(a.body["data"].is_object() || a.body["data"].is_array());
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_401_without_a_token() {
    let w = world().await;
    for e in endpoints(w.p, w.g, w.c) {
        let a = e.call(&w.s, None).await;
        expect_unauthenticated(&a, e.name);
    }
    let after = w.s.get(&group_path(w.p, w.g), &w.s.admin).await;
    assert_eq!(after.body["data"]["customers_count"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_401_with_a_garbage_token() {
    let w = world().await;
    for e in endpoints(w.p, w.g, w.c) {
        for garbage in ["garbage", "vg_0000000000000000000000000000000000"] {
            let a = e.call(&w.s, Some(garbage)).await;
            expect_unauthenticated(&a, e.name);
        }
        let a = send(
            w.s.client
                .request(e.method.clone(), w.s.api(&e.path))
                .header("authorization", format!("Basic {}", w.s.admin)),
        )
        .await;
        expect_unauthenticated(&a, &format!("{} with Basic", e.name));
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_401_with_an_expired_token() {
    let w = world().await;
    let (id, _) = w.s.user("staff@example.com", common::ALL, &[w.p]).await;
    let admin_id = user_id_of(&w.s, &w.s.admin).await;
    let expired = expired_token(&w.s, id);
    let expired_admin = expired_token(&w.s, admin_id);

    for e in endpoints(w.p, w.g, w.c) {
        expect_unauthenticated(&e.call(&w.s, Some(&expired)).await, e.name);
        expect_unauthenticated(&e.call(&w.s, Some(&expired_admin)).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_401_with_a_revoked_token() {
    let w = world().await;
    w.s.user("staff@example.com", common::ALL, &[w.p]).await;
    let revoked = revoked_token(&w.s, "staff@example.com", PASSWORD).await;
    let revoked_admin = revoked_token(&w.s, common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;

    for e in endpoints(w.p, w.g, w.c) {
        expect_unauthenticated(&e.call(&w.s, Some(&revoked)).await, e.name);
        expect_unauthenticated(&e.call(&w.s, Some(&revoked_admin)).await, e.name);
    }
    // The admin's other token keeps working.
    let a = w.s.get(&group_path(w.p, w.g), &w.s.admin).await;
    assert_eq!(a.status, StatusCode::OK);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_403_without_its_permission() {
    let w = world().await;
    let s = &w.s;
    let mut tokens = std::collections::HashMap::new();
    for perm in [
        "groups.read",
        "groups.create",
        "groups.update",
        "groups.delete",
    ] {
        let (_, t) = s
            .user(&format!("no-{perm}@example.com"), &all_but(perm), &[w.p])
            .await;
        tokens.insert(perm, t);
    }

    for e in endpoints(w.p, w.g, w.c) {
        let a = e.call(s, Some(&tokens[e.permission])).await;
        expect_forbidden(&a, e.name);
    }
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;
    assert_eq!(after.body["data"]["customers_count"], 1);
    assert_eq!(after.body["data"]["description"], Value::Null);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_endpoint_is_403_without_access_to_the_partner() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s.user("elsewhere@example.com", common::ALL, &[w.p2]).await;

    for e in endpoints(w.p, w.g, w.c) {
        let a = e.call(s, Some(&t)).await;
        expect_forbidden(&a, e.name);
    }
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body["data"]["customers_count"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_lacking_both_the_permission_and_the_partner_is_403() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s
        .user("nothing@example.com", &["audit.read"], &[w.p2])
        .await;

    for e in endpoints(w.p, w.g, w.c) {
        let a = e.call(s, Some(&t)).await;
        expect_forbidden(&a, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_group_under_this_partner_is_404_for_an_admin() {
    let w = world().await;
    let s = &w.s;

    for e in group_endpoints(w.p, w.g2, w.c) {
        let a = e.call(s, Some(&s.admin)).await;
        expect_not_found(&a, e.name);
    }
    let other = s.get(&group_path(w.p2, w.g2), &s.admin).await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.body["data"]["customers_count"], 1);
    assert_eq!(other.body["data"]["description"], Value::Null);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_group_under_this_partner_is_404_for_a_partner_user() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s.user("both@example.com", common::ALL, &[w.p, w.p2]).await;
    let (_, mine) = s.user("mine@example.com", common::ALL, &[w.p]).await;

    for e in group_endpoints(w.p, w.g2, w.c) {
        expect_not_found(&e.call(s, Some(&t)).await, e.name);
        expect_not_found(&e.call(s, Some(&mine)).await, e.name);
    }
    let other = s.get(&group_path(w.p2, w.g2), &s.admin).await;
    assert_eq!(other.body["data"]["customers_count"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_another_partners_customer_from_a_group_is_404() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .delete(
            &format!("/partners/{}/groups/{}/customers/{}", w.p, w.g, w.c2),
            &s.admin,
        )
        .await;
    let b = s
        .delete(
            &format!("/partners/{}/groups/{}/customers/{}", w.p, w.g2, w.c2),
            &s.admin,
        )
        .await;

    expect_not_found(&a, "foreign customer");
    expect_not_found(&b, "foreign group and customer");
    let other = s.get(&group_path(w.p2, w.g2), &s.admin).await;
    assert_eq!(other.body["data"]["customers_count"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_the_permission_asking_for_a_missing_group_is_404() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s.user("staff@example.com", common::ALL, &[w.p]).await;

    for e in group_endpoints(w.p, 999_999, w.c) {
        expect_not_found(&e.call(s, Some(&t)).await, e.name);
        expect_not_found(&e.call(s, Some(&s.admin)).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_group_without_a_token_is_401_not_404() {
    let w = world().await;
    for e in group_endpoints(w.p, 999_999, w.c) {
        expect_unauthenticated(&e.call(&w.s, None).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_group_without_the_permission_is_403_not_404() {
    let w = world().await;
    let (_, t) =
        w.s.user("reader@example.com", &["customers.read"], &[w.p])
            .await;
    for e in group_endpoints(w.p, 999_999, w.c) {
        expect_forbidden(&e.call(&w.s, Some(&t)).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_body_on_a_missing_group_is_404_not_422() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s.user("staff@example.com", common::ALL, &[w.p]).await;
    let missing = group_path(w.p, 999_999);

    for token in [&t, &s.admin] {
        let a = s.put(&missing, token, json!({"name": ""})).await;
        expect_not_found(&a, "PUT with a blank name");
        let a = s.put(&missing, token, json!({"bogus": 1})).await;
        expect_not_found(&a, "PUT with an unknown field");
        let a = s
            .post(&format!("{missing}/customers"), token, json!({}))
            .await;
        expect_not_found(&a, "add member without customer_id");
        let a = send(
            s.client
                .put(s.api(&missing))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
        expect_not_found(&a, "PUT with malformed JSON");
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_body_without_the_permission_is_403_not_422() {
    let w = world().await;
    let s = &w.s;
    let (_, t) = s
        .user("noupdate@example.com", &all_but("groups.update"), &[w.p])
        .await;
    let (_, nc) = s
        .user("nocreate@example.com", &all_but("groups.create"), &[w.p])
        .await;

    let a = s.put(&group_path(w.p, w.g), &t, json!({"name": ""})).await;
    let b = s
        .post(&format!("/partners/{}/groups", w.p), &nc, json!({}))
        .await;
    let c = s
        .post(
            &format!("{}/customers", group_path(w.p, w.g)),
            &t,
            json!({"customer_id": "x"}),
        )
        .await;
    let d = s
        .call(
            Method::POST,
            &format!("/partners/{}/groups", w.p),
            None,
            Some(json!({})),
        )
        .await;

    expect_forbidden(&a, "PUT");
    expect_forbidden(&b, "POST groups");
    expect_forbidden(&c, "POST members");
    expect_unauthenticated(&d, "POST groups without a token");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_on_a_missing_partner_gets_404_for_every_group_endpoint() {
    let w = world().await;
    for e in endpoints(999_999, w.g, w.c) {
        expect_not_found(&e.call(&w.s, Some(&w.s.admin)).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_on_a_missing_partner_gets_403_for_every_group_endpoint() {
    let w = world().await;
    let (_, t) = w.s.user("staff@example.com", common::ALL, &[w.p]).await;
    for e in endpoints(999_999, w.g, w.c) {
        expect_forbidden(&e.call(&w.s, Some(&t)).await, e.name);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_partner_access_applies_to_an_existing_token_at_once() {
    let w = world().await;
    let s = &w.s;
    let (id, t) = s.user("staff@example.com", common::ALL, &[w.p]).await;
    assert_eq!(
        s.get(&group_path(w.p, w.g), &t).await.status,
        StatusCode::OK
    );

    let a = s
        .put(
            &format!("/users/{id}/partners"),
            &s.admin,
            json!({"partner_ids": [w.p2]}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    expect_forbidden(
        &s.get(&group_path(w.p, w.g), &t).await,
        "after losing access",
    );
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_if_match_with_an_invalid_body_is_422_as_the_write_would_fail_anyway() {
    let w = world().await;
    let s = &w.s;

    let a = with_if_match(
        s,
        Method::PUT,
        &group_path(w.p, w.g),
        &s.admin,
        "\"stale\"",
        Some(json!({"name": ""})),
    )
    .await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name field is required."),
        "stale If-Match and a blank name",
    );
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_if_match_on_a_missing_group_is_404() {
    let w = world().await;
    let s = &w.s;
    let etag = s
        .get(&group_path(w.p, w.g), &s.admin)
        .await
        .header("etag")
        .unwrap()
        .to_string();

    for method in [Method::PUT, Method::DELETE] {
        let body = (method == Method::PUT).then(|| json!({"name": "x"}));
        for tag in [etag.as_str(), "*"] {
            let a = with_if_match(
                s,
                method.clone(),
                &group_path(w.p, 999_999),
                &s.admin,
                tag,
                body.clone(),
            )
            .await;
            expect_not_found(&a, &format!("{method} If-Match {tag}"));
        }
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn descriptions_are_trimmed_and_a_blank_one_is_null() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");

    let a = s
        .post(
            &path,
            &s.admin,
            json!({"name": "One", "description": "  Kids \n"}),
        )
        .await;
    let b = s
        .post(
            &path,
            &s.admin,
            json!({"name": "Two", "description": "   "}),
        )
        .await;
    let c = s
        .post(
            &path,
            &s.admin,
            json!({"name": "Three", "description": format!(" {} ", "d".repeat(2000))}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["description"], "Kids");
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    assert_eq!(b.body["data"]["description"], Value::Null);
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    assert_eq!(c.body["data"]["description"], "d".repeat(2000));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_groups_matches_the_name_only() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");
    let named = s.group(&s.admin, p, "Zebra club").await;
    s.post(
        &path,
        &s.admin,
        json!({"name": "Other", "description": "about zebras"}),
    )
    .await;

    let a = s.get(&format!("{path}?search=ZEBRA"), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["meta"]["total"], 1);
    assert_eq!(a.body["data"][0]["id"], named);
    s.stop().await;
}
