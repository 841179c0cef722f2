//! The `data`/`meta`/`links` envelope of the group, customer and member
//! lists: page bounds, links, literal and case-insensitive search, order.

mod common;

use common::{expect, Answer, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One of the three lists under test.
#[derive(Debug, Clone, Copy)]
enum List {
    Groups,
    Customers,
    Members,
}

const LISTS: [List; 3] = [List::Groups, List::Customers, List::Members];

/// A server with a partner and a group, for filling one list.
struct World {
    s: TestServer,
    p: i64,
    g: i64,
}

async fn world() -> World {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Holder").await;
    World { s, p, g }
}

impl World {
    /// The list's path (without the base path).
    fn path(&self, list: List) -> String {
        match list {
            List::Groups => format!("/partners/{}/groups", self.p),
            List::Customers => format!("/partners/{}/customers", self.p),
            List::Members => format!("/partners/{}/groups/{}/customers", self.p, self.g),
        }
    }

    /// The list's URL as it appears in links (absolute, on the server's
    /// public URL: by default `http://` and the bound address).
    fn link_path(&self, list: List) -> String {
        format!("{}/api/internal/v1{}", self.s.url, self.path(list))
    }

    /// Adds an item whose searchable text is `name` (a group's name, a
    /// customer's first name); returns the id the list shows for it.
    async fn add(&self, list: List, name: &str) -> i64 {
        let s = &self.s;
        match list {
            List::Groups => s.group(&s.admin, self.p, name).await,
            List::Customers => s.customer(&s.admin, self.p, name, "Person", None).await,
            List::Members => {
                let c = s.customer(&s.admin, self.p, name, "Member", None).await;
                let a = s.add_member(&s.admin, self.p, self.g, c).await;
                assert_eq!(a.status, StatusCode::OK, "{}", a.text);
                c
            }
        }
    }

    /// Items in the list before any test adds to it (the group list holds
    /// the member-holding group).
    fn preexisting(&self, list: List) -> Vec<i64> {
        match list {
            List::Groups => vec![self.g],
            _ => vec![],
        }
    }

    async fn get(&self, list: List, query: &str) -> Answer {
        self.s
            .get(&format!("{}{query}", self.path(list)), &self.s.admin)
            .await
    }

    async fn ids(&self, list: List, query: &str) -> Vec<i64> {
        let a = self.get(list, query).await;
        assert_eq!(a.status, StatusCode::OK, "{list:?}{query}: {}", a.text);
        ids(&a)
    }
}

fn ids(a: &Answer) -> Vec<i64> {
    a.body["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

/// A link's path and query pairs.
fn parts(link: &Value) -> (String, BTreeMap<String, String>) {
    let link = link.as_str().expect("a link");
    let (path, query) = link.split_once('?').unwrap_or((link, ""));
    let pairs = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (path.to_string(), pairs)
}

fn pairs(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_list_answers_the_whole_envelope_with_null_from_and_to() {
    let w = world().await;
    let bare = w.s.partner("Bare").await;
    let groups = format!("{}/api/internal/v1/partners/{bare}/groups", w.s.url);

    for (path, link) in [
        (format!("/partners/{bare}/groups"), groups),
        (w.path(List::Customers), w.link_path(List::Customers)),
        (w.path(List::Members), w.link_path(List::Members)),
    ] {
        let a = w.s.get(&path, &w.s.admin).await;
        expect(
            &a,
            StatusCode::OK,
            json!({
                "data": [],
                "meta": {"current_page": 1, "from": null, "to": null, "per_page": 20,
                         "total": 0, "last_page": 1},
                "links": {"first": format!("{link}?page=1"), "last": format!("{link}?page=1"),
                          "prev": null, "next": null},
            }),
            &path,
        );
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_full_page_has_no_prev_or_next() {
    let w = world().await;
    for list in LISTS {
        let mut all = w.preexisting(list);
        while all.len() < 5 {
            all.push(w.add(list, &format!("Item {}", all.len())).await);
        }

        let a = w.get(list, "?per_page=5").await;

        assert_eq!(a.status, StatusCode::OK, "{list:?}: {}", a.text);
        assert_eq!(ids(&a), all, "{list:?}");
        assert_eq!(
            a.body["meta"],
            json!({"current_page": 1, "from": 1, "to": 5, "per_page": 5, "total": 5,
                   "last_page": 1}),
            "{list:?}"
        );
        assert_eq!(a.body["links"]["prev"], Value::Null, "{list:?}");
        assert_eq!(a.body["links"]["next"], Value::Null, "{list:?}");
        let (path, q) = parts(&a.body["links"]["last"]);
        assert_eq!(path, w.link_path(list));
        assert_eq!(q, pairs(&[("per_page", "5"), ("page", "1")]), "{list:?}");
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_middle_page_has_exact_meta_and_both_links() {
    let w = world().await;
    for list in LISTS {
        let mut all = w.preexisting(list);
        while all.len() < 7 {
            all.push(w.add(list, &format!("Item {}", all.len())).await);
        }

        let a = w.get(list, "?per_page=3&page=2").await;

        assert_eq!(a.status, StatusCode::OK, "{list:?}: {}", a.text);
        assert_eq!(ids(&a), all[3..6].to_vec(), "{list:?}");
        assert_eq!(
            a.body["meta"],
            json!({"current_page": 2, "from": 4, "to": 6, "per_page": 3, "total": 7,
                   "last_page": 3}),
            "{list:?}"
        );
        for (name, page) in [("first", "1"), ("last", "3"), ("prev", "1"), ("next", "3")] {
            let (path, q) = parts(&a.body["links"][name]);
            assert_eq!(path, w.link_path(list), "{list:?} {name}");
            assert_eq!(
                q,
                pairs(&[("per_page", "3"), ("page", page)]),
                "{list:?} {name}"
            );
        }
        let last = w.get(list, "?per_page=3&page=3").await;
        assert_eq!(ids(&last), all[6..].to_vec(), "{list:?}");
        assert_eq!(last.body["meta"]["from"], 7);
        assert_eq!(last.body["meta"]["to"], 7);
        assert_eq!(last.body["links"]["next"], Value::Null);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_the_links_walks_every_item_once() {
    let w = world().await;
    for list in LISTS {
        let mut all = w.preexisting(list);
        while all.len() < 5 {
            all.push(w.add(list, &format!("Walk {}", all.len())).await);
        }
        let mut seen = Vec::new();
        let first = w.get(list, "?per_page=2").await;
        let mut next = first.body["links"]["first"].clone();
        let mut pages = 0;
        while let Some(link) = next.as_str() {
            let a = common::send(w.s.client.get(link).bearer_auth(&w.s.admin)).await;
            assert_eq!(a.status, StatusCode::OK, "{link}: {}", a.text);
            seen.extend(ids(&a));
            next = a.body["links"]["next"].clone();
            pages += 1;
            assert!(pages <= 3, "{list:?}: too many pages");
        }
        assert_eq!(seen, all, "{list:?}");
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_page_size_is_20() {
    let w = world().await;
    let mut all = w.preexisting(List::Groups);
    while all.len() < 21 {
        all.push(w.add(List::Groups, &format!("G{}", all.len())).await);
    }

    let a = w.get(List::Groups, "").await;
    let b = w.get(List::Groups, "?page=2").await;

    assert_eq!(ids(&a), all[..20].to_vec());
    assert_eq!(a.body["meta"]["per_page"], 20);
    assert_eq!(a.body["meta"]["last_page"], 2);
    let (_, q) = parts(&a.body["links"]["next"]);
    assert_eq!(q, pairs(&[("page", "2")]));
    assert_eq!(ids(&b), all[20..].to_vec());
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_past_the_end_is_200_with_empty_data_and_prev_one_page_back() {
    let w = world().await;
    for list in LISTS {
        let mut all = w.preexisting(list);
        while all.len() < 7 {
            all.push(w.add(list, &format!("Item {}", all.len())).await);
        }

        let a = w.get(list, "?per_page=3&page=5").await;

        assert_eq!(a.status, StatusCode::OK, "{list:?}: {}", a.text);
        assert_eq!(a.body["data"], json!([]), "{list:?}");
        assert_eq!(
            a.body["meta"],
            json!({"current_page": 5, "from": null, "to": null, "per_page": 3, "total": 7,
                   "last_page": 3}),
            "{list:?}"
        );
        let (_, prev) = parts(&a.body["links"]["prev"]);
        assert_eq!(prev, pairs(&[("per_page", "3"), ("page", "4")]), "{list:?}");
        assert_eq!(a.body["links"]["next"], Value::Null, "{list:?}");
        let (_, last) = parts(&a.body["links"]["last"]);
        assert_eq!(last, pairs(&[("per_page", "3"), ("page", "3")]), "{list:?}");
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_i64_page_is_past_the_end_not_an_error() {
    let w = world().await;
    for list in LISTS {
        w.add(list, "Only").await;
        let max = i64::MAX;

        let a = w.get(list, &format!("?page={max}&per_page=100")).await;

        assert_eq!(a.status, StatusCode::OK, "{list:?}: {}", a.text);
        assert_eq!(a.body["data"], json!([]), "{list:?}");
        assert_eq!(a.body["meta"]["current_page"], max, "{list:?}");
        assert_eq!(a.body["meta"]["from"], Value::Null);
        let (_, prev) = parts(&a.body["links"]["prev"]);
        assert_eq!(
            prev,
            pairs(&[("per_page", "100"), ("page", &(max - 1).to_string())]),
            "{list:?}"
        );
        assert_eq!(a.body["links"]["next"], Value::Null);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_page_outside_1_to_100_is_422() {
    let w = world().await;
    for list in LISTS {
        for (value, message) in [
            ("0", "The per page field must be at least 1."),
            ("-1", "The per page field must be at least 1."),
            ("101", "The per page field must not be greater than 100."),
            ("abc", "The per page field must be an integer."),
            ("2.5", "The per page field must be an integer."),
            ("", "The per page field must be an integer."),
        ] {
            let a = w.get(list, &format!("?per_page={value}")).await;
            expect(
                &a,
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"message": message, "errors": {"per_page": [message]}}),
                &format!("{list:?} per_page={value}"),
            );
        }
        let a = w.get(list, "?per_page=100").await;
        assert_eq!(a.status, StatusCode::OK, "{list:?}: {}", a.text);
        assert_eq!(a.body["meta"]["per_page"], 100);
        let a = w.get(list, "?per_page=1").await;
        assert_eq!(a.status, StatusCode::OK, "{list:?}: {}", a.text);
        assert_eq!(a.body["meta"]["per_page"], 1);
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_is_not_a_positive_i64_is_422() {
    let w = world().await;
    for list in LISTS {
        for (value, message) in [
            ("0", "The page field must be at least 1."),
            ("-3", "The page field must be at least 1."),
            ("abc", "The page field must be an integer."),
            ("1.5", "The page field must be an integer."),
            ("1e3", "The page field must be an integer."),
            ("", "The page field must be an integer."),
            (
                "9223372036854775808",
                "The page field must not be greater than 9223372036854775807.",
            ),
            (
                "99999999999999999999",
                "The page field must not be greater than 9223372036854775807.",
            ),
        ] {
            let a = w.get(list, &format!("?page={value}")).await;
            expect(
                &a,
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"message": message, "errors": {"page": [message]}}),
                &format!("{list:?} page={value}"),
            );
        }
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_page_and_per_page_are_both_reported() {
    let w = world().await;

    let a = w.get(List::Groups, "?page=x&per_page=500").await;

    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert_eq!(
        a.body["errors"],
        json!({"page": ["The page field must be an integer."],
               "per_page": ["The per page field must not be greater than 100."]})
    );
    assert_eq!(a.body["message"], "The page field must be an integer.");
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_page_without_a_token_is_401_not_422() {
    let w = world().await;
    for list in LISTS {
        let a =
            w.s.call(
                reqwest::Method::GET,
                &format!("{}?page=0", w.path(list)),
                None,
                None,
            )
            .await;
        common::expect_unauthenticated(&a, &format!("{list:?}"));
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_are_absolute_and_keep_search_and_per_page() {
    let w = world().await;
    for list in LISTS {
        for i in 0..5 {
            w.add(list, &format!("Match {i}")).await;
        }
        w.add(list, "Other").await;

        let a = w.get(list, "?search=match&per_page=2&page=2").await;

        assert_eq!(a.status, StatusCode::OK, "{list:?}: {}", a.text);
        assert_eq!(a.body["meta"]["total"], 5, "{list:?}");
        assert_eq!(a.body["meta"]["last_page"], 3, "{list:?}");
        for (name, page) in [("first", "1"), ("last", "3"), ("prev", "1"), ("next", "3")] {
            let link = a.body["links"][name].as_str().unwrap();
            assert!(
                link.starts_with(&format!("{}/api/internal/v1/", w.s.url)),
                "{link}"
            );
            let (path, q) = parts(&a.body["links"][name]);
            assert_eq!(path, w.link_path(list), "{list:?} {name}");
            assert_eq!(
                q,
                pairs(&[("search", "match"), ("per_page", "2"), ("page", page)]),
                "{list:?} {name}"
            );
        }
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_are_on_the_configured_public_url() {
    // Arrange: a server behind a proxy that serves it under a path prefix.
    let s = TestServer::start_with(|c| {
        c.public_url = Some("https://groups.venue.example/v".into());
    })
    .await;
    let p = s.partner("Sporthalle Nord").await;
    for name in ["Members", "Coaches", "Seniors"] {
        s.group(&s.admin, p, name).await;
    }

    // Act
    let a = s
        .get(
            &format!("/partners/{p}/groups?per_page=1&page=2&search=e"),
            &s.admin,
        )
        .await;

    // Assert
    let list = format!("https://groups.venue.example/v/api/internal/v1/partners/{p}/groups");
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.body["links"],
        json!({
            "first": format!("{list}?per_page=1&search=e&page=1"),
            "last": format!("{list}?per_page=1&search=e&page=3"),
            "prev": format!("{list}?per_page=1&search=e&page=1"),
            "next": format!("{list}?per_page=1&search=e&page=3"),
        })
    );
    // The OpenAPI document names the same URL, so generated clients and
    // explorers call it there.
    let doc = common::send(s.client.get(format!("{}/api/openapi.json", s.url))).await;
    assert_eq!(
        doc.body["servers"][0]["url"],
        "https://groups.venue.example/v"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_keep_a_search_with_special_characters_intact() {
    let w = world().await;
    w.add(List::Groups, "100% & more").await;
    w.add(List::Groups, "100% & less").await;

    let a = w.get(List::Groups, "?search=100%25%20%26&per_page=1").await;

    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["meta"]["total"], 2);
    let (_, q) = parts(&a.body["links"]["next"]);
    assert_eq!(
        q,
        pairs(&[("search", "100% &"), ("per_page", "1"), ("page", "2")])
    );
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn percent_and_underscore_in_a_search_are_literal() {
    let w = world().await;
    for list in LISTS {
        let pct = w.add(list, "100% fit").await;
        let under = w.add(list, "a_b").await;
        w.add(list, "ab").await;
        w.add(list, "axb").await;

        let by_pct = w.ids(list, "?search=%25").await;
        let by_under = w.ids(list, "?search=_").await;
        let by_pattern = w.ids(list, "?search=a_b").await;
        let by_like = w.ids(list, "?search=1%25t").await;

        assert_eq!(by_pct, vec![pct], "{list:?} search=%");
        assert_eq!(by_under, vec![under], "{list:?} search=_");
        assert_eq!(by_pattern, vec![under], "{list:?} search=a_b");
        assert_eq!(by_like, Vec::<i64>::new(), "{list:?} search=1%t");
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_ignores_case_also_beyond_ascii() {
    let w = world().await;
    for list in LISTS {
        let uber = w.add(list, "Überfit").await;
        let emil = w.add(list, "ÉMILE").await;
        w.add(list, "Ueberfit").await;

        assert_eq!(w.ids(list, "?search=über").await, vec![uber], "{list:?}");
        assert_eq!(w.ids(list, "?search=%C3%9CBERFIT").await, vec![uber]);
        assert_eq!(w.ids(list, "?search=RFIT").await.len(), 2, "{list:?}");
        assert_eq!(w.ids(list, "?search=émile").await, vec![emil], "{list:?}");
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_search_lists_everything() {
    let w = world().await;
    for list in LISTS {
        let mut all = w.preexisting(list);
        all.push(w.add(list, "One").await);
        all.push(w.add(list, "Two").await);

        assert_eq!(w.ids(list, "?search=").await, all, "{list:?}");
    }
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_ordered_by_id_ascending() {
    let w = world().await;
    for list in [List::Groups, List::Customers] {
        let mut made = w.preexisting(list);
        for name in ["Zeta", "Mu", "Alpha"] {
            made.push(w.add(list, name).await);
        }
        assert!(made.windows(2).all(|p| p[0] < p[1]));

        assert_eq!(w.ids(list, "").await, made, "{list:?}");
    }
    // Members: joined in reverse id order, listed by id.
    let mut customers = Vec::new();
    for name in ["Zeta", "Mu", "Alpha"] {
        customers.push(w.s.customer(&w.s.admin, w.p, name, "Member", None).await);
    }
    for c in customers.iter().rev() {
        let a = w.s.add_member(&w.s.admin, w.p, w.g, *c).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }
    assert_eq!(w.ids(List::Members, "").await, customers);
    assert_eq!(
        w.ids(List::Members, "?per_page=1&page=3").await,
        vec![customers[2]]
    );
    w.s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_counts_only_matches_in_meta() {
    let w = world().await;
    for list in LISTS {
        for i in 0..3 {
            w.add(list, &format!("Needle {i}")).await;
        }
        w.add(list, "Hay").await;

        let a = w.get(list, "?search=needle&per_page=2").await;

        assert_eq!(
            a.body["meta"],
            json!({"current_page": 1, "from": 1, "to": 2, "per_page": 2, "total": 3,
                   "last_page": 2}),
            "{list:?}"
        );
    }
    w.s.stop().await;
}
