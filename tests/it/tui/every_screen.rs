//! Every view and every dialog of the dashboard, from the fixed fleet:
//! each is snapshotted at 80x24 (the smallest terminal anyone uses) and
//! 200x60 (a big one), and every view is drawn without a panic at every
//! size up to 120x40 and across sizes to 300x100 (see `view_sizes`).
//!
//! The catalogue below is the one list of screens: a new view or dialog
//! added here gets both checks.

use crate::support::dashboard::{command, draw_on, key, render, select, typed};
use crate::support::fleet;

use chrono::Duration;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use warden::api::AuditVerification;
use warden::model::*;
use warden::tui::app::{App, Overlay};
use warden::tui::msg::Msg;
use warden::tui::screens::Screen;
use warden::tui::views::Clock;

fn audit_entry(seq: i64) -> AuditEntry {
    AuditEntry {
        seq,
        at: fleet::wall() - Duration::seconds(600 - seq * 7),
        actor: if seq % 3 == 0 { "rule:R12" } else { "oncall" }.into(),
        action: ["agent.suspend", "credential.revoke", "agent.owner"][seq as usize % 3].into(),
        target: format!("agt_support (support-copilot) #{seq}"),
        reason: Some("INC-42: burst of calls to paste.example".into()),
        result: "ok".into(),
        prev_hash: "0".repeat(64),
        hash: "1".repeat(64),
    }
}

fn kill_plan() -> Operation {
    let step = |name: &str, detail: &str| OperationStep {
        name: name.into(),
        agent_id: "agt_support".into(),
        status: StepStatus::Pending,
        detail: detail.into(),
    };
    Operation {
        id: "op_plan".into(),
        kind: "agent.kill".into(),
        target: "agt_support".into(),
        actor: "oncall".into(),
        reason: String::new(),
        status: OperationStatus::Planned,
        steps: vec![
            step("revoke_credentials", "will revoke 2 credential(s)"),
            step("mark_killed", "will mark support-copilot killed"),
            step("runtime_hook", "will run command hook `kubectl`"),
        ],
        created_at: fleet::wall(),
        finished_at: None,
    }
}

fn agents() -> App {
    fleet::app().0
}

fn detail() -> App {
    let mut app = agents();
    select(&mut app, "support-copilot");
    key(&mut app, KeyCode::Enter);
    let agent = app.fleet.agent("agt_support").unwrap().clone();
    let activity = (0..60).map(|m| (m * 7 % 23) as u32).collect();
    app.handle_msg(Msg::Detail {
        agent_id: "agt_support".into(),
        result: Ok(fleet::detail(agent, activity)),
    });
    app.handle_msg(Msg::Trail {
        agent_id: "agt_support".into(),
        result: Ok((1..=12).map(audit_entry).collect()),
    });
    app
}

fn alerts() -> App {
    let mut app = agents();
    command(&mut app, "alerts");
    app
}

/// The first alert, opened.
fn alert() -> App {
    let mut app = alerts();
    key(&mut app, KeyCode::Enter);
    app
}

fn people() -> App {
    let mut app = agents();
    command(&mut app, "people");
    app
}

fn creds() -> App {
    let mut app = agents();
    command(&mut app, "creds");
    app
}

fn audit() -> App {
    let mut app = agents();
    command(&mut app, "audit");
    app.handle_msg(Msg::Audit(Ok((1..=80).map(audit_entry).collect())));
    app.handle_msg(Msg::AuditVerified(Ok(AuditVerification {
        ok: true,
        entries: 80,
        first_bad: None,
        problem: None,
        attack: None,
        checkpoints: None,
    })));
    app
}

fn triage() -> App {
    let mut app = agents();
    command(&mut app, "triage");
    app.handle_msg(Msg::Triage {
        backend: 0,
        result: Ok(fleet::triage_report()),
    });
    app
}

/// The unclaimed Vault identities, with a Vault watched beside `prod`.
fn unclaimed() -> App {
    let (mut app, _) = crate::support::vault_fleet::app();
    command(&mut app, "unclaimed");
    app
}

/// The findings `warden discover --register` reported, beside the fixed
/// fleet.
fn discovery() -> App {
    let (mut app, _) = crate::support::discovered::app();
    command(&mut app, "discovery");
    app
}

fn help() -> App {
    let mut app = agents();
    key(&mut app, KeyCode::Char('?'));
    app
}

fn filter_prompt() -> App {
    let mut app = agents();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "owner:none !status:");
    app
}

fn command_prompt() -> App {
    let mut app = agents();
    key(&mut app, KeyCode::Char(':'));
    typed(&mut app, "tri");
    app
}

fn kill_dialog() -> App {
    let mut app = agents();
    select(&mut app, "support-copilot");
    key(&mut app, KeyCode::Char('K'));
    app.handle_msg(Msg::KillPlan {
        agent_id: "agt_support".into(),
        cascade: false,
        result: Ok(kill_plan()),
    });
    app
}

/// support-copilot, ticket-triage and mcp-github marked, then the filter
/// hides one of them.
fn marked() -> App {
    let mut app = agents();
    for name in ["support-copilot", "ticket-triage", "mcp-github"] {
        select(&mut app, name);
        key(&mut app, KeyCode::Char(' '));
    }
    select(&mut app, "!mcp");
    app
}

fn bulk_kill_dialog() -> App {
    let mut app = marked();
    key(&mut app, KeyCode::Char('K'));
    app
}

fn revoke_dialog() -> App {
    let mut app = creds();
    key(&mut app, KeyCode::Char('x'));
    app
}

fn owner_picker() -> App {
    let mut app = agents();
    select(&mut app, "ticket-triage");
    key(&mut app, KeyCode::Char('o'));
    typed(&mut app, "a");
    app
}

fn reassign_dialog() -> App {
    let mut app = agents();
    select(&mut app, "ticket-triage");
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    app
}

fn bulk_reassign_dialog() -> App {
    let mut app = marked();
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    app
}

fn ack_dialog() -> App {
    let mut app = alerts();
    key(&mut app, KeyCode::Char('a'));
    app
}

fn snooze_dialog() -> App {
    let mut app = alerts();
    key(&mut app, KeyCode::Char('z'));
    app
}

fn triage_picker() -> App {
    let mut app = triage();
    key(&mut app, KeyCode::Char('o'));
    app
}

pub(super) type Setup = fn() -> App;

/// The views, each as a user reaches it.
pub(super) const VIEWS: &[(&str, Setup)] = &[
    ("agents", agents),
    ("detail", detail),
    ("alerts", alerts),
    ("alert", alert),
    ("people", people),
    ("creds", creds),
    ("audit", audit),
    ("triage", triage),
    ("unclaimed", unclaimed),
    ("discovery", discovery),
    ("guardrails", super::guardrails::list_view),
];

/// What opens over a view: help, the prompts, the picker and every dialog.
pub(super) const OVERLAYS: &[(&str, Setup)] = &[
    ("help", help),
    ("filter_prompt", filter_prompt),
    ("command_prompt", command_prompt),
    ("kill_dialog", kill_dialog),
    ("bulk_kill_dialog", bulk_kill_dialog),
    ("revoke_dialog", revoke_dialog),
    ("rotate_dialog", super::rotate::rotate_dialog_for_snapshot),
    ("secret_popup", super::rotate::secret_popup),
    ("owner_picker", owner_picker),
    ("reassign_dialog", reassign_dialog),
    ("bulk_reassign_dialog", bulk_reassign_dialog),
    ("ack_dialog", ack_dialog),
    ("snooze_dialog", snooze_dialog),
    ("triage_picker", triage_picker),
    ("stop_guardrail_dialog", super::guardrails::stop_dialog),
    ("run_guardrail_dialog", super::guardrails::run_dialog),
];

fn clock() -> Clock {
    fleet::app().1
}

#[test]
fn the_catalogue_reaches_what_it_names() {
    let screens: Vec<Screen> = VIEWS
        .iter()
        .map(|(_, setup)| setup().screen().clone())
        .collect();
    assert_eq!(
        screens,
        [
            Screen::Agents,
            Screen::Detail {
                agent_id: "agt_support".into()
            },
            Screen::Alerts,
            Screen::Alert {
                alert_id: "alr_1".into()
            },
            Screen::People,
            Screen::Creds,
            Screen::Audit,
            Screen::Triage,
            Screen::Unclaimed,
            Screen::Discovery,
            Screen::Guardrails,
        ]
    );
    for (name, setup) in OVERLAYS {
        let app = setup();
        let open = app.overlay != Overlay::None || app.prompt != warden::tui::app::Prompt::None;
        assert!(open, "{name} opens nothing");
    }
    assert!(matches!(owner_picker().overlay, Overlay::Picker(_)));
    assert!(matches!(triage_picker().overlay, Overlay::Picker(_)));
    for setup in [
        kill_dialog,
        bulk_kill_dialog,
        revoke_dialog,
        reassign_dialog,
    ] {
        assert!(matches!(setup().overlay, Overlay::Confirm(_)));
    }
    for setup in [bulk_reassign_dialog, ack_dialog] {
        assert!(matches!(setup().overlay, Overlay::Confirm(_)));
    }
}

#[test]
fn every_view_and_dialog_at_80x24_and_200x60() {
    let clock = clock();
    for (name, setup) in VIEWS.iter().chain(OVERLAYS) {
        for (w, h) in [(80, 24), (200, 60)] {
            let mut app = setup();
            let screen = render(&mut app, clock, w, h);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
        }
    }
}

/// Draws `setup`'s screen at every width of `widths` and height of
/// `heights`.
fn draw_all(name: &str, setup: Setup, widths: impl Iterator<Item = u16>, heights: &[u16]) {
    let sizes: Vec<(u16, Vec<u16>)> = widths.map(|w| (w, heights.to_vec())).collect();
    draw_sizes(name, setup, &sizes);
}

/// Draws `setup`'s screen at each width with each of its heights; a panic
/// names the screen and the size. One terminal per width, resized down the
/// heights.
fn draw_sizes(name: &str, setup: Setup, sizes: &[(u16, Vec<u16>)]) {
    let clock = clock();
    let mut app = setup();
    for (w, heights) in sizes {
        let w = *w;
        let mut terminal = Terminal::new(TestBackend::new(w, 1)).unwrap();
        for &h in heights {
            terminal.backend_mut().resize(w, h);
            terminal.resize(Rect::new(0, 0, w, h)).unwrap();
            let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                draw_on(&mut terminal, &mut app, clock)
            }));
            assert!(drawn.is_ok(), "{name} panicked at {w}x{h}");
        }
    }
}

/// The sizes every view is drawn at, by width: every size up to 120x40
/// (where layouts collapse: columns drop out, panes squeeze, lines run
/// out), every width to 300 at heights from 1 to 100 and every height to
/// 100 at widths from 1 to 300 (so each column-mask threshold is crossed
/// short, medium and tall), and a 7-step grid over the rest. About 8,000
/// frames a view, a quarter of every size to 300x100 and a tenth of its
/// drawing: the big frames cost the most and fail the least.
fn view_sizes() -> Vec<(u16, Vec<u16>)> {
    const SWEPT_HEIGHTS: [u16; 10] = [1, 2, 3, 5, 8, 13, 24, 40, 60, 100];
    const SWEPT_WIDTHS: [u16; 11] = [1, 2, 3, 5, 8, 13, 40, 80, 120, 200, 300];
    (1..=300u16)
        .map(|w| {
            let heights = (1..=100u16)
                .filter(|&h| {
                    (w <= 120 && h <= 40)
                        || SWEPT_HEIGHTS.contains(&h)
                        || SWEPT_WIDTHS.contains(&w)
                        || (w % 7 == 0 && h % 7 == 0)
                })
                .collect();
            (w, heights)
        })
        .collect()
}

/// Every view at every small size and across 300x100 (see [`view_sizes`]),
/// on both cores.
#[test]
fn every_view_draws_at_every_small_size_and_across_300x100() {
    let sizes = view_sizes();
    assert!(sizes.iter().map(|(_, h)| h.len()).sum::<usize>() > 8_000);
    std::thread::scope(|scope| {
        for half in VIEWS.chunks(VIEWS.len().div_ceil(2)) {
            let sizes = &sizes;
            scope.spawn(move || {
                for (name, setup) in half {
                    draw_sizes(name, *setup, sizes);
                }
            });
        }
    });
}

/// Every dialog and overlay on a grid of sizes, the small ones all in.
#[test]
fn every_dialog_draws_from_1x1_to_300x100() {
    let heights: Vec<u16> = (1..=30).chain((31..=100).step_by(7)).collect();
    for (name, setup) in OVERLAYS {
        draw_all(
            name,
            *setup,
            (1..=40).chain((41..=300).step_by(13)),
            &heights,
        );
    }
}
