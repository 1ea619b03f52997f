//! Snoozing a Warden alert: who and why, in the alert, the changes feed
//! and the audit chain; refused without a reason, for too long, for a
//! viewer or on a resolved alert; ended by its timer, by the sweep, at
//! once by an escalation, by a responder, and by resolution.

use crate::support::rules::eager_r18;
use crate::support::server::*;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A server where R18 opens on the first refusal, and a suspended agent
/// `stuck` with its open R18 (high); answers the alert's id and the
/// agent's secret.
async fn snoozable() -> (TestServer, String, String) {
    let s = TestServer::start_with(eager_r18()).await;
    s.agent("stuck").await;
    let (_, secret) = s.credential("stuck").await;
    s.admin(
        "POST",
        "/v1/agents/stuck/suspend",
        json!({"reason": "contain"}),
    )
    .await;
    assert_eq!(s.heartbeat(&secret).await.0, 403);
    let alerts = s.get("/v1/alerts").await;
    assert_eq!(alerts[0]["severity"], "high", "{alerts}");
    (s, txt(&alerts[0], "id").to_string(), secret)
}

async fn alert(s: &TestServer, id: &str) -> Value {
    s.get("/v1/alerts")
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no alert {id}"))
}

fn until(a: &Value) -> DateTime<Utc> {
    txt(a, "snoozed_until")
        .parse()
        .expect("snoozed_until is a time")
}

/// Not snoozed: the three fields absent.
#[track_caller]
fn assert_unsnoozed(a: &Value) {
    for field in ["snoozed_until", "snoozed_by", "snooze_reason"] {
        assert!(a.get(field).is_none(), "{field} is still set: {a}");
    }
}

async fn entries(s: &TestServer, action: &str) -> Vec<Value> {
    s.audit()
        .await
        .into_iter()
        .filter(|e| e["action"] == action)
        .collect()
}

#[tokio::test]
async fn a_responder_snoozes_with_a_reason_and_everyone_sees_who_and_why() {
    let (s, id, _) = snoozable().await;
    s.person("Pat", "pat@corp.example").await;
    let pat = s
        .token_for("responder", "pat-pager", "pat@corp.example")
        .await;
    let cursor = s.get("/v1/changes?since=0").await["cursor"].clone();
    let before = Utc::now();
    let (status, a) = s
        .post(
            &format!("/v1/alerts/{id}/snooze"),
            &pat,
            json!({"seconds": 600, "reason": "runtime team is draining it"}),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    let end = until(&a);
    assert!(
        end >= before + chrono::Duration::seconds(599)
            && end <= Utc::now() + chrono::Duration::seconds(601),
        "{a}"
    );
    assert_eq!(a["snoozed_by"], "pat@corp.example (token pat-pager)");
    assert_eq!(a["snooze_reason"], "runtime team is draining it");
    assert_eq!(a["status"], "open", "a snooze is not an acknowledgement");
    // The same in the list, the agent's detail and the changes feed.
    assert_eq!(alert(&s, &id).await, a);
    assert_eq!(s.detail("stuck").await["alerts"][0], a);
    let changes = s.get(&format!("/v1/changes?since={cursor}")).await;
    assert_eq!(changes["alerts"], json!([a]), "{changes}");
    // Audited with who and why.
    let audit = entries(&s, "alert.snooze").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor"], "pat@corp.example (token pat-pager)");
    assert_eq!(audit[0]["reason"], "runtime team is draining it");
    assert_eq!(audit[0]["target"], format!("{id} (R18)"));
    assert!(
        txt(&audit[0], "result").starts_with("until 20"),
        "{}",
        audit[0]
    );
    // Snoozing again replaces the snooze.
    let (status, again) = s
        .post(
            &format!("/v1/alerts/{id}/snooze"),
            ADMIN,
            json!({"seconds": 60, "reason": "shorter"}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert!(until(&again) < end);
    assert_eq!(again["snoozed_by"], "token:bootstrap-admin");
}

#[tokio::test]
async fn bad_snoozes_are_refused_and_change_nothing() {
    let (s, id, _) = snoozable().await;
    let path = format!("/v1/alerts/{id}/snooze");
    let viewer = s.token("viewer").await;
    let before = s.dump();
    let cases = [
        (ADMIN, json!({"seconds": 60, "reason": " "}), 422, "reason"),
        (ADMIN, json!({"seconds": 60}), 422, "reason"),
        (ADMIN, json!({"seconds": 0, "reason": "r"}), 422, "unsnooze"),
        (
            ADMIN,
            json!({"seconds": 604_801, "reason": "r"}),
            422,
            "7 days",
        ),
        (ADMIN, json!({"seconds": -5, "reason": "r"}), 422, "seconds"),
        (
            viewer.as_str(),
            json!({"seconds": 60, "reason": "r"}),
            403,
            "responder",
        ),
    ];
    for (token, body, status, says) in cases {
        let (got, answer) = s.post(&path, token, body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert!(
            txt(&answer["error"], "message").contains(says),
            "{body}: {answer}"
        );
    }
    let (status, _) = s
        .post(
            "/v1/alerts/alr_nope/snooze",
            ADMIN,
            json!({"seconds": 60, "reason": "r"}),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(s.dump(), before, "a refused snooze changed the database");

    // A resolved alert has nothing to snooze.
    s.admin("POST", "/v1/agents/stuck/resume", json!({"reason": "ok"}))
        .await;
    assert_eq!(alert(&s, &id).await["status"], "resolved");
    let answer = s
        .post(&path, ADMIN, json!({"seconds": 60, "reason": "r"}))
        .await;
    assert_error(&answer, 409, "conflict");
}

#[tokio::test]
async fn a_snooze_ends_by_itself_when_its_time_is_up() {
    let (s, id, _) = snoozable().await;
    let a = s
        .admin(
            "POST",
            &format!("/v1/alerts/{id}/snooze"),
            json!({"seconds": 1, "reason": "a moment"}),
        )
        .await;
    let end = until(&a);
    // No sweep runs here: the server's own timer ends it.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = alert(&s, &id).await;
        if now.get("snoozed_until").is_none() {
            assert_unsnoozed(&now);
            assert!(Utc::now() >= end, "ended early: {now}");
            break;
        }
        assert!(Instant::now() < deadline, "still snoozed: {now}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let audit = entries(&s, "alert.unsnooze").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["actor"], "warden:snooze");
    assert!(
        txt(&audit[0], "reason").starts_with("the snooze ended at "),
        "{}",
        audit[0]
    );
}

#[tokio::test]
async fn the_sweep_ends_snoozes_that_are_over() {
    let (s, id, _) = snoozable().await;
    s.admin(
        "POST",
        &format!("/v1/alerts/{id}/snooze"),
        json!({"seconds": 600, "reason": "later"}),
    )
    .await;
    s.sweep_at(Utc::now() + chrono::Duration::minutes(5)).await;
    assert!(alert(&s, &id).await.get("snoozed_until").is_some());
    s.sweep_at(Utc::now() + chrono::Duration::minutes(11)).await;
    assert_unsnoozed(&alert(&s, &id).await);
    assert_eq!(entries(&s, "alert.unsnooze").await.len(), 1);
}

#[tokio::test]
async fn an_escalation_ends_the_snooze_at_once_and_news_of_the_same_weight_does_not() {
    let (s, id, secret) = snoozable().await;
    s.admin(
        "POST",
        &format!("/v1/alerts/{id}/snooze"),
        json!({"seconds": 3600, "reason": "known"}),
    )
    .await;
    // Still trying, still suspended: the evidence moves, the snooze holds.
    s.heartbeat(&secret).await;
    let same = alert(&s, &id).await;
    assert!(txt(&same, "evidence").starts_with("2 refused"), "{same}");
    assert_eq!(same["snooze_reason"], "known");
    // Killed and still trying: critical, and the snooze is over.
    s.kill("stuck", json!({"reason": "enough"})).await;
    s.heartbeat(&secret).await;
    let worse = alert(&s, &id).await;
    assert_eq!(worse["severity"], "critical");
    assert_unsnoozed(&worse);
    let audit = entries(&s, "alert.unsnooze").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["actor"], "rule:R18");
    assert_eq!(audit[0]["reason"], "escalated: high -> critical");
}

#[tokio::test]
async fn a_responder_ends_a_snooze_and_a_resolution_clears_it() {
    let (s, id, _) = snoozable().await;
    let snooze = |seconds: u64| {
        let (s, id) = (&s, &id);
        async move {
            s.admin(
                "POST",
                &format!("/v1/alerts/{id}/snooze"),
                json!({"seconds": seconds, "reason": "wait"}),
            )
            .await
        }
    };
    snooze(600).await;
    let unsnoozed = s
        .admin(
            "POST",
            &format!("/v1/alerts/{id}/unsnooze"),
            json!({"reason": "it got worse"}),
        )
        .await;
    assert_unsnoozed(&unsnoozed);
    let audit = entries(&s, "alert.unsnooze").await;
    assert_eq!(audit[0]["actor"], "token:bootstrap-admin");
    assert_eq!(audit[0]["reason"], "it got worse");
    // Again: nothing to end, nothing audited.
    s.admin(
        "POST",
        &format!("/v1/alerts/{id}/unsnooze"),
        json!({"reason": "again"}),
    )
    .await;
    assert_eq!(entries(&s, "alert.unsnooze").await.len(), 1);

    snooze(600).await;
    s.admin("POST", "/v1/agents/stuck/resume", json!({"reason": "ok"}))
        .await;
    let resolved = alert(&s, &id).await;
    assert_eq!(resolved["status"], "resolved");
    assert_unsnoozed(&resolved);
}

/// The client library speaks it, and the model reads the fields back.
#[tokio::test]
async fn the_client_snoozes_and_reads_who_and_why() {
    let (s, id, _) = snoozable().await;
    let client = warden::api::client::Client::new(&s.url, Some(ADMIN)).unwrap();
    let a = client.snooze(&id, 120, "known").await.expect("snooze");
    let now = Utc::now();
    assert!(a.snoozed_at(now), "{a:?}");
    assert!(!a.snoozed_at(now + chrono::Duration::seconds(121)));
    assert_eq!(a.snoozed_by.as_deref(), Some("token:bootstrap-admin"));
    assert_eq!(a.snooze_reason.as_deref(), Some("known"));
    let listed = client.alerts().await.expect("alerts");
    assert_eq!(listed.iter().find(|l| l.id == id), Some(&a));
    let a = client.unsnooze(&id, "done").await.expect("unsnooze");
    assert_eq!(
        (a.snoozed_until, a.snoozed_by, a.snooze_reason),
        (None, None, None)
    );
    let refused = client.snooze(&id, 0, "r").await.unwrap_err();
    assert_eq!(refused.status(), Some(422), "{refused}");
}

/// A snooze that runs out while the server is down ends as it starts
/// again (not a minute later at the first sweep), and the stopped server's
/// timer does not touch the database after it stopped.
#[tokio::test]
async fn a_snooze_that_ran_out_while_the_server_was_down_ends_at_start() {
    let (s, id, _) = snoozable().await;
    s.admin(
        "POST",
        &format!("/v1/alerts/{id}/snooze"),
        json!({"seconds": 1, "reason": "a moment"}),
    )
    .await;
    let (dir, path) = s.stop().await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let still: Option<i64> = stopped_sql(&path)
        .query_row(
            "SELECT snoozed_until FROM alerts WHERE id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(still.is_some(), "a stopped server's timer ended the snooze");
    let s = TestServer::start_on(dir, path, eager_r18()).await;
    let deadline = Instant::now() + Duration::from_secs(2);
    while alert(&s, &id).await.get("snoozed_until").is_some() {
        assert!(Instant::now() < deadline, "the snooze outlived the restart");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let audit = entries(&s, "alert.unsnooze").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["actor"], "warden:snooze");
}
