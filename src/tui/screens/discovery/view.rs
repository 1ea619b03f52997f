//! The discovery view: one row per discovered agent (present or gone,
//! name, client, host, its live secrets by kind and short fingerprint,
//! flags, the file or card it was found in); below it, the selected
//! finding's source in full and each secret with its field and whole
//! fingerprint, and the other agents holding the same one. Secrets are
//! never on the client: only what the backend sends of them.

use crate::model::{Alert, AlertStatus};
use crate::tui::app::App;
use crate::tui::components::list_table::{ListTable, Look, empty_note, titled, window};
use crate::tui::screens::discovery::state::{FindingRow, SecretRow};
use crate::tui::strings;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Rows the finding pane takes under the list, borders included.
pub const PANE: usize = 10;

/// How many rows of the list show when a plain list would show `rows`:
/// the pane takes the rest, unless that would leave fewer than three.
pub fn list_rows(rows: usize) -> usize {
    match rows.checked_sub(PANE) {
        Some(n) if n >= 3 => n,
        _ => rows,
    }
}

const WIDTHS: [Constraint; 7] = [
    Constraint::Length(7),
    Constraint::Fill(3),
    Constraint::Length(14),
    Constraint::Fill(2),
    Constraint::Fill(4),
    Constraint::Fill(2),
    Constraint::Fill(4),
];

/// Hex digits of a fingerprint the list shows: enough to match by eye.
const SHORT: usize = 12;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let pane = if area.height as usize >= PANE + 6 {
        PANE as u16
    } else {
        0
    };
    let [list, below] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(pane)]).areas(area);
    draw_list(frame, list, app, theme);
    if pane > 0 {
        draw_pane(frame, below, app, theme);
    }
}

fn short(s: &SecretRow) -> String {
    format!(
        "{} {}…",
        s.kind,
        s.fingerprint.chars().take(SHORT).collect::<String>()
    )
}

fn draw_list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let list = &app.panes.discovery;
    let with_secrets = list.rows().filter(|r| r.live_secrets() > 0).count();
    let gone = list.rows().filter(|r| r.gone).count();
    let title = format!(
        "{}{}",
        strings::discovery_title(list.len(), with_secrets, gone),
        list.filter.of_total()
    );
    // Narrower terminals drop the flags, then the host and the file: the
    // finding and its secrets are what the view is for.
    let show: [bool; 7] = match area.width {
        160.. => [true; 7],
        110..160 => [true, true, true, true, true, false, true],
        _ => [true, true, true, false, true, false, false],
    };
    let table = ListTable::new(titled(title, theme), WIDTHS)
        .mask(show)
        .names(&[1, 6]);
    let header = table.header(strings::DISCOVERY_COLUMNS.map(Line::from), theme);
    let rows = window(
        list.rows(),
        list.sel.offset,
        area.height.saturating_sub(3) as usize,
    )
    .map(|(pos, r)| {
        let text = if r.gone { theme.muted } else { theme.text };
        let state = if r.gone {
            Span::styled(strings::GONE, theme.muted)
        } else {
            Span::styled(strings::PRESENT, theme.active)
        };
        let live: Vec<String> = r.secrets.iter().filter(|s| s.live).map(short).collect();
        let secrets = if live.is_empty() {
            Span::styled("-", theme.muted)
        } else {
            Span::styled(
                format!("{} · {}", live.len(), live.join(", ")),
                if r.gone { theme.muted } else { theme.high },
            )
        };
        let cells = vec![
            Line::from(state),
            Line::from(Span::styled(r.name.clone(), text)),
            Line::from(Span::styled(r.client.clone(), text)),
            Line::from(Span::styled(r.host.clone(), theme.muted)),
            Line::from(secrets),
            Line::from(Span::styled(r.flags.join(","), theme.medium)),
            Line::from(Span::styled(r.location.clone(), theme.muted)),
        ];
        table.row(cells, Look::at(pos, list.sel.selected), theme)
    });
    table.render(frame, area, header, rows);
    if list.is_empty() {
        let note = if list.filter.is_empty() {
            strings::EMPTY_DISCOVERY
        } else {
            strings::NO_FINDING_MATCHES
        };
        empty_note(frame, area, note, theme);
    }
}

/// The selected finding in full: where, what, the rules it raised, and
/// every secret.
fn pane_lines<'a>(r: &'a FindingRow, alerts: &[&Alert], theme: &Theme) -> Vec<Line<'a>> {
    // Seven columns of key, so that a whole `sha256:` fingerprint fits
    // under it on an 80-column terminal.
    let key = |k: &'static str| Span::styled(format!("{k:<7}"), theme.muted);
    let mut found = vec![
        key(strings::FOUND_KEY),
        Span::styled(
            strings::found_in(&r.client, &r.scope, &r.host, &r.location),
            theme.text,
        ),
    ];
    if let Some(p) = &r.project {
        found.push(Span::styled(strings::in_project(p), theme.muted));
    }
    let mut what = vec![
        key(strings::WHAT_KEY),
        Span::styled(strings::runs_over(&r.kind, &r.transport), theme.text),
    ];
    if !r.flags.is_empty() {
        what.push(Span::styled(format!(" · {}", r.flags.join(", ")), theme.medium));
    }
    if !r.capabilities.is_empty() {
        what.push(Span::styled(
            strings::can_do(r.capabilities.join(", ")),
            theme.muted,
        ));
    }
    let mut lines = vec![Line::from(found), Line::from(what)];
    // What the backend's rules made of it (R01 unowned, R04 a key that
    // never expires, R07 a key another agent holds), worst first.
    let live: Vec<&&Alert> = alerts
        .iter()
        .filter(|a| a.status != AlertStatus::Resolved)
        .collect();
    if !live.is_empty() {
        let mut line = vec![key(strings::ALERTS_KEY)];
        for (i, a) in live.iter().enumerate() {
            if i > 0 {
                line.push(Span::styled(" · ", theme.muted));
            }
            line.push(Span::styled(
                format!("{} {}", a.rule, a.severity),
                theme.severity(a.severity),
            ));
        }
        lines.push(Line::from(line));
    }
    if r.gone {
        lines.push(Line::from(vec![
            key(strings::STATE_KEY),
            Span::styled(strings::FINDING_GONE, theme.muted),
        ]));
    }
    if r.secrets.is_empty() {
        lines.push(Line::from(vec![
            key(strings::SECRET_KEY),
            Span::styled(strings::NO_PLAINTEXT_SECRET, theme.muted),
        ]));
    }
    for s in &r.secrets {
        let style = if s.live { theme.high } else { theme.muted };
        let mut line = vec![
            key(strings::SECRET_KEY),
            Span::styled(s.kind.as_str(), style),
            Span::styled(strings::in_field(&s.field), theme.text),
        ];
        if !s.live {
            line.push(Span::styled(strings::SECRET_REMOVED, theme.muted));
        }
        if !s.shared_with.is_empty() {
            line.push(Span::styled(
                strings::also_held_by(s.shared_with.join(", ")),
                theme.error,
            ));
        }
        lines.push(Line::from(line));
        lines.push(Line::from(vec![
            key(""),
            Span::styled(format!("sha256:{}", s.fingerprint), theme.accent),
        ]));
    }
    lines
}

fn draw_pane(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let selected = app.panes.discovery.selected();
    let title = match selected {
        Some(r) => strings::finding_title(&r.name),
        None => strings::FINDING_TITLE.into(),
    };
    let lines = selected
        .map(|r| pane_lines(r, &app.fleet.alerts_of(&r.agent_id), theme))
        .unwrap_or_default();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.title));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
