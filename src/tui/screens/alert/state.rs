//! What the alert view keeps between frames: how far it is scrolled. The
//! timeline comes from the alert's agent's audit trail, which the agent
//! view's state fetches and keeps (`panes.detail`).

use crate::tui::components::selection::Cursor;
use crate::tui::screens::ListState;
use std::cell::Cell;

#[derive(Debug, Default)]
pub struct AlertPane {
    /// The first wrapped line shown.
    pub scroll: usize,
    /// How far it can scroll, as the last frame measured the text at its
    /// width: j/k stop there.
    pub max_scroll: Cell<usize>,
}

impl ListState for AlertPane {
    fn move_by(&mut self, delta: isize) {
        let max = self.max_scroll.get();
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    fn cursor(&self) -> Cursor {
        Cursor {
            offset: self.scroll,
            selected: self.scroll,
            len: self.max_scroll.get() + 1,
        }
    }

    /// Text, not rows: the wheel scrolls it.
    fn clicks(&self) -> bool {
        false
    }
}
