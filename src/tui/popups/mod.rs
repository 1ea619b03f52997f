//! What opens over a screen and takes every key while open: the
//! confirmation dialog ([`confirm`]), the owner picker ([`picker`]), a
//! rotated credential's new secret ([`secret`]), help and the welcome
//! screen; [`view`] draws them all.

pub mod confirm;
pub mod picker;
pub mod secret;
pub mod view;
