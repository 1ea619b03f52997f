//! R03 (dormant with live credentials), R04 (non-expiring credential), R05
//! (rotation overdue) and R07 (credential reuse) against a real server.
//! Credentials, revocations and activity go through the API; the passing
//! of days through the sweep's injected "now", or (to watch a dormant
//! agent wake up) through the database's clock.

use crate::support::rules::*;
use crate::support::server::*;
use serde_json::json;

async fn revoke(s: &TestServer, cred: &str) {
    let (status, body) = s
        .post(
            &format!("/v1/credentials/{cred}/revoke"),
            ADMIN,
            json!({"reason": "rotated"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn r03_fires_medium_after_30_days_and_high_after_90_on_one_alert() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "sleeper", "prod").await;
    assert_eq!(s.heartbeat(&secret).await.0, 204);
    let t0 = now();
    s.sweep_at(t0 + days(31)).await;
    let a = open_alert(&s, "R03", &id).await;
    assert_eq!(a["severity"], "medium");
    assert_eq!(a["mapping"], json!(["NHI1", "NHI7"]));
    let e = evidence(&a);
    assert!(e.starts_with("no activity since "), "{e}");
    assert!(e.contains("(over 30 days); 1 live credential: crd_"), "{e}");
    assert!(e.contains("(never expires)"), "{e}");

    s.sweep_at(t0 + days(91)).await;
    let high = open_alert(&s, "R03", &id).await;
    assert_eq!(high["id"], a["id"]);
    assert_eq!(high["severity"], "high");
    assert!(evidence(&high).contains("(over 90 days)"), "{high}");
}

#[tokio::test]
async fn r03_near_miss_29_days_quiet_or_no_live_credential() {
    let s = server().await;
    let (quiet, secret) = live_agent(&s, "napping", "prod").await;
    s.heartbeat(&secret).await;
    let expiring = agent_in(&s, "short-lived", "prod").await;
    s.credential_with(
        "short-lived",
        json!({"scopes": ["x"], "ttl_seconds": 86_400}),
    )
    .await;
    s.sweep_at(now() + days(29)).await;
    assert_none(&s, "R03", &quiet).await;
    // Forty days on, its only credential has long expired.
    s.sweep_at(now() + days(40)).await;
    assert_none(&s, "R03", &expiring).await;
}

#[tokio::test]
async fn r03_resolves_when_the_agent_is_active_again() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "rip-van-winkle", "prod").await;
    // Its last sign of life was forty days ago.
    let long_ago = ms(now() - days(40));
    s.sql()
        .execute(
            "UPDATE agents SET created_at = ?1, last_seen_at = ?1 WHERE id = ?2",
            params![long_ago, id],
        )
        .unwrap();
    s.sweep_at(now()).await;
    let a = open_alert(&s, "R03", &id).await;
    assert_eq!(a["severity"], "medium");

    assert_eq!(s.heartbeat(&secret).await.0, 204);
    s.sweep_at(now()).await;
    assert_resolved(&s, txt(&a, "id"), "active again (last seen ").await;
}

#[tokio::test]
async fn r03_resolves_when_its_credentials_are_revoked() {
    let s = server().await;
    let id = agent_in(&s, "forgotten", "prod").await;
    let (cred, _) = s.credential("forgotten").await;
    let t = now() + days(35);
    s.sweep_at(t).await;
    let a = open_alert(&s, "R03", &id).await;
    revoke(&s, &cred).await;
    s.sweep_at(t).await;
    assert_resolved(&s, txt(&a, "id"), "no live credential left").await;
}

#[tokio::test]
async fn r04_fires_for_a_credential_that_never_expires() {
    let s = server().await;
    let id = agent_in(&s, "forever", "prod").await;
    let (cred, _) = s.credential("forever").await;
    s.sweep_at(now()).await;
    let a = open_alert(&s, "R04", &id).await;
    assert_eq!(a["severity"], "medium");
    assert_eq!(a["mapping"], json!(["NHI7"]));
    let e = evidence(&a);
    assert!(
        e.starts_with(&format!("1 live credential with no expiry: {cred} issued ")),
        "{e}"
    );
}

#[tokio::test]
async fn r04_near_miss_a_credential_with_an_expiry() {
    let s = server().await;
    let id = agent_in(&s, "tidy", "prod").await;
    s.credential_with("tidy", json!({"scopes": ["x"], "ttl_seconds": 3600}))
        .await;
    s.sweep_at(now()).await;
    assert_none(&s, "R04", &id).await;
}

#[tokio::test]
async fn r04_resolves_when_the_credential_is_revoked() {
    let s = server().await;
    let id = agent_in(&s, "mended", "prod").await;
    let (cred, _) = s.credential("mended").await;
    s.credential_with("mended", json!({"scopes": ["x"], "ttl_seconds": 3600}))
        .await;
    s.sweep_at(now()).await;
    let a = open_alert(&s, "R04", &id).await;
    revoke(&s, &cred).await;
    s.sweep_at(now()).await;
    assert_resolved(
        &s,
        txt(&a, "id"),
        "no credential without an expiry is live any more",
    )
    .await;
}

#[tokio::test]
async fn r05_fires_past_the_rotation_policy() {
    let s = server().await;
    let id = agent_in(&s, "stale-key", "prod").await;
    let (cred, _) = s.credential("stale-key").await;
    s.sweep_at(now() + days(91)).await;
    let a = open_alert(&s, "R05", &id).await;
    assert_eq!(a["severity"], "medium");
    let e = evidence(&a);
    assert!(
        e.starts_with(&format!(
            "1 live credential older than the 90-day rotation policy: {cred} issued "
        )),
        "{e}"
    );
}

#[tokio::test]
async fn r05_near_miss_89_days_old() {
    let s = server().await;
    let id = agent_in(&s, "fresh-key", "prod").await;
    s.credential("fresh-key").await;
    s.sweep_at(now() + days(89)).await;
    assert_none(&s, "R05", &id).await;
}

#[tokio::test]
async fn r05_resolves_when_the_old_credential_is_revoked() {
    let s = server().await;
    let id = agent_in(&s, "rotated", "prod").await;
    let (old, _) = s.credential("rotated").await;
    let t = now() + days(100);
    s.sweep_at(t).await;
    let a = open_alert(&s, "R05", &id).await;
    revoke(&s, &old).await;
    s.sweep_at(t).await;
    assert_resolved(
        &s,
        txt(&a, "id"),
        "no live credential is older than 90 days",
    )
    .await;
}

/// Agent `b`'s credential gets the fingerprint of `a`'s, as a discovery
/// source reports a secret it found in `b`'s configuration.
async fn share(s: &TestServer, from: &str, to: &str) {
    s.sql()
        .execute(
            "UPDATE credentials SET fingerprint = (SELECT hash FROM credentials WHERE id = ?1) WHERE id = ?2",
            params![from, to],
        )
        .unwrap();
}

#[tokio::test]
async fn r07_fires_on_every_agent_holding_the_same_fingerprint() {
    let s = server().await;
    let a = agent_in(&s, "original", "prod").await;
    let b = agent_in(&s, "copycat", "prod").await;
    let (ca, _) = s.credential("original").await;
    let (cb, _) = s.credential("copycat").await;
    share(&s, &ca, &cb).await;
    s.sweep_at(now()).await;
    let on_a = open_alert(&s, "R07", &a).await;
    let on_b = open_alert(&s, "R07", &b).await;
    assert_eq!(on_a["severity"], "high");
    assert_eq!(on_a["mapping"], json!(["NHI9"]));
    let e = evidence(&on_a);
    assert!(
        e.starts_with(&format!("credential {ca} has fingerprint sha256:")),
        "{e}"
    );
    assert!(e.ends_with(&format!("also held by copycat ({cb})")), "{e}");
    assert!(
        evidence(&on_b).ends_with(&format!("also held by original ({ca})")),
        "{on_b}"
    );
}

#[tokio::test]
async fn r07_near_miss_distinct_fingerprints_or_a_revoked_copy() {
    let s = server().await;
    let a = agent_in(&s, "one", "prod").await;
    let b = agent_in(&s, "two", "prod").await;
    let (ca, _) = s.credential("one").await;
    let (cb, _) = s.credential("two").await;
    s.sql()
        .execute(
            "UPDATE credentials SET fingerprint = 'a-fingerprint-nobody-else-has' WHERE id = ?1",
            [&cb],
        )
        .unwrap();
    s.sweep_at(now()).await;
    assert_none(&s, "R07", &a).await;
    assert_none(&s, "R07", &b).await;
    // The same secret, but the copy is revoked: nothing is shared.
    share(&s, &ca, &cb).await;
    revoke(&s, &cb).await;
    s.sweep_at(now()).await;
    assert_none(&s, "R07", &a).await;
    assert_none(&s, "R07", &b).await;
}

#[tokio::test]
async fn r07_resolves_on_both_agents_when_the_copy_is_revoked() {
    let s = server().await;
    let a = agent_in(&s, "source", "prod").await;
    let b = agent_in(&s, "leech", "prod").await;
    let (ca, _) = s.credential("source").await;
    let (cb, _) = s.credential("leech").await;
    share(&s, &ca, &cb).await;
    s.sweep_at(now()).await;
    let on_a = open_alert(&s, "R07", &a).await;
    let on_b = open_alert(&s, "R07", &b).await;
    revoke(&s, &cb).await;
    s.sweep_at(now()).await;
    let why = "no live credential is shared with another agent any more";
    assert_resolved(&s, txt(&on_a, "id"), why).await;
    assert_resolved(&s, txt(&on_b, "id"), why).await;
}
