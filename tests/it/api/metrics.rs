//! `GET /metrics`: the Prometheus text a scraper reads, its numbers after
//! real work, and who may read it.

use crate::support::rules::eager_r18;
use crate::support::server::*;
use serde_json::json;
use warden::config::ServeConfig;
use warden::server::metrics::MetricsAccess;

async fn scrape(s: &TestServer, token: Option<&str>) -> (u16, String, String) {
    let mut req = s.http.get(format!("{}/metrics", s.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, resp.text().await.unwrap())
}

/// Checks that every line is `# HELP`, `# TYPE` or `name{labels} value`,
/// and answers the samples.
fn parse(text: &str) -> Vec<(String, f64)> {
    let mut samples = Vec::new();
    let mut typed = std::collections::BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect(line);
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            typed.insert(name.to_string());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line:?}"));
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("value of {line:?}"));
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => (n, Some(l)),
            None => (series, None),
        };
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "name of {line:?}"
        );
        if let Some(l) = labels {
            let l = l.strip_suffix('}').unwrap_or_else(|| panic!("{line:?}"));
            for pair in l.split("\",").filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once("=\"").unwrap_or_else(|| panic!("{line:?}"));
                assert!(
                    k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{line:?}"
                );
                assert!(!v.is_empty() || pair.ends_with('"'), "{line:?}");
            }
        }
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|f| typed.contains(*f))
            .unwrap_or(name);
        assert!(typed.contains(family), "{name} has no # TYPE before it");
        samples.push((series.to_string(), value));
    }
    samples
}

fn value(samples: &[(String, f64)], series: &str) -> f64 {
    samples
        .iter()
        .find(|(s, _)| s == series)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no {series}"))
}

#[tokio::test]
async fn a_scrape_counts_agents_alerts_operations_and_requests() {
    let s = TestServer::start_with(eager_r18()).await;
    for name in ["a", "b", "c", "d"] {
        s.agent(name).await;
    }
    s.admin("POST", "/v1/agents/b/suspend", json!({"reason": "look"}))
        .await;
    let op = s.kill("c", json!({"reason": "gone"})).await;
    assert_eq!(op["status"], "succeeded");
    // A dry run is no operation; a kill of a missing agent is refused.
    s.kill("d", json!({"reason": "plan", "dry_run": true}))
        .await;
    let (status, _) = s
        .post("/v1/agents/nobody/kill", ADMIN, json!({"reason": "x"}))
        .await;
    assert_eq!(status, 404);
    // A killed agent's credential that keeps trying raises R18 (critical).
    let (_, secret) = s.credential("d").await;
    s.kill("d", json!({"reason": "gone too"})).await;
    s.heartbeat(&secret).await;
    s.get("/v1/agents/a").await;

    let (status, content_type, text) = scrape(&s, Some(ADMIN)).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let m = parse(&text);
    assert_eq!(
        value(&m, r#"warden_agents{status="active"}"#),
        1.0,
        "{text}"
    );
    assert_eq!(value(&m, r#"warden_agents{status="suspended"}"#), 1.0);
    assert_eq!(value(&m, r#"warden_agents{status="killed"}"#), 2.0);
    assert_eq!(value(&m, r#"warden_agents{status="dormant"}"#), 0.0);
    let alerts: f64 = m
        .iter()
        .filter(|(s, _)| s.starts_with("warden_alerts{status=\"open\""))
        .map(|(_, v)| v)
        .sum();
    let open = s.get("/v1/alerts").await;
    let open_now = open
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "open")
        .count();
    assert!(open_now >= 1, "{open}");
    assert_eq!(alerts, open_now as f64, "{text}");
    assert!(
        value(&m, r#"warden_alerts{status="open",severity="critical"}"#) >= 1.0,
        "{text}"
    );
    assert_eq!(
        value(
            &m,
            r#"warden_operations_total{kind="kill",result="succeeded"}"#
        ),
        2.0
    );
    assert_eq!(
        value(
            &m,
            r#"warden_operations_total{kind="kill",result="refused"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &m,
            r#"warden_operations_total{kind="suspend",result="succeeded"}"#
        ),
        1.0
    );
    // Requests are filed under the route they matched, not the raw path.
    let detail = r#"route="/v1/agents/{id}",method="GET",status="200""#;
    assert_eq!(
        value(
            &m,
            &format!("warden_http_request_duration_seconds_count{{{detail}}}")
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        value(
            &m,
            &format!("warden_http_request_duration_seconds_bucket{{{detail},le=\"+Inf\"}}")
        ),
        1.0
    );
    assert!(
        !text.contains("/v1/agents/a\""),
        "a raw path leaked:\n{text}"
    );
    let kill404 = r#"route="/v1/agents/{id}/kill",method="POST",status="404""#;
    assert_eq!(
        value(
            &m,
            &format!("warden_http_request_duration_seconds_count{{{kill404}}}")
        ),
        1.0
    );
}

#[tokio::test]
async fn unknown_paths_share_one_label() {
    let s = TestServer::start().await;
    for p in ["/nope/1", "/nope/2", "/v1/agents/a/b/c"] {
        let (status, _) = s.call("GET", p, Some(ADMIN), None).await;
        assert_eq!(status, 404);
    }
    let (_, _, text) = scrape(&s, Some(ADMIN)).await;
    let m = parse(&text);
    assert_eq!(
        value(
            &m,
            r#"warden_http_request_duration_seconds_count{route="unmatched",method="GET",status="404"}"#
        ),
        3.0,
        "{text}"
    );
    assert!(!text.contains("/nope"), "{text}");
}

#[tokio::test]
async fn metrics_need_a_person_token_unless_made_public() {
    let s = TestServer::start().await;
    let (status, _, body) = scrape(&s, None).await;
    assert_eq!(status, 401, "{body}");
    let viewer = s.token("viewer").await;
    let (status, _, _) = scrape(&s, Some(&viewer)).await;
    assert_eq!(status, 200);
    let (_, secret) = {
        s.agent("bot").await;
        s.credential("bot").await
    };
    let (status, _, _) = scrape(&s, Some(&secret)).await;
    assert_eq!(
        status, 403,
        "an agent credential may not read the fleet's figures"
    );
    s.stop().await;

    let s = TestServer::start_with(ServeConfig {
        metrics: MetricsAccess::Public,
        ..Default::default()
    })
    .await;
    let (status, _, text) = scrape(&s, None).await;
    assert_eq!(status, 200, "{text}");
    parse(&text);
}

#[test]
fn the_config_names_who_may_scrape() {
    let c = warden::config::Config::parse("[serve]\nmetrics = \"public\"").unwrap();
    assert_eq!(c.serve.metrics, MetricsAccess::Public);
    let c = warden::config::Config::parse("").unwrap();
    assert_eq!(c.serve.metrics, MetricsAccess::Viewer);
    let e = warden::config::Config::parse("[serve]\nmetrics = \"everyone\"").unwrap_err();
    assert!(e.contains("metrics") || e.contains("everyone"), "{e}");
}

/// A snoozed alert is counted as `snoozed`, not `open`, so a Prometheus
/// rule on open alerts does not page for it; it counts as open again once
/// its snooze ends.
#[tokio::test]
async fn a_snoozed_alert_is_counted_apart_from_the_open_ones() {
    let s = TestServer::start_with(eager_r18()).await;
    s.agent("stuck").await;
    let (_, secret) = s.credential("stuck").await;
    s.admin("POST", "/v1/agents/stuck/suspend", json!({"reason": "x"}))
        .await;
    s.heartbeat(&secret).await;
    let id = txt(&s.get("/v1/alerts").await[0], "id").to_string();
    let counted = |text: &str| {
        let m = parse(text);
        (
            value(&m, r#"warden_alerts{status="open",severity="high"}"#),
            value(&m, r#"warden_alerts{status="snoozed",severity="high"}"#),
        )
    };
    assert_eq!(counted(&scrape(&s, Some(ADMIN)).await.2), (1.0, 0.0));
    s.admin(
        "POST",
        &format!("/v1/alerts/{id}/snooze"),
        json!({"seconds": 600, "reason": "known"}),
    )
    .await;
    assert_eq!(counted(&scrape(&s, Some(ADMIN)).await.2), (0.0, 1.0));
    s.admin(
        "POST",
        &format!("/v1/alerts/{id}/unsnooze"),
        json!({"reason": "back"}),
    )
    .await;
    assert_eq!(counted(&scrape(&s, Some(ADMIN)).await.2), (1.0, 0.0));
}
