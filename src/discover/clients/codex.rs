//! Codex CLI's `config.toml` (`~/.codex/config.toml`, or a trusted
//! project's `.codex/config.toml`): a table per server under
//! `[mcp_servers.NAME]`, with `command`, `args`, `env` for stdio, or `url`
//! with `bearer_token_env_var`, `http_headers` and `env_http_headers` for
//! streamable HTTP; `enabled = false` switches one off.

use super::{Entry, Parsed};

pub fn config_file(text: &str) -> Result<Parsed, String> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| format!("not valid TOML: {e}"))?;
    let Some(servers) = doc.get("mcp_servers").and_then(toml::Value::as_table) else {
        return Ok(Parsed::default());
    };
    let entries = servers
        .iter()
        .map(|(name, value)| {
            Ok(Entry {
                name: name.clone(),
                project: None,
                value: serde_json::to_value(value)
                    .map_err(|e| format!("server {name:?} cannot be read: {e}"))?,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Parsed {
        entries,
        ..Parsed::default()
    })
}
