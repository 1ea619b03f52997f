//! `warden token exchange`: RFC 8693 token exchange for runbooks and
//! tests. Secrets are read from files, stdin or the environment, never
//! the command line; the answer's chain (`sub`, `act`) is shown from the
//! token itself.

use super::inventory::print_secret;
use crate::api::client::Client;
use crate::cli::args::TokenExchangeArgs;
use crate::cli::error::{CliError, CmdResult};
use crate::cli::output::{self, Out};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";

fn read_secret(path: &Path, what: &str) -> Result<String, CliError> {
    let text = if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::failed(format!("cannot read the {what} from stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| {
            CliError::usage(format!(
                "cannot read the {what} from {}: {e}",
                path.display()
            ))
        })?
    };
    let t = text.trim().to_string();
    if t.is_empty() {
        return Err(CliError::usage(format!(
            "the {what} in {} is empty",
            path.display()
        )));
    }
    Ok(t)
}

/// The claims of the issued token, for display (the server signed it; a
/// verifier checks the signature against the JWKS).
fn claims(jwt: &str) -> Value {
    jwt.split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

/// `act` flattened, first actor first.
fn actors(act: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut a = act;
    while let Some(sub) = a["sub"].as_str() {
        out.push(sub.to_string());
        a = &a["act"];
    }
    out.reverse();
    out
}

pub async fn run(client: &Client, a: TokenExchangeArgs) -> CmdResult {
    let actor = match (&a.actor_token_file, &a.actor_token_env) {
        (Some(path), _) => read_secret(path, "actor token")?,
        (None, Some(var)) => std::env::var(var)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| CliError::usage(format!("{var} is not set or empty")))?,
        (None, None) => {
            return Err(CliError::usage(
                "give the acting agent's credential: --actor-token-file PATH or --actor-token-env VAR",
            ));
        }
    };
    let subject = match &a.subject_token_file {
        Some(path) => read_secret(path, "subject token")?,
        None => client.bearer().map(str::to_string).ok_or_else(|| {
            CliError::usage("no subject: set WARDEN_TOKEN (yours) or give --subject-token-file")
        })?,
    };
    let scope = a.scopes.join(" ");
    let mut params = vec![
        ("grant_type", GRANT),
        ("subject_token", subject.as_str()),
        ("subject_token_type", ACCESS),
        ("actor_token", actor.as_str()),
        ("actor_token_type", ACCESS),
    ];
    if !scope.is_empty() {
        params.push(("scope", &scope));
    }
    for aud in &a.audience {
        params.push(("audience", aud));
    }
    let answer = client.exchange_token(&params).await?;
    if a.json.json {
        output::json(&answer)?;
        return Ok(ExitCode::SUCCESS);
    }
    let c = claims(&answer.access_token);
    let mut out = Out::new();
    print_secret(&mut out, "Access token", &answer.access_token);
    let chain = std::iter::once(c["sub"].as_str().unwrap_or("?").to_string())
        .chain(actors(&c["act"]))
        .collect::<Vec<_>>()
        .join(" → ");
    out.fields(&[
        ("chain", chain),
        ("scope", answer.scope.clone()),
        (
            "audience",
            c["aud"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
        ),
        ("expires in", format!("{} s", answer.expires_in)),
        ("id", c["jti"].as_str().unwrap_or("?").to_string()),
    ]);
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}
