//! ETag and If-Match.

use super::*;

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
