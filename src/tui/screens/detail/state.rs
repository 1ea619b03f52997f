//! What the agent detail view shows beyond the changes feed: the agent's
//! activity over the last hour (from `GET /v1/agents/{id}`) and its audit
//! trail (`GET /v1/audit?agent=…`). Fetched when the view opens and again
//! on each poll while it stays open, one request of each kind at a time;
//! an answer about another agent than the one shown is dropped.

use crate::fleet::safe_text::escape;
use crate::fleet::state::Sanitize;
use crate::model::{AgentDetail, AuditEntry, LiveExchangedToken, SeenActingFor};
use crate::tui::msg::Effect;

/// The trail's newest entries asked for: more than any screen shows.
pub const TRAIL: usize = 100;

/// One fetched section: nothing yet, the data, or why it failed (the last
/// good data stays beside the error).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fetched<T> {
    pub data: Option<T>,
    pub error: Option<String>,
    /// The agent a request is out for.
    in_flight: Option<String>,
}

impl<T> Fetched<T> {
    fn ask(&mut self, agent_id: &str) -> bool {
        if self.in_flight.as_deref() == Some(agent_id) {
            return false;
        }
        self.in_flight = Some(agent_id.to_string());
        true
    }

    /// Takes an answer for `agent_id` if it is the one in flight.
    fn answer(&mut self, agent_id: &str, result: Result<T, String>) -> bool {
        if self.in_flight.as_deref() != Some(agent_id) {
            return false;
        }
        self.in_flight = None;
        match result {
            Ok(d) => {
                self.data = Some(d);
                self.error = None;
            }
            Err(e) => self.error = Some(escape(&e).into_owned()),
        }
        true
    }
}

#[derive(Debug, Default)]
pub struct DetailExtras {
    /// The agent these sections are about.
    pub agent_id: Option<String>,
    /// Events per minute over the last hour, oldest first.
    pub activity: Fetched<Vec<u32>>,
    /// Its audit trail, oldest first.
    pub trail: Fetched<Vec<AuditEntry>>,
    /// The unregistered identities its chains named (shadow entries), from
    /// the same answer as `activity`; names escaped for the screen.
    pub seen_acting_for: Vec<SeenActingFor>,
    /// Live exchanged tokens whose chain passes through it, from the same
    /// answer as the activity.
    pub tokens: Vec<LiveExchangedToken>,
}

impl DetailExtras {
    /// The detail of `agent_id` is shown: fetch what is not already being
    /// fetched. Another agent's sections are forgotten first.
    pub fn show(&mut self, agent_id: &str) -> Vec<Effect> {
        if self.agent_id.as_deref() != Some(agent_id) {
            *self = DetailExtras {
                agent_id: Some(agent_id.to_string()),
                ..DetailExtras::default()
            };
        }
        let mut effects = Vec::new();
        if self.activity.ask(agent_id) {
            effects.push(Effect::FetchDetail {
                agent_id: agent_id.to_string(),
            });
        }
        if self.trail.ask(agent_id) {
            effects.push(Effect::FetchTrail {
                agent_id: agent_id.to_string(),
                tail: TRAIL,
            });
        }
        effects
    }

    pub fn detail_received(&mut self, agent_id: &str, result: Result<Box<AgentDetail>, String>) {
        let (activity, rest) = match result {
            Ok(d) => {
                let d = *d;
                (Ok(d.activity), Some((d.exchanged_tokens, d.seen_acting_for)))
            }
            Err(e) => (Err(e), None),
        };
        if self.activity.answer(agent_id, activity)
            && let Some((tokens, mut seen)) = rest
        {
            self.tokens = tokens;
            for s in &mut seen {
                s.name = escape(&s.name).into_owned();
                s.origin = escape(&s.origin).into_owned();
            }
            self.seen_acting_for = seen;
        }
    }

    pub fn trail_received(&mut self, agent_id: &str, result: Result<Vec<AuditEntry>, String>) {
        let result = result.map(|mut entries| {
            entries.iter_mut().for_each(Sanitize::sanitize);
            entries
        });
        self.trail.answer(agent_id, result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_of_each_kind_per_agent_and_stale_answers_are_dropped() {
        let mut x = DetailExtras::default();
        assert_eq!(x.show("a").len(), 2);
        assert!(x.show("a").is_empty(), "already asked");
        x.trail_received("a", Ok(vec![]));
        assert_eq!(
            x.show("a"),
            vec![Effect::FetchTrail {
                agent_id: "a".into(),
                tail: TRAIL
            }]
        );
        // Another agent: its own requests; the first agent's late answer
        // is not shown as the second's.
        assert_eq!(x.show("b").len(), 2);
        x.trail_received("a", Ok(vec![]));
        assert_eq!(x.trail.data, None);
        x.trail_received("b", Err("HTTP 503".into()));
        assert_eq!(x.trail.error.as_deref(), Some("HTTP 503"));
        assert_eq!(x.show("b").len(), 1, "the trail may be asked again");
    }
}
