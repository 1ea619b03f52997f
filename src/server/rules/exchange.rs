//! R14 at token exchange: a request for scopes beyond the chain's, or for
//! a chain deeper than the limit, is refused by the token endpoint and
//! raised here with the chain as evidence.

use super::finding;
use crate::model::{Agent, Severity};
use crate::server::AppState;
use chrono::Utc;

pub async fn exchange_refused(state: &AppState, agent: &Agent, summary: String, evidence: String) {
    let now = Utc::now();
    let alert = finding(
        "R14",
        &agent.id,
        format!("R14:exchange:{}", agent.id),
        Severity::High,
        summary,
        evidence,
        now,
    );
    // The refusal is what protects; failing to raise is logged, not
    // turned into a 500.
    if let Err(e) = state.store.apply_alerts(&[alert], &[], now).await {
        tracing::warn!(error = %e, agent = %agent.id, "could not raise R14 at token exchange");
    }
}
