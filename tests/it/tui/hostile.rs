//! A hostile-text corpus in every field a screen shows: terminal escapes,
//! bidi overrides, zero-width and invisible characters, Hangul fillers,
//! soft hyphens, mathematical look-alikes, private-use characters and a
//! pile of 240 combining marks, beside legitimate text in other scripts.
//! Every view is drawn at two sizes, and every cell is checked: nothing
//! unsafe reaches the terminal, no cell carries more than two marks, and
//! each bordered row still ends in its border.

use crate::support::dashboard::{command, draw_on, key, select};
use crate::support::fleet;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warden::fleet::safe_text::{MAX_MARKS, is_unsafe};
use warden::tui::app::App;
use warden::tui::views::Clock;

const CORPUS: [&str; 10] = [
    "evil\u{1b}[2J\u{1b}]0;PWNED\u{7}",
    "exe.\u{202e}txt",
    "rev\u{ad}me",
    "\u{3164}\u{3164}blank",
    "\u{1d42b}\u{1d41e}\u{1d42f}\u{1d426}\u{1d41e}",
    "pua\u{e000}\u{f8ff}",
    "zalgo",
    "zw\u{200b}\u{200d}j",
    "李雷-ü-Ольга-🚀",
    "nul\u{0}bel\u{7}",
];

fn hostile_app() -> (App, Clock) {
    let mut changes = fleet::changes();
    let flood = format!("z{}", "\u{301}".repeat(240));
    for (i, a) in changes.agents.iter_mut().enumerate() {
        let text = match CORPUS[i % CORPUS.len()] {
            "zalgo" => flood.clone(),
            t => t.to_string(),
        };
        a.name = format!("{text}-{i}");
        a.description = Some(format!("{text} {}", CORPUS[(i + 3) % CORPUS.len()]));
        a.runtime = Some(CORPUS[(i + 5) % CORPUS.len()].to_string());
    }
    for (i, p) in changes.people.iter_mut().enumerate() {
        p.name = format!("{}-{i}", CORPUS[(i + 1) % CORPUS.len()]);
        p.team = Some(flood.clone());
    }
    for (i, c) in changes.credentials.iter_mut().enumerate() {
        c.scopes = vec![CORPUS[(i + 2) % CORPUS.len()].to_string()];
    }
    for (i, a) in changes.alerts.iter_mut().enumerate() {
        a.summary = CORPUS[(i + 4) % CORPUS.len()].to_string();
        a.evidence = flood.clone();
    }
    fleet::synced(changes)
}

/// Every cell of one frame of `app`, checked.
#[track_caller]
fn check(app: &mut App, clock: Clock, w: u16, h: u16, view: &str) {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    draw_on(&mut terminal, app, clock);
    let buf = terminal.backend().buffer();
    for y in 0..h {
        let mut row = String::new();
        for x in 0..w {
            let symbol = buf[(x, y)].symbol();
            row.push_str(symbol);
            assert!(
                !symbol.chars().any(is_unsafe),
                "{view} {w}x{h}: an unsafe character reached cell ({x},{y}): {symbol:?}"
            );
            let marks = symbol.chars().skip(1).count();
            assert!(
                marks <= MAX_MARKS,
                "{view} {w}x{h}: cell ({x},{y}) stacks {marks} marks"
            );
        }
        // A row that opens a box closes it at the right edge.
        let first = buf[(0, y)].symbol();
        let last = buf[(w - 1, y)].symbol();
        if first == "│" {
            assert!(
                matches!(last, "│" | "┤" | "┐" | "┘"),
                "{view} {w}x{h}: row {y} runs past its border: {row:?}"
            );
        }
    }
}

/// A view, and the keys that open it from the agents table.
type View = (&'static str, fn(&mut App));

#[test]
fn hostile_text_in_every_view_stays_inside_its_cells() {
    let views: [View; 7] = [
        ("agents", |_| {}),
        ("detail", |app| {
            key(app, KeyCode::Enter);
        }),
        ("alerts", |app| {
            command(app, "alerts");
        }),
        ("people", |app| {
            command(app, "people");
        }),
        ("creds", |app| {
            command(app, "creds");
        }),
        ("triage", |app| {
            command(app, "triage");
        }),
        ("filter", |app| {
            select(app, "z");
        }),
    ];
    for (view, open) in views {
        for (w, h) in [(120, 40), (80, 24)] {
            let (mut app, clock) = hostile_app();
            open(&mut app);
            check(&mut app, clock, w, h, view);
        }
    }
}
