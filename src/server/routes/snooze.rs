//! Snoozing a Warden alert: quiet for a while, with who and why in the
//! audit chain; it ends by itself when the time is up ([`snooze_clock`]),
//! at once when the alert escalates (`store::sql::rules`), or when a
//! responder ends it.

use super::actions::counted;
use super::{Body, require_reason};
use crate::api::{MAX_SNOOZE_SECONDS, Reason, SnoozeRequest};
use crate::model::Alert;
use crate::server::auth::Responder;
use crate::server::error::{ApiError, ApiResult};
use crate::server::rules::Touched;
use crate::server::{AppState, snooze_clock};
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Duration, Utc};

pub async fn snooze(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<SnoozeRequest>,
) -> ApiResult<(Touched, Json<Alert>)> {
    let result = async {
        let reason = require_reason(&body.reason)?;
        let until = snooze_end(body.seconds, Utc::now())?;
        let alert = state.store.snooze_alert(&actor, &id, until, reason).await?;
        snooze_clock::end_when_due(&state.store, until);
        // A snooze changes nothing a rule reads.
        Ok((Touched::nothing(), Json(alert)))
    }
    .await;
    counted(&state, "snooze", result)
}

pub async fn unsnooze(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<(Touched, Json<Alert>)> {
    let result = async {
        let reason = require_reason(&body.reason)?;
        let alert = state.store.unsnooze_alert(&actor, &id, reason).await?;
        Ok((Touched::nothing(), Json(alert)))
    }
    .await;
    counted(&state, "unsnooze", result)
}

/// When a snooze of `seconds` from `now` ends, or why it is refused.
fn snooze_end(seconds: u64, now: DateTime<Utc>) -> ApiResult<DateTime<Utc>> {
    if seconds == 0 {
        return Err(ApiError::unprocessable(
            "seconds is 0; a snooze lasts 1 s or more (POST /v1/alerts/{id}/unsnooze ends one)",
        ));
    }
    if seconds > MAX_SNOOZE_SECONDS {
        return Err(ApiError::unprocessable(format!(
            "seconds is {seconds}; a snooze lasts at most {MAX_SNOOZE_SECONDS} (7 days). \
             An alert to be quiet for longer wants an acknowledgement, or its rule's threshold changed"
        )));
    }
    // At most 7 days: the conversion and the addition cannot fail.
    let span =
        Duration::try_seconds(i64::try_from(seconds).unwrap_or(i64::MAX)).unwrap_or(Duration::MAX);
    Ok(now
        .checked_add_signed(span)
        .unwrap_or(DateTime::<Utc>::MAX_UTC))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snooze_lasts_a_second_to_a_week() {
        let now = Utc::now();
        assert_eq!(snooze_end(60, now).unwrap(), now + Duration::seconds(60));
        assert!(snooze_end(MAX_SNOOZE_SECONDS, now).is_ok());
        let zero = snooze_end(0, now).unwrap_err();
        assert!(zero.message.contains("unsnooze"), "{}", zero.message);
        let long = snooze_end(MAX_SNOOZE_SECONDS + 1, now).unwrap_err();
        assert!(long.message.contains("7 days"), "{}", long.message);
    }
}
