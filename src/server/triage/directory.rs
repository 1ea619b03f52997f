//! The people directory as the triage ranking reads it: people by id and by
//! email, the active members of each team in a fixed order, and the walk up
//! the manager chain past people who have left.

use crate::model::{Person, PersonStatus};
use std::collections::{HashMap, HashSet};

pub struct Directory<'a> {
    by_id: HashMap<&'a str, &'a Person>,
    /// Lower-cased: emails are matched without regard to case, as the
    /// store does.
    by_email: HashMap<String, &'a Person>,
    /// Active people only, by name then id, so that a cut of the list is
    /// the same cut every time.
    teams: HashMap<&'a str, Vec<&'a Person>>,
}

impl<'a> Directory<'a> {
    pub fn new(people: &'a [Person]) -> Directory<'a> {
        let mut teams: HashMap<&str, Vec<&Person>> = HashMap::new();
        for p in people.iter().filter(|p| p.status == PersonStatus::Active) {
            if let Some(team) = p.team.as_deref() {
                teams.entry(team).or_default().push(p);
            }
        }
        for members in teams.values_mut() {
            members.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        }
        Directory {
            by_id: people.iter().map(|p| (p.id.as_str(), p)).collect(),
            by_email: people.iter().map(|p| (p.email.to_lowercase(), p)).collect(),
            teams,
        }
    }

    /// By id, then by email.
    pub fn find(&self, key: &str) -> Option<&'a Person> {
        let key = key.trim();
        self.by_id
            .get(key)
            .or_else(|| self.by_email.get(&key.to_lowercase()))
            .copied()
    }

    /// The active members of `team`, by name then id.
    pub fn team(&self, team: &str) -> &[&'a Person] {
        self.teams.get(team).map_or(&[], Vec::as_slice)
    }

    /// The first active manager above `person`, with the departed managers
    /// passed on the way (nearest first). None when the chain ends, or
    /// loops, before reaching anyone active.
    pub fn active_manager(&self, person: &Person) -> Option<(&'a Person, Vec<&'a Person>)> {
        let mut passed = Vec::new();
        // A loop in the data (A manages B manages A) must not hang the
        // server: each person is visited once.
        let mut seen: HashSet<&str> = HashSet::from([person.id.as_str()]);
        let mut next = person.manager.as_deref();
        while let Some(id) = next {
            let manager = self.by_id.get(id).copied()?;
            if !seen.insert(manager.id.as_str()) {
                return None;
            }
            if manager.status == PersonStatus::Active {
                return Some((manager, passed));
            }
            passed.push(manager);
            next = manager.manager.as_deref();
        }
        None
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    /// A person for tests: id `per_<first name, lower-cased>`, email
    /// `<first name>@corp.example`.
    pub fn person(name: &str, team: Option<&str>, manager: Option<&str>, active: bool) -> Person {
        let first = name.split(' ').next().unwrap_or(name).to_ascii_lowercase();
        Person {
            id: format!("per_{first}"),
            name: name.into(),
            email: format!("{first}@corp.example"),
            team: team.map(Into::into),
            manager: manager.map(|m| format!("per_{m}")),
            status: if active {
                PersonStatus::Active
            } else {
                PersonStatus::Departed
            },
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            departed_at: (!active).then_some(DateTime::<Utc>::UNIX_EPOCH),
            rev: 1,
        }
    }

    #[test]
    fn finds_by_id_and_by_email_in_any_case() {
        let people = [person("Ada Lovelace", None, None, true)];
        let d = Directory::new(&people);
        assert_eq!(
            d.find("per_ada").map(|p| p.name.as_str()),
            Some("Ada Lovelace")
        );
        assert_eq!(
            d.find(" ADA@corp.example ").map(|p| p.id.as_str()),
            Some("per_ada")
        );
        assert!(d.find("nobody@corp.example").is_none());
    }

    #[test]
    fn teams_hold_active_people_by_name() {
        let people = [
            person("Zed Z", Some("pay"), None, true),
            person("Bea B", Some("pay"), None, false),
            person("Al A", Some("pay"), None, true),
            person("Cy C", Some("ops"), None, true),
        ];
        let d = Directory::new(&people);
        let names: Vec<&str> = d.team("pay").iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Al A", "Zed Z"]);
        assert!(d.team("nowhere").is_empty());
    }

    #[test]
    fn the_manager_walk_passes_departed_managers_and_stops_on_a_loop() {
        let people = [
            person("Ann", None, Some("bob"), false),
            person("Bob", None, Some("cat"), false),
            person("Cat", None, None, true),
            person("Dan", None, Some("eve"), false),
            person("Eve", None, Some("dan"), false),
        ];
        let d = Directory::new(&people);
        let (m, passed) = d.active_manager(&people[0]).expect("Cat is active");
        assert_eq!(m.name, "Cat");
        assert_eq!(
            passed.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["Bob"]
        );
        assert!(d.active_manager(&people[2]).is_none(), "Cat has no manager");
        assert!(d.active_manager(&people[3]).is_none(), "Dan and Eve loop");
    }
}
