//! Who may call what, over every route the server registers: no token and
//! unknown tokens get 401; a viewer gets 403 on every action whatever the
//! body; a responder gets 403 on admin routes and acts on the rest; an
//! agent credential gets 403 on every person route; a person token gets 403
//! on the agent routes. Refusals change nothing.

use crate::support::rules::eager_r18;
use crate::support::server::*;
use serde_json::{Value, json};

/// Things for the routes to act on.
struct Fixtures {
    person_id: String,
    agent_id: String,
    credential_id: String,
    secret: String,
    alert_id: String,
    /// A viewer token of no person, for the token routes.
    token_id: String,
    /// A grant of the agent, for the grant routes.
    grant_id: String,
}

/// An agent with a credential, a person, a second person (a new owner), and
/// an open R18 alert on a second, suspended agent.
async fn fixtures(s: &TestServer) -> Fixtures {
    let p = s.person("Pat", "pat@corp.example").await;
    s.person("Quinn", "quinn@corp.example").await;
    let a = s
        .agent_with(json!({"name": "target", "kind": "chatbot", "environment": "prod", "owner": "pat@corp.example"}))
        .await;
    let (credential_id, secret) = s.credential("target").await;
    s.agent("frozen").await;
    let (_, frozen_secret) = s.credential("frozen").await;
    s.admin(
        "POST",
        "/v1/agents/frozen/suspend",
        json!({"reason": "setup"}),
    )
    .await;
    assert_eq!(s.heartbeat(&frozen_secret).await.0, 403);
    let alerts = s.get("/v1/alerts").await;
    let alert_id = txt(&alerts[0], "id").to_string();
    let token = s
        .admin(
            "POST",
            "/v1/tokens",
            json!({"name": "fixture-token", "role": "viewer"}),
        )
        .await;
    let grant = s
        .admin(
            "POST",
            "/v1/agents/target/grants",
            json!({"resource": "crm", "scope": "crm:write", "level": "write"}),
        )
        .await;
    Fixtures {
        grant_id: txt(&grant, "id").to_string(),
        token_id: txt(&token, "id").to_string(),
        person_id: txt(&p, "id").to_string(),
        agent_id: txt(&a, "id").to_string(),
        credential_id,
        secret,
        alert_id,
    }
}

/// The route's path with `{id}` replaced by the fitting fixture.
fn fill(path: &str, fx: &Fixtures) -> String {
    let id = if path.starts_with("/v1/people/") {
        &fx.person_id
    } else if path.starts_with("/v1/agents/") {
        &fx.agent_id
    } else if path.starts_with("/v1/credentials/") {
        &fx.credential_id
    } else if path.starts_with("/v1/alerts/") {
        &fx.alert_id
    } else if path.starts_with("/v1/tokens/") {
        &fx.token_id
    } else if path.starts_with("/v1/guardrails/") {
        // No policy is configured here: the role is checked before the id.
        return path.replace("{id}", "gra_NoSuchAction0");
    } else {
        assert!(
            !path.contains('{'),
            "no fixture for the parameter of {path}; add one"
        );
        return path.to_string();
    };
    path.replace("{id}", id).replace("{grant}", &fx.grant_id)
}

/// A body that would succeed on `method path`, or None for no body.
fn valid_body(method: &str, path: &str, fx: &Fixtures) -> Option<Value> {
    if method == "GET" {
        return None;
    }
    Some(match path {
        "/v1/tokens" => json!({"name": "new-token", "role": "viewer"}),
        "/v1/people" => json!({"name": "New", "email": "new@corp.example"}),
        "/v1/people/{id}/offboard" => json!({"reason": "left"}),
        "/v1/agents" => json!({"name": "new-agent", "kind": "chatbot", "environment": "dev"}),
        "/v1/agents/{id}/credentials" => json!({"scopes": ["a:read"]}),
        "/v1/agents/{id}/grants" => {
            json!({"resource": "crm", "scope": "crm:read", "level": "read"})
        }
        "/v1/delegations" => {
            json!({"parent_person": fx.person_id, "child_agent": fx.agent_id, "scopes": ["a:read"]})
        }
        "/v1/agents/{id}/owner" => json!({"owner": "quinn@corp.example", "reason": "handover"}),
        "/v1/agents/{id}/suspend" | "/v1/agents/{id}/resume" | "/v1/agents/{id}/kill" => {
            json!({"reason": "incident"})
        }
        "/v1/credentials/{id}/revoke" | "/v1/alerts/{id}/ack" | "/v1/alerts/{id}/unsnooze" => {
            json!({"reason": "incident"})
        }
        "/v1/alerts/{id}/snooze" => json!({"seconds": 600, "reason": "known"}),
        "/v1/guardrails/{id}/stop" | "/v1/guardrails/{id}/run" => json!({"reason": "incident"}),
        "/v1/credentials/{id}/rotate" => json!({"reason": "incident", "grace_seconds": 60}),
        "/v1/introspect" => json!({"token": fx.secret}),
        "/v1/discoveries" => json!({"source": "laptop", "findings": []}),
        "/v1/agent/heartbeat" => return None,
        "/v1/agent/events" => json!([{"action": "read", "target": "crm"}]),
        "/v1/tokens/{id}" => json!({"reason": "no longer needed"}),
        "/v1/agents/{id}/grants/{grant}" => json!({"reason": "no longer needed"}),
        "/v1/oauth/keys/rotate" => json!({"reason": "yearly rotation"}),
        other => panic!("no valid body for POST {other}; add one to this test"),
    })
}

/// The OAuth endpoints answer in RFC 6749 shapes (tests/it/api/token_exchange.rs):
/// the token endpoint takes no bearer token (its `actor_token` is the
/// caller's credential, RFC 8693), and revocation (RFC 7009) takes any
/// caller, deciding by the token's chain (`invalid_client` without one).
const OAUTH_ENDPOINTS: &[&str] = &["/v1/oauth/token", "/v1/oauth/revoke"];
/// Routes that take an agent credential rather than a person token.
const AGENT_ROUTES: &[&str] = &["/v1/agent/heartbeat", "/v1/agent/events"];
/// Person routes that need the admin role (`/v1/discoveries` also takes a
/// discoverer, which is below a viewer).
const ADMIN_ROUTES: &[(&str, &str)] = &[
    ("POST", "/v1/discoveries"),
    ("POST", "/v1/tokens"),
    ("POST", "/v1/people"),
    ("POST", "/v1/people/{id}/offboard"),
    ("POST", "/v1/agents"),
    ("POST", "/v1/agents/{id}/credentials"),
    ("POST", "/v1/agents/{id}/grants"),
    ("POST", "/v1/delegations"),
    ("DELETE", "/v1/agents/{id}/grants/{grant}"),
    ("POST", "/v1/oauth/keys/rotate"),
];
/// Person routes that need the responder role.
const RESPONDER_ROUTES: &[(&str, &str)] = &[
    ("POST", "/v1/agents/{id}/owner"),
    ("POST", "/v1/agents/{id}/suspend"),
    ("POST", "/v1/agents/{id}/resume"),
    ("POST", "/v1/agents/{id}/kill"),
    ("POST", "/v1/credentials/{id}/revoke"),
    ("POST", "/v1/credentials/{id}/rotate"),
    ("POST", "/v1/alerts/{id}/ack"),
    ("POST", "/v1/alerts/{id}/snooze"),
    ("POST", "/v1/alerts/{id}/unsnooze"),
    ("POST", "/v1/guardrails/{id}/stop"),
    ("POST", "/v1/guardrails/{id}/run"),
];

fn is_action(method: &str, path: &str) -> bool {
    ADMIN_ROUTES.contains(&(method, path)) || RESPONDER_ROUTES.contains(&(method, path))
}

#[test]
fn every_post_route_is_classified() {
    for (method, path) in routes() {
        // DELETE /v1/tokens/{id} is every token's own (and the admin's).
        if method == "POST" || (method == "DELETE" && path != "/v1/tokens/{id}") {
            assert!(
                is_action(method, path)
                    || AGENT_ROUTES.contains(&path)
                    || path == "/v1/introspect"
                    || OAUTH_ENDPOINTS.contains(&path),
                "{method} {path} is in no role class; add it to this test"
            );
        }
    }
    for r in ADMIN_ROUTES.iter().chain(RESPONDER_ROUTES) {
        assert!(routes().contains(r), "{r:?} is not a route any more");
    }
}

#[tokio::test]
async fn no_token_is_401_on_every_route_but_health() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let before = s.dump();
    for (method, path) in routes() {
        if OAUTH_ENDPOINTS.contains(&path) {
            continue;
        }
        let url = fill(path, &fx);
        let answer = s
            .call(method, &url, None, valid_body(method, path, &fx))
            .await;
        if path == "/v1/health" {
            assert_eq!(answer.0, 200);
            continue;
        }
        assert_error(&answer, 401, "unauthorized");
    }
    assert_eq!(
        s.dump(),
        before,
        "a request without a token changed the database"
    );
}

#[tokio::test]
async fn unknown_or_malformed_tokens_are_401() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let before = s.dump();
    for (method, path) in routes() {
        if path == "/v1/health" {
            continue;
        }
        if OAUTH_ENDPOINTS.contains(&path) {
            continue;
        }
        let url = fill(path, &fx);
        let answer = s
            .call(
                method,
                &url,
                Some(UNKNOWN_TOKEN),
                valid_body(method, path, &fx),
            )
            .await;
        assert_error(&answer, 401, "unauthorized");
        // Not a bearer token at all.
        let resp = s
            .http
            .request(method.parse().unwrap(), format!("{}{url}", s.url))
            .header("Authorization", format!("Basic {ADMIN}"))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        assert_error(&(status, body), 401, "unauthorized");
    }
    assert_eq!(s.dump(), before);
}

#[tokio::test]
async fn viewer_gets_403_on_every_action_whatever_the_body() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let viewer = s.token("viewer").await;
    let before = s.dump();
    let mut checked = 0;
    for (method, path) in routes() {
        if !is_action(method, path) {
            continue;
        }
        let url = fill(path, &fx);
        let valid = s
            .call(method, &url, Some(&viewer), valid_body(method, path, &fx))
            .await;
        assert_error(&valid, 403, "forbidden");
        let not_json = s
            .call_raw(
                method,
                &url,
                Some(&viewer),
                Some("application/json"),
                "{not json",
            )
            .await;
        assert_error(&not_json, 403, "forbidden");
        let wrong_shape = s
            .call(
                method,
                &url,
                Some(&viewer),
                Some(json!({"unknown_field": [1, 2]})),
            )
            .await;
        assert_error(&wrong_shape, 403, "forbidden");
        let no_body = s.call(method, &url, Some(&viewer), None).await;
        assert_error(&no_body, 403, "forbidden");
        checked += 1;
    }
    assert_eq!(checked, ADMIN_ROUTES.len() + RESPONDER_ROUTES.len());
    assert_eq!(s.dump(), before, "a viewer changed the database");
}

#[tokio::test]
async fn viewer_reads_every_get_route_and_introspects() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let viewer = s.token("viewer").await;
    for (method, path) in routes() {
        if method != "GET" {
            continue;
        }
        let (status, body) = s.call(method, &fill(path, &fx), Some(&viewer), None).await;
        assert_eq!(status, 200, "viewer on GET {path}: {body}");
    }
    let (status, i) = s
        .post("/v1/introspect", &viewer, json!({"token": fx.secret}))
        .await;
    assert_eq!(status, 200, "{i}");
    assert_eq!(i["active"], true);
}

#[tokio::test]
async fn responder_gets_403_on_admin_routes() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let responder = s.token("responder").await;
    let before = s.dump();
    for (method, path) in ADMIN_ROUTES {
        let url = fill(path, &fx);
        let answer = s
            .call(
                method,
                &url,
                Some(&responder),
                valid_body(method, path, &fx),
            )
            .await;
        assert_error(&answer, 403, "forbidden");
        let malformed = s
            .call_raw(
                method,
                &url,
                Some(&responder),
                Some("application/json"),
                "[",
            )
            .await;
        assert_error(&malformed, 403, "forbidden");
    }
    assert_eq!(
        s.dump(),
        before,
        "a responder changed the database through an admin route"
    );
}

#[tokio::test]
async fn responder_acts_on_agents_credentials_and_alerts() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    s.person("Rita", "rita@corp.example").await;
    let responder = s
        .token_for("responder", "rita-laptop", "rita@corp.example")
        .await;
    let agent = format!("/v1/agents/{}", fx.agent_id);

    // In order: each action, and the field of its answer that shows it took.
    let steps = [
        (
            format!("{agent}/owner"),
            json!({"owner": "quinn@corp.example", "reason": "handover"}),
            "owner",
            None,
        ),
        (
            format!("{agent}/suspend"),
            json!({"reason": "looks odd"}),
            "status",
            Some("suspended"),
        ),
        (
            format!("{agent}/resume"),
            json!({"reason": "false alarm"}),
            "status",
            Some("active"),
        ),
        (
            format!("/v1/alerts/{}/ack", fx.alert_id),
            json!({"reason": "known"}),
            "status",
            Some("acknowledged"),
        ),
        (
            format!("/v1/credentials/{}/revoke", fx.credential_id),
            json!({"reason": "leaked"}),
            "status",
            Some("revoked"),
        ),
        (
            format!("{agent}/kill"),
            json!({"reason": "done"}),
            "status",
            Some("succeeded"),
        ),
    ];
    for (path, body, field, want) in steps {
        let (status, answer) = s.post(&path, &responder, body).await;
        assert_eq!(status, 200, "{path}: {answer}");
        if let Some(want) = want {
            assert_eq!(answer[field], json!(want), "{path}: {answer}");
        }
    }
    let (status, i) = s
        .post("/v1/introspect", &responder, json!({"token": fx.secret}))
        .await;
    assert_eq!((status, i["active"].clone()), (200, json!(false)), "{i}");

    // Every one of those was written down as Rita.
    let audit = s.audit().await;
    for action in [
        "agent.owner",
        "agent.suspend",
        "agent.resume",
        "alert.ack",
        "credential.revoke",
        "agent.kill",
    ] {
        let e = audit
            .iter()
            .rev()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in the audit"));
        assert_eq!(e["actor"], "rita@corp.example (token rita-laptop)", "{e}");
    }
}

#[tokio::test]
async fn agent_credential_gets_403_on_every_person_route() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let before = s.dump();
    let mut checked = 0;
    for (method, path) in routes() {
        if ["/v1/health", "/v1/whoami"].contains(&path) || AGENT_ROUTES.contains(&path) {
            continue;
        }
        if OAUTH_ENDPOINTS.contains(&path) {
            continue;
        }
        let url = fill(path, &fx);
        let answer = s
            .call(
                method,
                &url,
                Some(&fx.secret),
                valid_body(method, path, &fx),
            )
            .await;
        assert_error(&answer, 403, "forbidden");
        checked += 1;
    }
    assert!(checked >= 22, "only {checked} person routes");
    assert_eq!(
        s.dump(),
        before,
        "an agent credential changed the database through a person route"
    );
    // The same credential does work where it belongs.
    assert_eq!(s.heartbeat(&fx.secret).await.0, 204);
    let (status, me) = s.call("GET", "/v1/whoami", Some(&fx.secret), None).await;
    assert_eq!((status, me["kind"].clone()), (200, json!("agent")));
}

#[tokio::test]
async fn person_tokens_get_403_on_agent_routes() {
    let s = TestServer::start_with(eager_r18()).await;
    let fx = fixtures(&s).await;
    let tokens = [
        s.token("viewer").await,
        s.token("responder").await,
        ADMIN.to_string(),
    ];
    let before = s.dump();
    for t in &tokens {
        let answer = s.call("POST", "/v1/agent/heartbeat", Some(t), None).await;
        assert_error(&answer, 403, "forbidden");
        let answer = s
            .post(
                "/v1/agent/events",
                t,
                valid_body("POST", "/v1/agent/events", &fx).unwrap(),
            )
            .await;
        assert_error(&answer, 403, "forbidden");
    }
    assert_eq!(s.dump(), before);
}

#[tokio::test]
async fn introspect_of_a_person_token_is_inactive() {
    let s = TestServer::start_with(eager_r18()).await;
    let viewer = s.token("viewer").await;
    let i = s
        .admin("POST", "/v1/introspect", json!({"token": viewer}))
        .await;
    assert_eq!(i["active"], false);
    assert!(i["agent_id"].is_null() && i["scope"].is_null(), "{i}");
    let i = s
        .admin(
            "POST",
            "/v1/introspect",
            json!({"token": "nothing-we-know"}),
        )
        .await;
    assert_eq!(i["active"], false);
}
