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

/// Moves a stored time so that its threshold passes at `at`, and nudges
/// the server with an action on `agent` (suspending it: the rules it
/// holds still apply), whose evaluation plans what crosses then.
async fn threshold_at(s: &TestServer, (sql, id): (&str, &str), at_ms: i64, agent: &str) {
    s.sql().execute(sql, params![at_ms, id]).unwrap();
    s.admin(
        "POST",
        &format!("/v1/agents/{agent}/suspend"),
        json!({"reason": "nudge"}),
    )
    .await;
}

/// The open alert of `rule` on `agent`, once an action's evaluation (which
/// its answer does not wait for) has raised it.
async fn raised(s: &TestServer, rule: &'static str, agent: &str) -> Value {
    let what = format!("{rule} on {agent}");
    latency(s, &what, Instant::now(), open_on(rule, agent.to_string())).await;
    open_alert(s, rule, agent).await
}

/// Every kind of time threshold, set to pass at one moment: each alert
/// comes within a second of it, judged on the agents (and tokens) that
/// cross it, with no whole-fleet sweep.
#[tokio::test]
async fn time_thresholds_fire_at_the_moment_they_pass_without_a_sweep() {
    let mut config = realtime();
    // R18 on the first refusal, so one heartbeat opens it.
    config.rules.refused_attempts = 1;
    config.rules.refused_grace_seconds = 0;
    let s = TestServer::start_with(config).await;
    settled(&s).await;
    s.person("Pat", "pat@corp.example").await;
    let owned = |name: &str| {
        json!({"name": name, "kind": "autonomous", "environment": "prod",
               "owner": "pat@corp.example"})
    };
    let long_lived = json!({"scopes": ["tickets:read"], "ttl_seconds": 86400 * 365});
    // Long enough for the setup below on a slow machine (checked).
    let lead = chrono::Duration::milliseconds(2500);
    let at = now() + lead;
    let passes = Instant::now() + lead.to_std().unwrap();
    let due = |span: chrono::Duration| ms(at - span);

    // A person token's expiry ends its R21, an alert on no agent; the
    // actions below plan it (the store's thresholds are the fleet's).
    let token = s
        .admin(
            "POST",
            "/v1/tokens",
            json!({"name": "ci-deploy", "role": "admin", "ttl_seconds": 3600}),
        )
        .await;
    latency(
        &s,
        "token for no person → R21",
        Instant::now(),
        |all: &[Value]| all.iter().any(|a| a["rule"] == "R21"),
    )
    .await;
    let r21 = only(&alerts(&s, "R21").await)["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.sql()
        .execute(
            "UPDATE tokens SET expires_at = ?1 WHERE id = ?2",
            params![ms(at), txt(&token, "id")],
        )
        .unwrap();

    // R03: thirty days without activity, with a live credential.
    let sleepy = txt(&s.agent_with(owned("sleepy")).await, "id").to_string();
    s.credential_with("sleepy", long_lived.clone()).await;
    let idle = "UPDATE agents SET created_at = ?1, last_seen_at = ?1 WHERE id = ?2";
    threshold_at(&s, (idle, &sleepy), due(days(30)), "sleepy").await;
    assert_none(&s, "R03", &sleepy).await;

    // R03 steps up to high at ninety days idle.
    let drowsy = txt(&s.agent_with(owned("drowsy")).await, "id").to_string();
    s.credential_with("drowsy", long_lived.clone()).await;
    threshold_at(&s, (idle, &drowsy), due(days(90)), "drowsy").await;
    assert_eq!(raised(&s, "R03", &drowsy).await["severity"], "medium");

    // R05: a credential older than the rotation policy.
    let old = txt(&s.agent_with(owned("old-key")).await, "id").to_string();
    let c = s.credential_with("old-key", long_lived.clone()).await;
    let issued = "UPDATE credentials SET issued_at = ?1 WHERE id = ?2";
    threshold_at(&s, (issued, txt(&c, "id")), due(days(90)), "old-key").await;
    assert_none(&s, "R05", &old).await;

    // R06: a write grant unused for thirty days; R13: a new one ages out.
    let granted = "UPDATE grants SET granted_at = ?1 WHERE id = ?2";
    let write = json!({"resource": "crm", "scope": "tickets:write", "level": "write"});
    let hoarder = txt(&s.agent_with(owned("hoarder")).await, "id").to_string();
    let g = s
        .admin("POST", "/v1/agents/hoarder/grants", write.clone())
        .await;
    threshold_at(&s, (granted, txt(&g, "id")), due(days(30)), "hoarder").await;
    let fresh = txt(&s.agent_with(owned("fresh")).await, "id").to_string();
    let g = s.admin("POST", "/v1/agents/fresh/grants", write).await;
    let hours = chrono::Duration::hours;
    threshold_at(&s, (granted, txt(&g, "id")), due(hours(24)), "fresh").await;
    let r13 = txt(&raised(&s, "R13", &fresh).await, "id").to_string();

    // R01's grace: critical once unowned for the grace period.
    let orphan = agent_in(&s, "orphan", "prod").await;
    let created = "UPDATE agents SET created_at = ?1 WHERE id = ?2";
    threshold_at(&s, (created, &orphan), due(hours(168)), "orphan").await;
    assert_eq!(raised(&s, "R01", &orphan).await["severity"], "high");

    // Behaviour going quiet: R08 resolves after an hour without it.
    let (stager, secret) = live_agent(&s, "stager", "staging").await;
    report(&s, &secret, vec![ev("https://db.prod.corp.example/query")]).await;
    let r08 = txt(&raised(&s, "R08", &stager).await, "id").to_string();
    let seen = "UPDATE alerts SET seen_at = ?1 WHERE id = ?2";
    threshold_at(&s, (seen, &r08), due(mins(60)), "stager").await;

    // R18 ends once a suspended agent stopped trying for an hour.
    let (stubborn, secret) = live_agent(&s, "stubborn", "prod").await;
    s.admin(
        "POST",
        "/v1/agents/stubborn/suspend",
        json!({"reason": "contained"}),
    )
    .await;
    assert_eq!(s.heartbeat(&secret).await.0, 403);
    let r18 = txt(&raised(&s, "R18", &stubborn).await, "id").to_string();
    s.sql()
        .execute(seen, params![due(mins(60)), r18.clone()])
        .unwrap();
    // An action on it that changes nothing R18 reads plans it.
    s.admin(
        "POST",
        "/v1/agents/stubborn/grants",
        json!({"resource": "wiki", "scope": "pages:read", "level": "read"}),
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
    let c = s.credential_with("left-behind", long_lived).await;
    s.admin(
        "POST",
        "/v1/people/lee@corp.example/offboard",
        json!({"reason": "left"}),
    )
    .await;
    let r02 = txt(&raised(&s, "R02", &left).await, "id").to_string();
    let expiry = "UPDATE credentials SET expires_at = ?1 WHERE id = ?2";
    threshold_at(&s, (expiry, txt(&c, "id")), ms(at), "left-behind").await;

    assert!(
        Instant::now() + Duration::from_millis(100) < passes,
        "the setup took longer than the lead; nothing here is measured"
    );
    assert_none(&s, "R03", &sleepy).await;
    for (rule, agent) in [
        ("R13", &fresh),
        ("R08", &stager),
        ("R18", &stubborn),
        ("R02", &left),
    ] {
        open_alert(&s, rule, agent).await;
    }
    assert_eq!(alerts(&s, "R21").await[0]["status"], "open");
    let swept = s.detector().sweeps();
    let evaluated = s.detector().evaluations();
    tokio::time::sleep_until(passes.into()).await;

    latency(&s, "30 days idle → R03", passes, open_on("R03", sleepy)).await;
    latency(&s, "90 days idle → R03 high", passes, {
        let drowsy = drowsy.clone();
        move |all: &[Value]| {
            all.iter()
                .any(|a| a["rule"] == "R03" && a["agent_id"] == drowsy && a["severity"] == "high")
        }
    })
    .await;
    latency(&s, "90 days since issue → R05", passes, open_on("R05", old)).await;
    latency(&s, "30 days unused → R06", passes, open_on("R06", hoarder)).await;
    latency(&s, "a day old → R13 resolved", passes, resolved(r13)).await;
    latency(&s, "grace over → R01 critical", passes, {
        let orphan = orphan.clone();
        move |all: &[Value]| {
            all.iter().any(|a| {
                a["rule"] == "R01" && a["agent_id"] == orphan && a["severity"] == "critical"
            })
        }
    })
    .await;
    latency(&s, "an hour quiet → R08 resolved", passes, resolved(r08)).await;
    latency(
        &s,
        "an hour not trying → R18 resolved",
        passes,
        resolved(r18),
    )
    .await;
    latency(&s, "expiry → R02 resolved", passes, resolved(r02)).await;
    latency(&s, "token expiry → R21 resolved", passes, resolved(r21)).await;
    assert_eq!(
        s.detector().sweeps(),
        swept,
        "a threshold ran a whole-fleet sweep"
    );
    assert!(s.detector().evaluations() > evaluated);
}
