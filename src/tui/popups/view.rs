//! What draws over the body: help, the confirmation dialog, the owner
//! picker, and the welcome screen of an empty registry.

use crate::model::{CredentialStatus, StepStatus};
use crate::tui::app::App;
use crate::tui::keys::bindings;
use crate::tui::popups::confirm::{Confirm, Field, Phase, Plan, StepLine, Subject};
use crate::tui::popups::picker::OwnerPicker;
use crate::tui::popups::secret::SecretPopup;
use crate::tui::strings;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Rows `lines` take once wrapped inside a box `width` wide (borders
/// included), so a popup is never cut short.
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let inner = width.saturating_sub(2).max(1) as usize;
    lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner) as u16)
        .sum()
}

/// A box of at most `width` x `height` in the middle of `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn popup<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(Span::styled(format!(" {title} "), theme.title))
}

pub fn help(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let refused = app.actions_refused();
    // A viewer (or --readonly) is not shown keys it may not use.
    let mut lines: Vec<Line> = bindings::bindings_for(app.screen())
        .filter(|b| !(b.acts && refused.is_some()))
        .map(|b| {
            Line::from(vec![
                // Wide enough for the longest label, `ctrl-space`.
                Span::styled(format!("{:>10}  ", app.keys.label(b)), theme.accent),
                Span::styled(b.help(app.screen()), theme.text),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("{:>10}  {}", "ctrl-c", strings::QUIT_FROM_ANYWHERE),
        theme.muted,
    ));
    if refused.is_none() {
        lines.push(Line::styled(strings::HELP_DIALOGS, theme.muted));
    }
    if let Some(why) = refused {
        lines.push(Line::styled(why, theme.error));
    }
    lines.push(Line::styled(strings::HELP_CLOSES, theme.muted));
    let width = 90.min(area.width);
    let rect = centered(area, width, wrapped_height(&lines, width) + 2);
    frame.render_widget(Clear, rect);
    let help = Paragraph::new(lines).wrap(Wrap { trim: false });
    frame.render_widget(help.block(popup(strings::HELP_TITLE.into(), theme)), rect);
}

fn step_style(status: StepStatus, theme: &Theme) -> (&'static str, Style) {
    match status {
        StepStatus::Pending => ("…", theme.pending),
        StepStatus::Ok => ("✓", theme.success),
        StepStatus::Skipped => ("-", theme.muted),
        StepStatus::Failed => ("✗", theme.error),
    }
}

fn field_line<'a>(label: &str, value: &str, focused: bool, theme: &Theme) -> Line<'a> {
    let style = if focused { theme.selection } else { theme.text };
    let cursor = if focused { "█" } else { "" };
    Line::from(vec![
        Span::styled(format!("{label:<8}"), theme.muted),
        Span::styled(format!("[{value}{cursor}]"), style),
    ])
}

pub fn confirm(frame: &mut Frame, area: Rect, d: &Confirm, theme: &Theme) {
    let mut lines: Vec<Line> = Vec::new();
    // Once the backend has answered, its steps say what happened; the
    // forecast would only contradict them.
    if !matches!(d.phase, Phase::Done { .. }) {
        lines.push(Line::styled(strings::BLAST_RADIUS, theme.header));
        for b in &d.blast {
            lines.push(Line::styled(format!("  • {b}"), theme.text));
        }
    }
    match &d.plan {
        Plan::NotNeeded => {}
        Plan::Loading => lines.push(Line::styled(
            format!("  {}", strings::ASKING_FOR_PLAN),
            theme.pending,
        )),
        Plan::Failed(e) => lines.push(Line::styled(
            format!("  {}", strings::plan_failed(e)),
            theme.error,
        )),
        Plan::Ready(op) if matches!(d.phase, Phase::Editing) => {
            lines.push(Line::styled(strings::BACKEND_WILL, theme.header));
            for s in &op.steps {
                let (mark, style) = step_style(s.status, theme);
                lines.push(Line::styled(format!("  {mark} {}", s.detail), style));
            }
        }
        Plan::Ready(_) => {}
    }
    lines.push(Line::raw(""));
    match &d.phase {
        Phase::Editing => {
            // What must be typed to confirm, then the reason.
            let typed = |lines: &mut Vec<Line>, prompt: String, label: &str| {
                lines.push(Line::styled(prompt, theme.muted));
                lines.push(field_line(
                    label,
                    d.name.text(),
                    d.focus == Field::Name,
                    theme,
                ));
                lines.push(field_line(
                    strings::REASON,
                    d.reason.text(),
                    d.focus == Field::Reason,
                    theme,
                ));
            };
            if let Subject::Kill { name, cascade, .. } = &d.subject {
                typed(
                    &mut lines,
                    strings::type_name_to_confirm(name),
                    strings::NAME,
                );
                let mark = if *cascade { "x" } else { " " };
                let style = if d.focus == Field::Cascade {
                    theme.selection
                } else {
                    theme.text
                };
                lines.push(Line::styled(
                    format!("        [{mark}] {}", strings::ALSO_KILL_DELEGATES),
                    style,
                ));
            } else if let Some(phrase) = d.phrase() {
                // A bulk kill: a count typed, not a name, names N agents.
                typed(
                    &mut lines,
                    strings::type_phrase_to_confirm(phrase),
                    strings::CONFIRM,
                );
            } else {
                let grace = match &d.subject {
                    Subject::Rotate { .. } => Some((strings::GRACE_HELP, strings::GRACE)),
                    Subject::Snooze { .. } => Some((strings::SNOOZE_HELP, strings::SNOOZE_FOR)),
                    _ => None,
                };
                if let Some((help, label)) = grace {
                    lines.push(Line::styled(help, theme.muted));
                    lines.push(field_line(
                        label,
                        d.grace.text(),
                        d.focus == Field::Grace,
                        theme,
                    ));
                }
                lines.push(field_line(
                    strings::REASON,
                    d.reason.text(),
                    d.focus == Field::Reason,
                    theme,
                ));
            }
            lines.push(Line::raw(""));
            let button = |label: &str, focused: bool, danger: bool| {
                let style = match (focused, danger) {
                    (true, true) => theme.critical,
                    (true, false) => theme.selection,
                    _ => theme.text,
                };
                Span::styled(format!("[ {label} ]"), style)
            };
            lines.push(Line::from(vec![
                button(strings::CANCEL, d.focus == Field::Cancel, false),
                Span::raw("   "),
                button(d.confirm_label(), d.focus == Field::Confirm, true),
            ]));
            if let Some(p) = &d.problem {
                lines.push(Line::styled(p.clone(), theme.error));
            }
            lines.push(Line::styled(strings::DIALOG_KEYS, theme.muted));
        }
        Phase::Running { .. } => {
            lines.push(Line::styled(strings::SENT_WAITING, theme.pending));
            lines.push(Line::styled(strings::ESC_HIDES_RESULT, theme.muted));
        }
        Phase::RunningMany => {
            push_steps(&mut lines, &d.row_lines(), MAX_STEPS, theme);
            lines.push(Line::styled(
                strings::answered_of(d.answered(), d.rows.len()),
                theme.pending,
            ));
            lines.push(Line::styled(strings::ESC_HIDES_COUNT, theme.muted));
        }
        Phase::Done {
            ok,
            steps,
            message,
            verified,
        } => {
            // A single kill's steps are the backend's, in its order: all shown.
            let max = if d.is_bulk() { MAX_STEPS } else { usize::MAX };
            push_steps(&mut lines, steps, max, theme);
            match verified {
                Some(true) => lines.push(Line::styled(
                    format!("  ✓ {}", strings::VERIFIED_KILLED),
                    theme.success,
                )),
                Some(false) => lines.push(Line::styled(
                    format!("  … {}", strings::VERIFYING_KILL),
                    theme.pending,
                )),
                None => {}
            }
            lines.push(Line::styled(
                message.clone(),
                if *ok { theme.success } else { theme.error },
            ));
            lines.push(Line::styled(strings::ENTER_OR_ESC_CLOSES, theme.muted));
        }
    }
    let rect = centered(area, 78, wrapped_height(&lines, 78) + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(popup(d.title(), theme)),
        rect,
    );
}

/// A bulk action's progress lines on screen at most: many agents must not
/// push the message off the screen. Its lines come failures first, so what
/// is cut is never a failure.
const MAX_STEPS: usize = 12;

fn push_steps(lines: &mut Vec<Line>, steps: &[StepLine], max: usize, theme: &Theme) {
    for s in steps.iter().take(max) {
        let (mark, style) = step_style(s.status, theme);
        lines.push(Line::styled(format!("  {mark} {}", s.text), style));
    }
    if steps.len() > max {
        lines.push(Line::styled(
            format!("  … {}", strings::and_more(steps.len() - max)),
            theme.muted,
        ));
    }
}

/// A rotated credential's new secret, shown once. The times are written
/// out in UTC: a relative time would be stale by the time it is read.
pub fn secret(frame: &mut Frame, area: Rect, p: &SecretPopup, theme: &Theme) {
    let utc = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    let (new, old) = (&p.credential, &p.previous);
    let retired = match (old.status, old.expires_at) {
        (CredentialStatus::Revoked, _) => strings::OLD_REFUSED_NOW.to_string(),
        (CredentialStatus::Expired, _) => strings::OLD_ALREADY_EXPIRED.to_string(),
        (CredentialStatus::Active, Some(t)) => strings::old_works_until(utc(t)),
        (CredentialStatus::Active, None) => strings::OLD_STILL_ACTIVE.to_string(),
    };
    let expires = new
        .expires_at
        .map(utc)
        .unwrap_or_else(|| strings::NEVER_LIKE_THE_OLD.to_string());
    let lines = vec![
        Line::styled(strings::replaces(&old.id), theme.text),
        Line::styled(strings::secret_scopes(new.scopes.join(" ")), theme.text),
        Line::styled(strings::secret_expires(expires), theme.text),
        Line::styled(strings::old_one(retired), theme.text),
        Line::raw(""),
        Line::styled(format!("  {}", p.secret.expose()), theme.accent),
        Line::raw(""),
        Line::styled(strings::SECRET_SHOWN_ONCE, theme.high),
        Line::styled(strings::SECRET_CLOSES, theme.muted),
    ];
    let width = 78.min(area.width);
    let rect = centered(area, width, wrapped_height(&lines, width) + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(popup(
                strings::new_secret_title(&new.id, &p.agent_name),
                theme,
            )),
        rect,
    );
}

pub fn picker(frame: &mut Frame, area: Rect, p: &OwnerPicker, theme: &Theme) {
    let rect = centered(area, 70, 18);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{} ", strings::OWNER), theme.muted),
            Span::styled(format!("{}█", p.query.text()), theme.header),
        ]),
        Line::raw(""),
    ];
    let room = rect.height.saturating_sub(5) as usize;
    let start = p.selected.saturating_sub(room.saturating_sub(1));
    for i in start..(start + room).min(p.shown.len()) {
        let Some(c) = p.candidate(i) else { continue };
        let style = if i == p.selected {
            theme.selection
        } else {
            theme.text
        };
        let mut spans = vec![Span::styled(c.label.clone(), style)];
        if let Some(r) = &c.reason {
            spans.push(Span::styled(format!("  ← {r}"), theme.accent));
        }
        lines.push(Line::from(spans));
    }
    if p.shown.is_empty() {
        lines.push(Line::styled(strings::NOBODY_MATCHES, theme.muted));
    }
    lines.push(Line::styled(strings::PICKER_KEYS, theme.muted));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(popup(strings::new_owner_for(&p.agent_name), theme)),
        rect,
    );
}

pub fn welcome(frame: &mut Frame, area: Rect, text: &str, theme: &Theme) {
    let lines: Vec<Line> = text
        .lines()
        .map(|l| Line::styled(l.to_string(), theme.text))
        .collect();
    let rect = centered(area, 76, lines.len() as u16 + 2);
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Left)
            .block(popup(strings::WELCOME_TITLE.into(), theme)),
        rect,
    );
}
