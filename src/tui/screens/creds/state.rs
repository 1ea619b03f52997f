//! The credentials view's order: every credential the fleet holds, live
//! ones first and, among them, the soonest to expire (an expiry already
//! past first of all), then expired, then revoked. Kept as credential ids,
//! rebuilt only when the fleet changes; the selection follows the id.

use crate::fleet::row_filter::{FieldSpec, Pass, Row, RowFilter, Value};
use crate::fleet::state::Fleet;
use crate::tui::components::row_texts::{RowTexts, Span};
use crate::model::{Agent, Credential, CredentialStatus};
use crate::tui::components::id_order::{IdOrder, Ranked, keep_in_fleet_order, keep_rows};
use crate::tui::components::list_filter::{ListFilter, Narrowing};
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::screens::ListState;
use chrono::{DateTime, Utc};
use std::cell::{Cell, OnceCell};

/// Within this many days of its expiry a live credential is highlighted.
pub const EXPIRY_WARNING_DAYS: i64 = 7;

/// How a credential's expiry reads at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Never,
    /// Past, though the backend may still call it active until its sweep.
    Expired,
    /// Within [`EXPIRY_WARNING_DAYS`].
    Soon,
    Later,
}

pub fn expiry(c: &Credential, now: DateTime<Utc>) -> Expiry {
    expiry_at(c.expires_at, now)
}

fn expiry_at(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Expiry {
    match expires_at {
        None => Expiry::Never,
        Some(t) if t <= now => Expiry::Expired,
        Some(t) if (t - now).num_days() < EXPIRY_WARNING_DAYS => Expiry::Soon,
        Some(_) => Expiry::Later,
    }
}

fn status_rank(s: CredentialStatus) -> u8 {
    match s {
        CredentialStatus::Active => 0,
        CredentialStatus::Expired => 1,
        CredentialStatus::Revoked => 2,
    }
}

/// Reading every credential from the backends that only count them.
#[derive(Debug, Default)]
pub struct Catalogue {
    /// Backends asked, by their place in the list, not answered yet.
    pub asked: std::collections::BTreeSet<usize>,
    /// Why the last read failed; the list says it is not whole.
    pub error: Option<String>,
}

#[derive(Debug, Default)]
pub struct CredList {
    pub catalogue: Catalogue,
    /// Credential ids, in display order, the filter applied.
    pub order: IdOrder,
    /// What the filter and the title read of each of `order`'s ids, made
    /// with the sort: valid while the fleet is the one sorted.
    keys: Vec<CredKey>,
    /// What free text reads of each credential, in `keys`' order.
    texts: RowTexts,
    pub sel: Selection,
    built_for: Option<u64>,
    pub filter: ListFilter,
    filtered_with: Option<u64>,
    /// What `order` was filtered with, so the next keystroke can narrow it.
    narrowing: Narrowing<u32>,
    /// How many credentials the fleet held at the last sort.
    sorted_held: usize,
    /// The title's count of live credentials expiring soon among `order`,
    /// for the order of `rebuilds` and the minute of the clock it was
    /// counted at: counted once, not on every frame.
    urgent: Cell<Option<(u64, i64, usize)>>,
    /// Moves whenever `order` does.
    rebuilds: u64,
}

/// The display order: status, expiry (never last), the agent's place in
/// the name order (then the id).
type Rank = (u8, i64, u32);

impl CredKey {
    /// Its expiry, as the rank holds it (a key a pass reads millions of
    /// does not hold it twice).
    fn expires_at(&self) -> Option<DateTime<Utc>> {
        Some(self.rank.1)
            .filter(|&t| t != i64::MAX)
            .and_then(DateTime::from_timestamp_micros)
    }
}

impl Ranked for CredKey {
    type Rank = Rank;
    fn rank(&self) -> Rank {
        self.rank
    }
    fn at(&self) -> u32 {
        self.at
    }
}

/// A credential's status, its agent's place in the fleet and its expiry,
/// read once at the sort: a `status:`, `agent:` or `env:` term and the
/// title's count need no look-up by id.
#[derive(Debug, Clone, Copy)]
struct CredKey {
    rank: Rank,
    /// Its index in the fleet ([`Fleet::credential_at`]) at the sort.
    at: u32,
    status: CredentialStatus,
    agent: Option<u32>,
    /// Its free text in the list's [`RowTexts`].
    text: Span,
}

impl CredList {
    /// Rebuilds the order if the fleet or the filter changed since the
    /// last time; a keystroke filters the sorted ids without sorting.
    /// While pages of credentials come in, the list is sorted again only
    /// once the fleet holds twice what it sorted (or the read ends), so
    /// reading n credentials sorts about 2n of them, not n per page.
    pub fn refresh(&mut self, fleet: &Fleet) {
        let reading = !self.catalogue.asked.is_empty();
        let held = fleet.credentials_held();
        if self.built_for != Some(fleet.generation)
            && !(reading && self.sorted_held > 0 && held < 2 * self.sorted_held)
        {
            match self.built_for.and_then(|g| fleet.credentials_changed_since(g)) {
                Some(changed) => self.resort(fleet, changed),
                None => self.sort(fleet),
            }
            self.built_for = Some(fleet.generation);
            self.sorted_held = held;
            self.filtered_with = None;
            self.narrowing.reset();
        }
        if self.filtered_with == Some(self.filter.version) {
            return;
        }
        self.filtered_with = Some(self.filter.version);
        // Between sorts (pages still coming in) the keys may be stale:
        // the fleet is asked instead.
        let keys = Keys {
            keys: &self.keys,
            texts: &self.texts,
            fresh: self.built_for == Some(fleet.generation),
        };
        let filter = &self.filter;
        if filter.is_empty() {
            self.order.show_all();
            self.narrowing.reset();
        } else {
            let (ids, shown) = (&self.order.ids, &mut self.order.shown);
            // Fresh keys and texts answer every term but `scope:` in the
            // display order; a pass that reads the credentials themselves
            // reads them in the order they sit in memory.
            let in_fleet_order = keys.fresh && filter.reads_field(SCOPE);
            let pass = |rows: &[u32], terms: &RowFilter| {
                if in_fleet_order {
                    let mut keep = kept_by(fleet, terms, ids, keys);
                    keep_in_fleet_order(keys.keys, rows, |p| keep(&p))
                } else {
                    keep_rows(rows, || kept_by(fleet, terms, ids, keys))
                }
            };
            if !self.narrowing.narrow_by(filter, shown, pass) {
                let all: Vec<u32> = (0..ids.len() as u32).collect();
                *shown = pass(&all, filter.row_filter());
                self.narrowing.rebuilt(filter);
            }
        }
        self.filter.counted(self.order.len(), self.order.total());
        let order = &self.order;
        self.sel
            .restore(order.len(), |id| order.position(id), |i| order.key_at(i));
        self.rebuilds += 1;
    }

    /// Sorts on small keys: the agent's name as its place in the fleet's
    /// name order (no name compared or copied), the id as a `&str`; each
    /// id is copied once, with what the filter reads of its credential.
    fn sort(&mut self, fleet: &Fleet) {
        let ranks = name_ranks(fleet);
        let rows: Vec<(CredKey, &str)> = fleet
            .credentials()
            .enumerate()
            .map(|(at, c)| (key(fleet, &ranks, at, c), c.id.as_str()))
            .collect();
        self.order.sort(&mut self.keys, rows);
        self.texts.clear();
        for k in &mut self.keys {
            if let Some(c) = fleet.credential_at(k.at as usize) {
                k.text = self.texts.push(text_parts(c, agent_name(fleet, k)));
            }
        }
        self.texts.made();
    }

    /// Only the credentials at `changed` sorted again (see
    /// [`IdOrder::merge`]).
    fn resort(&mut self, fleet: &Fleet, changed: &[u32]) {
        let ranks = if changed.is_empty() {
            Vec::new()
        } else {
            name_ranks(fleet)
        };
        let texts = &mut self.texts;
        let fresh: Vec<(CredKey, String)> = changed
            .iter()
            .filter_map(|&at| Some((at as usize, fleet.credential_at(at as usize)?)))
            .map(|(at, c)| {
                let mut key = key(fleet, &ranks, at, c);
                key.text = texts.push(text_parts(c, agent_name(fleet, &key)));
                (key, c.id.clone())
            })
            .collect();
        self.order.merge(&mut self.keys, changed, fresh);
        self.texts.compact(self.keys.iter_mut().map(|k| &mut k.text));
    }

    /// How many live credentials of `order` expire within
    /// [`EXPIRY_WARNING_DAYS`] of `now` (or already did): for the title,
    /// counted again when the order changes or the minute does.
    pub fn urgent(&self, fleet: &Fleet, now: DateTime<Utc>) -> usize {
        let minute = now.timestamp().div_euclid(60);
        if let Some((rebuilds, at, n)) = self.urgent.get()
            && rebuilds == self.rebuilds
            && at == minute
        {
            return n;
        }
        let urgent = |status, expires_at| {
            status == CredentialStatus::Active
                && matches!(expiry_at(expires_at, now), Expiry::Expired | Expiry::Soon)
        };
        let n = if self.built_for == Some(fleet.generation) {
            // The keys are in display order, live first and soonest to
            // expire first: the urgent ones are its first rows, and those
            // shown are the shown rows before the first that is not.
            let end = self.keys.partition_point(|k| urgent(k.status, k.expires_at()));
            self.order.shown.partition_point(|&i| (i as usize) < end)
        } else {
            self.order
                .iter()
                .filter_map(|id| fleet.credential(id))
                .filter(|c| urgent(c.status, c.expires_at))
                .count()
        };
        self.urgent.set(Some((self.rebuilds, minute, n)));
        n
    }

    /// The selected credential's id, if there is any credential.
    pub fn selected_id(&self) -> Option<&str> {
        self.order.get(self.sel.selected).map(String::as_str)
    }
}

impl ListState for CredList {
    fn move_by(&mut self, delta: isize) {
        let order = &self.order;
        self.sel
            .move_by(delta, order.len(), |i| order.key_at(i));
    }

    fn cursor(&self) -> Cursor {
        self.sel.cursor(self.order.len())
    }
}

/// Each agent's place in the fleet's name order, from 1; 0 sorts a
/// credential whose agent is not in the fleet as an empty name.
fn name_ranks(fleet: &Fleet) -> Vec<u32> {
    let mut ranks = vec![0u32; fleet.len()];
    for (r, &i) in fleet.by_name().iter().enumerate() {
        ranks[i] = u32::try_from(r + 1).unwrap_or(u32::MAX);
    }
    ranks
}

/// The credential at `at`'s key; a never-expiring one sorts after every
/// date.
fn key(fleet: &Fleet, ranks: &[u32], at: usize, c: &Credential) -> CredKey {
    let agent = fleet.credential_agent(at);
    CredKey {
        rank: (
            status_rank(c.status),
            c.expires_at.map_or(i64::MAX, |t| t.timestamp_micros()),
            agent.and_then(|i| ranks.get(i).copied()).unwrap_or(0),
        ),
        at: at as u32,
        status: c.status,
        agent: agent.and_then(|i| u32::try_from(i).ok()),
        text: Span::default(),
    }
}

/// What `/` knows of a credential.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("agent", &[]),
    FieldSpec::text("status", &[]),
    FieldSpec::text("scope", &["scopes"]),
    FieldSpec::text("env", &[]),
];

/// The name of the credential's agent, if the fleet holds it.
fn agent_name<'a>(fleet: &'a Fleet, k: &CredKey) -> Option<&'a str> {
    let agent = fleet.agents().get(k.agent? as usize)?;
    Some(agent.name.as_str())
}

/// What free text finds a credential by: its id, prefix and scopes, and
/// its agent's name.
fn text_parts<'a>(
    c: &'a Credential,
    agent: Option<&'a str>,
) -> impl Iterator<Item = &'a str> + Clone {
    [c.id.as_str(), c.prefix.as_str()]
        .into_iter()
        .chain(c.scopes.iter().map(String::as_str))
        .chain(agent)
}

/// `scope:`, the one field only the credential itself answers.
const SCOPE: usize = 2;

/// The sort's keys, beside `order.ids`, and whether the fleet is still
/// the one they were read from.
#[derive(Clone, Copy)]
struct Keys<'a> {
    keys: &'a [CredKey],
    texts: &'a RowTexts,
    fresh: bool,
}

/// Whether `filter` keeps the credential at `ids[i]`: read from its
/// `keys` when they are the fleet's, else from the fleet.
fn kept_by<'a>(
    fleet: &'a Fleet,
    filter: &'a RowFilter,
    ids: &'a [String],
    keys: Keys<'a>,
) -> impl FnMut(&u32) -> bool + 'a {
    let mut pass = Pass::default();
    move |&i| {
        let key = keys.keys.get(i as usize);
        let at = key.map(|k| k.at as usize);
        let row = CredRow {
            stale_id: (!keys.fresh).then(|| ids[i as usize].as_str()),
            key: key.filter(|_| keys.fresh),
            texts: keys.fresh.then_some(keys.texts),
            fleet,
            credential: OnceCell::new(),
            at,
            agent: OnceCell::new(),
        };
        // Gone from the fleet since the sort: not shown.
        (row.key.is_some() || row.credential().is_some()) && filter.matches_in(&row, &mut pass)
    }
}

/// A credential as its filter sees it. The credential and its agent are
/// looked up only when a term asks for them: `status:`, `agent:` and
/// `env:` are answered by the keys, over every row of a list that may be
/// millions long.
struct CredRow<'a> {
    /// Its id when the keys are stale (fresh keys find the credential at
    /// its index, with its id).
    stale_id: Option<&'a str>,
    key: Option<&'a CredKey>,
    /// The sort's texts, with fresh keys.
    texts: Option<&'a RowTexts>,
    fleet: &'a Fleet,
    credential: OnceCell<Option<&'a Credential>>,
    /// Where the sort found it in the fleet: still there unless a removal
    /// moved it (its id says).
    at: Option<usize>,
    agent: OnceCell<Option<&'a Agent>>,
}

impl<'a> CredRow<'a> {
    fn credential(&self) -> Option<&'a Credential> {
        *self.credential.get_or_init(|| {
            self.at
                .and_then(|i| self.fleet.credential_at(i))
                .filter(|c| self.stale_id.is_none_or(|id| c.id == id))
                .or_else(|| self.stale_id.and_then(|id| self.fleet.credential(id)))
        })
    }

    fn agent(&self) -> Option<&'a Agent> {
        *self.agent.get_or_init(|| match self.key {
            Some(k) => k.agent.and_then(|i| self.fleet.agents().get(i as usize)),
            None => self
                .credential()
                .and_then(|c| self.fleet.agent(&c.agent_id)),
        })
    }

    fn status(&self) -> Option<CredentialStatus> {
        match self.key {
            Some(k) => Some(k.status),
            None => self.credential().map(|c| c.status),
        }
    }
}

fn status_word(s: CredentialStatus) -> &'static str {
    match s {
        CredentialStatus::Active => "active",
        CredentialStatus::Expired => "expired",
        CredentialStatus::Revoked => "revoked",
    }
}

impl Row for CredRow<'_> {
    fn field(&self, i: usize) -> Value<'_> {
        match i {
            0 => self.agent().map_or(Value::None, |a| Value::Either(&a.name, &a.id)),
            1 => self
                .status()
                .map_or(Value::None, |s| Value::Text(status_word(s))),
            SCOPE => self
                .credential()
                .map_or(Value::None, |c| Value::List(&c.scopes)),
            _ => self.agent().map_or(Value::None, |a| Value::Text(&a.environment)),
        }
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        if let Some(text) = self.texts.zip(self.key).and_then(|(t, k)| t.get(k.text)) {
            return hit(text);
        }
        let id = self
            .stale_id
            .or_else(|| self.credential().map(|c| c.id.as_str()));
        id.is_some_and(&mut *hit)
            || self.credential().is_some_and(|c| {
                hit(&c.prefix) || c.scopes.iter().any(|s| hit(s))
            })
    }

    fn lower_text(&self) -> Option<&str> {
        self.texts.zip(self.key).and_then(|(t, k)| t.get(k.text))
    }

    /// `status:`, from the keys.
    fn field_code(&self, i: usize) -> Option<u32> {
        self.key.filter(|_| i == 1).map(|k| k.status as u32)
    }

    fn shared(&self) -> Option<u32> {
        self.key.and_then(|k| k.agent)
    }

    fn shared_text(&self) -> Option<&str> {
        self.agent().map(|a| a.name.as_str())
    }

    /// `agent:` and `env:`.
    fn field_is_shared(&self, i: usize) -> bool {
        i == 0 || i == 3
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Changes;
    use chrono::Duration;

    fn cred(id: &str, status: CredentialStatus, expires_in_days: Option<i64>) -> Credential {
        Credential {
            scopes: vec![],
            issued_at: Utc::now() - Duration::days(10),
            expires_at: expires_in_days.map(|d| Utc::now() + Duration::days(d)),
            status,
            ..crate::model::fixtures::credential(id, "agt_1")
        }
    }

    #[test]
    fn live_and_soonest_to_expire_first_and_the_selection_follows() {
        let mut fleet = Fleet::new();
        fleet.apply(Changes {
            cursor: 1,
            full: true,
            credentials: vec![
                cred("never", CredentialStatus::Active, None),
                cred("later", CredentialStatus::Active, Some(60)),
                cred("past", CredentialStatus::Active, Some(-1)),
                cred("revoked", CredentialStatus::Revoked, Some(1)),
                cred("expired", CredentialStatus::Expired, Some(-5)),
                cred("soon", CredentialStatus::Active, Some(2)),
            ],
            ..Changes::default()
        });
        let mut list = CredList::default();
        list.refresh(&fleet);
        assert_eq!(
            list.order,
            ["past", "soon", "later", "never", "expired", "revoked"]
        );
        list.move_by(2);
        assert_eq!(list.selected_id(), Some("later"));
        fleet.apply(Changes {
            cursor: 2,
            credentials: vec![cred("later", CredentialStatus::Revoked, Some(60))],
            ..Changes::default()
        });
        list.refresh(&fleet);
        assert_eq!(list.selected_id(), Some("later"), "follows the credential");
        assert_eq!(list.order.last().map(String::as_str), Some("later"));
    }

    fn set(list: &mut CredList, fleet: &Fleet, text: &str) -> Vec<String> {
        list.filter.set(text, FIELDS).unwrap();
        list.refresh(fleet);
        list.order.iter().cloned().collect()
    }

    fn fleet_of(credentials: Vec<Credential>) -> Fleet {
        use crate::model::fixtures::agent;
        let mut fleet = Fleet::new();
        fleet.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![
                agent("agt_1", "Support-Bot"),
                crate::model::Agent {
                    environment: "staging".into(),
                    ..agent("agt_2", "billing\u{1b}[31m")
                },
            ],
            credentials,
            ..Changes::default()
        });
        fleet
    }

    #[test]
    fn field_terms_read_the_keys_and_miss_nothing() {
        let on = |id, agent, status, days| Credential {
            agent_id: String::from(agent),
            ..cred(id, status, days)
        };
        let mut fleet = fleet_of(vec![
            on("c1", "agt_1", CredentialStatus::Active, Some(3)),
            on("c2", "agt_2", CredentialStatus::Revoked, None),
            on("c3", "agt_2", CredentialStatus::Active, Some(30)),
            on("c4", "agt_gone", CredentialStatus::Expired, Some(-3)),
        ]);
        let mut list = CredList::default();
        list.refresh(&fleet);
        assert_eq!(list.order, ["c1", "c3", "c4", "c2"]);
        assert_eq!(list.urgent(&fleet, Utc::now()), 1);
        for (text, want) in [
            ("status:active", vec!["c1", "c3"]),
            ("status:act env:staging", vec!["c3"]),
            ("agent:SUPPORT", vec!["c1"]),
            ("agent:agt_2", vec!["c3", "c2"]),
            ("agent:none", vec!["c4"]),
            ("!status:active", vec!["c4", "c2"]),
            ("env:prod", vec!["c1"]),
            ("billing", vec!["c3", "c2"]),
            ("c4", vec!["c4"]),
            ("", vec!["c1", "c3", "c4", "c2"]),
        ] {
            assert_eq!(set(&mut list, &fleet, text), want, "{text:?}");
        }
        // A poll revokes c1: the keys are made again with the sort.
        set(&mut list, &fleet, "status:revoked");
        fleet.apply(Changes {
            cursor: 2,
            credentials: vec![on("c1", "agt_1", CredentialStatus::Revoked, Some(3))],
            ..Changes::default()
        });
        list.refresh(&fleet);
        assert_eq!(list.order, ["c1", "c2"]);
        assert_eq!(list.urgent(&fleet, Utc::now()), 0);
    }

    #[test]
    fn the_urgent_count_is_of_the_rows_shown() {
        let fleet = fleet_of(vec![
            cred("c1", CredentialStatus::Active, Some(-2)),
            cred("c2", CredentialStatus::Active, Some(3)),
            cred("c3", CredentialStatus::Active, Some(30)),
            cred("c4", CredentialStatus::Active, None),
            cred("c5", CredentialStatus::Revoked, Some(1)),
            cred("c6", CredentialStatus::Expired, Some(-1)),
        ]);
        let mut list = CredList::default();
        list.refresh(&fleet);
        let now = Utc::now();
        for (text, want) in [("", 2), ("c2", 1), ("c3", 0), ("!c1", 1), ("c5", 0)] {
            set(&mut list, &fleet, text);
            assert_eq!(list.urgent(&fleet, now), want, "{text:?}");
        }
    }

    #[test]
    fn between_sorts_the_filter_asks_the_fleet() {
        let mut fleet = fleet_of(vec![
            cred("c1", CredentialStatus::Active, Some(3)),
            cred("c2", CredentialStatus::Active, Some(9)),
        ]);
        let mut list = CredList::default();
        list.refresh(&fleet);
        // Pages are still coming in: the sort waits, the keys are stale.
        list.catalogue.asked.insert(0);
        fleet.apply(Changes {
            cursor: 2,
            credentials: vec![cred("c2", CredentialStatus::Revoked, Some(9))],
            ..Changes::default()
        });
        assert_eq!(set(&mut list, &fleet, "status:revoked"), ["c2"]);
        assert_eq!(set(&mut list, &fleet, "status:active"), ["c1"]);
    }

    #[test]
    fn expiry_reads_against_now() {
        let now = Utc::now();
        let at = |d: Option<i64>| expiry(&cred("c", CredentialStatus::Active, d), now);
        assert_eq!(at(None), Expiry::Never);
        assert_eq!(at(Some(-1)), Expiry::Expired);
        assert_eq!(at(Some(3)), Expiry::Soon);
        assert_eq!(at(Some(30)), Expiry::Later);
    }
}
