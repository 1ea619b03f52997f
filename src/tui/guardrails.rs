//! The automatic actions guardrail policies planned, as the dashboard
//! knows them: each Warden backend's list (`GET /v1/guardrails`), read
//! after each of its polls, ids qualified as the fleet's and every text
//! made display-safe; and what a responder's stop or run changed, taken
//! from the backend's answer only, never assumed.
//!
//! A backend that does not serve the route (an older server, a foreign
//! backend) simply has none: no error on screen, and it is not asked again
//! until it answers from another database (it may have been upgraded).

use crate::api::guardrails::GuardrailAction;
use crate::fleet::origin::SEPARATOR;
use crate::fleet::safe_text::escape;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// What one read of a backend's guardrails came back with.
#[derive(Debug, Clone, PartialEq)]
pub enum GuardrailsRead {
    /// Its actions, pending first, ids qualified as the fleet's.
    Actions(Vec<GuardrailAction>),
    /// The backend has no such route (404 or 405): it has no guardrails.
    NotServed,
    /// It could not be read this time; the last list stands.
    Failed(String),
}

/// Every Warden backend's guardrail actions, by its place in the list.
#[derive(Debug, Default)]
pub struct Guardrails {
    lists: HashMap<usize, Vec<GuardrailAction>>,
    /// The read in flight for each backend: one at a time, so a slow
    /// backend is never asked twice over.
    in_flight: HashMap<usize, u64>,
    not_served: HashSet<usize>,
    /// A read started before this number was asked before the backend
    /// answered a stop or run, and may show the action still pending: it
    /// is dropped rather than undo what the backend confirmed.
    fresh_from: HashMap<usize, u64>,
    next: u64,
    /// Bumped whenever what is known changes, so the `:guardrails` list
    /// rebuilds its rows only then.
    pub generation: u64,
}

/// Whether the action is still to act (or acting): what the header and
/// the alert view count down.
pub fn is_live(a: &GuardrailAction) -> bool {
    matches!(a.status.as_str(), "pending" | "running")
}

impl Guardrails {
    /// The number of a new read of `backend`, unless one is in flight or
    /// the backend does not serve guardrails.
    pub fn ask(&mut self, backend: usize) -> Option<u64> {
        if self.not_served.contains(&backend) || self.in_flight.contains_key(&backend) {
            return None;
        }
        self.next += 1;
        self.in_flight.insert(backend, self.next);
        Some(self.next)
    }

    /// Read number `seq` of `backend` answered.
    pub fn received(&mut self, backend: usize, seq: u64, read: GuardrailsRead) {
        if self.in_flight.get(&backend) == Some(&seq) {
            self.in_flight.remove(&backend);
        }
        if self.fresh_from.get(&backend).is_some_and(|&f| seq < f) {
            return;
        }
        match read {
            GuardrailsRead::Actions(mut actions) => {
                actions.iter_mut().for_each(sanitize);
                if self.lists.get(&backend) != Some(&actions) {
                    self.lists.insert(backend, actions);
                    self.generation += 1;
                }
            }
            GuardrailsRead::NotServed => {
                tracing::debug!(backend, "no guardrails on this backend");
                self.not_served.insert(backend);
                if self.lists.remove(&backend).is_some() {
                    self.generation += 1;
                }
            }
            GuardrailsRead::Failed(error) => {
                // The source reports the backend down; saying it twice
                // every poll would be noise.
                tracing::debug!(backend, %error, "guardrails not read");
            }
        }
    }

    /// `backend` now answers from another database: ask it again.
    pub fn replaced(&mut self, backend: usize) {
        self.not_served.remove(&backend);
    }

    /// The backend's own answer to a stop or run: the action as it now
    /// stands replaces the copy.
    pub fn confirmed(&mut self, backend: usize, mut action: GuardrailAction) {
        sanitize(&mut action);
        self.fresh_from.insert(backend, self.next + 1);
        self.generation += 1;
        let list = self.lists.entry(backend).or_default();
        match list.iter_mut().find(|a| a.id == action.id) {
            Some(old) => *old = action,
            None => list.push(action),
        }
    }

    /// Every pending or running action, soonest due first.
    pub fn live(&self) -> Vec<&GuardrailAction> {
        let mut out: Vec<&GuardrailAction> = self
            .lists
            .values()
            .flatten()
            .filter(|a| is_live(a))
            .collect();
        out.sort_by(|a, b| (a.due_at, &a.id).cmp(&(b.due_at, &b.id)));
        out
    }

    /// Every action known: the live ones soonest first, then the finished
    /// ones, newest first.
    pub fn all(&self) -> Vec<&GuardrailAction> {
        self.ordered(|_| true)
    }

    /// The actions planned on one alert, in the same order.
    pub fn for_alert(&self, alert_id: &str) -> Vec<&GuardrailAction> {
        self.ordered(|a| a.alert_id == alert_id)
    }

    fn ordered(&self, keep: impl Fn(&GuardrailAction) -> bool) -> Vec<&GuardrailAction> {
        let mut out: Vec<&GuardrailAction> =
            self.lists.values().flatten().filter(|a| keep(a)).collect();
        let far = DateTime::<Utc>::MAX_UTC;
        out.sort_by(|a, b| {
            let key = |a: &GuardrailAction| {
                (
                    !is_live(a),
                    if is_live(a) { a.due_at } else { far },
                    std::cmp::Reverse(a.finished_at),
                )
            };
            (key(a), &a.id).cmp(&(key(b), &b.id))
        });
        out
    }

    /// The soonest pending action on one alert: what `s` stops and `E`
    /// runs (a running one is past stopping).
    pub fn next_pending_on_alert(&self, alert_id: &str) -> Option<&GuardrailAction> {
        self.for_alert(alert_id)
            .into_iter()
            .find(|a| a.status == "pending")
    }
}

/// Whole seconds until `due` at `now`, rounded up: an action due in
/// 22.4 s says 23 s, and says "due now" only once the time has come.
pub fn seconds_left(due: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let ms = (due - now).num_milliseconds();
    if ms <= 0 {
        ms / 1000
    } else {
        (ms + 999) / 1000
    }
}

/// An action's ids as the merged fleet has them: `scope/id`.
pub fn qualify(a: &mut GuardrailAction, scope: &str) {
    let q = |id: &mut String| {
        id.insert(0, SEPARATOR);
        id.insert_str(0, scope);
    };
    q(&mut a.id);
    q(&mut a.alert_id);
    q(&mut a.agent_id);
    a.credentials.iter_mut().for_each(q);
}

/// Everything a backend wrote, made display-safe: a policy or an agent
/// name could carry terminal escapes.
pub fn sanitize(a: &mut GuardrailAction) {
    let clean = |s: &mut String| {
        if let std::borrow::Cow::Owned(c) = escape(s) {
            *s = c;
        }
    };
    for s in [
        &mut a.id,
        &mut a.policy,
        &mut a.action,
        &mut a.alert_id,
        &mut a.rule,
        &mut a.agent_id,
        &mut a.agent_name,
        &mut a.status,
    ] {
        clean(s);
    }
    a.credentials.iter_mut().for_each(clean);
    for s in [&mut a.outcome, &mut a.decided_by].into_iter().flatten() {
        clean(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(id: &str, alert: &str, status: &str, due_in: i64) -> GuardrailAction {
        let now = Utc::now();
        GuardrailAction {
            id: id.into(),
            policy: "freeze-spikes".into(),
            action: "freeze".into(),
            alert_id: alert.into(),
            rule: "R11".into(),
            agent_id: "agt_1".into(),
            agent_name: "bot".into(),
            credentials: vec![],
            created_at: now,
            due_at: now + chrono::Duration::seconds(due_in),
            status: status.into(),
            finished_at: None,
            outcome: None,
            decided_by: None,
        }
    }

    #[test]
    fn one_read_at_a_time_and_a_backend_without_the_route_is_not_asked_again() {
        let mut g = Guardrails::default();
        let seq = g.ask(0).unwrap();
        assert_eq!(g.ask(0), None, "one in flight");
        g.received(0, seq, GuardrailsRead::NotServed);
        assert_eq!(g.ask(0), None, "not served");
        g.replaced(0);
        let seq = g.ask(0).unwrap();
        g.received(0, seq, GuardrailsRead::Failed("down".into()));
        assert!(g.ask(0).is_some(), "a failure is asked again");
    }

    #[test]
    fn an_older_read_does_not_undo_a_confirmed_stop() {
        let mut g = Guardrails::default();
        let seq = g.ask(0).unwrap();
        g.received(
            0,
            seq,
            GuardrailsRead::Actions(vec![action("g1", "a1", "pending", 20)]),
        );
        let old = g.ask(0).unwrap();
        g.confirmed(0, action("g1", "a1", "stopped", 20));
        g.received(
            0,
            old,
            GuardrailsRead::Actions(vec![action("g1", "a1", "pending", 20)]),
        );
        assert!(g.live().is_empty());
        assert_eq!(g.for_alert("a1")[0].status, "stopped");
        let new = g.ask(0).unwrap();
        g.received(
            0,
            new,
            GuardrailsRead::Actions(vec![action("g1", "a1", "stopped", 20)]),
        );
        assert_eq!(g.for_alert("a1").len(), 1);
    }

    #[test]
    fn live_actions_soonest_first_and_each_alerts_own() {
        let mut g = Guardrails::default();
        let seq = g.ask(0).unwrap();
        let mut hostile = action("g3", "a2", "pending", 5);
        hostile.agent_name = "bot\u{1b}[2J".into();
        g.received(
            0,
            seq,
            GuardrailsRead::Actions(vec![
                action("g1", "a1", "pending", 30),
                action("g2", "a1", "done", -5),
                hostile,
            ]),
        );
        let live: Vec<&str> = g.live().iter().map(|a| a.id.as_str()).collect();
        assert_eq!(live, ["g3", "g1"]);
        assert_eq!(g.live()[0].agent_name, "bot\\x1b[2J");
        let on_a1: Vec<&str> = g.for_alert("a1").iter().map(|a| a.id.as_str()).collect();
        assert_eq!(on_a1, ["g1", "g2"]);
        assert_eq!(g.next_pending_on_alert("a1").unwrap().id, "g1");

        let mut q = action("g1", "a1", "pending", 1);
        q.credentials = vec!["crd_1".into()];
        qualify(&mut q, "prod");
        assert_eq!(
            (q.id.as_str(), q.alert_id.as_str(), q.agent_id.as_str()),
            ("prod/g1", "prod/a1", "prod/agt_1")
        );
        assert_eq!(q.credentials, ["prod/crd_1"]);
    }
}
