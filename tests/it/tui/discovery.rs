//! The discovery view (`:discovery`): every agent `warden discover
//! --register` reported, present ones with the most live secrets first;
//! each secret by kind, field and the fingerprint the backend sent (never
//! the secret), and the other agents holding the same key; `/` filters on
//! its own fields; Enter opens the agent and the agent keys act on it.

use crate::support::dashboard::{command, flash, key, render, typed};
use crate::support::discovered::{self, GITHUB, fingerprint};
use crate::support::fleet;
use crossterm::event::KeyCode;
use warden::tui::app::{App, Level};
use warden::tui::msg::Effect;
use warden::tui::screens::Screen;

fn names(app: &App) -> Vec<&str> {
    app.panes
        .discovery
        .rows()
        .map(|r| r.name.as_str())
        .collect()
}

#[test]
fn findings_list_present_and_most_secrets_first_with_their_fingerprints() {
    let (mut app, clock) = discovered::app();
    command(&mut app, "disc");
    assert_eq!(app.screen(), &Screen::Discovery);
    assert_eq!(
        names(&app),
        [
            "github (claude-code@laptop-ada)",
            "github (cursor@laptop-bob)",
            "travel-agent (a2a@ci-runner)",
            "notes (vscode@laptop-ada)",
        ],
        "registered agents are not findings"
    );
    let first = app.panes.discovery.rows().next().unwrap();
    assert_eq!(
        (
            first.client.as_str(),
            first.host.as_str(),
            first.location.as_str()
        ),
        ("claude-code", "laptop-ada", "/home/ada/.claude.json")
    );
    let secrets: Vec<(&str, &str, bool)> = first
        .secrets
        .iter()
        .map(|s| (s.kind.as_str(), s.field.as_str(), s.live))
        .collect();
    assert_eq!(
        secrets,
        [
            ("github", "env.GITHUB_TOKEN", true),
            ("openai", "env.OPENAI_API_KEY", true),
            ("slack", "env.SLACK_TOKEN", false),
        ]
    );
    assert_eq!(first.secrets[0].fingerprint, fingerprint(GITHUB));
    assert_eq!(first.secrets[0].shared_with, ["github (cursor@laptop-bob)"]);
    assert!(app.panes.discovery.rows().nth(3).unwrap().gone);

    let wide = render(&mut app, clock, 200, 40);
    assert!(wide.contains("discovered agents (4)"), "{wide}");
    assert!(wide.contains("2 with plaintext secrets"), "{wide}");
    assert!(
        wide.contains(&format!("sha256:{}", fingerprint(GITHUB))),
        "the pane shows the whole fingerprint: {wide}"
    );
    assert!(wide.contains(&format!("github {}…", &fingerprint(GITHUB)[..12])));
    assert!(
        wide.contains("also held by github (cursor@laptop-bob)"),
        "{wide}"
    );
    assert!(wide.contains("no longer in the config"), "{wide}");
    assert!(!wide.contains(GITHUB), "never the secret");
    // The gone one, selected: the pane says so.
    key(&mut app, KeyCode::Char('G'));
    let gone = render(&mut app, clock, 200, 40);
    assert!(gone.contains("(project /home/ada/src/app)"), "{gone}");
    assert!(
        gone.contains("gone: its source no longer reports it"),
        "{gone}"
    );
}

/// A poll of registered agents leaves the findings as they are; one that
/// changes a finding (its source no longer reports it) shows at once.
#[test]
fn polls_update_the_findings_they_touch() {
    let (mut app, _) = discovered::app();
    command(&mut app, "discovery");
    let before: Vec<String> = names(&app).iter().map(|n| n.to_string()).collect();
    let mut support = app.fleet.agent("agt_support").unwrap().clone();
    support.last_seen_at = Some(crate::support::fleet::wall());
    support.rev += 1;
    fleet::poll_agent(&mut app, 30, support);
    assert_eq!(names(&app), before);
    let mut cursor = app.fleet.agent("agt_disc_cursor").unwrap().clone();
    cursor
        .labels
        .insert("discovery.state".into(), "gone".into());
    cursor.rev += 1;
    fleet::poll_agent(&mut app, 31, cursor);
    assert_eq!(
        names(&app),
        [
            "github (claude-code@laptop-ada)",
            "travel-agent (a2a@ci-runner)",
            "github (cursor@laptop-bob)",
            "notes (vscode@laptop-ada)",
        ]
    );
    let mut ada = app.fleet.agent("agt_disc_github").unwrap().clone();
    ada.name = "github on ada's laptop".into();
    ada.rev += 1;
    fleet::poll_agent(&mut app, 32, ada);
    let shared = &app.panes.discovery.rows().nth(2).unwrap().secrets[0].shared_with;
    assert_eq!(shared, &["github on ada's laptop"], "a holder's new name");
}

/// The pane says which rules the finding raised, worst first; a resolved
/// alert is left out.
#[test]
fn the_pane_names_the_rules_a_finding_raised() {
    use warden::model::{AlertStatus, Severity};
    let mut changes = crate::support::fleet::changes();
    let found = discovered::changes();
    changes.agents.extend(found.agents);
    changes.credentials.extend(found.credentials);
    for (id, rule, severity, status) in [
        ("alr_d1", "R01", Severity::Medium, AlertStatus::Open),
        ("alr_d2", "R07", Severity::High, AlertStatus::Acknowledged),
        ("alr_d3", "R04", Severity::Low, AlertStatus::Resolved),
    ] {
        let mut a = crate::support::fleet::alert(id, "agt_disc_github", severity);
        a.rule = rule.into();
        a.status = status;
        changes.alerts.push(a);
    }
    let (mut app, clock) = crate::support::fleet::synced(changes);
    command(&mut app, "discovery");
    let screen = render(&mut app, clock, 120, 30);
    assert!(screen.contains("alerts R07 high · R01 medium"), "{screen}");
    assert!(!screen.contains("R04"), "{screen}");
}

#[test]
fn slash_filters_findings_on_their_own_fields() {
    let (mut app, _) = discovered::app();
    command(&mut app, "discovery");
    let fp = &fingerprint(GITHUB)[..10];
    for (filter, expected) in [
        (
            format!("fp:{fp}"),
            vec![
                "github (claude-code@laptop-ada)",
                "github (cursor@laptop-bob)",
            ],
        ),
        (
            "secret:openai".into(),
            vec!["github (claude-code@laptop-ada)"],
        ),
        ("state:gone".into(), vec!["notes (vscode@laptop-ada)"]),
        (
            "client:a2a flag:no-auth".into(),
            vec!["travel-agent (a2a@ci-runner)"],
        ),
        (
            "host:laptop-ada !state:gone".into(),
            vec!["github (claude-code@laptop-ada)"],
        ),
        ("secret:none".into(), vec!["travel-agent (a2a@ci-runner)"]),
        ("file:.cursor".into(), vec!["github (cursor@laptop-bob)"]),
        ("env.SLACK".into(), vec!["github (claude-code@laptop-ada)"]),
    ] {
        key(&mut app, KeyCode::Char('/'));
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Char('/'));
        typed(&mut app, &filter);
        key(&mut app, KeyCode::Enter);
        assert_eq!(names(&app), expected, "{filter}");
        assert_eq!(app.panes.discovery.filter.total, 4, "{filter}");
    }
    command(&mut app, &format!("disc fp:{fp}"));
    assert_eq!(names(&app).len(), 2, "the command takes a filter");
    command(&mut app, "disc owner:ada");
    let (level, text) = flash(&app);
    assert_eq!(level, Level::Error, "{text}");
    assert!(
        text.contains("client, host, state, kind, secret, fp, flag, file"),
        "names the list's fields: {text}"
    );
    assert_eq!(names(&app).len(), 2, "the last good filter stays");
}

#[test]
fn enter_opens_the_agent_and_the_agent_keys_act_on_it() {
    let (mut app, clock) = discovered::app();
    command(&mut app, "discovered");
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.current_agent().unwrap().id, "agt_disc_cursor");
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.screen(),
        &Screen::Detail {
            agent_id: "agt_disc_cursor".into()
        }
    );
    assert!(effects.contains(&Effect::FetchDetail {
        agent_id: "agt_disc_cursor".into()
    }));
    // The card says where it was found, where a registered agent's runtime
    // would be.
    let card = render(&mut app, clock, 160, 40);
    assert!(
        card.contains("found in    cursor's user config on laptop-bob: /home/bob/.cursor/mcp.json"),
        "{card}"
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), &Screen::Discovery);
    assert_eq!(
        app.panes.discovery.selected().unwrap().agent_id,
        "agt_disc_cursor",
        "the selection stays"
    );
    // `o` gives the shadow agent an owner: the picker opens on it.
    key(&mut app, KeyCode::Char('o'));
    assert!(matches!(app.overlay, warden::tui::app::Overlay::Picker(_)));
}

#[test]
fn an_empty_discovery_says_how_to_fill_it() {
    let (mut app, clock) = crate::support::fleet::app();
    command(&mut app, "discovery");
    let screen = render(&mut app, clock, 120, 24);
    assert!(screen.contains("warden discover --register"), "{screen}");
}

/// 20,000 findings with two secrets each (one of which a second finding
/// shares) beside 10,000 registered agents: opening the view, a filter
/// keystroke and a poll's rebuild stay linear. The bound is a guard
/// against quadratic work, not a figure: a debug build on a busy 2-core
/// machine takes about 1 s for each (and 50 ms a keystroke).
#[test]
fn the_view_stays_linear_over_twenty_thousand_findings() {
    use std::time::{Duration, Instant};
    use warden::model::{AgentKind, AgentStatus, CredentialStatus};
    let f = warden::demo::fleet::generate(10_000, 7, crate::support::fleet::wall());
    let mut changes = warden::api::Changes {
        cursor: 1,
        full: true,
        agents: f.import.agents,
        people: f.import.people,
        credentials: f.import.credentials.into_iter().map(|(c, _)| c).collect(),
        ..warden::api::Changes::default()
    };
    for i in 0..20_000 {
        let id = format!("agt_found{i:05}");
        let mut a = crate::support::fleet::agent(
            &id,
            &format!("server-{i} (cursor@laptop-{})", i % 500),
            AgentKind::McpServer,
            "unknown",
            None,
            AgentStatus::Active,
        );
        a.labels = [
            ("origin", "discovered".to_string()),
            ("discovery.state", "present".into()),
            ("discovery.client", "cursor".into()),
            ("discovery.host", format!("laptop-{}", i % 500)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        changes.agents.push(a);
        for (k, text) in [
            ("github", format!("ghp_{i}")),
            ("openai", format!("sk-{}", i / 2)),
        ] {
            let mut c = crate::support::fleet::credential(
                &format!("crd_found{i:05}{k}"),
                &id,
                None,
                CredentialStatus::Active,
            );
            c.prefix = format!("{k} key");
            c.scopes = vec![format!("discovered:env.{k}")];
            c.fingerprint = Some(fingerprint(&text));
            changes.credentials.push(c);
        }
    }
    let (mut app, clock) = crate::support::fleet::synced(changes);
    let timed = |what: &str, app: &mut App, f: &mut dyn FnMut(&mut App)| {
        let started = Instant::now();
        f(app);
        let took = started.elapsed();
        eprintln!("{what}: {took:?}");
        assert!(took < Duration::from_secs(10), "{what} took {took:?}");
    };
    timed("open", &mut app, &mut |app| {
        command(app, "discovery");
        render(app, clock, 200, 60);
    });
    assert_eq!(app.panes.discovery.len(), 20_000);
    let shared = &app.panes.discovery.rows().next().unwrap().secrets;
    assert!(
        shared.iter().any(|s| s.shared_with.len() == 1),
        "{shared:?}"
    );
    timed("filter keystroke", &mut app, &mut |app| {
        key(app, KeyCode::Char('/'));
        typed(app, "laptop-42");
        render(app, clock, 200, 60);
    });
    // laptop-42 and laptop-420 to 429: 40 findings each.
    assert_eq!(app.panes.discovery.len(), 11 * 40);
    // A poll that changes one finding rebuilds every row.
    let mut seen = app.fleet.agent("agt_found00042").unwrap().clone();
    seen.last_seen_at = Some(crate::support::fleet::wall());
    seen.rev += 1;
    let generation = app.fleet.generation;
    timed("poll rebuild", &mut app, &mut |app| {
        app.handle_msg(warden::tui::msg::Msg::Source {
            backend: 0,
            event: warden::sources::SourceEvent::Synced {
                changes: Box::new(warden::api::Changes {
                    cursor: 2,
                    agents: vec![seen.clone()],
                    ..warden::api::Changes::default()
                }),
                latency: Duration::from_millis(1),
            },
        });
        render(app, clock, 200, 60);
    });
    assert_ne!(
        app.fleet.generation, generation,
        "the poll changed the fleet"
    );
    assert_eq!(app.panes.discovery.len(), 11 * 40, "the filter stays");
}
