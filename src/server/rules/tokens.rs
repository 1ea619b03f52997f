//! R21, a person token that speaks for no person: offboarding nobody stops
//! it, so it works until someone remembers to revoke it. Judged in the
//! sweep over live tokens issued through the API (the bootstrap token of
//! `WARDEN_ADMIN_TOKEN` is retired by changing that value, and Warden's own
//! session tokens die with their session); resolved at once when the token
//! is revoked, and by the sweep when it expires or is gone.
//!
//! R21 because rules.md keeps R10, R15, R16, R19 and R20 for sources Warden
//! does not read yet; R21 is the first id nobody holds.

use super::{Verdict, day, lookup, shown};
use crate::model::{Role, Severity};
use crate::server::AppState;
use crate::server::store::{
    AgentState, AlertInput, Finding, LiveAlert, Resolution, SweepFacts, TokenRecord,
};
use chrono::{DateTime, Utc};

use super::config::RuleThresholds;

pub const RULE: &str = "R21";

fn cause(token_id: &str) -> String {
    format!("{RULE}:{token_id}")
}

fn finding(t: &TokenRecord, now: DateTime<Utc>) -> Finding {
    let (name, mapping) = match lookup(RULE) {
        Some(r) => (r.name, r.maps_to.iter().map(|m| m.to_string()).collect()),
        None => (RULE, Vec::new()),
    };
    let severity = if t.role == Role::Admin {
        Severity::High
    } else {
        Severity::Medium
    };
    let expiry = match t.expires_at {
        Some(e) => format!("expires on {}", day(e)),
        None => "never expires".to_string(),
    };
    Finding {
        alert: AlertInput {
            agent_id: None,
            rule: RULE.to_string(),
            cause: cause(&t.id),
            severity,
            summary: format!(
                "{name}: {} token {} speaks for no person",
                t.role,
                shown(&t.name)
            ),
            evidence: format!(
                "token {} ({}, {}) was created on {} by {} for no person, and {expiry}: \
                 offboarding nobody stops it. Give its holder a token of their own \
                 (warden token create --person …), then revoke it (warden token revoke {} \
                 --reason …)",
                t.id,
                shown(&t.name),
                t.role,
                day(t.created_at),
                shown(&t.created_by),
                t.id
            ),
        },
        mapping,
        seen_at: now,
    }
}

pub(super) fn unpersoned(f: &SweepFacts, now: DateTime<Utc>) -> Verdict {
    Verdict {
        rule: RULE,
        prefix: "R21:",
        findings: f
            .unpersoned_tokens
            .iter()
            .map(|t| finding(t, now))
            .collect(),
        explain: gone,
    }
}

fn gone(a: &LiveAlert, _: Option<&AgentState>, _: &RuleThresholds) -> String {
    let id = a.cause.strip_prefix("R21:").unwrap_or(&a.cause);
    format!(
        "token {id} no longer works for no person: it expired, was revoked or now speaks for a person"
    )
}

/// Resolves the R21 alert of a token just revoked, saying who revoked it
/// and why. A failure is logged: the next sweep resolves it anyway.
pub async fn token_revoked(state: &AppState, token: &TokenRecord) {
    let Some((_, by, why)) = &token.revoked else {
        return;
    };
    let live = match state.store.live_alerts(RULE).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, token = %token.id, "could not read the R21 alerts");
            return;
        }
    };
    let now = Utc::now();
    let resolve: Vec<Resolution> = live
        .into_iter()
        .filter(|a| a.cause == cause(&token.id))
        .map(|a| Resolution {
            id: a.id,
            rule: a.rule,
            agent_id: None,
            why: format!(
                "token {} was revoked by {}: {}",
                token.id,
                shown(by),
                shown(why)
            ),
            seen_at: now,
        })
        .collect();
    if let Err(e) = state.store.apply_alerts(&[], &resolve, now).await {
        tracing::warn!(error = %e, token = %token.id, "could not resolve the R21 alert");
    }
}
