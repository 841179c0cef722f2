//! The OpenAPI document tells the truth about every route: a representative
//! set of requests per route of the route table (valid, without a token,
//! without the permission, unknown ids, malformed, wrong media type,
//! unknown fields, bad query, stale `If-Match`, another method, the login
//! throttle) is sent to the live server, and each answer's status, its
//! headers that carry meaning and its content type must be declared for
//! that route in `/api/openapi.json`, and every header the document says
//! is required must be there.

mod common;

use common::{Answer, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use venue_groups::api::routes::{Guard, Route, Verb, ROUTES};

/// Response headers whose presence a client relies on.
const MEANINGFUL: [&str; 6] = [
    "etag",
    "location",
    "retry-after",
    "www-authenticate",
    "allow",
    "content-disposition",
];

/// Follows a local `$ref` in the document.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .trim_start_matches("#/")
            .split('/')
            .fold(doc, |node, key| &node[key]),
        None => v,
    }
}

struct Check<'a> {
    doc: &'a Value,
    problems: Vec<String>,
    answers: usize,
}

impl Check<'_> {
    /// Checks one answer against what the document declares for the
    /// operation `method path`.
    fn answer(&mut self, method: &str, path: &str, what: &str, a: &Answer) {
        self.answers += 1;
        let op = &self.doc["paths"][path][method.to_ascii_lowercase()];
        let at = format!("{method} {path} ({what}) answered {}", a.status.as_u16());
        if !op.is_object() {
            self.problems.push(format!("{at}: no such operation"));
            return;
        }
        let declared = &op["responses"][a.status.as_str()];
        if !declared.is_object() {
            self.problems
                .push(format!("{at}: status not declared: {}", a.text));
            return;
        }
        let response = resolve(self.doc, declared);
        let headers = response["headers"].as_object().cloned().unwrap_or_default();
        for name in MEANINGFUL {
            let sent = a.headers.contains_key(name);
            let entry = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| resolve(self.doc, v));
            match entry {
                None if sent => self
                    .problems
                    .push(format!("{at}: header {name} sent but not declared")),
                Some(h) if !sent && h["required"] == true => self
                    .problems
                    .push(format!("{at}: required header {name} not sent")),
                _ => {}
            }
        }
        let content_type = a
            .header("content-type")
            .and_then(|t| t.split(';').next())
            .unwrap_or("")
            .to_string();
        if response["content"].get(&content_type).is_none() {
            self.problems
                .push(format!("{at}: content type {content_type:?} not declared"));
        }
    }
}

/// The route's path with the fixture's ids (or `missing` for every id).
fn concrete(route: &Route, ids: [i64; 4]) -> String {
    route
        .path
        .replace("{partner_id}", &ids[0].to_string())
        .replace("{group_id}", &ids[1].to_string())
        .replace("{customer_id}", &ids[2].to_string())
        .replace("{user_id}", &ids[3].to_string())
}

fn method(verb: Verb) -> Method {
    Method::from_bytes(verb.as_str().as_bytes()).unwrap()
}

/// Sends one request to a root-relative path.
async fn send(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut req = s.client.request(method, format!("{}{path}", s.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some((content_type, bytes)) = body {
        req = req.header("content-type", content_type).body(bytes);
    }
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    common::send(req).await
}

/// The request body the document gives as the route's example.
fn example_body(doc: &Value, route: &Route) -> Option<(&'static str, Vec<u8>)> {
    route.body?;
    let op = &doc["paths"][route.path][route.method.as_str().to_ascii_lowercase()];
    let content = &op["requestBody"]["content"];
    if let Some(csv) = content["text/csv"]["example"].as_str() {
        return Some(("text/csv", csv.as_bytes().to_vec()));
    }
    let example = &content["application/json"]["example"];
    Some(("application/json", serde_json::to_vec(example).unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_status_and_header_the_server_sends_is_declared_for_its_route() {
    // Arrange: a venue with a group, a customer in it, and a staff user
    // with access to the venue but no permissions.
    let s = TestServer::start().await;
    let doc = s
        .client
        .get(format!("{}/api/openapi.json", s.url))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let t = s.admin.clone();
    let p = s.partner("Sporthalle Nord").await;
    let g = s.group(&t, p, "Members").await;
    let c = s
        .customer(&t, p, "Anna", "Berger", Some("anna.berger@example.com"))
        .await;
    assert_eq!(s.add_member(&t, p, g, c).await.status, StatusCode::OK);
    let (_, staff) = s.user("lena.schmidt@example.com", &[], &[p]).await;
    // The user routes change this one, so the staff user keeps no
    // permissions.
    let (u, _) = s.user("jonas.huber@example.com", &[], &[p]).await;
    let ids = [p, g, c, u];
    let missing = [p, 999_999, 999_999, 999_999];
    let mut check = Check {
        doc: &doc,
        problems: Vec::new(),
        answers: 0,
    };

    // Act and assert, route by route; deletes last so the fixture lives.
    let mut routes: Vec<&Route> = ROUTES.iter().collect();
    routes.sort_by_key(|r| r.method == Verb::Delete);
    let mut ok = 0;
    for route in routes {
        let m = route.method.as_str();
        let path = concrete(route, ids);
        let body = example_body(&doc, route);
        let json_body = |b: Value| Some(("application/json", serde_json::to_vec(&b).unwrap()));

        // Logging out revokes the token used: it gets a token of its own,
        // and the variants below would each need one too.
        if route.name == "Logout" {
            let own = s.login(common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
            let a = send(
                &s,
                method(route.method),
                &path,
                Some(&own),
                body.clone(),
                &[],
            )
            .await;
            check.answer(m, route.path, "valid, as admin", &a);
            let a = send(&s, method(route.method), &path, None, body.clone(), &[]).await;
            check.answer(m, route.path, "no token", &a);
            continue;
        }

        let a = send(&s, method(route.method), &path, Some(&t), body.clone(), &[]).await;
        check.answer(m, route.path, "valid, as admin", &a);
        ok += usize::from(a.status == StatusCode::OK);

        if route.guard != Guard::Public {
            let a = send(&s, method(route.method), &path, None, body.clone(), &[]).await;
            check.answer(m, route.path, "no token", &a);
            let a = send(
                &s,
                method(route.method),
                &path,
                Some(&staff),
                body.clone(),
                &[],
            )
            .await;
            check.answer(m, route.path, "no permission", &a);
            if matches!(route.guard, Guard::Partner(_) | Guard::Admin) {
                assert_eq!(a.status, StatusCode::FORBIDDEN, "{m} {path}: {}", a.text);
            }
        }
        if route.path.contains('{') {
            let gone = concrete(route, missing);
            let a = send(&s, method(route.method), &gone, Some(&t), body.clone(), &[]).await;
            check.answer(m, route.path, "unknown ids", &a);
        }
        if let Some((content_type, _)) = &body {
            let a = send(
                &s,
                method(route.method),
                &path,
                Some(&t),
                Some((content_type, b"{\"a\":".to_vec())),
                &[],
            )
            .await;
            check.answer(m, route.path, "malformed", &a);
            let a = send(
                &s,
                method(route.method),
                &path,
                Some(&t),
                Some(("application/xml", b"<a/>".to_vec())),
                &[],
            )
            .await;
            check.answer(m, route.path, "wrong media type", &a);
            let a = send(
                &s,
                method(route.method),
                &path,
                Some(&t),
                json_body(json!({"nickname": "Anni"})),
                &[],
            )
            .await;
            check.answer(m, route.path, "unknown field", &a);
            let big = vec![b' '; 6 * 1024 * 1024];
            let a = send(
                &s,
                method(route.method),
                &path,
                Some(&t),
                Some((content_type, big)),
                &[],
            )
            .await;
            check.answer(m, route.path, "too large", &a);
        }
        let a = send(
            &s,
            method(route.method),
            &format!("{path}?page=0&per_page=x&group_id=x&dry_run=x&subject_id=x"),
            Some(&t),
            body.clone(),
            &[],
        )
        .await;
        check.answer(m, route.path, "bad query", &a);
        let a = send(
            &s,
            method(route.method),
            &path,
            Some(&t),
            body.clone(),
            &[("if-match", "\"stale\"")],
        )
        .await;
        check.answer(m, route.path, "stale If-Match", &a);

        // Another method on the same path: 405 with Allow, which every
        // operation of the path declares.
        let other = [Verb::Get, Verb::Post, Verb::Put, Verb::Patch, Verb::Delete]
            .into_iter()
            .find(|v| {
                !ROUTES
                    .iter()
                    .any(|r| r.path == route.path && r.method == *v)
            });
        if let Some(other) = other {
            let a = send(&s, method(other), &path, Some(&t), None, &[]).await;
            assert_eq!(
                a.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{} {path}",
                other.as_str()
            );
            check.answer(m, route.path, "another method", &a);
        }
    }

    // The login throttle: the sixth failed attempt is 429 with Retry-After.
    let login = "/api/internal/v1/auth/login";
    for _ in 0..6 {
        let body = json!({"email": "lena.schmidt@example.com", "password": "not-the-password"});
        let a = send(
            &s,
            Method::POST,
            login,
            None,
            Some(("application/json", serde_json::to_vec(&body).unwrap())),
            &[],
        )
        .await;
        check.answer("POST", login, "failed login", &a);
    }
    assert!(
        check.answers > 200,
        "only {} answers checked",
        check.answers
    );
    // Most examples work as given on the fixture (the rest name ids it
    // does not have): the valid requests were really let in.
    assert!(ok >= 20, "only {ok} valid requests answered 200");
    assert!(
        check.problems.is_empty(),
        "{} undeclared:\n{}",
        check.problems.len(),
        check.problems.join("\n")
    );
    s.stop().await;
}
