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
