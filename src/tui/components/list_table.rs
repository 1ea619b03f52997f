//! The one table every list screen draws: a bordered block with its title,
//! column titles, only the columns that fit the width (a mask), only the
//! rows in the visible window, the selected (or marked) row styled, and a
//! muted note where the first row would be when there is none.
//!
//! A screen says what its columns are and builds the cells of the rows on
//! screen; how a list is windowed, masked and styled lives here only.

use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

/// A list's table: its block and its columns, of which those the width
/// leaves out are masked.
pub struct ListTable<'a, const N: usize> {
    block: Block<'a>,
    widths: [Constraint; N],
    show: [bool; N],
}

impl<'a, const N: usize> ListTable<'a, N> {
    /// Every column shows.
    pub fn new(block: Block<'a>, widths: [Constraint; N]) -> Self {
        ListTable {
            block,
            widths,
            show: [true; N],
        }
    }

    /// Only the columns where `show` is true are drawn.
    pub fn mask(mut self, show: [bool; N]) -> Self {
        self.show = show;
        self
    }

    /// The cells of the columns that show, out of one cell per column.
    pub fn keep<'c>(&self, cells: impl IntoIterator<Item = Cell<'c>>) -> Vec<Cell<'c>> {
        cells
            .into_iter()
            .zip(self.show)
            .filter_map(|(c, s)| s.then_some(c))
            .collect()
    }

    /// The column titles row, in the theme's header style.
    pub fn header<'c>(&self, titles: impl IntoIterator<Item = Cell<'c>>, theme: &Theme) -> Row<'c> {
        Row::new(self.keep(titles)).style(theme.header)
    }

    /// One row of the list: its cells masked, styled as selected, marked or
    /// neither.
    pub fn row<'c>(&self, cells: Vec<Cell<'c>>, look: Look, theme: &Theme) -> Row<'c> {
        let row = Row::new(self.keep(cells));
        match look {
            Look::Selected => row.style(theme.selection),
            Look::Marked => row.style(theme.marked),
            Look::Plain => row,
        }
    }

    pub fn render<'c>(
        &self,
        frame: &mut Frame,
        area: Rect,
        header: Row<'c>,
        rows: impl IntoIterator<Item = Row<'c>>,
    ) {
        let widths: Vec<Constraint> = self
            .widths
            .into_iter()
            .zip(self.show)
            .filter_map(|(w, s)| s.then_some(w))
            .collect();
        let table = Table::new(rows, widths)
            .header(header)
            .block(self.block.clone())
            .column_spacing(1);
        frame.render_widget(table, area);
    }
}

/// How a row of a list stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Selected,
    Marked,
    Plain,
}

impl Look {
    /// Selected when `pos` is the selection, else plain.
    pub fn at(pos: usize, selected: usize) -> Self {
        if pos == selected {
            Look::Selected
        } else {
            Look::Plain
        }
    }
}

/// A list's bordered block, its title in the theme's title style.
pub fn titled(title: impl Into<String>, theme: &Theme) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title.into(), theme.title))
}

/// The items on screen: those from position `offset`, `rows` of them (at
/// least one), each with its position in the list.
pub fn window<I: IntoIterator>(
    items: I,
    offset: usize,
    rows: usize,
) -> impl Iterator<Item = (usize, I::Item)> {
    items.into_iter().enumerate().skip(offset).take(rows.max(1))
}

/// A muted line inside an empty table, where its first row would be.
pub fn empty_note(frame: &mut Frame, area: Rect, text: &'static str, theme: &Theme) {
    let inner = Rect {
        x: area.x + 2,
        y: area.y + 2,
        width: area.width.saturating_sub(4),
        height: 1.min(area.height.saturating_sub(2)),
    };
    frame.render_widget(Line::styled(text, theme.muted), inner);
}
