//! Logins over their whole life in the page: a user changes its own
//! password; a manager sets a new one for a colleague, who then logs in with
//! it; an admin disables a login and its session ends; all of it in German
//! too, with nothing serious for axe.

use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};
use crate::harness::{run, run_in};
use crate::DESKTOP;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_changes_its_own_password_and_keeps_working() {
    run("own-password", DESKTOP, |p| async move {
        let s = &p.s;
        let partner = s.partner("Hall").await;
        let (_, elsewhere) = s
            .user("desk@hall.example", &["groups.read"], &[partner])
            .await;
        p.login("desk@hall.example", PASSWORD).await?;

        p.click("#my-password").await?;
        p.text_is("view-title", "Change my password").await?;
        assert_eq!(p.focused_id().await?, "password-change-current-password");
        // A wrong current password is said beside its field.
        p.fill("#password-change-current-password", "not-my-password")
            .await?;
        p.fill("#password-change-new-password", "my-new-password-1")
            .await?;
        p.fill(
            "#password-change-new-password-confirmation",
            "my-new-password-1",
        )
        .await?;
        p.click("#password-change-submit").await?;
        p.text_is(
            "password-change-current-password-error",
            "This password is wrong.",
        )
        .await?;
        // Two different new passwords: said beside the new one.
        p.fill("#password-change-current-password", PASSWORD)
            .await?;
        p.fill(
            "#password-change-new-password-confirmation",
            "my-new-password-2",
        )
        .await?;
        p.click("#password-change-submit").await?;
        p.text_is(
            "password-change-new-password-error",
            "The two passwords differ.",
        )
        .await?;

        p.fill(
            "#password-change-new-password-confirmation",
            "my-new-password-1",
        )
        .await?;
        p.click("#password-change-submit").await?;
        p.text_is(
            "status",
            "Password changed. Your other sessions have ended.",
        )
        .await?;

        // This session goes on; the other one ended; only the new password works.
        let mine = p.token().await?.ok_or("no token")?;
        assert_eq!(s.get("/me", &mine).await.status, StatusCode::OK);
        assert_eq!(
            s.get("/me", &elsewhere).await.status,
            StatusCode::UNAUTHORIZED
        );
        s.login("desk@hall.example", "my-new-password-1").await;
        p.click("#nav-groups").await?;
        p.text_is("view-title", "Groups").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_sets_a_new_password_and_the_colleague_logs_in_with_it() {
    run("reset-password", DESKTOP, |p| async move {
        let s = &p.s;
        let partner = s.partner("Hall").await;
        s.group(&s.admin, partner, "Regulars").await;
        s.user(
            "manager@hall.example",
            &["users.read", "users.update", "groups.read"],
            &[partner],
        )
        .await;
        let (lena, old) = s
            .user("lena@hall.example", &["groups.read"], &[partner])
            .await;

        p.login("manager@hall.example", PASSWORD).await?;
        p.click("#nav-users").await?;
        p.click(&format!("[data-user-id='{lena}'] [data-testid=user-name]"))
            .await?;
        p.text_is("view-title", "Test User").await?;
        // Not an admin: no permission boxes, no admin actions.
        p.none("#user-permissions-form").await?;
        p.none("#user-disable").await?;

        p.fill("#user-edit-first-name", "Lena").await?;
        p.click("#user-edit-submit").await?;
        p.text_is("status", "Lena User saved.").await?;
        p.text_is("view-title", "Lena User").await?;

        p.fill("#user-password-new-password", "set-by-the-manager")
            .await?;
        p.fill(
            "#user-password-new-password-confirmation",
            "set-by-the-manager",
        )
        .await?;
        p.click("#user-password-submit").await?;
        p.text_is("confirm-title", "Set password: Lena User?")
            .await?;
        p.click("#confirm-ok").await?;
        // Saved: the page is drawn again from the answer, the form empty.
        p.until("return document.getElementById('user-password-new-password')?.value === '';")
            .await?;
        assert_eq!(
            s.get("/me", &old).await.status,
            StatusCode::UNAUTHORIZED,
            "her sessions ended"
        );

        p.click("#logout").await?;
        p.submit_login("lena@hall.example", "set-by-the-manager")
            .await?;
        p.text_is("current-user", "Lena User").await?;
        p.text_is("view-title", "Groups").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_disables_a_login_and_its_session_ends() {
    run("disable", DESKTOP, |p| async move {
        let s = &p.s;
        let partner = s.partner("Hall").await;
        s.group(&s.admin, partner, "Regulars").await;
        let (id, token) = s
            .user("left@hall.example", &["groups.read"], &[partner])
            .await;

        // The admin disables the login on its page.
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.open(&format!("#/users/{id}")).await?;
        p.click("#user-disable").await?;
        p.text_is("confirm-title", "Disable login: Test User?")
            .await?;
        p.click("#confirm-ok").await?;
        p.shown("user-disabled").await?;
        p.text_is("user-disable", "Enable login").await?;
        assert_eq!(s.get("/me", &token).await.status, StatusCode::UNAUTHORIZED);
        p.click("#user-disable").await?;
        p.text_is("user-disable", "Disable login").await?;
        p.click("#logout").await?;

        // Signed in as that user, the session ends the moment it is disabled.
        p.submit_login("left@hall.example", PASSWORD).await?;
        p.text_is("view-title", "Groups").await?;
        let a = s
            .put(&format!("/users/{id}"), &s.admin, json!({"disabled": true}))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        // The next request the page makes (here: reloading it) is refused.
        p.c.refresh().await?;
        p.shown("login-form").await?;
        p.text_is("alert", "Your session has ended, please log in again.")
            .await?;
        p.fill("#login-email", "left@hall.example").await?;
        p.fill("#login-password", PASSWORD).await?;
        p.click("#login-submit").await?;
        p.text_is("alert", "The email or the password is wrong.")
            .await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_pages_are_all_german_for_a_german_browser() {
    run_in("accounts-german", DESKTOP, "de-DE,de", |p| async move {
        let s = &p.s;
        let partner = s.partner("Halle").await;
        let (id, _) = s.user("lena@halle.example", &[], &[partner]).await;
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.click("#my-password").await?;
        p.text_is("view-title", "Mein Passwort ändern").await?;
        assert_eq!(p.axe().await?, Vec::<String>::new(), "axe on #/password");
        p.open(&format!("#/users/{id}")).await?;
        p.text_is("user-detach", "Vom Partner entfernen").await?;
        assert_eq!(p.axe().await?, Vec::<String>::new(), "axe on a user's page");
        p.click("#user-revoke").await?;
        p.text_is(
            "confirm-message",
            "Alle Sitzungen von Test User enden jetzt.",
        )
        .await?;
        p.click("#confirm-ok").await?;
        p.text_is("status", "Alle Sitzungen von Test User enden jetzt.")
            .await?;
        let missing = p.js("return window.venueGroupsI18nMissing();").await?;
        assert_eq!(missing, json!([]), "untranslated");
        Ok(())
    })
    .await;
}
