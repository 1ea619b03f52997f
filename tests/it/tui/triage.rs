//! The triage view driven by keys and messages, with no terminal: `:triage`
//! asks every backend for its queue, the queue shows most urgent first
//! with how many are left and each agent's suggestions with their reasons,
//! `o` offers the suggestions first, and an owner the backend confirmed
//! takes the agent out and selects the next one.

use crate::support::dashboard::{command, key, render, typed};
use crate::support::fleet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warden::tui::app::{App, Level, Overlay};
use warden::tui::msg::{Action, Effect, Msg, Outcome};
use warden::tui::screens::Screen;
use warden::tui::views::Clock;

fn opened() -> (App, Clock) {
    let (mut app, clock) = fleet::app();
    let effects = command(&mut app, "triage");
    assert_eq!(effects, vec![Effect::FetchTriage]);
    assert_eq!(app.screen(), &Screen::Triage);
    app.handle_msg(Msg::Triage {
        backend: 0,
        result: Ok(fleet::triage_report()),
    });
    (app, clock)
}

#[test]
fn the_queue_shows_most_urgent_first_with_how_many_are_left() {
    let (mut app, clock) = opened();
    let names: Vec<&str> = app
        .panes
        .triage
        .cases
        .iter()
        .map(|c| c.agent.name.as_str())
        .collect();
    assert_eq!(names, ["ticket-triage", "mcp-github"]);
    let screen = render(&mut app, clock, 120, 30);
    assert!(screen.contains("triage (2 left)"), "{screen}");
    assert!(screen.contains("Alan Turing left"), "{screen}");
    assert!(
        screen.contains("manager of Alan Turing, who left"),
        "{screen}"
    );
    assert!(screen.contains("support-copilot acts for them"), "{screen}");
    // The crumbs say where Esc goes back to.
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.screen(),
        &Screen::Detail {
            agent_id: "agt_triage".into()
        }
    );
    let screen = render(&mut app, clock, 120, 30);
    assert!(
        screen
            .lines()
            .nth(2)
            .unwrap()
            .contains("triage › ticket-triage")
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), &Screen::Triage);
}

#[test]
fn o_offers_the_suggestions_first_then_assigns_and_moves_to_the_next() {
    let (mut app, _) = opened();
    key(&mut app, KeyCode::Char('o'));
    let picker = match &app.overlay {
        Overlay::Picker(p) => p.clone(),
        other => panic!("{other:?}"),
    };
    let first = picker.candidate(0).unwrap();
    assert_eq!(first.person_id, "per_lead");
    assert!(
        first
            .reason
            .as_deref()
            .unwrap()
            .contains("manager of Alan Turing"),
        "{first:?}"
    );
    assert_eq!(picker.candidate(1).unwrap().person_id, "per_ada");
    // Then the rest of the directory: Katherine, with no reason.
    let rest = picker.candidate(2).unwrap();
    assert_eq!(
        (rest.person_id.as_str(), rest.reason.as_ref()),
        ("per_kat", None)
    );

    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Overlay::Confirm(_)));
    // Focus starts on Cancel; tab goes round to the reason, then Confirm.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Alan left; Grace manages the team");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    let effects = key(&mut app, KeyCode::Enter);
    let (id, action) = match effects.as_slice() {
        [Effect::Run { id, action }] => (*id, action.clone()),
        other => panic!("{other:?}"),
    };
    match &action {
        Action::Reassign {
            agent_id, owner, ..
        } => assert_eq!(
            (agent_id.as_str(), owner.as_str()),
            ("agt_triage", "per_lead")
        ),
        other => panic!("{other:?}"),
    }
    // Not done until the backend says so.
    assert_eq!(app.panes.triage.cases.len(), 2);

    let mut agent = fleet::agent_by_id("agt_triage");
    agent.owner = Some("per_lead".into());
    let effects = app.handle_msg(Msg::Action {
        id,
        result: Ok(Outcome::Agent(agent)),
    });
    assert!(effects.contains(&Effect::FetchTriage), "{effects:?}");
    assert_eq!(app.panes.triage.cases.len(), 1);
    assert_eq!(app.panes.triage.assigned, 1);
    assert_eq!(
        app.panes.triage.selected_case().unwrap().agent.id,
        "agt_mcp"
    );
    let f = app.flash.clone().unwrap();
    assert_eq!(f.level, Level::Success);
    assert!(f.text.contains("1 left to triage"), "{}", f.text);
}

#[test]
fn a_failed_refresh_keeps_the_last_queue_and_says_why() {
    let (mut app, clock) = opened();
    let effects = key(&mut app, KeyCode::Char('r'));
    assert!(effects.is_empty(), "plain r does nothing here");
    let effects = app.handle_key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert!(effects.contains(&Effect::FetchTriage), "{effects:?}");
    app.handle_msg(Msg::Triage {
        backend: 0,
        result: Err("503 Service Unavailable".into()),
    });
    assert_eq!(app.panes.triage.cases.len(), 2, "the last good queue stays");
    let screen = render(&mut app, clock, 120, 30);
    assert!(screen.contains("triage failed: 503"), "{screen}");
}

#[test]
fn an_agent_owned_since_the_report_leaves_the_queue_at_the_next_poll() {
    let (mut app, _) = opened();
    // A poll that changes another agent settles no case.
    let mut other = fleet::agent_by_id("agt_mcp");
    other.description = Some("still nobody's".into());
    fleet::poll_agent(&mut app, 10, other);
    assert_eq!(app.panes.triage.cases.len(), 2, "nothing settled");
    let mut owned = fleet::agent_by_id("agt_mcp");
    owned.owner = Some("per_kat".into());
    fleet::poll_agent(&mut app, 11, owned);
    let ids: Vec<&str> = app
        .panes
        .triage
        .cases
        .iter()
        .map(|c| c.agent.id.as_str())
        .collect();
    assert_eq!(ids, ["agt_triage"]);
}

#[test]
fn snapshots_at_80x24_and_200x60() {
    let (mut app, clock) = opened();
    insta::assert_snapshot!("triage_80x24", render(&mut app, clock, 80, 24));
    insta::assert_snapshot!("triage_200x60", render(&mut app, clock, 200, 60));
    let (mut empty, clock) = fleet::app();
    command(&mut empty, "triage");
    insta::assert_snapshot!("triage_waiting_80x24", render(&mut empty, clock, 80, 24));
}
