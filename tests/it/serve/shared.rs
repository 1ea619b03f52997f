//! Several servers, one fleet: two `warden serve` processes on one
//! PostgreSQL database behave as one backend. A credential issued through
//! one is honoured by the other; a kill through one is enforced by the
//! other on the next request and wakes a dashboard long-polling the other;
//! concurrent writes through both leave one intact audit chain.

use crate::support::server;

use crate::support::serve::{ADMIN, Api, ServeProcess};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_database_are_one_backend() {
    if !server::postgres_available("two server processes on one database") {
        return;
    }
    let pg = server::PgDatabase::create();
    let database = pg.url.clone();
    let home = tempfile::tempdir().expect("tempdir");
    // The rules' scheduler is off: the long-poll below must wake on the
    // kill, not on the alerts the new agent raises at once, and the audit
    // count is of what the writers did (`rules::realtime` and
    // `serve::sweeper` test the scheduler on shared servers).
    let quiet = "[serve.rules]\nsweep_interval_seconds = 0\n";
    let one = ServeProcess::start(home.path(), &database, quiet);
    let two = ServeProcess::start(home.path(), &database, quiet);
    let (a, b) = (one.client(), two.client());

    // Issued through one, honoured by the other.
    let agent = a.agent("shared-agent", None).await;
    let secret = a.secret(&agent).await;
    assert_eq!(b.heartbeat(&secret).await, 204);
    let seen = b.admin("GET", &format!("/v1/agents/{agent}"), None).await;
    assert_eq!(seen["name"], "shared-agent");

    // A dashboard polling the other server: it holds a long-poll open at
    // its cursor when the kill lands on the first.
    let cursor = b.admin("GET", "/v1/changes?since=0", None).await["cursor"]
        .as_i64()
        .expect("cursor");
    let poller = b.clone();
    let poll = tokio::spawn(async move {
        let started = Instant::now();
        let answer = poller
            .call(
                "GET",
                &format!("/v1/changes?since={cursor}&wait=20"),
                ADMIN,
                None,
            )
            .await;
        (started.elapsed(), answer)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let op = a
        .admin(
            "POST",
            &format!("/v1/agents/{agent}/kill"),
            Some(json!({"reason": "shared-backend drill"})),
        )
        .await;
    assert_eq!(op["status"], "succeeded", "{op}");

    // Enforced by the other on the very next request.
    let (status, body) = b
        .call("POST", "/v1/agent/heartbeat", &secret, None)
        .await
        .expect("heartbeat");
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "agent_killed", "{body}");

    // The other's long-poll woke with the kill's first commit (the
    // credentials revoked) made by the first server.
    let (waited, answer) = poll.await.expect("poll task");
    let (status, woke) = answer.expect("long-poll");
    assert_eq!(status, 200, "{woke}");
    assert!(
        waited < Duration::from_secs(5),
        "the long-poll on the other server took {waited:?} to see the kill"
    );
    assert!(
        woke["credentials"]
            .as_array()
            .expect("credentials")
            .iter()
            .any(|c| c["agent_id"] == agent.as_str() && c["status"] == "revoked"),
        "{woke}"
    );
    // The dashboard's next poll of the other, once the kill is answered,
    // shows the agent killed.
    let changes = b
        .admin("GET", &format!("/v1/changes?since={cursor}"), None)
        .await;
    let killed = changes["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .find(|x| x["id"] == agent.as_str())
        .unwrap_or_else(|| panic!("the kill is not in the other's changes: {changes}"));
    assert_eq!(killed["status"], "killed");

    // Writes through both at once: one chain, no fork, no gap.
    let before = a.audit().await.len();
    let mut writers = Vec::new();
    for i in 0..40 {
        let api: Api = if i % 2 == 0 { a.clone() } else { b.clone() };
        writers.push(tokio::spawn(async move {
            let id = api.agent(&format!("concurrent-{i}"), None).await;
            api.secret(&id).await;
        }));
    }
    for w in writers {
        w.await.expect("writer");
    }
    for api in [&a, &b] {
        let verdict = api.verify().await;
        assert_eq!(verdict["ok"], true, "{verdict}");
    }
    let audit = b.audit().await;
    assert_eq!(
        audit.len(),
        before + 80,
        "each agent and each credential is one entry"
    );
    let seqs: Vec<i64> = audit.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "the chain has a gap or a repeat: {seqs:?}"
    );
    for pair in audit.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"], "{pair:?}");
    }
    let agents: Value = a.admin("GET", "/v1/agents?limit=5000", None).await;
    assert_eq!(agents["items"].as_array().expect("items").len(), 41);
}
