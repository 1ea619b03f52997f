//! The people, credentials and audit screens, and the agent detail's
//! fetched sections, as the state machine sees them: their state, what
//! their keys do, what to fetch when one comes into view and after each
//! poll, and what to do with the answers. Kept beside `mod.rs` rather than
//! in it, so these views grow without touching its core.

use crate::fleet::filter::Filter;
use crate::model::Credential;
use crate::sources::SourceEvent;
use crate::tui::app::{App, Level, Screen};
use crate::tui::msg::{Effect, Msg};
use crate::tui::screens::ListState;
use crate::tui::screens::audit::state::AuditLog;
use crate::tui::screens::creds::state::CredList;
use crate::tui::screens::detail::state::DetailExtras;
use crate::tui::screens::people::state::PeopleList;
use crate::tui::strings;
use std::time::Instant;

/// The state of the screens this module owns.
#[derive(Debug, Default)]
pub struct Panes {
    pub people: PeopleList,
    pub creds: CredList,
    pub audit: AuditLog,
    /// The open agent's activity and audit trail.
    pub detail: DetailExtras,
}

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
    /// Rebuilds a list only while its screen is shown: a poll must not pay
    /// for sorting every credential when nobody looks at them.
    pub(super) fn prepare_panes(&mut self) {
        let rows = self.table_rows;
        match self.screen() {
            Screen::People => {
                let list = &mut self.panes.people;
                list.refresh(&self.fleet);
                list.sel.scroll(rows, list.rows.len());
            }
            Screen::Creds => {
                let list = &mut self.panes.creds;
                list.refresh(&self.fleet);
                list.sel.scroll(rows, list.order.len());
            }
            Screen::Audit => {
                // The chain's verdict takes a row above the entries.
                let log = &mut self.panes.audit;
                log.sel.scroll(rows.saturating_sub(1), log.entries.len());
            }
            _ => {}
        }
    }

    /// `:people`, `:creds`, `:audit`: one of each, over the agents table,
    /// so Esc goes back to it.
    pub(super) fn open_pane(&mut self, screen: Screen) {
        self.screens.truncate(1);
        if screen == Screen::Audit {
            self.panes.audit.bottom();
        }
        self.screens.push(screen);
    }

    /// Enter: a person's agents (the agents table, filtered to exactly
    /// that owner; Esc clears it), or a credential's agent.
    pub(super) fn pane_open(&mut self) {
        match self.screen() {
            Screen::People => {
                let Some(person) = self
                    .panes
                    .people
                    .selected()
                    .and_then(|r| self.fleet.person(&r.person_id))
                else {
                    return;
                };
                // The email reads better in the crumbs; an id is a fallback
                // for a directory entry with no email.
                let key = if person.email.is_empty() {
                    &person.id
                } else {
                    &person.email
                };
                let text = if key.contains(char::is_whitespace) || key.contains('"') {
                    format!("owner:={}", person.id)
                } else {
                    format!("owner:={key}")
                };
                let name = person.name.clone();
                match Filter::parse(&text) {
                    Ok(filter) => {
                        self.screens.truncate(1);
                        self.table.set_filter(filter, &text);
                        self.table.top();
                        self.flash(Level::Info, strings::agents_of_person(&name));
                    }
                    Err(e) => self.flash(Level::Error, strings::cannot_filter_on(&name, &e)),
                }
            }
            Screen::Creds => {
                let Some(c) = self.selected_credential().cloned() else {
                    return;
                };
                if self.fleet.agent(&c.agent_id).is_none() {
                    self.flash(Level::Info, strings::agent_not_in_fleet(c.agent_id));
                    return;
                }
                // On the agent's own view, the same credential is selected.
                self.detail_cursor = self
                    .fleet
                    .credentials_of(&c.agent_id)
                    .iter()
                    .position(|x| x.id == c.id)
                    .unwrap_or(0);
                self.screens.push(Screen::Detail {
                    agent_id: c.agent_id,
                });
            }
            _ => {}
        }
    }

    /// The credential selected on the credentials screen.
    pub fn selected_credential(&self) -> Option<&Credential> {
        self.panes
            .creds
            .selected_id()
            .and_then(|id| self.fleet.credential(id))
    }

    /// `v` on the audit screen: verify the chain now, even if it was just
    /// verified; a verification already out is not doubled.
    pub(super) fn verify_audit_now(&mut self) -> Vec<Effect> {
        match self.panes.audit.verify(Instant::now(), true) {
            Some(effect) => {
                self.flash(Level::Pending, strings::VERIFYING_AUDIT);
                vec![effect]
            }
            None => {
                self.flash(Level::Info, strings::VERIFICATION_RUNNING);
                vec![]
            }
        }
    }

    /// What a screen that just came into view needs from the backend.
    pub(super) fn came_into_view(&mut self, before: &Screen) -> Vec<Effect> {
        if self.screen() == before {
            return vec![];
        }
        match self.screen().clone() {
            Screen::Detail { agent_id } => self.panes.detail.show(&agent_id),
            Screen::Audit => {
                // With several backends, the chain of the one `:ctx` shows
                // (an Alertmanager has none: then the first Warden's).
                let backend = self
                    .ctx
                    .filter(|&i| self.backends[i].kind == crate::tui::app::BackendKind::Warden)
                    .or_else(|| self.wardens().next())
                    .unwrap_or(0);
                let log = &mut self.panes.audit;
                log.follow_backend(backend);
                let mut effects: Vec<Effect> = log.fetch().into_iter().collect();
                effects.extend(log.verify(Instant::now(), true));
                effects
            }
            _ => vec![],
        }
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

    /// After a poll answered: what the screen shown needs again (the open
    /// agent's activity and trail, the audit tail's new entries).
    pub(super) fn after_poll(&mut self, seen: Seen) -> Vec<Effect> {
        if !seen.synced {
            return vec![];
        }
        if seen.replaced && seen.backend == self.panes.audit.backend && self.panes.audit.loaded() {
            self.panes.audit.reset();
        }
        match self.screen().clone() {
            Screen::Detail { agent_id } => self.panes.detail.show(&agent_id),
            Screen::Audit => {
                let log = &mut self.panes.audit;
                let mut effects: Vec<Effect> = log.fetch().into_iter().collect();
                effects.extend(log.verify(Instant::now(), false));
                effects
            }
            _ => vec![],
        }
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
                self.panes.detail.detail_received(&agent_id, result);
                vec![]
            }
            Msg::Trail { agent_id, result } => {
                self.panes.detail.trail_received(&agent_id, result);
                vec![]
            }
            _ => vec![],
        }
    }
}
