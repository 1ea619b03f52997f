//! The people view: one row per person with the counts of what they own,
//! departed owners of live agents first and marked in words as well as in
//! colour, so the mark survives `NO_COLOR`. Built only for the rows on
//! screen.

use crate::model::PersonStatus;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

const COLUMNS: [&str; 9] = [
    "STATUS", "NAME", "EMAIL", "TEAM", "MANAGER", "AGENTS", "ACTIVE", "KILLED", "ALERTS",
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let list = &app.panes.people;
    let orphaned = list
        .rows
        .iter()
        .filter(|r| app.fleet.person(&r.person_id).is_some_and(|p| r.orphans(p)))
        .count();
    let title = if orphaned > 0 {
        format!(
            " people ({}) · {orphaned} departed, still owning live agents ",
            list.rows.len()
        )
    } else {
        format!(" people ({}) ", list.rows.len())
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.title));
    // Narrower terminals drop the manager, then the team: the name, the
    // status and the counts are what the view is for.
    let show: [bool; 9] = match area.width {
        110.. => [true; 9],
        90..110 => [true, true, true, true, false, true, true, true, true],
        _ => [true, true, true, false, false, true, true, true, true],
    };
    let keep = |cells: Vec<Cell<'static>>| -> Vec<Cell<'static>> {
        cells
            .into_iter()
            .zip(show)
            .filter_map(|(c, s)| s.then_some(c))
            .collect()
    };
    let header = Row::new(keep(COLUMNS.map(Cell::from).to_vec())).style(theme.header);
    let count = |n: u32, style| Cell::from(Span::styled(n.to_string(), style));
    let rows = list
        .rows
        .iter()
        .enumerate()
        .skip(list.sel.offset)
        .take(app.table_rows.max(1))
        .filter_map(|(pos, r)| Some((pos, r, app.fleet.person(&r.person_id)?)))
        .map(|(pos, r, p)| {
            let departed = p.status == PersonStatus::Departed;
            let (status, name_style) = match (departed, r.orphans(p)) {
                (true, true) => (Span::styled("departed", theme.error), theme.high),
                (true, false) => (Span::styled("departed", theme.error), theme.muted),
                (false, _) => (Span::styled("active", theme.active), theme.text),
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
            let row = Row::new(keep(vec![
                Cell::from(status),
                Cell::from(Span::styled(p.name.clone(), name_style)),
                Cell::from(Span::styled(p.email.clone(), theme.muted)),
                Cell::from(p.team.clone().unwrap_or_else(|| "-".into())),
                Cell::from(manager),
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
            ]));
            if pos == list.sel.selected {
                row.style(theme.selection)
            } else {
                row
            }
        });
    let widths = [
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
    let widths: Vec<Constraint> = widths
        .into_iter()
        .zip(show)
        .filter_map(|(w, s)| s.then_some(w))
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1);
    frame.render_widget(table, area);
    if list.rows.is_empty() {
        crate::tui::views::empty_note(frame, area, "no people in this backend's directory", theme);
    }
}
