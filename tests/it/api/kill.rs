//! The kill switch against a real server: every credential refused at
//! once, idempotence, cascade along delegations, dry runs, a runtime hook
//! that really stops a process (and one that fails), and a kill left
//! unfinished in the database that a restarted server completes.

use crate::support::rules::eager_r18;
use crate::support::server::*;
use serde_json::{Value, json};
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;
use warden::config::{HookAction, HookConfig, ServeConfig};

fn steps(op: &Value) -> &Vec<Value> {
    op["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps: {op}"))
}

/// The step `name` for `agent_id`.
fn step<'a>(op: &'a Value, name: &str, agent_id: &str) -> &'a Value {
    steps(op)
        .iter()
        .find(|s| s["name"] == name && s["agent_id"] == agent_id)
        .unwrap_or_else(|| panic!("no step {name} for {agent_id}: {op}"))
}

/// Asserts the credential is refused as killed, everywhere it could be used.
async fn assert_refused_as_killed(s: &TestServer, secret: &str, agent_id: &str) {
    let answer = s.heartbeat(secret).await;
    assert_error(&answer, 403, "agent_killed");
    let answer = s
        .post(
            "/v1/agent/events",
            secret,
            json!([{"action": "read", "target": "crm"}]),
        )
        .await;
    assert_error(&answer, 403, "agent_killed");
    let answer = s.call("GET", "/v1/whoami", Some(secret), None).await;
    assert_error(&answer, 403, "agent_killed");
    let i = s
        .admin("POST", "/v1/introspect", json!({"token": secret}))
        .await;
    assert_eq!(i["active"], false, "{i}");
    assert_eq!(i["reason"], "agent_killed", "{i}");
    assert_eq!(i["agent_id"], agent_id, "{i}");
    assert!(
        i["scope"].is_null(),
        "an inactive token shows no scope: {i}"
    );
}

#[tokio::test]
async fn kill_refuses_every_credential_at_once() {
    let s = TestServer::start_with(eager_r18()).await;
    let a = s.agent("rogue").await;
    let id = txt(&a, "id").to_string();
    let mut secrets = Vec::new();
    for _ in 0..3 {
        secrets.push(s.credential("rogue").await.1);
    }
    secrets.push(
        txt(
            &s.credential_with("rogue", json!({"scopes": ["x"], "ttl_seconds": 600}))
                .await,
            "secret",
        )
        .to_string(),
    );
    for secret in &secrets {
        assert_eq!(s.heartbeat(secret).await.0, 204);
    }

    let op = s
        .kill("rogue", json!({"reason": "exfiltrating data"}))
        .await;
    assert!(txt(&op, "id").starts_with("op_"), "{op}");
    assert_eq!(op["kind"], "agent.kill");
    assert_eq!(op["status"], "succeeded");
    assert_eq!(op["reason"], "exfiltrating data");
    assert_eq!(op["actor"], "token:bootstrap-admin");
    assert!(op["finished_at"].is_string(), "{op}");
    assert_eq!(steps(&op).len(), 3, "{op}");
    let revoke = step(&op, "revoke_credentials", &id);
    assert_eq!(revoke["status"], "ok");
    assert_eq!(revoke["detail"], "revoked 4 credential(s)");
    assert_eq!(step(&op, "mark_killed", &id)["status"], "ok");
    let hook = step(&op, "runtime_hook", &id);
    assert_eq!(hook["status"], "skipped", "no runtime, no hook: {hook}");

    for secret in &secrets {
        assert_refused_as_killed(&s, secret, &id).await;
    }
    let detail = s.detail("rogue").await;
    assert_eq!(detail["status"], "killed");
    for c in detail["credentials"].as_array().unwrap() {
        assert_eq!(c["status"], "revoked", "{c}");
        assert_eq!(c["revoked_reason"], "killed: exfiltrating data");
        assert!(c["revoked_at"].is_string());
    }

    // The audit tells the story, with the reason.
    let audit = s.audit().await;
    let actions: Vec<&str> = audit.iter().map(|e| txt(e, "action")).collect();
    let start = actions
        .iter()
        .position(|a| *a == "agent.kill.start")
        .expect("agent.kill.start");
    assert_eq!(
        &actions[start..start + 4],
        [
            "agent.kill.start",
            "credential.revoke_all",
            "agent.kill.mark",
            "agent.kill"
        ]
    );
    for e in &audit[start..start + 4] {
        assert_eq!(e["actor"], "token:bootstrap-admin");
        assert!(txt(e, "reason").contains("exfiltrating data"), "{e}");
    }
    // R18: the killed agent kept trying.
    let alerts = s.get("/v1/alerts").await;
    assert_eq!(
        alerts.as_array().unwrap().len(),
        1,
        "one alert however often it tries: {alerts}"
    );
    assert_eq!(alerts[0]["rule"], "R18");
    assert_eq!(alerts[0]["agent_id"], id.as_str());
}

#[tokio::test]
async fn killing_a_killed_agent_succeeds_and_changes_nothing() {
    let s = TestServer::start().await;
    s.agent("twice").await;
    let (_, secret) = s.credential("twice").await;
    s.credential("twice").await;
    s.kill("twice", json!({"reason": "first"})).await;
    let before = s.dump();
    let audit = s.audit_len().await;
    let creds: i64 = s
        .sql()
        .query_row("SELECT COUNT(*) FROM credentials", [], |r| r.get(0))
        .unwrap();

    for body in [
        json!({"reason": "second"}),
        json!({"reason": "third", "cascade": true}),
    ] {
        let op = s.kill("twice", body).await;
        assert_eq!(op["status"], "succeeded", "{op}");
        assert_eq!(steps(&op).len(), 1, "{op}");
        assert_eq!(steps(&op)[0]["status"], "skipped");
        assert!(
            txt(&steps(&op)[0], "detail").contains("already killed"),
            "{op}"
        );
    }
    assert_eq!(s.dump(), before, "a second kill changed the database");
    assert_eq!(s.audit_len().await, audit);
    let after: i64 = s
        .sql()
        .query_row("SELECT COUNT(*) FROM credentials", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, creds);
    // Still killed, still refused; a killed agent cannot come back.
    assert_error(&s.heartbeat(&secret).await, 403, "agent_killed");
    let answer = s
        .post("/v1/agents/twice/resume", ADMIN, json!({"reason": "undo"}))
        .await;
    assert_error(&answer, 409, "conflict");
    let answer = s
        .post("/v1/agents/twice/suspend", ADMIN, json!({"reason": "undo"}))
        .await;
    assert_error(&answer, 409, "conflict");
}

/// Pat delegates to A, A to B, B to C; D gets a delegation from Pat but
/// is not under A. Each agent holds one credential.
async fn chain(s: &TestServer) -> Vec<(String, String)> {
    s.person("Pat", "pat@corp.example").await;
    let mut out = Vec::new();
    for name in ["A", "B", "C", "D"] {
        let a = s.agent(name).await;
        let (_, secret) = s.credential(name).await;
        out.push((txt(&a, "id").to_string(), secret));
    }
    let d = |body: Value| async move { s.admin("POST", "/v1/delegations", body).await };
    d(json!({"parent_person": "pat@corp.example", "child_agent": "A", "scopes": ["repo:read"]}))
        .await;
    d(json!({"parent_agent": "A", "child_agent": "B", "on_behalf_of": "pat@corp.example", "scopes": ["repo:read"]})).await;
    d(json!({"parent_agent": "B", "child_agent": "C", "on_behalf_of": "pat@corp.example", "scopes": ["repo:read"]})).await;
    d(json!({"parent_person": "pat@corp.example", "child_agent": "D", "scopes": ["repo:read"]}))
        .await;
    out
}

#[tokio::test]
async fn cascade_kills_the_whole_delegation_chain_and_nothing_else() {
    let s = TestServer::start().await;
    let agents = chain(&s).await;
    let op = s
        .kill("A", json!({"reason": "chain compromised", "cascade": true}))
        .await;
    assert_eq!(op["status"], "succeeded", "{op}");
    assert_eq!(
        steps(&op).len(),
        10,
        "three steps for each of A, B, C, and the late delegates: {op}"
    );
    // The whole tree revoked and marked before any hook.
    let names: Vec<&str> = steps(&op).iter().map(|s| txt(s, "name")).collect();
    let first_hook = names.iter().position(|n| *n == "runtime_hook").unwrap();
    assert!(
        names[..first_hook].iter().all(|n| *n != "runtime_hook"),
        "{names:?}"
    );
    assert_eq!(
        names.iter().rposition(|n| *n == "mark_killed").unwrap(),
        5,
        "{names:?}"
    );
    assert_eq!(
        step(&op, "late_delegates", &agents[0].0)["status"],
        "ok",
        "{op}"
    );
    for (id, secret) in &agents[..3] {
        assert_eq!(step(&op, "revoke_credentials", id)["status"], "ok");
        assert_eq!(step(&op, "mark_killed", id)["status"], "ok");
        assert_refused_as_killed(&s, secret, id).await;
        assert_eq!(s.detail(id).await["status"], "killed");
    }
    let (d_id, d_secret) = &agents[3];
    assert!(
        steps(&op).iter().all(|st| st["agent_id"] != d_id.as_str()),
        "D is not in the chain: {op}"
    );
    assert_eq!(s.detail("D").await["status"], "active");
    assert_eq!(s.heartbeat(d_secret).await.0, 204);
}

#[tokio::test]
async fn without_cascade_the_children_stay_active() {
    let s = TestServer::start().await;
    let agents = chain(&s).await;
    let op = s.kill("A", json!({"reason": "only A"})).await;
    assert_eq!(op["status"], "succeeded");
    assert!(
        steps(&op)
            .iter()
            .all(|st| st["agent_id"] == agents[0].0.as_str()),
        "{op}"
    );
    assert_refused_as_killed(&s, &agents[0].1, &agents[0].0).await;
    for (name, (_, secret)) in ["B", "C", "D"].iter().zip(&agents[1..]) {
        assert_eq!(s.detail(name).await["status"], "active", "{name}");
        assert_eq!(s.heartbeat(secret).await.0, 204, "{name}");
    }
}

#[tokio::test]
async fn dry_run_lists_the_steps_and_changes_nothing() {
    let s = TestServer::start().await;
    let agents = chain(&s).await;
    // Within its delegation: A acts for Pat (issue #17's least privilege).
    s.credential_with("A", json!({"scopes": ["repo:read"]}))
        .await;
    let before = s.dump();
    let op = s
        .kill(
            "A",
            json!({"reason": "what if", "cascade": true, "dry_run": true}),
        )
        .await;
    assert_eq!(op["status"], "planned", "{op}");
    assert!(op["finished_at"].is_null());
    assert_eq!(steps(&op).len(), 10, "{op}");
    let revoke = step(&op, "revoke_credentials", &agents[0].0);
    assert_eq!(revoke["status"], "pending");
    assert_eq!(
        txt(revoke, "detail"),
        "will revoke 2 live credential(s) of A",
        "{revoke}"
    );
    for (id, _) in &agents[..3] {
        assert_eq!(step(&op, "mark_killed", id)["status"], "pending");
        assert_eq!(step(&op, "runtime_hook", id)["status"], "skipped");
    }
    assert_eq!(s.dump(), before, "a dry run changed the database");
    for (id, secret) in &agents {
        assert_eq!(
            s.heartbeat(secret).await.0,
            204,
            "{id} was touched by a dry run"
        );
    }
}

#[tokio::test]
async fn kill_works_on_a_suspended_agent() {
    let s = TestServer::start().await;
    let a = s.agent("frozen").await;
    let (_, secret) = s.credential("frozen").await;
    s.admin(
        "POST",
        "/v1/agents/frozen/suspend",
        json!({"reason": "contain"}),
    )
    .await;
    let op = s.kill("frozen", json!({"reason": "remove"})).await;
    assert_eq!(op["status"], "succeeded");
    assert_refused_as_killed(&s, &secret, txt(&a, "id")).await;
}

fn pid_hook(argv: &[&str]) -> ServeConfig {
    ServeConfig {
        hooks: vec![HookConfig {
            runtime_prefix: "pid:".into(),
            action: HookAction::Command {
                argv: argv.iter().map(|s| s.to_string()).collect(),
            },
            timeout_seconds: 10,
        }],
        ..Default::default()
    }
}

#[tokio::test]
async fn command_hook_terminates_the_agents_process() {
    let s = TestServer::start_with(pid_hook(&[
        "sh",
        "-c",
        "kill -TERM \"${0#pid:}\"",
        "{runtime}",
    ]))
    .await;
    let mut child = ChildGuard::spawn("sleep", &["300"]);
    let pid = child.id();
    let a = s
        .agent_with(json!({"name": "worker", "kind": "autonomous", "environment": "prod", "runtime": format!("pid:{pid}")}))
        .await;
    let id = txt(&a, "id").to_string();
    let (_, secret) = s.credential("worker").await;

    // A dry run names the hook and leaves the process alone.
    let plan = s
        .kill("worker", json!({"reason": "rogue", "dry_run": true}))
        .await;
    let hook = step(&plan, "runtime_hook", &id);
    assert_eq!(hook["status"], "pending");
    assert!(txt(hook, "detail").contains("sh"), "{hook}");
    assert!(
        child.wait_timeout(Duration::from_millis(300)).is_none(),
        "a dry run stopped the process"
    );

    let op = s.kill("worker", json!({"reason": "rogue"})).await;
    assert_eq!(op["status"], "succeeded", "{op}");
    let hook = step(&op, "runtime_hook", &id);
    assert_eq!(hook["status"], "ok", "{hook}");
    assert!(txt(hook, "detail").contains("exited 0"), "{hook}");
    let status = child
        .wait_timeout(Duration::from_secs(5))
        .expect("the process is still running after the kill");
    assert_eq!(
        status.signal(),
        Some(15),
        "the process did not die of SIGTERM: {status:?}"
    );
    assert_refused_as_killed(&s, &secret, &id).await;
}

#[tokio::test]
async fn a_failing_hook_fails_the_operation_but_credentials_stay_revoked() {
    let s = TestServer::start_with(pid_hook(&[
        "sh",
        "-c",
        "echo cannot reach the node >&2; exit 3",
    ]))
    .await;
    let a = s
        .agent_with(json!({"name": "worker", "kind": "autonomous", "environment": "prod", "runtime": "pid:424242"}))
        .await;
    let id = txt(&a, "id").to_string();
    let (_, s1) = s.credential("worker").await;
    let (_, s2) = s.credential("worker").await;

    let op = s.kill("worker", json!({"reason": "rogue"})).await;
    assert_eq!(op["status"], "failed", "{op}");
    let hook = step(&op, "runtime_hook", &id);
    assert_eq!(hook["status"], "failed", "{hook}");
    let detail = txt(hook, "detail");
    assert!(
        detail.contains("cannot reach the node"),
        "the hook's message is lost: {detail}"
    );
    assert!(detail.contains('3'), "the exit status is lost: {detail}");
    assert_eq!(step(&op, "revoke_credentials", &id)["status"], "ok");
    assert_eq!(step(&op, "mark_killed", &id)["status"], "ok");
    for secret in [&s1, &s2] {
        assert_refused_as_killed(&s, secret, &id).await;
    }
    let d = s.detail("worker").await;
    assert_eq!(d["status"], "killed");
    assert!(
        d["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "revoked"),
        "{d}"
    );
    let last = s
        .audit()
        .await
        .into_iter()
        .rev()
        .find(|e| e["action"] == "agent.kill")
        .unwrap();
    assert!(txt(&last, "result").starts_with("failed"), "{last}");
}

#[tokio::test]
async fn an_unfinished_kill_is_completed_when_the_server_starts_again() {
    let s = TestServer::start().await;
    let a = s.agent("half-killed").await;
    let id = txt(&a, "id").to_string();
    let (c1, s1) = s.credential("half-killed").await;
    let (_, s2) = s.credential("half-killed").await;
    let bystander = s.agent("bystander").await;
    let (_, s3) = s.credential("bystander").await;
    let (dir, db_path) = s.stop().await;

    // What a server that crashed right after recording the kill leaves:
    // the operation `running`, its steps pending, nothing done yet.
    let op_id = "op_crashedmidway01";
    let steps = json!([
        {"name": "revoke_credentials", "agent_id": id, "status": "pending", "detail": "will revoke 2 credential(s)"},
        {"name": "mark_killed", "agent_id": id, "status": "pending", "detail": "will mark half-killed killed"},
        {"name": "runtime_hook", "agent_id": id, "status": "skipped", "detail": "the agent has no runtime"},
    ]);
    {
        let db = stopped_sql(&db_path);
        db.execute(
            "INSERT INTO operations (id, kind, target, actor, reason, status, steps, created_at, finished_at) \
             VALUES (?1, 'agent.kill', ?2, 'alice@corp.example', 'crash test', 'running', ?3, ?4, NULL)",
            params![op_id, format!("{id} (half-killed)"), steps.to_string(), chrono::Utc::now().timestamp_millis()],
        )
        .unwrap();
        let status: String = db
            .query_row("SELECT status FROM credentials WHERE id = ?1", [&c1], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(
            status, "active",
            "the credentials must still be live before the restart"
        );
    }

    let s = TestServer::start_on(dir, db_path, ServeConfig::default()).await;
    // The very first request already finds the kill done.
    assert_refused_as_killed(&s, &s1, &id).await;
    assert_refused_as_killed(&s, &s2, &id).await;
    let d = s.detail("half-killed").await;
    assert_eq!(d["status"], "killed");
    assert!(
        d["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "revoked"),
        "{d}"
    );
    assert_eq!(
        s.heartbeat(&s3).await.0,
        204,
        "the bystander was killed too"
    );
    assert_eq!(s.detail(txt(&bystander, "id")).await["status"], "active");

    let (status, finished, steps): (String, Option<i64>, String) = s
        .sql()
        .query_row(
            "SELECT status, finished_at, steps FROM operations WHERE id = ?1",
            [op_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(status, "succeeded");
    assert!(finished.is_some());
    let steps: Value = serde_json::from_str(&steps).unwrap();
    assert_eq!(steps[0]["status"], "ok", "{steps}");
    assert_eq!(steps[1]["status"], "ok", "{steps}");
    let audit = s.audit().await;
    let done = audit
        .iter()
        .find(|e| e["action"] == "agent.kill")
        .expect("the finished kill is audited");
    assert!(txt(done, "actor").contains("alice@corp.example"), "{done}");
    assert!(txt(done, "actor").contains(op_id), "{done}");
    assert_eq!(done["reason"], "crash test");
    assert_eq!(s.verify().await["ok"], true);
}

#[tokio::test]
async fn a_kill_interrupted_half_way_finishes_the_remaining_steps() {
    let s = TestServer::start().await;
    let a = s.agent("half").await;
    let id = txt(&a, "id").to_string();
    let (_, secret) = s.credential("half").await;
    let (dir, db_path) = s.stop().await;
    {
        // The credentials were revoked, then the process died.
        let db = stopped_sql(&db_path);
        db.execute("UPDATE credentials SET status = 'revoked', revoked_reason = 'killed: midway', revoked_at = 1", [])
            .unwrap();
        let steps = json!([
            {"name": "revoke_credentials", "agent_id": id, "status": "ok", "detail": "revoked 1 credential(s)"},
            {"name": "mark_killed", "agent_id": id, "status": "pending", "detail": ""},
            {"name": "runtime_hook", "agent_id": id, "status": "skipped", "detail": ""},
        ]);
        db.execute(
            "INSERT INTO operations (id, kind, target, actor, reason, status, steps, created_at) \
             VALUES ('op_midway', 'agent.kill', ?1, 'bob', 'midway', 'running', ?2, 1)",
            params![id, steps.to_string()],
        )
        .unwrap();
    }
    let s = TestServer::start_on(dir, db_path, ServeConfig::default()).await;
    assert_eq!(s.detail("half").await["status"], "killed");
    assert_refused_as_killed(&s, &secret, &id).await;
    let status: String = s
        .sql()
        .query_row(
            "SELECT status FROM operations WHERE id = 'op_midway'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "succeeded");
}

#[tokio::test]
async fn cascade_goes_through_an_agent_already_killed() {
    let s = TestServer::start().await;
    let agents = chain(&s).await;
    s.kill("B", json!({"reason": "B first"})).await;
    let op = s
        .kill("A", json!({"reason": "then the rest", "cascade": true}))
        .await;
    assert_eq!(op["status"], "succeeded", "{op}");
    let b = step(&op, "mark_killed", &agents[1].0);
    assert_eq!(b["status"], "skipped", "{b}");
    assert_eq!(
        steps(&op)
            .iter()
            .filter(|st| st["agent_id"] == agents[1].0.as_str())
            .count(),
        1
    );
    for (id, secret) in &agents[..3] {
        assert_refused_as_killed(&s, secret, id).await;
    }
    assert_eq!(s.heartbeat(&agents[3].1).await.0, 204);
}

/// A failed runtime hook leaves the kill `failed`, and the next kill of
/// the agent runs it again and reports what it did this time; a hook that
/// succeeded is not run again.
#[tokio::test]
async fn a_failed_hook_is_retried_by_the_next_kill_with_its_real_outcome() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tries = dir.path().join("tries");
    // Fails the first time, succeeds after; counts its runs.
    let script = format!(
        "echo run >> {0}; test $(wc -l < {0}) -ge 2",
        tries.display()
    );
    let s = TestServer::start_with(pid_hook(&["sh", "-c", &script])).await;
    let a = s
        .agent_with(json!({"name": "stuck", "kind": "autonomous", "environment": "prod", "runtime": "pid:1"}))
        .await;
    let id = txt(&a, "id").to_string();
    let runs = || {
        std::fs::read_to_string(&tries)
            .unwrap_or_default()
            .lines()
            .count()
    };

    let first = s.kill("stuck", json!({"reason": "one"})).await;
    assert_eq!(first["status"], "failed", "{first}");
    assert_eq!(step(&first, "runtime_hook", &id)["status"], "failed");
    assert_eq!(runs(), 1);

    let second = s.kill("stuck", json!({"reason": "two"})).await;
    assert_eq!(second["status"], "succeeded", "{second}");
    let hook = step(&second, "runtime_hook", &id);
    assert_eq!(hook["status"], "ok", "{hook}");
    assert!(txt(hook, "detail").contains("exited 0"), "{hook}");
    assert_eq!(runs(), 2, "run again");

    let third = s.kill("stuck", json!({"reason": "three"})).await;
    assert_eq!(third["status"], "succeeded", "{third}");
    assert!(
        steps(&third).iter().all(|st| st["name"] != "runtime_hook"),
        "{third}"
    );
    assert_eq!(runs(), 2, "a hook that worked is not run again");
}

/// A second kill while the first runs joins it: one operation, the hook
/// run once, both callers told the same outcome.
#[tokio::test]
async fn a_second_kill_during_the_first_joins_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let runs = dir.path().join("runs");
    let script = format!("echo run >> {}; sleep 1", runs.display());
    let s = TestServer::start_with(pid_hook(&["sh", "-c", &script])).await;
    s.agent_with(
        json!({"name": "dup", "kind": "autonomous", "environment": "prod", "runtime": "pid:1"}),
    )
    .await;
    let (first, second) = tokio::join!(s.kill("dup", json!({"reason": "one"})), async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        s.kill("dup", json!({"reason": "two"})).await
    });
    assert_eq!(first["status"], "succeeded", "{first}");
    assert_eq!(first["id"], second["id"], "joined: {first} {second}");
    let count = std::fs::read_to_string(&runs)
        .unwrap_or_default()
        .lines()
        .count();
    assert_eq!(count, 1, "the hook ran once");
}

/// A delegation raced against a cascading kill of its parent never leaves
/// a live child: either the store refuses it (the parent is killed) or the
/// kill finds it and kills the child too. Ten races, each a fresh pair.
#[tokio::test]
async fn a_delegation_raced_against_a_cascade_kill_leaves_no_live_child() {
    let s = TestServer::start().await;
    for i in 0..10 {
        let parent = format!("race-parent-{i}");
        let child = format!("race-child-{i}");
        s.agent(&parent).await;
        s.agent(&child).await;
        let (kill, delegation) = tokio::join!(
            s.kill(&parent, json!({"reason": "race", "cascade": true})),
            s.post(
                "/v1/delegations",
                ADMIN,
                json!({"parent_agent": parent, "child_agent": child, "scopes": ["x:read"]}),
            )
        );
        assert_eq!(kill["status"], "succeeded", "{kill}");
        match delegation.0 {
            201 => assert_eq!(
                s.detail(&child).await["status"],
                "killed",
                "run {i}: the delegation was recorded and the child left alive: {kill}"
            ),
            409 => {}
            other => panic!("run {i}: delegation answered {other}: {}", delegation.1),
        }
    }
}

/// The plan counts as the kill dialog does: the live credentials, and the
/// expired ones (revoked too) named apart.
#[tokio::test]
async fn the_plan_counts_live_credentials_and_names_expired_ones_apart() {
    let s = TestServer::start().await;
    s.agent("mixed").await;
    s.credential("mixed").await;
    s.credential_with("mixed", json!({"scopes": ["a:read"], "ttl_seconds": 1}))
        .await;
    let (revoked, _) = s.credential("mixed").await;
    s.admin(
        "POST",
        &format!("/v1/credentials/{revoked}/revoke"),
        json!({"reason": "old"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let statuses: Vec<Value> = s.detail("mixed").await["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert_eq!(statuses.len(), 3);
    for status in ["active", "expired", "revoked"] {
        assert!(statuses.contains(&json!(status)), "{statuses:?}");
    }
    let op = s
        .kill("mixed", json!({"reason": "what if", "dry_run": true}))
        .await;
    let id = txt(&s.detail("mixed").await, "id").to_string();
    assert_eq!(
        txt(step(&op, "revoke_credentials", &id), "detail"),
        "will revoke 1 live credential(s) of mixed; 1 expired one(s) revoked too"
    );
    // The kill revokes both, as planned.
    s.kill("mixed", json!({"reason": "now"})).await;
    let d = s.detail("mixed").await;
    assert!(
        d["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "revoked"),
        "{d}"
    );
}
