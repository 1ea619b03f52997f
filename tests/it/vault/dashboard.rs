//! The dashboard on a real `warden serve` and a real OpenBao, with no
//! terminal: the same sources, app and runner as the event loop, keys
//! pressed as a user would. The agent's Vault token and AppRole secret-id
//! are linked by their metadata; a kill from the keyboard revokes them
//! beside Warden's own credentials, the dialog says "verified" only once
//! Vault's next read no longer has them, and then the token itself is
//! refused by Vault and the secret-id no longer logs in. An unclaimed token
//! is listed and revoked from `:unclaimed`. Warden's token on Vault holds
//! only the policy `warden vault-policy --act` prints.

use crate::support::bao::Bao;
use crate::support::dashboard;
use crate::support::live::{key, pump_until, typed};
use crate::support::server::TestServer;
use crossterm::event::KeyCode;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use warden::api::client::Client;
use warden::config::vault::{LinkMatch, LinkRule, VaultSettings};
use warden::sources::{self, Origin, SourceHandle};
use warden::tui::app::{App, BackendKind, Level, Options, Overlay};
use warden::tui::effects::runner::{Route, Runner};
use warden::tui::effects::vault_route::VaultRoute;
use warden::tui::msg::Msg;
use warden::tui::popups::confirm::{Phase, Plan};

const REFRESH: Duration = Duration::from_millis(200);

/// `K` on the selected agent, until the backend's plan is in the dialog.
async fn open_kill(app: &mut App, runner: &Runner, rx: &mut mpsc::Receiver<Msg>) {
    key(app, runner, KeyCode::Char('K'));
    pump_until(
        app,
        runner,
        rx,
        "the kill plan",
        |a| matches!(&a.overlay, Overlay::Confirm(d) if matches!(d.plan, Plan::Ready(_))),
    )
    .await;
}

/// Types the agent's name and a reason into the open kill dialog, confirms,
/// and waits until it says verified or failed.
async fn confirm_kill(
    app: &mut App,
    runner: &Runner,
    rx: &mut mpsc::Receiver<Msg>,
    name: &str,
    reason: &str,
) {
    // Focus starts on Cancel: round to the name, the reason, then Kill.
    key(app, runner, KeyCode::Tab);
    key(app, runner, KeyCode::Tab);
    typed(app, runner, name);
    key(app, runner, KeyCode::Tab);
    typed(app, runner, reason);
    for _ in 0..3 {
        key(app, runner, KeyCode::Tab);
    }
    key(app, runner, KeyCode::Enter);
    pump_until(app, runner, rx, "the kill verified", |a| {
        matches!(&a.overlay, Overlay::Confirm(d)
            if matches!(&d.phase, Phase::Done { verified: Some(true), .. } | Phase::Done { ok: false, .. }))
    })
    .await;
}

/// A dashboard on `prod` (Warden) and `bao` (Vault), as the event loop
/// wires one; Warden's Vault token holds only the least policy.
async fn dashboard(
    prod: &TestServer,
    bao: &Bao,
    settings: VaultSettings,
) -> (App, Runner, mpsc::Receiver<Msg>, Vec<SourceHandle>) {
    bao.put_policy("warden", &warden::vault::policy(&settings, true))
        .await;
    let (token, _) = bao
        .create_token(json!({ "policies": ["warden"], "ttl": "1h" }))
        .await;
    let (tx, rx) = mpsc::channel(256);
    let client = Client::new(&prod.url, Some(&prod.token("responder").await)).unwrap();
    let warden = sources::warden::spawn(
        client.clone(),
        REFRESH,
        tx.clone(),
        Origin {
            index: 0,
            scope: Some("prod".into()),
        },
    );
    let vault_client = bao.client_as(&token);
    let vault = sources::vault::spawn(
        vault_client.clone(),
        Arc::new(settings),
        REFRESH,
        tx.clone(),
        Origin {
            index: 1,
            scope: Some("bao".into()),
        },
    );
    let routes = vec![Route {
        client,
        poker: warden.poker(),
        scope: Some("prod".into()),
    }];
    let vaults = vec![VaultRoute {
        client: vault_client,
        poker: vault.poker(),
        scope: Some("bao".into()),
    }];
    let runner = Runner::routed(routes, tx).with_vaults(vaults);
    let mut app = App::with_backends(
        &[("prod", &prod.url), ("bao", &bao.url)],
        Options::default(),
    );
    app.backends[1].kind = BackendKind::Vault;
    (app, runner, rx, vec![warden, vault])
}

#[tokio::test]
async fn a_kill_from_the_keyboard_revokes_the_agents_vault_credentials_verified() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let prod = TestServer::start().await;
    let agent = prod.agent("support-bot").await;
    let agent_id = format!("prod/{}", agent["id"].as_str().unwrap());
    prod.credential(agent["id"].as_str().unwrap()).await;

    let meta = json!({ "warden_agent": "support-bot" });
    let (token, _) = bao.create_token(json!({ "meta": meta, "ttl": "1h" })).await;
    let (child, _) = bao
        .create_token_by(Some(&token), json!({ "ttl": "30m" }))
        .await;
    let (bystander, _) = bao
        .create_token(json!({ "meta": { "warden_agent": "someone-else" }, "ttl": "1h" }))
        .await;
    bao.enable_approle("approle").await;
    let role_id = bao
        .create_role(
            "approle",
            "support",
            json!({ "token_policies": ["default"] }),
        )
        .await;
    let (secret_id, _) = bao
        .create_secret_id(
            "approle",
            "support",
            json!({ "metadata": "{\"warden_agent\":\"support-bot\"}" }),
        )
        .await;
    // The login's token carries the secret-id's metadata: linked too.
    let login = bao
        .login_approle("approle", &role_id, &secret_id)
        .await
        .expect("the secret-id logs in");

    let (mut app, runner, mut rx, _sources) =
        dashboard(&prod, &bao, VaultSettings::default()).await;
    pump_until(
        &mut app,
        &runner,
        &mut rx,
        "the linked Vault credentials",
        |a| {
            a.fleet
                .credentials_of(&agent_id)
                .iter()
                .filter(|c| c.id.starts_with("bao/vault:"))
                .count()
                == 3
        },
    )
    .await;
    assert!(
        app.fleet.unclaimed().any(|i| i.name.contains("token")),
        "the bystander's token names no agent of this fleet: unclaimed"
    );

    dashboard::select(&mut app, "support-bot");
    open_kill(&mut app, &runner, &mut rx).await;
    let Overlay::Confirm(d) = &app.overlay else {
        unreachable!()
    };
    assert!(
        d.blast
            .iter()
            .any(|l| l.starts_with("Vault: 2 token(s)") && l.contains("1 AppRole secret-id(s)")),
        "{:?}",
        d.blast
    );
    confirm_kill(
        &mut app,
        &runner,
        &mut rx,
        "support-bot",
        "INC-13 leaked token",
    )
    .await;
    let Overlay::Confirm(d) = &app.overlay else {
        unreachable!()
    };
    let Phase::Done { ok, steps, .. } = &d.phase else {
        unreachable!()
    };
    let vault_steps: Vec<&str> = steps
        .iter()
        .filter(|s| s.text.starts_with("vault revoke"))
        .map(|s| s.text.as_str())
        .collect();
    assert!(*ok, "{steps:?}");
    assert_eq!(vault_steps.len(), 3, "{steps:?}");
    assert!(
        vault_steps.iter().all(|s| s.contains("verified")),
        "{vault_steps:?}"
    );

    // Vault itself refuses what was revoked, and nothing else.
    assert_eq!(bao.lookup_self_status(&token).await, StatusCode::FORBIDDEN);
    assert_eq!(
        bao.lookup_self_status(&child).await,
        StatusCode::FORBIDDEN,
        "a child token goes with its parent"
    );
    assert_eq!(bao.lookup_self_status(&login).await, StatusCode::FORBIDDEN);
    assert!(
        bao.login_approle("approle", &role_id, &secret_id)
            .await
            .is_err()
    );
    assert_eq!(bao.lookup_self_status(&bystander).await, StatusCode::OK);
}

#[tokio::test]
async fn an_unclaimed_token_is_listed_and_revoked_from_its_screen() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let prod = TestServer::start().await;
    prod.agent("support-bot").await;
    let (shadow, _) = bao
        .create_token(json!({ "display_name": "legacy-ci", "ttl": "0", "no_parent": true }))
        .await;
    let (mut app, runner, mut rx, _sources) =
        dashboard(&prod, &bao, VaultSettings::default()).await;
    pump_until(&mut app, &runner, &mut rx, "the shadow token", |a| {
        a.fleet.unclaimed().any(|i| i.name == "token-legacy-ci")
    })
    .await;
    dashboard::command(&mut app, ":unclaimed");
    app.prepare();
    let row = app
        .panes
        .unclaimed
        .rows
        .iter()
        .position(|i| i.name == "token-legacy-ci")
        .expect("listed");
    for _ in 0..row {
        key(&mut app, &runner, KeyCode::Char('j'));
    }
    key(&mut app, &runner, KeyCode::Char('x'));
    assert!(
        matches!(app.overlay, Overlay::Confirm(_)),
        "{:?}",
        app.flash
    );
    key(&mut app, &runner, KeyCode::Tab);
    key(&mut app, &runner, KeyCode::Tab);
    typed(&mut app, &runner, "INC-14 shadow token");
    key(&mut app, &runner, KeyCode::Tab);
    key(&mut app, &runner, KeyCode::Tab);
    key(&mut app, &runner, KeyCode::Enter);
    pump_until(&mut app, &runner, &mut rx, "the revoke", |a| {
        a.flash.as_ref().is_some_and(|f| f.level != Level::Pending)
    })
    .await;
    let f = app.flash.clone().unwrap();
    assert_eq!(f.level, Level::Success, "{}", f.text);
    assert!(
        f.text.contains("verified: Vault no longer has it"),
        "{}",
        f.text
    );
    assert_eq!(bao.lookup_self_status(&shadow).await, StatusCode::FORBIDDEN);
    pump_until(
        &mut app,
        &runner,
        &mut rx,
        "the token gone from the list",
        |a| !a.fleet.unclaimed().any(|i| i.name == "token-legacy-ci"),
    )
    .await;
}

#[tokio::test]
async fn a_kill_revokes_the_agents_dynamic_database_login_and_postgresql_refuses_it() {
    if !crate::support::server::postgres_available("the Vault kill of a database login") {
        return;
    }
    let Some(bao) = Bao::start().await else {
        return;
    };
    let prod = TestServer::start().await;
    let agent = prod.agent("report-bot").await;
    let agent_id = format!("prod/{}", agent["id"].as_str().unwrap());
    let db = super::database::dynamic_login(&bao).await;
    assert_eq!(db.login(), Ok(db.user.clone()));

    let settings = VaultSettings {
        lease_prefixes: vec!["database/creds/".into()],
        links: vec![LinkRule {
            matches: LinkMatch::LeasePrefix("database/creds/agent-ro".into()),
            agent: "report-bot".into(),
        }],
        ..VaultSettings::default()
    };
    let (mut app, runner, mut rx, _sources) = dashboard(&prod, &bao, settings).await;
    let lease = format!("bao/vault:lease:{}", db.lease_id);
    pump_until(&mut app, &runner, &mut rx, "the linked lease", |a| {
        a.fleet
            .credentials_of(&agent_id)
            .iter()
            .any(|c| c.id == lease)
    })
    .await;
    let how = app.fleet.identity(&lease).and_then(|i| i.link.clone());
    assert_eq!(
        how.map(|l| l.how),
        Some("config lease_prefix = \"database/creds/agent-ro\"".into())
    );

    dashboard::select(&mut app, "report-bot");
    open_kill(&mut app, &runner, &mut rx).await;
    confirm_kill(
        &mut app,
        &runner,
        &mut rx,
        "report-bot",
        "INC-15 exfiltration",
    )
    .await;
    let Overlay::Confirm(d) = &app.overlay else {
        unreachable!()
    };
    assert!(
        matches!(
            &d.phase,
            Phase::Done {
                ok: true,
                verified: Some(true),
                ..
            }
        ),
        "{:?}",
        d.phase
    );
    let refused = db
        .login()
        .expect_err("PostgreSQL refuses the revoked login");
    assert!(refused.contains(&db.user), "{refused}");
}

/// `R` on the agent's AppRole secret-id in its view: a new secret-id with
/// the same metadata (so still the agent's), its secret shown once, and
/// the old one destroyed at once (grace 0) or after the grace.
#[tokio::test]
async fn r_rotates_an_approle_secret_id_in_vault() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let prod = TestServer::start().await;
    let agent = prod.agent("batch-bot").await;
    let agent_id = format!("prod/{}", agent["id"].as_str().unwrap());
    bao.enable_approle("approle").await;
    let role_id = bao
        .create_role("approle", "batch", json!({ "token_policies": ["default"] }))
        .await;
    let metadata = json!({ "metadata": "{\"warden_agent\":\"batch-bot\"}" });
    let (first, _) = bao
        .create_secret_id("approle", "batch", metadata.clone())
        .await;
    let (second, _) = bao.create_secret_id("approle", "batch", metadata).await;
    let (mut app, runner, mut rx, _sources) =
        dashboard(&prod, &bao, VaultSettings::default()).await;
    let secret_ids = |a: &App| -> Vec<String> {
        a.fleet
            .credentials_of(&agent_id)
            .iter()
            .filter(|c| c.id.contains("vault:secret-id:"))
            .map(|c| c.id.clone())
            .collect()
    };
    pump_until(&mut app, &runner, &mut rx, "two secret-ids", |a| {
        secret_ids(a).len() == 2
    })
    .await;
    dashboard::select(&mut app, "batch-bot");
    key(&mut app, &runner, KeyCode::Enter);

    // Rotate each in turn: the first at once, the second with 2 s of grace.
    let mut secrets = Vec::new();
    for grace in ["0", "2"] {
        let before = secret_ids(&app);
        let cursor = app
            .fleet
            .credentials_of(&agent_id)
            .iter()
            .position(|c| c.id == before[0])
            .unwrap();
        app.detail_cursor = cursor;
        key(&mut app, &runner, KeyCode::Char('R'));
        assert!(
            matches!(app.overlay, Overlay::Confirm(_)),
            "{:?}",
            app.flash
        );
        // Focus starts on the reason; up is the grace; Enter sends.
        typed(&mut app, &runner, "INC-16 rotate");
        key(&mut app, &runner, KeyCode::Up);
        key(&mut app, &runner, KeyCode::Backspace);
        typed(&mut app, &runner, grace);
        key(&mut app, &runner, KeyCode::Enter);
        pump_until(&mut app, &runner, &mut rx, "the new secret", |a| {
            matches!(a.overlay, Overlay::Secret(_))
                || a.flash.as_ref().is_some_and(|f| f.level == Level::Error)
        })
        .await;
        let Overlay::Secret(popup) = &app.overlay else {
            panic!("{:?}", app.flash)
        };
        secrets.push(popup.secret.expose().to_string());
        key(&mut app, &runner, KeyCode::Esc);
        pump_until(
            &mut app,
            &runner,
            &mut rx,
            "the new secret-id linked",
            |a| {
                let now = secret_ids(a);
                now.len() >= 2 && now.iter().any(|id| !before.contains(id))
            },
        )
        .await;
    }
    // The new ones log in; the first old one no longer does.
    for s in &secrets {
        assert!(bao.login_approle("approle", &role_id, s).await.is_ok());
    }
    assert!(
        bao.login_approle("approle", &role_id, &first)
            .await
            .is_err()
    );
    // The second old one works during its grace, then not.
    assert!(
        bao.login_approle("approle", &role_id, &second)
            .await
            .is_ok()
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while bao
        .login_approle("approle", &role_id, &second)
        .await
        .is_ok()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "still valid after its grace"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
