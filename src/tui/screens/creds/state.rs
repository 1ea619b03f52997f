//! The credentials view's order: every credential the fleet holds, live
//! ones first and, among them, the soonest to expire (an expiry already
//! past first of all), then expired, then revoked. Kept as credential ids,
//! rebuilt only when the fleet changes; the selection follows the id.

use crate::fleet::row_filter::{FieldSpec, Row, Value};
use crate::fleet::state::Fleet;
use crate::model::{Agent, Credential, CredentialStatus};
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
    match c.expires_at {
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
    pub order: Vec<String>,
    pub sel: Selection,
    built_for: Option<u64>,
    /// Every credential's id in display order, before the filter, while a
    /// filter hides some; with none, `order` holds them (one copy, not two).
    sorted: Vec<String>,
    /// Whether `order` is the whole sorted list (and `sorted` empty).
    order_is_all: bool,
    pub filter: ListFilter,
    filtered_with: Option<u64>,
    /// What `order` was filtered with, so the next keystroke can narrow it.
    narrowing: Narrowing<String>,
    /// How many credentials the fleet held at the last sort.
    sorted_held: usize,
    /// The title's count of live credentials expiring soon among `order`,
    /// for the order of `rebuilds` and the minute of the clock it was
    /// counted at: counted once, not on every frame.
    urgent: Cell<Option<(u64, i64, usize)>>,
    /// Moves whenever `order` does.
    rebuilds: u64,
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
            self.built_for = Some(fleet.generation);
            self.sorted_held = held;
            self.sort(fleet);
            self.filtered_with = None;
            self.narrowing.rebuilt("");
        }
        if self.filtered_with == Some(self.filter.version) {
            return;
        }
        self.filtered_with = Some(self.filter.version);
        let total = if self.filter.is_empty() {
            if !self.order_is_all {
                self.order = std::mem::take(&mut self.sorted);
                self.order_is_all = true;
            }
            self.narrowing.rebuilt("");
            self.order.len()
        } else if !self.order_is_all && {
            let filter = &self.filter;
            self.narrowing
                .narrow(filter, &mut self.order, kept_by(fleet, filter))
        } {
            self.sorted.len()
        } else {
            if self.order_is_all {
                self.sorted = std::mem::take(&mut self.order);
                self.order_is_all = false;
            }
            let keep = kept_by(fleet, &self.filter);
            self.order = self.sorted.iter().filter(|id| keep(id)).cloned().collect();
            self.narrowing.rebuilt(&self.filter.text);
            self.sorted.len()
        };
        self.filter.counted(self.order.len(), total);
        self.sel.restore_ids(&self.order);
        self.rebuilds += 1;
    }

    /// Sorts on small keys borrowed from the fleet: the agent's name as
    /// its place in the fleet's name order (no name compared or copied),
    /// the id as a `&str`; only the ids kept are copied, once.
    fn sort(&mut self, fleet: &Fleet) {
        // 0 for a credential whose agent is not in the fleet (it sorted
        // as an empty name).
        let mut name_rank = vec![0u32; fleet.len()];
        for (r, &i) in fleet.by_name().iter().enumerate() {
            name_rank[i] = u32::try_from(r + 1).unwrap_or(u32::MAX);
        }
        let agent_rank = |c: &Credential| {
            fleet
                .position(&c.agent_id)
                .map_or(0, |i| name_rank[i])
        };
        // Never-expiring sorts after every date: `None` is mapped past them.
        let mut keyed: Vec<(u8, i64, u32, &str)> = fleet
            .credentials()
            .map(|c| {
                (
                    status_rank(c.status),
                    c.expires_at.map_or(i64::MAX, |t| t.timestamp_micros()),
                    agent_rank(c),
                    c.id.as_str(),
                )
            })
            .collect();
        keyed.sort_unstable();
        self.sorted = keyed.into_iter().map(|(_, _, _, id)| id.to_string()).collect();
        self.order_is_all = false;
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
        let n = self
            .order
            .iter()
            .filter_map(|id| fleet.credential(id))
            .filter(|c| {
                c.status == CredentialStatus::Active
                    && matches!(expiry(c, now), Expiry::Expired | Expiry::Soon)
            })
            .count();
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
        self.sel.move_in(delta, &self.order);
    }

    fn cursor(&self) -> Cursor {
        self.sel.cursor(self.order.len())
    }
}

/// What `/` knows of a credential.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("agent", &[]),
    FieldSpec::text("status", &[]),
    FieldSpec::text("scope", &["scopes"]),
    FieldSpec::text("env", &[]),
];

/// Whether `filter` keeps the credential of an id.
fn kept_by<'a>(fleet: &'a Fleet, filter: &'a ListFilter) -> impl Fn(&String) -> bool + 'a {
    move |id| {
        fleet.credential(id).is_some_and(|c| {
            filter.keeps(&CredRow {
                credential: c,
                fleet,
                agent: OnceCell::new(),
            })
        })
    }
}

/// A credential as its filter sees it. Its agent is looked up only when
/// a term asks for it: `status:` and `scope:` are answered by the
/// credential alone, over every row of a list that may be millions long.
struct CredRow<'a> {
    credential: &'a Credential,
    fleet: &'a Fleet,
    agent: OnceCell<Option<&'a Agent>>,
}

impl<'a> CredRow<'a> {
    fn agent(&self) -> Option<&'a Agent> {
        *self
            .agent
            .get_or_init(|| self.fleet.agent(&self.credential.agent_id))
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
            1 => Value::Text(status_word(self.credential.status)),
            2 => Value::List(&self.credential.scopes),
            _ => self.agent().map_or(Value::None, |a| Value::Text(&a.environment)),
        }
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        let c = self.credential;
        hit(&c.id)
            || hit(&c.prefix)
            || self.agent().is_some_and(|a| hit(&a.name))
            || c.scopes.iter().any(|s| hit(s))
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
