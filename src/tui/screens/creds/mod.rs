//! The credentials screen: every credential, soonest to expire first
//! ([`state`]), and its table ([`view`]).

pub mod state;
pub mod view;
