//! The people, credentials and audit views and the agent detail's fetched
//! sections, driven by keys and messages with no terminal: each view
//! opens by its command and aliases, moves, opens what Enter opens and
//! goes back with Esc; `x` revokes from the credentials view through the
//! dialog and is refused in read-only mode; audit entries are appended
//! once each and a broken chain is shown; the detail asks for the agent's
//! activity and trail when it opens and after each poll.

use crate::support::dashboard::{command, ctrl, flash, key, render, select, typed};
use crate::support::fleet;

use chrono::Duration;
use crossterm::event::KeyCode;
use warden::api::{AuditVerification, Changes, WhoAmI};
use warden::model::*;
use warden::sources::SourceEvent;
use warden::tui::app::{App, Level, Options, Overlay};
use warden::tui::msg::{Action, Effect, Msg};
use warden::tui::popups::confirm::Subject;
use warden::tui::screens::Screen;
use warden::tui::screens::audit::state::{RING, Verdict};
use warden::tui::screens::detail::state::TRAIL;
use warden::tui::views::Clock;

/// The screen's crumbs row and hint bar.
fn crumbs_and_hints(app: &mut App, clock: Clock) -> (String, String) {
    let screen = render(app, clock, 120, 20);
    // TestBackend quotes each row.
    let lines: Vec<&str> = screen.lines().map(|l| l.trim_matches('"')).collect();
    (lines[2].to_string(), lines[19].to_string())
}

fn poll(app: &mut App) -> Vec<Effect> {
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(Changes {
                cursor: 11,
                ..Changes::default()
            }),
            latency: std::time::Duration::from_millis(10),
        },
    })
}

fn people_order(app: &App) -> Vec<String> {
    app.panes
        .people
        .rows
        .iter()
        .map(|r| r.person_id.clone())
        .collect()
}

#[test]
fn people_view_departed_owners_first_and_enter_shows_their_agents() {
    let (mut app, clock) = fleet::app();
    command(&mut app, "people");
    assert_eq!(app.screen(), &Screen::People);
    // Alan left and still owns ticket-triage; then by agent count.
    assert_eq!(
        people_order(&app),
        ["per_alan", "per_ada", "per_kat", "per_lead"]
    );
    let alan = &app.panes.people.rows[0];
    assert_eq!((alan.agents, alan.active, alan.open_alerts), (1, 1, 1));
    let kat = &app.panes.people.rows[2];
    assert_eq!((kat.agents, kat.killed), (1, 1));
    let screen = render(&mut app, clock, 120, 20);
    assert!(screen.contains("departed"), "{screen}");
    assert!(
        screen.contains("1 departed, still owning live agents"),
        "{screen}"
    );

    key(&mut app, KeyCode::Char('j'));
    assert_eq!(
        app.panes.people.selected().unwrap().person_id,
        "per_ada",
        "j moves down"
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), &Screen::Agents);
    assert_eq!(app.panes.agents.filter_text, "owner:=ada@corp.example");
    let mut owned: Vec<String> = app
        .panes
        .agents
        .order
        .iter()
        .map(|&i| app.fleet.agents()[i].id.clone())
        .collect();
    owned.sort();
    assert_eq!(owned, ["agt_evil", "agt_support"]);
    assert!(
        flash(&app).1.contains("Ada Lovelace owns"),
        "{:?}",
        flash(&app)
    );
    // Esc clears the filter, as on any filtered table.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.panes.agents.order.len(), 5);

    // The aliases open the same view; Esc goes back to the agents.
    for alias in ["ppl", "owners"] {
        command(&mut app, alias);
        assert_eq!(app.screen(), &Screen::People, "{alias}");
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.screen(), &Screen::Agents);
    }
}

#[test]
fn people_view_keeps_the_selection_on_the_person_through_a_poll() {
    let (mut app, _) = fleet::app();
    command(&mut app, "people");
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(app.panes.people.selected().unwrap().person_id, "per_lead");
    // Grace now owns three agents: she moves up, the selection with her.
    let mut agents = Vec::new();
    for (id, name) in [("agt_n1", "n1"), ("agt_n2", "n2"), ("agt_n3", "n3")] {
        agents.push(fleet::agent(
            id,
            name,
            AgentKind::Chatbot,
            "dev",
            Some("per_lead"),
            AgentStatus::Active,
        ));
    }
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(Changes {
                cursor: 12,
                agents,
                ..Changes::default()
            }),
            latency: std::time::Duration::from_millis(10),
        },
    });
    assert_eq!(people_order(&app)[1], "per_lead");
    assert_eq!(app.panes.people.sel.selected, 1);
    assert_eq!(app.panes.people.selected().unwrap().person_id, "per_lead");
}

#[test]
fn creds_view_lists_every_credential_and_enter_opens_its_agent() {
    let (mut app, clock) = fleet::app();
    command(&mut app, "creds");
    assert_eq!(app.screen(), &Screen::Creds);
    // Live first, the soonest to expire first; revoked last.
    assert_eq!(
        app.panes.creds.order,
        ["crd_t1", "crd_s1", "crd_s2", "crd_o1"]
    );
    let screen = render(&mut app, clock, 120, 20);
    assert!(screen.contains("in 5d"), "{screen}");
    assert!(screen.contains("never"), "{screen}");
    assert!(!screen.contains("wdn_ac_Ab3d…x"), "only the prefix");
    // The agent the keys act on is the credential's.
    assert_eq!(app.current_agent().unwrap().id, "agt_triage");
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.panes.creds.selected_id(), Some("crd_s2"));
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.screen(),
        &Screen::Detail {
            agent_id: "agt_support".into()
        }
    );
    assert_eq!(app.detail_cursor, 1, "the same credential is selected");
    assert!(effects.contains(&Effect::FetchDetail {
        agent_id: "agt_support".into()
    }));
    let (crumbs, _) = crumbs_and_hints(&mut app, clock);
    assert!(crumbs.starts_with("creds › support-copilot"), "{crumbs}");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), &Screen::Creds);
    assert_eq!(app.panes.creds.selected_id(), Some("crd_s2"));
    assert_eq!(command(&mut app, "credentials"), vec![]);
    assert_eq!(app.screen(), &Screen::Creds);
}

#[test]
fn x_in_the_creds_view_revokes_through_the_dialog_with_a_reason() {
    let (mut app, _) = fleet::app();
    command(&mut app, "creds");
    key(&mut app, KeyCode::Char('x'));
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("expected the revoke dialog, got {:?}", app.overlay);
    };
    assert!(matches!(
        &d.subject,
        Subject::Revoke { credential_id, agent_name } if credential_id == "crd_t1" && agent_name == "ticket-triage"
    ));
    // Confirm with no reason: refused inside the dialog, nothing sent.
    key(&mut app, KeyCode::Right);
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    typed(&mut app, "leaked in a ticket");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Run { action: Action::Revoke { credential_id, reason }, .. }]
                if credential_id == "crd_t1" && reason == "leaked in a ticket"
        ),
        "{effects:?}"
    );
    // A revoked credential is not offered again.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(app.panes.creds.selected_id(), Some("crd_o1"));
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(app.overlay, Overlay::None);
    assert!(flash(&app).1.contains("already revoked"));
}

fn readonly_app() -> (App, Clock) {
    let (mut app, clock) = fleet::app();
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Identity(Box::new(WhoAmI {
            kind: "person".into(),
            role: Some(Role::Viewer),
            name: "auditor".into(),
            person: None,
            agent_id: None,
            credential_id: None,
        })),
    });
    (app, clock)
}

#[test]
fn read_only_hides_and_refuses_the_action_keys_in_the_new_views() {
    let (mut app, clock) = fleet::app();
    command(&mut app, "creds");
    let (_, hints) = crumbs_and_hints(&mut app, clock);
    assert!(
        hints.contains("<x> revoke") && hints.contains("<K> kill"),
        "{hints}"
    );

    let (mut app, clock) = readonly_app();
    command(&mut app, "creds");
    let (crumbs, hints) = crumbs_and_hints(&mut app, clock);
    assert!(crumbs.starts_with("creds"), "{crumbs}");
    assert!(
        !hints.contains("revoke") && !hints.contains("kill"),
        "{hints}"
    );
    assert!(hints.contains("<enter> open"), "{hints}");
    for k in ['x', 'K', 'f', 'o'] {
        app.flash = None;
        assert!(key(&mut app, KeyCode::Char(k)).is_empty(), "{k}");
        assert_eq!(app.overlay, Overlay::None, "{k}: no dialog");
        let (level, text) = flash(&app);
        assert_eq!(level, Level::Error, "{k}");
        assert!(text.contains("viewer"), "{k}: {text}");
    }
    let mut ro = fleet::app().0;
    ro.options = Options {
        readonly: true,
        ..Options::default()
    };
    command(&mut ro, "creds");
    key(&mut ro, KeyCode::Char('x'));
    assert_eq!(ro.overlay, Overlay::None);
    assert!(flash(&ro).1.contains("read-only"));
}

#[test]
fn agent_keys_do_nothing_where_no_agent_is_selected() {
    let (mut app, clock) = fleet::app();
    for view in ["people", "audit"] {
        command(&mut app, view);
        app.flash = None;
        for k in ['f', 'K', 'o'] {
            assert!(key(&mut app, KeyCode::Char(k)).is_empty(), "{view} {k}");
            assert_eq!(app.overlay, Overlay::None);
        }
        let (crumbs, hints) = crumbs_and_hints(&mut app, clock);
        assert!(crumbs.starts_with(view), "{crumbs}");
        assert!(
            !hints.contains("freeze") && !hints.contains("revoke"),
            "{hints}"
        );
    }
}

fn entry(seq: i64) -> AuditEntry {
    AuditEntry {
        seq,
        at: fleet::wall() - Duration::seconds(100 - seq),
        actor: "oncall".into(),
        action: "agent.suspend".into(),
        target: format!("agt_support (support-copilot) #{seq}"),
        reason: Some("INC-42".into()),
        result: "status suspended".into(),
        prev_hash: "0".repeat(64),
        hash: "1".repeat(64),
    }
}

#[test]
fn audit_view_fetches_the_tail_then_only_new_entries_once_each() {
    let (mut app, clock) = fleet::app();
    // Not shown: a poll reads no audit.
    assert!(poll(&mut app).is_empty());
    let effects = command(&mut app, "audit");
    assert_eq!(app.screen(), &Screen::Audit);
    assert_eq!(
        effects,
        vec![
            Effect::FetchAudit {
                backend: 0,
                after: 0,
                tail: Some(RING)
            },
            Effect::VerifyAudit { backend: 0 }
        ]
    );
    let screen = render(&mut app, clock, 120, 20);
    assert!(screen.contains("verifying the chain…"), "{screen}");
    assert!(screen.contains("reading the audit chain…"), "{screen}");
    // One fetch at a time: a poll while it is out asks for nothing more.
    assert!(poll(&mut app).is_empty());

    let mut hostile = entry(3);
    hostile.reason = Some("evil\u{1b}[2J\u{202e}".into());
    app.handle_msg(Msg::Audit(Ok(vec![entry(1), entry(2), hostile])));
    assert_eq!(app.panes.audit.entries.len(), 3);
    assert!(
        !app.panes.audit.entries[2]
            .reason
            .as_deref()
            .unwrap()
            .contains('\u{1b}')
    );
    // The next poll asks only for what follows; overlap is dropped.
    assert_eq!(
        poll(&mut app),
        vec![Effect::FetchAudit {
            backend: 0,
            after: 3,
            tail: None
        }]
    );
    app.handle_msg(Msg::Audit(Ok((2..=5).map(entry).collect())));
    let seqs: Vec<i64> = app.panes.audit.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    assert_eq!(
        app.panes.audit.selected().map(|e| e.seq),
        Some(5),
        "follows the tail"
    );
    let screen = render(&mut app, clock, 120, 20);
    assert!(
        screen.contains("INC-42") && screen.contains("agent.suspend"),
        "{screen}"
    );
    assert!(screen.contains("following the tail"), "{screen}");

    // j/k/g/G/ctrl-b/ctrl-f move; moving up stops following.
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(app.panes.audit.selected().map(|e| e.seq), Some(4));
    assert!(!app.panes.audit.follow);
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(app.panes.audit.selected().map(|e| e.seq), Some(1));
    ctrl(&mut app, 'f');
    assert_eq!(app.panes.audit.selected().map(|e| e.seq), Some(5));
    ctrl(&mut app, 'b');
    assert_eq!(app.panes.audit.selected().map(|e| e.seq), Some(1));
    key(&mut app, KeyCode::Char('G'));
    assert!(app.panes.audit.follow);

    // A failed read keeps what is held and says why.
    poll(&mut app);
    app.handle_msg(Msg::Audit(Err("cannot reach the backend".into())));
    assert_eq!(app.panes.audit.entries.len(), 5);
    let screen = render(&mut app, clock, 120, 20);
    assert!(screen.contains("cannot read the audit"), "{screen}");

    // Esc goes back; coming back asks only for what follows.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), &Screen::Agents);
    let effects = command(&mut app, "au");
    assert!(
        effects.contains(&Effect::FetchAudit {
            backend: 0,
            after: 5,
            tail: None
        }),
        "{effects:?}"
    );
}

#[test]
fn audit_view_shows_whether_the_chain_verifies() {
    let (mut app, clock) = fleet::app();
    command(&mut app, "audit");
    app.handle_msg(Msg::Audit(Ok((1..=3).map(entry).collect())));
    app.handle_msg(Msg::AuditVerified(Ok(AuditVerification {
        ok: true,
        entries: 3,
        first_bad: None,
        problem: None,
        attack: None,
        checkpoints: None,
    })));
    let screen = render(&mut app, clock, 120, 20);
    assert!(screen.contains("chain verified: 3 entries"), "{screen}");
    // Verified just now: a poll does not ask again, `v` does.
    assert!(!poll(&mut app).contains(&Effect::VerifyAudit { backend: 0 }));
    app.handle_msg(Msg::Audit(Ok(vec![])));
    assert_eq!(
        key(&mut app, KeyCode::Char('v')),
        vec![Effect::VerifyAudit { backend: 0 }]
    );
    assert_eq!(flash(&app).0, Level::Pending);
    assert!(
        key(&mut app, KeyCode::Char('v')).is_empty(),
        "not twice at once"
    );
    app.handle_msg(Msg::AuditVerified(Ok(AuditVerification {
        ok: false,
        entries: 3,
        first_bad: Some(2),
        problem: Some("entry 2 does not match its hash".into()),
        attack: None,
        checkpoints: None,
    })));
    assert!(matches!(
        app.panes.audit.verdict,
        Verdict::Broken {
            first_bad: Some(2),
            ..
        }
    ));
    let screen = render(&mut app, clock, 120, 20);
    assert!(
        screen.contains("CHAIN BROKEN at #2: entry 2 does not match its hash"),
        "{screen}"
    );
    app.handle_msg(Msg::AuditVerified(Err("HTTP 503".into())));
    let screen = render(&mut app, clock, 120, 20);
    assert!(
        screen.contains("cannot verify the chain: HTTP 503"),
        "{screen}"
    );
}

#[test]
fn another_database_behind_the_url_starts_the_audit_over() {
    let (mut app, _) = fleet::app();
    command(&mut app, "audit");
    app.handle_msg(Msg::Audit(Ok((1..=9).map(entry).collect())));
    let effects = app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(fleet::changes()),
            latency: std::time::Duration::from_millis(10),
        },
    });
    assert!(app.panes.audit.entries.is_empty());
    assert!(
        effects.contains(&Effect::FetchAudit {
            backend: 0,
            after: 0,
            tail: Some(RING)
        }),
        "{effects:?}"
    );
}

fn open_detail(app: &mut App, name: &str) -> Vec<Effect> {
    key(app, KeyCode::Char('/'));
    typed(app, name);
    key(app, KeyCode::Enter);
    key(app, KeyCode::Enter)
}

#[test]
fn the_detail_fetches_activity_and_trail_on_open_and_after_each_poll() {
    let (mut app, clock) = fleet::app();
    let effects = open_detail(&mut app, "support-copilot");
    assert_eq!(
        effects,
        vec![
            Effect::FetchDetail {
                agent_id: "agt_support".into()
            },
            Effect::FetchTrail {
                agent_id: "agt_support".into(),
                tail: TRAIL
            }
        ]
    );
    // Still out: a poll does not ask twice.
    assert!(poll(&mut app).is_empty());
    let mut activity = vec![0u32; 60];
    activity[58] = 12;
    activity[59] = 3;
    app.handle_msg(Msg::Detail {
        agent_id: "agt_support".into(),
        result: Ok(fleet::detail(
            fleet::agent_by_id("agt_support"),
            activity.clone(),
        )),
    });
    let mut trail = entry(7);
    trail.action = "credential.issue".into();
    app.handle_msg(Msg::Trail {
        agent_id: "agt_support".into(),
        result: Ok(vec![trail]),
    });
    assert_eq!(app.panes.detail.activity.data, Some(activity));
    let screen = render(&mut app, clock, 120, 40);
    assert!(
        screen.contains("activity, last hour: 15 events · peak 12/min · now 3/min"),
        "{screen}"
    );
    assert!(screen.contains("credential.issue"), "{screen}");
    assert!(screen.contains("delegates to:"), "{screen}");
    // Each poll while it stays open asks again.
    let effects = poll(&mut app);
    assert_eq!(effects.len(), 2, "{effects:?}");
    // An answer about another agent is not shown as this one's.
    app.handle_msg(Msg::Detail {
        agent_id: "agt_triage".into(),
        result: Ok(fleet::detail(
            fleet::agent_by_id("agt_triage"),
            vec![99; 60],
        )),
    });
    assert_eq!(app.panes.detail.activity.data.as_ref().unwrap()[0], 0);
    // A failure is said, and the last good series stays.
    app.handle_msg(Msg::Detail {
        agent_id: "agt_support".into(),
        result: Err("HTTP 503".into()),
    });
    let screen = render(&mut app, clock, 120, 40);
    assert!(screen.contains("cannot read it: HTTP 503"), "{screen}");
    assert!(screen.contains("15 events"), "{screen}");
    // Back at the table, polls read nothing more.
    key(&mut app, KeyCode::Esc);
    assert!(poll(&mut app).is_empty());
}

#[test]
fn commands_complete_and_the_unknown_command_lists_them() {
    let (mut app, _) = fleet::app();
    for (prefix, screen) in [
        ("pe", Screen::People),
        ("cr", Screen::Creds),
        ("au", Screen::Audit),
    ] {
        key(&mut app, KeyCode::Char(':'));
        typed(&mut app, prefix);
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.screen(), &screen, "{prefix}");
    }
    command(&mut app, "bogus");
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    for name in [":people", ":creds", ":audit", ":alerts", ":agents"] {
        assert!(text.contains(name), "{text}");
    }
}

#[test]
fn help_lists_each_views_keys() {
    let (mut app, clock) = fleet::app();
    for (view, wanted) in [
        ("people", "show the agents this person owns"),
        ("creds", "open the credential's agent"),
        ("audit", "verify the audit chain now"),
    ] {
        command(&mut app, view);
        key(&mut app, KeyCode::Char('?'));
        let screen = render(&mut app, clock, 100, 30);
        assert!(screen.contains(wanted), "{view}: {screen}");
        assert!(screen.contains("page down"), "{view}: {screen}");
        key(&mut app, KeyCode::Esc);
    }
    // The audit view's help does not offer agent actions.
    command(&mut app, "audit");
    key(&mut app, KeyCode::Char('?'));
    let screen = render(&mut app, clock, 100, 30);
    assert!(!screen.contains("freeze"), "{screen}");
}

#[test]
fn the_new_views_render_at_every_size_without_panicking() {
    let (mut app, clock) = fleet::app();
    let sizes = [(1, 1), (20, 7), (40, 10), (80, 24), (100, 12), (300, 100)];
    for view in ["people", "creds", "audit"] {
        command(&mut app, view);
        if view == "audit" {
            app.handle_msg(Msg::Audit(Ok((1..=40).map(entry).collect())));
        }
        for (w, h) in sizes {
            render(&mut app, clock, w, h);
        }
    }
    key(&mut app, KeyCode::Esc);
    open_detail(&mut app, "ticket-triage");
    app.handle_msg(Msg::Detail {
        agent_id: "agt_triage".into(),
        result: Ok(fleet::detail(fleet::agent_by_id("agt_triage"), vec![5; 60])),
    });
    for w in (1..=120).step_by(7) {
        for h in 1..=40 {
            render(&mut app, clock, w, h);
        }
    }
    // At 80x24 the card and the credentials are there; what does not fit
    // is named.
    let screen = render(&mut app, clock, 80, 24);
    assert!(
        screen.contains("agt_triage") && screen.contains("crd_t1"),
        "{screen}"
    );
    assert!(screen.contains("a taller terminal shows"), "{screen}");
}

/// An agent's credentials, live first; rows the height leaves out are
/// said in the section's title, never dropped silently.
#[test]
fn the_detail_view_lists_live_credentials_first_and_says_what_it_hides() {
    let mut changes = fleet::changes();
    for i in 0..8 {
        let status = if i < 4 {
            CredentialStatus::Revoked
        } else {
            CredentialStatus::Active
        };
        changes.credentials.push(fleet::credential(
            &format!("crd_x{i}"),
            "agt_support",
            Some(30),
            status,
        ));
    }
    let (mut app, clock) = fleet::synced(changes);
    select(&mut app, "support-copilot");
    key(&mut app, KeyCode::Enter);
    let creds = app.fleet.credentials_of("agt_support");
    let first_dead = creds
        .iter()
        .position(|c| c.status != CredentialStatus::Active)
        .expect("some revoked");
    assert!(
        creds[first_dead..]
            .iter()
            .all(|c| c.status != CredentialStatus::Active),
        "live ones first"
    );
    let screen = render(&mut app, clock, 100, 30);
    assert!(screen.contains("more below"), "{screen}");
}

/// Before the first answer the agents view says it is syncing (a large
/// fleet takes seconds), not an empty table; once the backend is down, or
/// has answered, the note is gone.
#[test]
fn the_agents_view_says_it_is_syncing_until_the_first_answer() {
    let clock = Clock::now();
    let mut app = App::new("demo", "http://demo:7878", Options::default());
    assert!(
        render(&mut app, clock, 120, 20).contains("syncing: asking the backend"),
        "{}",
        render(&mut app, clock, 120, 20)
    );
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Failed {
            error: "connection refused".into(),
            retry_in: std::time::Duration::from_secs(1),
        },
    });
    assert!(!render(&mut app, clock, 120, 20).contains("syncing:"));

    let mut app = App::new("demo", "http://demo:7878", Options::default());
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(fleet::changes()),
            latency: std::time::Duration::from_millis(5),
        },
    });
    assert!(!render(&mut app, clock, 120, 20).contains("syncing:"));
}
