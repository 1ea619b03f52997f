//! `POST /v1/credentials/{id}/rotate`: a replacement with the old
//! credential's agent, scopes and lifetime, its secret shown once; the old
//! credential refused at once (grace 0) or once the grace period ends;
//! who may rotate, what is refused, and the audit entry.

use crate::support::server::*;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::time::Duration;

fn time(v: &Value, field: &str) -> DateTime<Utc> {
    txt(v, field)
        .parse()
        .unwrap_or_else(|e| panic!("{field} of {v}: {e}"))
}

async fn rotate(s: &TestServer, id: &str, token: &str, body: Value) -> (u16, Value) {
    s.post(&format!("/v1/credentials/{id}/rotate"), token, body)
        .await
}

#[tokio::test]
async fn grace_zero_refuses_the_old_secret_at_once_and_the_new_one_works() {
    let s = TestServer::start().await;
    s.person("Rita", "rita@corp.example").await;
    let rita = s
        .token_for("responder", "rita-laptop", "rita@corp.example")
        .await;
    s.agent("leaky").await;
    let old = s
        .credential_with(
            "leaky",
            json!({"scopes": ["tickets:read", "tickets:write"], "ttl_seconds": 86400}),
        )
        .await;
    let (old_id, old_secret) = (txt(&old, "id"), txt(&old, "secret"));
    assert_eq!(s.heartbeat(old_secret).await.0, 204);

    let before = Utc::now();
    let (status, new) = rotate(&s, old_id, &rita, json!({"reason": "INC-7 leaked"})).await;
    assert_eq!(status, 201, "{new}");
    let new_id = txt(&new, "id");
    let new_secret = txt(&new, "secret");
    assert_ne!(new_id, old_id);
    assert!(new_secret.starts_with("wdn_ac_"), "{new}");
    assert_ne!(new_secret, old_secret);
    assert_eq!(new["agent_id"], old["agent_id"]);
    assert_eq!(new["scopes"], json!(["tickets:read", "tickets:write"]));
    assert_eq!(new["status"], "active");
    // The same lifetime as the old one, counted from now.
    let lifetime = time(&new, "expires_at") - before;
    assert!(
        (86_395..=86_410).contains(&lifetime.num_seconds()),
        "a one-day credential is replaced by a one-day one: {new}"
    );
    let previous = &new["previous"];
    assert_eq!(previous["id"], old_id);
    assert_eq!(previous["status"], "revoked", "{new}");
    assert_eq!(previous["replaced_by"], new_id);
    assert!(
        new.get("replaced_by").is_none(),
        "absent until it is replaced: {new}"
    );
    let why = txt(previous, "revoked_reason");
    assert!(
        why.contains(new_id) && why.contains("INC-7 leaked"),
        "the old one says what replaced it and why: {why}"
    );
    assert!(previous.get("secret").is_none());

    let refused = s.heartbeat(old_secret).await;
    assert_error(&refused, 401, "credential_revoked");
    assert!(txt(&refused.1["error"], "message").contains(new_id));
    assert_eq!(s.heartbeat(new_secret).await.0, 204, "the new secret works");

    // The secret is shown once: nothing the server answers later has it.
    let detail = s.detail("leaky").await;
    assert_eq!(detail["credentials"].as_array().unwrap().len(), 2);
    assert!(!detail.to_string().contains(new_secret));
    assert!(
        !s.get("/v1/changes?since=0")
            .await
            .to_string()
            .contains(new_secret)
    );

    let last = s.audit().await.pop().unwrap();
    assert_eq!(last["action"], "credential.rotate");
    assert_eq!(last["actor"], "rita@corp.example (token rita-laptop)");
    assert_eq!(last["reason"], "INC-7 leaked");
    let target = txt(&last, "target");
    assert!(target.contains(old_id) && target.contains(new_id), "{last}");
    assert!(txt(&last, "result").contains("revoked at once"), "{last}");
    assert!(!last.to_string().contains(new_secret));
    assert_eq!(s.verify().await["ok"], true);
}

#[tokio::test]
async fn with_grace_the_old_secret_works_until_the_grace_ends_then_is_refused() {
    let s = TestServer::start().await;
    s.agent("slow-deploy").await;
    let (old_id, old_secret) = s.credential("slow-deploy").await;

    let before = Utc::now();
    let (status, new) = rotate(
        &s,
        &old_id,
        ADMIN,
        json!({"reason": "routine", "grace_seconds": 1}),
    )
    .await;
    assert_eq!(status, 201, "{new}");
    let new_secret = txt(&new, "secret");
    assert!(
        new["expires_at"].is_null(),
        "a credential that never expired is replaced by one that never expires: {new}"
    );
    let previous = &new["previous"];
    assert_eq!(previous["status"], "active", "{new}");
    assert_eq!(previous["replaced_by"], new["id"]);
    assert!(previous["revoked_at"].is_null());
    let until = time(previous, "expires_at");
    assert!(
        until > before && until <= Utc::now() + chrono::Duration::seconds(1),
        "the old one now expires when the grace ends: {until}"
    );

    // During the grace both work: the agent can switch without a gap.
    assert_eq!(s.heartbeat(&old_secret).await.0, 204);
    assert_eq!(s.heartbeat(new_secret).await.0, 204);
    let d = s.detail("slow-deploy").await;
    let old_row = |d: &Value| {
        d["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == old_id.as_str())
            .cloned()
            .unwrap()
    };
    assert_eq!(old_row(&d)["expires_at"], previous["expires_at"]);

    tokio::time::sleep(Duration::from_millis(1300)).await;
    let refused = s.heartbeat(&old_secret).await;
    assert_error(&refused, 401, "credential_expired");
    let why = txt(&refused.1["error"], "message");
    assert!(
        why.contains("rotated") && why.contains(txt(&new, "id")),
        "the refusal names the replacement: {why}"
    );
    assert_eq!(s.heartbeat(new_secret).await.0, 204);
    let i = s
        .admin("POST", "/v1/introspect", json!({"token": old_secret}))
        .await;
    assert_eq!(i["active"], false, "{i}");
    assert_eq!(old_row(&s.detail("slow-deploy").await)["status"], "expired");

    let last = s.audit().await.pop().unwrap();
    assert_eq!(last["action"], "credential.rotate");
    assert!(txt(&last, "result").contains("grace 1s"), "{last}");
}

#[tokio::test]
async fn a_grace_never_outlives_the_old_credentials_own_expiry() {
    let s = TestServer::start().await;
    s.agent("short").await;
    let old = s
        .credential_with("short", json!({"scopes": ["a:read"], "ttl_seconds": 60}))
        .await;
    let (status, new) = rotate(
        &s,
        txt(&old, "id"),
        ADMIN,
        json!({"reason": "r", "grace_seconds": 3600}),
    )
    .await;
    assert_eq!(status, 201, "{new}");
    assert_eq!(
        time(&new["previous"], "expires_at"),
        time(&old, "expires_at"),
        "{new}"
    );
}

#[tokio::test]
async fn refusals_say_why_and_change_nothing() {
    let s = TestServer::start().await;
    s.agent("bot").await;
    let (live, _) = s.credential("bot").await;
    let (revoked, _) = s.credential("bot").await;
    s.admin(
        "POST",
        &format!("/v1/credentials/{revoked}/revoke"),
        json!({"reason": "done with it"}),
    )
    .await;
    s.agent("gone").await;
    let (of_killed, _) = s.credential("gone").await;
    s.kill("gone", json!({"reason": "rogue"})).await;
    let viewer = s.token("viewer").await;
    let (_, agent_secret) = s.credential("bot").await;

    let before = s.dump();
    let r = json!({"reason": "INC-1"});
    assert_error(
        &rotate(&s, "crd_no_such_thing", ADMIN, r.clone()).await,
        404,
        "not_found",
    );
    let answer = rotate(&s, &revoked, ADMIN, r.clone()).await;
    assert_error(&answer, 409, "credential_revoked");
    assert!(txt(&answer.1["error"], "message").contains("done with it"));
    let answer = rotate(&s, &of_killed, ADMIN, r.clone()).await;
    assert_error(&answer, 409, "agent_killed");
    assert!(txt(&answer.1["error"], "message").contains("gone"));
    let answer = rotate(
        &s,
        &live,
        ADMIN,
        json!({"reason": "r", "grace_seconds": 30 * 24 * 3600 + 1}),
    )
    .await;
    assert_error(&answer, 400, "bad_request");
    assert!(txt(&answer.1["error"], "message").contains("30 days"));
    for body in [
        json!({"reason": "  "}),
        json!({"grace_seconds": 5}),
        json!({"reason": "r", "grace_seconds": -1}),
        json!({"reason": "r", "grace_seconds": "1h"}),
    ] {
        let answer = rotate(&s, &live, ADMIN, body.clone()).await;
        assert_error(&answer, 422, "unprocessable");
    }
    assert_error(
        &rotate(&s, &live, &viewer, r.clone()).await,
        403,
        "forbidden",
    );
    assert_error(
        &rotate(&s, &live, &agent_secret, r.clone()).await,
        403,
        "forbidden",
    );
    assert_eq!(s.dump(), before, "a refused rotation changed the database");

    // The longest grace is accepted.
    let (status, new) = rotate(
        &s,
        &live,
        ADMIN,
        json!({"reason": "r", "grace_seconds": 30 * 24 * 3600}),
    )
    .await;
    assert_eq!(status, 201, "{new}");
}

#[tokio::test]
async fn a_suspended_agents_credential_can_be_rotated_and_stays_refused_until_resumed() {
    let s = TestServer::start().await;
    s.agent("frozen").await;
    let (id, _) = s.credential("frozen").await;
    s.admin(
        "POST",
        "/v1/agents/frozen/suspend",
        json!({"reason": "looks odd"}),
    )
    .await;
    let (status, new) = rotate(&s, &id, ADMIN, json!({"reason": "rotate while frozen"})).await;
    assert_eq!(status, 201, "{new}");
    let secret = txt(&new, "secret");
    assert_error(&s.heartbeat(secret).await, 403, "agent_suspended");
    s.admin("POST", "/v1/agents/frozen/resume", json!({"reason": "ok"}))
        .await;
    assert_eq!(s.heartbeat(secret).await.0, 204);
}

#[tokio::test]
async fn a_credential_is_replaced_once_and_its_replacement_keeps_the_lifetime() {
    let s = TestServer::start().await;
    s.agent("twice").await;
    let first = s
        .credential_with("twice", json!({"scopes": ["a:read"], "ttl_seconds": 7200}))
        .await;
    let first_id = txt(&first, "id");
    let (status, second) = rotate(
        &s,
        first_id,
        ADMIN,
        json!({"reason": "routine", "grace_seconds": 60}),
    )
    .await;
    assert_eq!(status, 201, "{second}");
    let second_id = txt(&second, "id");

    // Rotating the old one again would make a second live replacement
    // whose lifetime is the grace period's: refused, naming the first.
    let audit = s.audit_len().await;
    let answer = rotate(&s, first_id, ADMIN, json!({"reason": "again"})).await;
    assert_error(&answer, 409, "credential_replaced");
    assert!(txt(&answer.1["error"], "message").contains(second_id));
    assert_eq!(s.audit_len().await, audit);

    let before = Utc::now();
    let (status, third) = rotate(&s, second_id, ADMIN, json!({"reason": "leaked too"})).await;
    assert_eq!(status, 201, "{third}");
    let lifetime = time(&third, "expires_at") - before;
    assert!(
        (7_195..=7_210).contains(&lifetime.num_seconds()),
        "two hours, as the first one had: {third}"
    );
    assert_eq!(third["previous"]["status"], "revoked");
}
