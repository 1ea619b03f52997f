//! Acknowledging an Alertmanager alert: a silence on exactly its labels,
//! made under the responder's name with the reason as its comment, lasting
//! the backend's `silence` length. Shared by `warden ack` and the dashboard,
//! so both make the same silence and say the same things.

use super::client::{AmClient, AmError};
use super::mapping;
use super::wire::{GettableSilence, PostableSilence};
use super::{Settings, read};
use crate::model::Alert;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What an acknowledgement did.
#[derive(Debug, Clone, PartialEq)]
pub struct Silenced {
    /// The alert as it now stands: acknowledged.
    pub alert: Alert,
    /// The silence that holds it: the new one, or the one already there.
    pub silence_id: String,
    /// True when a silence already held the alert, so none was made.
    pub already: bool,
    /// When the new silence ends; `None` when none was made.
    pub until: Option<DateTime<Utc>>,
}

/// Silences the alert with this fingerprint (a bare one, not qualified).
/// An alert already silenced is left as it is, as Warden leaves an alert
/// already acknowledged; one that is not there (resolved meanwhile) is
/// [`AmError::NoSuchAlert`].
pub async fn acknowledge(
    client: &AmClient,
    settings: &Settings,
    fingerprint: &str,
    responder: &str,
    reason: &str,
) -> Result<Silenced, AmError> {
    // Read now rather than trust the caller's copy: the labels must be
    // exactly the alert's, and it may have been silenced meanwhile.
    let raw = client.alerts().await?;
    let Some(found) = raw.into_iter().find(|a| a.fingerprint == fingerprint) else {
        return Err(AmError::NoSuchAlert {
            url: client.base_url().to_string(),
            fingerprint: fingerprint.to_string(),
        });
    };
    if let Some(existing) = found.status.silenced_by.first().cloned() {
        let alert = read::map_all(client, std::slice::from_ref(&found), settings)
            .await
            .remove(0);
        return Ok(Silenced {
            alert,
            silence_id: existing,
            already: true,
            until: None,
        });
    }
    let now = Utc::now();
    let ends_at =
        now + chrono::Duration::from_std(settings.silence).unwrap_or(chrono::Duration::hours(4));
    let silence = PostableSilence {
        matchers: mapping::matchers(&found.labels),
        starts_at: now,
        ends_at,
        created_by: responder.to_string(),
        comment: reason.to_string(),
    };
    let silence_id = client.create_silence(&silence).await?;
    tracing::info!(url = %client.base_url(), fingerprint, %silence_id, "silenced");
    // The alert as the next read will show it, without waiting for it.
    let mut now_silenced = found;
    now_silenced.status.silenced_by = vec![silence_id.clone()];
    now_silenced.status.state = "suppressed".into();
    let made = GettableSilence {
        id: silence_id.clone(),
        matchers: silence.matchers,
        starts_at: Some(silence.starts_at),
        ends_at: Some(silence.ends_at),
        created_by: silence.created_by,
        comment: silence.comment,
        status: None,
    };
    let known = HashMap::from([(silence_id.clone(), made)]);
    Ok(Silenced {
        alert: mapping::to_alert(&now_silenced, &known, settings),
        silence_id,
        already: false,
        until: Some(ends_at),
    })
}
