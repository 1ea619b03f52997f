//! What carries the app's effects out against the backends: actions
//! ([`runner`]), reads beside the changes feed ([`fetch`]), the
//! credentials view's pages ([`credentials`]), acting on an
//! Alertmanager ([`am_route`]) and on a Vault ([`vault_route`]).

pub mod am_route;
pub mod credentials;
pub mod fetch;
pub mod runner;
pub mod vault_route;
