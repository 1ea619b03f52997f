//! The alerts screen: every alert, open and most severe first ([`state`]),
//! and its table ([`view`]).

pub mod state;
pub mod view;
