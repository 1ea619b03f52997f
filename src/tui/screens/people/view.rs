//! The people view: one row per person with the counts of what they own,
//! departed owners of live agents first and marked in words as well as in
//! colour, so the mark survives `NO_COLOR`. Built only for the rows on
//! screen.

use crate::model::PersonStatus;
use crate::tui::app::App;
use crate::tui::components::list_table::{ListTable, Look, empty_note, titled, window};
use crate::tui::strings;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::text::Line;

const WIDTHS: [Constraint; 9] = [
    Constraint::Length(8),
    Constraint::Fill(2),
    Constraint::Fill(2),
    Constraint::Length(12),
    Constraint::Fill(2),
    Constraint::Length(6),
    Constraint::Length(6),
    Constraint::Length(6),
    Constraint::Length(6),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let list = &app.panes.people;
    let title = format!(
        "{}{}",
        strings::people_title(list.rows.len(), list.orphaned),
        list.filter.of_total()
    );
    // Narrower terminals drop the manager, then the team: the name, the
    // status and the counts are what the view is for.
    let show: [bool; 9] = match area.width {
        110.. => [true; 9],
        90..110 => [true, true, true, true, false, true, true, true, true],
        _ => [true, true, true, false, false, true, true, true, true],
    };
    let table = ListTable::new(titled(title, theme), WIDTHS).mask(show);
    let header = table.header(strings::PEOPLE_COLUMNS.map(Line::from), theme);
    let count = |n: u32, style| Line::from(Span::styled(n.to_string(), style));
    let rows = window(&list.rows, list.sel.offset, app.table_rows)
        .filter_map(|(pos, r)| Some((pos, r, app.fleet.person(&r.person_id)?)))
        .map(|(pos, r, p)| {
            let departed = p.status == PersonStatus::Departed;
            let (status, name_style) = match (departed, r.orphans(p)) {
                (true, true) => (Span::styled(strings::DEPARTED, theme.error), theme.high),
                (true, false) => (Span::styled(strings::DEPARTED, theme.error), theme.muted),
                (false, _) => (Span::styled(strings::ACTIVE, theme.active), theme.text),
            };
            let manager = p
                .manager
                .as_deref()
                .map(|m| {
                    app.fleet
                        .person(m)
                        .map(|m| m.name.clone())
                        .unwrap_or_else(|| m.to_string())
                })
                .unwrap_or_else(|| "-".into());
            let cells = vec![
                Line::from(status),
                Line::from(Span::styled(p.name.clone(), name_style)),
                Line::from(Span::styled(p.email.clone(), theme.muted)),
                Line::from(p.team.clone().unwrap_or_else(|| "-".into())),
                Line::from(manager),
                count(r.agents, theme.text),
                count(r.active, theme.active),
                count(
                    r.killed,
                    if r.killed > 0 {
                        theme.killed
                    } else {
                        theme.muted
                    },
                ),
                count(
                    r.open_alerts,
                    if r.open_alerts > 0 {
                        theme.high
                    } else {
                        theme.muted
                    },
                ),
            ];
            table.row(cells, Look::at(pos, list.sel.selected), theme)
        });
    table.render(frame, area, header, rows);
    if list.rows.is_empty() {
        empty_note(frame, area, strings::EMPTY_PEOPLE, theme);
    }
}
