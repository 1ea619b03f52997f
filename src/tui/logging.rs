//! The dashboard's log: `warden.log` in the platform state dir, never the
//! terminal the dashboard draws on. The level comes from `WARDEN_LOG`
//! (an `EnvFilter` directive; default `info`).

use crate::tui::strings;
use std::path::PathBuf;
use std::sync::Mutex;

/// Starts logging to the file; answers its path. An error says why there
/// is no log; the dashboard runs without one (the caller says so on
/// stderr before the screen is taken).
pub fn init() -> Result<PathBuf, String> {
    let dir = crate::dirs::state_dir().ok_or_else(|| strings::NO_STATE_DIR.to_string())?;
    let dir_tightened =
        crate::dirs::create_own_dir(&dir).map_err(|e| strings::cannot_create_dir(&dir, e))?;
    let path = dir.join("warden.log");
    let (file, log_tightened) =
        crate::dirs::open_private_append(&path).map_err(|e| strings::cannot_open_log(&path, e))?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("WARDEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .map_err(strings::cannot_start_logging)?;
    if dir_tightened || log_tightened {
        tracing::warn!(
            path = %path.display(),
            "the log or its directory was readable by other users; now 0600 in 0700"
        );
    }
    Ok(path)
}
