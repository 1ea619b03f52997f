//! `kill`: the kill switch. Without `--yes` it shows the backend's plan
//! (a dry run: credentials to revoke, child agents with `--cascade`, the
//! runtime hook) and asks for the agent's name on the terminal (anything
//! else cancels: exit 4); with no terminal it refuses rather than guess.
//! After the kill it prints every step as the backend reports it, and
//! exits 1 when the operation failed. `--filter` hands over to
//! [`super::fleet_kill`].

use crate::api::KillRequest;
use crate::api::client::Client;
use crate::cli::args::KillArgs;
use crate::cli::error::{CliError, CmdResult};
use crate::cli::output::{self, Out, Table, safe};
use crate::model::{Operation, OperationStatus};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

pub async fn kill(client: &Client, a: KillArgs) -> CmdResult {
    // clap lets `--expect` through beside AGENT (which conflicts with the
    // `--filter` it requires): say it here, before anything is asked.
    if a.expect.is_some() && a.filter.is_none() {
        return Err(CliError::usage(
            "--expect N goes with --filter EXPR (a fleet-wide kill); one agent needs neither",
        ));
    }
    let interactive = !a.yes && !a.dry_run;
    if interactive && !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "refusing to kill without confirmation: stdin is not a terminal; \
             pass --yes to kill without a prompt (or --dry-run to see the plan)",
        ));
    }
    let Some(agent) = a.agent.clone() else {
        return super::fleet_kill::kill_matching(client, a).await;
    };

    // The target by id from here on, so that the plan, the confirmation and
    // the kill are about the same agent even if a name is reused meanwhile.
    let mut target = agent.clone();
    if !a.yes {
        let detail = client.get_agent(&agent).await?;
        let plan = client
            .kill(
                &detail.agent.id,
                &KillRequest {
                    reason: a.reason.clone(),
                    cascade: a.cascade,
                    dry_run: true,
                },
            )
            .await?;
        if a.dry_run && a.json.json {
            output::json(&plan)?;
            return Ok(ExitCode::SUCCESS);
        }
        let mut out = Out::new();
        print_plan(
            &mut out,
            &detail.agent.name,
            &detail.agent.id,
            &a.reason,
            &plan,
        );
        if a.dry_run {
            out.line("Dry run: nothing was changed.");
            out.emit()?;
            return Ok(ExitCode::SUCCESS);
        }
        out.emit()?;
        confirm(&detail.agent.name)?;
        target = detail.agent.id;
    }

    let op = client
        .kill(
            &target,
            &KillRequest {
                reason: a.reason,
                cascade: a.cascade,
                dry_run: false,
            },
        )
        .await?;
    let failed = op.status == OperationStatus::Failed;
    if a.json.json {
        output::json(&op)?;
    } else {
        let mut out = Out::new();
        out.line(format!(
            "Kill {} of {}: {}",
            safe(&op.id),
            safe(&op.target),
            op.status
        ));
        out.table(&steps_table(&op));
        if op.status == OperationStatus::Running {
            out.blank();
            out.line("Some steps are still running: check with `warden agent AGENT`.");
        }
        out.emit()?;
    }
    if failed {
        let e = CliError::failed("the kill operation failed: see the steps of the operation");
        return Err(if a.json.json { e.answered() } else { e });
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn steps_table(op: &Operation) -> Table {
    let mut t = Table::new(&["#", "STEP", "AGENT", "STATUS", "DETAIL"]);
    for (i, s) in op.steps.iter().enumerate() {
        t.row([
            (i + 1).to_string(),
            s.name.clone(),
            s.agent_id.clone(),
            s.status.to_string(),
            s.detail.clone(),
        ]);
    }
    t
}

fn print_plan(out: &mut Out, name: &str, id: &str, reason: &str, plan: &Operation) {
    out.line(format!(
        "Kill agent {} ({}), reason: {}",
        safe(name),
        safe(id),
        safe(reason)
    ));
    out.line("What will happen:");
    let mut t = Table::new(&["#", "STEP", "AGENT", "DETAIL"]);
    for (i, s) in plan.steps.iter().enumerate() {
        t.row([
            (i + 1).to_string(),
            s.name.clone(),
            if s.agent_id == id {
                format!("{name} (this agent)")
            } else {
                s.agent_id.clone()
            },
            s.detail.clone(),
        ]);
    }
    out.section_table(&t);
    out.line("A kill cannot be undone; to freeze reversibly, use `warden suspend`.");
}

/// Asks for the agent's name on the terminal; anything else cancels.
fn confirm(name: &str) -> Result<(), CliError> {
    let prompt = format!(
        "Type the agent's name ({}) to kill it, anything else cancels: ",
        safe(name)
    );
    if ask(&prompt)? == name.trim() {
        Ok(())
    } else {
        Err(CliError::cancelled(
            "cancelled: the name did not match; nothing was changed",
        ))
    }
}

/// Prints `prompt` on stderr and answers the line typed, trimmed.
pub(super) fn ask(prompt: &str) -> Result<String, CliError> {
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "{prompt}");
    let _ = stderr.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::failed(format!("cannot read the confirmation: {e}")))?;
    Ok(line.trim().to_string())
}
