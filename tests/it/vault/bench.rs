//! How long the first read of a large Vault takes: 10,000 tokens and 1,000
//! AppRole secret-ids on a dev server, read by one snapshot. Ignored: the
//! setup alone takes a while. Run it with
//! `cargo test --test it vault::bench -- --ignored --nocapture`;
//! `WARDEN_BENCH_VAULT_TOKENS` and `WARDEN_BENCH_VAULT_SECRET_IDS` change
//! the counts, `WARDEN_BENCH_VAULT_CONCURRENCY` the lookups in flight.

use crate::support::bao::Bao;
use futures_util::stream::{self, StreamExt};
use serde_json::json;
use std::time::Instant;
use warden::vault::ReadPlan;

fn count(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a timing, not a test: minutes of setup"]
async fn first_read_of_10k_tokens_and_1k_secret_ids() {
    let Some(bao) = Bao::start().await else {
        return;
    };
    let tokens = count("WARDEN_BENCH_VAULT_TOKENS", 10_000);
    let secret_ids = count("WARDEN_BENCH_VAULT_SECRET_IDS", 1_000);
    let concurrency = count("WARDEN_BENCH_VAULT_CONCURRENCY", 16);

    let setup = Instant::now();
    bao.enable_approle("approle").await;
    bao.create_role(
        "approle",
        "agents",
        json!({ "token_policies": ["default"] }),
    )
    .await;
    let bao_ref = &bao;
    stream::iter(0..tokens)
        .map(|i| async move {
            bao_ref
                .create_token(json!({
                    "policies": ["default"], "ttl": "2h",
                    "meta": { "warden_agent": format!("agt-{i}") }
                }))
                .await
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    stream::iter(0..secret_ids)
        .map(|i| async move {
            let meta = format!("{{\"warden_agent\":\"agt-{i}\"}}");
            bao_ref
                .create_secret_id("approle", "agents", json!({ "metadata": meta }))
                .await
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    let setup = setup.elapsed();

    let vault = bao.client();
    let plan = ReadPlan {
        token_accessors: true,
        approle_mounts: vec!["approle".into()],
        concurrency,
        ..ReadPlan::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let started = Instant::now();
        let snap = vault.snapshot(&plan).await.unwrap();
        runs.push(started.elapsed());
        // The root token besides those made here.
        assert_eq!(snap.tokens.len(), tokens + 1);
        assert_eq!(snap.secret_ids.len(), secret_ids);
        assert!(snap.warnings.is_empty(), "{:?}", snap.warnings);
    }
    // The floor beside it, from the same run: as many requests, with as
    // many in flight, to the cheapest path Vault has (sys/health): what a
    // read costs before any lookup work.
    let requests = tokens + 1 + secret_ids;
    let started = Instant::now();
    stream::iter(0..requests)
        .map(|_| async {
            let _ = vault.health().await;
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<_>>()
        .await;
    let floor = started.elapsed();
    println!(
        "vault bench: {tokens} tokens + {secret_ids} secret-ids created in {setup:.1?}; \
         snapshot with {concurrency} in flight: {:.2?} then {:.2?}; \
         floor ({requests} GET sys/health, {concurrency} in flight): {floor:.2?}",
        runs[0], runs[1]
    );
}
