//! The audit view's state: the live tail of the backend's audit chain, as
//! a ring of the newest [`RING`] entries (newest at the bottom, as k9s
//! shows logs), and whether the chain verifies. It decides what to fetch:
//! the newest entries when the view first opens, then only the entries
//! after the last one it holds, a page at a time; at most one fetch and
//! one verification are in flight. Every string is made display-safe as
//! it enters. `/` keeps the entries that match ([`FIELDS`]); the selection
//! moves over those.

use crate::api::AuditVerification;
use crate::fleet::row_filter::{FieldSpec, Row, Value};
use crate::tui::components::list_filter::ListFilter;
use crate::fleet::safe_text::escape;
use crate::fleet::state::Sanitize;
use crate::model::AuditEntry;
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::msg::Effect;
use crate::tui::screens::ListState;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Entries kept; the oldest go first.
pub const RING: usize = 5000;
/// Entries asked for at once after the first tail: a full page means
/// more are waiting, and the next page is asked for at once.
pub const PAGE: usize = 1000;
/// While the view is shown, the chain is verified again at most this often
/// (a verification reads the whole chain on the backend).
pub const REVERIFY: Duration = Duration::from_secs(15);

impl Sanitize for AuditEntry {
    fn sanitize(&mut self) {
        for s in [
            &mut self.actor,
            &mut self.action,
            &mut self.target,
            &mut self.result,
            &mut self.prev_hash,
            &mut self.hash,
        ] {
            *s = escape(s).into_owned();
        }
        if let Some(r) = &mut self.reason {
            *r = escape(r).into_owned();
        }
    }
}

/// What the last verification said.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Not asked yet.
    Unknown,
    Intact {
        entries: i64,
        at: Instant,
    },
    Broken {
        first_bad: Option<i64>,
        problem: Option<String>,
        at: Instant,
    },
    /// The backend could not be asked.
    Failed(String),
}

#[derive(Debug)]
pub struct AuditLog {
    /// Oldest first.
    pub entries: VecDeque<AuditEntry>,
    /// The highest `seq` held: the next fetch asks for what follows it.
    pub last_seq: i64,
    pub verdict: Verdict,
    /// The last fetch's error, until one succeeds.
    pub error: Option<String>,
    pub sel: Selection,
    /// The selection sits on the newest entry and stays there as entries
    /// arrive, until the user moves up.
    pub follow: bool,
    /// Whether the first tail has arrived.
    loaded: bool,
    /// A fetch is out; `Some(true)` when it is the first tail.
    fetching: Option<bool>,
    verifying: bool,
    /// Whose chain this is, by the backend's place in the dashboard's list.
    pub backend: usize,
    pub filter: ListFilter,
    /// With a filter: the entries it keeps, as places in `entries`.
    shown: Vec<usize>,
    filtered_with: Option<u64>,
}

/// What `/` knows of an audit entry.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("actor", &["by", "who"]),
    FieldSpec::text("action", &["act"]),
    FieldSpec::text("target", &["agent", "on"]),
    FieldSpec::text("reason", &["why"]),
    FieldSpec::text("result", &[]),
];

struct EntryFields<'a>(&'a AuditEntry);

impl Row for EntryFields<'_> {
    fn field(&self, i: usize) -> Value<'_> {
        let e = self.0;
        match i {
            0 => Value::Text(&e.actor),
            1 => Value::Text(&e.action),
            2 => Value::Text(&e.target),
            3 => e.reason.as_deref().map_or(Value::None, Value::Text),
            _ => Value::Text(&e.result),
        }
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        let e = self.0;
        hit(&e.actor)
            || hit(&e.action)
            || hit(&e.target)
            || e.reason.as_deref().is_some_and(&mut *hit)
            || hit(&e.result)
    }
}

impl Default for AuditLog {
    fn default() -> Self {
        AuditLog {
            entries: VecDeque::new(),
            last_seq: 0,
            verdict: Verdict::Unknown,
            error: None,
            sel: Selection::default(),
            follow: true,
            loaded: false,
            fetching: None,
            verifying: false,
            backend: 0,
            filter: ListFilter::default(),
            shown: Vec::new(),
            filtered_with: None,
        }
    }
}

impl AuditLog {
    /// What to fetch now, unless a fetch is already out: the newest
    /// [`RING`] entries the first time, else what follows the last one.
    pub fn fetch(&mut self) -> Option<Effect> {
        if self.fetching.is_some() {
            return None;
        }
        let first = !self.loaded;
        self.fetching = Some(first);
        Some(Effect::FetchAudit {
            backend: self.backend,
            after: self.last_seq,
            tail: first.then_some(RING),
        })
    }

    /// A verification, unless one is out; `force` asks even if the last
    /// verdict is recent (opening the view, or the user asking).
    pub fn verify(&mut self, now: Instant, force: bool) -> Option<Effect> {
        let recent = match &self.verdict {
            Verdict::Intact { at, .. } | Verdict::Broken { at, .. } => {
                now.saturating_duration_since(*at) < REVERIFY
            }
            Verdict::Unknown | Verdict::Failed(_) => false,
        };
        if self.verifying || (recent && !force) {
            return None;
        }
        self.verifying = true;
        Some(Effect::VerifyAudit {
            backend: self.backend,
        })
    }

    /// Forgets the fetch `received` asked for without sending it (the view
    /// was left); the next visit asks again from the last entry held.
    pub fn abandon_fetch(&mut self) {
        self.fetching = None;
    }

    /// Whether a verification is out.
    pub fn verifying(&self) -> bool {
        self.verifying
    }

    /// Whether the first tail has arrived.
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    /// Entries arrived: those after the last one held are kept (an entry
    /// seen before is dropped, so an answer that overlaps is harmless),
    /// the oldest beyond [`RING`] go. Answers the next fetch when a full
    /// page says more are waiting.
    pub fn received(&mut self, result: Result<Vec<AuditEntry>, String>) -> Option<Effect> {
        let first = self.fetching.take().unwrap_or(false);
        let entries = match result {
            Ok(e) => e,
            Err(e) => {
                self.error = Some(escape(&e).into_owned());
                return None;
            }
        };
        self.error = None;
        self.loaded = true;
        let full_page = !first && entries.len() >= PAGE;
        let was_at_end = self.follow;
        for mut e in entries {
            if e.seq <= self.last_seq {
                continue;
            }
            e.sanitize();
            self.last_seq = e.seq;
            self.entries.push_back(e);
        }
        let dropped = self.entries.len().saturating_sub(RING);
        self.entries.drain(..dropped);
        if !self.filter.is_empty() {
            self.refilter();
        } else {
            // The rows above the selection that went shift it up with them.
            self.sel.selected = self.sel.selected.saturating_sub(dropped);
            self.sel.offset = self.sel.offset.saturating_sub(dropped);
        }
        if was_at_end {
            self.bottom();
        } else {
            self.move_by(0);
        }
        if full_page { self.fetch() } else { None }
    }

    pub fn verified(&mut self, result: Result<AuditVerification, String>, now: Instant) {
        self.verifying = false;
        self.verdict = match result {
            Ok(v) if v.ok => Verdict::Intact {
                entries: v.entries,
                at: now,
            },
            Ok(v) => Verdict::Broken {
                first_bad: v.first_bad,
                problem: v.problem.map(|p| escape(&p).into_owned()),
                at: now,
            },
            Err(e) => Verdict::Failed(escape(&e).into_owned()),
        };
    }

    /// Forgets everything: the backend behind the dashboard now answers
    /// from another database, whose chain has its own numbers.
    pub fn reset(&mut self) {
        *self = AuditLog {
            backend: self.backend,
            ..AuditLog::default()
        };
    }

    /// Shows backend `backend`'s chain from now on: another backend's
    /// chain has its own numbers, so what is held is forgotten.
    pub fn follow_backend(&mut self, backend: usize) {
        if self.backend != backend {
            *self = AuditLog {
                backend,
                ..AuditLog::default()
            };
        }
    }

    fn key_at(&self) -> impl Fn(usize) -> Option<String> + '_ {
        |i| self.row(i).map(|e| e.seq.to_string())
    }

    pub fn selected(&self) -> Option<&AuditEntry> {
        self.row(self.sel.selected)
    }

    /// The entries shown: all of them, or those the filter keeps.
    pub fn len(&self) -> usize {
        if self.filter.is_empty() {
            self.entries.len()
        } else {
            self.shown.len()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th entry shown, oldest first.
    pub fn row(&self, i: usize) -> Option<&AuditEntry> {
        if self.filter.is_empty() {
            self.entries.get(i)
        } else {
            self.shown.get(i).and_then(|&j| self.entries.get(j))
        }
    }

    /// The entries shown from `offset`, with their row numbers.
    pub fn rows_from(&self, offset: usize) -> impl Iterator<Item = (usize, &AuditEntry)> + '_ {
        (offset..self.len()).filter_map(|i| self.row(i).map(|e| (i, e)))
    }

    /// Applies a changed filter (before a frame is drawn).
    pub fn refresh(&mut self) {
        if self.filtered_with != Some(self.filter.version) {
            self.refilter();
            if self.follow {
                self.bottom();
            }
        }
    }

    fn refilter(&mut self) {
        self.filtered_with = Some(self.filter.version);
        let filter = &self.filter;
        self.shown = if filter.is_empty() {
            Vec::new()
        } else {
            (0..self.entries.len())
                .filter(|&i| {
                    self.entries
                        .get(i)
                        .is_some_and(|e| filter.keeps(&EntryFields(e)))
                })
                .collect()
        };
        let (shown, total) = (self.len(), self.entries.len());
        self.filter.counted(shown, total);
        let mut sel = std::mem::take(&mut self.sel);
        sel.restore(
            shown,
            |seq| (0..shown).find(|&i| self.row(i).is_some_and(|e| e.seq.to_string() == seq)),
            self.key_at(),
        );
        self.sel = sel;
    }
}

impl ListState for AuditLog {
    fn move_by(&mut self, delta: isize) {
        let len = self.len();
        let mut sel = std::mem::take(&mut self.sel);
        sel.move_by(delta, len, self.key_at());
        self.sel = sel;
        self.follow = len == 0 || self.sel.selected + 1 == len;
    }

    /// The newest entry; the selection follows new ones from here.
    fn bottom(&mut self) {
        self.move_by(isize::MAX / 2);
        self.follow = true;
    }

    fn cursor(&self) -> Cursor {
        self.sel.cursor(self.len())
    }

    /// The chain's verdict sits between the column titles and the
    /// entries, and an entry has nothing to open: the wheel scrolls it.
    fn clicks(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    pub fn entry(seq: i64) -> AuditEntry {
        AuditEntry {
            seq,
            at: Utc::now(),
            actor: "oncall".into(),
            action: "agent.suspend".into(),
            target: format!("agt_{seq}"),
            reason: Some("why".into()),
            result: "ok".into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn seqs(log: &AuditLog) -> Vec<i64> {
        log.entries.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn first_the_tail_then_what_follows_one_fetch_at_a_time() {
        let mut log = AuditLog::default();
        assert_eq!(
            log.fetch(),
            Some(Effect::FetchAudit {
                backend: 0,
                after: 0,
                tail: Some(RING)
            })
        );
        assert_eq!(log.fetch(), None, "one fetch at a time");
        assert_eq!(log.received(Ok((5..=7).map(entry).collect())), None);
        assert_eq!(
            log.fetch(),
            Some(Effect::FetchAudit {
                backend: 0,
                after: 7,
                tail: None
            })
        );
        // Overlap and repeats are dropped; a full page asks for the next.
        let page: Vec<AuditEntry> = (6..6 + PAGE as i64).map(entry).collect();
        let next = log.received(Ok(page));
        let last = 5 + PAGE as i64;
        assert_eq!(
            next,
            Some(Effect::FetchAudit {
                backend: 0,
                after: last,
                tail: None
            })
        );
        assert_eq!(seqs(&log), (5..=last).collect::<Vec<_>>(), "each once");
        assert_eq!(log.last_seq, last);
        assert_eq!(log.received(Err("down".into())), None);
        assert_eq!(log.error.as_deref(), Some("down"));
        assert_eq!(log.last_seq, last, "a failure keeps what is held");
        assert!(log.fetch().is_some(), "and may be tried again");
    }

    #[test]
    fn the_ring_keeps_the_newest_and_the_selection_follows_the_tail() {
        let mut log = AuditLog::default();
        log.fetch();
        log.received(Ok((1..=10).map(entry).collect()));
        assert_eq!(log.selected().map(|e| e.seq), Some(10), "at the newest");
        log.move_by(-3);
        assert!(!log.follow);
        log.fetch();
        log.received(Ok((11..=RING as i64 + 2).map(entry).collect()));
        assert_eq!(log.entries.len(), RING);
        assert_eq!(seqs(&log)[0], 3, "the two oldest went");
        // It stayed on its row's entry, which moved up with the ring.
        assert_eq!(log.selected().map(|e| e.seq), Some(7));
        log.bottom();
        log.fetch();
        log.received(Ok(vec![entry(RING as i64 + 3)]));
        assert_eq!(log.selected().map(|e| e.seq), Some(RING as i64 + 3));
    }

    #[test]
    fn hostile_strings_are_escaped() {
        let mut log = AuditLog::default();
        let mut e = entry(1);
        e.target = "agt_1 (evil\u{1b}[2J\u{202e})".into();
        e.reason = Some("line\nbreak".into());
        log.received(Ok(vec![e]));
        let e = &log.entries[0];
        assert!(!e.target.contains('\u{1b}') && !e.target.contains('\u{202e}'));
        assert!(!e.reason.as_deref().unwrap().contains('\n'));
    }

    #[test]
    fn verification_is_asked_again_only_when_stale_or_forced() {
        let mut log = AuditLog::default();
        let t0 = Instant::now();
        assert_eq!(
            log.verify(t0, false),
            Some(Effect::VerifyAudit { backend: 0 })
        );
        assert_eq!(log.verify(t0, true), None, "one at a time");
        let ok = AuditVerification {
            ok: true,
            entries: 40,
            first_bad: None,
            problem: None,
            attack: None,
            checkpoints: None,
        };
        log.verified(Ok(ok), t0);
        assert!(matches!(log.verdict, Verdict::Intact { entries: 40, .. }));
        assert_eq!(log.verify(t0 + Duration::from_secs(1), false), None);
        assert!(log.verify(t0 + Duration::from_secs(1), true).is_some());
        let broken = AuditVerification {
            ok: false,
            entries: 40,
            first_bad: Some(12),
            problem: Some("entry 12 was changed".into()),
            attack: None,
            checkpoints: None,
        };
        log.verified(Ok(broken), t0);
        assert!(matches!(
            log.verdict,
            Verdict::Broken {
                first_bad: Some(12),
                ..
            }
        ));
        assert!(log.verify(t0 + REVERIFY, false).is_some());
        log.verified(Err("unreachable".into()), t0);
        assert_eq!(log.verdict, Verdict::Failed("unreachable".into()));
    }
}
