//! Where Warden keeps its files on this platform: config, data, state.

use directories::ProjectDirs;
use std::path::PathBuf;

pub fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("dev", "warden", "warden")
}

/// The default SQLite database of `warden serve` and the local registry.
pub fn default_database() -> Option<PathBuf> {
    project().map(|d| d.data_dir().join("warden.db"))
}

/// Where logs go: never the terminal the dashboard draws on.
pub fn state_dir() -> Option<PathBuf> {
    project().map(|d| {
        d.state_dir()
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| d.data_local_dir().join("state"))
    })
}
