//! Import: into a group.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_with_group_id_adds_every_row_to_the_group() {
    // Arrange: one matched customer is a member already.
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Season 2027").await;
    let member = full_customer(&s, p, "Old", "Member", Some("old@example.com"), None).await;
    assert_eq!(
        s.add_member(&s.admin, p, g, member).await.status,
        StatusCode::OK
    );
    let file =
        "first_name,last_name,email\nOld,Member,old@example.com\nNew,A,a@example.com\nNew,B,\n";

    // Act
    let a = import(
        &s,
        &s.admin,
        p,
        &format!("?group_id={g}"),
        Some("text/csv"),
        file,
    )
    .await;

    // Assert
    assert_eq!(
        ok_data(&a),
        &json!({"created": 2, "matched": 1, "added_to_group": 2, "dry_run": false})
    );
    assert_eq!(group_count(&s, p, g).await, 3);
    let listed = s
        .get(&format!("/partners/{p}/groups/{g}/customers"), &s.admin)
        .await;
    assert_eq!(listed.body["meta"]["total"], 3);
    let all: Vec<i64> = customers(&s, p)
        .await
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let members: Vec<i64> = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(members, all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_with_group_id_needs_groups_update_as_well() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Target").await;
    let (_, creator) = s
        .user("creator@test.local", &all_but("groups.update"), &[p])
        .await;
    let file = "first_name,last_name\nA,B\n";

    // Act
    let with_group = import(
        &s,
        &creator,
        p,
        &format!("?group_id={g}"),
        Some("text/csv"),
        file,
    )
    .await;
    let without_group = import(&s, &creator, p, "", Some("text/csv"), file).await;

    // Assert
    expect_forbidden(&with_group, "group_id without groups.update");
    assert_eq!(ok_data(&without_group)["created"], 1);
    assert_eq!(
        customers_total(&s, p).await,
        1,
        "only the second import wrote"
    );
    assert_eq!(group_count(&s, p, g).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_needs_customers_create() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let (_, token) = s
        .user("no-create@test.local", &all_but("customers.create"), &[p])
        .await;

    // Act
    let a = import(
        &s,
        &token,
        p,
        "",
        Some("text/csv"),
        "first_name,last_name\nA,B\n",
    )
    .await;

    // Assert
    expect_forbidden(&a, "without customers.create");
    assert_eq!(customers_total(&s, p).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_into_another_partners_or_an_unknown_group_is_422_group_id() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("A").await;
    let b = s.partner("B").await;
    let gb = s.group(&s.admin, b, "B's").await;
    let file = "first_name,last_name\nA,B\n";

    for group in [gb, 999_999] {
        // Act
        let a = import(
            &s,
            &s.admin,
            p,
            &format!("?group_id={group}"),
            Some("text/csv"),
            file,
        )
        .await;

        // Assert
        assert_eq!(error_keys(&a), vec!["group_id"], "group {group}");
    }
    assert_eq!(customers_total(&s, p).await, 0);
    assert_eq!(group_count(&s, b, gb).await, 0);
}
