//! The authorization matrix, generated from the route table
//! (`venue_groups::api::routes::ROUTES`), so a new route cannot be left
//! out: every route is asked with no token, an unknown, expired or revoked
//! token (401 + `WWW-Authenticate: Bearer`), by a user lacking its
//! permission or admin rights (403), by a user with the permission but no
//! access to the partner (403), and by partner A's user on partner B's
//! resources (403 under B's path, 404 for B's ids under A's path). No answer
//! may carry any of partner B's data. A positive control per route shows the
//! holder of exactly the route's permission gets through, so the 403s above
//! are about the permission and nothing else.

mod common;

use common::{
    expect_forbidden, expect_not_found, expect_unauthenticated, expired_token, revoked_token,
    Answer, TestServer, ALL, PASSWORD,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::cell::Cell;
use std::collections::HashMap;
use venue_groups::api::routes::{Guard, Route, ROUTES};

/// Partner B's data: none of it may appear in an answer to anyone but B's
/// own users and the admin.
const B_SECRETS: &[&str] = &[
    "bravo-secret-partner",
    "bravo-secret-group",
    "bravo-secret-description",
    "bravosecretfirst",
    "bravosecretlast",
    "bravo.secret@b.example",
    "+43 999 777 123",
    "bravo.staff@b.example",
    "bravostafffirst",
];

/// The ids a path can name.
#[derive(Debug, Clone, Copy)]
struct Ids {
    partner: i64,
    group: i64,
    customer: i64,
    user: i64,
}

/// The route's path with its parameters filled in.
fn fill(route: &Route, ids: Ids) -> String {
    route
        .path
        .split('/')
        .map(|segment| match segment {
            "{partner_id}" => ids.partner.to_string(),
            "{group_id}" => ids.group.to_string(),
            "{customer_id}" => ids.customer.to_string(),
            "{user_id}" => ids.user.to_string(),
            other if other.starts_with('{') => panic!(
                "tests/authz_matrix.rs: no fixture for the path parameter {other} of {} {}",
                route.method.as_str(),
                route.path
            ),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn has(route: &Route, param: &str) -> bool {
    route.path.contains(param)
}

/// A valid body for the route's schema (so what is measured is the
/// authorization, not the body): its content type and bytes. `ids` are of
/// the path's partner.
fn body_for(route: &Route, n: usize, ids: Ids) -> Option<(&'static str, Vec<u8>)> {
    if route.body? == "CsvImport" {
        let csv = format!("first_name,last_name,email\nImp{n},Orted,imp{n}@a.example\n");
        return Some(("text/csv", csv.into_bytes()));
    }
    json_body_for(route, n, ids).map(|v| ("application/json", v.to_string().into_bytes()))
}

fn json_body_for(route: &Route, n: usize, ids: Ids) -> Option<Value> {
    let schema = route.body?;
    Some(match schema {
        "Login" => json!({"email": "plain@a.example", "password": PASSWORD}),
        "Empty" => json!({}),
        // The caller's own password, set again: changes nothing else.
        "PasswordChange" => json!({"current_password": PASSWORD, "new_password": PASSWORD,
                                   "new_password_confirmation": PASSWORD}),
        "PartnerCreate" | "PartnerUpdate" => json!({"name": format!("Partner {n}")}),
        "UserPermissions" => json!({"permissions": ["groups.read"]}),
        "UserPartners" => json!({"partner_ids": [ids.partner]}),
        "PartnerUserCreate" => json!({
            "email": format!("new{n}@a.example"), "password": "a-password-1",
            "first_name": "New", "last_name": format!("User {n}"),
        }),
        "CustomerCreate" | "CustomerUpdate" => json!({
            "first_name": format!("First{n}"), "last_name": "Last",
            "email": format!("c{n}@a.example"), "phone": "+43 1 234",
        }),
        "GroupCreate" | "GroupUpdate" => {
            json!({"name": format!("Group {n}"), "description": "matrix"})
        }
        "MemberAdd" => json!({"customer_id": ids.customer}),
        "MembersBatch" => json!({"add": [ids.customer]}),
        // A schema this file does not know yet: the authorization checks run
        // before the body is read, so an empty object still measures them.
        _ => json!({}),
    })
}

/// Whether `body_for` knows the route's schema (so the positive control can
/// insist on 200 rather than just "got past the guard").
fn body_known(route: &Route) -> bool {
    matches!(
        route.body,
        None | Some(
            "Login"
                | "Empty"
                | "PasswordChange"
                | "PartnerCreate"
                | "PartnerUpdate"
                | "UserPermissions"
                | "UserPartners"
                | "PartnerUserCreate"
                | "CustomerCreate"
                | "CustomerUpdate"
                | "GroupCreate"
                | "GroupUpdate"
                | "MemberAdd"
                | "MembersBatch"
                | "CsvImport"
        )
    )
}

struct Matrix {
    s: TestServer,
    /// Every answer's text, checked for B's data at the end.
    seen: std::cell::RefCell<Vec<(String, String)>>,
    counter: Cell<usize>,
}

impl Matrix {
    fn next(&self) -> usize {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        n
    }

    /// Sends the route with its path filled from `ids`, the token and a
    /// valid body (or `raw`, sent as JSON text as it is).
    async fn ask(
        &self,
        route: &Route,
        ids: Ids,
        body_ids: Ids,
        token: Option<&str>,
        raw: Option<&str>,
        what: &str,
    ) -> Answer {
        let path = fill(route, ids);
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let mut req = self
            .s
            .client
            .request(method, format!("{}{}", self.s.url, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(raw) = raw {
            req = req
                .header("content-type", "application/json")
                .body(raw.to_string());
        } else if let Some((content_type, body)) = body_for(route, self.next(), body_ids) {
            req = req.header("content-type", content_type).body(body);
        }
        let a = common::send(req).await;
        self.seen.borrow_mut().push((
            format!("{what}: {} {path}", route.method.as_str()),
            a.text.clone(),
        ));
        a
    }
}

fn name(route: &Route) -> String {
    format!("{} {}", route.method.as_str(), route.path)
}

#[tokio::test]
async fn every_route_refuses_who_it_must_and_never_shows_partner_b_data() {
    let s = TestServer::start().await;
    let admin = s.admin.clone();

    // Partner A with a group, a customer and a membership; partner B the
    // same, with names that must never leak; partner C empty.
    let a = s.partner("Alpha Venue").await;
    let b = s.partner("Bravo-Secret-Partner").await;
    let c = s.partner("Charlie Venue").await;
    let ga = s.group(&admin, a, "Alpha group").await;
    let ca = s
        .customer(&admin, a, "Alice", "Alpha", Some("alice@a.example"))
        .await;
    assert_eq!(s.add_member(&admin, a, ga, ca).await.status, StatusCode::OK);
    let gb = {
        let r = s
            .post(
                &format!("/partners/{b}/groups"),
                &admin,
                json!({"name": "Bravo-Secret-Group", "description": "Bravo-Secret-Description"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.body["data"]["id"].as_i64().unwrap()
    };
    let cb = {
        let r = s
            .post(
                &format!("/partners/{b}/customers"),
                &admin,
                json!({"first_name": "Bravosecretfirst", "last_name": "Bravosecretlast",
                       "email": "bravo.secret@b.example", "phone": "+43 999 777 123"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.body["data"]["id"].as_i64().unwrap()
    };
    assert_eq!(s.add_member(&admin, b, gb, cb).await.status, StatusCode::OK);
    let b_staff = {
        let r = s
            .post(
                &format!("/partners/{b}/users"),
                &admin,
                json!({"email": "bravo.staff@b.example", "password": PASSWORD,
                       "first_name": "Bravostafffirst", "last_name": "Staff"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.body["data"]["id"].as_i64().unwrap()
    };

    // Partner A's users: one with every permission, one with none, one per
    // permission holding only that one; a user of C with every permission.
    let (full_id, full) = s.user("full@a.example", ALL, &[a]).await;
    let (plain_id, plain) = s.user("plain@a.example", &[], &[a]).await;
    let mut only = Vec::new();
    for (i, p) in ALL.iter().enumerate() {
        let (id, token) = s.user(&format!("only{i}@a.example"), &[p], &[a]).await;
        only.push((*p, id, token));
    }
    let (_, outsider) = s.user("outsider@c.example", ALL, &[c]).await;
    let expired = expired_token(&s, full_id);
    let revoked = revoked_token(&s, "full@a.example", PASSWORD).await;
    let unknown = "0".repeat(64);

    let a_ids = Ids {
        partner: a,
        group: ga,
        customer: ca,
        user: plain_id,
    };
    let b_ids = Ids {
        partner: b,
        group: gb,
        customer: cb,
        user: b_staff,
    };
    let m = Matrix {
        s,
        seen: Default::default(),
        counter: Cell::new(0),
    };

    // Users holding every permission but one, by the one they lack.
    let mut lacks: HashMap<&str, String> = HashMap::new();
    for route in ROUTES {
        let n = name(route);
        if route.guard == Guard::Public {
            // Public routes answer without a token (the positive control
            // below asks each of them).
            continue;
        }

        // 401: no, unknown, expired or revoked token; a broken body does
        // not change that (the token is checked first).
        for (label, token) in [
            ("no token", None),
            ("unknown token", Some(unknown.as_str())),
            ("expired token", Some(expired.as_str())),
            ("revoked token", Some(revoked.as_str())),
        ] {
            let what = format!("{n} with {label}");
            let got = m.ask(route, a_ids, a_ids, token, None, &what).await;
            expect_unauthenticated(&got, &what);
            if route.body.is_some() {
                let got = m
                    .ask(route, a_ids, a_ids, token, Some("{\"bogus\": ["), &what)
                    .await;
                expect_unauthenticated(&got, &format!("{what} and a malformed body"));
            }
        }

        // 403: lacks the permission (or is not an admin).
        let lacking: Option<(String, String)> = match route.guard {
            Guard::Public | Guard::User | Guard::PartnerMember => None,
            Guard::Admin => Some(("a non-admin with every permission".into(), full.clone())),
            Guard::Partner(p) => {
                let missing = p.name();
                assert!(ALL.contains(&missing), "{n}: unknown permission {missing}");
                let everything_else: Vec<&str> =
                    ALL.iter().copied().filter(|q| *q != missing).collect();
                if !lacks.contains_key(missing) {
                    let (_, token) =
                        m.s.user(
                            &format!("lacks-{}@a.example", m.next()),
                            &everything_else,
                            &[a],
                        )
                        .await;
                    lacks.insert(missing, token);
                }
                Some((
                    format!("a user with all but {missing}"),
                    lacks[missing].clone(),
                ))
            }
        };
        if let Some((label, token)) = &lacking {
            let what = format!("{n} by {label}");
            let got = m.ask(route, a_ids, a_ids, Some(token), None, &what).await;
            expect_forbidden(&got, &what);
            if route.body.is_some() {
                let got = m
                    .ask(
                        route,
                        a_ids,
                        a_ids,
                        Some(token),
                        Some("{\"bogus\": ["),
                        &what,
                    )
                    .await;
                expect_forbidden(&got, &format!("{what} and a malformed body"));
            }
        }

        // 403: holds every permission but works for another partner.
        if has(route, "{partner_id}") {
            let what = format!("{n} by a user of another partner");
            let got = m
                .ask(route, a_ids, a_ids, Some(&outsider), None, &what)
                .await;
            expect_forbidden(&got, &what);
        }

        // Partner A's user on partner B.
        if route.guard == Guard::Admin {
            // Admin-only: refused whatever it names.
            let what = format!("{n} by A's user with B's ids");
            let got = m.ask(route, b_ids, b_ids, Some(&full), None, &what).await;
            expect_forbidden(&got, &what);
        } else if has(route, "{partner_id}") {
            // Under B's path: 403, and the same for a partner that does not
            // exist, so partner ids cannot be probed.
            let what = format!("{n} by A's user under B's path");
            let got = m.ask(route, b_ids, b_ids, Some(&full), None, &what).await;
            expect_forbidden(&got, &what);
            let nowhere = Ids {
                partner: 999_999,
                ..b_ids
            };
            let what = format!("{n} by A's user under a partner that does not exist");
            let got = m.ask(route, nowhere, b_ids, Some(&full), None, &what).await;
            expect_forbidden(&got, &what);

            // Under A's path with B's group or customer: 404.
            if has(route, "{group_id}") {
                let ids = Ids { group: gb, ..a_ids };
                let what = format!("{n} by A's user with B's group under A");
                let got = m.ask(route, ids, a_ids, Some(&full), None, &what).await;
                expect_not_found(&got, &what);
            }
            if has(route, "{customer_id}") {
                let ids = Ids {
                    customer: cb,
                    ..a_ids
                };
                let what = format!("{n} by A's user with B's customer under A");
                let got = m.ask(route, ids, a_ids, Some(&full), None, &what).await;
                expect_not_found(&got, &what);
            }
        } else {
            // Routes of the signed-in user (`/me`, `GET /partners`, logout):
            // A's user sees only its own. Logout would revoke the token the
            // rest of the matrix uses, so it is asked with a fresh one.
            let token = if route.name == "Logout" {
                m.s.login("full@a.example", PASSWORD).await
            } else {
                full.clone()
            };
            let what = format!("{n} by A's user");
            let got = m.ask(route, a_ids, a_ids, Some(&token), None, &what).await;
            assert_eq!(got.status, StatusCode::OK, "{what}: {}", got.text);
        }
    }

    // Positive controls: the holder of exactly the route's permission (or
    // the admin, or anyone for a public route) gets through, on resources
    // made for the purpose in a fresh partner.
    for route in ROUTES {
        let n = name(route);
        let p = m.s.partner(&format!("Control {}", m.next())).await;
        let mut ids = Ids {
            partner: p,
            group: 0,
            customer: 0,
            user: 0,
        };
        if has(route, "{group_id}") || has(route, "{customer_id}") {
            ids.group = m.s.group(&admin, p, "Control group").await;
            ids.customer =
                m.s.customer(
                    &admin,
                    p,
                    "Control",
                    "Customer",
                    Some(&format!("control{}@p.example", m.next())),
                )
                .await;
            if route.path.ends_with("{customer_id}") && has(route, "{group_id}") {
                let r = m.s.add_member(&admin, p, ids.group, ids.customer).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            }
        }
        if has(route, "{user_id}") {
            let (id, _) =
                m.s.user(&format!("target{}@p.example", m.next()), &[], &[p])
                    .await;
            ids.user = id;
        }
        let token: Option<String> = match route.guard {
            Guard::Public => None,
            Guard::Admin => Some(admin.clone()),
            Guard::User | Guard::PartnerMember => {
                let r =
                    m.s.put(
                        &format!("/users/{plain_id}/partners"),
                        &admin,
                        json!({"partner_ids": [a, p]}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                if route.name == "Logout" {
                    Some(m.s.login("plain@a.example", PASSWORD).await)
                } else {
                    Some(plain.clone())
                }
            }
            Guard::Partner(perm) => {
                let (_, id, token) = only
                    .iter()
                    .find(|(q, _, _)| *q == perm.name())
                    .unwrap_or_else(|| panic!("{n}: no user holding {}", perm.name()));
                let r =
                    m.s.put(
                        &format!("/users/{id}/partners"),
                        &admin,
                        json!({"partner_ids": [p]}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                Some(token.clone())
            }
        };
        let what = format!("{n} by its rightful caller");
        let got = m.ask(route, ids, ids, token.as_deref(), None, &what).await;
        if route.guard == Guard::Admin {
            // The admin sees every partner's data (`GET /audit`): not a leak.
            m.seen.borrow_mut().pop();
        }
        if body_known(route) {
            assert_eq!(got.status, StatusCode::OK, "{what}: {}", got.text);
        } else {
            assert!(
                ![401, 403, 404, 405].contains(&got.status.as_u16())
                    && !got.status.is_server_error(),
                "{what}: {} {}",
                got.status,
                got.text
            );
        }
    }

    // Nothing anyone but B's users and the admin was answered holds B's data.
    let seen = m.seen.borrow();
    assert!(seen.len() > ROUTES.len() * 5, "{} answers", seen.len());
    for (what, text) in seen.iter() {
        let lower = text.to_lowercase();
        for secret in B_SECRETS {
            assert!(
                !lower.contains(secret),
                "{what} answered partner B's {secret:?}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn lists_and_lookups_of_a_user_of_partner_a_show_nothing_of_partner_b() {
    let s = TestServer::start().await;
    let admin = s.admin.clone();
    let a = s.partner("Alpha Venue").await;
    let b = s.partner("Bravo-Secret-Partner").await;
    let gb = s.group(&admin, b, "Bravo-Secret-Group").await;
    let cb = s
        .customer(
            &admin,
            b,
            "Bravosecretfirst",
            "Bravosecretlast",
            Some("bravo.secret@b.example"),
        )
        .await;
    assert_eq!(s.add_member(&admin, b, gb, cb).await.status, StatusCode::OK);
    let ga = s.group(&admin, a, "Alpha group").await;
    let (_, full) = s.user("full@a.example", ALL, &[a]).await;

    // Searching A's lists for B's names finds nothing, and B's customer
    // cannot be made a member of A's group.
    for path in [
        format!("/partners/{a}/groups?search=bravo"),
        format!("/partners/{a}/customers?search=bravo"),
        format!("/partners/{a}/users?search=bravo"),
        format!("/partners/{a}/groups/{ga}/customers?search=bravo"),
        "/partners".to_string(),
        "/me".to_string(),
    ] {
        let got = s.get(&path, &full).await;
        assert_eq!(got.status, StatusCode::OK, "{path}: {}", got.text);
        let lower = got.text.to_lowercase();
        for secret in B_SECRETS {
            assert!(!lower.contains(secret), "{path}: {}", got.text);
        }
        if let Some(rows) = got.body["data"].as_array() {
            if path != "/partners" {
                assert!(rows.is_empty(), "{path}: {}", got.text);
            } else {
                assert_eq!(rows.len(), 1, "{path}: {}", got.text);
                assert_eq!(rows[0]["id"], a);
            }
        }
    }
    let got = s.add_member(&full, a, ga, cb).await;
    assert_eq!(got.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", got.text);
    assert!(got.body["errors"]["customer_id"].is_array(), "{}", got.text);
    assert!(!got.text.to_lowercase().contains("bravo"), "{}", got.text);
}
