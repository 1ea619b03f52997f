//! The one table every list screen draws: a bordered block with its title,
//! column titles, only the columns that fit the width (a mask), only the
//! rows in the visible window, the selected (or marked) row styled, and a
//! muted note where the first row would be when there is none.
//!
//! A screen says what its columns are and builds the cells of the rows on
//! screen; how a list is windowed, masked, styled and fitted lives here
//! only. Nothing is cut without saying so: a cell wider than its column
//! ends in `…`, and a column of names ([`Cut::Middle`]) keeps both ends,
//! so `ab-analyzer-staging` and `ab-analyzer-staging-2` still read apart.

use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};
use unicode_width::UnicodeWidthStr;

/// Where a cell too wide for its column is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Its end: `a summary that goes on…`.
    End,
    /// Its middle, for names that differ only at the end:
    /// `ab-analy…staging-2`.
    Middle,
}

/// One row's cells, fitted to the columns when the table is drawn.
pub struct FitRow<'c> {
    cells: Vec<Line<'c>>,
    style: Style,
}

/// A list's table: its block and its columns, of which those the width
/// leaves out are masked.
pub struct ListTable<'a, const N: usize> {
    block: Block<'a>,
    widths: [Constraint; N],
    show: [bool; N],
    cuts: [Cut; N],
}

impl<'a, const N: usize> ListTable<'a, N> {
    /// Every column shows.
    pub fn new(block: Block<'a>, widths: [Constraint; N]) -> Self {
        ListTable {
            block,
            widths,
            show: [true; N],
            cuts: [Cut::End; N],
        }
    }

    /// The columns of names, cut in the middle when too long.
    pub fn names(mut self, columns: &[usize]) -> Self {
        for &c in columns {
            if let Some(cut) = self.cuts.get_mut(c) {
                *cut = Cut::Middle;
            }
        }
        self
    }

    /// Only the columns where `show` is true are drawn.
    pub fn mask(mut self, show: [bool; N]) -> Self {
        self.show = show;
        self
    }

    /// The column titles row, in the theme's header style.
    pub fn header<'c>(
        &self,
        titles: impl IntoIterator<Item = Line<'c>>,
        theme: &Theme,
    ) -> FitRow<'c> {
        FitRow {
            cells: titles.into_iter().collect(),
            style: theme.header,
        }
    }

    /// One row of the list, one cell per column: styled as selected,
    /// marked or neither; masked and fitted when drawn.
    pub fn row<'c>(&self, cells: Vec<Line<'c>>, look: Look, theme: &Theme) -> FitRow<'c> {
        let style = match look {
            Look::Selected => theme.selection,
            Look::Marked => theme.marked,
            Look::Plain => Style::default(),
        };
        FitRow { cells, style }
    }

    pub fn render<'c>(
        &self,
        frame: &mut Frame,
        area: Rect,
        header: FitRow<'c>,
        rows: impl IntoIterator<Item = FitRow<'c>>,
    ) {
        let widths: Vec<Constraint> = self
            .widths
            .into_iter()
            .zip(self.show)
            .filter_map(|(w, s)| s.then_some(w))
            .collect();
        // The columns as the table lays them out (its flex and spacing), so
        // each cell is fitted to the width it will get.
        let inner = self.block.inner(area);
        let columns: Vec<usize> = Layout::horizontal(widths.clone())
            .flex(Flex::Legacy)
            .spacing(1)
            .split(Rect::new(0, 0, inner.width, 1))
            .iter()
            .map(|r| usize::from(r.width))
            .collect();
        let cuts: Vec<Cut> = self
            .cuts
            .into_iter()
            .zip(self.show)
            .filter_map(|(c, s)| s.then_some(c))
            .collect();
        let fit = |row: FitRow<'c>| -> Row<'c> {
            let cells = row
                .cells
                .into_iter()
                .zip(self.show)
                .filter_map(|(c, s)| s.then_some(c))
                .zip(columns.iter().zip(&cuts))
                .map(|(line, (&width, &cut))| Cell::from(fit(line, width, cut)));
            Row::new(cells).style(row.style)
        };
        let table = Table::new(rows.into_iter().map(fit), widths)
            .header(fit(header))
            .block(self.block.clone())
            .column_spacing(1);
        frame.render_widget(table, area);
    }
}

/// `line` in at most `width` columns: as it is when it fits, else cut
/// where `cut` says with `…` in place of what is left out.
pub fn fit<'c>(line: Line<'c>, width: usize, cut: Cut) -> Line<'c> {
    if line.width() <= width {
        return line;
    }
    if width == 0 {
        return Line::default();
    }
    let style = line.style;
    let room = width - 1;
    let (head, tail) = match cut {
        Cut::End => (room, 0),
        // The end of a name tells it from its neighbours; the start, what
        // kind of name it is: both, the end a little favoured.
        Cut::Middle => (room / 2, room - room / 2),
    };
    let mut spans = take(&line.spans, head, false);
    let ellipsis_style = spans.last().map_or(Style::default(), |s| s.style);
    spans.push(Span::styled("…", ellipsis_style));
    spans.extend(take(&line.spans, tail, true));
    Line::from(spans).style(style)
}

/// The spans' first `width` columns, or with `from_end` their last.
fn take<'c>(spans: &[Span<'c>], width: usize, from_end: bool) -> Vec<Span<'c>> {
    let ordered: Box<dyn Iterator<Item = &Span<'c>>> = if from_end {
        Box::new(spans.iter().rev())
    } else {
        Box::new(spans.iter())
    };
    let mut left = width;
    let mut out = Vec::new();
    for span in ordered {
        if left == 0 {
            break;
        }
        let w = span.content.width();
        if w <= left {
            out.push(span.clone());
            left -= w;
            continue;
        }
        // The part of this span that fits, from the side being taken.
        let chars: Vec<char> = span.content.chars().collect();
        let side: Box<dyn Iterator<Item = &char>> = if from_end {
            Box::new(chars.iter().rev())
        } else {
            Box::new(chars.iter())
        };
        let kept = side
            .map(|c| unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0))
            .take_while(|&cw| {
                let fits = cw <= left;
                if fits {
                    left -= cw;
                }
                fits
            })
            .count();
        let text: String = if from_end {
            chars[chars.len() - kept..].iter().collect()
        } else {
            chars[..kept].iter().collect()
        };
        out.push(Span::styled(text, span.style));
        break;
    }
    if from_end {
        out.reverse();
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fitted(s: &str, width: usize, cut: Cut) -> String {
        fit(Line::from(s.to_string()), width, cut).to_string()
    }

    #[test]
    fn a_cut_cell_says_so_and_names_keep_both_ends() {
        assert_eq!(fitted("short", 10, Cut::End), "short");
        assert_eq!(fitted("a summary that goes on", 10, Cut::End), "a summary…");
        let a = fitted("ab-analyzer-staging", 16, Cut::Middle);
        let b = fitted("ab-analyzer-staging-2", 16, Cut::Middle);
        assert_eq!(a, "ab-anal…-staging");
        assert_eq!(b, "ab-anal…taging-2");
        assert_ne!(a, b, "neighbours stay apart");
        assert_eq!(fitted("李雷李雷李雷", 5, Cut::End), "李雷…");
        assert_eq!(fitted("abc", 0, Cut::End), "");
    }
}
