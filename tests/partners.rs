//! `/partners...`: admins manage partners; other users see their own.

mod common;

use common::{TestServer, ALL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn forbidden() -> Value {
    json!({"message": "This action is unauthorized."})
}

fn not_found() -> Value {
    json!({"message": "Not found."})
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

fn partner_keys() -> BTreeSet<String> {
    ["id", "name", "created_at", "updated_at"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn list_ids(v: &Value) -> Vec<i64> {
    v["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data list: {v}"))
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

fn count(s: &TestServer, sql: &str) -> i64 {
    s.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_a_partner_and_gets_its_location() {
    let s = TestServer::start().await;

    let a = s
        .post("/partners", &s.admin, json!({"name": "  Sports Hall  "}))
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let p = &a.body["data"];
    assert_eq!(keys(p), partner_keys());
    let id = p["id"].as_i64().unwrap();
    assert!(id >= 1);
    assert_eq!(p["name"], "Sports Hall");
    assert_eq!(p["created_at"], p["updated_at"]);
    assert_eq!(
        a.header("location"),
        Some(format!("/api/internal/v1/partners/{id}").as_str())
    );
    let shown = s.get(&format!("/partners/{id}"), &s.admin).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body, a.body);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_lists_every_partner_in_id_order_paginated() {
    let s = TestServer::start().await;
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(s.partner(&format!("Venue {i}")).await);
    }

    let all = s.get("/partners", &s.admin).await;
    let page2 = s.get("/partners?per_page=2&page=2", &s.admin).await;

    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert_eq!(list_ids(&all.body), made);
    assert_eq!(all.body["meta"]["total"], 5);
    for p in all.body["data"].as_array().unwrap() {
        assert_eq!(keys(p), partner_keys());
    }
    assert_eq!(page2.status, StatusCode::OK);
    assert_eq!(list_ids(&page2.body), made[2..4].to_vec());
    assert_eq!(
        page2.body["meta"],
        json!({"current_page": 2, "from": 3, "to": 4, "per_page": 2, "total": 5, "last_page": 3})
    );
    let list = format!("{}/api/internal/v1/partners", s.url);
    assert_eq!(
        page2.body["links"],
        json!({
            "first": format!("{list}?per_page=2&page=1"),
            "last": format!("{list}?per_page=2&page=3"),
            "prev": format!("{list}?per_page=2&page=1"),
            "next": format!("{list}?per_page=2&page=3"),
        })
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_renames_a_partner_with_put_or_patch_and_an_empty_put_changes_nothing() {
    let s = TestServer::start().await;
    let id = s.partner("Old Name").await;
    let before = s.get(&format!("/partners/{id}"), &s.admin).await;

    let put = s
        .put(
            &format!("/partners/{id}"),
            &s.admin,
            json!({"name": " New Name "}),
        )
        .await;
    let patch = s
        .call(
            Method::PATCH,
            &format!("/partners/{id}"),
            Some(&s.admin),
            Some(json!({"name": "Patched"})),
        )
        .await;
    let empty = s.put(&format!("/partners/{id}"), &s.admin, json!({})).await;

    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(keys(&put.body["data"]), partner_keys());
    assert_eq!(put.body["data"]["id"], id);
    assert_eq!(put.body["data"]["name"], "New Name");
    assert_eq!(
        put.body["data"]["created_at"],
        before.body["data"]["created_at"]
    );
    assert_eq!(patch.status, StatusCode::OK, "{}", patch.text);
    assert_eq!(patch.body["data"]["name"], "Patched");
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text);
    assert_eq!(empty.body, patch.body);
    let shown = s.get(&format!("/partners/{id}"), &s.admin).await;
    assert_eq!(shown.body, patch.body);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_deletes_an_empty_partner_and_gets_it_as_it_was() {
    let s = TestServer::start().await;
    let id = s.partner("Empty Hall").await;
    let keep = s.partner("Other Hall").await;
    let (user, _) = s.user("staff@example.com", &[], &[id, keep]).await;
    let before = s.get(&format!("/partners/{id}"), &s.admin).await;

    let a = s.delete(&format!("/partners/{id}"), &s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body, before.body);
    let gone = s.get(&format!("/partners/{id}"), &s.admin).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body, not_found());
    let again = s.delete(&format!("/partners/{id}"), &s.admin).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let list = s.get("/partners", &s.admin).await;
    assert_eq!(list_ids(&list.body), vec![keep]);
    // The user keeps only the partner that still exists.
    let u = s.get(&format!("/users/{user}"), &s.admin).await;
    assert_eq!(u.body["data"]["partner_ids"], json!([keep]));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_partner_with_groups_is_409_and_deletes_nothing() {
    let s = TestServer::start().await;
    let id = s.partner("Busy Hall").await;
    let g = s.group(&s.admin, id, "Members").await;

    let a = s.delete(&format!("/partners/{id}"), &s.admin).await;

    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
    assert_eq!(keys(&a.body), ["message".to_string()].into_iter().collect());
    let message = a.body["message"].as_str().unwrap();
    assert!(!message.is_empty());
    assert_eq!(message, "The partner still has groups or customers.");
    assert_eq!(
        s.get(&format!("/partners/{id}"), &s.admin).await.status,
        StatusCode::OK
    );
    let group = s.get(&format!("/partners/{id}/groups/{g}"), &s.admin).await;
    assert_eq!(group.status, StatusCode::OK);
    assert_eq!(group.body["data"]["name"], "Members");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_partner_with_customers_is_409_and_deletes_nothing() {
    let s = TestServer::start().await;
    let id = s.partner("Busy Hall").await;
    let c = s
        .customer(&s.admin, id, "Anna", "Berger", Some("anna@example.com"))
        .await;
    let (user, _) = s.user("staff@example.com", &[], &[id]).await;

    let a = s.delete(&format!("/partners/{id}"), &s.admin).await;

    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"message": "The partner still has groups or customers."})
    );
    let customer = s
        .get(&format!("/partners/{id}/customers/{c}"), &s.admin)
        .await;
    assert_eq!(customer.status, StatusCode::OK);
    assert_eq!(count(&s, "SELECT count(*) FROM partners"), 1);
    // Its users keep their access: nothing of the partner was touched.
    let u = s.get(&format!("/users/{user}"), &s.admin).await;
    assert_eq!(u.body["data"]["partner_ids"], json!([id]));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_lists_only_the_partners_they_work_for() {
    let s = TestServer::start().await;
    let p1 = s.partner("One").await;
    let _p2 = s.partner("Two").await;
    let p3 = s.partner("Three").await;
    let (_, token) = s.user("staff@example.com", &[], &[p3, p1]).await;
    let (_, loner) = s.user("loner@example.com", ALL, &[]).await;

    let mine = s.get("/partners", &token).await;
    let none = s.get("/partners", &loner).await;

    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert_eq!(list_ids(&mine.body), vec![p1, p3]);
    assert_eq!(mine.body["meta"]["total"], 2);
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.body["data"], json!([]));
    assert_eq!(none.body["meta"]["total"], 0);
    assert_eq!(none.body["meta"]["last_page"], 1);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_reads_their_partner_but_not_another_or_a_missing_one() {
    let s = TestServer::start().await;
    let mine = s.partner("Mine").await;
    let other = s.partner("Other").await;
    let (_, token) = s.user("staff@example.com", ALL, &[mine]).await;

    let own = s.get(&format!("/partners/{mine}"), &token).await;
    let foreign = s.get(&format!("/partners/{other}"), &token).await;
    let missing = s.get("/partners/999999", &token).await;
    let admin_missing = s.get("/partners/999999", &s.admin).await;

    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    assert_eq!(keys(&own.body["data"]), partner_keys());
    assert_eq!(own.body["data"]["id"], mine);
    assert_eq!(own.body["data"]["name"], "Mine");
    for a in [&foreign, &missing] {
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        assert_eq!(a.body, forbidden());
    }
    assert_eq!(foreign.text, missing.text, "ids cannot be probed");
    assert_eq!(admin_missing.status, StatusCode::NOT_FOUND);
    assert_eq!(admin_missing.body, not_found());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_cannot_create_change_or_delete_partners() {
    let s = TestServer::start().await;
    let mine = s.partner("Mine").await;
    let (_, token) = s.user("staff@example.com", ALL, &[mine]).await;

    let answers = [
        s.post("/partners", &token, json!({"name": "Mine too"}))
            .await,
        s.put(
            &format!("/partners/{mine}"),
            &token,
            json!({"name": "Renamed"}),
        )
        .await,
        s.call(
            Method::PATCH,
            &format!("/partners/{mine}"),
            Some(&token),
            Some(json!({"name": "Renamed"})),
        )
        .await,
        s.delete(&format!("/partners/{mine}"), &token).await,
        s.put("/partners/999999", &token, json!({"name": "Renamed"}))
            .await,
        s.delete("/partners/999999", &token).await,
    ];

    for a in &answers {
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        assert_eq!(a.body, forbidden());
    }
    let list = s.get("/partners", &s.admin).await;
    assert_eq!(list_ids(&list.body), vec![mine]);
    assert_eq!(list.body["data"][0]["name"], "Mine");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_need_a_token() {
    let s = TestServer::start().await;
    let id = s.partner("Hall").await;

    let list = s.call(Method::GET, "/partners", None, None).await;
    let one = s
        .call(Method::GET, &format!("/partners/{id}"), None, None)
        .await;
    let create = s
        .call(Method::POST, "/partners", None, Some(json!({"name": "X"})))
        .await;

    for a in [&list, &one, &create] {
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert_eq!(a.body, json!({"message": "Unauthenticated."}));
        assert_eq!(a.header("www-authenticate"), Some("Bearer"));
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_updating_or_deleting_a_missing_partner_gets_404() {
    let s = TestServer::start().await;

    let put = s
        .put("/partners/999999", &s.admin, json!({"name": "Ghost"}))
        .await;
    let delete = s.delete("/partners/999999", &s.admin).await;

    for a in [&put, &delete] {
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text);
        assert_eq!(a.body, not_found());
    }
    assert_eq!(count(&s, "SELECT count(*) FROM partners"), 0);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_name_must_be_a_string_of_1_to_255_characters() {
    let s = TestServer::start().await;
    let id = s.partner("Valid").await;
    let required = "The name field is required.";
    let too_long = "The name field must not be greater than 255 characters.";
    let cases: Vec<(Value, &str)> = vec![
        (json!({}), required),
        (json!({"name": ""}), required),
        (json!({"name": "   "}), required),
        (json!({"name": null}), required),
        (json!({"name": "x".repeat(256)}), too_long),
        (json!({"name": 12}), "The name field must be a string."),
    ];

    for (body, message) in &cases {
        let a = s.post("/partners", &s.admin, body.clone()).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            a.text
        );
        assert_eq!(
            a.body,
            json!({"message": message, "errors": {"name": [message]}}),
            "{body}"
        );
    }
    // On update an absent name is fine, but a given one must be valid.
    for (body, message) in cases.iter().skip(1) {
        let a = s
            .put(&format!("/partners/{id}"), &s.admin, body.clone())
            .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            a.text
        );
        assert_eq!(a.body["errors"]["name"], json!([message]), "{body}");
    }
    let extra = s
        .post("/partners", &s.admin, json!({"name": "X", "city": "Wien"}))
        .await;
    assert_eq!(extra.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        extra.body,
        json!({"message": "The city field is prohibited.",
               "errors": {"city": ["The city field is prohibited."]}})
    );
    assert_eq!(count(&s, "SELECT count(*) FROM partners"), 1);
    let shown = s.get(&format!("/partners/{id}"), &s.admin).await;
    assert_eq!(shown.body["data"]["name"], "Valid");
    let longest = s
        .post("/partners", &s.admin, json!({"name": "ß".repeat(255)}))
        .await;
    assert_eq!(longest.status, StatusCode::OK, "{}", longest.text);
    assert_eq!(
        longest.body["data"]["name"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        255
    );
    s.stop().await;
}
