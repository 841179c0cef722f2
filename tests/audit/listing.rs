//! Listing: filters, order, pagination.

use super::*;

/// A partner with two staff users and a mix of entries; (server, partner,
/// first user's id, first user's token, second user's id, group, customer).
async fn busy() -> (TestServer, i64, i64, String, i64, i64, i64) {
    let s = TestServer::start().await;
    let (p, u1, t1) = staffed(&s, "Hall", "one@test.local").await;
    let (u2, t2) = s.user("two@test.local", ALL, &[p]).await;
    let g = s.group(&t1, p, "G1").await;
    let g2 = s.group(&t2, p, "G2").await;
    let c = s.customer(&t1, p, "Anna", "A", None).await;
    let c2 = s.customer(&t2, p, "Ben", "B", None).await;
    ok(&s.add_member(&t1, p, g, c).await);
    ok(&s.add_member(&t2, p, g2, c2).await);
    ok(&s
        .put(
            &format!("/partners/{p}/customers/{c}"),
            &t2,
            json!({"last_name": "Changed"}),
        )
        .await);
    ok(&s
        .put(
            &format!("/partners/{p}/groups/{g}"),
            &t1,
            json!({"name": "G1 renamed"}),
        )
        .await);
    (s, p, u1, t1, u2, g, c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partners_entries_are_listed_newest_first() {
    // Arrange
    let (s, p, _, t1, ..) = busy().await;

    // Act
    let (list, _) = entries(&s, &t1, &format!("/partners/{p}/audit")).await;

    // Assert
    let ids: Vec<i64> = list.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    assert_eq!(list[0]["action"], "group.updated");
    assert_eq!(list[1]["action"], "customer.updated");
    let actions: Vec<&str> = list.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "group.created").count(),
        2,
        "{actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_the_audit_list_follow_each_other_and_links_keep_the_filters() {
    // Arrange
    let (s, p, _, t1, ..) = busy().await;
    let (all, _) = entries(&s, &t1, &format!("/partners/{p}/audit")).await;
    let groups: Vec<&Value> = all
        .iter()
        .filter(|e| e["subject_type"] == "group")
        .collect();
    assert!(groups.len() >= 3);

    // Act: walk the filtered list two at a time by its own `next` links.
    let mut seen = Vec::new();
    let mut next = Some(format!(
        "{}/api/internal/v1/partners/{p}/audit?subject_type=group&per_page=2",
        s.url
    ));
    let mut first_meta = Value::Null;
    while let Some(link) = next {
        let a = send(s.client.get(&link).bearer_auth(&t1)).await;
        assert_eq!(a.status, StatusCode::OK, "{link}: {}", a.text);
        if first_meta.is_null() {
            first_meta = a.body["meta"].clone();
        }
        seen.extend(a.body["data"].as_array().unwrap().iter().cloned());
        next = a.body["links"]["next"].as_str().map(str::to_string);
    }

    // Assert
    assert_eq!(first_meta["total"], groups.len());
    assert_eq!(first_meta["per_page"], 2);
    let seen: Vec<&Value> = seen.iter().collect();
    assert_eq!(seen, groups);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_list_filters_by_subject_type_subject_id_action_and_user_id() {
    // Arrange
    let (s, p, u1, t1, u2, g, c) = busy().await;
    let base = format!("/partners/{p}/audit");
    let (all, _) = entries(&s, &t1, &base).await;
    let expect = |keep: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        all.iter().filter(|e| keep(e)).cloned().collect()
    };

    for (query, wanted) in [
        (
            "subject_type=customer".to_string(),
            expect(&|e| e["subject_type"] == "customer"),
        ),
        (
            format!("subject_type=group&subject_id={g}"),
            expect(&|e| e["subject_type"] == "group" && e["subject_id"] == g),
        ),
        (
            format!("subject_id={c}&subject_type=customer"),
            expect(&|e| e["subject_type"] == "customer" && e["subject_id"] == c),
        ),
        (
            "action=group.created".to_string(),
            expect(&|e| e["action"] == "group.created"),
        ),
        (format!("user_id={u2}"), expect(&|e| e["user_id"] == u2)),
        (
            format!("user_id={u1}&action=group.member_added"),
            expect(&|e| e["user_id"] == u1 && e["action"] == "group.member_added"),
        ),
        ("action=no.such.action".to_string(), vec![]),
    ] {
        // Act
        let (got, _) = entries(&s, &t1, &format!("{base}?{query}")).await;

        // Assert
        assert_eq!(got, wanted, "{query}");
    }
    // The filters select something, so the test can tell them apart.
    assert_eq!(expect(&|e| e["action"] == "group.created").len(), 2);
    assert!(expect(&|e| e["user_id"] == u2).len() >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_that_are_not_positive_integers_are_422() {
    // Arrange
    let (s, p, _, t1, ..) = busy().await;

    for query in [
        "subject_id=abc",
        "user_id=-1",
        "user_id=1.5",
        "page=0",
        "per_page=101",
    ] {
        // Act
        let a = s.get(&format!("/partners/{p}/audit?{query}"), &t1).await;

        // Assert
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            a.text
        );
        assert!(a.body["errors"].is_object(), "{query}");
    }
}
