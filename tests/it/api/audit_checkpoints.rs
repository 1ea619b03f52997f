//! Signed checkpoints against the attacks of someone who can write the
//! database but not the server's key: each attack is done with plain SQL
//! (or a file copy) on a real server's database, and `GET /v1/audit/verify`
//! (or `warden audit verify --checkpoints`) must fail and name it.

use crate::support::cli::{Run, warden};
use crate::support::server::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;
use warden::config::ServeConfig;

/// Checkpoints after every entry, kept in `dir`.
fn signing(dir: &Path) -> ServeConfig {
    ServeConfig {
        audit_key: Some(dir.join("audit.key")),
        audit_checkpoints: Some(dir.join("checkpoints.jsonl")),
        audit_checkpoint_entries: Some(1),
        audit_checkpoint_seconds: Some(1),
        ..ServeConfig::default()
    }
}

async fn fill(s: &TestServer, prefix: &str, agents: usize) {
    for i in 0..agents {
        let name = format!("{prefix}-{i}");
        s.agent(&name).await;
        s.credential(&name).await;
        s.admin(
            "POST",
            &format!("/v1/agents/{name}/suspend"),
            json!({"reason": format!("check {i}")}),
        )
        .await;
    }
}

/// Waits until the server has signed its chain's head.
async fn signed_head(s: &TestServer) -> Value {
    for _ in 0..200 {
        let c = s.get("/v1/audit/checkpoints").await;
        let last = c["checkpoints"].as_array().and_then(|a| a.last()).cloned();
        if last.as_ref().is_some_and(|l| l["seq"] == c["head_seq"]) {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no checkpoint of the head");
}

#[track_caller]
fn assert_attack(v: &Value, attack: &str, first_bad: i64) {
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["attack"], attack, "{v}");
    assert_eq!(v["first_bad"], json!(first_bad), "{v}");
}

fn n_of(c: &Value) -> i64 {
    c["head_seq"].as_i64().unwrap()
}

#[tokio::test]
async fn an_intact_chain_verifies_against_its_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::start_with(signing(dir.path())).await;
    fill(&s, "bot", 3).await;
    let c = signed_head(&s).await;
    assert_eq!(c["key"].as_str().unwrap().len(), 64);
    let v = s.verify().await;
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["checkpoints"].as_i64().unwrap() >= 1, "{v}");
    #[cfg(unix)]
    for f in ["audit.key", "checkpoints.jsonl"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
}

#[tokio::test]
async fn cutting_the_tail_and_its_recorded_head_is_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::start_with(signing(dir.path())).await;
    fill(&s, "bot", 3).await;
    let n = n_of(&signed_head(&s).await);
    // The attack: the last 3 entries go, and the head with them.
    let gone = s
        .sql()
        .execute("DELETE FROM audit WHERE seq > ?1", [n - 3])
        .unwrap();
    assert_eq!(gone, 3);
    s.sql()
        .execute(
            "UPDATE meta SET value = ?1 WHERE key = 'audit_head'",
            [n - 3],
        )
        .unwrap();
    let v = s.verify().await;
    assert_attack(&v, "truncation", n - 2);
    assert!(
        v["problem"].as_str().unwrap().contains("cut from the end"),
        "{v}"
    );
}

/// The hash of `e` as the chain computes it (the attacker's script: no
/// secret needed).
fn rehash(e: &Value, prev: &str) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    warden::server::audit::entry_hash(
        e["seq"].as_i64().unwrap(),
        at,
        e["actor"].as_str().unwrap(),
        e["action"].as_str().unwrap(),
        e["target"].as_str().unwrap(),
        e["reason"].as_str(),
        e["result"].as_str().unwrap(),
        prev,
    )
}

#[tokio::test]
async fn editing_an_entry_and_rehashing_the_rest_is_a_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::start_with(signing(dir.path())).await;
    fill(&s, "bot", 8).await;
    let n = n_of(&signed_head(&s).await);
    assert!(n > 24, "{n} entries");
    let all = s.audit().await;
    let mut prev = all[19]["hash"].as_str().unwrap().to_string();
    for e in &all[20..] {
        let mut e = e.clone();
        if e["seq"] == 21 {
            e["reason"] = json!("nothing happened");
        }
        let hash = rehash(&e, &prev);
        s.sql()
            .execute(
                "UPDATE audit SET reason = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
                params![e["reason"].as_str(), prev, hash, e["seq"].as_i64().unwrap()],
            )
            .unwrap();
        prev = hash;
    }
    // Without checkpoints this chain is consistent: the rewrite is only
    // seen against what was signed.
    let v = s.verify().await;
    assert_eq!(v["attack"], "rewrite", "{v}");
    assert!(v["first_bad"].as_i64().unwrap() <= 21, "{v}");
    assert!(v["problem"].as_str().unwrap().contains("recomputed"), "{v}");
}

#[tokio::test]
async fn the_checkpointer_refuses_to_sign_over_a_rewritten_chain() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::start_with(signing(dir.path())).await;
    fill(&s, "bot", 2).await;
    let n = n_of(&signed_head(&s).await);
    let all = s.audit().await;
    let mut e = all[(n - 1) as usize].clone();
    e["actor"] = json!("mallory");
    let hash = rehash(&e, e["prev_hash"].as_str().unwrap());
    s.sql()
        .execute(
            "UPDATE audit SET actor = 'mallory', hash = ?1 WHERE seq = ?2",
            params![hash, n],
        )
        .unwrap();
    s.agent("later").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let c = s.get("/v1/audit/checkpoints").await;
    let last = c["checkpoints"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["seq"], json!(n), "signed over the rewrite: {c}");
    assert_eq!(s.verify().await["attack"], "rewrite");
}

#[tokio::test]
async fn a_database_restored_from_an_older_copy_is_a_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::start_sqlite(signing(dir.path())).await;
    fill(&s, "bot", 2).await;
    signed_head(&s).await;
    let (home, db) = s.stop().await;
    let backup = home.path().join("backup.db");
    std::fs::copy(&db, &backup).unwrap();
    let s = TestServer::start_on(home, db.clone(), signing(dir.path())).await;
    let before = n_of(&signed_head(&s).await);
    fill(&s, "more", 2).await;
    let after = n_of(&signed_head(&s).await);
    let (home, db) = s.stop().await;
    std::fs::copy(&backup, &db).unwrap();
    for wal in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{wal}", db.display()));
    }
    let s = TestServer::start_on(home, db, signing(dir.path())).await;
    let v = s.verify().await;
    assert_attack(&v, "rollback", before + 1);
    assert!(
        v["problem"]
            .as_str()
            .unwrap()
            .contains(&format!("entries {} to {after} are lost", before + 1)),
        "{v}"
    );
}

fn cli_verify(url: &str, extra: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = warden(home.path());
    cmd.env("WARDEN_URL", url)
        .env("WARDEN_TOKEN", ADMIN)
        .args(["audit", "verify"])
        .args(extra);
    Run::of(&mut cmd)
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

// The CLI runs as a blocking child process: the servers need threads of
// their own meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_writing_two_copies_of_one_chain_is_a_fork() {
    let (da, db_) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = TestServer::start_sqlite(signing(da.path())).await;
    fill(&a, "shared", 2).await;
    signed_head(&a).await;
    let (home, db) = a.stop().await;
    // The second server is pointed at a copy (a restore, a split brain)
    // instead of the one database: two histories from here on.
    let copy: PathBuf = db_.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    let a = TestServer::start_on(home, db, signing(da.path())).await;
    let b = TestServer::start_on(tempfile::tempdir().unwrap(), copy, signing(db_.path())).await;
    fill(&a, "on-a", 2).await;
    fill(&b, "on-b", 2).await;
    let (ka, kb) = (signed_head(&a).await, signed_head(&b).await);
    let (ka, kb) = (ka["key"].as_str().unwrap(), kb["key"].as_str().unwrap());
    // Each server alone is consistent with itself.
    assert_eq!(a.verify().await["ok"], true);
    assert_eq!(b.verify().await["ok"], true);
    let files = [
        "--checkpoints",
        &path(&da.path().join("checkpoints.jsonl")),
        "--checkpoints",
        &path(&db_.path().join("checkpoints.jsonl")),
        "--public-key",
        ka,
        "--public-key",
        kb,
    ];
    let r = cli_verify(&a.url, &[&files[..], &["--json"]].concat());
    r.assert_code(1);
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    assert_eq!(v["attack"], "fork", "{v}");
    let r = cli_verify(&a.url, &files);
    r.assert_code(1);
    assert!(
        r.stdout.contains("fork between two servers"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("attack: fork"), "{}", r.stdout);
    // The server's own checkpoints alone are trusted without naming the key.
    let own = ["--checkpoints", &path(&da.path().join("checkpoints.jsonl"))];
    cli_verify(&a.url, &own).assert_code(0);
    // B's file without B's key: refused as untrusted, not silently skipped.
    let other = [
        "--checkpoints",
        &path(&db_.path().join("checkpoints.jsonl")),
    ];
    let r = cli_verify(&a.url, &other);
    r.assert_code(1);
    assert!(r.stdout.contains("not a trusted key"), "{}", r.stdout);
}

/// Two servers on one database each sign the one chain with their own key
/// into their own file: their checkpoints agree, so checked together they
/// are no fork.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_witness_the_same_chain() {
    let (da, db_) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = TestServer::start_with(signing(da.path())).await;
    let b = TestServer::start_on_same(&a, signing(db_.path())).await;
    fill(&a, "via-a", 2).await;
    fill(&b, "via-b", 2).await;
    fill(&a, "via-a-again", 1).await;
    let (ca, cb) = (signed_head(&a).await, signed_head(&b).await);
    assert_ne!(ca["key"], cb["key"]);
    assert_eq!(a.verify().await["ok"], true);
    assert_eq!(b.verify().await["ok"], true);
    let r = cli_verify(
        &b.url,
        &[
            "--checkpoints",
            &path(&da.path().join("checkpoints.jsonl")),
            "--checkpoints",
            &path(&db_.path().join("checkpoints.jsonl")),
            "--public-key",
            ca["key"].as_str().unwrap(),
            "--public-key",
            cb["key"].as_str().unwrap(),
        ],
    );
    r.assert_code(0);
    assert!(r.stdout.contains("intact"), "{}", r.stdout);
}
