//! `POST /v1/discoveries` on the wire: what `warden discover --register`
//! sends (the findings of one scan of one source) and what the backend
//! answers (which agent each finding is, and what changed).

use crate::discover::Finding;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Everything one scan of one source found. The source names what was
/// scanned (a host and the homes, roots and cards it read): a finding the
/// backend has from the same source that is not in a later report is
/// marked gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryReport {
    pub source: String,
    pub findings: Vec<Finding>,
}

/// What the backend made of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DiscoveryOutcome {
    /// Findings new to the backend: registered as unowned agents.
    pub created: usize,
    /// Findings it had, whose details changed (or that came back).
    pub updated: usize,
    /// Findings it had, unchanged.
    pub unchanged: usize,
    /// Findings of this source that were not in the report.
    pub gone: usize,
    /// Each finding of the report, in order, and the agent it is.
    pub agents: Vec<DiscoveredAgent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DiscoveredAgent {
    pub key: String,
    pub agent_id: String,
    pub name: String,
    /// `created`, `updated`, `unchanged`, or `gone`.
    pub change: String,
}
