//! The triage view: the queue of agents with no owner or whose owner left,
//! most urgent first, with how many are left; below it, the selected
//! agent's owner suggestions, each with every reason its backend found.

use crate::api::{TriageCase, TriageReason};
use crate::model::GrantLevel;
use crate::tui::app::App;
use crate::tui::components::list_table::{ListTable, Look, empty_note, titled, window};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::{Clock, age};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Rows the suggestions pane takes under the queue, borders included.
pub const PANE: usize = 9;

const WIDTHS: [Constraint; 6] = [
    Constraint::Fill(2),
    Constraint::Fill(2),
    Constraint::Length(6),
    Constraint::Length(8),
    Constraint::Length(6),
    Constraint::Fill(4),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let pane = if area.height as usize >= PANE + 6 {
        PANE as u16
    } else {
        0
    };
    let [queue, suggestions] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(pane)]).areas(area);
    draw_queue(frame, queue, app, theme, clock);
    if pane > 0 {
        draw_suggestions(frame, suggestions, app, theme);
    }
}

fn title(app: &App) -> String {
    let q = &app.panes.triage;
    if !q.loaded {
        return strings::TRIAGE_TITLE_ASKING.into();
    }
    format!(
        "{}{}",
        strings::triage_title(q.cases.len(), q.assigned, q.waiting > 0),
        q.filter.of_total()
    )
}

fn why(case: &TriageCase) -> String {
    match (case.reason, &case.departed_owner) {
        (TriageReason::OwnerDeparted, Some(p)) => strings::person_left(&p.name),
        (TriageReason::OwnerDeparted, None) => strings::OWNER_LEFT.into(),
        (TriageReason::Unowned, _) => strings::NO_OWNER.into(),
    }
}

fn draw_queue(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let q = &app.panes.triage;
    let table = ListTable::new(titled(title(app), theme), WIDTHS).names(&[0]);
    let header = table.header(strings::TRIAGE_COLUMNS.map(Line::from), theme);
    let rows = window(
        q.cases.iter(),
        q.sel.offset,
        area.height.saturating_sub(3) as usize,
    )
    .map(|(pos, c)| {
        let risk = match c.risk {
            Some(s) => Span::styled(s.to_string(), theme.severity(s)),
            None => Span::styled("-", theme.muted),
        };
        let level = match c.highest_level {
            Some(GrantLevel::Admin) => Span::styled(strings::ADMIN, theme.high),
            Some(GrantLevel::Write) => Span::styled(strings::WRITE, theme.medium),
            Some(GrantLevel::Read) => Span::styled(strings::READ, theme.text),
            None => Span::styled("-", theme.muted),
        };
        let best = match c.suggestions.first() {
            Some(s) => Line::from(vec![
                Span::styled(s.person.name.clone(), theme.text),
                Span::styled(
                    format!(
                        " ({}) {}",
                        s.score,
                        s.reasons.first().map(|r| r.text.as_str()).unwrap_or("")
                    ),
                    theme.muted,
                ),
            ]),
            None => Line::styled(strings::NO_EVIDENCE_SHORT, theme.muted),
        };
        let cells = vec![
            Line::from(Span::styled(c.agent.name.clone(), theme.text)),
            Line::from(Span::styled(why(c), theme.high)),
            Line::from(Span::styled(
                age((clock.wall - c.since).num_seconds()),
                theme.muted,
            )),
            Line::from(risk),
            Line::from(level),
            best,
        ];
        table.row(cells, Look::at(pos, q.sel.selected), theme)
    });
    table.render(frame, area, header, rows);
    let note = if !q.errors.is_empty() && !q.loaded {
        Some(strings::TRIAGE_UNREADABLE)
    } else if !q.loaded {
        Some(strings::READING_TRIAGE)
    } else if q.cases.is_empty() {
        Some(strings::EMPTY_TRIAGE)
    } else {
        None
    };
    if let Some(note) = note {
        empty_note(frame, area, note, theme);
    }
}

fn draw_suggestions(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let q = &app.panes.triage;
    let mut lines: Vec<Line> = Vec::new();
    for (i, e) in &q.errors {
        let name = app.backends.get(*i).map(|b| b.name.as_str()).unwrap_or("?");
        lines.push(Line::styled(strings::triage_failed(name, e), theme.error));
    }
    match q.selected_case() {
        None => {}
        Some(c) if c.suggestions.is_empty() => {
            lines.push(Line::styled(strings::NO_EVIDENCE, theme.muted))
        }
        Some(c) => {
            for s in &c.suggestions {
                let reasons: Vec<&str> = s.reasons.iter().map(|r| r.text.as_str()).collect();
                lines.push(Line::from(vec![
                    Span::styled(format!("{:>4}  ", s.score), theme.accent),
                    Span::styled(
                        strings::person_label(&s.person.name, &s.person.email),
                        theme.text,
                    ),
                    Span::styled(format!("  {}", reasons.join("; ")), theme.muted),
                ]));
            }
        }
    }
    let title = match q.selected_case() {
        Some(c) => strings::suggestions_for(&c.agent.name),
        None => strings::SUGGESTIONS_TITLE.into(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.title));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
