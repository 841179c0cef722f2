//! The README's curl walkthrough, as a test: login → create group → create
//! customer → add member → list members → remove member → delete group.

mod common;

use common::TestServer;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_groups_workflow_works_for_an_admin() {
    let s = TestServer::start().await;
    let t = s.admin.clone();
    let p = s.partner("Hall").await;

    let a = s
        .post(
            &format!("/partners/{p}/groups"),
            &t,
            json!({"name": "Members"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let g = a.body["data"]["id"].as_i64().unwrap();
    assert_eq!(
        a.header("location"),
        Some(format!("/api/internal/v1/partners/{p}/groups/{g}").as_str())
    );
    assert_eq!(a.body["data"]["customers_count"], 0);

    let c = s
        .customer(&t, p, "Anna", "Berger", Some("anna@example.com"))
        .await;
    let a = s.add_member(&t, p, g, c).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["id"], c);
    assert!(a.body["data"]["added_at"].is_string());

    let a = s
        .get(&format!("/partners/{p}/groups/{g}/customers"), &t)
        .await;
    assert_eq!(a.body["meta"]["total"], 1);
    assert_eq!(a.body["data"][0]["email"], "anna@example.com");
    let a = s.get(&format!("/partners/{p}/groups/{g}"), &t).await;
    assert_eq!(a.body["data"]["customers_count"], 1);

    let a = s
        .delete(&format!("/partners/{p}/groups/{g}/customers/{c}"), &t)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["data"]["id"], c);

    let a = s.delete(&format!("/partners/{p}/groups/{g}"), &t).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["data"]["name"], "Members");
    let a = s.get(&format!("/partners/{p}/groups/{g}"), &t).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.body, json!({"message": "Not found."}));
    s.stop().await;
}
