//! `warden audit`: `verify` asks the backend to check its hash chain and
//! signed checkpoints, or, given checkpoint files, checks the chain itself.
//! Exit 0 only if the chain is intact; otherwise show the first bad entry,
//! the attack the checkpoints point to, and exit 1. `list` and `export`
//! are in `read`.

mod read;

use crate::api::client::Client;
use crate::api::{AuditQuery, AuditVerification};
use crate::cli::args::AuditCommand;
use crate::cli::args::audit::VerifyArgs;
use crate::cli::error::{CliError, CmdResult, EXIT_FAILED};
use crate::cli::output::{self, Out, when};
use crate::server::audit::Verifier;
use crate::server::audit::checkpoint::parse_lines;
use std::process::ExitCode;

pub async fn run(client: &Client, command: AuditCommand) -> CmdResult {
    match command {
        AuditCommand::List(a) => read::list(client, a).await,
        AuditCommand::Export(a) => read::export(client, a).await,
        AuditCommand::Verify(a) => verify(client, a).await,
    }
}

async fn verify(client: &Client, a: VerifyArgs) -> CmdResult {
    let v = if a.checkpoints.is_empty() {
        if !a.public_keys.is_empty() {
            return Err(CliError::usage(
                "--public-key needs --checkpoints: the keys are the ones whose checkpoint files \
                 you give",
            ));
        }
        client.audit_verify().await?
    } else {
        verify_here(client, &a).await?
    };
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
        out.line(match v.checkpoints {
            Some(n) => format!(
                "Audit chain intact: {} entries verified, against {n} signed checkpoints.",
                v.entries
            ),
            None => format!(
                "Audit chain intact: {} entries verified. The server keeps no signed \
                 checkpoints, so entries cut from the end or a chain rehashed by someone with \
                 write access to the database would not show (see [serve] audit_key).",
                v.entries
            ),
        });
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
            if let Some(attack) = &v.attack {
                out.line(format!("  attack: {}", output::safe(attack)));
            }
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

/// Reads the whole chain and checks it against the checkpoint files here,
/// trusting the server only to hand over the rows.
async fn verify_here(client: &Client, a: &VerifyArgs) -> Result<AuditVerification, CliError> {
    let mut checkpoints = Vec::new();
    for path in &a.checkpoints {
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::usage(format!("--checkpoints {}: {e}", path.display())))?;
        let (good, bad) = parse_lines(std::io::BufReader::new(file))
            .map_err(|e| CliError::usage(format!("--checkpoints {}: {e}", path.display())))?;
        if let Some(b) = bad.first() {
            return Err(CliError::usage(format!(
                "--checkpoints {}: line {} is not a checkpoint: {}",
                path.display(),
                b.line,
                b.why
            )));
        }
        checkpoints.extend(good);
    }
    let now = client.audit_checkpoints().await?;
    let mut trusted = a
        .public_keys
        .iter()
        .map(|k| public_key(k))
        .collect::<Result<Vec<_>, _>>()?;
    if trusted.is_empty() {
        trusted.extend(now.key.clone());
    }
    let mut verifier = Verifier::with_checkpoints(checkpoints, &trusted);
    let mut after = 0;
    loop {
        let page = client
            .audit_query(&AuditQuery {
                after,
                limit: Some(10_000),
                ..AuditQuery::default()
            })
            .await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        page.iter().for_each(|e| verifier.push(e));
    }
    Ok(verifier.finish_at(now.head_seq, Some(now.rev)))
}

/// 64 hex digits, or a file holding them (a key file's `# public key:`
/// line, never its private seed).
fn public_key(arg: &str) -> Result<String, CliError> {
    let is_key = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if is_key(arg) {
        return Ok(arg.to_ascii_lowercase());
    }
    let text = std::fs::read_to_string(arg).map_err(|e| {
        CliError::usage(format!(
            "--public-key {arg:?} is neither 64 hex digits nor a readable file: {e}"
        ))
    })?;
    let from_comment = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("# public key:").map(str::trim));
    let bare = text.lines().map(str::trim).find(|l| is_key(l));
    match (from_comment, text.contains("signing key")) {
        (Some(k), _) if is_key(k) => Ok(k.to_ascii_lowercase()),
        (_, false) if bare.is_some() => Ok(bare.unwrap_or_default().to_ascii_lowercase()),
        _ => Err(CliError::usage(format!(
            "--public-key {arg}: no public key in it (64 hex digits on a line of their own)"
        ))),
    }
}
