//! The people view's rows: every person in the directory with what they
//! own (agents in all, active, killed, and the open alerts on them). Built
//! in one pass over the fleet, only when it changes. Departed people who
//! still own live agents come first (those agents answer to nobody), then
//! the biggest owners; the selection follows the person.

use crate::fleet::row_filter::{FieldSpec, Row, Value};
use crate::fleet::state::Fleet;
use crate::model::{AgentStatus, Person, PersonStatus};
use crate::tui::components::list_filter::ListFilter;
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::screens::ListState;
use std::cmp::Reverse;

/// One person and the counts of what they own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonRow {
    pub person_id: String,
    pub agents: u32,
    pub active: u32,
    pub killed: u32,
    /// Open alerts on the agents they own.
    pub open_alerts: u32,
}

impl PersonRow {
    /// Agents not killed: still able to act, whoever answers for them.
    pub fn live(&self) -> u32 {
        self.agents - self.killed
    }

    /// A departed person who still owns live agents: the row to fix first.
    pub fn orphans(&self, person: &Person) -> bool {
        person.status == PersonStatus::Departed && self.live() > 0
    }
}

#[derive(Debug, Default)]
pub struct PeopleList {
    /// In display order, the filter applied.
    pub rows: Vec<PersonRow>,
    pub sel: Selection,
    built_for: Option<u64>,
    /// Every person's row in display order, before the filter.
    sorted: Vec<PersonRow>,
    pub filter: ListFilter,
    filtered_with: Option<u64>,
    /// How many of `rows` are departed owners of live agents: counted
    /// with the rows, not on every frame (a person looked up by id per
    /// row was a frame's 5 ms at 40,000 people).
    pub orphaned: usize,
}

impl PeopleList {
    /// Rebuilds the rows if the fleet or the filter changed since the
    /// last time.
    pub fn refresh(&mut self, fleet: &Fleet) {
        if self.built_for != Some(fleet.generation) {
            self.built_for = Some(fleet.generation);
            self.count(fleet);
            self.filtered_with = None;
        }
        if self.filtered_with == Some(self.filter.version) {
            return;
        }
        self.filtered_with = Some(self.filter.version);
        let filter = &self.filter;
        self.rows = self
            .sorted
            .iter()
            .filter(|r| {
                filter.is_empty()
                    || fleet
                        .person(&r.person_id)
                        .is_some_and(|p| filter.keeps(&PersonFields(p)))
            })
            .cloned()
            .collect();
        self.filter.counted(self.rows.len(), self.sorted.len());
        self.orphaned = self
            .rows
            .iter()
            .filter(|r| fleet.person(&r.person_id).is_some_and(|p| r.orphans(p)))
            .count();
        let rows = &self.rows;
        self.sel.restore(
            rows.len(),
            |id| rows.iter().position(|r| r.person_id == id),
            |i| rows.get(i).map(|r| r.person_id.clone()),
        );
    }

    fn count(&mut self, fleet: &Fleet) {
        // foldhash, not SipHash: hashing 100,000 owner ids was most of a
        // poll's rebuild.
        let mut counts: hashbrown::HashMap<&str, PersonRow> =
            hashbrown::HashMap::with_capacity(fleet.people().size_hint().0);
        for (i, agent) in fleet.agents().iter().enumerate() {
            // An owner id the directory does not know has no row to count in.
            let Some(owner) = agent.owner.as_deref() else {
                continue;
            };
            let row = counts.entry(owner).or_default();
            row.agents += 1;
            match agent.status {
                AgentStatus::Active => row.active += 1,
                AgentStatus::Killed => row.killed += 1,
                AgentStatus::Dormant | AgentStatus::Suspended => {}
            }
            row.open_alerts += fleet.summary(i).open_alerts;
        }
        let mut people: Vec<(&Person, PersonRow)> = fleet
            .people()
            .map(|p| {
                let mut row = counts.remove(p.id.as_str()).unwrap_or_default();
                row.person_id = p.id.clone();
                (p, row)
            })
            .collect();
        // The id last, so that equal rows keep one order across polls.
        people.sort_by(|(pa, a), (pb, b)| {
            (Reverse(a.orphans(pa)), Reverse(a.agents), &pa.name, &pa.id).cmp(&(
                Reverse(b.orphans(pb)),
                Reverse(b.agents),
                &pb.name,
                &pb.id,
            ))
        });
        self.sorted = people.into_iter().map(|(_, r)| r).collect();
    }

    pub fn selected(&self) -> Option<&PersonRow> {
        self.rows.get(self.sel.selected)
    }
}

/// What `/` knows of a person.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("name", &[]),
    FieldSpec::text("email", &[]),
    FieldSpec::text("team", &[]),
    FieldSpec::text("status", &[]),
];

struct PersonFields<'a>(&'a Person);

impl Row for PersonFields<'_> {
    fn field(&self, i: usize) -> Value<'_> {
        let p = self.0;
        match i {
            0 => Value::Text(&p.name),
            1 => Value::Text(&p.email),
            2 => p.team.as_deref().map_or(Value::None, Value::Text),
            _ => Value::Text(match p.status {
                PersonStatus::Active => "active",
                PersonStatus::Departed => "departed",
            }),
        }
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        let p = self.0;
        hit(&p.name) || hit(&p.email) || p.team.as_deref().is_some_and(&mut *hit) || hit(&p.id)
    }
}

impl ListState for PeopleList {
    fn move_by(&mut self, delta: isize) {
        let rows = &self.rows;
        self.sel.move_by(delta, rows.len(), |i| {
            rows.get(i).map(|r| r.person_id.clone())
        });
    }

    fn cursor(&self) -> Cursor {
        self.sel.cursor(self.rows.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Changes;
    use crate::model::Agent;
    use crate::model::fixtures::person;

    fn agent(id: &str, owner: &str, status: AgentStatus) -> Agent {
        Agent {
            owner: Some(owner.into()),
            status,
            ..crate::model::fixtures::agent(id, id)
        }
    }

    #[test]
    fn departed_owners_of_live_agents_first_then_by_count() {
        let mut fleet = Fleet::new();
        fleet.apply(Changes {
            cursor: 1,
            full: true,
            people: vec![
                person("big", "Big", false),
                person("gone", "Gone", true),
                person("gone_dead", "Gone with killed agents", true),
                person("none", "Owns nothing", false),
            ],
            agents: vec![
                agent("a1", "big", AgentStatus::Active),
                agent("a2", "big", AgentStatus::Active),
                agent("a3", "big", AgentStatus::Killed),
                agent("a4", "gone", AgentStatus::Suspended),
                agent("a5", "gone_dead", AgentStatus::Killed),
                agent("a6", "gone_dead", AgentStatus::Killed),
                agent("a7", "per_unknown", AgentStatus::Active),
            ],
            ..Changes::default()
        });
        let mut list = PeopleList::default();
        list.refresh(&fleet);
        let order: Vec<&str> = list.rows.iter().map(|r| r.person_id.as_str()).collect();
        assert_eq!(order, ["gone", "big", "gone_dead", "none"]);
        // Only `gone` is a departed owner of live agents (`gone_dead`'s
        // are killed).
        assert_eq!(list.orphaned, 1);
        assert_eq!(
            list.rows[1],
            PersonRow {
                person_id: "big".into(),
                agents: 3,
                active: 2,
                killed: 1,
                open_alerts: 0,
            }
        );
        // The selection follows the person when the order changes.
        list.move_by(1);
        assert_eq!(list.selected().unwrap().person_id, "big");
        fleet.apply(Changes {
            cursor: 2,
            agents: vec![agent("a4", "big", AgentStatus::Suspended)],
            ..Changes::default()
        });
        list.refresh(&fleet);
        assert_eq!(list.rows[0].person_id, "big");
        assert_eq!(list.selected().unwrap().person_id, "big");
        list.bottom();
        assert_eq!(list.selected().unwrap().person_id, "none");
        list.top();
        assert_eq!(list.sel.selected, 0);
        // The count follows the filter.
        list.filter.set("big", FIELDS).unwrap();
        list.refresh(&fleet);
        assert_eq!(list.orphaned, 0);
    }
}
