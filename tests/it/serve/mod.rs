//! `warden serve` beyond the API: HTTPS, runtime hooks, and several
//! servers on one database (in process and as real processes, also killed
//! part-way through).

mod durable;
mod hooks;
mod shared;
mod store_shared;
mod tls;
