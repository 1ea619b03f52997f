//! The layout most clients share, Claude Desktop's: an object of servers
//! by name under one key (`mcpServers`, `servers`, `context_servers`).

use super::Entry;
use serde_json::Value;

/// The servers under `key` of `doc`; entries that are not objects are
/// kept too (the judge reports what it can of them).
pub fn entries(doc: &Value, key: &str, project: Option<&str>) -> Vec<Entry> {
    let Some(servers) = doc.get(key).and_then(Value::as_object) else {
        return Vec::new();
    };
    servers
        .iter()
        .map(|(name, value)| Entry {
            name: name.clone(),
            project: project.map(str::to_string),
            value: value.clone(),
        })
        .collect()
}
