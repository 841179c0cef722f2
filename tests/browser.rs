//! The admin page in a real browser: headless Chromium (Debian's
//! `chromium` + `chromium-driver`) over WebDriver, against the real server
//! with a fresh database per test. The plumbing is in browser/harness.rs;
//! a failing test leaves a screenshot in its temp dir and prints the path.
//!
//! Set `VENUE_GROUPS_SCREENSHOT=path.png` to have
//! `desktop_group_page_lists_its_members` save its page there (that is how
//! examples/admin-page.png is made).

mod common;
#[path = "browser/harness.rs"]
mod harness;

use common::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};
use harness::{run, xpath_literal, Page, TestResult};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DESKTOP: (u32, u32) = (1280, 900);

/// The group row whose name is `name`, once it is listed.
async fn group_row(p: &Page, name: &str) -> TestResult {
    p.xpath(&format!(
        "//*[@data-testid='group-row']//*[@data-testid='group-name'][normalize-space()={}]",
        xpath_literal(name)
    ))
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_picks_a_partner_and_creates_a_group() {
    run("create-group", DESKTOP, |p| async move {
        let s = &p.s;
        s.partner("Alpha Hall").await;
        let beta = s.partner("Beta Arena").await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        // Two partners: none is chosen for the admin.
        p.text_is("view-title", "Choose a partner").await?;
        p.el("#partner-select")
            .await?
            .select_by_value(&beta.to_string())
            .await?;
        p.shown("group-create-form").await?;
        p.text_is("group-empty", "There are no groups yet.").await?;

        p.fill("#group-create-name", "Season ticket holders")
            .await?;
        p.fill("#group-create-description", "Renewed every August")
            .await?;
        p.click("#group-create-submit").await?;
        group_row(&p, "Season ticket holders").await?;
        p.text_is("group-total", "(1 group)").await?;
        let row = p.el("[data-testid=group-row]").await?;
        let count = row
            .find(fantoccini::Locator::Css("[data-testid=group-count]"))
            .await?;
        assert_eq!(count.text().await?, "0");
        // The form is ready for the next one.
        let name = p.el("#group-create-name").await?;
        assert_eq!(name.prop("value").await?.as_deref(), Some(""));

        // The group went to the partner that was picked.
        let a = s.get(&format!("/partners/{beta}/groups"), &s.admin).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body["meta"]["total"], 1);
        assert_eq!(a.body["data"][0]["name"], "Season ticket holders");
        assert_eq!(a.body["data"][0]["description"], "Renewed every August");
        let id = a.body["data"][0]["id"].as_i64().unwrap();
        let link = row
            .find(fantoccini::Locator::Css("[data-testid=group-name]"))
            .await?;
        assert_eq!(
            link.attr("href").await?.as_deref(),
            Some(format!("#/groups/{id}").as_str())
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_added_by_search_and_removed() {
    run("members", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        let group = s.group(&t, partner, "Regulars").await;
        let ada = s
            .customer(&t, partner, "Ada", "Lovelace", Some("ada@example.com"))
            .await;
        let alan = s.customer(&t, partner, "Alan", "Turing", None).await;
        s.customer(&t, partner, "Grace", "Hopper", Some("grace@example.com"))
            .await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        group_row(&p, "Regulars").await?;
        p.click("[data-testid=group-name]").await?;
        p.text_is("view-title", "Regulars").await?;
        p.text_is("group-customers-count", "0").await?;
        p.text_is("member-empty", "This group has no members yet.")
            .await?;

        // By email, picked from the results (typing alone searches).
        p.fill("#member-add-search", "ADA@example").await?;
        p.click(&format!(
            "[data-testid=customer-result][data-customer-id='{ada}']"
        ))
        .await?;
        p.text_is("group-customers-count", "1").await?;
        // By last name, with the Find button.
        p.fill("#member-add-search", "turing").await?;
        p.click("#member-add-search-submit").await?;
        p.click(&format!(
            "[data-testid=customer-result][data-customer-id='{alan}']"
        ))
        .await?;
        p.text_is("group-customers-count", "2").await?;
        p.text_is("member-total", "(2 members)").await?;
        p.el(&format!(
            "[data-testid=member-row][data-customer-id='{ada}']"
        ))
        .await?;
        p.el(&format!(
            "[data-testid=member-row][data-customer-id='{alan}']"
        ))
        .await?;
        // A search nothing matches says so.
        p.fill("#member-add-search", "nobody-like-this").await?;
        p.text_is(
            "member-add-empty",
            "No customer matches “nobody-like-this”.",
        )
        .await?;

        p.click(&format!(
            "[data-testid=member-row][data-customer-id='{ada}'] [data-testid=member-remove]"
        ))
        .await?;
        p.text_is("group-customers-count", "1").await?;
        p.text_is("member-total", "(1 member)").await?;
        p.none(&format!(
            "[data-testid=member-row][data-customer-id='{ada}']"
        ))
        .await?;

        // The server agrees.
        let a = s
            .get(&format!("/partners/{partner}/groups/{group}/customers"), &t)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body["meta"]["total"], 1);
        assert_eq!(a.body["data"][0]["id"], alan);
        let a = s
            .get(&format!("/partners/{partner}/groups/{group}"), &t)
            .await;
        assert_eq!(a.body["data"]["customers_count"], 1);

        // And the list shows the new count.
        p.click("#back-to-groups").await?;
        p.xpath(
            "//*[@data-testid='group-row']//*[@data-testid='group-count'][normalize-space()='1']",
        )
        .await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_group_name_is_reported_beside_the_field() {
    run("duplicate-name", DESKTOP, |p| async move {
        let s = &p.s;
        let partner = s.partner("Hall").await;
        s.group(&s.admin, partner, "VIP").await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        group_row(&p, "VIP").await?;
        p.fill("#group-create-name", "  vip ").await?;
        p.click("#group-create-submit").await?;
        p.text_is(
            "group-create-name-error",
            "The name has already been taken.",
        )
        .await?;
        let name = p.el("#group-create-name").await?;
        assert_eq!(name.attr("aria-invalid").await?.as_deref(), Some("true"));
        // The message is at the field, not (also) in the alert.
        p.gone("alert").await?;
        // The field has focus, so typing fixes it; a change clears the stale message.
        let focused = p.c.active_element().await?;
        assert_eq!(
            focused.attr("id").await?.as_deref(),
            Some("group-create-name")
        );
        name.send_keys(" 2").await?;
        p.gone("group-create-name-error").await?;
        p.click("#group-create-submit").await?;
        group_row(&p, "vip 2").await?;
        p.text_is("group-total", "(2 groups)").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_user_sees_no_controls_that_change_anything() {
    run("read-only", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        let group = s.group(&t, partner, "Regulars").await;
        let c = s
            .customer(&t, partner, "Ada", "Lovelace", Some("ada@example.com"))
            .await;
        assert_eq!(s.add_member(&t, partner, group, c).await.status, StatusCode::OK);
        s.user("reader@test.local", &["groups.read"], &[partner]).await;

        p.login("reader@test.local", PASSWORD).await?;
        group_row(&p, "Regulars").await?;
        p.none("#group-create-form").await?;
        p.none("#group-create").await?;
        p.none("[data-testid=group-delete]").await?;
        for hidden in ["nav-customers", "nav-users", "nav-partners"] {
            p.gone(hidden).await?;
        }
        p.shown("nav-groups").await?;

        p.click("[data-testid=group-name]").await?;
        p.text_is("group-customers-count", "1").await?;
        p.el(&format!("[data-testid=member-row][data-customer-id='{c}']"))
            .await?;
        for absent in [
            "#group-edit-form",
            "#group-delete",
            "#member-add-form",
            "#member-batch-open",
            "[data-testid=member-remove]",
            // The history needs audit.read.
            "#group-history",
        ] {
            p.none(absent).await?;
        }
        // Reading is enough to export.
        p.shown("group-export").await?;
        // No empty "Actions" column either.
        let headers = p.js("return [...document.querySelectorAll('#member-table th')].map(th => th.textContent);").await?;
        assert_eq!(headers, json!(["Name", "Email", "Phone", "Added"]));
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_revokes_the_token_which_lives_only_in_session_storage() {
    run("logout", DESKTOP, |p| async move {
        let s = &p.s;
        let partner = s.partner("Hall").await;
        s.group(&s.admin, partner, "Regulars").await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        group_row(&p, "Regulars").await?;
        let token = p.token().await?.ok_or("no token in sessionStorage")?;
        assert!(token.len() >= 32, "token {token:?}");
        assert_eq!(s.get("/me", &token).await.status, StatusCode::OK);
        // Nowhere else: not in localStorage, a cookie or the URL.
        let local = p
            .js("return JSON.stringify(Object.entries(localStorage));")
            .await?;
        assert_eq!(local, json!("[]"));
        let cookie = p.js("return document.cookie;").await?;
        assert_eq!(cookie, json!(""));
        let url = p.c.current_url().await?;
        assert!(!url.as_str().contains(&token), "{url}");

        p.click("#logout").await?;
        p.shown("login-form").await?;
        p.gone("session-bar").await?;
        p.gone("nav").await?;
        assert_eq!(p.token().await?, None);
        let url = p.c.current_url().await?;
        assert!(!url.as_str().contains(&token), "{url}");
        let local = p
            .js("return JSON.stringify(Object.entries(localStorage));")
            .await?;
        assert_eq!(local, json!("[]"));

        // The server forgot it too.
        common::expect_unauthenticated(&s.get("/me", &token).await, "the old token");
        // A reload stays logged out.
        p.c.refresh().await?;
        p.shown("login-form").await?;
        p.gone("session-bar").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_takes_the_page_back_to_the_login_form() {
    run("expired-session", DESKTOP, |p| async move {
        let s = &p.s;
        let partner = s.partner("Hall").await;
        let group = s.group(&s.admin, partner, "Regulars").await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        group_row(&p, "Regulars").await?;
        // The token is revoked behind the page's back.
        let token = p.token().await?.ok_or("no token in sessionStorage")?;
        let a = s
            .call(reqwest::Method::POST, "/auth/logout", Some(&token), None)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);

        p.click("[data-testid=group-name]").await?;
        p.shown("login-form").await?;
        p.text_is("alert", "Your session has ended, please log in again.")
            .await?;
        p.gone("session-bar").await?;
        assert_eq!(p.token().await?, None);

        // Logging in again goes back to where the session ended.
        p.submit_login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.text_is("view-title", "Regulars").await?;
        p.gone("alert").await?;
        let url = p.c.current_url().await?;
        assert!(
            url.as_str().ends_with(&format!("#/groups/{group}")),
            "{url}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_talks_to_its_own_server_only() {
    run("own-origin", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        let group = s.group(&t, partner, "Regulars").await;
        let c = s.customer(&t, partner, "Ada", "Lovelace", None).await;
        s.add_member(&t, partner, group, c).await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        group_row(&p, "Regulars").await?;
        p.click("[data-testid=group-name]").await?;
        p.el("[data-testid=member-row]").await?;
        p.click("#nav-customers").await?;
        p.el("[data-testid=customer-row]").await?;

        let names = p
            .js("return performance.getEntriesByType('resource').map(e => e.name);")
            .await?;
        let names: Vec<String> = serde_json::from_value(names)?;
        assert!(names.len() > 5, "{names:?}");
        let origin = format!("{}/", s.url);
        for name in &names {
            assert!(name.starts_with(&origin), "{name} is not on {origin}");
        }
        assert!(
            names.iter().any(|n| n.contains("/api/internal/v1/")),
            "{names:?}"
        );
        // Nothing on the page points elsewhere either.
        let foreign = p
            .js("return [...document.querySelectorAll('[src],[href]')]
                   .map(e => e.src || e.href)
                   .filter(u => !u.startsWith(location.origin + '/'));")
            .await?;
        assert_eq!(foreign, json!([]));
        Ok(())
    })
    .await;
}

/// Sends a request line as typed (no client normalises the path) and
/// answers the status code.
async fn raw_status(addr: &str, path: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1).unwrap_or_default();
    status
        .parse()
        .unwrap_or_else(|_| panic!("no status in {text:?}"))
}

// No browser needed: the headers the assets are served with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_carry_the_security_headers_and_stay_small() {
    let s = common::TestServer::start().await;
    for (path, kind) in [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
    ] {
        let r = s
            .client
            .get(format!("{}{path}", s.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let h = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(h("content-type"), kind, "{path}");
        let csp = h("content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{path}: {csp}"
        );
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{path}");
        let etag = h("etag");
        assert!(
            etag.starts_with('"') && etag.len() > 2,
            "{path}: etag {etag:?}"
        );
        assert!(!h("cache-control").is_empty(), "{path}");
        // The ETag revalidates.
        let again = s
            .client
            .get(format!("{}{path}", s.url))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }

    let addr = s.url.trim_start_matches("http://").to_string();
    for path in [
        "/..%2fCargo.toml",
        "/%2e%2e/schema.sql",
        "/../schema.sql",
        "/assets/app.js",
        "/.gitignore",
        "/nope.js",
    ] {
        assert_eq!(raw_status(&addr, path).await, 404, "{path}");
    }

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let total: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(total < 150 * 1024, "the assets weigh {total} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_usable_at_phone_width() {
    run("phone", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s
            .partner("The Grand Concert Hall and Conference Centre")
            .await;
        let group = s
            .group(
                &t,
                partner,
                "Season-ticket-holders-of-the-north-stand-since-2010",
            )
            .await;
        let long = s
            .customer(
                &t,
                partner,
                "Maximiliane",
                "Oberhuber-Schwarzenberger",
                Some("maximiliane.oberhuber-schwarzenberger@very-long-venue-domain.example"),
            )
            .await;
        let short = s.customer(&t, partner, "Bo", "Li", None).await;
        s.add_member(&t, partner, group, long).await;
        s.add_member(&t, partner, group, short).await;

        p.c.set_window_size(375, 800).await?;
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        let width = p.js("return window.innerWidth;").await?;
        assert!(
            width.as_u64().is_some_and(|w| w <= 375),
            "innerWidth {width}"
        );

        group_row(&p, "Season-ticket-holders-of-the-north-stand-since-2010").await?;
        assert!(
            !p.scrolls_sideways().await?,
            "the groups page scrolls sideways"
        );
        // Creating works.
        let create = p.el("#group-create-submit").await?;
        assert!(create.is_displayed().await?);
        p.fill("#group-create-name", "Box seats").await?;
        create.click().await?;
        group_row(&p, "Box seats").await?;
        assert!(
            !p.scrolls_sideways().await?,
            "the groups page scrolls sideways"
        );

        // So does opening a group from its row.
        let name = p
            .el(&format!(
                "[data-group-id='{group}'] [data-testid=group-name]"
            ))
            .await?;
        assert!(name.is_displayed().await?);
        name.click().await?;
        p.text_is("group-customers-count", "2").await?;
        let row = format!("[data-testid=member-row][data-customer-id='{long}']");
        let member = p.el(&format!("{row} [data-testid=member-name]")).await?;
        assert!(member.is_displayed().await?);
        assert!(
            !p.scrolls_sideways().await?,
            "the group page scrolls sideways"
        );
        p.click(&format!("{row} [data-testid=member-remove]"))
            .await?;
        p.text_is("group-customers-count", "1").await?;
        assert!(
            !p.scrolls_sideways().await?,
            "the group page scrolls sideways"
        );
        let a = s
            .get(&format!("/partners/{partner}/groups/{group}/customers"), &t)
            .await;
        assert_eq!(a.body["data"][0]["id"], short);
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_group_page_lists_its_members() {
    run("group-page", (1280, 800), |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Stadthalle Linz").await;
        s.group(&t, partner, "Newsletter").await;
        let group = s.group(&t, partner, "Season ticket holders").await;
        let a = s
            .put(
                &format!("/partners/{partner}/groups/{group}"),
                &t,
                json!({"description": "Everyone with a 2026/27 season ticket; renewals open in August."}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        s.group(&t, partner, "Volunteers").await;
        let people = [
            ("Anna", "Berger", Some("anna.berger@example.com"), Some("+43 732 123456")),
            ("Lukas", "Hofer", Some("lukas.hofer@example.com"), None),
            ("Sophie", "Wagner", None, Some("+43 664 9876543")),
            ("Jonas", "Gruber", Some("jonas@example.com"), None),
        ];
        for (first, last, email, phone) in people {
            let a = s
                .post(
                    &format!("/partners/{partner}/customers"),
                    &t,
                    json!({"first_name": first, "last_name": last, "email": email, "phone": phone}),
                )
                .await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.text);
            let c = a.body["data"]["id"].as_i64().unwrap();
            assert_eq!(s.add_member(&t, partner, group, c).await.status, StatusCode::OK);
        }
        s.customer(&t, partner, "Marie", "Huber", Some("marie.huber@example.com"))
            .await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        group_row(&p, "Season ticket holders").await?;
        p.click(&format!("[data-group-id='{group}'] [data-testid=group-name]"))
            .await?;
        p.text_is("group-customers-count", "4").await?;
        p.text_is("member-total", "(4 members)").await?;
        let names = p
            .js("return [...document.querySelectorAll('[data-testid=member-name]')].map(e => e.textContent);")
            .await?;
        assert_eq!(names, json!(["Anna Berger", "Lukas Hofer", "Sophie Wagner", "Jonas Gruber"]));
        // An empty email is empty text (the dash is CSS only).
        let emails = p
            .js("return [...document.querySelectorAll('[data-testid=member-email]')].map(e => e.textContent);")
            .await?;
        assert_eq!(emails[2], json!(""));
        let phones = p
            .js("return [...document.querySelectorAll('[data-testid=member-phone]')].map(e => e.textContent);")
            .await?;
        assert_eq!(phones, json!(["+43 732 123456", "", "+43 664 9876543", ""]));
        // The edit form starts with the group as it is.
        let name = p.el("#group-edit-name").await?;
        assert_eq!(name.prop("value").await?.as_deref(), Some("Season ticket holders"));

        if let Some(path) = std::env::var_os("VENUE_GROUPS_SCREENSHOT") {
            // Show the picker with a result, as someone adding a member sees it.
            p.fill("#member-add-search", "marie").await?;
            p.el("[data-testid=customer-result]").await?;
            // A 1280 x 800 viewport (the window also holds the browser's own bars),
            // scrolled to the picker and the members.
            let bars = p.js("return window.outerHeight - window.innerHeight;").await?;
            let bars = bars.as_u64().unwrap_or(0) as u32;
            p.c.set_window_size(1280, 800 + bars).await?;
            p.js("document.activeElement.blur();
                  window.scrollTo(0, document.getElementById('member-add').offsetTop - 16);
                  return null;")
                .await?;
            p.gone("busy").await?;
            tokio::time::timeout(Duration::from_secs(10), async {
                std::fs::write(&path, p.c.screenshot().await?)?;
                TestResult::Ok(())
            })
            .await??;
            eprintln!("screenshot saved to {}", std::path::Path::new(&path).display());
        }
        Ok(())
    })
    .await;
}

/// A CSV file in a temp dir, for the import's `<input type=file>`; deleted
/// when dropped.
fn csv_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .prefix("import-")
        .suffix(".csv")
        .tempfile()
        .expect("temp csv");
    std::io::Write::write_all(&mut file, text.as_bytes()).expect("write csv");
    file
}

/// Picks `file` in the import's file input (WebDriver types the path).
async fn choose_file(p: &Page, file: &tempfile::NamedTempFile) -> TestResult {
    let path = file.path().to_str().ok_or("temp path is not UTF-8")?;
    p.el("#customer-import-file").await?.send_keys(path).await?;
    Ok(())
}

async fn customers_total(s: &common::TestServer, partner: i64) -> i64 {
    let a = s
        .get(&format!("/partners/{partner}/customers"), &s.admin)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["meta"]["total"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_import_with_a_bad_row_shows_it_and_writes_nothing() {
    run("import-bad", DESKTOP, |p| async move {
        let s = &p.s;
        let partner = s.partner("Hall").await;
        s.customer(
            &s.admin,
            partner,
            "Ada",
            "Lovelace",
            Some("ada@example.com"),
        )
        .await;
        let file = csv_file(
            "first_name,last_name,email\n\
             Alan,Turing,alan@example.com\n\
             Grace,Hopper,not-an-email\n\
             ,Nameless,nameless@example.com\n",
        );

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.click("#nav-customers").await?;
        p.el("[data-testid=customer-row]").await?;
        let submit = p.el("#customer-import-submit").await?;
        assert_eq!(submit.prop("disabled").await?.as_deref(), Some("true"));
        choose_file(&p, &file).await?;
        p.click("#customer-import-preview").await?;

        // One line per problem, by row, each with its key.
        p.shown("customer-import-errors").await?;
        let errors = p
            .js(
                "return [...document.querySelectorAll('#customer-import-errors li')]
                   .map(li => [li.dataset.key, li.textContent]);",
            )
            .await?;
        let errors = errors.as_array().ok_or("no list")?;
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0][0], "rows.2.email");
        assert_eq!(errors[1][0], "rows.3.first_name");
        let text = errors[0][1].as_str().unwrap_or_default();
        assert!(text.starts_with("rows.2.email: "), "{text}");
        assert!(text.contains("email"), "{text}");
        p.gone("customer-import-counts").await?;

        // Nothing was written, and there is nothing to import.
        assert_eq!(customers_total(s, partner).await, 1);
        assert_eq!(submit.prop("disabled").await?.as_deref(), Some("true"));
        p.text_is("customer-total", "(1 customer)").await?;
        let a = s
            .get(
                &format!("/partners/{partner}/audit?action=customers.imported"),
                &s.admin,
            )
            .await;
        assert_eq!(a.body["meta"]["total"], 0, "{}", a.text);
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_import_is_previewed_then_imported_into_a_group() {
    run("import-good", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        s.group(&t, partner, "Newsletter").await;
        let group = s.group(&t, partner, "Season 2026").await;
        let ada = s
            .customer(&t, partner, "Ada", "Lovelace", Some("ada@example.com"))
            .await;
        // Semicolons, as German-speaking spreadsheets write them; Ada is known by her email.
        let file = csv_file(
            "first_name;last_name;email;phone\n\
             Alan;Turing;alan@example.com;+44 20 1234\n\
             Ada;Lovelace;ADA@example.com;\n\
             Grace;Hopper;;\n",
        );

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.click("#nav-customers").await?;
        p.text_is("customer-total", "(1 customer)").await?;
        choose_file(&p, &file).await?;
        p.el(&format!("#customer-import-group option[value='{group}']"))
            .await?;
        p.el("#customer-import-group")
            .await?
            .select_by_value(&group.to_string())
            .await?;
        p.click("#customer-import-preview").await?;
        p.shown("customer-import-counts").await?;
        let count = |testid: &'static str| {
            let p = p.clone();
            async move {
                let el = p.el(&format!("[data-testid={testid}]")).await?;
                Ok::<_, harness::Error>(el.text().await?)
            }
        };
        assert_eq!(count("import-created").await?, "2");
        assert_eq!(count("import-matched").await?, "1");
        assert_eq!(count("import-added").await?, "3");
        p.gone("customer-import-problems").await?;
        // A preview writes nothing.
        assert_eq!(customers_total(s, partner).await, 1);

        p.click("#customer-import-submit").await?;
        p.text_is("customer-import-outcome", "Imported.").await?;
        p.text_is("customer-total", "(3 customers)").await?;
        for name in ["Ada Lovelace", "Alan Turing", "Grace Hopper"] {
            p.xpath(&format!(
                "//*[@data-testid='customer-row']//*[@data-testid='customer-name'][normalize-space()={}]",
                xpath_literal(name)
            ))
            .await?;
        }
        let submit = p.el("#customer-import-submit").await?;
        assert_eq!(submit.prop("disabled").await?.as_deref(), Some("true"));

        assert_eq!(customers_total(s, partner).await, 3);
        let a = s
            .get(&format!("/partners/{partner}/groups/{group}/customers"), &t)
            .await;
        assert_eq!(a.body["meta"]["total"], 3, "{}", a.text);
        assert_eq!(a.body["data"][0]["id"], ada);
        let alan = a.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["first_name"] == "Alan")
            .ok_or("Alan is not a member")?;
        assert_eq!(alan["phone"], "+44 20 1234");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_many_adds_three_customers_in_one_call() {
    run("add-many", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        let group = s.group(&t, partner, "Choir").await;
        let mut ids = Vec::new();
        for (first, last) in [("Anna", "Berger"), ("Lukas", "Hofer"), ("Sophie", "Wagner")] {
            ids.push(s.customer(&t, partner, first, last, None).await);
        }
        let other = s.customer(&t, partner, "Jonas", "Gruber", None).await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.open(&format!("#/groups/{group}")).await?;
        p.text_is("group-customers-count", "0").await?;
        p.click("#member-batch-open").await?;
        // The list starts with everyone; one is ticked from a search, two from the full list.
        p.el(&format!(
            "[data-testid=batch-customer][data-customer-id='{other}']"
        ))
        .await?;
        p.click(&format!(
            "[data-testid=batch-customer][data-customer-id='{}']",
            ids[0]
        ))
        .await?;
        p.fill("#member-batch-search", "wagner").await?;
        p.xpath("//*[@id='member-batch-list'][count(li)=1]").await?;
        p.click(&format!(
            "[data-testid=batch-customer][data-customer-id='{}']",
            ids[2]
        ))
        .await?;
        p.el("#member-batch-search").await?.clear().await?;
        p.click("#member-batch-search-submit").await?;
        p.xpath("//*[@id='member-batch-list'][count(li)=4]").await?;
        // Ticks survive the searches.
        let first = p
            .el(&format!(
                "[data-testid=batch-customer][data-customer-id='{}']",
                ids[0]
            ))
            .await?;
        assert!(first.is_selected().await?);
        p.click(&format!(
            "[data-testid=batch-customer][data-customer-id='{}']",
            ids[1]
        ))
        .await?;
        p.text_is("member-batch-submit", "Add 3 selected").await?;
        p.click("#member-batch-submit").await?;

        p.text_is("group-customers-count", "3").await?;
        p.text_is("member-total", "(3 members)").await?;
        for id in &ids {
            p.el(&format!(
                "[data-testid=member-row][data-customer-id='{id}']"
            ))
            .await?;
        }
        p.none(&format!(
            "[data-testid=member-row][data-customer-id='{other}']"
        ))
        .await?;
        let submit = p.el("#member-batch-submit").await?;
        assert_eq!(submit.prop("disabled").await?.as_deref(), Some("true"));

        // One call: one batch entry in the trail, no single adds.
        let a = s
            .get(
                &format!("/partners/{partner}/audit?subject_type=group&subject_id={group}"),
                &t,
            )
            .await;
        let actions: Vec<&str> = a.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            actions,
            ["group.members_batch", "group.created"],
            "{}",
            a.text
        );
        let mut added: Vec<i64> =
            serde_json::from_value(a.body["data"][0]["changes"]["added"].clone())?;
        added.sort_unstable();
        assert_eq!(added, ids);
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_group_history_shows_its_creation_and_member_changes() {
    run("history", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let admin = common::user_id_of(s, &t).await;
        let partner = s.partner("Hall").await;
        let group = s.group(&t, partner, "Regulars").await;
        let ada = s
            .customer(&t, partner, "Ada", "Lovelace", Some("ada@example.com"))
            .await;
        let alan = s.customer(&t, partner, "Alan", "Turing", None).await;
        assert_eq!(s.add_member(&t, partner, group, ada).await.status, StatusCode::OK);
        let a = s
            .delete(
                &format!("/partners/{partner}/groups/{group}/customers/{ada}"),
                &t,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        // Someone else (with audit.read) looks: the admin's changes are "user N".
        let (_, _) = s
            .user(
                "desk@test.local",
                &["groups.read", "groups.update", "customers.read", "audit.read"],
                &[partner],
            )
            .await;

        p.login("desk@test.local", PASSWORD).await?;
        p.open(&format!("#/groups/{group}")).await?;
        p.text_is("view-title", "Regulars").await?;
        p.xpath("//*[@id='group-history'][count(li)=3]").await?;
        let entries = p
            .js("return [...document.querySelectorAll('[data-testid=history-entry]')].map(li => [
                   li.dataset.action,
                   li.querySelector('[data-testid=history-what]').textContent,
                   li.querySelector('[data-testid=history-who]').textContent,
                   li.querySelector('[data-testid=history-when]').getAttribute('datetime'),
                   [...li.querySelectorAll('[data-testid=history-changes] li')].map(c => c.textContent),
                 ]);")
            .await?;
        let who = format!("user {admin}");
        assert_eq!(entries[0][0], "group.member_removed", "{entries}");
        assert_eq!(entries[0][1], "Member removed");
        assert_eq!(entries[0][4], json!([format!("customer: #{ada}")]));
        assert_eq!(entries[1][0], "group.member_added");
        assert_eq!(entries[1][1], "Member added");
        assert_eq!(entries[1][4], json!([format!("customer: #{ada}")]));
        assert_eq!(entries[2][0], "group.created");
        assert_eq!(entries[2][1], "Created");
        assert_eq!(entries[2][4], json!(["name: “Regulars”"]));
        for entry in entries.as_array().unwrap() {
            assert_eq!(entry[2], json!(who), "{entry}");
            assert!(common::is_utc_timestamp(&entry[3]), "{entry}");
        }

        // A change made on the page shows at the top at once, as the viewer's own.
        p.fill("#member-add-search", "turing").await?;
        p.click(&format!(
            "[data-testid=customer-result][data-customer-id='{alan}']"
        ))
        .await?;
        p.text_is("group-customers-count", "1").await?;
        p.xpath("//*[@id='group-history'][count(li)=4]").await?;
        let top = p
            .el("[data-testid=history-entry]:first-child [data-testid=history-who]")
            .await?;
        assert!(top.text().await?.ends_with("(you)"));
        let top = p
            .el("[data-testid=history-entry]:first-child")
            .await?;
        assert_eq!(top.attr("data-action").await?.as_deref(), Some("group.member_added"));
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_csv_downloads_the_members() {
    run("export", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        let group = s.group(&t, partner, "Regulars").await;
        let ada = s
            .customer(&t, partner, "Ada", "Lovelace", Some("ada@example.com"))
            .await;
        let formula = s.customer(&t, partner, "=1+1", "O'Brien, Jr.", None).await;
        for c in [ada, formula] {
            assert_eq!(s.add_member(&t, partner, group, c).await.status, StatusCode::OK);
        }
        let expected = s
            .get(
                &format!("/partners/{partner}/groups/{group}/customers/export"),
                &t,
            )
            .await;
        assert_eq!(expected.status, StatusCode::OK, "{}", expected.text);
        assert!(expected.text.contains("'=1+1"), "{}", expected.text);

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.open(&format!("#/groups/{group}")).await?;
        p.text_is("group-customers-count", "2").await?;
        // Watch what the page hands to the browser as a file.
        p.js("window.exported = [];
              const create = URL.createObjectURL;
              URL.createObjectURL = (blob) => { window.exported.push(blob); return create.call(URL, blob); };
              return null;")
            .await?;
        p.click("#group-export").await?;
        p.until("return window.exported.length;").await?;
        let text = p.js("return window.exported[0].text();").await?;
        assert_eq!(text, json!(expected.text));

        // And the browser saved it under the server's name.
        let saved = p.downloads.join(format!("group-{group}-members.csv"));
        let started = std::time::Instant::now();
        while !saved.exists() && started.elapsed() < harness::WAIT {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(std::fs::read_to_string(&saved)?, expected.text);
        Ok(())
    })
    .await;
}
