//! What carries the app's effects out against the backends: actions
//! ([`runner`]), reads beside the changes feed ([`fetch`]) and acting on an
//! Alertmanager ([`am_route`]).

pub mod am_route;
pub mod fetch;
pub mod runner;
