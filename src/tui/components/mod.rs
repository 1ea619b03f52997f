//! Pieces more than one screen or popup is built from: the list table
//! (window, column mask, selection style, empty note), list selection and
//! scrolling, a long list's rows by index and their free text, a list's
//! `/` filter, the one-line input, the header and the hint bar.

pub mod header;
pub mod hints;
pub mod id_order;
pub mod input;
pub mod list_filter;
pub mod list_table;
pub mod row_texts;
pub mod selection;
