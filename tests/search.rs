//! `search` as API.md states it: split on white space, every word a
//! case-insensitive substring of one of the searched fields, `%`, `_` and
//! `\` literal, over customers, members, users and groups; found through
//! the trigram index for words of 3+ characters, and exact either way.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The ids a list answers for a search (URL-encoded by the caller), and
/// its total.
async fn find(s: &TestServer, list: &str, search: &str) -> (Vec<i64>, i64) {
    let sep = if list.contains('?') { '&' } else { '?' };
    let a = s
        .get(
            &format!("{list}{sep}per_page=100&search={search}"),
            &s.admin,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{list} {search}: {}", a.text);
    let ids = a.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    (ids, a.body["meta"]["total"].as_i64().unwrap())
}

async fn ids(s: &TestServer, list: &str, search: &str) -> Vec<i64> {
    let (ids, total) = find(s, list, search).await;
    assert_eq!(
        ids.len() as i64,
        total,
        "{list} {search}: one page holds all"
    );
    ids
}

fn customers(p: i64) -> String {
    format!("/partners/{p}/customers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_is_found_as_staff_type_it_in_any_order_and_case() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let lena = s
        .customer(&s.admin, p, "Lena", "Schmidt", Some("lena@example.com"))
        .await;
    let other = s
        .customer(&s.admin, p, "Lena", "Müller", Some("lm@example.com"))
        .await;
    s.customer(&s.admin, p, "Max", "Schmidt", None).await;

    for q in [
        "Lena%20Schmidt",
        "schmidt%20lena",
        "lena@",
        "LENA%20%20SCHMIDT",
        "%20len%09schm%20",
        "example.com%20schmidt%20lena",
    ] {
        assert_eq!(ids(&s, &customers(p), q).await, [lena], "{q}");
    }
    assert_eq!(
        ids(&s, &customers(p), "lena%20xyz").await,
        Vec::<i64>::new()
    );
    assert_eq!(ids(&s, &customers(p), "lena").await, [lena, other]);
    // A word is a substring of one field, never of two run together.
    assert_eq!(ids(&s, &customers(p), "aschmidt").await, Vec::<i64>::new());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn percent_underscore_and_backslash_are_plain_characters() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let pct = s.customer(&s.admin, p, "Rabatt", "50%off", None).await;
    let under = s.customer(&s.admin, p, "Snake", "a_b_c", None).await;
    let slash = s.customer(&s.admin, p, "Back", "x\\y\\z", None).await;
    s.customer(&s.admin, p, "Plain", "abc", None).await;
    s.customer(&s.admin, p, "Also", "50xoff", None).await;

    assert_eq!(ids(&s, &customers(p), "%25").await, [pct]);
    assert_eq!(ids(&s, &customers(p), "0%25o").await, [pct]);
    assert_eq!(ids(&s, &customers(p), "_").await, [under]);
    assert_eq!(ids(&s, &customers(p), "a_b").await, [under]);
    assert_eq!(ids(&s, &customers(p), "%5C").await, [slash]);
    assert_eq!(ids(&s, &customers(p), "x%5Cy%5C").await, [slash]);
    // A double quote means nothing to the index's query language either.
    assert_eq!(ids(&s, &customers(p), "%22ab%22").await, Vec::<i64>::new());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn words_under_three_characters_filter_or_scan() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let ab = s.customer(&s.admin, p, "Ab", "Cd", None).await;
    let anna = s
        .customer(&s.admin, p, "Anna", "Berger", Some("ab@x.at"))
        .await;
    let bo = s.customer(&s.admin, p, "Bo", "Berg", None).await;

    // Only short words: every customer of the partner is looked at.
    assert_eq!(ids(&s, &customers(p), "ab").await, [ab, anna]);
    assert_eq!(ids(&s, &customers(p), "b%20o").await, [bo]);
    assert_eq!(ids(&s, &customers(p), "x").await, [anna]);
    // A short word filters what a long one found.
    assert_eq!(ids(&s, &customers(p), "berg%20an").await, [anna]);
    assert_eq!(ids(&s, &customers(p), "berg%20o").await, [bo]);
    assert_eq!(ids(&s, &customers(p), "berg%20q").await, Vec::<i64>::new());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_is_ignored_beyond_ascii() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let jurgen = s.customer(&s.admin, p, "Jürgen", "Ärger", None).await;
    let elise = s
        .customer(&s.admin, p, "ÉLISE", "Dubois", Some("Élise@Example.com"))
        .await;
    let sigma = s.customer(&s.admin, p, "Ωμέγα", "ΣΤΡΑΤΟΣ", None).await;

    assert_eq!(ids(&s, &customers(p), "ärger").await, [jurgen]);
    assert_eq!(ids(&s, &customers(p), "ÄRG%20jü").await, [jurgen]);
    assert_eq!(ids(&s, &customers(p), "JÜRGEN").await, [jurgen]);
    assert_eq!(ids(&s, &customers(p), "élise").await, [elise]);
    assert_eq!(ids(&s, &customers(p), "élise@example").await, [elise]);
    assert_eq!(ids(&s, &customers(p), "ΩΜΈΓΑ").await, [sigma]);
    assert_eq!(ids(&s, &customers(p), "στρατ").await, [sigma]);
    // Unaccented letters are other letters.
    assert_eq!(ids(&s, &customers(p), "arger").await, Vec::<i64>::new());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn white_space_alone_is_no_search_and_another_partner_is_never_found() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let q = s.partner("Pool").await;
    let mine = s.customer(&s.admin, p, "Anna", "Berger", None).await;
    let other = s.customer(&s.admin, p, "Ben", "Koch", None).await;
    // Partner q is large, so searches there ask the index, which holds
    // both partners' customers.
    let mut theirs = Vec::new();
    for i in 0..30 {
        theirs.push(
            s.customer(&s.admin, q, "Anna", &format!("Berger{i}"), None)
                .await,
        );
    }

    assert_eq!(ids(&s, &customers(p), "%20%09%20").await, [mine, other]);
    assert_eq!(ids(&s, &customers(p), "anna%20berger").await, [mine]);
    assert_eq!(ids(&s, &customers(q), "anna%20berger").await, theirs);
    assert_eq!(ids(&s, &customers(q), "berger7").await, [theirs[7]]);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pages_count_every_match() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let mut annas = Vec::new();
    for i in 0..25 {
        annas.push(
            s.customer(&s.admin, p, "Anna", &format!("N{i:02}"), None)
                .await,
        );
        s.customer(&s.admin, p, "Otto", &format!("N{i:02}"), None)
            .await;
    }
    let a = s
        .get(
            &format!("/partners/{p}/customers?search=anna&per_page=10&page=3"),
            &s.admin,
        )
        .await;
    assert_eq!(a.body["meta"]["total"], 25, "{}", a.text);
    assert_eq!(a.body["meta"]["last_page"], 3, "{}", a.text);
    assert_eq!(a.body["meta"]["from"], 21, "{}", a.text);
    let page: Vec<i64> = a.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(page, annas[20..]);
    let a = s
        .get(
            &format!("/partners/{p}/customers?search=anna&per_page=10&page=4"),
            &s.admin,
        )
        .await;
    assert_eq!(a.body["meta"]["total"], 25, "{}", a.text);
    assert_eq!(a.body["data"], json!([]), "{}", a.text);
    s.stop().await;
}

/// The totals of a few searches, asked of the index (long words) and
/// checked against what the client knows it wrote.
async fn totals(s: &TestServer, p: i64) -> Vec<i64> {
    let mut out = Vec::new();
    for q in [
        "anna",
        "berger",
        "anna%20berger",
        "an%20be",
        "import",
        "koch",
    ] {
        out.push(find(s, &customers(p), q).await.1);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_are_exact_after_creates_updates_deletes_and_imports() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    // Others, so that each search below is asked of the index rather than
    // answered by reading all of the partner's customers.
    for i in 0..20 {
        s.customer(&s.admin, p, "Otto", "Maier", Some(&format!("o{i}@x.at")))
            .await;
    }
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(
            s.customer(&s.admin, p, "Anna", "Berger", Some(&format!("a{i}@x.at")))
                .await,
        );
    }
    assert_eq!(totals(&s, p).await, [20, 20, 20, 20, 0, 0]);

    for id in &ids[..5] {
        let a = s
            .put(
                &format!("/partners/{p}/customers/{id}"),
                &s.admin,
                json!({"last_name": "Koch"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }
    assert_eq!(totals(&s, p).await, [20, 15, 15, 15, 0, 5]);

    for id in &ids[15..] {
        let a = s
            .delete(&format!("/partners/{p}/customers/{id}"), &s.admin)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }
    assert_eq!(totals(&s, p).await, [15, 10, 10, 10, 0, 5]);

    let mut file = String::from("first_name,last_name,email\n");
    for i in 0..7 {
        file.push_str(&format!("Anna,Importberger,imp{i}@x.at\n"));
    }
    let a = common::send(
        s.client
            .post(s.api(&format!("/partners/{p}/customers/import")))
            .bearer_auth(&s.admin)
            .header("Content-Type", "text/csv")
            .body(file),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["data"]["created"], 7, "{}", a.text);
    assert_eq!(totals(&s, p).await, [22, 17, 17, 17, 7, 5]);

    // The same after a restart: the index is in the file.
    let dir = s.stop().await;
    let s = TestServer::start_in(dir, |_| {}).await;
    assert_eq!(totals(&s, p).await, [22, 17, 17, 17, 7, 5]);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_searched_by_the_same_words() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let g = s.group(&s.admin, p, "Members").await;
    let lena = s
        .customer(&s.admin, p, "Lena", "Schmidt", Some("lena@example.com"))
        .await;
    let max = s.customer(&s.admin, p, "Max", "Schmidt", None).await;
    // Not a member: must not appear although it matches.
    s.customer(&s.admin, p, "Lena", "Schmidt", Some("other@example.com"))
        .await;
    for c in [lena, max] {
        assert_eq!(s.add_member(&s.admin, p, g, c).await.status, StatusCode::OK);
    }
    let members = format!("/partners/{p}/groups/{g}/customers");
    assert_eq!(ids(&s, &members, "schmidt%20lena").await, [lena]);
    assert_eq!(ids(&s, &members, "schmidt").await, [lena, max]);
    assert_eq!(ids(&s, &members, "sc%20ax").await, [max]);
    assert_eq!(ids(&s, &members, "lena@%20max").await, Vec::<i64>::new());
    s.stop().await;
}

/// A large group next to what the index finds is walked beside the
/// index's candidates; a rare word among many members looks each candidate
/// up in the group (src/db/groups.rs). Both answer the same members.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_found_whichever_way_the_group_is_read() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let other = s.partner("Other hall").await;
    let g = s.group(&s.admin, p, "Members").await;
    let mut members = Vec::new();
    for i in 0..40 {
        let c = s
            .customer(&s.admin, p, &format!("Member{i:02}"), "Huber", None)
            .await;
        members.push(c);
        assert_eq!(s.add_member(&s.admin, p, g, c).await.status, StatusCode::OK);
    }
    // Matching, but outside the group: one of the same partner, one of
    // another partner.
    s.customer(&s.admin, p, "Quirin", "Huber", None).await;
    s.customer(&s.admin, other, "Quirin", "Huber", None).await;
    let quirin = s.customer(&s.admin, p, "Quirin", "Zwettler", None).await;
    assert_eq!(
        s.add_member(&s.admin, p, g, quirin).await.status,
        StatusCode::OK
    );
    let list = format!("/partners/{p}/groups/{g}/customers");
    // `zwe` is in one customer, the group has 41 members: the candidate is
    // looked up in the group.
    assert_eq!(ids(&s, &list, "zwettler%20qui").await, [quirin]);
    // `qui` is in three customers and `hub` in 43: the group is walked
    // beside them.
    assert_eq!(ids(&s, &list, "quirin").await, [quirin]);
    assert_eq!(ids(&s, &list, "huber").await, members);
    assert_eq!(ids(&s, &list, "member1%20huber").await, members[10..20]);
    assert_eq!(ids(&s, &list, "quirin%20huber").await, Vec::<i64>::new());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_groups_are_searched_by_every_word() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    let a = s
        .post(
            &format!("/partners/{p}/users"),
            &s.admin,
            json!({"email": "desk@hall.at", "password": PASSWORD, "first_name": "Front", "last_name": "Désk"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let desk = a.body["data"]["id"].as_i64().unwrap();
    let (boss, _) = s.user("boss@hall.at", &[], &[p]).await;
    let users = format!("/partners/{p}/users");
    assert_eq!(ids(&s, &users, "désk%20front").await, [desk]);
    assert_eq!(ids(&s, &users, "DÉSK").await, [desk]);
    assert_eq!(ids(&s, &users, "hall.at").await, [desk, boss]);
    assert_eq!(ids(&s, &users, "boss%20user").await, [boss]);
    assert_eq!(ids(&s, &users, "boss%20front").await, Vec::<i64>::new());

    let swim = s.group(&s.admin, p, "Swimming Tuesday 4b").await;
    let tennis = s.group(&s.admin, p, "Tennis Tuesday").await;
    let groups = format!("/partners/{p}/groups");
    assert_eq!(ids(&s, &groups, "tuesday%20swim").await, [swim]);
    assert_eq!(ids(&s, &groups, "TUESDAY").await, [swim, tennis]);
    assert_eq!(ids(&s, &groups, "4b%20tue").await, [swim]);
    let a = s
        .put(
            &format!("/partners/{p}/groups/{tennis}"),
            &s.admin,
            json!({"name": "Padel Wednesday"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(ids(&s, &groups, "tuesday").await, [swim]);
    assert_eq!(ids(&s, &groups, "wednes").await, [tennis]);
    let a = s
        .delete(&format!("/partners/{p}/groups/{swim}"), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(ids(&s, &groups, "tuesday").await, Vec::<i64>::new());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_agrees_with_the_table() {
    let s = TestServer::start().await;
    let p = s.partner("Hall").await;
    for (f, l) in [("Anna", "Berger"), ("Jürgen", "Ärger"), ("Zoë", "O'Neil")] {
        s.customer(&s.admin, p, f, l, None).await;
    }
    let c = s.db();
    for index in ["customers_search", "groups_search", "users_search"] {
        c.execute(
            &format!("INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)"),
            [],
        )
        .unwrap_or_else(|e| panic!("{index}: {e}"));
    }
    let docs: Value = c
        .query_row(
            "SELECT json_group_array(doc) FROM customers_search_docs WHERE term IN ('ärg', 'zoë', 'ber')",
            [],
            |r| r.get::<_, String>(0),
        )
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    assert_eq!(docs, json!([1, 1, 1]));
    s.stop().await;
}
