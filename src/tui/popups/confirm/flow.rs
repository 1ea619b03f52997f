//! How the dialog walks its fields: which one still needs typing, and
//! what Enter does with that — send when nothing is missing, else go to
//! the field that is and say what it needs.

use super::{Confirm, DialogOutcome, Field, Subject};
use crate::tui::strings;

impl Confirm {
    /// The first field, in focus order, that still needs typing: the name
    /// (or `kill N`) until it matches, a grace that does not parse, an empty
    /// reason.
    pub fn first_missing(&self) -> Option<Field> {
        if let Some(phrase) = self.phrase()
            && self.name.text().trim() != phrase
        {
            return Some(Field::Name);
        }
        let grace_wrong = match self.subject {
            Subject::Rotate { .. } => crate::duration::parse_grace(self.grace.text()).is_err(),
            Subject::Snooze { .. } => snooze_seconds(self.grace.text()).is_err(),
            _ => false,
        };
        if grace_wrong {
            return Some(Field::Grace);
        }
        if self.reason.text().trim().is_empty() {
            return Some(Field::Reason);
        }
        None
    }

    /// Enter anywhere but Cancel: send when nothing is missing; else go to
    /// the field that is, and say what it needs when already there.
    pub(super) fn submit_or_next(&mut self) -> DialogOutcome {
        if let Some(missing) = self.first_missing() {
            if missing == self.focus || matches!(self.focus, Field::Confirm) {
                self.problem = Some(self.missing_problem());
            }
            self.focus = missing;
            return DialogOutcome::Stay;
        }
        if self.is_bulk() {
            match self.actions() {
                Ok(actions) => return DialogOutcome::SubmitMany(actions),
                Err(problem) => self.problem = Some(problem),
            }
        } else {
            match self.action() {
                Ok(action) => return DialogOutcome::Submit(action),
                Err(problem) => self.problem = Some(problem),
            }
        }
        DialogOutcome::Stay
    }

    /// What the first missing field needs, in words.
    pub(super) fn missing_problem(&self) -> String {
        match self.first_missing() {
            Some(Field::Name) => match &self.subject {
                Subject::Kill { name, .. } => strings::type_name_to_confirm(name),
                _ => strings::type_phrase_to_confirm(self.phrase().unwrap_or_default()),
            },
            Some(Field::Grace) => match self.subject {
                Subject::Snooze { .. } => {
                    snooze_seconds(self.grace.text()).err().unwrap_or_default()
                }
                _ => crate::duration::parse_grace(self.grace.text())
                    .err()
                    .map(strings::bad_grace)
                    .unwrap_or_default(),
            },
            _ => strings::REASON_REQUIRED.into(),
        }
    }
}

/// A snooze's length as typed (`30m`, `2h`): 1 s to a week, as the
/// backend takes it.
pub fn snooze_seconds(text: &str) -> Result<u64, String> {
    crate::duration::parse_snooze(text).map_err(strings::bad_snooze)
}
