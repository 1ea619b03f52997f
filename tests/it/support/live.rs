//! Driving a dashboard state wired to real backends, with no terminal: the
//! keys a user presses handed to the same runner the event loop uses, and
//! the sources' messages fed back until what a test waits for holds.

use super::dashboard;
use crossterm::event::KeyCode;
use std::time::Duration;
use tokio::sync::mpsc;
use warden::tui::app::App;
use warden::tui::effects::runner::Runner;
use warden::tui::msg::Msg;

/// Presses `code` and hands what it asks for to the runner.
pub fn key(app: &mut App, runner: &Runner, code: KeyCode) {
    for effect in dashboard::key(app, code) {
        runner.handle(effect);
    }
}

/// Types `text` and hands what it asks for to the runner.
pub fn typed(app: &mut App, runner: &Runner, text: &str) {
    for effect in dashboard::typed(app, text) {
        runner.handle(effect);
    }
}

/// Feeds messages to the app (and its effects to the runner) until `done`
/// holds; fails after twenty seconds, saying what every backend last said.
pub async fn pump_until(
    app: &mut App,
    runner: &Runner,
    rx: &mut mpsc::Receiver<Msg>,
    what: &str,
    done: impl Fn(&App) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done(app) {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| {
                let backends: Vec<_> = app
                    .backends
                    .iter()
                    .map(|b| (&b.name, b.health, &b.last_error, &b.warning))
                    .collect();
                panic!(
                    "timed out waiting for {what}; flash {:?}; backends {backends:?}",
                    app.flash
                )
            })
            .expect("the channel stays open");
        for effect in app.handle_msg(msg) {
            runner.handle(effect);
        }
    }
}
