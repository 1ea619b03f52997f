//! The alert view's drawing: what fired and how bad it is, where it stands
//! (opened, acknowledged, snoozed, resolved), the automatic actions
//! guardrails planned on it with their countdown, its subject and the identities
//! its evidence names, the summary and evidence in full (wrapped, never
//! cut; `reading…` until the alert is read in full, or why it could not
//! be), its OWASP mapping, and its timeline from the audit trail.

use super::shown;
use super::state::ReadState;
use crate::fleet::origin;
use crate::model::{Alert, AlertStatus};
use crate::tui::app::App;
use crate::tui::guardrails;
use crate::tui::keys::bindings::{self, UiCommand};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::{Clock, age};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let Some(held) = shown(app) else {
        let gone = Paragraph::new(Line::styled(strings::ALERT_GONE, theme.muted))
            .block(Block::default().borders(Borders::ALL).border_style(theme.border));
        frame.render_widget(gone, area);
        return;
    };
    // The whole alert once read; until then the fleet's copy, which may
    // lack the evidence (the lean first sync leaves it out).
    let alert = app.panes.alert.newest(held);
    let read = app.panes.alert.state_of(&alert.id);
    let mut lines = Vec::new();
    let field = |label: &str, value: Span<'static>| {
        Line::from(vec![Span::styled(format!("{label:<12}"), theme.muted), value])
    };
    let ago = |t: chrono::DateTime<chrono::Utc>| age((clock.wall - t).num_seconds());
    lines.push(field(
        strings::ALERT_RULE,
        Span::styled(
            format!("{} · {}", alert.rule, alert.severity),
            theme.severity(alert.severity),
        ),
    ));
    lines.push(field(
        strings::ALERT_STATUS,
        Span::styled(status(alert, clock), status_style(alert, clock, theme)),
    ));
    lines.push(field(
        strings::ALERT_SOURCE,
        Span::styled(alert.source.clone(), theme.text),
    ));
    lines.push(field(
        strings::ALERT_OPENED,
        Span::styled(
            strings::ago_at(ago(alert.created_at), alert.created_at.format("%Y-%m-%d %H:%M UTC")),
            theme.text,
        ),
    ));
    lines.push(field(
        strings::ALERT_UPDATED,
        Span::styled(strings::ago(ago(alert.updated_at)), theme.text),
    ));
    lines.extend(guardrails(app, alert, theme, clock));
    lines.push(Line::raw(""));
    lines.push(Line::styled(strings::ALERT_SUBJECT, theme.header));
    lines.push(Line::styled(format!("  {}", subject(app, alert)), theme.text));
    for name in named_identities(app, alert) {
        lines.push(Line::styled(format!("  {name}"), theme.text));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(strings::ALERT_SUMMARY, theme.header));
    lines.push(Line::styled(format!("  {}", alert.summary), theme.text));
    lines.push(Line::styled(strings::ALERT_EVIDENCE, theme.header));
    let missing = |what_is_empty: bool| match read {
        Some(ReadState::Reading) if what_is_empty => {
            Some((strings::ALERT_READING.to_string(), theme.muted))
        }
        Some(ReadState::Failed(e)) if what_is_empty => {
            Some((strings::alert_read_failed(e), theme.error))
        }
        _ if what_is_empty => Some((strings::NONE_GIVEN.to_string(), theme.text)),
        _ => None,
    };
    let (evidence, style) =
        missing(alert.evidence.is_empty()).unwrap_or((alert.evidence.clone(), theme.text));
    lines.push(Line::styled(format!("  {evidence}"), style));
    lines.push(Line::styled(strings::ALERT_MAPPING, theme.header));
    let (mapping, style) =
        missing(alert.mapping.is_empty()).unwrap_or((alert.mapping.join(", "), theme.text));
    lines.push(Line::styled(format!("  {mapping}"), style));
    lines.push(Line::raw(""));
    lines.push(Line::styled(strings::ALERT_TIMELINE, theme.header));
    lines.extend(timeline(app, alert, theme));
    lines.push(Line::raw(""));
    lines.push(Line::styled(strings::ALERT_KEYS, theme.muted));
    let title = format!(" {} ", app.alert_label(alert));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    scrolled(frame, inner, Paragraph::new(lines).wrap(Wrap { trim: false }), app, theme);
}

/// The automatic actions guardrails planned on this alert, high up: a
/// pending one counts down from the backend's due time at every frame,
/// with the keys that stop or run it; a finished one says how it ended,
/// as the backend reported it (never before).
fn guardrails(app: &App, alert: &Alert, theme: &Theme, clock: Clock) -> Vec<Line<'static>> {
    let actions = app.guardrails.for_alert(&alert.id);
    if actions.is_empty() {
        return vec![];
    }
    let mut lines = vec![
        Line::raw(""),
        Line::styled(strings::ALERT_GUARDRAILS, theme.header),
    ];
    let may_act = app.refused_for(&alert.id).is_none();
    let key = |command: UiCommand| {
        bindings::BINDINGS
            .iter()
            .find(|b| b.command == command)
            .map_or("?", |b| app.keys.label(b))
    };
    let keys = strings::guardrail_keys(key(UiCommand::StopGuardrail), key(UiCommand::RunGuardrail));
    for a in actions {
        let what = strings::guardrail_line(&a.policy, &a.action, &a.agent_name);
        let (when, style) = match a.status.as_str() {
            "pending" => {
                let left = guardrails::seconds_left(a.due_at, clock.wall);
                let style = if left <= 10 { theme.critical } else { theme.high };
                (strings::countdown(left), style)
            }
            "running" => (strings::ACTING_NOW.to_string(), theme.critical),
            status => {
                let at = a
                    .finished_at
                    .map(|t| t.format("%H:%M:%S UTC").to_string())
                    .unwrap_or_default();
                let ended = strings::guardrail_ended(
                    status,
                    at,
                    a.outcome.as_deref(),
                    a.decided_by.as_deref(),
                );
                let style = if status == "failed" {
                    theme.error
                } else {
                    theme.muted
                };
                (ended, style)
            }
        };
        lines.push(Line::from(vec![
            Span::styled(what, theme.text),
            Span::styled(" · ", theme.muted),
            Span::styled(when, style),
        ]));
        if a.status == "pending" && may_act {
            lines.push(Line::styled(format!("    {keys}"), theme.accent));
        }
    }
    lines
}

/// The text from the pane's scroll; taller than `area`, its last row says
/// how many lines are above and below instead of cutting them silently.
fn scrolled(frame: &mut Frame, area: Rect, text: Paragraph<'_>, app: &App, theme: &Theme) {
    let pane = &app.panes.alert;
    let height = usize::from(area.height);
    let total = text.line_count(area.width);
    if total <= height || height < 2 {
        pane.max_scroll.set(0);
        frame.render_widget(text, area);
        return;
    }
    let shown = height - 1;
    let max = total - shown;
    pane.max_scroll.set(max);
    let top = pane.scroll.min(max);
    let [body, more] =
        Layout::vertical([Constraint::Length(area.height - 1), Constraint::Length(1)]).areas(area);
    frame.render_widget(
        text.scroll((u16::try_from(top).unwrap_or(u16::MAX), 0)),
        body,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            strings::lines_hidden(top, total - top - shown),
            theme.muted,
        )),
        more,
    );
}

fn status(a: &Alert, clock: Clock) -> String {
    let by = |who: &Option<String>| who.as_deref().unwrap_or("?").to_string();
    match a.status {
        AlertStatus::Resolved => strings::resolved_at(
            a.resolved_at
                .map(|t| t.format("%H:%M UTC").to_string())
                .unwrap_or_default(),
        ),
        _ if a.snoozed_at(clock.wall) => strings::snoozed_status(
            a.snoozed_until
                .map(|t| t.format("%H:%M UTC").to_string())
                .unwrap_or_default(),
            by(&a.snoozed_by),
            a.snooze_reason.as_deref().unwrap_or(""),
        ),
        AlertStatus::Acknowledged => strings::acknowledged_status(
            by(&a.acknowledged_by),
            a.ack_reason.as_deref().unwrap_or(""),
        ),
        AlertStatus::Open => strings::OPEN.into(),
    }
}

fn status_style(a: &Alert, clock: Clock, theme: &Theme) -> Style {
    match a.status {
        AlertStatus::Open if !a.snoozed_at(clock.wall) => theme.high,
        AlertStatus::Resolved => theme.muted,
        _ => theme.pending,
    }
}

/// The agent the alert is about: its name, status and owner.
fn subject(app: &App, a: &Alert) -> String {
    let Some(id) = a.agent_id.as_deref() else {
        return strings::ALERT_NAMES_NO_AGENT.into();
    };
    match app.fleet.agent(id) {
        Some(agent) => {
            let owner = agent
                .owner
                .as_deref()
                .and_then(|o| app.fleet.person(o))
                .map_or_else(|| strings::NO_OWNER.to_string(), |p| p.name.clone());
            let subject = strings::alert_subject(&agent.name, &agent.id, agent.status, owner);
            match agent.origin() {
                "registered" => subject,
                origin => strings::with_origin(subject, origin),
            }
        }
        None => strings::agent_not_in_fleet(id),
    }
}

/// The other identities the alert's text names in quotes (the relay a
/// shadow agent acts through, a destination), each said to be in the
/// inventory (and how it got there) or not.
fn named_identities(app: &App, a: &Alert) -> Vec<String> {
    let own = a
        .agent_id
        .as_deref()
        .and_then(|id| app.fleet.agent(id))
        .map(|agent| agent.name.as_str());
    let mut names: Vec<&str> = Vec::new();
    for text in [a.summary.as_str(), a.evidence.as_str()] {
        for (i, part) in text.split('"').enumerate() {
            if i % 2 == 1
                && !part.is_empty()
                && part.len() <= 120
                && !names.contains(&part)
                && own != Some(part)
            {
                names.push(part);
            }
        }
    }
    names
        .into_iter()
        .map(|n| match app.fleet.agent_named(n) {
            Some(agent) => strings::named_registered(n, &agent.id, agent.origin()),
            None => strings::named_unregistered(n),
        })
        .collect()
}

/// The audit's entries about this alert, oldest first, from its agent's
/// trail; what the trail does not hold yet is said.
fn timeline(app: &App, a: &Alert, theme: &Theme) -> Vec<Line<'static>> {
    let trail = &app.panes.detail;
    let ours = a.agent_id.is_some() && trail.agent_id == a.agent_id;
    let local = origin::split(&a.id).map_or(a.id.as_str(), |(_, id)| id);
    let mut lines: Vec<Line<'static>> = match (&trail.trail.data, ours) {
        (Some(entries), true) => entries
            .iter()
            .filter(|e| e.target.starts_with(local) || e.target.contains(&format!("{local} ")))
            .map(|e| {
                Line::styled(
                    format!(
                        "  {}  {:<16} {:<18} {}",
                        e.at.format("%m-%d %H:%M:%S"),
                        e.action,
                        e.actor,
                        e.reason.as_deref().unwrap_or("")
                    ),
                    theme.text,
                )
            })
            .collect(),
        _ => vec![],
    };
    if lines.is_empty() {
        let note = match (&trail.trail.error, ours) {
            (Some(e), true) => strings::trail_failed(e),
            _ if !ours || trail.trail.data.is_none() => strings::ALERT_TIMELINE_LOADING.into(),
            _ => strings::ALERT_TIMELINE_EMPTY.into(),
        };
        lines.push(Line::styled(format!("  {note}"), theme.muted));
    }
    lines
}
