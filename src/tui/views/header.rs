//! The header: the backend's health and poll age, who you are, and counts.

use super::Clock;
use super::age;
use crate::model::Severity;
use crate::tui::app::{App, Health};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let b = &app.backend;
    let poll_age = b
        .last_ok
        .map(|t| age(clock.now.saturating_duration_since(t).as_secs() as i64));
    let (dot, health_style, health) = match b.health {
        Health::Connecting => ("○", theme.pending, "connecting".to_string()),
        Health::Ok => ("●", theme.success, "ok".to_string()),
        Health::Slow => ("●", theme.pending, "slow".to_string()),
        Health::Down => ("●", theme.error, "DOWN".to_string()),
    };
    let mut top = vec![
        Span::styled("Warden ", theme.title),
        Span::styled(format!("{dot} "), health_style),
        Span::styled(format!("{} ", b.name), theme.header),
        Span::styled(health, health_style),
    ];
    match (&poll_age, b.health) {
        (Some(a), Health::Down) => top.push(Span::styled(
            format!(" · stale: last good poll {a} ago"),
            theme.error,
        )),
        (Some(a), _) => top.push(Span::styled(format!(" · polled {a} ago"), theme.muted)),
        (None, _) => {}
    }
    if let (Health::Down, Some(e)) = (b.health, &b.last_error) {
        top.push(Span::styled(format!(" · {e}"), theme.error));
    } else if let Some(l) = b.latency {
        top.push(Span::styled(format!(" ({}ms)", l.as_millis()), theme.muted));
    }
    if let Some(who) = &b.identity {
        let role = who
            .role
            .map(|r| r.to_string())
            .unwrap_or_else(|| who.kind.clone());
        top.push(Span::styled("  │ ", theme.border));
        top.push(Span::styled(format!("{} ({role})", who.name), theme.text));
    }
    if app.actions_refused().is_some() {
        top.push(Span::styled("  READ-ONLY", theme.error));
    }
    let c = app.counts;
    let mut second = vec![
        Span::styled(format!("agents {}", c.agents), theme.header),
        Span::styled(format!("  active {}", c.active), theme.active),
        Span::styled(
            format!("  unowned {}", c.unowned),
            if c.unowned > 0 {
                theme.high
            } else {
                theme.muted
            },
        ),
        Span::styled(format!("  suspended {}", c.suspended), theme.suspended),
        Span::styled(format!("  killed {}", c.killed), theme.muted),
        Span::styled("  │ alerts", theme.border),
    ];
    let labels = [
        (Severity::Critical, "crit"),
        (Severity::High, "high"),
        (Severity::Medium, "med"),
        (Severity::Low, "low"),
    ];
    for (sev, label) in labels {
        let n = c.alerts[sev as usize];
        let style = if n > 0 {
            theme.severity(sev)
        } else {
            theme.muted
        };
        second.push(Span::styled(format!(" {label} {n}"), style));
    }
    frame.render_widget(
        Paragraph::new(vec![Line::from(top), Line::from(second)]),
        area,
    );
}
