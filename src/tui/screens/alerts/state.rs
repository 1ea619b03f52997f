//! The alerts view's order: every alert the fleet holds, open ones first,
//! then the most severe, then the newest. Kept as alert ids and rebuilt only
//! when the fleet changes, never on a frame; the selection follows the
//! alert's id, so a poll that adds or reorders alerts does not move it.
//! `/` narrows it ([`FIELDS`]); a keystroke filters the sorted ids again
//! without sorting them again.

use crate::fleet::row_filter::{FieldSpec, Pass, Row, RowFilter, Value};
use crate::fleet::state::Fleet;
use crate::model::{Agent, Alert, AlertStatus, Person, Severity};
use chrono::{DateTime, Utc};
use crate::tui::components::id_order::{IdOrder, Ranked, keep_in_fleet_order, keep_rows};
use crate::tui::components::list_filter::{ListFilter, Narrowing};
use crate::tui::components::row_texts::{RowTexts, Span};
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::screens::ListState;
use std::cmp::Reverse;

#[derive(Debug, Default)]
pub struct AlertList {
    /// Alert ids, in display order, the filter applied.
    pub order: IdOrder,
    /// What the filter reads of each of `order`'s alerts without finding
    /// it by id, made with the sort (every fleet change sorts again).
    keys: Vec<AlertKey>,
    /// What free text reads of each alert, in display order.
    texts: RowTexts,
    pub filter: ListFilter,
    /// The filter version `order` was built with.
    filtered_with: Option<u64>,
    /// What `order` was filtered with, so the next keystroke can narrow it.
    narrowing: Narrowing<u32>,
    /// An alert being acknowledged from its row, and that row: once it is
    /// no longer open (and sorts further down), the cursor stays on the
    /// row instead of following it.
    stay: Option<(String, usize)>,
    /// Position in `order`, the first on screen, and the selected alert's
    /// id, which survives a rebuild.
    pub sel: Selection,
    /// The fleet generation `order` was built from.
    built_for: Option<u64>,
    /// `:ctx`: only alerts whose id starts with this (a backend's name and
    /// the separator).
    scope: Option<String>,
    /// When the first snooze among `order` ends (µs): its alert then
    /// ranks as open, so the whole order is made again.
    wakes: Option<i64>,
}

/// An alert's severity and its agent's place in the fleet: `sev:` needs
/// no look-up, and `agent:`, `owner:` and free text no look-up of the
/// agent by id.
#[derive(Debug, Clone, Copy)]
struct AlertKey {
    rank: Rank,
    /// Its index in the fleet ([`Fleet::alert_at`]).
    at: u32,
    severity: Severity,
    /// `None` when it names no agent, or one the fleet does not hold.
    agent: Option<u32>,
    /// Its free text in the list's [`RowTexts`].
    text: Span,
}

/// The display order: open first, the most severe, the newest (then the
/// id).
type Rank = (u8, Reverse<u8>, Reverse<i64>);

impl Ranked for AlertKey {
    type Rank = Rank;
    fn rank(&self) -> Rank {
        self.rank
    }
    fn at(&self) -> u32 {
        self.at
    }
}

/// Open before acknowledged before resolved: what still needs someone.
/// A snoozed alert waits with the acknowledged ones.
fn status_rank(a: &Alert, now: DateTime<Utc>) -> u8 {
    match a.status {
        AlertStatus::Open if a.snoozed_at(now) => 1,
        AlertStatus::Open => 0,
        AlertStatus::Acknowledged => 1,
        AlertStatus::Resolved => 2,
    }
}

impl AlertList {
    /// Shows only the alerts of ids starting with `prefix`, or all.
    pub fn set_scope(&mut self, prefix: Option<String>) {
        if self.scope != prefix {
            self.scope = prefix;
            self.built_for = None;
        }
    }

    /// Rebuilds the order if the fleet or the filter changed since the
    /// last time.
    pub fn refresh(&mut self, fleet: &Fleet) {
        if self.built_for != Some(fleet.generation) {
            let now = Utc::now().timestamp_micros();
            match self.built_for.and_then(|g| fleet.alerts_changed_since(g)) {
                Some(changed) if self.wakes.is_none_or(|w| w > now) => self.resort(fleet, changed),
                _ => self.sort(fleet),
            }
            self.built_for = Some(fleet.generation);
            self.filtered_with = None;
            self.narrowing.reset();
        }
        if self.filtered_with == Some(self.filter.version) {
            return;
        }
        self.filtered_with = Some(self.filter.version);
        let filter = &self.filter;
        if filter.is_empty() {
            self.order.show_all();
            self.narrowing.reset();
        } else {
            let now = Utc::now();
            let keys = &self.keys;
            let shown = &mut self.order.shown;
            // A pass that reads the alerts themselves reads them in the
            // order they sit in memory; one the keys answer (`sev:`,
            // `agent:`, `owner:`) reads the keys in their own order.
            let reads_alerts = ALERT_FIELDS.iter().any(|&f| filter.reads_field(f));
            let texts = &self.texts;
            let pass = |rows: &[u32], terms: &RowFilter| {
                if reads_alerts {
                    let mut keep = kept_by(fleet, terms, keys, texts, now);
                    keep_in_fleet_order(keys, rows, |p| keep(&p))
                } else {
                    keep_rows(rows, || kept_by(fleet, terms, keys, texts, now))
                }
            };
            if !self.narrowing.narrow_by(filter, shown, pass) {
                let all: Vec<u32> = (0..keys.len() as u32).collect();
                *shown = pass(&all, filter.row_filter());
                self.narrowing.rebuilt(filter);
            }
        }
        self.filter.counted(self.order.len(), self.order.total());
        let settled = self.stay.as_ref().filter(|(id, _)| {
            fleet
                .alert(id)
                .is_none_or(|a| a.status != AlertStatus::Open || a.snoozed_at(Utc::now()))
        });
        if let Some(&(_, row)) = settled {
            self.stay = None;
            let order = &self.order;
            self.sel.select(row, order.len(), |i| order.key_at(i));
        } else {
            let order = &self.order;
            self.sel
                .restore(order.len(), |id| order.position(id), |i| order.key_at(i));
        }
    }

    /// `alert_id`, selected, is being acknowledged: keep the cursor on its
    /// row when it settles.
    pub fn stay_when_settled(&mut self, alert_id: &str) {
        self.stay = Some((alert_id.to_string(), self.sel.selected));
    }

    /// Each key made once, not on every comparison (a snooze is read
    /// against the clock); the id last, so that equal alerts keep one
    /// order across polls (the fleet has none).
    fn key(fleet: &Fleet, at: usize, a: &Alert, now: DateTime<Utc>) -> AlertKey {
        AlertKey {
            rank: (
                status_rank(a, now),
                Reverse(a.severity as u8),
                Reverse(a.created_at.timestamp_micros()),
            ),
            at: at as u32,
            severity: a.severity,
            agent: fleet
                .alert_agent(at)
                .and_then(|i| u32::try_from(i).ok()),
            text: Span::default(),
        }
    }

    /// The first time after `now` a snooze of `a` ends, with `wakes`.
    fn wakes_with(wakes: Option<i64>, a: &Alert, now: DateTime<Utc>) -> Option<i64> {
        let end = a
            .snoozed_until
            .filter(|_| a.snoozed_at(now))
            .map(|t| t.timestamp_micros());
        match (wakes, end) {
            (Some(w), Some(e)) => Some(w.min(e)),
            (w, e) => w.or(e),
        }
    }

    fn sort(&mut self, fleet: &Fleet) {
        let scope = self.scope.as_deref().unwrap_or("");
        let now = Utc::now();
        let mut wakes = None;
        let rows: Vec<(AlertKey, &str)> = fleet
            .alerts()
            .enumerate()
            .filter(|(_, a)| a.id.starts_with(scope))
            .map(|(at, a)| {
                wakes = Self::wakes_with(wakes, a, now);
                (Self::key(fleet, at, a, now), a.id.as_str())
            })
            .collect();
        self.wakes = wakes;
        self.order.sort(&mut self.keys, rows);
        self.texts.clear();
        for k in &mut self.keys {
            if let Some(a) = fleet.alert_at(k.at as usize) {
                k.text = self.texts.push(text_parts(fleet, a, k));
            }
        }
        self.texts.made();
    }

    /// Only the alerts at `changed` sorted again (see [`IdOrder::merge`]).
    fn resort(&mut self, fleet: &Fleet, changed: &[u32]) {
        let scope = self.scope.as_deref().unwrap_or("");
        let now = Utc::now();
        let mut wakes = self.wakes;
        let texts = &mut self.texts;
        let fresh: Vec<(AlertKey, String)> = changed
            .iter()
            .filter_map(|&at| Some((at as usize, fleet.alert_at(at as usize)?)))
            .filter(|(_, a)| a.id.starts_with(scope))
            .map(|(at, a)| {
                wakes = Self::wakes_with(wakes, a, now);
                let mut key = Self::key(fleet, at, a, now);
                key.text = texts.push(text_parts(fleet, a, &key));
                (key, a.id.clone())
            })
            .collect();
        self.wakes = wakes;
        self.order.merge(&mut self.keys, changed, fresh);
        self.texts.compact(self.keys.iter_mut().map(|k| &mut k.text));
    }

    /// The selected alert's id, if there is any alert.
    pub fn selected_id(&self) -> Option<&str> {
        self.order.get(self.sel.selected).map(String::as_str)
    }

    /// Keeps the selection inside a window `rows` high.
    pub fn scroll_to_selection(&mut self, rows: usize) {
        self.sel.scroll(rows, self.order.len());
    }
}

impl ListState for AlertList {
    fn move_by(&mut self, delta: isize) {
        let order = &self.order;
        self.sel
            .move_by(delta, order.len(), |i| order.key_at(i));
    }

    fn cursor(&self) -> Cursor {
        self.sel.cursor(self.order.len())
    }
}

/// What `/` knows of an alert.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("rule", &[]),
    FieldSpec::severity("severity", &["sev"]),
    FieldSpec::text("status", &[]),
    FieldSpec::text("agent", &[]),
    FieldSpec::text("owner", &[]),
    FieldSpec::text("source", &[]),
];

/// What free text finds an alert by: its rule, summary and id, and its
/// agent's name.
fn text_parts<'a>(
    fleet: &'a Fleet,
    a: &'a Alert,
    key: &AlertKey,
) -> impl Iterator<Item = &'a str> + Clone {
    let agent = key
        .agent
        .and_then(|i| fleet.agents().get(i as usize))
        .map(|agent| agent.name.as_str());
    [a.rule.as_str(), a.summary.as_str(), a.id.as_str()]
        .into_iter()
        .chain(agent)
}

/// The fields read from the alert itself (rule, status, source), not from
/// the sort's keys or the alert's agent.
const ALERT_FIELDS: [usize; 3] = [0, 2, 5];

/// Whether `filter` keeps the alert at row `i`; the clock is read once
/// for the whole pass.
fn kept_by<'a>(
    fleet: &'a Fleet,
    filter: &'a RowFilter,
    keys: &'a [AlertKey],
    texts: &'a RowTexts,
    now: DateTime<Utc>,
) -> impl FnMut(&u32) -> bool + 'a {
    let mut pass = Pass::default();
    move |&i| {
        let row = AlertRow {
            key: keys[i as usize],
            texts,
            fleet,
            now,
        };
        // The keys are the fleet's: every change to it sorts again before
        // a filter runs, so a term they answer finds nothing by id.
        filter.matches_in(&row, &mut pass)
    }
}

/// An alert as its filter sees it: its severity and its agent from the
/// sort's keys, the alert itself read at its index in the fleet (never
/// found by id) only when a term asks for more, over a pass that reads
/// 200,000 of them.
struct AlertRow<'a> {
    key: AlertKey,
    texts: &'a RowTexts,
    fleet: &'a Fleet,
    /// Whether it is snoozed, read once for the whole filtering pass.
    now: DateTime<Utc>,
}

impl<'a> AlertRow<'a> {
    fn alert(&self) -> Option<&'a Alert> {
        self.fleet.alert_at(self.key.at as usize)
    }

    fn agent(&self) -> Option<&'a Agent> {
        self.key
            .agent
            .and_then(|i| self.fleet.agents().get(i as usize))
    }

    fn owner(&self) -> Option<&'a Person> {
        self.agent()
            .and_then(|a| a.owner.as_deref())
            .and_then(|id| self.fleet.person(id))
    }
}

/// The word the alerts list shows, and `status:` matches: a snoozed alert
/// reads `snoozed`.
pub fn status_word(a: &Alert, now: DateTime<Utc>) -> &'static str {
    if a.snoozed_at(now) {
        return "snoozed";
    }
    match a.status {
        AlertStatus::Open => "open",
        AlertStatus::Acknowledged => "acknowledged",
        AlertStatus::Resolved => "resolved",
    }
}

impl Row for AlertRow<'_> {
    fn field(&self, i: usize) -> Value<'_> {
        match i {
            1 => Value::Severity(self.key.severity),
            3 => self
                .agent()
                .map_or(Value::None, |a| Value::Either(&a.name, &a.id)),
            4 => self
                .owner()
                .map_or(Value::None, |p| Value::Either(&p.name, &p.email)),
            _ => match self.alert() {
                None => Value::None,
                Some(a) => match i {
                    0 => Value::Text(&a.rule),
                    2 => Value::Text(status_word(a, self.now)),
                    _ => Value::Text(&a.source),
                },
            },
        }
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        let Some(alert) = self.alert() else {
            return false;
        };
        hit(&alert.rule) || hit(&alert.summary) || hit(&alert.id)
    }

    fn lower_text(&self) -> Option<&str> {
        self.texts.get(self.key.text)
    }

    /// `sev:`, from the keys.
    fn field_code(&self, i: usize) -> Option<u32> {
        (i == 1).then_some(self.key.severity as u32)
    }

    fn shared(&self) -> Option<u32> {
        self.key.agent
    }

    fn shared_text(&self) -> Option<&str> {
        self.agent().map(|a| a.name.as_str())
    }

    /// `agent:` and `owner:`.
    fn field_is_shared(&self, i: usize) -> bool {
        i == 3 || i == 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Changes;
    use crate::model::fixtures::{agent, alertmanager_alert, person};
    use chrono::Duration;

    fn alert(id: &str, agent: &str, severity: Severity, status: AlertStatus, age: i64) -> Alert {
        Alert {
            severity,
            status,
            rule: format!("R-{id}"),
            created_at: Utc::now() - Duration::minutes(age),
            ..alertmanager_alert(id, agent)
        }
    }

    fn ids(list: &AlertList) -> Vec<&str> {
        list.order.iter().map(String::as_str).collect()
    }

    #[test]
    fn the_keys_order_and_filter_as_the_alerts_do() {
        use AlertStatus::*;
        let mut fleet = Fleet::new();
        fleet.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![
                Agent {
                    owner: Some("p1".into()),
                    ..agent("agt_1", "Support-Bot")
                },
                agent("agt_2", "billing"),
            ],
            people: vec![person("p1", "Ada Lovelace", false)],
            alerts: vec![
                alert("a1", "agt_1", Severity::Low, Open, 5),
                alert("a2", "agt_2", Severity::Critical, Open, 9),
                alert("a3", "agt_1", Severity::Critical, Open, 1),
                alert("a4", "agt_gone", Severity::High, Resolved, 1),
                alert("a5", "agt_2", Severity::High, Acknowledged, 1),
            ],
            ..Changes::default()
        });
        let mut list = AlertList::default();
        list.refresh(&fleet);
        assert_eq!(ids(&list), ["a3", "a2", "a1", "a5", "a4"]);
        for (text, want) in [
            ("sev:high", vec!["a3", "a2", "a5", "a4"]),
            ("sev:crit agent:bill", vec!["a2"]),
            ("agent:none", vec!["a4"]),
            ("owner:LOVELACE", vec!["a3", "a1"]),
            ("support", vec!["a3", "a1"]),
            ("r-a5", vec!["a5"]),
            ("status:ack", vec!["a5"]),
            ("!sev:high", vec!["a1"]),
            ("", vec!["a3", "a2", "a1", "a5", "a4"]),
        ] {
            list.filter.set(text, FIELDS).unwrap();
            list.refresh(&fleet);
            assert_eq!(ids(&list), want, "{text:?}");
        }
        // A poll lowers a2 and moves a1 to another agent: sorted and keyed
        // again.
        list.filter.set("sev:crit", FIELDS).unwrap();
        fleet.apply(Changes {
            cursor: 2,
            alerts: vec![
                alert("a2", "agt_2", Severity::Medium, Open, 9),
                alert("a1", "agt_2", Severity::Critical, Open, 5),
            ],
            ..Changes::default()
        });
        list.refresh(&fleet);
        assert_eq!(ids(&list), ["a3", "a1"]);
        list.filter.set("sev:crit agent:billing", FIELDS).unwrap();
        list.refresh(&fleet);
        assert_eq!(ids(&list), ["a1"]);
        // A poll renames an agent and changes none of its alerts: free text
        // finds them by the new name, not the old.
        fleet.apply(Changes {
            cursor: 3,
            agents: vec![agent("agt_2", "invoicing")],
            ..Changes::default()
        });
        list.filter.set("invoicing", FIELDS).unwrap();
        list.refresh(&fleet);
        assert_eq!(ids(&list), ["a1", "a2", "a5"]);
        list.filter.set("billing", FIELDS).unwrap();
        list.refresh(&fleet);
        assert_eq!(ids(&list), Vec::<&str>::new());
    }
}
