//! The hint bar: the keys of the screen on top, as this user mapped them,
//! each once; the actions are left out while the backend refuses them.

use crate::tui::app::App;
use crate::tui::keys::bindings;
use crate::tui::strings;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let refused = app.actions_refused().is_some();
    let mut spans = Vec::new();
    let mut seen = Vec::new();
    for b in bindings::bindings_for(app.screen()) {
        let Some(word) = strings::hint(b.command) else {
            continue;
        };
        // Revoking needs a credential, which only the detail view and the
        // credentials view select.
        let off_screen =
            b.command == bindings::UiCommand::Revoke && !app.screen().def().selects_credential();
        if (b.acts && refused) || off_screen || seen.contains(&word) {
            continue;
        }
        seen.push(word);
        spans.push(Span::styled(
            format!("<{}>", app.keys.label(b)),
            theme.accent,
        ));
        spans.push(Span::styled(format!(" {word}  "), theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
