//! From the keyboard and mouse to commands: the built-in bindings
//! ([`bindings`]), the keymap in force, the built-ins with this user's
//! remapping laid over them ([`keymap`]), and the mouse ([`mouse`]).

pub mod bindings;
pub mod keymap;
pub mod mouse;
