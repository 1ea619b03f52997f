//! R18 (killed but still trying) against a real server: a suspended or
//! killed agent presents its credential through the API; the alert opens
//! after the configured number of refusals, and resolves when the agent is
//! resumed or has stopped trying.

use crate::support::rules::*;
use crate::support::server::*;
use serde_json::json;
use warden::config::RuleThresholds;

async fn three_strikes() -> TestServer {
    server_with(RuleThresholds {
        refused_attempts: 3,
        ..thresholds()
    })
    .await
}

#[tokio::test]
async fn r18_fires_after_the_configured_number_of_refusals() {
    let s = three_strikes().await;
    let (id, secret) = live_agent(&s, "stubborn", "prod").await;
    let cred = txt(&s.detail("stubborn").await["credentials"][0], "id").to_string();
    s.admin(
        "POST",
        "/v1/agents/stubborn/suspend",
        json!({"reason": "contain"}),
    )
    .await;
    for _ in 0..3 {
        assert_error(&s.heartbeat(&secret).await, 403, "agent_suspended");
    }
    let a = open_alert(&s, "R18", &id).await;
    assert_eq!(a["severity"], "critical");
    assert_eq!(a["mapping"], json!(["ASI10"]));
    assert_eq!(
        a["summary"],
        "Killed but still trying: suspended agent stubborn keeps presenting credentials"
    );
    let e = evidence(&a);
    assert!(e.starts_with("3 refused attempts since "), "{e}");
    assert!(
        e.contains(&format!("(agent suspended); last: credential {cred} at ")),
        "{e}"
    );
    // Events are refused and counted the same way.
    let (status, _) = s
        .post(
            "/v1/agent/events",
            &secret,
            json!([{"action": "a", "target": "t"}]),
        )
        .await;
    assert_eq!(status, 403);
    let again = open_alert(&s, "R18", &id).await;
    assert_eq!(again["id"], a["id"]);
    assert!(
        evidence(&again).starts_with("4 refused attempts"),
        "{again}"
    );
}

#[tokio::test]
async fn r18_near_miss_fewer_refusals_or_a_live_agent_with_a_revoked_credential() {
    let s = three_strikes().await;
    let (id, secret) = live_agent(&s, "hesitant", "prod").await;
    s.admin(
        "POST",
        "/v1/agents/hesitant/suspend",
        json!({"reason": "contain"}),
    )
    .await;
    for _ in 0..2 {
        assert_eq!(s.heartbeat(&secret).await.0, 403);
    }
    assert_none(&s, "R18", &id).await;

    let (live, live_secret) = live_agent(&s, "rotating", "prod").await;
    let cred = txt(&s.detail("rotating").await["credentials"][0], "id").to_string();
    s.admin(
        "POST",
        &format!("/v1/credentials/{cred}/revoke"),
        json!({"reason": "rotated"}),
    )
    .await;
    for _ in 0..5 {
        assert_eq!(s.heartbeat(&live_secret).await.0, 401);
    }
    assert_none(&s, "R18", &live).await;
}

#[tokio::test]
async fn r18_counts_attempts_afresh_after_the_agent_is_resumed() {
    let s = three_strikes().await;
    let (id, secret) = live_agent(&s, "yo-yo", "prod").await;
    s.admin("POST", "/v1/agents/yo-yo/suspend", json!({"reason": "a"}))
        .await;
    for _ in 0..2 {
        s.heartbeat(&secret).await;
    }
    s.admin("POST", "/v1/agents/yo-yo/resume", json!({"reason": "b"}))
        .await;
    s.admin("POST", "/v1/agents/yo-yo/suspend", json!({"reason": "c"}))
        .await;
    for _ in 0..2 {
        s.heartbeat(&secret).await;
    }
    assert_none(&s, "R18", &id).await;
}

#[tokio::test]
async fn r18_resolves_when_the_agent_is_resumed() {
    let s = three_strikes().await;
    let (id, secret) = live_agent(&s, "pardoned", "prod").await;
    s.admin(
        "POST",
        "/v1/agents/pardoned/suspend",
        json!({"reason": "contain"}),
    )
    .await;
    for _ in 0..3 {
        s.heartbeat(&secret).await;
    }
    let a = open_alert(&s, "R18", &id).await;
    s.sweep_at(now()).await;
    open_alert(&s, "R18", &id).await;
    s.admin(
        "POST",
        "/v1/agents/pardoned/resume",
        json!({"reason": "false alarm"}),
    )
    .await;
    assert_eq!(s.heartbeat(&secret).await.0, 204);
    s.sweep_at(now()).await;
    assert_resolved(
        &s,
        txt(&a, "id"),
        "agent pardoned is active again; its credentials are accepted",
    )
    .await;
    assert_eq!(audited(&s, "alert.resolve", "R18").await.len(), 1);
}

#[tokio::test]
async fn r18_resolves_when_a_killed_agent_stops_trying() {
    let s = three_strikes().await;
    let (id, secret) = live_agent(&s, "zombie", "prod").await;
    s.kill("zombie", json!({"reason": "compromised"})).await;
    for _ in 0..3 {
        assert_error(&s.heartbeat(&secret).await, 403, "agent_killed");
    }
    let a = open_alert(&s, "R18", &id).await;
    assert!(evidence(&a).contains("(agent killed)"), "{a}");
    s.sweep_at(now() + mins(30)).await;
    open_alert(&s, "R18", &id).await;
    s.sweep_at(now() + mins(61)).await;
    assert_resolved(&s, txt(&a, "id"), "no refused attempt for 60 min (last at ").await;
}
