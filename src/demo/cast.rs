//! Casting: which agents and people of the seeded fleet play each
//! incident. Chosen with the seeded RNG, in the order the incidents play,
//! and each at most once, so a seed replays the same story and no incident
//! undoes another (the agent killed is never one whose owner leaves).
//! Pure: it reads the generated fleet, never the backend.

use super::fleet::{DemoAgent, DemoFleet};
use super::names::*;
use super::rng::Rng;
use super::schedule::Scenario;
use crate::model::{GrantLevel, PersonStatus};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// A live agent of the fleet (active, with a credential that works), with
/// what casting needs to know of it.
#[derive(Debug, Clone)]
pub struct Performer {
    pub agent: DemoAgent,
    pub environment: String,
    pub team: String,
    /// The owner's person id.
    pub owner: Option<String>,
}

impl Performer {
    pub fn id(&self) -> &str {
        &self.agent.agent_id
    }

    pub fn name(&self) -> &str {
        &self.agent.name
    }

    /// Where it usually goes first.
    pub fn usual_target(&self) -> &'static str {
        self.agent
            .targets
            .first()
            .copied()
            .unwrap_or("docs.corp.example")
    }
}

#[derive(Debug, Clone)]
struct Person {
    id: String,
    email: String,
    active: bool,
    /// Leads manage a team: the demo does not make one leave.
    lead: bool,
}

/// Who plays an incident, and with what.
#[derive(Debug, Clone)]
pub enum Cast {
    /// `reporter` acts for `shadow`, an agent nobody registered, which
    /// acts for `person` (the reporter's owner, if it has one).
    Shadow {
        reporter: Performer,
        person: Option<String>,
        shadow: String,
    },
    /// `email` leaves while `agents` keep running.
    Offboard {
        person: String,
        email: String,
        agents: Vec<Performer>,
    },
    Kill {
        agent: Performer,
    },
    Burst {
        agent: Performer,
        host: &'static str,
    },
    /// `agent` acts for `email` with `scope`, which that person never
    /// delegated (they delegated `delegated`).
    Escalate {
        agent: Performer,
        email: String,
        delegated: Vec<String>,
        scope: &'static str,
    },
    /// `copy` calls `target` with the key `original` holds for it.
    Reuse {
        original: Performer,
        copy: Performer,
        target: &'static str,
    },
    Cross {
        agent: Performer,
        target: &'static str,
    },
    Grant {
        agent: Performer,
        resource: String,
        scope: &'static str,
        level: GrantLevel,
    },
    Interactive {
        agent: Performer,
    },
}

impl Cast {
    /// The agents the incident's rules fire on.
    pub fn agents(&self) -> Vec<&Performer> {
        match self {
            Cast::Shadow { reporter: a, .. }
            | Cast::Kill { agent: a }
            | Cast::Burst { agent: a, .. }
            | Cast::Escalate { agent: a, .. }
            | Cast::Cross { agent: a, .. }
            | Cast::Grant { agent: a, .. }
            | Cast::Interactive { agent: a } => vec![a],
            Cast::Offboard { agents, .. } => agents.iter().collect(),
            Cast::Reuse { original, copy, .. } => vec![original, copy],
        }
    }
}

/// The fleet as casting sees it, and who has played already.
pub struct Stage {
    performers: Vec<Performer>,
    people: Vec<Person>,
    /// The email of each person id.
    emails: BTreeMap<String, String>,
    /// The scopes each person delegated (as parent_person).
    delegated: BTreeMap<String, BTreeSet<String>>,
    /// The people who delegated to each agent directly.
    delegators: BTreeMap<String, Vec<String>>,
    used: HashSet<String>,
    used_people: HashSet<String>,
}

impl Stage {
    pub fn new(fleet: &DemoFleet) -> Stage {
        let i = &fleet.import;
        let agents: BTreeMap<&str, &crate::model::Agent> =
            i.agents.iter().map(|a| (a.id.as_str(), a)).collect();
        let performers = fleet
            .live
            .iter()
            .filter_map(|d| {
                let a = agents.get(d.agent_id.as_str())?;
                Some(Performer {
                    agent: d.clone(),
                    environment: a.environment.clone(),
                    team: a.labels.get("team").cloned().unwrap_or_default(),
                    owner: a.owner.clone(),
                })
            })
            .collect();
        let managers: HashSet<&str> = i
            .people
            .iter()
            .filter_map(|p| p.manager.as_deref())
            .collect();
        let people = i
            .people
            .iter()
            .map(|p| Person {
                id: p.id.clone(),
                email: p.email.clone(),
                active: p.status == PersonStatus::Active,
                lead: managers.contains(p.id.as_str()) || p.manager.is_none(),
            })
            .collect();
        let emails = i
            .people
            .iter()
            .map(|p| (p.id.clone(), p.email.clone()))
            .collect();
        let mut delegated: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut delegators: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for d in &i.delegations {
            if let Some(p) = &d.parent_person {
                delegated
                    .entry(p.clone())
                    .or_default()
                    .extend(d.scopes.iter().cloned());
                delegators
                    .entry(d.child_agent.clone())
                    .or_default()
                    .push(p.clone());
            }
        }
        Stage {
            performers,
            people,
            emails,
            delegated,
            delegators,
            used: HashSet::new(),
            used_people: HashSet::new(),
        }
    }

    fn active(&self, person: &str) -> bool {
        self.people.iter().any(|p| p.id == person && p.active)
    }

    /// An agent that has not played yet and passes `fits`, marked as used.
    fn pick(&mut self, rng: &mut Rng, fits: impl Fn(&Performer) -> bool) -> Option<Performer> {
        let free: Vec<&Performer> = self
            .performers
            .iter()
            .filter(|p| !self.used.contains(p.id()) && fits(p))
            .collect();
        if free.is_empty() {
            return None;
        }
        let chosen = free[rng.below(free.len())].clone();
        self.used.insert(chosen.id().to_string());
        Some(chosen)
    }

    /// The first of `pickers` that finds an agent.
    fn pick_first(
        &mut self,
        rng: &mut Rng,
        pickers: &[&dyn Fn(&Performer) -> bool],
    ) -> Option<Performer> {
        pickers.iter().find_map(|fits| self.pick(rng, fits))
    }

    /// Who plays `scenario` in `round`; none if the fleet has nobody left
    /// who fits (a very small fleet, or many rounds).
    pub fn cast(&mut self, seed: u64, round: u32, scenario: Scenario) -> Option<Cast> {
        let mut rng =
            Rng::new(seed ^ 0x1c1d_e475 ^ (u64::from(round) << 40) ^ ((scenario as u64) << 32));
        let rng = &mut rng;
        match scenario {
            Scenario::ShadowAgent => {
                let reporter = self.pick(rng, |_| true)?;
                let person = reporter
                    .owner
                    .as_ref()
                    .and_then(|o| self.emails.get(o))
                    .cloned();
                let shadow = format!(
                    "{}-{}",
                    rng.pick(SHADOWS),
                    rng.base62(4).to_ascii_lowercase()
                );
                Some(Cast::Shadow {
                    reporter,
                    person,
                    shadow,
                })
            }
            Scenario::OwnerOffboarded => {
                let owners: Vec<Person> = self
                    .people
                    .iter()
                    .filter(|p| p.active && !p.lead && !self.used_people.contains(&p.id))
                    .filter(|p| {
                        // Owns live agents, none of which played yet.
                        let mut theirs = self
                            .performers
                            .iter()
                            .filter(|a| a.owner.as_deref() == Some(p.id.as_str()))
                            .peekable();
                        theirs.peek().is_some() && theirs.all(|a| !self.used.contains(a.id()))
                    })
                    .cloned()
                    .collect();
                if owners.is_empty() {
                    return None;
                }
                let person = owners[rng.below(owners.len())].clone();
                self.used_people.insert(person.id.clone());
                let agents: Vec<Performer> = self
                    .performers
                    .iter()
                    .filter(|a| a.owner.as_deref() == Some(person.id.as_str()))
                    .cloned()
                    .collect();
                // Their agents must stay alive for the alert to stand.
                self.used.extend(agents.iter().map(|a| a.id().to_string()));
                Some(Cast::Offboard {
                    person: person.id,
                    email: person.email,
                    agents,
                })
            }
            Scenario::KilledStillTrying => Some(Cast::Kill {
                agent: self.pick(rng, |_| true)?,
            }),
            // Outside production first: the demo's guardrail freezes
            // spikes there, so a new user sees one counted down and acted on.
            Scenario::BurstToNewHost => Some(Cast::Burst {
                agent: self.pick_first(rng, &[&|p| p.environment != "prod", &|_| true])?,
                host: rng.pick::<&str>(EXFIL_HOSTS),
            }),
            Scenario::DelegationEscalation => {
                let delegators = self.delegators.clone();
                let people: HashSet<String> = self
                    .people
                    .iter()
                    .filter(|p| p.active)
                    .map(|p| p.id.clone())
                    .collect();
                let by_a_person = |a: &Performer| {
                    delegators
                        .get(a.id())
                        .is_some_and(|ps| ps.iter().any(|p| people.contains(p)))
                };
                let owned = |a: &Performer| a.owner.as_ref().is_some_and(|o| people.contains(o));
                let agent = self.pick_first(rng, &[&by_a_person, &owned])?;
                let person = delegators
                    .get(agent.id())
                    .and_then(|ps| ps.iter().find(|p| self.active(p)))
                    .or(agent.owner.as_ref())?
                    .clone();
                let delegated = self.delegated.get(&person).cloned().unwrap_or_default();
                let start = rng.below(ESCALATED_SCOPES.len());
                let scope = (0..ESCALATED_SCOPES.len())
                    .map(|k| ESCALATED_SCOPES[(start + k) % ESCALATED_SCOPES.len()])
                    .find(|s| !delegated.contains(*s))?;
                Some(Cast::Escalate {
                    email: self.emails.get(&person)?.clone(),
                    agent,
                    delegated: delegated.into_iter().collect(),
                    scope,
                })
            }
            Scenario::CredentialReuse => {
                let keyed =
                    |a: &Performer| a.agent.targets.iter().any(|t| KEYED_TARGETS.contains(t));
                let original = self.pick(rng, keyed)?;
                let keys: Vec<&'static str> = original
                    .agent
                    .targets
                    .iter()
                    .copied()
                    .filter(|t| KEYED_TARGETS.contains(t))
                    .collect();
                let target = *rng.pick(&keys);
                let team = original.team.clone();
                let same_job = |a: &Performer| a.team == team && a.agent.targets.contains(&target);
                let same_team = |a: &Performer| a.team == team;
                let copy = self.pick_first(rng, &[&same_job, &same_team, &|_| true])?;
                Some(Cast::Reuse {
                    original,
                    copy,
                    target,
                })
            }
            Scenario::EnvironmentCrossing => Some(Cast::Cross {
                agent: self.pick(rng, |a| a.environment != "prod")?,
                target: rng.pick::<&str>(PROD_TARGETS),
            }),
            Scenario::NewIntegration => {
                let agent = self.pick_first(rng, &[&|a| a.environment == "prod", &|_| true])?;
                let (resource, scope, level) = *rng.pick(NEW_GRANTS);
                Some(Cast::Grant {
                    resource: format!("{resource}/{}", agent.team),
                    agent,
                    scope,
                    level,
                })
            }
            Scenario::InteractiveUse => Some(Cast::Interactive {
                agent: self.pick(rng, |_| true)?,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn stage(agents: usize, seed: u64) -> Stage {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        Stage::new(&super::super::fleet::generate(agents, seed, now))
    }

    fn names(c: &Cast) -> Vec<String> {
        c.agents().iter().map(|p| p.name().to_string()).collect()
    }

    #[test]
    fn every_scenario_finds_its_cast_in_a_default_fleet() {
        for seed in 0..50 {
            let mut s = stage(200, seed);
            for round in 0..3 {
                for scenario in Scenario::ALL {
                    assert!(
                        s.cast(seed, round, scenario).is_some(),
                        "seed {seed}, round {round}: nobody plays {scenario:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_same_seed_casts_the_same_and_nobody_plays_twice() {
        let play = |seed| {
            let mut s = stage(200, 3);
            Scenario::ALL
                .iter()
                .filter_map(|sc| s.cast(seed, 0, *sc))
                .map(|c| names(&c))
                .collect::<Vec<_>>()
        };
        assert_eq!(play(3), play(3));
        assert_ne!(play(3), play(4));
        let all: Vec<String> = play(3).into_iter().flatten().collect();
        let distinct: HashSet<&String> = all.iter().collect();
        assert_eq!(all.len(), distinct.len(), "{all:?}");
    }

    #[test]
    fn each_cast_fits_its_incident() {
        for seed in 0..50 {
            let mut s = stage(200, seed);
            for scenario in Scenario::ALL {
                match s.cast(seed, 0, scenario).unwrap() {
                    Cast::Cross { agent, target } => {
                        assert_ne!(agent.environment, "prod");
                        assert!(target.contains("prod"));
                    }
                    Cast::Escalate {
                        delegated, scope, ..
                    } => assert!(!delegated.iter().any(|d| d == scope)),
                    Cast::Reuse {
                        original,
                        copy,
                        target,
                    } => {
                        assert_ne!(original.id(), copy.id());
                        assert!(original.agent.targets.contains(&target));
                        assert!(KEYED_TARGETS.contains(&target));
                    }
                    Cast::Offboard { agents, person, .. } => {
                        assert!(!agents.is_empty());
                        assert!(agents.iter().all(|a| a.owner.as_deref() == Some(&person)));
                    }
                    Cast::Shadow { shadow, .. } => {
                        assert!(!s.performers.iter().any(|p| p.name() == shadow));
                    }
                    Cast::Burst { agent, host } => {
                        assert!(!agent.agent.targets.contains(&host));
                        // Where the demo's freeze-spikes guardrail acts.
                        assert_ne!(agent.environment, "prod", "seed {seed}");
                    }
                    Cast::Kill { .. } | Cast::Grant { .. } | Cast::Interactive { .. } => {}
                }
            }
        }
    }

    #[test]
    fn a_tiny_fleet_runs_out_of_cast_instead_of_repeating_one() {
        let mut s = stage(3, 1);
        let cast: Vec<Cast> = (0..4)
            .flat_map(|r| Scenario::ALL.map(|sc| (r, sc)))
            .filter_map(|(r, sc)| s.cast(1, r, sc))
            .collect();
        let agents: Vec<String> = cast.iter().flat_map(names).collect();
        let distinct: HashSet<&String> = agents.iter().collect();
        assert!(cast.len() <= 3, "{agents:?}");
        assert_eq!(agents.len(), distinct.len(), "{agents:?}");
    }
}
