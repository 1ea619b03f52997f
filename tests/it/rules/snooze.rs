//! A snoozed alert and the rules: a sweep that finds the same cause keeps
//! the snooze; one that escalates it (R01 going critical after its grace)
//! ends the snooze at once, before its time, saying why.

use crate::support::rules::*;
use crate::support::server::*;
use serde_json::json;
use warden::config::RuleThresholds;

#[tokio::test]
async fn a_sweep_that_escalates_an_alert_ends_its_snooze_before_its_time() {
    let s = server_with(RuleThresholds {
        unowned_grace_hours: 2,
        ..thresholds()
    })
    .await;
    let id = agent_in(&s, "orphan", "prod").await;
    let t0 = now();
    s.sweep_at(t0).await;
    let a = open_alert(&s, "R01", &id).await;
    assert_eq!(a["severity"], "high");
    let alert_id = txt(&a, "id").to_string();
    // Three hours: longer than the grace left.
    s.admin(
        "POST",
        &format!("/v1/alerts/{alert_id}/snooze"),
        json!({"seconds": 3 * 3600, "reason": "owner being found"}),
    )
    .await;

    s.sweep_at(t0 + mins(60)).await;
    let same = open_alert(&s, "R01", &id).await;
    assert_eq!(same["severity"], "high");
    assert_eq!(same["snooze_reason"], "owner being found", "{same}");

    s.sweep_at(t0 + mins(150)).await;
    let worse = open_alert(&s, "R01", &id).await;
    assert_eq!(worse["severity"], "critical");
    for field in ["snoozed_until", "snoozed_by", "snooze_reason"] {
        assert!(worse.get(field).is_none(), "{field} survived: {worse}");
    }
    let ended = audited(&s, "alert.unsnooze", "R01").await;
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(ended[0]["reason"], "escalated: high -> critical");
    assert_eq!(ended[0]["target"], format!("{alert_id} (R01)"));
}
