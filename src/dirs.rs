//! Where Warden keeps its files on this platform: config, data, state, and
//! how they are made private. The database holds token hashes and the
//! audit trail, the log names agents and people: none of it is for other
//! users of the machine, so directories Warden creates are 0700 and its
//! files 0600 from the moment they exist (never written first and
//! tightened after).

use directories::ProjectDirs;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

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

/// Creates `dir` and every missing parent 0700. Directories that already
/// exist are left alone: a `--database` in `/tmp` must not change `/tmp`.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates one of Warden's own directories (the platform data or state
/// dir) 0700, and tightens it to 0700 if it exists open to others; answers
/// whether it had to (the caller logs that, once).
pub fn create_own_dir(dir: &Path) -> io::Result<bool> {
    create_private_dir(dir)?;
    tighten(dir, 0o700)
}

/// Opens `path` for appending, creating it 0600; an existing file open to
/// others is tightened to 0600 before anything is written. Answers the file
/// and whether it had to tighten.
pub fn open_private_append(path: &Path) -> io::Result<(File, bool)> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    let tightened = tighten(path, 0o600)?;
    Ok((file, tightened))
}

/// Makes sure `path` exists 0600 (created empty if missing, so SQLite
/// opens a file that was never readable by others, and its `-wal` and
/// `-shm`, which SQLite gives the database's mode, are private too), and
/// tightens it and those companions if they are open to others. Answers
/// the files it had to tighten.
pub fn prepare_private_db(path: &Path) -> io::Result<Vec<PathBuf>> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?;
    let mut tightened = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if (suffix.is_empty() || file.exists()) && tighten(&file, 0o600)? {
            tightened.push(file);
        }
    }
    Ok(tightened)
}

/// Sets `path` to `mode` if group or others have any access to it.
#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> io::Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode();
    if current & 0o077 == 0 {
        return Ok(false);
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(true)
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) -> io::Result<bool> {
    Ok(false)
}
