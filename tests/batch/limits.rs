//! Limits and validation; who may.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_object_or_both_lists_empty_or_no_body_is_422() {
    // Arrange
    let w = world().await;
    w.join(&[w.cs[0]]).await;

    for body in [
        Some(json!({})),
        Some(json!({"add": []})),
        Some(json!({"remove": []})),
        Some(json!({"add": [], "remove": []})),
        None,
    ] {
        // Act
        let a =
            w.s.call(Method::POST, &w.path(), Some(&w.t), body.clone())
                .await;

        // Assert
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body:?}: {}",
            a.text
        );
        assert!(
            a.body["errors"].as_object().is_some_and(|e| !e.is_empty()),
            "{body:?}: {}",
            a.text
        );
    }
    assert_eq!(w.members().await, (vec![w.cs[0]], 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_1000_ids_are_taken() {
    // Arrange
    let w = world().await;
    let ids = many_customers(&w.s, w.a, 1000).await;

    // Act
    let a = w.batch(json!({ "add": ids })).await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"data": {"added": 1000, "removed": 0, "customers_count": 1000}})
    );
    assert_eq!(w.count().await, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_1000_ids_in_all_is_422_and_changes_nothing() {
    // Arrange: 1001 real customers, so only the limit can refuse them.
    let w = world().await;
    let ids = many_customers(&w.s, w.a, 1001).await;
    let audit_before = w.audit_total().await;

    for body in [
        json!({ "add": ids }),
        json!({"add": ids[..600], "remove": ids[600..]}),
        json!({ "remove": ids }),
    ] {
        // Act
        let a = w.batch(body).await;

        // Assert
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
        assert!(a.body["errors"].as_object().is_some_and(|e| !e.is_empty()));
    }
    assert_eq!(w.count().await, 0);
    assert_eq!(w.audit_total().await, audit_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_that_are_not_positive_integers_are_422_keyed_by_position() {
    // Arrange
    let w = world().await;

    // Act
    let a = w
        .batch(json!({
            "add": [w.cs[0], "x", 1.5, null, {"id": 1}, w.cs[1], "7"],
            "remove": [true]
        }))
        .await;

    // Assert
    assert_eq!(
        error_keys(&a),
        vec!["add.1", "add.2", "add.3", "add.4", "add.6", "remove.0"]
    );
    assert_eq!(w.members().await, (vec![], 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_that_are_not_arrays_and_unknown_fields_are_422_under_their_names() {
    // Arrange
    let w = world().await;

    for (body, key) in [
        (json!({"add": w.cs[0]}), "add"),
        (json!({"add": "1,2"}), "add"),
        (json!({"remove": {"0": w.cs[0]}}), "remove"),
        (
            json!({"add": [w.cs[0]], "customer_ids": [w.cs[1]]}),
            "customer_ids",
        ),
    ] {
        // Act
        let a = w.batch(body.clone()).await;

        // Assert
        assert!(
            error_keys(&a).iter().any(|k| k == key),
            "{body}: {}",
            a.text
        );
    }
    assert_eq!(w.members().await, (vec![], 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_json_is_400_or_415() {
    // Arrange
    let w = world().await;

    // Act
    let malformed = send(
        w.s.client
            .post(w.s.api(&w.path()))
            .bearer_auth(&w.t)
            .header("content-type", "application/json")
            .body("{\"add\": [1,"),
    )
    .await;
    let not_json = send(
        w.s.client
            .post(w.s.api(&w.path()))
            .bearer_auth(&w.t)
            .header("content-type", "text/plain")
            .body(format!("{{\"add\": [{}]}}", w.cs[0])),
    )
    .await;

    // Assert
    assert_eq!(
        malformed.status,
        StatusCode::BAD_REQUEST,
        "{}",
        malformed.text
    );
    assert_eq!(
        not_json.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        not_json.text
    );
    assert_eq!(w.members().await, (vec![], 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_needs_groups_update() {
    // Arrange
    let w = world().await;
    let (_, without) =
        w.s.user("no-update@test.local", &all_but("groups.update"), &[w.a])
            .await;
    let (_, with) =
        w.s.user("update@test.local", &["groups.update"], &[w.a])
            .await;

    // Act
    let refused =
        w.s.post(&w.path(), &without, json!({"add": [w.cs[0]]}))
            .await;
    let allowed = w.s.post(&w.path(), &with, json!({"add": [w.cs[1]]})).await;

    // Assert
    expect_forbidden(&refused, "without groups.update");
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.text);
    assert_eq!(w.members().await, (vec![w.cs[1]], 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_on_another_partners_group_or_an_unknown_group_is_404() {
    // Arrange
    let w = world().await;
    let group_b = w.s.group(&w.t, w.b, "B's group").await;

    // Act
    let other =
        w.s.post(
            &format!("/partners/{}/groups/{group_b}/customers/batch", w.a),
            &w.t,
            json!({"add": [w.cs[0]]}),
        )
        .await;
    let unknown =
        w.s.post(
            &format!("/partners/{}/groups/999999/customers/batch", w.a),
            &w.t,
            json!({"add": [w.cs[0]]}),
        )
        .await;

    // Assert
    expect_not_found(&other, "partner B's group under partner A");
    expect_not_found(&unknown, "no such group");
    let a =
        w.s.get(&format!("/partners/{}/groups/{group_b}", w.b), &w.t)
            .await;
    assert_eq!(a.body["data"]["customers_count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_of_partner_a_cannot_batch_on_partner_b() {
    // Arrange
    let w = world().await;
    let group_b = w.s.group(&w.t, w.b, "B's group").await;
    let (_, token) = w.s.user("a-only@test.local", common::ALL, &[w.a]).await;

    // Act
    let a =
        w.s.post(
            &format!("/partners/{}/groups/{group_b}/customers/batch", w.b),
            &token,
            json!({"add": [w.foreign]}),
        )
        .await;

    // Assert
    expect_forbidden(&a, "no access to partner B");
    let g =
        w.s.get(&format!("/partners/{}/groups/{group_b}", w.b), &w.t)
            .await;
    assert_eq!(g.body["data"]["customers_count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_without_a_token_is_401() {
    // Arrange
    let w = world().await;

    // Act
    let a =
        w.s.call(
            Method::POST,
            &w.path(),
            None,
            Some(json!({"add": [w.cs[0]]})),
        )
        .await;

    // Assert
    common::expect_unauthenticated(&a, "no token");
    assert_eq!(w.members().await, (vec![], 0));
}
