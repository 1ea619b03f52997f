//! The mouse: the wheel moves the selection of the list on screen, a click
//! on a row selects it, and a click on the row already selected opens it,
//! as Enter does. Nothing the mouse does acts on the backend: every action
//! stays behind its key and, where destructive, its dialog.

use crate::tui::app::{App, Overlay, Prompt};
use crate::tui::components::selection::Cursor;
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::screens;
use crate::tui::views::FIRST_ROW;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

/// Rows one notch of the wheel moves: what terminals scroll a page by.
const WHEEL: isize = 3;

impl App {
    pub fn handle_mouse(&mut self, event: MouseEvent) -> Vec<Effect> {
        // A dialog or a prompt owns the input until it closes; the mouse
        // must not change the selection under it.
        if self.overlay != Overlay::None || self.prompt != Prompt::None {
            return vec![];
        }
        let effects = match event.kind {
            MouseEventKind::ScrollDown => {
                self.move_selection(WHEEL);
                vec![]
            }
            MouseEventKind::ScrollUp => {
                self.move_selection(-WHEEL);
                vec![]
            }
            MouseEventKind::Down(MouseButton::Left) => self.click(event.row),
            _ => vec![],
        };
        self.prepare();
        effects
    }

    /// A left click on screen row `row`.
    fn click(&mut self, row: u16) -> Vec<Effect> {
        let Some(line) = row.checked_sub(FIRST_ROW).map(usize::from) else {
            return vec![];
        };
        let rows = self.table_rows;
        // The detail view's credentials sit below its card: no list there.
        let Some(list) = screens::list(self) else {
            return vec![];
        };
        if !list.clicks() || line >= list.rows_on_screen(rows) {
            return vec![];
        }
        let Cursor {
            offset,
            selected,
            len,
        } = list.cursor();
        let at = offset + line;
        if at >= len {
            return vec![];
        }
        if at == selected {
            return self.command(UiCommand::Open);
        }
        self.move_selection(at as isize - selected as isize);
        vec![]
    }
}
