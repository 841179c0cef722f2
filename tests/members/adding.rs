//! Adding and listing members.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_member_answers_the_customer_with_added_at_and_no_location() {
    let w = world().await;
    let customer =
        w.s.get(
            &format!("/partners/{}/customers/{}", w.p, w.anna),
            &w.s.admin,
        )
        .await;

    let a = w.add(w.anna).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let added_at = a.body["data"]["added_at"].clone();
    assert!(is_utc_timestamp(&added_at), "{added_at}");
    let mut expected = customer.body["data"].clone();
    expected["added_at"] = added_at;
    assert_eq!(a.body, json!({ "data": expected }));
    assert_eq!(a.header("location"), None);
    assert_eq!(w.count(w.g).await, 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_members_answers_each_member_as_customer_fields_and_added_at() {
    let w = world().await;
    let added = w.add(w.bert).await;

    let a = w.s.get(&w.members(), &w.s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let data = a.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    let m = &data[0];
    let keys: Vec<&str> = {
        let mut k: Vec<&str> = m.as_object().unwrap().keys().map(|s| s.as_str()).collect();
        k.sort_unstable();
        k
    };
    assert_eq!(
        keys,
        [
            "added_at",
            "created_at",
            "email",
            "first_name",
            "id",
            "last_name",
            "partner_id",
            "phone",
            "updated_at"
        ]
    );
    assert_eq!(*m, added.body["data"]);
    assert_eq!(m["id"], w.bert);
    assert_eq!(m["partner_id"], w.p);
    assert_eq!(m["first_name"], "Bert");
    assert_eq!(m["last_name"], "Huber");
    assert_eq!(m["email"], "bert@mail.example");
    assert_eq!(m["phone"], Value::Null);
    assert!(is_utc_timestamp(&m["created_at"]));
    assert!(is_utc_timestamp(&m["updated_at"]));
    assert_eq!(a.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_groups_member_list_is_empty() {
    let w = world().await;

    let a = w.s.get(&w.members(), &w.s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"], json!([]));
    assert_eq!(a.body["meta"]["total"], 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_listed_by_customer_id_whatever_order_they_joined_in() {
    let w = world().await;
    for c in [w.carla, w.anna, w.bert] {
        assert_eq!(w.add(c).await.status, StatusCode::OK);
    }

    let ids = w.listed_ids("").await;

    assert_eq!(ids, vec![w.anna, w.bert, w.carla]);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_member_again_answers_the_same_membership_and_changes_nothing() {
    let w = world().await;
    let first = w.add(w.anna).await;
    let group_before =
        w.s.get(&format!("/partners/{}/groups/{}", w.p, w.g), &w.s.admin)
            .await;

    let again = w.add(w.anna).await;
    let group_after =
        w.s.get(&format!("/partners/{}/groups/{}", w.p, w.g), &w.s.admin)
            .await;

    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), None);
    assert_eq!(group_after.body, group_before.body);
    assert_eq!(group_after.body["data"]["customers_count"], 1);
    assert_eq!(group_after.header("etag"), group_before.header("etag"));
    assert_eq!(w.rows(w.g), 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_members_matches_first_name_last_name_and_email_ignoring_case() {
    let w = world().await;
    for c in [w.anna, w.bert, w.carla] {
        w.add(c).await;
    }
    // A customer matching the searches but not a member.
    w.s.customer(&w.s.admin, w.p, "Anna", "Huber", Some("x@mail.example"))
        .await;

    assert_eq!(w.listed_ids("?search=ANN").await, vec![w.anna]);
    assert_eq!(w.listed_ids("?search=huBER").await, vec![w.bert]);
    assert_eq!(w.listed_ids("?search=MAIL.example").await, vec![w.bert]);
    assert_eq!(w.listed_ids("?search=zimmer").await, vec![w.carla]);
    assert_eq!(
        w.listed_ids("?search=er").await,
        vec![w.anna, w.bert, w.carla]
    );
    assert_eq!(w.listed_ids("?search=nobody").await, Vec::<i64>::new());
    let a =
        w.s.get(&format!("{}?search=huber", w.members()), &w.s.admin)
            .await;
    assert_eq!(a.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_of_one_group_are_not_listed_in_another() {
    let w = world().await;
    let g2 = w.s.group(&w.s.admin, w.p, "Seniors").await;
    w.add(w.anna).await;

    let a =
        w.s.get(
            &format!("/partners/{}/groups/{g2}/customers", w.p),
            &w.s.admin,
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"], json!([]));
    assert_eq!(a.body["meta"]["total"], 0);
    w.s.stop().await;
}
