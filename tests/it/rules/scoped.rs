//! An action judged on its own agents: an evaluation reads and resolves
//! only what the action reaches (its agents, its people's agents, what is
//! delegated down from them, the other holders of their secrets), never
//! waits for a whole-fleet sweep under way, and R07 is judged as the
//! events that carry a fingerprint arrive.

use super::realtime::{alert_id, latency, open_on, realtime, resolved, settled};
use crate::support::rules::*;
use crate::support::server::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use warden::server::rules::Touched;

fn owned_by(name: &str, email: &str) -> Value {
    json!({"name": name, "kind": "autonomous", "environment": "prod", "owner": email})
}

/// A call to the payment provider that presented the secret `secret`.
fn charge(secret: &str) -> Vec<Value> {
    vec![
        json!({"action": "charge", "target": "https://api.stripe.com/v1/charges",
                "result": "ok", "credential_fingerprint": warden::secrets::hash(secret)}),
    ]
}

#[tokio::test]
async fn an_evaluation_judges_and_resolves_only_the_agents_it_reaches() {
    let s = server().await;
    let a = agent_in(&s, "orphan-a", "prod").await;
    let b = agent_in(&s, "orphan-b", "prod").await;
    s.evaluate_at(&Touched::agent(&a), now()).await;
    open_alert(&s, "R01", &a).await;
    assert_none(&s, "R01", &b).await;

    s.sweep_at(now()).await;
    let on_b = txt(&open_alert(&s, "R01", &b).await, "id").to_string();
    // b's cause goes away behind the server's back: an evaluation of a
    // leaves b's alert as it is (a sweep would resolve it), one of b
    // resolves it.
    let pat = s.person("Pat", "pat@corp.example").await;
    s.sql()
        .execute(
            "UPDATE agents SET owner_id = ?1 WHERE id = ?2",
            params![txt(&pat, "id").to_string(), b.clone()],
        )
        .unwrap();
    let applied = s.evaluate_at(&Touched::agent(&a), now()).await;
    assert_eq!(applied.resolved, 0, "{applied:?}");
    open_alert(&s, "R01", &b).await;
    s.evaluate_at(&Touched::agent(&b), now()).await;
    assert_resolved(&s, &on_b, "owned by pat@corp.example").await;
}

#[tokio::test]
async fn a_person_reaches_their_agents_and_a_secret_reaches_its_other_holders() {
    let s = server().await;
    let pat = s.person("Pat", "pat@corp.example").await;
    s.person("Lee", "lee@corp.example").await;
    let mine = txt(
        &s.agent_with(owned_by("mine", "pat@corp.example")).await,
        "id",
    )
    .to_string();
    let theirs = txt(
        &s.agent_with(owned_by("theirs", "lee@corp.example")).await,
        "id",
    )
    .to_string();
    s.credential("mine").await;
    s.credential("theirs").await;
    for who in ["pat", "lee"] {
        s.admin(
            "POST",
            &format!("/v1/people/{who}@corp.example/offboard"),
            json!({"reason": "left"}),
        )
        .await;
    }
    s.evaluate_at(&Touched::person(txt(&pat, "id")), now())
        .await;
    open_alert(&s, "R02", &mine).await;
    assert_none(&s, "R02", &theirs).await;

    // One key in two agents' configs: judging one of them judges both.
    let a = agent_in(&s, "billing-sync", "prod").await;
    let b = agent_in(&s, "refund-bot", "prod").await;
    let (_, sa) = s.credential("billing-sync").await;
    let (cb, sb) = s.credential("refund-bot").await;
    report(&s, &sa, charge("sk_live_one-key")).await;
    report(&s, &sb, charge("sk_live_one-key")).await;
    s.evaluate_at(&Touched::agent(&a), now()).await;
    let on_a = txt(&open_alert(&s, "R07", &a).await, "id").to_string();
    open_alert(&s, "R07", &b).await;
    // b's copy is revoked: judging b alone ends a's alert too.
    s.admin(
        "POST",
        &format!("/v1/credentials/{cb}/revoke"),
        json!({"reason": "leaked"}),
    )
    .await;
    s.evaluate_at(&Touched::agent(&b), now()).await;
    assert_resolved(&s, &on_a, "no live credential is shared").await;
}

#[tokio::test]
async fn an_actions_alert_does_not_wait_for_a_whole_sweep_under_way() {
    let s = TestServer::start_with(realtime()).await;
    settled(&s).await;
    let swept = s.detector().sweeps();
    // A whole sweep is asked for and cannot finish while the test holds it.
    let held = s.hold_sweeps().await;
    s.detector().nudge();
    let t = Instant::now();
    let orphan = agent_in(&s, "orphan", "prod").await;
    latency(
        &s,
        "register during a sweep → R01",
        t,
        open_on("R01", orphan.clone()),
    )
    .await;
    assert_eq!(s.detector().sweeps(), swept, "a sweep raised it");
    // Counted once the evaluation has also found its next threshold.
    let t = Instant::now();
    while s.detector().evaluations() == 0 {
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "no evaluation counted"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(held);
    let t = Instant::now();
    while s.detector().sweeps() == swept {
        assert!(t.elapsed() < Duration::from_secs(3), "the sweep never ran");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The sweep agrees, and the one alert stays one.
    open_alert(&s, "R01", &orphan).await;
}

#[tokio::test]
async fn a_persons_delegation_resolves_an_escalation_it_makes_legitimate_within_a_second() {
    let s = TestServer::start_with(realtime()).await;
    settled(&s).await;
    s.person("Pat", "pat@corp.example").await;
    s.person("Kim", "kim@corp.example").await;
    let mut ids = Vec::new();
    for name in ["helper", "sub", "other"] {
        let a = s.agent_with(owned_by(name, "pat@corp.example")).await;
        ids.push(txt(&a, "id").to_string());
    }
    let sub = ids[1].clone();
    let delegate = |body: Value| s.admin("POST", "/v1/delegations", body);
    delegate(
        json!({"parent_person": "pat@corp.example", "child_agent": "helper",
                    "scopes": ["tickets:read"]}),
    )
    .await;
    delegate(
        json!({"parent_person": "kim@corp.example", "child_agent": "helper",
                    "scopes": ["iam:admin"]}),
    )
    .await;
    let t = Instant::now();
    delegate(json!({"parent_agent": "helper", "child_agent": "sub",
                    "on_behalf_of": "pat@corp.example", "scopes": ["iam:admin"]}))
    .await;
    latency(
        &s,
        "escalating delegation → R14",
        t,
        open_on("R14", sub.clone()),
    )
    .await;
    let r14 = alert_id(&s, "R14", &sub).await;
    // Pat delegates that scope to another agent: passing it on for Pat is
    // within what Pat delegated now. Neither end is sub.
    let t = Instant::now();
    delegate(
        json!({"parent_person": "pat@corp.example", "child_agent": "other",
                    "scopes": ["iam:admin"]}),
    )
    .await;
    latency(
        &s,
        "Pat delegates the scope → sub's R14 resolved",
        t,
        resolved(r14),
    )
    .await;
}

#[tokio::test]
async fn a_secret_presented_by_a_second_agent_raises_r07_within_a_second() {
    let s = TestServer::start_with(realtime()).await;
    settled(&s).await;
    let (a, sa) = live_agent(&s, "billing-sync", "prod").await;
    let (b, sb) = live_agent(&s, "refund-bot", "prod").await;
    report(&s, &sa, charge("sk_live_one-key")).await;
    let t = Instant::now();
    report(&s, &sb, charge("sk_live_one-key")).await;
    latency(&s, "second holder → R07", t, open_on("R07", b.clone())).await;
    latency(
        &s,
        "second holder → R07 on the first",
        t,
        open_on("R07", a.clone()),
    )
    .await;
    let on_a = alert_id(&s, "R07", &a).await;
    // b's key is rotated at the target: its calls present another secret.
    let t = Instant::now();
    report(&s, &sb, charge("sk_live_rotated")).await;
    latency(&s, "copy replaced → R07 resolved", t, resolved(on_a)).await;
}

/// An exchanged token's revocation and a signing-key rotation change
/// nothing a rule reads: neither costs a whole-fleet sweep (at 100,000
/// agents, seconds of the database).
#[tokio::test]
async fn token_revocations_and_key_rotations_ask_for_no_sweep() {
    let s = TestServer::start_with(realtime()).await;
    settled(&s).await;
    let swept = s.detector().sweeps();
    s.admin(
        "POST",
        "/v1/oauth/keys/rotate",
        json!({"reason": "yearly rotation"}),
    )
    .await;
    let (status, _) = s
        .call_raw(
            "POST",
            "/v1/oauth/revoke",
            Some(ADMIN),
            Some("application/x-www-form-urlencoded"),
            // Not one of this server's: answered 200, nothing revoked.
            "token=eyJhbGciOiJFZERTQSJ9.e30.AAAA".to_string(),
        )
        .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(s.detector().sweeps(), swept, "a sweep ran for them");
}
