//! The header: each backend's health and poll age, who you are, and counts
//! (with a Vault watched, how many of its identities no agent claims).
//! One backend gets the whole first line, its latency and last error
//! included; several share it, each with its health and poll age, and
//! `:ctx` says which one the lists show. A guardrail's pending automatic
//! action leads the second line with its countdown.

use crate::fleet::safe_text::truncate;
use crate::model::Severity;
use crate::tui::app::{App, BackendStatus, Health};
use crate::tui::guardrails;
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use crate::tui::views::age;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn dot_and_style(health: Health, theme: &Theme) -> (&'static str, Style) {
    match health {
        Health::Connecting => ("○", theme.pending),
        Health::Ok => ("●", theme.success),
        Health::Slow => ("●", theme.pending),
        Health::Down => ("●", theme.error),
    }
}

fn poll_age(b: &BackendStatus, clock: Clock) -> Option<String> {
    b.last_ok
        .map(|t| age(clock.now.saturating_duration_since(t).as_secs() as i64))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let top = if app.merged() {
        several(app, theme, clock)
    } else {
        one(app, theme, clock)
    };
    let mut second = guardrail(app, theme, clock);
    second.extend(counts(app, theme));
    frame.render_widget(
        Paragraph::new(vec![Line::from(top), Line::from(second)]),
        area,
    );
}

/// Every backend, short: name, health and poll age; the narrowed one
/// marked; the first down backend's error at the end.
fn several<'a>(app: &'a App, theme: &Theme, clock: Clock) -> Vec<Span<'a>> {
    let mut top = vec![Span::styled(strings::WARDEN, theme.title)];
    for (i, b) in app.backends.iter().enumerate() {
        let (dot, style) = dot_and_style(b.health, theme);
        let name_style = if app.ctx == Some(i) {
            theme.accent
        } else {
            theme.header
        };
        top.push(Span::styled(format!("  {dot} "), style));
        top.push(Span::styled(format!("{} ", b.name), name_style));
        top.push(Span::styled(b.health.word(), style));
        if let Some(a) = poll_age(b, clock) {
            let age_style = if b.health == Health::Down {
                theme.error
            } else {
                theme.muted
            };
            top.push(Span::styled(format!(" {a}"), age_style));
        }
    }
    if let Some(b) = app.ctx.and_then(|i| app.backends.get(i)) {
        top.push(Span::styled(
            format!("  [{} {}]", strings::CTX, b.name),
            theme.accent,
        ));
    }
    identity(app, theme, &mut top);
    if let Some((b, e)) = app.backends.iter().find_map(|b| {
        (b.health == Health::Down)
            .then_some(b)
            .zip(b.last_error.as_ref())
    }) {
        top.push(Span::styled(format!("  {}: {e}", b.name), theme.error));
    } else if let Some(b) = app.backends.iter().find(|b| b.warning.is_some()) {
        let w = b.warning.as_deref().unwrap_or_default();
        top.push(Span::styled(format!("  {}: {w}", b.name), theme.pending));
    }
    top
}

/// Who the dashboard is: the first backend that said so, with the role on
/// each backend when they differ; and READ-ONLY when actions are off.
fn identity(app: &App, theme: &Theme, top: &mut Vec<Span<'_>>) {
    let known: Vec<(&BackendStatus, &crate::api::WhoAmI)> = app
        .backends
        .iter()
        .filter_map(|b| b.identity.as_ref().map(|w| (b, w)))
        .collect();
    if let Some((_, who)) = known.first() {
        let role_of = |w: &crate::api::WhoAmI| {
            w.role
                .map(|r| r.to_string())
                .unwrap_or_else(|| w.kind.clone())
        };
        let roles: Vec<String> = known.iter().map(|(_, w)| role_of(w)).collect();
        let role = if roles.iter().all(|r| *r == roles[0]) || known.len() == 1 {
            roles[0].clone()
        } else {
            known
                .iter()
                .map(|(b, w)| strings::role_on(role_of(w), &b.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        top.push(Span::styled("  │ ", theme.border));
        top.push(Span::styled(format!("{} ({role})", who.name), theme.text));
    }
    if app.actions_refused().is_some() {
        top.push(Span::styled(
            format!("  {}", strings::READ_ONLY),
            theme.error,
        ));
    }
}

/// One backend: the whole line, with latency and the last error.
fn one<'a>(app: &'a App, theme: &Theme, clock: Clock) -> Vec<Span<'a>> {
    let b = &app.backends[0];
    let poll_age = poll_age(b, clock);
    let (dot, health_style) = dot_and_style(b.health, theme);
    let mut top = vec![
        Span::styled(format!("{} ", strings::WARDEN), theme.title),
        Span::styled(format!("{dot} "), health_style),
        Span::styled(format!("{} ", b.name), theme.header),
        Span::styled(b.health.word(), health_style),
    ];
    match (&poll_age, b.health) {
        (Some(a), Health::Down) => top.push(Span::styled(
            format!(" · {}", strings::stale_since(a)),
            theme.error,
        )),
        (Some(a), _) => top.push(Span::styled(
            format!(" · {}", strings::polled(a)),
            theme.muted,
        )),
        (None, _) => {}
    }
    if let (Health::Down, Some(e)) = (b.health, &b.last_error) {
        top.push(Span::styled(format!(" · {e}"), theme.error));
    } else if let Some(l) = b.latency {
        top.push(Span::styled(format!(" ({}ms)", l.as_millis()), theme.muted));
    }
    identity(app, theme, &mut top);
    top
}

/// What a guardrail is about to do by itself, first on the second line
/// (before the counts, which a narrow terminal cuts): the soonest pending
/// action, counted down from the backend's due time at every frame, and
/// how many more there are; nothing when none is pending.
fn guardrail<'a>(app: &App, theme: &Theme, clock: Clock) -> Vec<Span<'a>> {
    let live = app.guardrails.live();
    let Some(first) = live.first() else {
        return vec![];
    };
    let left = guardrails::seconds_left(first.due_at, clock.wall);
    let when = if first.status == "running" {
        strings::ACTING_NOW.to_string()
    } else {
        strings::countdown(left)
    };
    let mut text = strings::header_guardrail(
        &first.action,
        truncate(&first.agent_name, AGENT_WIDTH),
        when,
    );
    if live.len() > 1 {
        text.push_str(&strings::more_guardrails(live.len() - 1));
    }
    let style = if left <= URGENT_SECONDS {
        theme.critical
    } else {
        theme.high
    };
    vec![
        Span::styled(text, style),
        Span::styled("  │ ", theme.border),
    ]
}

/// An agent's name in the header's countdown is cut to this many columns:
/// a long (or hostile) name must not push the countdown off the line.
const AGENT_WIDTH: usize = 24;
/// The countdown takes the critical colour in its last seconds.
const URGENT_SECONDS: i64 = 10;

/// The second line: the fleet's counts and open alerts by severity.
fn counts<'a>(app: &App, theme: &Theme) -> Vec<Span<'a>> {
    let c = app.counts;
    let mut second = vec![
        Span::styled(format!("{} {}", strings::AGENTS, c.agents), theme.header),
        Span::styled(format!("  {} {}", strings::ACTIVE, c.active), theme.active),
        Span::styled(
            format!("  {} {}", strings::UNOWNED, c.unowned),
            if c.unowned > 0 {
                theme.high
            } else {
                theme.muted
            },
        ),
        Span::styled(
            format!("  {} {}", strings::SUSPENDED, c.suspended),
            theme.suspended,
        ),
        Span::styled(format!("  {} {}", strings::KILLED, c.killed), theme.muted),
    ];
    // Only with a Vault watched: elsewhere there is nothing to claim.
    if app.fleet.has_identities() {
        let n = app.fleet.unclaimed_count();
        second.push(Span::styled(
            format!("  {} {n}", strings::UNCLAIMED),
            if n > 0 { theme.high } else { theme.muted },
        ));
    }
    second.push(Span::styled(
        format!("  │ {}", strings::ALERTS),
        theme.border,
    ));
    let labels = [
        (Severity::Critical, strings::CRIT),
        (Severity::High, strings::HIGH),
        (Severity::Medium, strings::MED),
        (Severity::Low, strings::LOW),
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
    second
}
