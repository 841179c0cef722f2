//! Every error is JSON.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_answer_is_json_with_a_message() {
    let w = world().await;
    let s = &w.s;
    let (p, g) = (w.p, w.g);
    let (_, reader) = s.user("reader@example.com", &["groups.read"], &[p]).await;
    let etag_stale = "\"stale\"";
    let mut answers: Vec<(String, Answer)> = Vec::new();

    answers.push((
        "400".into(),
        raw(
            s,
            Method::POST,
            &format!("/partners/{p}/groups"),
            Some(&w.user),
            Some("application/json"),
            "{",
        )
        .await,
    ));
    answers.push((
        "401".into(),
        s.call(Method::GET, &format!("/partners/{p}/groups"), None, None)
            .await,
    ));
    answers.push((
        "401 login".into(),
        s.call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"email": "nobody@example.com", "password": "wrong-password"})),
        )
        .await,
    ));
    answers.push((
        "403".into(),
        s.post(
            &format!("/partners/{p}/groups"),
            &reader,
            json!({"name": "x"}),
        )
        .await,
    ));
    answers.push((
        "404".into(),
        s.get(&format!("/partners/{p}/groups/999999"), &s.admin)
            .await,
    ));
    answers.push((
        "404 root".into(),
        send(s.client.get(format!("{}/definitely-not-here", s.url))).await,
    ));
    answers.push((
        "405".into(),
        s.call(Method::PATCH, &format!("/partners/{p}/groups"), None, None)
            .await,
    ));
    answers.push((
        "412".into(),
        send(
            s.client
                .put(s.api(&format!("/partners/{p}/groups/{g}")))
                .bearer_auth(&s.admin)
                .header("if-match", etag_stale)
                .json(&json!({"name": "x"})),
        )
        .await,
    ));
    answers.push((
        "413".into(),
        raw(
            s,
            Method::POST,
            &format!("/partners/{p}/groups"),
            Some(&w.user),
            Some("application/json"),
            "x".repeat(70 * 1024),
        )
        .await,
    ));
    answers.push((
        "415".into(),
        raw(
            s,
            Method::POST,
            &format!("/partners/{p}/groups"),
            Some(&w.user),
            Some("text/plain"),
            "{}",
        )
        .await,
    ));
    answers.push((
        "422".into(),
        s.post(&format!("/partners/{p}/groups"), &w.user, json!({}))
            .await,
    ));
    answers.push((
        "422 query".into(),
        s.get(&format!("/partners/{p}/groups?page=0"), &w.user)
            .await,
    ));
    answers.push((
        "409".into(),
        s.delete(&format!("/partners/{p}"), &s.admin).await,
    ));

    let expected = [
        ("400", 400),
        ("401", 401),
        ("401 login", 401),
        ("403", 403),
        ("404", 404),
        ("404 root", 404),
        ("405", 405),
        ("412", 412),
        ("413", 413),
        ("415", 415),
        ("422", 422),
        ("422 query", 422),
        ("409", 409),
    ];
    for ((what, a), (name, status)) in answers.iter().zip(expected) {
        assert_eq!(what, name);
        assert_eq!(a.status.as_u16(), status, "{what}: {}", a.text);
        assert_json_error(a, what);
        if status == 422 {
            assert!(a.body["errors"].is_object(), "{what}: {}", a.text);
            let first = a.body["errors"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap()[0]
                .clone();
            assert_eq!(a.body["message"], first, "{what}");
        }
    }
    w.s.stop().await;
}
