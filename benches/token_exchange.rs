//! Token exchange at fleet scale (issue #17, item 8): a reference backend
//! in this process over a fresh SQLite file seeded with the demo fleet at
//! 100,000 agents, and RFC 8693 exchanges timed one by one over loopback
//! HTTP: a person's token for an agent (one hop), and that token for the
//! next agent (two hops). The requirement is a median of at most 5 ms.
//!
//! `cargo bench --bench token_exchange` (EXCHANGE_BENCH_AGENTS changes the
//! 100,000). Prints one JSON object; the README's Performance section
//! quotes it.

#![allow(clippy::unwrap_used)] // a bench may unwrap

use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;
use warden::api::{NewAgent, NewPerson};
use warden::config::ServeConfig;
use warden::model::{AgentKind, Role};
use warden::secrets;
use warden::server::store::{Actor, DelegationInput, Store, TokenSpec};
use warden::server::{self};

const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";
const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const RUNS: usize = 1000;

fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    (sorted[i] * 1000.0).round() / 1000.0
}

async fn time_exchanges(
    http: &reqwest::Client,
    url: &str,
    subject: &str,
    actor: &str,
    scope: &str,
) -> (Vec<f64>, String) {
    let body = form(&[
        ("grant_type", GRANT),
        ("subject_token", subject),
        ("subject_token_type", ACCESS),
        ("actor_token", actor),
        ("actor_token_type", ACCESS),
        ("scope", scope),
        ("audience", "crm"),
    ]);
    let mut times = Vec::with_capacity(RUNS);
    let mut last = String::new();
    for i in 0..RUNS + 50 {
        let t = Instant::now();
        let resp = http
            .post(format!("{url}/v1/oauth/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        if i >= 50 {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        last = v["access_token"].as_str().unwrap().to_string();
    }
    times.sort_by(f64::total_cmp);
    (times, last)
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("EXCHANGE_BENCH_AGENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        server::open_store(&format!("sqlite:{}", dir.path().join("bench.db").display())).unwrap();
    let actor = Actor::new("bench");
    let t = Instant::now();
    let fleet = warden::demo::fleet::generate(n, 42, chrono::Utc::now());
    store.import(&actor, fleet.import).await.unwrap();
    eprintln!("seeded {n} agents in {:.1} s", t.elapsed().as_secs_f64());

    let person = store
        .create_person(
            &actor,
            &NewPerson {
                name: "Pat Bench".into(),
                email: "pat@bench.example".into(),
                team: None,
                manager: None,
            },
        )
        .await
        .unwrap();
    let pat = secrets::new_person_token();
    let mut spec = TokenSpec::session("pat-bench", Role::Viewer, &pat);
    spec.person = Some(person.id.clone());
    store.create_token(&actor, &spec).await.unwrap();
    let mut secrets_of = Vec::new();
    for name in ["bench-planner", "bench-worker"] {
        store
            .create_agent(
                &actor,
                &NewAgent {
                    name: name.into(),
                    kind: AgentKind::Autonomous,
                    environment: "prod".into(),
                    owner: Some(person.id.clone()),
                    description: None,
                    runtime: None,
                    labels: Default::default(),
                },
            )
            .await
            .unwrap();
    }
    for (parent_person, parent_agent, child, scopes) in [
        (
            Some(person.id.clone()),
            None,
            "bench-planner",
            vec!["crm:read", "tickets:read"],
        ),
        (
            None,
            Some("bench-planner".to_string()),
            "bench-worker",
            vec!["crm:read"],
        ),
    ] {
        store
            .add_delegation(
                &actor,
                &DelegationInput {
                    parent_agent,
                    parent_person,
                    child_agent: child.into(),
                    on_behalf_of: Some(person.id.clone()),
                    scopes: scopes.iter().map(|s| s.to_string()).collect(),
                    approval: None,
                    by_person: None,
                    by_admin: true,
                },
            )
            .await
            .unwrap();
    }
    for (name, scopes) in [
        ("bench-planner", vec!["crm:read"]),
        ("bench-worker", vec!["crm:read"]),
    ] {
        let agent = store.resolve_agent(name).await.unwrap();
        let secret = secrets::new_agent_secret();
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        store
            .issue_credential(
                &actor,
                &agent.id,
                &scopes,
                None,
                &secrets::hash(&secret),
                &secrets::display_prefix(&secret),
            )
            .await
            .unwrap();
        secrets_of.push(secret);
    }

    let mut config = ServeConfig::default();
    config.rules.sweep_interval_seconds = 0;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = server::start(
        store.clone(),
        config,
        Some("bench-admin-0123456789"),
        listener,
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let (one, first) = time_exchanges(&http, &running.url, &pat, &secrets_of[0], "crm:read").await;
    let (two, _) = time_exchanges(&http, &running.url, &first, &secrets_of[1], "crm:read").await;
    running.shutdown().await;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "{}",
        json!({
            "agents": n,
            "exchanges_each": RUNS,
            "one_hop_ms": {"median": percentile(&one, 0.5), "p95": percentile(&one, 0.95), "p99": percentile(&one, 0.99)},
            "two_hops_ms": {"median": percentile(&two, 0.5), "p95": percentile(&two, 0.95), "p99": percentile(&two, 0.99)},
            "requirement": "median <= 5 ms",
            "met": percentile(&one, 0.5) <= 5.0 && percentile(&two, 0.5) <= 5.0,
            "cores": cores,
        })
    );
}
