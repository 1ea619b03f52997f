//! The unclaimed identities view: one row per Vault identity no agent
//! claims, with what makes it dangerous (root, never expires) in words as
//! well as colour, so the mark survives `NO_COLOR`. Built only for the rows
//! on screen.

use crate::tui::app::App;
use crate::tui::components::list_table::{ListTable, Look, empty_note, titled, window};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::text::Line;

const WIDTHS: [Constraint; 7] = [
    Constraint::Length(10),
    Constraint::Length(9),
    Constraint::Fill(2),
    Constraint::Fill(2),
    Constraint::Length(11),
    Constraint::Length(11),
    Constraint::Fill(3),
];

fn day(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "-".into())
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, _clock: Clock) {
    let list = &app.panes.unclaimed;
    let title = format!(
        "{}{}",
        strings::unclaimed_title(list.rows.len()),
        list.filter.of_total()
    );
    // Narrower terminals drop the detail, then the dates.
    let show: [bool; 7] = match area.width {
        110.. => [true; 7],
        80..110 => [true, true, true, true, true, true, false],
        _ => [true, true, true, true, false, false, false],
    };
    let table = ListTable::new(titled(title, theme), WIDTHS)
        .mask(show)
        .names(&[2]);
    let header = table.header(strings::UNCLAIMED_COLUMNS.map(Line::from), theme);
    let rows = window(&list.rows, list.sel.offset, app.table_rows).map(|(pos, i)| {
        let (risk, style) = match (i.root, i.no_expiry) {
            (true, _) => (strings::ROOT, theme.critical),
            (false, true) => (strings::NO_EXPIRY, theme.high),
            (false, false) => ("", theme.muted),
        };
        let kind = strings::vault_kind(i.kind);
        let cells = vec![
            Line::from(Span::styled(risk, style)),
            Line::from(kind),
            Line::from(Span::styled(i.name.clone(), theme.text)),
            Line::from(Span::styled(i.policies.join(","), theme.muted)),
            Line::from(day(i.created)),
            Line::from(day(i.expires)),
            Line::from(Span::styled(i.detail.clone(), theme.muted)),
        ];
        table.row(cells, Look::at(pos, list.sel.selected), theme)
    });
    table.render(frame, area, header, rows);
    if list.rows.is_empty() {
        let note = if !list.filter.is_empty() {
            strings::EMPTY_FILTERED_UNCLAIMED
        } else if app.fleet.has_identities() {
            strings::EMPTY_UNCLAIMED
        } else {
            strings::NO_VAULT
        };
        empty_note(frame, area, note, theme);
    }
}
