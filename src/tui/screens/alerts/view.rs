//! The alerts view: one row per alert, open and most severe first, built
//! only for the rows on screen. An alert from elsewhere than Warden (an
//! Alertmanager) says so before its summary, and its rule column widens to
//! fit its alertname.

use crate::model::{Alert, AlertStatus};
use crate::tui::app::App;
use crate::tui::components::list_table::{ListTable, Look, empty_note, titled, window};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::{Clock, age};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let list = &app.panes.alerts;
    let open = app.counts.alerts.iter().sum::<usize>();
    let title = format!(
        "{}{}",
        strings::alerts_title(open, list.order.len()),
        list.filter.of_total()
    );
    let widths = [
        Constraint::Length(8),
        Constraint::Length(rule_width(app)),
        Constraint::Fill(2),
        Constraint::Fill(5),
        Constraint::Length(5),
        Constraint::Length(12),
    ];
    let table = ListTable::new(titled(title, theme), widths).names(&[2]);
    let header = table.header(strings::ALERT_COLUMNS.map(Line::from), theme);
    let rows = window(list.order.iter(), list.sel.offset, app.table_rows)
        .filter_map(|(pos, id)| Some((pos, app.fleet.alert(id)?)))
        .map(|(pos, a)| {
            let status = match a.status {
                AlertStatus::Open if a.snoozed_at(clock.wall) => {
                    Span::styled(strings::SNOOZED, theme.pending)
                }
                AlertStatus::Open => Span::styled(strings::OPEN, theme.high),
                AlertStatus::Acknowledged => Span::styled(strings::ACKNOWLEDGED, theme.pending),
                AlertStatus::Resolved => Span::styled(strings::RESOLVED, theme.muted),
            };
            // Settled alerts fade, so what still needs someone stands out.
            let text = if a.status == AlertStatus::Open && !a.snoozed_at(clock.wall) {
                theme.text
            } else {
                theme.muted
            };
            let cells = vec![
                Line::from(Span::styled(
                    a.severity.to_string(),
                    theme.severity(a.severity),
                )),
                Line::from(Span::styled(a.rule.clone(), theme.accent)),
                Line::from(Span::styled(app.alert_agent_name(a), text)),
                summary(a, text, theme),
                Line::from(Span::styled(
                    age((clock.wall - a.created_at).num_seconds()),
                    theme.muted,
                )),
                Line::from(status),
            ];
            table.row(cells, Look::at(pos, list.sel.selected), theme)
        });
    table.render(frame, area, header, rows);
    if list.order.is_empty() {
        empty_note(frame, area, strings::EMPTY_ALERTS, theme);
    }
}

/// Warden's own rules fit in 6 columns (`R18`); an Alertmanager's
/// alertnames get what the visible ones need, up to a limit.
fn rule_width(app: &App) -> u16 {
    const MIN: usize = 6;
    const MAX: usize = 28;
    let list = &app.panes.alerts;
    let widest = list
        .order
        .iter()
        .skip(list.sel.offset)
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

#[cfg(test)]
mod tests {
    use crate::api::Changes;
    use crate::model::{Agent, Alert, AlertStatus, Severity};
    use crate::sources::SourceEvent;
    use crate::tui::app::{App, Options};
    use crate::tui::msg::Msg;
    use crate::tui::theme::Theme;
    use crate::tui::views::{self, Clock};
    use chrono::Utc;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use std::time::Duration;

    fn agent() -> Agent {
        crate::model::fixtures::agent("prod/agt_1", "support-bot")
    }

    fn alert(id: &str, rule: &str, source: &str, agent: &str) -> Alert {
        Alert {
            id: id.into(),
            agent_id: Some(agent.into()),
            rule: rule.into(),
            severity: Severity::High,
            summary: format!("{rule} fired"),
            evidence: String::new(),
            mapping: Vec::new(),
            status: AlertStatus::Open,
            source: source.into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            acknowledged_by: None,
            ack_reason: None,
            resolved_at: None,
            snoozed_until: None,
            snoozed_by: None,
            snooze_reason: None,
            rev: 1,
        }
    }

    #[test]
    fn an_alertmanager_alert_says_its_source_and_keeps_its_alertname() {
        let mut app = App::with_backends(
            &[("prod", "http://p:1"), ("alerts", "http://a:9093")],
            Options::default(),
        );
        let latency = Duration::from_millis(5);
        app.handle_msg(Msg::Source {
            backend: 0,
            event: SourceEvent::Synced {
                changes: Box::new(Changes {
                    cursor: 1,
                    full: true,
                    agents: vec![agent()],
                    alerts: vec![alert("prod/alr_1", "R01", "warden", "prod/agt_1")],
                    ..Changes::default()
                }),
                latency,
            },
        });
        let alerts = vec![alert(
            "alerts/fp1",
            "HighErrorRate",
            "alertmanager",
            "support-bot",
        )];
        app.handle_msg(Msg::Source {
            backend: 1,
            event: SourceEvent::Alerts { alerts, latency },
        });
        for c in ":alerts".chars() {
            app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        app.resize(120, 12);
        let mut terminal = Terminal::new(TestBackend::new(120, 12)).unwrap();
        terminal
            .draw(|f| views::draw(f, &app, &Theme::dark(), Clock::now()))
            .unwrap();
        let screen = terminal.backend().to_string();
        let row = |needle: &str| {
            screen
                .lines()
                .find(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("no {needle} in\n{screen}"))
                .to_string()
        };
        let theirs = row("HighErrorRate");
        assert!(
            theirs.contains("[alertmanager] HighErrorRate fired"),
            "{theirs}"
        );
        assert!(theirs.contains("support-bot"), "matched by name: {theirs}");
        let ours = row("R01 fired");
        assert!(!ours.contains('['), "Warden's own say nothing: {ours}");
    }
}
