//! `[[serve.guardrail]]`: policies that act on an alert by themselves when
//! no person has within a grace period. None is on unless configured. The
//! checks that need the rule catalogue and the filter language (an unknown
//! rule, a kill without grace that could reach production) are made by
//! the server at start (`server::guardrails::policy::check`).

use crate::model::{AgentKind, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a guardrail does to the agent of the alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuardAction {
    /// Suspends the agent: its credentials are refused until a responder
    /// resumes it (reversible).
    Freeze,
    /// Revokes the credentials the alert names (not reversible: issue new
    /// ones).
    Revoke,
    /// Kills the agent through the kill switch (final).
    Kill,
}

impl GuardAction {
    pub fn as_str(self) -> &'static str {
        match self {
            GuardAction::Freeze => "freeze",
            GuardAction::Revoke => "revoke",
            GuardAction::Kill => "kill",
        }
    }
}

/// One policy. An alert matches when every key given matches.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardrailConfig {
    /// Names the policy in the audit (`guardrail:NAME`) and on the API.
    pub name: String,
    /// Rule ids (`["R11"]`); empty: any rule.
    #[serde(default)]
    pub rule: Vec<String>,
    /// The least severity that matches; none: any.
    pub severity: Option<Severity>,
    /// Agent environments (case-insensitive); empty: any.
    #[serde(default)]
    pub environment: Vec<String>,
    /// Agent kinds; empty: any.
    #[serde(default)]
    pub kind: Vec<AgentKind>,
    /// Labels the agent must carry with these values.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// An agent filter of `warden agents --filter` (`env:staging !label:tier=critical`).
    pub filter: Option<String>,
    pub action: GuardAction,
    /// Seconds between the alert and the action, for a person to stop it.
    pub grace_seconds: u64,
    /// At most this many actions of the policy in any hour; past it the
    /// policy holds its actions for a person (a circuit breaker).
    #[serde(default = "default_max_per_hour")]
    pub max_per_hour: u32,
}

fn default_max_per_hour() -> u32 {
    10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_reads_from_the_config_file_and_a_typo_is_refused() {
        let c: crate::config::Config = toml::from_str(
            "[[serve.guardrail]]\nname = \"freeze-spikes\"\nrule = [\"R11\"]\n\
             environment = [\"staging\"]\naction = \"freeze\"\ngrace_seconds = 30\n",
        )
        .unwrap();
        let p = &c.serve.guardrails[0];
        assert_eq!(p.action, GuardAction::Freeze);
        assert_eq!((p.grace_seconds, p.max_per_hour), (30, 10));
        let e = toml::from_str::<crate::config::Config>(
            "[[serve.guardrail]]\nname = \"x\"\naction = \"nuke\"\ngrace_seconds = 1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("nuke") && e.contains("freeze"), "{e}");
    }
}
