//! The agents table's order: the fleet filtered and sorted, kept as a vector
//! of indices into the fleet and rebuilt only when the filter, the sort or
//! the data changes, never on a frame. The selection follows the agent,
//! not the row number.

use crate::fleet::filter::{Filter, Filterable};
use crate::fleet::state::Fleet;
use crate::model::{Agent, Person, Severity};

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
}

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
    /// The fleet generation `order` was built from.
    built_for: Option<u64>,
    /// `:ctx`: only agents whose id starts with this (a backend's name and
    /// the separator).
    scope: Option<String>,
    /// Every agent in the current sort, and what it was sorted for.
    sorted: Vec<usize>,
    sorted_for: Option<(u64, SortKey, bool)>,
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
            built_for: None,
            scope: None,
            sorted: Vec::new(),
            sorted_for: None,
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
        self.built_for = None;
    }

    /// Shows only the agents of ids starting with `prefix`, or all.
    pub fn set_scope(&mut self, prefix: Option<String>) {
        if self.scope != prefix {
            self.scope = prefix;
            self.built_for = None;
        }
    }

    /// Sorts by `key`; the same key again reverses.
    pub fn sort_by(&mut self, key: SortKey) {
        if self.sort == key {
            self.descending = !self.descending;
        } else {
            self.sort = key;
            self.descending = false;
        }
        self.built_for = None;
    }

    /// Rebuilds the order if the fleet, filter or sort changed since the
    /// last build; keeps the selected agent selected when it still shows.
    /// The whole fleet is sorted only when the data or the sort changes: a
    /// filter keystroke only walks the sorted list, so typing stays fast at
    /// 100,000 agents.
    pub fn refresh(&mut self, fleet: &Fleet) {
        let sort_key = (fleet.generation, self.sort, self.descending);
        if self.sorted_for != Some(sort_key) {
            self.sorted = sorted(fleet, self.sort, self.descending);
            self.sorted_for = Some(sort_key);
            self.built_for = None;
        }
        if self.built_for == Some(fleet.generation) {
            return;
        }
        let keep = self
            .selected_index()
            .and_then(|i| fleet.agents().get(i).map(|a| a.id.clone()));
        let agents = fleet.agents();
        let (needs_owner, needs_risk) = (self.filter.needs_owner(), self.filter.needs_risk());
        let scope = self.scope.as_deref().unwrap_or("");
        self.order = if self.filter.is_empty() && scope.is_empty() {
            self.sorted.clone()
        } else {
            self.sorted
                .iter()
                .copied()
                .filter(|&i| {
                    agents[i].id.starts_with(scope)
                        && self.filter.matches(&Row {
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
                        })
                })
                .collect()
        };
        self.built_for = Some(fleet.generation);
        let kept = keep.and_then(|id| {
            let i = fleet.position(&id)?;
            self.order.iter().position(|&o| o == i)
        });
        self.selected = kept
            .unwrap_or(self.selected)
            .min(self.order.len().saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.order.is_empty() {
            return;
        }
        let last = self.order.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    pub fn top(&mut self) {
        self.selected = 0;
    }

    pub fn bottom(&mut self) {
        self.selected = self.order.len().saturating_sub(1);
    }

    /// Keeps the selection inside a window of `height` rows.
    pub fn scroll_to_selection(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.order.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }
}

/// Every agent's index, sorted by `key`. Keys that need a lookup (the
/// owner's name, the summary) are computed once per agent, not once per
/// comparison. Stable sorts with the name as the final key: equal rows keep
/// one order from frame to frame.
fn sorted(fleet: &Fleet, key: SortKey, descending: bool) -> Vec<usize> {
    let agents = fleet.agents();
    let mut order: Vec<usize> = (0..agents.len()).collect();
    let name = |a: usize, b: usize| agents[a].name.cmp(&agents[b].name);
    match key {
        SortKey::Name => order.sort_by(|&a, &b| name(a, b)),
        SortKey::Owner => {
            let owners: Vec<&str> = agents
                .iter()
                .map(|a| fleet.owner_of(a).map(|p| p.name.as_str()).unwrap_or(""))
                .collect();
            order.sort_by(|&a, &b| owners[a].cmp(owners[b]).then_with(|| name(a, b)));
        }
        SortKey::Status => order.sort_by(|&a, &b| {
            agents[a]
                .status
                .cmp(&agents[b].status)
                .then_with(|| name(a, b))
        }),
        SortKey::Risk => {
            let risk: Vec<_> = (0..agents.len()).map(|i| fleet.summary(i).risk).collect();
            order.sort_by(|&a, &b| risk[b].cmp(&risk[a]).then_with(|| name(a, b)));
        }
        SortKey::LastSeen => order.sort_by(|&a, &b| {
            agents[b]
                .last_seen_at
                .cmp(&agents[a].last_seen_at)
                .then_with(|| name(a, b))
        }),
        SortKey::Alerts => {
            let alerts: Vec<u32> = (0..agents.len())
                .map(|i| fleet.summary(i).open_alerts)
                .collect();
            order.sort_by(|&a, &b| alerts[b].cmp(&alerts[a]).then_with(|| name(a, b)));
        }
    }
    if descending {
        order.reverse();
    }
    order
}
