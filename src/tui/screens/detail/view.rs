//! The agent detail view: identity card; credentials (one selected, for
//! `x`); the delegation chain as a tree, with the agent's alerts; its
//! activity over the last hour as a sparkline; grants with the unused ones
//! marked; and its audit trail. On a short terminal the sections that do
//! not fit are left out, the last ones first, and the bottom border names
//! them; the card and the credentials always stay.

use crate::model::{CredentialStatus, GrantLevel, PersonStatus};
use crate::tui::app::App;
use crate::tui::components::list_table::{ListTable, Look, window};
use crate::tui::screens::audit;
use crate::tui::screens::detail::links::links;
use crate::tui::screens::discovery::state::found_line;
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::{Clock, when};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline, Wrap};

/// A write or admin grant unused this long is excess privilege (R06).
const UNUSED_DAYS: i64 = 30;
/// The card's height: its eight lines and the border.
const CARD: u16 = 10;
/// From this width the chain and alerts sit beside the card.
const SIDE_BY_SIDE: u16 = 100;
/// The smallest useful table: border, column titles, one row.
const MIN_TABLE: u16 = 4;

fn block<'a>(title: &'a str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.title))
}

/// One section of the view: the rows it needs, the rows it could use,
/// and whether it takes what is left over.
#[derive(Debug, Clone, Copy)]
struct Want {
    min: u16,
    want: u16,
    flex: bool,
}

/// Heights for sections in priority order: each gets its minimum while
/// there is room (a section whose minimum does not fit gets nothing and
/// is left out), then each grows towards what it could use, in order;
/// what is still left goes to the last flexible section shown.
fn allot(height: u16, sections: &[Want]) -> Vec<u16> {
    let mut sizes = vec![0u16; sections.len()];
    let mut left = height;
    for (size, s) in sizes.iter_mut().zip(sections) {
        if s.min > 0 && s.min <= left {
            *size = s.min;
            left -= s.min;
        }
    }
    for (size, s) in sizes.iter_mut().zip(sections) {
        if *size > 0 {
            let more = s.want.saturating_sub(*size).min(left);
            *size += more;
            left -= more;
        }
    }
    if let Some(last) = (0..sections.len())
        .rev()
        .find(|&i| sizes[i] > 0 && sections[i].flex)
    {
        sizes[last] += left;
    }
    sizes
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, agent_id: &str, theme: &Theme, clock: Clock) {
    if app.fleet.agent(agent_id).is_none() {
        frame.render_widget(Paragraph::new(strings::AGENT_GONE).style(theme.error), area);
        return;
    }
    let wide = area.width >= SIDE_BY_SIDE;
    let links = links(app, agent_id, theme);
    let links_rows = links.len() as u16 + 2;
    let credentials = app.fleet.credentials_of(agent_id).len() as u16;
    let grants = app.fleet.grants_of(agent_id).len() as u16;
    let trail = app
        .panes
        .detail
        .trail
        .data
        .as_ref()
        .map_or(1, |t| t.len().max(1)) as u16;
    // In screen order, which is also the order they give way in.
    let names = strings::DETAIL_SECTIONS;
    let sections = [
        Want {
            min: CARD.min(area.height),
            want: if wide {
                links_rows.clamp(CARD, 16)
            } else {
                CARD
            },
            flex: false,
        },
        Want {
            min: MIN_TABLE,
            want: (3 + credentials).max(MIN_TABLE),
            flex: true,
        },
        Want {
            min: 4,
            want: 4,
            flex: false,
        },
        Want {
            min: if wide { 0 } else { MIN_TABLE },
            want: if wide { 0 } else { links_rows },
            flex: true,
        },
        Want {
            min: MIN_TABLE,
            want: (3 + grants).max(MIN_TABLE),
            flex: true,
        },
        Want {
            min: MIN_TABLE,
            want: 3 + trail,
            flex: true,
        },
    ];
    let sizes = allot(area.height, &sections);
    let areas = Layout::vertical(sizes.iter().map(|&h| Constraint::Length(h))).split(area);

    if wide {
        let [card, side] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(areas[0]);
        draw_card(frame, card, app, agent_id, theme, clock);
        draw_links(frame, side, links, theme);
    } else {
        draw_card(frame, areas[0], app, agent_id, theme, clock);
        if sizes[3] > 0 {
            draw_links(frame, areas[3], links, theme);
        }
    }
    if sizes[1] > 0 {
        draw_credentials(frame, areas[1], app, agent_id, theme, clock);
    }
    if sizes[2] > 0 {
        draw_activity(frame, areas[2], app, theme);
    }
    if sizes[4] > 0 {
        draw_grants(frame, areas[4], app, agent_id, theme, clock);
    }
    if sizes[5] > 0 {
        draw_trail(frame, areas[5], app, theme);
    }
    let hidden: Vec<&str> = (1..names.len())
        .filter(|&i| sizes[i] == 0 && !(i == 3 && wide))
        .map(|i| names[i])
        .collect();
    if !hidden.is_empty() && area.height > 0 {
        let note = Line::styled(strings::taller_shows(hidden.join(", ")), theme.muted)
            .alignment(Alignment::Right);
        let bottom = Rect {
            y: area.bottom() - 1,
            height: 1,
            width: area.width.saturating_sub(1),
            ..area
        };
        frame.render_widget(note, bottom);
    }
}

fn draw_card(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    agent_id: &str,
    theme: &Theme,
    clock: Clock,
) {
    let Some(agent) = app.fleet.agent(agent_id) else {
        return;
    };
    let owner = match app.fleet.owner_of(agent) {
        Some(p) if p.status == PersonStatus::Departed => Span::styled(
            strings::left_the_company(strings::person_label(&p.name, &p.email)),
            theme.high,
        ),
        Some(p) => Span::styled(strings::person_label(&p.name, &p.email), theme.text),
        None => Span::styled(strings::NONE_UNOWNED, theme.high),
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
        field(
            strings::NAME,
            Span::styled(agent.name.clone(), theme.header),
        ),
        field(
            strings::STATUS,
            Span::styled(agent.status.to_string(), theme.status(agent.status)),
        ),
        field(
            strings::KIND_ENV,
            Span::styled(
                format!("{} / {}", agent.kind, agent.environment),
                theme.text,
            ),
        ),
        field(strings::OWNER, owner),
        // A discovered agent has no runtime: where it was found instead.
        match (&agent.runtime, found_line(agent)) {
            (None, Some(found)) => field(strings::FOUND_IN, Span::styled(found, theme.high)),
            (runtime, _) => field(
                strings::RUNTIME,
                Span::styled(runtime.clone().unwrap_or_else(|| "-".into()), theme.text),
            ),
        },
        field(
            strings::DESCRIPTION,
            Span::styled(agent.description.clone().unwrap_or_default(), theme.text),
        ),
        field(strings::LABELS, Span::styled(labels, theme.muted)),
        field(
            strings::SEEN,
            Span::styled(
                strings::seen_created(
                    when(agent.last_seen_at, clock),
                    when(Some(agent.created_at), clock),
                    agent.created_by.as_deref().unwrap_or("-"),
                ),
                theme.muted,
            ),
        ),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(&agent.id, theme))
            .wrap(Wrap { trim: true }),
        area,
    );
}

fn draw_links(frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>, theme: &Theme) {
    // Lines the box has no room for are said in its title, not dropped
    // silently (long chains and their tokens outgrow it).
    let cut = lines.len().saturating_sub(area.height.saturating_sub(2) as usize);
    let title = strings::links_title(cut);
    frame.render_widget(Paragraph::new(lines).block(block(&title, theme)), area);
}

/// The agent's counts while its credentials and grants are still being
/// read (its backend syncs in the summary form); `None` once held.
fn loading(app: &App, agent_id: &str) -> Option<crate::fleet::state::Remote> {
    if app.fleet.holds_all_of(agent_id) {
        return None;
    }
    app.fleet
        .position(agent_id)
        .and_then(|i| app.fleet.remote(i))
}

fn draw_credentials(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    agent_id: &str,
    theme: &Theme,
    clock: Clock,
) {
    let credentials = app.fleet.credentials_of(agent_id);
    // The selected credential stays in view however many there are.
    let visible = area.height.saturating_sub(3).max(1) as usize;
    let offset = app.detail_cursor.saturating_sub(visible - 1);
    // Narrower terminals drop the prefix and the issue date.
    let narrow = area.width < SIDE_BY_SIDE;
    let show = [true, true, !narrow, true, !narrow, true, true];
    // Rows the height leaves out are said, above and below.
    let below = credentials.len().saturating_sub(offset + visible);
    let title = match loading(app, agent_id) {
        Some(r) => strings::agent_creds_loading(r.credentials),
        None => strings::agent_creds_title(credentials.len(), offset, below),
    };
    let widths = [
        Constraint::Length(8),
        Constraint::Length(19),
        Constraint::Length(13),
        Constraint::Fill(1),
        Constraint::Length(9),
        Constraint::Length(14),
        Constraint::Length(10),
    ];
    let table = ListTable::new(block(&title, theme), widths)
        .mask(show)
        .names(&[1]);
    let rows = window(&credentials, offset, visible).map(|(i, c)| {
        let status_style = match c.status {
            CredentialStatus::Active => theme.active,
            CredentialStatus::Expired => theme.muted,
            CredentialStatus::Revoked => theme.killed,
        };
        let expiry = match c.expires_at {
            None => Span::styled(strings::NEVER_EXPIRES, theme.medium),
            Some(_) => Span::styled(when(c.expires_at, clock), theme.text),
        };
        let cells = vec![
            Line::from(Span::styled(c.status.to_string(), status_style)),
            Line::from(c.id.clone()),
            Line::from(format!("{}…", c.prefix)),
            Line::from(c.scopes.join(" ")),
            Line::from(when(Some(c.issued_at), clock)),
            Line::from(expiry),
            Line::from(when(c.last_used_at, clock)),
        ];
        table.row(cells, Look::at(i, app.detail_cursor), theme)
    });
    let header = table.header(strings::AGENT_CRED_COLUMNS.map(Line::from), theme);
    table.render(frame, area, header, rows);
}

fn draw_activity(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let fetched = &app.panes.detail.activity;
    let mut title = match &fetched.data {
        Some(series) => {
            let total: u64 = series.iter().map(|&n| u64::from(n)).sum();
            let peak = series.iter().max().copied().unwrap_or(0);
            let now = series.last().copied().unwrap_or(0);
            format!(
                "{}: {}",
                strings::ACTIVITY_TITLE,
                strings::activity(total, peak, now)
            )
        }
        None => strings::ACTIVITY_TITLE.to_string(),
    };
    if let Some(e) = &fetched.error {
        title.push_str(&strings::cannot_read_it(e));
    }
    let b = block(&title, theme);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    match &fetched.data {
        Some(series) => {
            // The newest minute at the right edge; a box narrower than the
            // hour keeps the newest minutes, a wider one gives each minute
            // as many columns as fit.
            let width = inner.width as usize;
            let per_minute = (width / series.len().max(1)).max(1);
            let shown: Vec<u64> = series
                .iter()
                .skip(series.len().saturating_sub(width))
                .flat_map(|&n| std::iter::repeat_n(u64::from(n), per_minute))
                .collect();
            let used = shown.len() as u16;
            let at = Rect {
                x: inner.right() - used,
                width: used,
                ..inner
            };
            frame.render_widget(Sparkline::default().data(&shown).style(theme.accent), at);
        }
        None if fetched.error.is_none() => frame.render_widget(
            Paragraph::new(Line::styled(strings::READING, theme.muted)),
            inner,
        ),
        None => {}
    }
}

fn draw_grants(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    agent_id: &str,
    theme: &Theme,
    clock: Clock,
) {
    let grants = app.fleet.grants_of(agent_id);
    let widths = [
        Constraint::Length(6),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Length(10),
        Constraint::Length(20),
    ];
    // A short box says how many rows it could not show.
    let visible = area.height.saturating_sub(3) as usize;
    let title = if let Some(r) = loading(app, agent_id) {
        strings::grants_loading(r.grants)
    } else if grants.len() > visible {
        strings::grants_title(grants.len(), Some(visible))
    } else {
        strings::grants_title(grants.len(), None)
    };
    let table = ListTable::new(block(&title, theme), widths);
    let rows = grants.iter().map(|g| {
        let unused = g.level != GrantLevel::Read
            && g.last_used_at
                .is_none_or(|t| (clock.wall - t).num_days() >= UNUSED_DAYS);
        let cells = vec![
            Line::from(Span::styled(
                g.level.to_string(),
                if g.level == GrantLevel::Read {
                    theme.text
                } else {
                    theme.medium
                },
            )),
            Line::from(g.resource.clone()),
            Line::from(g.scope.clone()),
            Line::from(when(Some(g.granted_at), clock)),
            Line::from(if unused {
                Span::styled(strings::unused(when(g.last_used_at, clock)), theme.high)
            } else {
                Span::styled(when(g.last_used_at, clock), theme.muted)
            }),
        ];
        table.row(cells, Look::Plain, theme)
    });
    let header = table.header(strings::GRANT_COLUMNS.map(Line::from), theme);
    table.render(frame, area, header, rows);
}

fn draw_trail(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let fetched = &app.panes.detail.trail;
    let entries = fetched.data.as_deref().unwrap_or(&[]);
    let mut title = match &fetched.data {
        Some(t) => strings::trail_title(t.len()),
        None => strings::TRAIL_TITLE.to_string(),
    };
    if let Some(e) = &fetched.error {
        title.push_str(&strings::cannot_read_it(e));
    }
    let visible = area.height.saturating_sub(3) as usize;
    let show_reason = area.width >= SIDE_BY_SIDE;
    let long_time = area.width >= 140;
    let table = audit::view::entry_table(block(&title, theme), long_time, show_reason);
    let rows = entries
        .iter()
        .skip(entries.len().saturating_sub(visible))
        .map(|e| table.row(audit::view::cells(e, theme, long_time), Look::Plain, theme));
    let header = table.header(strings::AUDIT_COLUMNS.map(Line::from), theme);
    table.render(frame, area, header, rows);
    if entries.is_empty() {
        let note = if fetched.data.is_some() {
            strings::EMPTY_TRAIL
        } else if fetched.error.is_some() {
            strings::TRAIL_UNREADABLE
        } else {
            strings::READING_TRAIL
        };
        crate::tui::components::list_table::empty_note(frame, area, note, theme);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want(min: u16, want: u16, flex: bool) -> Want {
        Want { min, want, flex }
    }

    #[test]
    fn sections_give_way_from_the_last_and_the_rest_goes_to_the_last_flexible() {
        let sections = [
            want(10, 10, false),
            want(4, 6, true),
            want(4, 4, false),
            want(4, 5, true),
        ];
        // Room for the first two at their minimum, then the second grows.
        assert_eq!(allot(15, &sections), [10, 5, 0, 0]);
        // Everything at its want, and the remainder to the last flexible.
        assert_eq!(allot(40, &sections), [10, 6, 4, 20]);
        // A later, smaller section still fits where a bigger one did not.
        assert_eq!(
            allot(
                16,
                &[want(10, 10, false), want(8, 8, true), want(4, 4, true)]
            ),
            [10, 0, 6]
        );
        // Less than the first needs: the first takes what there is.
        assert_eq!(allot(3, &[want(3, 10, false), want(4, 4, true)]), [3, 0]);
        assert_eq!(allot(0, &[want(0, 10, false)]), [0]);
    }
}
