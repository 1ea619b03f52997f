//! `audit verify`: asks the backend to check its hash chain. Exit 0 only if
//! the chain is intact; otherwise show the first bad entry and what is wrong
//! with it, and exit 1.

use crate::api::client::Client;
use crate::cli::args::JsonFlag;
use crate::cli::error::{CliError, CmdResult, EXIT_FAILED};
use crate::cli::output::{self, Out, when};
use std::process::ExitCode;

pub async fn verify(client: &Client, a: JsonFlag) -> CmdResult {
    let v = client.audit_verify().await?;
    if a.json {
        output::json(&v)?;
        return Ok(if v.ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_FAILED)
        });
    }
    let mut out = Out::new();
    if v.ok {
        out.line(format!(
            "Audit chain intact: {} entries verified.",
            v.entries
        ));
        out.emit()?;
        return Ok(ExitCode::SUCCESS);
    }
    let problem = v
        .problem
        .clone()
        .unwrap_or_else(|| "unknown problem".into());
    match v.first_bad {
        Some(seq) => {
            out.line(format!(
                "Audit chain BROKEN at entry #{seq} of {}: {}",
                v.entries,
                output::safe(&problem)
            ));
            // The entry itself, when it is still there, so the responder
            // sees what was tampered with.
            let entry = client
                .audit(seq - 1)
                .await
                .ok()
                .and_then(|entries| entries.into_iter().find(|e| e.seq == seq));
            match entry {
                Some(e) => out.fields(&[
                    ("at", when(e.at)),
                    ("actor", e.actor),
                    ("action", e.action),
                    ("target", e.target),
                    ("reason", e.reason.unwrap_or_else(|| "-".into())),
                    ("result", e.result),
                    ("prev hash", e.prev_hash),
                    ("hash", e.hash),
                ]),
                None => out.line("  (the entry is missing from the trail)"),
            }
        }
        None => out.line(format!("Audit chain BROKEN: {}", output::safe(&problem))),
    }
    out.emit()?;
    Err(CliError::failed(match v.first_bad {
        Some(seq) => format!("the audit chain is broken at entry #{seq}"),
        None => "the audit chain is broken".into(),
    }))
}
