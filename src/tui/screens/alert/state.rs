//! What the alert view keeps between frames: how far it is scrolled, and
//! the alert as its backend answered `GET /v1/alerts/{id}` when the view
//! opened it (the lean first sync leaves out the evidence, the mapping and
//! the reasons given). The timeline comes from the alert's agent's audit
//! trail, which the agent view's state fetches and keeps (`panes.detail`).

use crate::model::Alert;
use crate::tui::components::selection::Cursor;
use crate::tui::msg::Effect;
use crate::tui::screens::ListState;
use std::cell::Cell;

#[derive(Debug, Default)]
pub struct AlertPane {
    /// The first wrapped line shown.
    pub scroll: usize,
    /// How far it can scroll, as the last frame measured the text at its
    /// width: j/k stop there.
    pub max_scroll: Cell<usize>,
    /// The read of the alert shown, if one was asked for.
    pub read: Option<AlertRead>,
}

/// One alert's read from its backend.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRead {
    pub alert_id: String,
    pub state: ReadState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReadState {
    Reading,
    Read(Box<Alert>),
    Failed(String),
}

impl AlertPane {
    /// Reads `alert_id` afresh: its evidence may have grown since.
    pub fn ask(&mut self, alert_id: &str) -> Vec<Effect> {
        self.read = Some(AlertRead {
            alert_id: alert_id.to_string(),
            state: ReadState::Reading,
        });
        vec![Effect::FetchAlert {
            alert_id: alert_id.to_string(),
        }]
    }

    /// The backend's answer; one for an alert no longer asked about is
    /// dropped.
    pub fn received(&mut self, alert_id: &str, result: Result<Box<Alert>, String>) {
        let Some(read) = self.read.as_mut().filter(|r| r.alert_id == alert_id) else {
            return;
        };
        read.state = match result {
            Ok(mut alert) => {
                crate::fleet::state::Sanitize::sanitize(alert.as_mut());
                ReadState::Read(alert)
            }
            Err(e) => ReadState::Failed(e),
        };
    }

    /// The alert to show the details of: the read one, unless the fleet's
    /// copy is newer (a poll after the read brings alerts in full).
    pub fn newest<'a>(&'a self, held: &'a Alert) -> &'a Alert {
        match self.read.as_ref().map(|r| (&r.alert_id, &r.state)) {
            Some((id, ReadState::Read(a))) if *id == held.id && a.rev >= held.rev => a,
            _ => held,
        }
    }

    /// How the read of `alert_id` stands, if it was asked for.
    pub fn state_of(&self, alert_id: &str) -> Option<&ReadState> {
        self.read
            .as_ref()
            .filter(|r| r.alert_id == alert_id)
            .map(|r| &r.state)
    }
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
