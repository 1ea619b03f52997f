//! The dashboard's hot paths at 100,000 agents: applying the first sync
//! (the summary form the dashboard asks for: agents with their credential
//! and grant counts), a filter keystroke, a re-sort, applying a poll of
//! 1,000 changes, and drawing one frame of the agents view. `warden bench`
//! measures the same paths end to end, over HTTP; these isolate them.

#![allow(clippy::unwrap_used)] // a bench may unwrap

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;
use warden::api::{Changes, Holdings};
use warden::cli::commands::bench::thousand_changes;
use warden::demo::fleet;
use warden::fleet::filter::Filter;
use warden::fleet::state::Fleet;
use warden::model::{Credential, CredentialStatus};
use warden::sources::SourceEvent;
use warden::tui::app::{App, Options};
use warden::tui::msg::Msg;
use warden::tui::screens::agents::state::SortKey;
use warden::tui::theme::Theme;
use warden::tui::views::{self, Clock};

const AGENTS: usize = 100_000;

/// The first sync in the summary form, and every credential (what a
/// backend would list, for the polls that revoke some).
fn first_sync() -> (Changes, Vec<Credential>) {
    let f = fleet::generate(AGENTS, 42, chrono::Utc::now());
    let now = chrono::Utc::now();
    let credentials: Vec<Credential> = f.import.credentials.into_iter().map(|(c, _)| c).collect();
    let mut held: BTreeMap<String, Holdings> = BTreeMap::new();
    fn of<'a>(held: &'a mut BTreeMap<String, Holdings>, id: &str) -> &'a mut Holdings {
        held.entry(id.to_string()).or_insert_with(|| Holdings {
            agent_id: id.to_string(),
            ..Holdings::default()
        })
    }
    for c in &credentials {
        let h = of(&mut held, &c.agent_id);
        h.credentials += 1;
        if c.status == CredentialStatus::Active && c.expires_at.is_none_or(|e| e > now) {
            h.live_credentials += 1;
            h.next_expiry = h.next_expiry.min(c.expires_at).or(c.expires_at);
        }
    }
    for g in &f.import.grants {
        let h = of(&mut held, &g.agent_id);
        h.grants += 1;
        h.highest_level = h.highest_level.max(Some(g.level));
    }
    let changes = Changes {
        cursor: 1,
        full: true,
        agents: f.import.agents,
        people: f.import.people,
        delegations: f.import.delegations,
        summary: true,
        summaries: held.into_values().collect(),
        ..Changes::default()
    };
    (changes, credentials)
}

fn synced_app(changes: &Changes) -> App {
    let mut app = App::new("bench", "http://127.0.0.1:7878", Options::default());
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(changes.clone()),
            latency: Default::default(),
        },
    });
    app.resize(200, 60);
    app
}

fn benches(c: &mut Criterion) {
    let (changes, all) = first_sync();
    let mut group = c.benchmark_group("100k agents");
    group.sample_size(10);

    group.bench_function("apply the first sync", |b| {
        b.iter_batched(
            || changes.clone(),
            |ch| {
                let mut fleet = Fleet::new();
                fleet.apply(ch);
                black_box(fleet.len())
            },
            criterion::BatchSize::LargeInput,
        )
    });

    let mut app = synced_app(&changes);
    group.bench_function("filter keystroke", |b| {
        // A different filter every time, more of them than the table keeps
        // (it keeps the last eight orders, and narrows a small result):
        // each iteration scans the fleet, a keystroke's worst case.
        let texts: Vec<String> = ('a'..='z').map(|c| format!("env:prod {c}")).collect();
        let mut k = 0;
        b.iter(|| {
            k = (k + 1) % texts.len();
            app.panes
                .agents
                .set_filter(Filter::parse(&texts[k]).unwrap(), &texts[k]);
            app.prepare();
            black_box(app.panes.agents.order.len())
        })
    });

    let fleet_only = synced_app(&changes);
    group.bench_function("raw filter matches", |b| {
        let f = Filter::parse("env:prod sup").unwrap();
        b.iter(|| {
            let agents = fleet_only.fleet.agents();
            let n = agents
                .iter()
                .filter(|a| {
                    f.matches(&warden::fleet::filter::Subject {
                        agent: a,
                        owner: None,
                        risk: None,
                    })
                })
                .count();
            black_box(n)
        })
    });

    let mut app = synced_app(&changes);
    group.bench_function("re-sort by owner", |b| {
        b.iter(|| {
            app.panes.agents.sort_by(SortKey::Owner);
            app.prepare();
            black_box(app.panes.agents.order.len())
        })
    });

    // Polls of 1,000 changes as a backend sends them: 700 agents seen
    // again (one in ten changing status), 300 credentials revoked; each
    // round a different slice of the fleet.
    let mut app = synced_app(&changes);
    let polls: Vec<Changes> = (0..8)
        .map(|round| thousand_changes(&app, &all, round))
        .collect();
    let mut round = 0usize;
    group.bench_function("apply a poll of 1,000 changes", |b| {
        b.iter_batched(
            || {
                round += 1;
                let mut poll = polls[round % polls.len()].clone();
                poll.cursor = 1 + round as i64;
                poll
            },
            |poll| {
                app.handle_msg(Msg::Source {
                    backend: 0,
                    event: SourceEvent::Synced {
                        changes: Box::new(poll),
                        latency: Default::default(),
                    },
                });
                black_box(app.panes.agents.order.len())
            },
            criterion::BatchSize::LargeInput,
        )
    });

    let app = synced_app(&changes);
    let theme = Theme::dark();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let clock = Clock {
        now: Instant::now(),
        wall: chrono::Utc::now(),
    };
    group.bench_function("render the agents view at 200x60", |b| {
        b.iter(|| {
            terminal
                .draw(|f| views::draw(f, &app, &theme, clock))
                .unwrap();
        })
    });
    group.finish();
}

criterion_group!(dashboard, benches);
criterion_main!(dashboard);
