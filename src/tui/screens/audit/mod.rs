//! The audit screen: the live tail of the audit chain and its verification
//! ([`state`]), and how it is drawn ([`view`]).

pub mod state;
pub mod view;
