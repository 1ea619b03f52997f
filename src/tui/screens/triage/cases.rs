//! The triage queue's cases: every backend's report held once, as it
//! arrived, and the queue's rows as small indices into the reports. The
//! order (most urgent first) is made once when a report changes, from keys
//! borrowed from the cases; `/` then keeps a subset of that order, and a
//! keystroke that only narrows the filter filters the rows it showed
//! ([`Narrowing`]). No case is copied: at 100,000 cases, copying each case
//! (and its agent) on every rebuild cost a second.

use super::state::CaseRow;
use crate::api::TriageCase;
use crate::tui::components::list_filter::{ListFilter, Narrowing};
use std::cmp::Reverse;

/// A case's place: its report (by position in [`Cases::reports`]) and its
/// place in that report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct At {
    report: u32,
    case: u32,
}

#[derive(Debug, Default)]
pub struct Cases {
    /// Each backend's cases, by backend index, in backend order.
    reports: Vec<(usize, Vec<TriageCase>)>,
    /// Every case, most urgent first.
    sorted: Vec<At>,
    /// The cases shown: `sorted` less those the filter hides.
    shown: Vec<At>,
    narrowing: Narrowing<At>,
}

impl Cases {
    /// The cases shown.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// Every case, shown or not.
    pub fn total(&self) -> usize {
        self.sorted.len()
    }

    /// The case shown at row `i`.
    pub fn get(&self, i: usize) -> Option<&TriageCase> {
        self.shown.get(i).map(|&at| self.at(at))
    }

    /// The cases shown, in order.
    pub fn iter(&self) -> impl Iterator<Item = &TriageCase> + '_ {
        self.shown.iter().map(|&at| self.at(at))
    }

    /// The row showing `agent_id`'s case.
    pub fn position(&self, agent_id: &str) -> Option<usize> {
        self.shown
            .iter()
            .position(|&at| self.at(at).agent.id == agent_id)
    }

    /// Every case of every report, shown or not.
    pub fn all(&self) -> impl Iterator<Item = &TriageCase> + '_ {
        self.reports.iter().flat_map(|(_, cases)| cases.iter())
    }

    fn at(&self, at: At) -> &TriageCase {
        &self.reports[at.report as usize].1[at.case as usize]
    }

    /// `backend`'s cases replace those it sent before.
    pub fn replace(&mut self, backend: usize, cases: Vec<TriageCase>) {
        match self.reports.binary_search_by_key(&backend, |(b, _)| *b) {
            Ok(i) => self.reports[i].1 = cases,
            Err(i) => self.reports.insert(i, (backend, cases)),
        }
    }

    /// Keeps only the cases `keep` answers true for, in every report.
    pub fn retain(&mut self, mut keep: impl FnMut(&TriageCase) -> bool) {
        for (_, cases) in &mut self.reports {
            cases.retain(&mut keep);
        }
    }

    /// Orders every case again (after a report changed): highest risk,
    /// then highest grant level, then the agent's name and id; a report's
    /// order breaks what ties remain, so the queue never shuffles.
    pub fn sort(&mut self) {
        let mut keyed: Vec<_> = self
            .reports
            .iter()
            .enumerate()
            .flat_map(|(r, (_, cases))| {
                cases.iter().enumerate().map(move |(i, c)| {
                    (
                        (
                            Reverse(c.risk),
                            Reverse(c.highest_level),
                            head(&c.agent.name),
                            c.agent.name.as_str(),
                            c.agent.id.as_str(),
                        ),
                        At {
                            report: r as u32,
                            case: i as u32,
                        },
                    )
                })
            })
            .collect();
        keyed.sort_unstable();
        self.sorted = keyed.into_iter().map(|(_, at)| at).collect();
    }

    /// Shows the sorted cases `filter` keeps; `resorted` when the order
    /// changed since the last call (every row must be looked at again).
    pub fn filter(&mut self, filter: &ListFilter, resorted: bool) {
        let reports = &self.reports;
        let keeps = |at: &At| {
            filter.keeps(&CaseRow(
                &reports[at.report as usize].1[at.case as usize],
            ))
        };
        if !resorted && self.narrowing.narrow(filter, &mut self.shown, keeps) {
            return;
        }
        self.shown = if filter.is_empty() {
            self.sorted.clone()
        } else {
            self.sorted.iter().copied().filter(keeps).collect()
        };
        self.narrowing.rebuilt(&filter.text);
    }
}

/// A name's first eight bytes as a number that orders as they do (a
/// shorter name padded with zeros, which no sanitised name holds): most
/// comparisons of the sort end here, without reading the names
/// themselves, scattered over 100,000 cases.
fn head(name: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = name.len().min(8);
    bytes[..n].copy_from_slice(&name.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::super::state::{FIELDS, TriageQueue};
    use super::*;
    use crate::api::{TriageReason, TriageReport};
    use crate::model::fixtures::{agent, person};
    use crate::model::{GrantLevel, Severity};
    use chrono::Utc;

    fn case(id: &str, name: &str, risk: Option<Severity>, level: Option<GrantLevel>) -> TriageCase {
        TriageCase {
            agent: agent(id, name),
            reason: TriageReason::Unowned,
            departed_owner: None,
            since: Utc::now(),
            risk,
            highest_level: level,
            suggestions: Vec::new(),
        }
    }

    fn ids(cases: &Cases) -> Vec<&str> {
        cases.iter().map(|c| c.agent.id.as_str()).collect()
    }

    #[test]
    fn a_names_head_orders_as_the_name() {
        let names = ["", "a", "ab", "ab-analyzer", "ab-analyzer-2", "abc", "b", "Z", "zz"];
        for a in names {
            for b in names {
                if head(a) != head(b) {
                    assert_eq!(head(a).cmp(&head(b)), a.cmp(b), "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn most_urgent_first_then_level_name_and_id_across_reports() {
        let mut cases = Cases::default();
        cases.replace(
            1,
            vec![
                case("a3", "zed", None, Some(GrantLevel::Admin)),
                case("a2", "bob", Some(Severity::Low), None),
                case("a9", "amy", None, Some(GrantLevel::Admin)),
            ],
        );
        cases.replace(
            0,
            vec![
                case("a1", "bob", Some(Severity::Low), None),
                case("a4", "cat", Some(Severity::Critical), Some(GrantLevel::Read)),
                case("a5", "amy", None, None),
                case("a6", "amy", None, Some(GrantLevel::Admin)),
            ],
        );
        cases.sort();
        cases.filter(&ListFilter::default(), true);
        assert_eq!(ids(&cases), ["a4", "a1", "a2", "a6", "a9", "a3", "a5"]);
        assert_eq!(cases.position("a9"), Some(4));
        assert_eq!(cases.get(6).map(|c| c.agent.name.as_str()), Some("amy"));
        // A backend's new report replaces only its own cases.
        cases.replace(1, vec![case("b1", "dan", Some(Severity::High), None)]);
        cases.sort();
        cases.filter(&ListFilter::default(), true);
        assert_eq!(ids(&cases), ["a4", "b1", "a1", "a6", "a5"]);
        assert_eq!(cases.total(), 5);
    }

    #[test]
    fn the_filter_keeps_every_match_and_narrowing_misses_none() {
        let mut cases = Cases::default();
        cases.replace(
            0,
            vec![
                case("a1", "Support-Bot", None, None),
                case("a2", "sUPport-eu", Some(Severity::High), None),
                case("a3", "billing", None, None),
                case("a4", "supply", None, None),
            ],
        );
        cases.sort();
        // Names sort by their bytes, as they always have: capitals first.
        let mut f = ListFilter::default();
        for (text, want) in [
            ("s", vec!["a2", "a1", "a4"]),
            ("su", vec!["a2", "a1", "a4"]),
            ("sup", vec!["a2", "a1", "a4"]),
            ("supp", vec!["a2", "a1", "a4"]),
            ("suppo", vec!["a2", "a1"]),
            ("suppo risk:high", vec!["a2"]),
            ("suppo", vec!["a2", "a1"]),
            ("b", vec!["a1", "a3"]),
            ("a3", vec!["a3"]),
            ("", vec!["a2", "a1", "a3", "a4"]),
        ] {
            f.set(text, FIELDS).unwrap();
            cases.filter(&f, false);
            assert_eq!(ids(&cases), want, "{text:?}");
        }
    }

    #[test]
    fn a_hostile_report_is_shown_escaped() {
        let mut q = TriageQueue::default();
        let mut c = case("a1", "evil\u{1b}[2Jname", None, None);
        c.departed_owner = Some(person("p1", "ada\u{7}", true));
        q.report(
            0,
            Ok(TriageReport {
                generated_at: Utc::now(),
                activity_days: 30,
                cases: vec![c],
            }),
        );
        let shown = q.cases.get(0).unwrap();
        assert!(!shown.agent.name.contains('\u{1b}'), "{:?}", shown.agent.name);
        let owner = shown.departed_owner.as_ref().unwrap();
        assert!(!owner.name.contains('\u{7}'), "{:?}", owner.name);
    }
}
