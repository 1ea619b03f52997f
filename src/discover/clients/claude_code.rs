//! Claude Code's user file, `~/.claude.json`: servers of user scope under
//! `mcpServers`, and of local scope (one user, one project) under
//! `projects.PATH.mcpServers`. Project scope lives in the repository's
//! `.mcp.json`, read as the shared layout.

use super::{Parsed, json, mcp_servers};
use serde_json::Value;

pub fn user_file(text: &str) -> Result<Parsed, String> {
    let (doc, notes) = json(text, false)?;
    let mut entries = mcp_servers::entries(&doc, "mcpServers", None);
    if let Some(projects) = doc.get("projects").and_then(Value::as_object) {
        for (path, project) in projects {
            entries.extend(mcp_servers::entries(project, "mcpServers", Some(path)));
        }
    }
    Ok(Parsed {
        entries,
        notes,
        info: Vec::new(),
    })
}
