//! The alerts view: one row per alert, open and most severe first, built
//! only for the rows on screen. An alert from elsewhere than Warden (an
//! Alertmanager) says so before its summary, and its rule column widens to
//! fit its alertname.

use super::{Clock, age};
use crate::model::{Alert, AlertStatus};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
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
                Cell::from(summary(a, text, theme)),
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
        Constraint::Length(rule_width(app)),
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

/// Warden's own rules fit in 6 columns (`R18`); an Alertmanager's
/// alertnames get what the visible ones need, up to a limit.
fn rule_width(app: &App) -> u16 {
    const MIN: usize = 6;
    const MAX: usize = 28;
    let list = &app.alerts;
    let widest = list
        .order
        .iter()
        .skip(list.offset)
        .take(app.table_rows.max(1))
        .filter_map(|id| app.fleet.alert(id))
        .map(|a| crate::fleet::safe_text::width(&a.rule))
        .max()
        .unwrap_or(0);
    widest.clamp(MIN, MAX) as u16
}

/// The summary, after the source when it is not Warden itself.
fn summary<'a>(a: &'a Alert, text: Style, theme: &Theme) -> Line<'a> {
    if a.source == "warden" {
        return Line::from(Span::styled(a.summary.as_str(), text));
    }
    Line::from(vec![
        Span::styled(format!("[{}] ", a.source), theme.accent),
        Span::styled(a.summary.as_str(), text),
    ])
}
