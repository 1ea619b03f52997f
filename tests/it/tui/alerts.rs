//! The alerts view driven by keys and messages, with no terminal: `:alerts`
//! opens it sorted open-first and most severe first, Enter jumps to the
//! alert's agent and Esc comes back, `a` acknowledges through the dialog
//! and reports it only once the backend answers, and a new critical alert
//! after the first poll flashes and raises the bell flag.

use crate::support::dashboard::{command, flash, key, typed};
use crate::support::fleet;

use chrono::Duration;
use crossterm::event::KeyCode;
use warden::api::Changes;
use warden::model::*;
use warden::sources::SourceEvent;
use warden::tui::app::{App, Level, Overlay};
use warden::tui::msg::{Action, Effect, Msg, Outcome};
use warden::tui::popups::confirm::{Field, Phase, Subject};
use warden::tui::screens::Screen;

fn poll(app: &mut App, alerts: Vec<Alert>) {
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(Changes {
                cursor: 11,
                full: false,
                alerts,
                ..Changes::default()
            }),
            latency: std::time::Duration::from_millis(10),
        },
    });
}

fn alert(id: &str, agent: &str, severity: Severity, status: AlertStatus, mins: i64) -> Alert {
    let mut a = fleet::alert(id, agent, severity);
    a.status = status;
    a.rule = format!("R{}", id.len());
    a.created_at = fleet::wall() - Duration::minutes(mins);
    a
}

/// The fixture's alert plus four: an acknowledged critical, an open
/// critical, an older open critical, and an open low on an unknown agent.
fn app_with_alerts() -> App {
    let (mut app, _) = fleet::app();
    poll(
        &mut app,
        vec![
            alert(
                "alr_ack",
                "agt_support",
                Severity::Critical,
                AlertStatus::Acknowledged,
                1,
            ),
            alert(
                "alr_crit",
                "agt_mcp",
                Severity::Critical,
                AlertStatus::Open,
                5,
            ),
            alert(
                "alr_old",
                "agt_support",
                Severity::Critical,
                AlertStatus::Open,
                50,
            ),
            alert("alr_low", "agt_gone", Severity::Low, AlertStatus::Open, 1),
        ],
    );
    app
}

fn order(app: &App) -> Vec<&str> {
    app.panes.alerts.order.iter().map(String::as_str).collect()
}

#[test]
fn the_command_opens_the_view_sorted_open_then_severe_then_newest() {
    for name in ["alerts", "al", "alert"] {
        let mut app = app_with_alerts();
        command(&mut app, name);
        assert_eq!(app.screen(), &Screen::Alerts, ":{name}");
    }
    let mut app = app_with_alerts();
    command(&mut app, "alerts");
    assert_eq!(
        order(&app),
        ["alr_crit", "alr_old", "alr_1", "alr_low", "alr_ack"]
    );
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_crit"));
    // An unknown agent shows by id.
    let low = app.fleet.alert("alr_low").unwrap();
    assert_eq!(app.alert_agent_name(low), "agt_gone");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), &Screen::Agents);
}

#[test]
fn the_selection_follows_the_alert_across_polls() {
    let mut app = app_with_alerts();
    command(&mut app, "alerts");
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_1"));
    // A newer critical sorts in above it; the selection stays on alr_1.
    poll(
        &mut app,
        vec![alert(
            "alr_new",
            "agt_triage",
            Severity::Critical,
            AlertStatus::Open,
            0,
        )],
    );
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_1"));
    assert_eq!(app.panes.alerts.order[0], "alr_new");
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_ack"));
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_new"));
}

#[test]
fn enter_opens_the_alert_then_its_agent_and_esc_comes_back() {
    let mut app = app_with_alerts();
    command(&mut app, "alerts");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.screen(),
        &Screen::Alert {
            alert_id: "alr_crit".into()
        }
    );
    // The alert's own view: everything about it, whole.
    let screen = crate::support::dashboard::render(&mut app, fleet::app().1, 120, 40);
    for part in [
        "evidence",
        "OWASP mapping",
        "timeline, from the audit trail",
        "mcp-github",
    ] {
        assert!(screen.contains(part), "{part}:\n{screen}");
    }
    // K and f act on its agent from here; Enter opens the agent.
    assert_eq!(app.current_agent().unwrap().name, "mcp-github");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.screen(),
        &Screen::Detail {
            agent_id: "agt_mcp".into()
        }
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), &Screen::Alerts);
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_crit"));
    // `d` describes, as in k9s.
    key(&mut app, KeyCode::Char('d'));
    assert!(matches!(app.screen(), Screen::Alert { .. }));
    key(&mut app, KeyCode::Esc);

    // An agent the fleet does not know: the alert opens, its agent does
    // not, with a message.
    for _ in 0..3 {
        key(&mut app, KeyCode::Char('j'));
    }
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_low"));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen(), Screen::Alert { .. }));
    assert!(flash(&app).1.contains("agt_gone"));
}

#[test]
fn a_opens_the_dialog_on_the_reason_and_confirm_sends_the_ack_with_it() {
    let mut app = app_with_alerts();
    command(&mut app, "alerts");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down); // alr_1: the fixture's R18 on ticket-triage
    assert!(key(&mut app, KeyCode::Char('a')).is_empty());
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("expected the dialog, got {:?}", app.overlay);
    };
    assert_eq!(d.focus, Field::Reason);
    assert_eq!(
        d.subject,
        Subject::Ack {
            alert_id: "alr_1".into(),
            label: "R18 on ticket-triage".into()
        }
    );
    assert!(d.blast.iter().any(|l| l.contains("R18")));
    assert!(d.blast.iter().any(|l| l.contains("ticket-triage")));
    assert!(d.blast.iter().any(|l| l.contains("killed agent keeps")));

    // Enter with no reason stays, and says so; Esc closes, sending nothing.
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(&app.overlay, Overlay::Confirm(d) if d.problem.is_some()));
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay, Overlay::None);

    key(&mut app, KeyCode::Char('a'));
    // Confirm without a reason is refused.
    key(&mut app, KeyCode::Right);
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    key(&mut app, KeyCode::Tab); // the reason
    typed(&mut app, "on it, paging the owner");
    key(&mut app, KeyCode::Tab); // cancel
    key(&mut app, KeyCode::Tab); // acknowledge
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Run { id, action }] = effects.as_slice() else {
        panic!("expected one action, got {effects:?}");
    };
    assert_eq!(
        action,
        &Action::Ack {
            alert_id: "alr_1".into(),
            reason: "on it, paging the owner".into()
        }
    );
    // Nothing is shown done before the backend answers.
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Pending);
    assert!(!text.contains("acknowledged"), "{text}");
    let Overlay::Confirm(d) = &app.overlay else {
        panic!()
    };
    assert!(matches!(d.phase, Phase::Running { .. }));

    let mut acked = app.fleet.alert("alr_1").unwrap().clone();
    acked.status = AlertStatus::Acknowledged;
    acked.rev += 1;
    acked.acknowledged_by = Some("oncall".into());
    acked.ack_reason = Some("on it, paging the owner".into());
    let effects = app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(Outcome::Alert(acked.clone())),
    });
    assert_eq!(effects, vec![Effect::PollNow]);
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Success);
    assert!(
        text.starts_with("acknowledged R18 on ticket-triage"),
        "{text}"
    );
    // The poll it asked for brings the alert back acknowledged: it sorts
    // further down, and the cursor stays on its row, now the next alert.
    let row = app.panes.alerts.sel.selected;
    poll(&mut app, vec![acked.clone()]);
    assert_eq!(app.panes.alerts.sel.selected, row);
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_low"));
}

#[test]
fn a_failed_ack_says_so() {
    let mut app = app_with_alerts();
    command(&mut app, "alerts");
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "mine");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Run { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    app.handle_msg(Msg::Action {
        id: *id,
        result: Err("409 conflict: already acknowledged".into()),
    });
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    assert!(text.contains("409 conflict"), "{text}");
}

#[test]
fn a_settled_alert_gets_a_message_not_a_dialog() {
    let mut app = app_with_alerts();
    let mut resolved = alert(
        "alr_res",
        "agt_support",
        Severity::Info,
        AlertStatus::Resolved,
        90,
    );
    resolved.resolved_at = Some(fleet::wall());
    poll(&mut app, vec![resolved]);
    command(&mut app, "alerts");
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_res"));
    assert!(key(&mut app, KeyCode::Char('a')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(flash(&app).1.contains("resolved"));

    key(&mut app, KeyCode::Char('k'));
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_ack"));
    key(&mut app, KeyCode::Char('a'));
    assert_eq!(app.overlay, Overlay::None);
    assert!(flash(&app).1.contains("already acknowledged"));
}

#[test]
fn a_viewer_is_refused_without_a_dialog() {
    let mut app = app_with_alerts();
    if let Some(who) = &mut app.backends[0].identity {
        who.role = Some(Role::Viewer);
    }
    command(&mut app, "alerts");
    assert!(key(&mut app, KeyCode::Char('a')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    assert!(text.contains("viewer"), "{text}");
}

#[test]
fn a_is_only_the_alerts_views() {
    let (mut app, _) = fleet::app();
    assert!(key(&mut app, KeyCode::Char('a')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn a_new_critical_alert_after_the_first_poll_flashes_and_rings() {
    // The first poll brought alr_1 (high); nothing rang.
    let (mut app, _) = fleet::app();
    assert!(!app.take_bell());

    // The first poll's criticals are old news, however severe.
    let mut fresh = App::new("demo", "http://x", Default::default());
    let mut first = fleet::changes();
    first.alerts.push(alert(
        "alr_c0",
        "agt_mcp",
        Severity::Critical,
        AlertStatus::Open,
        1,
    ));
    fresh.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(first),
            latency: std::time::Duration::from_millis(10),
        },
    });
    assert!(!fresh.take_bell());
    assert!(fresh.flash.is_none());

    // A later high, a later acknowledged critical: no bell.
    poll(
        &mut app,
        vec![
            alert("alr_h", "agt_mcp", Severity::High, AlertStatus::Open, 0),
            alert(
                "alr_a",
                "agt_mcp",
                Severity::Critical,
                AlertStatus::Acknowledged,
                0,
            ),
        ],
    );
    assert!(!app.take_bell());
    assert!(app.flash.is_none());

    // A new open critical: the flash in the error style, and the bell.
    let mut c = alert(
        "alr_c",
        "agt_triage",
        Severity::Critical,
        AlertStatus::Open,
        0,
    );
    c.summary = "credential used from a new country".into();
    poll(&mut app, vec![c.clone()]);
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    assert_eq!(
        text,
        "new critical alert: R5 on ticket-triage: credential used from a new country"
    );
    assert!(app.take_bell());
    assert!(!app.take_bell(), "taking the flag clears it");

    // The same alert again (updated): not new.
    app.flash = None;
    c.rev = 2;
    poll(&mut app, vec![c]);
    assert!(!app.take_bell());
    assert!(app.flash.is_none());
}

/// `z` snoozes the selected Warden alert: the dialog starts on the reason
/// with an hour filled in, Enter sends the seconds; once the backend says
/// so the alert reads `snoozed`, sorts with the settled ones and leaves the
/// header's counts. An Alertmanager's alert is not snoozed (it is silenced
/// with `a`).
#[test]
fn z_snoozes_a_warden_alert_and_it_leaves_the_counts() {
    let mut app = app_with_alerts();
    command(&mut app, "alerts");
    assert_eq!(app.panes.alerts.selected_id(), Some("alr_crit"));
    let before = app.fleet.counts().alerts;
    key(&mut app, KeyCode::Char('z'));
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("z opens the dialog: {:?}", app.flash)
    };
    assert_eq!(d.grace.text(), "1h");
    assert_eq!(d.focus, Field::Reason);
    // Two hours instead, and why.
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "2h");
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "runtime team is draining it");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Run { id, action }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        action,
        &Action::Snooze {
            alert_id: "alr_crit".into(),
            seconds: 7200,
            reason: "runtime team is draining it".into()
        }
    );
    let mut snoozed = app.fleet.alert("alr_crit").unwrap().clone();
    snoozed.snoozed_until = Some(chrono::Utc::now() + Duration::hours(2));
    snoozed.snoozed_by = Some("oncall".into());
    snoozed.rev += 1;
    app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(Outcome::Alert(snoozed.clone())),
    });
    assert!(flash(&app).1.starts_with("snoozed "), "{:?}", app.flash);
    poll(&mut app, vec![snoozed]);
    let after = app.fleet.counts().alerts;
    assert_eq!(
        after[Severity::Critical as usize] + 1,
        before[Severity::Critical as usize],
        "a snoozed alert is not counted open"
    );
    let order: Vec<&str> = app.panes.alerts.order.iter().map(String::as_str).collect();
    let at = |id: &str| order.iter().position(|o| *o == id).unwrap();
    assert!(
        at("alr_crit") > at("alr_low"),
        "it waits below the open ones: {order:?}"
    );
    key(&mut app, KeyCode::Esc); // the finished dialog
    command(&mut app, "alerts status:snoozed");
    assert_eq!(app.panes.alerts.order, ["alr_crit"]);
}

#[test]
fn a_shadow_agents_alert_names_its_entry_and_the_relay_and_the_relay_lists_it() {
    let (mut app, _) = fleet::app();
    let mut ghost = fleet::agent(
        "agt_ghost",
        "ghost-helper",
        AgentKind::Autonomous,
        "unknown",
        None,
        AgentStatus::Active,
    );
    ghost
        .labels
        .insert(ORIGIN_LABEL.into(), ORIGIN_SHADOW.into());
    ghost
        .labels
        .insert("shadow.seen_by".into(), "mcp-github".into());
    let mut r17 = alert("alr_r17", "agt_ghost", Severity::High, AlertStatus::Open, 1);
    r17.rule = "R17".into();
    r17.summary =
        "Shadow agent: \"ghost-helper\" acts through \"mcp-github\"; nobody registered it".into();
    r17.evidence =
        "\"ghost-helper\" in the delegation chain of 3 events reported by \"mcp-github\" (agt_mcp)"
            .into();
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(Changes {
                cursor: 12,
                full: false,
                agents: vec![ghost.clone()],
                alerts: vec![r17],
                ..Changes::default()
            }),
            latency: std::time::Duration::from_millis(10),
        },
    });
    command(&mut app, "alerts rule:R17");
    key(&mut app, KeyCode::Enter);
    let screen = crate::support::dashboard::render(&mut app, fleet::app().1, 140, 40);
    for part in [
        "ghost-helper (agt_ghost) · active · owner",
        "shadow entry: registered by nobody",
        "\"mcp-github\": in the inventory, as agt_mcp",
    ] {
        assert!(screen.contains(part), "{part}:\n{screen}");
    }
    assert!(
        !screen.contains("\"ghost-helper\": in the inventory"),
        "the subject is not listed as related to itself:\n{screen}"
    );
    // K acts on the shadow entry itself.
    assert_eq!(app.current_agent().unwrap().name, "ghost-helper");

    // The relay's detail lists the identity it acts for with no delegation.
    command(&mut app, "agents");
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "mcp-github");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    let relay = app.current_agent().unwrap().clone();
    assert_eq!(relay.name, "mcp-github");
    let mut detail = fleet::detail(relay, vec![0; 60]);
    detail.seen_acting_for = vec![SeenActingFor {
        agent_id: "agt_ghost".into(),
        name: "ghost-helper".into(),
        status: AgentStatus::Killed,
        origin: ORIGIN_SHADOW.into(),
        events: 3,
        first_at: fleet::wall(),
        last_at: fleet::wall(),
    }];
    app.handle_msg(Msg::Detail {
        agent_id: "agt_mcp".into(),
        result: Ok(detail),
    });
    let screen = crate::support::dashboard::render(&mut app, fleet::app().1, 140, 40);
    for part in [
        "mcp-github acts for, with no delegation (seen in its events):",
        "ghost-helper · shadow · killed · 3 events · last",
    ] {
        assert!(screen.contains(part), "{part}:\n{screen}");
    }
}

#[test]
fn an_alert_taller_than_the_screen_says_what_it_hides_and_scrolls() {
    let mut app = app_with_alerts();
    let mut long = alert(
        "alr_long",
        "agt_mcp",
        Severity::Critical,
        AlertStatus::Open,
        0,
    );
    long.evidence = (1..=40)
        .map(|i| format!("line {i} of the evidence"))
        .collect::<Vec<_>>()
        .join("; ");
    poll(&mut app, vec![long]);
    command(&mut app, "alerts");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.screen(),
        &Screen::Alert {
            alert_id: "alr_long".into()
        }
    );
    let clock = fleet::app().1;
    let screen = crate::support::dashboard::render(&mut app, clock, 80, 24);
    assert!(screen.contains("more lines below · j/k scroll"), "{screen}");
    assert!(
        !screen.contains("timeline, from the audit trail"),
        "{screen}"
    );
    for _ in 0..200 {
        key(&mut app, KeyCode::Char('j'));
    }
    let screen = crate::support::dashboard::render(&mut app, clock, 80, 24);
    assert!(screen.contains("lines above · k scrolls up"), "{screen}");
    assert!(
        screen.contains("timeline, from the audit trail"),
        "{screen}"
    );
    key(&mut app, KeyCode::Char('k'));
    let screen = crate::support::dashboard::render(&mut app, clock, 80, 24);
    assert!(
        screen.contains("above · 1 below"),
        "j stopped at the end: {screen}"
    );
    // A tall screen shows it whole, with no marker.
    let screen = crate::support::dashboard::render(&mut app, clock, 200, 60);
    assert!(!screen.contains("j/k scroll"), "{screen}");
    assert!(screen.contains("line 40 of"), "{screen}");
}
