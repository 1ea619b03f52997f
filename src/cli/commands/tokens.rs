//! `warden token list` and `warden token revoke`: person tokens as the
//! backend lists them (never a secret), and taking one back with a reason.

use crate::api::TokenInfo;
use crate::api::client::Client;
use crate::cli::args::{JsonFlag, TokenRevokeArgs};
use crate::cli::error::CmdResult;
use crate::cli::output::{self, Out, Table, ago, count, safe, when};
use std::process::ExitCode;

/// Who a token speaks for: the person's email, else their id, else `-`.
fn person(t: &TokenInfo) -> String {
    t.person_email
        .clone()
        .or_else(|| t.person.clone())
        .unwrap_or_else(|| "-".into())
}

/// The status column: with when a token expires or was revoked.
fn status(t: &TokenInfo) -> String {
    match (t.revoked_at, t.expires_at) {
        (Some(at), _) => format!("revoked {}", ago(Some(at))),
        (None, Some(e)) => format!("{} (expires {})", t.status, ago(Some(e))),
        (None, None) => t.status.to_string(),
    }
}

pub async fn list(client: &Client, a: JsonFlag) -> CmdResult {
    let tokens = client.list_tokens().await?;
    if a.json {
        output::json(&tokens)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    if tokens.is_empty() {
        out.line("No tokens.");
        out.emit()?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "ID", "NAME", "ROLE", "PERSON", "ORIGIN", "CREATED", "STATUS",
    ]);
    for t in &tokens {
        let id = if t.current {
            format!("{} *", t.id)
        } else {
            t.id.clone()
        };
        table.row([
            id,
            t.name.clone(),
            t.role.to_string(),
            person(t),
            t.origin.as_str().to_string(),
            ago(Some(t.created_at)),
            status(t),
        ]);
    }
    out.table(&table);
    out.blank();
    let live = tokens
        .iter()
        .filter(|t| t.status == crate::api::TokenStatus::Active)
        .count();
    let unpersoned = tokens
        .iter()
        .filter(|t| t.status == crate::api::TokenStatus::Active && t.person.is_none())
        .count();
    out.line(format!(
        "{}, {live} active ({unpersoned} for no person); * is the token in use.",
        count(tokens.len(), "token")
    ));
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn revoke(client: &Client, a: TokenRevokeArgs) -> CmdResult {
    let t = client.revoke_token(&a.id, &a.reason).await?;
    if a.json.json {
        output::json(&t)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "Revoked {} token {} ({}): it is refused from now on.",
        t.role,
        safe(&t.name),
        safe(&t.id)
    ));
    let mut fields = vec![("person", person(&t))];
    if let Some(at) = t.revoked_at {
        fields.push(("revoked", when(at)));
    }
    if let Some(by) = &t.revoked_by {
        fields.push(("by", by.clone()));
    }
    if let Some(why) = &t.revoked_reason {
        fields.push(("reason", why.clone()));
    }
    out.fields(&fields);
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}
