//! Durable operations: a cascading kill interrupted by SIGKILL of the
//! server process part-way through is completed by the next server started
//! on the same database, before it takes requests, and no credential of a
//! killed agent stays usable. Run on SQLite and on PostgreSQL.

use crate::support::{serve, server};

use crate::support::serve::{ServeProcess, sqlite_in, wait_for_file};
use serde_json::json;

/// A hook that says it started (by creating `marker`) and then hangs: the
/// kill is held part-way, between its first agent and the next.
pub(super) fn hanging_hook(marker: &std::path::Path) -> String {
    format!(
        r#"
[[serve.hook]]
runtime_prefix = "slow:"
kind = "command"
argv = ["/bin/sh", "-c", "touch \"$1\"; exec sleep 30", "hook", "{}"]
timeout_seconds = 120
"#,
        marker.display()
    )
}

/// The same runtime's hook on the restarted server: it succeeds at once.
pub(super) const QUICK_HOOK: &str = r#"
[[serve.hook]]
runtime_prefix = "slow:"
kind = "command"
argv = ["/bin/true"]
timeout_seconds = 10
"#;

async fn interrupted_kill_completes_on_restart(database: String) {
    let home = tempfile::tempdir().expect("tempdir");
    let marker = home.path().join("hook-started");
    let first = ServeProcess::start(home.path(), &database, &hanging_hook(&marker));
    let api = first.client();

    // root delegates to child; the kill cascades root → child. root's hook
    // runs (and hangs) after root's credentials are revoked and before any
    // step of child's.
    let root = api.agent("root-agent", Some("slow:pod-1")).await;
    let child = api.agent("child-agent", None).await;
    let bystander = api.agent("bystander", None).await;
    api.admin(
        "POST",
        "/v1/delegations",
        Some(json!({"parent_agent": root, "child_agent": child, "scopes": ["tickets:read"]})),
    )
    .await;
    let mut root_secrets = Vec::new();
    let mut child_secrets = Vec::new();
    for _ in 0..3 {
        root_secrets.push(api.secret(&root).await);
        child_secrets.push(api.secret(&child).await);
    }
    let bystander_secret = api.secret(&bystander).await;

    let killer = api.clone();
    let root_id = root.clone();
    let kill = tokio::spawn(async move {
        killer
            .call(
                "POST",
                &format!("/v1/agents/{root_id}/kill"),
                serve::ADMIN,
                Some(json!({"reason": "durability drill", "cascade": true})),
            )
            .await
    });
    if !wait_for_file(&marker, 60).await {
        panic!(
            "the kill never reached root's runtime hook; it answered {:?}",
            kill.await
        );
    }

    // Part-way: root's credentials are revoked, child's still work.
    for s in &root_secrets {
        assert_eq!(api.heartbeat(s).await, 403, "root must already be refused");
    }
    assert_eq!(
        api.heartbeat(&child_secrets[0]).await,
        204,
        "the kill must be caught part-way, before child's steps"
    );

    first.sigkill();
    let answer = kill.await.expect("kill task");
    assert!(
        answer.is_err(),
        "the interrupted kill must not have been answered: {answer:?}"
    );

    let second = ServeProcess::start(home.path(), &database, QUICK_HOOK);
    let api = second.client();
    // The first request already finds the kill done: no credential of a
    // killed agent is usable on the restarted server.
    for s in root_secrets.iter().chain(&child_secrets) {
        let (status, body) = api
            .call("POST", "/v1/agent/heartbeat", s, None)
            .await
            .expect("heartbeat");
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "agent_killed", "{body}");
    }
    assert_eq!(
        api.heartbeat(&bystander_secret).await,
        204,
        "the bystander was killed too"
    );
    for id in [&root, &child] {
        let d = api.admin("GET", &format!("/v1/agents/{id}"), None).await;
        assert_eq!(d["status"], "killed", "{d}");
        assert!(
            d["credentials"]
                .as_array()
                .expect("credentials")
                .iter()
                .all(|c| c["status"] == "revoked"),
            "{d}"
        );
    }

    let audit = api.audit().await;
    let done = audit
        .iter()
        .find(|e| e["action"] == "agent.kill")
        .expect("the finished kill is audited");
    let actor = done["actor"].as_str().unwrap_or_default();
    assert!(actor.starts_with("system (resuming op_"), "{done}");
    assert_eq!(done["reason"], "durability drill", "{done}");
    let result = done["result"].as_str().unwrap_or_default();
    assert!(result.starts_with("succeeded: "), "{done}");
    assert!(!result.contains("failed"), "{done}");
    assert_eq!(api.verify().await["ok"], true);
}

#[tokio::test]
async fn a_kill_interrupted_by_sigkill_completes_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    interrupted_kill_completes_on_restart(sqlite_in(dir.path())).await;
}

#[tokio::test]
async fn a_kill_interrupted_by_sigkill_completes_on_postgres() {
    if !server::postgres_available("the interrupted kill on PostgreSQL") {
        return;
    }
    let database = server::PgDatabase::create();
    interrupted_kill_completes_on_restart(database.url.clone()).await;
}
