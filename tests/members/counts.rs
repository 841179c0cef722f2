//! Removing members, and the count that follows every change.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_member_answers_the_member_and_the_count_drops() {
    let w = world().await;
    let added = w.add(w.anna).await;
    w.add(w.bert).await;

    let a = w.remove(w.anna).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body, added.body);
    assert_eq!(w.count(w.g).await, 1);
    assert_eq!(w.listed_ids("").await, vec![w.bert]);
    let customer =
        w.s.get(
            &format!("/partners/{}/customers/{}", w.p, w.anna),
            &w.s.admin,
        )
        .await;
    assert_eq!(customer.status, StatusCode::OK);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_customer_that_is_not_a_member_is_404() {
    let w = world().await;
    w.add(w.anna).await;

    let never = w.remove(w.bert).await;
    w.remove(w.anna).await;
    let twice = w.remove(w.anna).await;
    let unknown = w.remove(999_999).await;

    expect_not_found(&never, "never a member");
    expect_not_found(&twice, "removed already");
    expect_not_found(&unknown, "no such customer");
    assert_eq!(w.count(w.g).await, 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_can_join_again_after_being_removed() {
    let w = world().await;
    w.add(w.anna).await;
    w.remove(w.anna).await;

    let a = w.add(w.anna).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(w.count(w.g).await, 1);
    assert_eq!(w.rows(w.g), 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_count_is_exact_through_adds_removes_and_deletions() {
    let w = world().await;
    let s = &w.s;
    let g2 = s.group(&s.admin, w.p, "Seniors").await;
    for c in [w.anna, w.bert, w.carla] {
        assert_eq!(w.add(c).await.status, StatusCode::OK);
    }
    for c in [w.anna, w.bert] {
        let a = s.add_member(&s.admin, w.p, g2, c).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }
    assert_eq!(w.count(w.g).await, 3);
    assert_eq!(w.count(g2).await, 2);

    // A removal.
    assert_eq!(w.remove(w.carla).await.status, StatusCode::OK);
    assert_eq!(w.count(w.g).await, 2);
    assert_eq!(w.count(g2).await, 2);

    // Deleting a customer that is in both groups.
    let a = s
        .delete(&format!("/partners/{}/customers/{}", w.p, w.anna), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(w.count(w.g).await, 1);
    assert_eq!(w.count(g2).await, 1);
    assert_eq!(w.listed_ids("").await, vec![w.bert]);

    // Deleting a group leaves the other's count alone.
    let a = s
        .delete(&format!("/partners/{}/groups/{g2}", w.p), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["customers_count"], 1);
    assert_eq!(w.count(w.g).await, 1);
    assert_eq!(w.rows(g2), 0);

    // The counter agrees with the rows.
    let drift: i64 = s
        .db()
        .query_row(
            "SELECT count(*) FROM groups g WHERE customers_count !=
                 (SELECT count(*) FROM group_customers m WHERE m.group_id = g.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(drift, 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_customer_removes_its_memberships() {
    let w = world().await;
    w.add(w.anna).await;
    w.add(w.bert).await;

    let a =
        w.s.delete(
            &format!("/partners/{}/customers/{}", w.p, w.bert),
            &w.s.admin,
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(w.listed_ids("").await, vec![w.anna]);
    assert_eq!(w.count(w.g).await, 1);
    let rows: i64 =
        w.s.db()
            .query_row(
                "SELECT count(*) FROM group_customers WHERE customer_id = ?1",
                [w.bert],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(rows, 0);
    expect_not_found(&w.remove(w.bert).await, "removing a deleted customer");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_parallel_adds_of_the_same_customer_leave_one_membership() {
    let w = world().await;
    let (s, path, token) = (&w.s, w.members(), w.s.admin.clone());

    let answers = futures_util::future::join_all((0..20).map(|_| {
        let req = s
            .client
            .post(s.api(&path))
            .bearer_auth(&token)
            .json(&json!({"customer_id": w.anna}));
        async move { common::send(req).await }
    }))
    .await;

    let first = &answers[0];
    for a in &answers {
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body, first.body);
    }
    assert_eq!(w.count(w.g).await, 1);
    assert_eq!(w.rows(w.g), 1);
    assert_eq!(w.listed_ids("").await, vec![w.anna]);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_adds_and_removes_of_many_customers_keep_the_count_exact() {
    let w = world().await;
    let s = &w.s;
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(
            s.customer(&s.admin, w.p, &format!("C{i}"), "Many", None)
                .await,
        );
    }

    let tasks = ids.iter().map(|c| {
        let req = s
            .client
            .post(s.api(&w.members()))
            .bearer_auth(&s.admin)
            .json(&json!({"customer_id": c}));
        async move { common::send(req).await }
    });
    let answers = futures_util::future::join_all(tasks).await;
    for a in &answers {
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }
    assert_eq!(w.count(w.g).await, 30);

    let removes = ids.iter().take(10).map(|c| {
        let req = s
            .client
            .delete(s.api(&format!("{}/{c}", w.members())))
            .bearer_auth(&s.admin);
        async move { common::send(req).await }
    });
    let answers = futures_util::future::join_all(removes).await;
    for a in &answers {
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }

    assert_eq!(w.count(w.g).await, 20);
    assert_eq!(w.rows(w.g), 20);
    let a = s.get(&w.members(), &s.admin).await;
    assert_eq!(a.body["meta"]["total"], 20);
    w.s.stop().await;
}
