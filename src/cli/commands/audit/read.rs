//! `warden audit list` (the trail with filters, as a table or JSON) and
//! `warden audit export` (every entry after a cursor, one event a line, in
//! the format a SIEM reads, written page by page as it arrives).

use crate::api::AuditQuery;
use crate::api::client::Client;
use crate::cli::args::audit::{ExportArgs, ListArgs};
use crate::cli::error::{CliError, CmdResult};
use crate::cli::output::{self, Out, Table, count};
use crate::server::audit::export::Format;
use std::io::Write;
use std::process::ExitCode;

/// Entries asked for at a time by `export`.
const PAGE: usize = 10_000;

pub async fn list(client: &Client, a: ListArgs) -> CmdResult {
    if a.since.zip(a.until).is_some_and(|(s, u)| s >= u) {
        return Err(CliError::usage("--since must be before --until"));
    }
    let query = AuditQuery {
        tail: Some(a.limit as usize),
        agent: a.agent,
        actor: a.actor,
        action: a.action,
        since: a.since,
        until: a.until,
        ..AuditQuery::default()
    };
    let entries = client.audit_query(&query).await?;
    if a.json {
        output::json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    if entries.is_empty() {
        out.line("No audit entries match.");
        out.emit()?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "SEQ",
        "TIME (UTC)",
        "ACTOR",
        "ACTION",
        "TARGET",
        "RESULT",
        "REASON",
    ]);
    for e in &entries {
        table.row([
            e.seq.to_string(),
            e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            e.actor.clone(),
            e.action.clone(),
            e.target.clone(),
            e.result.clone(),
            e.reason.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    out.table(&table);
    out.blank();
    out.line(if entries.len() == a.limit as usize {
        format!(
            "{}, the newest that match (--limit {} for more).",
            count(entries.len(), "entry"),
            a.limit
        )
    } else {
        format!("{}.", count(entries.len(), "entry"))
    });
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn export(client: &Client, a: ExportArgs) -> CmdResult {
    let format: Format = a.format.parse().map_err(CliError::usage)?;
    if a.since < 0 {
        return Err(CliError::usage(
            "--since takes a sequence number, 0 or more",
        ));
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut after = a.since;
    loop {
        let page = client
            .audit_query(&AuditQuery {
                after,
                limit: Some(PAGE),
                ..AuditQuery::default()
            })
            .await?;
        for e in &page {
            let line = format.line(e);
            let written = w
                .write_all(line.as_bytes())
                .and_then(|()| w.write_all(b"\n"));
            if let Err(e) = written {
                return closed(e);
            }
        }
        if let Err(e) = w.flush() {
            return closed(e);
        }
        match page.last() {
            Some(last) if page.len() == PAGE => after = last.seq,
            _ => return Ok(ExitCode::SUCCESS),
        }
    }
}

/// A reader that went away (`| head`) ends the export quietly; any other
/// write error is a failure.
fn closed(e: std::io::Error) -> CmdResult {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(CliError::failed(format!("cannot write the export: {e}")))
    }
}
