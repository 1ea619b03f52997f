//! Reading one config file defensively: a size cap (a config is a few
//! kilobytes; a 100 MB file is not one), no binary files, UTF-8 only. Each
//! refusal is a warning naming the file; the scan goes on.

use super::finding::Warning;
use std::io::Read;
use std::path::Path;

/// Larger files are not MCP client configs (`~/.claude.json` holds
/// history and grows, so the cap is generous).
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// The text of `path`; `Ok(None)` when it does not exist.
pub fn config_text(path: &Path) -> Result<Option<String>, Warning> {
    let warn = |m: String| Warning::new(path.display().to_string(), m);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(warn(format!("cannot be read: {e}"))),
    };
    if !meta.is_file() {
        return Err(warn("is not a regular file".into()));
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(warn(format!(
            "is {} MiB, over the {} MiB a client config can be; skipped",
            meta.len() / (1024 * 1024),
            MAX_CONFIG_BYTES / (1024 * 1024)
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| warn(format!("cannot be read: {e}")))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(warn(
            "grew past the size cap while being read; skipped".into(),
        ));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(warn(
            "is a binary file, not a client config; skipped".into(),
        ));
    }
    String::from_utf8(bytes).map(Some).map_err(|e| {
        warn(format!(
            "is not UTF-8 text (byte {}); skipped",
            e.utf8_error().valid_up_to()
        ))
    })
}
