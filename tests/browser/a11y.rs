//! Keyboard, focus and axe-core: the skip link, a focus ring of at least
//! 3:1 on every Tab stop, the partner list that waits for Enter, and axe on
//! every view with nothing serious or critical.

use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};
use crate::harness::{run, run_in, Page, TestResult, ARROW_DOWN, ENTER, TAB};
use crate::{group_row, DESKTOP};
use serde_json::Value;
use std::time::Duration;

/// Runs axe and fails with its findings for `view`.
async fn axe_clean(p: &Page, view: &str) -> TestResult {
    let found = p.axe().await?;
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("axe on {view}:\n  {}", found.join("\n  ")).into())
    }
}

/// Seeds a partner with a group of two members, a non-member and a user; answers (partner, group, customer, user).
async fn venue(p: &Page) -> (i64, i64, i64, i64) {
    let s = &p.s;
    let t = s.admin.clone();
    let partner = s.partner("Stadthalle Linz").await;
    let group = s.group(&t, partner, "Season ticket holders").await;
    let ada = s
        .customer(&t, partner, "Ada", "Lovelace", Some("ada@example.com"))
        .await;
    let alan = s.customer(&t, partner, "Alan", "Turing", None).await;
    s.customer(&t, partner, "Grace", "Hopper", Some("grace@example.com"))
        .await;
    for c in [ada, alan] {
        s.add_member(&t, partner, group, c).await;
    }
    let (user, _) = s
        .user("desk@test.local", &["groups.read"], &[partner])
        .await;
    (partner, group, ada, user)
}

async fn every_view_passes_axe(p: Page, lang: &str) -> TestResult {
    let (_, group, ada, user) = venue(&p).await;
    p.open("").await?;
    p.shown("login-form").await?;
    axe_clean(&p, &format!("{lang} login")).await?;
    p.submit_login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    p.el("[data-testid=group-row]").await?;
    axe_clean(&p, &format!("{lang} groups")).await?;

    p.open(&format!("#/groups/{group}")).await?;
    p.el("[data-testid=member-row]").await?;
    p.el("[data-testid=history-entry]").await?;
    axe_clean(&p, &format!("{lang} group")).await?;
    // With everything open: the picker with results, add many, more actions.
    p.click("#member-add-open").await?;
    p.fill("#member-add-search", "a").await?;
    p.el("[data-testid=customer-result][data-member=true]")
        .await?;
    p.click("#member-batch-open").await?;
    p.el("[data-testid=batch-customer]").await?;
    p.click("#group-more > summary").await?;
    axe_clean(&p, &format!("{lang} group, all open")).await?;

    for (hash, ready) in [
        ("#/customers".to_string(), "[data-testid=customer-row]"),
        (format!("#/customers/{ada}"), "#customer-edit-form"),
        ("#/users".to_string(), "[data-testid=user-row]"),
        (format!("#/users/{user}"), "#user-permissions-form"),
        ("#/partners".to_string(), "[data-testid=partner-row]"),
    ] {
        p.open(&hash).await?;
        p.el(ready).await?;
        p.gone("busy").await?;
        axe_clean(&p, &format!("{lang} {hash}")).await?;
    }
    // The confirmation dialog.
    p.open("#/groups").await?;
    p.click("[data-testid=group-delete]").await?;
    p.shown("confirm-dialog").await?;
    axe_clean(&p, &format!("{lang} confirm dialog")).await?;
    p.click("#confirm-cancel").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_nothing_serious_on_any_view() {
    run("axe", DESKTOP, |p| every_view_passes_axe(p, "en")).await;
}

// The check above can fail: axe reports a violation planted in the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_reports_a_planted_violation() {
    run("axe-planted", DESKTOP, |p| async move {
        p.open("").await?;
        p.shown("login-form").await?;
        p.js(
            "const b = document.createElement('button'); b.id = 'planted';
              document.getElementById('main').append(b); return null;",
        )
        .await?;
        let found = p.axe().await?;
        assert!(
            found
                .iter()
                .any(|f| f.starts_with("button-name") && f.contains("#planted")),
            "{found:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_nothing_serious_on_any_view_in_german_on_a_phone() {
    run_in("axe-de-phone", (375, 740), "de-DE,de", |p| {
        every_view_passes_axe(p, "de phone")
    })
    .await;
}

/// WCAG's contrast ratio, computed in the page from the computed styles:
/// the outline's colour against the first opaque background behind the
/// element (the ring sits outside it, `outline-offset` > 0).
const RING: &str = "
  const el = document.activeElement;
  const css = getComputedStyle(el);
  const rgb = (c) => (c.match(/[\\d.]+/g) ?? []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = null;
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) { bg = c.slice(0, 3); break; }
  }
  bg ??= [255, 255, 255];
  const ring = rgb(css.outlineColor).slice(0, 3);
  const [a, b] = [lum(ring), lum(bg)].sort((x, y) => y - x);
  return {
    id: el.id || el.dataset.testid || el.tagName + ':' + el.textContent.trim().slice(0, 30),
    style: css.outlineStyle, width: parseFloat(css.outlineWidth), offset: parseFloat(css.outlineOffset),
    ratio: (a + 0.05) / (b + 0.05),
  };";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tab_stop_has_a_focus_ring_of_3_to_1_and_the_first_is_the_skip_link() {
    run("focus-ring", DESKTOP, |p| async move {
        let (_, group, _, _) = venue(&p).await;
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.open(&format!("#/groups/{group}")).await?;
        p.el("[data-testid=history-entry]").await?;
        p.click("#member-add-open").await?;
        p.click("#group-more > summary").await?;
        // The skip link is the first Tab stop of the page, and lands in <main>.
        let first = p
            .js("return document.querySelector('a[href], button:not([disabled]), input, select, textarea, summary, [tabindex=\"0\"]').id;")
            .await?;
        assert_eq!(first, "skip-link");
        p.js("document.getElementById('skip-link').focus(); window.scrollTo(0, 0); return null;")
            .await?;
        p.press(ENTER).await?;
        assert_eq!(p.focused_id().await?, "main");

        // Round the page once with Tab, from the skip link back to it.
        p.js("document.getElementById('skip-link').focus(); return null;").await?;
        p.press(TAB).await?;
        let mut seen = 0;
        let mut bad = Vec::new();
        for _ in 0..80 {
            let ring: Value = p.js(RING).await?;
            if ring["id"].as_str().is_some_and(|id| id.starts_with("BODY")) {
                // Past the last stop focus leaves the page for the browser's own bar.
                p.press(TAB).await?;
                continue;
            }
            let ratio = ring["ratio"].as_f64().unwrap_or(0.0);
            let width = ring["width"].as_f64().unwrap_or(0.0);
            if ring["style"] == "none" || width < 2.0 || ratio < 3.0 {
                bad.push(ring.to_string());
            }
            seen += 1;
            p.press(TAB).await?;
            if p.focused_id().await? == "skip-link" {
                break; // round the page once
            }
        }
        assert!(seen > 25, "only {seen} Tab stops");
        assert!(bad.is_empty(), "rings below 3:1 or missing:\n{}", bad.join("\n"));
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partner_list_switches_on_enter_not_on_every_arrow_key() {
    run("partner-keys", DESKTOP, |p| async move {
        let s = &p.s;
        let alpha = s.partner("Alpha Hall").await;
        let beta = s.partner("Beta Arena").await;
        s.group(&s.admin, alpha, "Alpha regulars").await;
        s.group(&s.admin, beta, "Beta regulars").await;
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        p.el("#partner-select")
            .await?
            .select_by_value(&alpha.to_string())
            .await?;
        group_row(&p, "Alpha regulars").await?;

        p.js("document.getElementById('partner-select').focus(); return null;")
            .await?;
        p.press(ARROW_DOWN).await?;
        tokio::time::sleep(Duration::from_millis(600)).await;
        // Still Alpha's groups, and focus still on the list.
        group_row(&p, "Alpha regulars").await?;
        assert_eq!(p.focused_id().await?, "partner-select");
        p.press(ENTER).await?;
        group_row(&p, "Beta regulars").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_page_on_a_phone_shows_the_members_first_with_44_px_targets() {
    run("phone-group", (375, 740), |p| async move {
        let s = &p.s;
        let t = s.admin.clone();
        let partner = s.partner("The Grand Concert Hall and Conference Centre").await;
        let group = s.group(&t, partner, "Season ticket holders").await;
        for i in 0..12 {
            let c = s
                .customer(
                    &t,
                    partner,
                    &format!("Maximiliane{i}"),
                    "Oberhuber-Schwarzenberger",
                    Some(&format!("maximiliane.oberhuber-schwarzenberger{i}@very-long-venue-domain.example")),
                )
                .await;
            s.add_member(&t, partner, group, c).await;
        }
        s.user("desk@test.local", &["groups.read", "groups.update", "customers.read"], &[partner])
            .await;
        p.login("desk@test.local", PASSWORD).await?;
        p.open(&format!("#/groups/{group}")).await?;
        p.xpath("//*[@id='member-table']//tbody[count(tr)=12]").await?;
        let v = p
            .js("return {
                   inner: window.innerHeight,
                   header: document.getElementById('nav').getBoundingClientRect().bottom,
                   members: document.getElementById('member-list').getBoundingClientRect().top,
                   row: document.querySelector('[data-testid=member-row]').getBoundingClientRect().top,
                   small: [...document.querySelectorAll('button, select, summary, input:not([type=checkbox]), .nav a')]
                     .filter((e) => e.offsetParent !== null && e.id !== 'skip-link')
                     .filter((e) => e.getBoundingClientRect().height < 44)
                     .map((e) => (e.id || e.dataset.testid || e.textContent.trim()) + ' ' + e.getBoundingClientRect().height),
                   broken: [...document.querySelectorAll('[data-testid=member-email]')]
                     .map((e) => getComputedStyle(e.closest('td')).overflowWrap),
                 };")
            .await?;
        let inner = v["inner"].as_f64().unwrap_or(0.0);
        assert!(v["header"].as_f64().unwrap_or(999.0) <= 140.0, "header and nav take {v}");
        assert!(v["row"].as_f64().unwrap_or(9e9) < inner, "the first member is below the first screen: {v}");
        assert_eq!(v["small"], serde_json::json!([]), "targets under 44 px");
        for wrap in v["broken"].as_array().unwrap() {
            assert_eq!(wrap, "break-word", "{v}");
        }
        assert!(!p.scrolls_sideways().await?, "the group page scrolls sideways");
        Ok(())
    })
    .await;
}
