//! Marks and bulk actions, driven by keys and messages with no terminal:
//! space, ctrl-space and ctrl-\ mark; marks follow agents, not rows; f, K
//! and o then act on every marked agent, one backend action each, and
//! nothing is counted done until the backend has answered it.

use crate::support::dashboard::{ctrl, filter, flash, key, typed};
use crate::support::fleet;

use crossterm::event::KeyCode;
use warden::model::*;
use warden::tui::app::{App, Level, Overlay};
use warden::tui::msg::{Action, Effect, Msg, Outcome};
use warden::tui::popups::confirm::{Confirm, Phase, RowState};

// The fixture, sorted by name: evil…bot (dormant), legacy-scraper (killed),
// mcp-github (suspended), support-copilot (active, 2 live credentials),
// ticket-triage (active, 1 live credential).

fn marked(app: &App) -> Vec<&str> {
    app.marks.iter().map(String::as_str).collect()
}

fn dialog(app: &App) -> &Confirm {
    match &app.overlay {
        Overlay::Confirm(d) => d,
        other => panic!("no dialog: {other:?}"),
    }
}

/// The effects' action ids with the agent each goes to.
fn runs(effects: &[Effect]) -> Vec<(u64, Action)> {
    effects
        .iter()
        .map(|e| match e {
            Effect::Run { id, action } => (*id, action.clone()),
            other => panic!("not an action: {other:?}"),
        })
        .collect()
}

fn agent_of(action: &Action) -> &str {
    match action {
        Action::Suspend { agent_id, .. }
        | Action::Resume { agent_id, .. }
        | Action::Kill { agent_id, .. }
        | Action::Reassign { agent_id, .. } => agent_id,
        Action::Revoke { credential_id, .. } | Action::Rotate { credential_id, .. } => {
            credential_id
        }
        Action::Ack { alert_id, .. } | Action::Snooze { alert_id, .. } => alert_id,
        Action::StopGuardrail { action_id, .. } | Action::RunGuardrail { action_id, .. } => {
            action_id
        }
    }
}

fn kill_op(agent_id: &str, status: OperationStatus) -> Outcome {
    Outcome::Operation(Operation {
        id: format!("op_{agent_id}"),
        kind: "agent.kill".into(),
        target: agent_id.into(),
        actor: "oncall".into(),
        reason: "INC-7".into(),
        status,
        steps: vec![OperationStep {
            name: "revoke_credentials".into(),
            agent_id: agent_id.into(),
            status: if status == OperationStatus::Failed {
                StepStatus::Failed
            } else {
                StepStatus::Ok
            },
            detail: if status == OperationStatus::Failed {
                "the identity provider timed out".into()
            } else {
                "revoked".into()
            },
        }],
        created_at: fleet::wall(),
        finished_at: None,
    })
}

/// Marks support-copilot and ticket-triage (the last two rows) and
/// evil…bot (the first), the three live, unfrozen agents.
fn mark_three_live(app: &mut App) {
    key(app, KeyCode::Char('g'));
    key(app, KeyCode::Char(' '));
    key(app, KeyCode::Char('G'));
    key(app, KeyCode::Char('k'));
    key(app, KeyCode::Char(' '));
    key(app, KeyCode::Char(' '));
}

#[test]
fn space_marks_and_moves_down_and_unmarks() {
    let (mut app, _) = fleet::app();
    assert!(key(&mut app, KeyCode::Char(' ')).is_empty());
    assert_eq!(marked(&app), ["agt_evil"]);
    assert_eq!(app.panes.agents.selected, 1, "space moves down");
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(marked(&app), ["agt_evil", "agt_old"]);
    key(&mut app, KeyCode::Char('k'));
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(marked(&app), ["agt_evil"], "space again unmarks");
}

#[test]
fn ctrl_space_marks_a_range_and_ctrl_backslash_clears() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char(' ')); // legacy-scraper; now on mcp-github
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j')); // ticket-triage
    ctrl(&mut app, ' ');
    assert_eq!(
        marked(&app),
        ["agt_mcp", "agt_old", "agt_support", "agt_triage"],
        "from the last mark to here"
    );
    ctrl(&mut app, '\\');
    assert!(app.marks.is_empty());
    // Some terminals send ctrl-4 for ctrl-\.
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.marks.len(), 1);
    ctrl(&mut app, '4');
    assert!(app.marks.is_empty());
    // With no mark yet, a range is the selection alone.
    key(&mut app, KeyCode::Char('g'));
    ctrl(&mut app, ' ');
    assert_eq!(marked(&app), ["agt_evil"]);
}

#[test]
fn marks_follow_agents_through_a_sort_a_filter_and_a_poll() {
    let (mut app, _) = fleet::app();
    mark_three_live(&mut app);
    let before = marked(&app).join(",");
    key(&mut app, KeyCode::Char('R'));
    key(&mut app, KeyCode::Char('N'));
    key(&mut app, KeyCode::Char('N'));
    assert_eq!(marked(&app).join(","), before, "a re-sort keeps them");
    filter(&mut app, "env:prod");
    assert_eq!(marked(&app).join(","), before, "a filter keeps them");
    // An agent that disappears loses its mark.
    let mut changes = fleet::changes();
    changes.full = true;
    changes.agents.retain(|a| a.id != "agt_evil");
    changes.cursor = 11;
    app.handle_msg(Msg::Source {
        backend: 0,
        event: warden::sources::SourceEvent::Synced {
            changes: Box::new(changes),
            latency: std::time::Duration::from_millis(5),
        },
    });
    assert_eq!(marked(&app), ["agt_support", "agt_triage"]);
}

#[test]
fn without_marks_f_and_k_act_on_the_selection_alone() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('G'));
    let effects = key(&mut app, KeyCode::Char('f'));
    assert_eq!(effects.len(), 1);
    // In an agent's own view, marks do not widen f.
    mark_three_live(&mut app);
    key(&mut app, KeyCode::Enter);
    assert_eq!(key(&mut app, KeyCode::Char('f')).len(), 1);
}

#[test]
fn bulk_kill_says_what_is_marked_and_hidden_and_needs_kill_n() {
    let (mut app, _) = fleet::app();
    mark_three_live(&mut app);
    // legacy-scraper is killed already: marked, then skipped.
    key(&mut app, KeyCode::Char('g'));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char(' '));
    filter(&mut app, "env:prod");
    assert!(
        key(&mut app, KeyCode::Char('K')).is_empty(),
        "no plan asked"
    );
    let d = dialog(&app);
    assert_eq!(d.title(), "Kill 3 marked agent(s)");
    let blast = d.blast.join("\n");
    assert!(
        blast.contains("4 agent(s) marked, 2 of them hidden by the current filter"),
        "{blast}"
    );
    assert!(
        blast.contains("1 already killed, skipped: legacy-scraper"),
        "{blast}"
    );
    assert!(blast.contains("3 live credential(s)"), "{blast}");
    assert_eq!(d.phrase().as_deref(), Some("kill 3"));

    // Focus starts on the phrase; a name there is not `kill 3`, and Enter
    // stays on it saying so.
    typed(&mut app, "support-copilot");
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "a name is not `kill 3`"
    );
    assert!(dialog(&app).problem.as_deref().unwrap().contains("kill 3"));
    for wrong in ["kill 4", "kill", "Kill 3"] {
        while !dialog(&app).name.text().is_empty() {
            key(&mut app, KeyCode::Backspace);
        }
        typed(&mut app, wrong);
        assert!(key(&mut app, KeyCode::Enter).is_empty(), "{wrong} accepted");
    }
    while !dialog(&app).name.text().is_empty() {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "kill 3");
    // Enter goes on to the reason, then sends.
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    typed(&mut app, "INC-7");
    let sent = runs(&key(&mut app, KeyCode::Enter));
    let mut agents: Vec<&str> = sent.iter().map(|(_, a)| agent_of(a)).collect();
    agents.sort();
    assert_eq!(
        agents,
        ["agt_evil", "agt_support", "agt_triage"],
        "N effects"
    );
    assert!(sent.iter().all(|(_, a)| matches!(
        a,
        Action::Kill { reason, cascade: false, .. } if reason == "INC-7"
    )));
}

/// Opens the bulk kill of the three live agents and confirms it.
fn confirm_bulk_kill(app: &mut App) -> Vec<(u64, Action)> {
    mark_three_live(app);
    key(app, KeyCode::Char('K'));
    typed(app, "kill 3");
    key(app, KeyCode::Enter);
    typed(app, "INC-7");
    runs(&key(app, KeyCode::Enter))
}

#[test]
fn bulk_kill_shows_each_answer_and_is_done_only_when_all_answered() {
    let (mut app, _) = fleet::app();
    let sent = confirm_bulk_kill(&mut app);
    assert_eq!(sent.len(), 3);
    assert_eq!(dialog(&app).phase, Phase::RunningMany);
    assert!(
        dialog(&app)
            .rows
            .iter()
            .all(|r| r.state == RowState::Waiting)
    );
    assert_eq!(flash(&app).0, Level::Pending);

    // Keys other than Esc do nothing while it runs.
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(app.overlay, Overlay::Confirm(_)));

    let (first, a) = &sent[0];
    app.handle_msg(Msg::Action {
        id: *first,
        result: Ok(kill_op(agent_of(a), OperationStatus::Succeeded)),
    });
    assert_eq!(dialog(&app).phase, Phase::RunningMany, "1 of 3 is not done");
    assert_eq!(dialog(&app).answered(), 1);
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Pending);
    assert!(text.contains("killed 1 of 3"), "{text}");
    assert!(text.contains("waiting for 2 more"), "{text}");

    let (second, b) = &sent[1];
    app.handle_msg(Msg::Action {
        id: *second,
        result: Ok(kill_op(agent_of(b), OperationStatus::Failed)),
    });
    let failed_row = dialog(&app)
        .rows
        .iter()
        .find(|r| r.id == *second)
        .unwrap()
        .clone();
    match &failed_row.state {
        RowState::Failed(e) => assert!(e.contains("timed out"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(dialog(&app).phase, Phase::RunningMany, "2 of 3 is not done");

    let (third, _) = &sent[2];
    app.handle_msg(Msg::Action {
        id: *third,
        result: Err("forbidden: this needs the responder role".into()),
    });
    match &dialog(&app).phase {
        Phase::Done {
            ok,
            steps,
            message,
            verified,
        } => {
            assert!(!ok);
            assert_eq!(message, "killed 1 of 3, 2 failed: see above");
            let text: Vec<&str> = steps.iter().map(|s| s.text.as_str()).collect();
            assert!(
                text[0].contains("failed") && text[1].contains("failed"),
                "failures first: {text:?}"
            );
            assert!(text.iter().any(|t| t.contains("responder role")));
            assert_eq!(*verified, Some(false), "one kill to verify");
        }
        other => panic!("{other:?}"),
    }
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    assert!(text.starts_with("killed 1 of 3, 2 failed: "), "{text}");
    // The failure stays on screen until dismissed.
    assert!(key(&mut app, KeyCode::Char('j')).is_empty());
    assert!(matches!(app.overlay, Overlay::Confirm(_)));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn bulk_kill_verifies_against_the_next_poll() {
    let (mut app, _) = fleet::app();
    let sent = confirm_bulk_kill(&mut app);
    for (id, a) in &sent {
        app.handle_msg(Msg::Action {
            id: *id,
            result: Ok(kill_op(agent_of(a), OperationStatus::Succeeded)),
        });
    }
    let Phase::Done {
        ok,
        verified,
        message,
        ..
    } = &dialog(&app).phase
    else {
        panic!()
    };
    assert!(ok);
    assert_eq!(message, "killed 3 of 3: the backend confirmed each");
    assert_eq!(*verified, Some(false));
    let mut changes = fleet::changes();
    for a in &mut changes.agents {
        if ["agt_evil", "agt_support", "agt_triage"].contains(&a.id.as_str()) {
            a.status = AgentStatus::Killed;
        }
    }
    for c in &mut changes.credentials {
        c.status = CredentialStatus::Revoked;
    }
    changes.cursor = 11;
    app.handle_msg(Msg::Source {
        backend: 0,
        event: warden::sources::SourceEvent::Synced {
            changes: Box::new(changes),
            latency: std::time::Duration::from_millis(5),
        },
    });
    let Phase::Done { verified, .. } = &dialog(&app).phase else {
        panic!()
    };
    assert_eq!(*verified, Some(true));
}

#[test]
fn bulk_kill_of_only_killed_agents_opens_nothing() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char(' '));
    assert!(key(&mut app, KeyCode::Char('K')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(flash(&app).1.contains("already killed"));
}

#[test]
fn bulk_freeze_counts_only_what_the_backend_confirmed() {
    let (mut app, _) = fleet::app();
    // Everything marked: one killed, one frozen already, three to freeze.
    key(&mut app, KeyCode::Char('G'));
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('g'));
    ctrl(&mut app, ' ');
    assert_eq!(app.marks.len(), 5);
    let sent = runs(&key(&mut app, KeyCode::Char('f')));
    let mut agents: Vec<&str> = sent.iter().map(|(_, a)| agent_of(a)).collect();
    agents.sort();
    assert_eq!(agents, ["agt_evil", "agt_support", "agt_triage"]);
    assert!(
        sent.iter()
            .all(|(_, a)| matches!(a, Action::Suspend { .. }))
    );
    assert_eq!(app.overlay, Overlay::None, "no dialog for freeze");
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Pending);
    assert!(text.contains("freezing 3 marked"), "{text}");

    let agent = |id: &str| {
        let mut a = app.fleet.agent(id).unwrap().clone();
        a.status = AgentStatus::Suspended;
        Outcome::Agent(a)
    };
    let answers = [
        Ok(agent(agent_of(&sent[0].1))),
        Err("backend timed out".to_string()),
        Ok(agent(agent_of(&sent[2].1))),
    ];
    let mut answers = answers.into_iter();
    app.handle_msg(Msg::Action {
        id: sent[0].0,
        result: answers.next().unwrap(),
    });
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Pending);
    assert!(
        text.starts_with("frozen 1 of 3; waiting for 2 more"),
        "{text}"
    );
    app.handle_msg(Msg::Action {
        id: sent[1].0,
        result: answers.next().unwrap(),
    });
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Pending);
    assert!(text.contains("frozen 1 of 3, 1 failed: "), "{text}");
    assert!(text.contains("backend timed out"), "{text}");
    app.handle_msg(Msg::Action {
        id: sent[2].0,
        result: answers.next().unwrap(),
    });
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error, "a failure is not a success: {text}");
    assert!(text.starts_with("frozen 2 of 3, 1 failed: "), "{text}");
    assert!(
        text.contains("1 already frozen, 1 killed, skipped"),
        "{text}"
    );
    assert!(text.contains("Press f again"), "{text}");
}

#[test]
fn bulk_freeze_of_frozen_agents_unfreezes_them() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char(' ')); // legacy-scraper, killed
    key(&mut app, KeyCode::Char(' ')); // mcp-github, suspended
    let sent = runs(&key(&mut app, KeyCode::Char('f')));
    assert_eq!(sent.len(), 1);
    assert!(matches!(&sent[0].1, Action::Resume { agent_id, .. } if agent_id == "agt_mcp"));
    app.handle_msg(Msg::Action {
        id: sent[0].0,
        result: Err("conflict".into()),
    });
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    assert!(
        text.starts_with("unfrozen 0 of 1, 1 failed: mcp-github: conflict"),
        "{text}"
    );
}

#[test]
fn bulk_reassign_picks_then_asks_a_reason_then_sends_one_each() {
    let (mut app, _) = fleet::app();
    mark_three_live(&mut app);
    key(&mut app, KeyCode::Char('o'));
    let Overlay::Picker(p) = &app.overlay else {
        panic!("no picker: {:?}", app.overlay)
    };
    assert_eq!(p.agent_name, "3 marked agent(s)");
    typed(&mut app, "ada");
    key(&mut app, KeyCode::Enter);
    let d = dialog(&app);
    assert_eq!(d.title(), "Reassign 1 marked agent(s)");
    let blast = d.blast.join("\n");
    assert!(
        blast.contains("3 agent(s) marked, none of them hidden"),
        "{blast}"
    );
    assert!(
        blast.contains("2 already owned by them, skipped"),
        "{blast}"
    );
    // A reason is required: focus starts on it, and Enter waits for it.
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    typed(&mut app, "team change");
    let sent = runs(&key(&mut app, KeyCode::Enter));
    assert_eq!(sent.len(), 1);
    assert!(matches!(
        &sent[0].1,
        Action::Reassign { agent_id, owner, reason, .. }
            if agent_id == "agt_triage" && owner == "per_ada" && reason == "team change"
    ));
    let mut a = app.fleet.agent("agt_triage").unwrap().clone();
    a.owner = Some("per_ada".into());
    app.handle_msg(Msg::Action {
        id: sent[0].0,
        result: Ok(Outcome::Agent(a)),
    });
    let Phase::Done {
        ok, message, steps, ..
    } = &dialog(&app).phase
    else {
        panic!()
    };
    assert!(ok);
    assert_eq!(message, "reassigned 1 of 1: the backend confirmed each");
    assert_eq!(
        steps.len(),
        3,
        "the one sent and the two skipped: {steps:?}"
    );
}

#[test]
fn esc_in_the_picker_forgets_the_bulk_reassign() {
    let (mut app, _) = fleet::app();
    mark_three_live(&mut app);
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Esc);
    ctrl(&mut app, '\\');
    // Without marks, o is the single-agent picker again.
    key(&mut app, KeyCode::Char('G'));
    key(&mut app, KeyCode::Char('o'));
    let Overlay::Picker(p) = &app.overlay else {
        panic!()
    };
    assert_eq!(p.agent_id, "agt_triage");
    typed(&mut app, "grace");
    key(&mut app, KeyCode::Enter);
    assert_eq!(dialog(&app).title(), "Reassign ticket-triage");
}

#[test]
fn a_viewer_cannot_bulk_act() {
    let (mut app, _) = fleet::app();
    mark_three_live(&mut app);
    app.options.readonly = true;
    for c in ['f', 'K', 'o'] {
        assert!(key(&mut app, KeyCode::Char(c)).is_empty());
        assert_eq!(app.overlay, Overlay::None);
        assert_eq!(flash(&app).0, Level::Error);
    }
    assert_eq!(app.marks.len(), 3, "marking itself is allowed");
}
