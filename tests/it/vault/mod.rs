//! Vault (OpenBao) as a governance backend, against a real `bao server
//! -dev` started by each test (see `support::bao`): reading, revoking and
//! verifying, dynamic PostgreSQL credentials, each kind of failure, and an
//! ignored timing of a large first read.

mod act;
mod bench;
mod database;
mod errors;
mod policy;
mod read;
