//! The owner picker: a fuzzy search over people, suggestions first. Enter
//! picks; the reassignment itself then goes through the confirmation
//! dialog for its reason.

use crate::tui::components::input::LineInput;
use crossterm::event::{KeyCode, KeyEvent};

/// A person the picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub person_id: String,
    pub label: String,
    /// Why it is suggested; none for the rest of the directory.
    pub reason: Option<String>,
    /// How strong the evidence is: suggestions rank by it, then by match.
    pub weight: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OwnerPicker {
    pub agent_id: String,
    pub agent_name: String,
    pub query: LineInput,
    candidates: Vec<Candidate>,
    /// Indices into `candidates` that match the query, best first.
    pub shown: Vec<usize>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PickerOutcome {
    Stay,
    Close,
    Picked(Candidate),
}

/// Subsequence match, case-insensitive; higher is better, None if the
/// query's letters are not all there in order. Consecutive letters and a
/// match at a word start score more.
pub fn fuzzy_score(query: &str, text: &str) -> Option<i64> {
    if query.is_empty() {
        return Some(0);
    }
    let mut score = 0;
    let mut q = query.chars().flat_map(char::to_lowercase).peekable();
    let mut prev_matched = false;
    let mut prev_char = ' ';
    for c in text.chars().flat_map(char::to_lowercase) {
        let Some(&want) = q.peek() else { break };
        if c == want {
            q.next();
            score += 1;
            if prev_matched {
                score += 3;
            }
            if !prev_char.is_alphanumeric() {
                score += 5;
            }
            prev_matched = true;
        } else {
            prev_matched = false;
        }
        prev_char = c;
    }
    q.peek()
        .is_none()
        .then_some(score - text.chars().count() as i64 / 8)
}

impl OwnerPicker {
    pub fn new(agent_id: String, agent_name: String, candidates: Vec<Candidate>) -> Self {
        let mut p = OwnerPicker {
            agent_id,
            agent_name,
            query: LineInput::new(),
            candidates,
            shown: Vec::new(),
            selected: 0,
        };
        p.refilter();
        p
    }

    pub fn candidate(&self, shown_index: usize) -> Option<&Candidate> {
        self.shown
            .get(shown_index)
            .and_then(|&i| self.candidates.get(i))
    }

    fn refilter(&mut self) {
        let query = self.query.text().trim().to_string();
        let mut scored: Vec<(i64, usize)> = self
            .candidates
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let s = fuzzy_score(&query, &c.label)?;
                // Suggestions stay first while the query still fits them.
                Some((s + c.weight * 1000, i))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.shown = scored.into_iter().map(|(_, i)| i).collect();
        self.selected = 0;
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> PickerOutcome {
        match key.code {
            KeyCode::Esc => return PickerOutcome::Close,
            KeyCode::Enter => {
                return match self.candidate(self.selected) {
                    Some(c) => PickerOutcome::Picked(c.clone()),
                    None => PickerOutcome::Stay,
                };
            }
            KeyCode::Down | KeyCode::Tab => {
                self.selected = (self.selected + 1).min(self.shown.len().saturating_sub(1));
            }
            KeyCode::Up | KeyCode::BackTab => self.selected = self.selected.saturating_sub(1),
            _ => {
                if self.query.handle(key) {
                    self.refilter();
                }
            }
        }
        PickerOutcome::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn c(id: &str, label: &str, reason: Option<&str>) -> Candidate {
        Candidate {
            person_id: id.into(),
            label: label.into(),
            weight: i64::from(reason.is_some()),
            reason: reason.map(Into::into),
        }
    }

    #[test]
    fn fuzzy_prefers_word_starts_and_runs() {
        assert!(
            fuzzy_score("gh", "Grace Hopper").unwrap()
                > fuzzy_score("gh", "Ghastly Thought").unwrap_or(-99) - 100
        );
        assert!(fuzzy_score("xyz", "Grace Hopper").is_none());
        assert!(
            fuzzy_score("hop", "Grace Hopper").unwrap()
                > fuzzy_score("hop", "the shop ping").unwrap()
        );
    }

    #[test]
    fn suggestions_first_then_search() {
        let mut p = OwnerPicker::new(
            "a".into(),
            "bot".into(),
            vec![
                c("1", "Ada Lovelace <ada@x>", None),
                c(
                    "2",
                    "Grace Hopper <grace@x>",
                    Some("manager of the departed owner"),
                ),
            ],
        );
        assert_eq!(p.candidate(0).unwrap().person_id, "2");
        for ch in "ada".chars() {
            p.handle_key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE));
        }
        assert_eq!(p.shown.len(), 1);
        assert_eq!(
            p.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            PickerOutcome::Picked(c("1", "Ada Lovelace <ada@x>", None))
        );
    }
}
