//! The README's screenshots: the main views of the dashboard, rendered from
//! the seeded demo fleet on a fixed clock and drawn as SVG into
//! `screenshots/`.
//!
//! `cargo test --test it screenshots::` compares each rendering with the
//! committed file and fails on any difference, so a screenshot cannot go
//! stale unnoticed; `WARDEN_UPDATE_SCREENSHOTS=1 cargo test --test it
//! screenshots::` writes them anew. Nothing random reaches a screen: the
//! fleet's structure follows its seed, every time is relative to one fixed
//! wall clock, and the one random thing the demo generator makes that a
//! view shows (credential prefixes, cut from real random secrets) is
//! replaced here by one derived from the credential's id.

use crate::support::dashboard::{command, filter, key, typed};
use crate::support::fleet::{synced, wall};
use crate::support::svg::{SvgOptions, buffer_to_svg};
use chrono::{DateTime, Duration, Utc};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use warden::api::Changes;
use warden::api::guardrails::GuardrailAction;
use warden::demo::fleet;
use warden::model::*;
use warden::secrets::AGENT_SECRET_PREFIX;
use warden::tui::app::App;
use warden::tui::guardrails::GuardrailsRead;
use warden::tui::msg::Msg;
use warden::tui::theme::Theme;
use warden::tui::views::{self, Clock};

/// Wide enough for every column of the agents table, and 16:9-ish.
const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;

/// Every screenshot this file writes, so a leftover file is caught too.
const NAMES: &[&str] = &[
    "agents",
    "agents-filtered",
    "detail",
    "kill",
    "owner-picker",
    "help",
    "people",
    "credentials",
    "audit",
    "triage",
    "unclaimed",
    "alert",
    "discovery",
    "guardrail",
];

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Some of the alerts the reference backend's rules would raise on this
/// fleet (R01 unowned, R02 owner left, R03 dormant, R06 unused privilege),
/// made up here because the demo fleet is imported without any and the
/// risk column would otherwise be empty.
fn alerts(c: &Changes) -> Vec<Alert> {
    let departed: BTreeMap<&str, &Person> = c
        .people
        .iter()
        .filter(|p| p.status == PersonStatus::Departed)
        .map(|p| (p.id.as_str(), p))
        .collect();
    let live = |agent: &str| {
        c.credentials
            .iter()
            .filter(|k| {
                k.agent_id == agent
                    && k.status == CredentialStatus::Active
                    && k.expires_at.is_none_or(|e| e > wall())
            })
            .count()
    };
    let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
    let mut out = Vec::new();
    let mut raise = |agent: &Agent, rule: &str, severity, summary: String, evidence: String| {
        let n = out.len() as i64;
        out.push(Alert {
            id: format!("alr_{:04}", n + 1),
            agent_id: Some(agent.id.clone()),
            rule: rule.into(),
            severity,
            summary,
            evidence,
            mapping: vec![],
            status: AlertStatus::Open,
            source: "warden".into(),
            created_at: wall() - Duration::minutes(7 + n * 13 % 600),
            updated_at: wall() - Duration::minutes(7 + n * 13 % 600),
            acknowledged_by: None,
            ack_reason: None,
            resolved_at: None,
            snoozed_until: None,
            snoozed_by: None,
            snooze_reason: None,
            rev: 1,
        });
    };
    for a in c.agents.iter().filter(|a| a.status != AgentStatus::Killed) {
        let n = live(&a.id);
        match a.owner.as_deref() {
            None => raise(
                a,
                "R01",
                Severity::High,
                format!("Unowned agent: {} has no owner", a.name),
                format!("no owner since it was registered on {}", day(a.created_at)),
            ),
            Some(o) => {
                if let Some(p) = departed.get(o)
                    && n > 0
                {
                    raise(
                        a,
                        "R02",
                        Severity::Critical,
                        format!(
                            "Owner offboarded: {}'s owner {} has left; it still holds live credentials",
                            a.name, p.email
                        ),
                        format!("owner {} left; {n} live credential(s)", p.email),
                    );
                }
            }
        }
        if a.status == AgentStatus::Dormant && n > 0 {
            raise(
                a,
                "R03",
                Severity::Medium,
                format!(
                    "Dormant with live credentials: {} is dormant and still holds live credentials",
                    a.name
                ),
                format!("{n} live credential(s)"),
            );
        }
        let unused: Vec<&Grant> = c
            .grants
            .iter()
            .filter(|g| {
                g.agent_id == a.id
                    && g.level != GrantLevel::Read
                    && g.last_used_at
                        .is_none_or(|u| wall() - u > Duration::days(30))
            })
            .collect();
        if !unused.is_empty() {
            raise(
                a,
                "R06",
                Severity::High,
                format!(
                    "Excess privilege: {} holds write or admin grants it does not use",
                    a.name
                ),
                unused
                    .iter()
                    .map(|g| format!("{} on {}", g.scope, g.resource))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
    }
    out
}

/// The demo fleet of `warden demo` (200 agents, seed 42) as a first sync.
fn changes() -> Changes {
    let f = fleet::generate(200, 42, wall());
    let credentials = f
        .import
        .credentials
        .into_iter()
        .map(|(mut c, _hash)| {
            // The generator's prefix is cut from a random secret; this one
            // looks the same and follows the seeded id.
            let digest = Sha256::digest(c.id.as_bytes());
            let chars: String = digest[..4]
                .iter()
                .map(|b| BASE62[*b as usize % 62] as char)
                .collect();
            c.prefix = format!("{AGENT_SECRET_PREFIX}{chars}");
            c
        })
        .collect();
    let mut c = Changes {
        cursor: 1,
        full: true,
        agents: f.import.agents,
        people: f.import.people,
        credentials,
        grants: f.import.grants,
        delegations: f.import.delegations,
        alerts: Vec::new(),
        removed: Vec::new(),
        ..Changes::default()
    };
    c.alerts = alerts(&c);
    c
}

/// A dashboard that has just synced the fleet, as a responder, and the
/// clock it is drawn at.
fn app(changes: &Changes) -> (App, Clock) {
    let (mut app, clock) = synced(changes.clone());
    app.resize(WIDTH, HEIGHT);
    (app, clock)
}

/// Moves the table's selection down to the agent `id`, as a user would.
fn select(app: &mut App, id: &str) {
    let pos = app
        .panes
        .agents
        .order
        .iter()
        .position(|&i| app.fleet.agents()[i].id == id)
        .expect("the agent is in the table");
    for _ in 0..pos {
        key(app, KeyCode::Down);
    }
    assert_eq!(app.current_agent().map(|a| a.id.as_str()), Some(id));
}

/// The agent the detail and kill screenshots show: an active, owned one
/// with the worst alert there is, and as much as possible in
/// every panel of the detail view (alerts, a delegation, credentials).
fn showcase(c: &Changes) -> &Agent {
    c.agents
        .iter()
        .enumerate()
        .filter(|(_, a)| a.status == AgentStatus::Active && a.owner.is_some())
        .max_by_key(|(i, a)| {
            let creds = c.credentials.iter().filter(|k| k.agent_id == a.id).count();
            let alerts: Vec<&Alert> = c
                .alerts
                .iter()
                .filter(|l| l.agent_id.as_deref() == Some(&a.id))
                .collect();
            let worst = alerts.iter().map(|l| l.severity).max();
            let delegations = c
                .delegations
                .iter()
                .filter(|d| d.child_agent == a.id || d.parent_agent.as_deref() == Some(&a.id))
                .count();
            // The worst alert first, then the fullest panels; on a tie,
            // the first in the fleet.
            (
                worst,
                alerts.len().min(2) + delegations.min(1) + creds.min(3),
                std::cmp::Reverse(*i),
            )
        })
        .map(|(_, a)| a)
        .expect("the demo fleet has active, owned agents")
}

/// The audit chain the backend would hold for this fleet, in part: each
/// agent registered, each credential issued, each alert opened, one after
/// another up to the fixed clock.
fn audit_chain(c: &Changes) -> Vec<AuditEntry> {
    let admin = "token:bootstrap-admin";
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    for a in &c.agents {
        rows.push((
            admin.into(),
            "agent.register".into(),
            format!("{} ({})", a.id, a.name),
            "ok".into(),
        ));
    }
    for k in &c.credentials {
        let expiry = match k.expires_at {
            Some(t) => format!("ok, expires {}", t.format("%Y-%m-%d")),
            None => "ok, never expires".into(),
        };
        rows.push((
            admin.into(),
            "credential.issue".into(),
            format!("{} of {}", k.id, k.agent_id),
            expiry,
        ));
    }
    for l in &c.alerts {
        rows.push((
            format!("rule:{}", l.rule),
            "alert.open".into(),
            format!("{} on {}", l.id, l.agent_id.as_deref().unwrap_or("-")),
            format!("{}: {}", l.severity, l.summary),
        ));
    }
    let n = rows.len() as i64;
    rows.into_iter()
        .enumerate()
        .map(|(i, (actor, action, target, result))| AuditEntry {
            seq: i as i64 + 1,
            at: wall() - Duration::seconds((n - i as i64) * 7),
            actor,
            action,
            target,
            reason: None,
            result,
            prev_hash: String::new(),
            hash: String::new(),
        })
        .collect()
}

/// What the backend would plan for killing `agent` (without cascade),
/// on a backend with a runtime hook for each kind of runtime: `kubectl`
/// for Kubernetes, a webhook for the others.
fn kill_plan(c: &Changes, agent: &Agent) -> Operation {
    let live = c
        .credentials
        .iter()
        .filter(|k| k.agent_id == agent.id && k.status != CredentialStatus::Revoked)
        .count();
    let step = |name: &str, detail: String| OperationStep {
        name: name.into(),
        agent_id: agent.id.clone(),
        status: StepStatus::Pending,
        detail,
    };
    Operation {
        id: "op_screenshot".into(),
        kind: "agent.kill".into(),
        target: format!("{} ({})", agent.id, agent.name),
        actor: "oncall".into(),
        reason: String::new(),
        status: OperationStatus::Planned,
        steps: vec![
            step(
                "revoke_credentials",
                format!("will revoke {live} credential(s) of {}", agent.name),
            ),
            step("mark_killed", format!("will mark {} killed", agent.name)),
            match agent.runtime.as_deref() {
                Some(r) if r.starts_with("k8s:") => {
                    step("runtime_hook", "will run command hook `kubectl`".into())
                }
                Some(_) => step(
                    "runtime_hook",
                    "will POST webhook https://runtime.corp.example/warden/kill".into(),
                ),
                None => OperationStep {
                    status: StepStatus::Skipped,
                    ..step("runtime_hook", "the agent has no runtime".into())
                },
            },
        ],
        created_at: wall(),
        finished_at: None,
    }
}

fn svg(app: &App, clock: Clock, title: &str) -> String {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    terminal
        .draw(|f| views::draw(f, app, &Theme::dark(), clock))
        .unwrap();
    let options = SvgOptions {
        title: Some(format!("Warden: {title}")),
        ..SvgOptions::default()
    };
    buffer_to_svg(terminal.backend().buffer(), &options)
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("screenshots")
}

fn updating() -> bool {
    std::env::var_os("WARDEN_UPDATE_SCREENSHOTS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Writes `screenshots/NAME.svg` when updating; otherwise insists that it
/// is what the current code renders.
fn check(name: &str, svg: String) {
    assert!(NAMES.contains(&name), "add {name} to NAMES");
    assert!(
        svg.len() < 200_000,
        "{name}.svg is {} bytes: too big for the README",
        svg.len()
    );
    let path = dir().join(format!("{name}.svg"));
    if updating() {
        std::fs::create_dir_all(dir()).unwrap();
        std::fs::write(&path, &svg).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\n\
             generate the screenshots with: WARDEN_UPDATE_SCREENSHOTS=1 cargo test --test it screenshots::",
            path.display()
        )
    });
    // A checkout that turned the newlines into CRLF still holds the same image.
    let committed = committed.replace("\r\n", "\n");
    if committed != svg {
        let (line, (old, new)) = committed
            .lines()
            .zip(svg.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .unwrap_or((
                committed.lines().count().min(svg.lines().count()),
                ("(end of file)", "(end of file)"),
            ));
        panic!(
            "screenshots/{name}.svg is stale: the dashboard no longer renders what it shows.\n\
             first difference, line {}:\n  committed: {old}\n  rendered:  {new}\n\
             if the change is intended, regenerate and review the images:\n  \
             WARDEN_UPDATE_SCREENSHOTS=1 cargo test --test it screenshots::",
            line + 1
        );
    }
}

#[test]
fn agents() {
    let c = changes();
    let (app, clock) = app(&c);
    check("agents", svg(&app, clock, "the agents view"));
}

#[test]
fn agents_filtered() {
    let c = changes();
    let (mut app, clock) = app(&c);
    filter(&mut app, "env:prod risk:high");
    // Riskiest first.
    key(&mut app, KeyCode::Char('R'));
    assert!(
        !app.panes.agents.order.is_empty(),
        "the filter matches some agents"
    );
    check(
        "agents-filtered",
        svg(&app, clock, "agents filtered by env:prod risk:high"),
    );
}

#[test]
fn detail() {
    let c = changes();
    let agent = showcase(&c);
    let (mut app, clock) = app(&c);
    select(&mut app, &agent.id);
    key(&mut app, KeyCode::Enter);
    // What the view fetches beside the feed: a busy hour, and the trail.
    let activity: Vec<u32> = (0..60u32)
        .map(|m| 6 + (m * 7) % 11 + if (40..46).contains(&m) { 30 } else { 0 })
        .collect();
    app.handle_msg(Msg::Detail {
        agent_id: agent.id.clone(),
        result: Ok(crate::support::fleet::detail(agent.clone(), activity)),
    });
    let trail = audit_chain(&c)
        .into_iter()
        .filter(|e| e.target.contains(&agent.id))
        .collect();
    app.handle_msg(Msg::Trail {
        agent_id: agent.id.clone(),
        result: Ok(trail),
    });
    let svg = svg(&app, clock, &format!("the detail view of {}", agent.name));
    // The credentials panel shows the seeded prefixes, never a random one.
    let prefix = &c
        .credentials
        .iter()
        .find(|k| k.agent_id == agent.id)
        .unwrap()
        .prefix;
    assert!(svg.contains(prefix.as_str()), "{prefix} is shown");
    check("detail", svg);
}

#[test]
fn kill() {
    let c = changes();
    let agent = showcase(&c);
    let (mut app, clock) = app(&c);
    select(&mut app, &agent.id);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('K'));
    app.handle_msg(Msg::KillPlan {
        agent_id: agent.id.clone(),
        cascade: false,
        result: Ok(kill_plan(&c, agent)),
    });
    // Fill the dialog in as a responder would: the focus starts on
    // Cancel; tab twice wraps round to the name, enter moves to the reason.
    for _ in 0..2 {
        key(&mut app, KeyCode::Tab);
    }
    typed(&mut app, &agent.name);
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "posting customer records to an unknown host");
    check(
        "kill",
        svg(&app, clock, &format!("the kill dialog for {}", agent.name)),
    );
}

#[test]
fn owner_picker() {
    let c = changes();
    let (mut app, clock) = app(&c);
    filter(&mut app, "owner:none");
    assert!(
        !app.panes.agents.order.is_empty(),
        "the demo has unowned agents"
    );
    key(&mut app, KeyCode::Char('o'));
    check(
        "owner-picker",
        svg(&app, clock, "assigning an owner to an unowned agent"),
    );
}

#[test]
fn help() {
    let c = changes();
    let (mut app, clock) = app(&c);
    key(&mut app, KeyCode::Char('?'));
    check("help", svg(&app, clock, "the keys of the agents view"));
}

#[test]
fn people() {
    let c = changes();
    let (mut app, clock) = app(&c);
    command(&mut app, "people");
    check("people", svg(&app, clock, "the people view"));
}

#[test]
fn credentials() {
    let c = changes();
    let (mut app, clock) = app(&c);
    command(&mut app, "creds");
    check("credentials", svg(&app, clock, "the credentials view"));
}

#[test]
fn audit() {
    let c = changes();
    let (mut app, clock) = app(&c);
    command(&mut app, "audit");
    let chain = audit_chain(&c);
    let entries = chain.len() as i64;
    app.handle_msg(Msg::Audit(Ok(chain)));
    app.handle_msg(Msg::AuditVerified(Ok(warden::api::AuditVerification {
        ok: true,
        entries,
        first_bad: None,
        problem: None,
        attack: None,
        checkpoints: None,
    })));
    check("audit", svg(&app, clock, "the audit view"));
}

/// The triage queue as the reference backend ranks it for the same fleet:
/// imported into an in-memory store, then asked as `GET /v1/triage` would.
#[tokio::test]
async fn triage() {
    let c = changes();
    let store = warden::server::open_store("sqlite::memory:").unwrap();
    let import = fleet::generate(200, 42, wall()).import;
    store
        .import(&warden::server::store::Actor::new("screenshots"), import)
        .await
        .unwrap();
    let days = warden::server::triage::ACTIVITY_DAYS;
    let facts = store
        .triage_facts(wall() - Duration::days(i64::from(days)))
        .await
        .unwrap();
    let report = warden::server::triage::report(&facts, wall(), days);
    assert!(
        !report.cases.is_empty(),
        "the demo fleet has agents to triage"
    );
    let (mut app, clock) = app(&c);
    command(&mut app, "triage");
    app.handle_msg(Msg::Triage {
        backend: 0,
        result: Ok(report),
    });
    check("triage", svg(&app, clock, "the triage view"));
}

#[test]
fn no_stray_screenshots() {
    let Ok(entries) = std::fs::read_dir(dir()) else {
        return;
    };
    let stray: BTreeSet<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".svg"))
        .filter(|f| !NAMES.iter().any(|n| format!("{n}.svg") == *f))
        .collect();
    assert!(
        stray.is_empty(),
        "screenshots/ holds files no test renders: {stray:?}; delete them or add a test"
    );
}

/// The demo fleet beside an OpenBao whose read holds tokens of a few agents
/// and three identities no agent claims. The rules judge a Vault read by
/// the real clock, so every time here is chosen to be judged the same on
/// any day until 2028: created long enough ago to be overdue for rotation,
/// expiring long after.
#[test]
fn unclaimed() {
    use std::sync::Arc;
    use warden::config::vault::VaultSettings;
    use warden::fleet::origin::Qualify;
    use warden::sources::SourceEvent;
    use warden::tui::app::{BackendKind, Options};
    use warden::vault::{SecretIdInfo, TokenInfo, VaultSnapshot};

    let mut c = changes();
    c.qualify("demo");
    let mut app = App::with_backends(
        &[
            ("demo", "http://127.0.0.1:7878"),
            ("bao", "http://127.0.0.1:8200"),
        ],
        Options::default(),
    );
    app.backends[1].kind = BackendKind::Vault;
    app.resize(WIDTH, HEIGHT);
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(c.clone()),
            latency: std::time::Duration::from_millis(9),
        },
    });
    let token = |accessor: &str,
                 name: &str,
                 policies: &[&str],
                 meta: &[(&str, &str)],
                 days: i64,
                 ttl_h: Option<i64>| TokenInfo {
        accessor: accessor.into(),
        display_name: name.into(),
        policies: policies.iter().map(|p| p.to_string()).collect(),
        ttl: ttl_h.map_or(0, |h| h * 3600),
        expire_time: ttl_h.map(|h| wall() + Duration::hours(h)),
        creation_time: Some(wall() - Duration::days(days)),
        meta: meta
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        orphan: meta.is_empty(),
        path: "auth/token/create".into(),
        ..TokenInfo::default()
    };
    let mut tokens: Vec<TokenInfo> = c
        .agents
        .iter()
        .filter(|a| a.status == AgentStatus::Active)
        .take(8)
        .enumerate()
        .map(|(i, a)| {
            let acc = format!("hmac{i:02}Qx7LmP2vR9sT4wY6");
            token(
                &acc,
                &format!("token-{}", a.name),
                &["default", "app"],
                &[("warden_agent", &a.name)],
                3 + i as i64,
                Some(8),
            )
        })
        .collect();
    tokens.push(token(
        "Zr0otBr3akGl4ss00000000",
        "token-break-glass",
        &["root"],
        &[],
        210,
        None,
    ));
    tokens.push(token(
        "L3gacyC1D3pl0y000000000",
        "token-legacy-ci-deploy",
        &["default", "deploy-prod"],
        &[],
        95,
        Some(24 * 31),
    ));
    let snapshot = VaultSnapshot {
        tokens,
        secret_ids: vec![SecretIdInfo {
            mount: "approle".into(),
            role: "nightly-batch".into(),
            accessor: "5e1d0c7a-93b4-4c2e-8f1a-2b6d9e0f4a31".into(),
            metadata: BTreeMap::from([("team".to_string(), "data".to_string())]),
            creation_time: Some(wall() - Duration::days(140)),
            expiration: Some(wall() + Duration::days(400)),
            cidr_list: vec!["10.20.0.0/16".into()],
            ..SecretIdInfo::default()
        }],
        ..VaultSnapshot::default()
    };
    app.handle_msg(Msg::Source {
        backend: 1,
        event: SourceEvent::Vault {
            snapshot: Box::new(snapshot),
            settings: Arc::new(VaultSettings::default()),
            latency: std::time::Duration::from_millis(240),
        },
    });
    let clock = synced(Changes::default()).1;
    for b in &mut app.backends {
        b.last_ok = Some(clock.now);
    }
    command(&mut app, "unclaimed");
    assert_eq!(app.fleet.unclaimed().count(), 3);
    check(
        "unclaimed",
        svg(&app, clock, "unclaimed machine identities in OpenBao"),
    );
}

/// The alert view on a shadow agent (R17): the identity a registered agent
/// acts for that nobody registered, in the inventory as a shadow entry,
/// with the relay named and its timeline from the audit trail.
#[test]
fn alert() {
    let mut c = changes();
    let relay = showcase(&c).clone();
    let at = wall() - Duration::minutes(4);
    let shadow = Agent {
        id: "agt_5hAd0wSuMmAr1z".into(),
        name: "ghost-summarizer".into(),
        kind: AgentKind::Autonomous,
        environment: "unknown".into(),
        owner: None,
        description: Some(format!(
            "Registered by nobody: seen in the on_behalf_of chains that {} ({}) reports.",
            relay.name, relay.id
        )),
        runtime: None,
        labels: BTreeMap::from([
            ("origin".to_string(), "shadow".to_string()),
            ("shadow.seen_by".to_string(), relay.name.clone()),
        ])
        .into(),
        status: AgentStatus::Active,
        created_by: Some("warden:R17".into()),
        created_at: at,
        updated_at: at,
        last_seen_at: Some(wall() - Duration::seconds(20)),
        rev: 1,
    };
    let alert = Alert {
        id: "alr_5hAd0wR17x".into(),
        agent_id: Some(shadow.id.clone()),
        rule: "R17".into(),
        severity: Severity::High,
        summary: format!(
            "Shadow agent: \"ghost-summarizer\" acts through \"{}\"; nobody registered it",
            relay.name
        ),
        evidence: format!(
            "\"ghost-summarizer\" in the delegation chain of 14 events reported by \"{}\" ({}); \
             no registered agent has that id or name; kept in the inventory as shadow entry {} \
             (unowned, no credentials); latest {}",
            relay.name,
            relay.id,
            shadow.id,
            (wall() - Duration::seconds(20)).format("%H:%M:%S UTC")
        ),
        mapping: vec!["ASI10".into(), "NHI3".into()],
        status: AlertStatus::Open,
        source: "warden".into(),
        created_at: at,
        updated_at: wall() - Duration::seconds(20),
        acknowledged_by: None,
        ack_reason: None,
        resolved_at: None,
        snoozed_until: None,
        snoozed_by: None,
        snooze_reason: None,
        rev: 1,
    };
    c.agents.push(shadow.clone());
    c.alerts.push(alert.clone());
    let (mut app, clock) = app(&c);
    command(&mut app, "alerts rule:R17");
    key(&mut app, KeyCode::Enter);
    let entry = |seq: i64, actor: &str, action: &str, target: String, reason: &str| AuditEntry {
        seq,
        at,
        actor: actor.into(),
        action: action.into(),
        target,
        reason: Some(reason.into()),
        result: "ok".into(),
        prev_hash: String::new(),
        hash: String::new(),
    };
    app.handle_msg(Msg::Trail {
        agent_id: shadow.id.clone(),
        result: Ok(vec![
            entry(
                901,
                "warden:R17",
                "agent.shadow",
                format!("{} (ghost-summarizer)", shadow.id),
                &format!(
                    "named in the delegation chain of 3 event(s) reported by {}",
                    relay.name
                ),
            ),
            entry(
                902,
                "rule:R17",
                "alert.open",
                format!("{} R17 on {}", alert.id, shadow.id),
                "high",
            ),
        ]),
    });
    check("alert", svg(&app, clock, "the alert view"));
}

/// An R11 spike on a staging agent, and the demo's `freeze-spikes`
/// guardrail counting down to freezing it: in the header and the alert's
/// view, with the keys that stop it or run it now.
#[test]
fn guardrail() {
    let mut c = changes();
    let agent = c
        .agents
        .iter()
        .find(|a| a.environment != "prod" && a.status == AgentStatus::Active && a.owner.is_some())
        .expect("an active non-production agent")
        .clone();
    let at = wall() - Duration::seconds(7);
    let alert = Alert {
        id: "alr_5p1keR11x".into(),
        agent_id: Some(agent.id.clone()),
        rule: "R11".into(),
        severity: Severity::High,
        summary: format!(
            "Activity spike: {} made 1,214 calls in a minute",
            agent.name
        ),
        evidence: "1,214 calls in the minute to 07:59:53 UTC against a usual 30 \
                   (40x its 7-day p99); 1,180 of them to paste.example"
            .into(),
        mapping: vec!["ASI10".into()],
        status: AlertStatus::Open,
        source: "warden".into(),
        created_at: at,
        updated_at: at,
        acknowledged_by: None,
        ack_reason: None,
        resolved_at: None,
        snoozed_until: None,
        snoozed_by: None,
        snooze_reason: None,
        rev: 1,
    };
    c.alerts.push(alert.clone());
    let (mut app, clock) = app(&c);
    let due = at + Duration::seconds(30);
    app.handle_msg(Msg::Guardrails {
        backend: 0,
        seq: 1,
        read: GuardrailsRead::Actions(vec![GuardrailAction {
            id: "gra_Fr33zeSp1ke".into(),
            policy: "freeze-spikes".into(),
            action: "freeze".into(),
            alert_id: alert.id.clone(),
            rule: "R11".into(),
            agent_id: agent.id.clone(),
            agent_name: agent.name.clone(),
            credentials: vec![],
            created_at: at,
            due_at: due,
            status: "pending".into(),
            finished_at: None,
            outcome: None,
            decided_by: None,
        }]),
    });
    command(&mut app, "alerts rule:R11");
    key(&mut app, KeyCode::Enter);
    let entry = |seq: i64, actor: &str, action: &str, reason: &str| AuditEntry {
        seq,
        at,
        actor: actor.into(),
        action: action.into(),
        target: format!("{} R11 on {} ({})", alert.id, agent.id, agent.name),
        reason: Some(reason.into()),
        result: "ok".into(),
        prev_hash: String::new(),
        hash: String::new(),
    };
    app.handle_msg(Msg::Trail {
        agent_id: agent.id.clone(),
        result: Ok(vec![
            entry(931, "rule:R11", "alert.open", "high"),
            entry(
                932,
                "guardrail:freeze-spikes",
                "guardrail.pending",
                &format!(
                    "will freeze {} at {} unless a person stops it",
                    agent.name,
                    due.format("%H:%M:%S UTC")
                ),
            ),
        ]),
    });
    check(
        "guardrail",
        svg(&app, clock, "a guardrail's pending freeze"),
    );
}

/// The demo fleet with the agents `warden discover --register` reported
/// from two laptops and a CI runner (the dashboard tests' fixture).
#[test]
fn discovery() {
    let mut c = changes();
    let found = crate::support::discovered::changes();
    c.agents.extend(found.agents);
    c.credentials.extend(found.credentials);
    let (mut app, clock) = app(&c);
    command(&mut app, "discovery");
    check("discovery", svg(&app, clock, "the discovery view"));
}
