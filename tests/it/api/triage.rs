//! `GET /v1/triage` over HTTP: which agents are in the queue and in what
//! order, the evidence behind each suggestion as the store gathers it
//! (creator, delegations, events in the window, manager, team), and who may
//! ask.

use crate::support::server::*;
use serde_json::{Value, json};
use warden::config::{RuleThresholds, ServeConfig};

/// A server whose periodic sweep is off, so alerts (and with them the
/// queue's order) change only when a test sweeps.
async fn server() -> TestServer {
    TestServer::start_with(ServeConfig {
        rules: RuleThresholds {
            sweep_interval_seconds: 0,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
}

/// (name, score, evidence kinds) of each suggestion of a case.
fn suggestions(case: &Value) -> Vec<(String, u64, Vec<String>)> {
    case["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .map(|s| {
            (
                txt(&s["person"], "name").to_string(),
                s["score"].as_u64().expect("score"),
                s["reasons"]
                    .as_array()
                    .expect("reasons")
                    .iter()
                    .map(|r| txt(r, "kind").to_string())
                    .collect(),
            )
        })
        .collect()
}

fn case<'a>(report: &'a Value, agent: &str) -> &'a Value {
    report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["agent"]["name"] == agent)
        .unwrap_or_else(|| panic!("{agent} is not in the queue: {report}"))
}

fn names(report: &Value) -> Vec<&str> {
    report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| txt(&c["agent"], "name"))
        .collect()
}

async fn person(s: &TestServer, name: &str, email: &str, team: &str, manager: Option<&str>) {
    s.admin(
        "POST",
        "/v1/people",
        json!({"name": name, "email": email, "team": team, "manager": manager}),
    )
    .await;
}

/// A fleet with one agent of each kind of case. `orphan-bot`: owned by Ann,
/// who leaves; registered by Cy's token; Dee delegates to it and it acts
/// for Dee; admin grant. `stray-bot`: registered with no owner by a token
/// with no person, labelled team=ops. `owned-bot` and a killed `dead-bot`
/// stay out of the queue.
async fn fleet(s: &TestServer) {
    person(s, "Max Manager", "max@corp.example", "leads", None).await;
    person(
        s,
        "Ann Owner",
        "ann@corp.example",
        "pay",
        Some("max@corp.example"),
    )
    .await;
    person(s, "Tia Mate", "tia@corp.example", "pay", None).await;
    person(s, "Cy Creator", "cy@corp.example", "platform", None).await;
    person(s, "Dee Delegator", "dee@corp.example", "support", None).await;
    person(s, "Olga Ops", "olga@corp.example", "ops", None).await;

    let cy = s.token_for("admin", "cy-laptop", "cy@corp.example").await;
    let (status, body) = s
        .post(
            "/v1/agents",
            &cy,
            json!({"name": "orphan-bot", "kind": "copilot", "environment": "prod",
                   "owner": "ann@corp.example"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    s.admin(
        "POST",
        "/v1/agents/orphan-bot/grants",
        json!({"resource": "billing", "scope": "billing:admin", "level": "admin"}),
    )
    .await;
    s.admin(
        "POST",
        "/v1/delegations",
        json!({"parent_person": "dee@corp.example", "child_agent": "orphan-bot",
               "on_behalf_of": "dee@corp.example", "scopes": ["tickets:read"]}),
    )
    .await;
    let (_, secret) = s.credential("orphan-bot").await;
    let now = chrono::Utc::now();
    let old = (now - chrono::Duration::days(45)).to_rfc3339();
    let event = |who: &str, time: Option<&str>| {
        json!({"action": "read", "target": "tickets.corp.example", "time": time,
               "on_behalf_of": [who, "orphan-bot"]})
    };
    let (status, body) = s
        .post(
            "/v1/agent/events",
            &secret,
            json!([
                event("dee@corp.example", None),
                event("per_unknown", None),
                event("DEE@corp.example", None),
                // Older than the window: Olga gets nothing from it.
                event("olga@corp.example", Some(&old)),
            ]),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    s.admin(
        "POST",
        "/v1/people/ann@corp.example/offboard",
        json!({"reason": "left the company"}),
    )
    .await;

    s.agent_with(
        json!({"name": "stray-bot", "kind": "chatbot", "environment": "dev",
                        "labels": {"team": "ops"}}),
    )
    .await;
    s.agent_with(
        json!({"name": "owned-bot", "kind": "chatbot", "environment": "prod",
                        "owner": "tia@corp.example"}),
    )
    .await;
    s.agent("dead-bot").await;
    s.kill("dead-bot", json!({"reason": "INC-7"})).await;
}

#[tokio::test]
async fn the_queue_holds_unowned_and_orphaned_agents_with_ranked_suggestions() {
    let s = server().await;
    fleet(&s).await;
    let report = s.get("/v1/triage").await;
    assert_eq!(report["activity_days"], 30);
    // The admin-level agent before the one with no grants; owned and killed
    // agents are not there.
    assert_eq!(names(&report), ["orphan-bot", "stray-bot"]);

    let orphan = case(&report, "orphan-bot");
    assert_eq!(orphan["reason"], "owner_departed");
    assert_eq!(orphan["departed_owner"]["email"], "ann@corp.example");
    assert_eq!(orphan["highest_level"], "admin");
    assert_eq!(orphan["since"], orphan["departed_owner"]["departed_at"]);
    let s4 = |n: &str, score: u64, kinds: &[&str]| {
        (
            n.to_string(),
            score,
            kinds.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        suggestions(orphan),
        [
            // The creator first: Dee's delegation is evidence from a
            // person, her two events in the window (under two spellings of
            // her email) only the agent's own claim: 30 + (2 + 2).
            s4("Cy Creator", 40, &["creator"]),
            s4("Dee Delegator", 34, &["delegation", "activity"]),
            s4("Max Manager", 25, &["manager"]),
            s4("Tia Mate", 10, &["team"]),
        ]
    );
    let dee = &orphan["suggestions"][1]["reasons"];
    assert_eq!(
        dee[1]["text"],
        "it says it acted for them 2 times in the last 30 days (the agent's own claim)"
    );
    assert_eq!(dee[1]["points"], 4);
    assert_eq!(
        orphan["suggestions"][2]["reasons"][0]["text"],
        "manager of Ann Owner, who left"
    );

    let stray = case(&report, "stray-bot");
    assert_eq!(stray["reason"], "unowned");
    assert!(stray["departed_owner"].is_null());
    assert!(stray["highest_level"].is_null());
    assert_eq!(stray["since"], stray["agent"]["created_at"]);
    // The bootstrap token has no person; the team label names Olga.
    assert_eq!(suggestions(stray), [s4("Olga Ops", 10, &["team"])]);
}

#[tokio::test]
async fn an_assigned_agent_leaves_the_queue_and_risk_is_reported() {
    let s = server().await;
    fleet(&s).await;
    let (status, body) = s
        .post(
            "/v1/agents/orphan-bot/owner",
            ADMIN,
            json!({"owner": "max@corp.example", "reason": "triage: manager takes it"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let report = s.get("/v1/triage").await;
    assert_eq!(names(&report), ["stray-bot"]);

    // With no alerts told apart, the admin grant comes first.
    s.agent_with(json!({"name": "admin-bot", "kind": "autonomous", "environment": "prod"}))
        .await;
    s.admin(
        "POST",
        "/v1/agents/admin-bot/grants",
        json!({"resource": "db", "scope": "db:admin", "level": "admin"}),
    )
    .await;
    let report = s.get("/v1/triage").await;
    assert_eq!(names(&report), ["admin-bot", "stray-bot"]);
    // A sweep past R01's grace period makes both unowned agents critical;
    // the risk is reported on each case.
    s.sweep_at(chrono::Utc::now() + chrono::Duration::days(30))
        .await;
    let report = s.get("/v1/triage").await;
    for c in report["cases"].as_array().unwrap() {
        assert_eq!(c["risk"], "critical", "{c}");
    }
    // Both critical now: the admin grant still comes first.
    assert_eq!(names(&report), ["admin-bot", "stray-bot"]);
    // A new admin-level agent with no alert yet comes after both: risk
    // before privilege.
    s.agent_with(json!({"name": "new-admin-bot", "kind": "autonomous", "environment": "prod"}))
        .await;
    s.admin(
        "POST",
        "/v1/agents/new-admin-bot/grants",
        json!({"resource": "db", "scope": "db:admin", "level": "admin"}),
    )
    .await;
    let report = s.get("/v1/triage").await;
    assert_eq!(names(&report), ["admin-bot", "stray-bot", "new-admin-bot"]);
    assert!(case(&report, "new-admin-bot")["risk"].is_null());
}

#[tokio::test]
async fn viewers_may_read_the_queue_and_nobody_else() {
    let s = server().await;
    s.agent("stray-bot").await;
    let viewer = s.token("viewer").await;
    let (status, body) = s.call("GET", "/v1/triage", Some(&viewer), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&body), ["stray-bot"]);

    assert_error(
        &s.call("GET", "/v1/triage", None, None).await,
        401,
        "unauthorized",
    );
    assert_error(
        &s.call("GET", "/v1/triage", Some(UNKNOWN_TOKEN), None).await,
        401,
        "unauthorized",
    );
    let (_, secret) = s.credential("stray-bot").await;
    assert_error(
        &s.call("GET", "/v1/triage", Some(&secret), None).await,
        403,
        "forbidden",
    );
}

#[tokio::test]
async fn an_empty_fleet_has_an_empty_queue() {
    let s = server().await;
    let report = s.get("/v1/triage").await;
    assert_eq!(report["cases"], json!([]));
    assert!(report["generated_at"].is_string());
}

#[tokio::test]
async fn an_agents_own_claims_do_not_make_an_owner_over_directory_evidence() {
    let s = server().await;
    person(&s, "Olga Ops", "olga@corp.example", "ops", None).await;
    person(&s, "Bob Claimed", "bob@corp.example", "sales", None).await;
    // Unowned, registered by a token with no person, labelled team=ops.
    s.agent_with(
        json!({"name": "chatty-bot", "kind": "chatbot", "environment": "prod",
                        "labels": {"team": "ops"}}),
    )
    .await;
    let (_, secret) = s.credential("chatty-bot").await;
    let events: Vec<Value> = (0..25)
        .map(|_| {
            json!({"action": "read", "target": "crm.corp.example",
                   "on_behalf_of": ["bob@corp.example"]})
        })
        .collect();
    let (status, body) = s.post("/v1/agent/events", &secret, json!(events)).await;
    assert_eq!(status, 200, "{body}");

    let report = s.get("/v1/triage").await;
    let chatty = case(&report, "chatty-bot");
    assert_eq!(
        suggestions(chatty),
        [
            ("Olga Ops".to_string(), 10, vec!["team".to_string()]),
            ("Bob Claimed".to_string(), 8, vec!["activity".to_string()]),
        ],
        "{chatty}"
    );
    let bob = &chatty["suggestions"][1]["reasons"][0]["text"];
    assert_eq!(
        bob,
        "it says it acted for them 25 times in the last 30 days (the agent's own claim)"
    );
    let olga = &chatty["suggestions"][0]["reasons"][0]["text"];
    assert_eq!(olga, "on the ops team, which the agent's label names");
}
