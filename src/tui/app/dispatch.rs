//! A command (from a key, the mouse or the `:` line) carried out on the
//! screen on top: moving, opening, sorting, switching screens.

use super::{App, Level, Overlay, Prompt, Screen};
use crate::fleet::filter::Filter;
use crate::fleet::origin;
use crate::fleet::safe_text::escape;
use crate::tui::components::input::LineInput;
use crate::tui::components::selection::moved;
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::screens::{self, ListState};
use crate::tui::strings;

impl App {
    pub(crate) fn command(&mut self, command: UiCommand) -> Vec<Effect> {
        match command {
            UiCommand::Up => self.move_selection(-1),
            UiCommand::Down => self.move_selection(1),
            UiCommand::PageUp => self.move_selection(-(self.table_rows.max(1) as isize)),
            UiCommand::PageDown => self.move_selection(self.table_rows.max(1) as isize),
            UiCommand::Top => match screens::list(self) {
                Some(list) => list.top(),
                None => self.detail_cursor = 0,
            },
            UiCommand::Bottom => match screens::list(self) {
                Some(list) => list.bottom(),
                None => {
                    if let Screen::Detail { agent_id } = self.screen() {
                        self.detail_cursor =
                            self.fleet.credentials_of(agent_id).len().saturating_sub(1);
                    }
                }
            },
            UiCommand::Open => match self.screen() {
                Screen::Agents => {
                    if let Some(agent) = self.current_agent() {
                        let agent_id = agent.id.clone();
                        self.detail_cursor = 0;
                        self.screens.push(Screen::Detail { agent_id });
                    }
                }
                Screen::Alerts => self.open_alert_agent(),
                Screen::Triage => {
                    if let Some(agent) = self.current_agent() {
                        let agent_id = agent.id.clone();
                        self.detail_cursor = 0;
                        self.screens.push(Screen::Detail { agent_id });
                    }
                }
                Screen::Detail { .. } => {}
                Screen::People | Screen::Creds | Screen::Audit => self.pane_open(),
            },
            UiCommand::Back => {
                if self.screens.len() > 1 {
                    self.screens.pop();
                } else if !self.table.filter.is_empty() {
                    self.table.set_filter(Filter::default(), "");
                    self.flash(Level::Info, strings::FILTER_CLEARED);
                }
            }
            UiCommand::QuitOrBack => {
                if self.screens.len() > 1 {
                    self.screens.pop();
                } else {
                    self.quit = true;
                    return vec![Effect::Quit];
                }
            }
            UiCommand::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            UiCommand::Filter => {
                self.screens.truncate(1);
                let current = self.table.filter_text.clone();
                self.prompt = Prompt::Filter {
                    input: LineInput::with_text(&current),
                    error: None,
                };
            }
            UiCommand::CommandMode => {
                self.prompt = Prompt::Command {
                    input: LineInput::new(),
                }
            }
            UiCommand::Help => self.overlay = Overlay::Help,
            UiCommand::Agents => self.screens.truncate(1),
            // One alerts view, over the agents table: Esc goes back to it.
            // Coming in, the selection starts on the most urgent alert.
            UiCommand::Alerts => {
                self.screens.truncate(1);
                self.screens.push(Screen::Alerts);
                self.alerts.top();
            }
            UiCommand::Ack => self.ack(),
            // Over the agents table, like the alerts view; the queue comes
            // from the backends, which rank the owner suggestions.
            UiCommand::Triage => {
                self.screens.truncate(1);
                self.screens.push(Screen::Triage);
                self.triage.top();
                return self.fetch_triage();
            }
            UiCommand::People => self.open_pane(Screen::People),
            UiCommand::Creds => self.open_pane(Screen::Creds),
            UiCommand::Audit => self.open_pane(Screen::Audit),
            UiCommand::VerifyAudit => return self.verify_audit_now(),
            UiCommand::Refresh => {
                self.flash(Level::Info, strings::POLLING_NOW);
                if *self.screen() == Screen::Triage {
                    let mut effects = self.fetch_triage();
                    effects.push(Effect::PollNow);
                    return effects;
                }
                return vec![Effect::PollNow];
            }
            UiCommand::SortName => self
                .table
                .sort_by(crate::tui::screens::agents::state::SortKey::Name),
            UiCommand::SortOwner => self
                .table
                .sort_by(crate::tui::screens::agents::state::SortKey::Owner),
            UiCommand::SortStatus => self
                .table
                .sort_by(crate::tui::screens::agents::state::SortKey::Status),
            UiCommand::SortRisk => self
                .table
                .sort_by(crate::tui::screens::agents::state::SortKey::Risk),
            UiCommand::SortLastSeen => self
                .table
                .sort_by(crate::tui::screens::agents::state::SortKey::LastSeen),
            UiCommand::SortAlerts => self
                .table
                .sort_by(crate::tui::screens::agents::state::SortKey::Alerts),
            UiCommand::Mark => self.toggle_mark(),
            UiCommand::MarkRange => self.mark_range(),
            UiCommand::ClearMarks => {
                if !self.marks.is_empty() {
                    self.flash(Level::Info, strings::marks_cleared(self.marks.len()));
                }
                self.marks.clear();
                self.mark_anchor = None;
            }
            // Marks are the table's: in an agent's own view, f, K and o act
            // on that agent alone.
            UiCommand::Freeze if self.bulk() => return self.bulk_freeze(),
            UiCommand::Kill if self.bulk() => return self.bulk_kill(),
            UiCommand::Owner if self.bulk() => self.bulk_owner_picker(),
            UiCommand::Freeze => return self.freeze(),
            UiCommand::Kill => return self.kill(),
            UiCommand::Owner => self.owner_picker(),
            UiCommand::Revoke => self.revoke(),
            UiCommand::Ctx => self.narrow_to(""),
            UiCommand::Theme => {
                let names = self.theme_names.join(", ");
                self.flash(Level::Info, strings::themes(&names));
            }
        }
        vec![]
    }

    /// `:ctx NAME` shows one backend's agents and alerts; `:ctx` (an empty
    /// name) all of them again, and says how each backend is.
    pub(super) fn narrow_to(&mut self, name: &str) {
        if name.is_empty() {
            self.ctx = None;
            self.table.set_scope(None);
            self.alerts.set_scope(None);
            let list: Vec<String> = self
                .backends
                .iter()
                .map(|b| format!("{} {}", b.name, b.health.word()))
                .collect();
            self.flash(Level::Info, strings::showing_every_backend(list.join(", ")));
            return;
        }
        let Some(i) = self.backends.iter().position(|b| b.name == name) else {
            let names: Vec<&str> = self.backends.iter().map(|b| b.name.as_str()).collect();
            self.flash(
                Level::Error,
                strings::no_such_backend(escape(name), names.join(", ")),
            );
            return;
        };
        // With one backend, nothing is qualified: all of it is "that one".
        let prefix = self
            .merged()
            .then(|| format!("{}{}", self.backends[i].name, origin::SEPARATOR));
        self.ctx = Some(i);
        self.table.set_scope(prefix.clone());
        self.alerts.set_scope(prefix);
        self.screens.truncate(1);
        self.flash(
            Level::Info,
            strings::showing_one_backend(&self.backends[i].name),
        );
    }

    pub(crate) fn move_selection(&mut self, delta: isize) {
        if let Some(list) = screens::list(self) {
            list.move_by(delta);
            return;
        }
        // The detail view moves over the agent's credentials.
        if let Screen::Detail { agent_id } = self.screen() {
            let n = self.fleet.credentials_of(agent_id).len();
            self.detail_cursor = moved(self.detail_cursor, delta, n);
        }
    }

    pub(super) fn fetch_triage(&mut self) -> Vec<Effect> {
        self.triage.waiting = self.wardens().count();
        vec![Effect::FetchTriage]
    }

    /// Enter in the alerts view: the alert's agent's detail; Esc comes back.
    pub(super) fn open_alert_agent(&mut self) {
        let Some(alert) = self.selected_alert() else {
            return;
        };
        let Some(agent_id) = alert.agent_id.clone() else {
            self.flash(Level::Info, strings::ALERT_NAMES_NO_AGENT);
            return;
        };
        if self.fleet.agent(&agent_id).is_none() {
            self.flash(Level::Info, strings::agent_not_in_fleet(&agent_id));
            return;
        }
        self.detail_cursor = 0;
        self.screens.push(Screen::Detail { agent_id });
    }
}
