//! Success answers.

use super::*;

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
