//! Whose configs to read: the user running Warden (through
//! `directories`), the homes named with `--home`, or with `--all-homes`
//! every home directory on the host (as root on a shared machine).

use super::finding::Warning;
use std::path::{Path, PathBuf};

/// The running user's home.
pub fn own() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
}

/// Every home on this host: the directories under the usual parents
/// (`/home`, `/Users`, `C:\Users`) and root's, plus the homes of
/// `/etc/passwd` users that exist as directories.
pub fn all(warnings: &mut Vec<Warning>) -> Vec<PathBuf> {
    let mut homes = Vec::new();
    for parent in ["/home", "/Users", "C:\\Users"] {
        let parent = Path::new(parent);
        match std::fs::read_dir(parent) {
            Ok(read) => {
                for entry in read.filter_map(Result::ok) {
                    let path = entry.path();
                    let skip = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        matches!(
                            n,
                            "Shared" | "Public" | "Default" | "All Users" | "lost+found"
                        )
                    });
                    if !skip && path.is_dir() {
                        homes.push(path);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => warnings.push(Warning::new(
                parent.display().to_string(),
                format!("cannot be listed: {e}"),
            )),
        }
    }
    if let Ok(passwd) = std::fs::read_to_string("/etc/passwd") {
        for line in passwd.lines() {
            let home = line.split(':').nth(5).unwrap_or("");
            let path = PathBuf::from(home);
            // System accounts live in /, /var/…, /usr/…, /bin; people don't.
            let person =
                home == "/root" || home.starts_with("/home/") || home.starts_with("/Users/");
            if person && path.is_dir() {
                homes.push(path);
            }
        }
    }
    homes.sort();
    homes.dedup();
    homes
}

/// This machine's name, as findings record it.
pub fn host_name() -> String {
    #[cfg(unix)]
    {
        let uname = rustix::system::uname();
        let name = uname.nodename().to_string_lossy().into_owned();
        if !name.is_empty() {
            return name;
        }
    }
    std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "localhost".to_string())
}
