//! Export.

use super::*;

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
