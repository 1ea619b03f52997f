//! The grammar of `warden person` (add, list, offboard) and `warden grant`
//! (list, add, remove).

use super::{JsonFlag, non_empty};
use crate::model::GrantLevel;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Add a person to the directory
    Add(PersonAddArgs),
    /// List the directory: name, email, team, manager, status, agents owned
    #[command(after_help = "\
Active people first, then departed ones, each by name. OWNS counts the
agents each owns (killed ones not counted).

Examples:
  warden person list
  warden person list --json | jq -r '.[] | select(.status == \"departed\") | .email'")]
    List(JsonFlag),
    /// Offboard a person: marked departed, their tokens stop working, their agents go to triage
    #[command(after_help = "\
Needs an admin token. The person is marked departed (audited, with the
reason), their person tokens are refused from then on, and every agent they
own appears in `warden triage` with owner suggestions (their manager first).
Offboarding someone already departed changes nothing.

Examples:
  warden person offboard ada@example.com --reason 'left the company (HR-1234)'
  warden triage")]
    Offboard(PersonOffboardArgs),
}

#[derive(Debug, Args)]
pub struct PersonAddArgs {
    /// Full name
    pub name: String,
    /// Email address (unique)
    pub email: String,
    /// Team
    #[arg(long)]
    pub team: Option<String>,
    /// Manager (their successor when they leave): a person id or email
    #[arg(long, value_name = "PERSON")]
    pub manager: Option<String>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct PersonOffboardArgs {
    /// The person: an id or an email
    pub person: String,
    /// Why: recorded in the audit trail
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Subcommand)]
pub enum GrantCommand {
    /// List an agent's grants, with their ids
    List(GrantListArgs),
    /// Grant an agent a scope on a resource at a level (admin token)
    #[command(after_help = "\
Examples:
  warden grant add support-bot crm tickets:read read
  warden grant add billing-agent s3://invoices invoices:write write --json")]
    Add(GrantAddArgs),
    /// Remove a grant from an agent, with a reason for the audit trail (admin token)
    #[command(after_help = "\
GRANT_ID is the id `warden grant list AGENT` shows (grt_…). The grant is
gone at once, the audit trail says who removed it and why, and dashboards
following the backend drop it on their next poll.

Examples:
  warden grant list support-bot
  warden grant remove support-bot grt_3fK9aB --reason 'R09: write never used'")]
    Remove(GrantRemoveArgs),
}

#[derive(Debug, Args)]
pub struct GrantListArgs {
    /// The agent: an id or a name
    pub agent: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct GrantAddArgs {
    /// The agent: an id or a name
    pub agent: String,
    /// What the grant is on, e.g. crm, s3://reports, github:org/repo
    pub resource: String,
    /// The scope granted, e.g. tickets:read
    pub scope: String,
    /// How much: read, write or admin
    #[arg(value_parser = level_parser())]
    pub level: GrantLevel,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct GrantRemoveArgs {
    /// The agent: an id or a name
    pub agent: String,
    /// The grant's id (see `warden grant list AGENT`)
    #[arg(value_name = "GRANT_ID")]
    pub grant: String,
    /// Why: recorded in the audit trail
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub json: JsonFlag,
}

fn level_parser() -> impl TypedValueParser<Value = GrantLevel> {
    PossibleValuesParser::new(GrantLevel::ALL.iter().map(|l| l.as_str()))
        .try_map(|s| s.parse::<GrantLevel>())
}
