//! The fixed fleet with four agents `warden discover --register` reported,
//! as the backend stores them (labels `origin=discovered` and
//! `discovery.*`, each plaintext secret a credential named `KIND key`,
//! scoped `discovered:FIELD`, carrying its fingerprint): an MCP server in
//! Ada's Claude Code config with a GitHub and an OpenAI key (and a Slack
//! token since removed), the same GitHub key in Bob's Cursor config, an A2A
//! card with no authentication, and a VS Code project server that is gone.

use super::fleet::{self, agent, credential, wall};
use chrono::Duration;
use sha2::{Digest, Sha256};
use warden::api::Changes;
use warden::model::*;
use warden::tui::app::App;
use warden::tui::views::Clock;

/// The fingerprint of the made-up secret `text`.
pub fn fingerprint(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub const GITHUB: &str = "ghp_fixture_github_token_of_ada";

fn discovered(id: &str, name: &str, kind: AgentKind, labels: &[(&str, &str)]) -> Agent {
    let mut a = agent(id, name, kind, "unknown", None, AgentStatus::Active);
    a.runtime = None;
    a.created_by = Some("laptops".into());
    a.description = Some(format!("Discovered {name}"));
    a.labels = [("origin", "discovered"), ("discovery.state", "present")]
        .iter()
        .chain(labels)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    a
}

fn secret(id: &str, agent: &str, kind: &str, field: &str, text: &str, live: bool) -> Credential {
    let status = if live {
        CredentialStatus::Active
    } else {
        CredentialStatus::Revoked
    };
    Credential {
        scopes: vec![format!("discovered:{field}")],
        prefix: format!("{kind} key"),
        last_used_at: None,
        revoked_at: (!live).then(|| wall() - Duration::hours(3)),
        revoked_reason: (!live).then(|| "no longer in the config".into()),
        fingerprint: Some(fingerprint(text)),
        ..credential(id, agent, None, status)
    }
}

/// The discovered agents and their secrets.
pub fn changes() -> Changes {
    let mut gone = discovered(
        "agt_disc_notes",
        "notes (vscode@laptop-ada)",
        AgentKind::McpServer,
        &[
            ("discovery.kind", "mcp-server"),
            ("discovery.client", "vscode"),
            ("discovery.scope", "project"),
            ("discovery.host", "laptop-ada"),
            ("discovery.location", "/home/ada/src/app/.vscode/mcp.json"),
            ("discovery.project", "/home/ada/src/app"),
            ("discovery.transport", "http"),
            ("discovery.flags", "plaintext-secret,plain-http"),
        ],
    );
    gone.labels.insert("discovery.state".into(), "gone".into());
    Changes {
        cursor: 20,
        agents: vec![
            discovered(
                "agt_disc_github",
                "github (claude-code@laptop-ada)",
                AgentKind::McpServer,
                &[
                    ("discovery.kind", "mcp-server"),
                    ("discovery.client", "claude-code"),
                    ("discovery.scope", "user"),
                    ("discovery.host", "laptop-ada"),
                    ("discovery.location", "/home/ada/.claude.json"),
                    ("discovery.transport", "stdio"),
                    ("discovery.flags", "plaintext-secret,runs-command"),
                ],
            ),
            discovered(
                "agt_disc_cursor",
                "github (cursor@laptop-bob)",
                AgentKind::McpServer,
                &[
                    ("discovery.kind", "mcp-server"),
                    ("discovery.client", "cursor"),
                    ("discovery.scope", "user"),
                    ("discovery.host", "laptop-bob"),
                    ("discovery.location", "/home/bob/.cursor/mcp.json"),
                    ("discovery.transport", "stdio"),
                    ("discovery.flags", "plaintext-secret,runs-command"),
                ],
            ),
            discovered(
                "agt_disc_travel",
                "travel-agent (a2a@ci-runner)",
                AgentKind::Autonomous,
                &[
                    ("discovery.kind", "a2a-agent"),
                    ("discovery.client", "a2a"),
                    ("discovery.scope", "network"),
                    ("discovery.host", "ci-runner"),
                    (
                        "discovery.location",
                        "http://travel.corp.example/.well-known/agent-card.json",
                    ),
                    ("discovery.transport", "a2a"),
                    ("discovery.flags", "no-auth,plain-http"),
                    ("discovery.capabilities", "book_flight,cancel_booking"),
                ],
            ),
            gone,
        ],
        credentials: vec![
            secret(
                "crd_d1",
                "agt_disc_github",
                "github",
                "env.GITHUB_TOKEN",
                GITHUB,
                true,
            ),
            secret(
                "crd_d2",
                "agt_disc_github",
                "openai",
                "env.OPENAI_API_KEY",
                "sk-ada",
                true,
            ),
            secret(
                "crd_d3",
                "agt_disc_github",
                "slack",
                "env.SLACK_TOKEN",
                "xoxb-old",
                false,
            ),
            secret(
                "crd_d4",
                "agt_disc_cursor",
                "github",
                "env.GITHUB_TOKEN",
                GITHUB,
                true,
            ),
            secret(
                "crd_d5",
                "agt_disc_notes",
                "anthropic",
                "headers.x-api-key",
                "sk-ant-x",
                false,
            ),
        ],
        ..Changes::default()
    }
}

/// The fixed fleet and the discovered agents, synced as one.
pub fn app() -> (App, Clock) {
    let mut all = fleet::changes();
    let extra = fleet::rewritten(changes());
    all.agents.extend(extra.agents);
    all.credentials.extend(extra.credentials);
    fleet::synced(all)
}
