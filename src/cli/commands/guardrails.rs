//! `warden guardrails list|stop|run`: the automatic actions guardrail
//! policies planned, for scripts and for a responder away from the
//! dashboard.

use crate::api::client::Client;
use crate::api::guardrails::GuardrailAction;
use crate::cli::args::{GuardrailDecision, JsonFlag};
use crate::cli::error::CmdResult;
use crate::cli::output::{self, Out, Table, ago, count, safe};
use std::process::ExitCode;

/// When a pending action acts, or when a finished one ended.
fn when(a: &GuardrailAction) -> String {
    if a.status == "pending" {
        let left = (a.due_at - chrono::Utc::now()).num_seconds().max(0);
        format!("in {left}s")
    } else {
        ago(a.finished_at)
    }
}

pub async fn list(client: &Client, a: JsonFlag) -> CmdResult {
    let g = client.guardrails().await?;
    if a.json {
        output::json(&g)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    if g.policies.is_empty() {
        out.line("No guardrail policies on this server ([[serve.guardrail]] in its config).");
    }
    for p in &g.policies {
        let rules = if p.rule.is_empty() {
            "any rule".to_string()
        } else {
            p.rule.join(", ")
        };
        out.line(format!(
            "policy {}: {} on {rules} after {} s, at most {} an hour",
            safe(&p.name),
            p.action,
            p.grace_seconds,
            p.max_per_hour
        ));
    }
    if !g.actions.is_empty() {
        out.blank();
        let mut table = Table::new(&[
            "ID", "POLICY", "ACTION", "AGENT", "ALERT", "STATUS", "WHEN", "OUTCOME",
        ]);
        for x in &g.actions {
            table.row([
                x.id.clone(),
                safe(&x.policy).into_owned(),
                x.action.clone(),
                safe(&x.agent_name).into_owned(),
                format!("{} {}", x.rule, x.alert_id),
                x.status.clone(),
                when(x),
                safe(x.outcome.as_deref().unwrap_or("")).into_owned(),
            ]);
        }
        out.table(&table);
    }
    let pending = g.actions.iter().filter(|x| x.status == "pending").count();
    out.blank();
    out.line(format!(
        "{}, {pending} pending; stop one with `warden guardrails stop ID --reason …`.",
        count(g.actions.len(), "action")
    ));
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

fn report(a: &GuardrailAction, json: bool, said: &str) -> CmdResult {
    if json {
        output::json(a)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "{said} {} {} of {} ({}, alert {}).",
        safe(&a.policy),
        a.action,
        safe(&a.agent_name),
        a.id,
        a.alert_id
    ));
    let mut fields = vec![("status", a.status.clone())];
    if let Some(o) = &a.outcome {
        fields.push(("outcome", safe(o).into_owned()));
    }
    if let Some(by) = &a.decided_by {
        fields.push(("by", safe(by).into_owned()));
    }
    out.fields(&fields);
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn stop(client: &Client, a: GuardrailDecision) -> CmdResult {
    let done = client.stop_guardrail(&a.id, &a.reason).await?;
    report(&done, a.json.json, "Stopped")
}

pub async fn run(client: &Client, a: GuardrailDecision) -> CmdResult {
    let done = client.run_guardrail(&a.id, &a.reason).await?;
    report(&done, a.json.json, "Ran")
}
