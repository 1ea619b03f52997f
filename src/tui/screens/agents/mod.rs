//! The agents screen: the fleet filtered and sorted ([`state`]) and the
//! table that shows it ([`view`]).

pub mod state;
pub mod view;
