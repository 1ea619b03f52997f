//! What `warden serve` leaves on disk and on stderr: the database and its
//! directory private to the user (they hold token hashes and the audit
//! trail), an old world-readable database tightened with a note, and a log
//! without colour codes when stderr is not a terminal.

use crate::support::cli::isolated;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_warden");

/// A real `warden serve` with stderr piped (not a terminal), colour not
/// turned off by the environment; answers the child and a channel of its
/// stderr lines.
pub fn serve_piped(home: &Path, args: &[&str], log: &str) -> (Child, mpsc::Receiver<String>) {
    let mut cmd = isolated(BIN, home);
    cmd.env_remove("NO_COLOR")
        .env("WARDEN_LOG", log)
        .env("WARDEN_ADMIN_TOKEN", crate::support::cli::ADMIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn warden serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Raw lines, not lossy ones: an ESC byte must survive to the check.
        for line in BufReader::new(stderr).split(b'\n') {
            let Ok(line) = line else { break };
            let _ = tx.send(String::from_utf8_lossy(&line).into_owned());
        }
    });
    (child, rx)
}

/// Lines from `rx` up to and including the first that contains `needle`;
/// panics with what came after 30 s.
pub fn lines_until(rx: &mpsc::Receiver<String>, needle: &str) -> Vec<String> {
    let end = Instant::now() + Duration::from_secs(30);
    let mut lines = Vec::new();
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                let done = line.contains(needle);
                lines.push(line);
                if done {
                    return lines;
                }
            }
            Err(_) => break,
        }
    }
    panic!("no stderr line with {needle:?}; got:\n{}", lines.join("\n"));
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn the_default_database_is_0600_in_a_0700_directory() {
    let home = tempfile::tempdir().expect("tempdir");
    let (mut child, rx) = serve_piped(home.path(), &[], "warn");
    lines_until(&rx, "warden: listening on");
    let dir = home.path().join("data").join("warden");
    assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    for file in ["warden.db", "warden.db-wal", "warden.db-shm"] {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_new_database_directory_is_0700_and_an_old_readable_database_is_tightened() {
    let home = tempfile::tempdir().expect("tempdir");
    // A fresh path: every directory on it is made, and made private.
    let fresh = home.path().join("srv").join("warden").join("w.db");
    let arg = format!("--database=sqlite:{}", fresh.display());
    let (mut child, rx) = serve_piped(home.path(), &[&arg], "warn");
    lines_until(&rx, "warden: listening on");
    let _ = child.kill();
    let _ = child.wait();
    for dir in [fresh.parent().expect("dir"), &home.path().join("srv")] {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }
    assert_eq!(mode(&fresh), 0o600);

    // One left world-readable, as an older Warden made them.
    for file in ["w.db", "w.db-wal", "w.db-shm"] {
        let path = fresh.with_file_name(file);
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let (mut child, rx) = serve_piped(home.path(), &[&arg], "warn");
    let lines = lines_until(&rx, "warden: listening on");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(mode(&fresh), 0o600);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("readable by other users") && l.contains("w.db")),
        "no note that the database was tightened:\n{}",
        lines.join("\n")
    );
}

#[test]
fn the_log_has_no_escape_codes_when_stderr_is_not_a_terminal() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = format!("--database=sqlite:{}", home.path().join("w.db").display());
    let (mut child, rx) = serve_piped(home.path(), &[&db], "info");
    // `serving` is the first line through the log's formatter, at info.
    let lines = lines_until(&rx, "serving");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        lines.iter().any(|l| l.contains("INFO")),
        "no log line: {lines:?}"
    );
    let coloured: Vec<&String> = lines.iter().filter(|l| l.contains('\x1b')).collect();
    assert!(coloured.is_empty(), "escape codes in the log: {coloured:?}");
}
