//! `warden discover`: runs the scan of [`crate::discover`] over the homes
//! and roots asked for, and prints the findings as tables, JSON or SARIF.
//! Warnings (files that could not be read) go to stderr in the table form,
//! and inside the document in the others.

use crate::api::{DiscoveryOutcome, DiscoveryReport};
use crate::cli::args::{DiscoverArgs, DiscoverFormat, Global};
use crate::cli::error::{CliError, CmdResult};
use crate::cli::output::{self, Out, Table, safe};
use crate::discover::{self, Finding, Options, Report, homes};
use std::process::ExitCode;

pub fn run(global: &Global, a: DiscoverArgs) -> CmdResult {
    let format = match (a.json, a.format) {
        (true, _) => DiscoverFormat::Json,
        (false, f) => f.unwrap_or(DiscoverFormat::Table),
    };
    let mut early_warnings = Vec::new();
    let mut home_dirs = a.homes.clone();
    if a.all_homes {
        home_dirs.extend(homes::all(&mut early_warnings));
    }
    let a2a_urls = discover::a2a::urls(&a.a2a).map_err(CliError::usage)?;
    let asked_elsewhere = !a2a_urls.is_empty() || a.vault;
    if home_dirs.is_empty() && a.roots.is_empty() && !a.all_homes && !asked_elsewhere {
        home_dirs.push(homes::own().ok_or_else(|| {
            CliError::usage("cannot tell your home directory; name one with --home DIR")
        })?);
    }
    // Absolute paths: a finding's key must not depend on where it ran from.
    let absolute = |dirs: Vec<std::path::PathBuf>| -> Vec<std::path::PathBuf> {
        dirs.into_iter()
            .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
            .collect()
    };
    let options = Options {
        homes: absolute(home_dirs),
        roots: absolute(a.roots.clone()),
        host: a.host.clone().unwrap_or_else(homes::host_name),
    };
    // Before the scan: a backend that cannot be used is a usage error now,
    // not after minutes of walking.
    let backend = match a.register {
        true => Some(crate::cli::backend::choose(global)?),
        false => None,
    };
    let mut report = discover::scan(&options);
    early_warnings.append(&mut report.warnings);
    report.warnings = early_warnings;
    if a.vault {
        let (found, warnings) = vault_unclaimed(global, &report.host)?;
        report.findings.extend(found);
        report.warnings.extend(warnings);
    }
    if !a2a_urls.is_empty() || a.probe || a.probe_stdio {
        let probes = Probes {
            http: a.probe,
            stdio: a.probe_stdio,
        };
        let timeout = std::time::Duration::from_secs(a.timeout);
        network(&mut report, &a2a_urls, probes, timeout)?;
    }
    let registered = match &backend {
        Some(b) => Some(register(b, &options, &a2a_urls, &report)?),
        None => None,
    };
    match format {
        DiscoverFormat::Json => output::json(&Printed {
            report: &report,
            registered: registered.as_ref(),
        })?,
        DiscoverFormat::Sarif => output::json(&discover::sarif::log(&report, &options.roots))?,
        DiscoverFormat::Table => {
            for w in &report.warnings {
                eprintln!(
                    "warden: warning: {}: {}",
                    safe(&w.location),
                    safe(&w.message)
                );
            }
            let mut out = table(&report);
            if let Some(o) = &registered {
                out.line(format!(
                    "Registered: {} created, {} updated, {} unchanged, {} gone.",
                    o.created, o.updated, o.unchanged, o.gone
                ));
            }
            out.emit()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn vault_unclaimed(
    global: &Global,
    host: &str,
) -> Result<(Vec<Finding>, Vec<discover::Warning>), CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(super::discover_vault::unclaimed(global, host))
}

/// What `--probe` and `--probe-stdio` asked for.
struct Probes {
    http: bool,
    stdio: bool,
}

/// The part of a scan that talks to agents: cards, then probes.
fn network(
    report: &mut Report,
    a2a: &[String],
    probe: Probes,
    timeout: std::time::Duration,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        if !a2a.is_empty() {
            let (found, warnings) = discover::a2a::scan(a2a, &report.host, timeout).await;
            report.findings.extend(found);
            report.warnings.extend(warnings);
        }
        if probe.http {
            let warnings = discover::probe::probe_all(&mut report.findings, timeout).await;
            report.warnings.extend(warnings);
        }
        if probe.stdio {
            let warnings = discover::probe_stdio::probe_all(&mut report.findings, timeout).await;
            report.warnings.extend(warnings);
        }
    });
    Ok(())
}

/// The JSON document: the report, and what the backend made of it.
#[derive(serde::Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    report: &'a Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    registered: Option<&'a DiscoveryOutcome>,
}

/// What was scanned, as the backend's source: a later scan of the same
/// homes and roots on the same host marks gone what it no longer finds.
fn source(options: &Options, a2a: &[String]) -> String {
    let mut parts: Vec<String> = options
        .homes
        .iter()
        .map(|h| format!("home:{}", h.display()))
        .collect();
    parts.extend(
        options
            .roots
            .iter()
            .map(|r| format!("root:{}", r.display())),
    );
    parts.extend(a2a.iter().map(|u| format!("a2a:{u}")));
    parts.sort();
    parts.dedup();
    format!("{} {}", options.host, parts.join(" "))
}

fn register(
    backend: &crate::cli::backend::Backend,
    options: &Options,
    a2a: &[String],
    report: &Report,
) -> Result<DiscoveryOutcome, CliError> {
    let client = backend.client()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    let body = DiscoveryReport {
        source: source(options, a2a),
        findings: report.findings.clone(),
    };
    Ok(runtime.block_on(client.report_discoveries(&body))?)
}

/// The findings table, then each secret with its fingerprint.
pub fn table(report: &Report) -> Out {
    let mut out = Out::new();
    out.section("Agents found", report.findings.len());
    let mut t = Table::new(&[
        "CLIENT",
        "SCOPE",
        "NAME",
        "TRANSPORT",
        "RUNS",
        "SECRETS",
        "FLAGS",
        "WHERE",
    ]);
    for f in &report.findings {
        t.row([
            f.client.clone(),
            f.scope.clone(),
            f.name.clone(),
            f.transport.clone(),
            runs(f),
            secrets_cell(f),
            f.flags.join(","),
            where_cell(f),
        ]);
    }
    out.section_table(&t);
    let with_secrets: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| !f.secrets.is_empty())
        .collect();
    let count: usize = with_secrets.iter().map(|f| f.secrets.len()).sum();
    if count > 0 {
        out.section(
            "Plaintext secrets (never shown; SHA-256 fingerprints)",
            count,
        );
        let mut t = Table::new(&["NAME", "KIND", "FIELD", "FINGERPRINT", "FILE"]);
        for f in with_secrets {
            for s in &f.secrets {
                t.row([
                    f.name.clone(),
                    s.kind.clone(),
                    s.field.clone(),
                    s.fingerprint.clone(),
                    f.location.clone(),
                ]);
            }
        }
        out.section_table(&t);
    }
    out.blank();
    out.line(format!(
        "{} read on {}; {} walked under --root; {}.",
        output::count(report.files_read, "config file"),
        safe(&report.host),
        output::count(report.files_walked, "file"),
        output::count(report.warnings.len(), "warning"),
    ));
    out
}

/// The command line or URL, shortened.
fn runs(f: &Finding) -> String {
    let full = match (&f.command, &f.url) {
        (Some(c), _) => std::iter::once(c.as_str())
            .chain(f.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        (None, Some(u)) => u.clone(),
        (None, None) => "-".into(),
    };
    shorten(&full, 60)
}

fn secrets_cell(f: &Finding) -> String {
    if f.secrets.is_empty() {
        return "-".into();
    }
    let mut kinds: Vec<&str> = f.secrets.iter().map(|s| s.kind.as_str()).collect();
    kinds.dedup();
    format!("{} ({})", f.secrets.len(), kinds.join(","))
}

fn where_cell(f: &Finding) -> String {
    match &f.project {
        Some(p) => format!("{} [{}]", f.location, p),
        None => f.location.clone(),
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}
