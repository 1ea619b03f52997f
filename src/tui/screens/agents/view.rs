//! The agents table: one row per agent in the filtered, sorted order, built
//! only for the rows on screen. With several backends a column says where
//! each agent lives, and an agent whose backend is down is marked stale:
//! what shows is its last good poll.

use crate::model::{AgentStatus, GrantLevel, PersonStatus};
use crate::tui::app::{App, Health};
use crate::tui::components::list_table::{ListTable, Look, empty_note, titled, window};
use crate::tui::screens::agents::state::SortKey;
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::{Clock, age};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};

/// What each column ([`strings::AGENT_COLUMNS`]) sorts by, if anything.
const SORTS: [Option<SortKey>; 11] = [
    Some(SortKey::Status),
    Some(SortKey::Name),
    None,
    Some(SortKey::Owner),
    None,
    None,
    None,
    None,
    Some(SortKey::Alerts),
    Some(SortKey::LastSeen),
    Some(SortKey::Risk),
];

const WIDTHS: [Constraint; 11] = [
    Constraint::Length(9),
    Constraint::Fill(3),
    Constraint::Length(13),
    Constraint::Fill(2),
    Constraint::Length(14),
    Constraint::Length(8),
    Constraint::Length(5),
    Constraint::Length(5),
    Constraint::Length(6),
    Constraint::Length(9),
    Constraint::Length(8),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let t = &app.panes.agents;
    let title = strings::agents_title(t.order.len(), app.fleet.len(), app.marks.len());
    // On a narrow terminal the name keeps its room: kind and grant go.
    // The backend column shows only when there is more than one.
    let wide = area.width >= 110;
    let merged = app.merged();
    let show: [bool; 11] = [
        true, true, wide, true, merged, true, true, wide, true, true, true,
    ];
    let table = ListTable::new(titled(title, theme), WIDTHS)
        .mask(show)
        .names(&[1]);
    let header = table.header(
        strings::AGENT_COLUMNS
            .iter()
            .zip(&SORTS)
            .map(|(name, key)| {
                let marker = match key {
                    Some(k) if *k == t.sort => {
                        if t.descending {
                            "↓"
                        } else {
                            "↑"
                        }
                    }
                    _ => "",
                };
                Line::from(format!("{name}{marker}"))
            }),
        theme,
    );
    let agents = app.fleet.agents();
    let rows = window(&t.order, t.offset, app.table_rows).map(|(pos, &i)| {
        let a = &agents[i];
        let s = app.fleet.summary(i);
        let owner = match app.fleet.owner_of(a) {
            Some(p) if p.status == PersonStatus::Departed => {
                Span::styled(strings::owner_left(&p.name), theme.high)
            }
            Some(p) => Span::styled(p.name.clone(), theme.text),
            None if a.owner.is_some() => Span::styled(strings::UNKNOWN, theme.high),
            None => Span::styled(strings::NONE, theme.high),
        };
        let level = match s.highest_level {
            Some(GrantLevel::Admin) => Span::styled(strings::ADMIN, theme.high),
            Some(GrantLevel::Write) => Span::styled(strings::WRITE, theme.medium),
            Some(GrantLevel::Read) => Span::styled(strings::READ, theme.text),
            None => Span::styled("-", theme.muted),
        };
        let seen = match a.last_seen_at {
            Some(t) => age((clock.wall - t).num_seconds()),
            None => strings::NEVER.into(),
        };
        let risk = match s.risk {
            Some(sev) => Span::styled(sev.to_string(), theme.severity(sev)),
            None => Span::styled("-", theme.muted),
        };
        // A mark shows as `●` before the name as well as in the row's
        // style, so it survives NO_COLOR and the selection bar.
        let marked = app.marks.contains(&a.id);
        let name = Span::styled(
            a.name.clone(),
            if a.status == AgentStatus::Killed {
                theme.muted
            } else {
                theme.text
            },
        );
        let name = if marked {
            Line::from(vec![Span::styled("● ", theme.marked), name])
        } else {
            Line::from(name)
        };
        let backend = if !merged {
            Span::raw("")
        } else {
            let home = app.backend_of(&a.id).map(|b| app.backends[b].name.as_str());
            match (home, app.stale(&a.id)) {
                (Some(n), true) => Span::styled(strings::backend_stale(n), theme.error),
                (Some(n), false) => Span::styled(n.to_string(), theme.muted),
                (None, _) => Span::styled("?", theme.error),
            }
        };
        let cells = vec![
            Line::from(Span::styled(a.status.to_string(), theme.status(a.status))),
            name,
            Line::from(Span::styled(a.kind.to_string(), theme.muted)),
            Line::from(owner),
            Line::from(backend),
            Line::from(Span::styled(a.environment.clone(), theme.text)),
            Line::from(format!("{}/{}", s.live_credentials, s.credentials)),
            Line::from(level),
            Line::from(if s.open_alerts > 0 {
                Span::styled(s.open_alerts.to_string(), theme.high)
            } else {
                Span::styled("0", theme.muted)
            }),
            Line::from(Span::styled(seen, theme.muted)),
            Line::from(risk),
        ];
        let look = match Look::at(pos, t.selected) {
            Look::Plain if marked => Look::Marked,
            look => look,
        };
        table.row(cells, look, theme)
    });
    table.render(frame, area, header, rows);
    if t.order.is_empty() && !app.fleet.is_empty() {
        empty_note(frame, area, strings::EMPTY_FILTERED_AGENTS, theme);
    } else if app.fleet.is_empty()
        && app
            .backends
            .iter()
            .all(|b| b.last_ok.is_none() && b.health == Health::Connecting)
    {
        // A large fleet's first answer takes seconds: say so, not "empty".
        empty_note(frame, area, strings::FIRST_SYNC, theme);
    }
}
