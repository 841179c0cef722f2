//! A partner's customers: `/partners/:partner_id/customers...`. CRUD,
//! validation of every field, partial updates, and who may call them.

mod common;

use common::{
    all_but, expect, expect_forbidden, expect_not_found, expect_unauthenticated, expired_token,
    is_utc_timestamp, revoked_token, Answer, TestServer, ALL, PASSWORD,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn customers(p: i64) -> String {
    format!("/partners/{p}/customers")
}

fn customer(p: i64, c: i64) -> String {
    format!("/partners/{p}/customers/{c}")
}

/// A 422 with one message on one field.
fn field_error(field: &str, message: &str) -> Value {
    json!({"message": message, "errors": {field: [message]}})
}

async fn create(s: &TestServer, p: i64, body: Value) -> Answer {
    s.post(&customers(p), &s.admin, body).await
}

/// Two partners with a customer each.
struct World {
    s: TestServer,
    p: i64,
    c: i64,
    p2: i64,
    c2: i64,
}

async fn world() -> World {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let p2 = s.partner("Pool").await;
    let c = s
        .customer(&s.admin, p, "Anna", "Berger", Some("anna@example.com"))
        .await;
    let c2 = s
        .customer(&s.admin, p2, "Bert", "Huber", Some("bert@example.com"))
        .await;
    World { s, p, c, p2, c2 }
}

/// The five customer endpoints, as requests that succeed for someone
/// allowed to make them (in this order; the delete comes last).
fn endpoints(p: i64, c: i64) -> Vec<(&'static str, Method, String, Option<Value>, &'static str)> {
    vec![
        (
            "list customers",
            Method::GET,
            customers(p),
            None,
            "customers.read",
        ),
        (
            "create customer",
            Method::POST,
            customers(p),
            Some(json!({"first_name": "New", "last_name": "Person"})),
            "customers.create",
        ),
        (
            "show customer",
            Method::GET,
            customer(p, c),
            None,
            "customers.read",
        ),
        (
            "update customer",
            Method::PUT,
            customer(p, c),
            Some(json!({"phone": "+43 1 234"})),
            "customers.update",
        ),
        (
            "delete customer",
            Method::DELETE,
            customer(p, c),
            None,
            "customers.delete",
        ),
    ]
}

// --- CRUD -------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_customer_answers_200_with_every_field_and_a_location() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    let a = create(
        &s,
        p,
        json!({"first_name": "Anna", "last_name": "Berger",
               "email": "anna@example.com", "phone": "+43 660 1234567"}),
    )
    .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let d = &a.body["data"];
    let id = d["id"].as_i64().expect("an integer id");
    assert!(is_utc_timestamp(&d["created_at"]), "{}", d["created_at"]);
    assert_eq!(
        a.body,
        json!({"data": {
            "id": id,
            "partner_id": p,
            "first_name": "Anna",
            "last_name": "Berger",
            "email": "anna@example.com",
            "phone": "+43 660 1234567",
            "created_at": d["created_at"],
            "updated_at": d["created_at"],
        }})
    );
    assert_eq!(
        a.header("location"),
        Some(format!("/api/internal/v1/partners/{p}/customers/{id}").as_str())
    );
    let shown = s.get(&customer(p, id), &s.admin).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body, a.body);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_without_email_or_phone_has_them_null() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;

    let a = create(&s, p, json!({"first_name": "Anna", "last_name": "Berger"})).await;
    let b = create(
        &s,
        p,
        json!({"first_name": "Bert", "last_name": "Huber", "email": null, "phone": null}),
    )
    .await;
    let c = create(
        &s,
        p,
        json!({"first_name": "Carla", "last_name": "Zimmer", "email": "", "phone": "  "}),
    )
    .await;

    for (x, what) in [(&a, "absent"), (&b, "null"), (&c, "blank")] {
        assert_eq!(x.status, StatusCode::OK, "{what}: {}", x.text);
        assert_eq!(x.body["data"]["email"], Value::Null, "{what}");
        assert_eq!(x.body["data"]["phone"], Value::Null, "{what}");
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_customers_answers_the_partners_customers_only_in_id_order() {
    let w = world().await;
    let second = w.s.customer(&w.s.admin, w.p, "Aaron", "Zed", None).await;
    let first = w.s.get(&customer(w.p, w.c), &w.s.admin).await;

    let a = w.s.get(&customers(w.p), &w.s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let data = a.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0], first.body["data"]);
    assert_eq!(data[1]["id"], second);
    assert_eq!(a.body["meta"]["total"], 2);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searching_customers_matches_names_and_email_ignoring_case() {
    let w = world().await;
    let s = &w.s;
    let b = s
        .customer(&s.admin, w.p, "Bert", "Huber", Some("B.H@Mail.Example"))
        .await;
    let ids = |a: &Answer| -> Vec<i64> {
        a.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };

    let by_first = s
        .get(&format!("{}?search=ANNA", customers(w.p)), &s.admin)
        .await;
    let by_last = s
        .get(&format!("{}?search=hub", customers(w.p)), &s.admin)
        .await;
    let by_email = s
        .get(&format!("{}?search=mail.EXAMPLE", customers(w.p)), &s.admin)
        .await;
    let none = s
        .get(&format!("{}?search=zzz", customers(w.p)), &s.admin)
        .await;
    s.put(&customer(w.p, w.c), &s.admin, json!({"phone": "555-0199"}))
        .await;
    let by_phone = s
        .get(&format!("{}?search=555-0199", customers(w.p)), &s.admin)
        .await;

    assert_eq!(ids(&by_first), vec![w.c]);
    assert_eq!(ids(&by_last), vec![b]);
    assert_eq!(ids(&by_email), vec![b]);
    assert_eq!(ids(&none), Vec::<i64>::new());
    assert_eq!(
        ids(&by_phone),
        Vec::<i64>::new(),
        "the phone is not searched"
    );
    assert_eq!(by_last.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updating_a_customer_answers_its_new_state() {
    let w = world().await;
    let before = w.s.get(&customer(w.p, w.c), &w.s.admin).await;

    let a =
        w.s.put(
            &customer(w.p, w.c),
            &w.s.admin,
            json!({"first_name": "Anne", "last_name": "Bauer",
                   "email": "anne@example.com", "phone": "0043"}),
        )
        .await;
    let after = w.s.get(&customer(w.p, w.c), &w.s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let d = &a.body["data"];
    assert_eq!(
        a.body,
        json!({"data": {
            "id": w.c,
            "partner_id": w.p,
            "first_name": "Anne",
            "last_name": "Bauer",
            "email": "anne@example.com",
            "phone": "0043",
            "created_at": before.body["data"]["created_at"],
            "updated_at": d["updated_at"],
        }})
    );
    assert!(is_utc_timestamp(&d["updated_at"]));
    assert_eq!(after.body, a.body);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_put_changes_nothing() {
    let w = world().await;
    let before = w.s.get(&customer(w.p, w.c), &w.s.admin).await;

    let a = w.s.put(&customer(w.p, w.c), &w.s.admin, json!({})).await;
    let after = w.s.get(&customer(w.p, w.c), &w.s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body, before.body);
    assert_eq!(after.body, before.body);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_changes_only_the_fields_it_is_given() {
    let w = world().await;
    w.s.put(&customer(w.p, w.c), &w.s.admin, json!({"phone": "111"}))
        .await;

    let a =
        w.s.put(
            &customer(w.p, w.c),
            &w.s.admin,
            json!({"last_name": "Bauer"}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let d = &a.body["data"];
    assert_eq!(d["first_name"], "Anna");
    assert_eq!(d["last_name"], "Bauer");
    assert_eq!(d["email"], "anna@example.com");
    assert_eq!(d["phone"], "111");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_with_null_clears_email_and_phone() {
    let w = world().await;
    w.s.put(&customer(w.p, w.c), &w.s.admin, json!({"phone": "111"}))
        .await;

    let a =
        w.s.put(
            &customer(w.p, w.c),
            &w.s.admin,
            json!({"email": null, "phone": null}),
        )
        .await;
    let after = w.s.get(&customer(w.p, w.c), &w.s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["email"], Value::Null);
    assert_eq!(a.body["data"]["phone"], Value::Null);
    assert_eq!(a.body["data"]["first_name"], "Anna");
    assert_eq!(after.body, a.body);
    // The freed email can be used again.
    let again = create(
        &w.s,
        w.p,
        json!({"first_name": "Other", "last_name": "Anna", "email": "anna@example.com"}),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_with_a_null_or_blank_name_is_422_and_changes_nothing() {
    let w = world().await;
    let before = w.s.get(&customer(w.p, w.c), &w.s.admin).await;

    for (field, value) in [
        ("first_name", json!(null)),
        ("first_name", json!("  ")),
        ("last_name", json!(null)),
        ("last_name", json!("")),
    ] {
        let a =
            w.s.put(
                &customer(w.p, w.c),
                &w.s.admin,
                json!({field: value, "phone": "999"}),
            )
            .await;
        let attr = field.replace('_', " ");
        expect(
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            field_error(field, &format!("The {attr} field is required.")),
            &format!("{field}: {value}"),
        );
    }
    let after = w.s.get(&customer(w.p, w.c), &w.s.admin).await;
    assert_eq!(after.body, before.body);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_updates_a_customer_as_put_does() {
    let w = world().await;

    let a =
        w.s.call(
            Method::PATCH,
            &customer(w.p, w.c),
            Some(&w.s.admin),
            Some(json!({"phone": "222"})),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["phone"], "222");
    assert_eq!(a.body["data"]["first_name"], "Anna");
    assert_eq!(a.body["data"]["email"], "anna@example.com");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_customer_answers_it_as_it_was_and_then_it_is_gone() {
    let w = world().await;
    let before = w.s.get(&customer(w.p, w.c), &w.s.admin).await;

    let a = w.s.delete(&customer(w.p, w.c), &w.s.admin).await;
    let after = w.s.get(&customer(w.p, w.c), &w.s.admin).await;
    let again = w.s.delete(&customer(w.p, w.c), &w.s.admin).await;
    let list = w.s.get(&customers(w.p), &w.s.admin).await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body, before.body);
    expect_not_found(&after, "GET after delete");
    expect_not_found(&again, "DELETE twice");
    assert_eq!(list.body["data"], json!([]));
    w.s.stop().await;
}

// --- Validation -------------------------------------------------------------

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

// --- Who may call them ------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_customer_endpoint_succeeds_for_a_user_with_just_its_permission() {
    let w = world().await;
    let mut i = 0;
    for (name, method, path, body, perm) in endpoints(w.p, w.c) {
        i += 1;
        let (_, t) =
            w.s.user(&format!("just{i}@example.com"), &[perm], &[w.p])
                .await;
        let a = w.s.call(method, &path, Some(&t), body).await;
        assert_eq!(a.status, StatusCode::OK, "{name}: {}", a.text);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_customer_endpoint_is_401_without_a_valid_token() {
    let w = world().await;
    let (id, _) = w.s.user("staff@example.com", ALL, &[w.p]).await;
    let expired = expired_token(&w.s, id);
    let revoked = revoked_token(&w.s, "staff@example.com", PASSWORD).await;

    for (name, method, path, body, _) in endpoints(w.p, w.c) {
        for (token, what) in [
            (None, "no token"),
            (Some("garbage"), "garbage"),
            (Some(expired.as_str()), "expired"),
            (Some(revoked.as_str()), "revoked"),
        ] {
            let a = w.s.call(method.clone(), &path, token, body.clone()).await;
            expect_unauthenticated(&a, &format!("{name}, {what}"));
        }
    }
    let still = w.s.get(&customer(w.p, w.c), &w.s.admin).await;
    assert_eq!(still.status, StatusCode::OK);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_customer_endpoint_is_403_without_its_permission() {
    let w = world().await;
    let mut tokens = std::collections::HashMap::new();
    for perm in [
        "customers.read",
        "customers.create",
        "customers.update",
        "customers.delete",
    ] {
        let (_, t) =
            w.s.user(&format!("no-{perm}@example.com"), &all_but(perm), &[w.p])
                .await;
        tokens.insert(perm, t);
    }

    for (name, method, path, body, perm) in endpoints(w.p, w.c) {
        let a = w.s.call(method, &path, Some(&tokens[perm]), body).await;
        expect_forbidden(&a, name);
    }
    let still = w.s.get(&customer(w.p, w.c), &w.s.admin).await;
    assert_eq!(still.body["data"]["phone"], Value::Null);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_customer_endpoint_is_403_without_access_to_the_partner() {
    let w = world().await;
    let (_, t) = w.s.user("elsewhere@example.com", ALL, &[w.p2]).await;
    let (_, neither) =
        w.s.user("neither@example.com", &["groups.read"], &[w.p2])
            .await;

    for (name, method, path, body, _) in endpoints(w.p, w.c) {
        let a =
            w.s.call(method.clone(), &path, Some(&t), body.clone())
                .await;
        expect_forbidden(&a, name);
        let a = w.s.call(method, &path, Some(&neither), body).await;
        expect_forbidden(&a, &format!("{name}, no permission either"));
    }
    let still = w.s.get(&customer(w.p, w.c), &w.s.admin).await;
    assert_eq!(still.status, StatusCode::OK);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_partners_customer_under_this_partner_is_404() {
    let w = world().await;
    let (_, both) = w.s.user("both@example.com", ALL, &[w.p, w.p2]).await;

    for (name, method, path, body, _) in endpoints(w.p, w.c2) {
        if !path.ends_with(&format!("/customers/{}", w.c2)) {
            continue;
        }
        for (token, who) in [(&w.s.admin, "admin"), (&both, "partner user")] {
            let a =
                w.s.call(method.clone(), &path, Some(token), body.clone())
                    .await;
            expect_not_found(&a, &format!("{name} as {who}"));
        }
    }
    let still = w.s.get(&customer(w.p2, w.c2), &w.s.admin).await;
    assert_eq!(still.status, StatusCode::OK);
    assert_eq!(still.body["data"]["phone"], Value::Null);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_customer_is_404_even_with_an_invalid_body() {
    let w = world().await;
    let (_, t) = w.s.user("staff@example.com", ALL, &[w.p]).await;
    let missing = customer(w.p, 999_999);

    for token in [&t, &w.s.admin] {
        expect_not_found(&w.s.get(&missing, token).await, "GET");
        expect_not_found(&w.s.delete(&missing, token).await, "DELETE");
        expect_not_found(
            &w.s.put(&missing, token, json!({"first_name": ""})).await,
            "PUT with a blank name",
        );
        expect_not_found(
            &w.s.put(&missing, token, json!({"nickname": "x"})).await,
            "PUT with an unknown field",
        );
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_partner_is_404_for_an_admin_and_403_for_anyone_else() {
    let w = world().await;
    let (_, t) = w.s.user("staff@example.com", ALL, &[w.p]).await;

    for (name, method, path, body, _) in endpoints(999_999, w.c) {
        let a =
            w.s.call(method.clone(), &path, Some(&w.s.admin), body.clone())
                .await;
        expect_not_found(&a, &format!("{name} as admin"));
        let a = w.s.call(method, &path, Some(&t), body).await;
        expect_forbidden(&a, &format!("{name} as partner user"));
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_body_without_the_permission_is_403_not_422() {
    let w = world().await;
    let (_, t) =
        w.s.user("reader@example.com", &["customers.read"], &[w.p])
            .await;

    let a = w.s.post(&customers(w.p), &t, json!({})).await;
    let b =
        w.s.put(&customer(w.p, w.c), &t, json!({"nickname": "x"}))
            .await;

    expect_forbidden(&a, "POST");
    expect_forbidden(&b, "PUT");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_never_matches_across_two_fields_and_names_are_single_line() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    s.customer(&s.admin, p, "Anna", "Berger", Some("anna@example.com"))
        .await;

    // "annaberger" would be the two names run together; a line break in
    // a search only separates words.
    let a = s
        .get(&format!("/partners/{p}/customers?search=naber"), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["meta"]["total"], 0, "{}", a.text);
    let a = s
        .get(&format!("/partners/{p}/customers?search=a%0Ab"), &s.admin)
        .await;
    assert_eq!(a.body["meta"]["total"], 1, "{}", a.text);
    let a = s
        .get(&format!("/partners/{p}/customers?search=anna"), &s.admin)
        .await;
    assert_eq!(a.body["meta"]["total"], 1, "{}", a.text);

    let a = s
        .post(
            &format!("/partners/{p}/customers"),
            &s.admin,
            json!({"first_name": "Two\nLines", "last_name": "X"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert!(a.body["errors"]["first_name"].is_array(), "{}", a.text);
}
