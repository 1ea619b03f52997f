//! The agent detail screen: what it fetches beyond the changes feed
//! ([`state`]), the delegation chain ([`delegation_tree`], drawn as lines by
//! `links`) and how it is all drawn ([`view`]).

pub mod delegation_tree;
mod links;
pub mod state;
pub mod view;
