//! Least privilege where access is granted (issue #17, item 5): a
//! credential of an agent that acts for someone carries no more than was
//! delegated to it; a delegation in a person's name needs that person's
//! token, their place at the start of the parent's chain, or an admin's
//! recorded approval; a suspended or killed agent delegates nothing; a
//! grant can be removed. Refusals change nothing.

use crate::support::server::*;
use serde_json::json;

async fn delegate(
    s: &TestServer,
    token: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    s.post("/v1/delegations", token, body).await
}

#[tokio::test]
async fn a_credential_never_exceeds_what_was_delegated() {
    let s = TestServer::start().await;
    s.person("Pat", "pat@corp.example").await;
    s.agent("sub-agent").await;
    s.admin(
        "POST",
        "/v1/delegations",
        json!({"parent_person": "pat@corp.example", "child_agent": "sub-agent", "scopes": ["tickets:read"]}),
    )
    .await;
    let before = s.audit_len().await;
    let answer = s
        .post(
            "/v1/agents/sub-agent/credentials",
            ADMIN,
            json!({"scopes": ["iam:admin", "db:admin"]}),
        )
        .await;
    assert_error(&answer, 409, "scope_exceeds_delegation");
    let message = answer.1["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("tickets:read") && message.contains("iam:admin, db:admin"),
        "{message}"
    );
    assert_eq!(s.audit_len().await, before, "a refusal writes nothing");
    // Within the delegation it is issued; an agent nobody delegated to
    // is its owner's business.
    let ok = s
        .post(
            "/v1/agents/sub-agent/credentials",
            ADMIN,
            json!({"scopes": ["tickets:read"]}),
        )
        .await;
    assert_eq!(ok.0, 201, "{}", ok.1);
    s.agent("standalone").await;
    let free = s
        .post(
            "/v1/agents/standalone/credentials",
            ADMIN,
            json!({"scopes": ["iam:admin"]}),
        )
        .await;
    assert_eq!(free.0, 201, "{}", free.1);
}

#[tokio::test]
async fn a_delegation_for_someone_needs_their_token_their_chain_or_an_approval() {
    let s = TestServer::start().await;
    s.person("Pat", "pat@corp.example").await;
    s.person("Bob", "bob@corp.example").await;
    for a in ["planner", "worker"] {
        s.agent(a).await;
    }
    // Pat, with her own viewer token, delegates to planner.
    let pat = s
        .token_for("viewer", "pat-laptop", "pat@corp.example")
        .await;
    let mine = delegate(
        &s,
        &pat,
        json!({"parent_person": "pat@corp.example", "child_agent": "planner", "scopes": ["tickets:read"]}),
    )
    .await;
    assert_eq!(mine.0, 201, "{}", mine.1);
    // Her token cannot speak for Bob.
    let for_bob = delegate(
        &s,
        &pat,
        json!({"parent_person": "bob@corp.example", "child_agent": "planner", "scopes": ["tickets:read"]}),
    )
    .await;
    assert_error(&for_bob, 403, "forbidden");
    // planner passes Pat's scope on for Pat: she starts its chain.
    let onward = delegate(
        &s,
        ADMIN,
        json!({"parent_agent": "planner", "child_agent": "worker",
               "on_behalf_of": "pat@corp.example", "scopes": ["tickets:read"]}),
    )
    .await;
    assert_eq!(onward.0, 201, "{}", onward.1);
    // "For bob", who delegated nothing to planner: refused, and nothing written…
    let before = s.audit_len().await;
    let bob = json!({"parent_agent": "planner", "child_agent": "worker",
                     "on_behalf_of": "bob@corp.example", "scopes": ["tickets:read"]});
    let refused = delegate(&s, ADMIN, bob.clone()).await;
    assert_error(&refused, 403, "consent_required");
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bob@corp.example never delegated to planner")
    );
    assert_eq!(s.audit_len().await, before);
    // …unless an admin approves it, and the approval is in the audit chain.
    let mut approved = bob;
    approved["approval"] = json!("CHG-1234: Bob is on leave, approved by his manager");
    let ok = delegate(&s, ADMIN, approved).await;
    assert_eq!(ok.0, 201, "{}", ok.1);
    let audit = s.audit().await;
    let last = audit
        .iter()
        .rev()
        .find(|e| e["action"] == "delegation.add")
        .unwrap();
    assert_eq!(
        last["reason"],
        "approved by an admin for bob@corp.example: CHG-1234: Bob is on leave, approved by his manager"
    );
    let first = audit
        .iter()
        .find(|e| e["action"] == "delegation.add")
        .unwrap();
    assert_eq!(
        first["reason"],
        "consented by pat@corp.example with their own token"
    );
}

#[tokio::test]
async fn suspended_and_killed_agents_delegate_nothing() {
    let s = TestServer::start().await;
    for a in ["parent", "child", "dead"] {
        s.agent(a).await;
    }
    s.admin(
        "POST",
        "/v1/agents/parent/suspend",
        json!({"reason": "incident"}),
    )
    .await;
    let body =
        json!({"parent_agent": "parent", "child_agent": "child", "scopes": ["tickets:read"]});
    assert_error(
        &delegate(&s, ADMIN, body.clone()).await,
        409,
        "agent_suspended",
    );
    s.admin(
        "POST",
        "/v1/agents/parent/resume",
        json!({"reason": "cleared"}),
    )
    .await;
    assert_eq!(delegate(&s, ADMIN, body).await.0, 201);
    s.kill("dead", json!({"reason": "compromised"})).await;
    let from_dead =
        json!({"parent_agent": "dead", "child_agent": "child", "scopes": ["tickets:read"]});
    assert_error(&delegate(&s, ADMIN, from_dead).await, 409, "conflict");
}
