//! What opens over a screen and takes every key while open: the
//! confirmation dialog ([`confirm`]), the owner picker ([`picker`]), help
//! and the welcome screen; [`view`] draws them all.

pub mod confirm;
pub mod picker;
pub mod view;
