//! The CSV export of a group's members and the CSV import of customers
//! (API.md, "CSV export" and "CSV import").

mod common;

use common::{all_but, expect_forbidden, expect_not_found, send, Answer, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const HEADER: [&str; 6] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "added_at",
];

// --- Helpers ---

/// GET the export of a group.
async fn export(s: &TestServer, token: &str, partner: i64, group: i64) -> Answer {
    send(
        s.client
            .get(s.api(&format!(
                "/partners/{partner}/groups/{group}/customers/export"
            )))
            .bearer_auth(token),
    )
    .await
}

/// Parses an export with the `csv` crate: the header row and the records.
fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    let records = reader
        .records()
        .map(|r| {
            r.expect("a well-formed CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (header, records)
}

/// POSTs a CSV file to the import with a query string and content type.
async fn import(
    s: &TestServer,
    token: &str,
    partner: i64,
    query: &str,
    content_type: Option<&str>,
    body: impl Into<Vec<u8>>,
) -> Answer {
    let mut req = s
        .client
        .post(s.api(&format!("/partners/{partner}/customers/import{query}")))
        .bearer_auth(token)
        .body(body.into());
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    send(req).await
}

/// A partner's customers (every page), as the API lists them.
async fn customers(s: &TestServer, partner: i64) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let a = s
            .get(
                &format!("/partners/{partner}/customers?per_page=100&page={page}"),
                &s.admin,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let data = a.body["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        all.extend(data);
    }
    all
}

/// A partner's customer total (`meta.total`).
async fn customers_total(s: &TestServer, partner: i64) -> i64 {
    let a = s
        .get(&format!("/partners/{partner}/customers"), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["meta"]["total"].as_i64().unwrap()
}

/// A group's `customers_count`.
async fn group_count(s: &TestServer, partner: i64, group: i64) -> i64 {
    let a = s
        .get(&format!("/partners/{partner}/groups/{group}"), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["data"]["customers_count"].as_i64().unwrap()
}

/// How many audit entries exist over all partners.
async fn audit_total(s: &TestServer) -> i64 {
    let a = s.get("/audit", &s.admin).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["meta"]["total"].as_i64().unwrap()
}

/// Creates a customer with every field; returns its id.
async fn full_customer(
    s: &TestServer,
    partner: i64,
    first: &str,
    last: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> i64 {
    let a = s
        .post(
            &format!("/partners/{partner}/customers"),
            &s.admin,
            json!({"first_name": first, "last_name": last, "email": email, "phone": phone}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["data"]["id"].as_i64().unwrap()
}

/// The `errors` keys of a 422, sorted.
fn error_keys(a: &Answer) -> Vec<String> {
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert!(a.body["message"].is_string(), "{}", a.text);
    let mut keys: Vec<String> = a.body["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("no errors object: {}", a.text))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn ok_data(a: &Answer) -> &Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    &a.body["data"]
}

// --- Export ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_of_an_empty_group_is_the_header_row_only() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Empty").await;

    // Act
    let a = export(&s, &s.admin, p, g).await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.text.trim_end_matches(['\r', '\n']),
        "id,first_name,last_name,email,phone,added_at"
    );
    let (header, records) = parse(&a.text);
    assert_eq!(header, HEADER);
    assert!(records.is_empty(), "{records:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_is_text_csv_utf8_as_an_attachment() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Members").await;
    let c = s.customer(&s.admin, p, "Zoë", "Ørsted", None).await;
    assert_eq!(s.add_member(&s.admin, p, g, c).await.status, StatusCode::OK);

    // Act
    let a = export(&s, &s.admin, p, g).await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.header("content-type"), Some("text/csv; charset=utf-8"));
    let disposition = a.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment"),
        "Content-Disposition: {disposition}"
    );
    assert!(a.text.contains("Zoë,Ørsted"), "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_with_commas_quotes_newlines_and_non_ascii_survive_the_export_and_formulas_get_a_quote(
) {
    // Arrange: (first, last, email, phone) as stored, and the cells the
    // export must give back.
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Tricky").await;
    let stored: [(&str, &str, Option<&str>, Option<&str>); 7] = [
        (
            "Clara",
            "Müller, Jr.",
            Some("clara@example.com"),
            Some("+43 1 5550100"),
        ),
        ("Anna \"Nan\"", "O'Brien", None, Some("0664 123")),
        ("Line\nBreak", "Two\r\nLines", None, None),
        ("日本語", "Zoë Ørsted 🎾", Some("zoe@exämple.at"), None),
        (
            "=HYPERLINK(\"http://x\")",
            "+SUM(A1)",
            Some("=cmd@example.com"),
            None,
        ),
        (
            "-2+3",
            "@Bob",
            Some("-dash@example.com"),
            Some("+43 660 1234567"),
        ),
        ("Plain", "a=b", None, Some("12-34")),
    ];
    let mut ids = Vec::new();
    for (first, last, email, phone) in stored {
        if first.contains('\n') || last.contains('\n') {
            // The API takes names as one line now; older rows may hold
            // line breaks, so plant them in the file.
            let id = full_customer(&s, p, "Planted", "Planted", email, phone).await;
            s.db()
                .execute(
                    "UPDATE customers SET first_name = ?1, last_name = ?2 WHERE id = ?3",
                    rusqlite::params![first, last, id],
                )
                .unwrap();
            ids.push(id);
        } else {
            ids.push(full_customer(&s, p, first, last, email, phone).await);
        }
    }
    // Join in reverse: the export still comes in id order.
    for id in ids.iter().rev() {
        assert_eq!(
            s.add_member(&s.admin, p, g, *id).await.status,
            StatusCode::OK
        );
    }
    let quoted = |cell: &str| -> String {
        if cell.starts_with(['=', '+', '-', '@']) {
            format!("'{cell}")
        } else {
            cell.to_string()
        }
    };
    let expected: Vec<Vec<String>> = ids
        .iter()
        .zip(stored)
        .map(|(id, (first, last, email, phone))| {
            vec![
                id.to_string(),
                quoted(first),
                quoted(last),
                quoted(email.unwrap_or("")),
                quoted(phone.unwrap_or("")),
            ]
        })
        .collect();

    // Act
    let a = export(&s, &s.admin, p, g).await;

    // Assert
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let (header, records) = parse(&a.text);
    assert_eq!(header, HEADER);
    let without_added_at: Vec<Vec<String>> = records.iter().map(|r| r[..5].to_vec()).collect();
    assert_eq!(without_added_at, expected);
    for r in &records {
        assert_eq!(r.len(), 6, "{r:?}");
        assert!(
            common::is_utc_timestamp(&json!(r[5])),
            "added_at {:?}",
            r[5]
        );
    }
    // The cells that do not start with a formula character are untouched.
    assert_eq!(records[6][2], "a=b");
    assert_eq!(records[6][4], "12-34");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cells_starting_with_a_tab_or_carriage_return_get_a_quote() {
    // Arrange: the API trims names, so plant the values in the file.
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Planted").await;
    let c = s.customer(&s.admin, p, "Tab", "Return", None).await;
    assert_eq!(s.add_member(&s.admin, p, g, c).await.status, StatusCode::OK);
    s.db()
        .execute(
            "UPDATE customers SET first_name = char(9) || '=1+1', last_name = char(13) || 'x' WHERE id = ?1",
            [c],
        )
        .unwrap();

    // Act
    let a = export(&s, &s.admin, p, g).await;

    // Assert
    let (_, records) = parse(&a.text);
    assert_eq!(records.len(), 1, "{}", a.text);
    assert_eq!(records[0][1], "'\t=1+1");
    assert_eq!(records[0][2], "'\rx");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_lists_members_in_customer_id_order_and_only_this_groups() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Mine").await;
    let other = s.group(&s.admin, p, "Other").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(s.customer(&s.admin, p, "C", &format!("{i}"), None).await);
    }
    for i in [3, 0, 4, 1] {
        assert_eq!(
            s.add_member(&s.admin, p, g, ids[i]).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        s.add_member(&s.admin, p, other, ids[2]).await.status,
        StatusCode::OK
    );

    // Act
    let a = export(&s, &s.admin, p, g).await;

    // Assert
    let (_, records) = parse(&a.text);
    let exported: Vec<i64> = records.iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(exported, vec![ids[0], ids[1], ids[3], ids[4]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_export_of_3000_members_is_complete() {
    // Arrange: 3,000 customers through the import, members through batches.
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Everyone").await;
    let mut file = String::from("first_name,last_name,email\n");
    for i in 0..3000 {
        file.push_str(&format!("First{i},Last{i},m{i}@example.com\n"));
    }
    let a = import(&s, &s.admin, p, "", Some("text/csv"), file).await;
    assert_eq!(ok_data(&a)["created"], 3000);
    let listed = customers(&s, p).await;
    let ids: Vec<i64> = listed.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 3000);
    for chunk in ids.chunks(1000) {
        let a = s
            .post(
                &format!("/partners/{p}/groups/{g}/customers/batch"),
                &s.admin,
                json!({ "add": chunk }),
            )
            .await;
        assert_eq!(ok_data(&a)["added"], 1000);
    }

    // Act
    let a = export(&s, &s.admin, p, g).await;

    // Assert: every member once, in id order, with its own fields.
    assert_eq!(a.status, StatusCode::OK);
    let (header, records) = parse(&a.text);
    assert_eq!(header, HEADER);
    assert_eq!(records.len(), 3000);
    let exported: Vec<i64> = records.iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(exported, ids);
    for (r, c) in records.iter().zip(&listed) {
        assert_eq!(r[1], c["first_name"].as_str().unwrap());
        assert_eq!(r[2], c["last_name"].as_str().unwrap());
        assert_eq!(r[3], c["email"].as_str().unwrap());
    }
    assert_eq!(a.text.matches("id,first_name").count(), 1, "one header row");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_needs_groups_read_and_the_groups_own_partner() {
    // Arrange
    let s = TestServer::start().await;
    let a_ = s.partner("A").await;
    let b = s.partner("B").await;
    let g = s.group(&s.admin, a_, "A's").await;
    let gb = s.group(&s.admin, b, "B's").await;
    let cb = s.customer(&s.admin, b, "Secret", "Member", None).await;
    assert_eq!(
        s.add_member(&s.admin, b, gb, cb).await.status,
        StatusCode::OK
    );
    let (_, without) = s
        .user("no-read@test.local", &all_but("groups.read"), &[a_])
        .await;
    let (_, reader) = s.user("reader@test.local", &["groups.read"], &[a_]).await;

    // Act
    let refused = export(&s, &without, a_, g).await;
    let allowed = export(&s, &reader, a_, g).await;
    let cross = export(&s, &s.admin, a_, gb).await;
    let no_access = export(&s, &reader, b, gb).await;
    let unknown = export(&s, &s.admin, a_, 999_999).await;

    // Assert
    expect_forbidden(&refused, "without groups.read");
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.text);
    expect_not_found(&cross, "B's group under A");
    assert!(!cross.text.contains("Secret"));
    expect_forbidden(&no_access, "no access to B");
    expect_not_found(&unknown, "no such group");
}

// --- Import: formats ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_with_semicolons_creates_the_customers() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let file = "first_name;last_name;email;phone\n\
                Anna;Berger;anna.berger@example.com;+43 660 1234567\n\
                Clara;\"Müller, Jr.\";clara@example.com;\n\
                David;Novak;;\n";

    // Act
    let a = import(&s, &s.admin, p, "", Some("text/csv"), file).await;

    // Assert
    assert_eq!(
        ok_data(&a),
        &json!({"created": 3, "matched": 0, "added_to_group": 0, "dry_run": false})
    );
    let got: Vec<(Value, Value, Value, Value)> = customers(&s, p)
        .await
        .into_iter()
        .map(|c| {
            (
                c["first_name"].clone(),
                c["last_name"].clone(),
                c["email"].clone(),
                c["phone"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                json!("Anna"),
                json!("Berger"),
                json!("anna.berger@example.com"),
                json!("+43 660 1234567")
            ),
            (
                json!("Clara"),
                json!("Müller, Jr."),
                json!("clara@example.com"),
                Value::Null
            ),
            (json!("David"), json!("Novak"), Value::Null, Value::Null),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_with_a_byte_order_mark_and_crlf_lines_reads_the_first_column() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(
        "first_name,last_name,email\r\nÖzlem,Yılmaz,oz@example.com\r\n".as_bytes(),
    );

    // Act
    let a = import(&s, &s.admin, p, "", Some("text/csv; charset=utf-8"), file).await;

    // Assert
    assert_eq!(ok_data(&a)["created"], 1);
    let c = &customers(&s, p).await[0];
    assert_eq!(c["first_name"], "Özlem");
    assert_eq!(c["last_name"], "Yılmaz");
    assert_eq!(c["email"], "oz@example.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_reads_columns_in_any_order() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let file = "phone,email,last_name,first_name\n+1 555,eve@example.com,Adams,Eve\n,,Brown,Bob\n";

    // Act
    let a = import(&s, &s.admin, p, "", Some("text/csv"), file).await;

    // Assert
    assert_eq!(ok_data(&a)["created"], 2);
    let all = customers(&s, p).await;
    assert_eq!(
        (
            &all[0]["first_name"],
            &all[0]["last_name"],
            &all[0]["email"],
            &all[0]["phone"]
        ),
        (
            &json!("Eve"),
            &json!("Adams"),
            &json!("eve@example.com"),
            &json!("+1 555")
        )
    );
    assert_eq!(
        (
            &all[1]["first_name"],
            &all[1]["last_name"],
            &all[1]["email"],
            &all[1]["phone"]
        ),
        (&json!("Bob"), &json!("Brown"), &Value::Null, &Value::Null)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_without_email_and_phone_columns_is_fine() {
    // Arrange
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    // Act
    let a = import(
        &s,
        &s.admin,
        p,
        "",
        Some("text/csv"),
        "last_name,first_name\nX,Y\n",
    )
    .await;

    // Assert
    assert_eq!(ok_data(&a)["created"], 1);
    let c = &customers(&s, p).await[0];
    assert_eq!(
        (&c["first_name"], &c["last_name"]),
        (&json!("Y"), &json!("X"))
    );
}

// --- Import: matching and all-or-nothing ---

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

// --- Import: into a group ---

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

// --- Import: refusals of the file itself ---

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
