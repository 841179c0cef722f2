//! Import: refusals of the file itself.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_over_5_mb_is_413() {
    // Arrange: a valid file just over the limit.
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let mut file = String::from("first_name,last_name\n");
    let mut i = 0;
    while file.len() <= 5 * 1024 * 1024 {
        file.push_str(&format!("First{i},Last{i}\n"));
        i += 1;
    }

    // Act
    let a = import(&s, &s.admin, p, "", Some("text/csv"), file).await;

    // Assert
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text);
    assert!(a.body["message"].is_string());
    assert_eq!(customers_total(&s, p).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_text_csv_is_415() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let file = "first_name,last_name\nA,B\n";

    for ct in [Some("application/json"), Some("text/plain"), None] {
        // Act
        let a = import(&s, &s.admin, p, "", ct, file).await;

        // Assert
        assert_eq!(
            a.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{ct:?}: {}",
            a.text
        );
        assert!(a.body["message"].is_string());
    }
    assert_eq!(customers_total(&s, p).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_or_missing_required_column_is_422() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    for file in [
        "first_name,last_name,birthday\nA,B,2000-01-01\n",
        "first_name,email\nA,a@example.com\n",
        "last_name\nB\n",
        "first_name,last_name,first_name\nA,B,C\n",
        "",
    ] {
        // Act
        let a = import(&s, &s.admin, p, "", Some("text/csv"), file).await;

        // Assert
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{file:?}: {}",
            a.text
        );
        assert!(
            a.body["errors"].as_object().is_some_and(|e| !e.is_empty()),
            "{file:?}: {}",
            a.text
        );
    }
    assert_eq!(customers_total(&s, p).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_utf8_is_422() {
    // Arrange: Latin-1 "Müller".
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let file = b"first_name,last_name\nAnna,M\xfcller\n".to_vec();

    // Act
    let a = import(&s, &s.admin, p, "", Some("text/csv"), file).await;

    // Assert
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert_eq!(customers_total(&s, p).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_10000_row_import_succeeds_in_reasonable_time() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Big").await;
    let mut file = String::from("first_name;last_name;email;phone\n");
    for i in 0..10_000 {
        file.push_str(&format!(
            "Vorname{i};Nachname {i};person{i}@example.com;+43 660 {i:07}\n"
        ));
    }

    // Act
    let started = Instant::now();
    let a = import(
        &s,
        &s.admin,
        p,
        &format!("?group_id={g}"),
        Some("text/csv"),
        file,
    )
    .await;
    let took = started.elapsed();
    eprintln!("10,000-row import (debug build) took {took:?}");

    // Assert
    assert_eq!(
        ok_data(&a),
        &json!({"created": 10000, "matched": 0, "added_to_group": 10000, "dry_run": false})
    );
    assert_eq!(customers_total(&s, p).await, 10_000);
    assert_eq!(group_count(&s, p, g).await, 10_000);
    assert!(
        took < Duration::from_secs(10),
        "the 10,000-row import took {took:?}"
    );
}
