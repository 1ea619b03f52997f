//! A hostile-text corpus in every field a screen shows: terminal escapes,
//! bidi overrides, zero-width and invisible characters, Hangul fillers,
//! soft hyphens, mathematical look-alikes, private-use characters, emoji
//! sequences whose width terminals disagree on, and a pile of 240
//! combining marks, beside legitimate text in other scripts.
//!
//! Every view and dialog of the catalogue (`every_screen`) is drawn, at
//! 80x24 and 160x48 and once per line of the corpus, from a fleet with the corpus appended to each name, description, runtime,
//! team, scope, summary and evidence, and checked four ways:
//! - no unsafe character reaches a cell, and no cell stacks over two marks;
//! - each cell is as wide by the terminal's rules (`wcwidth`, code point by
//!   code point, as xterm, VTE and the Linux console advance the cursor) as
//!   the layout measured it, so nothing can push the rest of a row along;
//! - the bytes ratatui sends, played into an independent terminal emulator
//!   (the `vt100` crate), leave exactly the frame that was drawn;
//! - no cell outside a widget's text changed: every border, separator and
//!   heading of the frame drawn from the plain fleet is the same cell in
//!   the hostile one.

use super::every_screen::{OVERLAYS, VIEWS};
use crate::support::fleet;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
use warden::api::Changes;
use warden::fleet::safe_text::{MAX_MARKS, escape, is_unsafe};
use warden::tui::app::App;
use warden::tui::theme::Theme;
use warden::tui::views::{self, Clock};

const CORPUS: [&str; 13] = [
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
    // Emoji sequences: a heart made wide by VS16, a family joined by ZWJ,
    // a flag, a keycap; terminals draw each at a width of their own.
    "\u{2764}\u{fe0f}-\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}-\u{1f1fa}\u{1f1f8}-1\u{fe0f}\u{20e3}",
    // A thumb with a skin tone; a watch asked to be narrow.
    "\u{1f44d}\u{1f3fd}-\u{231a}\u{fe0e}",
    "tab\there\u{85}nel\u{2028}ls",
];

thread_local! {
    /// Which line of the corpus goes where: the test draws every screen
    /// once per line, shifting this, so each field shows each line once.
    static SHIFT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn corpus(i: usize) -> String {
    match CORPUS[(i + SHIFT.with(|s| s.get())) % CORPUS.len()] {
        "zalgo" => format!("z{}", "\u{301}".repeat(240)),
        t => t.to_string(),
    }
}

/// The corpus appended to every text the fixed fleet holds: names keep
/// their start, so the catalogue's keystrokes still find what they look
/// for.
fn hostile(mut changes: Changes) -> Changes {
    for (i, a) in changes.agents.iter_mut().enumerate() {
        a.name = format!("{}{}", a.name, corpus(i));
        a.description = Some(format!("{} {}", corpus(i + 3), corpus(i + 7)));
        a.runtime = Some(corpus(i + 5));
    }
    // A discovered agent's source (client, host, file, flags), as its
    // scanner reported it.
    for (i, a) in changes.agents.iter_mut().enumerate() {
        for (k, v) in a.labels.iter_mut() {
            if k.starts_with("discovery.") && k != "discovery.state" {
                v.push_str(&corpus(i + 8));
            }
        }
    }
    for (i, p) in changes.people.iter_mut().enumerate() {
        p.name = format!("{}{}", p.name, corpus(i + 1));
        p.team = Some(corpus(i + 6));
    }
    for (i, c) in changes.credentials.iter_mut().enumerate() {
        c.scopes = vec![corpus(i + 2), "tickets:read".into()];
        if let Some(fp) = &mut c.fingerprint {
            fp.push_str(&corpus(i + 9));
            c.prefix = format!("{} key", corpus(i + 10));
        }
    }
    for (i, a) in changes.alerts.iter_mut().enumerate() {
        a.summary = format!("{}{}", a.summary, corpus(i + 4));
        a.evidence = corpus(i + 6);
    }
    changes
}

/// How wide a terminal draws `symbol`: the sum of its code points'
/// `wcwidth`, controls counted as nothing (they are checked apart).
fn terminal_width(symbol: &str) -> usize {
    symbol.chars().map(|c| c.width().unwrap_or(0)).sum()
}

fn frame(app: &mut App, clock: Clock, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    app.resize(w, h);
    terminal
        .draw(|f| views::draw(f, app, &Theme::dark(), clock))
        .unwrap();
    terminal.backend().buffer().clone()
}

/// What a terminal is sent, kept.
#[derive(Clone, Default)]
struct Tape(Rc<RefCell<Vec<u8>>>);

impl Write for Tape {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The bytes ratatui's crossterm backend writes to a terminal for one
/// frame drawn by `draw`.
fn sent(area: Rect, draw: impl FnOnce(&mut ratatui::Frame)) -> Vec<u8> {
    let tape = Tape::default();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(area),
    };
    let mut terminal =
        Terminal::with_options(CrosstermBackend::new(tape.clone()), options).unwrap();
    terminal.draw(draw).unwrap();
    drop(terminal);
    tape.0.take()
}

fn bytes(app: &mut App, clock: Clock, w: u16, h: u16) -> Vec<u8> {
    app.resize(w, h);
    sent(Rect::new(0, 0, w, h), |f| {
        views::draw(f, app, &Theme::dark(), clock)
    })
}

/// The hostile fleet with each text already in its escaped, visible
/// form: plain text a dashboard draws as it is.
fn hostile_escaped(changes: Changes) -> Changes {
    let esc = |s: &mut String| *s = escape(s).into_owned();
    let mut changes = hostile(changes);
    for a in &mut changes.agents {
        a.labels.values_mut().for_each(esc);
        esc(&mut a.name);
        a.description.iter_mut().for_each(esc);
        a.runtime.iter_mut().for_each(esc);
    }
    for p in &mut changes.people {
        esc(&mut p.name);
        p.team.iter_mut().for_each(esc);
    }
    for c in &mut changes.credentials {
        c.fingerprint.iter_mut().for_each(esc);
        esc(&mut c.prefix);
        c.scopes.iter_mut().for_each(esc);
    }
    for a in &mut changes.alerts {
        esc(&mut a.summary);
        esc(&mut a.evidence);
    }
    changes
}

/// Whether the corpus got past the dashboard: `buf` drawn from the hostile
/// fleet, `plain` from the same texts already escaped, `sent` the bytes of
/// `buf` for a terminal. The first problem found, named.
fn problem(buf: &Buffer, plain: &Buffer, sent: &[u8]) -> Option<String> {
    let Rect {
        width: w,
        height: h,
        ..
    } = buf.area;
    let size = |n: u16| std::num::NonZeroU16::new(n).expect("a frame is never empty");
    let mut screen = vt100::Parser::new(size(h), size(w), 0);
    screen.process(sent);
    let screen = screen.screen();
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let symbol = buf[(x, y)].symbol();
            if symbol.chars().any(is_unsafe) {
                return Some(format!(
                    "an unsafe character reached cell ({x},{y}): {symbol:?}"
                ));
            }
            let marks = symbol.chars().skip(1).count();
            if marks > MAX_MARKS {
                return Some(format!("cell ({x},{y}) stacks {marks} marks"));
            }
            let laid_out = symbol.width().max(1);
            if terminal_width(symbol).max(1) != laid_out {
                return Some(format!(
                    "cell ({x},{y}) {symbol:?} is {laid_out} wide in the layout and \
                     another width on a terminal"
                ));
            }
            // What the terminal holds across the columns the layout gave
            // the symbol (a flag's two letters take one column each there).
            let shown: String = (x..x + laid_out as u16)
                .filter_map(|cx| screen.cell(y, cx))
                .map(|c| c.contents())
                .collect();
            // A cell never written reads empty; a space drawn is a space.
            let shown = if shown.is_empty() { " " } else { &shown };
            if shown != symbol {
                return Some(format!(
                    "the terminal shows {shown:?} at ({x},{y}) where {symbol:?} was drawn"
                ));
            }
            let same = plain[(x, y)].symbol();
            if symbol != same {
                return Some(format!(
                    "({x},{y}) is {symbol:?} where the escaped text draws {same:?}: \
                     the hostile text moved something"
                ));
            }
            x += laid_out as u16;
        }
    }
    None
}

#[test]
fn hostile_text_in_every_view_and_dialog_stays_inside_its_cells() {
    let clock = fleet::app().1;
    for (name, setup) in VIEWS.iter().chain(OVERLAYS) {
        for ((w, h), shift) in [(80, 24), (160, 48)]
            .into_iter()
            .flat_map(|size| (0..CORPUS.len()).map(move |shift| (size, shift)))
        {
            SHIFT.with(|s| s.set(shift));
            let plain = fleet::with_rewrite(hostile_escaped, || frame(&mut setup(), clock, w, h));
            let (buf, sent) = fleet::with_rewrite(hostile, || {
                let buf = frame(&mut setup(), clock, w, h);
                (buf, bytes(&mut setup(), clock, w, h))
            });
            if let Some(problem) = problem(&buf, &plain, &sent) {
                panic!("{name} {w}x{h}, corpus shifted by {shift}: {problem}");
            }
        }
    }
}

/// The check catches what it is for: each line of the corpus written raw
/// into a bordered box (as a dashboard without the escaping would) fails.
#[test]
fn the_check_catches_raw_text() {
    let boxed = |text: &str| {
        let mut buf = Buffer::empty(Rect::new(0, 0, 30, 3));
        for y in 0..3 {
            buf.set_string(0, y, "│", ratatui::style::Style::default());
            buf.set_string(29, y, "│", ratatui::style::Style::default());
        }
        buf.set_stringn(1, 1, text, 28, ratatui::style::Style::default());
        buf
    };
    for text in CORPUS {
        if text.chars().all(|c| !is_unsafe(c)) {
            continue; // legitimate text: nothing to catch
        }
        let raw = boxed(text);
        let plain = boxed(&escape(text));
        let sent = sent(raw.area, |f| f.buffer_mut().merge(&raw));
        assert!(
            problem(&raw, &plain, &sent).is_some(),
            "{text:?} written raw passed the check"
        );
    }
}
