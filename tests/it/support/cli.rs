//! The real `warden` binary, for the tests that run it (`cli/`, `tls`, the
//! PTY tests): a `warden serve` child process on a free loopback port over
//! a temporary SQLite file, killed when the guard drops, and a runner for
//! the binary with a clean environment.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const ADMIN: &str = "wdn_pt_cli-test-admin-0123456789abcdef";
const BIN: &str = env!("CARGO_BIN_EXE_warden");

/// A `warden serve` child process; killed on drop.
pub struct Server {
    pub url: String,
    child: Child,
    /// Holds the database and an empty config file.
    pub dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        Self::start_with(&[])
    }

    /// `warden serve` with `extra` arguments after the usual ones.
    /// A server whose R18 pages on the first refused attempt, with no
    /// grace: for tests that need that alert at once (the defaults wait 60 s
    /// and three attempts).
    pub fn start_eager_r18() -> Server {
        let config = tempfile::tempdir().expect("tempdir");
        let path = config.path().join("config.toml");
        std::fs::write(
            &path,
            "[serve.rules]\nrefused_attempts = 1\nrefused_grace_seconds = 0\n",
        )
        .expect("write the config");
        // The server reads it at start; the file may go after.
        Server::start_with(&["--config", path.to_str().expect("utf-8 path")])
    }

    /// A server whose rules run only on ingest: no sweep at start or
    /// after an action, for tests whose subject is not the alerts but
    /// which read something alerts change (a filter on `risk:`).
    pub fn start_without_scheduler() -> Server {
        let config = tempfile::tempdir().expect("tempdir");
        let path = config.path().join("config.toml");
        std::fs::write(&path, "[serve.rules]\nsweep_interval_seconds = 0\n")
            .expect("write the config");
        Server::start_with(&["--config", path.to_str().expect("utf-8 path")])
    }

    pub fn start_with(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("w.db");
        let mut cmd = Command::new(BIN);
        isolate(&mut cmd, dir.path());
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--database"])
            .arg(format!("sqlite:{}", db.display()))
            .args(extra)
            .env("WARDEN_ADMIN_TOKEN", ADMIN);
        let (child, url) = spawn_listening(&mut cmd);
        Server { url, child, dir }
    }

    /// `warden ARGS` with this server's URL and the admin token.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_as(ADMIN, args)
    }

    /// `warden ARGS` with this server's URL and `token`.
    pub fn run_as(&self, token: &str, args: &[&str]) -> Run {
        let mut cmd = warden(self.dir.path());
        cmd.env("WARDEN_URL", &self.url).env("WARDEN_TOKEN", token);
        Run::of(cmd.args(args))
    }

    /// `warden ARGS --json` as admin, parsed; panics unless it exits 0.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let r = self.run(&all);
        r.assert_code(0);
        serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{}", r.stdout))
    }

    /// `POST /v1/agent/heartbeat` with an agent's secret: the HTTP status.
    pub fn heartbeat(&self, secret: &str) -> u16 {
        super::install_crypto_provider();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            reqwest::Client::new()
                .post(format!("{}/v1/agent/heartbeat", self.url))
                .bearer_auth(secret)
                .send()
                .await
                .expect("heartbeat request")
                .status()
                .as_u16()
        })
    }
}

/// Spawns a `warden serve` command and waits (up to a minute) for its line
/// `warden: listening on URL`; answers the child and the URL. Its stderr is
/// drained for as long as it runs, so it never blocks on a full pipe.
pub fn spawn_listening(cmd: &mut Command) -> (Child, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn warden serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if !sent && let Some(url) = line.strip_prefix("warden: listening on ") {
                let _ = tx.send(Ok(url.trim().to_string()));
                sent = true;
            } else if !sent {
                let _ = tx.send(Err(line));
            }
        }
    });
    let mut early = Vec::new();
    let url = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(url)) => break url,
            Ok(Err(line)) => early.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "warden serve did not print its listening line; stderr:\n{}",
                    early.join("\n")
                );
            }
        }
    };
    (child, url)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A clean environment: no backend from the caller's shell, and config and
/// data dirs inside `home` so no user's config file is read.
fn isolate(cmd: &mut Command, home: &Path) {
    for var in [
        "WARDEN_URL",
        "WARDEN_TOKEN",
        "WARDEN_CONFIG",
        "WARDEN_ADMIN_TOKEN",
        "WARDEN_CA_CERT",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("NO_COLOR", "1");
}

/// The `warden` binary with a clean environment and stdin not a terminal.
pub fn warden(home: &Path) -> Command {
    let mut cmd = isolated(BIN, home);
    cmd.stdin(Stdio::null());
    cmd
}

/// `program` with the clean environment `warden` gets.
pub fn isolated(program: &str, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    isolate(&mut cmd, home);
    cmd
}

/// What a run of `warden` left behind.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(cmd: &mut Command) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = cmd.output().expect("run warden");
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout:\n{}\n--- stderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Exactly one `warden: error: …` line (possibly continued) on stderr.
    #[track_caller]
    pub fn assert_error(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.starts_with("warden: error: "),
            "stderr: {}",
            self.stderr
        );
        assert_eq!(
            self.stderr.trim_end().lines().count(),
            1,
            "not one line: {}",
            self.stderr
        );
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}: {}",
            self.stderr
        );
        self
    }
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

pub fn write_file(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).expect("write");
    path.to_path_buf()
}

/// Reads RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into
/// records of fields.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "CSV does not end with a complete record: {text:?}"
    );
    records
}
