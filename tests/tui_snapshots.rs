//! Screens rendered on ratatui's TestBackend from a fixed fleet and a fixed
//! clock, compared with the reviewed snapshots in `tests/snapshots/`.

#[path = "support/fleet.rs"]
mod fleet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warden::model::*;
use warden::tui::app::App;
use warden::tui::msg::Msg;
use warden::tui::theme::Theme;
use warden::tui::views::{self, Clock};

fn render(app: &mut App, clock: Clock, width: u16, height: u16) -> String {
    app.resize(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| views::draw(f, app, &Theme::dark(), clock))
        .unwrap();
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    app.handle_key(KeyEvent::new(code, mods));
}

fn select(app: &mut App, name: &str) {
    press(app, KeyCode::Char('/'));
    for c in name.chars() {
        press(app, KeyCode::Char(c));
    }
    press(app, KeyCode::Enter);
}

#[test]
fn agents_view() {
    let (mut app, clock) = fleet::app();
    insta::assert_snapshot!(render(&mut app, clock, 120, 20));
}

#[test]
fn agents_view_filtered_and_sorted() {
    let (mut app, clock) = fleet::app();
    select(&mut app, "!status:killed");
    press(&mut app, KeyCode::Char('R'));
    insta::assert_snapshot!(render(&mut app, clock, 120, 16));
}

#[test]
fn detail_view() {
    let (mut app, clock) = fleet::app();
    select(&mut app, "support-copilot");
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(render(&mut app, clock, 120, 32));
}

#[test]
fn kill_dialog() {
    let (mut app, clock) = fleet::app();
    select(&mut app, "support-copilot");
    press(&mut app, KeyCode::Char('K'));
    let plan = Operation {
        id: "op_plan".into(),
        kind: "agent.kill".into(),
        target: "agt_support".into(),
        actor: "oncall".into(),
        reason: String::new(),
        status: OperationStatus::Planned,
        steps: vec![
            OperationStep {
                name: "revoke_credentials".into(),
                agent_id: "agt_support".into(),
                status: StepStatus::Pending,
                detail: "will revoke 2 credential(s) of support-copilot".into(),
            },
            OperationStep {
                name: "mark_killed".into(),
                agent_id: "agt_support".into(),
                status: StepStatus::Pending,
                detail: "will mark support-copilot killed".into(),
            },
            OperationStep {
                name: "runtime_hook".into(),
                agent_id: "agt_support".into(),
                status: StepStatus::Pending,
                detail: "will run command hook `kubectl`".into(),
            },
        ],
        created_at: fleet::wall(),
        finished_at: None,
    };
    app.handle_msg(Msg::KillPlan {
        agent_id: "agt_support".into(),
        cascade: false,
        result: Ok(plan),
    });
    insta::assert_snapshot!(render(&mut app, clock, 100, 34));
}

/// Marks support-copilot and ticket-triage, and evil…bot at the top.
fn mark_three(app: &mut App) {
    let space = KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE);
    press(app, KeyCode::Char('g'));
    app.handle_key(space);
    press(app, KeyCode::Char('G'));
    press(app, KeyCode::Char('k'));
    app.handle_key(space);
    app.handle_key(space);
}

#[test]
fn agents_view_with_marks() {
    let (mut app, clock) = fleet::app();
    mark_three(&mut app);
    press(&mut app, KeyCode::Char('g'));
    insta::assert_snapshot!(render(&mut app, clock, 120, 14));
}

#[test]
fn bulk_kill_dialog() {
    let (mut app, clock) = fleet::app();
    mark_three(&mut app);
    select(&mut app, "env:prod");
    press(&mut app, KeyCode::Char('K'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    for c in "kill 3".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(render(&mut app, clock, 100, 30));
}

#[test]
fn owner_picker() {
    let (mut app, clock) = fleet::app();
    select(&mut app, "ticket-triage");
    press(&mut app, KeyCode::Char('o'));
    insta::assert_snapshot!(render(&mut app, clock, 100, 24));
}

#[test]
fn alerts_view() {
    let (mut app, clock) = fleet::app();
    let mut acked = fleet::alert("alr_2", "agt_support", Severity::Critical);
    acked.status = AlertStatus::Acknowledged;
    acked.rule = "R07".into();
    acked.summary = "admin grant used outside business hours".into();
    let mut crit = fleet::alert("alr_3", "agt_mcp", Severity::Critical);
    crit.rule = "R12".into();
    crit.summary = "credential used from a new network".into();
    crit.created_at = clock.wall - chrono::Duration::seconds(20);
    let mut unknown = fleet::alert("alr_4", "agt_elsewhere", Severity::Low);
    unknown.summary = "agent not in this registry".into();
    unknown.created_at = clock.wall - chrono::Duration::hours(2);
    app.handle_msg(Msg::Source {
        backend: 0,
        event: warden::tui::msg::SourceEvent::Synced {
            changes: Box::new(warden::api::Changes {
                cursor: 11,
                alerts: vec![acked, crit, unknown],
                ..Default::default()
            }),
            latency: std::time::Duration::from_millis(12),
        },
    });
    press(&mut app, KeyCode::Char(':'));
    for c in "alerts".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(render(&mut app, clock, 120, 14));
}

#[test]
fn help() {
    let (mut app, clock) = fleet::app();
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(render(&mut app, clock, 100, 34));
}

#[test]
fn backend_down_keeps_the_last_good_state() {
    let (mut app, clock) = fleet::app();
    app.handle_msg(Msg::Source {
        backend: 0,
        event: warden::tui::msg::SourceEvent::Failed {
            error: "cannot reach the backend at http://127.0.0.1:7878: connection refused".into(),
            retry_in: std::time::Duration::from_secs(4),
        },
    });
    let screen = render(&mut app, clock, 120, 12);
    assert!(screen.contains("DOWN"), "{screen}");
    assert!(
        screen.contains("support-copilot"),
        "the last good state stays: {screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn every_size_renders_without_panicking() {
    let (mut app, clock) = fleet::app();
    for (w, h) in [
        (1, 1),
        (10, 3),
        (19, 6),
        (20, 7),
        (40, 10),
        (80, 24),
        (300, 100),
    ] {
        render(&mut app, clock, w, h);
    }
    press(&mut app, KeyCode::Char('K'));
    for (w, h) in [(1, 1), (20, 7), (30, 12), (80, 24)] {
        render(&mut app, clock, w, h);
    }
}

#[test]
fn empty_tables_render_at_every_small_size() {
    let (mut app, clock) = fleet::app();
    select(&mut app, "no-agent-is-called-this");
    assert!(app.table.order.is_empty());
    for w in 1..=40 {
        for h in 1..=12 {
            render(&mut app, clock, w, h);
        }
    }
    let screen = render(&mut app, clock, 80, 12);
    assert!(screen.contains("no agent matches the filter"), "{screen}");
}
