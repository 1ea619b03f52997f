//! The incidents' timetable: which scenario plays when, and in how many
//! beats. A pure function of the seed and the pace, so a seed replays the
//! same story, and a test reads ten minutes of it without waiting ten
//! minutes.
//!
//! Nine scenarios play in a fixed order, one per `gap` from `first`, each a
//! little late by a seeded jitter (at most a quarter of the gap); then the
//! list starts again with a new cast. Every rule of the engine fires in the
//! first round: the seeded fleet raises R01, R03–R06 and R21 at the first sweep
//! ([`FROM_THE_FLEET`]), and the scenarios the rest.

use super::rng::Rng;
use crate::config::RuleThresholds;
use std::time::Duration;

/// One incident the demo acts out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scenario {
    ShadowAgent,
    OwnerOffboarded,
    KilledStillTrying,
    BurstToNewHost,
    DelegationEscalation,
    CredentialReuse,
    EnvironmentCrossing,
    NewIntegration,
    InteractiveUse,
}

/// Rules the seeded fleet makes true from the start: agents with no owner
/// or a departed one (R01), dormant agents with live credentials (R03),
/// credentials that never expire (R04) or are past rotation (R05), unused
/// write and admin grants (R06), and a token for no person (R21). They open
/// at the first sweep.
pub const FROM_THE_FLEET: &[&str] = &["R01", "R03", "R04", "R05", "R06", "R21"];

impl Scenario {
    /// In the order they play.
    pub const ALL: [Scenario; 9] = [
        Scenario::ShadowAgent,
        Scenario::OwnerOffboarded,
        Scenario::KilledStillTrying,
        Scenario::BurstToNewHost,
        Scenario::DelegationEscalation,
        Scenario::CredentialReuse,
        Scenario::EnvironmentCrossing,
        Scenario::NewIntegration,
        Scenario::InteractiveUse,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Scenario::ShadowAgent => "a shadow agent appears",
            Scenario::OwnerOffboarded => "an owner leaves the company",
            Scenario::KilledStillTrying => "a killed agent keeps trying",
            Scenario::BurstToNewHost => "a burst of calls to a new host",
            Scenario::DelegationEscalation => "a delegated scope the person never gave",
            Scenario::CredentialReuse => "one API key in two agents",
            Scenario::EnvironmentCrossing => "a staging agent touches production",
            Scenario::NewIntegration => "a new write grant",
            Scenario::InteractiveUse => "a human uses an agent's credential",
        }
    }

    /// The rules it makes fire, on the agents it acts on.
    pub fn rules(self) -> &'static [&'static str] {
        match self {
            Scenario::ShadowAgent => &["R17"],
            Scenario::OwnerOffboarded => &["R01", "R02"],
            Scenario::KilledStillTrying => &["R18"],
            Scenario::BurstToNewHost => &["R11", "R12"],
            Scenario::DelegationEscalation => &["R14"],
            Scenario::CredentialReuse => &["R07"],
            Scenario::EnvironmentCrossing => &["R08"],
            Scenario::NewIntegration => &["R13"],
            Scenario::InteractiveUse => &["R09"],
        }
    }

    /// Its rules are judged in the periodic sweep, not as events arrive.
    pub fn swept(self) -> bool {
        matches!(
            self,
            Scenario::OwnerOffboarded | Scenario::CredentialReuse | Scenario::NewIntegration
        )
    }

    fn index(self) -> usize {
        Scenario::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// Follow-ups after the strike, in quarters of a gap: the shadow keeps
    /// acting, the killed agent retries at once (which R18 forgives: it is
    /// how an agent learns it was stopped), the copied key keeps being
    /// used. The killed agent's retries after the grace are
    /// [`Pace::refusals`].
    fn again(self) -> &'static [u32] {
        match self {
            Scenario::ShadowAgent | Scenario::CredentialReuse => &[1, 2],
            Scenario::KilledStillTrying => &[0, 1],
            Scenario::DelegationEscalation | Scenario::EnvironmentCrossing => &[1],
            Scenario::InteractiveUse => &[1],
            Scenario::OwnerOffboarded | Scenario::BurstToNewHost | Scenario::NewIntegration => &[],
        }
    }
}

/// How often incidents come: the first at `first`, then one every `gap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tempo {
    pub first: Duration,
    pub gap: Duration,
}

impl Tempo {
    /// `warden demo`: the first incident within a minute, then one a minute.
    pub const DEMO: Tempo = Tempo {
        first: Duration::from_secs(45),
        gap: Duration::from_secs(60),
    };
}

/// The tempo, and what the backend's thresholds make incidents wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// When the first incident strikes (before its jitter).
    pub first: Duration,
    /// Between two incidents.
    pub gap: Duration,
    /// How long an agent's behaviour is only learnt (R11, R12 stay quiet).
    pub learning: Duration,
    /// Between two sweeps of the backend's rules.
    pub sweep: Duration,
    /// R18: after a kill, how long refusals are not counted…
    pub refusal_grace: Duration,
    /// … and how many it takes after that.
    pub refusals: u32,
}

impl Pace {
    pub fn new(tempo: Tempo, rules: &RuleThresholds) -> Pace {
        Pace {
            first: tempo.first,
            gap: tempo.gap,
            learning: Duration::from_secs(rules.learning_minutes.saturating_mul(60)),
            sweep: Duration::from_secs(rules.sweep_interval_seconds),
            refusal_grace: Duration::from_secs(rules.refused_grace_seconds),
            refusals: rules.refused_attempts,
        }
    }

    /// When the killed agent retries after its grace, since the kill: one
    /// a quarter of a gap, as many as R18 needs.
    fn refusals_after_grace(&self) -> impl Iterator<Item = Duration> + '_ {
        (1..=self.refusals).map(|k| self.refusal_grace + (self.gap / 4).saturating_mul(k))
    }

    /// The time a scenario's agent works normally before its burst, so
    /// that the burst comes after learning.
    fn lead(&self) -> Duration {
        self.learning + self.gap / 4
    }
}

/// A step of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Before the strike: the agent does its usual work, for the backend
    /// to learn.
    Prepare,
    /// The incident itself.
    Strike,
    /// The n-th follow-up.
    Again(u8),
}

/// One thing the player does, and when (since the demo started).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beat {
    pub at: Duration,
    pub round: u32,
    pub scenario: Scenario,
    pub step: Step,
}

/// When `scenario` strikes in `round`.
pub fn strike(seed: u64, pace: &Pace, round: u32, scenario: Scenario) -> Duration {
    let slot = u32::try_from(
        (round as usize)
            .saturating_mul(Scenario::ALL.len())
            .saturating_add(scenario.index()),
    )
    .unwrap_or(u32::MAX);
    let quarter = u64::try_from((pace.gap / 4).as_millis()).unwrap_or(u64::MAX);
    let mut rng = Rng::new(seed ^ (u64::from(round) << 32) ^ scenario.index() as u64);
    let jitter = Duration::from_millis(rng.next_u64() % quarter.max(1));
    let at = pace.first + pace.gap.saturating_mul(slot) + jitter;
    if scenario == Scenario::BurstToNewHost {
        // Its preparation must fit after the start.
        at.max(pace.lead())
    } else {
        at
    }
}

/// Every beat of `round`, in order.
fn round(seed: u64, pace: &Pace, round: u32) -> Vec<Beat> {
    let mut beats = Vec::new();
    for scenario in Scenario::ALL {
        let at = strike(seed, pace, round, scenario);
        let beat = |at, step| Beat {
            at,
            round,
            scenario,
            step,
        };
        if scenario == Scenario::BurstToNewHost {
            beats.push(beat(at.saturating_sub(pace.lead()), Step::Prepare));
        }
        beats.push(beat(at, Step::Strike));
        let mut again: Vec<Duration> = scenario
            .again()
            .iter()
            // The first retry of a killed agent comes at once.
            .map(|quarters| (pace.gap / 4).saturating_mul(*quarters).max(pace.gap / 20))
            .collect();
        if scenario == Scenario::KilledStillTrying {
            again.extend(pace.refusals_after_grace());
        }
        for (n, after) in again.into_iter().enumerate() {
            let n = u8::try_from(n + 1).unwrap_or(u8::MAX);
            beats.push(beat(at + after, Step::Again(n)));
        }
    }
    beats
}

/// The beats with `from <= at < to`, in the order they play.
pub fn schedule(seed: u64, pace: &Pace, from: Duration, to: Duration) -> Vec<Beat> {
    let per_round = pace.gap.saturating_mul(Scenario::ALL.len() as u32);
    let mut beats = Vec::new();
    let mut r = 0u32;
    // A round's beats start no earlier than its first strike less the
    // burst's lead, and a round lasts `per_round`.
    while r < u32::MAX
        && (pace.first + per_round.saturating_mul(r)).saturating_sub(pace.lead() + pace.gap) < to
    {
        beats.extend(
            round(seed, pace, r)
                .into_iter()
                .filter(|b| b.at >= from && b.at < to),
        );
        if per_round.is_zero() {
            break;
        }
        r += 1;
    }
    beats.sort_by_key(|b| (b.at, b.round, b.scenario, b.step));
    beats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::rules::CATALOG;
    use std::collections::BTreeSet;

    const TEN_MINUTES: Duration = Duration::from_secs(600);

    fn demo() -> Pace {
        Pace::new(Tempo::DEMO, &crate::demo::thresholds())
    }

    /// The rules the first ten minutes make fire: a strike's rules once it
    /// has struck, and for a swept rule once a sweep has followed.
    fn fired_by(seed: u64, pace: &Pace, within: Duration) -> BTreeSet<&'static str> {
        schedule(seed, pace, Duration::ZERO, within)
            .into_iter()
            .filter(|b| b.step == Step::Strike)
            .filter(|b| {
                let judged = if b.scenario.swept() {
                    pace.sweep
                } else if b.scenario == Scenario::KilledStillTrying {
                    pace.refusals_after_grace().last().unwrap_or_default()
                } else {
                    Duration::ZERO
                };
                b.at + judged <= within
            })
            .flat_map(|b| b.scenario.rules().iter().copied())
            .chain(
                FROM_THE_FLEET
                    .iter()
                    .copied()
                    .filter(|_| pace.sweep <= within),
            )
            .collect()
    }

    #[test]
    fn ten_minutes_of_any_seed_fire_every_rule_the_engine_implements() {
        let every: BTreeSet<&str> = CATALOG.iter().map(|r| r.id).collect();
        for seed in 0..500 {
            assert_eq!(fired_by(seed, &demo(), TEN_MINUTES), every, "seed {seed}");
        }
        // And not in the first five: the test can tell.
        assert_ne!(fired_by(1, &demo(), TEN_MINUTES / 2), every);
    }

    #[test]
    fn the_first_incident_comes_within_a_minute_then_one_a_minute_or_two() {
        for seed in 0..500 {
            let strikes: Vec<Duration> = schedule(seed, &demo(), Duration::ZERO, TEN_MINUTES * 3)
                .into_iter()
                .filter(|b| b.step == Step::Strike)
                .map(|b| b.at)
                .collect();
            assert!(
                (30..=60).contains(&strikes[0].as_secs()),
                "seed {seed}: first at {:?}",
                strikes[0]
            );
            for pair in strikes.windows(2) {
                let gap = pair[1] - pair[0];
                assert!(
                    gap >= Duration::from_secs(40) && gap <= Duration::from_secs(120),
                    "seed {seed}: {gap:?} between strikes"
                );
            }
        }
    }

    #[test]
    fn the_burst_comes_after_learning_from_its_preparation() {
        let fast = Pace {
            first: Duration::from_millis(100),
            gap: Duration::from_millis(400),
            learning: Duration::ZERO,
            sweep: Duration::from_secs(1),
            refusal_grace: Duration::from_secs(1),
            refusals: 3,
        };
        for pace in [demo(), fast] {
            for seed in 0..100 {
                let beats = schedule(seed, &pace, Duration::ZERO, TEN_MINUTES * 2);
                let of = |r: u32, step: Step| {
                    beats
                        .iter()
                        .find(|b| {
                            b.round == r && b.scenario == Scenario::BurstToNewHost && b.step == step
                        })
                        .map(|b| b.at)
                };
                let (prepare, burst) = (of(0, Step::Prepare), of(0, Step::Strike));
                let (prepare, burst) = (prepare.expect("prepared"), burst.expect("burst"));
                assert!(
                    burst >= prepare + pace.learning + pace.gap / 4,
                    "seed {seed}"
                );
            }
        }
    }

    #[test]
    fn the_same_seed_tells_the_same_story_and_windows_add_up() {
        let pace = demo();
        let whole = schedule(7, &pace, Duration::ZERO, TEN_MINUTES * 2);
        assert_eq!(whole, schedule(7, &pace, Duration::ZERO, TEN_MINUTES * 2));
        assert_ne!(whole, schedule(8, &pace, Duration::ZERO, TEN_MINUTES * 2));
        // Played window by window, nothing is lost or played twice.
        let mut pieces = Vec::new();
        let mut from = Duration::ZERO;
        while from < TEN_MINUTES * 2 {
            let to = from + Duration::from_secs(37);
            pieces.extend(schedule(7, &pace, from, to.min(TEN_MINUTES * 2)));
            from = to;
        }
        assert_eq!(pieces, whole);
        // The second round plays every scenario again.
        let second: BTreeSet<Scenario> = whole
            .iter()
            .filter(|b| b.round == 1 && b.step == Step::Strike)
            .map(|b| b.scenario)
            .collect();
        assert_eq!(second.len(), Scenario::ALL.len());
    }

    #[test]
    fn every_scenario_names_rules_of_the_catalog() {
        for s in Scenario::ALL {
            assert!(!s.rules().is_empty());
            for r in s.rules() {
                assert!(crate::server::rules::lookup(r).is_some(), "{r}");
            }
        }
        for r in FROM_THE_FLEET {
            assert!(crate::server::rules::lookup(r).is_some(), "{r}");
        }
    }
}
