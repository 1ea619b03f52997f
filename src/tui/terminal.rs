//! The terminal the dashboard draws on: raw mode, the alternate screen and
//! mouse reporting on the way in, and the way back out on every exit path: a normal quit,
//! an error (the guard's `Drop`), and a panic (the hooks `ratatui::try_init`
//! and [`Tui::enter`] install).
//!
//! A panic in a background task does not unwind the loop, but its hook has
//! already given the terminal back; [`panicked`] lets the loop notice and
//! stop instead of drawing into a restored terminal.

use crate::tui::strings;
use crossterm::cursor::Show;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use crossterm::{execute, queue};
use ratatui::{DefaultTerminal, Frame};
use std::io::{self, IsTerminal};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

static PANICKED: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Whether any thread of the process panicked since the terminal was taken.
pub fn panicked() -> bool {
    PANICKED.load(Ordering::SeqCst)
}

/// Why the dashboard cannot start here, if it cannot: it needs a terminal
/// on both stdin (keys) and stdout (the screen).
pub fn not_a_terminal() -> Option<&'static str> {
    if !io::stdout().is_terminal() {
        Some(strings::STDOUT_NOT_A_TERMINAL)
    } else if !io::stdin().is_terminal() {
        Some(strings::STDIN_NOT_A_TERMINAL)
    } else {
        None
    }
}

/// The terminal while the dashboard owns it.
pub struct Tui {
    terminal: DefaultTerminal,
    restored: bool,
}

impl Tui {
    /// Takes the terminal: raw mode, alternate screen, hidden cursor.
    pub fn enter() -> io::Result<Tui> {
        if let Some(why) = not_a_terminal() {
            return Err(io::Error::other(strings::needs_a_terminal(why)));
        }
        let terminal = match ratatui::try_init() {
            Ok(t) => t,
            Err(e) => {
                // Half-way in (raw mode on, no alternate screen) is the
                // worst place to leave a user's shell.
                ratatui::restore();
                return Err(e);
            }
        };
        install_panic_hook();
        // The wheel scrolls and a click selects. A terminal that cannot
        // report the mouse still works with the keys alone.
        if let Err(e) = execute!(io::stdout(), EnableMouseCapture) {
            tracing::debug!(error = %e, "no mouse reporting");
        }
        Ok(Tui {
            terminal,
            restored: false,
        })
    }

    /// Draws one frame inside a synchronized update, so terminals that
    /// support it never show a half-drawn screen (others ignore it).
    pub fn draw(&mut self, render: impl FnOnce(&mut Frame)) -> io::Result<()> {
        // Queued: the frame's own flush sends it, one write instead of two.
        queue!(self.terminal.backend_mut(), BeginSynchronizedUpdate)?;
        let drawn = self.terminal.draw(render).map(|_| ());
        // End the update even when drawing failed, or the terminal would
        // hold back everything after it.
        let ended = execute!(self.terminal.backend_mut(), EndSynchronizedUpdate);
        drawn.and(ended)
    }

    pub fn size(&self) -> io::Result<(u16, u16)> {
        let s = self.terminal.size()?;
        Ok((s.width, s.height))
    }

    /// Gives the terminal back: cursor shown, raw mode off, main screen.
    /// Leaving the alternate screen is the last thing written, so the shell
    /// gets its screen back exactly as it was.
    pub fn restore(&mut self) {
        if self.restored {
            return;
        }
        self.restored = true;
        let _ = execute!(io::stdout(), DisableMouseCapture);
        let _ = self.terminal.show_cursor();
        ratatui::restore();
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Chained in front of ratatui's hook (which leaves raw mode and the
/// alternate screen): shows the cursor, logs the panic to the log file, and
/// raises the flag the loop checks.
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.store(true, Ordering::SeqCst);
            tracing::error!(panic = %info, "panic");
            let _ = execute!(io::stdout(), DisableMouseCapture, Show);
            previous(info);
        }));
    });
}
