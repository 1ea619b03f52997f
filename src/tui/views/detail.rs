//! The agent detail view: identity card, credentials (one selected, for
//! `x`), grants with the unused ones marked, delegations and alerts.

use super::{Clock, age};
use crate::model::{CredentialStatus, GrantLevel, PersonStatus};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

/// A write or admin grant unused this long is excess privilege (R06).
const UNUSED_DAYS: i64 = 30;

fn when(t: Option<DateTime<Utc>>, clock: Clock) -> String {
    match t {
        Some(t) if t <= clock.wall => format!("{} ago", age((clock.wall - t).num_seconds())),
        Some(t) => format!("in {}", age((t - clock.wall).num_seconds())),
        None => "never".into(),
    }
}

fn block<'a>(title: &'a str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.title))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, agent_id: &str, theme: &Theme, clock: Clock) {
    let Some(agent) = app.fleet.agent(agent_id) else {
        frame.render_widget(
            Paragraph::new("this agent is no longer in the backend's inventory").style(theme.error),
            area,
        );
        return;
    };
    let [top, creds, bottom] = Layout::vertical([
        Constraint::Length(10),
        Constraint::Fill(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [card, links] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(top);

    let owner = match app.fleet.owner_of(agent) {
        Some(p) if p.status == PersonStatus::Departed => Span::styled(
            format!("{} <{}> (left the company)", p.name, p.email),
            theme.high,
        ),
        Some(p) => Span::styled(format!("{} <{}>", p.name, p.email), theme.text),
        None => Span::styled("none: unowned", theme.high),
    };
    let field = |k: &'static str, v: Span<'static>| {
        Line::from(vec![Span::styled(format!("{k:<12}"), theme.muted), v])
    };
    let labels = agent
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ");
    let lines = vec![
        field("name", Span::styled(agent.name.clone(), theme.header)),
        field(
            "status",
            Span::styled(agent.status.to_string(), theme.status(agent.status)),
        ),
        field(
            "kind / env",
            Span::styled(
                format!("{} / {}", agent.kind, agent.environment),
                theme.text,
            ),
        ),
        field("owner", owner),
        field(
            "runtime",
            Span::styled(
                agent.runtime.clone().unwrap_or_else(|| "-".into()),
                theme.text,
            ),
        ),
        field(
            "description",
            Span::styled(agent.description.clone().unwrap_or_default(), theme.text),
        ),
        field("labels", Span::styled(labels, theme.muted)),
        field(
            "seen",
            Span::styled(
                format!(
                    "{} · created {} by {}",
                    when(agent.last_seen_at, clock),
                    when(Some(agent.created_at), clock),
                    agent.created_by.clone().unwrap_or_else(|| "-".into())
                ),
                theme.muted,
            ),
        ),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(&agent.id, theme))
            .wrap(Wrap { trim: true }),
        card,
    );

    let mut link_lines = Vec::new();
    for d in app.fleet.delegations_of(agent_id) {
        let name = |id: &str| {
            app.fleet
                .agent(id)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let person = |id: &Option<String>| {
            id.as_deref()
                .and_then(|p| app.fleet.person(p))
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "-".into())
        };
        let line = if d.child_agent == agent_id {
            let from = d
                .parent_agent
                .as_deref()
                .map(name)
                .unwrap_or_else(|| person(&d.parent_person));
            format!(
                "acts for {from} (on behalf of {}) · {}",
                person(&d.on_behalf_of),
                d.scopes.join(" ")
            )
        } else {
            format!(
                "delegates to {} · {}",
                name(&d.child_agent),
                d.scopes.join(" ")
            )
        };
        link_lines.push(Line::styled(line, theme.text));
    }
    if link_lines.is_empty() {
        link_lines.push(Line::styled("no delegations", theme.muted));
    }
    let alerts = app.fleet.alerts_of(agent_id);
    link_lines.push(Line::styled(
        format!("alerts ({})", alerts.len()),
        theme.header,
    ));
    for a in alerts.iter().take(4) {
        link_lines.push(Line::from(vec![
            Span::styled(
                format!("{:<9}", a.severity.to_string()),
                theme.severity(a.severity),
            ),
            Span::styled(
                format!("{} {} · {}", a.rule, a.status, a.summary),
                theme.text,
            ),
        ]));
    }
    frame.render_widget(
        Paragraph::new(link_lines)
            .block(block("delegations and alerts", theme))
            .wrap(Wrap { trim: true }),
        links,
    );

    let credentials = app.fleet.credentials_of(agent_id);
    let rows = credentials.iter().enumerate().map(|(i, c)| {
        let status_style = match c.status {
            CredentialStatus::Active => theme.active,
            CredentialStatus::Expired => theme.muted,
            CredentialStatus::Revoked => theme.killed,
        };
        let expiry = match c.expires_at {
            None => Span::styled("never expires", theme.medium),
            Some(_) => Span::styled(when(c.expires_at, clock), theme.text),
        };
        let row = Row::new(vec![
            Cell::from(Span::styled(c.status.to_string(), status_style)),
            Cell::from(c.id.clone()),
            Cell::from(format!("{}…", c.prefix)),
            Cell::from(c.scopes.join(" ")),
            Cell::from(when(Some(c.issued_at), clock)),
            Cell::from(Line::from(expiry)),
            Cell::from(when(c.last_used_at, clock)),
        ]);
        if i == app.detail_cursor {
            row.style(theme.selection)
        } else {
            row
        }
    });
    let header = Row::new([
        "STATUS",
        "ID",
        "PREFIX",
        "SCOPES",
        "ISSUED",
        "EXPIRES",
        "LAST USED",
    ])
    .style(theme.header);
    let widths = [
        Constraint::Length(8),
        Constraint::Length(19),
        Constraint::Length(13),
        Constraint::Fill(1),
        Constraint::Length(9),
        Constraint::Length(14),
        Constraint::Length(10),
    ];
    let title = format!(
        "credentials ({}) · x revokes the selected one",
        credentials.len()
    );
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block(&title, theme)),
        creds,
    );

    let grants = app.fleet.grants_of(agent_id);
    let rows = grants.iter().map(|g| {
        let unused = g.level != GrantLevel::Read
            && g.last_used_at
                .is_none_or(|t| (clock.wall - t).num_days() >= UNUSED_DAYS);
        Row::new(vec![
            Cell::from(Span::styled(
                g.level.to_string(),
                if g.level == GrantLevel::Read {
                    theme.text
                } else {
                    theme.medium
                },
            )),
            Cell::from(g.resource.clone()),
            Cell::from(g.scope.clone()),
            Cell::from(when(Some(g.granted_at), clock)),
            Cell::from(if unused {
                Span::styled(
                    format!("UNUSED · {}", when(g.last_used_at, clock)),
                    theme.high,
                )
            } else {
                Span::styled(when(g.last_used_at, clock), theme.muted)
            }),
        ])
    });
    let header =
        Row::new(["LEVEL", "RESOURCE", "SCOPE", "GRANTED", "LAST USED"]).style(theme.header);
    let widths = [
        Constraint::Length(6),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Length(10),
        Constraint::Length(20),
    ];
    let title = format!("grants ({})", grants.len());
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block(&title, theme)),
        bottom,
    );
}
