//! What the rules suites share: a server whose periodic sweep is off (each
//! test sweeps when it means to, at the "now" it chooses), events, the
//! alerts of one rule, and the checks every rule's tests make.

use super::server::*;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use warden::config::{RuleThresholds, ServeConfig};

/// The thresholds of the tests: the defaults, with no periodic sweep.
pub fn thresholds() -> RuleThresholds {
    RuleThresholds {
        sweep_interval_seconds: 0,
        ..Default::default()
    }
}

pub async fn server() -> TestServer {
    server_with(thresholds()).await
}

pub async fn server_with(rules: RuleThresholds) -> TestServer {
    TestServer::start_with(ServeConfig {
        rules,
        ..Default::default()
    })
    .await
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn days(n: i64) -> Duration {
    Duration::days(n)
}

pub fn mins(n: i64) -> Duration {
    Duration::minutes(n)
}

/// An event on `target`.
pub fn ev(target: &str) -> Value {
    json!({"action": "call", "target": target, "result": "ok"})
}

/// An event on `target` at `at`.
pub fn ev_at(target: &str, at: DateTime<Utc>) -> Value {
    json!({"action": "call", "target": target, "result": "ok", "time": at.to_rfc3339()})
}

/// `n` events on `target` at `at`.
pub fn burst(target: &str, at: DateTime<Utc>, n: usize) -> Vec<Value> {
    (0..n).map(|_| ev_at(target, at)).collect()
}

/// Posts a batch with the agent's credential; asserts every event accepted.
pub async fn report(s: &TestServer, secret: &str, batch: Vec<Value>) {
    let n = batch.len();
    let (status, body) = s
        .post("/v1/agent/events", secret, Value::Array(batch))
        .await;
    assert_eq!(status, 200, "events refused: {body}");
    assert_eq!(body["accepted"], n, "{body}");
}

/// Registers an agent in `env`; answers its id.
pub async fn agent_in(s: &TestServer, name: &str, env: &str) -> String {
    let a = s
        .agent_with(json!({"name": name, "kind": "autonomous", "environment": env}))
        .await;
    txt(&a, "id").to_string()
}

/// An agent with a credential that never expires; answers (id, secret).
pub async fn live_agent(s: &TestServer, name: &str, env: &str) -> (String, String) {
    let id = agent_in(s, name, env).await;
    let (_, secret) = s.credential(name).await;
    (id, secret)
}

/// Every alert of `rule`, newest first.
pub async fn alerts(s: &TestServer, rule: &str) -> Vec<Value> {
    s.get("/v1/alerts")
        .await
        .as_array()
        .expect("alerts are an array")
        .iter()
        .filter(|a| a["rule"] == rule)
        .cloned()
        .collect()
}

/// The alerts of `rule` on `agent_id`.
pub async fn alerts_on(s: &TestServer, rule: &str, agent_id: &str) -> Vec<Value> {
    alerts(s, rule)
        .await
        .into_iter()
        .filter(|a| a["agent_id"] == agent_id)
        .collect()
}

/// The one alert of `rule` on `agent_id`, asserted open and the only one.
#[track_caller]
pub fn only(alerts: &[Value]) -> &Value {
    assert_eq!(alerts.len(), 1, "expected exactly one alert: {alerts:#?}");
    &alerts[0]
}

/// The one alert of `rule` on `agent_id`: it must exist, be the only one,
/// be open, carry the rule's mapping, and name the agent.
pub async fn open_alert(s: &TestServer, rule: &str, agent_id: &str) -> Value {
    let all = alerts_on(s, rule, agent_id).await;
    let a = only(&all).clone();
    assert_eq!(a["status"], "open", "{a}");
    assert_eq!(a["source"], "warden", "{a}");
    assert!(
        a["mapping"].as_array().is_some_and(|m| !m.is_empty()),
        "no mapping: {a}"
    );
    assert!(a["resolved_at"].is_null(), "{a}");
    a
}

/// No alert of `rule` on `agent_id` (open or not).
pub async fn assert_none(s: &TestServer, rule: &str, agent_id: &str) {
    let all = alerts_on(s, rule, agent_id).await;
    assert!(all.is_empty(), "expected no {rule} alert: {all:#?}");
}

/// The alert `id` is resolved, with its time, and its evidence says why
/// (containing `why`) before what it was.
pub async fn assert_resolved(s: &TestServer, id: &str, why: &str) -> Value {
    let all = s.get("/v1/alerts").await;
    let a = all
        .as_array()
        .expect("alerts")
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no alert {id}: {all}"))
        .clone();
    assert_eq!(a["status"], "resolved", "{a}");
    assert!(a["resolved_at"].is_string(), "no resolved_at: {a}");
    let evidence = txt(&a, "evidence");
    assert!(
        evidence.starts_with("resolved: "),
        "the evidence does not say it resolved: {a}"
    );
    assert!(evidence.contains(why), "expected {why:?} in {evidence:?}");
    assert!(evidence.contains("Was: "), "the old evidence is gone: {a}");
    a
}

/// The evidence line of an alert.
pub fn evidence(a: &Value) -> &str {
    txt(a, "evidence")
}

/// Audit entries of `action` whose actor is `rule:RULE`.
pub async fn audited(s: &TestServer, action: &str, rule: &str) -> Vec<Value> {
    s.audit()
        .await
        .into_iter()
        .filter(|e| e["action"] == action && e["actor"] == format!("rule:{rule}"))
        .collect()
}

/// Milliseconds since the epoch, as the database stores times.
pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A server config where R18 opens on the first refusal, with no grace:
/// for suites that need an open alert at once (the rules suite tests the
/// real grace and count).
pub fn eager_r18() -> ServeConfig {
    ServeConfig {
        rules: RuleThresholds {
            refused_attempts: 1,
            refused_grace_seconds: 0,
            ..Default::default()
        },
        ..Default::default()
    }
}
