//! What responders do and what agents report, against a real server:
//! owner, suspend/resume, revoke, introspect, heartbeat, events, alerts
//! (R18) and their acknowledgement.

use crate::support::rules::eager_r18;
use crate::support::server::*;
use serde_json::{Value, json};

#[tokio::test]
async fn owner_is_reassigned_with_a_reason() {
    let s = TestServer::start().await;
    let old = s.person("Olga", "olga@corp.example").await;
    let new = s.person("Nina", "nina@corp.example").await;
    s.agent_with(json!({"name": "bot", "kind": "chatbot", "environment": "prod", "owner": "olga@corp.example"}))
        .await;
    let (status, a) = s
        .post(
            "/v1/agents/bot/owner",
            ADMIN,
            json!({"owner": "nina@corp.example", "reason": "Olga moved team"}),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["owner"], new["id"]);
    assert_eq!(s.detail("bot").await["owner_person"], new);

    let last = s.audit().await.pop().unwrap();
    assert_eq!(last["action"], "agent.owner");
    assert_eq!(last["reason"], "Olga moved team");
    assert!(
        txt(&last, "result").contains(txt(&old, "id")),
        "the audit names the old owner: {last}"
    );
    assert!(
        txt(&last, "result").contains(txt(&new, "id")),
        "the audit names the new owner: {last}"
    );

    // By id works too.
    let (status, a) = s
        .post(
            "/v1/agents/bot/owner",
            ADMIN,
            json!({"owner": old["id"], "reason": "back"}),
        )
        .await;
    assert_eq!((status, a["owner"].clone()), (200, old["id"].clone()));
}

#[tokio::test]
async fn owner_needs_a_reason_and_an_active_known_person() {
    let s = TestServer::start().await;
    s.person("Olga", "olga@corp.example").await;
    s.person("Dee", "dee@corp.example").await;
    s.admin(
        "POST",
        "/v1/people/dee@corp.example/offboard",
        json!({"reason": "left"}),
    )
    .await;
    s.agent_with(json!({"name": "bot", "kind": "chatbot", "environment": "prod", "owner": "olga@corp.example"}))
        .await;
    let before = s.dump();
    let answer = s
        .post(
            "/v1/agents/bot/owner",
            ADMIN,
            json!({"owner": "olga@corp.example", "reason": ""}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = s
        .post(
            "/v1/agents/bot/owner",
            ADMIN,
            json!({"owner": "dee@corp.example", "reason": "why not"}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    assert!(
        txt(&answer.1["error"], "message").contains("dee@corp.example"),
        "{answer:?}"
    );
    let answer = s
        .post(
            "/v1/agents/bot/owner",
            ADMIN,
            json!({"owner": "ghost@corp.example", "reason": "why not"}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    assert_eq!(
        s.dump(),
        before,
        "a refused reassignment changed the database"
    );
}

#[tokio::test]
async fn suspend_refuses_credentials_and_resume_restores_them() {
    let s = TestServer::start().await;
    let a = s.agent("sleepy").await;
    let id = txt(&a, "id").to_string();
    let (cred, secret) = s.credential("sleepy").await;
    assert_eq!(s.heartbeat(&secret).await.0, 204);

    let (status, a) = s
        .post(
            "/v1/agents/sleepy/suspend",
            ADMIN,
            json!({"reason": "odd traffic"}),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["status"], "suspended");
    let answer = s.heartbeat(&secret).await;
    assert_error(&answer, 403, "agent_suspended");
    let answer = s
        .post(
            "/v1/agent/events",
            &secret,
            json!([{"action": "a", "target": "t"}]),
        )
        .await;
    assert_error(&answer, 403, "agent_suspended");
    let i = s
        .admin("POST", "/v1/introspect", json!({"token": secret}))
        .await;
    assert_eq!(
        (i["active"].clone(), i["reason"].clone()),
        (json!(false), json!("agent_suspended")),
        "{i}"
    );

    // Suspension leaves the credentials as they were.
    let d = s.detail("sleepy").await;
    assert_eq!(d["credentials"][0]["status"], "active", "{d}");
    assert!(d["credentials"][0]["revoked_at"].is_null());

    // Suspending again changes nothing.
    let audit = s.audit_len().await;
    let (status, again) = s
        .post(
            "/v1/agents/sleepy/suspend",
            ADMIN,
            json!({"reason": "again"}),
        )
        .await;
    assert_eq!((status, again["status"].clone()), (200, json!("suspended")));
    assert_eq!(s.audit_len().await, audit);

    let (status, a) = s
        .post(
            &format!("/v1/agents/{id}/resume"),
            ADMIN,
            json!({"reason": "explained"}),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["status"], "active");
    assert_eq!(
        s.heartbeat(&secret).await.0,
        204,
        "the same credential works after resume"
    );
    let i = s
        .admin("POST", "/v1/introspect", json!({"token": secret}))
        .await;
    assert_eq!(i["active"], true);
    assert_eq!(i["client_id"], cred.as_str());

    let audit = s.audit().await;
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e["action"] == "agent.suspend" || e["action"] == "agent.resume")
        .map(|e| (txt(e, "action"), txt(e, "reason")))
        .collect();
    assert_eq!(
        actions,
        [
            ("agent.suspend", "odd traffic"),
            ("agent.resume", "explained")
        ]
    );
}

#[tokio::test]
async fn revoke_refuses_the_credential_with_its_reason() {
    let s = TestServer::start().await;
    let a = s.agent("leaky").await;
    let (c1, s1) = s.credential("leaky").await;
    let (_, s2) = s.credential("leaky").await;
    let (status, c) = s
        .post(
            &format!("/v1/credentials/{c1}/revoke"),
            ADMIN,
            json!({"reason": "pasted in a public repo"}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["id"], c1.as_str());
    assert_eq!(c["status"], "revoked");
    assert_eq!(c["revoked_reason"], "pasted in a public repo");
    assert!(c["revoked_at"].is_string());
    assert!(c.get("secret").is_none());

    let answer = s.heartbeat(&s1).await;
    assert_error(&answer, 401, "credential_revoked");
    assert!(
        txt(&answer.1["error"], "message").contains("pasted in a public repo"),
        "{answer:?}"
    );
    let answer = s
        .post(
            "/v1/agent/events",
            &s1,
            json!([{"action": "a", "target": "t"}]),
        )
        .await;
    assert_error(&answer, 401, "credential_revoked");
    let i = s
        .admin("POST", "/v1/introspect", json!({"token": s1}))
        .await;
    assert_eq!(i["active"], false, "{i}");
    assert_eq!(i["reason"], "revoked", "{i}");
    assert!(i["scope"].is_null() && i["exp"].is_null(), "{i}");

    // The agent and its other credential are untouched.
    assert_eq!(s.heartbeat(&s2).await.0, 204);
    assert_eq!(s.detail(txt(&a, "id")).await["status"], "active");
    // Revoking again changes nothing.
    let audit = s.audit_len().await;
    let (status, again) = s
        .post(
            &format!("/v1/credentials/{c1}/revoke"),
            ADMIN,
            json!({"reason": "again"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["revoked_reason"], "pasted in a public repo");
    assert_eq!(s.audit_len().await, audit);

    let last = s
        .audit()
        .await
        .into_iter()
        .rev()
        .find(|e| e["action"] == "credential.revoke")
        .unwrap();
    assert_eq!(last["reason"], "pasted in a public repo");
    assert!(txt(&last, "target").contains(&c1));
}

#[tokio::test]
async fn introspect_describes_an_active_credential() {
    let s = TestServer::start().await;
    let a = s.agent("svc").await;
    let c = s
        .credential_with(
            "svc",
            json!({"scopes": ["tickets:read", "tickets:write"], "ttl_seconds": 86400}),
        )
        .await;
    let (status, i) = s
        .post("/v1/introspect", ADMIN, json!({"token": c["secret"]}))
        .await;
    assert_eq!(status, 200, "{i}");
    assert_eq!(i["active"], true);
    assert_eq!(i["agent_id"], a["id"]);
    assert_eq!(i["client_id"], c["id"]);
    assert_eq!(i["scope"], "tickets:read tickets:write");
    let exp = chrono::DateTime::parse_from_rfc3339(txt(&c, "expires_at"))
        .unwrap()
        .timestamp();
    assert_eq!(i["exp"], json!(exp));
    assert!(i["reason"].is_null());
    // Surrounding spaces do not matter.
    let padded = format!("  {}  ", txt(&c, "secret"));
    assert_eq!(
        s.admin("POST", "/v1/introspect", json!({"token": padded}))
            .await["active"],
        true
    );
}

#[tokio::test]
async fn heartbeat_answers_204_and_marks_the_agent_seen() {
    let s = TestServer::start().await;
    s.agent("alive").await;
    let (_, secret) = s.credential("alive").await;
    let (status, body) = s.heartbeat(&secret).await;
    assert_eq!(status, 204);
    assert!(body.is_null(), "204 has no body: {body}");
    let d = s.detail("alive").await;
    assert!(d["last_seen_at"].is_string(), "{d}");
    assert!(d["credentials"][0]["last_used_at"].is_string(), "{d}");
}

fn events(n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(|i| json!({"action": "tickets.read", "target": format!("ticket/{i}"), "scope": "tickets:read", "result": "ok"}))
            .collect(),
    )
}

fn event_rows(s: &TestServer) -> i64 {
    s.sql()
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn a_batch_of_a_thousand_events_is_accepted() {
    let s = TestServer::start().await;
    s.agent("busy").await;
    s.admin(
        "POST",
        "/v1/agents/busy/grants",
        json!({"resource": "tickets", "scope": "tickets:read", "level": "read"}),
    )
    .await;
    let (_, secret) = s.credential("busy").await;
    let (status, body) = s.post("/v1/agent/events", &secret, events(1000)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"accepted": 1000}));
    assert_eq!(event_rows(&s), 1000);
    let d = s.detail("busy").await;
    assert!(d["last_seen_at"].is_string());
    assert!(
        d["grants"][0]["last_used_at"].is_string(),
        "the used scope marks its grant used: {d}"
    );
    // An empty batch is fine too.
    let (status, body) = s.post("/v1/agent/events", &secret, json!([])).await;
    assert_eq!((status, body), (200, json!({"accepted": 0})));
}

#[tokio::test]
async fn a_bad_event_refuses_the_whole_batch() {
    let s = TestServer::start().await;
    s.agent("sloppy").await;
    let (_, secret) = s.credential("sloppy").await;
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let before = s.dump();
    for bad in [
        json!({"action": "", "target": "t"}),
        json!({"action": "a", "target": "   "}),
        json!({"action": "a"}),
        json!({"action": "a", "target": "t", "time": future}),
        json!({"action": "a", "target": "t", "time": "yesterday"}),
        json!({"action": "a".repeat(513), "target": "t"}),
        json!({"action": "a", "target": "t", "interactive": "yes"}),
    ] {
        let mut batch = events(5);
        batch.as_array_mut().unwrap().insert(3, bad.clone());
        let answer = s.post("/v1/agent/events", &secret, batch).await;
        assert_eq!(answer.0, 422, "{bad}: {answer:?}");
        assert_error(&answer, 422, "unprocessable");
    }
    assert_eq!(event_rows(&s), 0, "part of a refused batch was stored");
    assert_eq!(s.dump(), before, "a refused batch changed the database");
}

#[tokio::test]
async fn more_than_ten_thousand_events_is_422() {
    let s = TestServer::start().await;
    s.agent("flood").await;
    let (_, secret) = s.credential("flood").await;
    let answer = s.post("/v1/agent/events", &secret, events(10_001)).await;
    assert_error(&answer, 422, "unprocessable");
    assert!(
        txt(&answer.1["error"], "message").contains("10000"),
        "{answer:?}"
    );
    assert_eq!(event_rows(&s), 0);
    let (status, body) = s.post("/v1/agent/events", &secret, events(10_000)).await;
    assert_eq!((status, body), (200, json!({"accepted": 10_000})));
}

#[tokio::test]
async fn r18_is_raised_when_a_suspended_agent_keeps_trying() {
    let s = TestServer::start_with(eager_r18()).await;
    let a = s.agent("persistent").await;
    let (cred, secret) = s.credential("persistent").await;
    assert_eq!(s.get("/v1/alerts").await, json!([]));
    s.admin(
        "POST",
        "/v1/agents/persistent/suspend",
        json!({"reason": "contain"}),
    )
    .await;
    for _ in 0..3 {
        assert_error(&s.heartbeat(&secret).await, 403, "agent_suspended");
    }
    let alerts = s.get("/v1/alerts").await;
    let alerts = alerts.as_array().unwrap();
    assert_eq!(alerts.len(), 1, "one alert, however many tries: {alerts:?}");
    let alert = &alerts[0];
    assert_eq!(alert["rule"], "R18");
    assert_eq!(alert["severity"], "high", "suspended, not killed: {alert}");
    assert_eq!(alert["status"], "open");
    assert_eq!(alert["agent_id"], a["id"]);
    assert_eq!(alert["source"], "warden");
    assert!(
        txt(alert, "evidence").contains(&cred),
        "the evidence names the credential: {alert}"
    );
    assert_eq!(s.detail("persistent").await["alerts"], json!([alert]));
    let opened = s
        .audit()
        .await
        .into_iter()
        .filter(|e| e["action"] == "alert.open")
        .count();
    assert_eq!(opened, 1);
}

#[tokio::test]
async fn no_r18_for_a_live_agent_or_a_revoked_credential() {
    let s = TestServer::start().await;
    s.agent("fine").await;
    let (c, secret) = s.credential("fine").await;
    assert_eq!(s.heartbeat(&secret).await.0, 204);
    s.admin(
        "POST",
        &format!("/v1/credentials/{c}/revoke"),
        json!({"reason": "rotated"}),
    )
    .await;
    assert_eq!(s.heartbeat(&secret).await.0, 401);
    assert_eq!(s.get("/v1/alerts").await, json!([]));
}

#[tokio::test]
async fn ack_needs_a_reason_is_audited_and_records_who() {
    let s = TestServer::start_with(eager_r18()).await;
    s.person("Rita", "rita@corp.example").await;
    let responder = s
        .token_for("responder", "rita-laptop", "rita@corp.example")
        .await;
    s.agent("persistent").await;
    let (_, secret) = s.credential("persistent").await;
    s.admin(
        "POST",
        "/v1/agents/persistent/suspend",
        json!({"reason": "contain"}),
    )
    .await;
    s.heartbeat(&secret).await;
    let alert_id = txt(&s.get("/v1/alerts").await[0], "id").to_string();
    let path = format!("/v1/alerts/{alert_id}/ack");

    let before = s.dump();
    assert_error(
        &s.post(&path, &responder, json!({"reason": ""})).await,
        422,
        "unprocessable",
    );
    assert_error(
        &s.post(&path, &responder, json!({})).await,
        422,
        "unprocessable",
    );
    assert_eq!(s.dump(), before);

    let (status, alert) = s
        .post(
            &path,
            &responder,
            json!({"reason": "we suspended it on purpose"}),
        )
        .await;
    assert_eq!(status, 200, "{alert}");
    assert_eq!(alert["id"], alert_id.as_str());
    assert_eq!(alert["status"], "acknowledged");
    assert_eq!(
        alert["acknowledged_by"],
        "rita@corp.example (token rita-laptop)"
    );
    assert_eq!(alert["ack_reason"], "we suspended it on purpose");
    assert_eq!(s.get("/v1/alerts").await[0], alert);

    let last = s.audit().await.pop().unwrap();
    assert_eq!(last["action"], "alert.ack");
    assert_eq!(last["actor"], "rita@corp.example (token rita-laptop)");
    assert_eq!(last["reason"], "we suspended it on purpose");
    assert!(txt(&last, "target").contains(&alert_id));

    // Acknowledging again changes nothing, and further tries keep it acknowledged.
    let audit = s.audit_len().await;
    let (status, again) = s.post(&path, ADMIN, json!({"reason": "me too"})).await;
    assert_eq!(status, 200);
    assert_eq!(
        again["acknowledged_by"],
        "rita@corp.example (token rita-laptop)"
    );
    assert_eq!(s.audit_len().await, audit);
    s.heartbeat(&secret).await;
    let alerts = s.get("/v1/alerts").await;
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["status"], "acknowledged");
}

#[tokio::test]
async fn an_expired_credential_is_refused_as_expired() {
    let s = TestServer::start().await;
    s.agent("brief").await;
    let c = s
        .credential_with("brief", json!({"scopes": ["a:read"], "ttl_seconds": 1}))
        .await;
    let secret = txt(&c, "secret").to_string();
    assert_eq!(s.heartbeat(&secret).await.0, 204);
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let answer = s.heartbeat(&secret).await;
    assert_error(&answer, 401, "credential_expired");
    let i = s
        .admin("POST", "/v1/introspect", json!({"token": secret}))
        .await;
    assert_eq!(
        (i["active"].clone(), i["reason"].clone()),
        (json!(false), json!("expired")),
        "{i}"
    );
    assert_eq!(
        s.detail("brief").await["credentials"][0]["status"],
        "expired"
    );
}
