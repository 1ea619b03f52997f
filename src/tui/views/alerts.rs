//! The alerts view: one row per alert, open and most severe first, built
//! only for the rows on screen.

use super::{Clock, age};
use crate::model::AlertStatus;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

const COLUMNS: [&str; 6] = ["SEVERITY", "RULE", "AGENT", "SUMMARY", "AGE", "STATUS"];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let list = &app.alerts;
    let open = app.counts.alerts.iter().sum::<usize>();
    let title = format!(" alerts ({open} open of {}) ", list.order.len());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.title));
    let header = Row::new(COLUMNS.map(Cell::from)).style(theme.header);
    let rows = list
        .order
        .iter()
        .enumerate()
        .skip(list.offset)
        .take(app.table_rows.max(1))
        .filter_map(|(pos, id)| Some((pos, app.fleet.alert(id)?)))
        .map(|(pos, a)| {
            let status = match a.status {
                AlertStatus::Open => Span::styled("open", theme.high),
                AlertStatus::Acknowledged => Span::styled("acknowledged", theme.pending),
                AlertStatus::Resolved => Span::styled("resolved", theme.muted),
            };
            // Settled alerts fade, so what still needs someone stands out.
            let text = if a.status == AlertStatus::Open {
                theme.text
            } else {
                theme.muted
            };
            let row = Row::new(vec![
                Cell::from(Span::styled(
                    a.severity.to_string(),
                    theme.severity(a.severity),
                )),
                Cell::from(Span::styled(a.rule.clone(), theme.accent)),
                Cell::from(Span::styled(app.alert_agent_name(a), text)),
                Cell::from(Span::styled(a.summary.clone(), text)),
                Cell::from(Span::styled(
                    age((clock.wall - a.created_at).num_seconds()),
                    theme.muted,
                )),
                Cell::from(Line::from(status)),
            ]);
            if pos == list.selected {
                row.style(theme.selection)
            } else {
                row
            }
        });
    let widths = [
        Constraint::Length(8),
        Constraint::Length(6),
        Constraint::Fill(2),
        Constraint::Fill(5),
        Constraint::Length(5),
        Constraint::Length(12),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1);
    frame.render_widget(table, area);
    if list.order.is_empty() {
        super::empty_note(frame, area, "no alerts from this backend", theme);
    }
}
