//! VS Code: `mcp.json` (the workspace's `.vscode/mcp.json` and the user
//! profile's) with `servers` and `inputs`, JSON with comments; and the
//! `"mcp": {"servers": …}` section of `settings.json` that came before it.
//! An `${input:ID}` reference names an input VS Code prompts for, so the
//! secret is not in the file: the note says which inputs are passwords.

use super::{Parsed, json, mcp_servers};
use serde_json::Value;

pub fn mcp_file(text: &str) -> Result<Parsed, String> {
    let (doc, notes) = json(text, true)?;
    Ok(with_inputs(
        &doc,
        mcp_servers::entries(&doc, "servers", None),
        notes,
    ))
}

pub fn settings_file(text: &str) -> Result<Parsed, String> {
    let (doc, notes) = json(text, true)?;
    let Some(mcp) = doc.get("mcp") else {
        return Ok(Parsed {
            notes,
            ..Parsed::default()
        });
    };
    Ok(with_inputs(
        mcp,
        mcp_servers::entries(mcp, "servers", None),
        notes,
    ))
}

fn with_inputs(doc: &Value, entries: Vec<super::Entry>, notes: Vec<String>) -> Parsed {
    let mut info = Vec::new();
    let prompted: Vec<&str> = doc
        .get("inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|i| i.get("password").and_then(Value::as_bool) == Some(true))
        .filter_map(|i| i.get("id").and_then(Value::as_str))
        .collect();
    if !prompted.is_empty() && !entries.is_empty() {
        info.push(format!(
            "secrets prompted for at start, not stored in the file: {}",
            prompted.join(", ")
        ));
    }
    Parsed {
        entries,
        notes,
        info,
    }
}
