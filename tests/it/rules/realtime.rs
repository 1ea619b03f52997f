//! Detection in real time: the demo opens on its alerts, an API action
//! raises its rule at once, and a time threshold fires at the moment it
//! passes, each measured from cause to alert.

use crate::support::rules::*;
use crate::support::server::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use warden::api::client::Client;
use warden::config::{RuleThresholds, ServeConfig};
use warden::demo::schedule::FROM_THE_FLEET;
use warden::demo::{Demo, DemoOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_answers_its_first_sync_with_the_fleets_alerts() {
    let demo = Demo::start(DemoOptions {
        simulate: false,
        incidents: None,
        // Long enough that no scheduled sweep can come before the check.
        rules: RuleThresholds {
            sweep_interval_seconds: 3600,
            ..warden::demo::thresholds()
        },
        ..DemoOptions::new(200, 11, "127.0.0.1:0".parse().unwrap())
    })
    .await
    .expect("the demo starts");
    let client = Client::new(&demo.url, Some(&demo.token)).unwrap();
    let alerts = client.alerts().await.expect("alerts");
    for rule in FROM_THE_FLEET {
        assert!(
            alerts.iter().any(|a| a.rule == *rule),
            "no {rule} on the first screen; {} alerts",
            alerts.len()
        );
    }
    // The demo ships one guardrail: a spike in non-production, frozen
    // after 30 s unless a person steps in.
    let policies = client.guardrails().await.expect("guardrails").policies;
    assert_eq!(policies.len(), 1, "{policies:?}");
    assert_eq!(policies[0].name, "freeze-spikes");
    assert_eq!(policies[0].rule, ["R11"]);
    assert_eq!(policies[0].grace_seconds, 30);
    demo.shutdown().await;
}

/// Detection in real time: the periodic sweep is an hour away, so only an
/// action's own evaluation or a scheduled threshold can raise anything.
pub(super) fn realtime() -> ServeConfig {
    ServeConfig {
        rules: RuleThresholds {
            sweep_interval_seconds: 3600,
            ..RuleThresholds::default()
        },
        ..ServeConfig::default()
    }
}

/// How long after `since` the alerts first satisfy `seen`, polled every
/// 10 ms; fails past 3 s, and (the bound) past 1 s.
pub(super) async fn latency(
    s: &TestServer,
    what: &str,
    since: Instant,
    seen: impl Fn(&[Value]) -> bool,
) -> Duration {
    loop {
        let alerts = s.get("/v1/alerts").await;
        if seen(alerts.as_array().expect("alerts")) {
            let took = since.elapsed();
            assert!(
                took <= Duration::from_secs(1),
                "{what}: {took:?} from cause to alert"
            );
            return took;
        }
        assert!(
            since.elapsed() < Duration::from_secs(3),
            "{what}: no alert after 3 s: {alerts:#}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub(super) fn open_on(rule: &'static str, agent: String) -> impl Fn(&[Value]) -> bool {
    move |all| {
        all.iter()
            .any(|a| a["rule"] == rule && a["agent_id"] == agent && a["status"] == "open")
    }
}

pub(super) fn resolved(id: String) -> impl Fn(&[Value]) -> bool {
    move |all| {
        all.iter()
            .any(|a| a["id"] == id && a["status"] == "resolved")
    }
}

pub(super) async fn alert_id(s: &TestServer, rule: &str, agent: &str) -> String {
    let all = alerts_on(s, rule, agent).await;
    txt(only(&all), "id").to_string()
}

/// Waits for the scheduler's first sweep at start, so what follows is
/// measured from its own cause.
pub(super) async fn settled(s: &TestServer) {
    let t0 = Instant::now();
    while s.detector().sweeps() == 0 {
        assert!(t0.elapsed() < Duration::from_secs(3), "no first sweep");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn ownership_actions_raise_and_resolve_r01_and_r02_within_a_second() {
    let s = TestServer::start_with(realtime()).await;
    settled(&s).await;
    let t = Instant::now();
    let orphan = agent_in(&s, "orphan", "prod").await;
    latency(
        &s,
        "register without owner → R01",
        t,
        open_on("R01", orphan.clone()),
    )
    .await;

    s.person("Pat", "pat@corp.example").await;
    let r01 = alert_id(&s, "R01", &orphan).await;
    let t = Instant::now();
    s.admin(
        "POST",
        &format!("/v1/agents/{orphan}/owner"),
        json!({"owner": "pat@corp.example", "reason": "claimed"}),
    )
    .await;
    latency(&s, "owner set → R01 resolved", t, resolved(r01)).await;

    s.credential("orphan").await;
    let t = Instant::now();
    s.admin(
        "POST",
        "/v1/people/pat@corp.example/offboard",
        json!({"reason": "left"}),
    )
    .await;
    latency(&s, "offboard → R02", t, open_on("R02", orphan.clone())).await;
}

#[tokio::test]
async fn credential_grant_delegation_and_token_actions_raise_their_rule_within_a_second() {
    let s = TestServer::start_with(realtime()).await;
    settled(&s).await;
    s.person("Pat", "pat@corp.example").await;
    let owned = |name: &str| {
        json!({"name": name, "kind": "autonomous", "environment": "prod",
               "owner": "pat@corp.example"})
    };
    let helper = txt(&s.agent_with(owned("helper")).await, "id").to_string();
    let sub = txt(&s.agent_with(owned("sub")).await, "id").to_string();

    let t = Instant::now();
    s.credential("helper").await;
    latency(
        &s,
        "credential without expiry → R04",
        t,
        open_on("R04", helper.clone()),
    )
    .await;

    let t = Instant::now();
    s.admin(
        "POST",
        "/v1/agents/helper/grants",
        json!({"resource": "crm", "scope": "tickets:write", "level": "write"}),
    )
    .await;
    latency(&s, "write grant → R13", t, open_on("R13", helper.clone())).await;

    s.admin(
        "POST",
        "/v1/delegations",
        json!({"parent_person": "pat@corp.example", "child_agent": "helper", "scopes": ["tickets:read"]}),
    )
    .await;
    // Kim gave helper a scope Pat never did; helper passes it on for Pat.
    s.person("Kim", "kim@corp.example").await;
    s.admin(
        "POST",
        "/v1/delegations",
        json!({"parent_person": "kim@corp.example", "child_agent": "helper", "scopes": ["iam:admin"]}),
    )
    .await;
    let t = Instant::now();
    s.admin(
        "POST",
        "/v1/delegations",
        json!({"parent_agent": "helper", "child_agent": "sub",
               "on_behalf_of": "pat@corp.example", "scopes": ["iam:admin"]}),
    )
    .await;
    latency(&s, "escalating delegation → R14", t, open_on("R14", sub)).await;

    let t = Instant::now();
    s.admin(
        "POST",
        "/v1/tokens",
        json!({"name": "ci-deploy", "role": "admin"}),
    )
    .await;
    latency(&s, "token for no person → R21", t, |all: &[Value]| {
        all.iter()
            .any(|a| a["rule"] == "R21" && a["status"] == "open")
    })
    .await;
}

/// Moves a stored time so that its threshold passes `lead` from now, and
/// nudges the server with an action on `agent` (suspending it: the rules
/// it holds still apply), whose evaluation finds the threshold; the
/// scheduler wakes then. Answers when it passes.
async fn threshold_in(
    s: &TestServer,
    (sql, id): (&str, &str),
    at_ms: i64,
    lead: Duration,
    agent: &str,
) -> Instant {
    s.sql().execute(sql, params![at_ms, id]).unwrap();
    let passes = Instant::now() + lead;
    s.admin(
        "POST",
        &format!("/v1/agents/{agent}/suspend"),
        json!({"reason": "nudge"}),
    )
    .await;
    passes
}

#[tokio::test]
async fn time_thresholds_fire_at_the_moment_they_pass() {
    let s = TestServer::start_with(realtime()).await;
    settled(&s).await;
    s.person("Pat", "pat@corp.example").await;
    let owned = |name: &str| {
        json!({"name": name, "kind": "autonomous", "environment": "prod",
               "owner": "pat@corp.example"})
    };
    let lead = Duration::from_millis(1500);
    let due = |span: chrono::Duration| ms(now() - span + chrono::Duration::milliseconds(1500));

    // R03: thirty days without activity, with a live credential.
    let sleepy = txt(&s.agent_with(owned("sleepy")).await, "id").to_string();
    s.credential_with(
        "sleepy",
        json!({"scopes": ["tickets:read"], "ttl_seconds": 86400 * 365}),
    )
    .await;
    let passes = threshold_in(
        &s,
        (
            "UPDATE agents SET created_at = ?1, last_seen_at = ?1 WHERE id = ?2",
            &sleepy,
        ),
        due(days(30)),
        lead,
        "sleepy",
    )
    .await;
    assert_none(&s, "R03", &sleepy).await;
    tokio::time::sleep_until(passes.into()).await;
    latency(&s, "30 days idle → R03", passes, open_on("R03", sleepy)).await;

    // R05: a credential older than the rotation policy.
    let old = txt(&s.agent_with(owned("old-key")).await, "id").to_string();
    let c = s
        .credential_with(
            "old-key",
            json!({"scopes": ["tickets:read"], "ttl_seconds": 86400 * 365}),
        )
        .await;
    let passes = threshold_in(
        &s,
        (
            "UPDATE credentials SET issued_at = ?1 WHERE id = ?2",
            txt(&c, "id"),
        ),
        due(days(90)),
        lead,
        "old-key",
    )
    .await;
    assert_none(&s, "R05", &old).await;
    tokio::time::sleep_until(passes.into()).await;
    latency(&s, "90 days since issue → R05", passes, open_on("R05", old)).await;

    // R06: a write grant unused for thirty days.
    let hoarder = txt(&s.agent_with(owned("hoarder")).await, "id").to_string();
    let g = s
        .admin(
            "POST",
            "/v1/agents/hoarder/grants",
            json!({"resource": "crm", "scope": "tickets:write", "level": "write"}),
        )
        .await;
    let passes = threshold_in(
        &s,
        (
            "UPDATE grants SET granted_at = ?1 WHERE id = ?2",
            txt(&g, "id"),
        ),
        due(days(30)),
        lead,
        "hoarder",
    )
    .await;
    tokio::time::sleep_until(passes.into()).await;
    latency(&s, "30 days unused → R06", passes, open_on("R06", hoarder)).await;

    // R01's grace: critical once unowned for the grace period.
    let orphan = agent_in(&s, "orphan", "prod").await;
    let passes = threshold_in(
        &s,
        ("UPDATE agents SET created_at = ?1 WHERE id = ?2", &orphan),
        due(chrono::Duration::hours(168)),
        lead,
        "orphan",
    )
    .await;
    tokio::time::sleep_until(passes.into()).await;
    latency(
        &s,
        "grace over → R01 critical",
        passes,
        move |all: &[Value]| {
            all.iter().any(|a| {
                a["rule"] == "R01" && a["agent_id"] == orphan && a["severity"] == "critical"
            })
        },
    )
    .await;

    // Expiry: an offboarded owner's agent whose last credential expires.
    s.person("Lee", "lee@corp.example").await;
    let left = txt(
        &s.agent_with(json!({"name": "left-behind", "kind": "autonomous",
                             "environment": "prod", "owner": "lee@corp.example"}))
            .await,
        "id",
    )
    .to_string();
    s.credential_with(
        "left-behind",
        json!({"scopes": ["tickets:read"], "ttl_seconds": 2}),
    )
    .await;
    let expires = Instant::now() + Duration::from_secs(2);
    s.admin(
        "POST",
        "/v1/people/lee@corp.example/offboard",
        json!({"reason": "left"}),
    )
    .await;
    latency(
        &s,
        "offboard → R02",
        Instant::now(),
        open_on("R02", left.clone()),
    )
    .await;
    let r02 = alert_id(&s, "R02", &left).await;
    tokio::time::sleep_until(expires.into()).await;
    latency(&s, "expiry → R02 resolved", expires, resolved(r02)).await;
}
