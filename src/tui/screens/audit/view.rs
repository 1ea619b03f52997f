//! The audit view: a line saying whether the backend's hash chain
//! verifies, then the live tail of the chain, newest at the bottom as k9s
//! shows logs. Built only for the rows on screen.

use crate::model::AuditEntry;
use crate::tui::app::App;
use crate::tui::components::list_table::{ListTable, Look, titled};
use crate::tui::screens::audit::state::{RING, Verdict};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::views::Clock;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

/// The chain's verdict, and the last fetch's error if any.
pub fn verdict_line(app: &App, theme: &Theme, clock: Clock) -> Line<'static> {
    let log = &app.panes.audit;
    let checked = |at: std::time::Instant| {
        crate::tui::views::age(clock.now.saturating_duration_since(at).as_secs() as i64)
    };
    let mut spans = match &log.verdict {
        Verdict::Intact { entries, at } => vec![
            Span::styled(
                format!("✓ {}", strings::chain_verified(entries)),
                theme.success,
            ),
            Span::styled(
                format!(" · {}", strings::checked(checked(*at))),
                theme.muted,
            ),
        ],
        Verdict::Broken {
            first_bad,
            problem,
            at,
        } => {
            let mut text = match first_bad {
                Some(n) => format!("✗ {}", strings::chain_broken_at(n)),
                None => format!("✗ {}", strings::CHAIN_BROKEN),
            };
            if let Some(p) = problem {
                text.push_str(&format!(": {p}"));
            }
            vec![
                Span::styled(text, theme.error),
                Span::styled(
                    format!(" · {}", strings::checked(checked(*at))),
                    theme.muted,
                ),
            ]
        }
        Verdict::Failed(e) => vec![Span::styled(strings::cannot_verify(e), theme.error)],
        Verdict::Unknown if log.verifying() => {
            vec![Span::styled(strings::VERIFYING_CHAIN, theme.pending)]
        }
        Verdict::Unknown => vec![Span::styled(strings::CHAIN_NOT_VERIFIED, theme.muted)],
    };
    if let Some(e) = &log.error {
        spans.push(Span::styled(
            format!("  · {}", strings::cannot_read_audit(e)),
            theme.error,
        ));
    }
    Line::from(spans)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, clock: Clock) {
    let log = &app.panes.audit;
    let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(verdict_line(app, theme, clock)), top);
    let whose = if app.merged() {
        app.backends
            .get(log.backend)
            .map(|b| strings::of_backend(&b.name))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let title = format!(
        "{}{}",
        strings::audit_title(
            &whose,
            log.entries.len(),
            (log.entries.len() >= RING).then_some(RING),
            log.follow && !log.is_empty(),
        ),
        log.filter.of_total()
    );
    // Narrower terminals drop the date, then the reason.
    let (long_time, show_reason) = (body.width >= 140, body.width >= 100);
    let table = entry_table(titled(title, theme), long_time, show_reason);
    let header = table.header(strings::AUDIT_COLUMNS.map(Line::from), theme);
    let rows = log
        .rows_from(log.sel.offset)
        .take(app.table_rows.saturating_sub(1).max(1))
        .map(|(pos, e)| {
        table.row(
            cells(e, theme, long_time),
            Look::at(pos, log.sel.selected),
            theme,
        )
    });
    table.render(frame, body, header, rows);
    if log.is_empty() {
        let note = if !log.entries.is_empty() {
            strings::EMPTY_FILTERED_AUDIT
        } else if log.loaded() {
            strings::EMPTY_AUDIT
        } else {
            strings::READING_AUDIT
        };
        crate::tui::components::list_table::empty_note(frame, body, note, theme);
    }
}

/// The table of audit entries, here and in the detail view's trail: the
/// time is long (with the date) when `long_time`, the reason shows when
/// `show_reason`.
pub fn entry_table<'a>(block: Block<'a>, long_time: bool, show_reason: bool) -> ListTable<'a, 7> {
    let widths = [
        Constraint::Length(6),
        Constraint::Length(if long_time { 14 } else { 8 }),
        Constraint::Fill(2),
        Constraint::Length(18),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Fill(2),
    ];
    ListTable::new(block, widths).mask([true, true, true, true, true, show_reason, true])
}

/// One entry's cells, one per column of [`entry_table`].
pub fn cells(e: &AuditEntry, theme: &Theme, long_time: bool) -> Vec<Line<'static>> {
    let time = if long_time {
        e.at.format("%m-%d %H:%M:%S")
    } else {
        e.at.format("%H:%M:%S")
    };
    // A rule's entries are the machine's; a person's stand out.
    let actor_style = if e.actor.starts_with("rule:") {
        theme.muted
    } else {
        theme.text
    };
    let result_style: Style = if e.result.starts_with("failed") {
        theme.error
    } else {
        theme.text
    };
    vec![
        Line::from(Span::styled(e.seq.to_string(), theme.muted)),
        Line::from(Span::styled(time.to_string(), theme.muted)),
        Line::from(Span::styled(e.actor.clone(), actor_style)),
        Line::from(Span::styled(e.action.clone(), theme.accent)),
        Line::from(Span::styled(e.target.clone(), theme.text)),
        Line::from(Span::styled(
            e.reason.clone().unwrap_or_else(|| "-".into()),
            theme.text,
        )),
        Line::from(Span::styled(e.result.clone(), result_style)),
    ]
}
