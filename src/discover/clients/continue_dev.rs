//! Continue: `~/.continue/config.yaml` with a `mcpServers` list of
//! `{name, command, args, env}` or `{name, type, url}`; the older
//! `config.json` with `experimental.modelContextProtocolServers`
//! (`{transport: {type, command, args, env, url}}`); and block files in
//! `.continue/mcpServers/` (user or workspace): YAML blocks with the same
//! list, or JSON files in Claude Desktop's layout. Secrets may be
//! `${{ secrets.NAME }}`, which Continue fills in: references, not secrets.

use super::{Entry, Parsed, json, mcp_servers};
use serde_json::Value;
use std::path::Path;

pub fn yaml_file(text: &str) -> Result<Parsed, String> {
    let doc: Value = serde_norway::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
    Ok(Parsed {
        entries: listed(&doc),
        ..Parsed::default()
    })
}

pub fn json_file(text: &str) -> Result<Parsed, String> {
    let (doc, notes) = json(text, true)?;
    let servers = doc
        .pointer("/experimental/modelContextProtocolServers")
        .and_then(Value::as_array);
    let entries = servers
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, server)| Entry {
            name: server
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("server-{}", i + 1), str::to_string),
            project: None,
            value: server.clone(),
        })
        .collect();
    Ok(Parsed {
        entries,
        notes,
        info: Vec::new(),
    })
}

pub fn block_file(path: &Path, text: &str) -> Result<Parsed, String> {
    if path.extension().is_some_and(|e| e == "json") {
        let (doc, notes) = json(text, true)?;
        return Ok(Parsed {
            entries: mcp_servers::entries(&doc, "mcpServers", None),
            notes,
            info: Vec::new(),
        });
    }
    yaml_file(text)
}

/// A block file's name: YAML or JSON inside a `.continue/mcpServers` folder.
pub fn block_name(path: &Path) -> bool {
    let ext_ok = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
    let in_blocks = path
        .parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "mcpServers"))
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .is_some_and(|n| n == ".continue");
    ext_ok && in_blocks
}

fn listed(doc: &Value) -> Vec<Entry> {
    doc.get("mcpServers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, server)| Entry {
            name: server
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("server-{}", i + 1), str::to_string),
            project: None,
            value: server.clone(),
        })
        .collect()
}
