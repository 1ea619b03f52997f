//! `warden bench`: seeds a reference backend in this process, drives it
//! over loopback and prints the performance figures of issue 6, each
//! measured for real.
//!
//! The dashboard's figures come from a child process (this binary again,
//! with a hidden `--client-only`) that syncs over HTTP with the same client
//! and app the dashboard uses, then draws on a 200x60 `TestBackend`: its
//! resident memory is then the dashboard's alone, not the server's. The
//! server's figures (polling, ingest, kill) are taken in this process,
//! over HTTP, once the child is done.
//!
//! This file owns the figures and the command; `dashboard` and `server`
//! measure each side, and `report` prints them.

mod dashboard;
mod detection;
mod raw_insert;
mod report;
mod server;

pub use dashboard::thousand_changes;

use crate::cli::args::{BenchArgs, Global};
use crate::cli::error::{CliError, CmdResult};
use dashboard::client_side;
use report::table;
use serde::{Deserialize, Serialize};
use server::server_side;
use std::process::ExitCode;

/// Agents killed, one at a time, for `kill_ms`.
const KILLS: usize = 5;
/// Credentials each of them holds.
const KILL_CREDENTIALS: usize = 100;
/// Clients polling at once for `poll_p99_ms`.
const POLLERS: usize = 200;
/// Agents posting events at once, and the size of each batch.
const INGESTERS: usize = 16;
const BATCH: usize = 1_000;
/// The dashboard's size in the figures.
const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;
/// What the filter figure types, one key at a time, then erases.
const TYPED: &str = "support";
/// Typed the same way: a field term, then free text after it.
const TYPED_FIELD: &str = "env:prod support";

/// What the child (the dashboard side) measures.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ClientFigures {
    full_sync_s: f64,
    fetch_s: f64,
    apply_s: f64,
    render_ms: f64,
    filter_ms: f64,
    filter_max_ms: f64,
    /// [`TYPED_FIELD`]'s keystrokes, median and worst.
    #[serde(default)]
    filter_field_ms: f64,
    #[serde(default)]
    filter_field_max_ms: f64,
    sort_ms: f64,
    apply_changes_ms: f64,
    client_rss_mb: Option<f64>,
    agents_synced: usize,
    /// serde_json parsing the first sync's bytes, applying nothing.
    raw_parse_s: f64,
    /// The first sync's JSON, in bytes (after the transport's gzip).
    sync_bytes: usize,
    /// `:creds` at this size: every credential read from the backend in
    /// pages (`GET /v1/credentials?after=&limit=`), held, sorted and drawn.
    #[serde(default)]
    creds_view_s: f64,
    /// `:creds`: its first page drawn, when the view is usable.
    #[serde(default)]
    creds_first_page_s: f64,
    #[serde(default)]
    credentials_read: usize,
}

impl ClientFigures {
    /// No figures: what a failed dashboard side leaves (null in the JSON).
    fn missing() -> ClientFigures {
        ClientFigures {
            full_sync_s: f64::NAN,
            fetch_s: f64::NAN,
            apply_s: f64::NAN,
            render_ms: f64::NAN,
            filter_ms: f64::NAN,
            filter_max_ms: f64::NAN,
            filter_field_ms: f64::NAN,
            filter_field_max_ms: f64::NAN,
            sort_ms: f64::NAN,
            apply_changes_ms: f64::NAN,
            client_rss_mb: None,
            agents_synced: 0,
            raw_parse_s: f64::NAN,
            sync_bytes: 0,
            creds_view_s: f64::NAN,
            creds_first_page_s: f64::NAN,
            credentials_read: 0,
        }
    }
}

/// The one line `--json` prints.
#[derive(Debug, Serialize)]
struct Report {
    render_ms: f64,
    filter_ms: f64,
    sort_ms: f64,
    apply_changes_ms: f64,
    full_sync_s: f64,
    client_rss_mb: Option<f64>,
    poll_p99_ms: f64,
    ingest_events_per_s: f64,
    kill_ms: f64,
    agents: usize,
    credentials: usize,
    machine: String,
    /// Detail behind the figures above.
    fetch_s: f64,
    filter_max_ms: f64,
    /// A field term and free text typed, each key to its frame (median,
    /// worst): held to `filter_ms`'s target.
    filter_field_ms: f64,
    filter_field_max_ms: f64,
    polls: usize,
    poll_errors: usize,
    events: usize,
    /// The floor under `full_sync_s`: parsing the same bytes, no apply.
    raw_parse_s: f64,
    /// `full_sync_s` over `raw_parse_s` (the target is at most 3).
    sync_over_parse: f64,
    /// The first sync's JSON, in bytes (after the transport's gzip).
    sync_bytes: usize,
    /// `:creds`: every credential read in pages, held, sorted and drawn,
    /// and how many; the first page drawn, when the view is usable.
    creds_view_s: f64,
    creds_first_page_s: f64,
    credentials_read: usize,
    /// The ceiling over `ingest_events_per_s`: the same rows inserted
    /// straight into the same SQLite file, a transaction per batch (none
    /// on PostgreSQL).
    raw_insert_rows_per_s: Option<f64>,
    /// Detection (issue 20): an API action to its alert while ingesting.
    detect_p50_ms: f64,
    detect_p99_ms: f64,
    detect_samples: usize,
    /// A time threshold passing (a credential's expiry) to its alert's
    /// change, while ingesting; and the whole-fleet sweeps the detection
    /// server ran meanwhile (none is needed).
    detect_threshold_p50_ms: f64,
    detect_threshold_p99_ms: f64,
    detect_threshold_samples: usize,
    detect_sweeps: u64,
    /// The rules' first sweep of the seeded fleet, at server start.
    detect_first_sweep_s: f64,
    /// Seeding: generating the fleet, then importing it (every row of
    /// every table, indexes built, committed), and the rows imported.
    generate_s: f64,
    import_s: f64,
    import_rows: usize,
    /// `sqlite` or `postgres`.
    store: &'static str,
    /// This process's peak resident memory (VmHWM): the server side, the
    /// fleet as generated included (the dashboard side is `client_rss_mb`).
    server_peak_mb: Option<f64>,
    /// The whole run, from the first step to the report.
    bench_s: f64,
    /// Why the dashboard side gave no figures, when it did not (its
    /// figures are then null and the command fails after the report).
    #[serde(skip_serializing_if = "Option::is_none")]
    dashboard_error: Option<String>,
}

pub fn bench(global: &Global, args: BenchArgs) -> CmdResult {
    let runtime = super::dashboard::runtime()?;
    if args.client_only {
        // Only when asked: the first sync's phases (`warden::sync=debug`).
        if std::env::var_os("WARDEN_LOG").is_some() {
            crate::server::init_logging();
        }
        let url = global
            .url
            .clone()
            .ok_or_else(|| CliError::usage("--client-only needs WARDEN_URL"))?;
        let figures = runtime
            .block_on(client_side(&url, global.token.as_deref()))
            .map_err(|e| CliError::failed(format!("bench client: {e:#}")))?;
        let line = serde_json::to_string(&figures)
            .map_err(|e| CliError::failed(format!("cannot encode the figures: {e}")))?;
        println!("{line}");
        return Ok(ExitCode::SUCCESS);
    }
    let report = runtime
        .block_on(server_side(&args))
        .map_err(|e| CliError::failed(format!("bench: {e:#}")))?;
    if args.json {
        let line = serde_json::to_string(&report)
            .map_err(|e| CliError::failed(format!("cannot encode the figures: {e}")))?;
        println!("{line}");
    } else {
        print!("{}", table(&report));
    }
    match &report.dashboard_error {
        Some(why) => Err(CliError::failed(format!(
            "bench: the server's figures are above, the dashboard's are missing: {why}"
        ))),
        None => Ok(ExitCode::SUCCESS),
    }
}

fn progress(what: impl std::fmt::Display) {
    eprintln!("warden bench: {what}");
}

#[cfg(test)]
mod tests {
    use super::report::{median, percentile};
    use super::server::seed;
    use super::*;

    #[test]
    fn percentiles_and_medians() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(v.clone(), 99.0), 99.0);
        assert_eq!(percentile(v.clone(), 100.0), 100.0);
        assert_eq!(median(v), 50.5);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn the_seed_has_the_credentials_asked_and_heavy_victims() {
        let (import, victims, live) = seed(120, 1_000);
        assert_eq!(import.credentials.len(), 1_000);
        assert_eq!(victims.len(), KILLS);
        for v in &victims {
            let held = import
                .credentials
                .iter()
                .filter(|(c, _)| &c.agent_id == v)
                .count();
            assert!(held >= KILL_CREDENTIALS, "{held}");
        }
        assert!(!live.is_empty());
        assert!(live.iter().all(|a| !victims.contains(&a.agent_id)));
    }
}
