//! `warden serve` beyond the API: HTTPS, runtime hooks, kills that revoke
//! in Vault, and several servers on one database (in process and as real
//! processes, also killed part-way through).

mod durable;
#[cfg(unix)]
mod files;
mod hooks;
mod shared;
mod store_shared;
mod tls;
mod vault;
