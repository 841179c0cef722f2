//! German and English: the page follows the browser's language, says every
//! word in it, formats dates in its locale, and switches back in the header.

use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::harness::{run_in, Page};
use crate::DESKTOP;
use serde_json::json;

/// English keys the page looked up without finding German (i18n.js).
async fn untranslated(p: &Page) -> Result<serde_json::Value, crate::harness::Error> {
    p.js("return window.venueGroupsI18nMissing();").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_german_for_a_german_browser_and_switches_back() {
    run_in("german", DESKTOP, "de-AT,de", |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Stadthalle Linz").await;
        let group = s.group(&t, partner, "Saisonkarten").await;
        let c = s
            .customer(&t, partner, "Anna", "Müller", Some("anna@example.com"))
            .await;
        s.add_member(&t, partner, group, c).await;

        p.open("").await?;
        p.text_is("login-submit", "Anmelden").await?;
        assert_eq!(
            p.js("return document.documentElement.lang;").await?,
            json!("de")
        );
        p.text_is("lang-switch", "English").await?;
        p.submit_login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.text_is("view-title", "Gruppen").await?;
        p.text_is("nav-customers", "Kunden").await?;
        p.text_is("logout", "Abmelden").await?;

        p.open(&format!("#/groups/{group}")).await?;
        p.text_is("member-list-title", "Mitglieder").await?;
        p.text_is("member-total", "(1 Mitglied)").await?;
        p.text_is("member-add-open", "Mitglieder hinzufügen")
            .await?;
        // Dates in the Austrian locale: 03.12.2026, 08:15.
        let added = p.el("[data-testid=member-added]").await?.text().await?;
        assert!(
            regex_like_german_date(&added),
            "{added:?} is not a German date"
        );
        p.click("#member-add-open").await?;
        p.fill("#member-add-search", "müller").await?;
        p.el("[data-testid=customer-result][data-member=true]")
            .await?;
        p.click("#member-batch-open").await?;
        p.click("#group-more > summary").await?;
        // The API's English message is replaced where the page knows the field.
        p.fill("#group-edit-name", "").await?;
        p.click("#group-edit-submit").await?;
        p.text_is("group-edit-name-error", "Bitte ausfüllen.")
            .await?;

        for (hash, ready) in [
            ("#/customers", "customer-list-title"),
            ("#/users", "user-list-title"),
            ("#/partners", "partner-list-title"),
        ] {
            p.open(hash).await?;
            p.shown(ready).await?;
        }
        p.text_is("partner-list-title", "Alle Partner").await?;
        assert_eq!(untranslated(&p).await?, json!([]), "words without German");

        // Back to English, from the header, and it stays after a reload.
        p.click("#lang-switch").await?;
        p.text_is("partner-list-title", "All partners").await?;
        p.text_is("logout", "Log out").await?;
        p.text_is("lang-switch", "Deutsch").await?;
        assert_eq!(
            p.js("return document.documentElement.lang;").await?,
            json!("en")
        );
        assert_eq!(p.focused_id().await?, "lang-switch");
        p.c.refresh().await?;
        p.text_is("view-title", "Partners").await?;
        Ok(())
    })
    .await;
}

/// "03.12.2026, 08:15" (de-AT / de-DE medium date, short time).
fn regex_like_german_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 10
        && b[2] == b'.'
        && b[5] == b'.'
        && [0, 1, 3, 4, 6, 7, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}
