//! The owner-suggestion ranking: a pure function from one agent's evidence
//! and the directory to a short, ordered list of active people, each with
//! every reason that points at them. The weights live here, and so does
//! their explanation in the README's triage section.
//!
//! Evidence comes from three places, and the weights say how far each is
//! trusted. People recorded the creation and the delegations; the
//! directory holds managers and teams; but whom an agent acted for
//! (`on_behalf_of` in its own events) is the agent's word, which anyone
//! holding its credential can write. So its own claims weigh less than the
//! weakest evidence from people or the directory, and their reason says it
//! is the agent's claim: they can break a tie, never make an owner.

use super::directory::Directory;
use crate::api::{EvidenceKind, OwnerEvidence, Suggestion};
use crate::model::{Person, PersonStatus};
use crate::server::store::TriageAgentFacts;
use std::collections::HashMap;

/// The most suggestions a case carries.
pub const MAX_SUGGESTIONS: usize = 5;

/// They registered the agent: the strongest sign of who knows what it is for.
pub const CREATOR: u32 = 40;
/// A delegation to the agent comes from them or acts for them.
pub const DELEGATION: u32 = 30;
/// The agent says it acted for them recently: this much, plus one per
/// event …
pub const ACTIVITY_BASE: u32 = 2;
/// … up to this much, below any evidence from people or the directory, so
/// an agent cannot talk its way to an owner.
pub const ACTIVITY_MAX: u32 = 8;
/// The departed owner's own manager: their successor by default.
pub const MANAGER: u32 = 25;
/// The next active manager further up, when the direct one left too.
pub const MANAGER_ABOVE: u32 = 15;
/// On the departed owner's team, or the team the agent's label names.
pub const TEAM: u32 = 10;

// The agent's own claims, at their most, stay below the weakest evidence
// from people or the directory.
const _: () = assert!(
    ACTIVITY_MAX < TEAM
        && TEAM <= MANAGER_ABOVE
        && MANAGER_ABOVE <= MANAGER
        && TEAM <= DELEGATION
        && TEAM <= CREATOR
);

/// What the ranking is given about one agent.
pub struct Case<'f, 'd> {
    pub facts: &'f TriageAgentFacts,
    /// The owner who left, if that is why the agent is in the queue.
    pub departed_owner: Option<&'d Person>,
    /// How many days of events `facts.acted_for` covers, for the reason text.
    pub activity_days: u32,
}

/// Evidence gathered per person before it is ranked.
#[derive(Default)]
struct Tally<'d> {
    people: HashMap<&'d str, (&'d Person, Vec<OwnerEvidence>)>,
}

impl<'d> Tally<'d> {
    /// Records a reason; people who have left are never suggested, and a
    /// kind counts once per person.
    fn add(&mut self, person: &'d Person, kind: EvidenceKind, points: u32, text: String) {
        if person.status != PersonStatus::Active {
            return;
        }
        let (_, reasons) = self
            .people
            .entry(person.id.as_str())
            .or_insert_with(|| (person, Vec::new()));
        if reasons.iter().all(|r| r.kind != kind) {
            reasons.push(OwnerEvidence { kind, points, text });
        }
    }

    fn has(&self, person: &Person) -> bool {
        self.people.contains_key(person.id.as_str())
    }

    fn into_ranked(self) -> Vec<Suggestion> {
        let mut out: Vec<Suggestion> = self
            .people
            .into_values()
            .map(|(person, mut reasons)| {
                reasons.sort_by(|a, b| b.points.cmp(&a.points).then(a.kind.cmp(&b.kind)));
                Suggestion {
                    person: person.clone(),
                    score: reasons.iter().map(|r| r.points).sum(),
                    reasons,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.person.name.cmp(&b.person.name))
                .then_with(|| a.person.id.cmp(&b.person.id))
        });
        out.truncate(MAX_SUGGESTIONS);
        out
    }
}

/// The person an agent's `created_by` names: an id or email as imported, or
/// the email of the person token that registered it (`EMAIL (token NAME)`,
/// as the audit labels a person token). A token with no person
/// (`token:NAME`) names nobody.
fn creator<'d>(created_by: &str, dir: &Directory<'d>) -> Option<&'d Person> {
    let key = match created_by.split_once(" (token ") {
        Some((email, rest)) if rest.ends_with(')') => email,
        _ => created_by,
    };
    dir.find(key)
}

fn times(n: u32) -> String {
    if n == 1 {
        "once".into()
    } else {
        format!("{n} times")
    }
}

/// The suggestions for one agent, best first: highest score, then name,
/// then id; at most [`MAX_SUGGESTIONS`].
pub fn rank(case: &Case<'_, '_>, dir: &Directory<'_>) -> Vec<Suggestion> {
    let facts = case.facts;
    let mut tally = Tally::default();

    if let Some(p) = facts
        .agent
        .created_by
        .as_deref()
        .and_then(|c| creator(c, dir))
    {
        tally.add(p, EvidenceKind::Creator, CREATOR, "registered it".into());
    }

    for (key, n) in &facts.delegators {
        if let Some(p) = dir.find(key) {
            let text = if *n == 1 {
                "it acts for them by delegation".to_string()
            } else {
                format!("it acts for them by {n} delegations")
            };
            tally.add(p, EvidenceKind::Delegation, DELEGATION, text);
        }
    }

    // An identity may be reported by id in one event and by email in the
    // next: count per person, not per spelling.
    let mut events: HashMap<&str, (&Person, u32)> = HashMap::new();
    for (key, n) in &facts.acted_for {
        if let Some(p) = dir.find(key) {
            let e = events.entry(p.id.as_str()).or_insert((p, 0));
            e.1 = e.1.saturating_add(*n);
        }
    }
    for (p, n) in events.into_values() {
        let points = ACTIVITY_BASE.saturating_add(n).min(ACTIVITY_MAX);
        let text = format!(
            "it says it acted for them {} in the last {} days (the agent's own claim)",
            times(n),
            case.activity_days
        );
        tally.add(p, EvidenceKind::Activity, points, text);
    }

    if let Some(owner) = case.departed_owner
        && let Some((manager, passed)) = dir.active_manager(owner)
    {
        if passed.is_empty() {
            let text = format!("manager of {}, who left", owner.name);
            tally.add(manager, EvidenceKind::Manager, MANAGER, text);
        } else {
            let gone: Vec<&str> = passed.iter().map(|p| p.name.as_str()).collect();
            let text = format!(
                "next manager up from {}, who left ({} left too)",
                owner.name,
                gone.join(", ")
            );
            tally.add(manager, EvidenceKind::Manager, MANAGER_ABOVE, text);
        }
    }

    let owner_team = case
        .departed_owner
        .and_then(|o| o.team.as_deref().map(|t| (t, o)));
    if let Some((team, owner)) = owner_team {
        add_team(&mut tally, dir, team, || {
            format!("on the {team} team, like {}, who left", owner.name)
        });
    }
    if let Some(team) = facts.agent.labels.get("team") {
        add_team(&mut tally, dir, team, || {
            format!("on the {team} team, which the agent's label names")
        });
    }

    tally.into_ranked()
}

/// Team evidence for the active members of `team`. Everyone already
/// suggested for another reason gets it; of the rest, who have nothing but
/// this to go on and so all score the same, only the first few by name can
/// make the cut, so a team of hundreds costs a few entries, not hundreds.
fn add_team<'d>(tally: &mut Tally<'d>, dir: &Directory<'d>, team: &str, text: impl Fn() -> String) {
    let members = dir.team(team);
    let already: Vec<&'d Person> = members.iter().copied().filter(|p| tally.has(p)).collect();
    for p in already {
        tally.add(p, EvidenceKind::Team, TEAM, text());
    }
    let fresh: Vec<&'d Person> = members
        .iter()
        .copied()
        .filter(|p| !tally.has(p))
        .take(MAX_SUGGESTIONS)
        .collect();
    for p in fresh {
        tally.add(p, EvidenceKind::Team, TEAM, text());
    }
}

#[cfg(test)]
mod tests {
    use super::super::directory::tests::person;
    use super::*;
    use crate::model::{Agent, fixtures};
    use chrono::{DateTime, Utc};

    fn agent(created_by: Option<&str>, team_label: Option<&str>) -> Agent {
        Agent {
            labels: team_label
                .map(|t| [("team".to_string(), t.to_string())].into())
                .unwrap_or_default(),
            created_by: created_by.map(Into::into),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
            ..fixtures::agent("agt_1", "bot")
        }
    }

    fn facts(agent: Agent) -> TriageAgentFacts {
        TriageAgentFacts {
            agent,
            risk: None,
            highest_level: None,
            delegators: Vec::new(),
            acted_for: Vec::new(),
        }
    }

    fn ranked(f: &TriageAgentFacts, owner: Option<&Person>, people: &[Person]) -> Vec<Suggestion> {
        let dir = Directory::new(people);
        rank(
            &Case {
                facts: f,
                departed_owner: owner,
                activity_days: 30,
            },
            &dir,
        )
    }

    /// (name, score, kinds) of each suggestion.
    fn summary(s: &[Suggestion]) -> Vec<(&str, u32, Vec<EvidenceKind>)> {
        s.iter()
            .map(|s| {
                (
                    s.person.name.as_str(),
                    s.score,
                    s.reasons.iter().map(|r| r.kind).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn no_evidence_no_suggestion() {
        let people = [person("Ada", Some("pay"), None, true)];
        assert!(ranked(&facts(agent(None, None)), None, &people).is_empty());
    }

    #[test]
    fn the_creator_by_email_by_id_or_by_person_token() {
        let people = [person("Ada", None, None, true)];
        for by in [
            "ada@corp.example",
            "per_ada",
            "ADA@corp.example (token laptop)",
        ] {
            let s = ranked(&facts(agent(Some(by), None)), None, &people);
            assert_eq!(
                summary(&s),
                [("Ada", CREATOR, vec![EvidenceKind::Creator])],
                "{by}"
            );
            assert_eq!(s[0].reasons[0].text, "registered it");
        }
        for by in ["token:ci", "terraform", "nobody@corp.example (token x)"] {
            assert!(
                ranked(&facts(agent(Some(by), None)), None, &people).is_empty(),
                "{by}"
            );
        }
    }

    #[test]
    fn delegations_name_the_people_it_acts_for() {
        let people = [
            person("Ada", None, None, true),
            person("Bob", None, None, true),
        ];
        let mut f = facts(agent(None, None));
        f.delegators = vec![("per_ada".into(), 2), ("per_bob".into(), 1)];
        let s = ranked(&f, None, &people);
        assert_eq!(
            summary(&s),
            [
                ("Ada", DELEGATION, vec![EvidenceKind::Delegation]),
                ("Bob", DELEGATION, vec![EvidenceKind::Delegation]),
            ]
        );
        assert_eq!(s[0].reasons[0].text, "it acts for them by 2 delegations");
        assert_eq!(s[1].reasons[0].text, "it acts for them by delegation");
    }

    #[test]
    fn events_are_counted_per_person_and_capped() {
        let people = [
            person("Ada", None, None, true),
            person("Bob", None, None, true),
            person("Cy", None, None, true),
        ];
        let mut f = facts(agent(None, None));
        f.acted_for = vec![
            // One person under two spellings: 1 + 2 events.
            ("per_ada".into(), 1),
            ("Ada@corp.example".into(), 2),
            ("per_bob".into(), 500),
            ("per_cy".into(), 1),
            // Agents in the chain name nobody.
            ("agt_other".into(), 9),
        ];
        let s = ranked(&f, None, &people);
        assert_eq!(
            summary(&s),
            [
                ("Bob", ACTIVITY_MAX, vec![EvidenceKind::Activity]),
                ("Ada", ACTIVITY_BASE + 3, vec![EvidenceKind::Activity]),
                ("Cy", ACTIVITY_BASE + 1, vec![EvidenceKind::Activity]),
            ]
        );
        assert_eq!(
            s[1].reasons[0].text,
            "it says it acted for them 3 times in the last 30 days (the agent's own claim)"
        );
        assert_eq!(
            s[2].reasons[0].text,
            "it says it acted for them once in the last 30 days (the agent's own claim)"
        );
    }

    #[test]
    fn an_agents_own_claims_never_outrank_people_or_the_directory() {
        let people = [
            person("Ann Owner", Some("pay"), Some("max"), false),
            person("Max Manager", Some("leads"), None, true),
            person("Tia Mate", Some("pay"), None, true),
            person("Bob Claimed", Some("ops"), None, true),
        ];
        let mut f = facts(agent(None, None));
        f.acted_for = vec![("bob@corp.example".into(), 25)];
        // Unowned, with only a team label: the team still comes first.
        f.agent.labels = [("team".to_string(), "pay".to_string())].into();
        let s = ranked(&f, None, &people);
        assert_eq!(
            summary(&s),
            [
                ("Tia Mate", TEAM, vec![EvidenceKind::Team]),
                ("Bob Claimed", ACTIVITY_MAX, vec![EvidenceKind::Activity]),
            ]
        );
        assert!(s[1].reasons[0].text.ends_with("(the agent's own claim)"));
        // Orphaned: the departed owner's manager and team come first.
        f.agent.labels.clear();
        let s = ranked(&f, Some(&people[0]), &people);
        let names: Vec<&str> = s.iter().map(|s| s.person.name.as_str()).collect();
        assert_eq!(names, ["Max Manager", "Tia Mate", "Bob Claimed"]);
    }

    #[test]
    fn the_departed_owners_manager_and_team() {
        let people = [
            person("Ann Owner", Some("pay"), Some("max"), false),
            person("Max Manager", Some("leads"), None, true),
            person("Tia Mate", Some("pay"), None, true),
            person("Ola Other", Some("ops"), None, true),
        ];
        let s = ranked(&facts(agent(None, None)), Some(&people[0]), &people);
        assert_eq!(
            summary(&s),
            [
                ("Max Manager", MANAGER, vec![EvidenceKind::Manager]),
                ("Tia Mate", TEAM, vec![EvidenceKind::Team]),
            ]
        );
        assert_eq!(s[0].reasons[0].text, "manager of Ann Owner, who left");
        assert_eq!(
            s[1].reasons[0].text,
            "on the pay team, like Ann Owner, who left"
        );
    }

    #[test]
    fn the_manager_chain_goes_past_a_departed_manager() {
        let people = [
            person("Ann Owner", None, Some("mel"), false),
            person("Mel Gone", None, Some("vic"), false),
            person("Vic Boss", None, None, true),
        ];
        let s = ranked(&facts(agent(None, None)), Some(&people[0]), &people);
        assert_eq!(
            summary(&s),
            [("Vic Boss", MANAGER_ABOVE, vec![EvidenceKind::Manager])]
        );
        assert_eq!(
            s[0].reasons[0].text,
            "next manager up from Ann Owner, who left (Mel Gone left too)"
        );
    }

    #[test]
    fn departed_people_are_never_suggested() {
        let people = [
            person("Ann Owner", Some("pay"), None, false),
            person("Dee Gone", Some("pay"), None, false),
        ];
        let mut f = facts(agent(Some("dee@corp.example"), Some("pay")));
        f.delegators = vec![("per_dee".into(), 1), ("per_ann".into(), 1)];
        f.acted_for = vec![("per_dee".into(), 10)];
        assert!(ranked(&f, Some(&people[0]), &people).is_empty());
    }

    #[test]
    fn one_suggestion_per_person_with_every_reason_summed() {
        let people = [
            person("Ann Owner", Some("pay"), Some("max"), false),
            person("Max Manager", Some("pay"), None, true),
        ];
        let mut f = facts(agent(Some("max@corp.example"), Some("pay")));
        f.delegators = vec![("per_max".into(), 1)];
        f.acted_for = vec![("max@corp.example".into(), 2)];
        let s = ranked(&f, Some(&people[0]), &people);
        assert_eq!(s.len(), 1);
        let kinds: Vec<EvidenceKind> = s[0].reasons.iter().map(|r| r.kind).collect();
        // Strongest first; the team counts once though two teams point there.
        assert_eq!(
            kinds,
            [
                EvidenceKind::Creator,
                EvidenceKind::Delegation,
                EvidenceKind::Manager,
                EvidenceKind::Team,
                EvidenceKind::Activity,
            ]
        );
        assert_eq!(
            s[0].score,
            CREATOR + DELEGATION + MANAGER + ACTIVITY_BASE + 2 + TEAM
        );
    }

    #[test]
    fn ties_go_by_name_then_id_whatever_the_input_order() {
        let mut a = person("Same Name", Some("pay"), None, true);
        a.id = "per_b".into();
        a.email = "b@corp.example".into();
        let mut b = person("Same Name", Some("pay"), None, true);
        b.id = "per_a".into();
        b.email = "a@corp.example".into();
        let c = person("Abe First", Some("pay"), None, true);
        let f = facts(agent(None, Some("pay")));
        let one = ranked(&f, None, &[a.clone(), b.clone(), c.clone()]);
        let two = ranked(&f, None, &[c, b, a]);
        assert_eq!(one, two);
        let ids: Vec<&str> = one.iter().map(|s| s.person.id.as_str()).collect();
        assert_eq!(ids, ["per_abe", "per_a", "per_b"]);
    }

    #[test]
    fn the_list_is_capped_and_a_big_team_does_not_crowd_out_evidence() {
        let mut people: Vec<Person> = (0..40)
            .map(|i| {
                let mut p = person(&format!("Mate{i:02}"), Some("pay"), None, true);
                p.id = format!("per_mate{i:02}");
                p.email = format!("mate{i:02}@corp.example");
                p
            })
            .collect();
        people.push(person("Zoe Creator", Some("pay"), None, true));
        let f = facts(agent(Some("zoe@corp.example"), Some("pay")));
        let s = ranked(&f, None, &people);
        assert_eq!(s.len(), MAX_SUGGESTIONS);
        assert_eq!(s[0].person.name, "Zoe Creator");
        assert_eq!(s[0].score, CREATOR + TEAM);
        let rest: Vec<&str> = s[1..].iter().map(|s| s.person.name.as_str()).collect();
        assert_eq!(rest, ["Mate00", "Mate01", "Mate02", "Mate03"]);
    }
}
