//! R17 (shadow agents) against a real server: an identity registered
//! agents act for that nobody registered gets a shadow entry in the
//! inventory (unowned, no credentials, who reported it), the alert is on
//! that entry with the relay named, and the entry can be acted on: killed
//! (then anything done for it is refused and relays that keep naming it
//! are flagged), claimed by registering its name or giving it an owner
//! (keeping its id and history).

use crate::support::rules::*;
use crate::support::server::*;
use serde_json::{Value, json};
use warden::config::RuleThresholds;

fn for_(who: &[&str]) -> Value {
    json!({"action": "summarise", "target": "crm", "on_behalf_of": who})
}

async fn refused(s: &TestServer, secret: &str, batch: Vec<Value>) -> (u16, Value) {
    s.post("/v1/agent/events", secret, json!(batch)).await
}

#[tokio::test]
async fn r17_puts_the_shadow_in_the_inventory_and_alerts_on_it_naming_the_relay() {
    let s = server().await;
    let (relay, secret) = live_agent(&s, "relay", "prod").await;
    report(
        &s,
        &secret,
        vec![
            for_(&["pat@corp.example", "ghost-summarizer"]),
            for_(&["ghost-summarizer"]),
        ],
    )
    .await;
    let ghost = s.detail("ghost-summarizer").await;
    let ghost_id = txt(&ghost, "id").to_string();
    assert_eq!(ghost["labels"]["origin"], "shadow", "{ghost}");
    assert_eq!(ghost["labels"]["shadow.seen_by"], "relay");
    assert_eq!(ghost["owner"], Value::Null);
    assert_eq!(ghost["credentials"], json!([]));
    assert_eq!(ghost["created_by"], "warden:R17");
    assert!(
        txt(&ghost, "description").contains(&format!("relay ({relay})")),
        "{ghost}"
    );
    assert!(ghost["last_seen_at"].is_string(), "{ghost}");

    let a = open_alert(&s, "R17", &ghost_id).await;
    assert_eq!(a["severity"], "high");
    assert_eq!(a["mapping"], json!(["ASI10", "NHI3"]));
    assert_eq!(
        a["summary"],
        "Shadow agent: \"ghost-summarizer\" acts through \"relay\"; nobody registered it"
    );
    let e = evidence(&a);
    assert!(
        e.starts_with(&format!(
            "\"ghost-summarizer\" in the delegation chain of 2 events reported by \"relay\" ({relay}); \
             no registered agent has that id or name; kept in the inventory as shadow entry {ghost_id}"
        )),
        "{e}"
    );
    assert_none(&s, "R17", &relay).await;
    let audit = s.audit().await;
    assert!(
        audit.iter().any(|e| e["action"] == "agent.shadow"
            && e["actor"] == "warden:R17"
            && txt(e, "reason").contains("reported by relay")),
        "how it was seen and by whom is audited"
    );
}

#[tokio::test]
async fn r17_near_miss_registered_agents_and_people_in_the_chain() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "relay", "prod").await;
    let known = agent_in(&s, "known-planner", "prod").await;
    s.person("Pat", "pat@corp.example").await;
    let before = s.agent_count().await;
    report(
        &s,
        &secret,
        vec![
            for_(&["pat@corp.example", "known-planner"]),
            for_(&[&known]),
            for_(&["stranger@elsewhere.example"]),
        ],
    )
    .await;
    assert_none(&s, "R17", &id).await;
    assert!(alerts(&s, "R17").await.is_empty());
    assert_eq!(s.agent_count().await, before, "no shadow entry");
}

#[tokio::test]
async fn one_entry_and_one_alert_per_shadow_and_registering_its_name_claims_it() {
    let s = server().await;
    let (_, one_secret) = live_agent(&s, "relay-one", "prod").await;
    let (_, two_secret) = live_agent(&s, "relay-two", "prod").await;
    report(&s, &one_secret, vec![for_(&["phantom"])]).await;
    report(
        &s,
        &two_secret,
        vec![for_(&["phantom"]), for_(&["phantom"])],
    )
    .await;
    let shadow = s.detail("phantom").await;
    let id = txt(&shadow, "id").to_string();
    assert_eq!(shadow["labels"]["shadow.seen_by"], "relay-one, relay-two");
    let all = alerts(&s, "R17").await;
    let a = only(&all).clone();
    assert_eq!(a["agent_id"], id.as_str());
    assert!(
        evidence(&a).contains("2 events reported by \"relay-two\""),
        "brought up to date by the latest report: {a}"
    );

    // Registering the name claims the entry: same id, its alert kept.
    s.person("Pat", "pat@corp.example").await;
    let claimed = s
        .agent_with(json!({"name": "phantom", "kind": "copilot", "environment": "prod", "owner": "pat@corp.example"}))
        .await;
    assert_eq!(claimed["id"], id.as_str(), "{claimed}");
    assert_eq!(claimed["kind"], "copilot");
    assert_eq!(claimed["labels"]["origin"], "claimed");
    assert_eq!(claimed["labels"]["shadow.seen_by"], "relay-one, relay-two");
    assert!(s.audit().await.iter().any(|e| e["action"] == "agent.claim"));
    s.sweep_at(now()).await;
    let resolved = assert_resolved(
        &s,
        txt(&a, "id"),
        &format!("\"phantom\" is in the inventory now, as claimed agent phantom ({id})"),
    )
    .await;
    assert_eq!(resolved["agent_id"], id.as_str(), "the history stays on it");
    // Once claimed, naming it is ordinary delegation, not a shadow.
    report(&s, &one_secret, vec![for_(&["phantom"])]).await;
    assert_eq!(alerts(&s, "R17").await.len(), 1);
}

#[tokio::test]
async fn giving_a_shadow_an_owner_claims_it() {
    let s = server().await;
    let (_, secret) = live_agent(&s, "relay", "prod").await;
    report(&s, &secret, vec![for_(&["stray"])]).await;
    let id = txt(&s.detail("stray").await, "id").to_string();
    let a = open_alert(&s, "R17", &id).await;
    s.person("Pat", "pat@corp.example").await;
    s.admin(
        "POST",
        &format!("/v1/agents/{id}/owner"),
        json!({"owner": "pat@corp.example", "reason": "mine"}),
    )
    .await;
    assert_eq!(s.detail("stray").await["labels"]["origin"], "claimed");
    s.sweep_at(now()).await;
    assert_resolved(&s, txt(&a, "id"), "as claimed agent stray").await;
}

#[tokio::test]
async fn r17_resolves_when_the_shadow_is_not_seen_for_an_hour() {
    let s = server().await;
    let (_, secret) = live_agent(&s, "relay", "prod").await;
    report(&s, &secret, vec![for_(&["wisp"])]).await;
    let id = txt(&s.detail("wisp").await, "id").to_string();
    let a = open_alert(&s, "R17", &id).await;
    s.sweep_at(now() + mins(61)).await;
    assert_resolved(&s, txt(&a, "id"), "no event named \"wisp\" for 60 min").await;
}

#[tokio::test]
async fn a_name_that_cannot_be_an_entry_keeps_the_alert_on_the_relay() {
    let s = server().await;
    let (relay, secret) = live_agent(&s, "relay", "prod").await;
    // Reads as an id: never a name, so no entry can hold it.
    report(&s, &secret, vec![for_(&["agt_0000deadbeef"])]).await;
    let a = open_alert(&s, "R17", &relay).await;
    assert!(
        evidence(&a).contains("it cannot be kept in the inventory under that name"),
        "{a}"
    );
}

#[tokio::test]
async fn killing_a_shadow_refuses_anything_done_for_it_and_flags_relays_that_keep_trying() {
    let s = server_with(RuleThresholds {
        refused_grace_seconds: 0,
        refused_attempts: 2,
        ..thresholds()
    })
    .await;
    let (relay, secret) = live_agent(&s, "relay", "prod").await;
    let (bystander, other_secret) = live_agent(&s, "bystander", "prod").await;
    report(&s, &secret, vec![for_(&["ghost"])]).await;
    let ghost = txt(&s.detail("ghost").await, "id").to_string();
    let shadow_alert = open_alert(&s, "R17", &ghost).await;

    let op = s.kill(&ghost, json!({"reason": "INC-15 shadow"})).await;
    assert_eq!(op["status"], "succeeded", "nothing to revoke: {op}");
    assert_eq!(s.detail("ghost").await["status"], "killed");

    // A batch acting for it is refused whole, by name or by id.
    let events_before = s.get(&format!("/v1/agents/{relay}")).await["last_seen_at"].clone();
    let answer = refused(
        &s,
        &secret,
        vec![ev("crm"), for_(&["pat@corp.example", "ghost"])],
    )
    .await;
    assert_error(&answer, 403, "chain_refused");
    assert!(
        txt(&answer.1["error"], "message")
            .starts_with("event 1: on_behalf_of names killed agent \"ghost\""),
        "{answer:?}"
    );
    assert_none(&s, "R17", &relay).await;
    assert_error(
        &refused(&s, &secret, vec![for_(&[&ghost])]).await,
        403,
        "chain_refused",
    );
    // At the second refusal (the configured count) the relay is flagged.
    let flag = open_alert(&s, "R17", &relay).await;
    assert_eq!(flag["severity"], "critical");
    assert_eq!(
        flag["summary"],
        "Shadow agent: \"relay\" keeps acting for killed \"ghost\""
    );
    assert!(
        evidence(&flag).starts_with("2 refused batches since"),
        "{flag}"
    );
    assert_eq!(
        s.get(&format!("/v1/agents/{relay}")).await["last_seen_at"],
        events_before,
        "nothing of a refused batch is stored"
    );
    // Others are not affected; delegating to it is refused.
    report(&s, &other_secret, vec![ev("crm")]).await;
    assert_none(&s, "R17", &bystander).await;
    let (status, body) = s
        .post(
            "/v1/delegations",
            ADMIN,
            json!({"parent_agent": "relay", "child_agent": "ghost", "scopes": ["crm:read"]}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    // Registering a killed shadow's name does not bring it back.
    let (status, body) = s
        .post(
            "/v1/agents",
            ADMIN,
            json!({"name": "ghost", "kind": "copilot", "environment": "prod"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");

    s.sweep_at(now()).await;
    assert_resolved(
        &s,
        txt(&shadow_alert, "id"),
        &format!("\"ghost\" was killed ({ghost}); anything done for it is refused"),
    )
    .await;
    s.sweep_at(now() + mins(61)).await;
    assert_resolved(
        &s,
        txt(&flag, "id"),
        "no batch acting for \"ghost\" refused for 60 min",
    )
    .await;
}

#[tokio::test]
async fn a_refused_relay_is_not_flagged_within_the_grace() {
    // The defaults: 60 s of grace after the kill, then 3 refusals.
    let s = server().await;
    let (relay, secret) = live_agent(&s, "relay", "prod").await;
    report(&s, &secret, vec![for_(&["ghost"])]).await;
    s.kill("ghost", json!({"reason": "contain"})).await;
    for _ in 0..5 {
        assert_error(
            &refused(&s, &secret, vec![for_(&["ghost"])]).await,
            403,
            "chain_refused",
        );
    }
    assert_none(&s, "R17", &relay).await;
}
