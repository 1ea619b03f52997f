//! Activity rules, judged on ingest, per batch: R08 (a non-production agent
//! calls a production target), R09 (an agent credential used from an
//! interactive client), R11 (a minute above 5× the usual rate) and R12 (a
//! destination never seen for the agent). R17 reads the same batch, in
//! [`super::shadows`].
//!
//! Also the in-memory summary of a batch ([`Batch`]) that every ingest rule
//! reads, so the events are walked once.

use super::config::RuleThresholds;
use super::{finding, list, minutes, plural, shown, when};
use crate::model::{Agent, Credential, Severity};
use crate::server::store::{
    BatchFacts, BatchObservation, EventRecord, Finding, IdentityFact, MinuteCount,
};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

/// Most distinct chain identities looked up per batch: a batch cannot make
/// the store do unbounded work.
const MAX_IDENTITIES: usize = 1_000;

/// The host or tool a target names: the authority of a URL
/// (`https://paste.example/x` → `paste.example`), else the target up to its
/// first `/` (`ticket/17` → `ticket`), lowercased. A resource inside a
/// known tool is not a new destination.
pub fn destination(target: &str) -> String {
    let t = target.trim();
    let (rest, url) = match t.find("://") {
        Some(i) => (&t[i + 3..], true),
        None => (t, false),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let mut host = &rest[..end];
    if url && let Some((_, h)) = host.rsplit_once('@') {
        // Credentials in a URL are not part of where it goes.
        host = h;
    }
    if host.is_empty() {
        t.to_lowercase()
    } else {
        host.to_lowercase()
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .and_then(|_| s.get(prefix.len()..))
}

/// The MCP server a target calls (`mcp://github/create_issue` →
/// `github`), if it calls one.
pub(super) fn mcp_server(target: &str) -> Option<String> {
    let t = target.trim();
    let rest = strip_prefix_ci(t, "mcp://").or_else(|| strip_prefix_ci(t, "mcp:"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let server = rest[..end].trim().to_lowercase();
    (!server.is_empty()).then_some(server)
}

/// `*` matches any run of characters; the rest matches itself, ignoring
/// ASCII case.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn is_production_environment(env: &str, t: &RuleThresholds) -> bool {
    t.production_environments
        .iter()
        .any(|p| p.trim().eq_ignore_ascii_case(env.trim()))
}

/// A destination is production if one of its words (split at anything
/// not a letter or digit) is a production environment (`db.prod.corp`,
/// `prod-payments`), or it matches a `production_targets` pattern.
pub(super) fn is_production_target(destination: &str, t: &RuleThresholds) -> bool {
    destination
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| !word.is_empty() && is_production_environment(word, t))
        || t.production_targets.iter().any(|p| glob(p, destination))
}

/// How often something occurred in a batch, and when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Use {
    pub calls: u32,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

impl Use {
    pub(super) fn new(at: DateTime<Utc>) -> Self {
        Use {
            calls: 0,
            first: at,
            last: at,
        }
    }

    fn add(&mut self, at: DateTime<Utc>) {
        self.calls = self.calls.saturating_add(1);
        self.first = self.first.min(at);
        self.last = self.last.max(at);
    }
}

fn tally<K: Ord>(map: &mut BTreeMap<K, Use>, key: K, at: DateTime<Utc>) {
    map.entry(key).or_insert_with(|| Use::new(at)).add(at);
}

/// A batch of events, walked once.
pub(super) struct Batch<'a> {
    /// What the store records and answers about.
    pub observation: BatchObservation,
    pub total: usize,
    pub destinations: BTreeMap<String, Use>,
    /// The busiest destination of each minute, with its calls.
    pub busiest: BTreeMap<i64, (String, u32)>,
    /// Interactive events, and the first of them.
    pub interactive: Option<(Use, &'a EventRecord)>,
    /// MCP servers called.
    pub mcp: BTreeMap<String, Use>,
    /// Each distinct (chain, scope used) of events that act for someone.
    pub chains: BTreeMap<(&'a [String], Option<&'a str>), Use>,
}

impl<'a> Batch<'a> {
    pub fn summarise(events: &'a [EventRecord], t: &RuleThresholds, now: DateTime<Utc>) -> Self {
        let mut per_minute: BTreeMap<i64, u32> = BTreeMap::new();
        let mut per_minute_dest: HashMap<(i64, String), u32> = HashMap::new();
        let mut destinations = BTreeMap::new();
        let mut interactive: Option<(Use, &EventRecord)> = None;
        let mut mcp = BTreeMap::new();
        let mut chains = BTreeMap::new();
        for e in events {
            let minute = e.at.timestamp().div_euclid(60);
            let n = per_minute.entry(minute).or_default();
            *n = n.saturating_add(1);
            let dest = destination(&e.target);
            *per_minute_dest.entry((minute, dest.clone())).or_default() += 1;
            tally(&mut destinations, dest, e.at);
            if e.interactive {
                let (u, first) = interactive.get_or_insert((Use::new(e.at), e));
                if e.at < u.first {
                    *first = e;
                }
                u.add(e.at);
            }
            if let Some(server) = mcp_server(&e.target) {
                tally(&mut mcp, server, e.at);
            }
            if !e.on_behalf_of.is_empty() {
                tally(
                    &mut chains,
                    (e.on_behalf_of.as_slice(), e.scope.as_deref()),
                    e.at,
                );
            }
        }
        let mut busiest: BTreeMap<i64, (String, u32)> = BTreeMap::new();
        for ((minute, dest), n) in per_minute_dest {
            let top = busiest.entry(minute).or_insert_with(|| (dest.clone(), 0));
            if n > top.1 || (n == top.1 && dest < top.0) {
                *top = (dest, n);
            }
        }
        let mut identities: Vec<String> = chains
            .keys()
            .flat_map(|(chain, _)| chain.iter().cloned())
            .collect();
        identities.sort_unstable();
        identities.dedup();
        identities.truncate(MAX_IDENTITIES);
        let now_minute = now.timestamp().div_euclid(60);
        let observation = BatchObservation {
            minutes: per_minute
                .iter()
                .map(|(&minute, &calls)| MinuteCount { minute, calls })
                .collect(),
            destinations: destinations
                .iter()
                .map(|(d, u)| (d.clone(), u.first))
                .collect(),
            identities,
            baseline_minutes: t.baseline_minutes,
            keep_from_minute: now_minute - i64::from(t.keep_minutes()),
        };
        Batch {
            observation,
            total: events.len(),
            destinations,
            busiest,
            interactive,
            mcp,
            chains,
        }
    }
}

/// A chain split into the person it starts with (if any) and the agents
/// after: the first entry is a person if the directory knows it as one or
/// it looks like an email.
pub(super) fn split_chain<'c>(
    chain: &'c [String],
    ids: &HashMap<&str, &IdentityFact>,
) -> (Option<&'c str>, &'c [String]) {
    match chain.split_first() {
        Some((first, rest))
            if first.contains('@')
                || ids
                    .get(first.as_str())
                    .is_some_and(|f| f.person.is_some() && f.agent.is_none()) =>
        {
            (Some(first.as_str()), rest)
        }
        _ => (None, chain),
    }
}

pub(super) fn identities(facts: &BatchFacts) -> HashMap<&str, &IdentityFact> {
    facts
        .identities
        .iter()
        .map(|f| (f.key.as_str(), f))
        .collect()
}

/// R08.
pub(super) fn environment_crossing(
    agent: &Agent,
    batch: &Batch,
    t: &RuleThresholds,
) -> Option<Finding> {
    if is_production_environment(&agent.environment, t) {
        return None;
    }
    let hits: Vec<(&String, &Use)> = batch
        .destinations
        .iter()
        .filter(|(d, _)| is_production_target(d, t))
        .collect();
    let last = hits.iter().map(|(_, u)| u.last).max()?;
    Some(finding(
        "R08",
        &agent.id,
        format!("R08:{}", agent.id),
        Severity::High,
        format!(
            "{} agent {} acted on a production target",
            agent.environment, agent.name
        ),
        format!(
            "{} agent called production target{} {}; latest {}",
            agent.environment,
            if hits.len() == 1 { "" } else { "s" },
            list(
                hits.iter().map(|(d, u)| format!(
                    "{} ({})",
                    shown(d),
                    plural(u.calls as usize, "call", "calls")
                )),
                5
            ),
            when(last)
        ),
        last,
    ))
}

/// R09.
pub(super) fn human_use(agent: &Agent, credential: &Credential, batch: &Batch) -> Option<Finding> {
    let (u, first) = batch.interactive.as_ref()?;
    Some(finding(
        "R09",
        &agent.id,
        format!("R09:{}", agent.id),
        Severity::High,
        format!(
            "{}'s credential is used from an interactive client",
            agent.name
        ),
        format!(
            "{} of {} events from an interactive client with credential {} ({}…); first at {}: {:?} on {:?}",
            u.calls,
            batch.total,
            credential.id,
            credential.prefix,
            when(u.first),
            first.action,
            first.target
        ),
        u.last,
    ))
}

fn rate(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn minute_time(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(minute.saturating_mul(60), 0).unwrap_or_default()
}

/// R11. The worst minute of the batch is the evidence.
pub(super) fn spike(
    agent: &Agent,
    batch: &Batch,
    facts: &BatchFacts,
    t: &RuleThresholds,
) -> Option<Finding> {
    // An agent seen for the first time has no usual rate yet.
    let learnt = facts.first_activity? + minutes(t.learning_minutes);
    let worst = facts
        .minutes
        .iter()
        .filter(|m| minute_time(m.minute) >= learnt)
        .filter(|m| {
            m.calls >= t.spike_min_calls_per_minute && f64::from(m.calls) > t.spike_factor * m.usual
        })
        .max_by_key(|m| m.calls)?;
    let at = minute_time(worst.minute);
    let mut evidence = format!(
        "{} calls/min at {}, usual {} (limit {}× over the last {} min)",
        worst.calls,
        at.format("%H:%M UTC"),
        rate(worst.usual),
        t.spike_factor,
        t.baseline_minutes
    );
    if let Some((dest, n)) = batch.busiest.get(&worst.minute) {
        evidence.push_str(&format!("; mostly {} ({n})", shown(dest)));
    }
    if !facts.new_destinations.is_empty() {
        evidence.push_str(&format!(
            "; new host {}",
            list(facts.new_destinations.iter().map(|d| shown(d)), 3)
        ));
    }
    Some(finding(
        "R11",
        &agent.id,
        format!("R11:{}", agent.id),
        Severity::High,
        format!("{} is calling far above its usual rate", agent.name),
        evidence,
        at,
    ))
}

/// R12.
pub(super) fn new_destination(
    agent: &Agent,
    batch: &Batch,
    facts: &BatchFacts,
    t: &RuleThresholds,
) -> Option<Finding> {
    // While it learns, everything it calls is what it usually calls.
    let learnt = facts.first_activity? + minutes(t.learning_minutes);
    let new: Vec<(&String, &Use)> = facts
        .new_destinations
        .iter()
        .filter_map(|d| batch.destinations.get(d).map(|u| (d, u)))
        .filter(|(_, u)| u.first >= learnt)
        .collect();
    let (first, _) = new.first()?;
    let last = new.iter().map(|(_, u)| u.last).max()?;
    let known_before = facts
        .known_destinations
        .saturating_sub(facts.new_destinations.len());
    Some(finding(
        "R12",
        &agent.id,
        format!("R12:{}", agent.id),
        Severity::Medium,
        format!(
            "{} called a destination it never used before: {first}",
            agent.name
        ),
        format!(
            "new host {}; {} known before",
            list(
                new.iter().map(|(d, u)| format!(
                    "{} ({} from {})",
                    shown(d),
                    plural(u.calls as usize, "call", "calls"),
                    u.first.format("%H:%M UTC")
                )),
                5
            ),
            plural(known_before, "destination", "destinations")
        ),
        last,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_destination_is_the_host_or_tool() {
        assert_eq!(destination("https://Paste.Example/raw/1"), "paste.example");
        assert_eq!(
            destination("https://user:pw@paste.example:8443/x"),
            "paste.example:8443"
        );
        assert_eq!(destination("ticket/17"), "ticket");
        assert_eq!(destination("crm"), "crm");
        assert_eq!(destination("mcp://github/create_issue"), "github");
        assert_eq!(destination("/etc/passwd"), "/etc/passwd");
        assert_eq!(destination("alice@corp.example"), "alice@corp.example");
    }

    #[test]
    fn mcp_servers_are_recognised_in_both_spellings() {
        assert_eq!(
            mcp_server("mcp://GitHub/create_issue").as_deref(),
            Some("github")
        );
        assert_eq!(mcp_server("MCP:jira").as_deref(), Some("jira"));
        assert_eq!(mcp_server("https://mcp.example"), None);
        assert_eq!(mcp_server("mcp://"), None);
        assert_eq!(mcp_server("é"), None);
    }

    #[test]
    fn production_targets_by_word_or_pattern() {
        let t = RuleThresholds {
            production_targets: vec!["*.payments.corp.example".into()],
            ..Default::default()
        };
        assert!(is_production_target("db.prod.corp.example", &t));
        assert!(is_production_target("prod-db", &t));
        assert!(is_production_target("k8s:production", &t));
        assert!(is_production_target("api.payments.corp.example", &t));
        assert!(!is_production_target("product.example", &t));
        assert!(!is_production_target("db.staging.corp.example", &t));
        assert!(!is_production_target("payments.corp.example", &t));
    }

    #[test]
    fn glob_matches_stars_anywhere() {
        assert!(glob("*", ""));
        assert!(glob("a*c", "abbbc"));
        assert!(glob("*.example", "x.y.example"));
        assert!(!glob("a*c", "abd"));
        assert!(glob("A*", "abc"));
    }
}
