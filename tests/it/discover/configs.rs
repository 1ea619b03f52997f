//! Each client's format, read from its fixture: the servers it names, how
//! they run, and the secrets in them by kind and field, never by value.

use super::{discover_json, finding, fixtures};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn home_report() -> Value {
    let home = fixtures().join("home");
    discover_json(&["--home", home.to_str().unwrap(), "--host", "laptop-7"])
}

fn repo_report() -> Value {
    let repo = fixtures().join("repo");
    discover_json(&["--root", repo.to_str().unwrap(), "--host", "laptop-7"])
}

/// Checks one finding: client, scope, transport, file, and its secrets as
/// `(kind, field)` pairs.
#[track_caller]
fn expect(
    report: &Value,
    name: &str,
    client: &str,
    scope: &str,
    transport: &str,
    file: &str,
    secrets: &[(&str, &str)],
) {
    let f = finding(report, name);
    assert_eq!(f["client"], client, "{f:#}");
    assert_eq!(f["scope"], scope, "{f:#}");
    assert_eq!(f["transport"], transport, "{f:#}");
    assert_eq!(f["host"], "laptop-7");
    assert!(f["location"].as_str().unwrap().ends_with(file), "{f:#}");
    let got: Vec<(String, String)> = f["secrets"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| {
                    (
                        s["kind"].as_str().unwrap().into(),
                        s["field"].as_str().unwrap().into(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let want: Vec<(String, String)> = secrets
        .iter()
        .map(|(k, f)| (k.to_string(), f.to_string()))
        .collect();
    assert_eq!(got, want, "{name}: {f:#}");
}

fn sha256(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

#[test]
fn claude_desktop() {
    let r = home_report();
    let file = ".config/Claude/claude_desktop_config.json";
    expect(
        &r,
        "github",
        "claude-desktop",
        "user",
        "stdio",
        file,
        &[("github", "env.GITHUB_PERSONAL_ACCESS_TOKEN")],
    );
    expect(
        &r,
        "filesystem",
        "claude-desktop",
        "user",
        "stdio",
        file,
        &[],
    );
    let gh = finding(&r, "github");
    assert_eq!(gh["command"], "docker");
    assert_eq!(gh["env"][0], "GITHUB_PERSONAL_ACCESS_TOKEN");
    assert_eq!(
        gh["secrets"][0]["fingerprint"],
        sha256("ghp_FAKE0fixture0token0for0warden0tests1")
    );
}

#[test]
fn claude_code_user_local_and_project() {
    let r = home_report();
    // A reference in a header is not a secret.
    expect(
        &r,
        "sentry",
        "claude-code",
        "user",
        "http",
        ".claude.json",
        &[],
    );
    expect(
        &r,
        "shop-db",
        "claude-code",
        "local",
        "stdio",
        ".claude.json",
        &[("url-password", "args[2]")],
    );
    let shop = finding(&r, "shop-db");
    assert_eq!(shop["project"], "/home/ada/src/shop");
    assert_eq!(
        shop["args"][2],
        "postgresql://shop:[redacted url-password]@db.internal:5432/shop"
    );
    let r = repo_report();
    expect(
        &r,
        "warden-ops",
        "claude-code",
        "project",
        "http",
        "repo/.mcp.json",
        &[("warden", "headers.Authorization")],
    );
    expect(
        &r,
        "context7",
        "claude-code",
        "project",
        "stdio",
        "repo/.mcp.json",
        &[],
    );
    // A Warden secret's fingerprint is its stored hash: R07 links them.
    assert_eq!(
        finding(&r, "warden-ops")["secrets"][0]["fingerprint"],
        sha256("wdn_ac_FAKEfixture0123456789abcdefghijABCDEFGHI")
    );
}

#[test]
fn cursor_user_and_project_with_comments_and_trailing_commas() {
    let r = home_report();
    expect(
        &r,
        "linear",
        "cursor",
        "user",
        "sse",
        ".cursor/mcp.json",
        &[("bearer", "headers.Authorization")],
    );
    expect(
        &r,
        "stripe",
        "cursor",
        "user",
        "stdio",
        ".cursor/mcp.json",
        &[("stripe", "args[3]")],
    );
    expect(
        &r,
        "notes",
        "cursor",
        "user",
        "stdio",
        ".cursor/mcp.json",
        &[],
    );
    assert_eq!(
        finding(&r, "stripe")["args"][3],
        "--api-key=[redacted stripe]"
    );
    let r = repo_report();
    expect(
        &r,
        "gitlab",
        "cursor",
        "project",
        "stdio",
        "repo/.cursor/mcp.json",
        &[("gitlab", "env.GITLAB_PERSONAL_ACCESS_TOKEN")],
    );
}

#[test]
fn vscode_servers_inputs_profiles_and_settings() {
    let r = home_report();
    let file = ".config/Code/User/mcp.json";
    expect(&r, "github-remote", "vscode", "user", "http", file, &[]);
    expect(
        &r,
        "openai-helper",
        "vscode",
        "user",
        "stdio",
        file,
        &[("openai", "env.OPENAI_API_KEY")],
    );
    assert!(
        finding(&r, "github-remote")["details"]["inputs"]
            .as_str()
            .unwrap()
            .contains("github_pat")
    );
    expect(
        &r,
        "time",
        "vscode",
        "user",
        "stdio",
        ".config/Code/User/settings.json",
        &[],
    );
    // Another profile's own mcp.json; the input reference is no secret.
    expect(
        &r,
        "work-jira",
        "vscode",
        "user",
        "stdio",
        ".config/Code/User/profiles/-4f2a91c7/mcp.json",
        &[("slack", "env.SLACK_BOT_TOKEN")],
    );
    expect(
        &r,
        "mac-memory",
        "vscode",
        "user",
        "stdio",
        "Library/Application Support/Code/User/mcp.json",
        &[],
    );
    let r = repo_report();
    expect(
        &r,
        "huggingface",
        "vscode",
        "project",
        "http",
        "repo/.vscode/mcp.json",
        &[],
    );
    expect(
        &r,
        "api-stripe",
        "vscode",
        "project",
        "stdio",
        "services/api/.vscode/mcp.json",
        &[("stripe", "env.STRIPE_SECRET_KEY")],
    );
}

#[test]
fn windsurf_server_url_and_plain_http() {
    let r = home_report();
    let file = ".codeium/windsurf/mcp_config.json";
    expect(
        &r,
        "slack",
        "windsurf",
        "user",
        "stdio",
        file,
        &[("slack", "env.SLACK_BOT_TOKEN")],
    );
    expect(&r, "intranet", "windsurf", "user", "http", file, &[]);
    let intranet = finding(&r, "intranet");
    assert_eq!(intranet["url"], "http://10.20.0.5:8080/mcp");
    assert!(
        intranet["flags"]
            .as_array()
            .unwrap()
            .contains(&"plain-http".into())
    );
}

#[test]
fn zed_context_servers_new_old_and_extension() {
    let r = home_report();
    let file = ".config/zed/settings.json";
    expect(
        &r,
        "brave-search",
        "zed",
        "user",
        "stdio",
        file,
        &[("generic", "env.BRAVE_API_KEY")],
    );
    expect(&r, "legacy-tool", "zed", "user", "stdio", file, &[]);
    assert_eq!(
        finding(&r, "legacy-tool")["command"],
        "/usr/local/bin/legacy-mcp"
    );
    assert_eq!(finding(&r, "legacy-tool")["args"][0], "--stdio");
    expect(
        &r,
        "postgres-context-server",
        "zed",
        "user",
        "stdio",
        file,
        &[("url-password", "settings.database_url")],
    );
    let r = repo_report();
    expect(
        &r,
        "repo-tools",
        "zed",
        "project",
        "stdio",
        "repo/.zed/settings.json",
        &[],
    );
}

#[test]
fn codex_toml_tables() {
    let r = home_report();
    let file = ".codex/config.toml";
    expect(&r, "docs", "codex", "user", "stdio", file, &[]);
    expect(
        &r,
        "claude-proxy",
        "codex",
        "user",
        "stdio",
        file,
        &[("anthropic", "env.ANTHROPIC_API_KEY")],
    );
    // A token named by its variable is a reference.
    expect(&r, "figma", "codex", "user", "http", file, &[]);
    expect(&r, "old", "codex", "user", "stdio", file, &[]);
    assert_eq!(finding(&r, "old")["disabled"], true);
    assert_eq!(finding(&r, "docs")["disabled"], false);
    let r = repo_report();
    expect(
        &r,
        "repo-search",
        "codex",
        "project",
        "stdio",
        "repo/.codex/config.toml",
        &[],
    );
}

#[test]
fn gemini_user_and_project() {
    let r = home_report();
    let file = ".gemini/settings.json";
    expect(
        &r,
        "weather",
        "gemini",
        "user",
        "http",
        file,
        &[("generic", "headers.X-API-Key")],
    );
    expect(&r, "maps", "gemini", "user", "stdio", file, &[]);
    let r = repo_report();
    expect(
        &r,
        "bigquery",
        "gemini",
        "project",
        "stdio",
        "repo/.gemini/settings.json",
        &[("google", "env.GOOGLE_API_KEY")],
    );
}

#[test]
fn continue_yaml_blocks_and_json_blocks() {
    let r = home_report();
    let file = ".continue/config.yaml";
    expect(
        &r,
        "aws-docs",
        "continue",
        "user",
        "stdio",
        file,
        &[
            ("aws", "env.AWS_ACCESS_KEY_ID"),
            ("aws", "env.AWS_SECRET_ACCESS_KEY"),
        ],
    );
    // `${{ secrets.X }}` is Continue's reference.
    expect(&r, "sentry-remote", "continue", "user", "http", file, &[]);
    expect(
        &r,
        "Browser search",
        "continue",
        "user",
        "stdio",
        ".continue/mcpServers/playwright.yaml",
        &[],
    );
    let r = repo_report();
    expect(
        &r,
        "hf-datasets",
        "continue",
        "project",
        "stdio",
        "repo/.continue/mcpServers/hf.json",
        &[("hugging-face", "env.HF_TOKEN")],
    );
}

/// The Cline and Roo Code extensions (in VS Code, Cursor or Windsurf, in
/// the Linux, macOS and Windows layouts) and GitHub Copilot CLI: each an
/// `mcpServers` file of its own.
#[test]
fn cline_roo_code_and_copilot_cli() {
    let r = home_report();
    let cline =
        ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json";
    expect(
        &r,
        "cline-brave",
        "cline",
        "user",
        "stdio",
        cline,
        &[("github", "env.GITHUB_PERSONAL_ACCESS_TOKEN")],
    );
    expect(&r, "cline-docs", "cline", "user", "http", cline, &[]);
    assert_eq!(finding(&r, "cline-docs")["disabled"], true);
    expect(
        &r,
        "roo-postgres",
        "roo-code",
        "user",
        "stdio",
        "AppData/Roaming/Cursor/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
        &[("url-password", "args[2]")],
    );
    expect(
        &r,
        "copilot-linear",
        "copilot-cli",
        "user",
        "http",
        ".copilot/mcp-config.json",
        &[("bearer", "headers.Authorization")],
    );
}

#[test]
fn the_walk_honours_gitignore_and_counts_every_finding_once() {
    let r = repo_report();
    let names: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"must-not-be-found"), "{names:?}");
    assert_eq!(names.len(), 9, "{names:?}");
    // The home as a root too: each file still read once.
    let home = fixtures().join("home");
    let both = discover_json(&[
        "--home",
        home.to_str().unwrap(),
        "--root",
        home.to_str().unwrap(),
    ]);
    let keys: Vec<&str> = both["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(keys.len(), unique.len());
}

#[test]
fn keys_are_stable_across_runs_and_working_directories() {
    let a = home_report();
    let b = home_report();
    let keys = |r: &Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys(&a), keys(&b));
    assert_eq!(a["findings"].as_array().unwrap().len(), 30);
}
