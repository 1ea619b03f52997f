//! The dashboard's state machine driven by keys and messages, with no
//! terminal: filter, select, sort, the dialogs' cancel and confirm, and
//! that nothing is reported done before the backend says so.

use crate::support::dashboard::{key, typed};
use crate::support::fleet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warden::model::*;
use warden::tui::app::{App, Level, Overlay, Prompt};
use warden::tui::msg::{Action, Effect, Msg, Outcome};
use warden::tui::popups::confirm::{Phase, Plan};
use warden::tui::screens::Screen;

fn selected_name(app: &App) -> String {
    app.current_agent()
        .map(|a| a.name.clone())
        .unwrap_or_default()
}

#[test]
fn filter_narrows_live_and_esc_clears() {
    let (mut app, _) = fleet::app();
    assert_eq!(app.panes.agents.order.len(), 5);
    key(&mut app, KeyCode::Char('/'));
    assert!(matches!(app.prompt, Prompt::Filter { .. }));
    typed(&mut app, "owner:none");
    assert_eq!(app.panes.agents.order.len(), 1, "filters while typing");
    assert_eq!(selected_name(&app), "mcp-github");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.prompt, Prompt::None));
    assert_eq!(app.panes.agents.order.len(), 1, "Enter keeps the filter");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.panes.agents.order.len(), 5, "Esc at the root clears it");
}

#[test]
fn a_bad_filter_says_why_and_keeps_the_last_good_one() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "kind:mcp-server");
    assert_eq!(app.panes.agents.order.len(), 1);
    typed(&mut app, "x");
    match &app.prompt {
        Prompt::Filter { error: Some(e), .. } => assert!(e.contains("mcp-server"), "{e}"),
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(app.panes.agents.order.len(), 1);
}

#[test]
fn negation_and_fuzzy_text() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "!status:killed !status:suspended sprtcp");
    assert_eq!(app.panes.agents.order.len(), 1);
    assert_eq!(selected_name(&app), "support-copilot");
}

#[test]
fn moving_opening_and_going_back() {
    let (mut app, _) = fleet::app();
    assert_eq!(
        selected_name(&app),
        "evil\\x1b[2Jbot\\u{202e}",
        "sorted by name, escaped"
    );
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(selected_name(&app), "legacy-scraper");
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(selected_name(&app), "ticket-triage");
    key(&mut app, KeyCode::Char('g'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(selected_name(&app), "mcp-github");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.screen(),
        &Screen::Detail {
            agent_id: "agt_mcp".into()
        }
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), &Screen::Agents);
    assert_eq!(selected_name(&app), "mcp-github", "the selection survives");
    let effects = key(&mut app, KeyCode::Char('q'));
    assert_eq!(effects, vec![Effect::Quit]);
}

#[test]
fn sort_keys_sort_and_reverse() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('R'));
    assert_eq!(
        selected_name(&app),
        "evil\\x1b[2Jbot\\u{202e}",
        "the selection stays on its agent"
    );
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(selected_name(&app), "ticket-triage", "highest risk first");
    key(&mut app, KeyCode::Char('N'));
    key(&mut app, KeyCode::Char('N'));
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(selected_name(&app), "ticket-triage", "name, reversed");
}

#[test]
fn selection_follows_the_agent_when_data_changes() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(selected_name(&app), "ticket-triage");
    let mut changes = warden::api::Changes {
        cursor: 11,
        ..Default::default()
    };
    changes.agents.push(fleet::agent(
        "agt_new",
        "aaa-first",
        AgentKind::Chatbot,
        "prod",
        None,
        AgentStatus::Active,
    ));
    app.handle_msg(Msg::Source {
        backend: 0,
        event: warden::sources::SourceEvent::Synced {
            changes: Box::new(changes),
            latency: Default::default(),
        },
    });
    assert_eq!(app.panes.agents.order.len(), 6);
    assert_eq!(selected_name(&app), "ticket-triage");
}

#[test]
fn freeze_is_pending_until_the_backend_confirms() {
    let (mut app, _) = fleet::app();
    // support-copilot
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "support-copilot");
    key(&mut app, KeyCode::Enter);
    let effects = key(&mut app, KeyCode::Char('f'));
    let [
        Effect::Run {
            id,
            action: Action::Suspend { agent_id, .. },
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(agent_id, "agt_support");
    assert_eq!(app.flash.as_ref().unwrap().level, Level::Pending);
    assert!(!app.flash.as_ref().unwrap().text.contains("frozen:"));
    app.handle_msg(Msg::Action {
        id: *id,
        result: Err("forbidden: this needs the responder role".into()),
    });
    let flash = app.flash.clone().unwrap();
    assert_eq!(flash.level, Level::Error);
    assert!(flash.text.contains("responder role"), "{}", flash.text);
    let effects = key(&mut app, KeyCode::Char('f'));
    let [Effect::Run { id, .. }] = effects.as_slice() else {
        panic!()
    };
    let mut agent = app.current_agent().unwrap().clone();
    agent.status = AgentStatus::Suspended;
    app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(Outcome::Agent(agent)),
    });
    let flash = app.flash.clone().unwrap();
    assert_eq!(flash.level, Level::Success);
    assert!(
        flash.text.contains("Press f again"),
        "says how to undo: {}",
        flash.text
    );
}

fn open_kill(app: &mut App) {
    if selected_name(app) != "support-copilot" {
        key(app, KeyCode::Char('/'));
        typed(app, "support-copilot");
        key(app, KeyCode::Enter);
    }
    let effects = key(app, KeyCode::Char('K'));
    assert_eq!(
        effects,
        vec![Effect::PlanKill {
            agent_id: "agt_support".into(),
            cascade: false
        }]
    );
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("no dialog")
    };
    assert_eq!(d.plan, Plan::Loading);
    let plan = Operation {
        id: "op_plan".into(),
        kind: "agent.kill".into(),
        target: "agt_support".into(),
        actor: "oncall".into(),
        reason: String::new(),
        status: OperationStatus::Planned,
        steps: vec![OperationStep {
            name: "revoke_credentials".into(),
            agent_id: "agt_support".into(),
            status: StepStatus::Pending,
            detail: "will revoke 2 credential(s) of support-copilot".into(),
        }],
        created_at: fleet::wall(),
        finished_at: None,
    };
    app.handle_msg(Msg::KillPlan {
        agent_id: "agt_support".into(),
        cascade: false,
        result: Ok(plan),
    });
}

#[test]
fn kill_dialog_cancel_changes_nothing() {
    let (mut app, _) = fleet::app();
    open_kill(&mut app);
    // Cancel: Enter there closes and sends nothing.
    key(&mut app, KeyCode::BackTab); // Kill
    key(&mut app, KeyCode::BackTab); // Cancel
    let effects = key(&mut app, KeyCode::Enter);
    assert!(effects.is_empty());
    assert_eq!(app.overlay, Overlay::None);
    // Esc, too.
    open_kill(&mut app);
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn kill_dialog_swallows_keys() {
    let (mut app, _) = fleet::app();
    open_kill(&mut app);
    for c in ['q', 'j', 'f', 'K', '/'] {
        assert!(
            key(&mut app, KeyCode::Char(c)).is_empty(),
            "{c} leaked out of the dialog"
        );
    }
    assert!(matches!(app.overlay, Overlay::Confirm(_)));
    assert!(!app.quit);
}

#[test]
fn kill_dialog_confirm_sends_then_shows_steps_then_verifies() {
    let (mut app, _) = fleet::app();
    open_kill(&mut app);
    key(&mut app, KeyCode::Tab); // Kill button
    key(&mut app, KeyCode::Tab); // wraps to the name
    typed(&mut app, "support-copilot");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "INC-42");
    key(&mut app, KeyCode::Tab); // cascade
    key(&mut app, KeyCode::Tab); // cancel
    key(&mut app, KeyCode::Tab); // kill
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Run { id, action }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        action,
        &Action::Kill {
            agent_id: "agt_support".into(),
            name: "support-copilot".into(),
            reason: "INC-42".into(),
            cascade: false,
            vault: vec![],
        }
    );
    let Overlay::Confirm(d) = &app.overlay else {
        panic!()
    };
    assert_eq!(d.phase, Phase::Running { id: *id });
    let op = Operation {
        id: "op_1".into(),
        kind: "agent.kill".into(),
        target: "agt_support".into(),
        actor: "oncall".into(),
        reason: "INC-42".into(),
        status: OperationStatus::Succeeded,
        steps: vec![
            OperationStep {
                name: "revoke_credentials".into(),
                agent_id: "agt_support".into(),
                status: StepStatus::Ok,
                detail: "revoked 2 credential(s)".into(),
            },
            OperationStep {
                name: "mark_killed".into(),
                agent_id: "agt_support".into(),
                status: StepStatus::Ok,
                detail: "agent marked killed".into(),
            },
        ],
        created_at: fleet::wall(),
        finished_at: Some(fleet::wall()),
    };
    let effects = app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(Outcome::Operation(op)),
    });
    assert_eq!(effects, vec![Effect::PollNow], "asks the backend again");
    let Overlay::Confirm(d) = &app.overlay else {
        panic!()
    };
    let Phase::Done {
        ok: true,
        steps,
        verified: Some(false),
        ..
    } = &d.phase
    else {
        panic!("{:?}", d.phase)
    };
    assert_eq!(steps.len(), 2);
    // The next poll shows the agent killed and its credentials revoked.
    let mut changes = warden::api::Changes {
        cursor: 20,
        ..Default::default()
    };
    let mut a = app.fleet.agent("agt_support").unwrap().clone();
    a.status = AgentStatus::Killed;
    changes.agents.push(a);
    for id in ["crd_s1", "crd_s2"] {
        changes.credentials.push(fleet::credential(
            id,
            "agt_support",
            None,
            CredentialStatus::Revoked,
        ));
    }
    app.handle_msg(Msg::Source {
        backend: 0,
        event: warden::sources::SourceEvent::Synced {
            changes: Box::new(changes),
            latency: Default::default(),
        },
    });
    let Overlay::Confirm(d) = &app.overlay else {
        panic!()
    };
    assert!(matches!(
        d.phase,
        Phase::Done {
            verified: Some(true),
            ..
        }
    ));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn viewer_gets_a_message_not_a_dialog() {
    let (mut app, _) = fleet::app();
    if let Some(who) = &mut app.backends[0].identity {
        who.role = Some(Role::Viewer);
    }
    for c in ['K', 'f', 'o'] {
        let effects = key(&mut app, KeyCode::Char(c));
        assert!(effects.is_empty());
        assert_eq!(app.overlay, Overlay::None);
        assert!(app.flash.as_ref().unwrap().text.contains("viewer"));
    }
}

#[test]
fn owner_picker_suggests_the_departed_owners_manager_then_confirms_with_a_reason() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "ticket-triage");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('o'));
    let Overlay::Picker(p) = &app.overlay else {
        panic!("no picker")
    };
    let first = p.candidate(0).unwrap();
    assert_eq!(first.person_id, "per_lead");
    assert!(
        first
            .reason
            .as_deref()
            .unwrap()
            .contains("Alan Turing, who left")
    );
    key(&mut app, KeyCode::Enter);
    let Overlay::Confirm(_) = &app.overlay else {
        panic!("reassign needs the confirmation dialog")
    };
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab); // reason
    typed(&mut app, "owner left");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    let effects = key(&mut app, KeyCode::Enter);
    assert!(matches!(
        effects.as_slice(),
        [Effect::Run { action: Action::Reassign { owner, reason, .. }, .. }] if owner == "per_lead" && reason == "owner left"
    ));
}

#[test]
fn revoke_works_on_the_selected_credential_in_the_detail_view() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('x'));
    assert!(app.flash.as_ref().unwrap().text.contains("open an agent"));
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "support-copilot");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('x'));
    let Overlay::Confirm(d) = &app.overlay else {
        panic!()
    };
    assert_eq!(d.title(), "Revoke crd_s2");
}

#[test]
fn command_mode_and_help() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char(':'));
    typed(&mut app, "ag");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), &Screen::Agents);
    key(&mut app, KeyCode::Char(':'));
    typed(&mut app, "bogus");
    key(&mut app, KeyCode::Enter);
    assert!(app.flash.as_ref().unwrap().text.contains("unknown command"));
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.overlay, Overlay::Help);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char(':'));
    typed(&mut app, "q");
    assert_eq!(key(&mut app, KeyCode::Enter), vec![Effect::Quit]);
}

#[test]
fn ctrl_c_quits_from_inside_a_dialog() {
    let (mut app, _) = fleet::app();
    open_kill(&mut app);
    let effects = app.handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(effects, vec![Effect::Quit]);
}

mod mouse {
    use super::fleet;
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    use warden::tui::app::Overlay;
    use warden::tui::screens::Screen;
    use warden::tui::views::FIRST_ROW;

    fn mouse(kind: MouseEventKind, row: u16) -> MouseEvent {
        MouseEvent {
            kind,
            column: 10,
            row,
            modifiers: KeyModifiers::NONE,
        }
    }

    #[test]
    fn the_wheel_scrolls_a_click_selects_and_a_second_click_opens() {
        let (mut app, _) = fleet::app();
        app.resize(120, 30);
        assert_eq!(app.panes.agents.selected, 0);
        app.handle_mouse(mouse(MouseEventKind::ScrollDown, 10));
        assert_eq!(
            app.panes.agents.selected,
            3.min(app.panes.agents.order.len() - 1)
        );
        app.handle_mouse(mouse(MouseEventKind::ScrollUp, 10));
        assert_eq!(app.panes.agents.selected, 0);

        // The third row of the list.
        app.handle_mouse(mouse(
            MouseEventKind::Down(MouseButton::Left),
            FIRST_ROW + 2,
        ));
        assert_eq!(app.panes.agents.selected, 2);
        assert_eq!(app.screens, vec![Screen::Agents], "one click only selects");
        let id = app.current_agent().unwrap().id.clone();
        app.handle_mouse(mouse(
            MouseEventKind::Down(MouseButton::Left),
            FIRST_ROW + 2,
        ));
        assert_eq!(app.screen(), &Screen::Detail { agent_id: id });

        // Above the list, below the last row, or under a dialog: nothing.
        app.screens.truncate(1);
        app.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), 0));
        app.handle_mouse(mouse(
            MouseEventKind::Down(MouseButton::Left),
            FIRST_ROW + 25,
        ));
        assert_eq!(app.panes.agents.selected, 2);
        app.overlay = Overlay::Help;
        app.handle_mouse(mouse(MouseEventKind::ScrollDown, 10));
        assert_eq!(app.panes.agents.selected, 2);
    }
}

mod remapped {
    use super::fleet;
    use crate::support::dashboard::render;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::collections::BTreeMap;
    use warden::tui::app::Overlay;
    use warden::tui::keys::keymap::KeyMap;

    #[test]
    fn the_new_key_acts_and_the_hints_and_help_show_it() {
        let (mut app, clock) = fleet::app();
        let table = BTreeMap::from([("kill".to_string(), "ctrl-k".to_string())]);
        app.keys = KeyMap::from_config(&table).unwrap();
        app.handle_key(KeyEvent::new(KeyCode::Char('K'), KeyModifiers::SHIFT));
        assert_eq!(app.overlay, Overlay::None, "K no longer kills");
        app.handle_key(KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL));
        assert!(matches!(app.overlay, Overlay::Confirm(_)), "ctrl-k does");
        app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        app.overlay = Overlay::None;

        let screen = render(&mut app, clock, 160, 40);
        let hints = screen.lines().last().unwrap();
        assert!(hints.contains("<ctrl-k> kill"), "{hints}");
        assert!(!hints.contains("<K>"), "{hints}");
        app.overlay = Overlay::Help;
        let help = render(&mut app, clock, 160, 40);
        assert!(help.contains("ctrl-k  kill"), "{help}");
    }
}
