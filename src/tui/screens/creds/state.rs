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
}

impl CredList {
    /// Rebuilds the order if the fleet or the filter changed since the
    /// last time; a keystroke filters the sorted ids without sorting.
    pub fn refresh(&mut self, fleet: &Fleet) {
        if self.built_for != Some(fleet.generation) {
            self.built_for = Some(fleet.generation);
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
    }

    fn sort(&mut self, fleet: &Fleet) {
        let name = |c: &Credential| {
            fleet
                .agent(&c.agent_id)
                .map(|a| a.name.clone())
                .unwrap_or_default()
        };
        // Never-expiring sorts after every date: `None` is mapped past them.
        let mut keyed: Vec<_> = fleet
            .credentials()
            .map(|c| {
                (
                    status_rank(c.status),
                    c.expires_at.unwrap_or(DateTime::<Utc>::MAX_UTC),
                    name(c),
                    c.id.clone(),
                )
            })
            .collect();
        keyed.sort_unstable();
        self.sorted = keyed.into_iter().map(|(_, _, _, id)| id).collect();
        self.order_is_all = false;
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
                agent: fleet.agent(&c.agent_id),
            })
        })
    }
}

struct CredRow<'a> {
    credential: &'a Credential,
    agent: Option<&'a Agent>,
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
            0 => self.agent.map_or(Value::None, |a| Value::Either(&a.name, &a.id)),
            1 => Value::Text(status_word(self.credential.status)),
            2 => Value::List(&self.credential.scopes),
            _ => self.agent.map_or(Value::None, |a| Value::Text(&a.environment)),
        }
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        let c = self.credential;
        hit(&c.id)
            || hit(&c.prefix)
            || self.agent.is_some_and(|a| hit(&a.name))
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
