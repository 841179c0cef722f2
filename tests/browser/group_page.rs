//! A group's page: members, adding one or many, history, export, and its
//! layout on a phone and a desktop.

use crate::common::{self, ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::harness::{self, run, TestResult};
use crate::{group_row, DESKTOP};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

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

        // Members come first: the list starts within the first screen, with the
        // rarer actions behind "More actions".
        let top = p.js("return document.getElementById('member-list').getBoundingClientRect().top;").await?;
        assert!(top.as_f64().unwrap_or(9e9) < 500.0, "the members start at {top}");
        let more = p.el("#group-more").await?;
        assert_eq!(more.attr("open").await?, None);

        if let Some(path) = std::env::var_os("VENUE_GROUPS_SCREENSHOT") {
            p.js("document.querySelector('#member-sort').value = 'name';
                  document.querySelector('#member-sort').dispatchEvent(new Event('change'));
                  return null;").await?;
            p.xpath("//*[@data-testid='member-row'][1]//*[@data-testid='member-name'][normalize-space()='Anna Berger']").await?;
            // A 1280 x 800 viewport (the window also holds the browser's own bars),
            // scrolled to the picker and the members.
            let bars = p.js("return window.outerHeight - window.innerHeight;").await?;
            let bars = bars.as_u64().unwrap_or(0) as u32;
            p.c.set_window_size(1280, 800 + bars).await?;
            p.js("document.activeElement.blur(); window.scrollTo(0, 0); return null;")
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
        p.click("#member-add-open").await?;
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
        // The button disabled itself; focus went to the search, not to <body>.
        let focused = p.c.active_element().await?;
        assert_eq!(
            focused.attr("id").await?.as_deref(),
            Some("member-batch-search")
        );
        // The three are now marked as members in the list.
        for id in &ids {
            p.el(&format!(
                "[data-testid=batch-customer][data-customer-id='{id}'][data-member=true]"
            ))
            .await?;
        }

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
async fn the_group_history_names_who_removed_whom_even_after_a_deletion() {
    run("history", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        let group = s.group(&t, partner, "Regulars").await;
        let ada = s
            .customer(&t, partner, "Ada", "Lovelace", Some("ada@example.com"))
            .await;
        let alan = s.customer(&t, partner, "Alan", "Turing", None).await;
        // Front desk adds and removes Ada; then Ada is deleted altogether.
        let (_, desk) = s
            .user(
                "desk@test.local",
                &["groups.read", "groups.update", "customers.read"],
                &[partner],
            )
            .await;
        assert_eq!(s.add_member(&desk, partner, group, ada).await.status, StatusCode::OK);
        let a = s
            .delete(
                &format!("/partners/{partner}/groups/{group}/customers/{ada}"),
                &desk,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let a = s.delete(&format!("/partners/{partner}/customers/{ada}"), &t).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.open(&format!("#/groups/{group}")).await?;
        p.text_is("view-title", "Regulars").await?;
        p.xpath("//*[@id='group-history'][count(li)=3]").await?;
        let entries = p
            .js("return [...document.querySelectorAll('[data-testid=history-entry]')].map(li => [
                   li.dataset.action,
                   li.querySelector('[data-testid=history-what]').textContent,
                   li.querySelector('[data-testid=history-subject]')?.textContent ?? null,
                   li.querySelector('[data-testid=history-who]').textContent,
                   li.querySelector('[data-testid=history-when]').getAttribute('datetime'),
                   li.querySelector('[data-testid=history-when]').textContent,
                   [...li.querySelectorAll('[data-testid=history-changes] li')].map(c => c.textContent),
                 ]);")
            .await?;
        assert_eq!(entries[0][0], "group.member_removed", "{entries}");
        assert_eq!(entries[0][1], "Member removed");
        assert_eq!(entries[0][2], "Ada Lovelace (deleted since)");
        assert_eq!(entries[0][3], "Test User");
        assert_eq!(entries[1][0], "group.member_added");
        assert_eq!(entries[1][2], "Ada Lovelace (deleted since)");
        assert_eq!(entries[1][3], "Test User");
        assert_eq!(entries[2][0], "group.created");
        assert_eq!(entries[2][3], "Admin User (you)");
        assert_eq!(entries[2][6], json!(["Name: “Regulars”"]));
        for entry in entries.as_array().unwrap() {
            assert!(common::is_utc_timestamp(&entry[4]), "{entry}");
            // Shown in the page's locale, never as the raw timestamp.
            let shown = entry[5].as_str().unwrap_or_default();
            assert!(!shown.is_empty() && !shown.contains('T'), "{entry}");
        }

        // A change made on the page shows at the top at once, as the viewer's own.
        p.click("#member-add-open").await?;
        p.fill("#member-add-search", "turing").await?;
        p.click(&format!(
            "[data-testid=customer-result][data-customer-id='{alan}']"
        ))
        .await?;
        p.text_is("group-customers-count", "1").await?;
        p.xpath("//*[@id='group-history'][count(li)=4]").await?;
        let top = p
            .el("[data-testid=history-entry]:first-child [data-testid=history-subject]")
            .await?;
        assert_eq!(top.text().await?, "Alan Turing");
        let top = p
            .el("[data-testid=history-entry]:first-child [data-testid=history-who]")
            .await?;
        assert_eq!(top.text().await?, "Admin User (you)");
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
        p.click("#group-more > summary").await?;
        p.click("#group-export").await?;
        p.until("return window.exported.length;").await?;
        let text = p.js("return window.exported[0].text();").await?;
        assert_eq!(text, json!(expected.text));

        // And the browser saved it under the group's name and today's date.
        let today = p
            .js("const d = new Date(); return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')].join('-');")
            .await?;
        let saved = p.downloads.join(format!("Regulars-{}.csv", today.as_str().unwrap_or_default()));
        let started = std::time::Instant::now();
        while !saved.exists() && started.elapsed() < harness::WAIT {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(std::fs::read_to_string(&saved)?, expected.text);
        Ok(())
    })
    .await;
}
