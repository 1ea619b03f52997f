//! The grammar of `warden guardrails`: the automatic actions policies
//! planned on alerts, and a responder stopping one or running it now.

use super::{JsonFlag, non_empty};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum GuardrailsCommand {
    /// List the guardrail policies and their actions: pending (with the time left), then recent
    #[command(after_help = "\
A guardrail ([[serve.guardrail]] in the server's config) plans an action on
each alert it matches and carries it out after its grace period, unless a
person acts on the agent or the alert first, or stops it here.

Examples:
  warden guardrails list
  warden guardrails list --json | jq '.actions[] | select(.status == \"pending\")'")]
    List(JsonFlag),
    /// Stop a pending action before it acts; the reason goes to the audit trail
    #[command(after_help = "\
Examples:
  warden guardrails stop gra_3fK9aB --reason 'INC-42: load test, expected spike'")]
    Stop(GuardrailDecision),
    /// Carry out a pending action now instead of at the end of its grace period
    #[command(after_help = "\
Examples:
  warden guardrails run gra_3fK9aB --reason 'INC-42: confirmed exfiltration'")]
    Run(GuardrailDecision),
}

#[derive(Debug, Args)]
pub struct GuardrailDecision {
    /// The action's id (see `warden guardrails list`)
    pub id: String,
    /// Why: recorded in the audit trail and the alert's timeline
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub json: JsonFlag,
}
