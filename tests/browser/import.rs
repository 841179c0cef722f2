//! Importing customers from a spreadsheet's CSV file.

use crate::common::{self, ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::harness::{self, run, xpath_literal, Page, TestResult};
use crate::DESKTOP;
use reqwest::StatusCode;

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
             Bert,Broken,not-an-email\n\
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
        // Data row 2 is line 3 of the file, as a spreadsheet numbers it, named by its person.
        assert_eq!(
            errors[0][1],
            "Line 3 (Bert Broken), email: 'not-an-email' is not a valid email address"
        );
        assert_eq!(
            errors[1][1],
            "Line 4 (Nameless), first name: empty, but it is required"
        );
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
        // The Import button disabled itself; focus is on the outcome, not <body>.
        let focused = p.c.active_element().await?;
        assert_eq!(focused.attr("id").await?.as_deref(), Some("customer-import-outcome"));
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
