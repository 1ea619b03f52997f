//! R01 (unowned agent) and R02 (owner offboarded) against a real server:
//! owners and offboarding go through the API, time through the sweep's
//! injected "now". Each rule fires, stays quiet on the near miss, and
//! resolves itself saying why.

use crate::support::rules::*;
use crate::support::server::*;
use serde_json::json;

async fn owned(s: &TestServer, name: &str, owner: &str) -> String {
    let a = s
        .agent_with(json!({"name": name, "kind": "chatbot", "environment": "prod", "owner": owner}))
        .await;
    txt(&a, "id").to_string()
}

#[tokio::test]
async fn r01_fires_high_for_an_agent_with_no_owner_and_critical_after_the_grace_period() {
    let s = server().await;
    let id = agent_in(&s, "orphan", "prod").await;
    let t0 = now();
    s.sweep_at(t0).await;
    let a = open_alert(&s, "R01", &id).await;
    assert_eq!(a["severity"], "high");
    assert_eq!(a["mapping"], json!(["NHI1", "ASI10"]));
    assert_eq!(a["summary"], "Unowned agent: orphan has no owner");
    let e = evidence(&a);
    assert!(e.contains("no owner since it was registered on"), "{e}");
    assert!(e.contains("critical once unowned for 168 h"), "{e}");

    s.sweep_at(t0 + days(8)).await;
    let late = open_alert(&s, "R01", &id).await;
    assert_eq!(late["id"], a["id"], "the same cause keeps the same alert");
    assert_eq!(late["severity"], "critical");
    assert!(
        evidence(&late).contains("unowned longer than the 168 h grace period"),
        "{late}"
    );
    assert_eq!(audited(&s, "alert.severity", "R01").await.len(), 1);
}

#[tokio::test]
async fn r01_fires_when_the_only_owner_leaves() {
    let s = server().await;
    s.person("Pat", "pat@corp.example").await;
    let id = owned(&s, "orphaned", "pat@corp.example").await;
    s.sweep_at(now()).await;
    assert_none(&s, "R01", &id).await;
    s.admin(
        "POST",
        "/v1/people/pat@corp.example/offboard",
        json!({"reason": "left"}),
    )
    .await;
    s.sweep_at(now()).await;
    let a = open_alert(&s, "R01", &id).await;
    assert_eq!(a["severity"], "high");
    assert!(
        evidence(&a).starts_with("owner pat@corp.example left on "),
        "{a}"
    );
}

#[tokio::test]
async fn r01_near_miss_an_owned_agent_and_an_unowned_one_inside_the_grace_period() {
    let s = server().await;
    s.person("Pat", "pat@corp.example").await;
    let owned_id = owned(&s, "cared-for", "pat@corp.example").await;
    let orphan = agent_in(&s, "fresh-orphan", "prod").await;
    s.sweep_at(now() + days(6)).await;
    assert_none(&s, "R01", &owned_id).await;
    let a = open_alert(&s, "R01", &orphan).await;
    assert_eq!(a["severity"], "high", "six days is inside the grace period");
}

#[tokio::test]
async fn r01_resolves_when_an_owner_is_assigned() {
    let s = server().await;
    s.person("Quinn", "quinn@corp.example").await;
    let id = agent_in(&s, "adoptee", "prod").await;
    s.sweep_at(now()).await;
    let a = open_alert(&s, "R01", &id).await;
    s.admin(
        "POST",
        "/v1/agents/adoptee/owner",
        json!({"owner": "quinn@corp.example", "reason": "triage"}),
    )
    .await;
    let applied = s.sweep_at(now()).await;
    assert_eq!(applied.resolved, 1, "{applied:?}");
    assert_resolved(&s, txt(&a, "id"), "owned by quinn@corp.example now").await;
    assert_eq!(audited(&s, "alert.resolve", "R01").await.len(), 1);
    // Nothing more to do: the next sweep leaves it alone.
    assert_eq!(s.sweep_at(now()).await, Default::default());
}

#[tokio::test]
async fn r02_fires_critical_when_the_owner_is_offboarded_with_live_credentials() {
    let s = server().await;
    s.person("Pat", "pat@corp.example").await;
    let id = owned(&s, "heirloom", "pat@corp.example").await;
    let (cred, _) = s.credential("heirloom").await;
    s.sweep_at(now()).await;
    assert_none(&s, "R02", &id).await;
    s.admin(
        "POST",
        "/v1/people/pat@corp.example/offboard",
        json!({"reason": "left the company"}),
    )
    .await;
    s.sweep_at(now()).await;
    let a = open_alert(&s, "R02", &id).await;
    assert_eq!(a["severity"], "critical");
    assert_eq!(a["mapping"], json!(["NHI1"]));
    let e = evidence(&a);
    assert!(e.starts_with("owner pat@corp.example left on "), "{e}");
    assert!(e.contains(&format!("1 live credential: {cred}")), "{e}");
}

#[tokio::test]
async fn r02_near_miss_the_owner_left_but_no_credential_is_live() {
    let s = server().await;
    s.person("Pat", "pat@corp.example").await;
    let id = owned(&s, "emptied", "pat@corp.example").await;
    let (cred, _) = s.credential("emptied").await;
    let brief = s
        .credential_with("emptied", json!({"scopes": ["x"], "ttl_seconds": 60}))
        .await;
    s.post(
        &format!("/v1/credentials/{cred}/revoke"),
        ADMIN,
        json!({"reason": "rotated"}),
    )
    .await;
    s.admin(
        "POST",
        "/v1/people/pat@corp.example/offboard",
        json!({"reason": "left"}),
    )
    .await;
    // The other credential has expired by then.
    s.sweep_at(now() + mins(2)).await;
    assert_none(&s, "R02", &id).await;
    assert!(brief["expires_at"].is_string());
    // R01 still sees an agent whose owner left.
    open_alert(&s, "R01", &id).await;
}

#[tokio::test]
async fn r02_resolves_when_the_agent_is_reassigned() {
    let s = server().await;
    s.person("Pat", "pat@corp.example").await;
    s.person("Quinn", "quinn@corp.example").await;
    let id = owned(&s, "inherited", "pat@corp.example").await;
    s.credential("inherited").await;
    s.admin(
        "POST",
        "/v1/people/pat@corp.example/offboard",
        json!({"reason": "left"}),
    )
    .await;
    s.sweep_at(now()).await;
    let r02 = open_alert(&s, "R02", &id).await;
    let r01 = open_alert(&s, "R01", &id).await;
    s.admin(
        "POST",
        "/v1/agents/inherited/owner",
        json!({"owner": "quinn@corp.example", "reason": "successor"}),
    )
    .await;
    s.sweep_at(now()).await;
    assert_resolved(&s, txt(&r02, "id"), "the owner is now quinn@corp.example").await;
    assert_resolved(&s, txt(&r01, "id"), "owned by quinn@corp.example now").await;
}

#[tokio::test]
async fn ownership_alerts_resolve_when_the_agent_is_killed() {
    let s = server().await;
    s.person("Pat", "pat@corp.example").await;
    let id = owned(&s, "doomed", "pat@corp.example").await;
    s.credential("doomed").await;
    s.admin(
        "POST",
        "/v1/people/pat@corp.example/offboard",
        json!({"reason": "left"}),
    )
    .await;
    s.sweep_at(now()).await;
    let r01 = open_alert(&s, "R01", &id).await;
    let r02 = open_alert(&s, "R02", &id).await;
    s.kill("doomed", json!({"reason": "nobody owns it"})).await;
    s.sweep_at(now()).await;
    assert_resolved(&s, txt(&r01, "id"), "agent doomed was killed").await;
    assert_resolved(&s, txt(&r02, "id"), "agent doomed was killed").await;
}
