//! The dashboard's side of a Vault of 10,000 tokens and 1,000 AppRole
//! secret-ids beside 10,000 agents: linking a read to the agents and
//! merging it the first time, a read that changed nothing (compared by the
//! source, off the dashboard's loop), and a read with 200 tokens changed. The reads over HTTP themselves (one lookup per
//! accessor) are measured against a real OpenBao and written in the
//! README; this isolates what the dashboard adds. Beside them, the floor:
//! one clone of the same read, which any merge of it must at least cost.

#![allow(clippy::unwrap_used)] // a bench may unwrap

use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use warden::api::Changes;
use warden::config::vault::VaultSettings;
use warden::demo::fleet;
use warden::fleet::origin::Qualify;
use warden::sources::SourceEvent;
use warden::tui::app::{App, BackendKind, Options};
use warden::tui::msg::Msg;
use warden::vault::{SecretIdInfo, TokenInfo, VaultSnapshot};

const AGENTS: usize = 10_000;
const TOKENS: usize = 10_000;
const SECRET_IDS: usize = 1_000;

fn warden_sync() -> (Msg, Vec<String>) {
    let f = fleet::generate(AGENTS, 42, chrono::Utc::now());
    let names = f.import.agents.iter().map(|a| a.name.clone()).collect();
    let mut changes = Changes {
        cursor: 1,
        full: true,
        agents: f.import.agents,
        people: f.import.people,
        credentials: f.import.credentials.into_iter().map(|(c, _)| c).collect(),
        grants: f.import.grants,
        delegations: f.import.delegations,
        ..Changes::default()
    };
    changes.qualify("prod");
    let msg = Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(changes),
            latency: Default::default(),
        },
    };
    (msg, names)
}

/// Half the tokens and every secret-id name an agent; the rest none.
fn snapshot(names: &[String]) -> VaultSnapshot {
    let now = chrono::Utc::now();
    let meta = |i: usize| -> BTreeMap<String, String> {
        match i % 2 {
            0 => BTreeMap::from([("warden_agent".into(), names[i % names.len()].clone())]),
            _ => BTreeMap::from([("team".into(), "ci".into())]),
        }
    };
    VaultSnapshot {
        tokens: (0..TOKENS)
            .map(|i| TokenInfo {
                accessor: format!("acc{i:06}"),
                display_name: format!("token-{i}"),
                policies: vec!["default".into(), "app".into()],
                ttl: 3600,
                expire_time: Some(now + chrono::Duration::hours(1)),
                creation_time: Some(now),
                meta: meta(i),
                path: "auth/token/create".into(),
                ..TokenInfo::default()
            })
            .collect(),
        secret_ids: (0..SECRET_IDS)
            .map(|i| SecretIdInfo {
                mount: "approle".into(),
                role: format!("role{}", i % 50),
                accessor: format!("sid{i:05}"),
                metadata: meta(2 * i),
                creation_time: Some(now),
                expiration: Some(now + chrono::Duration::days(1)),
                ..SecretIdInfo::default()
            })
            .collect(),
        ..VaultSnapshot::default()
    }
}

fn read(snapshot: &VaultSnapshot) -> Msg {
    Msg::Source {
        backend: 1,
        event: SourceEvent::Vault {
            snapshot: Box::new(snapshot.clone()),
            settings: Arc::new(VaultSettings::default()),
            latency: Default::default(),
        },
    }
}

fn app(sync: &Msg) -> App {
    let mut app = App::with_backends(
        &[("prod", "http://p"), ("bao", "http://127.0.0.1:8200")],
        Options::default(),
    );
    app.backends[1].kind = BackendKind::Vault;
    app.handle_msg(sync.clone());
    app
}

fn bench(c: &mut Criterion) {
    let (sync, names) = warden_sync();
    let snap = snapshot(&names);
    let mut g = c.benchmark_group("vault_11k_identities");
    g.sample_size(20);
    g.bench_function("floor: clone the read", |b| {
        b.iter(|| black_box(snap.clone()))
    });
    g.bench_function("first read: link and merge", |b| {
        b.iter_batched(
            || (app(&sync), read(&snap)),
            |(mut app, msg)| {
                app.handle_msg(msg);
                black_box(app.fleet.unclaimed().count())
            },
            criterion::BatchSize::LargeInput,
        )
    });
    let mut warm = app(&sync);
    warm.handle_msg(read(&snap));
    assert_eq!(warm.fleet.unclaimed().count(), TOKENS / 2);
    // A read that found what the last one did never reaches the dashboard's
    // loop: the source compares it, on its own task.
    let same = snap.clone();
    g.bench_function("unchanged read: the source's comparison", |b| {
        b.iter(|| black_box(same == snap))
    });
    // A read with 100 tokens gone and 100 new: linked and merged again.
    let mut next = snap.clone();
    next.tokens.drain(..100);
    let fresh: Vec<TokenInfo> = (0..100)
        .map(|i| TokenInfo {
            accessor: format!("new{i:04}"),
            display_name: format!("new-{i}"),
            ..next.tokens[i].clone()
        })
        .collect();
    next.tokens.extend(fresh);
    let mut flip = false;
    g.bench_function("changed read (200 tokens): link and merge", |b| {
        b.iter_batched(
            || {
                flip = !flip;
                read(if flip { &next } else { &snap })
            },
            |msg| {
                warm.handle_msg(msg);
                black_box(warm.fleet.generation)
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
