//! The people screen: every person with what they own ([`state`]), and its
//! table ([`view`]).

pub mod state;
pub mod view;
