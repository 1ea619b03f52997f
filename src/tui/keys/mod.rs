//! From the keyboard and mouse to commands: the built-in keymap
//! ([`keymap`]), the user's remapping of it ([`remap`]) and the mouse
//! ([`mouse`]).

pub mod keymap;
pub mod mouse;
pub mod remap;
