//! R06 (excess privilege), R13 (new integration: new grants, MCP servers
//! registered or called off the allow list) and R14 (delegation
//! escalation: recorded delegations, and chains agents report) against a
//! real server.

use crate::support::rules::*;
use crate::support::server::*;
use serde_json::{Value, json};

async fn grant(s: &TestServer, agent: &str, scope: &str, level: &str) -> Value {
    s.admin(
        "POST",
        &format!("/v1/agents/{agent}/grants"),
        json!({"resource": "crm", "scope": scope, "level": level}),
    )
    .await
}

async fn delegate(s: &TestServer, body: Value) {
    s.admin("POST", "/v1/delegations", body).await;
}

fn scoped(target: &str, scope: &str, chain: &[&str]) -> Value {
    json!({"action": "call", "target": target, "scope": scope, "on_behalf_of": chain})
}

#[tokio::test]
async fn r06_fires_for_a_write_grant_unused_for_30_days() {
    let s = server().await;
    let id = agent_in(&s, "hoarder", "prod").await;
    grant(&s, "hoarder", "tickets:write", "write").await;
    grant(&s, "hoarder", "tickets:admin", "admin").await;
    s.sweep_at(now() + days(31)).await;
    let a = open_alert(&s, "R06", &id).await;
    assert_eq!(a["severity"], "high");
    assert_eq!(a["mapping"], json!(["NHI5", "ASI03"]));
    let e = evidence(&a);
    assert!(
        e.starts_with("write grant tickets:write on crm never used since granted on "),
        "{e}"
    );
    assert!(
        e.contains("; admin grant tickets:admin on crm never used"),
        "{e}"
    );
    assert!(e.ends_with("(over 30 days)"), "{e}");
}

#[tokio::test]
async fn r06_near_miss_a_read_grant_or_29_days() {
    let s = server().await;
    let reader = agent_in(&s, "reader", "prod").await;
    grant(&s, "reader", "tickets:read", "read").await;
    let writer = agent_in(&s, "writer", "prod").await;
    grant(&s, "writer", "tickets:write", "write").await;
    s.sweep_at(now() + days(29)).await;
    assert_none(&s, "R06", &writer).await;
    s.sweep_at(now() + days(60)).await;
    assert_none(&s, "R06", &reader).await;
}

#[tokio::test]
async fn r06_resolves_when_the_grant_is_used() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "lapsed", "prod").await;
    grant(&s, "lapsed", "tickets:write", "write").await;
    s.sql()
        .execute(
            "UPDATE grants SET granted_at = ?1 WHERE agent_id = ?2",
            params![ms(now() - days(45)), id],
        )
        .unwrap();
    s.sweep_at(now()).await;
    let a = open_alert(&s, "R06", &id).await;
    report(
        &s,
        &secret,
        vec![json!({"action": "update", "target": "crm", "scope": "tickets:write"})],
    )
    .await;
    s.sweep_at(now()).await;
    assert_resolved(
        &s,
        txt(&a, "id"),
        "every write or admin grant was used in the last 30 days",
    )
    .await;
}

#[tokio::test]
async fn r13_fires_for_a_new_grant_and_resolves_once_it_is_old() {
    let s = server().await;
    let id = agent_in(&s, "growing", "prod").await;
    let g = grant(&s, "growing", "repo:write", "write").await;
    let t0 = now();
    s.sweep_at(t0).await;
    let a = open_alert(&s, "R13", &id).await;
    assert_eq!(a["severity"], "high");
    assert_eq!(a["mapping"], json!(["ASI04", "NHI3"]));
    assert!(
        evidence(&a).starts_with("new write grant repo:write on crm at "),
        "{a}"
    );
    assert!(g["id"].is_string());
    s.sweep_at(t0 + mins(25 * 60)).await;
    assert_resolved(
        &s,
        txt(&a, "id"),
        "its grants are older than 24 h and part of its baseline now",
    )
    .await;
}

#[tokio::test]
async fn r13_near_miss_a_grant_older_than_a_day() {
    let s = server().await;
    let id = agent_in(&s, "settled", "prod").await;
    grant(&s, "settled", "repo:read", "read").await;
    s.sweep_at(now() + mins(25 * 60)).await;
    assert_none(&s, "R13", &id).await;
}

#[tokio::test]
async fn r13_fires_for_a_registered_mcp_server_off_the_allow_list_and_resolves_on_kill() {
    let s = server_with(warden::config::RuleThresholds {
        mcp_allow_list: vec!["github-mcp".into()],
        ..thresholds()
    })
    .await;
    let vetted = s
        .agent_with(json!({"name": "github-mcp", "kind": "mcp-server", "environment": "prod"}))
        .await;
    let shady = s
        .agent_with(json!({"name": "shady-mcp", "kind": "mcp-server", "environment": "prod"}))
        .await;
    s.sweep_at(now() + days(2)).await;
    assert_none(&s, "R13", txt(&vetted, "id")).await;
    let a = open_alert(&s, "R13", txt(&shady, "id")).await;
    assert_eq!(
        evidence(&a),
        "registered MCP server shady-mcp is not on the allow list (github-mcp)"
    );
    s.kill("shady-mcp", json!({"reason": "not vetted"})).await;
    s.sweep_at(now() + days(2)).await;
    assert_resolved(&s, txt(&a, "id"), "agent shady-mcp was killed").await;
}

#[tokio::test]
async fn r13_fires_when_an_agent_calls_an_mcp_server_off_the_allow_list() {
    let s = server_with(warden::config::RuleThresholds {
        mcp_allow_list: vec!["github".into()],
        ..thresholds()
    })
    .await;
    let (id, secret) = live_agent(&s, "tinkerer", "prod").await;
    // Near miss: the vetted server.
    report(&s, &secret, vec![ev("mcp://github/create_issue")]).await;
    assert_none(&s, "R13", &id).await;
    report(
        &s,
        &secret,
        vec![ev("mcp://pastebin-mcp/upload"), ev("MCP:pastebin-mcp")],
    )
    .await;
    let a = open_alert(&s, "R13", &id).await;
    let e = evidence(&a);
    assert!(
        e.starts_with("called MCP server pastebin-mcp (2 calls) not on the allow list (github)"),
        "{e}"
    );
    s.sweep_at(now() + mins(30)).await;
    open_alert(&s, "R13", &id).await;
    s.sweep_at(now() + mins(61)).await;
    assert_resolved(
        &s,
        txt(&a, "id"),
        "no call to an MCP server off the allow list for 60 min",
    )
    .await;
}

#[tokio::test]
async fn r13_mcp_calls_are_not_judged_without_an_allow_list() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "free", "prod").await;
    report(&s, &secret, vec![ev("mcp://anything/at-all")]).await;
    assert_none(&s, "R13", &id).await;
}

async fn pat_delegates_read(s: &TestServer) {
    s.person("Pat", "pat@corp.example").await;
    delegate(
        s,
        json!({"parent_person": "pat@corp.example", "child_agent": "helper", "scopes": ["tickets:read"]}),
    )
    .await;
}

#[tokio::test]
async fn r14_fires_when_a_chain_uses_a_scope_its_person_never_delegated() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "helper", "prod").await;
    pat_delegates_read(&s).await;
    report(
        &s,
        &secret,
        vec![
            scoped("crm", "tickets:write", &["pat@corp.example"]),
            scoped("crm", "tickets:write", &["pat@corp.example"]),
        ],
    )
    .await;
    let a = open_alert(&s, "R14", &id).await;
    assert_eq!(a["severity"], "high");
    assert_eq!(a["mapping"], json!(["ASI03"]));
    assert_eq!(
        evidence(&a),
        "scope tickets:write used for pat@corp.example (2 events), who delegated only tickets:read"
    );
}

#[tokio::test]
async fn r14_near_miss_a_delegated_scope_and_a_chain_at_the_limit() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "helper", "prod").await;
    pat_delegates_read(&s).await;
    for name in ["hop-1", "hop-2", "hop-3"] {
        agent_in(&s, name, "prod").await;
    }
    report(
        &s,
        &secret,
        vec![
            scoped("crm", "tickets:read", &["pat@corp.example"]),
            // Three agents and the reporter: four, the limit.
            scoped(
                "crm",
                "tickets:read",
                &["pat@corp.example", "hop-1", "hop-2", "hop-3"],
            ),
            // Acting for itself: no chain to judge.
            ev("crm"),
        ],
    )
    .await;
    assert_none(&s, "R14", &id).await;
}

#[tokio::test]
async fn r14_fires_for_a_chain_deeper_than_the_limit_and_resolves_when_quiet() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "helper", "prod").await;
    pat_delegates_read(&s).await;
    for name in ["hop-1", "hop-2", "hop-3", "hop-4"] {
        agent_in(&s, name, "prod").await;
    }
    report(
        &s,
        &secret,
        vec![scoped(
            "crm",
            "tickets:read",
            &["pat@corp.example", "hop-1", "hop-2", "hop-3", "hop-4"],
        )],
    )
    .await;
    let a = open_alert(&s, "R14", &id).await;
    assert!(
        evidence(&a).starts_with(
            "chain of 5 agents (limit 4): \"pat@corp.example\" → \"hop-1\" → \"hop-2\" → \"hop-3\" → \"hop-4\" → helper"
        ),
        "{a}"
    );
    s.sweep_at(now() + mins(61)).await;
    assert_resolved(
        &s,
        txt(&a, "id"),
        "no event beyond the delegated scopes or the chain limit for 60 min",
    )
    .await;
}

#[tokio::test]
async fn r14_fires_for_a_recorded_delegation_beyond_the_persons_scopes() {
    let s = server().await;
    s.person("Pat", "pat@corp.example").await;
    agent_in(&s, "planner", "prod").await;
    let executor = agent_in(&s, "executor", "prod").await;
    let modest = agent_in(&s, "modest", "prod").await;
    agent_in(&s, "pats-bot", "prod").await;
    delegate(
        &s,
        json!({"parent_person": "pat@corp.example", "child_agent": "pats-bot", "scopes": ["repo:read"]}),
    )
    .await;
    delegate(
        &s,
        json!({"parent_agent": "planner", "child_agent": "executor", "on_behalf_of": "pat@corp.example", "scopes": ["repo:admin"], "approval": "test: an approved escalation the sweep must still flag"}),
    )
    .await;
    // Near miss: a scope Pat did delegate.
    delegate(
        &s,
        json!({"parent_agent": "planner", "child_agent": "modest", "on_behalf_of": "pat@corp.example", "scopes": ["repo:read"], "approval": "test: an approved escalation the sweep must still flag"}),
    )
    .await;
    s.sweep_at(now()).await;
    assert_none(&s, "R14", &modest).await;
    let a = open_alert(&s, "R14", &executor).await;
    let e = evidence(&a);
    assert!(e.starts_with("delegation dlg_"), "{e}");
    assert!(
        e.ends_with(" from planner passes repo:admin for pat@corp.example, who never delegated it"),
        "{e}"
    );

    // Pat grants it after all: the chain holds.
    delegate(
        &s,
        json!({"parent_person": "pat@corp.example", "child_agent": "pats-bot", "scopes": ["repo:admin"]}),
    )
    .await;
    s.sweep_at(now()).await;
    assert_resolved(
        &s,
        txt(&a, "id"),
        "every delegation it holds is within its person's scopes",
    )
    .await;
}

#[tokio::test]
async fn r14_fires_for_a_recorded_chain_deeper_than_the_limit() {
    let s = server().await;
    s.person("Pat", "pat@corp.example").await;
    let mut ids = Vec::new();
    for i in 1..=5 {
        ids.push(agent_in(&s, &format!("link-{i}"), "prod").await);
    }
    delegate(
        &s,
        json!({"parent_person": "pat@corp.example", "child_agent": "link-1", "scopes": ["x"]}),
    )
    .await;
    for i in 1..=3 {
        delegate(
            &s,
            json!({"parent_agent": format!("link-{i}"), "child_agent": format!("link-{}", i + 1), "scopes": ["x"]}),
        )
        .await;
    }
    s.sweep_at(now()).await;
    // Four deep is the limit: the near miss.
    for id in &ids {
        assert_none(&s, "R14", id).await;
    }
    delegate(
        &s,
        json!({"parent_agent": "link-4", "child_agent": "link-5", "scopes": ["x"]}),
    )
    .await;
    s.sweep_at(now()).await;
    let a = open_alert(&s, "R14", &ids[4]).await;
    assert_eq!(
        evidence(&a),
        "it sits at the end of a delegation chain of 5 agents (limit 4)"
    );
    for id in &ids[..4] {
        assert_none(&s, "R14", id).await;
    }
    s.kill("link-5", json!({"reason": "too deep"})).await;
    s.sweep_at(now()).await;
    assert_resolved(&s, txt(&a, "id"), "agent link-5 was killed").await;
}
