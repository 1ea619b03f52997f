//! `POST /v1/discoveries`: findings become unowned agents with origin
//! `discovered`, found again by key (a second report updates, never
//! duplicates; what a source stops reporting is marked gone), their
//! secrets credentials known only by fingerprint; the rules then judge
//! them (R01 unowned, R04 never expires, R07 a key another agent holds).
//! Only a discoverer or an admin may report, and a discoverer may do
//! nothing else.

use crate::support::rules::{
    assert_none, assert_resolved, evidence, live_agent, open_alert, report as report_events, server,
};
use crate::support::server::*;
use serde_json::{Value, json};

fn sha(secret: &str) -> String {
    warden::secrets::hash(secret)
}

fn finding(key: &str, name: &str, secrets: &[(&str, &str)]) -> Value {
    json!({
        "key": key,
        "kind": "mcp-server",
        "name": name,
        "client": "cursor",
        "scope": "user",
        "host": "laptop-7",
        "location": "/home/ada/.cursor/mcp.json",
        "transport": "stdio",
        "command": "npx",
        "args": ["-y", "@modelcontextprotocol/server-github"],
        "env": ["GITHUB_TOKEN"],
        "secrets": secrets.iter().map(|(kind, fp)| json!({"kind": kind, "field": "env.GITHUB_TOKEN", "fingerprint": fp})).collect::<Vec<_>>(),
        "flags": ["runs-command"],
    })
}

fn report(findings: Vec<Value>) -> Value {
    json!({"source": "laptop-7 home:/home/ada", "findings": findings})
}

async fn post(s: &TestServer, token: &str, body: Value) -> (u16, Value) {
    s.post("/v1/discoveries", token, body).await
}

async fn discovered(s: &TestServer) -> Vec<Value> {
    let page = s.get("/v1/agents?limit=5000").await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["labels"]["origin"] == "discovered")
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_second_report_updates_and_a_vanished_finding_is_marked_gone() {
    let s = TestServer::start().await;
    let token = s.token("discoverer").await;
    let two = report(vec![
        finding("k1", "github", &[("github", &sha("ghp_a"))]),
        finding("k2", "notes", &[]),
    ]);
    let (status, first) = post(&s, &token, two.clone()).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        (first["created"].as_u64(), first["unchanged"].as_u64()),
        (Some(2), Some(0))
    );
    let github = first["agents"][0].clone();
    assert_eq!(github["name"], "github (cursor@laptop-7)");
    assert_eq!(github["change"], "created");

    let (_, again) = post(&s, &token, two).await;
    assert_eq!(
        (again["created"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(2)),
        "{again}"
    );
    assert_eq!(again["agents"][0]["agent_id"], github["agent_id"]);
    assert_eq!(discovered(&s).await.len(), 2);

    // The GitHub key changed in the config; the notes server was removed.
    let (_, third) = post(
        &s,
        &token,
        report(vec![finding("k1", "github", &[("github", &sha("ghp_b"))])]),
    )
    .await;
    assert_eq!(
        (third["updated"].as_u64(), third["gone"].as_u64()),
        (Some(1), Some(1)),
        "{third}"
    );
    let agents = discovered(&s).await;
    assert_eq!(agents.len(), 2, "never duplicated");
    let notes = agents
        .iter()
        .find(|a| a["labels"]["discovery.key"] == "k2")
        .unwrap();
    assert_eq!(notes["labels"]["discovery.state"], "gone");
    let detail = s.detail(github["agent_id"].as_str().unwrap()).await;
    let creds = detail["credentials"].as_array().unwrap();
    let status_of =
        |prefix: &str| -> Vec<&Value> { creds.iter().filter(|c| c["status"] == prefix).collect() };
    assert_eq!(status_of("active").len(), 1, "{detail:#}");
    assert_eq!(status_of("revoked").len(), 1, "{detail:#}");

    // It comes back: present again, still one agent.
    let (_, back) = post(
        &s,
        &token,
        report(vec![
            finding("k1", "github", &[("github", &sha("ghp_b"))]),
            finding("k2", "notes", &[]),
        ]),
    )
    .await;
    assert_eq!(
        (back["updated"].as_u64(), back["unchanged"].as_u64()),
        (Some(1), Some(1)),
        "{back}"
    );
    let agents = discovered(&s).await;
    assert_eq!(agents.len(), 2);
    assert!(
        agents
            .iter()
            .all(|a| a["labels"]["discovery.state"] == "present")
    );
    // Another source's report never marks this one's findings gone.
    let (_, other) = post(&s, &token, json!({"source": "ci-job", "findings": []})).await;
    assert_eq!(other["gone"], 0);
}

#[tokio::test]
async fn discovered_agents_are_unowned_agents_the_rules_judge() {
    let s = server().await;
    // A registered agent whose Warden secret also sits in a config.
    let registered = s.agent("ops-bot").await;
    let (_, secret) = s.credential("ops-bot").await;
    let body = report(vec![finding("k1", "ops", &[("warden", &sha(&secret))])]);
    let (status, out) = post(&s, ADMIN, body).await;
    assert_eq!(status, 200, "{out}");
    let id = out["agents"][0]["agent_id"].as_str().unwrap().to_string();
    let agent = s.detail(&id).await;
    assert_eq!(agent["owner"], Value::Null, "{agent:#}");
    assert_eq!(agent["kind"], "mcp-server");
    assert_eq!(agent["labels"]["origin"], "discovered");
    assert_eq!(agent["labels"]["discovery.client"], "cursor");
    assert!(agent["description"].as_str().unwrap().contains(&format!(
        "warden in env.GITHUB_TOKEN (sha256:{}…)",
        &sha(&secret)[..16]
    )));
    s.sweep_at(chrono::Utc::now()).await;
    open_alert(&s, "R01", &id).await;
    open_alert(&s, "R04", &id).await;
    open_alert(&s, "R07", &id).await;
    open_alert(&s, "R07", txt(&registered, "id")).await;
    // The discovered credential never authenticates, whatever is presented.
    let (code, _) = s
        .heartbeat(&format!("discovered:{id}:{}", sha(&secret)))
        .await;
    assert_eq!(code, 401);
    // No reuse where the keys differ.
    let other = report(vec![finding("k9", "solo", &[("github", &sha("ghp_solo"))])]);
    let (_, out) = s
        .post(
            "/v1/discoveries",
            ADMIN,
            json!({"source": "elsewhere", "findings": other["findings"]}),
        )
        .await;
    let solo = out["agents"][0]["agent_id"].as_str().unwrap().to_string();
    s.sweep_at(chrono::Utc::now()).await;
    assert_none(&s, "R07", &solo).await;
}

#[tokio::test]
async fn only_a_discoverer_or_an_admin_reports_and_a_discoverer_reads_nothing() {
    let s = TestServer::start().await;
    let body = report(vec![finding("k1", "github", &[])]);
    for role in ["viewer", "responder"] {
        let token = s.token(role).await;
        let (status, err) = post(&s, &token, body.clone()).await;
        assert_eq!(status, 403, "{role}: {err}");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("discoverer or admin"),
            "{err}"
        );
    }
    let discoverer = s.token("discoverer").await;
    assert_eq!(post(&s, &discoverer, body).await.0, 200);
    let (status, _) = s.call("GET", "/v1/agents", Some(&discoverer), None).await;
    assert_eq!(status, 403);
    let (status, _) = s
        .call(
            "POST",
            "/v1/agents",
            Some(&discoverer),
            Some(json!({"name": "x", "kind": "chatbot", "environment": "dev"})),
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn bad_reports_are_refused_whole() {
    let s = TestServer::start().await;
    let cases = [
        (
            report(vec![finding("k1", "a", &[("github", "not-a-fingerprint")])]),
            "64 lowercase hex",
        ),
        (
            report(vec![finding("k1", "a", &[]), finding("k1", "b", &[])]),
            "twice",
        ),
        (json!({"source": " ", "findings": []}), "source"),
        (
            json!({"source": "x", "findings": [], "secret": "ghp_x"}),
            "unknown field",
        ),
    ];
    for (body, words) in cases {
        let (status, err) = post(&s, ADMIN, body).await;
        assert!(status == 422 || status == 400, "{status} {err}");
        assert!(
            err["error"]["message"].as_str().unwrap().contains(words),
            "{words}: {err}"
        );
    }
    assert!(discovered(&s).await.is_empty());
}

#[tokio::test]
async fn a_finding_named_like_a_shadow_agent_takes_its_name_and_r17_resolves() {
    let s = server().await;
    let (relay, secret) = live_agent(&s, "relay", "prod").await;
    let chain =
        json!({"action": "summarise", "target": "crm", "on_behalf_of": ["ghost-summarizer"]});
    report_events(&s, &secret, vec![chain]).await;
    let shadow = txt(&s.detail("ghost-summarizer").await, "id").to_string();
    assert!(
        evidence(&open_alert(&s, "R17", &shadow).await).contains(&relay),
        "the relay is named"
    );
    let alert = open_alert(&s, "R17", &shadow).await;
    let (status, out) = post(
        &s,
        ADMIN,
        report(vec![
            finding("k1", "ghost-summarizer", &[]),
            finding("k2", "other", &[]),
        ]),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["agents"][0]["name"], "ghost-summarizer", "{out}");
    assert_eq!(out["agents"][1]["name"], "other (cursor@laptop-7)");
    let ghost = s.detail("ghost-summarizer").await;
    assert_eq!(ghost["id"], shadow.as_str(), "the shadow entry, claimed");
    assert_eq!(ghost["labels"]["discovery.shadow"], "ghost-summarizer");
    assert_eq!(ghost["labels"]["origin"], "discovered");
    s.sweep_at(chrono::Utc::now()).await;
    assert_resolved(
        &s,
        txt(&alert, "id"),
        "is in the inventory now, as discovered agent ghost-summarizer",
    )
    .await;
}

/// A discovered secret's credential carries its fingerprint in the agent's
/// detail and the changes feed, so a dashboard lists it without reading
/// the description; a credential Warden issued carries none.
#[tokio::test]
async fn a_discovered_credential_carries_its_fingerprint_and_an_issued_one_none() {
    let s = TestServer::start().await;
    s.agent("ops-bot").await;
    s.credential("ops-bot").await;
    let fp = sha("ghp_fingerprinted");
    let (status, out) = post(
        &s,
        ADMIN,
        report(vec![finding("k1", "github", &[("github", &fp)])]),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    let id = out["agents"][0]["agent_id"].as_str().unwrap().to_string();
    let detail = s.detail(&id).await;
    let cred = &detail["credentials"][0];
    assert_eq!(cred["fingerprint"], fp.as_str(), "{detail:#}");
    assert_eq!(cred["prefix"], "github key");
    assert_eq!(cred["scopes"], json!(["discovered:env.GITHUB_TOKEN"]));

    let feed = s.get("/v1/changes?since=0").await;
    let creds = feed["credentials"].as_array().unwrap();
    let (found, issued): (Vec<&Value>, Vec<&Value>) =
        creds.iter().partition(|c| c["agent_id"] == id.as_str());
    assert_eq!(found.len(), 1, "{feed:#}");
    assert_eq!(found[0]["fingerprint"], fp.as_str());
    assert!(!issued.is_empty());
    for c in issued {
        assert!(c.get("fingerprint").is_none(), "{c}");
    }
    let doc = s.get("/v1/openapi.json").await;
    let field = &doc["components"]["schemas"]["Credential"]["properties"]["fingerprint"];
    assert!(
        field["description"].as_str().unwrap().contains("SHA-256"),
        "{field}"
    );
}
