//! A guardrail policy: whether an alert on an agent matches it, and the
//! checks that refuse a dangerous or mistyped policy at start.

use crate::config::{GuardAction, GuardrailConfig, RuleThresholds};
use crate::fleet::filter::{Filter, Subject};
use crate::model::{Agent, Severity};
use crate::server::store::RaisedAlert;

/// Rules whose alerts name the credentials involved, which `revoke` needs.
const NAME_CREDENTIALS: &[&str] = &["R02", "R03", "R04", "R05", "R07"];

/// A policy with its filter parsed once.
#[derive(Debug, Clone)]
pub struct Policy {
    pub config: GuardrailConfig,
    filter: Option<Filter>,
}

impl Policy {
    /// The actor its actions are audited as.
    pub fn actor(&self) -> crate::server::store::Actor {
        crate::server::store::Actor::new(format!("guardrail:{}", self.config.name))
    }

    /// Whether `alert` on `agent` is this policy's to act on.
    pub fn matches(&self, alert: &RaisedAlert, agent: &Agent) -> bool {
        let c = &self.config;
        (c.rule.is_empty() || c.rule.contains(&alert.rule))
            && c.severity.is_none_or(|s| alert.severity >= s)
            && (c.environment.is_empty()
                || c.environment
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(&agent.environment)))
            && (c.kind.is_empty() || c.kind.contains(&agent.kind))
            && c.labels
                .iter()
                .all(|(k, v)| agent.labels.get(k).is_some_and(|have| have == v))
            && self.filter.as_ref().is_none_or(|f| {
                f.matches(&Subject {
                    agent,
                    owner: None,
                    risk: Some(alert.severity),
                })
            })
    }
}

fn refuse(name: &str, why: String) -> String {
    format!("[[serve.guardrail]] {name:?}: {why}")
}

/// Whether a policy could act on a production agent: it names no
/// environment, or names a production one.
fn may_reach_production(c: &GuardrailConfig, t: &RuleThresholds) -> bool {
    c.environment.is_empty()
        || c.environment.iter().any(|e| {
            t.production_environments
                .iter()
                .any(|p| p.eq_ignore_ascii_case(e))
        })
}

/// Checks every policy, answering them ready to match; the first problem
/// is refused with the policy's name and what to change.
pub fn check(configs: &[GuardrailConfig], t: &RuleThresholds) -> Result<Vec<Policy>, String> {
    let mut names = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for c in configs {
        let name = c.name.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            return Err(refuse(
                &c.name,
                "name must be letters, digits, - or _ (it is the audit's actor, guardrail:NAME)"
                    .into(),
            ));
        }
        if !names.insert(name.to_string()) {
            return Err(refuse(name, "two policies have this name".into()));
        }
        if let Some(bad) = c
            .rule
            .iter()
            .find(|r| crate::server::rules::lookup(r).is_none())
        {
            let known: Vec<&str> = crate::server::rules::CATALOG.iter().map(|r| r.id).collect();
            return Err(refuse(
                name,
                format!("unknown rule {bad:?}; the rules are {}", known.join(", ")),
            ));
        }
        if c.action == GuardAction::Revoke
            && (c.rule.is_empty()
                || c.rule
                    .iter()
                    .any(|r| !NAME_CREDENTIALS.contains(&r.as_str())))
        {
            return Err(refuse(
                name,
                format!(
                    "action = \"revoke\" needs rules whose alerts name the credentials involved ({}); \
                     use \"freeze\" for the others",
                    NAME_CREDENTIALS.join(", ")
                ),
            ));
        }
        if c.action == GuardAction::Kill && c.grace_seconds == 0 && may_reach_production(c, t) {
            return Err(refuse(
                name,
                "action = \"kill\" with grace_seconds = 0 could kill a production agent before \
                 anyone sees the alert; give a grace period, or limit environment to \
                 non-production ones"
                    .into(),
            ));
        }
        if c.grace_seconds > 7 * 24 * 3600 {
            return Err(refuse(name, "grace_seconds is more than a week".into()));
        }
        if c.max_per_hour == 0 {
            return Err(refuse(
                name,
                "max_per_hour = 0 would never act; remove the policy instead".into(),
            ));
        }
        if c.severity == Some(Severity::Info) {
            // Every alert is at least info: say so rather than guess.
            return Err(refuse(
                name,
                "severity = \"info\" matches everything; leave it out".into(),
            ));
        }
        let filter = match &c.filter {
            Some(f) => {
                Some(Filter::parse(f).map_err(|e| refuse(name, format!("filter {f:?}: {e}")))?)
            }
            None => None,
        };
        out.push(Policy {
            config: c.clone(),
            filter,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::GuardAction;

    fn policy(action: GuardAction, grace: u64) -> GuardrailConfig {
        GuardrailConfig {
            name: "p".into(),
            rule: vec!["R11".into()],
            severity: None,
            environment: vec![],
            kind: vec![],
            labels: Default::default(),
            filter: None,
            action,
            grace_seconds: grace,
            max_per_hour: 10,
        }
    }

    #[test]
    fn an_unknown_rule_is_refused_with_the_known_ones() {
        let mut p = policy(GuardAction::Freeze, 30);
        p.rule = vec!["R99".into()];
        let e = check(&[p], &RuleThresholds::default()).unwrap_err();
        assert!(
            e.contains("unknown rule \"R99\"") && e.contains("R11"),
            "{e}"
        );
    }

    #[test]
    fn a_kill_without_grace_is_refused_where_it_could_reach_production() {
        let t = RuleThresholds::default();
        let e = check(&[policy(GuardAction::Kill, 0)], &t).unwrap_err();
        assert!(e.contains("grace_seconds = 0"), "{e}");
        let mut prod = policy(GuardAction::Kill, 0);
        prod.environment = vec!["Prod".into()];
        assert!(check(&[prod], &t).is_err());
        let mut staging = policy(GuardAction::Kill, 0);
        staging.environment = vec!["staging".into()];
        assert!(check(&[staging], &t).is_ok());
        assert!(check(&[policy(GuardAction::Kill, 30)], &t).is_ok());
    }

    #[test]
    fn revoke_needs_rules_that_name_credentials_and_filters_must_parse() {
        let t = RuleThresholds::default();
        assert!(check(&[policy(GuardAction::Revoke, 30)], &t).is_err());
        let mut p = policy(GuardAction::Revoke, 30);
        p.rule = vec!["R04".into()];
        assert!(check(&[p], &t).is_ok());
        let mut bad = policy(GuardAction::Freeze, 30);
        bad.filter = Some("colour:red".into());
        assert!(check(&[bad], &t).unwrap_err().contains("filter"));
    }
}
