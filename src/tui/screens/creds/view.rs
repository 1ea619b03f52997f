//! The credentials view: every credential with its agent, prefix (the
//! secret itself is never on the client), scopes, age, expiry and last
//! use; an expiry that is past or near stands out. Built only for the rows
//! on screen.

use crate::model::CredentialStatus;
use crate::tui::app::App;
use crate::tui::components::list_table::{ListTable, Look, empty_note, titled, window};
use crate::tui::screens::creds::state::{EXPIRY_WARNING_DAYS, Expiry, expiry};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::{Clock, when};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::text::Line;

const WIDTHS: [Constraint; 8] = [
    Constraint::Length(8),
    Constraint::Fill(2),
    Constraint::Length(19),
    Constraint::Length(13),
    Constraint::Fill(3),
    Constraint::Length(8),
    Constraint::Length(14),
    Constraint::Length(9),
];

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let list = &app.panes.creds;
    let urgent = list.urgent(&app.fleet, clock.wall);
    let mut title = format!(
        "{}{}",
        strings::creds_title(list.order.len(), urgent, EXPIRY_WARNING_DAYS),
        list.filter.of_total()
    );
    // Never a part shown as the whole: while a backend that only counted
    // its credentials is being read, the title says how many there are.
    if !app.fleet.credentials_complete() {
        title.push_str(&strings::creds_partial(
            app.fleet.credentials_held(),
            app.fleet.credentials_counted(),
            list.catalogue.error.as_deref(),
        ));
    }
    // Narrower terminals drop the prefix, then the id: the agent, the
    // status and the expiry are what the view is for.
    let show: [bool; 8] = match area.width {
        120.. => [true; 8],
        100..120 => [true, true, true, false, true, true, true, true],
        _ => [true, true, false, false, true, true, true, true],
    };
    let table = ListTable::new(titled(title, theme), WIDTHS)
        .mask(show)
        .names(&[1]);
    let header = table.header(strings::CRED_COLUMNS.map(Line::from), theme);
    let rows = window(list.order.iter(), list.sel.offset, app.table_rows)
        .filter_map(|(pos, id)| Some((pos, app.fleet.credential(id)?)))
        .map(|(pos, c)| {
            let exp = expiry(c, clock.wall);
            let live = c.status == CredentialStatus::Active;
            let status = match c.status {
                // The backend's sweep has not caught up with the clock.
                CredentialStatus::Active if exp == Expiry::Expired => {
                    Span::styled(strings::EXPIRED, theme.error)
                }
                CredentialStatus::Active => Span::styled(strings::ACTIVE, theme.active),
                CredentialStatus::Expired => Span::styled(strings::EXPIRED, theme.muted),
                CredentialStatus::Revoked => Span::styled(strings::REVOKED, theme.killed),
            };
            // "3d ago" or "in 5d"; the status column says it is expired.
            let expires = match exp {
                Expiry::Never => strings::NEVER.to_string(),
                _ => when(c.expires_at, clock),
            };
            let expires_style = match (live, exp) {
                (false, _) => theme.muted,
                (true, Expiry::Never) => theme.medium,
                (true, Expiry::Expired) => theme.error,
                (true, Expiry::Soon) => theme.high,
                (true, Expiry::Later) => theme.text,
            };
            let agent = app
                .fleet
                .agent(&c.agent_id)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| c.agent_id.clone());
            let text = if live { theme.text } else { theme.muted };
            let cells = vec![
                Line::from(status),
                Line::from(Span::styled(agent, text)),
                Line::from(Span::styled(c.id.clone(), theme.muted)),
                Line::from(Span::styled(format!("{}…", c.prefix), theme.muted)),
                Line::from(Span::styled(c.scopes.join(" "), text)),
                Line::from(Span::styled(when(Some(c.issued_at), clock), theme.muted)),
                Line::from(Span::styled(expires, expires_style)),
                Line::from(Span::styled(when(c.last_used_at, clock), theme.muted)),
            ];
            table.row(cells, Look::at(pos, list.sel.selected), theme)
        });
    table.render(frame, area, header, rows);
    if list.order.is_empty() {
        empty_note(frame, area, strings::EMPTY_CREDS, theme);
    }
}
