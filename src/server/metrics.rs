//! `GET /metrics`: the server's figures in the Prometheus text exposition
//! format (version 0.0.4). What it counts itself (requests by route,
//! operations by kind and result, answers of the changes feed) lives in
//! memory here, from the process's start; what the fleet looks like (agents
//! by status, live alerts by severity) is read at scrape time with one
//! `GROUP BY` per table ([`Store::fleet_counts`](super::store::Store::fleet_counts)).
//!
//! Labels are bounded: a request is labelled with the route it matched
//! (`/v1/agents/{id}`, never the raw URI), an unmatched one as `unmatched`,
//! and a method outside the usual few as `OTHER`.

use crate::model::{AgentStatus, AlertStatus, Severity};
use crate::server::AppState;
use crate::server::auth::Caller;
use crate::server::error::ApiResult;
use crate::server::store::FleetCounts;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

pub use crate::config::MetricsAccess;

/// Upper bounds of the latency buckets, in seconds. A long-poll of the
/// changes feed may hold a request up to 60 s, hence the top ones.
const BUCKETS: [f64; 14] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Observations at or under each bound of [`BUCKETS`] (not cumulative).
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            self.counts[i] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }
}

/// (route, method, status)
type RequestKey = (String, &'static str, u16);

/// Which way `GET /v1/changes` was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangesPath {
    /// From the watched revision alone: nothing had changed.
    Unchanged,
    /// From the store.
    Store,
}

/// The figures the server counts itself.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<RequestKey, Histogram>>,
    /// (kind, result) → count
    operations: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    changes_unchanged: AtomicU64,
    changes_store: AtomicU64,
}

impl Metrics {
    /// One operation the server ran: `kind` is `kill`, `suspend`, `resume`,
    /// `revoke`, `rotate`, `reassign` or `ack`; `result` `succeeded`, `failed`, or
    /// `refused` (the request was wrong: not found, a conflict, …).
    pub fn operation(&self, kind: &'static str, result: &'static str) {
        if let Ok(mut ops) = self.operations.lock() {
            *ops.entry((kind, result)).or_default() += 1;
        }
    }

    pub fn changes_answered(&self, path: ChangesPath) {
        let counter = match path {
            ChangesPath::Unchanged => &self.changes_unchanged,
            ChangesPath::Store => &self.changes_store,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn request(&self, route: String, method: &'static str, status: u16, seconds: f64) {
        if let Ok(mut requests) = self.requests.lock() {
            requests
                .entry((route, method, status))
                .or_default()
                .observe(seconds);
        }
    }

    /// The whole exposition: the fleet's counts, then the server's own.
    pub fn render(&self, fleet: &FleetCounts, revision: i64) -> String {
        let mut out = String::with_capacity(4096);
        header(
            &mut out,
            "warden_build_info",
            "gauge",
            "The running version of Warden.",
        );
        let _ = writeln!(
            out,
            "warden_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );

        header(
            &mut out,
            "warden_agents",
            "gauge",
            "Agents in the inventory, by status.",
        );
        for &status in AgentStatus::ALL {
            let n = fleet
                .agents
                .iter()
                .filter(|(s, _)| *s == status)
                .map(|(_, n)| n)
                .sum::<u64>();
            let _ = writeln!(out, "warden_agents{{status=\"{status}\"}} {n}");
        }

        header(
            &mut out,
            "warden_alerts",
            "gauge",
            "Alerts not yet resolved, by status (open, acknowledged, or snoozed whichever it was) and severity.",
        );
        for status in [AlertStatus::Open, AlertStatus::Acknowledged] {
            for &severity in Severity::ALL.iter().rev() {
                let n = fleet
                    .alerts
                    .iter()
                    .filter(|(st, sv, _)| *st == status && *sv == severity)
                    .map(|(_, _, n)| n)
                    .sum::<u64>();
                let _ = writeln!(
                    out,
                    "warden_alerts{{status=\"{status}\",severity=\"{severity}\"}} {n}"
                );
            }
        }
        for &severity in Severity::ALL.iter().rev() {
            let n = fleet
                .snoozed
                .iter()
                .filter(|(sv, _)| *sv == severity)
                .map(|(_, n)| n)
                .sum::<u64>();
            let _ = writeln!(
                out,
                "warden_alerts{{status=\"snoozed\",severity=\"{severity}\"}} {n}"
            );
        }

        header(
            &mut out,
            "warden_changes_revision",
            "gauge",
            "The latest revision of the changes feed.",
        );
        let _ = writeln!(out, "warden_changes_revision {revision}");

        header(
            &mut out,
            "warden_operations_total",
            "counter",
            "Operations the server ran since it started, by kind and result.",
        );
        if let Ok(ops) = self.operations.lock() {
            for ((kind, result), n) in ops.iter() {
                let _ = writeln!(
                    out,
                    "warden_operations_total{{kind=\"{kind}\",result=\"{result}\"}} {n}"
                );
            }
        }

        header(
            &mut out,
            "warden_changes_answers_total",
            "counter",
            "Answers of GET /v1/changes: from the watched revision alone (unchanged) or read from the store.",
        );
        let _ = writeln!(
            out,
            "warden_changes_answers_total{{path=\"unchanged\"}} {}",
            self.changes_unchanged.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "warden_changes_answers_total{{path=\"store\"}} {}",
            self.changes_store.load(Ordering::Relaxed)
        );

        header(
            &mut out,
            "warden_http_request_duration_seconds",
            "histogram",
            "Time to answer an HTTP request, by matched route, method and status.",
        );
        if let Ok(requests) = self.requests.lock() {
            for ((route, method, status), h) in requests.iter() {
                let labels = format!(
                    "route=\"{}\",method=\"{method}\",status=\"{status}\"",
                    escape(route)
                );
                let mut cumulative = 0;
                for (bound, n) in BUCKETS.iter().zip(h.counts) {
                    cumulative += n;
                    let _ = writeln!(
                        out,
                        "warden_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                    );
                }
                let _ = writeln!(
                    out,
                    "warden_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "warden_http_request_duration_seconds_sum{{{labels}}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "warden_http_request_duration_seconds_count{{{labels}}} {}",
                    h.count
                );
            }
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the exposition format wants it.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Middleware: times every request and files it under its matched route.
/// The time is to the response's head: a long body streams after it.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = method_label(req.method());
    let resp = next.run(req).await;
    state.metrics.request(
        route,
        method,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    resp
}

/// `GET /metrics`
pub async fn scrape(State(state): State<AppState>, req: Request) -> ApiResult<Response> {
    if state.config.metrics == MetricsAccess::Viewer {
        let (mut parts, _) = req.into_parts();
        let caller = <Caller as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, &state,
        )
        .await?;
        caller.require(crate::model::Role::Viewer)?;
    }
    let revision = *state.store.subscribe().borrow();
    let fleet = state.store.fleet_counts().await?;
    let mut body = state.metrics.render(&fleet, revision);
    crate::server::audit::sinks::render_metrics(&state.sinks, &mut body);
    crate::server::rules::scheduler::render_metrics(&state.detector, &mut body);
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line is a comment (`# HELP`/`# TYPE`) or `name{labels} value`
    /// with a number for the value.
    pub(crate) fn assert_parses(text: &str) {
        for line in text.lines() {
            if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').expect(line);
            assert!(
                value == "+Inf" || value.parse::<f64>().is_ok(),
                "value of {line:?}"
            );
            let name = series.split('{').next().unwrap();
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
                "name of {line:?}"
            );
            if let Some(labels) = series.strip_prefix(name) {
                if !labels.is_empty() {
                    assert!(labels.starts_with('{') && labels.ends_with('}'), "{line:?}");
                }
            }
        }
    }

    #[test]
    fn histogram_buckets_are_cumulative_and_end_in_inf() {
        let m = Metrics::default();
        m.request("/v1/agents/{id}".into(), "GET", 200, 0.002);
        m.request("/v1/agents/{id}".into(), "GET", 200, 0.3);
        m.request("/v1/agents/{id}".into(), "GET", 200, 120.0);
        m.operation("kill", "succeeded");
        let text = m.render(&FleetCounts::default(), 7);
        assert_parses(&text);
        let labels = r#"route="/v1/agents/{id}",method="GET",status="200""#;
        for (le, want) in [
            ("0.001", 0),
            ("0.005", 1),
            ("0.5", 2),
            ("60", 2),
            ("+Inf", 3),
        ] {
            let line = format!(
                "warden_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {want}"
            );
            assert!(text.contains(&line), "{line}\n{text}");
        }
        assert!(text.contains(&format!(
            "warden_http_request_duration_seconds_count{{{labels}}} 3"
        )));
        assert!(text.contains("warden_operations_total{kind=\"kill\",result=\"succeeded\"} 1"));
        assert!(text.contains("warden_changes_revision 7"));
        assert!(text.contains("warden_agents{status=\"killed\"} 0"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
