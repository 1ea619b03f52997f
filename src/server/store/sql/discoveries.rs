//! Findings of `warden discover` as agents (`POST /v1/discoveries`): each
//! finding is one unowned agent, labelled `origin=discovered` and found
//! again by its `discovery.key`, so a second report updates it instead of
//! adding another; a finding its source no longer reports is labelled
//! gone. Each plaintext secret is a credential of that agent holding only
//! its fingerprint (rule R07 matches it against every other credential;
//! R04 sees a key that never expires); the hash column gets a value no
//! presented secret can hash to, so such a credential never authenticates.

use super::agents;
use super::rows::{self, AGENT_COLS, now_ms, to_json};
use super::tx::{append_audit, next_rev};
use crate::api::{DiscoveredAgent, DiscoveryOutcome, DiscoveryReport, NewAgent};
use crate::discover::Finding;
use crate::model::{Agent, AgentKind};
use crate::secrets::new_id;
use crate::server::store::db::{Db, params};
use crate::server::store::{Actor, StoreError, StoreResult};
use crate::server::text_policy::{Kind, check};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const ORIGIN: &str = "origin";
pub const DISCOVERED: &str = "discovered";
const KEY: &str = "discovery.key";
const SOURCE: &str = "discovery.source";
const STATE: &str = "discovery.state";
const HASH_PREFIX: &str = "discovered:";

pub fn record(tx: &Db, actor: &Actor, report: &DiscoveryReport) -> StoreResult<DiscoveryOutcome> {
    check_report(report)?;
    let mut known: HashMap<String, Agent> = discovered(tx)?
        .into_iter()
        .filter_map(|a| a.labels.get(KEY).cloned().map(|k| (k, a)))
        .collect();
    let mut out = DiscoveryOutcome::default();
    let mut reported = BTreeSet::new();
    for f in &report.findings {
        reported.insert(f.key.clone());
        let (agent, change) = match known.remove(&f.key) {
            Some(agent) => {
                let changed = update(tx, &agent, f, &report.source)?;
                (agent, if changed { "updated" } else { "unchanged" })
            }
            None => (create(tx, actor, f, &report.source)?, "created"),
        };
        let secrets_changed = sync_secrets(tx, &agent.id, f)?;
        let change = if change == "unchanged" && secrets_changed {
            "updated"
        } else {
            change
        };
        match change {
            "created" => out.created += 1,
            "updated" => out.updated += 1,
            _ => out.unchanged += 1,
        }
        out.agents.push(DiscoveredAgent {
            key: f.key.clone(),
            agent_id: agent.id.clone(),
            name: agent.name.clone(),
            change: change.into(),
        });
    }
    for (key, agent) in known {
        let same_source = agent.labels.get(SOURCE) == Some(&report.source);
        let present = agent.labels.get(STATE).map(String::as_str) != Some("gone");
        if same_source && present && !reported.contains(&key) {
            mark_gone(tx, &agent)?;
            out.gone += 1;
            out.agents.push(DiscoveredAgent {
                key,
                agent_id: agent.id,
                name: agent.name,
                change: "gone".into(),
            });
        }
    }
    append_audit(
        tx,
        actor,
        "discovery.report",
        &report.source,
        None,
        &format!(
            "{} created, {} updated, {} unchanged, {} gone",
            out.created, out.updated, out.unchanged, out.gone
        ),
    )?;
    Ok(out)
}

fn check_report(report: &DiscoveryReport) -> StoreResult<()> {
    let invalid = |m: String| Err(StoreError::Invalid(m));
    if report.source.trim().is_empty() {
        return invalid(
            "source must name what was scanned (a host, and its homes and roots)".into(),
        );
    }
    let mut keys = BTreeSet::new();
    for f in &report.findings {
        if f.key.is_empty() || f.key.len() > 128 {
            return invalid(format!(
                "finding {:?} needs a key of 1 to 128 characters",
                f.name
            ));
        }
        if !keys.insert(&f.key) {
            return invalid(format!("the key {:?} is in the report twice", f.key));
        }
        if f.name.trim().is_empty() {
            return invalid(format!("finding {:?} has no name", f.key));
        }
        for s in &f.secrets {
            if s.fingerprint.len() != 64
                || !s
                    .fingerprint
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            {
                return invalid(format!(
                    "finding {:?}: a fingerprint is the SHA-256 of the secret as 64 lowercase hex digits, not {:?}",
                    f.name, s.fingerprint
                ));
            }
        }
    }
    Ok(())
}

/// Every agent a report made, gone or not.
fn discovered(tx: &Db) -> StoreResult<Vec<Agent>> {
    let pattern = format!("%\"{ORIGIN}\":\"{DISCOVERED}\"%");
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {AGENT_COLS} FROM agents WHERE labels LIKE ?1"
    ))?;
    let agents: Vec<Agent> = stmt
        .query_map(params![pattern], rows::agent)?
        .collect::<Result<_, _>>()?;
    Ok(agents
        .into_iter()
        .filter(|a| a.labels.get(ORIGIN).map(String::as_str) == Some(DISCOVERED))
        .collect())
}

/// Text as the text policy takes it; anything it refuses, escaped.
fn clean(value: &str, kind: Kind) -> String {
    match check("value", value, kind) {
        Ok(()) => value.to_string(),
        Err(_) => value.escape_default().to_string(),
    }
}

fn shortened(value: String, max: usize) -> String {
    if value.chars().count() <= max {
        return value;
    }
    value.chars().take(max).collect()
}

fn labels(f: &Finding, source: &str) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        l.insert(k.to_string(), shortened(clean(v, Kind::Line), 1024));
    };
    put(ORIGIN, DISCOVERED);
    put(KEY, &f.key);
    put(SOURCE, source);
    put(STATE, "present");
    put("discovery.kind", &f.kind);
    put("discovery.client", &f.client);
    put("discovery.scope", &f.scope);
    put("discovery.host", &f.host);
    put("discovery.location", &f.location);
    put("discovery.transport", &f.transport);
    if let Some(p) = &f.project {
        put("discovery.project", p);
    }
    if !f.flags.is_empty() {
        put("discovery.flags", &f.flags.join(","));
    }
    if !f.capabilities.is_empty() {
        put("discovery.capabilities", &f.capabilities.join(","));
    }
    l
}

/// What a responder reads first: what it is, where it was, what it runs,
/// and its secrets by kind, field and fingerprint (the dashboard's detail
/// view shows it as it is).
fn description(f: &Finding) -> String {
    let runs = match (&f.command, &f.url) {
        (Some(c), _) => std::iter::once(c.clone())
            .chain(f.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" "),
        (None, Some(u)) => u.clone(),
        (None, None) => "nothing it names".into(),
    };
    let secrets = match f.secrets.len() {
        0 => String::new(),
        n => format!(
            "; {n} plaintext secret{} ({})",
            if n == 1 { "" } else { "s" },
            f.secrets
                .iter()
                .map(|s| format!(
                    "{} in {} (sha256:{}…)",
                    s.kind,
                    s.field,
                    &s.fingerprint[..16]
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let text = format!(
        "Discovered {} {:?} in {}'s {} config {} on {}; runs {}{secrets}",
        f.kind, f.name, f.client, f.scope, f.location, f.host, runs
    );
    shortened(clean(&text, Kind::Text), 2000)
}

fn kind_of(f: &Finding) -> AgentKind {
    match f.kind.as_str() {
        "a2a-agent" => AgentKind::Autonomous,
        "vault-identity" => AgentKind::ApiConnector,
        _ => AgentKind::McpServer,
    }
}

/// Whether an open R17 alert names `name` as a shadow agent: an identity
/// registered agents report in their delegation chains that nobody
/// registered.
fn shadow(tx: &Db, name: &str) -> StoreResult<bool> {
    let mut stmt = tx.prepare_cached(
        "SELECT COUNT(*) FROM alerts WHERE rule = 'R17' AND cause = ?1 AND status <> 'resolved'",
    )?;
    let n: i64 = stmt.query_row(params![format!("R17:{name}")], |r| r.get(0))?;
    Ok(n > 0)
}

/// A new unowned agent named after the finding; a taken or look-alike name
/// gets the key's start, a name the policy refuses becomes the key. A
/// finding named like a shadow agent of R17 takes that very name, so the
/// shadow is in the inventory from then on, with the evidence of where it
/// runs (R17 resolves saying so).
fn create(tx: &Db, actor: &Actor, f: &Finding, source: &str) -> StoreResult<Agent> {
    let name = f.name.trim();
    if shadow(tx, name)? {
        let mut labels = labels(f, source);
        labels.insert("discovery.shadow".into(), clean(name, Kind::Line));
        let new = NewAgent {
            name: name.to_string(),
            kind: kind_of(f),
            environment: "unknown".into(),
            owner: None,
            description: Some(description(f)),
            runtime: None,
            labels,
        };
        match agents::create(tx, actor, &new) {
            Ok(agent) => return Ok(agent),
            Err(StoreError::Conflict(_) | StoreError::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let base = shortened(
        clean(
            &format!("{} ({}@{})", f.name.trim(), f.client, f.host),
            Kind::Name,
        ),
        200,
    );
    let candidates = [
        base.clone(),
        format!("{base} #{}", &f.key[..f.key.len().min(8)]),
        format!("discovered {}", f.key),
    ];
    let mut last = None;
    for name in candidates {
        let new = NewAgent {
            name,
            kind: kind_of(f),
            environment: "unknown".into(),
            owner: None,
            description: Some(description(f)),
            runtime: None,
            labels: labels(f, source),
        };
        match agents::create(tx, actor, &new) {
            Ok(agent) => return Ok(agent),
            Err(e @ (StoreError::Conflict(_) | StoreError::Invalid(_))) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| StoreError::Invalid("no name could be given".into())))
}

/// Rewrites the agent's labels and description when they changed.
fn update(tx: &Db, agent: &Agent, f: &Finding, source: &str) -> StoreResult<bool> {
    let labels = labels(f, source);
    let description = description(f);
    if agent.labels == labels && agent.description.as_deref() == Some(description.as_str()) {
        return Ok(false);
    }
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE agents SET labels = ?2, description = ?3, updated_at = ?4, rev = ?5 WHERE id = ?1",
        params![agent.id, to_json(&labels), description, now_ms(), rev],
    )?;
    Ok(true)
}

fn mark_gone(tx: &Db, agent: &Agent) -> StoreResult<()> {
    let mut labels = agent.labels.clone();
    labels.insert(STATE.into(), "gone".into());
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE agents SET labels = ?2, updated_at = ?3, rev = ?4 WHERE id = ?1",
        params![agent.id, to_json(&labels), now_ms(), rev],
    )?;
    revoke_missing(
        tx,
        &agent.id,
        &BTreeSet::new(),
        "the finding is gone from its source",
    )?;
    Ok(())
}

/// One credential per fingerprint, active while the config holds it.
fn sync_secrets(tx: &Db, agent_id: &str, f: &Finding) -> StoreResult<bool> {
    let wanted: BTreeSet<&str> = f.secrets.iter().map(|s| s.fingerprint.as_str()).collect();
    let mut changed = revoke_missing(tx, agent_id, &wanted, "no longer in the config")?;
    let mut stmt =
        tx.prepare_cached("SELECT status FROM credentials WHERE agent_id = ?1 AND hash = ?2")?;
    for s in &f.secrets {
        let hash = format!("{HASH_PREFIX}{agent_id}:{}", s.fingerprint);
        let status: Option<String> = stmt
            .query_map(params![agent_id, hash], |r| r.get(0))?
            .next()
            .transpose()?;
        match status.as_deref() {
            Some("active") => continue,
            Some(_) => {
                let rev = next_rev(tx)?;
                tx.execute(
                    "UPDATE credentials SET status = 'active', revoked_at = NULL, revoked_reason = NULL, rev = ?2 \
                     WHERE hash = ?1",
                    params![hash, rev],
                )?;
            }
            None => {
                let rev = next_rev(tx)?;
                tx.execute(
                    "INSERT INTO credentials (id, agent_id, hash, prefix, scopes, issued_at, status, rev, fingerprint) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8)",
                    params![
                        new_id("crd"),
                        agent_id,
                        hash,
                        format!("{} key", s.kind),
                        to_json(&vec![format!("discovered:{}", shortened(clean(&s.field, Kind::Line), 200))]),
                        now_ms(),
                        rev,
                        s.fingerprint
                    ],
                )?;
            }
        }
        changed = true;
    }
    Ok(changed)
}

/// Revokes the agent's discovered credentials whose fingerprints are not
/// in `keep`; whether any was.
fn revoke_missing(
    tx: &Db,
    agent_id: &str,
    keep: &BTreeSet<&str>,
    reason: &str,
) -> StoreResult<bool> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, fingerprint FROM credentials WHERE agent_id = ?1 AND status = 'active' AND hash LIKE ?2",
    )?;
    let live: Vec<(String, Option<String>)> = stmt
        .query_map(params![agent_id, format!("{HASH_PREFIX}%")], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut any = false;
    for (id, fp) in live {
        if fp.as_deref().is_some_and(|fp| keep.contains(fp)) {
            continue;
        }
        let rev = next_rev(tx)?;
        tx.execute(
            "UPDATE credentials SET status = 'revoked', revoked_at = ?2, revoked_reason = ?3, rev = ?4 WHERE id = ?1",
            params![id, now_ms(), reason, rev],
        )?;
        any = true;
    }
    Ok(any)
}
