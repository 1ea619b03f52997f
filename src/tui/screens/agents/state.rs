//! The agents table's order: the fleet filtered and sorted, kept as a vector
//! of indices into the fleet and rebuilt only when the filter, the sort or
//! the data changes, never on a frame. The selection follows the agent,
//! not the row number.

use crate::fleet::filter::{Filter, Filterable, SearchKey};
use crate::fleet::order::merge_changed;
use crate::fleet::state::Fleet;
use crate::model::{Agent, Person, Severity};
use crate::tui::components::selection::{Cursor, moved, scrolled};
use crate::tui::screens::ListState;
use std::cmp::{Ordering, Reverse};
use std::collections::HashMap;

/// The columns the table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Owner,
    Status,
    Risk,
    LastSeen,
    Alerts,
}

/// One agent as the filter sees it.
struct Row<'a> {
    agent: &'a Agent,
    owner: Option<&'a Person>,
    risk: Option<Severity>,
    search: Option<SearchKey<'a>>,
}

impl Filterable for Row<'_> {
    fn agent(&self) -> &Agent {
        self.agent
    }
    fn owner(&self) -> Option<&Person> {
        self.owner
    }
    fn risk(&self) -> Option<Severity> {
        self.risk
    }
    fn search(&self) -> Option<SearchKey<'_>> {
        self.search
    }
}

/// What an order was built for: the fleet's generation, the sort, the
/// scope and the filter.
#[derive(Debug, Clone, PartialEq)]
struct Built {
    generation: u64,
    sort: SortKey,
    descending: bool,
    scope: Option<String>,
    filter: Filter,
}

/// Orders kept for other filters, so erasing what was just typed finds
/// its order again instead of scanning the fleet.
const RECENT: usize = 8;

#[derive(Debug)]
pub struct AgentTable {
    /// Indices into `Fleet::agents()`, in display order.
    pub order: Vec<usize>,
    /// Position in `order`.
    pub selected: usize,
    /// First visible position.
    pub offset: usize,
    pub filter: Filter,
    /// The text the filter was parsed from, to edit it again.
    pub filter_text: String,
    pub sort: SortKey,
    pub descending: bool,
    /// What `order` was built for.
    built: Option<Built>,
    /// `:ctx`: only agents whose id starts with this (a backend's name and
    /// the separator).
    scope: Option<String>,
    /// Every agent in the current sort, and what it was sorted for.
    sorted: Vec<usize>,
    sorted_for: Option<(u64, SortKey, bool)>,
    /// Orders built before the current one at this generation, oldest first.
    recent: Vec<(Built, Vec<usize>)>,
}

impl Default for AgentTable {
    fn default() -> Self {
        AgentTable {
            order: Vec::new(),
            selected: 0,
            offset: 0,
            filter: Filter::default(),
            filter_text: String::new(),
            sort: SortKey::Name,
            descending: false,
            built: None,
            scope: None,
            sorted: Vec::new(),
            sorted_for: None,
            recent: Vec::new(),
        }
    }
}

impl AgentTable {
    /// The selected agent's fleet index.
    pub fn selected_index(&self) -> Option<usize> {
        self.order.get(self.selected).copied()
    }

    pub fn set_filter(&mut self, filter: Filter, text: &str) {
        self.filter = filter;
        self.filter_text = text.to_string();
    }

    /// Shows only the agents of ids starting with `prefix`, or all.
    pub fn set_scope(&mut self, prefix: Option<String>) {
        self.scope = prefix;
    }

    /// Sorts by `key`; the same key again reverses.
    pub fn sort_by(&mut self, key: SortKey) {
        if self.sort == key {
            self.descending = !self.descending;
        } else {
            self.sort = key;
            self.descending = false;
        }
    }

    fn is_built_for(&self, generation: u64) -> bool {
        self.built.as_ref().is_some_and(|b| {
            b.generation == generation
                && b.sort == self.sort
                && b.descending == self.descending
                && b.scope == self.scope
                && b.filter == self.filter
        })
    }

    /// Rebuilds the order if the fleet, filter or sort changed since the
    /// last build; keeps the selected agent selected when it still shows.
    ///
    /// What makes this fast at 100,000 agents: a poll that changed only
    /// some agents moves just those (binary search into the sorted list
    /// and the order); a sort starts from the fleet's name order and
    /// sorts it stably by a small key; a filter keystroke that only adds
    /// to the filter narrows the previous order, one that erases finds
    /// the order it had, and any other scans the fleet in its own order
    /// (contiguous memory, the free text from the fleet's search keys)
    /// before walking the sorted list.
    pub fn refresh(&mut self, fleet: &Fleet) {
        let generation = fleet.generation;
        if self.is_built_for(generation) {
            return;
        }
        let keep = self
            .selected_index()
            .and_then(|i| fleet.agents().get(i).map(|a| a.id.clone()));
        let (sort, descending) = (self.sort, self.descending);
        let cmp = |a: usize, b: usize| {
            if descending {
                compare(fleet, sort, b, a)
            } else {
                compare(fleet, sort, a, b)
            }
        };

        // The sort, brought up to date.
        let mut delta: Option<(u64, &[usize])> = None;
        if self.sorted_for != Some((generation, sort, descending)) {
            let changed = match self.sorted_for {
                Some((g, k, d)) if (k, d) == (sort, descending) => {
                    fleet.changed_since(g).map(|c| (g, c))
                }
                _ => None,
            };
            match changed {
                // By name, the fleet's own order is the answer: a copy.
                Some((g, c)) if sort != SortKey::Name => {
                    merge_changed(&mut self.sorted, c, fleet.len(), |_| true, cmp);
                    delta = Some((g, c));
                }
                Some((g, c)) => {
                    self.sorted = sorted(fleet, sort, descending);
                    delta = Some((g, c));
                }
                None => self.sorted = sorted(fleet, sort, descending),
            }
            self.sorted_for = Some((generation, sort, descending));
        }
        self.recent.retain(|(b, _)| {
            b.generation == generation && b.sort == sort && b.descending == descending
        });

        let agents = fleet.agents();
        let scope = self.scope.clone().unwrap_or_default();
        let (needs_owner, needs_risk) = (self.filter.needs_owner(), self.filter.needs_risk());
        let filter = &self.filter;
        let shows = |i: usize| {
            (scope.is_empty() || agents[i].id.starts_with(&scope))
                && filter.matches(&Row {
                    agent: &agents[i],
                    owner: if needs_owner {
                        fleet.owner_of(&agents[i])
                    } else {
                        None
                    },
                    risk: if needs_risk {
                        fleet.summary(i).risk
                    } else {
                        None
                    },
                    search: fleet.search_key(i),
                })
        };
        let want = Built {
            generation,
            sort,
            descending,
            scope: self.scope.clone(),
            filter: self.filter.clone(),
        };
        let previous = self.built.take();
        let same_view =
            |b: &Built| b.sort == sort && b.descending == descending && b.scope == want.scope;
        let order = if self.filter.is_empty() && scope.is_empty() {
            self.sorted.clone()
        } else if let Some((g, changed)) = delta
            && previous
                .as_ref()
                .is_some_and(|b| b.generation == g && same_view(b) && b.filter == want.filter)
        {
            let mut order = std::mem::take(&mut self.order);
            merge_changed(&mut order, changed, fleet.len(), shows, cmp);
            order
        } else if let Some(at) = self.recent.iter().position(|(b, _)| *b == want) {
            self.recent.remove(at).1
        } else if self.order.len() <= agents.len() / 8
            && previous.as_ref().is_some_and(|b| {
                b.generation == generation && same_view(b) && want.filter.narrows(&b.filter)
            })
        {
            // Only from a small result: a large one is walked in the
            // sort's order, a jump in memory per agent, and the fleet's
            // own order is then faster even for all of it.
            self.order.iter().copied().filter(|&i| shows(i)).collect()
        } else {
            // In the fleet's order, then in the sort's: the filter reads
            // the agents one after another, not in the sort's jumps.
            let hits: Vec<bool> = (0..agents.len()).map(shows).collect();
            self.sorted.iter().copied().filter(|&i| hits[i]).collect()
        };
        if let Some(b) = previous
            && b.generation == generation
            && !b.filter.is_empty()
        {
            let old = std::mem::replace(&mut self.order, order);
            if self.recent.len() == RECENT {
                self.recent.remove(0);
            }
            self.recent.push((b, old));
        } else {
            self.order = order;
        }
        self.built = Some(want);
        let kept = keep.and_then(|id| {
            let i = fleet.position(&id)?;
            self.order.iter().position(|&o| o == i)
        });
        self.selected = kept
            .unwrap_or(self.selected)
            .min(self.order.len().saturating_sub(1));
    }

    /// Keeps the selection inside a window of `height` rows.
    pub fn scroll_to_selection(&mut self, height: usize) {
        self.offset = scrolled(self.selected, self.offset, height, self.order.len());
    }
}

impl ListState for AgentTable {
    fn move_by(&mut self, delta: isize) {
        self.selected = moved(self.selected, delta, self.order.len());
    }

    fn top(&mut self) {
        self.selected = 0;
    }

    fn bottom(&mut self) {
        self.selected = self.order.len().saturating_sub(1);
    }

    fn cursor(&self) -> Cursor {
        Cursor {
            offset: self.offset,
            selected: self.selected,
            len: self.order.len(),
        }
    }
}

/// Agents `a` and `b` in the order of `key` (ascending): the column's
/// value, then the name, then the index, so the order is total and a
/// binary search finds one place for an agent. The same order as
/// [`sorted`] builds.
fn compare(fleet: &Fleet, key: SortKey, a: usize, b: usize) -> Ordering {
    let agents = fleet.agents();
    let (x, y) = (&agents[a], &agents[b]);
    let owner = |x: &Agent| fleet.owner_of(x).map(|p| p.name.as_str()).unwrap_or("");
    let first = match key {
        SortKey::Name => Ordering::Equal,
        SortKey::Owner => owner(x).cmp(owner(y)),
        SortKey::Status => x.status.cmp(&y.status),
        SortKey::Risk => fleet.summary(b).risk.cmp(&fleet.summary(a).risk),
        SortKey::LastSeen => y.last_seen_at.cmp(&x.last_seen_at),
        SortKey::Alerts => fleet
            .summary(b)
            .open_alerts
            .cmp(&fleet.summary(a).open_alerts),
    };
    first.then_with(|| fleet.cmp_names(a, b))
}

/// Every agent's index, sorted by `key`, then name, then index. The fleet
/// keeps its agents in name order already; that order, sorted stably by
/// the column's value (computed once per agent, a small copyable key),
/// is the answer, and no names are compared.
fn sorted(fleet: &Fleet, key: SortKey, descending: bool) -> Vec<usize> {
    let agents = fleet.agents();
    let by_name = fleet.by_name();
    let mut order = match key {
        SortKey::Name => by_name.to_vec(),
        SortKey::Owner => {
            // Owners ranked by name: equal names rank equal, no owner is "".
            let mut names: Vec<&str> = fleet.people().map(|p| p.name.as_str()).collect();
            names.push("");
            names.sort_unstable();
            names.dedup();
            let rank: HashMap<&str, u32> = fleet
                .people()
                .map(|p| {
                    let r = names.binary_search(&p.name.as_str()).unwrap_or(0);
                    (p.id.as_str(), r as u32)
                })
                .collect();
            let none = names.binary_search(&"").unwrap_or(0) as u32;
            stable_by(
                by_name,
                |i| {
                    agents[i]
                        .owner
                        .as_deref()
                        .and_then(|o| rank.get(o).copied())
                        .unwrap_or(none)
                },
                agents.len(),
            )
        }
        SortKey::Status => stable_by(by_name, |i| agents[i].status, agents.len()),
        SortKey::Risk => stable_by(by_name, |i| Reverse(fleet.summary(i).risk), agents.len()),
        SortKey::LastSeen => stable_by(by_name, |i| Reverse(agents[i].last_seen_at), agents.len()),
        SortKey::Alerts => stable_by(
            by_name,
            |i| Reverse(fleet.summary(i).open_alerts),
            agents.len(),
        ),
    };
    if descending {
        order.reverse();
    }
    order
}

/// `base` sorted stably by `key`, computed once per agent in the fleet's
/// order (its memory's order) and sorted as compact pairs.
fn stable_by<K: Ord + Copy>(base: &[usize], key: impl Fn(usize) -> K, len: usize) -> Vec<usize> {
    let keys: Vec<K> = (0..len).map(key).collect();
    let mut keyed: Vec<(K, u32)> = base.iter().map(|&i| (keys[i], i as u32)).collect();
    keyed.sort_by_key(|p| p.0);
    keyed.into_iter().map(|(_, i)| i as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Changes;
    use crate::model::AgentStatus;

    const KEYS: [SortKey; 6] = [
        SortKey::Name,
        SortKey::Owner,
        SortKey::Status,
        SortKey::Risk,
        SortKey::LastSeen,
        SortKey::Alerts,
    ];

    fn fleet(n: usize) -> Fleet {
        let f = crate::demo::fleet::generate(n, 7, chrono::Utc::now());
        let mut fleet = Fleet::new();
        fleet.apply(Changes {
            cursor: 1,
            full: true,
            agents: f.import.agents,
            people: f.import.people,
            credentials: f.import.credentials.into_iter().map(|(c, _)| c).collect(),
            grants: f.import.grants,
            delegations: f.import.delegations,
            ..Changes::default()
        });
        fleet
    }

    /// The order the slow, obvious way: a stable sort of every index.
    fn brute(fleet: &Fleet, key: SortKey, descending: bool, filter: &str) -> Vec<usize> {
        let f = Filter::parse(filter).unwrap();
        let agents = fleet.agents();
        let mut v: Vec<usize> = (0..agents.len())
            .filter(|&i| {
                f.matches(&crate::fleet::filter::Subject {
                    agent: &agents[i],
                    owner: fleet.owner_of(&agents[i]),
                    risk: fleet.summary(i).risk,
                })
            })
            .collect();
        v.sort_by(|&a, &b| compare(fleet, key, a, b));
        if descending {
            v.reverse();
        }
        v
    }

    fn table(fleet: &Fleet, key: SortKey, descending: bool, filter: &str) -> AgentTable {
        let mut t = AgentTable {
            sort: key,
            descending,
            ..AgentTable::default()
        };
        t.set_filter(Filter::parse(filter).unwrap(), filter);
        t.refresh(fleet);
        t
    }

    #[test]
    fn every_sort_is_the_obvious_one() {
        let fleet = fleet(400);
        for key in KEYS {
            for desc in [false, true] {
                for filter in ["", "sup", "env:prod ti"] {
                    assert_eq!(
                        table(&fleet, key, desc, filter).order,
                        brute(&fleet, key, desc, filter),
                        "{key:?} {desc} {filter:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn typing_erasing_and_polls_give_the_order_a_fresh_build_gives() {
        let mut fleet = fleet(400);
        for key in [SortKey::Name, SortKey::Owner, SortKey::Risk] {
            let mut t = table(&fleet, key, false, "");
            for text in ["s", "su", "sup", "supp", "sup", "su", "s", "s env:prod", ""] {
                t.set_filter(Filter::parse(text).unwrap(), text);
                t.refresh(&fleet);
                assert_eq!(t.order, brute(&fleet, key, false, text), "{key:?} {text:?}");
            }
            t.set_filter(Filter::parse("e").unwrap(), "e");
            t.refresh(&fleet);
            // A poll that renames, re-statuses and adds agents.
            let mut agents: Vec<_> = fleet.agents().iter().step_by(7).cloned().collect();
            for (k, a) in agents.iter_mut().enumerate() {
                a.name = format!("{}-{k}", if k % 2 == 0 { "aaa" } else { "zzz" });
                a.status = AgentStatus::Suspended;
            }
            let mut new = agents[0].clone();
            new.id = format!("agt_new_{key:?}");
            new.name = "mmm-new".into();
            agents.push(new);
            fleet.apply(Changes {
                cursor: fleet.cursor + 1,
                agents,
                ..Changes::default()
            });
            t.refresh(&fleet);
            assert_eq!(
                t.order,
                brute(&fleet, key, false, "e"),
                "{key:?} after a poll"
            );
            t.set_filter(Filter::default(), "");
            t.refresh(&fleet);
            assert_eq!(t.order, brute(&fleet, key, false, ""), "{key:?} unfiltered");
        }
    }
}
