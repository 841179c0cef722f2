//! The front desk's searches: full names, "already a member" marked and
//! said, a customer's groups, members sorted, and a long list's page
//! picked by number.

use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::harness::run;
use crate::DESKTOP;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_is_marked_in_find_and_add_many_and_adding_again_says_so() {
    run("already-member", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        let group = s.group(&t, partner, "Regulars").await;
        let ada = s
            .customer(&t, partner, "Ada", "Lovelace", Some("ada@example.com"))
            .await;
        let adam = s.customer(&t, partner, "Adam", "Smith", None).await;
        s.add_member(&t, partner, group, ada).await;

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.open(&format!("#/groups/{group}")).await?;
        p.text_is("group-customers-count", "1").await?;
        p.click("#member-add-open").await?;
        assert_eq!(p.focused_id().await?, "member-add-search");
        p.fill("#member-add-search", "ada").await?;
        let marked = p
            .el(&format!(
                "[data-testid=customer-result][data-customer-id='{ada}'][data-member=true]"
            ))
            .await?;
        assert!(marked.text().await?.starts_with("Already a member:"));
        let other = p
            .el(&format!(
                "[data-testid=customer-result][data-customer-id='{adam}']"
            ))
            .await?;
        assert_eq!(other.attr("data-member").await?, None);
        marked.click().await?;
        p.text_is("status", "Ada Lovelace is already a member of “Regulars”.")
            .await?;
        p.text_is("group-customers-count", "1").await?;

        // The results were drawn again: find Adam anew.
        p.click(&format!(
            "[data-testid=customer-result][data-customer-id='{adam}']"
        ))
        .await?;
        p.text_is("group-customers-count", "2").await?;
        p.text_is("status", "Adam Smith added to “Regulars”.")
            .await?;
        // Now he is marked too, and focus stayed on his result.
        p.el(&format!(
            "[data-testid=customer-result][data-customer-id='{adam}'][data-member=true]"
        ))
        .await?;
        let focused = p
            .js("return document.activeElement.dataset.customerId;")
            .await?;
        assert_eq!(focused, json!(adam.to_string()));

        p.click("#member-batch-open").await?;
        let boxed = p
            .el(&format!(
                "[data-testid=batch-customer][data-customer-id='{ada}'][data-member=true]"
            ))
            .await?;
        assert_eq!(boxed.prop("disabled").await?.as_deref(), Some("true"));
        Ok(())
    })
    .await;
}

// The API matches every word of a search, each in any field (API.md, `search`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_name_finds_the_customer() {
    run("full-name", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        let group = s.group(&t, partner, "Regulars").await;
        let lena = s.customer(&t, partner, "Lena", "Schmidt", None).await;
        s.customer(&t, partner, "Lena", "Huber", None).await;
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.open(&format!("#/groups/{group}")).await?;
        p.click("#member-add-open").await?;
        p.fill("#member-add-search", "Lena Schmidt").await?;
        p.xpath("//*[@id='member-add-results'][count(li)=1]")
            .await?;
        p.el(&format!(
            "[data-testid=customer-result][data-customer-id='{lena}']"
        ))
        .await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_page_lists_the_groups_they_are_in() {
    run("customer-groups", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        let swim = s.group(&t, partner, "Swimming").await;
        let courts = s.group(&t, partner, "Courts").await;
        let coaches = s.group(&t, partner, "Coaches").await;
        let anna = s.customer(&t, partner, "Anna", "Berger", None).await;
        // Her namesake is a coach: the page must not take one for the other.
        let namesake = s.customer(&t, partner, "Anna", "Berger", None).await;
        let nobody = s
            .customer(&t, partner, "Otto", "Nobody", Some("otto@example.com"))
            .await;
        for (group, customer) in [(swim, anna), (courts, anna), (coaches, namesake)] {
            s.add_member(&t, partner, group, customer).await;
        }

        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.open(&format!("#/customers/{anna}")).await?;
        p.xpath("//*[@id='customer-groups'][count(li)=2]").await?;
        let names = p
            .js("return [...document.querySelectorAll('#customer-groups a')].map(a => [a.textContent, a.getAttribute('href')]);")
            .await?;
        assert_eq!(
            names,
            json!([["Courts", format!("#/groups/{courts}")], ["Swimming", format!("#/groups/{swim}")]])
        );
        p.click("#customer-groups a").await?;
        p.text_is("group-customers-count", "1").await?;

        p.open(&format!("#/customers/{nobody}")).await?;
        p.text_is("customer-groups-status", "Not in any group.").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_sort_by_name_and_a_long_list_goes_to_a_page_by_number() {
    run("sort-pages", DESKTOP, |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("Hall").await;
        let group = s.group(&t, partner, "Regulars").await;
        for (first, last) in [("Zoe", "Zeller"), ("Anna", "Berger"), ("Mia", "Maier")] {
            let c = s.customer(&t, partner, first, last, None).await;
            s.add_member(&t, partner, group, c).await;
        }
        for i in 0..45 {
            s.group(&t, partner, &format!("Course {i:02}")).await;
        }
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.open(&format!("#/groups/{group}")).await?;
        p.text_is("member-total", "(3 members)").await?;
        p.el("#member-sort").await?.select_by_value("name").await?;
        p.xpath("//*[@data-testid='member-row'][1]//*[@data-testid='member-name'][normalize-space()='Anna Berger']").await?;
        let names = p.js("return [...document.querySelectorAll('[data-testid=member-name]')].map(e => e.textContent);").await?;
        assert_eq!(names, json!(["Anna Berger", "Mia Maier", "Zoe Zeller"]));

        p.open("#/groups").await?;
        p.text_is("group-page-info", "Page 1 of 3").await?;
        p.fill("#group-goto", "3").await?;
        p.click("#group-goto-submit").await?;
        p.text_is("group-page-info", "Page 3 of 3").await?;
        assert_eq!(p.focused_id().await?, "group-list-title");
        Ok(())
    })
    .await;
}
