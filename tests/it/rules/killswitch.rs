//! R18 (suspended or killed but still trying) against a real server: a
//! suspended or killed agent presents its credential through the API. The
//! refusals right after the responder's action are forgiven (the grace);
//! after it, the alert opens at the configured number, worded and weighed
//! by the agent's state, and resolves when the agent is resumed (at once)
//! or has stopped trying.

use crate::support::rules::*;
use crate::support::server::*;
use serde_json::json;
use std::time::Duration;
use warden::config::RuleThresholds;

/// The defaults (3 attempts), with a grace of one second.
async fn short_grace() -> TestServer {
    server_with(RuleThresholds {
        refused_grace_seconds: 1,
        ..thresholds()
    })
    .await
}

async fn past_the_grace() {
    tokio::time::sleep(Duration::from_millis(1_100)).await;
}

async fn suspend(s: &TestServer, name: &str) {
    s.admin(
        "POST",
        &format!("/v1/agents/{name}/suspend"),
        json!({"reason": "contain"}),
    )
    .await;
}

#[tokio::test]
async fn r18_does_not_page_on_the_responders_own_action() {
    // The defaults: 60 s of grace, then 3 attempts.
    let s = server().await;
    let (frozen, frozen_secret) = live_agent(&s, "frozen", "prod").await;
    let (killed, killed_secret) = live_agent(&s, "killed", "prod").await;
    suspend(&s, "frozen").await;
    s.kill("killed", json!({"reason": "compromised"})).await;
    for _ in 0..5 {
        assert_error(&s.heartbeat(&frozen_secret).await, 403, "agent_suspended");
        assert_error(&s.heartbeat(&killed_secret).await, 403, "agent_killed");
    }
    assert_none(&s, "R18", &frozen).await;
    assert_none(&s, "R18", &killed).await;
    assert!(audited(&s, "alert.open", "R18").await.is_empty());
}

#[tokio::test]
async fn r18_on_a_suspended_agent_is_high_and_needs_three_attempts_after_the_grace() {
    let s = short_grace().await;
    let (id, secret) = live_agent(&s, "stubborn", "prod").await;
    let cred = txt(&s.detail("stubborn").await["credentials"][0], "id").to_string();
    suspend(&s, "stubborn").await;
    for _ in 0..4 {
        assert_error(&s.heartbeat(&secret).await, 403, "agent_suspended");
    }
    past_the_grace().await;
    for _ in 0..2 {
        assert_error(&s.heartbeat(&secret).await, 403, "agent_suspended");
    }
    assert_none(&s, "R18", &id).await;
    assert_error(&s.heartbeat(&secret).await, 403, "agent_suspended");
    let a = open_alert(&s, "R18", &id).await;
    assert_eq!(a["severity"], "high");
    assert_eq!(a["mapping"], json!(["ASI10"]));
    assert_eq!(
        a["summary"],
        "Suspended but still trying: suspended agent stubborn keeps presenting credentials"
    );
    let e = evidence(&a);
    assert!(e.starts_with("3 refused attempts since "), "{e}");
    assert!(e.contains("(agent suspended at "), "{e}");
    assert!(e.contains("the 1 s after that are not counted"), "{e}");
    assert!(e.contains(&format!("; last: credential {cred} at ")), "{e}");
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
async fn r18_on_a_killed_agent_is_critical_and_a_suspension_escalates_when_killed() {
    let s = short_grace().await;
    let (id, secret) = live_agent(&s, "zombie", "prod").await;
    suspend(&s, "zombie").await;
    past_the_grace().await;
    for _ in 0..3 {
        s.heartbeat(&secret).await;
    }
    let high = open_alert(&s, "R18", &id).await;
    assert_eq!(high["severity"], "high");
    s.kill("zombie", json!({"reason": "compromised"})).await;
    // The kill is the responder's action too: its first refusals are
    // forgiven, and the alert stays as it was.
    for _ in 0..3 {
        assert_error(&s.heartbeat(&secret).await, 403, "agent_killed");
    }
    assert_eq!(open_alert(&s, "R18", &id).await["severity"], "high");
    past_the_grace().await;
    for _ in 0..3 {
        s.heartbeat(&secret).await;
    }
    let critical = open_alert(&s, "R18", &id).await;
    assert_eq!(critical["id"], high["id"], "one alert for one cause");
    assert_eq!(critical["severity"], "critical");
    assert_eq!(
        critical["summary"],
        "Killed but still trying: killed agent zombie keeps presenting credentials"
    );
    assert!(
        evidence(&critical).contains("(agent killed at "),
        "{critical}"
    );
    let raised = audited(&s, "alert.severity", "R18").await;
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert!(txt(&raised[0], "result").starts_with("high -> critical"));
}

#[tokio::test]
async fn r18_near_miss_a_live_agent_with_a_revoked_credential() {
    let s = short_grace().await;
    let (live, live_secret) = live_agent(&s, "rotating", "prod").await;
    let cred = txt(&s.detail("rotating").await["credentials"][0], "id").to_string();
    s.admin(
        "POST",
        &format!("/v1/credentials/{cred}/revoke"),
        json!({"reason": "rotated"}),
    )
    .await;
    past_the_grace().await;
    for _ in 0..5 {
        assert_eq!(s.heartbeat(&live_secret).await.0, 401);
    }
    assert_none(&s, "R18", &live).await;
}

#[tokio::test]
async fn r18_counts_attempts_afresh_after_the_agent_is_resumed() {
    let s = short_grace().await;
    let (id, secret) = live_agent(&s, "yo-yo", "prod").await;
    suspend(&s, "yo-yo").await;
    past_the_grace().await;
    for _ in 0..2 {
        s.heartbeat(&secret).await;
    }
    s.admin("POST", "/v1/agents/yo-yo/resume", json!({"reason": "b"}))
        .await;
    suspend(&s, "yo-yo").await;
    past_the_grace().await;
    for _ in 0..2 {
        s.heartbeat(&secret).await;
    }
    assert_none(&s, "R18", &id).await;
}

#[tokio::test]
async fn r18_resolves_the_moment_the_agent_is_resumed() {
    let s = short_grace().await;
    let (id, secret) = live_agent(&s, "pardoned", "prod").await;
    suspend(&s, "pardoned").await;
    past_the_grace().await;
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
    // No sweep: the agent's risk drops with the resume.
    assert_resolved(
        &s,
        txt(&a, "id"),
        "agent pardoned is active again; its credentials are accepted",
    )
    .await;
    let detail = s.detail("pardoned").await;
    let open_r18 = detail["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["rule"] == "R18" && a["status"] != "resolved")
        .count();
    assert_eq!(open_r18, 0, "{detail}");
    assert_eq!(s.heartbeat(&secret).await.0, 204);
    s.sweep_at(now()).await;
    assert_eq!(audited(&s, "alert.resolve", "R18").await.len(), 1);
}

#[tokio::test]
async fn r18_resolves_when_a_killed_agent_stops_trying() {
    let s = short_grace().await;
    let (id, secret) = live_agent(&s, "zombie", "prod").await;
    s.kill("zombie", json!({"reason": "compromised"})).await;
    past_the_grace().await;
    for _ in 0..3 {
        assert_error(&s.heartbeat(&secret).await, 403, "agent_killed");
    }
    let a = open_alert(&s, "R18", &id).await;
    assert_eq!(a["severity"], "critical");
    s.sweep_at(now() + mins(30)).await;
    open_alert(&s, "R18", &id).await;
    s.sweep_at(now() + mins(61)).await;
    assert_resolved(&s, txt(&a, "id"), "no refused attempt for 60 min (last at ").await;
}
