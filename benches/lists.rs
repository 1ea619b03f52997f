//! Every list but the agents table at 100,000 agents, through the app as a
//! user drives it: the alerts (153,334: one to three an agent),
//! credentials (about 200,000), people (4,000), triage (a case for every
//! agent: 100,000) and audit (its ring of the newest 5,000 entries) views. For each, a `/`
//! keystroke to the frame that shows it (typing a word and erasing it, as
//! `warden bench` does for the agents; the median is the figure issue 15
//! holds to 50 ms), a keystroke of a field term, and the list's sort (its
//! rebuild when a poll changes the fleet, or when a report arrives).
//!
//! `cargo bench --bench lists`; `LISTS_BENCH_AGENTS` changes the 100,000.

#![allow(clippy::unwrap_used)] // a bench may unwrap

use chrono::{Duration, Utc};
use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Instant;
use warden::api::{Changes, TriageCase, TriageReason, TriageReport};
use warden::demo::fleet;
use warden::model::{Alert, AlertStatus, AuditEntry, Severity};
use warden::sources::SourceEvent;
use warden::tui::app::{App, Options};
use warden::tui::msg::Msg;
use warden::tui::theme::Theme;
use warden::tui::views::{self, Clock};

const RULES: &[(&str, Severity)] = &[
    ("R01", Severity::High),
    ("R03", Severity::Medium),
    ("R07", Severity::Critical),
    ("R11", Severity::Low),
    ("R17", Severity::High),
    ("R18", Severity::Medium),
    ("R21", Severity::Info),
];

fn agents() -> usize {
    std::env::var("LISTS_BENCH_AGENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

/// The demo generator's fleet, with one to three alerts an agent (open,
/// acknowledged and resolved), as a backend's first answer.
fn first_sync(n: usize) -> Changes {
    let f = fleet::generate(n, 42, Utc::now());
    let now = Utc::now();
    let alerts = f
        .import
        .agents
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            let count = 1 + (i % 3 == 0) as usize + (i % 5 == 0) as usize;
            (0..count).map(move |k| {
                let (rule, severity) = RULES[(i + k) % RULES.len()];
                let created = now - Duration::minutes(((i * 7 + k) % 50_000) as i64);
                Alert {
                    id: format!("alr_{i:08}_{k}"),
                    agent_id: Some(a.id.clone()),
                    rule: rule.into(),
                    severity,
                    summary: format!("{rule} on {}", a.name),
                    evidence: format!("{} calls to paste.example in 5 minutes", 10 + i % 90),
                    mapping: vec!["NHI1".into()],
                    status: match (i + k) % 4 {
                        0 | 1 => AlertStatus::Open,
                        2 => AlertStatus::Acknowledged,
                        _ => AlertStatus::Resolved,
                    },
                    source: "warden".into(),
                    created_at: created,
                    updated_at: created,
                    acknowledged_by: None,
                    ack_reason: None,
                    resolved_at: None,
                    snoozed_until: None,
                    snoozed_by: None,
                    snooze_reason: None,
                    rev: 1,
                }
            })
        })
        .collect();
    Changes {
        cursor: 1,
        full: true,
        agents: f.import.agents,
        people: f.import.people,
        credentials: f.import.credentials.into_iter().map(|(c, _)| c).collect(),
        grants: f.import.grants,
        delegations: f.import.delegations,
        alerts,
        removed: Vec::new(),
        ..Changes::default()
    }
}

fn triage(changes: &Changes) -> TriageReport {
    let now = Utc::now();
    TriageReport {
        generated_at: now,
        activity_days: 30,
        cases: changes
            .agents
            .iter()
            .map(|a| TriageCase {
                agent: a.clone(),
                reason: if a.owner.is_none() {
                    TriageReason::Unowned
                } else {
                    TriageReason::OwnerDeparted
                },
                departed_owner: None,
                since: a.created_at,
                risk: None,
                highest_level: None,
                suggestions: Vec::new(),
            })
            .collect(),
    }
}

/// `n` entries from sequence number `from`.
fn audit(from: usize, n: usize) -> Vec<AuditEntry> {
    let now = Utc::now();
    (from..from + n)
        .map(|i| AuditEntry {
            seq: i as i64 + 1,
            at: now - Duration::seconds((from + n - i) as i64),
            actor: format!("person:oncall{}@corp.example", i % 40),
            action: [
                "agent.kill",
                "credential.revoke",
                "alert.ack",
                "agent.owner",
            ][i % 4]
                .into(),
            target: format!("agt_{i:014}"),
            reason: Some(format!("INC-{}", i % 700)),
            result: "ok".into(),
            prev_hash: "0".repeat(64),
            hash: format!("{i:064}"),
        })
        .collect()
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn command(app: &mut App, text: &str) {
    key(app, KeyCode::Char(':'));
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
    key(app, KeyCode::Enter);
}

/// A poll that changes one alert: the fleet's generation moves, so each
/// list sorts again.
fn nudge(app: &mut App, changes: &Changes, round: usize) {
    let mut alert = changes.alerts[round % changes.alerts.len()].clone();
    alert.updated_at = Utc::now();
    alert.evidence = format!("seen again ({round})");
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(Changes {
                cursor: 2 + round as i64,
                alerts: vec![alert],
                ..Changes::default()
            }),
            latency: Default::default(),
        },
    });
}

/// `/` on the list shown: a word typed a key at a time and erased, over
/// and over (each iteration one key to its frame); then a field term and
/// one more letter, alternately, so that every keystroke filters the whole
/// list again (timed from the last key's filter to its frame).
fn keystrokes(
    group: &mut BenchmarkGroup<'_, WallTime>,
    app: &mut App,
    frame: &mut dyn FnMut(&App),
    view: &str,
    word: &str,
    field: &str,
) {
    let keys: Vec<KeyCode> = word
        .chars()
        .map(KeyCode::Char)
        .chain(std::iter::repeat_n(KeyCode::Backspace, word.len()))
        .collect();
    key(app, KeyCode::Char('/'));
    let mut k = 0usize;
    group.bench_function(format!("{view}: a / keystroke to its frame"), |b| {
        b.iter(|| {
            key(app, keys[k % keys.len()]);
            k += 1;
            app.prepare();
            frame(app);
        })
    });
    // Leave the prompt with the word erased.
    while k % keys.len() != 0 {
        key(app, keys[k % keys.len()]);
        k += 1;
    }
    key(app, KeyCode::Esc);

    let terms = [field.to_string(), format!("{field} s")];
    let mut k = 0usize;
    group.bench_function(format!("{view}: a field-term keystroke"), |b| {
        b.iter_custom(|iters| {
            let mut took = std::time::Duration::ZERO;
            for _ in 0..iters {
                key(app, KeyCode::Char('/'));
                let term = &terms[k % 2];
                k += 1;
                for c in term[..term.len() - 1].chars() {
                    key(app, KeyCode::Char(c));
                }
                app.prepare();
                let last = term.chars().last().unwrap_or(' ');
                let t = Instant::now();
                key(app, KeyCode::Char(last));
                app.prepare();
                frame(app);
                took += t.elapsed();
                // Esc in the prompt clears the filter.
                key(app, KeyCode::Esc);
                app.prepare();
            }
            took
        })
    });
    app.prepare();
}

fn benches(c: &mut Criterion) {
    let n = agents();
    let changes = first_sync(n);
    let report = triage(&changes);
    let mut app = App::new("bench", "http://127.0.0.1:7878", Options::default());
    app.resize(200, 60);
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(changes.clone()),
            latency: Default::default(),
        },
    });
    app.handle_msg(Msg::Triage {
        backend: 0,
        result: Ok(report.clone()),
    });
    app.handle_msg(Msg::Audit(Ok(audit(0, 5_000))));
    let theme = Theme::dark();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut frame = |app: &App| {
        let clock = Clock {
            now: Instant::now(),
            wall: Utc::now(),
        };
        terminal
            .draw(|f| views::draw(f, app, &theme, clock))
            .unwrap();
    };

    let mut group = c.benchmark_group(format!("{}k agents", n / 1000));
    group.sample_size(20);
    // A word each list holds somewhere, and a field term of each.
    let views: [(&str, &str, &str); 5] = [
        ("alerts", "support", "sev:high"),
        ("creds", "support", "status:active"),
        ("people", "lovelace", "team:support"),
        ("triage", "support", "env:prod"),
        ("audit", "revoke", "action:kill"),
    ];
    for (view, word, field) in views {
        command(&mut app, view);
        app.prepare();
        frame(&app);

        // A list without `/` (the audit view, on this branch) is timed on
        // its sort alone.
        if app.screen().def().list_filter_ref(&app).is_some() {
            keystrokes(&mut group, &mut app, &mut frame, view, word, field);
        }

        // The sort: a poll moves the fleet and the list is built again
        // (triage and audit sort when their report or entries arrive).
        let mut round = 0usize;
        match view {
            "triage" => group.bench_function(format!("{view}: sort a report"), |b| {
                b.iter_batched(
                    || report.clone(),
                    |r| {
                        app.handle_msg(Msg::Triage {
                            backend: 0,
                            result: Ok(r),
                        });
                        app.prepare();
                        frame(&app);
                    },
                    BatchSize::LargeInput,
                )
            }),
            "audit" => group.bench_function(format!("{view}: take 5,000 new entries"), |b| {
                b.iter_batched(
                    || {
                        round += 1;
                        audit(round * 5_000, 5_000)
                    },
                    |entries| {
                        app.handle_msg(Msg::Audit(Ok(entries)));
                        app.prepare();
                        frame(&app);
                    },
                    BatchSize::LargeInput,
                )
            }),
            _ => group.bench_function(format!("{view}: sort after a poll"), |b| {
                b.iter(|| {
                    round += 1;
                    nudge(&mut app, &changes, round);
                    app.prepare();
                    frame(&app);
                })
            }),
        };
    }
    group.finish();
}

criterion_group!(lists, benches);
criterion_main!(lists);
