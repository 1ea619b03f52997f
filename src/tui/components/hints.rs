//! The hint bar: the keys of the screen on top, as this user mapped them,
//! each once, the screen's own first; the actions are left out while the
//! backend refuses them, and a bar too narrow for all ends with `…`.

use crate::tui::app::App;
use crate::tui::keys::bindings;
use crate::tui::strings;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let refused = app.actions_refused().is_some();
    let mut spans = Vec::new();
    let mut seen = Vec::new();
    let mut hints: Vec<(u8, String, String)> = Vec::new();
    for b in bindings::bindings_for(app.screen()) {
        let Some(word) = strings::hint(b.command) else {
            continue;
        };
        // Revoking needs a credential, which only the detail view and the
        // credentials view select.
        let off_screen = match b.command {
            bindings::UiCommand::Revoke => !app.screen().def().selects_credential(),
            // Only while the alert shown has an automatic action to stop.
            bindings::UiCommand::StopGuardrail | bindings::UiCommand::RunGuardrail => {
                app.guardrail_in_view().is_none()
            }
            _ => false,
        };
        if (b.acts && refused) || off_screen || seen.contains(&word) {
            continue;
        }
        seen.push(word);
        // On a narrow terminal the screen's own keys must survive: Enter
        // and the actions first, then `?` (which lists the rest), then
        // what every screen shares (back, filter, command, quit).
        use bindings::UiCommand as C;
        // A pending automatic action's keys lead: it acts by itself soon.
        let rank = match b.command {
            C::StopGuardrail | C::RunGuardrail | C::Open => 0,
            C::Help => 2,
            C::Back | C::QuitOrBack | C::Quit | C::Filter | C::CommandMode => 3,
            _ => 1,
        };
        hints.push((rank, format!("<{}>", app.keys.label(b)), format!(" {word}")));
    }
    hints.sort_by_key(|(rank, _, _)| *rank);
    // What does not fit is not silently cut: the bar ends with `…`, and
    // `?` lists every key.
    let width = usize::from(area.width);
    let mut used = 0;
    for (i, (_, key, word)) in hints.iter().enumerate() {
        let gap = if i == 0 { "" } else { GAP };
        let need = gap.len() + key.width() + word.width();
        // Room for the `…` after it, unless it is the last.
        let after = if i + 1 == hints.len() {
            0
        } else {
            GAP.len() + 1
        };
        if used + need + after > width {
            spans.push(Span::styled(format!("{gap}{MORE}"), theme.muted));
            break;
        }
        used += need;
        spans.push(Span::raw(gap));
        spans.push(Span::styled(key.clone(), theme.accent));
        spans.push(Span::styled(word.clone(), theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Ends a hint bar that lost keys to the width.
const MORE: &str = "…";
const GAP: &str = "  ";
