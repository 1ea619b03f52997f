//! A key in: the overlay or the prompt that is open takes it first, then
//! the keymap of the screen on top; the `:` command line is read here.

use super::marks::skipped_note;
use super::{App, Level, Overlay, Prompt};
use crate::fleet::filter::Filter;
use crate::fleet::safe_text::escape;
use crate::tui::components::input::LineInput;
use crate::tui::keys::bindings::{self, UiCommand};
use crate::tui::msg::Effect;
use crate::tui::popups::confirm::{Confirm, DialogOutcome, Subject};
use crate::tui::popups::picker::PickerOutcome;
use crate::tui::popups::secret::SecretPopup;
use crate::tui::strings;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl App {
    pub fn handle_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let before = self.screen().clone();
        let mut effects = self.key(key);
        effects.extend(self.came_into_view(&before));
        self.prepare();
        effects
    }

    pub(super) fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key_is(&key, KeyCode::Char('c'), KeyModifiers::CONTROL) {
            self.quit = true;
            return vec![Effect::Quit];
        }
        match &mut self.overlay {
            Overlay::Confirm(dialog) => {
                return match dialog.handle_key(key) {
                    DialogOutcome::Stay => vec![],
                    DialogOutcome::Close => {
                        self.overlay = Overlay::None;
                        vec![]
                    }
                    DialogOutcome::Replan { agent_id, cascade } => {
                        vec![Effect::PlanKill { agent_id, cascade }]
                    }
                    DialogOutcome::Submit(action) => {
                        let (id, effect) = self.start(action);
                        if let Overlay::Confirm(d) = &mut self.overlay {
                            d.running(id);
                        }
                        vec![effect]
                    }
                    DialogOutcome::SubmitMany(actions) => {
                        let (verb, verbing, skipped) = match &dialog.subject {
                            Subject::BulkKill { skipped, .. } => (
                                strings::KILLED,
                                strings::KILLING,
                                skipped_note(skipped, strings::ALREADY_KILLED),
                            ),
                            Subject::BulkReassign { skipped, .. } => (
                                strings::REASSIGNED,
                                strings::REASSIGNING,
                                skipped_note(skipped, strings::ALREADY_HAD_OWNER),
                            ),
                            _ => (strings::DONE, strings::RUNNING, None),
                        };
                        let (sent, effects) =
                            self.start_batch(actions, verb, verbing, skipped, None);
                        if let Overlay::Confirm(d) = &mut self.overlay {
                            d.running_many(sent);
                        }
                        effects
                    }
                };
            }
            Overlay::Picker(picker) => {
                return match picker.handle_key(key) {
                    PickerOutcome::Stay => vec![],
                    PickerOutcome::Close => {
                        self.overlay = Overlay::None;
                        self.reassign_targets = None;
                        vec![]
                    }
                    PickerOutcome::Picked(c) if self.reassign_targets.is_some() => {
                        let targets = self.reassign_targets.take().unwrap_or_default();
                        let dialog = self.bulk_reassign_dialog(targets, &c);
                        if let Subject::BulkReassign { targets, .. } = &dialog.subject
                            && targets.is_empty()
                        {
                            self.overlay = Overlay::None;
                            self.flash(Level::Info, strings::all_marked_already_owned(&c.label));
                        } else {
                            self.overlay = Overlay::Confirm(Box::new(dialog));
                        }
                        vec![]
                    }
                    PickerOutcome::Picked(c) => {
                        let subject = Subject::Reassign {
                            agent_id: picker.agent_id.clone(),
                            name: picker.agent_name.clone(),
                            owner_id: c.person_id.clone(),
                            owner_label: c.label.clone(),
                        };
                        // The responder sees whom the agent is taken from.
                        let old = self
                            .fleet
                            .agent(&picker.agent_id)
                            .and_then(|a| a.owner.as_deref())
                            .map(|id| match self.fleet.person(id) {
                                Some(p) => strings::person_label(&p.name, &p.email),
                                None => id.to_string(),
                            });
                        let blast = vec![
                            strings::old_owner_line(old.as_deref()),
                            strings::new_owner_line(&c.label),
                        ];
                        self.overlay = Overlay::Confirm(Box::new(Confirm::new(subject, blast)));
                        vec![]
                    }
                };
            }
            Overlay::Help => {
                if matches!(
                    key.code,
                    KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter
                ) {
                    self.overlay = Overlay::None;
                }
                return vec![];
            }
            Overlay::Secret(_) => {
                if SecretPopup::closes(&key) {
                    // Dropping the popup wipes the secret.
                    self.overlay = Overlay::None;
                }
                return vec![];
            }
            Overlay::None => {}
        }
        match &mut self.prompt {
            Prompt::Filter { input, .. } => {
                let changed = match key.code {
                    KeyCode::Enter | KeyCode::Esc => None,
                    _ => input.handle(key).then(|| input.text().to_string()),
                };
                match key.code {
                    KeyCode::Enter => self.prompt = Prompt::None,
                    KeyCode::Esc => {
                        self.prompt = Prompt::None;
                        let _ = self.apply_filter("");
                    }
                    _ => {
                        if let Some(text) = changed {
                            let result = self.apply_filter(&text);
                            if let Prompt::Filter { error, .. } = &mut self.prompt {
                                *error = result.err();
                            }
                        }
                    }
                }
                return vec![];
            }
            Prompt::Command { input } => {
                match key.code {
                    KeyCode::Enter => {
                        let text = input.text().trim().to_string();
                        self.prompt = Prompt::None;
                        return self.run_command(&text);
                    }
                    KeyCode::Esc => self.prompt = Prompt::None,
                    KeyCode::Tab => {
                        // After `theme ` or `ctx `, the name; else the command's.
                        if let Some(prefix) = input.text().strip_prefix("theme ") {
                            if let Some(name) =
                                crate::tui::theme::complete(prefix.trim_start(), &self.theme_names)
                            {
                                *input = LineInput::with_text(&format!("theme {name}"));
                            }
                        } else if let Some(prefix) = input.text().strip_prefix("ctx ") {
                            let names: Vec<String> =
                                self.backends.iter().map(|b| b.name.clone()).collect();
                            if let Some(name) =
                                crate::tui::theme::complete(prefix.trim_start(), &names)
                            {
                                *input = LineInput::with_text(&format!("ctx {name}"));
                            }
                        } else if let Some(done) = bindings::complete(input.text()) {
                            *input = LineInput::with_text(done);
                        }
                    }
                    _ => {
                        input.handle(key);
                    }
                }
                return vec![];
            }
            Prompt::None => {}
        }
        match self.keys.command_for(self.screen(), &key) {
            Some(command) => self.command(command),
            None => vec![],
        }
    }

    /// Filters the list on top by `text` (the agents table when that list
    /// has no filter of its own); the last good filter stays when `text`
    /// does not parse, and the error says why.
    pub(crate) fn apply_filter(&mut self, text: &str) -> Result<(), String> {
        let def = self.screen().def();
        match def.filter_fields() {
            Some(fields) => {
                let result = match def.list_filter(self) {
                    Some(filter) => filter.set(text, fields),
                    None => Ok(()),
                };
                // The list follows at once, not at the next frame.
                def.prepare(self);
                result
            }
            None => {
                let filter = Filter::parse(text).map_err(|e| e.to_string())?;
                self.panes.agents.set_filter(filter, text);
                Ok(())
            }
        }
    }

    pub(super) fn run_command(&mut self, text: &str) -> Vec<Effect> {
        // The one command with an argument; `UiCommand` is a plain key.
        if let Some(name) = text.trim_start_matches(':').strip_prefix("theme ")
            && !name.trim().is_empty()
        {
            self.theme_request = Some(name.trim().to_string());
            return vec![];
        }
        if let Some(name) = text.trim_start_matches(':').strip_prefix("ctx ")
            && !name.trim().is_empty()
        {
            self.narrow_to(name.trim());
            return vec![];
        }
        // `:alerts rule:R17`: the screen, filtered.
        if let Some((word, args)) = text.trim_start_matches(':').split_once(' ')
            && !args.trim().is_empty()
            && let Some(UiCommand::Show(name)) = bindings::resolve_command(word)
        {
            let effects = self.command(UiCommand::Show(name));
            if let Err(e) = self.apply_filter(args.trim()) {
                self.flash(Level::Error, e);
            }
            return effects;
        }
        match bindings::resolve_command(text) {
            Some(UiCommand::Quit) => {
                self.quit = true;
                vec![Effect::Quit]
            }
            Some(command) => self.command(command),
            None if text.is_empty() => vec![],
            None => {
                self.flash(
                    Level::Error,
                    strings::unknown_command(escape(text), bindings::command_list()),
                );
                vec![]
            }
        }
    }
}

fn key_is(key: &KeyEvent, code: KeyCode, mods: KeyModifiers) -> bool {
    key.code == code && key.modifiers.contains(mods)
}
