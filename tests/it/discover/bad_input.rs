//! Bad input never stops a scan: a malformed JSON, TOML or YAML file, a
//! 100 MB file, a binary file, a symbolic-link loop, an unreadable
//! directory, a config path that is a directory, a root that does not
//! exist: each is one warning naming it, and every good file is still read.

use super::discover;
use crate::support::cli::{Run, warden};
use std::fs;
use std::path::Path;

fn write(path: &Path, text: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const GOOD: &[u8] = br#"{"mcpServers": {"good-one": {"command": "ok-mcp"}}}"#;

#[test]
fn every_bad_file_is_a_warning_naming_it_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    write(&root.join("good/.mcp.json"), GOOD);
    write(&root.join("json/.mcp.json"), b"{\"mcpServers\": {\"x\": ");
    write(
        &root.join("toml/.codex/config.toml"),
        b"[mcp_servers.x\ncommand = ",
    );
    write(
        &root.join("yaml/.continue/mcpServers/x.yaml"),
        b"mcpServers:\n  - name: [unclosed\n",
    );
    write(
        &root.join("binary/.cursor/mcp.json"),
        b"{\"a\": \"\x00\x01\x02\"}",
    );
    write(
        &root.join("latin1/.vscode/mcp.json"),
        b"{\"servers\": {\"caf\xe9\": {}}}",
    );
    let big = root.join("big/.mcp.json");
    fs::create_dir_all(big.parent().unwrap()).unwrap();
    // 100 MB without writing 100 MB: a sparse file.
    fs::File::create(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    std::os::unix::fs::symlink(&root, root.join("good/loop")).unwrap();
    let home = dir.path().join("home");
    fs::create_dir_all(home.join(".cursor/mcp.json")).unwrap();
    write(&home.join(".gemini/settings.json"), b"not json at all");

    let r = discover(&[
        "--root",
        root.to_str().unwrap(),
        "--home",
        home.to_str().unwrap(),
        "--root",
        dir.path().join("absent").to_str().unwrap(),
    ]);
    r.assert_code(0);
    assert!(r.stdout.contains("good-one"), "{}", r.stdout);
    let warned = |file: &str, words: &str| {
        assert!(
            r.stderr.lines().any(|l| l.starts_with("warden: warning: ")
                && l.contains(file)
                && l.contains(words)),
            "no warning for {file} saying {words:?}:\n{}",
            r.stderr
        );
    };
    warned("json/.mcp.json", "not valid JSON");
    warned("toml/.codex/config.toml", "not valid TOML");
    warned("yaml/.continue/mcpServers/x.yaml", "not valid YAML");
    warned("binary/.cursor/mcp.json", "binary");
    warned("latin1/.vscode/mcp.json", "not UTF-8");
    warned("big/.mcp.json", "100 MiB, over the 16 MiB");
    warned("good/loop", "loop");
    warned(".cursor/mcp.json", "not a regular file");
    warned(".gemini/settings.json", "not valid JSON");
    warned("absent", "not a directory");
}

#[test]
fn an_unreadable_directory_is_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let root = dir.path().join("root");
    write(&root.join("open/.mcp.json"), GOOD);
    write(&root.join("locked/.mcp.json"), GOOD);
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    let home = tempfile::tempdir().unwrap();
    fs::set_permissions(home.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = warden(home.path());
    cmd.args(["discover", "--root", root.to_str().unwrap()]);
    // Root reads everything: run the scan as nobody.
    if rustix::process::geteuid().is_root() {
        cmd.uid(65534).gid(65534);
    }
    let r = Run::of(&mut cmd);
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    r.assert_code(0);
    assert!(r.stdout.contains("good-one"), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("locked") && r.stderr.contains("ermission denied"),
        "{}",
        r.stderr
    );
}
