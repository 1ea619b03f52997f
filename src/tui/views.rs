//! Drawing: a pure function of the app state, the theme and the clock to a
//! frame: the header, the crumbs, the current screen's view, the flash line,
//! the hint bar and any popup. Only the visible rows of a table are ever built, so a frame costs
//! the same at 100 agents as at 100,000.

use crate::tui::app::{App, Level, Overlay, Prompt};
use crate::tui::keys::bindings;
use crate::tui::screens::Screen;
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::{components, popups, screens};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::time::Instant;

/// The time a frame is drawn at: the monotonic clock for poll ages, the
/// wall clock for "last seen". Tests pass fixed ones.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: Instant,
    pub wall: DateTime<Utc>,
}

impl Clock {
    pub fn now() -> Self {
        Clock {
            now: Instant::now(),
            wall: Utc::now(),
        }
    }
}

const HEADER: u16 = 2;

/// The screen row of a list's first item: below the header, the crumbs,
/// the list's top border and its column titles.
pub const FIRST_ROW: u16 = HEADER + 3;

/// How many agent rows fit in a terminal `height` rows high.
pub fn table_rows(height: u16) -> usize {
    // header, crumbs, flash, hints, table borders and column titles
    height.saturating_sub(HEADER + 3 + 3) as usize
}

/// How many rows of the triage queue show when `rows` agent rows would:
/// the suggestions pane takes the rest.
pub fn triage_rows(rows: usize) -> usize {
    match rows.checked_sub(screens::triage::view::PANE) {
        Some(n) if n >= 3 => n,
        _ => rows,
    }
}

/// "12s", "5m", "3h", "40d".
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// "5m ago", "in 3d", or "never" for no time at all.
pub(crate) fn when(t: Option<DateTime<Utc>>, clock: Clock) -> String {
    match t {
        Some(t) if t <= clock.wall => strings::ago(age((clock.wall - t).num_seconds())),
        Some(t) => strings::in_time(age((t - clock.wall).num_seconds())),
        None => strings::NEVER.into(),
    }
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, clock: Clock) {
    let area = frame.area();
    if area.width < 20 || area.height < 7 {
        // Wrapped: on a terminal this small a one-line sentence would be
        // cut before it says how large is enough.
        let msg = Paragraph::new(strings::ENLARGE)
            .style(theme.error)
            .wrap(Wrap { trim: true });
        frame.render_widget(msg, area);
        return;
    }
    let [header, crumbs, body, flash, hints] = Layout::vertical([
        Constraint::Length(HEADER),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    components::header::draw(frame, header, app, theme, clock);
    draw_crumbs(frame, crumbs, app, theme);
    screens::draw(frame, body, app, theme, clock);
    draw_flash(frame, flash, app, theme);
    components::hints::draw(frame, hints, app, theme);
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => popups::view::help(frame, area, app, theme),
        Overlay::Confirm(d) => popups::view::confirm(frame, area, d, theme),
        Overlay::Picker(p) => popups::view::picker(frame, area, p, theme),
        Overlay::Secret(p) => popups::view::secret(frame, area, p, theme),
    }
}

fn draw_crumbs(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let line = match &app.prompt {
        Prompt::Filter { input, error } => {
            let mut spans = vec![
                Span::styled("/", theme.accent),
                Span::styled(input.text().to_string(), theme.header),
            ];
            spans.push(Span::styled("█", theme.accent));
            if let Some(f) = app.screen().def().list_filter_ref(app) {
                spans.push(Span::styled(
                    strings::matches_of(f.shown, f.total),
                    theme.muted,
                ));
            }
            if let Some(e) = error {
                spans.push(Span::styled(format!("  {e}"), theme.error));
            }
            Line::from(spans)
        }
        Prompt::Command { input } => Line::from(vec![
            Span::styled(":", theme.accent),
            Span::styled(input.text().to_string(), theme.header),
            Span::styled("█", theme.accent),
            Span::styled(
                format!("  {}{}", strings::TAB_COMPLETES, bindings::command_list()),
                theme.muted,
            ),
        ]),
        Prompt::None => {
            // Opened from the alerts view (or people, creds, audit), the
            // trail starts there: that is where Esc goes back to.
            let root = app
                .screens
                .get(1)
                .filter(|s| !s.def().nested())
                .unwrap_or(&Screen::Agents);
            let mut spans = vec![Span::styled(root.def().name(), theme.title)];
            let top = app.screen().def();
            if top.nested() {
                spans.push(Span::styled(strings::CRUMB_SEPARATOR, theme.muted));
                spans.push(Span::styled(top.crumb(app), theme.title));
            }
            if *root == Screen::Agents && !app.panes.agents.filter_text.is_empty() {
                spans.push(Span::styled(
                    format!("  /{}", app.panes.agents.filter_text),
                    theme.accent,
                ));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_flash(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(flash) = &app.flash else { return };
    let style = match flash.level {
        Level::Info => theme.text,
        Level::Pending => theme.pending,
        Level::Success => theme.success,
        Level::Error => theme.error,
    };
    frame.render_widget(
        Paragraph::new(Line::styled(flash.text.clone(), style)),
        area,
    );
}
