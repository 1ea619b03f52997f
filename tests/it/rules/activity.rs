//! The ingest rules against a real server, driven by batches of events
//! posted with the agent's own credential: R08 (environment crossing), R09
//! (human use of an agent identity), R11 (activity spike), R12 (new
//! destination); and the per-minute activity series the dashboard draws.
//! R17 (shadow agents) has its own suite, `shadows`.

use crate::support::rules::*;
use crate::support::server::*;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Ten calls a minute to `target` for the `minutes` minutes before `t`.
fn steady(target: &str, t: DateTime<Utc>, minutes: i64) -> Vec<Value> {
    (1..=minutes)
        .flat_map(|m| burst(target, t - mins(m), 10))
        .collect()
}

/// The start of the minute `t` is in, so a burst never straddles two.
fn minute_of(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp().div_euclid(60) * 60, 0).unwrap()
}

#[tokio::test]
async fn r08_fires_when_a_staging_agent_calls_a_production_target() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "stager", "staging").await;
    report(
        &s,
        &secret,
        vec![
            ev("https://db.prod.corp.example/query"),
            ev("db.prod.corp.example"),
            ev("db.staging.corp.example"),
        ],
    )
    .await;
    let a = open_alert(&s, "R08", &id).await;
    assert_eq!(a["severity"], "high");
    assert_eq!(a["mapping"], json!(["NHI8"]));
    assert_eq!(
        a["summary"],
        "Environment crossing: staging agent stager acted on a production target"
    );
    let e = evidence(&a);
    assert!(
        e.starts_with(
            "staging agent called production target db.prod.corp.example (2 calls); latest "
        ),
        "{e}"
    );
}

#[tokio::test]
async fn r08_near_miss_a_production_agent_or_a_non_production_target() {
    let s = server().await;
    let (prod, prod_secret) = live_agent(&s, "prod-bot", "prod").await;
    let (stage, stage_secret) = live_agent(&s, "stage-bot", "staging").await;
    report(&s, &prod_secret, vec![ev("db.prod.corp.example")]).await;
    report(
        &s,
        &stage_secret,
        vec![
            ev("db.staging.corp.example"),
            ev("https://product-catalog.example/items"),
            ev("reproduce.example"),
        ],
    )
    .await;
    assert_none(&s, "R08", &prod).await;
    assert_none(&s, "R08", &stage).await;
}

#[tokio::test]
async fn r08_production_targets_come_from_the_config_too_and_resolve_when_quiet() {
    let s = server_with(warden::config::RuleThresholds {
        production_targets: vec!["*.payments.corp.example".into()],
        ..thresholds()
    })
    .await;
    let (id, secret) = live_agent(&s, "dev-bot", "dev").await;
    report(
        &s,
        &secret,
        vec![ev("https://ledger.payments.corp.example/")],
    )
    .await;
    let a = open_alert(&s, "R08", &id).await;
    assert!(
        evidence(&a).contains("ledger.payments.corp.example (1 call)"),
        "{a}"
    );
    // More of the same keeps the one alert.
    report(&s, &secret, vec![ev("ledger.payments.corp.example")]).await;
    assert_eq!(open_alert(&s, "R08", &id).await["id"], a["id"]);
    s.sweep_at(now() + mins(59)).await;
    open_alert(&s, "R08", &id).await;
    s.sweep_at(now() + mins(61)).await;
    assert_resolved(
        &s,
        txt(&a, "id"),
        "no call to a production target for 60 min (last seen ",
    )
    .await;
}

#[tokio::test]
async fn r09_fires_when_an_agent_credential_is_used_interactively() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "borrowed", "prod").await;
    let cred = txt(&s.detail("borrowed").await["credentials"][0], "id").to_string();
    let mut batch = vec![ev("crm"); 3];
    batch.push(json!({"action": "export", "target": "crm", "interactive": true}));
    report(&s, &secret, batch).await;
    let a = open_alert(&s, "R09", &id).await;
    assert_eq!(a["severity"], "high");
    assert_eq!(a["mapping"], json!(["NHI10"]));
    let e = evidence(&a);
    assert!(
        e.starts_with(&format!(
            "1 of 4 events from an interactive client with credential {cred} (wdn_ac_"
        )),
        "{e}"
    );
    assert!(e.ends_with(": \"export\" on \"crm\""), "{e}");
}

#[tokio::test]
async fn r09_near_miss_and_resolution_when_the_human_stops() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "automated", "prod").await;
    report(
        &s,
        &secret,
        vec![json!({"action": "a", "target": "crm", "interactive": false}); 5],
    )
    .await;
    assert_none(&s, "R09", &id).await;
    report(
        &s,
        &secret,
        vec![json!({"action": "a", "target": "crm", "interactive": true})],
    )
    .await;
    let a = open_alert(&s, "R09", &id).await;
    s.sweep_at(now() + mins(61)).await;
    assert_resolved(&s, txt(&a, "id"), "no interactive use for 60 min").await;
}

/// An agent with an hour and more of ten calls a minute behind it.
async fn with_history(s: &TestServer, name: &str, t: DateTime<Utc>) -> (String, String) {
    let (id, secret) = live_agent(s, name, "prod").await;
    report(s, &secret, steady("crm.corp.example", t, 70)).await;
    (id, secret)
}

#[tokio::test]
async fn r11_fires_above_five_times_the_usual_rate() {
    let s = server().await;
    let t = minute_of(now());
    let (id, secret) = with_history(&s, "bursty", t).await;
    let mut spike = burst("https://paste.example/upload", t, 60);
    spike.extend(burst("crm.corp.example", t, 40));
    report(&s, &secret, spike).await;
    let a = open_alert(&s, "R11", &id).await;
    assert_eq!(a["severity"], "high");
    assert_eq!(a["mapping"], json!(["ASI02", "ASI08"]));
    let e = evidence(&a);
    assert!(
        e.starts_with(&format!(
            "100 calls/min at {}, usual 10 (limit 5× over the last 60 min); mostly paste.example (60); new host paste.example",
            t.format("%H:%M UTC")
        )),
        "{e}"
    );
}

#[tokio::test]
async fn r11_near_miss_exactly_five_times_below_the_floor_or_still_learning() {
    let s = server().await;
    let t = minute_of(now());
    let (id, secret) = with_history(&s, "steady", t).await;
    // 50 is five times ten: not above it.
    report(&s, &secret, burst("crm.corp.example", t, 50)).await;
    assert_none(&s, "R11", &id).await;

    // A quiet agent: 49 calls is under the floor of 50, whatever its usual.
    let (quiet, quiet_secret) = live_agent(&s, "quiet", "prod").await;
    report(&s, &quiet_secret, burst("crm", t - mins(120), 1)).await;
    report(&s, &quiet_secret, burst("crm", t, 49)).await;
    assert_none(&s, "R11", &quiet).await;

    // A new agent has no usual rate yet.
    let (new, new_secret) = live_agent(&s, "newcomer", "prod").await;
    report(&s, &new_secret, burst("crm", t, 500)).await;
    report(&s, &new_secret, burst("crm", t, 500)).await;
    assert_none(&s, "R11", &new).await;
}

#[tokio::test]
async fn r11_keeps_one_alert_and_resolves_when_the_rate_is_back() {
    let s = server().await;
    let t = minute_of(now());
    let (id, secret) = with_history(&s, "flare", t).await;
    report(&s, &secret, burst("crm.corp.example", t, 60)).await;
    let a = open_alert(&s, "R11", &id).await;
    report(&s, &secret, burst("crm.corp.example", t, 60)).await;
    let again = open_alert(&s, "R11", &id).await;
    assert_eq!(again["id"], a["id"]);
    assert!(evidence(&again).starts_with("120 calls/min"), "{again}");
    s.sweep_at(t + mins(5)).await;
    open_alert(&s, "R11", &id).await;
    s.sweep_at(t + mins(11)).await;
    assert_resolved(
        &s,
        txt(&a, "id"),
        "no minute above the spike threshold for 10 min",
    )
    .await;
}

#[tokio::test]
async fn r12_fires_for_a_destination_never_seen_before() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "explorer", "prod").await;
    let t = now();
    report(
        &s,
        &secret,
        vec![
            ev_at("crm.corp.example", t - mins(120)),
            ev_at("https://tickets.corp.example/1", t - mins(119)),
        ],
    )
    .await;
    report(
        &s,
        &secret,
        vec![
            ev_at("https://paste.example/raw/9", t),
            ev_at("https://paste.example/raw/10", t),
            ev_at("crm.corp.example/accounts", t),
        ],
    )
    .await;
    let a = open_alert(&s, "R12", &id).await;
    assert_eq!(a["severity"], "medium");
    assert_eq!(a["mapping"], json!(["ASI02", "NHI3"]));
    assert_eq!(
        a["summary"],
        "New destination: explorer called a destination it never used before: paste.example"
    );
    assert_eq!(
        evidence(&a),
        format!(
            "new host paste.example (2 calls from {}); 2 destinations known before",
            t.format("%H:%M UTC")
        )
    );
}

#[tokio::test]
async fn r12_near_miss_known_destinations_and_an_agent_still_learning() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "creature-of-habit", "prod").await;
    let t = now();
    report(&s, &secret, vec![ev_at("crm.corp.example", t - mins(120))]).await;
    report(
        &s,
        &secret,
        vec![
            ev_at("https://crm.corp.example/x", t),
            ev_at("crm.corp.example/y", t),
        ],
    )
    .await;
    assert_none(&s, "R12", &id).await;

    let (new, new_secret) = live_agent(&s, "learner", "prod").await;
    report(&s, &new_secret, vec![ev("crm.corp.example")]).await;
    report(&s, &new_secret, vec![ev("paste.example")]).await;
    assert_none(&s, "R12", &new).await;
}

#[tokio::test]
async fn learning_starts_at_the_earliest_event_even_one_reported_late() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "late-reporter", "prod").await;
    let t = now();
    report(&s, &secret, vec![ev_at("crm.corp.example", t - mins(1))]).await;
    // Still learning: a new host is not news yet.
    report(&s, &secret, vec![ev_at("tickets.corp.example", t)]).await;
    assert_none(&s, "R12", &id).await;
    // Its log of two hours ago arrives, from a host it already knows: it
    // has been at work since then, and has learnt.
    report(&s, &secret, vec![ev_at("crm.corp.example", t - mins(120))]).await;
    report(&s, &secret, vec![ev_at("paste.example", t)]).await;
    let a = open_alert(&s, "R12", &id).await;
    assert!(evidence(&a).starts_with("new host paste.example"), "{a}");
}

#[tokio::test]
async fn r12_resolves_when_no_new_destination_comes_for_an_hour() {
    let s = server().await;
    let (id, secret) = live_agent(&s, "wanderer", "prod").await;
    let t = now();
    report(&s, &secret, vec![ev_at("crm.corp.example", t - mins(120))]).await;
    report(&s, &secret, vec![ev_at("paste.example", t)]).await;
    let a = open_alert(&s, "R12", &id).await;
    s.sweep_at(t + mins(61)).await;
    assert_resolved(&s, txt(&a, "id"), "no new destination for 60 min").await;
}

#[tokio::test]
async fn the_activity_series_counts_calls_per_minute_for_the_last_hour() {
    let s = server().await;
    let (_, secret) = live_agent(&s, "metered", "prod").await;
    let t = minute_of(now());
    let mut batch = burst("crm", t, 1_000);
    batch.extend(burst("crm", t - mins(5), 7));
    batch.extend(burst("crm", t - mins(59), 3));
    batch.extend(burst("crm", t - mins(60), 11));
    report(&s, &secret, batch).await;
    let d = s.detail("metered").await;
    let series: Vec<u64> = d["activity"]
        .as_array()
        .expect("activity")
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(series.len(), 60, "{series:?}");
    // The clock may have moved on a minute since `t`.
    let offset = (minute_of(now()) - t).num_minutes() as usize;
    let at = |ago: usize| series[59 - ago - offset];
    assert_eq!(at(0), 1_000);
    assert_eq!(at(5), 7);
    if offset == 0 {
        assert_eq!(at(59), 3);
    }
    assert_eq!(
        series.iter().sum::<u64>(),
        1_010 - if offset == 0 { 0 } else { 3 }
    );
}
