//! The triage screen: the queue of ownerless agents with their owner
//! suggestions ([`state`]), and how it is drawn ([`view`]).

pub mod state;
pub mod view;
