//! The rules' verdicts written: alerts opened, brought up to date and
//! resolved, in one transaction with the revision and the audit.
//!
//! Set-based, because a first sweep of a large fleet opens hundreds of
//! thousands of alerts: the live alerts a batch of findings names are read
//! in one query per rule, the new alerts are written in one bulk insert
//! (a multi-row `INSERT` on SQLite, a `COPY` on PostgreSQL) and their audit
//! entries in another ([`Chain`]), instead of three statements (three
//! round trips on PostgreSQL) per alert. What changes an alert already
//! live (rare: a judge leaves alone what it sees unchanged) is written a
//! row at a time as before.

use super::rows::{to_json, to_ms};
use super::tx::{Chain, next_rev};
use super::{alerts, rules::all};
use crate::model::Severity;
use crate::secrets::random_base62;
use crate::server::store::db::bulk::{BulkTable, Cell, ColumnType};
use crate::server::store::db::{Db, params};
use crate::server::store::{
    Actor, AlertInput, AlertsApplied, Finding, RaisedAlert, Resolution, StoreResult,
};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Most causes one lookup names (a JSON array parameter).
const LOOKUP: usize = 1_000;

const ALERTS: BulkTable = BulkTable {
    name: "alerts",
    columns: &[
        ("id", ColumnType::Text),
        ("agent_id", ColumnType::Text),
        ("rule", ColumnType::Text),
        ("cause", ColumnType::Text),
        ("severity", ColumnType::Text),
        ("summary", ColumnType::Text),
        ("evidence", ColumnType::Text),
        ("mapping", ColumnType::Text),
        ("status", ColumnType::Text),
        ("source", ColumnType::Text),
        ("created_at", ColumnType::Int),
        ("updated_at", ColumnType::Int),
        ("seen_at", ColumnType::Int),
        ("rev", ColumnType::Int),
    ],
};

/// A live alert as a finding compares with it.
struct Live {
    id: String,
    severity: String,
    summary: String,
    evidence: String,
    mapping: String,
    snoozed: Option<i64>,
}

/// An alert this transaction opens, written by the bulk insert at the end.
struct New<'f> {
    id: String,
    alert: &'f AlertInput,
    mapping: String,
    seen: i64,
}

/// The transaction's revision (taken the first time a row changes), the
/// audit entries it appends, and what it changed.
struct Writes {
    rev: Option<i64>,
    chain: Chain,
    out: AlertsApplied,
}

impl Writes {
    fn rev(&mut self, tx: &Db) -> StoreResult<i64> {
        match self.rev {
            Some(r) => Ok(r),
            None => {
                let r = next_rev(tx)?;
                self.rev = Some(r);
                Ok(r)
            }
        }
    }
}

fn raised(id: &str, a: &AlertInput) -> RaisedAlert {
    RaisedAlert {
        id: id.to_string(),
        rule: a.rule.clone(),
        severity: a.severity,
        agent_id: a.agent_id.clone(),
        evidence: a.evidence.clone(),
    }
}

fn audit_target(id: &str, agent: Option<&str>) -> String {
    format!("{id} on {}", agent.unwrap_or("-"))
}

fn actor(rule: &str) -> Actor {
    Actor::new(format!("rule:{rule}"))
}

/// Ids for the alerts one transaction opens, `alr_` and 14 base62 digits
/// as any id: a random stem of 10 digits (60 bits, as unlikely to repeat
/// as a whole random id of that size) and the alert's number in the
/// transaction (4). A transaction's alerts are then neighbours in the id
/// index, written on a few pages, instead of each on a random page across
/// it (a first sweep opens 240,000 at 100,000 agents, thousands a
/// transaction, and every page a transaction touches is written again).
struct Ids {
    stem: String,
    next: u64,
}

const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Numbers a stem holds: 4 base62 digits.
const PER_STEM: u64 = 62 * 62 * 62 * 62;

impl Ids {
    fn new() -> Ids {
        Ids {
            stem: format!("alr_{}", random_base62(10)),
            next: 0,
        }
    }

    /// The next id (in ASCII order, as the digits are); a new stem when
    /// this one is used up.
    fn next(&mut self) -> String {
        if self.next == PER_STEM {
            *self = Ids::new();
        }
        let mut digits = [b'0'; 4];
        let mut n = self.next;
        for d in digits.iter_mut().rev() {
            *d = DIGITS[(n % 62) as usize];
            n /= 62;
        }
        self.next += 1;
        format!("{}{}", self.stem, String::from_utf8_lossy(&digits))
    }
}

/// Opens what `raise` finds that is not live, brings up to date what is,
/// and resolves `resolve` (unless resolved meanwhile or seen again since).
pub fn apply(
    tx: &Db,
    raise: &[Finding],
    resolve: &[Resolution],
    now: DateTime<Utc>,
) -> StoreResult<AlertsApplied> {
    let clock = std::time::Instant::now();
    let now = to_ms(now);
    let mut w = Writes {
        rev: None,
        chain: Chain::default(),
        out: AlertsApplied::default(),
    };
    let mut ids = Ids::new();
    let live = live_of(tx, raise)?;
    let looked_up = clock.elapsed();
    let mut opened: Vec<New> = Vec::new();
    // A cause found twice in one batch: the second is an update of the
    // first, as it would be had the first been written already.
    let mut opening: HashMap<(&str, &str), usize> = HashMap::new();
    for f in raise {
        let a = &f.alert;
        let key = (a.rule.as_str(), a.cause.as_str());
        let mapping = to_json(&f.mapping);
        let seen = to_ms(f.seen_at);
        if let Some(&i) = opening.get(&key) {
            again(tx, &mut w, &mut opened[i], f, mapping, seen)?;
        } else if let Some(l) = live.get(&key) {
            update(tx, &mut w, l, a, mapping, seen, now)?;
        } else {
            let id = ids.next();
            w.chain.append(
                tx,
                &actor(&a.rule),
                "alert.open",
                &audit_target(&id, a.agent_id.as_deref()),
                None,
                &format!("{}: {}", a.severity, a.summary),
            )?;
            w.out.opened += 1;
            w.out.raised.push(raised(&id, a));
            opening.insert(key, opened.len());
            opened.push(New {
                id,
                alert: a,
                mapping,
                seen,
            });
        }
    }
    let judged = clock.elapsed();
    if !opened.is_empty() {
        let r = w.rev(tx)?;
        let mut rows = opened.iter().map(|n| {
            let a = n.alert;
            vec![
                Cell::text(&n.id),
                Cell::opt_text(a.agent_id.as_deref()),
                Cell::text(&a.rule),
                Cell::text(&a.cause),
                Cell::text(a.severity.as_str()),
                Cell::text(&a.summary),
                Cell::text(&a.evidence),
                Cell::text(&n.mapping),
                Cell::text("open"),
                Cell::text("warden"),
                Cell::Int(now),
                Cell::Int(now),
                Cell::Int(n.seen),
                Cell::Int(r),
            ]
        });
        tx.insert_rows(&ALERTS, &mut rows, &mut || {})?;
    }
    let inserted = clock.elapsed();
    resolve_all(tx, &mut w, resolve, now)?;
    let resolved = clock.elapsed();
    w.chain.flush(tx)?;
    // Where a sweep's writes go, chunk by chunk (cumulative).
    tracing::trace!(
        raise = raise.len(),
        resolve = resolve.len(),
        opened = w.out.opened,
        lookup_us = looked_up.as_micros() as u64,
        chain_us = judged.as_micros() as u64,
        insert_us = inserted.as_micros() as u64,
        resolve_us = resolved.as_micros() as u64,
        audit_us = clock.elapsed().as_micros() as u64,
        "verdicts written"
    );
    Ok(w.out)
}

/// The live alerts `raise` names, by (rule, cause): one query per rule and
/// [`LOOKUP`] causes, through the live-cause index.
fn live_of<'f>(tx: &Db, raise: &'f [Finding]) -> StoreResult<HashMap<(&'f str, &'f str), Live>> {
    let mut by_rule: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in raise {
        by_rule
            .entry(f.alert.rule.as_str())
            .or_default()
            .push(f.alert.cause.as_str());
    }
    let mut out = HashMap::new();
    for (rule, causes) in by_rule {
        for causes in causes.chunks(LOOKUP) {
            let found = all(
                tx,
                "SELECT al.cause, al.id, al.severity, al.summary, al.evidence, al.mapping, \
                 al.snoozed_until FROM json_each(?2) q \
                 CROSS JOIN alerts al ON al.rule = ?1 AND al.cause = q.value \
                 WHERE al.status != 'resolved'",
                params![rule, to_json(&causes)],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        Live {
                            id: r.get(1)?,
                            severity: r.get(2)?,
                            summary: r.get(3)?,
                            evidence: r.get(4)?,
                            mapping: r.get(5)?,
                            snoozed: r.get(6)?,
                        },
                    ))
                },
            )?;
            // The keys borrow from `raise`, which named these causes.
            let named: HashSet<&str> = causes.iter().copied().collect();
            for (cause, live) in found {
                if let Some(c) = named.get(cause.as_str()) {
                    out.insert((rule, *c), live);
                }
            }
        }
    }
    Ok(out)
}

/// A finding for a live alert: only `seen_at` moves if nothing a reader
/// sees changed (no revision, so the feed does not resend it every sweep);
/// otherwise a new revision, and a change of severity is audited (a rise
/// is news: it ends a snooze and is handed to the guardrails).
fn update(
    tx: &Db,
    w: &mut Writes,
    l: &Live,
    a: &AlertInput,
    mapping: String,
    seen: i64,
    now: i64,
) -> StoreResult<()> {
    let greatest = tx.dialect().greatest();
    if l.severity == a.severity.as_str()
        && l.summary == a.summary
        && l.evidence == a.evidence
        && l.mapping == mapping
    {
        tx.execute(
            &format!(
                "UPDATE alerts SET seen_at = {greatest}(COALESCE(seen_at, 0), ?2) WHERE id = ?1"
            ),
            params![l.id, seen],
        )?;
        return Ok(());
    }
    let r = w.rev(tx)?;
    tx.execute(
        &format!(
            "UPDATE alerts SET severity = ?2, summary = ?3, evidence = ?4, mapping = ?5, \
             updated_at = ?6, seen_at = {greatest}(COALESCE(seen_at, 0), ?7), rev = ?8 \
             WHERE id = ?1"
        ),
        params![
            l.id,
            a.severity.as_str(),
            a.summary,
            a.evidence,
            mapping,
            now,
            seen,
            r
        ],
    )?;
    if l.severity != a.severity.as_str() {
        let rose = severity_change(tx, w, &l.id, &l.severity, a)?;
        if rose && l.snoozed.is_some() {
            let why = format!("escalated: {} -> {}", l.severity, a.severity);
            w.chain.flush(tx)?;
            alerts::clear_snooze(tx, &actor(&a.rule), &l.id, &a.rule, &why)?;
            w.chain.reread();
        }
    }
    w.out.updated += 1;
    Ok(())
}

/// Audits a change of severity from `was`; answers whether it rose (then
/// the alert is raised again for the guardrails).
fn severity_change(
    tx: &Db,
    w: &mut Writes,
    id: &str,
    was: &str,
    a: &AlertInput,
) -> StoreResult<bool> {
    w.chain.append(
        tx,
        &actor(&a.rule),
        "alert.severity",
        &audit_target(id, a.agent_id.as_deref()),
        None,
        &format!("{was} -> {}: {}", a.severity, a.evidence),
    )?;
    let rose = was.parse::<Severity>().is_ok_and(|s| a.severity > s);
    if rose {
        w.out.raised.push(raised(id, a));
    }
    Ok(rose)
}

/// A second finding for an alert this batch opens: kept in the row still
/// to be written, as an update of the written row would have been.
fn again<'f>(
    tx: &Db,
    w: &mut Writes,
    n: &mut New<'f>,
    f: &'f Finding,
    mapping: String,
    seen: i64,
) -> StoreResult<()> {
    let (was, a) = (n.alert, &f.alert);
    n.seen = n.seen.max(seen);
    if was.severity == a.severity
        && was.summary == a.summary
        && was.evidence == a.evidence
        && n.mapping == mapping
    {
        return Ok(());
    }
    if was.severity != a.severity {
        severity_change(tx, w, &n.id, was.severity.as_str(), a)?;
    }
    n.alert = a;
    n.mapping = mapping;
    w.out.updated += 1;
    Ok(())
}

/// Resolves each of `resolve` still live and not seen again since the rule
/// judged it (resolved by someone else meanwhile, or seen again: left).
fn resolve_all(tx: &Db, w: &mut Writes, resolve: &[Resolution], now: i64) -> StoreResult<()> {
    let mut seen: HashMap<String, i64> = HashMap::new();
    for ids in resolve.chunks(LOOKUP) {
        let ids: Vec<&str> = ids.iter().map(|r| r.id.as_str()).collect();
        seen.extend(all(
            tx,
            "SELECT al.id, COALESCE(al.seen_at, al.updated_at) FROM json_each(?1) q \
             CROSS JOIN alerts al ON al.id = q.value WHERE al.status != 'resolved'",
            params![to_json(&ids)],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )?);
    }
    for res in resolve {
        // Taken out, so an id named twice is resolved once.
        let still = seen
            .remove(&res.id)
            .is_some_and(|at| at <= to_ms(res.seen_at));
        if !still {
            continue;
        }
        let r = w.rev(tx)?;
        tx.execute(
            "UPDATE alerts SET status = 'resolved', resolved_at = ?2, updated_at = ?2, \
             evidence = ?3 || evidence, rev = ?4, \
             snoozed_until = NULL, snoozed_by = NULL, snooze_reason = NULL WHERE id = ?1",
            params![res.id, now, format!("resolved: {}. Was: ", res.why), r],
        )?;
        w.chain.append(
            tx,
            &actor(&res.rule),
            "alert.resolve",
            &audit_target(&res.id, res.agent_id.as_deref()),
            None,
            &format!("resolved: {}", res.why),
        )?;
        w.out.resolved += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transactions_alert_ids_share_a_stem_and_sort_in_order() {
        let mut ids = Ids::new();
        let made: Vec<String> = (0..200).map(|_| ids.next()).collect();
        assert!(made.windows(2).all(|w| w[0] < w[1]), "{made:?}");
        for id in &made {
            assert_eq!(id.len(), "alr_".len() + 14, "{id}");
            assert_eq!(id[..14], made[0][..14], "{id}");
            assert!(
                crate::secrets::id_like_word(id) == Some(id.as_str()),
                "{id}"
            );
        }
        assert_ne!(Ids::new().stem, ids.stem, "each transaction its own stem");
        ids.next = PER_STEM;
        let stem = ids.stem.clone();
        ids.next();
        assert_ne!(ids.stem, stem, "a used-up stem is replaced");
    }
}
