//! A small, fixed fleet for dashboard tests: every time is relative to one
//! fixed wall clock, so screens render the same on every run.

use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;
use std::time::Instant;
use warden::api::{
    Changes, EvidenceKind, OwnerEvidence, Suggestion, TriageCase, TriageReason, TriageReport,
    WhoAmI,
};
use warden::model::*;
use warden::sources::SourceEvent;
use warden::tui::app::{App, Options};
use warden::tui::msg::Msg;
use warden::tui::views::Clock;

pub fn wall() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

pub fn person(id: &str, name: &str, email: &str, team: &str, departed: bool) -> Person {
    Person {
        id: id.into(),
        name: name.into(),
        email: email.into(),
        team: Some(team.into()),
        manager: if id == "per_lead" {
            None
        } else {
            Some("per_lead".into())
        },
        status: if departed {
            PersonStatus::Departed
        } else {
            PersonStatus::Active
        },
        created_at: wall() - Duration::days(400),
        departed_at: departed.then(|| wall() - Duration::days(3)),
        rev: 1,
    }
}

pub fn agent(
    id: &str,
    name: &str,
    kind: AgentKind,
    env: &str,
    owner: Option<&str>,
    status: AgentStatus,
) -> Agent {
    Agent {
        id: id.into(),
        name: name.into(),
        kind,
        environment: env.into(),
        owner: owner.map(Into::into),
        description: Some(format!("{name} for the support team")),
        runtime: Some(format!("k8s:{env}/support/{name}")),
        labels: BTreeMap::from([("team".to_string(), "support".to_string())]).into(),
        status,
        created_by: Some("grace@corp.example".into()),
        created_at: wall() - Duration::days(120),
        updated_at: wall() - Duration::days(1),
        last_seen_at: Some(wall() - Duration::seconds(42)),
        rev: 1,
    }
}

pub fn credential(
    id: &str,
    agent: &str,
    expires_days: Option<i64>,
    status: CredentialStatus,
) -> Credential {
    Credential {
        id: id.into(),
        agent_id: agent.into(),
        scopes: vec!["tickets:read".into(), "tickets:write".into()],
        prefix: "wdn_ac_Ab3d".into(),
        issued_at: wall() - Duration::days(20),
        expires_at: expires_days.map(|d| wall() + Duration::days(d)),
        last_used_at: Some(wall() - Duration::minutes(5)),
        status,
        revoked_at: None,
        revoked_reason: None,
        replaced_by: None,
        fingerprint: None,
        rev: 1,
    }
}

pub fn grant(id: &str, agent: &str, level: GrantLevel, used: bool) -> Grant {
    Grant {
        id: id.into(),
        agent_id: agent.into(),
        resource: "tickets/support".into(),
        scope: format!("tickets:{level}"),
        level,
        granted_at: wall() - Duration::days(90),
        last_used_at: used.then(|| wall() - Duration::hours(2)),
        rev: 1,
    }
}

pub fn alert(id: &str, agent: &str, severity: Severity) -> Alert {
    Alert {
        id: id.into(),
        agent_id: Some(agent.into()),
        rule: "R18".into(),
        severity,
        summary: "killed agent keeps presenting credentials".into(),
        evidence: "credential crd_1 refused".into(),
        mapping: vec!["ASI10".into()],
        status: AlertStatus::Open,
        source: "warden".into(),
        created_at: wall() - Duration::minutes(3),
        updated_at: wall() - Duration::minutes(1),
        acknowledged_by: None,
        ack_reason: None,
        resolved_at: None,
        snoozed_until: None,
        snoozed_by: None,
        snooze_reason: None,
        rev: 1,
    }
}

/// Five agents, four people (one departed), credentials, grants, a
/// delegation, an alert, and one hostile name.
pub fn changes() -> Changes {
    let changes = plain_changes();
    match REWRITE.with(|h| h.get()) {
        Some(mangle) => mangle(changes),
        None => changes,
    }
}

/// `changes` rewritten as the fixed fleet is (see [`with_rewrite`]): for a
/// fixture that adds to the fixed fleet.
pub fn rewritten(changes: Changes) -> Changes {
    match REWRITE.with(|h| h.get()) {
        Some(mangle) => mangle(changes),
        None => changes,
    }
}

thread_local! {
    /// A rewrite of every fixed fleet this thread builds (tests run one per
    /// thread): how the hostile-text suite puts its corpus into every
    /// screen the catalogue reaches, without a second catalogue.
    static REWRITE: std::cell::Cell<Option<Rewrite>> = const { std::cell::Cell::new(None) };
}

/// How a suite rewrites the fixed fleet.
pub type Rewrite = fn(Changes) -> Changes;

/// Runs `f` with every fixed fleet rewritten by `mangle`.
pub fn with_rewrite<T>(mangle: Rewrite, f: impl FnOnce() -> T) -> T {
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            REWRITE.with(|h| h.set(None));
        }
    }
    REWRITE.with(|h| h.set(Some(mangle)));
    let _restore = Restore;
    f()
}

fn plain_changes() -> Changes {
    Changes {
        cursor: 10,
        full: true,
        people: vec![
            person(
                "per_lead",
                "Grace Hopper",
                "grace@corp.example",
                "support",
                false,
            ),
            person(
                "per_ada",
                "Ada Lovelace",
                "ada@corp.example",
                "support",
                false,
            ),
            person(
                "per_alan",
                "Alan Turing",
                "alan@corp.example",
                "support",
                true,
            ),
            person(
                "per_kat",
                "Katherine Johnson",
                "kat@corp.example",
                "payments",
                false,
            ),
        ],
        agents: vec![
            agent(
                "agt_support",
                "support-copilot",
                AgentKind::Copilot,
                "prod",
                Some("per_ada"),
                AgentStatus::Active,
            ),
            agent(
                "agt_triage",
                "ticket-triage",
                AgentKind::Autonomous,
                "prod",
                Some("per_alan"),
                AgentStatus::Active,
            ),
            agent(
                "agt_mcp",
                "mcp-github",
                AgentKind::McpServer,
                "staging",
                None,
                AgentStatus::Suspended,
            ),
            agent(
                "agt_old",
                "legacy-scraper",
                AgentKind::ApiConnector,
                "dev",
                Some("per_kat"),
                AgentStatus::Killed,
            ),
            agent(
                "agt_evil",
                "evil\u{1b}[2Jbot\u{202e}",
                AgentKind::Chatbot,
                "sandbox",
                Some("per_ada"),
                AgentStatus::Dormant,
            ),
        ],
        credentials: vec![
            credential("crd_s1", "agt_support", Some(30), CredentialStatus::Active),
            credential("crd_s2", "agt_support", None, CredentialStatus::Active),
            credential("crd_t1", "agt_triage", Some(5), CredentialStatus::Active),
            credential("crd_o1", "agt_old", None, CredentialStatus::Revoked),
        ],
        grants: vec![
            grant("grt_1", "agt_support", GrantLevel::Read, true),
            grant("grt_2", "agt_support", GrantLevel::Admin, false),
            grant("grt_3", "agt_triage", GrantLevel::Write, true),
        ],
        delegations: vec![Delegation {
            id: "dlg_1".into(),
            parent_agent: Some("agt_support".into()),
            parent_person: None,
            child_agent: "agt_triage".into(),
            on_behalf_of: Some("per_ada".into()),
            scopes: vec!["tickets:read".into()],
            created_at: wall() - Duration::days(10),
            rev: 1,
        }],
        alerts: vec![alert("alr_1", "agt_triage", Severity::High)],
        removed: vec![],
        ..Changes::default()
    }
}

/// An app that has synced the fixture, as a responder.
/// A poll that brings `agent` (new or changed) at `cursor`, then the
/// views catching up with it, as the run loop does.
pub fn poll_agent(app: &mut App, cursor: i64, agent: Agent) {
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(warden::api::Changes {
                cursor,
                agents: vec![agent],
                ..Default::default()
            }),
            latency: std::time::Duration::from_millis(1),
        },
    });
    app.prepare();
}

pub fn app() -> (App, Clock) {
    synced(changes())
}

/// An app that has just synced `changes` as a responder, and the clock it
/// is drawn at.
pub fn synced(changes: Changes) -> (App, Clock) {
    let mut app = App::new("demo", "http://127.0.0.1:7878", Options::default());
    let now = Instant::now();
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(changes),
            latency: std::time::Duration::from_millis(12),
        },
    });
    // The poll happened "just now" on the frame's own clock, not on the
    // real one, so the header reads the same on every run.
    app.backends[0].last_ok = Some(now);
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Identity(Box::new(WhoAmI {
            kind: "person".into(),
            role: Some(Role::Responder),
            name: "oncall".into(),
            person: None,
            agent_id: None,
            credential_id: None,
        })),
    });
    (app, Clock { now, wall: wall() })
}

pub fn person_by_id(id: &str) -> Person {
    changes().people.into_iter().find(|p| p.id == id).unwrap()
}

pub fn agent_by_id(id: &str) -> Agent {
    changes().agents.into_iter().find(|a| a.id == id).unwrap()
}

pub fn evidence(kind: EvidenceKind, points: u32, text: &str) -> OwnerEvidence {
    OwnerEvidence {
        kind,
        points,
        text: text.into(),
    }
}

/// What the backend ranks for the fixture: ticket-triage's owner left,
/// mcp-github has none.
pub fn triage_report() -> TriageReport {
    TriageReport {
        generated_at: wall(),
        activity_days: 30,
        cases: vec![
            TriageCase {
                agent: agent_by_id("agt_triage"),
                reason: TriageReason::OwnerDeparted,
                departed_owner: Some(person_by_id("per_alan")),
                since: wall() - Duration::days(3),
                risk: Some(Severity::High),
                highest_level: Some(GrantLevel::Write),
                suggestions: vec![
                    Suggestion {
                        person: person_by_id("per_lead"),
                        score: 35,
                        reasons: vec![
                            evidence(
                                EvidenceKind::Manager,
                                25,
                                "manager of Alan Turing, who left",
                            ),
                            evidence(EvidenceKind::Team, 10, "on the support team"),
                        ],
                    },
                    Suggestion {
                        person: person_by_id("per_ada"),
                        score: 30,
                        reasons: vec![evidence(
                            EvidenceKind::Delegation,
                            30,
                            "support-copilot acts for them",
                        )],
                    },
                ],
            },
            TriageCase {
                agent: agent_by_id("agt_mcp"),
                reason: TriageReason::Unowned,
                departed_owner: None,
                since: wall() - Duration::days(120),
                risk: None,
                highest_level: None,
                suggestions: vec![],
            },
        ],
    }
}

/// What the backend answers for the detail of `agent`: its activity per
/// minute, and nothing attached.
pub fn detail(agent: Agent, activity: Vec<u32>) -> Box<AgentDetail> {
    Box::new(AgentDetail {
        seen_acting_for: Vec::new(),
        exchanged_tokens: Vec::new(),
        agent,
        owner_person: None,
        credentials: vec![],
        grants: vec![],
        delegations: vec![],
        alerts: vec![],
        activity,
    })
}
