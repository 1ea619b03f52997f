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
    /// Exchange a token for a short-lived delegated access token (RFC 8693) for an agent
    #[command(after_help = "\
The agent acts on the subject: by default the token this command runs with
(yours, as the person who delegated to the agent), or --subject-token-file
(another agent's credential, or a token exchanged before, for the next hop).
The agent's own credential is read from --actor-token-file (`-` for stdin)
or --actor-token-env, never from the command line. The answer is a JWT that
names the chain in `act`, holds at most what was delegated along it, and
lives 15 minutes (never past the subject). Asking for more is refused
(invalid_scope) and raises R14.

Examples:
  warden token exchange --actor-token-file planner.secret --scope crm:read --audience crm
  warden token exchange --subject-token-file planner.jwt --actor-token-env WORKER_SECRET --json | jq -r .access_token")]
    Exchange(TokenExchangeArgs),
}

#[derive(Debug, Args)]
pub struct TokenExchangeArgs {
    /// A file holding the acting agent's credential (`-`: stdin)
    #[arg(long, value_name = "PATH", required_unless_present = "actor_token_env")]
    pub actor_token_file: Option<std::path::PathBuf>,
    /// An environment variable holding the acting agent's credential
    #[arg(long, value_name = "VAR", conflicts_with = "actor_token_file")]
    pub actor_token_env: Option<String>,
    /// A file holding the subject token [default: the token this command runs with]
    #[arg(long, value_name = "PATH")]
    pub subject_token_file: Option<std::path::PathBuf>,
    /// Scopes asked for; repeat or separate with commas [default: all the chain holds]
    #[arg(long = "scope", value_delimiter = ',', value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// The service the token is for (`aud`); repeat for several
    #[arg(long, value_name = "NAME")]
    pub audience: Vec<String>,
    #[command(flatten)]
    pub json: JsonFlag,
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
