//! The `:guardrails` view: one row per automatic action, a pending one
//! counted down from its due time at every frame (in words, so the
//! urgency survives `NO_COLOR`), a finished one with when and how it ended.
//! Built only for the rows on screen.

use crate::api::guardrails::GuardrailAction;
use crate::tui::app::App;
use crate::tui::components::list_table::{ListTable, Look, empty_note, titled, window};
use crate::tui::guardrails::seconds_left;
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const WIDTHS: [Constraint; 7] = [
    Constraint::Length(8),
    Constraint::Length(14),
    Constraint::Fill(2),
    Constraint::Length(7),
    Constraint::Fill(2),
    Constraint::Length(5),
    Constraint::Fill(4),
];

/// When it acts, or when it ended, and in which style.
fn when(a: &GuardrailAction, clock: Clock, theme: &Theme) -> (String, Style) {
    match a.status.as_str() {
        "pending" => {
            let left = seconds_left(a.due_at, clock.wall);
            let style = if left <= 10 {
                theme.critical
            } else {
                theme.high
            };
            (strings::countdown(left), style)
        }
        "running" => (strings::ACTING_NOW.into(), theme.critical),
        _ => (
            a.finished_at
                .map(|t| t.format("%m-%d %H:%M:%S").to_string())
                .unwrap_or_default(),
            theme.muted,
        ),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let list = &app.panes.guardrails;
    let title = format!(
        "{}{}",
        strings::guardrails_title(list.rows.len()),
        list.filter.of_total()
    );
    // Narrower terminals drop the outcome first.
    let show: [bool; 7] = match area.width {
        100.. => [true; 7],
        _ => [true, true, true, true, true, true, false],
    };
    let table = ListTable::new(titled(title, theme), WIDTHS)
        .mask(show)
        .names(&[2, 4]);
    let header = table.header(strings::GUARDRAIL_COLUMNS.map(Line::from), theme);
    let rows = window(&list.rows, list.sel.offset, app.table_rows).map(|(pos, a)| {
        let (when, when_style) = when(a, clock, theme);
        let status_style = match a.status.as_str() {
            "pending" | "running" => theme.high,
            "failed" => theme.error,
            _ => theme.muted,
        };
        let outcome = match (&a.outcome, &a.decided_by) {
            (Some(o), Some(by)) => format!("{o} ({by})"),
            (Some(o), None) => o.clone(),
            (None, Some(by)) => by.clone(),
            (None, None) => String::new(),
        };
        let cells = vec![
            Line::from(Span::styled(a.status.clone(), status_style)),
            Line::from(Span::styled(when, when_style)),
            Line::from(Span::styled(a.policy.clone(), theme.text)),
            Line::from(a.action.clone()),
            Line::from(Span::styled(a.agent_name.clone(), theme.text)),
            Line::from(a.rule.clone()),
            Line::from(Span::styled(outcome, theme.muted)),
        ];
        table.row(cells, Look::at(pos, list.sel.selected), theme)
    });
    table.render(frame, area, header, rows);
    if list.rows.is_empty() {
        let note = if list.filter.is_empty() {
            strings::EMPTY_GUARDRAILS
        } else {
            strings::EMPTY_FILTERED_GUARDRAILS
        };
        empty_note(frame, area, note, theme);
    }
}
