//! The agent detail screen: what it fetches beyond the changes feed
//! ([`state`]), the delegation chain ([`delegation_tree`]) and how it is all
//! drawn ([`view`]).

pub mod delegation_tree;
pub mod state;
pub mod view;
