//! The app's side of what the screens fetch: asking the screen on top what
//! it needs when it comes into view and after each poll, and taking the
//! answers in. Each screen's state is its field of [`Panes`]; what it does
//! with its keys is its own, in its folder under `screens/`.

use crate::model::Credential;
use crate::sources::SourceEvent;
use crate::tui::app::App;
use crate::tui::msg::{Effect, Msg};
#[cfg(doc)]
use crate::tui::screens::Panes;
use crate::tui::screens::Screen;
use std::time::Instant;

/// What a message means for these screens, noted before the state machine
/// takes it.
pub(super) struct Seen {
    synced: bool,
    /// Which backend answered.
    backend: usize,
    /// A full answer after the first: the backend now answers from another
    /// database, whose audit chain has its own numbers.
    replaced: bool,
}

impl App {
    /// The credential selected on the credentials screen.
    pub fn selected_credential(&self) -> Option<&Credential> {
        self.panes
            .creds
            .selected_id()
            .and_then(|id| self.fleet.credential(id))
    }

    /// What a screen that just came into view needs from the backend.
    pub(super) fn came_into_view(&mut self, before: &Screen) -> Vec<Effect> {
        if self.screen() == before {
            return vec![];
        }
        self.screen().def().came_into_view(self)
    }

    pub(super) fn seen(msg: &Msg) -> Seen {
        match msg {
            Msg::Source {
                backend,
                event: SourceEvent::Synced { changes, .. },
            } => Seen {
                synced: true,
                backend: *backend,
                replaced: changes.full,
            },
            _ => Seen {
                synced: false,
                backend: 0,
                replaced: false,
            },
        }
    }

    /// After a poll answered: the backend's guardrail actions, and what
    /// the screen shown needs again (the open agent's activity and trail,
    /// the audit tail's new entries).
    pub(super) fn after_poll(&mut self, seen: Seen) -> Vec<Effect> {
        if !seen.synced {
            return vec![];
        }
        if seen.replaced && seen.backend == self.panes.audit.backend && self.panes.audit.loaded() {
            self.panes.audit.reset();
        }
        let mut effects = self.ask_guardrails(seen.backend, seen.replaced);
        effects.extend(self.screen().def().after_poll(self));
        effects
    }

    /// The answers to the reads these screens asked for.
    pub(super) fn pane_msg(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Audit(result) => {
                let more = self.panes.audit.received(result);
                // The next page only while someone looks at it; the next
                // visit continues from the last entry held.
                match more {
                    Some(e) if *self.screen() == Screen::Audit => vec![e],
                    Some(_) => {
                        self.panes.audit.abandon_fetch();
                        vec![]
                    }
                    None => vec![],
                }
            }
            Msg::AuditVerified(result) => {
                self.panes.audit.verified(result, Instant::now());
                vec![]
            }
            Msg::Detail { agent_id, result } => {
                // Its credentials and grants, which the summary form only
                // counted, are held from now on.
                if let Ok(detail) = &result {
                    self.fleet.load_detail(detail);
                }
                self.panes.detail.detail_received(&agent_id, result);
                vec![]
            }
            Msg::Trail { agent_id, result } => {
                self.panes.detail.trail_received(&agent_id, result);
                vec![]
            }
            Msg::AlertRead { alert_id, result } => {
                self.panes.alert.received(&alert_id, result);
                vec![]
            }
            _ => vec![],
        }
    }
}
