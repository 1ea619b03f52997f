//! The discovery view's rows: every agent `warden discover --register`
//! reported (label `origin=discovered`), with where it was found and the
//! plaintext secrets its config held, each by kind, field and the
//! fingerprint the backend sends with the credential (never the secret).
//! Present findings first, then those holding the most live secrets; built
//! in one pass over the fleet, only when it changes; the selection follows
//! the agent.

use crate::fleet::filter::origin;
use crate::fleet::row_filter::{FieldSpec, Row, Value};
use crate::fleet::state::Fleet;
use crate::model::{Agent, Credential, CredentialStatus};
use crate::tui::components::list_filter::ListFilter;
use crate::tui::components::selection::{Cursor, Selection};
use crate::tui::screens::ListState;
use crate::tui::strings;
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

/// Where the backend keeps a finding's evidence: its labels
/// (`src/server/store/sql/discoveries.rs` writes them).
const STATE: &str = "discovery.state";
const KIND: &str = "discovery.kind";
const CLIENT: &str = "discovery.client";
const SCOPE: &str = "discovery.scope";
const HOST: &str = "discovery.host";
const LOCATION: &str = "discovery.location";
const PROJECT: &str = "discovery.project";
const TRANSPORT: &str = "discovery.transport";
const FLAGS: &str = "discovery.flags";
const CAPABILITIES: &str = "discovery.capabilities";

/// The scope a discovered secret's credential carries, before its field.
const FIELD_SCOPE: &str = "discovered:";

/// One plaintext secret of a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRow {
    pub credential_id: String,
    /// `github`, `openai`, `bearer`, …
    pub kind: String,
    /// Where in the config: `env.GITHUB_TOKEN`, `args[3]`, `url`.
    pub field: String,
    /// SHA-256 of the secret, 64 hex digits.
    pub fingerprint: String,
    /// Still in the config (its credential active); a secret the config no
    /// longer holds stays listed, revoked.
    pub live: bool,
    /// Other agents holding the same fingerprint (rule R07's evidence),
    /// by name, and their ids.
    pub shared_with: Vec<String>,
    shared_ids: Vec<String>,
}

/// One finding: a discovered agent and its evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingRow {
    pub agent_id: String,
    pub name: String,
    /// The source no longer reports it.
    pub gone: bool,
    pub kind: String,
    pub client: String,
    pub scope: String,
    pub host: String,
    /// The config file, or the card's URL.
    pub location: String,
    pub project: Option<String>,
    pub transport: String,
    pub flags: Vec<String>,
    pub capabilities: Vec<String>,
    /// Live secrets first.
    pub secrets: Vec<SecretRow>,
    /// The secrets' kinds and fingerprints, for the filter's lists.
    secret_kinds: Vec<String>,
    fingerprints: Vec<String>,
}

impl FindingRow {
    pub fn live_secrets(&self) -> usize {
        self.secrets.iter().filter(|s| s.live).count()
    }

    fn new(agent: &Agent, secrets: Vec<SecretRow>) -> FindingRow {
        let label = |k: &str| agent.labels.get(k).cloned().unwrap_or_default();
        let list = |k: &str| {
            agent
                .labels
                .get(k)
                .map(|v| {
                    v.split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        FindingRow {
            agent_id: agent.id.clone(),
            name: agent.name.clone(),
            gone: agent.labels.get(STATE).map(String::as_str) == Some("gone"),
            kind: label(KIND),
            client: label(CLIENT),
            scope: label(SCOPE),
            host: label(HOST),
            location: label(LOCATION),
            project: agent.labels.get(PROJECT).cloned(),
            transport: label(TRANSPORT),
            flags: list(FLAGS),
            capabilities: list(CAPABILITIES),
            secret_kinds: secrets.iter().map(|s| s.kind.clone()).collect(),
            fingerprints: secrets.iter().map(|s| s.fingerprint.clone()).collect(),
            secrets,
        }
    }
}

/// Where a discovered agent was found, in one line (`claude-code's user
/// config on laptop-7: /home/ada/.claude.json · gone`); `None` for an
/// agent someone registered.
pub fn found_line(agent: &Agent) -> Option<String> {
    if origin(agent) != "discovered" {
        return None;
    }
    let row = FindingRow::new(agent, vec![]);
    let mut line = strings::found_in(&row.client, &row.scope, &row.host, &row.location);
    if let Some(p) = &row.project {
        line.push_str(&strings::in_project(p));
    }
    line.push_str(if row.gone {
        strings::FOUND_GONE
    } else {
        strings::FOUND_PRESENT
    });
    Some(line)
}

/// A discovered secret's credential as a row: the backend names it
/// `KIND key` and scopes it `discovered:FIELD`.
fn secret(c: &Credential, fingerprint: &str) -> SecretRow {
    let field = c
        .scopes
        .iter()
        .find_map(|s| s.strip_prefix(FIELD_SCOPE))
        .unwrap_or_default();
    SecretRow {
        credential_id: c.id.clone(),
        kind: c.prefix.strip_suffix(" key").unwrap_or(&c.prefix).to_string(),
        field: field.to_string(),
        fingerprint: fingerprint.to_string(),
        live: c.status == CredentialStatus::Active,
        shared_with: vec![],
        shared_ids: vec![],
    }
}

#[derive(Debug, Default)]
pub struct DiscoveryList {
    pub sel: Selection,
    built_for: Option<u64>,
    /// Every finding in display order, before the filter.
    all: Vec<FindingRow>,
    /// The positions in `all` the filter keeps, in display order: a
    /// keystroke rebuilds these, never the rows.
    shown: Vec<usize>,
    pub filter: ListFilter,
    filtered_with: Option<u64>,
    /// The agents the rows were built from: every finding and every holder
    /// of a fingerprint one shares. A poll that changes none of them (the
    /// heartbeats of a registered fleet) leaves the rows as they are.
    watched: HashSet<String>,
}

impl DiscoveryList {
    /// Rebuilds the rows if the fleet or the filter changed since the
    /// last time.
    pub fn refresh(&mut self, fleet: &Fleet) {
        if self.built_for != Some(fleet.generation) {
            let rebuild = self.touched_by_last_poll(fleet);
            self.built_for = Some(fleet.generation);
            if rebuild {
                self.all = findings(fleet);
                self.watched = self
                    .all
                    .iter()
                    .flat_map(|r| {
                        std::iter::once(r.agent_id.clone())
                            .chain(r.secrets.iter().flat_map(|s| s.shared_ids.iter().cloned()))
                    })
                    .collect();
                self.filtered_with = None;
            }
        }
        if self.filtered_with == Some(self.filter.version) {
            return;
        }
        self.filtered_with = Some(self.filter.version);
        let filter = &self.filter;
        self.shown = if filter.is_empty() {
            (0..self.all.len()).collect()
        } else {
            (0..self.all.len())
                .filter(|&i| filter.keeps(&self.all[i]))
                .collect()
        };
        self.filter.counted(self.shown.len(), self.all.len());
        let (all, shown) = (&self.all, &self.shown);
        self.sel.restore(
            shown.len(),
            |id| shown.iter().position(|&i| all[i].agent_id == id),
            |at| shown.get(at).map(|&i| all[i].agent_id.clone()),
        );
    }

    /// Whether the fleet changed anything the rows show since they were
    /// built: unless the last poll changed only agents, none of them
    /// watched nor discovered, it may have.
    fn touched_by_last_poll(&self, fleet: &Fleet) -> bool {
        let Some(changed) = self.built_for.and_then(|g| fleet.changed_since(g)) else {
            return true;
        };
        changed.iter().any(|&i| {
            fleet
                .agents()
                .get(i)
                .is_none_or(|a| self.watched.contains(&a.id) || origin(a) == "discovered")
        })
    }

    /// How many findings the filter keeps.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// The findings the filter keeps, in display order.
    pub fn rows(&self) -> impl Iterator<Item = &FindingRow> {
        self.shown.iter().map(|&i| &self.all[i])
    }

    pub fn selected(&self) -> Option<&FindingRow> {
        self.shown.get(self.sel.selected).map(|&i| &self.all[i])
    }
}

/// Every discovered agent of the fleet as a finding, in display order.
fn findings(fleet: &Fleet) -> Vec<FindingRow> {
    let discovered: Vec<&Agent> = fleet
        .agents()
        .iter()
        .filter(|a| origin(a) == "discovered")
        .collect();
    // Who holds each fingerprint, across the fleet: a key found in two
    // configs (two laptops, or a registered agent's) links them.
    let mut holders: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in fleet.credentials() {
        if let Some(fp) = c.fingerprint.as_deref() {
            let held = holders.entry(fp).or_default();
            if !held.contains(&c.agent_id.as_str()) {
                held.push(&c.agent_id);
            }
        }
    }
    let name_of = |id: &str| {
        fleet
            .agent(id)
            .map_or_else(|| id.to_string(), |a| a.name.clone())
    };
    let mut rows: Vec<FindingRow> = discovered
        .into_iter()
        .map(|agent| {
            let mut secrets: Vec<SecretRow> = fleet
                .credentials_of(&agent.id)
                .into_iter()
                .filter_map(|c| {
                    let fp = c.fingerprint.as_deref()?;
                    let mut s = secret(c, fp);
                    s.shared_ids = holders
                        .get(fp)
                        .into_iter()
                        .flatten()
                        .filter(|id| **id != agent.id)
                        .map(|id| id.to_string())
                        .collect();
                    s.shared_with = s.shared_ids.iter().map(|id| name_of(id)).collect();
                    Some(s)
                })
                .collect();
            secrets.sort_by(|a, b| {
                (Reverse(a.live), &a.field, &a.fingerprint).cmp(&(
                    Reverse(b.live),
                    &b.field,
                    &b.fingerprint,
                ))
            });
            FindingRow::new(agent, secrets)
        })
        .collect();
    // The agent's id last, so that equal rows keep one order across polls.
    rows.sort_by(|a, b| {
        (
            a.gone,
            Reverse(a.live_secrets()),
            Reverse(a.flags.len()),
            &a.name,
            &a.agent_id,
        )
            .cmp(&(
                b.gone,
                Reverse(b.live_secrets()),
                Reverse(b.flags.len()),
                &b.name,
                &b.agent_id,
            ))
    });
    rows
}

impl ListState for DiscoveryList {
    fn move_by(&mut self, delta: isize) {
        let (all, shown) = (&self.all, &self.shown);
        self.sel.move_by(delta, shown.len(), |at| {
            shown.get(at).map(|&i| all[i].agent_id.clone())
        });
    }

    fn cursor(&self) -> Cursor {
        self.sel.cursor(self.shown.len())
    }

    fn rows_on_screen(&self, rows: usize) -> usize {
        super::view::list_rows(rows)
    }
}

/// What `/` knows of a finding.
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::text("client", &[]),
    FieldSpec::text("host", &[]),
    FieldSpec::text("state", &[]),
    FieldSpec::text("kind", &[]),
    FieldSpec::text("secret", &["secrets"]),
    FieldSpec::text("fp", &["fingerprint", "sha256"]),
    FieldSpec::text("flag", &["flags"]),
    FieldSpec::text("file", &["where", "location", "url"]),
];

impl Row for FindingRow {
    fn field(&self, i: usize) -> Value<'_> {
        match i {
            0 => Value::Text(&self.client),
            1 => Value::Text(&self.host),
            2 => Value::Text(if self.gone { "gone" } else { "present" }),
            3 => Value::Text(&self.kind),
            4 => Value::List(&self.secret_kinds),
            5 => Value::List(&self.fingerprints),
            6 => Value::List(&self.flags),
            _ => Value::Text(&self.location),
        }
    }

    fn any_text(&self, hit: &mut dyn FnMut(&str) -> bool) -> bool {
        hit(&self.name)
            || hit(&self.client)
            || hit(&self.host)
            || hit(&self.location)
            || self.project.as_deref().is_some_and(&mut *hit)
            || self
                .secrets
                .iter()
                .any(|s| hit(&s.kind) || hit(&s.field) || hit(&s.fingerprint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Changes;
    use crate::model::fixtures;

    fn found(id: &str) -> Agent {
        let mut a = fixtures::agent(id, id);
        a.labels.insert("origin".into(), "discovered".into());
        a
    }

    fn poll(fleet: &mut Fleet, cursor: i64, agent: Agent) {
        fleet.apply(Changes {
            cursor,
            agents: vec![Agent {
                rev: cursor,
                ..agent
            }],
            ..Changes::default()
        });
    }

    #[test]
    fn a_poll_of_other_agents_keeps_the_rows_and_one_of_a_finding_rebuilds_them() {
        let mut fleet = Fleet::new();
        let key = Credential {
            fingerprint: Some("ab".repeat(32)),
            ..fixtures::credential("crd_k", "agt_holder")
        };
        fleet.apply(Changes {
            cursor: 1,
            full: true,
            agents: vec![
                found("agt_found"),
                fixtures::agent("agt_holder", "holder"),
                fixtures::agent("agt_other", "other"),
            ],
            credentials: vec![
                key.clone(),
                Credential {
                    id: "crd_f".into(),
                    agent_id: "agt_found".into(),
                    ..key
                },
            ],
            ..Changes::default()
        });
        let mut list = DiscoveryList::default();
        list.refresh(&fleet);
        let built = list.all.as_ptr();
        assert_eq!(list.all[0].secrets[0].shared_with, ["holder"]);

        poll(&mut fleet, 2, fixtures::agent("agt_other", "other, seen"));
        list.refresh(&fleet);
        assert_eq!(list.all.as_ptr(), built, "not rebuilt for another agent");

        poll(&mut fleet, 3, fixtures::agent("agt_holder", "holder, renamed"));
        list.refresh(&fleet);
        assert_eq!(list.all[0].secrets[0].shared_with, ["holder, renamed"]);

        let mut moved = found("agt_found");
        moved.labels.insert(STATE.into(), "gone".into());
        poll(&mut fleet, 4, moved);
        list.refresh(&fleet);
        assert!(list.all[0].gone, "rebuilt for the finding");
    }
}
