//! The report: the readable table of each figure against its target, and
//! the arithmetic and `/proc` readings the figures are made of.

use super::Report;
use std::time::Duration;

/// The readable table: each figure, its target and whether it is met.
pub(super) fn table(r: &Report) -> String {
    let rss = r.client_rss_mb.unwrap_or(f64::NAN);
    let rows: [(&str, f64, &str, bool, &str); 9] = [
        ("render_ms", r.render_ms, "<= 2", r.render_ms <= 2.0, "ms"),
        ("filter_ms", r.filter_ms, "<= 20", r.filter_ms <= 20.0, "ms"),
        ("sort_ms", r.sort_ms, "<= 50", r.sort_ms <= 50.0, "ms"),
        (
            "apply_changes_ms",
            r.apply_changes_ms,
            "<= 5",
            r.apply_changes_ms <= 5.0,
            "ms",
        ),
        (
            "full_sync_s",
            r.full_sync_s,
            "<= 1",
            r.full_sync_s <= 1.0,
            "s",
        ),
        ("client_rss_mb", rss, "<= 200", rss <= 200.0, "MiB"),
        (
            "poll_p99_ms",
            r.poll_p99_ms,
            "<= 50",
            r.poll_p99_ms <= 50.0,
            "ms",
        ),
        (
            "ingest_events_per_s",
            r.ingest_events_per_s,
            ">= 50000",
            r.ingest_events_per_s >= 50_000.0,
            "/s",
        ),
        ("kill_ms", r.kill_ms, "<= 50", r.kill_ms <= 50.0, "ms"),
    ];
    let mut out = format!(
        "{} agents, {} credentials, on {}\n\n{:<22}{:>14}  {:<10}{}\n",
        r.agents, r.credentials, r.machine, "figure", "measured", "target", "result"
    );
    for (name, value, target, met, unit) in rows {
        out.push_str(&format!(
            "{name:<22}{:>14}  {target:<10}{}\n",
            format!("{} {unit}", round(value, 3)),
            if met { "pass" } else { "MISS" }
        ));
    }
    out.push_str(&format!(
        "\nworst filter keystroke {} ms; with a field term ({:?}) median {} ms, \
         worst {} ms; fetch of the first sync {} s; {} polls ({} failed); {} events\n",
        r.filter_max_ms,
        super::TYPED_FIELD,
        r.filter_field_ms,
        r.filter_field_max_ms,
        r.fetch_s,
        r.polls,
        r.poll_errors,
        r.events
    ));
    out.push_str(&format!(
        "first sync: {:.1} MB of JSON; serde_json parses it alone in {} s; \
         the full sync takes {}x that (target <= 3: {})\n",
        r.sync_bytes as f64 / 1e6,
        r.raw_parse_s,
        r.sync_over_parse,
        if r.sync_over_parse <= 3.0 {
            "pass"
        } else {
            "MISS"
        }
    ));
    out.push_str(&format!(
        ":creds: the first page drawn in {} s; all {} credentials read in pages, held, sorted \
         and drawn in {} s\n",
        r.creds_first_page_s, r.credentials_read, r.creds_view_s
    ));
    out.push_str(&match r.raw_insert_rows_per_s {
        Some(raw) => format!(
            "ingest: {} events/s over HTTP; the same rows straight into SQLite: {raw} rows/s\n",
            r.ingest_events_per_s
        ),
        None => "ingest: no raw insert figure (PostgreSQL)\n".to_string(),
    });
    out.push_str(&format!(
        "detection while ingesting: an unowned agent registered to its R01 alert p50 {} ms, \
         p99 {} ms (target <= 1000; {} samples); first sweep of the fleet {} s\n",
        r.detect_p50_ms, r.detect_p99_ms, r.detect_samples, r.detect_first_sweep_s
    ));
    out.push_str(&format!(
        "detection of a time threshold: a credential's expiry to its R02 resolved p50 {} ms, \
         p99 {} ms (target <= 1000; {} samples); whole-fleet sweeps meanwhile: {}\n",
        r.detect_threshold_p50_ms,
        r.detect_threshold_p99_ms,
        r.detect_threshold_samples,
        r.detect_sweeps
    ));
    out.push_str(&format!(
        "seeding ({}): generated in {} s, {} rows imported in {} s; the server side's peak \
         memory {} MiB; the whole run {} s\n",
        r.store,
        r.generate_s,
        r.import_rows,
        r.import_s,
        r.server_peak_mb.unwrap_or(f64::NAN),
        r.bench_s
    ));
    out
}

pub(super) fn round(x: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (x * k).round() / k
}

pub(super) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub(super) fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The nearest-rank percentile `p` (0–100).
pub(super) fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// This process's resident memory, from `/proc/self/status` (Linux only).
pub(super) fn rss_mb() -> Option<f64> {
    status_mb("VmRSS:")
}

/// This process's peak resident memory (VmHWM), Linux only.
pub(super) fn peak_mb() -> Option<f64> {
    status_mb("VmHWM:")
}

/// One `kB` figure of `/proc/self/status`, in MiB.
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// "AMD EPYC 7B13, 2 cores, 24 GiB" from /proc where there is one.
pub(super) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
    });
    match mem {
        Some(kb) => format!(
            "{cpu}, {} {cores} cores, {:.0} GiB",
            std::env::consts::ARCH,
            kb / 1024.0 / 1024.0
        ),
        None => format!("{cpu}, {} {cores} cores", std::env::consts::ARCH),
    }
}
