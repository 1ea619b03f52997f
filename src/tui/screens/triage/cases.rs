//! The triage queue's cases: every backend's report held once, as it
//! arrived, and the queue's rows as small indices into the reports. The
//! order (most urgent first) is made once when a report changes, from keys
//! borrowed from the cases; `/` then keeps a subset of that order, and a
//! keystroke that only narrows the filter filters the rows it showed
//! ([`Narrowing`]). No case is copied: at 100,000 cases, copying each case
//! (and its agent) on every rebuild cost a second. Beside the order, what
//! the filter reads most is kept in it: each case's free text in one
//! buffer ([`RowTexts`]), its environment as an index into the few the
//! cases name, and its risk, so that a pass over a million cases reads
//! memory in a row instead of reaching into each case.

use super::state::CaseRow;
use crate::api::TriageCase;
use crate::fleet::row_filter::{Pass, RowFilter};
use crate::model::Severity;
use crate::tui::components::id_order::keep_rows;
use crate::tui::components::list_filter::{ListFilter, Narrowing};
use crate::tui::components::row_texts::{RowTexts, Span};
use std::collections::HashMap;
use std::cell::Cell;
use std::cmp::Reverse;

/// A case's place: its report (by position in [`Cases::reports`]) and its
/// place in that report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct At {
    report: u32,
    case: u32,
}

/// What the filter reads of the case at the same place in
/// [`Cases::sorted`].
#[derive(Debug, Clone, Copy)]
pub(super) struct CaseKey {
    pub(super) text: Span,
    /// Its agent's environment, in [`Cases::envs`].
    pub(super) env: u32,
    pub(super) risk: Option<Severity>,
}

#[derive(Debug, Default)]
pub struct Cases {
    /// Each backend's cases, by backend index, in backend order.
    reports: Vec<(usize, Vec<TriageCase>)>,
    /// Every case, most urgent first.
    sorted: Vec<At>,
    /// Beside `sorted`, made with it.
    keys: Vec<CaseKey>,
    /// The environments the cases name, each once.
    envs: Vec<String>,
    /// The cases' free text, in `sorted`'s order.
    texts: RowTexts,
    /// The cases shown: places in `sorted`, less those the filter hides.
    shown: Vec<u32>,
    narrowing: Narrowing<u32>,
    /// The last case handed to a selection ([`key_at`](Self::key_at)):
    /// where [`position`](Self::position) looks first.
    selected: Cell<Option<At>>,
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
        self.shown.get(i).map(|&p| self.at(self.sorted[p as usize]))
    }

    /// The cases shown, in order.
    pub fn iter(&self) -> impl Iterator<Item = &TriageCase> + '_ {
        self.shown.iter().map(|&p| self.at(self.sorted[p as usize]))
    }

    /// The agent id of the case at row `i`, for a selection to remember.
    pub fn key_at(&self, i: usize) -> Option<String> {
        let at = self.sorted[*self.shown.get(i)? as usize];
        self.selected.set(Some(at));
        Some(self.at(at).agent.id.clone())
    }

    /// The row showing `agent_id`'s case: the selection's own case found
    /// by its place, not by reading every case's agent id (scattered over
    /// 100,000 cases, most of a keystroke whose filter hid it).
    pub fn position(&self, agent_id: &str) -> Option<usize> {
        let sorted = &self.sorted;
        if let Some(at) = self.selected.get()
            && self.case(at).is_some_and(|c| c.agent.id == agent_id)
        {
            return self.shown.iter().position(|&p| sorted[p as usize] == at);
        }
        self.shown
            .iter()
            .position(|&p| self.at(sorted[p as usize]).agent.id == agent_id)
    }

    fn case(&self, at: At) -> Option<&TriageCase> {
        self.reports.get(at.report as usize)?.1.get(at.case as usize)
    }

    /// Every case of every report, shown or not.
    pub fn all(&self) -> impl Iterator<Item = &TriageCase> + '_ {
        self.reports.iter().flat_map(|(_, cases)| cases.iter())
    }

    fn at(&self, at: At) -> &TriageCase {
        &self.reports[at.report as usize].1[at.case as usize]
    }

    /// `backend`'s cases replace those it sent before (sort again).
    pub fn replace(&mut self, backend: usize, cases: Vec<TriageCase>) {
        match self.reports.binary_search_by_key(&backend, |(b, _)| *b) {
            Ok(i) => free_later(std::mem::replace(&mut self.reports[i].1, cases)),
            Err(i) => self.reports.insert(i, (backend, cases)),
        }
    }

    /// Keeps only the cases `keep` answers true for, in every report; the
    /// order keeps the rest where they were (filter again to show it).
    pub fn retain(&mut self, mut keep: impl FnMut(&TriageCase) -> bool) {
        // Each case's new place in its report, or none.
        let mut moved: Vec<Vec<u32>> = Vec::with_capacity(self.reports.len());
        for (_, cases) in &mut self.reports {
            let mut next = 0u32;
            let places = cases
                .iter()
                .map(|c| {
                    if keep(c) {
                        next += 1;
                        next - 1
                    } else {
                        u32::MAX
                    }
                })
                .collect::<Vec<u32>>();
            let mut places_iter = places.iter();
            cases.retain(|_| places_iter.next().is_some_and(|&p| p != u32::MAX));
            moved.push(places);
        }
        // `keys` stays beside `sorted`: both keep the same places.
        let mut kept = 0;
        for i in 0..self.sorted.len() {
            let at = self.sorted[i];
            let place = moved[at.report as usize][at.case as usize];
            if place != u32::MAX {
                self.sorted[kept] = At { case: place, ..at };
                if let Some(&key) = self.keys.get(i) {
                    self.keys[kept] = key;
                }
                kept += 1;
            }
        }
        self.sorted.truncate(kept);
        self.keys.truncate(kept);
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
        self.key_all();
    }

    /// Makes `keys`, `envs` and `texts` again, in `sorted`'s order.
    fn key_all(&mut self) {
        self.texts.clear();
        self.envs.clear();
        let mut envs: HashMap<&str, u32> = HashMap::new();
        let mut keys = Vec::with_capacity(self.sorted.len());
        for &at in &self.sorted {
            let c = &self.reports[at.report as usize].1[at.case as usize];
            let env = *envs.entry(c.agent.environment.as_str()).or_insert_with(|| {
                self.envs.push(c.agent.environment.clone());
                self.envs.len() as u32 - 1
            });
            keys.push(CaseKey {
                text: self.texts.push(text_parts(c)),
                env,
                risk: c.risk,
            });
        }
        self.keys = keys;
        self.texts.made();
    }

    /// Shows the sorted cases `filter` keeps; `resorted` when the order
    /// changed since the last call (every row must be looked at again).
    pub fn filter(&mut self, filter: &ListFilter, resorted: bool) {
        let (reports, sorted, keys) = (&self.reports, &self.sorted, &self.keys);
        let (envs, texts) = (self.envs.as_slice(), &self.texts);
        let pass = |rows: &[u32], terms: &RowFilter| {
            keep_rows(rows, || {
                let mut pass = Pass::default();
                move |&p: &u32| {
                    let at = sorted[p as usize];
                    let row = CaseRow {
                        case: &reports[at.report as usize].1[at.case as usize],
                        key: keys.get(p as usize),
                        envs,
                        texts,
                    };
                    terms.matches_in(&row, &mut pass)
                }
            })
        };
        if !resorted && self.narrowing.narrow_by(filter, &mut self.shown, pass) {
            return;
        }
        let all: Vec<u32> = (0..sorted.len() as u32).collect();
        self.shown = if filter.is_empty() {
            all
        } else {
            pass(&all, filter.row_filter())
        };
        self.narrowing.rebuilt(filter);
    }
}

/// What free text finds a case by: its agent's name and id, its departed
/// owner's name and the names it suggests.
fn text_parts(c: &TriageCase) -> impl Iterator<Item = &str> + Clone {
    [c.agent.name.as_str(), c.agent.id.as_str()]
        .into_iter()
        .chain(c.departed_owner.as_ref().map(|p| p.name.as_str()))
        .chain(c.suggestions.iter().map(|s| s.person.name.as_str()))
}

/// Frees a large report's cases on a thread of their own: freeing
/// 100,000 cases, each agent's strings one by one, took the dashboard's
/// thread 20 ms of the report's arrival.
fn free_later(cases: Vec<TriageCase>) {
    if cases.len() < 10_000 {
        return;
    }
    // Should the thread not start, the closure, and the cases, drop here.
    let _ = std::thread::Builder::new()
        .name("free-report".into())
        .spawn(move || drop(cases));
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
        // Cases settled (an owner assigned) leave without a sort: the rest
        // keep their order, and each row still finds its own case.
        cases.retain(|c| c.agent.id != "a1" && c.agent.id != "b1");
        cases.filter(&ListFilter::default(), true);
        assert_eq!(ids(&cases), ["a4", "a6", "a5"]);
        assert_eq!(cases.all().count(), 3);
        // The keys kept beside the order left with their cases.
        let mut f = ListFilter::default();
        f.set("amy", FIELDS).unwrap();
        cases.filter(&f, true);
        assert_eq!(ids(&cases), ["a6", "a5"]);
        f.set("risk:critical", FIELDS).unwrap();
        cases.filter(&f, true);
        assert_eq!(ids(&cases), ["a4"]);
        cases.retain(|_| false);
        cases.filter(&ListFilter::default(), true);
        assert!(cases.is_empty() && cases.total() == 0);
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
