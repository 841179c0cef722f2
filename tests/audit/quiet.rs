//! No entry for failed or idempotent writes.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_that_fail_leave_no_entry() {
    // Arrange
    let s = TestServer::start().await;
    let (p, _, t) = staffed(&s, "Hall", "staff@test.local").await;
    let other = s.partner("Other").await;
    let foreign = s.customer(&s.admin, other, "For", "Eign", None).await;
    let g = s.group(&t, p, "Taken").await;
    let c = s
        .customer(&t, p, "Anna", "A", Some("anna@example.com"))
        .await;
    let etag = s
        .get(&format!("/partners/{p}/groups/{g}"), &t)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let stale = format!("\"not-{}", &etag[1..]);
    let before = total(&s).await;
    let group = format!("/partners/{p}/groups/{g}");

    // Act
    let answers = vec![
        s.post(
            &format!("/partners/{p}/groups"),
            &t,
            json!({"name": "TAKEN"}),
        )
        .await,
        send(
            s.client
                .put(s.api(&group))
                .bearer_auth(&t)
                .header("if-match", &stale)
                .json(&json!({"name": "Renamed"})),
        )
        .await,
        send(
            s.client
                .delete(s.api(&group))
                .bearer_auth(&t)
                .header("if-match", &stale),
        )
        .await,
        s.post(
            &format!("/partners/{p}/customers"),
            &t,
            json!({"first_name": "Dup", "last_name": "Licate", "email": "ANNA@example.com"}),
        )
        .await,
        s.add_member(&t, p, g, foreign).await,
        s.delete(&format!("{group}/customers/{c}"), &t).await,
        s.post(
            &format!("{group}/customers/batch"),
            &t,
            json!({"add": [c, foreign]}),
        )
        .await,
        s.delete(&format!("/partners/{p}"), &s.admin).await,
        s.put(
            &format!("/users/{}/permissions", user_id_of(&s, &t).await),
            &s.admin,
            json!({"permissions": ["groups.read", "no.such"]}),
        )
        .await,
        s.post(
            &format!("/partners/{p}/users"),
            &t,
            json!({"email": "short@test.local", "password": "short",
                   "first_name": "S", "last_name": "P"}),
        )
        .await,
    ];

    // Assert
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(
        statuses,
        vec![422, 412, 412, 422, 422, 404, 422, 409, 422, 422],
        "{:#?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    assert_eq!(total(&s).await, before, "{:#?}", newest(&s).await);
    let still = s.get(&group, &t).await;
    assert_eq!(still.body["data"]["name"], "Taken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_writes_that_change_nothing_leave_no_entry() {
    // Arrange
    let s = TestServer::start().await;
    let (p, u, t) = staffed(&s, "Hall", "staff@test.local").await;
    let g = s.group(&t, p, "Members").await;
    let c = s
        .customer(&t, p, "Anna", "A", Some("anna@example.com"))
        .await;
    ok(&s.add_member(&t, p, g, c).await);
    let group = format!("/partners/{p}/groups/{g}");
    let customer = format!("/partners/{p}/customers/{c}");
    let permissions: Vec<String> = ok(&s.get(&format!("/users/{u}"), &s.admin).await)
        ["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let before = total(&s).await;

    // Act
    let answers = vec![
        s.add_member(&t, p, g, c).await,
        s.put(&group, &t, json!({})).await,
        s.put(&group, &t, json!({"name": "Members", "description": null}))
            .await,
        s.put(&customer, &t, json!({})).await,
        s.put(
            &customer,
            &t,
            json!({"first_name": "Anna", "email": "anna@example.com"}),
        )
        .await,
        s.post(&format!("{group}/customers/batch"), &t, json!({"add": [c]}))
            .await,
        s.put(
            &format!("/users/{u}/permissions"),
            &s.admin,
            json!({ "permissions": permissions }),
        )
        .await,
        s.put(
            &format!("/users/{u}/partners"),
            &s.admin,
            json!({"partner_ids": [p]}),
        )
        .await,
        s.put(&format!("/partners/{p}"), &s.admin, json!({"name": "Hall"}))
            .await,
        s.post(
            &format!("/partners/{p}/users"),
            &t,
            json!({"email": "staff@test.local", "password": "whatever-1",
                   "first_name": "X", "last_name": "Y"}),
        )
        .await,
        send(
            s.client
                .post(s.api(&format!("/partners/{p}/customers/import")))
                .bearer_auth(&t)
                .header("content-type", "text/csv")
                .body("first_name,last_name,email\nAnna,A,anna@example.com\n"),
        )
        .await,
        send(
            s.client
                .post(s.api(&format!("/partners/{p}/customers/import?group_id={g}")))
                .bearer_auth(&t)
                .header("content-type", "text/csv")
                .body("first_name,last_name,email\nAnna,A,anna@example.com\n"),
        )
        .await,
    ];

    // Assert
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(a.status, StatusCode::OK, "write {i}: {}", a.text);
    }
    assert_eq!(total(&s).await, before, "{:#?}", newest(&s).await);
}
