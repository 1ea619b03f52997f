//! Reading an Alertmanager's alerts as Warden alerts: its alerts, and, when
//! any of them is silenced, its silences, which say who silenced it and why.

use super::Settings;
use super::client::{AmClient, AmError};
use super::mapping;
use super::wire::GettableAlert;
use crate::model::Alert;
use std::collections::HashMap;

/// Every alert the Alertmanager holds, mapped (ids are bare fingerprints,
/// agents the raw label). A failure to read the silences does not hide
/// the alerts: a silenced one then shows acknowledged by
/// [`mapping::UNKNOWN_SILENCER`].
pub async fn alerts(client: &AmClient, settings: &Settings) -> Result<Vec<Alert>, AmError> {
    let raw = client.alerts().await?;
    Ok(map_all(client, &raw, settings).await)
}

/// Maps `raw`, reading the silences only if one of them is silenced.
pub async fn map_all(client: &AmClient, raw: &[GettableAlert], settings: &Settings) -> Vec<Alert> {
    let silences = if raw.iter().any(|a| !a.status.silenced_by.is_empty()) {
        match client.silences().await {
            Ok(list) => list.into_iter().map(|s| (s.id.clone(), s)).collect(),
            Err(e) => {
                tracing::warn!(url = %client.base_url(), error = %e, "cannot read the silences");
                HashMap::new()
            }
        }
    } else {
        HashMap::new()
    };
    raw.iter()
        .map(|a| mapping::to_alert(a, &silences, settings))
        .collect()
}
