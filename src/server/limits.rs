//! The limits `warden serve` holds every connection to (`[serve]`
//! `header_timeout_seconds`, `idle_timeout_seconds`, `body_timeout_seconds`,
//! `write_timeout_seconds`, `max_connections`), and the file-descriptor limit they must fit under:
//! read at start and raised to the hard limit where the system allows, so
//! that a flood of sockets meets the connection cap, never `accept`'s
//! "Too many open files".

use crate::config::ServeConfig;
use std::time::Duration;

pub const DEFAULT_HEADER_TIMEOUT: u64 = 10;
pub const DEFAULT_IDLE_TIMEOUT: u64 = 60;
pub const DEFAULT_BODY_TIMEOUT: u64 = 30;
pub const DEFAULT_WRITE_TIMEOUT: u64 = 30;
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Descriptors kept back from connections: the database (SQLite's file and
/// journal, up to 16 PostgreSQL connections), hooks' pipes, webhooks,
/// Vault and Alertmanager clients, the log.
const FD_RESERVE: u64 = 128;

/// The limits in force, after the defaults and the descriptor limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub body_timeout: Duration,
    pub write_timeout: Duration,
    pub max_connections: usize,
    /// The soft `RLIMIT_NOFILE` after raising it (None where unknown).
    pub fd_limit: Option<u64>,
}

impl Limits {
    /// The config's limits with their defaults, the connection cap lowered
    /// to fit `fd_limit`. A zero is refused: it would refuse every client.
    pub fn resolve(config: &ServeConfig, fd_limit: Option<u64>) -> anyhow::Result<Limits> {
        let secs = |key: &str, v: Option<u64>, default: u64| -> anyhow::Result<Duration> {
            match v.unwrap_or(default) {
                0 => anyhow::bail!("[serve] {key} must be at least 1"),
                s => Ok(Duration::from_secs(s)),
            }
        };
        let wanted = config.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS);
        if wanted == 0 {
            anyhow::bail!("[serve] max_connections must be at least 1");
        }
        Ok(Limits {
            header_timeout: secs(
                "header_timeout_seconds",
                config.header_timeout_seconds,
                DEFAULT_HEADER_TIMEOUT,
            )?,
            idle_timeout: secs(
                "idle_timeout_seconds",
                config.idle_timeout_seconds,
                DEFAULT_IDLE_TIMEOUT,
            )?,
            body_timeout: secs(
                "body_timeout_seconds",
                config.body_timeout_seconds,
                DEFAULT_BODY_TIMEOUT,
            )?,
            write_timeout: secs(
                "write_timeout_seconds",
                config.write_timeout_seconds,
                DEFAULT_WRITE_TIMEOUT,
            )?,
            max_connections: wanted.min(fd_room(fd_limit)),
            fd_limit,
        })
    }
}

/// How many connections fit under a descriptor limit: the reserve kept
/// back, and at least a quarter of a small limit always left to clients.
fn fd_room(fd_limit: Option<u64>) -> usize {
    match fd_limit {
        None => usize::MAX,
        Some(n) => {
            usize::try_from(n.saturating_sub(FD_RESERVE).max(n / 4).max(1)).unwrap_or(usize::MAX)
        }
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard one where it can, and
/// answers the soft limit now in force (None where it cannot be read).
#[cfg(unix)]
pub fn raise_fd_limit() -> Option<u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let now = getrlimit(Resource::Nofile);
    let soft = now.current?;
    // macOS answers an unlimited hard limit but refuses a soft one above
    // its kernel's own cap: a raise that fails keeps what there was.
    let target = now.maximum.unwrap_or(1 << 20);
    if target > soft
        && setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(target),
                maximum: now.maximum,
            },
        )
        .is_ok()
    {
        tracing::info!(from = soft, to = target, "raised the file-descriptor limit");
        return Some(target);
    }
    Some(soft)
}

#[cfg(not(unix))]
pub fn raise_fd_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_under_the_descriptor_limit() {
        let config = ServeConfig::default();
        let l = Limits::resolve(&config, Some(1024)).unwrap();
        assert_eq!(l.max_connections, 1024 - 128);
        assert_eq!(l.header_timeout, Duration::from_secs(10));
        let l = Limits::resolve(&config, Some(1_000_000)).unwrap();
        assert_eq!(l.max_connections, DEFAULT_MAX_CONNECTIONS);
        let l = Limits::resolve(&config, Some(256)).unwrap();
        assert_eq!(l.max_connections, 128);
        let l = Limits::resolve(&config, Some(100)).unwrap();
        assert_eq!(
            l.max_connections, 25,
            "a small limit still leaves room for clients"
        );
    }

    #[test]
    fn a_zero_limit_is_refused_with_its_key() {
        let config = ServeConfig {
            idle_timeout_seconds: Some(0),
            ..ServeConfig::default()
        };
        let e = Limits::resolve(&config, None).unwrap_err().to_string();
        assert!(e.contains("idle_timeout_seconds"), "{e}");
        let config = ServeConfig {
            max_connections: Some(0),
            ..ServeConfig::default()
        };
        let e = Limits::resolve(&config, None).unwrap_err().to_string();
        assert!(e.contains("max_connections"), "{e}");
    }
}
