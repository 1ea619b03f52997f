//! Opening an alert synced in the lean form (issue 18): the first sync
//! carries no evidence, so the alert view reads the whole alert from the
//! backend as it opens, says it is reading until the answer comes, shows
//! the evidence once it has, and says why when the read fails.

use crate::support::dashboard::{command, key, render};
use crate::support::rules::eager_r18;
use crate::support::server::*;
use crossterm::event::KeyCode;
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;
use warden::api::client::Client;
use warden::sources::SourceEvent;
use warden::tui::app::{App, Options};
use warden::tui::msg::{Effect, Msg};
use warden::tui::screens::Screen;
use warden::tui::views::Clock;

/// A server with one alert (a suspended agent that still knocks: R18),
/// and a dashboard synced from its lean first answer.
async fn synced() -> (TestServer, Client, App) {
    let s = TestServer::start_with(eager_r18()).await;
    s.agent("stuck").await;
    let (_, secret) = s.credential("stuck").await;
    s.admin(
        "POST",
        "/v1/agents/stuck/suspend",
        json!({"reason": "contain"}),
    )
    .await;
    assert_eq!(s.heartbeat(&secret).await.0, 403);
    let client = Client::new(&s.url, Some(ADMIN)).unwrap();
    let first = client.changes_first().await.unwrap();
    assert!(
        first.alerts.iter().all(|a| a.evidence.is_empty()),
        "the lean form carries no evidence"
    );
    let mut app = App::new("test", &s.url, Options::default());
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(first),
            latency: Duration::from_millis(5),
        },
    });
    (s, client, app)
}

/// Opens the only alert; answers its id and what opening it asked for.
fn open_alert(app: &mut App) -> (String, Vec<Effect>) {
    command(app, "alerts");
    let effects = key(app, KeyCode::Enter);
    let Screen::Alert { alert_id } = app.screen().clone() else {
        panic!("the alert view, not {:?}", app.screen());
    };
    (alert_id, effects)
}

fn screen(app: &mut App) -> String {
    render(app, Clock::now(), 160, 50)
}

#[tokio::test]
async fn opening_an_alert_reads_it_in_full_and_shows_its_evidence() {
    let (_s, client, mut app) = synced().await;
    let (alert_id, effects) = open_alert(&mut app);
    let read = effects
        .iter()
        .find(|e| matches!(e, Effect::FetchAlert { .. }))
        .cloned()
        .expect("opening the alert reads it");
    assert_eq!(
        read,
        Effect::FetchAlert {
            alert_id: alert_id.clone()
        }
    );
    let before = screen(&mut app);
    assert!(
        before.contains("reading the alert from the backend…"),
        "{before}"
    );

    // The read as the dashboard makes it, against the real backend.
    let (tx, mut rx) = mpsc::channel(4);
    warden::tui::effects::fetch::spawn(&client, &tx, read, None);
    let answer = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("an answer in time")
        .expect("the channel is open");
    let Msg::AlertRead {
        result: Ok(full), ..
    } = &answer
    else {
        panic!("{answer:?}");
    };
    assert!(!full.evidence.is_empty(), "{full:?}");
    let evidence = full.evidence.clone();
    app.handle_msg(answer);
    let after = screen(&mut app);
    assert!(!after.contains("reading the alert"), "{after}");
    let words: String = evidence
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(after.contains(&words), "{words:?} in\n{after}");
    assert!(
        after.contains("NHI") || after.contains("ASI"),
        "the mapping: {after}"
    );
}

#[tokio::test]
async fn a_read_that_fails_says_why_and_the_alert_stays_shown() {
    let (_s, _client, mut app) = synced().await;
    let (alert_id, _) = open_alert(&mut app);
    app.handle_msg(Msg::AlertRead {
        alert_id,
        result: Err("cannot reach the backend at http://127.0.0.1:1".into()),
    });
    let shown = screen(&mut app);
    assert!(
        shown.contains("the alert could not be read in full: cannot reach the backend"),
        "{shown}"
    );
    assert!(shown.contains("R18"), "what the list had stays: {shown}");
}
