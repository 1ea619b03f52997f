//! Bad requests on every route that takes a body: broken JSON is 400, JSON
//! of the wrong shape (unknown field, wrong type, missing field, unknown
//! enum value) is 422, unknown things in the path are 404, every error is
//! the contract's JSON, and a refused request changes nothing.

use crate::support::rules::eager_r18;
use crate::support::server::*;
use serde_json::{Value, json};

struct Fixtures {
    person_id: String,
    agent_id: String,
    credential_id: String,
    secret: String,
    alert_id: String,
}

async fn fixtures(s: &TestServer) -> Fixtures {
    let p = s.person("Pat", "pat@corp.example").await;
    s.person("Quinn", "quinn@corp.example").await;
    let a = s.agent("target").await;
    let (credential_id, secret) = s.credential("target").await;
    s.agent("frozen").await;
    let (_, frozen) = s.credential("frozen").await;
    s.admin(
        "POST",
        "/v1/agents/frozen/suspend",
        json!({"reason": "setup"}),
    )
    .await;
    assert_eq!(s.heartbeat(&frozen).await.0, 403);
    let alert_id = txt(&s.get("/v1/alerts").await[0], "id").to_string();
    Fixtures {
        person_id: txt(&p, "id").to_string(),
        agent_id: txt(&a, "id").to_string(),
        credential_id,
        secret,
        alert_id,
    }
}

/// Each POST route that reads a body, with a valid body for it.
fn body_routes(fx: &Fixtures) -> Vec<(String, Value)> {
    let a = &fx.agent_id;
    vec![
        ("/v1/tokens".into(), json!({"name": "t", "role": "viewer"})),
        (
            "/v1/people".into(),
            json!({"name": "New", "email": "new@corp.example"}),
        ),
        (
            format!("/v1/people/{}/offboard", fx.person_id),
            json!({"reason": "left"}),
        ),
        (
            "/v1/agents".into(),
            json!({"name": "new-agent", "kind": "chatbot", "environment": "dev"}),
        ),
        (
            format!("/v1/agents/{a}/credentials"),
            json!({"scopes": ["a:read"]}),
        ),
        (
            format!("/v1/agents/{a}/grants"),
            json!({"resource": "crm", "scope": "crm:read", "level": "read"}),
        ),
        (
            "/v1/delegations".into(),
            json!({"parent_person": fx.person_id, "child_agent": a, "scopes": ["a:read"]}),
        ),
        (
            format!("/v1/agents/{a}/owner"),
            json!({"owner": "quinn@corp.example", "reason": "handover"}),
        ),
        (format!("/v1/agents/{a}/suspend"), json!({"reason": "r"})),
        (format!("/v1/agents/{a}/resume"), json!({"reason": "r"})),
        (format!("/v1/agents/{a}/kill"), json!({"reason": "r"})),
        (
            format!("/v1/credentials/{}/revoke", fx.credential_id),
            json!({"reason": "r"}),
        ),
        (
            format!("/v1/credentials/{}/rotate", fx.credential_id),
            json!({"reason": "r", "grace_seconds": 0}),
        ),
        ("/v1/introspect".into(), json!({"token": fx.secret})),
        (
            "/v1/discoveries".into(),
            json!({"source": "laptop", "findings": []}),
        ),
        (
            "/v1/agent/events".into(),
            json!([{"action": "read", "target": "crm"}]),
        ),
        (
            format!("/v1/alerts/{}/ack", fx.alert_id),
            json!({"reason": "r"}),
        ),
        (
            format!("/v1/alerts/{}/snooze", fx.alert_id),
            json!({"seconds": 60, "reason": "r"}),
        ),
        (
            format!("/v1/alerts/{}/unsnooze", fx.alert_id),
            json!({"reason": "r"}),
        ),
        ("/v1/oauth/keys/rotate".into(), json!({"reason": "r"})),
        // The body is read before the action is looked up.
        (
            format!("/v1/guardrails/{NO_GUARDRAIL_ACTION}/stop"),
            json!({"reason": "r"}),
        ),
        (
            format!("/v1/guardrails/{NO_GUARDRAIL_ACTION}/run"),
            json!({"reason": "r"}),
        ),
    ]
}

/// A guardrail action id that names none.
const NO_GUARDRAIL_ACTION: &str = "gra_NoSuchAction0";

fn token_for<'a>(path: &str, fx: &'a Fixtures) -> &'a str {
    if path.starts_with("/v1/agent/") {
        &fx.secret
    } else {
        ADMIN
    }
}

/// The valid body with one more, unknown, field.
fn with_unknown_field(body: &Value) -> Value {
    let mut b = body.clone();
    match &mut b {
        Value::Object(m) => {
            m.insert("no_such_field".into(), json!(true));
        }
        Value::Array(items) => {
            items[0]["no_such_field"] = json!(true);
        }
        _ => unreachable!(),
    }
    b
}

#[test]
fn the_list_covers_every_post_route_with_a_body() {
    let fx = Fixtures {
        person_id: "P".into(),
        agent_id: "A".into(),
        credential_id: "C".into(),
        secret: "S".into(),
        alert_id: "L".into(),
    };
    let covered: Vec<String> = body_routes(&fx)
        .into_iter()
        .map(|(p, _)| {
            p.replace("/P/", "/{id}/")
                .replace("/A/", "/{id}/")
                .replace("/C/", "/{id}/")
                .replace("/L/", "/{id}/")
                .replace(&format!("/{NO_GUARDRAIL_ACTION}/"), "/{id}/")
        })
        .collect();
    for (method, path) in routes() {
        // The OAuth endpoints (token, revoke) take forms and answer RFC
        // 6749 errors (tests/it/api/token_exchange.rs).
        let oauth = path == "/v1/oauth/token" || path == "/v1/oauth/revoke";
        if method == "POST" && path != "/v1/agent/heartbeat" && !oauth {
            assert!(
                covered.iter().any(|c| c == path),
                "POST {path} is not covered; add a body for it"
            );
        }
    }
}

#[tokio::test]
async fn broken_json_is_400_everywhere_and_changes_nothing() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let before = s.dump();
    for (path, _) in body_routes(&fx) {
        let token = token_for(&path, &fx);
        for raw in ["{not json", "{\"reason\": ", "", "[1, 2"] {
            let answer = s
                .call_raw("POST", &path, Some(token), Some("application/json"), raw)
                .await;
            assert_eq!(answer.0, 400, "POST {path} with {raw:?}: {answer:?}");
            assert_error(&answer, 400, "bad_request");
        }
        // JSON, but not said to be JSON.
        let answer = s
            .call_raw(
                "POST",
                &path,
                Some(token),
                Some("text/plain"),
                "{\"reason\": \"x\"}",
            )
            .await;
        assert_error(&answer, 400, "bad_request");
        let answer = s
            .call_raw("POST", &path, Some(token), None, "{\"reason\": \"x\"}")
            .await;
        assert_error(&answer, 400, "bad_request");
    }
    assert_eq!(
        s.dump(),
        before,
        "a request with broken JSON changed the database"
    );
}

#[tokio::test]
async fn wrong_shapes_are_422_everywhere_and_change_nothing() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let before = s.dump();
    let agents = s.agent_count().await;
    let audit = s.audit_len().await;
    for (path, valid) in body_routes(&fx) {
        let token = token_for(&path, &fx);
        let mut bad = vec![
            ("an unknown field", with_unknown_field(&valid)),
            ("a string for the body", json!("just a string")),
            ("a number for the body", json!(42)),
        ];
        if valid.is_object() {
            bad.push(("an array for an object", json!([valid.clone()])));
            bad.push(("no fields", json!({})));
            // Every field of the wrong type.
            let mut wrong = valid.clone();
            for v in wrong.as_object_mut().unwrap().values_mut() {
                *v = json!({"nested": true});
            }
            bad.push(("fields of the wrong type", wrong));
        } else {
            bad.push(("an object for an array", valid[0].clone()));
            bad.push(("an event without a target", json!([{"action": "read"}])));
        }
        for (what, body) in bad {
            let answer = s.post(&path, token, body.clone()).await;
            assert_eq!(
                answer.0, 422,
                "POST {path} with {what} ({body}): {answer:?}"
            );
            assert_error(&answer, 422, "unprocessable");
        }
    }
    assert_eq!(
        s.dump(),
        before,
        "a request of the wrong shape changed the database"
    );
    assert_eq!(s.agent_count().await, agents);
    assert_eq!(s.audit_len().await, audit);
}

#[tokio::test]
async fn unknown_enum_values_are_422() {
    let s = TestServer::start_with(eager_r18()).await;
    s.agent("target").await;
    let before = s.dump();
    let cases = [
        (
            "/v1/agents",
            json!({"name": "r2d2", "kind": "robot", "environment": "prod"}),
        ),
        (
            "/v1/agents",
            json!({"name": "r2d2", "kind": "Chatbot", "environment": "prod"}),
        ),
        ("/v1/tokens", json!({"name": "t", "role": "superuser"})),
        (
            "/v1/agents/target/grants",
            json!({"resource": "r", "scope": "s", "level": "root"}),
        ),
    ];
    for (path, body) in cases {
        let answer = s.post(path, ADMIN, body.clone()).await;
        assert_error(&answer, 422, "unprocessable");
        let message = txt(&answer.1["error"], "message");
        let bad = ["robot", "Chatbot", "superuser", "root"]
            .into_iter()
            .find(|v| body.to_string().contains(v))
            .unwrap();
        assert!(
            message.contains(bad),
            "the message does not name {bad:?}: {message}"
        );
    }
    assert_eq!(s.dump(), before);
    assert_eq!(s.agent_count().await, 1);
}

#[tokio::test]
async fn empty_or_missing_reasons_are_422() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let before = s.dump();
    let a = &fx.agent_id;
    for path in [
        format!("/v1/agents/{a}/suspend"),
        format!("/v1/agents/{a}/resume"),
        format!("/v1/agents/{a}/kill"),
        format!("/v1/credentials/{}/revoke", fx.credential_id),
        format!("/v1/alerts/{}/ack", fx.alert_id),
        format!("/v1/people/{}/offboard", fx.person_id),
    ] {
        for body in [
            json!({"reason": ""}),
            json!({"reason": "  \n "}),
            json!({"reason": "x".repeat(1001)}),
        ] {
            let answer = s.post(&path, ADMIN, body).await;
            assert_error(&answer, 422, "unprocessable");
        }
    }
    let answer = s
        .post(
            &format!("/v1/agents/{a}/owner"),
            ADMIN,
            json!({"owner": "quinn@corp.example", "reason": " "}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = s
        .post(
            &format!("/v1/agents/{a}/owner"),
            ADMIN,
            json!({"owner": "quinn@corp.example"}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    assert_eq!(s.dump(), before);
}

#[tokio::test]
async fn unknown_things_in_the_path_are_404() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let before = s.dump();
    let reason = json!({"reason": "r"});
    let cases: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/v1/agents/agt_nope".into(), None),
        ("GET", "/v1/agents/no-such-name".into(), None),
        (
            "POST",
            "/v1/agents/agt_nope/credentials".into(),
            Some(json!({"scopes": ["a:read"]})),
        ),
        (
            "POST",
            "/v1/agents/agt_nope/grants".into(),
            Some(json!({"resource": "r", "scope": "s", "level": "read"})),
        ),
        (
            "POST",
            "/v1/agents/agt_nope/owner".into(),
            Some(json!({"owner": "quinn@corp.example", "reason": "r"})),
        ),
        (
            "POST",
            "/v1/agents/agt_nope/suspend".into(),
            Some(reason.clone()),
        ),
        (
            "POST",
            "/v1/agents/agt_nope/resume".into(),
            Some(reason.clone()),
        ),
        (
            "POST",
            "/v1/agents/agt_nope/kill".into(),
            Some(reason.clone()),
        ),
        (
            "POST",
            "/v1/agents/agt_nope/kill".into(),
            Some(json!({"reason": "r", "dry_run": true})),
        ),
        (
            "POST",
            "/v1/credentials/crd_nope/revoke".into(),
            Some(reason.clone()),
        ),
        (
            "POST",
            "/v1/alerts/alr_nope/ack".into(),
            Some(reason.clone()),
        ),
        (
            "POST",
            "/v1/people/per_nope/offboard".into(),
            Some(reason.clone()),
        ),
        (
            "POST",
            "/v1/people/nobody@corp.example/offboard".into(),
            Some(reason.clone()),
        ),
    ];
    for (method, path, body) in cases {
        let answer = s.call(method, &path, Some(ADMIN), body).await;
        assert_eq!(answer.0, 404, "{method} {path}: {answer:?}");
        assert_error(&answer, 404, "not_found");
    }
    assert_eq!(s.dump(), before);
    let _ = fx;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let s = TestServer::start_with(eager_r18()).await;
    let answer = s.call("GET", "/v1/nothing-here", Some(ADMIN), None).await;
    assert_error(&answer, 404, "not_found");
    let answer = s.call("GET", "/v2/agents", Some(ADMIN), None).await;
    assert_error(&answer, 404, "not_found");
    let answer = s.call("DELETE", "/v1/agents", Some(ADMIN), None).await;
    assert_error(&answer, 405, "method_not_allowed");
    // GET and POST /v1/tokens are routes; PUT is not.
    let answer = s.call("PUT", "/v1/tokens", Some(ADMIN), None).await;
    assert_error(&answer, 405, "method_not_allowed");
}

#[tokio::test]
async fn bad_query_parameters_are_400() {
    let s = TestServer::start_with(eager_r18()).await;
    for path in [
        "/v1/changes?since=abc",
        "/v1/changes?wait=-1",
        "/v1/changes?wait=61",
        "/v1/audit?after=x",
        "/v1/audit?limit=0",
        "/v1/agents?limit=-1",
    ] {
        let answer = s.call("GET", path, Some(ADMIN), None).await;
        assert_error(&answer, 400, "bad_request");
    }
}

#[tokio::test]
async fn oversized_fields_are_refused() {
    let s = TestServer::start_with(eager_r18()).await;
    let before = s.dump();
    let long = "n".repeat(300);
    let answer = s
        .post(
            "/v1/agents",
            ADMIN,
            json!({"name": long, "kind": "chatbot", "environment": "prod"}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = s
        .post(
            "/v1/agents",
            ADMIN,
            json!({"name": "  ", "kind": "chatbot", "environment": "prod"}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    let answer = s
        .post(
            "/v1/agents",
            ADMIN,
            json!({"name": "ok", "kind": "chatbot", "environment": ""}),
        )
        .await;
    assert_error(&answer, 422, "unprocessable");
    assert_eq!(s.dump(), before);
}
