//! What the dashboard says about guardrails' automatic actions: the
//! header's countdown, the alert view's lines, the stop and run dialogs
//! and their flash lines.

use std::fmt::Display;

/// A pending action's time left, from its due time: "in 23s", "in 2m05s";
/// "due now" once the time has passed and the backend has not yet said
/// it acted.
pub fn countdown(seconds_left: i64) -> String {
    match seconds_left {
        ..=0 => "due now".into(),
        1..60 => format!("in {seconds_left}s"),
        _ => format!("in {}m{:02}s", seconds_left / 60, seconds_left % 60),
    }
}

pub const ACTING_NOW: &str = "acting now";

/// The header's word: `guardrail: freeze refund-bot in 23s`.
pub fn header_guardrail(action: impl Display, agent: impl Display, when: impl Display) -> String {
    format!("guardrail: {action} {agent} {when}")
}

pub fn more_guardrails(n: usize) -> String {
    format!(" (+{n} more)")
}

/// "freeze of refund-bot by freeze-spikes": what a dialog and the flash
/// line call an action.
pub fn guardrail_label(action: impl Display, agent: impl Display, policy: impl Display) -> String {
    format!("{action} of {agent} by {policy}")
}

pub fn stopping_guardrail(label: impl Display) -> String {
    format!("stopping the {label}")
}

pub fn running_guardrail(label: impl Display) -> String {
    format!("running the {label} now")
}

/// The flash line once the backend answered a stop or a run: what it
/// says the action now is.
pub fn guardrail_now(label: impl Display, status: impl Display, outcome: Option<&str>) -> String {
    match outcome {
        Some(o) if !o.is_empty() => format!("the {label} is {status}: {o}"),
        _ => format!("the {label} is {status}"),
    }
}

// The alert view.

pub const ALERT_GUARDRAILS: &str = "automatic actions (guardrails)";
/// Under a pending action, its keys as this user mapped them.
pub fn guardrail_keys(stop: impl Display, run: impl Display) -> String {
    format!("{stop} stops it (with a reason) · {run} runs it now")
}

/// One action of a policy on this alert: `freeze-spikes: freeze refund-bot`.
pub fn guardrail_line(policy: impl Display, action: impl Display, agent: impl Display) -> String {
    format!("  {policy}: {action} {agent}")
}

/// How a finished action ended, as the backend says: "stopped at
/// 17:00:01 UTC: stopped by a person before it acted (oncall: known key)".
pub fn guardrail_ended(
    status: impl Display,
    at: impl Display,
    outcome: Option<&str>,
    decided_by: Option<&str>,
) -> String {
    let outcome = outcome
        .filter(|o| !o.is_empty())
        .map(|o| format!(": {o}"))
        .unwrap_or_default();
    let by = decided_by
        .filter(|b| !b.is_empty())
        .map(|b| format!(" ({b})"))
        .unwrap_or_default();
    format!("{status} at {at}{outcome}{by}")
}

pub const NO_PENDING_GUARDRAIL: &str =
    "no automatic action is pending here: nothing to stop or run";

// The `:guardrails` list.

pub const GUARDRAIL_COLUMNS: [&str; 7] = [
    "STATUS", "WHEN", "POLICY", "ACTION", "AGENT", "RULE", "OUTCOME",
];
pub const EMPTY_GUARDRAILS: &str = "no automatic actions: no guardrail has acted or is waiting to (policies are [[serve.guardrail]] in the server's config)";
pub const EMPTY_FILTERED_GUARDRAILS: &str = "no action matches the filter; esc clears it";

pub fn guardrails_title(count: usize) -> String {
    format!("guardrail actions ({count})")
}

pub fn guardrail_alert_gone(alert_id: impl Display) -> String {
    format!(
        "alert {alert_id} is not in the fleet (resolved and gone, or its backend is not watched)"
    )
}

// The dialogs.

pub const STOP_GUARDRAIL: &str = "Stop";
pub const RUN_GUARDRAIL: &str = "Run now";

pub fn run_guardrail_title(label: impl Display) -> String {
    format!("Run the {label} now")
}

pub fn guardrail_policy_line(policy: impl Display, rule: impl Display) -> String {
    format!("policy {policy}, planned on {rule}")
}

pub fn guardrail_due_line(action: impl Display, agent: impl Display, at: impl Display) -> String {
    format!("{action} {agent} at {at} unless stopped")
}

pub fn guardrail_credentials(ids: impl Display) -> String {
    format!("credentials it revokes: {ids}")
}

pub const STOP_FORECAST: &str =
    "it will not act; your reason goes into the audit chain; the alert stays open";
pub const RUN_FORECAST: &str =
    "it acts now, as you, with your reason in the audit chain; as if its grace had passed";
