//! What adding a member refuses.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_without_a_customer_id_is_422() {
    let w = world().await;
    let required = customer_id_error("The customer id field is required.");

    let a = w.s.post(&w.members(), &w.s.admin, json!({})).await;
    let b =
        w.s.post(&w.members(), &w.s.admin, json!({"customer_id": null}))
            .await;
    let empty =
        w.s.call(reqwest::Method::POST, &w.members(), Some(&w.s.admin), None)
            .await;

    expect(&a, StatusCode::UNPROCESSABLE_ENTITY, required.clone(), "{}");
    expect(
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        required.clone(),
        "null",
    );
    expect(
        &empty,
        StatusCode::UNPROCESSABLE_ENTITY,
        required,
        "no body",
    );
    assert_eq!(w.count(w.g).await, 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_with_a_customer_id_that_is_not_an_integer_is_422() {
    let w = world().await;

    for bad in [
        json!("abc"),
        json!(1.5),
        json!(true),
        json!([w.anna]),
        json!({"id": w.anna}),
        json!(18_446_744_073_709_551_615u64),
    ] {
        let a =
            w.s.post(&w.members(), &w.s.admin, json!({"customer_id": bad}))
                .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            a.text
        );
        assert_eq!(
            a.body["errors"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["customer_id"],
            "{bad}"
        );
        assert_eq!(
            a.body["errors"]["customer_id"][0], a.body["message"],
            "{bad}"
        );
        assert!(a.body["message"].as_str().unwrap().contains("customer id"));
    }
    let a =
        w.s.post(&w.members(), &w.s.admin, json!({"customer_id": "abc"}))
            .await;
    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        customer_id_error("The customer id field must be an integer."),
        "a string",
    );
    assert_eq!(w.count(w.g).await, 0);
    assert_eq!(w.rows(w.g), 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_an_unknown_or_non_positive_customer_id_is_422() {
    let w = world().await;
    let invalid = customer_id_error("The selected customer id is invalid.");

    for bad in [json!(999_999), json!(0), json!(-1)] {
        let a =
            w.s.post(&w.members(), &w.s.admin, json!({"customer_id": bad}))
                .await;
        expect(
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            invalid.clone(),
            &bad.to_string(),
        );
    }
    assert_eq!(w.count(w.g).await, 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_another_partners_customer_is_422_and_changes_nothing() {
    let w = world().await;

    let a = w.add(w.foreign).await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        customer_id_error("The selected customer id is invalid."),
        "foreign customer",
    );
    assert_eq!(w.count(w.g).await, 0);
    assert_eq!(w.rows(w.g), 0);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_with_an_unknown_field_is_422_under_that_field() {
    let w = world().await;

    let a =
        w.s.post(
            &w.members(),
            &w.s.admin,
            json!({"customer_id": w.anna, "role": "captain"}),
        )
        .await;

    let message = "The role field is prohibited.";
    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": message, "errors": {"role": [message]}}),
        "unknown field",
    );
    assert_eq!(w.count(w.g).await, 0);
    w.s.stop().await;
}
