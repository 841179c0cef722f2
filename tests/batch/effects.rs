//! All or nothing; What a batch does.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_with_a_foreign_and_an_unknown_id_is_422_keyed_by_position_and_changes_nothing() {
    // Arrange: one member already, whom the batch would remove.
    let w = world().await;
    w.join(&[w.cs[0]]).await;
    let audit_before = w.audit_total().await;

    // Act: positions 1 (partner B's customer) and 3 (no such customer) are bad.
    let a = w
        .batch(json!({
            "add": [w.cs[1], w.foreign, w.cs[2], 999_999],
            "remove": [w.cs[0]]
        }))
        .await;

    // Assert
    assert_eq!(error_keys(&a), vec!["add.1", "add.3"]);
    assert_eq!(w.count().await, 1);
    assert_eq!(w.members().await, (vec![w.cs[0]], 1));
    assert_eq!(w.audit_total().await, audit_before, "no audit entry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_whose_only_bad_id_is_the_first_reports_add_0() {
    // Arrange
    let w = world().await;

    // Act
    let a = w.batch(json!({"add": [w.foreign, w.cs[0]]})).await;

    // Assert
    assert_eq!(error_keys(&a), vec!["add.0"]);
    assert_eq!(w.members().await, (vec![], 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_adds_and_removes_and_answers_the_counts_and_the_new_customers_count() {
    // Arrange: members 0 and 1.
    let w = world().await;
    w.join(&[w.cs[0], w.cs[1]]).await;

    // Act: add 2, 3, 4; remove 0.
    let a = w
        .batch(json!({"add": [w.cs[2], w.cs[3], w.cs[4]], "remove": [w.cs[0]]}))
        .await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"data": {"added": 3, "removed": 1, "customers_count": 4}})
    );
    assert_eq!(w.count().await, 4);
    assert_eq!(
        w.members().await,
        (vec![w.cs[1], w.cs[2], w.cs[3], w.cs[4]], 4)
    );
    assert_eq!(a.header("location"), None, "a batch creates no resource");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_batch_twice_adds_nothing_the_second_time() {
    // Arrange
    let w = world().await;
    let body = json!({"add": [w.cs[0], w.cs[1], w.cs[2]]});
    let first = w.batch(body.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["data"]["added"], 3);
    let audit_before = w.audit_total().await;

    // Act
    let second = w.batch(body).await;

    // Assert
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_eq!(
        second.body,
        json!({"data": {"added": 0, "removed": 0, "customers_count": 3}})
    );
    assert_eq!(w.count().await, 3);
    assert_eq!(w.members().await.1, 3);
    assert_eq!(
        w.audit_total().await,
        audit_before,
        "a batch that changed nothing leaves no audit entry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_id_twice_in_add_is_added_once() {
    // Arrange
    let w = world().await;

    // Act
    let a = w.batch(json!({"add": [w.cs[0], w.cs[0]]})).await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"data": {"added": 1, "removed": 0, "customers_count": 1}})
    );
    assert_eq!(w.members().await, (vec![w.cs[0]], 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_non_members_unknown_ids_and_foreign_customers_is_ignored() {
    // Arrange: members 0 and 1.
    let w = world().await;
    w.join(&[w.cs[0], w.cs[1]]).await;

    // Act: only cs[1] is a member.
    let a = w
        .batch(json!({"remove": [w.cs[3], w.cs[1], w.foreign, 999_999]}))
        .await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"data": {"added": 0, "removed": 1, "customers_count": 1}})
    );
    assert_eq!(w.members().await, (vec![w.cs[0]], 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_existing_members_in_a_batch_counts_only_the_new_ones() {
    // Arrange
    let w = world().await;
    w.join(&[w.cs[0], w.cs[1]]).await;

    // Act
    let a = w.batch(json!({"add": [w.cs[0], w.cs[1], w.cs[2]]})).await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body,
        json!({"data": {"added": 1, "removed": 0, "customers_count": 3}})
    );
    assert_eq!(w.count().await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_count_stays_exact_through_a_sequence_of_batches() {
    // Arrange
    let w = world().await;
    let cs = &w.cs;
    let steps = [
        json!({"add": [cs[0], cs[1], cs[2], cs[3]]}),
        json!({"add": [cs[4]], "remove": [cs[0], cs[1]]}),
        json!({"remove": [cs[2], cs[5]]}),
        json!({"add": [cs[0], cs[5]], "remove": [cs[4]]}),
    ];

    for (i, body) in steps.into_iter().enumerate() {
        // Act
        let a = w.batch(body).await;

        // Assert: the answer, GET and the list agree after every step.
        assert_eq!(a.status, StatusCode::OK, "step {i}: {}", a.text);
        let answered = a.body["data"]["customers_count"].as_i64().unwrap();
        let (ids, total) = w.members().await;
        assert_eq!(answered, w.count().await, "step {i}");
        assert_eq!(answered, total, "step {i}");
        assert_eq!(answered, ids.len() as i64, "step {i}");
    }
    assert_eq!(w.members().await.0, vec![cs[0], cs[3], cs[5]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_group_etag_changes_after_a_batch_that_changed_the_count() {
    // Arrange
    let w = world().await;
    let path = format!("/partners/{}/groups/{}", w.a, w.group);
    let before = w.s.get(&path, &w.t).await;
    let etag = before.header("etag").unwrap().to_string();

    // Act
    let a = w.batch(json!({"add": [w.cs[0]]})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);

    // Assert
    let after = w.s.get(&path, &w.t).await;
    assert_ne!(after.header("etag"), Some(etag.as_str()));
}
