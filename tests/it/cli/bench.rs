//! `warden bench` end to end through the real binary, on a small fleet:
//! one line of JSON with every figure of issue 6, each a sane number. The
//! timings themselves are not checked; a test machine is not the 2-core
//! machine the targets are for.

use crate::support::cli::{Run, warden};
use serde_json::Value;

#[test]
fn bench_prints_one_json_object_with_every_figure() {
    let home = tempfile::tempdir().expect("tempdir");
    let r = Run::of(warden(home.path()).args([
        "bench",
        "--agents",
        "200",
        "--json",
        "--poll-seconds",
        "1",
        "--ingest-seconds",
        "1",
    ]));
    r.assert_code(0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stdout: {}", r.stdout);
    let v: Value = serde_json::from_str(lines[0]).expect("JSON");
    for key in [
        "render_ms",
        "filter_ms",
        "sort_ms",
        "apply_changes_ms",
        "full_sync_s",
        "client_rss_mb",
        "poll_p99_ms",
        "ingest_events_per_s",
        "kill_ms",
    ] {
        let x = v[key].as_f64();
        assert!(
            x.is_some_and(|x| x.is_finite() && x >= 0.0),
            "{key}: {}",
            v[key]
        );
    }
    // Each was really measured: a sync, frames, requests all take time.
    for key in [
        "render_ms",
        "full_sync_s",
        "poll_p99_ms",
        "kill_ms",
        "filter_field_ms",
        "filter_field_max_ms",
    ] {
        assert!(v[key].as_f64().unwrap_or(0.0) > 0.0, "{key}: {}", v[key]);
    }
    assert!(v["ingest_events_per_s"].as_f64().unwrap_or(0.0) >= 1.0);
    // Not the bare code and data of the binary, and not the machine.
    let rss = v["client_rss_mb"].as_f64().unwrap_or(0.0);
    assert!(rss > 1.0 && rss < 4096.0, "client_rss_mb {rss}");
    assert_eq!(v["agents"], 200);
    assert!(v["credentials"].as_u64().is_some_and(|c| c >= 600));
    assert_eq!(v["poll_errors"], 0);
    assert!(
        v["polls"].as_u64().is_some_and(|p| p >= 100),
        "{}",
        v["polls"]
    );
    assert!(v["machine"].as_str().is_some_and(|m| !m.is_empty()));
    // The floors, measured in the same run: a bare parse of the first
    // sync's bytes, and the same event rows inserted straight into SQLite.
    let parse = v["raw_parse_s"].as_f64().unwrap_or(0.0);
    assert!(
        parse > 0.0 && parse < v["full_sync_s"].as_f64().unwrap_or(0.0),
        "{v}"
    );
    assert!(v["sync_bytes"].as_u64().is_some_and(|b| b > 10_000), "{v}");
    assert!(
        v["sync_over_parse"].as_f64().is_some_and(|r| r > 1.0),
        "{v}"
    );
    assert!(
        v["raw_insert_rows_per_s"]
            .as_f64()
            .is_some_and(|r| r >= 1_000.0),
        "{v}"
    );
    // Detection while ingesting: each action found its alert (the figure
    // itself is the release build's; a debug build on a busy CI machine is
    // several times slower).
    assert!(v["detect_samples"].as_u64().is_some_and(|n| n >= 1), "{v}");
    for key in ["detect_p50_ms", "detect_p99_ms", "detect_first_sweep_s"] {
        let x = v[key].as_f64().unwrap_or(f64::NAN);
        assert!(x.is_finite() && x > 0.0, "{key}: {}", v[key]);
    }
    assert!(
        r.stderr.contains("warden bench:"),
        "progress on stderr: {}",
        r.stderr
    );
    // Seeding, timed and told: the generator, then the bulk import with
    // its progress and its index build.
    for key in ["generate_s", "import_s", "bench_s", "server_peak_mb"] {
        let x = v[key].as_f64().unwrap_or(f64::NAN);
        assert!(x.is_finite() && x > 0.0, "{key}: {}", v[key]);
    }
    let rows = v["import_rows"].as_u64().unwrap_or(0);
    assert!(rows > 200 + 600, "{v}");
    assert_eq!(v["store"], "sqlite");
    assert!(v.get("dashboard_error").is_none(), "{v}");
    assert!(
        r.stderr
            .contains(&format!("importing: {rows} of {rows} rows"))
            && r.stderr.contains("building the indexes"),
        "{}",
        r.stderr
    );
}

#[test]
fn bench_help_names_its_options_and_figures() {
    let home = tempfile::tempdir().expect("tempdir");
    let r = Run::of(warden(home.path()).args(["bench", "--help"]));
    r.assert_code(0);
    for word in [
        "--agents",
        "--credentials",
        "--json",
        "--database",
        "poll_p99_ms",
        "raw_parse_s",
        "raw_insert_rows_per_s",
        "import_s",
    ] {
        assert!(r.stdout.contains(word), "{word} in --help: {}", r.stdout);
    }
}
