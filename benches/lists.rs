//! Every list but the agents table, through the app as a user drives it,
//! fed as the app is fed now: the first sync in the summary form (agents,
//! people and alerts in full, each agent's credentials and grants counted),
//! then `:creds`, which reads every credential a page at a time
//! (`GET /v1/credentials?after=&limit=`, [`PAGE`] a page) while the view
//! shows what it holds. At 100,000 agents: alerts (153,334: one to three
//! an agent), credentials (300,000: three an agent, as `warden bench`
//! seeds), people (4,000), triage (a case for every agent: 100,000, the
//! fleet's agents all without an owner, as such a queue would have them)
//! and audit (its ring of the newest 5,000 entries). For each: one frame, a
//! `/` keystroke to the frame that shows it (typing a word and erasing it,
//! as `warden bench` does for the agents), a field term's last key and a
//! word's first letter after it, and the list's sort (its rebuild when a
//! poll changes the fleet; the audit's when entries arrive). Triage is also timed taking in a new
//! report, printed beside what parsing that report's JSON costs (the
//! dashboard parses it off its thread; taking it in is on it). `:creds`
//! is also timed once from its command to the
//! frame that shows the first page, and to the frame that shows the last
//! (printed on stderr with the process's peak memory).
//!
//! `cargo bench --bench lists`; `LISTS_BENCH_AGENTS` changes the 100,000
//! (at 1,000,000, criterion's samples are fewer: `LISTS_BENCH_SAMPLES`).

#![allow(clippy::unwrap_used)] // a bench may unwrap

use chrono::{Duration, Utc};
use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Instant;
use warden::api::{Changes, Holdings, TriageCase, TriageReason, TriageReport};
use warden::demo::fleet;
use warden::model::{
    Alert, AlertStatus, AuditEntry, Credential, CredentialStatus, GrantLevel, Severity,
};
use warden::sources::SourceEvent;
use warden::tui::app::{App, Options};
use warden::tui::effects::credentials::PAGE;
use warden::tui::msg::{Effect, Msg};
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

fn samples() -> usize {
    std::env::var("LISTS_BENCH_SAMPLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if agents() > 300_000 { 10 } else { 20 })
}

/// The demo generator's credentials, made three an agent as `warden bench`
/// seeds them (the added ones of varied status and expiry, so the sort has
/// work to do), by id: what `GET /v1/credentials` pages through.
fn credentials(f: &mut fleet::DemoFleet, n: usize) -> Vec<Credential> {
    let now = Utc::now();
    let mut all: Vec<Credential> = std::mem::take(&mut f.import.credentials)
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let ids: Vec<String> = f.import.agents.iter().map(|a| a.id.clone()).collect();
    let mut k = 0usize;
    while all.len() < 3 * n && !ids.is_empty() {
        let agent_id = ids[k % ids.len()].clone();
        all.push(Credential {
            id: format!("crd_bench{k:09}"),
            agent_id,
            scopes: vec!["tickets:read".into()],
            prefix: format!("wdn_{:04x}", k % 65_536),
            issued_at: now - Duration::days(1 + (k % 300) as i64),
            expires_at: (k % 4 != 0).then(|| now + Duration::hours((k % 5_000) as i64 - 100)),
            last_used_at: None,
            status: match k % 10 {
                0 => CredentialStatus::Revoked,
                1 => CredentialStatus::Expired,
                _ => CredentialStatus::Active,
            },
            revoked_at: None,
            revoked_reason: None,
            replaced_by: None,
            fingerprint: None,
            rev: 1,
        });
        k += 1;
    }
    all.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    all
}

/// What the summary form counts of each agent's credentials and grants.
fn summaries(f: &fleet::DemoFleet, credentials: &[Credential]) -> Vec<Holdings> {
    let now = Utc::now();
    let index: std::collections::HashMap<&str, usize> = f
        .import
        .agents
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut out: Vec<Holdings> = f
        .import
        .agents
        .iter()
        .map(|a| Holdings {
            agent_id: a.id.clone(),
            ..Holdings::default()
        })
        .collect();
    for c in credentials {
        if let Some(&i) = index.get(c.agent_id.as_str()) {
            out[i].credentials += 1;
            if c.status == CredentialStatus::Active && c.expires_at.is_none_or(|t| t > now) {
                out[i].live_credentials += 1;
            }
        }
    }
    for g in &f.import.grants {
        if let Some(&i) = index.get(g.agent_id.as_str()) {
            out[i].grants += 1;
            let level: Option<GrantLevel> = Some(g.level);
            out[i].highest_level = out[i].highest_level.max(level);
        }
    }
    out
}

/// The demo generator's fleet, with one to three alerts an agent (open,
/// acknowledged and resolved), as a backend's first answer in the summary
/// form; and every credential, by id.
fn first_sync(n: usize) -> (Changes, Vec<Credential>) {
    let mut f = fleet::generate(n, 42, Utc::now());
    // Every agent is a triage case (see `triage`): the fleet agrees.
    for a in &mut f.import.agents {
        a.owner = None;
    }
    let credentials = credentials(&mut f, n);
    let summaries = summaries(&f, &credentials);
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
    let changes = Changes {
        cursor: 1,
        full: true,
        agents: f.import.agents,
        people: f.import.people,
        delegations: f.import.delegations,
        alerts,
        summary: true,
        summaries,
        ..Changes::default()
    };
    (changes, credentials)
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
                reason: TriageReason::Unowned,
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

/// What parsing the report's JSON costs (`GET /v1/triage`'s answer,
/// parsed on the effect's task): the floor beside taking it in.
fn report_parse(report: &TriageReport) {
    let bytes = serde_json::to_vec(report).unwrap();
    let mut took: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let parsed: TriageReport = serde_json::from_slice(&bytes).unwrap();
            let s = t.elapsed().as_secs_f64();
            drop(parsed);
            s
        })
        .collect();
    took.sort_by(f64::total_cmp);
    eprintln!(
        "lists: triage: the report's JSON, {} cases in {:.1} MB, parses in {:.1} ms (median of 5)",
        report.cases.len(),
        bytes.len() as f64 / 1e6,
        took[2] * 1e3
    );
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn command(app: &mut App, text: &str) -> Vec<Effect> {
    key(app, KeyCode::Char(':'));
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
    key(app, KeyCode::Enter)
}

/// The process's peak resident memory, in MiB (Linux).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// `:creds` as the dashboard opens it: the command asks for every
/// credential, the pages come in as `GET /v1/credentials` answers them
/// (each to its frame, as the run loop draws after every message), and
/// the view shows what it holds. Prints the command to the first page's
/// frame, to the last page's, and the slowest page.
fn open_creds(app: &mut App, all: &[Credential], frame: &mut dyn FnMut(&App)) {
    let t = Instant::now();
    let effects = command(app, "creds");
    assert!(
        effects.contains(&Effect::FetchCredentials { backend: 0 }),
        "{effects:?}"
    );
    app.prepare();
    frame(app);
    let pages: Vec<&[Credential]> = all.chunks(PAGE).collect();
    let (mut first, mut slowest) = (None, std::time::Duration::ZERO);
    for (i, page) in pages.iter().enumerate() {
        let p = Instant::now();
        let msg = if i + 1 == pages.len() {
            Msg::Credentials {
                backend: 0,
                result: Ok(page.to_vec()),
            }
        } else {
            Msg::CredentialsPage {
                backend: 0,
                page: page.to_vec(),
            }
        };
        app.handle_msg(msg);
        app.prepare();
        frame(app);
        slowest = slowest.max(p.elapsed());
        first.get_or_insert(t.elapsed());
    }
    let whole = t.elapsed();
    assert_eq!(
        app.panes.creds.order.len(),
        all.len(),
        "every credential listed"
    );
    eprintln!(
        "lists: :creds, {} credentials in {} pages of {PAGE}: the first page on screen {:.1} ms, \
         the last {:.2} s, the slowest page to its frame {:.1} ms; peak memory {:.0} MiB",
        all.len(),
        pages.len(),
        first.unwrap_or_default().as_secs_f64() * 1e3,
        whole.as_secs_f64(),
        slowest.as_secs_f64() * 1e3,
        peak_mb().unwrap_or(f64::NAN),
    );
}

/// A poll that changes one alert: the fleet's generation moves, so each
/// list sorts again.
fn nudge(app: &mut App, alerts: &[Alert], round: usize) {
    let mut alert = alerts[round % alerts.len()].clone();
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
/// and over (each iteration one key to its frame); then a field term's
/// last key, which filters the whole list again, and a word's first letter
/// after the term, which narrows the term's rows (each timed from the key
/// to its frame).
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

    // The field term's last key passes over the whole list (the text
    // before it did not parse, or was free text); then a word after it
    // narrows the term's rows, reading each row's free text.
    for (what, term) in [
        ("a field-term keystroke", field.to_string()),
        ("free text after a field term", format!("{field} s")),
    ] {
        group.bench_function(format!("{view}: {what}"), |b| {
            b.iter_custom(|iters| {
                let mut took = std::time::Duration::ZERO;
                for _ in 0..iters {
                    key(app, KeyCode::Char('/'));
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
    }
    app.prepare();
}

fn benches(c: &mut Criterion) {
    let n = agents();
    let t = Instant::now();
    let (changes, all_credentials) = first_sync(n);
    eprintln!(
        "lists: {n} agents, {} alerts, {} credentials generated in {:.1} s",
        changes.alerts.len(),
        all_credentials.len(),
        t.elapsed().as_secs_f64()
    );
    let report = triage(&changes);
    // What the polls change: a few alerts, not a copy of the fleet.
    let some_alerts: Vec<Alert> = changes.alerts.iter().step_by(97).cloned().collect();
    let mut app = App::new("bench", "http://127.0.0.1:7878", Options::default());
    app.resize(200, 60);
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(changes),
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

    open_creds(&mut app, &all_credentials, &mut frame);
    drop(all_credentials);
    command(&mut app, "agents");

    let mut group = c.benchmark_group(format!("{}k agents", n / 1000));
    group.sample_size(samples());
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
        group.bench_function(format!("{view}: a frame"), |b| {
            b.iter(|| {
                app.prepare();
                frame(&app);
            })
        });

        // A list without `/` (the audit view, on this branch) is timed on
        // its sort alone.
        if app.screen().def().list_filter_ref(&app).is_some() {
            keystrokes(&mut group, &mut app, &mut frame, view, word, field);
        }

        // The sort: a poll moves the fleet and the list is built again
        // (triage and audit sort when their report or entries arrive).
        let mut round = 0usize;
        match view {
            "triage" => {
                group.bench_function(format!("{view}: sort after a poll"), |b| {
                    b.iter(|| {
                        round += 1;
                        nudge(&mut app, &some_alerts, round);
                        app.prepare();
                        frame(&app);
                    })
                });
                report_parse(&report);
                group.bench_function(format!("{view}: take a new report"), |b| {
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
                })
            }
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
                    nudge(&mut app, &some_alerts, round);
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
