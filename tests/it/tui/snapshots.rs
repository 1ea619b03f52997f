//! Screens rendered on ratatui's TestBackend from a fixed fleet and a fixed
//! clock, compared with the reviewed snapshots in `tests/it/tui/snapshots/`; the
//! people, credentials and audit views and the enriched agent detail at
//! 80x24 and 200x60.

use crate::support::dashboard::{command, filter, key, render};
use crate::support::fleet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warden::model::*;
use warden::tui::app::App;
use warden::tui::msg::Msg;
use warden::tui::views::Clock;

#[test]
fn agents_view() {
    let (mut app, clock) = fleet::app();
    insta::assert_snapshot!(render(&mut app, clock, 120, 20));
}

#[test]
fn agents_view_filtered_and_sorted() {
    let (mut app, clock) = fleet::app();
    filter(&mut app, "!status:killed");
    key(&mut app, KeyCode::Char('R'));
    insta::assert_snapshot!(render(&mut app, clock, 120, 16));
}

#[test]
fn detail_view() {
    let (mut app, clock) = fleet::app();
    filter(&mut app, "support-copilot");
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(render(&mut app, clock, 120, 32));
}

#[test]
fn kill_dialog() {
    let (mut app, clock) = fleet::app();
    filter(&mut app, "support-copilot");
    key(&mut app, KeyCode::Char('K'));
    let plan = Operation {
        id: "op_plan".into(),
        kind: "agent.kill".into(),
        target: "agt_support".into(),
        actor: "oncall".into(),
        reason: String::new(),
        status: OperationStatus::Planned,
        steps: vec![
            OperationStep {
                name: "revoke_credentials".into(),
                agent_id: "agt_support".into(),
                status: StepStatus::Pending,
                detail: "will revoke 2 credential(s) of support-copilot".into(),
            },
            OperationStep {
                name: "mark_killed".into(),
                agent_id: "agt_support".into(),
                status: StepStatus::Pending,
                detail: "will mark support-copilot killed".into(),
            },
            OperationStep {
                name: "runtime_hook".into(),
                agent_id: "agt_support".into(),
                status: StepStatus::Pending,
                detail: "will run command hook `kubectl`".into(),
            },
        ],
        created_at: fleet::wall(),
        finished_at: None,
    };
    app.handle_msg(Msg::KillPlan {
        agent_id: "agt_support".into(),
        cascade: false,
        result: Ok(plan),
    });
    insta::assert_snapshot!(render(&mut app, clock, 100, 34));
}

/// Marks support-copilot and ticket-triage, and evil…bot at the top.
fn mark_three(app: &mut App) {
    let space = KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE);
    key(app, KeyCode::Char('g'));
    app.handle_key(space);
    key(app, KeyCode::Char('G'));
    key(app, KeyCode::Char('k'));
    app.handle_key(space);
    app.handle_key(space);
}

#[test]
fn agents_view_with_marks() {
    let (mut app, clock) = fleet::app();
    mark_three(&mut app);
    key(&mut app, KeyCode::Char('g'));
    insta::assert_snapshot!(render(&mut app, clock, 120, 14));
}

#[test]
fn bulk_kill_dialog() {
    let (mut app, clock) = fleet::app();
    mark_three(&mut app);
    filter(&mut app, "env:prod");
    key(&mut app, KeyCode::Char('K'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    for c in "kill 3".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(render(&mut app, clock, 100, 30));
}

#[test]
fn owner_picker() {
    let (mut app, clock) = fleet::app();
    filter(&mut app, "ticket-triage");
    key(&mut app, KeyCode::Char('o'));
    insta::assert_snapshot!(render(&mut app, clock, 100, 24));
}

#[test]
fn alerts_view() {
    let (mut app, clock) = fleet::app();
    let mut acked = fleet::alert("alr_2", "agt_support", Severity::Critical);
    acked.status = AlertStatus::Acknowledged;
    acked.rule = "R07".into();
    acked.summary = "admin grant used outside business hours".into();
    let mut crit = fleet::alert("alr_3", "agt_mcp", Severity::Critical);
    crit.rule = "R12".into();
    crit.summary = "credential used from a new network".into();
    crit.created_at = clock.wall - chrono::Duration::seconds(20);
    let mut unknown = fleet::alert("alr_4", "agt_elsewhere", Severity::Low);
    unknown.summary = "agent not in this registry".into();
    unknown.created_at = clock.wall - chrono::Duration::hours(2);
    app.handle_msg(Msg::Source {
        backend: 0,
        event: warden::sources::SourceEvent::Synced {
            changes: Box::new(warden::api::Changes {
                cursor: 11,
                alerts: vec![acked, crit, unknown],
                ..Default::default()
            }),
            latency: std::time::Duration::from_millis(12),
        },
    });
    key(&mut app, KeyCode::Char(':'));
    for c in "alerts".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(render(&mut app, clock, 120, 14));
}

#[test]
fn help() {
    let (mut app, clock) = fleet::app();
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(render(&mut app, clock, 100, 34));
}

#[test]
fn backend_down_keeps_the_last_good_state() {
    let (mut app, clock) = fleet::app();
    app.handle_msg(Msg::Source {
        backend: 0,
        event: warden::sources::SourceEvent::Failed {
            error: "cannot reach the backend at http://127.0.0.1:7878: connection refused".into(),
            retry_in: std::time::Duration::from_secs(4),
        },
    });
    let screen = render(&mut app, clock, 120, 12);
    assert!(screen.contains("DOWN"), "{screen}");
    assert!(
        screen.contains("support-copilot"),
        "the last good state stays: {screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn a_terminal_too_small_says_how_large_is_enough_in_full() {
    let (mut app, clock) = fleet::app();
    let screen = render(&mut app, clock, 20, 6);
    // The rendering quotes each line; the words run on across them.
    let text = screen.replace('"', " ");
    let words: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(
        words.join(" "),
        "Warden: enlarge the terminal (20x7 at least)",
        "{screen}"
    );
}

#[test]
fn every_size_renders_without_panicking() {
    let (mut app, clock) = fleet::app();
    for (w, h) in [
        (1, 1),
        (10, 3),
        (19, 6),
        (20, 7),
        (40, 10),
        (80, 24),
        (300, 100),
    ] {
        render(&mut app, clock, w, h);
    }
    key(&mut app, KeyCode::Char('K'));
    for (w, h) in [(1, 1), (20, 7), (30, 12), (80, 24)] {
        render(&mut app, clock, w, h);
    }
}

#[test]
fn empty_tables_render_at_every_small_size() {
    let (mut app, clock) = fleet::app();
    filter(&mut app, "no-agent-is-called-this");
    assert!(app.panes.agents.order.is_empty());
    for w in 1..=40 {
        for h in 1..=12 {
            render(&mut app, clock, w, h);
        }
    }
    let screen = render(&mut app, clock, 80, 12);
    assert!(screen.contains("no agent matches the filter"), "{screen}");
}

#[test]
fn people_view() {
    let (mut app, clock) = fleet::app();
    command(&mut app, "people");
    insta::assert_snapshot!("people_view_80x24", render(&mut app, clock, 80, 24));
    insta::assert_snapshot!("people_view_200x60", render(&mut app, clock, 200, 60));
}

#[test]
fn creds_view() {
    let (mut app, clock) = fleet::app();
    // One past its expiry the backend has not swept yet.
    let mut late = fleet::credential("crd_late", "agt_mcp", Some(-2), CredentialStatus::Active);
    late.scopes = vec!["repo:read".into()];
    late.last_used_at = None;
    app.handle_msg(Msg::Source {
        backend: 0,
        event: warden::sources::SourceEvent::Synced {
            changes: Box::new(warden::api::Changes {
                cursor: 11,
                credentials: vec![late],
                ..Default::default()
            }),
            latency: std::time::Duration::from_millis(12),
        },
    });
    command(&mut app, "creds");
    key(&mut app, KeyCode::Char('j'));
    insta::assert_snapshot!("creds_view_80x24", render(&mut app, clock, 80, 24));
    insta::assert_snapshot!("creds_view_200x60", render(&mut app, clock, 200, 60));
}

fn audit_entry(
    seq: i64,
    actor: &str,
    action: &str,
    target: &str,
    reason: Option<&str>,
    result: &str,
) -> AuditEntry {
    AuditEntry {
        seq,
        at: fleet::wall() - chrono::Duration::seconds(600 - seq * 20),
        actor: actor.into(),
        action: action.into(),
        target: target.into(),
        reason: reason.map(Into::into),
        result: result.into(),
        prev_hash: "0".repeat(64),
        hash: "1".repeat(64),
    }
}

fn audit_entries() -> Vec<AuditEntry> {
    vec![
        audit_entry(
            40,
            "token:bootstrap-admin",
            "agent.register",
            "agt_support (support-copilot)",
            None,
            "ok",
        ),
        audit_entry(
            41,
            "token:bootstrap-admin",
            "credential.issue",
            "crd_s1 of agt_support (support-copilot)",
            None,
            "ok, expires in 30d",
        ),
        audit_entry(
            42,
            "rule:R18",
            "alert.open",
            "alr_1 on agt_triage",
            None,
            "high: killed agent keeps presenting credentials",
        ),
        audit_entry(
            43,
            "ada@corp.example (token ada-laptop)",
            "agent.suspend",
            "agt_mcp (mcp-github)",
            Some("INC-42: data sent to an unknown host"),
            "status suspended",
        ),
        audit_entry(
            44,
            "ada@corp.example (token ada-laptop)",
            "agent.kill",
            "agt_old (op_1)",
            Some("evil\u{1b}[2J\u{202e}reason"),
            "failed: runtime hook timed out",
        ),
    ]
}

#[test]
fn audit_view() {
    let (mut app, clock) = fleet::app();
    command(&mut app, "audit");
    app.handle_msg(Msg::Audit(Ok(audit_entries())));
    app.handle_msg(Msg::AuditVerified(Ok(warden::api::AuditVerification {
        ok: false,
        entries: 44,
        first_bad: Some(43),
        problem: Some("entry 43 does not match its hash".into()),
        attack: None,
        checkpoints: None,
    })));
    insta::assert_snapshot!("audit_view_broken_80x24", render(&mut app, clock, 80, 24));
    app.handle_msg(Msg::AuditVerified(Ok(warden::api::AuditVerification {
        ok: true,
        entries: 44,
        first_bad: None,
        problem: None,
        attack: None,
        checkpoints: None,
    })));
    insta::assert_snapshot!("audit_view_200x60", render(&mut app, clock, 200, 60));
}

/// ticket-triage acts for support-copilot, which acts for Ada; it
/// delegates on to mcp-github, which loops back to it; its activity over
/// the hour and its trail have arrived.
fn enriched_detail() -> (App, Clock) {
    enriched_detail_with(Vec::new())
}

fn enriched_detail_with(tokens: Vec<LiveExchangedToken>) -> (App, Clock) {
    let (mut app, clock) = fleet::app();
    let delegation = |id: &str,
                      parent_agent: Option<&str>,
                      parent_person: Option<&str>,
                      child: &str| Delegation {
        id: id.into(),
        parent_agent: parent_agent.map(Into::into),
        parent_person: parent_person.map(Into::into),
        child_agent: child.into(),
        on_behalf_of: Some("per_ada".into()),
        scopes: vec!["tickets:read".into()],
        created_at: fleet::wall() - chrono::Duration::days(5),
        rev: 2,
    };
    app.handle_msg(Msg::Source {
        backend: 0,
        event: warden::sources::SourceEvent::Synced {
            changes: Box::new(warden::api::Changes {
                cursor: 11,
                delegations: vec![
                    delegation("dlg_2", None, Some("per_ada"), "agt_support"),
                    delegation("dlg_3", Some("agt_triage"), None, "agt_mcp"),
                    delegation("dlg_4", Some("agt_mcp"), None, "agt_triage"),
                ],
                ..Default::default()
            }),
            latency: std::time::Duration::from_millis(12),
        },
    });
    filter(&mut app, "ticket-triage");
    key(&mut app, KeyCode::Enter);
    let agent = app.fleet.agent("agt_triage").unwrap().clone();
    // A quiet hour, a burst twenty minutes ago, and the current minute.
    let activity: Vec<u32> = (0..60u32)
        .map(|m| match m {
            38..=42 => 40 + (m - 38) * 10,
            59 => 7,
            _ => (m % 7) + 2,
        })
        .collect();
    let mut detail = fleet::detail(agent, activity);
    detail.exchanged_tokens = tokens;
    app.handle_msg(Msg::Detail {
        agent_id: "agt_triage".into(),
        result: Ok(detail),
    });
    app.handle_msg(Msg::Trail {
        agent_id: "agt_triage".into(),
        result: Ok(vec![
            audit_entry(
                12,
                "token:bootstrap-admin",
                "agent.register",
                "agt_triage (ticket-triage)",
                None,
                "ok",
            ),
            audit_entry(
                13,
                "token:bootstrap-admin",
                "credential.issue",
                "crd_t1 of agt_triage (ticket-triage)",
                None,
                "ok, expires in 30d",
            ),
            audit_entry(
                20,
                "token:bootstrap-admin",
                "delegation.add",
                "dlg_1: agt_support (support-copilot) -> agt_triage (ticket-triage)",
                None,
                "scopes tickets:read",
            ),
            audit_entry(
                31,
                "people-sync",
                "person.offboard",
                "per_alan (alan@corp.example)",
                Some("left the company"),
                "ok",
            ),
            audit_entry(
                42,
                "rule:R18",
                "alert.open",
                "alr_1 on agt_triage",
                None,
                "high: killed agent keeps presenting credentials",
            ),
        ]),
    });
    (app, clock)
}

#[test]
fn detail_view_enriched() {
    let (mut app, clock) = enriched_detail();
    insta::assert_snapshot!(
        "detail_view_enriched_80x24",
        render(&mut app, clock, 80, 24)
    );
    insta::assert_snapshot!(
        "detail_view_enriched_200x60",
        render(&mut app, clock, 200, 60)
    );
}

/// Issue 17: the live tokens exchanged through the agent, each under the
/// delegations of the tree it was exchanged along.
#[test]
fn detail_view_with_exchanged_tokens_under_their_links() {
    let token = |jti: &str, act: &[&str], minutes: i64| LiveExchangedToken {
        jti: jti.into(),
        sub: "per_ada".into(),
        act: act.iter().map(|a| a.to_string()).collect(),
        scopes: vec!["tickets:read".into()],
        audience: vec!["helpdesk".into()],
        expires_at: fleet::wall() + chrono::Duration::minutes(minutes),
    };
    let (mut app, clock) = enriched_detail_with(vec![
        token("tkx_3", &["agt_support", "agt_triage", "agt_mcp"], 14),
        token("tkx_2", &["agt_support", "agt_triage"], 9),
        token("tkx_1", &["agt_support", "agt_triage"], 3),
    ]);
    let screen = render(&mut app, clock, 200, 60);
    assert!(
        screen.contains(
            "│  │ ↳ token until 08:14:00 UTC · Ada Lovelace → support-copilot → ticket-triage"
        ),
        "{screen}"
    );
    insta::assert_snapshot!("detail_view_with_exchanged_tokens_200x60", screen);
}
