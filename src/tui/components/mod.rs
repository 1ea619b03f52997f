//! Pieces more than one screen or popup is built from: list selection and
//! scrolling, the one-line input, the header.

pub mod header;
pub mod input;
pub mod selection;
