//! The admin page in a real browser: headless Chromium (Debian's
//! `chromium` + `chromium-driver`) over WebDriver, against the real server
//! with a fresh database per test. The plumbing is in harness.rs; a failing
//! test leaves a screenshot in its temp dir and prints the path. The ids the
//! tests find things by are listed in HOOKS.md.
//!
//! This file: groups and the session basics. The other modules, one per
//! behaviour, are declared below.
//!
//! Set `VENUE_GROUPS_SCREENSHOT=path.png` to have
//! `group_page::desktop_group_page_lists_its_members` save its page there
//! (that is how examples/admin-page.png is made).

#[path = "../common/mod.rs"]
mod common;
mod harness;

mod a11y;
mod accounts;
mod assets;
mod desk;
mod group_page;
mod i18n;
mod import;
mod staff;

use common::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};
use harness::{run, xpath_literal, Page, TestResult};
use reqwest::StatusCode;
use serde_json::json;

const DESKTOP: (u32, u32) = (1280, 900);

/// The group row whose name is `name`, once it is listed.
pub(crate) async fn group_row(p: &Page, name: &str) -> TestResult {
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
        p.click("#member-add-open").await?;

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
        // In the page's own words (the API's message is about "the name field").
        p.text_is(
            "group-create-name-error",
            "This is already taken; choose another.",
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
        // Nowhere else: not in localStorage (which holds the language and last partner only), a cookie or the URL.
        let local = p
            .js("return JSON.stringify(Object.entries(localStorage));")
            .await?;
        assert!(!local.to_string().contains(&token), "{local}");
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
        assert!(!local.to_string().contains(&token), "{local}");

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
