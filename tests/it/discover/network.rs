//! The network side of `warden discover` against real agents from the
//! official SDKs: A2A cards served by `a2a-sdk` (with and without
//! authentication, at the 1.0 path and the older one), an MCP server of
//! the `mcp` SDK probed over streamable HTTP for its tools; and what must
//! only warn: an HTML page where a card should be, a server that hangs.

use super::{discover, discover_json, finding};
use crate::support::agents::{PyAgent, hanging};
use serde_json::Value;

fn flags(f: &Value) -> Vec<&str> {
    f["flags"]
        .as_array()
        .map(|a| a.iter().map(|x| x.as_str().unwrap()).collect())
        .unwrap_or_default()
}

#[test]
fn agent_cards_are_read_and_flagged_and_bad_ones_only_warn() {
    let Some(secured) = PyAgent::start("card-auth") else {
        return;
    };
    let Some(open) = PyAgent::start("card-old-noauth") else {
        return;
    };
    let Some(html) = PyAgent::start("html") else {
        return;
    };
    let hung = hanging();
    let dir = tempfile::tempdir().unwrap();
    // The open agent and the hung one come from a list file.
    let list = dir.path().join("agents.txt");
    std::fs::write(
        &list,
        format!("# agents to check\n{}\n\n{}\n", open.base, hung.url),
    )
    .unwrap();
    let at_list = format!("@{}", list.display());
    let args = [
        "--a2a",
        &secured.base,
        "--a2a",
        &at_list,
        "--a2a",
        &html.base,
        "--timeout",
        "2",
        "--host",
        "scanner",
    ];
    let r = discover(&args);
    r.assert_code(0);
    let report = discover_json(&args);
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        2,
        "{report:#}"
    );

    let card = finding(&report, "Invoice agent");
    assert_eq!(card["kind"], "a2a-agent");
    assert_eq!(card["client"], "a2a");
    assert_eq!(
        card["location"],
        format!("{}/.well-known/agent-card.json", secured.base)
    );
    assert_eq!(card["url"], format!("{}/a2a", secured.base));
    assert_eq!(
        card["capabilities"],
        serde_json::json!(["Read invoices", "Refund"])
    );
    assert_eq!(card["details"]["provider"], "Finance");
    assert_eq!(card["details"]["version"], "1.4.0");
    assert!(
        card["details"]["security"]
            .as_str()
            .unwrap()
            .contains("bearer"),
        "{card:#}"
    );
    assert_eq!(flags(card), ["plain-http"]);

    // Found at the older path, with no security scheme.
    let open_card = finding(&report, "Open helper");
    assert_eq!(
        open_card["location"],
        format!("{}/.well-known/agent.json", open.base)
    );
    assert_eq!(flags(open_card), ["no-auth", "plain-http"]);

    let warned = |what: &str, words: &str| {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.contains(what) && l.contains(words)),
            "no warning for {what} saying {words:?}:\n{}",
            r.stderr
        );
    };
    warned(&html.base, "HTML page");
    warned(&hung.url, "did not answer in time");
    assert!(
        r.stdout.contains("Invoice agent") && r.stdout.contains("no-auth,plain-http"),
        "{}",
        r.stdout
    );
}

#[test]
fn probe_lists_the_tools_of_an_http_mcp_server_and_warns_on_a_hung_one() {
    let Some(mcp) = PyAgent::start("mcp") else {
        return;
    };
    let hung = hanging();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".cursor")).unwrap();
    std::fs::write(
        home.path().join(".cursor/mcp.json"),
        format!(
            r#"{{"mcpServers": {{"invoices": {{"url": "{}/mcp"}}, "stuck": {{"url": "{}/mcp"}}, "local": {{"command": "never-run-me"}}}}}}"#,
            mcp.base, hung.url
        ),
    )
    .unwrap();
    let home_arg = home.path().to_str().unwrap();
    let unprobed = discover_json(&["--home", home_arg]);
    assert!(finding(&unprobed, "invoices")["capabilities"].is_null());
    let args = ["--home", home_arg, "--probe", "--timeout", "2"];
    let report = discover_json(&args);
    let invoices = finding(&report, "invoices");
    assert_eq!(
        invoices["capabilities"],
        serde_json::json!(["lookup_invoice", "refund"]),
        "{invoices:#}"
    );
    assert_eq!(invoices["details"]["probe"], "2 tools");
    // A stdio server is never started by --probe.
    assert!(finding(&report, "local")["capabilities"].is_null());
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w["location"].as_str().unwrap().starts_with(&hung.url)
                && w["message"]
                    .as_str()
                    .unwrap()
                    .contains("did not answer in time")),
        "{warnings:#?}"
    );
}

#[test]
fn probe_stdio_starts_servers_only_when_asked_and_stops_a_silent_one() {
    let Some(python) = crate::support::python::with_module("mcp", "mcp") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let marker = home.path().join("ran");
    let config = serde_json::json!({"mcpServers": {
        "notes": {"command": python, "args": ["-c", crate::support::agents::SCRIPT, "mcp-stdio"],
                  "env": {"NOTES_TOKEN": "q8Zr2LmX0vPa7Wd9Kt"}},
        "marker": {"command": "sh", "args": ["-c", format!("touch {}", marker.display())]},
        "silent": {"command": "sleep", "args": ["30"]},
    }});
    std::fs::create_dir_all(home.path().join(".cursor")).unwrap();
    std::fs::write(home.path().join(".cursor/mcp.json"), config.to_string()).unwrap();
    let home_arg = home.path().to_str().unwrap();

    let report = discover_json(&["--home", home_arg, "--probe"]);
    assert!(!marker.exists(), "--probe ran a stdio command");
    assert!(finding(&report, "notes")["capabilities"].is_null());

    let started = std::time::Instant::now();
    let report = discover_json(&["--home", home_arg, "--probe-stdio", "--timeout", "10"]);
    assert_eq!(
        finding(&report, "notes")["capabilities"],
        serde_json::json!(["read_notes"]),
        "{report:#}"
    );
    assert!(marker.exists(), "--probe-stdio did not start the command");
    let warnings = report["warnings"].as_array().unwrap();
    let about = |name: &str, words: &str| {
        warnings.iter().any(|w| {
            w["location"]
                .as_str()
                .unwrap()
                .ends_with(&format!("({name})"))
                && w["message"].as_str().unwrap().contains(words)
        })
    };
    assert!(about("marker", "exited before answering"), "{warnings:#?}");
    assert!(about("silent", "did not answer in time"), "{warnings:#?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(28),
        "the silent server was waited for"
    );
    // The env value went to the server, never to the output.
    assert!(!report.to_string().contains("q8Zr2LmX0vPa7Wd9Kt"));
}
