//! Zed's `settings.json` (user, and a project's `.zed/settings.json`),
//! JSON with comments: servers under `context_servers`. A custom server is
//! `{"command": "path", "args": [], "env": {}}` (`"source": "custom"`), or
//! in older versions `{"command": {"path", "args", "env"}}`; a remote one
//! has `url` and `headers`; an extension's has only `settings`, which can
//! hold a connection string.

use super::{Parsed, json, mcp_servers};

pub fn settings_file(text: &str) -> Result<Parsed, String> {
    let (doc, notes) = json(text, true)?;
    Ok(Parsed {
        entries: mcp_servers::entries(&doc, "context_servers", None),
        notes,
        info: Vec::new(),
    })
}
