//! Import: formats.

use super::*;

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
