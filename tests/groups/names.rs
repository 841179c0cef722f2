//! Names and descriptions.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_names_are_trimmed_on_create_and_update() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .post(
            &format!("/partners/{}/groups", w.p),
            &s.admin,
            json!({"name": "  Padded \t"}),
        )
        .await;
    let b = s
        .put(
            &group_path(w.p, w.g),
            &s.admin,
            json!({"name": "  Spaced  "}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "Padded");
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    assert_eq!(b.body["data"]["name"], "Spaced");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_group_whose_name_the_partner_has_in_another_case_is_422() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .post(
            &format!("/partners/{}/groups", w.p),
            &s.admin,
            json!({"name": " JUNIORS "}),
        )
        .await;
    let list = s.get(&format!("/partners/{}/groups", w.p), &s.admin).await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name has already been taken."),
        "duplicate name",
    );
    assert_eq!(list.body["meta"]["total"], 1);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_ascii_names_are_unique_ignoring_case() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    s.group(&s.admin, p, "Überfit").await;

    let a = s
        .post(
            &format!("/partners/{p}/groups"),
            &s.admin,
            json!({"name": "überFIT"}),
        )
        .await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name has already been taken."),
        "duplicate non-ASCII name",
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_group_to_another_groups_name_in_another_case_is_422_and_changes_nothing() {
    let w = world().await;
    let s = &w.s;
    let other = s.group(&s.admin, w.p, "Adults").await;
    let before = s.get(&group_path(w.p, other), &s.admin).await;

    let a = s
        .put(
            &group_path(w.p, other),
            &s.admin,
            json!({"name": "juniors"}),
        )
        .await;
    let after = s.get(&group_path(w.p, other), &s.admin).await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name has already been taken."),
        "rename to a taken name",
    );
    assert_eq!(after.body, before.body);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_group_to_its_own_name_in_another_case_is_allowed() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .put(&group_path(w.p, w.g), &s.admin, json!({"name": "JUNIORS"}))
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "JUNIORS");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_group_name_is_allowed_in_another_partner() {
    let w = world().await;
    let s = &w.s;

    let a = s
        .post(
            &format!("/partners/{}/groups", w.p2),
            &s.admin,
            json!({"name": "Juniors"}),
        )
        .await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["name"], "Juniors");
    assert_eq!(a.body["data"]["partner_id"], w.p2);
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_of_255_characters_is_accepted_and_256_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");

    let ok = s
        .post(&path, &s.admin, json!({"name": "a".repeat(255)}))
        .await;
    let wide = s
        .post(&path, &s.admin, json!({"name": "ü".repeat(255)}))
        .await;
    let long = s
        .post(&path, &s.admin, json!({"name": "b".repeat(256)}))
        .await;
    let padded = s
        .post(
            &path,
            &s.admin,
            json!({"name": format!("  {}  ", "c".repeat(255))}),
        )
        .await;

    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.body["data"]["name"], "a".repeat(255));
    assert_eq!(wide.status, StatusCode::OK, "{}", wide.text);
    assert_eq!(wide.body["data"]["name"], "ü".repeat(255));
    expect(
        &long,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name field must not be greater than 255 characters."),
        "256 characters",
    );
    assert_eq!(padded.status, StatusCode::OK, "{}", padded.text);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_description_of_2000_characters_is_accepted_and_2001_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");

    let ok = s
        .post(
            &path,
            &s.admin,
            json!({"name": "One", "description": "é".repeat(2000)}),
        )
        .await;
    let long = s
        .post(
            &path,
            &s.admin,
            json!({"name": "Two", "description": "d".repeat(2001)}),
        )
        .await;
    let g = ok.body["data"]["id"].as_i64().unwrap_or(0);
    let long_put = s
        .put(
            &group_path(p, g),
            &s.admin,
            json!({"description": "d".repeat(2001)}),
        )
        .await;

    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert_eq!(ok.body["data"]["description"], "é".repeat(2000));
    let message = "The description field must not be greater than 2000 characters.";
    let error = json!({"message": message, "errors": {"description": [message]}});
    expect(
        &long,
        StatusCode::UNPROCESSABLE_ENTITY,
        error.clone(),
        "POST",
    );
    expect(&long_put, StatusCode::UNPROCESSABLE_ENTITY, error, "PUT");
    let list = s.get(&path, &s.admin).await;
    assert_eq!(list.body["meta"]["total"], 1);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_group_without_a_name_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");
    let required = name_error("The name field is required.");

    for body in [
        json!({}),
        json!({"name": null}),
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"description": "no name"}),
    ] {
        let a = s.post(&path, &s.admin, body.clone()).await;
        expect(
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            required.clone(),
            &body.to_string(),
        );
    }
    let list = s.get(&path, &s.admin).await;
    assert_eq!(list.body["meta"]["total"], 0);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_or_description_that_is_not_a_string_is_422() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let path = format!("/partners/{p}/groups");

    let a = s.post(&path, &s.admin, json!({"name": 42})).await;
    let b = s
        .post(&path, &s.admin, json!({"name": "Ok", "description": ["x"]}))
        .await;

    expect(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        name_error("The name field must be a string."),
        "numeric name",
    );
    let message = "The description field must be a string.";
    expect(
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": message, "errors": {"description": [message]}}),
        "array description",
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_field_is_422_under_its_own_name_on_create_and_update() {
    let w = world().await;
    let s = &w.s;
    let message = "The color field is prohibited.";
    let error = json!({"message": message, "errors": {"color": [message]}});

    let a = s
        .post(
            &format!("/partners/{}/groups", w.p),
            &s.admin,
            json!({"name": "New", "color": "red"}),
        )
        .await;
    let b = s
        .put(
            &group_path(w.p, w.g),
            &s.admin,
            json!({"name": "Renamed", "color": "red"}),
        )
        .await;
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;

    expect(&a, StatusCode::UNPROCESSABLE_ENTITY, error.clone(), "POST");
    expect(&b, StatusCode::UNPROCESSABLE_ENTITY, error, "PUT");
    assert_eq!(after.body["data"]["name"], "Juniors");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_with_a_null_or_blank_name_is_422_and_changes_nothing() {
    let w = world().await;
    let s = &w.s;
    let before = s.get(&group_path(w.p, w.g), &s.admin).await;

    for body in [
        json!({"name": null}),
        json!({"name": ""}),
        json!({"name": "  ", "description": "x"}),
    ] {
        let a = s.put(&group_path(w.p, w.g), &s.admin, body.clone()).await;
        expect(
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            name_error("The name field is required."),
            &body.to_string(),
        );
    }
    let after = s.get(&group_path(w.p, w.g), &s.admin).await;
    assert_eq!(after.body, before.body);
    w.s.stop().await;
}
