//! What an API action touched, as the rules see it: the agents and people
//! it changed, and whether it changed person tokens (R21). A handler
//! answers it as a part of its response; the scheduler's middleware takes
//! it from there and has the rules judge those agents alone. A write that
//! answers none is judged by a sweep of the whole fleet.

use axum::response::{IntoResponseParts, ResponseParts};
use std::collections::BTreeSet;
use std::convert::Infallible;

/// The agents, people and tokens one action (or several, folded) changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Touched {
    pub agents: BTreeSet<String>,
    pub people: BTreeSet<String>,
    pub tokens: bool,
}

impl Touched {
    /// An action that changes nothing a rule reads (an acknowledgement, a
    /// new person who owns nothing yet).
    pub fn nothing() -> Touched {
        Touched::default()
    }

    pub fn agent(id: impl Into<String>) -> Touched {
        Touched::agents([id.into()])
    }

    pub fn agents(ids: impl IntoIterator<Item = String>) -> Touched {
        Touched {
            agents: ids.into_iter().collect(),
            ..Touched::default()
        }
    }

    /// A person's change reaches their agents (owned, or delegated to by
    /// or for them).
    pub fn person(id: impl Into<String>) -> Touched {
        Touched {
            people: [id.into()].into(),
            ..Touched::default()
        }
    }

    /// Person tokens (R21), which belong to no agent.
    pub fn tokens() -> Touched {
        Touched {
            tokens: true,
            ..Touched::default()
        }
    }

    /// The subjects of alerts to judge again: agents, and `None` for an
    /// alert on no agent (a token's).
    pub(super) fn again<'a>(subjects: impl IntoIterator<Item = &'a Option<String>>) -> Touched {
        let mut t = Touched::default();
        for s in subjects {
            match s {
                Some(agent) => {
                    t.agents.insert(agent.clone());
                }
                None => t.tokens = true,
            }
        }
        t
    }

    pub fn with_person(mut self, id: impl Into<String>) -> Touched {
        self.people.insert(id.into());
        self
    }

    pub fn is_empty(&self) -> bool {
        self.agents.is_empty() && self.people.is_empty() && !self.tokens
    }

    /// Agents and people named.
    pub fn len(&self) -> usize {
        self.agents.len() + self.people.len()
    }

    pub fn fold(&mut self, other: Touched) {
        self.agents.extend(other.agents);
        self.people.extend(other.people);
        self.tokens |= other.tokens;
    }
}

impl IntoResponseParts for Touched {
    type Error = Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Infallible> {
        res.extensions_mut().insert(self);
        Ok(res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_every_subject_once() {
        let mut t = Touched::agent("agt_1").with_person("prs_1");
        t.fold(Touched::agents(["agt_1".to_string(), "agt_2".to_string()]));
        t.fold(Touched::tokens());
        assert_eq!(t.len(), 3);
        assert!(t.tokens);
        assert!(Touched::nothing().is_empty());
        assert!(!Touched::tokens().is_empty());
    }

    #[test]
    fn an_alert_on_no_agent_is_judged_again_with_the_tokens() {
        let subjects = [Some("agt_1".to_string()), None];
        let t = Touched::again(&subjects);
        assert_eq!(t.agents.len(), 1);
        assert!(t.tokens);
    }
}
