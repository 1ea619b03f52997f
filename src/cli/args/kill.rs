//! The grammar of `warden kill`: one agent by id or name, or every agent a
//! filter matches (a fleet-wide kill, refused unless `--expect` says how
//! many that is).

use super::{JsonFlag, non_empty};
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "\
One agent: without --yes, the backend's plan is printed (credentials to
revoke, delegated agents with --cascade, the runtime hook) and you type the
agent's name to go on; anything else cancels (exit 4, nothing changed).
With no terminal, --yes is required.

Many agents: --filter EXPR takes the filter language of `warden agents
--filter` (see `warden agents --help`; an empty EXPR is refused), and
--expect N says how many agents it must match. When the count differs,
nothing is killed and the exit code is 5, with the count found in the
message: the fleet is not what you thought. Otherwise the agents are
listed and, without --yes, you type the count to go on. Each is then
killed and checked (read back: killed, no live credential, delegates too
with --cascade) and reported as verified or failed; the exit code is 1 if
any failed.

Examples:
  warden kill support-bot --reason 'INC-42: exfiltration'
  warden kill support-bot --reason 'INC-42' --cascade --yes --json
  warden agents --filter 'env:staging owner:none'          # count them first
  warden kill --filter 'env:staging owner:none' --expect 3 --reason 'INC-43'
  warden kill --filter 'label:team=pay risk:critical' --expect 12 \\
      --reason 'INC-44: leaked CI token' --yes --json")]
pub struct KillArgs {
    /// The agent: an id or a name (or --filter for many)
    #[arg(required_unless_present = "filter", conflicts_with = "filter")]
    pub agent: Option<String>,
    /// Kill every agent matching EXPR, in the filter language of `warden agents --filter`; needs --expect
    #[arg(long, value_name = "EXPR", requires = "expect")]
    pub filter: Option<String>,
    /// With --filter: how many agents EXPR must match; any other count refuses (exit 5) and kills nothing
    #[arg(long, value_name = "N", requires = "filter")]
    pub expect: Option<usize>,
    /// Why: recorded in the audit trail
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    /// Kill without asking to confirm
    #[arg(long)]
    pub yes: bool,
    /// Also kill every agent it delegated to, recursively
    #[arg(long)]
    pub cascade: bool,
    /// Only show what would happen; change nothing
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
    #[command(flatten)]
    pub json: JsonFlag,
}
