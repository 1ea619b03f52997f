//! The grammar of `warden discover`: where to look, how to print, and
//! whether to report to a backend.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "\
Where it looks (none of --home, --all-homes, --root, --a2a, --vault given: your own home):
  user configs under each home, in the layouts of Linux, macOS and Windows:
    Claude Desktop  Claude/claude_desktop_config.json (in .config, Library/
                    Application Support, AppData/Roaming)
    Claude Code     ~/.claude.json (user servers, and per-project ones)
    Cursor          ~/.cursor/mcp.json
    VS Code         Code/User/mcp.json and settings.json (also Insiders, VSCodium),
                    and each profile's under Code/User/profiles/ID/
    Windsurf        ~/.codeium/windsurf/mcp_config.json
    Zed             ~/.config/zed/settings.json (context_servers)
    Codex CLI       ~/.codex/config.toml ([mcp_servers.NAME])
    Gemini CLI      ~/.gemini/settings.json
    Continue        ~/.continue/config.yaml, config.json, mcpServers/*
    Cline, Roo Code Code/User/globalStorage/<extension>/settings/ (also in
                    Cursor and Windsurf)
    Copilot CLI     ~/.copilot/mcp-config.json
  project configs under each --root, honouring .gitignore like ripgrep:
    .mcp.json, .cursor/mcp.json, .vscode/mcp.json, .vscode/settings.json,
    .gemini/settings.json, .zed/settings.json, .codex/config.toml,
    .continue/mcpServers/*.yaml|json, .roo/mcp.json
  A2A agent cards of --a2a URLs: name, provider, endpoint, version, skills
  and security schemes; flagged no-auth without a scheme, plain-http over
  http://. A page that is HTML, a server that hangs: a warning.

Secrets are never printed: each plaintext key in a server's env, args,
headers or URL shows as its kind, its field and its SHA-256 fingerprint
(the one rule R07 matches). References such as ${env:X}, ${input:x} and $X
are not secrets. A file that cannot be read (malformed, binary, too large,
unreadable, a link loop) is a warning on stderr naming it; the scan goes on.

With --register, the findings go to the backend as agents (origin
`discovered`, no owner, so rule R01 flags them; each secret a credential
known only by its fingerprint, so R07 links a key two agents hold). The
source is the host and what was scanned: run the same scan again and what
disappeared is marked gone. A token for laptops and CI jobs that can do
nothing else: `warden token create --role discoverer --name laptops`.

Exit codes: 0 the scan ran (whatever it found), 1 a backend refused
--register, 2 bad usage.

Examples:
  warden discover
  warden discover --root ~/src --format sarif > discover.sarif
  warden discover --a2a https://agents.corp.example --a2a @more-agents.txt
  warden discover --probe                  # list the tools of HTTP MCP servers
  sudo warden discover --all-homes --json | jq '.findings[] | select(.secrets)'
  WARDEN_TOKEN=… warden discover --root ~/src --register --url https://warden.corp:7878")]
pub struct DiscoverArgs {
    /// Read the user configs under this home directory (repeatable)
    #[arg(long = "home", value_name = "DIR")]
    pub homes: Vec<PathBuf>,
    /// Read the user configs of every home directory on this host (/home/*,
    /// /Users/*, /root, the people of /etc/passwd); needs root to read others'
    #[arg(long)]
    pub all_homes: bool,
    /// Walk this directory for project-level configs (repeatable)
    #[arg(long = "root", value_name = "DIR")]
    pub roots: Vec<PathBuf>,
    /// Fetch the A2A agent card of this URL (/.well-known/agent-card.json,
    /// else the older agent.json), or of each URL listed in @FILE, one a
    /// line (repeatable)
    #[arg(long = "a2a", value_name = "URL|@FILE")]
    pub a2a: Vec<String>,
    /// Ask each MCP server found with a streamable-HTTP URL for its tools
    /// (initialize, tools/list); no credential from a config is sent
    #[arg(long)]
    pub probe: bool,
    /// Also start each stdio MCP server found (its config's command, args
    /// and env) to ask for its tools; this RUNS THE COMMANDS in the configs,
    /// so it is never done without this flag
    #[arg(long)]
    pub probe_stdio: bool,
    /// Also list the identities of each configured OpenBao / Vault backend
    /// ([[backend]] kind = "vault") that no Warden agent claims, as
    /// `warden vault ls --unclaimed` links them
    #[arg(long)]
    pub vault: bool,
    /// Seconds each network request may take (cards, probes)
    #[arg(long, default_value_t = 5, value_name = "S",
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
    /// The host name findings record [default: this machine's]
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
    /// How to print the findings
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<DiscoverFormat>,
    /// Same as --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Also report the findings to the backend (--url/WARDEN_URL, or the
    /// config's): each becomes an unowned agent with origin `discovered`;
    /// a second run updates them, and marks gone what this source no longer
    /// finds. Needs a token with the discoverer or admin role
    #[arg(long)]
    pub register: bool,
}

/// What `warden discover` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiscoverFormat {
    /// Aligned tables for people
    Table,
    /// One JSON document: findings, warnings, counts
    Json,
    /// SARIF 2.1.0, for code-scanning tools
    Sarif,
}
