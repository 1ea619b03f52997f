//! A command (from a key, the mouse or the `:` line): the screen on top
//! answers its own first ([`ScreenDef::command`]: sorting, marks, `a`,
//! `v`, …), then the app the rest: moving, opening, going back, the
//! prompts, bringing up a screen, the actions and `:ctx`.
//!
//! [`ScreenDef::command`]: crate::tui::screens::ScreenDef::command

use super::{App, Level, Overlay, Prompt, Screen};
use crate::fleet::filter::Filter;
use crate::fleet::origin;
use crate::fleet::safe_text::escape;
use crate::tui::components::input::LineInput;
use crate::tui::keys::bindings::UiCommand;
use crate::tui::msg::Effect;
use crate::tui::screens;
use crate::tui::strings;

impl App {
    pub(crate) fn command(&mut self, command: UiCommand) -> Vec<Effect> {
        let screen = self.screen().def();
        if let Some(effects) = screen.command(self, command) {
            return effects;
        }
        match command {
            UiCommand::Up => self.move_selection(-1),
            UiCommand::Down => self.move_selection(1),
            UiCommand::PageUp => self.move_selection(-(self.table_rows.max(1) as isize)),
            UiCommand::PageDown => self.move_selection(self.table_rows.max(1) as isize),
            UiCommand::Top => {
                if let Some(list) = screens::list(self) {
                    list.top();
                }
            }
            UiCommand::Bottom => {
                if let Some(list) = screens::list(self) {
                    list.bottom();
                }
            }
            UiCommand::Open => return screen.open(self),
            UiCommand::Back => {
                // As in k9s, Esc first clears the list's filter, then leaves.
                let def = self.screen().def();
                if def.list_filter_ref(self).is_some_and(|f| !f.is_empty()) {
                    let _ = self.apply_filter("");
                    self.flash(Level::Info, strings::FILTER_CLEARED);
                } else if self.screens.len() > 1 {
                    self.screens.pop();
                } else if !self.panes.agents.filter.is_empty() {
                    self.panes.agents.set_filter(Filter::default(), "");
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
                // A list with a filter of its own is filtered in place;
                // anywhere else `/` goes back to the agents table.
                let def = self.screen().def();
                let current = match def.list_filter_ref(self) {
                    Some(filter) => filter.text.clone(),
                    None => {
                        self.screens.truncate(1);
                        self.panes.agents.filter_text.clone()
                    }
                };
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
            UiCommand::Show(name) => {
                if let Some(screen) = screens::named(name) {
                    return self.show(screen);
                }
            }
            UiCommand::Refresh => {
                self.flash(Level::Info, strings::POLLING_NOW);
                return vec![Effect::PollNow];
            }
            // Answered by the screens whose keys they are.
            UiCommand::Ack
            | UiCommand::Snooze
            | UiCommand::StopGuardrail
            | UiCommand::RunGuardrail
            | UiCommand::VerifyAudit
            | UiCommand::SortName
            | UiCommand::SortOwner
            | UiCommand::SortStatus
            | UiCommand::SortRisk
            | UiCommand::SortLastSeen
            | UiCommand::SortAlerts
            | UiCommand::Mark
            | UiCommand::MarkRange
            | UiCommand::ClearMarks => {}
            // Marks are the table's: in an agent's own view, f, K and o act
            // on that agent alone.
            UiCommand::Freeze if self.bulk() => return self.bulk_freeze(),
            UiCommand::Kill if self.bulk() => return self.bulk_kill(),
            UiCommand::Owner if self.bulk() => self.bulk_owner_picker(),
            UiCommand::Freeze => return self.freeze(),
            UiCommand::Kill => return self.kill(),
            UiCommand::Owner => self.owner_picker(),
            UiCommand::Revoke => self.revoke(),
            UiCommand::Rotate => self.rotate(),
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
            self.panes.agents.set_scope(None);
            self.panes.alerts.set_scope(None);
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
        self.panes.agents.set_scope(prefix.clone());
        self.panes.alerts.set_scope(prefix);
        self.screens.truncate(1);
        self.flash(
            Level::Info,
            strings::showing_one_backend(&self.backends[i].name),
        );
    }

    pub(crate) fn move_selection(&mut self, delta: isize) {
        self.screen().def().move_by(self, delta);
    }

    /// A `:` command bringing up a screen: one of each, over the agents
    /// table, so Esc goes back to it.
    fn show(&mut self, screen: Screen) -> Vec<Effect> {
        self.screens.truncate(1);
        let def = screen.def();
        if screen != Screen::Agents {
            self.screens.push(screen);
        }
        def.shown(self)
    }
}
