//! Several backends merged into one dashboard, driven by messages with no
//! network: the same ids from two backends stay apart, a backend column
//! says where each agent lives, one backend down leaves the others working
//! and its agents visible and marked stale, `:ctx` narrows, and every
//! action names the object as its own backend's (the runner routes it).

use crate::support::dashboard::{command, flash, key, render, select, typed};
use crate::support::fleet;

use crossterm::event::KeyCode;
use std::time::{Duration, Instant};
use warden::api::{Changes, WhoAmI};
use warden::fleet::origin::Qualify;
use warden::model::*;
use warden::sources::SourceEvent;
use warden::tui::app::{App, Health, Level, Options, Overlay};
use warden::tui::msg::{Action, Effect, Msg};
use warden::tui::views::Clock;

/// What backend `index` called `name` sends: the fixture, qualified as its
/// source qualifies it.
fn sync(app: &mut App, index: usize, name: &str, mut changes: Changes) {
    changes.qualify(name);
    app.handle_msg(Msg::Source {
        backend: index,
        event: SourceEvent::Synced {
            changes: Box::new(changes),
            latency: Duration::from_millis(5),
        },
    });
}

fn identity(app: &mut App, index: usize, role: Role) {
    app.handle_msg(Msg::Source {
        backend: index,
        event: SourceEvent::Identity(Box::new(WhoAmI {
            kind: "person".into(),
            role: Some(role),
            name: "oncall".into(),
            person: None,
            agent_id: None,
            credential_id: None,
        })),
    });
}

/// Two backends with the same fixture, so every id exists twice.
fn two() -> (App, Clock) {
    let mut app = App::with_backends(
        &[("prod", "http://prod:7878"), ("staging", "http://stg:7878")],
        Options::default(),
    );
    sync(&mut app, 0, "prod", fleet::changes());
    sync(&mut app, 1, "staging", fleet::changes());
    identity(&mut app, 0, Role::Responder);
    identity(&mut app, 1, Role::Responder);
    let now = Instant::now();
    for b in &mut app.backends {
        b.last_ok = Some(now);
    }
    (
        app,
        Clock {
            now,
            wall: fleet::wall(),
        },
    )
}

#[test]
fn the_same_ids_from_two_backends_stay_apart() {
    let (app, _) = two();
    let one = fleet::changes().agents.len();
    assert_eq!(app.fleet.len(), 2 * one);
    let a = app.fleet.agent("prod/agt_support").expect("prod's copy");
    let b = app
        .fleet
        .agent("staging/agt_support")
        .expect("staging's copy");
    assert_eq!(a.name, b.name);
    // References are qualified too: the owner and credentials resolve
    // within the agent's own backend.
    assert_eq!(a.owner.as_deref(), Some("prod/per_ada"));
    assert!(app.fleet.owner_of(a).is_some());
    assert!(
        app.fleet
            .credentials_of("staging/agt_support")
            .iter()
            .all(|c| c.id.starts_with("staging/") && c.agent_id == "staging/agt_support")
    );
    assert_eq!(app.backend_of("staging/agt_support"), Some(1));
    assert_eq!(app.backend_of("elsewhere/agt_support"), None);
}

#[test]
fn a_full_answer_replaces_only_its_own_backends_objects() {
    let (mut app, _) = two();
    let one = fleet::changes().agents.len();
    let mut smaller = fleet::changes();
    smaller.agents.retain(|a| a.id == "agt_support");
    sync(&mut app, 0, "prod", smaller);
    assert_eq!(app.fleet.len(), 1 + one, "staging's agents stay");
    assert!(app.fleet.agent("prod/agt_triage").is_none());
    assert!(app.fleet.agent("staging/agt_triage").is_some());
    assert!(
        !app.fleet.credentials_of("staging/agt_triage").is_empty(),
        "and their credentials"
    );
}

#[test]
fn the_header_and_the_table_say_where_each_agent_lives() {
    let (mut app, clock) = two();
    let screen = render(&mut app, clock, 160, 24);
    let header = screen.lines().next().unwrap();
    assert!(header.contains("prod ok"), "{header}");
    assert!(header.contains("staging ok"), "{header}");
    assert!(screen.contains("BACKEND"), "{screen}");
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("support-copilot"))
        .collect();
    assert_eq!(rows.len(), 2, "{screen}");
    assert!(rows.iter().any(|r| r.contains("prod")), "{rows:?}");
    assert!(rows.iter().any(|r| r.contains("staging")), "{rows:?}");
}

#[test]
fn one_backend_down_leaves_the_others_and_its_agents_show_stale() {
    let (mut app, clock) = two();
    app.handle_msg(Msg::Source {
        backend: 1,
        event: SourceEvent::Failed {
            error: "cannot reach http://stg:7878".into(),
            retry_in: Duration::from_secs(4),
        },
    });
    assert_eq!(app.backends[1].health, Health::Down);
    assert_eq!(app.backends[0].health, Health::Ok);
    assert!(app.stale("staging/agt_support"));
    assert!(!app.stale("prod/agt_support"));
    let screen = render(&mut app, clock, 160, 24);
    let header = screen.lines().next().unwrap();
    assert!(header.contains("staging DOWN"), "{header}");
    assert!(header.contains("cannot reach"), "{header}");
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("support-copilot"))
        .collect();
    assert_eq!(rows.len(), 2, "its agents stay visible: {screen}");
    assert!(rows.iter().any(|r| r.contains("staging stale")), "{rows:?}");

    // The other backend still polls and acts.
    let mut more = fleet::changes();
    more.full = false;
    more.agents.retain(|a| a.id == "agt_support");
    more.agents[0].status = AgentStatus::Suspended;
    sync(&mut app, 0, "prod", more);
    assert_eq!(
        app.fleet.agent("prod/agt_support").unwrap().status,
        AgentStatus::Suspended
    );
}

#[test]
fn ctx_narrows_to_one_backend_and_back() {
    let (mut app, _) = two();
    let all = app.panes.agents.order.len();
    command(&mut app, "ctx staging");
    assert_eq!(app.ctx, Some(1));
    assert_eq!(app.panes.agents.order.len() * 2, all);
    let agents = app.fleet.agents();
    assert!(
        app.panes
            .agents
            .order
            .iter()
            .all(|&i| agents[i].id.starts_with("staging/"))
    );
    assert!(
        app.panes
            .alerts
            .order
            .iter()
            .all(|id| id.starts_with("staging/"))
    );
    assert!(flash(&app).1.contains("showing staging only"));

    command(&mut app, "ctx nowhere");
    assert_eq!(app.ctx, Some(1), "an unknown name changes nothing");
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    assert!(text.contains("prod, staging"), "{text}");

    command(&mut app, "ctx");
    assert_eq!(app.ctx, None);
    assert_eq!(app.panes.agents.order.len(), all);
    let (_, text) = flash(&app);
    assert!(
        text.contains("prod ok") && text.contains("staging ok"),
        "{text}"
    );

    // Tab completes the backend's name.
    key(&mut app, KeyCode::Char(':'));
    typed(&mut app, "ctx st");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.ctx, Some(1));
}

#[test]
fn actions_name_the_object_as_the_app_knows_it_and_the_runner_routes_it() {
    let (mut app, _) = two();
    command(&mut app, "ctx staging");
    select(&mut app, "support-copilot");
    let effects = key(&mut app, KeyCode::Char('f'));
    match effects.as_slice() {
        [
            Effect::Run {
                action: Action::Suspend { agent_id, .. },
                ..
            },
        ] => assert_eq!(agent_id, "staging/agt_support"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_viewer_token_on_one_backend_refuses_only_there() {
    let (mut app, _) = two();
    identity(&mut app, 1, Role::Viewer);
    assert_eq!(app.actions_refused(), None, "prod still acts");
    command(&mut app, "ctx staging");
    select(&mut app, "support-copilot");
    let effects = key(&mut app, KeyCode::Char('K'));
    assert!(effects.is_empty());
    assert_eq!(app.overlay, Overlay::None, "no dialog opens");
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    assert!(
        text.contains("viewer") && text.contains("staging"),
        "{text}"
    );

    command(&mut app, "ctx prod");
    select(&mut app, "support-copilot");
    key(&mut app, KeyCode::Char('K'));
    assert!(matches!(app.overlay, Overlay::Confirm(_)));

    identity(&mut app, 0, Role::Viewer);
    assert!(app.actions_refused().unwrap().contains("every backend"));
}

#[test]
fn reassigning_marks_across_backends_is_refused_and_owners_stay_home() {
    let (mut app, _) = two();
    select(&mut app, "support-copilot");
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(app.marks.len(), 2);
    key(&mut app, KeyCode::Char('o'));
    assert_eq!(app.overlay, Overlay::None);
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    assert!(text.contains(":ctx"), "{text}");

    // One agent's picker offers only people of its own backend.
    key(&mut app, KeyCode::Char('\\'));
    app.marks.clear();
    command(&mut app, "ctx staging");
    select(&mut app, "support-copilot");
    key(&mut app, KeyCode::Char('o'));
    match &app.overlay {
        Overlay::Picker(p) => {
            let ids: Vec<&str> = (0..p.shown.len())
                .filter_map(|i| p.candidate(i))
                .map(|c| c.person_id.as_str())
                .collect();
            assert!(!ids.is_empty());
            assert!(ids.iter().all(|id| id.starts_with("staging/")), "{ids:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_first_poll_of_each_backend_is_not_news() {
    let mut app = App::with_backends(
        &[("prod", "http://prod:7878"), ("staging", "http://stg:7878")],
        Options::default(),
    );
    let mut critical = fleet::changes();
    critical.alerts[0].severity = Severity::Critical;
    sync(&mut app, 0, "prod", critical.clone());
    sync(&mut app, 1, "staging", critical);
    assert!(
        !app.take_bell(),
        "a backend joining mid-incident is not news"
    );
}

#[test]
fn triage_and_audit_ask_only_the_warden_backends() {
    let mut app = App::with_backends(
        &[("prod", "http://prod:7878"), ("alerts", "http://am:9093")],
        Options::default(),
    );
    app.backends[1].kind = warden::tui::app::BackendKind::Alertmanager;
    command(&mut app, "triage");
    assert_eq!(
        app.panes.triage.waiting, 1,
        "an Alertmanager has no triage queue"
    );
    // :ctx on the Alertmanager: the audit view reads the Warden's chain.
    command(&mut app, "ctx alerts");
    let effects = {
        key(&mut app, KeyCode::Char(':'));
        typed(&mut app, "audit");
        key(&mut app, KeyCode::Enter)
    };
    assert!(
        effects.contains(&Effect::FetchAudit {
            backend: 0,
            after: 0,
            tail: Some(warden::tui::screens::audit::state::RING),
        }),
        "{effects:?}"
    );
}
