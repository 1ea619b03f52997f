//! `warden serve` beyond the API: HTTPS, runtime hooks, kills that revoke
//! in Vault, several servers on one database (in process and as real
//! processes, also killed part-way through), and the server's limits under
//! a flood of slow sockets.

mod audit_sinks;
mod durable;
#[cfg(unix)]
mod files;
mod hooks;
mod import;
mod limits;
mod shared;
mod store_shared;
mod sweeper;
mod tls;
mod vault;
