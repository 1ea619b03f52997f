//! The command line's grammar: every subcommand and option of the contract,
//! with the one-line docs `--help` shows. Parsing only; what each command
//! does lives in `commands/`.

pub use crate::duration::{parse_grace, parse_ttl};

pub mod audit;
mod directory;
mod discover;
mod guardrails;
mod json;
mod kill;
mod token;
mod vault;
use crate::model::{AgentKind, Role};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
pub use directory::*;
pub use discover::*;
pub use guardrails::*;
pub use json::args_want_json;
pub use kill::*;
use std::net::SocketAddr;
use std::path::PathBuf;
pub use token::*;
pub use vault::*;

const QUICK_START: &str = "\
The dashboard is the default command: `warden` with no subcommand opens it
on --url/WARDEN_URL, else on the first [[backend]] of kind \"warden\" in the
config file, else on the embedded local registry (a database in the platform
data dir). `warden demo` opens it on a simulated live fleet.

Dashboard keys: j/k move, enter opens, / filters, f freezes, K kills (with a
dialog), o reassigns the owner, ? shows every key, q quits.

Quick start:
  # 1. Start the reference backend with an admin token (keep it running):
  export WARDEN_ADMIN_TOKEN=\"wdn_pt_$(openssl rand -hex 20)\"
  warden serve &

  # 2. Point the command line at it:
  export WARDEN_URL=http://127.0.0.1:7878 WARDEN_TOKEN=\"$WARDEN_ADMIN_TOKEN\"

  # 3. Inventory: a person, an agent they own, a credential for it:
  warden person add \"Ada Lovelace\" ada@example.com --team payments
  warden register support-bot --kind chatbot --env prod --owner ada@example.com
  warden issue support-bot --scope tickets:read --ttl 30d

  # 4. Look, then act:
  warden                        # the dashboard, on WARDEN_URL
  warden agents --filter 'env:prod !owner:none'
  warden suspend support-bot --reason 'INC-42: data sent to an unknown host'
  warden kill support-bot --reason 'INC-42' --cascade

Backends: --url/WARDEN_URL with --token/WARDEN_TOKEN, else the first
[[backend]] of kind \"warden\" in the config file. Plain http:// is for this
machine only (the token would cross the network in clear): use https://,
with --ca-cert PATH for a private CA, or pass --allow-insecure-http.

Exit codes: 0 success, 1 the backend refused, failed or could not be reached,
2 bad usage, 3 not found, 4 cancelled at a prompt (nothing changed),
5 --expect did not match what --filter found (nothing changed).
With --json a failure is also one JSON document on stdout,
{\"error\":{\"code\":\"…\",\"message\":\"…\"}}: the backend's code (forbidden,
conflict, not_found, …) or ours (unreachable, timeout, usage, cancelled,
count_mismatch, failed).";

/// Oversee AI agents as identities: inventory, owners, credentials, alerts,
/// and a verified kill switch. With no command, opens the dashboard.
#[derive(Debug, Parser)]
#[command(
    name = "warden",
    version,
    about,
    after_help = QUICK_START,
    propagate_version = true,
    subcommand_required = false,
    subcommand_value_name = "COMMAND",
    subcommand_help_heading = "Commands (none: the dashboard)"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
    /// None: the dashboard.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options of the dashboard (`warden` with no command, and `warden demo`).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Dashboard options")]
pub struct DashboardArgs {
    /// Dashboard only: look, never act (also `readonly = true` in the config)
    #[arg(long)]
    pub readonly: bool,
    /// Dashboard only: colour theme, one of default, light, high-contrast,
    /// colorblind, or NAME.toml in the config dir's themes/ (also `theme` in
    /// the config; NO_COLOR wins)
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
}

/// Where the backend is, for every command that talks to one.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Backend options")]
pub struct Global {
    /// Backend URL to use instead of the configured ones, e.g. http://127.0.0.1:7878
    #[arg(long, env = "WARDEN_URL", global = true, value_name = "URL")]
    pub url: Option<String>,
    /// Bearer token for that backend
    #[arg(
        long,
        env = "WARDEN_TOKEN",
        global = true,
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Config file [default: config.toml in the platform config dir]
    #[arg(long, env = "WARDEN_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Allow plain http:// to a backend that is not on this machine (the
    /// token then crosses the network in clear); loopback needs no flag
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,
    /// Also trust the CA certificates in this PEM file, for a backend with
    /// a private or self-signed certificate
    #[arg(long, env = "WARDEN_CA_CERT", global = true, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A simulated live fleet on an in-process backend, and the dashboard on it
    Demo(DemoArgs),
    /// Run the reference governance backend (admin token from WARDEN_ADMIN_TOKEN)
    Serve(ServeArgs),
    /// Add an agent to the inventory
    Register(RegisterArgs),
    /// The directory of people: add, list, offboard
    #[command(subcommand)]
    Person(PersonCommand),
    /// An agent's grants: list, add, remove
    #[command(subcommand)]
    Grant(GrantCommand),
    /// Issue a credential to an agent; prints the secret once
    Issue(IssueArgs),
    /// Record that PARENT (an agent or a person) delegates to agent CHILD
    Delegate(DelegateArgs),
    /// Manage person tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Automatic actions on alerts: list them, stop one, or run one now
    #[command(subcommand)]
    Guardrails(GuardrailsCommand),
    /// List agents
    Agents(AgentsArgs),
    /// Show one agent with its credentials, grants, delegations and alerts
    Agent(AgentArgs),
    /// Kill switch: revoke every credential, stop the runtime, refuse the agent for good
    Kill(KillArgs),
    /// Freeze an agent: its credentials are refused until it is resumed
    Suspend(ReasonedAgent),
    /// Unfreeze a suspended agent
    Resume(ReasonedAgent),
    /// Revoke one credential
    Revoke(RevokeArgs),
    /// Issue a replacement for a credential; retire the old one after a grace period
    Rotate(RotateArgs),
    /// Reassign an agent's owner
    Owner(OwnerArgs),
    /// List alerts
    Alerts(JsonFlag),
    /// Acknowledge an alert
    Ack(AckArgs),
    /// Snooze a Warden alert for a while (it wakes early if it escalates)
    Snooze(SnoozeArgs),
    /// End an alert's snooze now
    Unsnooze(AckArgs),
    /// The ownership triage queue with owner suggestions
    Triage(TriageArgs),
    /// The audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
    /// OpenBao / HashiCorp Vault backends: list identities, revoke one, print the policy Warden needs
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Seed an in-process backend, drive it and the dashboard, print the performance figures
    Bench(BenchArgs),
    /// Find agents nobody registered: MCP servers in the configs of Claude, Cursor, VS Code and other clients, with their plaintext secrets by fingerprint
    Discover(DiscoverArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "\
With --no-tui, only serves (until Ctrl-C) after printing, on stdout:
  WARDEN_URL=http://127.0.0.1:PORT
  WARDEN_TOKEN=wdn_pt_…        (a responder token)
For example, in a script:
  warden demo --no-tui > demo.env &
  until grep -q '^WARDEN_TOKEN=' demo.env 2>/dev/null; do sleep 0.2; done
  set -a; . ./demo.env; set +a        # exports WARDEN_URL and WARDEN_TOKEN
  warden agents --filter 'risk:high'")]
pub struct DemoArgs {
    /// How many agents to simulate
    #[arg(long, default_value_t = 200, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=crate::demo::MAX_AGENTS as i64))]
    pub agents: u32,
    /// Seed of the simulated fleet, to see the same one again [default: random, printed]
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Address the demo backend listens on
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Serve only: print WARDEN_URL and WARDEN_TOKEN, no dashboard
    #[arg(long)]
    pub no_tui: bool,
    /// Also start an OpenBao dev server (`bao`, or HashiCorp's `vault`, on the PATH), seeded with tokens and AppRole secret-ids of some agents and a few no agent claims, and watch it
    #[arg(long)]
    pub vault: bool,
    #[command(flatten)]
    pub dashboard: DashboardArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "\
What it measures, against the targets of issue 6 (at 100,000 agents and
300,000 credentials):
  render_ms            one frame of the agents view at 200x60 (median)       <= 2
  filter_ms            a filter keystroke to the new frame (median of typing
                       and erasing a word; the worst is filter_max_ms)        <= 20
                       (filter_field_ms: the same with `env:prod support`)
  sort_ms              re-sort by another column, to the new frame (median)  <= 50
  apply_changes_ms     applying a poll of 1,000 changes (median)             <= 5
  full_sync_s          first sync over loopback: fetch, parse, apply         <= 1
  client_rss_mb        the dashboard's resident memory after that sync       <= 200
  poll_p99_ms          200 clients each polling once a second, p99 latency   <= 50
  ingest_events_per_s  events accepted over HTTP (batches of 1,000)         >= 50,000
  kill_ms              kill of an agent with 100 credentials (median of 5)   <= 50
Beside them, in the same run, the floors they are read against:
  raw_parse_s          serde_json parsing the first sync's bytes alone, no
                       apply; full_sync_s / raw_parse_s is sync_over_parse <= 3
  sync_bytes           the first sync's JSON, in bytes
  raw_insert_rows_per_s  the ingest's rows inserted straight into the same
                       SQLite file, a transaction per 1,000 (SQLite only)
Then detection, on a server of its own with the rules' scheduler on, while
agents ingest: detect_p50_ms and detect_p99_ms (an API action to its alert)
and detect_threshold_p50_ms and detect_threshold_p99_ms (a credential's
expiry to its alert's change), each <= 1,000; detect_sweeps counts the
whole-fleet sweeps meanwhile (none is needed).
And the run itself: generate_s and import_s (seeding the fleet: import_rows
rows in bulk, told as it goes), server_peak_mb (this process's peak memory,
the server side), bench_s (the whole run). If the dashboard side fails (at
a million agents its first sync may not answer in time), the server's
figures are still taken and printed, with dashboard_error, and the command
fails.
The dashboard figures come from a child process (this binary again) that
syncs over loopback like `warden` does, so its memory is its own. The
backend's periodic rules sweep is off during the run; the rules on ingest
run. Progress goes to stderr; --json prints one JSON object on one line.
Example: cargo run --release -- bench --agents 100000 --json")]
pub struct BenchArgs {
    /// How many agents to seed
    #[arg(long, default_value_t = 100_000, value_name = "N",
          value_parser = clap::value_parser!(u32).range(50..=1_000_000))]
    pub agents: u32,
    /// How many credentials to seed [default: 3 × agents]
    #[arg(long, value_name = "M")]
    pub credentials: Option<u32>,
    /// Print one JSON object on one line
    #[arg(long)]
    pub json: bool,
    /// Database to seed (it should be empty): sqlite:PATH or postgres://…
    /// [default: a temporary SQLite file]
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Seconds the 200 pollers poll
    #[arg(long, default_value_t = 10, value_name = "S",
          value_parser = clap::value_parser!(u32).range(1..=600))]
    pub poll_seconds: u32,
    /// Seconds agents post events
    #[arg(long, default_value_t = 5, value_name = "S",
          value_parser = clap::value_parser!(u32).range(1..=600))]
    pub ingest_seconds: u32,
    /// Internal: be the dashboard side only, on WARDEN_URL with WARDEN_TOKEN
    #[arg(long, hide = true)]
    pub client_only: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
HTTPS: give --tls-cert and --tls-key (PEM); the start line then says
`warden: listening on https://ADDR`. A self-signed pair for a trial:
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \\
    -days 365 -subj /CN=warden.internal \\
    -addext subjectAltName=DNS:warden.internal \\
    -keyout key.pem -out cert.pem
  warden serve --listen 0.0.0.0:7878 --tls-cert cert.pem --tls-key key.pem
  warden --url https://warden.internal:7878 --ca-cert cert.pem agents
Clients refuse plain http:// to any host but loopback (127.0.0.0/8, ::1,
localhost) unless given --allow-insecure-http.

Metrics: GET /metrics in the Prometheus text format. It needs a person
token (any role) unless the config's [serve] says metrics = \"public\".
A Prometheus scrape job with a viewer token:
  - job_name: warden
    scheme: https
    authorization: { credentials_file: /etc/prometheus/warden-token }
    tls_config: { ca_file: /etc/prometheus/warden-ca.pem }
    static_configs: [{ targets: ['warden.internal:7878'] }]")]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Database: sqlite:PATH or postgres://… [default: warden.db in the platform data dir]
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Also push Warden's alerts to this Alertmanager (repeatable; added to
    /// the config's [serve] alertmanager)
    #[arg(long = "alertmanager", value_name = "URL")]
    pub alertmanager: Vec<String>,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs
    /// --tls-key. Also `tls_cert` in the config's [serve]
    #[arg(long, value_name = "PATH", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, RSA or EC); needs
    /// --tls-cert. Also `tls_key` in the config's [serve]
    #[arg(long, value_name = "PATH", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Unique name of the agent
    pub name: String,
    /// What sort of agent it is
    #[arg(long, value_parser = kind_parser())]
    pub kind: AgentKind,
    /// Environment it runs in, e.g. prod, staging, dev
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// Owner: a person id or email
    #[arg(long, value_name = "PERSON")]
    pub owner: Option<String>,
    /// Where it runs and how to stop it, e.g. k8s:prod/support-bot
    #[arg(long, value_name = "REF")]
    pub runtime: Option<String>,
    /// What it is for
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// A label KEY=VALUE; repeatable
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
    pub labels: Vec<(String, String)>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The agent: an id or a name
    pub agent: String,
    /// Scopes the credential carries; repeat or separate with commas
    #[arg(long = "scope", required = true, num_args = 1.., value_delimiter = ',', value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Lifetime, e.g. 30d, 12h, 45m, 90s [default: never expires]
    #[arg(long, value_parser = parse_ttl, value_name = "DURATION")]
    pub ttl: Option<u64>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
#[command(
    after_help = "PARENT containing '@' is a person (an email). Otherwise it is looked up as an \
agent (id or name) first, and taken as a person id when no agent has it."
)]
pub struct DelegateArgs {
    /// The delegating agent (id or name) or person (id or email)
    pub parent: String,
    /// The agent that receives the delegation (id or name)
    pub child: String,
    /// Scopes delegated; repeat or separate with commas
    #[arg(long = "scope", required = true, num_args = 1.., value_delimiter = ',', value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// The person at the start of the chain (id or email)
    #[arg(long = "for", value_name = "PERSON")]
    pub on_behalf_of: Option<String>,
    /// Why you, an admin, approve acting for a PERSON who never delegated
    /// to PARENT (recorded in the audit chain); refused without it
    #[arg(long, value_name = "WHY")]
    pub approval: Option<String>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Filter terms (all must match; `!` negates one):\n",
    "  TEXT              fuzzy on the name; substring of id, description, runtime\n",
    "  owner:none        no owner;  owner:TEXT  owner id, email or name contains TEXT\n",
    "  kind:KIND         chatbot, api-connector, copilot, mcp-server, autonomous\n",
    "  env:ENV           environment, e.g. env:prod\n",
    "  status:STATUS     active, dormant, suspended, killed\n",
    "  risk:LEVEL        worst open alert at least LEVEL (info..critical); risk:none\n",
    "  label:KEY=VALUE   a label (label:KEY: the label is set)\n",
    "  origin:ORIGIN     discovered (reported by `warden discover --register`) or registered\n",
    "Example: warden agents --filter 'env:prod !owner:none risk:high'"
))]
pub struct AgentsArgs {
    /// Only the agents matching EXPR (see below)
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct AgentArgs {
    /// The agent: an id or a name
    #[arg(value_name = "ID_OR_NAME")]
    pub agent: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct ReasonedAgent {
    /// The agent: an id or a name
    pub agent: String,
    /// Why: recorded in the audit trail
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The credential's id (see `warden agent NAME`)
    pub credential_id: String,
    /// Why: recorded in the audit trail
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
#[command(after_help = "\
The replacement has the old credential's agent and scopes, and its lifetime
if it had one. Its secret is printed once: hand it to the agent now. The old
credential is revoked at once (--grace 0, the default), or keeps working for
the grace period so the agent can switch without an outage, then is refused.

Examples:
  warden rotate crd_3fK9aB --reason 'INC-42: secret pasted in a ticket'
  warden rotate crd_3fK9aB --grace 10m --reason 'routine rotation'
  warden rotate crd_3fK9aB --grace 1d --reason 'R05' --json")]
pub struct RotateArgs {
    /// The credential's id (see `warden agent NAME`)
    pub credential_id: String,
    /// How long the old credential keeps working: 0 (at once), 90s, 10m, 2h, 1d; at most 30d
    #[arg(long, value_parser = parse_grace, value_name = "DURATION", default_value = "0")]
    pub grace: u64,
    /// Why: recorded in the audit trail
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct OwnerArgs {
    /// The agent: an id or a name
    pub agent: String,
    /// The new owner: a person id or email
    pub person: String,
    /// Why: recorded in the audit trail
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct AckArgs {
    /// The alert's id (see `warden alerts`)
    pub alert_id: String,
    /// Why: recorded in the audit trail
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct SnoozeArgs {
    /// The alert's id (see `warden alerts`)
    pub alert_id: String,
    /// How long: 1s to 7d, e.g. 30m, 2h, 1d
    #[arg(long = "for", value_parser = crate::duration::parse_snooze, value_name = "DURATION")]
    pub seconds: u64,
    /// Why: recorded in the audit trail
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
#[command(after_help = "\
The queue: every agent that is not killed and has no owner, or whose owner
has left; the worst open alert first, then the highest grant level, then
the name. Up to 5 active people are suggested for each, best first, scored
by the evidence that points at them:
  40  registered the agent
  30  a delegation to it comes from them or acts for them
  25  the departed owner's manager (15: the next active one up, if they left too)
  10  on the departed owner's team, or the team its `team` label names
  3-8  its events of the last 30 days acted for them (2 + one per event): the
       agent's own claim, so it weighs less than any of the above
Assign one with: warden owner AGENT PERSON --reason TEXT")]
pub struct TriageArgs {
    /// Write the queue, with suggestions and reasons, for a meeting or a
    /// ticket [default: a table to read]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<TriageFormat>,
    #[command(flatten)]
    pub json: JsonFlag,
}

/// What `warden triage --format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TriageFormat {
    /// One row per agent, with columns for each suggestion (RFC 4180)
    Csv,
    /// The API's own answer, as `--json`
    Json,
    /// A table to paste into a ticket or a wiki page
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Read the trail: who did what to which agent, when and why
    #[command(after_help = audit::LIST_HELP)]
    List(audit::ListArgs),
    /// Write the trail for a SIEM, one event a line: OCSF, JSON lines or CEF
    #[command(after_help = audit::EXPORT_HELP)]
    Export(audit::ExportArgs),
    /// Verify the audit hash chain and its signed checkpoints; exit 0 only if it is intact
    #[command(after_help = audit::VERIFY_HELP)]
    Verify(audit::VerifyArgs),
}

#[derive(Debug, Clone, Copy, Args)]
pub struct JsonFlag {
    /// Print one JSON document instead of text
    #[arg(long)]
    pub json: bool,
}

fn kind_parser() -> impl TypedValueParser<Value = AgentKind> {
    PossibleValuesParser::new(AgentKind::ALL.iter().map(|k| k.as_str()))
        .try_map(|s| s.parse::<AgentKind>())
}

fn role_parser() -> impl TypedValueParser<Value = Role> {
    PossibleValuesParser::new(Role::ALL.iter().map(|r| r.as_str())).try_map(|s| s.parse::<Role>())
}

fn non_empty(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("must not be empty: say why, for the audit trail".into())
    } else {
        Ok(s.to_string())
    }
}

fn parse_label(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn ttl_units() {
        assert_eq!(parse_ttl("30d"), Ok(30 * 86_400));
        assert_eq!(parse_ttl("12h"), Ok(12 * 3600));
        assert_eq!(parse_ttl("45m"), Ok(45 * 60));
        assert_eq!(parse_ttl("90s"), Ok(90));
        assert_eq!(parse_ttl("2w"), Ok(14 * 86_400));
        for bad in [
            "",
            "30",
            "d",
            "3y",
            "-1d",
            "1.5h",
            "0s",
            "99999999999999999999d",
        ] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_take_several_values_and_commas() {
        let cli = Cli::try_parse_from([
            "warden", "issue", "bot", "--scope", "a", "b,c", "--ttl", "1h",
        ])
        .unwrap();
        let Some(Command::Issue(args)) = cli.command else {
            panic!("not issue")
        };
        assert_eq!(args.scopes, ["a", "b", "c"]);
        assert_eq!(args.ttl, Some(3600));
    }

    #[test]
    fn kind_and_role_are_checked() {
        assert!(
            Cli::try_parse_from(["warden", "register", "x", "--kind", "robot", "--env", "p"])
                .is_err()
        );
        assert!(Cli::try_parse_from(["warden", "token", "create", "--role", "god"]).is_err());
        let cli = Cli::try_parse_from([
            "warden",
            "register",
            "x",
            "--kind",
            "mcp-server",
            "--env",
            "prod",
            "--label",
            "team=pay",
        ])
        .unwrap();
        let Some(Command::Register(r)) = cli.command else {
            panic!("not register")
        };
        assert_eq!(r.kind, AgentKind::McpServer);
        assert_eq!(r.labels, [("team".to_string(), "pay".to_string())]);
    }

    #[test]
    fn serve_takes_alertmanagers_repeatedly() {
        let cli = Cli::try_parse_from(["warden", "serve"]).unwrap();
        let Some(Command::Serve(s)) = cli.command else {
            panic!("not serve")
        };
        assert!(s.alertmanager.is_empty());
        let cli = Cli::try_parse_from([
            "warden",
            "serve",
            "--alertmanager",
            "http://a:9093",
            "--alertmanager",
            "http://b:9093",
        ])
        .unwrap();
        let Some(Command::Serve(s)) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(s.alertmanager, ["http://a:9093", "http://b:9093"]);
    }

    #[test]
    fn no_command_is_the_dashboard_and_demo_has_its_bounds() {
        let cli = Cli::try_parse_from(["warden"]).unwrap();
        assert!(cli.command.is_none() && !cli.dashboard.readonly);
        let cli = Cli::try_parse_from(["warden", "--readonly", "--url", "http://h:1"]).unwrap();
        assert!(cli.command.is_none() && cli.dashboard.readonly);
        let cli = Cli::try_parse_from(["warden", "demo"]).unwrap();
        let Some(Command::Demo(d)) = cli.command else {
            panic!("not demo")
        };
        assert_eq!((d.agents, d.seed, d.no_tui), (200, None, false));
        assert_eq!(d.listen.to_string(), "127.0.0.1:0");
        let cli = Cli::try_parse_from([
            "warden",
            "demo",
            "--agents",
            "100000",
            "--seed",
            "7",
            "--no-tui",
            "--readonly",
        ])
        .unwrap();
        let Some(Command::Demo(d)) = cli.command else {
            panic!("not demo")
        };
        assert_eq!((d.agents, d.seed, d.no_tui), (100_000, Some(7), true));
        assert!(d.dashboard.readonly);
        for bad in ["0", "100001", "-5", "many"] {
            assert!(
                Cli::try_parse_from(["warden", "demo", "--agents", bad]).is_err(),
                "{bad}"
            );
        }
        // --readonly belongs to the dashboard, not to the scripting commands.
        assert!(Cli::try_parse_from(["warden", "agents", "--readonly"]).is_err());
    }

    #[test]
    fn triage_takes_a_format_or_json() {
        let parse = |args: &[&str]| match Cli::try_parse_from(args).map(|c| c.command) {
            Ok(Some(Command::Triage(t))) => Some((t.format, t.json.json)),
            _ => None,
        };
        assert_eq!(parse(&["warden", "triage"]), Some((None, false)));
        assert_eq!(
            parse(&["warden", "triage", "--format", "csv"]),
            Some((Some(TriageFormat::Csv), false))
        );
        assert_eq!(
            parse(&["warden", "triage", "--format", "markdown"]),
            Some((Some(TriageFormat::Markdown), false))
        );
        assert_eq!(parse(&["warden", "triage", "--json"]), Some((None, true)));
        assert_eq!(parse(&["warden", "triage", "--format", "xlsx"]), None);
    }

    #[test]
    fn reasons_are_required_and_not_blank() {
        assert!(Cli::try_parse_from(["warden", "suspend", "x"]).is_err());
        assert!(Cli::try_parse_from(["warden", "suspend", "x", "--reason", " "]).is_err());
        assert!(Cli::try_parse_from(["warden", "owner", "x", "p"]).is_err());
    }
}
