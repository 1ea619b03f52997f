//! What the suites share, once: an in-process server over SQLite or
//! PostgreSQL (`server`), the rules suites' helpers (`rules`), the real
//! binary and its `serve` child processes (`cli`, `serve`), a real
//! Alertmanager (`alertmanager`), a real OpenBao (`bao`), the Python venv of
//! independent clients and servers (`python`), the dashboard's
//! fixed fleet (`fleet`) and the agents discovery adds to it
//! (`discovered`), driving and drawing the dashboard (`dashboard`), and the
//! SVG renderer of the README's screenshots (`svg`).

pub mod agents;
pub mod alertmanager;
pub mod bao;
pub mod cli;
pub mod dashboard;
pub mod discovered;
pub mod fleet;
pub mod live;
pub mod oauth;
pub mod python;
pub mod rsyslog;
pub mod rules;
pub mod serve;
pub mod server;
pub mod svg;
pub mod vault_fleet;

/// Installs rustls' ring provider as the process's default, once: reqwest
/// is built without one, so every helper that makes a client calls this
/// first (the suites share one process, and any of them may run alone).
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err only if another caller (Warden's own client) was first.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
