//! R07 (credential reuse) from what agents report: each event may name the
//! SHA-256 of the secret the call presented to its target
//! (`credential_fingerprint`). Two agents presenting the same secret fire
//! R07 on both; distinct secrets, one agent's own secret in two places, or
//! a copy that is revoked, rotated or killed do not. Everything goes
//! through the API.

use crate::support::rules::*;
use crate::support::server::*;
use serde_json::{Value, json};

fn sha(secret: &str) -> String {
    warden::secrets::hash(secret)
}

/// A call to `target` that presented the secret with fingerprint `fp`.
fn call_with(target: &str, fp: &str) -> Value {
    json!({"action": "charge", "target": target, "result": "ok", "credential_fingerprint": fp})
}

async fn present(s: &TestServer, secret: &str, target: &str, fp: &str) {
    report(s, secret, vec![call_with(target, fp)]).await;
}

/// Two agents with a credential each: (id, credential id, secret) of each.
async fn pair(
    s: &TestServer,
    a: &str,
    b: &str,
) -> ((String, String, String), (String, String, String)) {
    let ia = agent_in(s, a, "prod").await;
    let ib = agent_in(s, b, "prod").await;
    let (ca, sa) = s.credential(a).await;
    let (cb, sb) = s.credential(b).await;
    ((ia, ca, sa), (ib, cb, sb))
}

#[tokio::test]
async fn r07_fires_on_both_agents_presenting_the_same_secret() {
    let s = server().await;
    let ((a, ca, sa), (b, cb, sb)) = pair(&s, "billing-sync", "refund-bot").await;
    let key = sha("sk_live_one-key-in-two-configs");
    present(&s, &sa, "https://api.stripe.com/v1/charges", &key).await;
    present(&s, &sb, "api.stripe.com/v1/refunds", &key).await;
    s.sweep_at(now()).await;
    let on_a = open_alert(&s, "R07", &a).await;
    let on_b = open_alert(&s, "R07", &b).await;
    assert_eq!(on_a["severity"], "high");
    assert_eq!(on_a["mapping"], json!(["NHI9"]));
    assert_eq!(
        evidence(&on_a),
        format!(
            "credential {ca} has fingerprint sha256:{}… (presented to api.stripe.com), \
             also held by refund-bot ({cb}, presented to api.stripe.com)",
            &key[..12]
        )
    );
    assert!(
        evidence(&on_b).ends_with(&format!(
            "also held by billing-sync ({ca}, presented to api.stripe.com)"
        )),
        "{on_b}"
    );
}

#[tokio::test]
async fn r07_near_misses_stay_quiet() {
    let s = server().await;
    let ((a, _, sa), (b, _, sb)) = pair(&s, "one", "two").await;
    // Distinct secrets for the same service.
    present(&s, &sa, "api.github.com", &sha("ghp_one")).await;
    present(&s, &sb, "api.github.com", &sha("ghp_two")).await;
    // One agent's secret in two places, and under a second credential.
    present(&s, &sa, "api.openai.com", &sha("ghp_one")).await;
    let (_, sa2) = s.credential("one").await;
    present(&s, &sa2, "slack.com/api", &sha("ghp_one")).await;
    // An agent presenting its own Warden secret to a service that
    // introspects it.
    present(&s, &sb, "ledger.corp.example", &sha(&sb)).await;
    // A call with no fingerprint.
    report(&s, &sb, vec![ev("api.github.com")]).await;
    s.sweep_at(now()).await;
    assert_none(&s, "R07", &a).await;
    assert_none(&s, "R07", &b).await;
}

#[tokio::test]
async fn r07_catches_an_agent_presenting_another_agents_warden_secret() {
    let s = server().await;
    let ((a, ca, sa), (b, cb, sb)) = pair(&s, "owner-of-token", "borrower").await;
    present(&s, &sb, "ledger.corp.example", &sha(&sa)).await;
    s.sweep_at(now()).await;
    let on_a = open_alert(&s, "R07", &a).await;
    open_alert(&s, "R07", &b).await;
    assert!(
        evidence(&on_a).starts_with(&format!("credential {ca} has fingerprint sha256:")),
        "{on_a}"
    );
    assert!(
        evidence(&on_a).ends_with(&format!(
            "also held by borrower ({cb}, presented to ledger.corp.example)"
        )),
        "{on_a}"
    );
}

#[tokio::test]
async fn r07_resolves_when_the_copy_is_rotated_and_a_late_old_report_does_not_undo_it() {
    let s = server().await;
    let ((a, _, sa), (b, _, sb)) = pair(&s, "origin", "copy").await;
    let key = sha("xoxb-shared");
    present(&s, &sa, "slack.com/api/chat.postMessage", &key).await;
    present(&s, &sb, "slack.com/api/chat.postMessage", &key).await;
    s.sweep_at(now()).await;
    let on_a = open_alert(&s, "R07", &a).await;
    let on_b = open_alert(&s, "R07", &b).await;

    // The copy gets its own key at Slack; then an event from before the
    // rotation arrives late, with the old key.
    present(&s, &sb, "slack.com/api", &sha("xoxb-its-own")).await;
    report(
        &s,
        &sb,
        vec![
            json!({"action": "post", "target": "slack.com/api", "credential_fingerprint": key,
                    "time": (now() - mins(5)).to_rfc3339()}),
        ],
    )
    .await;
    s.sweep_at(now()).await;
    let why = "no live credential is shared with another agent any more";
    assert_resolved(&s, txt(&on_a, "id"), why).await;
    assert_resolved(&s, txt(&on_b, "id"), why).await;
}

#[tokio::test]
async fn r07_resolves_when_the_copy_is_revoked_or_its_agent_killed() {
    let s = server().await;
    let ((a, _, sa), (b, cb, sb)) = pair(&s, "keeper", "leaker").await;
    let c = agent_in(&s, "third", "prod").await;
    let (_, sc) = s.credential("third").await;
    let key = sha("AKIA-shared-access-key");
    for secret in [&sa, &sb, &sc] {
        present(&s, secret, "s3://warehouse-exports", &key).await;
    }
    s.sweep_at(now()).await;
    let on_a = open_alert(&s, "R07", &a).await;
    let on_b = open_alert(&s, "R07", &b).await;
    let on_c = open_alert(&s, "R07", &c).await;

    let (status, body) = s
        .post(
            &format!("/v1/credentials/{cb}/revoke"),
            ADMIN,
            json!({"reason": "leaked"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    s.sweep_at(now()).await;
    assert_resolved(
        &s,
        txt(&on_b, "id"),
        "no live credential is shared with another agent any more",
    )
    .await;
    // Two holders are left: still shared.
    open_alert(&s, "R07", &a).await;

    let (status, body) = s
        .post(
            "/v1/agents/third/kill",
            ADMIN,
            json!({"reason": "holds a shared key"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    s.sweep_at(now()).await;
    assert_resolved(&s, txt(&on_c, "id"), "agent third was killed").await;
    assert_resolved(
        &s,
        txt(&on_a, "id"),
        "no live credential is shared with another agent any more",
    )
    .await;
}

#[tokio::test]
async fn a_fingerprint_must_be_a_sha256_and_is_compared_in_one_spelling() {
    let s = server().await;
    let ((a, _, sa), (b, _, sb)) = pair(&s, "upper", "lower").await;
    for bad in [
        "sk_live_this-is-a-secret-not-a-fingerprint",
        &sha("x")[..63],
        &format!("{}g", &sha("x")[..63]),
        "",
    ] {
        let (status, body) = s
            .post(
                "/v1/agent/events",
                &sa,
                json!([call_with("api.stripe.com", bad)]),
            )
            .await;
        assert_eq!(status, 422, "{bad:?} was accepted: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("event 0: credential_fingerprint must be the SHA-256"),
            "{body}"
        );
        assert!(
            !message.contains(bad) || bad.is_empty(),
            "echoes it: {body}"
        );
    }
    let key = sha("the-same-key");
    present(
        &s,
        &sa,
        "api.stripe.com",
        &format!("SHA256:{}", key.to_uppercase()),
    )
    .await;
    present(&s, &sb, "api.stripe.com", &key).await;
    s.sweep_at(now()).await;
    open_alert(&s, "R07", &a).await;
    open_alert(&s, "R07", &b).await;
}
