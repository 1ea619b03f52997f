//! `POST /v1/discoveries`: the findings of `warden discover --register`
//! from any number of laptops and CI jobs, each finding kept as one
//! unowned agent (see the store's `record_discoveries`).

use super::Body;
use crate::api::{DiscoveryOutcome, DiscoveryReport};
use crate::server::AppState;
use crate::server::auth::Discoverer;
use crate::server::error::ApiResult;
use crate::server::rules::Touched;
use axum::Json;
use axum::extract::State;

/// Most findings one report may carry.
pub const MAX_FINDINGS: usize = 10_000;

pub async fn report(
    State(state): State<AppState>,
    Discoverer(actor): Discoverer,
    Body(report): Body<DiscoveryReport>,
) -> ApiResult<(Touched, Json<DiscoveryOutcome>)> {
    if report.findings.len() > MAX_FINDINGS {
        return Err(crate::server::error::ApiError::unprocessable(format!(
            "a report carries at most {MAX_FINDINGS} findings; this one has {}: send the scan in parts by source",
            report.findings.len()
        )));
    }
    let outcome = state.store.record_discoveries(&actor, &report).await?;
    let touched = Touched::agents(outcome.agents.iter().map(|a| a.agent_id.clone()));
    Ok((touched, Json(outcome)))
}
