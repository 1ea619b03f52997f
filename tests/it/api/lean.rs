//! The lean form of the first sync (issue 18): agents with their counts
//! inside, labels as places in `label_sets`, times in milliseconds, nulls
//! left out, alerts without their evidence; `GET /v1/alerts/{id}` answers
//! the whole alert; Warden's client reads the form back into the summary
//! form's types, so the dashboard's copy is the same either way.

use crate::support::rules::eager_r18;
use crate::support::server::*;
use serde_json::{Value, json};
use warden::api::client::Client;
use warden::fleet::state::Fleet;

fn txt<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// An agent with two labels, two credentials and a grant; one with none
/// of them, suspended, with an alert.
async fn two_agents(s: &TestServer) -> (Value, Value) {
    s.person("Pat", "pat@corp.example").await;
    let bot = s
        .agent_with(
            json!({"name": "bot", "kind": "chatbot", "environment": "prod",
            "owner": "pat@corp.example", "labels": {"team": "pay", "cc": "7"}}),
        )
        .await;
    s.credential("bot").await;
    s.credential("bot").await;
    s.admin(
        "POST",
        "/v1/agents/bot/grants",
        json!({"resource": "crm", "scope": "tickets:write", "level": "write"}),
    )
    .await;
    let idle = s.agent("idle").await;
    // A suspended agent that still knocks: an alert, with its evidence.
    let (_, secret) = s.credential("idle").await;
    s.admin(
        "POST",
        "/v1/agents/idle/suspend",
        json!({"reason": "setup"}),
    )
    .await;
    assert_eq!(s.heartbeat(&secret).await.0, 403);
    let alerts = s.get("/v1/alerts").await;
    assert!(alerts.as_array().is_some_and(|a| !a.is_empty()), "{alerts}");
    (bot, idle)
}

#[tokio::test]
async fn the_lean_first_answer_carries_counts_inside_and_alerts_without_evidence() {
    let s = TestServer::start_with(eager_r18()).await;
    let (bot, idle) = two_agents(&s).await;

    let resp = reqwest::Client::new()
        .get(format!("{}/v1/changes?since=0&form=lean", s.url))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-warden-form"], "lean");
    let raw: Value = resp.json().await.unwrap();
    assert_eq!(
        (raw["form"].as_str(), raw["full"].as_bool()),
        (Some("lean"), Some(true))
    );
    for gone in ["credentials", "grants", "summaries", "removed", "summary"] {
        assert!(raw.get(gone).is_none(), "{gone} in {raw}");
    }
    let agents = raw["agents"].as_array().unwrap();
    let by_name = |n: &str| agents.iter().find(|a| a["name"] == n).unwrap().clone();
    let b = by_name("bot");
    assert_eq!(
        (b["credentials"].as_u64(), b["live_credentials"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        (b["grants"].as_u64(), b["highest_level"].as_str()),
        (Some(1), Some("write"))
    );
    assert_eq!(
        raw["label_sets"][b["labels"].as_u64().unwrap() as usize],
        json!({"cc": "7", "team": "pay"})
    );
    let created: chrono::DateTime<chrono::Utc> = txt(&bot, "created_at").parse().unwrap();
    assert_eq!(
        b["created_at"].as_i64(),
        Some(created.timestamp_millis()),
        "milliseconds"
    );
    assert!(
        b.get("updated_at").is_none(),
        "updated_at equal to created_at is left out: {b}"
    );
    let i = by_name("idle");
    for gone in [
        "owner",
        "labels",
        "grants",
        "highest_level",
        "description",
        "runtime",
    ] {
        assert!(i.get(gone).is_none(), "{gone} in {i}");
    }
    // The suspended agent's alert: what the list shows, not the evidence.
    let alert = raw["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent_id"] == idle["id"])
        .expect("an alert on the suspended agent")
        .clone();
    for gone in ["evidence", "mapping", "ack_reason", "source", "resolved_at"] {
        assert!(alert.get(gone).is_none(), "{gone} in {alert}");
    }
    assert!(
        alert["created_at"].is_i64() && alert["summary"].is_string(),
        "{alert}"
    );

    // The whole alert, when it is opened.
    let full = s.get(&format!("/v1/alerts/{}", txt(&alert, "id"))).await;
    assert!(!txt(&full, "evidence").is_empty(), "{full}");
    assert_eq!(full["rule"], alert["rule"]);
    let (status, body) = s
        .call("GET", "/v1/alerts/alr_nope", Some(ADMIN), None)
        .await;
    assert_error(&(status, body), 404, "not_found");
}

#[tokio::test]
async fn only_a_first_answer_is_lean() {
    let s = TestServer::start().await;
    s.agent("bot").await;
    let cursor = s.get("/v1/changes?since=0").await["cursor"]
        .as_i64()
        .unwrap();
    let answer = s
        .call(
            "GET",
            &format!("/v1/changes?since={cursor}&form=lean"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_error(&answer, 400, "bad_request");
    assert!(
        answer.1.to_string().contains("form=summary"),
        "{}",
        answer.1
    );
    let answer = s
        .call("GET", "/v1/changes?since=0&form=skinny", Some(ADMIN), None)
        .await;
    assert_error(&answer, 400, "bad_request");
    assert!(answer.1.to_string().contains("lean"), "{}", answer.1);
}

#[tokio::test]
async fn the_client_reads_the_lean_form_as_the_summary_form() {
    let s = TestServer::start_with(eager_r18()).await;
    let (bot, _) = two_agents(&s).await;
    let client = Client::new(&s.url, Some(ADMIN)).unwrap();
    let lean = client.changes_first().await.unwrap();
    let summary = client.changes_summary(0).await.unwrap();
    assert!(lean.full && lean.summary);
    assert_eq!(lean.cursor, summary.cursor);
    assert_eq!(lean.people, summary.people);
    assert_eq!(lean.delegations, summary.delegations);
    let mut a = lean.agents.clone();
    let mut b = summary.agents.clone();
    a.sort_by(|x, y| x.id.cmp(&y.id));
    b.sort_by(|x, y| x.id.cmp(&y.id));
    // To the millisecond: the lean form's times are whole milliseconds.
    let ms = |t: chrono::DateTime<chrono::Utc>| t.timestamp_millis();
    for (x, y) in a.iter_mut().zip(b.iter_mut()) {
        assert_eq!(ms(x.created_at), ms(y.created_at));
        assert_eq!(x.last_seen_at.map(ms), y.last_seen_at.map(ms));
        (x.created_at, x.updated_at, x.last_seen_at) = (y.created_at, y.updated_at, y.last_seen_at);
    }
    assert_eq!(a, b);
    let mut sa = lean.summaries.clone();
    let mut sb = summary.summaries.clone();
    for h in sa.iter_mut().chain(sb.iter_mut()) {
        h.next_expiry = h
            .next_expiry
            .map(|t| chrono::DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap());
    }
    assert_eq!(sa, sb);
    assert_eq!(lean.alerts.len(), summary.alerts.len());
    for (l, f) in lean.alerts.iter().zip(&summary.alerts) {
        assert_eq!(
            (&l.id, &l.rule, l.severity, l.status),
            (&f.id, &f.rule, f.severity, f.status)
        );
        assert_eq!(
            (&l.summary, &l.source, &l.agent_id),
            (&f.summary, &f.source, &f.agent_id)
        );
        assert!(l.evidence.is_empty() && !f.evidence.is_empty());
    }

    // The dashboard's copy counts the same from either.
    let (mut from_lean, mut from_summary) = (Fleet::new(), Fleet::new());
    from_lean.apply(lean);
    from_summary.apply(summary);
    let id = txt(&bot, "id");
    let at = |f: &Fleet| f.summary(f.position(id).unwrap());
    assert_eq!(at(&from_lean), at(&from_summary));
    assert_eq!(from_lean.counts(), from_summary.counts());
}

#[tokio::test]
async fn the_kept_lean_answer_is_gzipped_once_asked_and_the_same_json() {
    let s = TestServer::start_with(eager_r18()).await;
    two_agents(&s).await;
    // A client that does not decode, to see the bytes on the wire.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let get = |gzip: bool| {
        let mut req = raw
            .get(format!("{}/v1/changes?since=0&form=lean", s.url))
            .bearer_auth(ADMIN);
        if gzip {
            req = req.header(reqwest::header::ACCEPT_ENCODING, "gzip");
        }
        req.send()
    };
    let plain = get(false).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    for _ in 0..2 {
        let zipped = get(true).await.unwrap();
        assert_eq!(zipped.headers()["content-encoding"], "gzip");
        assert_eq!(zipped.headers()["x-warden-form"], "lean");
        let zipped = zipped.bytes().await.unwrap();
        let mut json = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut json)
            .unwrap();
        assert_eq!(json, plain, "the same answer, compressed");
    }
}
