//! The grammar of `warden token`: create a person token (optionally
//! expiring), list them, revoke one with a reason.

use super::{JsonFlag, non_empty, parse_ttl, role_parser};
use crate::model::Role;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a person token for the dashboard or a script; prints it once
    #[command(after_help = "\
Without --ttl the token works until it is revoked; with it, it is refused
(401 token_expired) once its lifetime is over. Without --person it speaks for
no one: offboarding nobody stops it, and rule R21 flags it.

Examples:
  warden token create --role responder --person ada@example.com --ttl 30d
  warden token create --role viewer --name grafana --ttl 90d --json")]
    Create(TokenCreateArgs),
    /// List person tokens: id, name, role, person, origin, status, expiry (never the secret)
    #[command(after_help = "\
An admin sees every token; anyone else sees their own (the token they use,
and the other tokens of their person). The token making the request is
marked with `*`.

Examples:
  warden token list
  warden token list --json | jq '.[] | select(.person == null and .status == \"active\")'")]
    List(JsonFlag),
    /// Revoke a person token: it is refused at once (401 token_revoked), with the reason in the audit trail
    #[command(after_help = "\
An admin may revoke any token; anyone else only their own (e.g. a lost
laptop's, from another device). Revoking a revoked token changes nothing.

Examples:
  warden token list
  warden token revoke tok_3fK9aB --reason 'INC-42: laptop lost'")]
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// What the token may do: viewer reads, responder acts, admin does everything
    #[arg(long, value_parser = role_parser())]
    pub role: Role,
    /// The person it speaks for: an id or email
    #[arg(long, value_name = "PERSON")]
    pub person: Option<String>,
    /// A name to recognise it by in the audit trail [default: ROLE-TIMESTAMP]
    #[arg(long)]
    pub name: Option<String>,
    /// Lifetime, e.g. 30d, 12h, 45m, 90s [default: until revoked]
    #[arg(long, value_parser = parse_ttl, value_name = "DURATION")]
    pub ttl: Option<u64>,
    #[command(flatten)]
    pub json: JsonFlag,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's id (see `warden token list`)
    pub id: String,
    /// Why: recorded in the audit trail
    #[arg(long, value_parser = non_empty, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub json: JsonFlag,
}
