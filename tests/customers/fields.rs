//! Validation.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_string_field_is_trimmed() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    let a = create(
        &s,
        p,
        json!({"first_name": "  Anna ", "last_name": "\tBerger\n",
               "email": "  anna@example.com  ", "phone": " 123 "}),
    )
    .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let d = &a.body["data"];
    assert_eq!(d["first_name"], "Anna");
    assert_eq!(d["last_name"], "Berger");
    assert_eq!(d["email"], "anna@example.com");
    assert_eq!(d["phone"], "123");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_customer_without_a_first_or_last_name_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    for (field, body) in [
        ("first_name", json!({"last_name": "Berger"})),
        (
            "first_name",
            json!({"first_name": null, "last_name": "Berger"}),
        ),
        (
            "first_name",
            json!({"first_name": "   ", "last_name": "Berger"}),
        ),
        ("last_name", json!({"first_name": "Anna"})),
        ("last_name", json!({"first_name": "Anna", "last_name": ""})),
    ] {
        let a = create(&s, p, body.clone()).await;
        let attr = field.replace('_', " ");
        expect(
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            field_error(field, &format!("The {attr} field is required.")),
            &body.to_string(),
        );
    }
    let both = create(&s, p, json!({})).await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        both.body,
        json!({"message": "The first name field is required.", "errors": {
            "first_name": ["The first name field is required."],
            "last_name": ["The last name field is required."],
        }})
    );
    let list = s.get(&customers(p), &s.admin).await;
    assert_eq!(list.body["meta"]["total"], 0);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_of_255_characters_are_accepted_and_256_are_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    let ok = create(
        &s,
        p,
        json!({"first_name": "a".repeat(255), "last_name": "ß".repeat(255)}),
    )
    .await;
    let first = create(
        &s,
        p,
        json!({"first_name": "a".repeat(256), "last_name": "B"}),
    )
    .await;
    let last = create(
        &s,
        p,
        json!({"first_name": "A", "last_name": "b".repeat(256)}),
    )
    .await;
    let id = ok.body["data"]["id"].as_i64().unwrap_or(0);
    let put = s
        .put(
            &customer(p, id),
            &s.admin,
            json!({"first_name": "x".repeat(256)}),
        )
        .await;

    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.body["data"]["last_name"], "ß".repeat(255));
    expect(
        &first,
        StatusCode::UNPROCESSABLE_ENTITY,
        field_error(
            "first_name",
            "The first name field must not be greater than 255 characters.",
        ),
        "first_name",
    );
    expect(
        &last,
        StatusCode::UNPROCESSABLE_ENTITY,
        field_error(
            "last_name",
            "The last name field must not be greater than 255 characters.",
        ),
        "last_name",
    );
    expect(
        &put,
        StatusCode::UNPROCESSABLE_ENTITY,
        field_error(
            "first_name",
            "The first name field must not be greater than 255 characters.",
        ),
        "PUT first_name",
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_that_is_not_an_address_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let message = "The email field must be a valid email address.";

    for bad in [
        "anna",
        "anna@",
        "@example.com",
        "anna@@example.com",
        "an na@example.com",
        "anna@exa mple.com",
        "anna@example..com",
    ] {
        let a = create(
            &s,
            p,
            json!({"first_name": "Anna", "last_name": "Berger", "email": bad}),
        )
        .await;
        expect(
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            field_error("email", message),
            bad,
        );
    }
    let a = create(
        &s,
        p,
        json!({"first_name": "Anna", "last_name": "Berger", "email": 5}),
    )
    .await;
    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        field_error("email", "The email field must be a string."),
        "numeric email",
    );
    let list = s.get(&customers(p), &s.admin).await;
    assert_eq!(list.body["meta"]["total"], 0);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_taken_in_the_partner_in_any_case_or_padding_is_422() {
    let w = world().await;
    let taken = field_error("email", "The email has already been taken.");

    let a = create(
        &w.s,
        w.p,
        json!({"first_name": "Other", "last_name": "Anna", "email": "  ANNA@Example.COM "}),
    )
    .await;
    let other = w.s.customer(&w.s.admin, w.p, "Carl", "Dorn", None).await;
    let b =
        w.s.put(
            &customer(w.p, other),
            &w.s.admin,
            json!({"email": "Anna@example.com"}),
        )
        .await;
    let unchanged = w.s.get(&customer(w.p, other), &w.s.admin).await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        taken.clone(),
        "create",
    );
    expect(&b, StatusCode::UNPROCESSABLE_ENTITY, taken, "update");
    assert_eq!(unchanged.body["data"]["email"], Value::Null);
    let list = w.s.get(&customers(w.p), &w.s.admin).await;
    assert_eq!(list.body["meta"]["total"], 2);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_email_is_allowed_in_another_partner_and_many_customers_may_have_none() {
    let w = world().await;

    let a = create(
        &w.s,
        w.p2,
        json!({"first_name": "Anna", "last_name": "Elsewhere", "email": "anna@example.com"}),
    )
    .await;
    let b = create(&w.s, w.p, json!({"first_name": "No", "last_name": "Mail"})).await;
    let c = create(
        &w.s,
        w.p,
        json!({"first_name": "Also", "last_name": "None"}),
    )
    .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["partner_id"], w.p2);
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_may_change_its_own_email_to_another_case() {
    let w = world().await;

    let a =
        w.s.put(
            &customer(w.p, w.c),
            &w.s.admin,
            json!({"email": "ANNA@example.com"}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["email"], "ANNA@example.com");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_of_50_characters_is_accepted_and_51_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    let ok = create(
        &s,
        p,
        json!({"first_name": "A", "last_name": "B", "phone": "1".repeat(50)}),
    )
    .await;
    let long = create(
        &s,
        p,
        json!({"first_name": "C", "last_name": "D", "phone": "1".repeat(51)}),
    )
    .await;
    let id = ok.body["data"]["id"].as_i64().unwrap_or(0);
    let long_put = s
        .put(&customer(p, id), &s.admin, json!({"phone": "2".repeat(51)}))
        .await;
    let number = create(
        &s,
        p,
        json!({"first_name": "E", "last_name": "F", "phone": 123}),
    )
    .await;

    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.body["data"]["phone"], "1".repeat(50));
    let error = field_error(
        "phone",
        "The phone field must not be greater than 50 characters.",
    );
    expect(
        &long,
        StatusCode::UNPROCESSABLE_ENTITY,
        error.clone(),
        "POST",
    );
    expect(&long_put, StatusCode::UNPROCESSABLE_ENTITY, error, "PUT");
    expect(
        &number,
        StatusCode::UNPROCESSABLE_ENTITY,
        field_error("phone", "The phone field must be a string."),
        "numeric phone",
    );
    let still = s.get(&customer(p, id), &s.admin).await;
    assert_eq!(still.body["data"]["phone"], "1".repeat(50));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_field_is_422_under_its_own_name() {
    let w = world().await;
    let error = field_error("nickname", "The nickname field is prohibited.");

    let a = create(
        &w.s,
        w.p,
        json!({"first_name": "Anna", "last_name": "Zwei", "nickname": "Annie"}),
    )
    .await;
    let b =
        w.s.put(
            &customer(w.p, w.c),
            &w.s.admin,
            json!({"first_name": "Changed", "nickname": "Annie"}),
        )
        .await;
    let after = w.s.get(&customer(w.p, w.c), &w.s.admin).await;

    expect(&a, StatusCode::UNPROCESSABLE_ENTITY, error.clone(), "POST");
    expect(&b, StatusCode::UNPROCESSABLE_ENTITY, error, "PUT");
    assert_eq!(after.body["data"]["first_name"], "Anna");
    let list = w.s.get(&customers(w.p), &w.s.admin).await;
    assert_eq!(list.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_id_and_id_cannot_be_set_through_the_body() {
    let w = world().await;

    let a = create(
        &w.s,
        w.p,
        json!({"first_name": "Anna", "last_name": "Zwei", "partner_id": w.p2}),
    )
    .await;
    let b =
        w.s.put(&customer(w.p, w.c), &w.s.admin, json!({"id": w.c2}))
            .await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        field_error("partner_id", "The partner id field is prohibited."),
        "partner_id",
    );
    expect(
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        field_error("id", "The id field is prohibited."),
        "id",
    );
    w.s.stop().await;
}
