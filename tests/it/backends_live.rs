//! Two real backends watched by one dashboard state, over HTTP: both are
//! polled concurrently and merged, an action goes to the backend that owns
//! its agent (and only there), and stopping one backend marks it down
//! while its agents stay in view and the other keeps working.

use crate::support::live::{key, pump_until, typed};
use crate::support::server::TestServer;
use crossterm::event::KeyCode;
use std::time::Duration;
use tokio::sync::mpsc;
use warden::api::client::Client;
use warden::model::AgentStatus;
use warden::sources::{self, Origin};
use warden::tui::app::{App, Health, Level, Options};
use warden::tui::effects::runner::{Route, Runner};

const REFRESH: Duration = Duration::from_millis(150);

#[tokio::test]
async fn two_backends_merge_route_actions_and_survive_one_going_down() {
    let prod = TestServer::start().await;
    let staging = TestServer::start().await;
    // The same name on both: only the backend tells them apart.
    let prod_bot = prod.agent("billing-bot").await;
    let staging_bot = staging.agent("billing-bot").await;
    let prod_token = prod.token("responder").await;
    let staging_token = staging.token("responder").await;

    let (tx, mut rx) = mpsc::channel(256);
    let mut handles = Vec::new();
    let mut routes = Vec::new();
    for (index, (name, url, token)) in [
        ("prod", &prod.url, &prod_token),
        ("staging", &staging.url, &staging_token),
    ]
    .into_iter()
    .enumerate()
    {
        let client = Client::new(url, Some(token)).unwrap();
        let origin = Origin {
            index,
            scope: Some(name.to_string()),
        };
        let handle = sources::warden::spawn(client.clone(), REFRESH, tx.clone(), origin);
        routes.push(Route {
            client,
            poker: handle.poker(),
            scope: Some(name.to_string()),
        });
        handles.push(handle);
    }
    let runner = Runner::routed(routes, tx);
    let mut app = App::with_backends(
        &[("prod", &prod.url), ("staging", &staging.url)],
        Options::default(),
    );

    pump_until(&mut app, &runner, &mut rx, "both fleets", |a| {
        a.fleet.len() == 2 && a.backends.iter().all(|b| b.identity.is_some())
    })
    .await;
    let staging_id = format!("staging/{}", staging_bot["id"].as_str().unwrap());
    let prod_id = format!("prod/{}", prod_bot["id"].as_str().unwrap());
    assert!(app.fleet.agent(&staging_id).is_some());
    assert!(app.fleet.agent(&prod_id).is_some());

    // Freeze staging's billing-bot from the keyboard.
    key(&mut app, &runner, KeyCode::Char(':'));
    typed(&mut app, &runner, "ctx staging");
    key(&mut app, &runner, KeyCode::Enter);
    key(&mut app, &runner, KeyCode::Char('f'));
    pump_until(&mut app, &runner, &mut rx, "the freeze", |a| {
        a.flash.as_ref().is_some_and(|f| f.level != Level::Pending)
    })
    .await;
    let f = app.flash.clone().unwrap();
    assert_eq!(f.level, Level::Success, "{}", f.text);
    pump_until(&mut app, &runner, &mut rx, "the frozen agent", |a| {
        a.fleet.agent(&staging_id).unwrap().status == AgentStatus::Suspended
    })
    .await;
    // Only staging's agent: the same name on prod is untouched.
    let on_staging = staging.detail("billing-bot").await;
    assert_eq!(on_staging["status"], "suspended", "{on_staging}");
    let on_prod = prod.detail("billing-bot").await;
    assert_eq!(on_prod["status"], "active", "{on_prod}");
    assert_eq!(
        app.fleet.agent(&prod_id).unwrap().status,
        AgentStatus::Active
    );

    // Prod goes away: its agent stays, stale; staging keeps polling.
    prod.stop().await;
    pump_until(&mut app, &runner, &mut rx, "prod down", |a| {
        a.backends[0].health == Health::Down
    })
    .await;
    assert!(app.fleet.agent(&prod_id).is_some(), "still shown");
    assert!(app.stale(&prod_id));
    assert!(!app.stale(&staging_id));
    let before = app.backends[1].last_ok.unwrap();
    pump_until(&mut app, &runner, &mut rx, "staging polled again", |a| {
        a.backends[1].last_ok.is_some_and(|t| t > before)
    })
    .await;
    assert_ne!(app.backends[1].health, Health::Down);
}
