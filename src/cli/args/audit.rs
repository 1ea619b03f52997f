//! The grammar of `warden audit`: list the trail with filters, export it
//! for a SIEM, and verify the chain (against the server's checkpoints, or
//! against checkpoint files and public keys you hold).

use chrono::{DateTime, Utc};
use clap::Args;
use clap::builder::PossibleValuesParser;
use std::path::PathBuf;

pub const VERIFY_HELP: &str = "\
Without --checkpoints the server verifies its chain against the signed
checkpoints it keeps outside the database, and names the attack when they
disagree: truncation (entries cut from the end), rewrite (entries changed and
their hashes recomputed), fork (two servers signed two histories), rollback
(the database was restored from an older copy).

With --checkpoints this command verifies by itself, trusting the server for
nothing: it reads the whole chain over the API and checks it against the
checkpoint files (copies of each server's file, or what your SIEM received),
signed by the --public-key keys (without one, the key the server names).

Examples:
  warden audit verify
  warden audit verify --checkpoints a.jsonl --checkpoints b.jsonl \\
      --public-key 3b6a27bc… --public-key 8f0e41d2…";

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A checkpoint file to verify against (NDJSON, one signed checkpoint a line); repeat for several servers
    #[arg(long = "checkpoints", value_name = "FILE")]
    pub checkpoints: Vec<PathBuf>,
    /// A public key (64 hex digits, or a file holding one) whose checkpoints are trusted; repeat
    #[arg(long = "public-key", value_name = "KEY")]
    pub public_keys: Vec<String>,
    /// Print one JSON document instead of text
    #[arg(long)]
    pub json: bool,
}

pub const LIST_HELP: &str = "\
Entries oldest first, the newest --limit of those that match (default 50).
--since and --until take a time (2026-05-01, 2026-05-01T12:00:00Z) or how
long ago (30m, 12h, 7d). --action takes an action (agent.kill) or every
action under a prefix (credential. or alert.*). --actor takes the actor as
the trail writes it, or a person's email for all of their tokens.

Examples:
  warden audit list --agent support-bot --since 7d
  warden audit list --actor ada@example.com --action agent. --json";

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only entries about this agent (id or name) or its credentials
    #[arg(long)]
    pub agent: Option<String>,
    /// Only entries by this actor (a person's email: all their tokens)
    #[arg(long)]
    pub actor: Option<String>,
    /// Only this action, or a prefix ending in `.` or `*`
    #[arg(long)]
    pub action: Option<String>,
    /// Only entries written at or after this time, or this long ago (7d)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub since: Option<DateTime<Utc>>,
    /// Only entries written before this time, or this long ago
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<DateTime<Utc>>,
    /// The newest this many matching entries (at most 10000)
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
    /// Print one JSON document instead of text
    #[arg(long)]
    pub json: bool,
}

pub const EXPORT_HELP: &str = "\
Writes the trail to standard output, one event a line, oldest first, read a
page at a time: pipe it to a file or a SIEM's forwarder. --since SEQ starts
after that sequence number, the cursor to resume from (OCSF carries it as
metadata.sequence, CEF as externalId, jsonl as seq).

  jsonl  the entries as GET /v1/audit answers them
  ocsf   OCSF 1.5 events: Account Change (credentials, tokens), Entity
         Management (agents, people, kills), Detection Finding (alerts);
         the chain's seq and hashes under unmapped.warden
  cef    ArcSight CEF lines

Examples:
  warden audit export --format ocsf > warden-audit.ocsf.jsonl
  warden audit export --format cef --since 41200 | logger -n siem -T -P 514";

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The line format
    #[arg(long, value_parser = PossibleValuesParser::new(["ocsf", "jsonl", "cef"]))]
    pub format: String,
    /// Only entries after this sequence number
    #[arg(long, value_name = "SEQ", default_value_t = 0)]
    pub since: i64,
}

/// A time as RFC 3339, a day (midnight UTC), or a duration ago.
fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .ok_or_else(|| format!("{s:?} is not a day"));
    }
    match crate::duration::parse_ttl(s) {
        Ok(secs) => Ok(Utc::now() - chrono::Duration::seconds(secs as i64)),
        Err(_) => Err(format!(
            "expected a time (2026-05-01 or 2026-05-01T12:00:00Z) or how long ago (30m, 12h, 7d), got {s:?}"
        )),
    }
}
