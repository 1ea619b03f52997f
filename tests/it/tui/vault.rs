//! A Vault watched beside a Warden backend, driven by messages with no
//! network: its identities linked to agents by metadata and by a config
//! rule, the rest listed as unclaimed with a count in the header, the
//! agent's view showing how each is linked, and the actions: `x` revokes a
//! Vault credential, a kill carries the agent's Vault credentials and says
//! so in its plan, a freeze says Vault has none.

use crate::support::dashboard::{command, flash, key, render, select, typed};
use crate::support::vault_fleet::{self, app, snapshot, vault_read, warden_sync};
use crossterm::event::KeyCode;
use warden::model::{Operation, OperationStatus, OperationStep, StepStatus};
use warden::tui::app::{Level, Overlay};
use warden::tui::msg::{Action, Effect, Msg, Outcome};
use warden::tui::popups::confirm::Plan;

const LINKED: &str = "bao/vault:token:acc-linked";
const SECRET_ID: &str = "bao/vault:secret-id:approle/support-role/sid-1";
const ROOT: &str = "bao/vault:token:acc-root";

fn vault_creds(app: &warden::tui::app::App, agent: &str) -> Vec<String> {
    let mut ids: Vec<String> = app
        .fleet
        .credentials_of(agent)
        .iter()
        .map(|c| c.id.clone())
        .filter(|id| id.starts_with("bao/"))
        .collect();
    ids.sort();
    ids
}

#[test]
fn linked_identities_are_credentials_of_their_agent_and_the_rest_unclaimed() {
    let (app, _) = app();
    assert_eq!(vault_creds(&app, "prod/agt_support"), [SECRET_ID, LINKED]);
    let how: Vec<String> = app
        .fleet
        .identities_of("prod/agt_support")
        .filter_map(|i| i.link.as_ref().map(|l| l.how.clone()))
        .collect();
    assert!(
        how.contains(&"metadata warden_agent=support-copilot".into()),
        "{how:?}"
    );
    assert!(
        how.contains(&"config role = \"support-*\"".into()),
        "{how:?}"
    );
    let mut unclaimed: Vec<&str> = app.fleet.unclaimed().map(|i| i.name.as_str()).collect();
    unclaimed.sort();
    assert_eq!(
        unclaimed,
        ["database/creds/readonly", "root", "token-ci-old"]
    );
}

#[test]
fn the_rules_that_fit_fire_on_vault_identities() {
    let (app, _) = app();
    let mut fired: Vec<(String, String)> = app
        .fleet
        .alerts()
        .filter(|a| a.id.starts_with("bao/"))
        .map(|a| (a.rule.clone(), a.summary.clone()))
        .collect();
    fired.sort();
    assert_eq!(
        fired,
        [
            ("R04".into(), "Non-expiring Vault credential root".into()),
            (
                "R04".into(),
                "Non-expiring Vault credential token-ci-old".into()
            ),
            ("R06".into(), "Root Vault token root".into()),
        ]
    );
}

#[test]
fn a_vault_read_before_the_agents_arrive_is_linked_when_they_do() {
    let mut app = vault_fleet::empty();
    app.handle_msg(vault_read(snapshot()));
    assert_eq!(
        app.fleet.unclaimed().count(),
        5,
        "no agents yet: nothing claims"
    );
    app.handle_msg(warden_sync());
    assert_eq!(app.fleet.unclaimed().count(), 3);
    assert_eq!(vault_creds(&app, "prod/agt_support"), [SECRET_ID, LINKED]);
}

#[test]
fn an_identity_gone_from_vault_is_gone_from_the_fleet() {
    let (mut app, _) = app();
    let mut next = snapshot();
    next.tokens.retain(|t| t.accessor != "acc-linked");
    app.handle_msg(vault_read(next));
    assert_eq!(vault_creds(&app, "prod/agt_support"), [SECRET_ID]);
    assert!(app.fleet.identity(LINKED).is_none());
}

#[test]
fn the_header_counts_unclaimed_identities_and_the_screen_lists_them_root_first() {
    let (mut app, clock) = app();
    let screen = render(&mut app, clock, 160, 30);
    assert!(screen.contains("unclaimed 3"), "{screen}");
    command(&mut app, "unclaimed");
    let screen = render(&mut app, clock, 160, 30);
    let root = screen.find("root ").expect("the root token is listed");
    let forever = screen
        .find("token-ci-old")
        .expect("the old token is listed");
    assert!(root < forever, "root first:\n{screen}");
    assert!(screen.contains("no expiry"), "{screen}");
    assert!(
        !screen.contains("token-support"),
        "a claimed token is not listed"
    );
    // The same screen by its other names.
    for alias in ["shadow", "vault"] {
        key(&mut app, KeyCode::Esc);
        command(&mut app, alias);
        assert_eq!(app.screen().def().name(), "unclaimed", "{alias}");
    }
}

#[test]
fn x_on_an_unclaimed_token_revokes_it_in_vault_after_the_dialog() {
    let (mut app, _) = app();
    command(&mut app, "unclaimed");
    key(&mut app, KeyCode::Char('x'));
    let Overlay::Confirm(d) = &app.overlay else {
        panic!("x opens the confirm dialog: {:?}", app.flash)
    };
    assert!(d.blast.iter().any(|l| l.contains(ROOT)), "{:?}", d.blast);
    // Focus starts on Cancel: round to the reason, then to Confirm.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "INC-9 shadow root token");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Run { id, action }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        action,
        &Action::Revoke {
            credential_id: ROOT.into(),
            reason: "INC-9 shadow root token".into()
        }
    );
    // Not done until Vault says so.
    assert_eq!(flash(&app).0, Level::Pending);
    let mut c = app.panes.unclaimed.credential.clone().unwrap();
    c.revoked_reason = Some("INC-9 (revoked; verified: Vault no longer has it)".into());
    app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(Outcome::Credential(c)),
    });
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Success);
    assert!(text.contains("verified: Vault no longer has it"), "{text}");
}

fn plan(agent: &str) -> Operation {
    Operation {
        id: "prod/op_1".into(),
        kind: "kill".into(),
        target: agent.into(),
        status: OperationStatus::Planned,
        reason: "plan".into(),
        actor: "oncall".into(),
        steps: vec![OperationStep {
            name: "revoke_credentials".into(),
            agent_id: agent.into(),
            status: StepStatus::Pending,
            detail: "will revoke 2 credential(s)".into(),
        }],
        created_at: vault_fleet::token("x", "x", &[], true)
            .creation_time
            .unwrap_or_default(),
        finished_at: None,
    }
}

#[test]
fn a_kill_plans_revokes_and_sends_the_agents_vault_credentials() {
    let (mut app, clock) = app();
    select(&mut app, "support-copilot");
    key(&mut app, KeyCode::Char('K'));
    let Overlay::Confirm(d) = &app.overlay else {
        panic!()
    };
    let vault_line = d.blast.iter().find(|l| l.starts_with("Vault:"));
    assert_eq!(
        vault_line.map(String::as_str),
        Some(
            "Vault: 1 token(s) with every child token they made, 1 AppRole secret-id(s), \
             0 lease(s): revoked and verified"
        )
    );
    app.handle_msg(Msg::KillPlan {
        agent_id: "prod/agt_support".into(),
        cascade: false,
        result: Ok(plan("prod/agt_support")),
    });
    let Overlay::Confirm(d) = &app.overlay else {
        panic!()
    };
    let Plan::Ready(op) = &d.plan else {
        panic!("{:?}", d.plan)
    };
    let vault_steps: Vec<&str> = op
        .steps
        .iter()
        .filter(|s| s.name == "vault_revoke")
        .map(|s| s.detail.as_str())
        .collect();
    assert_eq!(vault_steps.len(), 2, "{vault_steps:?}");
    assert!(
        vault_steps.iter().any(|s| s.contains(LINKED)),
        "{vault_steps:?}"
    );
    let screen = render(&mut app, clock, 160, 40);
    assert!(
        screen.contains("revoke Vault token token-support"),
        "{screen}"
    );
    assert!(
        screen.contains("2 live credential(s) will be revoked"),
        "Warden's own: {screen}"
    );

    // Focus starts on Cancel: round to the name, the reason, then Confirm.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "support-copilot");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "INC-7");
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Run { action, .. }] = effects.as_slice() else {
        panic!("{effects:?} {:?}", app.overlay)
    };
    let Action::Kill { vault, .. } = action else {
        panic!("{action:?}")
    };
    let mut vault = vault.clone();
    vault.sort();
    assert_eq!(vault, [SECRET_ID, LINKED]);
}

#[test]
fn a_freeze_says_vault_has_no_freeze() {
    let (mut app, _) = app();
    select(&mut app, "support-copilot");
    let effects = key(&mut app, KeyCode::Char('f'));
    let [Effect::Run { id, action }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(matches!(action, Action::Suspend { .. }));
    let mut agent = app.fleet.agent("prod/agt_support").unwrap().clone();
    agent.status = warden::model::AgentStatus::Suspended;
    app.handle_msg(Msg::Action {
        id: *id,
        result: Ok(Outcome::Agent(agent)),
    });
    let (_, text) = flash(&app);
    assert!(
        text.contains("Vault has no freeze: its 2 Vault credential(s) stay valid"),
        "{text}"
    );
}

#[test]
fn the_agents_view_shows_its_vault_identities_and_how_they_are_linked() {
    let (mut app, clock) = app();
    select(&mut app, "support-copilot");
    key(&mut app, KeyCode::Enter);
    let screen = render(&mut app, clock, 200, 60);
    assert!(screen.contains("Vault identities (2)"), "{screen}");
    assert!(
        screen.contains("linked by metadata warden_agent=support-copilot"),
        "{screen}"
    );
    // The id is cut in the middle, so both its start and its end show.
    assert!(screen.contains("bao/vault…cc-linked"), "{screen}");
}

#[test]
fn a_partial_read_is_said_in_the_header_and_the_rest_still_shows() {
    let (mut app, clock) = app();
    let mut read = snapshot();
    read.warnings.push(warden::vault::SnapshotWarning {
        part: warden::vault::SnapshotPart::Tokens,
        message: "permission denied: the token's policy lacks \"list\" on auth/token/accessors"
            .into(),
        permission_denied: true,
        count: 1,
    });
    read.tokens.clear();
    app.handle_msg(vault_read(read));
    let screen = render(&mut app, clock, 200, 30);
    assert!(
        screen.contains("bao: partly read: permission denied"),
        "{screen}"
    );
    assert_eq!(vault_creds(&app, "prod/agt_support"), [SECRET_ID]);
}

#[test]
fn a_vault_that_fails_is_said_in_the_header_and_its_identities_stay() {
    let (mut app, clock) = app();
    let before = app.fleet.unclaimed().count();
    app.handle_msg(Msg::Source {
        backend: 1,
        event: warden::sources::SourceEvent::Failed {
            error: "Vault at http://127.0.0.1:8200 is sealed: unseal it".into(),
            retry_in: std::time::Duration::from_secs(4),
        },
    });
    let screen = render(&mut app, clock, 200, 30);
    assert!(
        screen.contains("bao: Vault at http://127.0.0.1:8200 is sealed"),
        "{screen}"
    );
    assert!(
        screen.contains("unclaimed 3"),
        "the last good read stays: {screen}"
    );
    assert_eq!(app.fleet.unclaimed().count(), before);
    assert_eq!(vault_creds(&app, "prod/agt_support"), [SECRET_ID, LINKED]);
}

#[test]
fn hostile_strings_from_vault_are_made_safe() {
    let mut app = vault_fleet::empty();
    app.handle_msg(warden_sync());
    let mut read = snapshot();
    read.tokens[1].display_name = "evil\u{1b}[2J\u{7}name".into();
    app.handle_msg(vault_read(read));
    let names: Vec<&str> = app.fleet.unclaimed().map(|i| i.name.as_str()).collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains('\u{1b}') && !n.contains('\u{7}')),
        "{names:?}"
    );
}
