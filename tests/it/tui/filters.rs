//! `/` in every list, not only the agents table: each list's own fields
//! in the agents' syntax, the match count in the prompt and the title, a
//! bad term named with the last good filter kept, Esc clearing it, and
//! `:alerts rule:R17` opening a screen already filtered.

use crate::support::dashboard::{command, key, render, typed};
use crate::support::fleet;
use crossterm::event::KeyCode;
use warden::model::{AlertStatus, Severity};
use warden::tui::app::{App, Level, Prompt};
use warden::tui::screens::Screen;

fn with_alerts() -> App {
    let mut changes = fleet::changes();
    let mut shadow = fleet::alert("alr_r17", "agt_support", Severity::Critical);
    shadow.rule = "R17".into();
    shadow.summary = "acts for shadow-helper, which is not in the registry".into();
    let mut low = fleet::alert("alr_low", "agt_triage", Severity::Low);
    low.rule = "R09".into();
    low.status = AlertStatus::Acknowledged;
    changes.alerts.extend([shadow, low]);
    fleet::synced(changes).0
}

fn alert_ids(app: &App) -> Vec<&str> {
    app.panes.alerts.order.iter().map(String::as_str).collect()
}

#[test]
fn slash_filters_the_alerts_by_field_and_text_and_says_how_many() {
    let mut app = with_alerts();
    command(&mut app, "alerts");
    assert_eq!(alert_ids(&app).len(), 3);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "rule:R17");
    assert_eq!(app.screen(), &Screen::Alerts, "filtered in place");
    let screen = render(&mut app, fleet::app().1, 120, 20);
    assert_eq!(alert_ids(&app), ["alr_r17"]);
    assert!(screen.contains("1 of 3 match"), "{screen}");
    key(&mut app, KeyCode::Enter);
    let screen = render(&mut app, fleet::app().1, 120, 20);
    assert!(screen.contains("· 1 of 3 match /rule:R17"), "{screen}");

    for (filter, want) in [
        ("severity:high", vec!["alr_r17", "alr_1"]),
        ("sev:critical", vec!["alr_r17"]),
        ("status:ack", vec!["alr_low"]),
        ("!status:open", vec!["alr_low"]),
        ("agent:triage", vec!["alr_1", "alr_low"]),
        ("owner:ada", vec!["alr_r17"]),
        ("shadow-helper", vec!["alr_r17"]),
    ] {
        key(&mut app, KeyCode::Char('/'));
        while !matches!(&app.prompt, Prompt::Filter { input, .. } if input.text().is_empty()) {
            key(&mut app, KeyCode::Backspace);
        }
        typed(&mut app, filter);
        key(&mut app, KeyCode::Enter);
        let mut got = alert_ids(&app);
        got.sort();
        let mut want = want.clone();
        want.sort();
        assert_eq!(got, want, "{filter}");
    }
}

#[test]
fn a_bad_term_is_named_and_the_last_good_filter_stays_and_esc_clears() {
    let mut app = with_alerts();
    command(&mut app, "alerts");
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "rule:R17 owner:");
    let Prompt::Filter { error, .. } = &app.prompt else {
        panic!("{:?}", app.prompt)
    };
    assert!(
        error.as_deref().unwrap_or("").contains("owner"),
        "{error:?}"
    );
    // Each keystroke that parsed was applied; the one that did not is not.
    assert_eq!(
        app.panes.alerts.filter.text, "rule:R17 owner",
        "the last good one stays"
    );
    typed(&mut app, "x");
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "bogus:1");
    let Prompt::Filter { error, .. } = &app.prompt else {
        panic!()
    };
    let error = error.clone().unwrap_or_default();
    assert!(
        error.contains("rule, severity, status, agent, owner, source"),
        "{error}"
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(alert_ids(&app).len(), 3, "Esc clears the filter");
}

#[test]
fn the_screen_commands_take_a_filter() {
    let mut app = with_alerts();
    command(&mut app, "alerts rule:R17");
    assert_eq!(app.screen(), &Screen::Alerts);
    assert_eq!(alert_ids(&app), ["alr_r17"]);
    command(&mut app, "agents owner:none");
    assert_eq!(app.screen(), &Screen::Agents);
    assert_eq!(app.panes.agents.filter_text, "owner:none");
    command(&mut app, "people nosuch:x");
    let f = app.flash.as_ref().expect("a flash");
    assert_eq!(f.level, Level::Error);
    assert!(f.text.contains("name, email, team, status"), "{}", f.text);
}

#[test]
fn credentials_and_people_filter_on_their_own_fields() {
    let (mut app, clock) = fleet::app();
    command(&mut app, "creds status:revoked");
    assert_eq!(app.panes.creds.order, ["crd_o1"]);
    command(&mut app, "creds agent:support scope:write");
    assert_eq!(app.panes.creds.order, ["crd_s1", "crd_s2"]);
    command(&mut app, "people status:departed");
    let ids: Vec<&str> = app
        .panes
        .people
        .rows
        .iter()
        .map(|r| r.person_id.as_str())
        .collect();
    assert_eq!(ids, ["per_alan"]);
    command(&mut app, "people team:payments");
    let screen = render(&mut app, clock, 120, 20);
    assert!(screen.contains("Katherine Johnson"), "{screen}");
    assert!(!screen.contains("Ada Lovelace"), "{screen}");
    assert!(screen.contains("1 of 4 match /team:payments"), "{screen}");
}

#[test]
fn the_triage_queue_filters_on_its_own_fields() {
    let (mut app, clock) = fleet::app();
    command(&mut app, "triage");
    app.handle_msg(warden::tui::msg::Msg::Triage {
        backend: 0,
        result: Ok(fleet::triage_report()),
    });
    let agents = |app: &App| -> Vec<String> {
        app.panes
            .triage
            .cases
            .iter()
            .map(|c| c.agent.name.clone())
            .collect()
    };
    assert_eq!(agents(&app).len(), 2);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "owner:alan");
    key(&mut app, KeyCode::Enter);
    assert_eq!(agents(&app), ["ticket-triage"]);
    let screen = render(&mut app, clock, 120, 30);
    assert!(screen.contains("1 of 2 match /owner:alan"), "{screen}");
    command(&mut app, "triage suggests:none");
    assert_eq!(agents(&app), ["mcp-github"]);
    command(&mut app, "triage suggests:grace risk:high");
    assert_eq!(agents(&app), ["ticket-triage"]);
}

/// The list holds one copy of its ids when nothing is filtered; a filter,
/// a poll under it, clearing it and filtering again each give the right
/// rows.
#[test]
fn filtering_clearing_and_polling_keep_the_rows_right() {
    let mut app = with_alerts();
    command(&mut app, "alerts rule:R17");
    assert_eq!(alert_ids(&app), ["alr_r17"]);
    // A poll brings a new R17 while filtered.
    let mut again = fleet::alert("alr_r17b", "agt_triage", Severity::High);
    again.rule = "R17".into();
    app.handle_msg(warden::tui::msg::Msg::Source {
        backend: 0,
        event: warden::sources::SourceEvent::Synced {
            changes: Box::new(warden::api::Changes {
                cursor: 11,
                alerts: vec![again],
                ..warden::api::Changes::default()
            }),
            latency: std::time::Duration::from_millis(1),
        },
    });
    app.panes.alerts.refresh(&app.fleet);
    assert_eq!(alert_ids(&app), ["alr_r17", "alr_r17b"]);
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Esc);
    assert_eq!(alert_ids(&app).len(), 4, "cleared: every alert");
    command(&mut app, "alerts sev:critical");
    assert_eq!(alert_ids(&app), ["alr_r17"]);
    assert_eq!(app.panes.alerts.filter.total, 4);
}

fn audit_entry(seq: i64, actor: &str, action: &str) -> warden::model::AuditEntry {
    warden::model::AuditEntry {
        seq,
        at: fleet::wall(),
        actor: actor.into(),
        action: action.into(),
        target: format!("agt_{seq} (bot-{seq})"),
        reason: (seq % 2 == 0).then(|| format!("INC-{seq}")),
        result: "ok".into(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

#[test]
fn the_audit_tail_filters_and_keeps_following_new_entries() {
    use warden::tui::msg::Msg;
    let (mut app, clock) = fleet::app();
    command(&mut app, "audit");
    app.handle_msg(Msg::Audit(Ok((1..=40)
        .map(|s| {
            let (actor, action) = match s % 4 {
                0 => ("rule:R17", "alert.open"),
                1 => ("oncall", "agent.kill"),
                _ => ("oncall", "agent.suspend"),
            };
            audit_entry(s, actor, action)
        })
        .collect())));
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "action:kill");
    key(&mut app, KeyCode::Enter);
    let screen = render(&mut app, clock, 140, 30);
    assert!(screen.contains("· 10 of 40 match /action:kill"), "{screen}");
    assert!(!screen.contains("agent.suspend"), "{screen}");
    // The tail still follows: a new kill arrives at the bottom, selected.
    app.handle_msg(Msg::Audit(Ok(vec![
        audit_entry(41, "oncall", "agent.kill"),
        audit_entry(42, "oncall", "agent.suspend"),
    ])));
    render(&mut app, clock, 140, 30);
    assert_eq!(app.panes.audit.selected().map(|e| e.seq), Some(41));
    assert_eq!(app.panes.audit.len(), 11);
    for (filter, n) in [
        ("actor:rule why:none", 0),
        ("!by:oncall", 10),
        ("why:INC-4", 3),
        ("target:bot-40", 1),
    ] {
        key(&mut app, KeyCode::Char('/'));
        while !matches!(&app.prompt, Prompt::Filter { input, .. } if input.text().is_empty()) {
            key(&mut app, KeyCode::Backspace);
        }
        typed(&mut app, filter);
        key(&mut app, KeyCode::Enter);
        render(&mut app, clock, 140, 30);
        assert_eq!(app.panes.audit.len(), n, "{filter}");
    }
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "zzz-nothing");
    key(&mut app, KeyCode::Enter);
    let screen = render(&mut app, clock, 140, 30);
    assert!(
        screen.contains("no entry held matches the filter"),
        "{screen}"
    );
    key(&mut app, KeyCode::Esc);
    render(&mut app, clock, 140, 30);
    assert_eq!(app.panes.audit.len(), 42, "Esc clears it");
}

#[test]
fn the_unclaimed_identities_filter_on_their_own_fields() {
    let (mut app, clock) = crate::support::vault_fleet::app();
    command(&mut app, "unclaimed");
    render(&mut app, clock, 140, 30);
    let all = app.panes.unclaimed.rows.len();
    assert!(all >= 2, "{all}");
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "risk:root");
    key(&mut app, KeyCode::Enter);
    let screen = render(&mut app, clock, 140, 30);
    assert!(
        app.panes.unclaimed.rows.iter().all(|r| r.root) && !app.panes.unclaimed.rows.is_empty(),
        "{screen}"
    );
    assert!(
        screen.contains(&format!(
            "· {} of {all} match /risk:root",
            app.panes.unclaimed.rows.len()
        )),
        "{screen}"
    );
    key(&mut app, KeyCode::Char('/'));
    while !matches!(&app.prompt, Prompt::Filter { input, .. } if input.text().is_empty()) {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "!risk:root kind:secret");
    key(&mut app, KeyCode::Enter);
    render(&mut app, clock, 140, 30);
    assert!(
        app.panes
            .unclaimed
            .rows
            .iter()
            .all(|r| !r.root && r.kind == warden::fleet::vault::IdentityKind::SecretId),
        "{:?}",
        app.panes.unclaimed.rows
    );
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, " colour:blue");
    let Prompt::Filter { error, .. } = &app.prompt else {
        panic!("{:?}", app.prompt)
    };
    assert!(
        error
            .as_deref()
            .unwrap_or("")
            .contains("kind, name, policy, risk, detail"),
        "an unknown field names the list's fields: {error:?}"
    );
}
