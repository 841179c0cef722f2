//! Import: matching and all-or-nothing.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_email_inside_the_file_is_422_on_the_later_row_and_nothing_is_written() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let file = "first_name,last_name,email\n\
                Anna,One,anna@example.com\n\
                Ben,Two,ben@example.com\n\
                Anna,Again, ANNA@Example.com \n";

    // Act
    let a = import(&s, &s.admin, p, "", Some("text/csv"), file).await;

    // Assert
    assert_eq!(error_keys(&a), vec!["rows.3.email"]);
    assert_eq!(customers_total(&s, p).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_customers_email_in_another_case_is_matched_and_left_unchanged() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let existing = full_customer(&s, p, "Anna", "Berger", Some("anna@example.com"), None).await;
    let before = s
        .get(&format!("/partners/{p}/customers/{existing}"), &s.admin)
        .await;
    let file = "first_name,last_name,email,phone\n\
                Annika,Renamed,  ANNA@Example.COM ,+43 1\n\
                New,Person,new@example.com,\n";

    // Act
    let a = import(&s, &s.admin, p, "", Some("text/csv"), file).await;

    // Assert
    assert_eq!(
        ok_data(&a),
        &json!({"created": 1, "matched": 1, "added_to_group": 0, "dry_run": false})
    );
    let after = s
        .get(&format!("/partners/{p}/customers/{existing}"), &s.admin)
        .await;
    assert_eq!(after.body, before.body, "the matched customer is unchanged");
    assert_eq!(customers_total(&s, p).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_of_another_partners_customer_is_not_matched() {
    // Arrange
    let s = TestServer::start().await;
    let a_ = s.partner("A").await;
    let b = s.partner("B").await;
    let theirs = full_customer(&s, b, "Their", "Customer", Some("shared@example.com"), None).await;
    let before = s
        .get(&format!("/partners/{b}/customers/{theirs}"), &s.admin)
        .await;

    // Act
    let a = import(
        &s,
        &s.admin,
        a_,
        "",
        Some("text/csv"),
        "first_name,last_name,email\nOur,Customer,shared@example.com\n",
    )
    .await;

    // Assert
    assert_eq!(
        ok_data(&a),
        &json!({"created": 1, "matched": 0, "added_to_group": 0, "dry_run": false})
    );
    let ours = &customers(&s, a_).await[0];
    assert_eq!(ours["first_name"], "Our");
    assert_eq!(ours["partner_id"], a_);
    let after = s
        .get(&format!("/partners/{b}/customers/{theirs}"), &s.admin)
        .await;
    assert_eq!(after.body, before.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_email_on_row_7_is_422_keyed_rows_7_email_and_nothing_is_written() {
    // Arrange: one customer and one group exist before.
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Target").await;
    s.customer(&s.admin, p, "Already", "There", None).await;
    let audit_before = audit_total(&s).await;
    let mut file = String::from("first_name,last_name,email\n");
    for i in 1..=6 {
        file.push_str(&format!("Good{i},Row,good{i}@example.com\n"));
    }
    file.push_str("Bad,Row,not-an-email\n");
    file.push_str("Good8,Row,good8@example.com\n");

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
    assert_eq!(error_keys(&a), vec!["rows.7.email"]);
    assert_eq!(customers_total(&s, p).await, 1);
    assert_eq!(group_count(&s, p, g).await, 0);
    assert_eq!(audit_total(&s).await, audit_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_invalid_row_is_reported_with_its_1_based_row_and_field() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let long = "x".repeat(256);
    let file = format!(
        "first_name,last_name,phone\n\
         Ok,Row,\n\
         ,Missing,\n\
         Long,{long},\n\
         Phone,Long,{}\n",
        "1".repeat(51)
    );

    // Act
    let a = import(&s, &s.admin, p, "", Some("text/csv"), file).await;

    // Assert
    assert_eq!(
        error_keys(&a),
        vec!["rows.2.first_name", "rows.3.last_name", "rows.4.phone"]
    );
    assert_eq!(customers_total(&s, p).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_counts_right_and_writes_nothing() {
    // Arrange: one customer already a member, one not a member.
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Target").await;
    let member = full_customer(&s, p, "In", "Group", Some("in@example.com"), None).await;
    full_customer(&s, p, "Not", "Member", Some("out@example.com"), None).await;
    assert_eq!(
        s.add_member(&s.admin, p, g, member).await.status,
        StatusCode::OK
    );
    let audit_before = audit_total(&s).await;
    let file = "first_name,last_name,email\n\
                X,Y,IN@example.com\n\
                X,Y,out@example.com\n\
                New,One,new1@example.com\n\
                New,Two,\n";

    // Act
    let plain = import(&s, &s.admin, p, "?dry_run=true", Some("text/csv"), file).await;
    let grouped = import(
        &s,
        &s.admin,
        p,
        &format!("?dry_run=true&group_id={g}"),
        Some("text/csv"),
        file,
    )
    .await;

    // Assert
    assert_eq!(
        ok_data(&plain),
        &json!({"created": 2, "matched": 2, "added_to_group": 0, "dry_run": true})
    );
    assert_eq!(
        ok_data(&grouped),
        &json!({"created": 2, "matched": 2, "added_to_group": 3, "dry_run": true})
    );
    assert_eq!(customers_total(&s, p).await, 2);
    assert_eq!(group_count(&s, p, g).await, 1);
    assert_eq!(audit_total(&s).await, audit_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_of_a_bad_file_is_still_422() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    // Act
    let a = import(
        &s,
        &s.admin,
        p,
        "?dry_run=true",
        Some("text/csv"),
        "first_name,last_name,email\nA,B,nope\n",
    )
    .await;

    // Assert
    assert_eq!(error_keys(&a), vec!["rows.1.email"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_file_imported_after_its_dry_run_gives_the_counts_the_dry_run_promised() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Target").await;
    full_customer(&s, p, "Old", "One", Some("old@example.com"), None).await;
    let file = "first_name,last_name,email\nA,B,old@example.com\nC,D,c@example.com\nE,F,\n";
    let q = format!("?group_id={g}");
    let dry = import(
        &s,
        &s.admin,
        p,
        &format!("{q}&dry_run=true"),
        Some("text/csv"),
        file,
    )
    .await;
    let mut promised = ok_data(&dry).clone();
    promised["dry_run"] = json!(false);

    // Act
    let real = import(&s, &s.admin, p, &q, Some("text/csv"), file).await;

    // Assert
    assert_eq!(ok_data(&real), &promised);
    assert_eq!(customers_total(&s, p).await, 3);
    assert_eq!(group_count(&s, p, g).await, 3);
}
