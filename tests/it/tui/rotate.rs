//! Rotating a credential from the dashboard: `R` where a credential is
//! selected opens the one confirmation dialog with a grace period (0 to
//! start with) and a reason; Confirm sends the rotation; the new secret
//! shows only once the backend has answered, and closing it drops it.
//! Read-only mode and a viewer's token refuse, as for every action.

use crate::support::dashboard::{command, flash, key, render, typed};
use crate::support::fleet;

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warden::api::WhoAmI;
use warden::fleet::origin::Qualify;
use warden::model::*;
use warden::sources::SourceEvent;
use warden::tui::app::{App, BackendKind, Level, Options, Overlay};
use warden::tui::msg::{Action, Effect, Msg, Outcome};
use warden::tui::popups::confirm::{Field, Phase, Subject};
use warden::tui::popups::secret::SecretText;

const SECRET: &str = "wdn_ac_R0tat3dS3cr3tF0rT1ck3tTr1ag3xxxxxxxxxxxxx";

/// `:creds`, `R` on the first credential (crd_t1 of ticket-triage).
fn rotate_dialog() -> App {
    let (mut app, _) = fleet::app();
    command(&mut app, "creds");
    key(&mut app, KeyCode::Char('R'));
    app
}

/// The rotate dialog with a reason, and the grace replaced by `grace`;
/// answers what Confirm asks to be done.
fn fill_and_confirm(app: &mut App, grace: &str, reason: &str) -> Vec<Effect> {
    // Focus starts on the reason (the grace has its "0"); up is the grace.
    typed(app, reason);
    key(app, KeyCode::Up);
    key(app, KeyCode::Backspace);
    typed(app, grace);
    // Complete: Enter sends from any field.
    key(app, KeyCode::Enter)
}

fn rotated_answer() -> Outcome {
    let mut new = fleet::credential("crd_t9", "agt_triage", Some(25), CredentialStatus::Active);
    new.issued_at = fleet::wall();
    new.last_used_at = None;
    let mut old = fleet::credential("crd_t1", "agt_triage", None, CredentialStatus::Active);
    old.expires_at = Some(fleet::wall() + Duration::minutes(10));
    Outcome::Rotated {
        credential: Box::new(new),
        previous: Box::new(old),
        secret: SecretText::new(SECRET.into()),
    }
}

/// The dashboard after a rotation the backend confirmed: the secret
/// popup over the credentials view.
pub fn secret_popup() -> App {
    let mut app = rotate_dialog();
    let effects = fill_and_confirm(&mut app, "10m", "routine rotation");
    let [Effect::Run { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(rotated_answer()),
    });
    app
}

pub fn rotate_dialog_for_snapshot() -> App {
    rotate_dialog()
}

#[test]
fn r_opens_the_dialog_with_grace_zero_and_confirm_sends_the_rotation() {
    let mut app = rotate_dialog();
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("expected the rotate dialog, got {:?}", app.overlay);
    };
    assert!(matches!(
        &d.subject,
        Subject::Rotate { credential_id, agent_name }
            if credential_id == "crd_t1" && agent_name == "ticket-triage"
    ));
    assert_eq!(d.title(), "Rotate crd_t1");
    assert_eq!(d.grace.text(), "0", "at once unless the responder says so");
    assert_eq!(d.focus, Field::Reason, "the first field that needs typing");

    // No reason: refused inside the dialog, nothing sent.
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    // A grace that is not a duration, or longer than 30 days: refused too.
    for bad in ["soon", "31d"] {
        let mut app = rotate_dialog();
        assert!(fill_and_confirm(&mut app, bad, "INC-1").is_empty(), "{bad}");
        let Overlay::Confirm(d) = &app.overlay else {
            panic!()
        };
        assert!(d.problem.as_deref().unwrap().contains("grace"), "{bad}");
        assert_eq!(d.phase, Phase::Editing);
    }

    let mut app = rotate_dialog();
    let effects = fill_and_confirm(&mut app, "10m", "routine rotation");
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Run { action: Action::Rotate { credential_id, grace_seconds: 600, reason, .. }, .. }]
                if credential_id == "crd_t1" && reason == "routine rotation"
        ),
        "{effects:?}"
    );
    // Grace 0 as it came: at once.
    let mut app = rotate_dialog();
    typed(&mut app, "INC-7 leaked");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Run {
                action: Action::Rotate {
                    grace_seconds: 0,
                    ..
                },
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn the_secret_shows_only_on_the_backends_answer_and_closing_drops_it() {
    let mut app = rotate_dialog();
    let effects = fill_and_confirm(&mut app, "10m", "routine rotation");
    let [Effect::Run { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    // Sent, not done: the dialog waits and says so.
    assert!(matches!(&app.overlay, Overlay::Confirm(d) if d.waiting_for() == Some(*id)));
    assert_eq!(flash(&app).0, Level::Pending);
    let (_, clock) = fleet::app();
    assert!(!render(&mut app, clock, 100, 30).contains("wdn_ac_R0tat3d"));

    app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(rotated_answer()),
    });
    let Overlay::Secret(p) = &app.overlay else {
        panic!("expected the secret, got {:?}", app.overlay);
    };
    assert_eq!(p.secret.expose(), SECRET);
    assert_eq!(p.credential.id, "crd_t9");
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Success);
    assert!(text.contains("crd_t1") && text.contains("crd_t9"), "{text}");
    let screen = render(&mut app, clock, 100, 30);
    assert!(screen.contains(SECRET), "{screen}");
    assert!(screen.contains("cannot be shown again"), "{screen}");
    assert!(
        screen.contains("works until"),
        "when the old one stops: {screen}"
    );

    // Enter sent the rotation; a second one must not throw the secret away.
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Overlay::Secret(_)));
    key(&mut app, KeyCode::Char('j'));
    assert!(matches!(app.overlay, Overlay::Secret(_)));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
    assert!(!render(&mut app, clock, 100, 30).contains(SECRET));
}

#[test]
fn the_secret_shows_even_when_the_dialog_was_hidden_while_waiting() {
    let mut app = rotate_dialog();
    let effects = fill_and_confirm(&mut app, "0", "INC-7");
    let [Effect::Run { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
    app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(rotated_answer()),
    });
    assert!(matches!(app.overlay, Overlay::Secret(_)));
}

#[test]
fn a_refused_rotation_stays_on_screen_with_the_backends_message_and_no_secret() {
    let mut app = rotate_dialog();
    let effects = fill_and_confirm(&mut app, "0", "INC-7");
    let [Effect::Run { id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    app.handle_msg(Msg::Action {
        id: *id,
        result: Err("agent ticket-triage is killed (HTTP 409, agent_killed)".into()),
    });
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("expected the dialog, got {:?}", app.overlay);
    };
    assert!(
        matches!(&d.phase, Phase::Done { ok: false, message, .. } if message.contains("agent_killed"))
    );
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error);
    assert!(text.contains("agent_killed"), "{text}");
}

#[test]
fn r_works_in_an_agents_view_and_still_sorts_the_agents_table() {
    let (mut app, _) = fleet::app();
    key(&mut app, KeyCode::Char('R'));
    assert_eq!(app.overlay, Overlay::None, "R sorts by risk on the table");
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "support-copilot");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('R'));
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("expected the rotate dialog, got {:?}", app.overlay);
    };
    assert_eq!(d.title(), "Rotate crd_s2");
}

#[test]
fn a_revoked_credential_is_not_offered() {
    let (mut app, _) = fleet::app();
    command(&mut app, "creds");
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(app.panes.creds.selected_id(), Some("crd_o1"));
    assert!(key(&mut app, KeyCode::Char('R')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(flash(&app).1.contains("nothing to rotate"));
}

#[test]
fn read_only_and_a_viewer_refuse_without_a_dialog() {
    let mut ro = fleet::app().0;
    ro.options.readonly = true;
    command(&mut ro, "creds");
    assert!(key(&mut ro, KeyCode::Char('R')).is_empty());
    assert_eq!(ro.overlay, Overlay::None);
    let (level, text) = flash(&ro);
    assert_eq!(level, Level::Error);
    assert!(text.contains("read-only"), "{text}");

    let (mut viewer, _) = fleet::app();
    viewer.handle_msg(Msg::Source {
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
    command(&mut viewer, "creds");
    let shifted = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
    assert!(viewer.handle_key(shifted).is_empty());
    assert_eq!(viewer.overlay, Overlay::None);
    assert!(flash(&viewer).1.contains("viewer"));
}

#[test]
fn after_the_poll_the_old_credential_shows_as_expiring_and_the_new_one_is_listed() {
    let mut app = secret_popup();
    key(&mut app, KeyCode::Esc);
    let Outcome::Rotated {
        credential,
        previous,
        ..
    } = rotated_answer()
    else {
        unreachable!()
    };
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(warden::api::Changes {
                cursor: 11,
                credentials: vec![*credential, *previous],
                ..Default::default()
            }),
            latency: std::time::Duration::from_millis(12),
        },
    });
    let (_, clock) = fleet::app();
    let screen = render(&mut app, clock, 200, 30);
    let row = |id: &str| {
        screen
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("no {id} in {screen}"))
            .to_string()
    };
    assert!(row("crd_t1").contains("in 10m"), "{}", row("crd_t1"));
    assert!(row("crd_t9").contains("in 25d"), "{}", row("crd_t9"));
    // The soonest to expire first: the one in its grace leads the list.
    assert_eq!(
        app.panes.creds.order.first().map(String::as_str),
        Some("crd_t1")
    );
}

#[test]
fn only_a_warden_backends_credential_is_rotated_and_the_rotation_names_its_own_id() {
    let mut app = App::with_backends(
        &[("prod", "http://prod:7878"), ("vault", "http://vault:8200")],
        Options::default(),
    );
    for (i, name) in ["prod", "vault"].into_iter().enumerate() {
        let mut changes = fleet::changes();
        changes.qualify(name);
        app.handle_msg(Msg::Source {
            backend: i,
            event: SourceEvent::Synced {
                changes: Box::new(changes),
                latency: std::time::Duration::from_millis(5),
            },
        });
    }
    // Not a Warden: a stand-in for a secret manager's credentials.
    app.backends[1].kind = BackendKind::Alertmanager;
    command(&mut app, "creds");
    let mut seen = Vec::new();
    for _ in 0..app.panes.creds.order.len() {
        let id = app.panes.creds.selected_id().unwrap().to_string();
        app.flash = None;
        let effects = key(&mut app, KeyCode::Char('R'));
        seen.push(id.clone());
        if id == "vault/crd_t1" {
            assert!(effects.is_empty());
            assert_eq!(app.overlay, Overlay::None);
            assert!(flash(&app).1.contains("rotate it there"), "{:?}", app.flash);
        }
        if id == "prod/crd_t1" {
            let Overlay::Confirm(d) = &app.overlay else {
                panic!("expected the rotate dialog, got {:?}", app.overlay);
            };
            assert_eq!(d.title(), "Rotate prod/crd_t1");
        }
        app.overlay = Overlay::None;
        key(&mut app, KeyCode::Char('j'));
    }
    assert!(seen.iter().any(|s| s == "vault/crd_t1"), "{seen:?}");
    assert!(seen.iter().any(|s| s == "prod/crd_t1"), "{seen:?}");
}
