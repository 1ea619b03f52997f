//! Guardrails' automatic actions in the dashboard: the header leads with
//! the soonest pending one, counted down from its due time at every frame;
//! the alert view lists the actions planned on it; `s` stops the pending
//! one with a reason and `E` runs it now, each through the dialog, and the
//! action is shown stopped or done only once the backend said so. A
//! backend without the route shows none, quietly; hostile names are
//! escaped. The live test stops an action on a real server, through two
//! merged backends.

use crate::support::dashboard::{command, flash, key, render, typed};
use crate::support::fleet;
use crate::support::live;
use crate::support::server::TestServer;

use chrono::{DateTime, Duration, Utc};
use crossterm::event::KeyCode;
use serde_json::json;
use warden::api::client::Client;
use warden::api::guardrails::GuardrailAction;
use warden::config::{GuardAction, GuardrailConfig, RuleThresholds, ServeConfig};
use warden::sources::{self, Origin};
use warden::tui::app::{App, Level, Options, Overlay};
use warden::tui::effects::runner::{Route, Runner};
use warden::tui::guardrails::GuardrailsRead;
use warden::tui::msg::{Action, Effect, Msg, Outcome};
use warden::tui::popups::confirm::{Field, Phase, Subject};
use warden::tui::screens::Screen;
use warden::tui::views::Clock;

fn planned(id: &str, alert: &str, status: &str, due: DateTime<Utc>) -> GuardrailAction {
    GuardrailAction {
        id: id.into(),
        policy: "freeze-spikes".into(),
        action: "freeze".into(),
        alert_id: alert.into(),
        rule: "R18".into(),
        agent_id: "agt_triage".into(),
        agent_name: "ticket-triage".into(),
        credentials: vec![],
        created_at: fleet::wall() - Duration::seconds(7),
        due_at: due,
        status: status.into(),
        finished_at: None,
        outcome: None,
        decided_by: None,
    }
}

/// The fixture's guardrail read (the first after its sync) answering
/// `actions`.
fn read(app: &mut App, actions: Vec<GuardrailAction>) {
    app.handle_msg(Msg::Guardrails {
        backend: 0,
        seq: 1,
        read: GuardrailsRead::Actions(actions),
    });
}

/// The fixture with a freeze due on its alert in 23 s, another due on
/// some other alert later, and one a person stopped earlier; open on the
/// alert's view.
fn app_with_pending() -> (App, Clock) {
    let (mut app, clock) = fleet::app();
    let wall = fleet::wall();
    let mut earlier = planned("gra_old", "alr_1", "stopped", wall - Duration::minutes(9));
    earlier.finished_at = Some(wall - Duration::minutes(10));
    earlier.outcome = Some("stopped by a person before it acted".into());
    earlier.decided_by = Some("pat: known load test".into());
    let mut other = planned(
        "gra_2",
        "alr_other",
        "pending",
        wall + Duration::seconds(95),
    );
    other.agent_name = "mcp-github".into();
    read(
        &mut app,
        vec![
            planned("gra_1", "alr_1", "pending", wall + Duration::seconds(23)),
            other,
            earlier,
        ],
    );
    command(&mut app, "alerts");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.screen(),
        &Screen::Alert {
            alert_id: "alr_1".into()
        }
    );
    (app, clock)
}

/// `s` on the alert with a pending freeze: the stop dialog, for the
/// catalogue of every dialog.
pub(super) fn stop_dialog() -> App {
    let (mut app, _) = app_with_pending();
    key(&mut app, KeyCode::Char('s'));
    app
}

/// `E` there: the run-now dialog.
pub(super) fn run_dialog() -> App {
    let (mut app, _) = app_with_pending();
    key(&mut app, KeyCode::Char('E'));
    app
}

/// `:guardrails` with the fixture's three actions.
pub(super) fn list_view() -> App {
    let (mut app, _) = app_with_pending();
    command(&mut app, "guardrails");
    app
}

fn later(clock: Clock, seconds: i64) -> Clock {
    Clock {
        now: clock.now + std::time::Duration::from_secs(seconds as u64),
        wall: clock.wall + Duration::seconds(seconds),
    }
}

#[test]
fn the_header_and_the_alert_view_count_down_from_the_due_time() {
    let (mut app, clock) = app_with_pending();
    let screen = render(&mut app, clock, 80, 24);
    insta::assert_snapshot!("guardrail_alert_80x24", screen);
    let screen = render(&mut app, clock, 120, 40);
    insta::assert_snapshot!("guardrail_alert_120x40", screen);
    assert!(
        screen.contains("guardrail: freeze ticket-triage in 23s (+1 more)"),
        "{screen}"
    );
    assert!(
        screen.contains("freeze-spikes: freeze ticket-triage · in 23s"),
        "{screen}"
    );
    assert!(screen.contains("<s> stop guardrail"), "{screen}");
    assert!(screen.contains("<E> run guardrail"), "{screen}");

    // Each frame re-derives it from the due time, whatever the polls do.
    let screen = render(&mut app, later(clock, 5), 120, 40);
    assert!(
        screen.contains("ticket-triage in 18s (+1 more)"),
        "{screen}"
    );
    let screen = render(&mut app, later(clock, 30), 120, 40);
    assert!(screen.contains("ticket-triage due now"), "{screen}");
    // Past a minute, minutes and seconds: the other one, once it leads.
    let mut app2 = fleet::app().0;
    read(
        &mut app2,
        vec![planned(
            "gra_9",
            "alr_1",
            "pending",
            fleet::wall() + Duration::seconds(125),
        )],
    );
    let screen = render(&mut app2, clock, 120, 40);
    assert!(
        screen.contains("guardrail: freeze ticket-triage in 2m05s  │ agents"),
        "{screen}"
    );
}

#[test]
fn no_pending_action_no_countdown_and_no_keys() {
    let (mut app, clock) = fleet::app();
    command(&mut app, "alerts");
    key(&mut app, KeyCode::Enter);
    let screen = render(&mut app, clock, 120, 40);
    assert!(!screen.contains("guardrail"), "{screen}");
    assert!(key(&mut app, KeyCode::Char('s')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Info);
    assert!(text.contains("no automatic action is pending"), "{text}");
    key(&mut app, KeyCode::Char('E'));
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn s_asks_a_reason_and_the_action_is_stopped_only_once_the_backend_says_so() {
    let (mut app, clock) = app_with_pending();
    assert!(key(&mut app, KeyCode::Char('s')).is_empty());
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("expected the dialog, got {:?}", app.overlay);
    };
    assert_eq!(d.focus, Field::Reason, "focus starts on the reason");
    assert_eq!(
        d.subject,
        Subject::StopGuardrail {
            action_id: "gra_1".into(),
            label: "freeze of ticket-triage by freeze-spikes".into()
        }
    );
    assert!(d.blast.iter().any(|l| l.contains("policy freeze-spikes")));
    assert!(d.blast.iter().any(|l| l.contains("audit")));
    // No reason, nothing sent.
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    typed(&mut app, "load test, INC-7");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Run { id, action }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        action,
        &Action::StopGuardrail {
            action_id: "gra_1".into(),
            label: "freeze of ticket-triage by freeze-spikes".into(),
            reason: "load test, INC-7".into(),
        }
    );
    let id = *id;
    // Sent, not answered: still pending, still counting down.
    assert_eq!(app.guardrails.for_alert("alr_1")[0].status, "pending");
    assert_eq!(flash(&app).0, Level::Pending);

    // A refusal is said, and changes nothing.
    app.handle_msg(Msg::Action {
        id,
        result: Err("guardrail action gra_1 is done, not pending (HTTP 409, conflict)".into()),
    });
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    assert!(text.contains("not pending"), "{text}");
    assert_eq!(app.guardrails.for_alert("alr_1")[0].status, "pending");
    key(&mut app, KeyCode::Esc);

    // Again, and this time the backend stops it.
    key(&mut app, KeyCode::Char('s'));
    typed(&mut app, "load test, INC-7");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Run { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let mut stopped = planned("gra_1", "alr_1", "stopped", fleet::wall());
    stopped.finished_at = Some(fleet::wall() + Duration::seconds(2));
    stopped.outcome = Some("stopped by a person before it acted".into());
    stopped.decided_by = Some("oncall: load test, INC-7".into());
    app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(Outcome::Guardrail(Box::new(stopped))),
    });
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("the dialog stays with the answer");
    };
    assert!(
        matches!(&d.phase, Phase::Done { ok: true, message, .. } if message.contains("stopped"))
    );
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Success);
    assert_eq!(
        text,
        "the freeze of ticket-triage by freeze-spikes is stopped: stopped by a person before it acted"
    );
    key(&mut app, KeyCode::Esc);
    let screen = render(&mut app, clock, 120, 40);
    let at = (fleet::wall() + Duration::seconds(2)).format("%H:%M:%S UTC");
    let ended = format!("stopped at {at}: stopped by a person before it acted (oncall: load");
    assert!(screen.contains(&ended), "{screen}");
    // The header moves to the next one; the keys leave the hint bar.
    assert!(
        screen.contains("guardrail: freeze mcp-github in 1m35s  │"),
        "{screen}"
    );
    assert!(!screen.contains("<s> stop guardrail"), "{screen}");
    // A read asked before the answer still shows it pending: dropped.
    let old = app.guardrails.live().len();
    app.handle_msg(Msg::Guardrails {
        backend: 0,
        seq: 1,
        read: GuardrailsRead::Actions(vec![planned(
            "gra_1",
            "alr_1",
            "pending",
            fleet::wall() + Duration::seconds(23),
        )]),
    });
    assert_eq!(app.guardrails.live().len(), old);
}

#[test]
fn e_runs_it_now_through_the_dialog_never_focused_on_the_button() {
    let (mut app, _) = app_with_pending();
    key(&mut app, KeyCode::Char('E'));
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("expected the dialog, got {:?}", app.overlay);
    };
    assert_eq!(d.focus, Field::Reason);
    assert!(matches!(d.subject, Subject::RunGuardrail { .. }));
    assert!(d.blast.iter().any(|l| l.contains("acts now")));
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "no reason yet");
    typed(&mut app, "confirmed abuse");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Run { id, action }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(
        matches!(action, Action::RunGuardrail { action_id, reason, .. }
        if action_id == "gra_1" && reason == "confirmed abuse")
    );
    let mut done = action_done("gra_1");
    done.status = "failed".into();
    done.outcome = Some("the agent could not be suspended".into());
    app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(Outcome::Guardrail(Box::new(done))),
    });
    // A run the backend says failed is a failure.
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("the dialog stays");
    };
    assert!(matches!(d.phase, Phase::Done { ok: false, .. }));
    assert_eq!(flash(&app).0, Level::Error);
}

fn action_done(id: &str) -> GuardrailAction {
    let mut a = planned(id, "alr_1", "done", fleet::wall());
    a.finished_at = Some(fleet::wall());
    a
}

#[test]
fn read_only_shows_the_countdown_but_neither_key() {
    let (mut app, clock) = app_with_pending();
    app.options.readonly = true;
    let screen = render(&mut app, clock, 120, 40);
    assert!(screen.contains("in 23s"), "{screen}");
    assert!(!screen.contains("stop guardrail"), "{screen}");
    assert!(!screen.contains("stops it"), "{screen}");
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(flash(&app).0, Level::Error);
}

#[test]
fn hostile_policy_and_agent_names_are_escaped_everywhere() {
    let (mut app, clock) = fleet::app();
    let mut a = planned(
        "gra_1",
        "alr_1",
        "pending",
        fleet::wall() + Duration::seconds(40),
    );
    a.policy = "evil\u{1b}]0;pwned\u{7}".into();
    a.agent_name = "bot\u{202e}gpj.exe\u{1b}[2J".into();
    read(&mut app, vec![a]);
    command(&mut app, "alerts");
    key(&mut app, KeyCode::Enter);
    let screen = render(&mut app, clock, 160, 40);
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{202e}'));
    assert!(screen.contains("evil\\x1b]0;pwned\\x07"), "{screen}");
    assert!(screen.contains("bot\\u{202e}gpj.exe\\x1b[2J"), "{screen}");
    key(&mut app, KeyCode::Char('s'));
    let screen = render(&mut app, clock, 160, 40);
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{202e}'));
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("the dialog");
    };
    assert!(
        d.title().contains("evil\\x1b]0;pwned\\x07"),
        "{}",
        d.title()
    );
}

#[test]
fn a_backend_without_guardrails_shows_none_and_is_not_asked_again() {
    let (mut app, _) = fleet::app();
    app.handle_msg(Msg::Guardrails {
        backend: 0,
        seq: 1,
        read: GuardrailsRead::NotServed,
    });
    assert!(app.flash.is_none(), "{:?}", app.flash);
    let effects = app.handle_msg(Msg::Source {
        backend: 0,
        event: sources::SourceEvent::Synced {
            changes: Box::default(),
            latency: std::time::Duration::from_millis(5),
        },
    });
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::FetchGuardrails { .. })),
        "{effects:?}"
    );
    // A failed read is quiet too, and asked again after the next poll.
    let (mut app, _) = fleet::app();
    app.handle_msg(Msg::Guardrails {
        backend: 0,
        seq: 1,
        read: GuardrailsRead::Failed("cannot reach".into()),
    });
    assert!(app.flash.is_none());
    let effects = app.handle_msg(Msg::Source {
        backend: 0,
        event: sources::SourceEvent::Synced {
            changes: Box::default(),
            latency: std::time::Duration::from_millis(5),
        },
    });
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchGuardrails { backend: 0, .. })),
        "{effects:?}"
    );
}

/// An HTTP server that answers 404 to everything: a Warden older than
/// guardrails, or a foreign backend.
async fn not_found_server() -> String {
    let app = axum::Router::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn the_runner_reads_a_404_as_no_guardrails() {
    let url = not_found_server().await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let poke = std::sync::Arc::new(tokio::sync::Notify::new());
    let handle = sources::SourceHandle::new(poke, tokio::spawn(async {}));
    let runner = Runner::new(Client::new(&url, Some("t")).unwrap(), tx, handle.poker());
    runner.handle(Effect::FetchGuardrails { backend: 0, seq: 4 });
    let msg = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        msg,
        Msg::Guardrails {
            backend: 0,
            seq: 4,
            read: GuardrailsRead::NotServed
        }
    );
}

fn freeze_on_r04(grace: u64) -> ServeConfig {
    ServeConfig {
        rules: RuleThresholds {
            sweep_interval_seconds: 3600,
            ..RuleThresholds::default()
        },
        guardrails: vec![GuardrailConfig {
            name: "freeze-keys".into(),
            rule: vec!["R04".into()],
            severity: None,
            environment: vec![],
            kind: vec![],
            labels: Default::default(),
            filter: None,
            action: GuardAction::Freeze,
            grace_seconds: grace,
            max_per_hour: 10,
        }],
        ..ServeConfig::default()
    }
}

#[tokio::test]
async fn s_stops_a_real_servers_action_through_a_merged_dashboard() {
    let prod = TestServer::start_with(freeze_on_r04(600)).await;
    let staging = TestServer::start().await;
    prod.person("Pat", "pat@corp.example").await;
    // An owned agent given a credential that never expires: R04 at once.
    let agent = prod
        .agent_with(json!({"name": "keeper", "kind": "autonomous",
                           "environment": "staging", "owner": "pat@corp.example"}))
        .await;
    prod.credential("keeper").await;
    let agent_id = format!("prod/{}", agent["id"].as_str().unwrap());

    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let mut handles = Vec::new();
    let mut routes = Vec::new();
    for (index, (name, s)) in [("prod", &prod), ("staging", &staging)]
        .into_iter()
        .enumerate()
    {
        let token = s.token("responder").await;
        let client = Client::new(&s.url, Some(&token)).unwrap();
        let origin = Origin {
            index,
            scope: Some(name.to_string()),
        };
        let handle = sources::warden::spawn(
            client.clone(),
            std::time::Duration::from_millis(150),
            tx.clone(),
            origin,
        );
        routes.push(Route {
            client,
            poker: handle.poker(),
            scope: Some(name.to_string()),
        });
        handles.push(handle);
    }
    let runner = Runner::routed(routes, tx);
    let mut app = App::with_backends(
        &[("prod", &prod.url), ("staging", &staging.url)],
        Options::default(),
    );
    live::pump_until(&mut app, &runner, &mut rx, "the pending freeze", |a| {
        a.guardrails.live().iter().any(|g| g.agent_id == agent_id)
            && a.backends.iter().all(|b| b.identity.is_some())
    })
    .await;
    let pending = app.guardrails.live()[0].clone();
    assert!(pending.id.starts_with("prod/"), "{pending:?}");
    assert!(pending.alert_id.starts_with("prod/"), "{pending:?}");
    assert_eq!(pending.agent_name, "keeper");
    live::pump_until(&mut app, &runner, &mut rx, "the alert", |a| {
        a.fleet.alert(&pending.alert_id).is_some()
    })
    .await;
    app.screens.push(Screen::Alert {
        alert_id: pending.alert_id.clone(),
    });

    live::key(&mut app, &runner, KeyCode::Char('s'));
    live::typed(&mut app, &runner, "known test key");
    live::key(&mut app, &runner, KeyCode::Enter);
    // Sent; until the backend answers, it is pending here.
    assert_eq!(
        app.guardrails.for_alert(&pending.alert_id)[0].status,
        "pending"
    );
    live::pump_until(
        &mut app,
        &runner,
        &mut rx,
        "the backend's answer",
        |a| matches!(&a.overlay, Overlay::Confirm(d) if matches!(d.phase, Phase::Done { .. })),
    )
    .await;
    let Overlay::Confirm(d) = &app.overlay else {
        unreachable!()
    };
    assert!(
        matches!(&d.phase, Phase::Done { ok: true, .. }),
        "{:?}",
        d.phase
    );
    let shown = app.guardrails.for_alert(&pending.alert_id)[0].clone();
    assert_eq!(shown.status, "stopped");
    assert!(
        shown
            .decided_by
            .as_deref()
            .is_some_and(|b| b.contains("responder-token") && b.contains("known test key")),
        "{shown:?}"
    );
    assert!(app.guardrails.live().is_empty());

    // On the server: stopped, and audited as the responder with the reason.
    let local = pending.id.trim_start_matches("prod/");
    let listed = prod.get("/v1/guardrails").await;
    let on_server = listed["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == local)
        .unwrap();
    assert_eq!(on_server["status"], "stopped", "{listed:#}");
    let audit = prod.audit().await;
    let entry = audit
        .iter()
        .find(|e| e["action"] == "guardrail.stop")
        .expect("the stop is audited");
    assert_eq!(entry["reason"], "known test key");
    assert_eq!(entry["actor"], "token:responder-token", "{entry}");
    // The staging backend has the route and no actions: nothing shown.
    assert!(app.guardrails.for_alert("staging/anything").is_empty());
}

#[test]
fn help_in_the_alert_view_lists_both_keys() {
    let (mut app, clock) = app_with_pending();
    key(&mut app, KeyCode::Char('?'));
    let screen = render(&mut app, clock, 160, 50);
    assert!(
        screen.contains("stop the alert's pending automatic (guardrail) action, with a reason"),
        "{screen}"
    );
    assert!(
        screen.contains("run the alert's pending automatic (guardrail) action now"),
        "{screen}"
    );
}

#[test]
fn the_guardrails_list_counts_down_opens_the_alert_and_stops_the_selected_one() {
    let mut app = list_view();
    assert_eq!(app.screen(), &Screen::Guardrails);
    let clock = fleet::app().1;
    let screen = render(&mut app, clock, 120, 30);
    assert!(screen.contains("guardrail actions (3)"), "{screen}");
    let rows: Vec<&str> = app
        .panes
        .guardrails
        .rows
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(rows, ["gra_1", "gra_2", "gra_old"], "pending soonest first");
    assert!(screen.contains("in 23s"), "{screen}");
    assert!(screen.contains("in 1m35s"), "{screen}");
    assert!(screen.contains("<s> stop guardrail"), "{screen}");

    // The second one: s stops it, through the dialog.
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('s'));
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("expected the dialog, got {:?}", app.overlay);
    };
    assert!(matches!(&d.subject, Subject::StopGuardrail { action_id, .. } if action_id == "gra_2"));
    key(&mut app, KeyCode::Esc);

    // A finished one: nothing to stop, and no keys in the hint bar.
    key(&mut app, KeyCode::Char('j'));
    let screen = render(&mut app, clock, 120, 30);
    assert!(!screen.contains("<s> stop guardrail"), "{screen}");
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.overlay, Overlay::None);

    // `/` filters by its fields; Enter opens the alert.
    crate::support::dashboard::filter(&mut app, "status:stopped");
    assert_eq!(app.panes.guardrails.rows.len(), 1);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.panes.guardrails.rows.len(), 3);
    key(&mut app, KeyCode::Char('g'));
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.screen(),
        &Screen::Alert {
            alert_id: "alr_1".into()
        }
    );
    key(&mut app, KeyCode::Esc);
    // An action whose alert the fleet does not hold says so.
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), &Screen::Guardrails);
    assert!(flash(&app).1.contains("alr_other"), "{:?}", app.flash);
}

#[test]
fn a_remapped_key_is_the_one_the_alert_view_names() {
    let (mut app, clock) = app_with_pending();
    let table = [("stop_guardrail".to_string(), "ctrl-s".to_string())]
        .into_iter()
        .collect();
    app.keys = warden::tui::keys::keymap::KeyMap::from_config(&table).unwrap();
    let screen = render(&mut app, clock, 120, 40);
    assert!(
        screen.contains("ctrl-s stops it (with a reason)"),
        "{screen}"
    );
    assert!(screen.contains("<ctrl-s> stop guardrail"), "{screen}");
    assert!(key(&mut app, KeyCode::Char('s')).is_empty());
    assert_eq!(app.overlay, Overlay::None, "s is not bound any more");
    app.handle_key(crossterm::event::KeyEvent::new(
        KeyCode::Char('s'),
        crossterm::event::KeyModifiers::CONTROL,
    ));
    assert!(matches!(&app.overlay, Overlay::Confirm(d)
        if matches!(d.subject, Subject::StopGuardrail { .. })));
}
