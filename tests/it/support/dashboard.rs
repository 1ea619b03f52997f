//! Driving the dashboard with no terminal, as a user would: key presses,
//! typing, the command and filter prompts, and drawing a frame on
//! ratatui's `TestBackend`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warden::tui::app::{App, Level};
use warden::tui::msg::Effect;
use warden::tui::theme::Theme;
use warden::tui::views::{self, Clock};

/// Presses `code`, with Shift for an upper-case letter as a terminal sends
/// it; answers what the app asks to be done.
pub fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    app.handle_key(KeyEvent::new(code, mods))
}

/// Presses Ctrl-`c`.
pub fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Types `text`, one key a character.
pub fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| key(app, KeyCode::Char(c)))
        .collect()
}

/// Runs `:text`; answers what its Enter asks to be done.
pub fn command(app: &mut App, text: &str) -> Vec<Effect> {
    key(app, KeyCode::Char(':'));
    typed(app, text);
    key(app, KeyCode::Enter)
}

/// Types `text` into the filter prompt and keeps it.
pub fn filter(app: &mut App, text: &str) {
    key(app, KeyCode::Char('/'));
    typed(app, text);
    key(app, KeyCode::Enter);
}

/// Selects the agent by filtering for its name, afresh (Esc in the prompt
/// clears the filter before).
pub fn select(app: &mut App, name: &str) {
    key(app, KeyCode::Char('/'));
    key(app, KeyCode::Esc);
    filter(app, name);
}

/// The flash line's level and text; panics if there is none.
#[track_caller]
pub fn flash(app: &App) -> (Level, String) {
    let f = app.flash.as_ref().expect("a flash line");
    (f.level, f.text.clone())
}

/// Draws one frame of `app` at the size of `terminal`, in the dark theme.
pub fn draw_on(terminal: &mut Terminal<TestBackend>, app: &mut App, clock: Clock) {
    let area = terminal.backend().buffer().area;
    app.resize(area.width, area.height);
    terminal
        .draw(|f| views::draw(f, app, &Theme::dark(), clock))
        .unwrap();
}

/// One frame of `app` at `width` x `height`, as text.
pub fn render(app: &mut App, clock: Clock, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    draw_on(&mut terminal, app, clock);
    terminal.backend().to_string()
}
