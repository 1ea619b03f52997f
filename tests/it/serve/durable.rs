//! Durable operations: a cascading kill revokes the whole tree before any
//! runtime hook runs, so while the root's hook hangs no credential of the
//! tree works; interrupted there by SIGKILL of the server process, it is
//! completed by the next server started on the same database, which
//! listens before the resumed hook has finished. Run on SQLite and on
//! PostgreSQL.

use crate::support::{serve, server};

use crate::support::serve::{ServeProcess, sqlite_in, wait_for_file};
use serde_json::json;

/// A hook that says it started (by creating `marker`) and then hangs: the
/// kill is held in its hooks, after every revocation.
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

/// The same runtime's hook on the restarted server: it succeeds after a
/// few seconds, then says so by creating `marker`.
fn slow_hook(marker: &std::path::Path) -> String {
    format!(
        r#"
[[serve.hook]]
runtime_prefix = "slow:"
kind = "command"
argv = ["/bin/sh", "-c", "sleep 3; touch \"$1\"", "hook", "{}"]
timeout_seconds = 30
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
    // runs (and hangs) after both are revoked and marked killed.
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

    // In the hook: the whole tree is already refused, the child too.
    for s in root_secrets.iter().chain(&child_secrets) {
        assert_eq!(api.heartbeat(s).await, 403, "revoked before any hook");
    }
    assert_eq!(api.heartbeat(&bystander_secret).await, 204);
    // A killed agent delegates to no one.
    let (status, body) = api
        .call(
            "POST",
            "/v1/delegations",
            serve::ADMIN,
            Some(
                json!({"parent_agent": root, "child_agent": bystander, "scopes": ["tickets:read"]}),
            ),
        )
        .await
        .expect("delegation request");
    assert_eq!(status, 409, "{body}");

    first.sigkill();
    let answer = kill.await.expect("kill task");
    assert!(
        answer.is_err(),
        "the interrupted kill must not have been answered: {answer:?}"
    );

    let done = home.path().join("resumed-hook-done");
    let second = ServeProcess::start(home.path(), &database, &slow_hook(&done));
    // Listening already, with the resumed hook still running.
    assert!(
        !done.exists(),
        "the server waited for the resumed hook to listen"
    );
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

    assert!(wait_for_file(&done, 30).await, "the resumed hook ran");
    let mut finished = None;
    for _ in 0..100 {
        let audit = api.audit().await;
        finished = audit.into_iter().find(|e| e["action"] == "agent.kill");
        if finished.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let done = finished.expect("the finished kill is audited");
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
