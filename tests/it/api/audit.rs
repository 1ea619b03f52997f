//! The audit chain against a real server: every action appends an entry
//! with its actor and reason, `after=N` pages, `tail=N` answers the newest,
//! `agent=` and `target=` answer one agent's or one id's trail, the chain
//! is hash-linked so
//! that anyone can recompute it, and tampering with the database file
//! (an edited, deleted or re-hashed row) is found by `/v1/audit/verify`.

use crate::support::rules::eager_r18;
use crate::support::server::*;
use serde_json::{Value, json};
use warden::config::ServeConfig;

/// A server with a few dozen audit entries.
async fn busy() -> TestServer {
    let s = TestServer::start().await;
    s.person("Pat", "pat@corp.example").await;
    for i in 0..4 {
        let name = format!("bot-{i}");
        s.agent(&name).await;
        s.credential(&name).await;
        s.admin(
            "POST",
            &format!("/v1/agents/{name}/suspend"),
            json!({"reason": format!("check {i}")}),
        )
        .await;
    }
    s
}

fn seqs(entries: &[Value]) -> Vec<i64> {
    entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn after_n_answers_the_entries_after_n() {
    let s = busy().await;
    let all = s.audit().await;
    let n = all.len() as i64;
    assert!(n >= 10);
    assert_eq!(
        seqs(&all),
        (1..=n).collect::<Vec<_>>(),
        "seq starts at 1 with no gaps"
    );
    let tail = s.get("/v1/audit?after=5").await;
    let tail = tail.as_array().unwrap();
    assert_eq!(seqs(tail), (6..=n).collect::<Vec<_>>());
    assert_eq!(tail[0], all[5]);
    assert_eq!(s.get(&format!("/v1/audit?after={n}")).await, json!([]));
    let page = s.get("/v1/audit?after=2&limit=3").await;
    assert_eq!(seqs(page.as_array().unwrap()), [3, 4, 5]);
    // A viewer reads it too.
    let viewer = s.token("viewer").await;
    let (status, v) = s
        .call("GET", "/v1/audit?after=0", Some(&viewer), None)
        .await;
    assert_eq!(status, 200);
    assert!(
        v.as_array().unwrap().len() as i64 > n,
        "the token creation is audited too"
    );
}

#[tokio::test]
async fn tail_n_answers_the_newest_entries_oldest_first() {
    let s = busy().await;
    let n = s.audit_len().await as i64;
    let tail = s.get("/v1/audit?tail=3").await;
    assert_eq!(seqs(tail.as_array().unwrap()), [n - 2, n - 1, n]);
    // `after` still bounds it from below.
    let tail = s.get(&format!("/v1/audit?after={}&tail=100", n - 2)).await;
    assert_eq!(seqs(tail.as_array().unwrap()), [n - 1, n]);
    for bad in ["tail=0", "tail=10001", "limit=2&tail=2"] {
        let (status, v) = s
            .call("GET", &format!("/v1/audit?{bad}"), Some(ADMIN), None)
            .await;
        assert_eq!(status, 400, "{bad}: {v}");
        assert_eq!(v["error"]["code"], "bad_request", "{v}");
    }
}

#[tokio::test]
async fn agent_answers_that_agents_trail_and_its_credentials() {
    let s = TestServer::start().await;
    let a = s.agent("planner").await;
    let b = s.agent("executor").await;
    let (cred_a, _) = s.credential("planner").await;
    let (cred_b, _) = s.credential("executor").await;
    s.admin(
        "POST",
        "/v1/delegations",
        json!({"parent_agent": "planner", "child_agent": "executor", "scopes": ["tickets:read"]}),
    )
    .await;
    s.admin(
        "POST",
        "/v1/agents/executor/suspend",
        json!({"reason": "only executor"}),
    )
    .await;
    s.admin(
        "POST",
        &format!("/v1/credentials/{cred_a}/revoke"),
        json!({"reason": "planner's key leaked"}),
    )
    .await;
    let actions = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| txt(e, "action").to_string())
            .collect()
    };

    let trail = s.get("/v1/audit?agent=planner").await;
    assert_eq!(
        actions(&trail),
        [
            "agent.register",
            "credential.issue",
            "delegation.add",
            "credential.revoke"
        ],
        "{trail}"
    );
    let entries = trail.as_array().unwrap();
    assert!(entries.iter().all(|e| !txt(e, "target").contains(&cred_b)));
    assert!(seqs(entries).windows(2).all(|w| w[0] < w[1]), "seq order");
    // By id the same; the child's trail has the delegation too.
    assert_eq!(
        s.get(&format!("/v1/audit?agent={}", txt(&a, "id"))).await,
        trail
    );
    let child = s.get(&format!("/v1/audit?agent={}", txt(&b, "id"))).await;
    assert_eq!(
        actions(&child),
        [
            "agent.register",
            "credential.issue",
            "delegation.add",
            "agent.suspend"
        ],
        "{child}"
    );
    // The newest two of the trail, and `after` past them: nothing.
    let last = s.get("/v1/audit?agent=planner&tail=2").await;
    assert_eq!(actions(&last), ["delegation.add", "credential.revoke"]);
    let after = seqs(entries).last().copied().unwrap();
    assert_eq!(
        s.get(&format!("/v1/audit?agent=planner&after={after}"))
            .await,
        json!([])
    );
    // One credential's entries: its issue and its revocation.
    let one = s.get(&format!("/v1/audit?target={cred_a}")).await;
    assert_eq!(actions(&one), ["credential.issue", "credential.revoke"]);
    // A viewer may read a trail; an unknown agent is a 404.
    let viewer = s.token("viewer").await;
    let (status, v) = s
        .call("GET", "/v1/audit?agent=planner", Some(&viewer), None)
        .await;
    assert_eq!((status, v), (200, trail));
    let (status, v) = s
        .call("GET", "/v1/audit?agent=nobody", Some(ADMIN), None)
        .await;
    assert_eq!(status, 404, "{v}");
}

#[tokio::test]
async fn an_agents_trail_matches_its_id_never_a_name_that_reads_as_it() {
    let s = TestServer::start().await;
    let real = s.agent("payments-bot").await;
    let id = txt(&real, "id").to_string();
    let other = s.agent("lookalike").await;
    // Such a name is refused now; one from before is written in directly.
    s.sql()
        .execute(
            "UPDATE agents SET name = ?1 WHERE id = ?2",
            [id.as_str(), txt(&other, "id")],
        )
        .unwrap();
    s.admin(
        "POST",
        &format!("/v1/agents/{}/suspend", txt(&other, "id")),
        json!({"reason": "the look-alike"}),
    )
    .await;
    s.admin(
        "POST",
        &format!("/v1/agents/{id}/suspend"),
        json!({"reason": "the real one"}),
    )
    .await;
    let trail = s.get(&format!("/v1/audit?agent={id}")).await;
    let entries = trail.as_array().unwrap();
    let reasons: Vec<&str> = entries
        .iter()
        .filter(|e| txt(e, "action") == "agent.suspend")
        .map(|e| txt(e, "reason"))
        .collect();
    assert_eq!(reasons, ["the real one"], "{trail}");
    assert!(
        entries
            .iter()
            .all(|e| !txt(e, "target").contains(txt(&other, "id"))),
        "{trail}"
    );
}

/// The entry's hash as the chain defines it, recomputed here.
fn recompute(e: &Value) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(txt(e, "at"))
        .unwrap()
        .timestamp_millis();
    let canonical = json!({
        "seq": e["seq"], "at_ms": at, "actor": e["actor"], "action": e["action"],
        "target": e["target"], "reason": e["reason"], "result": e["result"], "prev_hash": e["prev_hash"],
    });
    // serde_json keeps the keys sorted; the chain uses its own field order.
    let ordered = format!(
        "{{\"seq\":{},\"at_ms\":{},\"actor\":{},\"action\":{},\"target\":{},\"reason\":{},\"result\":{},\"prev_hash\":{}}}",
        canonical["seq"],
        canonical["at_ms"],
        canonical["actor"],
        canonical["action"],
        canonical["target"],
        canonical["reason"],
        canonical["result"],
        canonical["prev_hash"]
    );
    sha256_hex(&ordered)
}

#[tokio::test]
async fn the_chain_links_and_can_be_recomputed_by_anyone() {
    let s = busy().await;
    let all = s.audit().await;
    let mut prev = "0".repeat(64);
    for e in &all {
        assert_eq!(
            txt(e, "prev_hash"),
            prev,
            "entry {} does not link",
            e["seq"]
        );
        assert_eq!(txt(e, "hash"), recompute(e), "entry {} hash", e["seq"]);
        prev = txt(e, "hash").to_string();
    }
    let v = s.verify().await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["entries"], json!(all.len()));
    assert!(v["first_bad"].is_null());
}

async fn tamper(s: &TestServer, sql: &str) {
    let n = s.sql().execute(sql, []).unwrap();
    assert_eq!(n, 1, "{sql} touched {n} rows");
}

#[track_caller]
fn assert_bad(v: &Value, first_bad: i64) {
    assert_eq!(v["ok"], false, "tampering not found: {v}");
    assert_eq!(v["first_bad"], json!(first_bad), "{v}");
    assert!(
        v["problem"]
            .as_str()
            .is_some_and(|p| p.contains(&first_bad.to_string())),
        "{v}"
    );
}

#[tokio::test]
async fn an_edited_reason_is_found_while_the_server_runs() {
    let s = busy().await;
    let target = s
        .audit()
        .await
        .into_iter()
        .find(|e| e["action"] == "agent.suspend")
        .unwrap();
    let seq = target["seq"].as_i64().unwrap();
    tamper(
        &s,
        &format!("UPDATE audit SET reason = 'nothing to see' WHERE seq = {seq}"),
    )
    .await;
    assert_bad(&s.verify().await, seq);
}

#[tokio::test]
async fn an_edited_actor_is_found_after_a_restart() {
    let s = busy().await;
    let (dir, db) = s.stop().await;
    stopped_sql(&db)
        .execute("UPDATE audit SET actor = 'mallory' WHERE seq = 4", [])
        .unwrap();
    let s = TestServer::start_on(dir, db, ServeConfig::default()).await;
    assert_bad(&s.verify().await, 4);
}

#[tokio::test]
async fn a_deleted_middle_row_is_named() {
    let s = busy().await;
    tamper(&s, "DELETE FROM audit WHERE seq = 5").await;
    let v = s.verify().await;
    assert_bad(&v, 5);
    assert!(txt(&v, "problem").contains("missing"), "{v}");
}

#[tokio::test]
async fn a_deleted_last_row_is_found() {
    let s = busy().await;
    let n = s.audit_len().await as i64;
    tamper(&s, &format!("DELETE FROM audit WHERE seq = {n}")).await;
    assert_bad(&s.verify().await, n);
}

#[tokio::test]
async fn a_deleted_last_row_stays_found_after_more_writes() {
    let s = busy().await;
    let n = s.audit_len().await as i64;
    tamper(&s, &format!("DELETE FROM audit WHERE seq = {n}")).await;
    // The server keeps working, and the next entries must not paper over
    // the hole.
    s.admin(
        "POST",
        "/v1/agents/bot-0/resume",
        json!({"reason": "after the tampering"}),
    )
    .await;
    s.agent("later").await;
    let v = s.verify().await;
    assert_bad(&v, n);
}

#[tokio::test]
async fn a_rehashed_row_breaks_the_next_link() {
    let s = busy().await;
    let mut e = s.audit().await[2].clone();
    e["reason"] = json!("forged");
    let forged = recompute(&e);
    tamper(
        &s,
        &format!("UPDATE audit SET reason = 'forged', hash = '{forged}' WHERE seq = 3"),
    )
    .await;
    assert_bad(&s.verify().await, 4);
}

#[tokio::test]
async fn every_action_is_audited_with_its_actor_and_reason() {
    let s = TestServer::start_with(eager_r18()).await;
    s.person("Rita", "rita@corp.example").await;
    s.person("Olga", "olga@corp.example").await;
    s.person("Dan", "dan@corp.example").await;
    let responder = s
        .token_for("responder", "rita-laptop", "rita@corp.example")
        .await;
    let rita = "rita@corp.example (token rita-laptop)";
    s.agent("bot").await;
    let (c1, _) = s.credential("bot").await;
    let (_, secret) = s.credential("bot").await;

    let act = |path: String, body: Value| {
        let s = &s;
        let responder = &responder;
        async move {
            let (status, v) = s.post(&path, responder, body).await;
            assert_eq!(status, 200, "{path}: {v}");
            v
        }
    };
    act(
        "/v1/agents/bot/owner".into(),
        json!({"owner": "olga@corp.example", "reason": "r-owner"}),
    )
    .await;
    act(
        "/v1/agents/bot/suspend".into(),
        json!({"reason": "r-suspend"}),
    )
    .await;
    s.heartbeat(&secret).await;
    let alert = txt(&s.get("/v1/alerts").await[0], "id").to_string();
    act(
        format!("/v1/alerts/{alert}/ack"),
        json!({"reason": "r-ack"}),
    )
    .await;
    act(
        "/v1/agents/bot/resume".into(),
        json!({"reason": "r-resume"}),
    )
    .await;
    act(
        format!("/v1/credentials/{c1}/revoke"),
        json!({"reason": "r-revoke"}),
    )
    .await;
    act("/v1/agents/bot/kill".into(), json!({"reason": "r-kill"})).await;
    s.admin(
        "POST",
        "/v1/people/dan@corp.example/offboard",
        json!({"reason": "r-offboard"}),
    )
    .await;

    let audit = s.audit().await;
    let find = |action: &str| {
        audit
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} entry in {audit:?}"))
    };
    for (action, actor, reason) in [
        ("agent.owner", rita, "r-owner"),
        ("agent.suspend", rita, "r-suspend"),
        ("alert.ack", rita, "r-ack"),
        ("agent.resume", rita, "r-resume"),
        ("credential.revoke", rita, "r-revoke"),
        ("agent.kill.start", rita, "r-kill"),
        ("agent.kill.mark", rita, "r-kill"),
        ("agent.kill", rita, "r-kill"),
        ("person.offboard", "token:bootstrap-admin", "r-offboard"),
    ] {
        let e = find(action);
        assert_eq!(e["actor"], actor, "{e}");
        assert!(txt(e, "reason").contains(reason), "{e}");
    }
    // The kill's revocation of what was left carries the kill's reason.
    let revoke_all = find("credential.revoke_all");
    assert_eq!(revoke_all["actor"], rita);
    assert!(txt(revoke_all, "reason").contains("r-kill"));
    assert_eq!(s.verify().await["ok"], true);
}

#[tokio::test]
async fn reads_and_refusals_are_not_audited() {
    let s = busy().await;
    let n = s.audit_len().await;
    s.get("/v1/agents").await;
    s.get("/v1/changes?since=0").await;
    s.verify().await;
    s.post("/v1/agents/bot-0/suspend", ADMIN, json!({"reason": ""}))
        .await;
    s.post("/v1/agents/nobody/kill", ADMIN, json!({"reason": "x"}))
        .await;
    s.post(
        "/v1/agents/bot-0/kill",
        ADMIN,
        json!({"reason": "x", "dry_run": true}),
    )
    .await;
    assert_eq!(s.audit_len().await, n);
}
