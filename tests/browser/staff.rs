//! Staff and venues: an admin grants permissions in the page and the new
//! user works with them; partners are renamed and deleted (a 409 explained);
//! a login holds across tabs; the last partner is remembered.

use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};
use crate::harness::run;
use crate::{group_row, DESKTOP};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_user_grants_a_permission_and_the_user_can_work() {
    run("grant", DESKTOP, |p| async move {
        let s = &p.s;
        let partner = s.partner("Hall").await;
        s.group(&s.admin, partner, "Regulars").await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.click("#nav-users").await?;
        p.fill("#user-create-email", "desk@test.local").await?;
        p.fill("#user-create-password", PASSWORD).await?;
        p.fill("#user-create-first-name", "Front").await?;
        p.fill("#user-create-last-name", "Desk").await?;
        p.click("#user-create-submit").await?;
        // Straight to the new account, to say what it may do, in plain words.
        p.text_is("view-title", "Front Desk").await?;
        p.xpath("//label[normalize-space()='See groups and their members']").await?;
        let boxes = p.js("return [...document.querySelectorAll('[data-testid=permission]')].map(b => [b.value, b.checked]);").await?;
        assert_eq!(boxes.as_array().map(Vec::len), Some(13), "{boxes}");
        assert!(boxes.as_array().unwrap().iter().all(|b| b[1] == false), "{boxes}");
        p.click("[data-testid=permission][value='groups.read']").await?;
        p.click("#user-permissions-submit").await?;
        p.text_is("status", "Permissions of Front Desk saved.").await?;
        assert_eq!(p.focused_id().await?, "user-permissions-submit");

        let me = s.login("desk@test.local", PASSWORD).await;
        let a = s.get("/me", &me).await;
        assert_eq!(a.body["data"]["permissions"], json!(["groups.read"]), "{}", a.text);
        assert_eq!(a.body["data"]["partner_ids"], json!([partner]));

        p.click("#logout").await?;
        p.submit_login("desk@test.local", PASSWORD).await?;
        group_row(&p, "Regulars").await?;
        p.gone("nav-customers").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_are_renamed_and_a_partner_in_use_is_not_deleted() {
    run("partners", DESKTOP, |p| async move {
        let s = &p.s;
        let used = s.partner("Sporthalle Nord").await;
        s.group(&s.admin, used, "Regulars").await;
        let empty = s.partner("Old Pool").await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.click("#nav-partners").await?;
        let row = format!("[data-partner-id='{used}']");
        p.click(&format!("{row} [data-testid=partner-rename]")).await?;
        assert_eq!(p.focused_id().await?, "partner-rename-name");
        p.fill("#partner-rename-name", "Sporthalle Nord-Ost").await?;
        p.click("#partner-rename-submit").await?;
        p.xpath(&format!(
            "//*[@data-partner-id='{used}']//*[@data-testid='partner-name'][normalize-space()='Sporthalle Nord-Ost']"
        ))
        .await?;
        // The header's list has the new name too, and focus is back on the row.
        p.xpath("//select[@id='partner-select']/option[normalize-space()='Sporthalle Nord-Ost']")
            .await?;
        let focused = p.js("return document.activeElement.closest('[data-partner-id]')?.dataset.partnerId;").await?;
        assert_eq!(focused, json!(used.to_string()));
        let a = s.get(&format!("/partners/{used}"), &s.admin).await;
        assert_eq!(a.body["data"]["name"], "Sporthalle Nord-Ost");

        // Still has a group: 409, said in words.
        p.click(&format!("{row} [data-testid=partner-delete]")).await?;
        p.click("#confirm-ok").await?;
        p.xpath("//*[@id='alert'][contains(., 'still has groups or customers')]").await?;
        assert_eq!(s.get(&format!("/partners/{used}"), &s.admin).await.status, StatusCode::OK);

        p.click(&format!("[data-partner-id='{empty}'] [data-testid=partner-delete]")).await?;
        p.click("#confirm-ok").await?;
        p.text_is("partner-total", "(1 partner)").await?;
        assert_eq!(s.get(&format!("/partners/{empty}"), &s.admin).await.status, StatusCode::NOT_FOUND);
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_tab_is_logged_in_and_a_logout_ends_both() {
    run("tabs", DESKTOP, |p| async move {
        let s = &p.s;
        let partner = s.partner("Hall").await;
        let group = s.group(&s.admin, partner, "Regulars").await;
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        group_row(&p, "Regulars").await?;
        let first = p.c.window().await?;
        let token = p.token().await?.ok_or("no token")?;

        let tab = p.c.new_window(true).await?;
        p.c.switch_to_window(tab.handle).await?;
        p.open(&format!("#/groups/{group}")).await?;
        p.text_is("view-title", "Regulars").await?;
        assert_eq!(p.token().await?.as_deref(), Some(token.as_str()));
        // Handed over in memory: nothing in localStorage or the URL.
        let local = p
            .js("return JSON.stringify(Object.entries(localStorage));")
            .await?;
        assert!(!local.to_string().contains(&token), "{local}");
        assert!(!p.c.current_url().await?.as_str().contains(&token));

        p.click("#logout").await?;
        p.shown("login-form").await?;
        p.c.switch_to_window(first).await?;
        p.shown("login-form").await?;
        assert_eq!(p.token().await?, None);
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_partner_is_remembered_for_the_next_login() {
    run("last-partner", DESKTOP, |p| async move {
        let s = &p.s;
        let alpha = s.partner("Alpha Hall").await;
        let beta = s.partner("Beta Arena").await;
        s.group(&s.admin, beta, "Beta regulars").await;
        s.user("two@test.local", &["groups.read"], &[alpha, beta])
            .await;
        p.login("two@test.local", PASSWORD).await?;
        p.text_is("view-title", "Choose a partner").await?;
        p.el("#partner-select")
            .await?
            .select_by_value(&beta.to_string())
            .await?;
        group_row(&p, "Beta regulars").await?;
        p.click("#logout").await?;
        p.submit_login("two@test.local", PASSWORD).await?;
        group_row(&p, "Beta regulars").await?;
        Ok(())
    })
    .await;
}
