//! The changes feed against a real server: `since=0` is everything,
//! `since=cursor` only what changed after it, and `wait` holds the request
//! until a change arrives or the time is up.

use crate::support::rules::eager_r18;
use crate::support::server::*;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const LISTS: [&str; 7] = [
    "agents",
    "people",
    "credentials",
    "grants",
    "delegations",
    "alerts",
    "removed",
];

fn len(c: &Value, list: &str) -> usize {
    c[list]
        .as_array()
        .unwrap_or_else(|| panic!("no list {list}: {c}"))
        .len()
}

fn cursor(c: &Value) -> i64 {
    c["cursor"]
        .as_i64()
        .unwrap_or_else(|| panic!("no cursor: {c}"))
}

/// Asserts that only `expected` lists are non-empty, with those lengths.
#[track_caller]
fn assert_only(c: &Value, expected: &[(&str, usize)]) {
    for list in LISTS {
        let want = expected
            .iter()
            .find(|(l, _)| *l == list)
            .map_or(0, |(_, n)| *n);
        assert_eq!(len(c, list), want, "{list} in {c}");
    }
}

async fn populate(s: &TestServer) -> String {
    s.person("Pat", "pat@corp.example").await;
    s.agent_with(
        json!({"name": "a", "kind": "chatbot", "environment": "prod", "owner": "pat@corp.example"}),
    )
    .await;
    s.agent("b").await;
    let (_, secret) = s.credential("a").await;
    s.credential("b").await;
    s.admin(
        "POST",
        "/v1/agents/a/grants",
        json!({"resource": "r", "scope": "s", "level": "read"}),
    )
    .await;
    s.admin(
        "POST",
        "/v1/delegations",
        json!({"parent_person": "pat@corp.example", "child_agent": "a", "scopes": ["s"]}),
    )
    .await;
    s.admin("POST", "/v1/agents/b/suspend", json!({"reason": "x"}))
        .await;
    let (_, b_secret) = s.credential("b").await;
    s.heartbeat(&b_secret).await; // raises R18 on b
    secret
}

#[tokio::test]
async fn since_zero_is_everything() {
    let s = TestServer::start_with(eager_r18()).await;
    let secret = populate(&s).await;
    let c = s.get("/v1/changes?since=0").await;
    assert_eq!(c["full"], true);
    assert!(cursor(&c) > 0);
    assert_only(
        &c,
        &[
            ("agents", 2),
            ("people", 1),
            ("credentials", 3),
            ("grants", 1),
            ("delegations", 1),
            ("alerts", 1),
        ],
    );
    assert!(
        !c.to_string().contains(&secret),
        "the feed carries a secret"
    );
    // The rows are the same as the detail shows.
    let a = s.detail("a").await;
    let fed = c["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "a")
        .unwrap()
        .clone();
    assert_eq!(fed["id"], a["id"]);
    assert_eq!(fed["owner"], a["owner"]);
    // No `since` means 0.
    let same = s.get("/v1/changes").await;
    assert_eq!(same, c);
}

#[tokio::test]
async fn since_a_cursor_is_only_what_changed_after_it() {
    let s = TestServer::start_with(eager_r18()).await;
    populate(&s).await;
    let c0 = cursor(&s.get("/v1/changes?since=0").await);

    // Nothing changed: nothing, and the same cursor.
    let none = s.get(&format!("/v1/changes?since={c0}")).await;
    assert_eq!(none["full"], false);
    assert_eq!(cursor(&none), c0);
    assert_only(&none, &[]);

    // A suspend: that agent only.
    let a = s
        .admin("POST", "/v1/agents/a/suspend", json!({"reason": "look"}))
        .await;
    let c = s.get(&format!("/v1/changes?since={c0}")).await;
    assert_eq!(c["full"], false);
    assert!(cursor(&c) > c0);
    assert_only(&c, &[("agents", 1)]);
    assert_eq!(c["agents"][0]["id"], a["id"]);
    assert_eq!(c["agents"][0]["status"], "suspended");
    let c1 = cursor(&c);

    // A revoke: that credential only.
    let cred = s.detail("b").await["credentials"][0]["id"].clone();
    s.admin(
        "POST",
        &format!("/v1/credentials/{}/revoke", cred.as_str().unwrap()),
        json!({"reason": "r"}),
    )
    .await;
    let c = s.get(&format!("/v1/changes?since={c1}")).await;
    assert_only(&c, &[("credentials", 1)]);
    assert_eq!(c["credentials"][0]["id"], cred);
    assert_eq!(c["credentials"][0]["status"], "revoked");
    let c2 = cursor(&c);

    // A new person: that person only.
    s.person("Quinn", "quinn@corp.example").await;
    let c = s.get(&format!("/v1/changes?since={c2}")).await;
    assert_only(&c, &[("people", 1)]);
    assert_eq!(c["people"][0]["email"], "quinn@corp.example");

    // From an older cursor, everything since then, each row once.
    let c = s.get(&format!("/v1/changes?since={c0}")).await;
    assert_only(&c, &[("agents", 1), ("credentials", 1), ("people", 1)]);
}

#[tokio::test]
async fn a_kill_shows_the_agent_and_its_credentials() {
    let s = TestServer::start_with(eager_r18()).await;
    populate(&s).await;
    let c0 = cursor(&s.get("/v1/changes").await);
    s.kill("a", json!({"reason": "gone"})).await;
    let c = s.get(&format!("/v1/changes?since={c0}")).await;
    assert_only(&c, &[("agents", 1), ("credentials", 1)]);
    assert_eq!(c["agents"][0]["status"], "killed");
    assert_eq!(c["credentials"][0]["status"], "revoked");
}

#[tokio::test]
async fn a_cursor_from_the_future_starts_over() {
    let s = TestServer::start_with(eager_r18()).await;
    populate(&s).await;
    let c = s.get("/v1/changes?since=999999").await;
    assert_eq!(c["full"], true);
    assert_eq!(len(&c, "agents"), 2);
}

#[tokio::test]
async fn wait_returns_early_when_a_change_arrives() {
    let s = Arc::new(TestServer::start_with(eager_r18()).await);
    populate(&s).await;
    let viewer = s.token("viewer").await;
    let c0 = cursor(&s.get("/v1/changes").await);

    let poll = {
        let s = Arc::clone(&s);
        tokio::spawn(async move {
            let started = Instant::now();
            let answer = s
                .call(
                    "GET",
                    &format!("/v1/changes?since={c0}&wait=20"),
                    Some(&viewer),
                    None,
                )
                .await;
            (answer, started.elapsed())
        })
    };
    // Let the poll reach the server and start waiting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !poll.is_finished(),
        "the long poll answered before anything changed"
    );
    let b = s
        .admin("POST", "/v1/agents/b/resume", json!({"reason": "ok"}))
        .await;

    let ((status, c), took) = tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .expect("the long poll did not return after the change")
        .unwrap();
    assert_eq!(status, 200, "{c}");
    assert!(took < Duration::from_secs(5), "the long poll took {took:?}");
    assert!(
        took >= Duration::from_millis(400),
        "the long poll did not wait: {took:?}"
    );
    assert_eq!(c["full"], false);
    // The resume also resolves b's R18, in a commit of its own right
    // after: the poll may wake for the first or see both.
    let alerts = len(&c, "alerts");
    assert!(alerts <= 1, "{c}");
    if alerts == 1 {
        assert_eq!(c["alerts"][0]["status"], "resolved", "{c}");
    }
    assert_only(&c, &[("agents", 1), ("alerts", alerts)]);
    assert_eq!(c["agents"][0]["id"], b["id"]);
    assert_eq!(c["agents"][0]["status"], "active");
    assert!(cursor(&c) > c0);
}

#[tokio::test]
async fn wait_returns_empty_after_the_time_when_nothing_changes() {
    let s = TestServer::start_with(eager_r18()).await;
    populate(&s).await;
    let c0 = cursor(&s.get("/v1/changes").await);
    let started = Instant::now();
    let c = s.get(&format!("/v1/changes?since={c0}&wait=2")).await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1900),
        "answered after {took:?}, before the 2 s wait"
    );
    assert!(took < Duration::from_secs(6), "answered after {took:?}");
    assert_eq!(c["full"], false);
    assert_eq!(cursor(&c), c0);
    assert_only(&c, &[]);
}

#[tokio::test]
async fn wait_answers_at_once_when_there_is_something_already() {
    let s = TestServer::start_with(eager_r18()).await;
    populate(&s).await;
    let c0 = cursor(&s.get("/v1/changes").await);
    s.person("Quinn", "quinn@corp.example").await;
    for query in ["since=0&wait=30".to_string(), format!("since={c0}&wait=30")] {
        let started = Instant::now();
        let c = s.get(&format!("/v1/changes?{query}")).await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{query} waited although there were changes"
        );
        assert!(len(&c, "people") >= 1, "{c}");
    }
}

/// The value of one series of the `/metrics` text, e.g.
/// `warden_changes_answers_total{path="store"}`.
async fn metric(s: &TestServer, series: &str) -> f64 {
    let resp = s
        .http
        .get(format!("{}/metrics", s.url))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

#[tokio::test]
async fn nothing_changed_is_answered_from_the_revision_without_a_query() {
    let s = TestServer::start_with(eager_r18()).await;
    populate(&s).await;
    let viewer = s.token("viewer").await;
    let c0 = cursor(&s.get("/v1/changes").await);
    const STORE: &str = "warden_changes_answers_total{path=\"store\"}";
    const UNCHANGED: &str = "warden_changes_answers_total{path=\"unchanged\"}";
    let (reads, cheap) = (metric(&s, STORE).await, metric(&s, UNCHANGED).await);
    let started = Instant::now();
    for _ in 0..50 {
        let (status, c) = s
            .call(
                "GET",
                &format!("/v1/changes?since={c0}"),
                Some(&viewer),
                None,
            )
            .await;
        assert_eq!(status, 200, "{c}");
        assert_eq!(c["full"], false);
        assert_eq!(cursor(&c), c0);
        assert_only(&c, &[]);
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "50 empty polls took {took:?}"
    );
    assert_eq!(
        metric(&s, STORE).await,
        reads,
        "an unchanged poll read the store"
    );
    assert_eq!(metric(&s, UNCHANGED).await, cheap + 50.0);

    // A change is seen on the next poll: the revision moved, so the store
    // is read.
    s.agent("c").await;
    let c = s.get(&format!("/v1/changes?since={c0}")).await;
    assert_only(&c, &[("agents", 1)]);
    assert!(cursor(&c) > c0);
    assert_eq!(metric(&s, STORE).await, reads + 1.0);
    // Neither a cursor from the future nor 0 takes the cheap path.
    let c = s.get(&format!("/v1/changes?since={}", c0 + 1000)).await;
    assert_eq!(c["full"], true);
    let c = s.get("/v1/changes?since=0").await;
    assert_eq!(c["full"], true);
}

#[tokio::test]
async fn a_long_poll_at_the_latest_revision_wakes_on_a_write() {
    let s = Arc::new(TestServer::start_with(eager_r18()).await);
    populate(&s).await;
    let c0 = cursor(&s.get("/v1/changes").await);
    let poll = {
        let s = Arc::clone(&s);
        tokio::spawn(async move { s.get(&format!("/v1/changes?since={c0}&wait=30")).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!poll.is_finished(), "answered before anything changed");
    s.person("Quinn", "quinn@corp.example").await;
    let c = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .expect("the long poll did not wake on the write")
        .unwrap();
    assert_only(&c, &[("people", 1)]);
    assert!(cursor(&c) > c0);
}

#[tokio::test]
async fn answers_are_gzipped_when_the_client_accepts_it() {
    let s = TestServer::start_with(eager_r18()).await;
    populate(&s).await;
    for i in 0..20 {
        s.agent(&format!("padding-{i}")).await;
    }
    // A client that does not decode, to see the bytes on the wire.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let get = |encoding: Option<&'static str>| {
        let mut req = raw
            .get(format!("{}/v1/changes?since=0", s.url))
            .bearer_auth(ADMIN);
        if let Some(e) = encoding {
            req = req.header(reqwest::header::ACCEPT_ENCODING, e);
        }
        req.send()
    };
    let plain = get(None).await.unwrap();
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    serde_json::from_slice::<Value>(&plain).expect("identity is plain JSON");

    let zipped = get(Some("gzip")).await.unwrap();
    assert_eq!(zipped.status(), 200);
    assert_eq!(
        zipped.headers().get("content-encoding").unwrap(),
        "gzip",
        "{:?}",
        zipped.headers()
    );
    let zipped = zipped.bytes().await.unwrap();
    assert_eq!(&zipped[..2], &[0x1f, 0x8b], "not a gzip stream");
    assert!(
        zipped.len() * 3 < plain.len(),
        "gzip {} bytes vs {} plain",
        zipped.len(),
        plain.len()
    );

    // Warden's own client asks for gzip and decodes it.
    let client = warden::api::client::Client::new(&s.url, Some(ADMIN)).unwrap();
    let changes = client.changes(0, None).await.unwrap();
    assert_eq!(changes.agents.len(), 22);
}
