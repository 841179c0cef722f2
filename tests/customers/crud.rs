//! CRUD.

use super::*;

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
