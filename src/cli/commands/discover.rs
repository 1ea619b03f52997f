//! `warden discover`: runs the scan of [`crate::discover`] over the homes
//! and roots asked for, and prints the findings as tables, JSON or SARIF.
//! Warnings (files that could not be read) go to stderr in the table form,
//! and inside the document in the others.

use crate::cli::args::{DiscoverArgs, DiscoverFormat, Global};
use crate::cli::error::{CliError, CmdResult};
use crate::cli::output::{self, Out, Table, safe};
use crate::discover::{self, Finding, Options, Report, homes};
use std::process::ExitCode;

pub fn run(_global: &Global, a: DiscoverArgs) -> CmdResult {
    let format = match (a.json, a.format) {
        (true, _) => DiscoverFormat::Json,
        (false, f) => f.unwrap_or(DiscoverFormat::Table),
    };
    let mut early_warnings = Vec::new();
    let mut home_dirs = a.homes.clone();
    if a.all_homes {
        home_dirs.extend(homes::all(&mut early_warnings));
    }
    if home_dirs.is_empty() && a.roots.is_empty() && !a.all_homes {
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
    let mut report = discover::scan(&options);
    early_warnings.append(&mut report.warnings);
    report.warnings = early_warnings;
    match format {
        DiscoverFormat::Json => output::json(&report)?,
        DiscoverFormat::Sarif => output::json(&discover::sarif::log(&report, &options.roots))?,
        DiscoverFormat::Table => {
            for w in &report.warnings {
                eprintln!(
                    "warden: warning: {}: {}",
                    safe(&w.location),
                    safe(&w.message)
                );
            }
            table(&report).emit()?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
