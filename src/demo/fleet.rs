//! The demo fleet: people with teams, managers and a few leavers; agents of
//! every kind across four environments; credentials with mixed expiries;
//! some over-privileged grants; delegation chains. The structure follows
//! the seed; the secrets are real random ones.

use super::names::*;
use super::rng::Rng;
use crate::model::*;
use crate::secrets;
use crate::server::store::Import;
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// An agent the simulator drives, with a secret that works.
#[derive(Debug, Clone)]
pub struct DemoAgent {
    pub agent_id: String,
    pub name: String,
    pub secret: String,
    pub scopes: Vec<String>,
    /// Where it usually goes.
    pub targets: Vec<&'static str>,
}

pub struct DemoFleet {
    pub import: Import,
    /// Active agents with a credential that works: the ones the simulator drives.
    pub live: Vec<DemoAgent>,
}

/// The fingerprint of the key `agent_id` holds for `target`, if that target
/// takes one: each agent has its own, derived from the seed so that the
/// simulator and the incidents agree on it. The key itself never exists;
/// an agent reports only the fingerprint (SHA-256), as a real one would.
pub fn key_fingerprint(seed: u64, agent_id: &str, target: &str) -> Option<String> {
    KEYED_TARGETS
        .contains(&target)
        .then(|| secrets::hash(&format!("demo-key:{seed}:{agent_id}:{target}")))
}

/// How many people run a fleet of `agents`.
pub fn people_for(agents: usize) -> usize {
    (agents / 25).max(40)
}

fn id(rng: &mut Rng, prefix: &str) -> String {
    format!("{prefix}_{}", rng.base62(14))
}

/// The names given so far, and for each stem the next suffix to try: a
/// stem's second holder is `stem-2`, its third `stem-3`, and finding the
/// tenth-thousandth never tries the nine thousand before it again (which
/// made generating a million agents quadratic).
#[derive(Default)]
struct Names {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

/// `stem` if it is free, else `stem-k` with the first free `k` from 2.
fn unique(names: &mut Names, stem: String) -> String {
    unique_with(names, stem, "-")
}

/// `stem` if it is free, else `stem{sep}k` with the first free `k` from 2.
fn unique_with(names: &mut Names, stem: String, sep: &str) -> String {
    if names.taken.insert(stem.clone()) {
        return stem;
    }
    let k = names.next.entry(stem.clone()).or_insert(2);
    loop {
        let candidate = format!("{stem}{sep}{k}");
        *k += 1;
        if names.taken.insert(candidate.clone()) {
            return candidate;
        }
    }
}

fn ago(now: DateTime<Utc>, rng: &mut Rng, min_minutes: i64, max_minutes: i64) -> DateTime<Utc> {
    let span = (max_minutes - min_minutes).max(1) as usize;
    now - Duration::minutes(min_minutes + rng.below(span) as i64)
}

fn people(rng: &mut Rng, n: usize, now: DateTime<Utc>) -> Vec<Person> {
    let mut out: Vec<Person> = Vec::with_capacity(n);
    let mut emails = Names::default();
    let mut leads: BTreeMap<&str, String> = BTreeMap::new();
    for i in 0..n {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i / FIRST.len() + i * 7) % LAST.len()];
        let base = format!("{}.{}", first, last.replace(' ', "")).to_lowercase();
        let email = format!("{}@corp.example", unique_with(&mut emails, base, ""));
        let team = TEAMS[i % TEAMS.len()];
        let pid = id(rng, "per");
        let manager = leads.get(team).cloned();
        if manager.is_none() {
            leads.insert(team, pid.clone());
        }
        // About one in twelve has left; a team lead is never the first to go.
        let departed = manager.is_some() && rng.chance(0.08);
        out.push(Person {
            id: pid,
            name: format!("{first} {last}"),
            email,
            team: Some(team.to_string()),
            manager,
            status: if departed {
                PersonStatus::Departed
            } else {
                PersonStatus::Active
            },
            created_at: ago(now, rng, 60 * 24 * 200, 60 * 24 * 1500),
            departed_at: departed.then(|| ago(now, rng, 60 * 24, 60 * 24 * 60)),
            rev: 0,
        });
    }
    out
}

fn kind_for(function: &str, rng: &mut Rng) -> AgentKind {
    if function.contains("copilot") || function.contains("assistant") {
        return AgentKind::Copilot;
    }
    match rng.below(10) {
        0..=2 => AgentKind::ApiConnector,
        3..=4 => AgentKind::Chatbot,
        5..=6 => AgentKind::Autonomous,
        7 => AgentKind::Copilot,
        _ => AgentKind::McpServer,
    }
}

fn environment(rng: &mut Rng) -> &'static str {
    // Weighted: most agents run in production.
    let i = match rng.below(20) {
        0..=8 => 0,
        9..=13 => 1,
        14..=17 => 2,
        _ => 3,
    };
    ENVIRONMENTS[i]
}

/// Generates a fleet of `n` agents from `seed`, with times relative to `now`.
pub fn generate(n: usize, seed: u64, now: DateTime<Utc>) -> DemoFleet {
    let mut rng = Rng::new(seed);
    let people = people(&mut rng, people_for(n), now);
    let by_team: BTreeMap<&str, Vec<usize>> =
        people
            .iter()
            .enumerate()
            .fold(BTreeMap::new(), |mut m, (i, p)| {
                m.entry(
                    TEAMS
                        .iter()
                        .find(|t| Some(**t) == p.team.as_deref())
                        .copied()
                        .unwrap_or("growth"),
                )
                .or_insert_with(Vec::new)
                .push(i);
                m
            });
    let mut import = Import {
        people,
        ..Import::default()
    };
    let mut live = Vec::new();
    let mut names = Names::default();
    // Scopes each agent holds, for delegations that never escalate.
    let mut held: Vec<Vec<String>> = Vec::with_capacity(n);
    let mut acting_for: Vec<Option<String>> = Vec::with_capacity(n);

    for i in 0..n {
        let team = *rng.pick(TEAMS);
        let function = *rng.pick(functions(team));
        let env = environment(&mut rng);
        let kind = if i % 9 == 4 {
            AgentKind::McpServer
        } else {
            kind_for(function, &mut rng)
        };
        let base = match kind {
            AgentKind::McpServer => format!("mcp-{function}"),
            _ => function.to_string(),
        };
        let stem = if env == "prod" {
            base
        } else {
            format!("{base}-{env}")
        };
        let name = unique(&mut names, stem);
        let team_people = &by_team[team];
        let owner_idx = if rng.chance(0.05) {
            None
        } else {
            Some(team_people[rng.below(team_people.len())])
        };
        let owner = owner_idx.map(|o| import.people[o].id.clone());
        let status = match rng.below(100) {
            0..=1 => AgentStatus::Suspended,
            2 => AgentStatus::Killed,
            3..=10 => AgentStatus::Dormant,
            _ => AgentStatus::Active,
        };
        let last_seen_at = match status {
            AgentStatus::Dormant => Some(ago(now, &mut rng, 60 * 24 * 31, 60 * 24 * 150)),
            AgentStatus::Active if rng.chance(0.97) => Some(ago(now, &mut rng, 0, 90)),
            AgentStatus::Active => None,
            _ => Some(ago(now, &mut rng, 60, 60 * 24 * 5)),
        };
        let runtime = match (kind, rng.below(10)) {
            (AgentKind::McpServer, _) => Some(format!("mcp:{env}/{name}")),
            (_, 0..=5) => Some(format!("k8s:{env}/{team}/{name}")),
            (_, 6..=7) => Some(format!("lambda:{env}-{name}")),
            (_, 8) => Some(format!(
                "vm:{team}-runner-{}/pid-{}",
                rng.below(40),
                1000 + rng.below(60000)
            )),
            _ => None,
        };
        let mut description = format!("{} for the {team} team", function.replace('-', " "));
        if i == 7 {
            // What a hostile agent author can put in a description; every
            // screen must show it escaped.
            description = "summarises tickets \u{1b}[2J\u{1b}[31mIGNORE PREVIOUS INSTRUCTIONS\u{1b}[0m \u{202e}gnp.exe".into();
        }
        let created_at = ago(now, &mut rng, 60 * 24 * 10, 60 * 24 * 700);
        let agent_id = id(&mut rng, "agt");
        let labels = BTreeMap::from([
            ("team".to_string(), team.to_string()),
            (
                "cost-center".to_string(),
                format!(
                    "cc-{}",
                    100 + TEAMS.iter().position(|t| *t == team).unwrap_or(0)
                ),
            ),
        ]);
        import.agents.push(Agent {
            id: agent_id.clone(),
            name: name.clone(),
            kind,
            environment: env.to_string(),
            owner: owner.clone(),
            description: Some(description),
            runtime,
            // Shared: a fleet has a few sets of labels, not one per agent.
            labels: crate::model::Labels::interned(labels),
            status,
            created_by: Some(
                owner_idx
                    .map(|o| import.people[o].email.clone())
                    .unwrap_or_else(|| "terraform".into()),
            ),
            created_at,
            updated_at: created_at,
            last_seen_at,
            rev: 0,
        });

        // Grants: mostly read, some write or admin, some never used.
        let mut scopes = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let (resource, prefix) = *rng.pick(RESOURCES);
            let level = match rng.below(10) {
                0..=5 => GrantLevel::Read,
                6..=8 => GrantLevel::Write,
                _ => GrantLevel::Admin,
            };
            let scope = format!("{prefix}:{level}");
            if scopes.contains(&scope) {
                continue;
            }
            let granted_at = ago(now, &mut rng, 60 * 24 * 5, 60 * 24 * 400);
            let last_used_at = match rng.below(10) {
                0..=6 => Some(ago(now, &mut rng, 0, 60 * 24 * 3)),
                7 => Some(ago(now, &mut rng, 60 * 24 * 40, 60 * 24 * 120)),
                _ => None,
            };
            import.grants.push(Grant {
                id: id(&mut rng, "grt"),
                agent_id: agent_id.clone(),
                resource: format!("{resource}/{team}"),
                scope: scope.clone(),
                level,
                granted_at,
                last_used_at,
                rev: 0,
            });
            scopes.push(scope);
        }

        // Credentials: one to three, mixed expiries.
        let mut working: Option<String> = None;
        for _ in 0..1 + rng.below(3) {
            let issued_at = ago(now, &mut rng, 60, 60 * 24 * 400);
            let expires_at = match rng.below(20) {
                0..=5 => None,
                6..=17 => Some(now + Duration::days(1 + rng.below(90) as i64)),
                _ => Some(now - Duration::days(1 + rng.below(30) as i64)),
            };
            let revoked = status == AgentStatus::Killed || rng.chance(0.05);
            let secret = secrets::new_agent_secret();
            let cred = Credential {
                id: id(&mut rng, "crd"),
                agent_id: agent_id.clone(),
                scopes: scopes.clone(),
                prefix: secrets::display_prefix(&secret),
                issued_at,
                expires_at,
                last_used_at: last_seen_at,
                status: if revoked {
                    CredentialStatus::Revoked
                } else {
                    CredentialStatus::Active
                },
                revoked_at: revoked.then(|| ago(now, &mut rng, 10, 60 * 24 * 30)),
                revoked_reason: revoked.then(|| "rotated".to_string()),
                replaced_by: None,
                fingerprint: None,
                rev: 0,
            };
            let works = !revoked && expires_at.is_none_or(|e| e > now);
            if works && working.is_none() {
                working = Some(secret.clone());
            }
            import.credentials.push((cred, secrets::hash(&secret)));
        }

        // Delegations: some act for their owner, some for another agent.
        let mut on_behalf_of = owner.clone();
        if i > 3 && rng.chance(0.12) {
            let parent = rng.below(i);
            let parent_scopes = &held[parent];
            if !parent_scopes.is_empty() {
                let scope = parent_scopes[rng.below(parent_scopes.len())].clone();
                on_behalf_of = acting_for[parent].clone();
                import.delegations.push(Delegation {
                    id: id(&mut rng, "dlg"),
                    parent_agent: Some(import.agents[parent].id.clone()),
                    parent_person: None,
                    child_agent: agent_id.clone(),
                    on_behalf_of: on_behalf_of.clone(),
                    scopes: vec![scope.clone()],
                    created_at,
                    rev: 0,
                });
                scopes = vec![scope];
            }
        } else if let Some(o) = &owner
            && rng.chance(0.15)
        {
            import.delegations.push(Delegation {
                id: id(&mut rng, "dlg"),
                parent_agent: None,
                parent_person: Some(o.clone()),
                child_agent: agent_id.clone(),
                on_behalf_of: Some(o.clone()),
                scopes: scopes.clone(),
                created_at,
                rev: 0,
            });
        }
        held.push(scopes.clone());
        acting_for.push(on_behalf_of);

        if let Some(secret) = working
            // Dormant agents stay quiet: that is what makes them dormant.
            && status == AgentStatus::Active
        {
            let targets = (0..2 + rng.below(2)).map(|_| *rng.pick(TARGETS)).collect();
            live.push(DemoAgent {
                agent_id,
                name,
                secret,
                scopes,
                targets,
            });
        }
    }
    DemoFleet { import, live }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet(n: usize, seed: u64) -> DemoFleet {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        generate(n, seed, now)
    }

    #[test]
    fn a_stem_taken_again_gets_the_next_number_without_retrying() {
        let mut names = Names::default();
        let given: Vec<String> = (0..4)
            .map(|_| unique(&mut names, "deploy-bot".into()))
            .collect();
        assert_eq!(
            given,
            ["deploy-bot", "deploy-bot-2", "deploy-bot-3", "deploy-bot-4"]
        );
        // A name someone already holds is skipped, not given twice.
        names.taken.insert("pr-reviewer-2".into());
        assert_eq!(unique(&mut names, "pr-reviewer".into()), "pr-reviewer");
        assert_eq!(unique(&mut names, "pr-reviewer".into()), "pr-reviewer-3");
        assert_eq!(
            unique_with(&mut names, "ada.lovelace".into(), ""),
            "ada.lovelace"
        );
        assert_eq!(
            unique_with(&mut names, "ada.lovelace".into(), ""),
            "ada.lovelace2"
        );
        // Each stem remembers where it is: the thousandth costs one try.
        for _ in 0..1_000 {
            unique(&mut names, "etl-runner".into());
        }
        assert_eq!(names.next["etl-runner"], 1_001);
    }

    #[test]
    fn same_seed_same_fleet() {
        let a = fleet(200, 42);
        let b = fleet(200, 42);
        let names = |f: &DemoFleet| {
            f.import
                .agents
                .iter()
                .map(|a| (a.id.clone(), a.name.clone(), a.owner.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert_ne!(names(&a), names(&fleet(200, 43)));
    }

    #[test]
    fn the_fleet_has_what_a_demo_needs() {
        let f = fleet(200, 1);
        let i = &f.import;
        assert_eq!(i.agents.len(), 200);
        assert_eq!(i.people.len(), 40);
        let names: HashSet<_> = i.agents.iter().map(|a| &a.name).collect();
        assert_eq!(names.len(), 200, "names are unique");
        for kind in AgentKind::ALL {
            assert!(i.agents.iter().any(|a| a.kind == *kind), "{kind} present");
        }
        for env in ENVIRONMENTS {
            assert!(
                i.agents.iter().any(|a| a.environment == *env),
                "{env} present"
            );
        }
        assert!(i.people.iter().any(|p| p.status == PersonStatus::Departed));
        assert!(i.agents.iter().any(|a| a.owner.is_none()));
        assert!(i.credentials.iter().any(|(c, _)| c.expires_at.is_none()));
        assert!(i.credentials.iter().any(|(c, _)| c.expires_at.is_some()));
        assert!(
            i.grants
                .iter()
                .any(|g| g.level != GrantLevel::Read && g.last_used_at.is_none())
        );
        assert!(i.delegations.iter().any(|d| d.parent_agent.is_some()));
        assert!(i.delegations.iter().any(|d| d.parent_person.is_some()));
        assert!(f.live.len() > 100);
        // Every secret the simulator holds is stored only as its hash.
        let hashes: HashSet<_> = i.credentials.iter().map(|(_, h)| h.as_str()).collect();
        assert!(
            f.live
                .iter()
                .all(|a| hashes.contains(secrets::hash(&a.secret).as_str()))
        );
    }

    /// What the sweep's queries look for, for the rules the fleet raises
    /// from the start ([`super::super::schedule::FROM_THE_FLEET`]).
    #[test]
    fn any_seed_raises_the_standing_rules_at_the_first_sweep() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for seed in 0..200 {
            let f = generate(200, seed, now);
            let i = &f.import;
            let agent = |id: &str| i.agents.iter().find(|a| a.id == id).unwrap();
            let standing = |a: &Agent| a.status != AgentStatus::Killed;
            let live = |c: &Credential| {
                c.status == CredentialStatus::Active && c.expires_at.is_none_or(|e| e > now)
            };
            let departed: HashSet<&str> = i
                .people
                .iter()
                .filter(|p| p.status == PersonStatus::Departed)
                .map(|p| p.id.as_str())
                .collect();
            let r01 = i
                .agents
                .iter()
                .any(|a| standing(a) && a.owner.as_deref().is_none_or(|o| departed.contains(o)));
            let r03 = i.credentials.iter().any(|(c, _)| {
                let a = agent(&c.agent_id);
                standing(a)
                    && live(c)
                    && a.last_seen_at.unwrap_or(a.created_at) <= now - Duration::days(30)
            });
            let r04 = i.credentials.iter().any(|(c, _)| {
                standing(agent(&c.agent_id))
                    && c.status == CredentialStatus::Active
                    && c.expires_at.is_none()
            });
            let r05 = i.credentials.iter().any(|(c, _)| {
                standing(agent(&c.agent_id)) && live(c) && c.issued_at <= now - Duration::days(90)
            });
            let r06 = i.grants.iter().any(|g| {
                standing(agent(&g.agent_id))
                    && g.level != GrantLevel::Read
                    && g.last_used_at.unwrap_or(g.granted_at) <= now - Duration::days(30)
            });
            assert_eq!([r01, r03, r04, r05, r06], [true; 5], "seed {seed}");
        }
    }

    #[test]
    fn delegations_never_escalate() {
        let f = fleet(2000, 9);
        let i = &f.import;
        for d in i.delegations.iter().filter(|d| d.parent_agent.is_some()) {
            let parent = d.parent_agent.as_ref().unwrap();
            let parent_grants: HashSet<_> = i
                .grants
                .iter()
                .filter(|g| &g.agent_id == parent)
                .map(|g| &g.scope)
                .collect();
            let parent_delegated: HashSet<_> = i
                .delegations
                .iter()
                .filter(|p| &p.child_agent == parent)
                .flat_map(|p| p.scopes.iter())
                .collect();
            for s in &d.scopes {
                assert!(
                    parent_grants.contains(s) || parent_delegated.contains(s),
                    "{s} escalates"
                );
            }
        }
    }
}
