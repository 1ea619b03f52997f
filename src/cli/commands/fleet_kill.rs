//! `kill --filter EXPR --expect N`: the kill switch on every agent a filter
//! matches. The count is checked before anything else (a fleet that is not
//! what the responder thought is refused with exit 5, the count found in
//! the message); on a terminal the agents are listed and the count must be
//! typed back. Each agent is then killed by id and read back (killed, no
//! live credential) before it is reported verified; anything less is
//! reported failed, with why, and the exit code is 1.

use super::kill::ask;
use super::view::{Inventory, parse_filter};
use crate::api::KillRequest;
use crate::api::client::Client;
use crate::cli::args::KillArgs;
use crate::cli::error::{CliError, CmdResult, EXIT_MISMATCH};
use crate::cli::output::{self, Out, Table, count, safe};
use crate::model::{Agent, AgentStatus, CredentialStatus, OperationStatus, StepStatus};
use futures_util::StreamExt;
use serde::Serialize;
use std::process::ExitCode;

/// Kills run this many at a time: a fleet of hundreds is done in seconds,
/// and the backend is not flooded.
const AT_ONCE: usize = 4;
/// Names a count mismatch lists before saying how many more there are.
const NAMES_SHOWN: usize = 10;

/// One agent the filter matched.
#[derive(Debug, Clone, Serialize)]
struct Target {
    id: String,
    name: String,
    status: AgentStatus,
    environment: String,
    owner: String,
}

/// How one agent's kill ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    /// The backend's operation succeeded, and reading the agent back shows
    /// it killed with no live credential.
    Verified,
    /// Anything else: refused, a failed step, or not killed on reading back.
    Failed,
}

#[derive(Debug, Serialize)]
struct KillResult {
    agent_id: String,
    name: String,
    outcome: Outcome,
    /// The kill operation, when the backend ran one.
    operation: Option<String>,
    /// Why it failed, or what was verified.
    detail: String,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    filter: &'a str,
    expected: usize,
    matched: usize,
    dry_run: bool,
    verified: usize,
    failed: usize,
    agents: &'a [Target],
    results: &'a [KillResult],
}

impl<'a> Report<'a> {
    fn new(
        filter: &'a str,
        expected: usize,
        agents: &'a [Target],
        results: &'a [KillResult],
        dry_run: bool,
    ) -> Report<'a> {
        let verified = results
            .iter()
            .filter(|r| r.outcome == Outcome::Verified)
            .count();
        Report {
            filter,
            expected,
            matched: agents.len(),
            dry_run,
            verified,
            failed: results.len() - verified,
            agents,
            results,
        }
    }
}

pub async fn kill_matching(client: &Client, a: KillArgs) -> CmdResult {
    let expr = a.filter.clone().unwrap_or_default();
    let filter = parse_filter(Some(&expr))?;
    let Some(expected) = a.expect else {
        return Err(CliError::usage("--filter needs --expect N"));
    };
    if filter.is_empty() {
        return Err(CliError::usage(
            "an empty --filter matches every agent; name what to kill \
             (e.g. 'env:staging owner:none')",
        ));
    }
    let inventory = Inventory::read(client).await?;
    let mut targets: Vec<Target> = inventory
        .matching(&filter)
        .into_iter()
        .map(|agent| target(&inventory, agent))
        .collect();
    targets.sort_by(|x, y| x.name.cmp(&y.name).then(x.id.cmp(&y.id)));
    if targets.len() != expected {
        return Err(mismatch(&expr, expected, &targets));
    }

    let report = |results, dry_run| Report::new(&expr, expected, &targets, results, dry_run);
    if a.dry_run {
        if a.json.json {
            output::json(&report(&[], true))?;
        } else {
            let mut out = Out::new();
            list(&mut out, &targets, &a.reason, a.cascade);
            out.line("Dry run: nothing was changed.");
            out.emit()?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !a.yes {
        let mut out = Out::new();
        list(&mut out, &targets, &a.reason, a.cascade);
        out.emit()?;
        let n = targets.len();
        let typed = ask(&format!(
            "Type the number of agents ({n}) to kill them all, anything else cancels: "
        ))?;
        if typed != n.to_string() {
            return Err(CliError::cancelled(
                "cancelled: the count did not match; nothing was changed",
            ));
        }
    }

    let request = KillRequest {
        reason: a.reason.clone(),
        cascade: a.cascade,
        dry_run: false,
    };
    let results: Vec<KillResult> = futures_util::stream::iter(&targets)
        .map(|t| kill_one(client, t, &request))
        .buffered(AT_ONCE)
        .collect()
        .await;
    let summary = report(&results, false);
    let (verified, failed) = (summary.verified, summary.failed);
    if a.json.json {
        output::json(&summary)?;
    } else {
        let mut out = Out::new();
        let mut t = Table::new(&["AGENT", "ID", "OUTCOME", "OPERATION", "DETAIL"]);
        for r in &results {
            t.row([
                r.name.clone(),
                r.agent_id.clone(),
                outcome_word(r.outcome).to_string(),
                r.operation.clone().unwrap_or_else(|| "-".into()),
                r.detail.clone(),
            ]);
        }
        out.table(&t);
        out.blank();
        out.line(format!(
            "{}: {verified} verified killed, {failed} failed.",
            count(results.len(), "agent")
        ));
        out.emit()?;
    }
    if failed > 0 {
        let e = CliError::failed(format!(
            "{failed} of {} kills failed or could not be verified: see the results",
            results.len()
        ));
        return Err(if a.json.json { e.answered() } else { e });
    }
    Ok(ExitCode::SUCCESS)
}

fn target(inventory: &Inventory, agent: &Agent) -> Target {
    Target {
        id: agent.id.clone(),
        name: agent.name.clone(),
        status: agent.status,
        environment: agent.environment.clone(),
        owner: inventory.owner_label(agent),
    }
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Verified => "verified",
        Outcome::Failed => "FAILED",
    }
}

/// The refusal when the filter found another count than `--expect`.
fn mismatch(expr: &str, expected: usize, found: &[Target]) -> CliError {
    let mut names: Vec<&str> = found
        .iter()
        .take(NAMES_SHOWN)
        .map(|t| t.name.as_str())
        .collect();
    let more = found.len().saturating_sub(NAMES_SHOWN);
    let more_text = format!("and {more} more");
    if more > 0 {
        names.push(&more_text);
    }
    let which = if found.is_empty() {
        String::new()
    } else {
        format!(" ({})", names.join(", "))
    };
    CliError::new(
        EXIT_MISMATCH,
        format!(
            "--filter {expr:?} matches {}{which}, not the {expected} given by --expect; \
             nothing was killed. Check with `warden agents --filter {expr:?}`",
            count(found.len(), "agent")
        ),
    )
}

/// The agents about to be killed, for the responder to read before
/// typing the count.
fn list(out: &mut Out, targets: &[Target], reason: &str, cascade: bool) {
    out.line(format!(
        "Kill {}, reason: {}{}",
        count(targets.len(), "agent"),
        safe(reason),
        if cascade {
            " (and every agent each delegated to)"
        } else {
            ""
        }
    ));
    let mut t = Table::new(&["NAME", "ID", "STATUS", "ENV", "OWNER"]);
    for target in targets {
        t.row([
            target.name.clone(),
            target.id.clone(),
            target.status.to_string(),
            target.environment.clone(),
            target.owner.clone(),
        ]);
    }
    out.section_table(&t);
    out.line(
        "Each loses every credential and is refused for good; a kill cannot be undone \
         (`warden suspend` freezes reversibly).",
    );
}

/// Kills one agent by id and reads it back.
async fn kill_one(client: &Client, t: &Target, request: &KillRequest) -> KillResult {
    let result = |outcome, operation: Option<String>, detail: String| KillResult {
        agent_id: t.id.clone(),
        name: t.name.clone(),
        outcome,
        operation,
        detail,
    };
    let op = match client.kill(&t.id, request).await {
        Ok(op) => op,
        Err(e) => return result(Outcome::Failed, None, format!("refused: {e}")),
    };
    if op.status != OperationStatus::Succeeded {
        let failed: Vec<String> = op
            .steps
            .iter()
            .filter(|s| s.status == StepStatus::Failed)
            .map(|s| format!("{}: {}", s.name, s.detail))
            .collect();
        let detail = if failed.is_empty() {
            format!("the operation is {}", op.status)
        } else {
            failed.join("; ")
        };
        return result(Outcome::Failed, Some(op.id), detail);
    }
    // The backend said succeeded: see for ourselves, for the agent and
    // every delegate a --cascade reached.
    let mut reached: Vec<&str> = vec![t.id.as_str()];
    for step in &op.steps {
        if !reached.contains(&step.agent_id.as_str()) {
            reached.push(&step.agent_id);
        }
    }
    let (mut revoked, mut problems) = (0, Vec::new());
    for id in &reached {
        match client.get_agent(id).await {
            Ok(d) => {
                let live = d
                    .credentials
                    .iter()
                    .filter(|c| c.status == CredentialStatus::Active)
                    .count();
                revoked += d
                    .credentials
                    .iter()
                    .filter(|c| c.status == CredentialStatus::Revoked)
                    .count();
                if d.agent.status != AgentStatus::Killed || live > 0 {
                    problems.push(format!(
                        "{} read back as {} with {} live",
                        d.agent.name,
                        d.agent.status,
                        count(live, "credential")
                    ));
                }
            }
            Err(e) => problems.push(format!("{id} could not be read back: {e}")),
        }
    }
    if !problems.is_empty() {
        return result(Outcome::Failed, Some(op.id), problems.join("; "));
    }
    let delegates = match reached.len() - 1 {
        0 => String::new(),
        n => format!(" with {}", count(n, "delegate")),
    };
    result(
        Outcome::Verified,
        Some(op.id),
        format!(
            "killed{delegates}; {} revoked, none live",
            count(revoked, "credential")
        ),
    )
}
