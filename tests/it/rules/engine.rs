//! The rule engine as a whole, against a real server: one cause keeps one
//! alert; a sweep that changes nothing takes no revision; what the rules
//! open and resolve reaches the changes feed and the audit chain; the
//! thresholds are checked at start; the periodic sweep runs on its own;
//! and a sweep over a large fleet stays set-based and quick.

use crate::support::rules::*;
use crate::support::server::*;
use serde_json::json;
use std::time::{Duration, Instant};
use warden::config::{RuleThresholds, ServeConfig};

async fn cursor(s: &TestServer) -> i64 {
    s.get("/v1/changes?since=0").await["cursor"]
        .as_i64()
        .expect("cursor")
}

#[tokio::test]
async fn one_cause_keeps_one_alert_across_sweeps_and_batches() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "noisy", "staging").await;
    for _ in 0..4 {
        s.sweep_at(now()).await;
        report(
            &s,
            &secret,
            vec![json!({"action": "a", "target": "db.prod.corp.example", "interactive": true})],
        )
        .await;
    }
    for rule in ["R01", "R04", "R08", "R09"] {
        open_alert(&s, rule, &id).await;
        assert_eq!(
            audited(&s, "alert.open", rule).await.len(),
            1,
            "{rule} opened more than once"
        );
    }
}

#[tokio::test]
async fn a_sweep_that_changes_nothing_takes_no_revision() {
    let s = server().await;
    live_agent(&s, "settled", "prod").await;
    let first = s.sweep_at(now()).await;
    assert_eq!((first.opened, first.updated, first.resolved), (2, 0, 0));
    let before = cursor(&s).await;
    let again = s.sweep_at(now()).await;
    assert_eq!(again, Default::default());
    assert_eq!(
        cursor(&s).await,
        before,
        "an idle sweep bumped the revision"
    );
}

#[tokio::test]
async fn opened_and_resolved_alerts_reach_the_changes_feed() {
    let s = server().await;
    s.person("Quinn", "quinn@corp.example").await;
    let id = agent_in(&s, "fed", "prod").await;
    let c0 = cursor(&s).await;
    s.sweep_at(now()).await;
    let c = s.get(&format!("/v1/changes?since={c0}")).await;
    let fed = c["alerts"].as_array().expect("alerts");
    assert_eq!(fed.len(), 1, "{c}");
    assert_eq!(fed[0]["rule"], "R01");
    assert_eq!(fed[0]["status"], "open");
    assert_eq!(fed[0]["agent_id"], id.as_str());
    assert_eq!(fed[0]["mapping"], json!(["NHI1", "ASI10"]));

    let c1 = c["cursor"].as_i64().unwrap();
    s.admin(
        "POST",
        "/v1/agents/fed/owner",
        json!({"owner": "quinn@corp.example", "reason": "mine"}),
    )
    .await;
    let c2 = cursor(&s).await;
    s.sweep_at(now()).await;
    let c = s.get(&format!("/v1/changes?since={c2}")).await;
    let fed = c["alerts"].as_array().expect("alerts");
    assert_eq!(fed.len(), 1, "{c}");
    assert_eq!(fed[0]["status"], "resolved");
    assert!(fed[0]["resolved_at"].is_string());
    assert!(c["cursor"].as_i64().unwrap() > c1);
}

#[tokio::test]
async fn open_escalation_and_resolution_are_audited_as_the_rule() {
    let s = server().await;
    s.person("Quinn", "quinn@corp.example").await;
    let id = agent_in(&s, "audited", "prod").await;
    s.sweep_at(now()).await;
    s.sweep_at(now() + days(8)).await;
    s.admin(
        "POST",
        "/v1/agents/audited/owner",
        json!({"owner": "quinn@corp.example", "reason": "triage"}),
    )
    .await;
    s.sweep_at(now() + days(8)).await;
    let alert = only(&alerts(&s, "R01").await).clone();
    let entries: Vec<_> = s
        .audit()
        .await
        .into_iter()
        .filter(|e| e["actor"] == "rule:R01")
        .collect();
    let actions: Vec<&str> = entries.iter().map(|e| txt(e, "action")).collect();
    assert_eq!(actions, ["alert.open", "alert.severity", "alert.resolve"]);
    for e in &entries {
        assert_eq!(
            txt(e, "target"),
            format!("{} on {id}", txt(&alert, "id")),
            "{e}"
        );
    }
    assert_eq!(
        txt(&entries[0], "result"),
        "high: Unowned agent: audited has no owner"
    );
    assert!(txt(&entries[1], "result").starts_with("high -> critical: "));
    assert_eq!(
        txt(&entries[2], "result"),
        "resolved: owned by quinn@corp.example now"
    );
    assert_eq!(s.verify().await["ok"], true);
}

#[tokio::test]
async fn a_cause_that_comes_back_opens_a_new_alert() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "relapse", "prod").await;
    report(
        &s,
        &secret,
        vec![json!({"action": "a", "target": "crm", "interactive": true})],
    )
    .await;
    let first = open_alert(&s, "R09", &id).await;
    s.sweep_at(now() + mins(61)).await;
    report(
        &s,
        &secret,
        vec![json!({"action": "a", "target": "crm", "interactive": true})],
    )
    .await;
    let all = alerts_on(&s, "R09", &id).await;
    assert_eq!(all.len(), 2, "{all:#?}");
    let live: Vec<_> = all.iter().filter(|a| a["status"] == "open").collect();
    assert_eq!(live.len(), 1);
    assert_ne!(live[0]["id"], first["id"]);
}

#[tokio::test]
async fn an_acknowledged_alert_is_kept_up_to_date_and_still_resolves() {
    let s = server().await;
    s.person("Quinn", "quinn@corp.example").await;
    let id = agent_in(&s, "acked", "prod").await;
    s.sweep_at(now()).await;
    let a = open_alert(&s, "R01", &id).await;
    s.admin(
        "POST",
        &format!("/v1/alerts/{}/ack", txt(&a, "id")),
        json!({"reason": "on it"}),
    )
    .await;
    s.sweep_at(now() + days(8)).await;
    let all = alerts_on(&s, "R01", &id).await;
    let now_a = only(&all);
    assert_eq!(now_a["status"], "acknowledged");
    assert_eq!(now_a["severity"], "critical");
    s.admin(
        "POST",
        "/v1/agents/acked/owner",
        json!({"owner": "quinn@corp.example", "reason": "done"}),
    )
    .await;
    s.sweep_at(now()).await;
    assert_resolved(&s, txt(&a, "id"), "owned by quinn@corp.example now").await;
}

#[tokio::test]
async fn nonsense_thresholds_are_refused_at_start() {
    let store = warden::server::open_store("sqlite::memory:").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = ServeConfig {
        rules: RuleThresholds {
            spike_factor: 1.0,
            ..Default::default()
        },
        ..Default::default()
    };
    let err = warden::server::start(store, config, None, listener)
        .await
        .err()
        .expect("a spike factor of 1 is refused");
    assert!(err.to_string().contains("spike_factor"), "{err}");
}

#[tokio::test]
async fn the_periodic_sweep_runs_on_its_own_and_stops_with_the_server() {
    let s = server_with(RuleThresholds {
        sweep_interval_seconds: 1,
        ..Default::default()
    })
    .await;
    let id = agent_in(&s, "noticed", "prod").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while alerts_on(&s, "R01", &id).await.is_empty() {
        assert!(Instant::now() < deadline, "no sweep in 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    open_alert(&s, "R01", &id).await;
    // Stopping waits for the sweeper; a hang would time the test out.
    tokio::time::timeout(Duration::from_secs(10), s.stop())
        .await
        .expect("the server stops with its sweeper");
}

#[tokio::test]
async fn a_sweep_over_a_large_fleet_is_set_based() {
    const AGENTS: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("warden.db");
    {
        let store = warden::server::open_store(&format!("sqlite:{}", db.display())).unwrap();
        let fleet = warden::demo::fleet::generate(AGENTS, 7, now());
        store
            .import(&warden::server::store::Actor::new("test"), fleet.import)
            .await
            .unwrap();
    }
    let s = TestServer::start_on(
        dir,
        db,
        ServeConfig {
            rules: thresholds(),
            ..Default::default()
        },
    )
    .await;
    let t = Instant::now();
    let first = s.sweep_at(now()).await;
    let first_took = t.elapsed();
    assert!(first.opened > 0, "a generated fleet has something to see");
    let t = Instant::now();
    let again = s.sweep_at(now()).await;
    let again_took = t.elapsed();
    assert_eq!(again, Default::default());
    eprintln!(
        "{AGENTS} agents: first sweep {first_took:?} ({} opened), idle sweep {again_took:?}",
        first.opened
    );
    // Generous for a debug build on a loaded machine; one query per agent
    // would be far slower.
    assert!(again_took < Duration::from_secs(10), "{again_took:?}");
}
