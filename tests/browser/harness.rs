//! Plumbing for the browser tests: a real server (common::TestServer), a
//! chromedriver on a free port driving Debian's headless Chromium with a
//! fresh profile, and a `Page` with waiting helpers.
//!
//! Every test runs its body through [`run`]. When the body fails (an `Err`
//! or a panic), the page is saved as `failure.png` (and its DOM as
//! `failure.html`) in the test's temp dir,
//! `$TMPDIR/venue-groups-browser-<test>-XXXXXX/`, which is then kept and
//! its path printed; chromedriver's log is there too. Downloads land in
//! its `downloads/` folder ([`Page::downloads`]).

use crate::common::TestServer;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type TestResult = Result<(), Error>;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "chromedriver";
/// How long to wait for something to show up on the page.
pub const WAIT: Duration = Duration::from_secs(8);
/// How long a login may take: the server checks passwords at the lowest
/// CPU priority (`SCHED_IDLE`), so on a machine busy with other work (the
/// browsers of the other tests, CI's neighbours) a login waits for idle CPU.
const LOGIN_WAIT: Duration = Duration::from_secs(30);
/// A whole test body's limit (the tests take a few seconds each).
const BODY_LIMIT: Duration = Duration::from_secs(60);
/// axe-core, pinned, as `.ci/run` installs it from npm.
pub const AXE_VERSION: &str = "4.10.3";
pub const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/axe/node_modules/axe-core/axe.min.js"
);
/// WebDriver key codes.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const ARROW_DOWN: &str = "\u{E015}";
/// The key http.js keeps the bearer token under, in sessionStorage.
pub const TOKEN_KEY: &str = "venue-groups.token";

/// A chromedriver process; killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().unwrap().port()
}

impl Driver {
    /// Starts chromedriver on a free port and waits until `/status` answers.
    /// Retries on a new port if another process took the one picked.
    async fn start(dir: &Path) -> Driver {
        let http = reqwest::Client::new();
        for _ in 0..3 {
            let port = free_port();
            let child = Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", dir.join("chromedriver.log").display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot start {CHROMEDRIVER} (Debian: apt-get install chromium-driver): {e}")
                });
            let mut driver = Driver {
                child,
                url: format!("http://127.0.0.1:{port}"),
            };
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = driver.child.try_wait() {
                    break; // exited: most likely the port was taken meanwhile
                }
                if let Ok(r) = http.get(format!("{}/status", driver.url)).send().await {
                    if r.status().is_success() {
                        return driver;
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let _ = driver.child.kill();
        }
        panic!(
            "chromedriver did not come up; see {}",
            dir.join("chromedriver.log").display()
        );
    }
}

/// What a test body works with: the server and the browser.
#[derive(Clone)]
pub struct Page {
    pub c: Client,
    pub s: Arc<TestServer>,
    /// Where the browser saves downloads (empty at the start).
    pub downloads: PathBuf,
}

/// Starts a server, chromedriver and Chromium (window `width` x `height`),
/// runs `body`, and on failure saves a screenshot before failing the test.
pub async fn run<F, Fut>(name: &str, size: (u32, u32), body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: Future<Output = TestResult> + Send + 'static,
{
    run_in(name, size, "en-US,en", body).await
}

/// [`run`] with the browser's languages set, as Chromium's `--lang` and
/// the Accept-Language preference (e.g. `"de-AT,de"`).
pub async fn run_in<F, Fut>(name: &str, (width, height): (u32, u32), languages: &str, body: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: Future<Output = TestResult> + Send + 'static,
{
    let dir = tempfile::Builder::new()
        .prefix(&format!("venue-groups-browser-{name}-"))
        .tempdir()
        .expect("temp dir");
    let profile = dir.path().join("profile");
    let downloads = dir.path().join("downloads");
    std::fs::create_dir(&downloads).expect("downloads dir");
    let (server, driver) = tokio::join!(TestServer::start(), Driver::start(dir.path()));
    let client = connect(
        &driver.url,
        &profile,
        &downloads,
        (width, height),
        languages,
    )
    .await;
    let page = Page {
        c: client.clone(),
        s: Arc::new(server),
        downloads,
    };

    // A task of its own, so that a panic in the body is caught here.
    let failure = match tokio::spawn(tokio::time::timeout(BODY_LIMIT, body(page))).await {
        Ok(Ok(Ok(()))) => None,
        Ok(Ok(Err(e))) => Some(e.to_string()),
        Ok(Err(_)) => Some(format!("the test took longer than {BODY_LIMIT:?}")),
        Err(e) if e.is_panic() => Some(panic_text(e.into_panic())),
        Err(e) => Some(e.to_string()),
    };

    let Some(why) = failure else {
        let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        return;
    };
    let shot = dir.path().join("failure.png");
    match tokio::time::timeout(Duration::from_secs(10), client.screenshot()).await {
        Ok(Ok(png)) => std::fs::write(&shot, png).expect("write the screenshot"),
        Ok(Err(e)) => eprintln!("no screenshot: {e}"),
        Err(_) => eprintln!("no screenshot: the browser did not answer"),
    }
    if let Ok(Ok(html)) = tokio::time::timeout(Duration::from_secs(10), client.source()).await {
        let _ = std::fs::write(dir.path().join("failure.html"), html);
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    let kept = dir.keep();
    eprintln!(
        "browser test {name} failed; screenshot: {}",
        kept.join("failure.png").display()
    );
    panic!(
        "{name}: {why}\n(screenshot: {}, page: {}, chromedriver log: {})",
        kept.join("failure.png").display(),
        kept.join("failure.html").display(),
        kept.join("chromedriver.log").display()
    );
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map_or_else(|| "panic".to_string(), |s| s.to_string()),
    }
}

async fn connect(
    driver: &str,
    profile: &Path,
    downloads: &Path,
    (width, height): (u32, u32),
    languages: &str,
) -> Client {
    let lang = languages.split(',').next().unwrap_or("en-US");
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.display()),
                format!("--window-size={width},{height}"),
                format!("--lang={lang}"),
            ],
            // Saved without asking, into the test's own temp dir.
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
                "intl.accept_languages": languages,
            },
        },
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(driver)
        .await
        .unwrap_or_else(|e| panic!("cannot start {CHROMIUM} through chromedriver: {e}"))
}

/// An XPath string literal for `text`.
pub fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        panic!("xpath_literal: both quote kinds in {text:?}")
    }
}

impl Page {
    /// Loads the page at a hash route (`""` for the start page).
    pub async fn open(&self, hash: &str) -> TestResult {
        self.c.goto(&format!("{}/{hash}", self.s.url)).await?;
        Ok(())
    }

    /// Waits for an element matching `css`.
    pub async fn el(&self, css: &str) -> Result<Element, Error> {
        self.wait_for(Locator::Css(css), css).await
    }

    /// Waits for an element matching `xpath`.
    pub async fn xpath(&self, xpath: &str) -> Result<Element, Error> {
        self.wait_for(Locator::XPath(xpath), xpath).await
    }

    async fn wait_for(&self, locator: Locator<'_>, what: &str) -> Result<Element, Error> {
        self.wait_within(WAIT, locator, what).await
    }

    async fn wait_within(
        &self,
        within: Duration,
        locator: Locator<'_>,
        what: &str,
    ) -> Result<Element, Error> {
        self.c
            .wait()
            .at_most(within)
            .every(Duration::from_millis(40))
            .for_element(locator)
            .await
            .map_err(|e| format!("waiting for {what}: {e}").into())
    }

    /// Waits until the element with this id is shown (not `hidden`) and its
    /// whitespace-normalised text is `text`.
    pub async fn text_is(&self, id: &str, text: &str) -> Result<Element, Error> {
        self.xpath(&format!(
            "//*[@id={}][not(ancestor-or-self::*[@hidden])][normalize-space()={}]",
            xpath_literal(id),
            xpath_literal(text)
        ))
        .await
    }

    /// Waits until the element with this id is there and not `hidden`.
    pub async fn shown(&self, id: &str) -> Result<Element, Error> {
        self.shown_within(WAIT, id).await
    }

    async fn shown_within(&self, within: Duration, id: &str) -> Result<Element, Error> {
        let xpath = format!(
            "//*[@id={}][not(ancestor-or-self::*[@hidden])]",
            xpath_literal(id)
        );
        self.wait_within(within, Locator::XPath(&xpath), &xpath)
            .await
    }

    /// Waits until the element with this id is gone or `hidden`.
    pub async fn gone(&self, id: &str) -> TestResult {
        self.xpath(&format!(
            "/html[not(//*[@id={}][not(ancestor-or-self::*[@hidden])])]",
            xpath_literal(id)
        ))
        .await?;
        Ok(())
    }

    /// Asserts that nothing matches `css` right now.
    pub async fn none(&self, css: &str) -> TestResult {
        let found = self.c.find_all(Locator::Css(css)).await?;
        if found.is_empty() {
            Ok(())
        } else {
            Err(format!("expected no {css}, found {}", found.len()).into())
        }
    }

    /// Replaces the value of the control matching `css`.
    pub async fn fill(&self, css: &str, value: &str) -> TestResult {
        let el = self.el(css).await?;
        el.clear().await?;
        el.send_keys(value).await?;
        Ok(())
    }

    /// Clicks the element matching `css` once it is there.
    pub async fn click(&self, css: &str) -> TestResult {
        self.el(css)
            .await?
            .click()
            .await
            .map_err(|e| format!("clicking {css}: {e}"))?;
        Ok(())
    }

    /// Runs a script (`return ...;`) and answers its value.
    pub async fn js(&self, script: &str) -> Result<Value, Error> {
        Ok(self.c.execute(script, vec![]).await?)
    }

    /// Runs a script (`return ...;`) until its value is truthy (not null,
    /// false, 0 or ""), and answers that value.
    pub async fn until(&self, script: &str) -> Result<Value, Error> {
        let started = Instant::now();
        loop {
            let v = self.js(script).await?;
            let truthy = match &v {
                Value::Null | Value::Bool(false) => false,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return Ok(v);
            }
            if started.elapsed() > WAIT {
                return Err(format!("waiting for {script}: still {v}").into());
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }

    /// The token the page holds in sessionStorage, if any.
    pub async fn token(&self) -> Result<Option<String>, Error> {
        let v = self
            .c
            .execute(
                "return sessionStorage.getItem(arguments[0]);",
                vec![json!(TOKEN_KEY)],
            )
            .await?;
        Ok(v.as_str().map(str::to_string))
    }

    /// Opens the start page and logs in through the form; waits for the
    /// signed-in header.
    pub async fn login(&self, email: &str, password: &str) -> TestResult {
        self.open("").await?;
        self.submit_login(email, password).await
    }

    /// Fills and submits the login form that is on screen.
    pub async fn submit_login(&self, email: &str, password: &str) -> TestResult {
        self.fill("#login-email", email).await?;
        self.fill("#login-password", password).await?;
        self.click("#login-submit").await?;
        self.shown_within(LOGIN_WAIT, "session-bar").await?;
        Ok(())
    }

    /// Presses a key (a WebDriver key code such as [`TAB`]) in the focused element.
    pub async fn press(&self, key: &str) -> TestResult {
        self.c.active_element().await?.send_keys(key).await?;
        Ok(())
    }

    /// The id of the focused element ("" for none).
    pub async fn focused_id(&self) -> Result<String, Error> {
        let v = self.js("return document.activeElement?.id ?? '';").await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Runs axe-core on the page as it is and answers its serious and
    /// critical violations, one line each (empty when there are none).
    pub async fn axe(&self) -> Result<Vec<String>, Error> {
        let installed = self.js("return typeof window.axe === 'object';").await?;
        if installed != Value::Bool(true) {
            let source = std::fs::read_to_string(AXE).map_err(|e| {
                format!("{AXE}: {e} (install it: npm install --prefix target/axe axe-core@{AXE_VERSION}; .ci/run does)")
            })?;
            self.c
                .execute(&format!("{source}\nreturn null;"), vec![])
                .await?;
        }
        let found = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(
                   (r) => done(r.violations
                     .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                     .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)),
                   (e) => done([`axe failed: ${e}`]));",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(found)?)
    }

    /// Whether the page scrolls sideways.
    pub async fn scrolls_sideways(&self) -> Result<bool, Error> {
        let v = self
            .js("return [document.documentElement.scrollWidth, window.innerWidth];")
            .await?;
        let (scroll, inner) = (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0));
        Ok(scroll > inner)
    }
}
