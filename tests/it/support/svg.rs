//! A rendered buffer as an SVG image, for the README's screenshots: what a
//! terminal would show, cell for cell, without a terminal. Only the
//! screenshot test draws them, so it lives here and not in the product.
//!
//! The image is a grid of 9x18 px cells. Coordinates are integers in tenths
//! of a pixel (the `viewBox` is ten times the pixel size), so the output
//! never depends on float formatting, and the same buffer always gives the
//! same bytes. Box-drawing lines and block elements are drawn as shapes
//! rather than glyphs: fonts disagree about their height, and glyphs leave
//! gaps between rows where a terminal draws a continuous border. Text runs
//! carry a `textLength`, and every non-ASCII character sits alone, centred
//! in its cells, so a viewer whose monospace font is narrower, or which
//! falls back to another font for `●` or CJK, still keeps the grid.

use ratatui::buffer::{Buffer, Cell, CellWidth};
use ratatui::style::{Color, Modifier};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A colour as the image paints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// `self` at `num/den` strength over `under`, for dim text.
    fn blend(self, under: Rgb, num: u16, den: u16) -> Rgb {
        let mix = |a: u8, b: u8| ((a as u16 * num + b as u16 * (den - num)) / den) as u8;
        Rgb(
            mix(self.0, under.0),
            mix(self.1, under.1),
            mix(self.2, under.2),
        )
    }
}

/// xterm's default colours for the sixteen ANSI colours, in index order.
pub const XTERM_16: [Rgb; 16] = [
    Rgb(0x00, 0x00, 0x00),
    Rgb(0xcd, 0x00, 0x00),
    Rgb(0x00, 0xcd, 0x00),
    Rgb(0xcd, 0xcd, 0x00),
    Rgb(0x00, 0x00, 0xee),
    Rgb(0xcd, 0x00, 0xcd),
    Rgb(0x00, 0xcd, 0xcd),
    Rgb(0xe5, 0xe5, 0xe5),
    Rgb(0x7f, 0x7f, 0x7f),
    Rgb(0xff, 0x00, 0x00),
    Rgb(0x00, 0xff, 0x00),
    Rgb(0xff, 0xff, 0x00),
    Rgb(0x5c, 0x5c, 0xff),
    Rgb(0xff, 0x00, 0xff),
    Rgb(0x00, 0xff, 0xff),
    Rgb(0xff, 0xff, 0xff),
];

/// What the terminal around the buffer looks like.
#[derive(Debug, Clone)]
pub struct SvgOptions {
    /// The terminal's default foreground: what `Color::Reset` text is.
    pub fg: Rgb,
    /// The terminal's default background: what `Color::Reset` cells are.
    pub bg: Rgb,
    /// The sixteen ANSI colours (`Color::Red`, `Color::Indexed(1)`, …).
    pub ansi: [Rgb; 16],
    /// An accessible name for the image, e.g. "the agents view".
    pub title: Option<String>,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            fg: XTERM_16[7],
            bg: Rgb(0x12, 0x14, 0x18),
            ansi: XTERM_16,
            title: None,
        }
    }
}

/// Cell width and height, the font size and the baseline's offset from a
/// row's top, in tenths of a pixel: 15 px text in 9x18 px cells (0.6 em is
/// the advance of the common monospace fonts).
const CW: i32 = 90;
const CH: i32 = 180;
const FONT: i32 = 150;
const BASELINE: i32 = 137;
/// The margin around the grid.
const PAD: i32 = 120;
const FONTS: &str = "ui-monospace,'SF Mono',SFMono-Regular,Menlo,'DejaVu Sans Mono',\
                     'Cascadia Mono',Consolas,'Liberation Mono',monospace";

/// A stroke weight of a box-drawing arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    Light,
    Heavy,
    Double,
}

/// How a box-drawing character is drawn: its arms (up, right, down, left)
/// from the cell's centre to its edges, and whether its corner is round.
#[derive(Debug, Clone, Copy)]
struct BoxChar {
    arms: [Option<Weight>; 4],
    round: bool,
}

const UP: usize = 0;
const RIGHT: usize = 1;
const DOWN: usize = 2;
const LEFT: usize = 3;

/// The box-drawing characters drawn as lines: every one with arms of a
/// single weight (what ratatui's plain, rounded, thick and double borders
/// and their merges use). Mixed weights and dashes stay text.
fn box_char(c: char) -> Option<BoxChar> {
    use Weight::*;
    let (w, arms): (Weight, &str) = match c {
        '─' => (Light, "rl"),
        '│' => (Light, "ud"),
        '┌' | '╭' => (Light, "rd"),
        '┐' | '╮' => (Light, "ld"),
        '└' | '╰' => (Light, "ur"),
        '┘' | '╯' => (Light, "ul"),
        '├' => (Light, "udr"),
        '┤' => (Light, "udl"),
        '┬' => (Light, "rld"),
        '┴' => (Light, "rlu"),
        '┼' => (Light, "udrl"),
        '╴' => (Light, "l"),
        '╵' => (Light, "u"),
        '╶' => (Light, "r"),
        '╷' => (Light, "d"),
        '━' => (Heavy, "rl"),
        '┃' => (Heavy, "ud"),
        '┏' => (Heavy, "rd"),
        '┓' => (Heavy, "ld"),
        '┗' => (Heavy, "ur"),
        '┛' => (Heavy, "ul"),
        '┣' => (Heavy, "udr"),
        '┫' => (Heavy, "udl"),
        '┳' => (Heavy, "rld"),
        '┻' => (Heavy, "rlu"),
        '╋' => (Heavy, "udrl"),
        '╸' => (Heavy, "l"),
        '╹' => (Heavy, "u"),
        '╺' => (Heavy, "r"),
        '╻' => (Heavy, "d"),
        '═' => (Double, "rl"),
        '║' => (Double, "ud"),
        '╔' => (Double, "rd"),
        '╗' => (Double, "ld"),
        '╚' => (Double, "ur"),
        '╝' => (Double, "ul"),
        '╠' => (Double, "udr"),
        '╣' => (Double, "udl"),
        '╦' => (Double, "rld"),
        '╩' => (Double, "rlu"),
        '╬' => (Double, "udrl"),
        _ => return None,
    };
    let mut out = [None; 4];
    for a in arms.chars() {
        let i = match a {
            'u' => UP,
            'r' => RIGHT,
            'd' => DOWN,
            _ => LEFT,
        };
        out[i] = Some(w);
    }
    Some(BoxChar {
        arms: out,
        round: matches!(c, '╭' | '╮' | '╯' | '╰'),
    })
}

/// Block elements drawn as rectangles: (x, y, width, height) in eighths of
/// the cell, and the fill opacity in percent (the shades).
fn block_char(c: char) -> Option<([i32; 4], u8)> {
    Some(match c {
        '█' => ([0, 0, 8, 8], 100),
        '▀' => ([0, 0, 8, 4], 100),
        '▄' => ([0, 4, 8, 4], 100),
        '▌' => ([0, 0, 4, 8], 100),
        '▐' => ([4, 0, 4, 8], 100),
        '░' => ([0, 0, 8, 8], 25),
        '▒' => ([0, 0, 8, 8], 50),
        '▓' => ([0, 0, 8, 8], 75),
        _ => return None,
    })
}

/// Line widths: light and double strokes, and heavy ones.
const LIGHT: i32 = 13;
const HEAVY: i32 = 30;
/// Half the distance between the two strokes of a double line.
const GAP: i32 = 20;

/// How one cell is painted, with every colour resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Look {
    fg: Rgb,
    bg: Rgb,
    bold: bool,
    italic: bool,
    underline: bool,
    strike: bool,
    hidden: bool,
}

/// What text is drawn with: a look without its background.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Ink {
    fg: Rgb,
    bold: bool,
    italic: bool,
    underline: bool,
    strike: bool,
}

impl Look {
    fn ink(&self) -> Ink {
        Ink {
            fg: self.fg,
            bold: self.bold,
            italic: self.italic,
            underline: self.underline,
            strike: self.strike,
        }
    }

    /// A space that shows nothing but its background, so it may join a
    /// neighbouring run of any ink.
    fn is_blank(&self, symbol: &str) -> bool {
        self.hidden || ((symbol == " " || symbol.is_empty()) && !self.underline && !self.strike)
    }
}

fn resolve(color: Color, default: Rgb, ansi: &[Rgb; 16]) -> Rgb {
    let named = |i: usize| ansi[i];
    match color {
        Color::Reset => default,
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => named(8),
        Color::LightRed => named(9),
        Color::LightGreen => named(10),
        Color::LightYellow => named(11),
        Color::LightBlue => named(12),
        Color::LightMagenta => named(13),
        Color::LightCyan => named(14),
        Color::White => named(15),
        Color::Rgb(r, g, b) => Rgb(r, g, b),
        Color::Indexed(i) => indexed(i, ansi),
    }
}

/// xterm's 256 colours: the sixteen, a 6x6x6 cube, then 24 greys.
fn indexed(i: u8, ansi: &[Rgb; 16]) -> Rgb {
    match i {
        0..=15 => ansi[i as usize],
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            Rgb(level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            Rgb(v, v, v)
        }
    }
}

fn look(cell: &Cell, o: &SvgOptions) -> Look {
    let m = cell.modifier;
    let mut fg = resolve(cell.fg, o.fg, &o.ansi);
    let mut bg = resolve(cell.bg, o.bg, &o.ansi);
    if m.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    if m.contains(Modifier::DIM) {
        fg = fg.blend(bg, 3, 5);
    }
    Look {
        fg,
        bg,
        bold: m.contains(Modifier::BOLD),
        italic: m.contains(Modifier::ITALIC),
        underline: m.contains(Modifier::UNDERLINED),
        strike: m.contains(Modifier::CROSSED_OUT),
        hidden: m.contains(Modifier::HIDDEN),
    }
}

/// Text safe inside an XML element: markup escaped, and characters XML
/// forbids or that would reorder the line (bidi controls: a terminal shows
/// cells left to right, whatever they hold) replaced.
fn escape_xml(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' => out.push(' '),
            '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{fffe}'
            | '\u{ffff}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// One cell of the grid as it is drawn: where the glyph that covers it
/// starts, and how many columns that glyph spans.
struct Slot<'a> {
    x: u16,
    width: u16,
    symbol: &'a str,
    look: Look,
}

/// The cells of one row, with the cells a wide glyph covers folded into it.
fn slots<'a>(buffer: &'a Buffer, y: u16, o: &SvgOptions) -> Vec<Slot<'a>> {
    let area = buffer.area;
    let mut out = Vec::with_capacity(area.width as usize);
    let mut x = area.x;
    while x < area.right() {
        let cell = &buffer[(x, y)];
        // A wide glyph at the row's end is cut to what is left, as a
        // terminal would clip it. A control character (which ratatui
        // refuses to measure) is drawn as a one-cell replacement.
        let width = if cell.symbol().contains(char::is_control) {
            1
        } else {
            cell.cell_width().clamp(1, area.right() - x)
        };
        out.push(Slot {
            x: x - area.x,
            width,
            symbol: cell.symbol(),
            look: look(cell, o),
        });
        x += width;
    }
    out
}

/// Line segments of one stroke: horizontal ones as (y, x0, x1) and
/// vertical ones as (x, y0, y1), merged before they are written.
#[derive(Default)]
struct Strokes {
    horizontal: Vec<(i32, i32, i32)>,
    vertical: Vec<(i32, i32, i32)>,
    curves: String,
}

/// Joins touching or overlapping segments on the same line.
fn merge(mut segments: Vec<(i32, i32, i32)>) -> Vec<(i32, i32, i32)> {
    segments.sort_unstable();
    let mut out: Vec<(i32, i32, i32)> = Vec::with_capacity(segments.len());
    for (line, a, b) in segments {
        match out.last_mut() {
            Some(last) if last.0 == line && a <= last.2 => last.2 = last.2.max(b),
            _ => out.push((line, a, b)),
        }
    }
    out
}

/// Adds the lines of box-drawing character `b` in the cell at (`left`, `top`).
fn draw_box(b: BoxChar, left: i32, top: i32, strokes: &mut Strokes) {
    let (cx, cy) = (left + CW / 2, top + CH / 2);
    let (right, bottom) = (left + CW, top + CH);
    if b.round {
        // A quarter turn from one edge's midpoint to the other's.
        let r = CW / 2;
        let end = |arm: usize| match arm {
            UP => ((cx, top), (cx, cy - r)),
            RIGHT => ((right, cy), (cx + r, cy)),
            DOWN => ((cx, bottom), (cx, cy + r)),
            _ => ((left, cy), (cx - r, cy)),
        };
        let mut arms = (0..4).filter(|&i| b.arms[i].is_some());
        if let (Some(a), Some(z)) = (arms.next(), arms.next()) {
            let ((ax, ay), (anx, any)) = end(a);
            let ((zx, zy), (znx, zny)) = end(z);
            let _ = write!(
                strokes.curves,
                "M{ax} {ay}L{anx} {any}Q{cx} {cy} {znx} {zny}L{zx} {zy}"
            );
        }
        return;
    }
    let has = |i: usize| b.arms[i].is_some();
    let weight = b.arms.iter().flatten().next().copied();
    if weight == Some(Weight::Double) {
        // Two strokes per arm. A stroke stops short of the centre on the
        // side where a perpendicular arm comes in, and runs on to the far
        // stroke of that arm where none does, so corners and tees close.
        let until = |side: bool| if side { GAP } else { -GAP };
        for (arm, dir) in [(RIGHT, 1), (LEFT, -1)] {
            if !has(arm) {
                continue;
            }
            let edge = if dir > 0 { right } else { left };
            for (dy, side) in [(-GAP, has(UP)), (GAP, has(DOWN))] {
                let start = cx + dir * until(side);
                strokes
                    .horizontal
                    .push((cy + dy, start.min(edge), start.max(edge)));
            }
        }
        for (arm, dir) in [(DOWN, 1), (UP, -1)] {
            if !has(arm) {
                continue;
            }
            let edge = if dir > 0 { bottom } else { top };
            for (dx, side) in [(-GAP, has(LEFT)), (GAP, has(RIGHT))] {
                let start = cy + dir * until(side);
                strokes
                    .vertical
                    .push((cx + dx, start.min(edge), start.max(edge)));
            }
        }
        return;
    }
    // One stroke per axis, reaching half a stroke past the centre so a
    // corner's two arms meet without a notch.
    let half = if weight == Some(Weight::Heavy) {
        HEAVY / 2
    } else {
        LIGHT / 2
    };
    if has(LEFT) || has(RIGHT) {
        let x0 = if has(LEFT) { left } else { cx - half };
        let x1 = if has(RIGHT) { right } else { cx + half };
        strokes.horizontal.push((cy, x0, x1));
    }
    if has(UP) || has(DOWN) {
        let y0 = if has(UP) { top } else { cy - half };
        let y1 = if has(DOWN) { bottom } else { cy + half };
        strokes.vertical.push((cx, y0, y1));
    }
}

/// The CSS class of each ink, numbered in order of first use.
#[derive(Default)]
struct Inks(Vec<Ink>);

impl Inks {
    fn class(&mut self, ink: Ink) -> usize {
        match self.0.iter().position(|i| *i == ink) {
            Some(i) => i,
            None => {
                self.0.push(ink);
                self.0.len() - 1
            }
        }
    }

    fn css(&self) -> String {
        let mut out = String::new();
        for (i, ink) in self.0.iter().enumerate() {
            let _ = write!(out, ".t{i}{{fill:{}", ink.fg.hex());
            if ink.bold {
                out.push_str(";font-weight:bold");
            }
            if ink.italic {
                out.push_str(";font-style:italic");
            }
            match (ink.underline, ink.strike) {
                (true, true) => out.push_str(";text-decoration:underline line-through"),
                (true, false) => out.push_str(";text-decoration:underline"),
                (false, true) => out.push_str(";text-decoration:line-through"),
                (false, false) => {}
            }
            out.push('}');
        }
        out
    }
}

/// Draws `buffer` as an SVG image of a terminal showing it.
pub fn buffer_to_svg(buffer: &Buffer, options: &SvgOptions) -> String {
    let area = buffer.area;
    let (cols, rows) = (area.width as i32, area.height as i32);
    let (w, h) = (cols * CW + 2 * PAD, rows * CH + 2 * PAD);
    let mut backgrounds = String::new();
    let mut blocks = String::new();
    let mut texts = String::new();
    let mut inks = Inks::default();
    // Keyed by colour and width, so each stroke is one path, in a stable order.
    let mut strokes: BTreeMap<(Rgb, i32), Strokes> = BTreeMap::new();

    for row in 0..area.height {
        let y = area.y + row;
        let top = PAD + row as i32 * CH;
        let slots = slots(buffer, y, options);

        // Backgrounds: one rectangle per run of a colour other than the
        // terminal's own.
        let mut i = 0;
        while i < slots.len() {
            let bg = slots[i].look.bg;
            let mut j = i;
            while j < slots.len() && slots[j].look.bg == bg {
                j += 1;
            }
            if bg != options.bg {
                let x0 = slots[i].x as i32;
                let x1 = slots[j - 1].x as i32 + slots[j - 1].width as i32;
                let _ = writeln!(
                    backgrounds,
                    r#"<rect x="{}" y="{top}" width="{}" height="{CH}" fill="{}"/>"#,
                    PAD + x0 * CW,
                    (x1 - x0) * CW,
                    bg.hex()
                );
            }
            i = j;
        }

        // Glyphs: lines and blocks as shapes, the rest as text runs.
        let mut i = 0;
        while i < slots.len() {
            let s = &slots[i];
            let left = PAD + s.x as i32 * CW;
            let mut chars = s.symbol.chars();
            let single = match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            };
            if s.look.is_blank(s.symbol) {
                i += 1;
                continue;
            }
            if let Some(b) = single.and_then(box_char) {
                let width = match b.arms.iter().flatten().next() {
                    Some(Weight::Heavy) => HEAVY,
                    _ => LIGHT,
                };
                draw_box(b, left, top, strokes.entry((s.look.fg, width)).or_default());
                i += 1;
                continue;
            }
            if let Some(([bx, by, bw, bh], opacity)) = single.and_then(block_char) {
                let _ = write!(
                    blocks,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}""#,
                    left + bx * CW / 8,
                    top + by * CH / 8,
                    bw * CW / 8,
                    bh * CH / 8,
                    s.look.fg.hex()
                );
                if opacity < 100 {
                    let _ = write!(blocks, r#" fill-opacity="{}""#, opacity as f32 / 100.0);
                }
                blocks.push_str("/>\n");
                i += 1;
                continue;
            }
            let class = inks.class(s.look.ink());
            let baseline = top + BASELINE;
            if !s.symbol.is_ascii() {
                // Alone and centred: its font may not be the grid's.
                let _ = write!(
                    texts,
                    r#"<text x="{}" y="{baseline}" class="t{class} c">"#,
                    left + s.width as i32 * CW / 2
                );
                escape_xml(s.symbol, &mut texts);
                texts.push_str("</text>\n");
                i += 1;
                continue;
            }
            // An ASCII run of one ink; a blank cell joins it, and the
            // trailing ones are dropped again. A gap of two blank cells
            // or more (between table columns, say) ends it, so a viewer
            // that ignores `textLength` (librsvg does) and uses a font a
            // little wider than the grid drifts over a few words at most,
            // never across a whole row.
            let ink = s.look.ink();
            let mut end = i + 1;
            let mut last = i;
            while end < slots.len() {
                let n = &slots[end];
                if !n.symbol.is_ascii() {
                    break;
                }
                if n.look.is_blank(n.symbol) {
                    if end > last + 1 {
                        break;
                    }
                    end += 1;
                    continue;
                }
                if n.look.ink() != ink {
                    break;
                }
                last = end;
                end += 1;
            }
            let cells = (slots[last].x - s.x + slots[last].width) as i32;
            let _ = write!(
                texts,
                r#"<text x="{left}" y="{baseline}" textLength="{}" class="t{class}">"#,
                cells * CW
            );
            for n in &slots[i..=last] {
                if n.look.hidden || n.symbol.is_empty() {
                    texts.push(' ');
                } else {
                    escape_xml(n.symbol, &mut texts);
                }
            }
            texts.push_str("</text>\n");
            i = last + 1;
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {w} {h}" xml:space="preserve" role="img">"#,
        w / 10,
        h / 10
    );
    if let Some(title) = &options.title {
        out.push_str("<title>");
        escape_xml(title, &mut out);
        out.push_str("</title>\n");
    }
    let _ = writeln!(
        out,
        "<style>text{{font-family:{FONTS};font-size:{FONT}px;white-space:pre;\
         unicode-bidi:bidi-override;direction:ltr}}.c{{text-anchor:middle}}{}</style>",
        inks.css()
    );
    let _ = writeln!(
        out,
        r#"<rect width="{w}" height="{h}" rx="{}" fill="{}"/>"#,
        PAD / 2,
        options.bg.hex()
    );
    out.push_str(&backgrounds);
    out.push_str(&blocks);
    for ((color, width), s) in strokes {
        let _ = write!(
            out,
            r#"<path fill="none" stroke="{}" stroke-width="{width}" d=""#,
            color.hex()
        );
        for (y, x0, x1) in merge(s.horizontal) {
            let _ = write!(out, "M{x0} {y}H{x1}");
        }
        for (x, y0, y1) in merge(s.vertical) {
            let _ = write!(out, "M{x} {y0}V{y1}");
        }
        out.push_str(&s.curves);
        out.push_str("\"/>\n");
    }
    out.push_str(&texts);
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn buffer(width: u16, height: u16) -> Buffer {
        Buffer::empty(Rect::new(0, 0, width, height))
    }

    fn svg(b: &Buffer) -> String {
        buffer_to_svg(b, &SvgOptions::default())
    }

    /// The `<text>` elements, without their attributes.
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text ")
            .skip(1)
            .map(|t| {
                let body = &t[t.find('>').unwrap() + 1..];
                &body[..body.find("</text>").unwrap()]
            })
            .collect()
    }

    #[test]
    fn a_run_of_one_style_is_one_text_up_to_a_wide_gap() {
        let mut b = buffer(30, 1);
        b.set_string(1, 0, "agents 5 ok  next  ", Style::new().fg(Color::Cyan));
        let out = svg(&b);
        assert_eq!(texts(&out), ["agents 5 ok", "next"]);
        // Starts in column 1 and spans eleven cells; the next word in
        // column 14.
        assert!(out.contains(r#"x="210" y="257" textLength="990""#), "{out}");
        assert!(
            out.contains(r#"x="1380" y="257" textLength="360""#),
            "{out}"
        );
    }

    #[test]
    fn a_change_of_style_starts_a_new_run() {
        let mut b = buffer(20, 1);
        b.set_string(0, 0, "ab", Style::new().fg(Color::Red));
        b.set_string(
            2,
            0,
            "cd",
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        );
        b.set_string(5, 0, "ef", Style::new().fg(Color::Red));
        let out = svg(&b);
        assert_eq!(texts(&out), ["ab", "cd", "ef"]);
        assert!(out.contains(".t0{fill:#cd0000}"), "{out}");
        assert!(out.contains(".t1{fill:#cd0000;font-weight:bold}"), "{out}");
        assert_eq!(out.matches(r#"class="t0""#).count(), 2);
    }

    #[test]
    fn markup_and_hostile_text_are_escaped() {
        let mut b = buffer(40, 1);
        b.set_string(0, 0, r"<b>&amp; \x1b[2J", Style::new());
        // What a bidi override in a cell would do to the line.
        b[(30, 0)].set_symbol("\u{202e}");
        b[(31, 0)].set_symbol("\u{7}");
        let out = svg(&b);
        assert!(out.contains(r"&lt;b&gt;&amp;amp; \x1b[2J"), "{out}");
        assert!(!out.contains('\u{202e}') && !out.contains('\u{7}'), "{out}");
        assert_eq!(out.matches('\u{fffd}').count(), 2);
    }

    #[test]
    fn a_wide_character_takes_two_cells() {
        let mut b = buffer(10, 1);
        b.set_string(0, 0, "a漢b🙂c", Style::new());
        let out = svg(&b);
        assert_eq!(texts(&out), ["a", "漢", "b", "🙂", "c"]);
        // 漢 covers columns 1-2 and is centred there; b is in column 3.
        assert!(
            out.contains(r#"<text x="300" y="257" class="t0 c">漢"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<text x="390" y="257" textLength="90" class="t0">b"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<text x="570" y="257" class="t0 c">🙂"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<text x="660" y="257" textLength="90" class="t0">c"#),
            "{out}"
        );
    }

    #[test]
    fn colours_named_indexed_rgb_and_reset() {
        let o = SvgOptions::default();
        let c = |color| resolve(color, o.fg, &o.ansi);
        assert_eq!(c(Color::Reset), o.fg);
        assert_eq!(c(Color::Gray), Rgb(0xe5, 0xe5, 0xe5));
        assert_eq!(c(Color::DarkGray), Rgb(0x7f, 0x7f, 0x7f));
        assert_eq!(c(Color::LightRed), Rgb(0xff, 0, 0));
        assert_eq!(c(Color::Indexed(1)), c(Color::Red));
        assert_eq!(c(Color::Indexed(16)), Rgb(0, 0, 0));
        assert_eq!(c(Color::Indexed(196)), Rgb(0xff, 0, 0));
        assert_eq!(c(Color::Indexed(67)), Rgb(0x5f, 0x87, 0xaf));
        assert_eq!(c(Color::Indexed(231)), Rgb(0xff, 0xff, 0xff));
        assert_eq!(c(Color::Indexed(232)), Rgb(8, 8, 8));
        assert_eq!(c(Color::Indexed(255)), Rgb(0xee, 0xee, 0xee));
        assert_eq!(c(Color::Rgb(40, 60, 90)), Rgb(40, 60, 90));
        assert_eq!(resolve(Color::Reset, o.bg, &o.ansi), o.bg);
    }

    #[test]
    fn modifiers_become_css() {
        let mut b = buffer(30, 1);
        let all = Modifier::BOLD | Modifier::ITALIC | Modifier::UNDERLINED | Modifier::CROSSED_OUT;
        b.set_string(0, 0, "x", Style::new().add_modifier(all));
        b.set_string(2, 0, "secret", Style::new().add_modifier(Modifier::HIDDEN));
        b.set_string(
            10,
            0,
            "dim",
            Style::new().fg(Color::White).add_modifier(Modifier::DIM),
        );
        let out = svg(&b);
        assert!(
            out.contains(
                "font-weight:bold;font-style:italic;text-decoration:underline line-through"
            ),
            "{out}"
        );
        assert!(!out.contains("secret"), "{out}");
        // White at 60% over the default background.
        assert!(out.contains("{fill:#a0a1a2}"), "{out}");
    }

    #[test]
    fn crossed_out_spaces_keep_their_line() {
        let mut b = buffer(10, 1);
        b.set_string(
            0,
            0,
            "a   ",
            Style::new().add_modifier(Modifier::CROSSED_OUT),
        );
        assert_eq!(texts(&svg(&b)), ["a   "]);
    }

    #[test]
    fn reversed_swaps_and_backgrounds_are_runs() {
        let mut b = buffer(10, 2);
        b.set_string(
            0,
            0,
            "ab",
            Style::new().fg(Color::Red).add_modifier(Modifier::REVERSED),
        );
        b.set_style(
            Rect::new(2, 1, 5, 1),
            Style::new().bg(Color::Rgb(40, 60, 90)),
        );
        let out = svg(&b);
        // Red behind, the terminal's background as ink.
        assert!(
            out.contains(r##"<rect x="120" y="120" width="180" height="180" fill="#cd0000"/>"##),
            "{out}"
        );
        assert!(out.contains(".t0{fill:#121418}"), "{out}");
        assert!(
            out.contains(r##"<rect x="300" y="300" width="450" height="180" fill="#283c5a"/>"##),
            "{out}"
        );
        assert_eq!(
            out.matches("<rect").count(),
            3,
            "the page and two runs: {out}"
        );
    }

    #[test]
    fn borders_are_merged_lines_not_glyphs() {
        let mut b = buffer(6, 3);
        ratatui::widgets::Widget::render(
            ratatui::widgets::Block::bordered(),
            Rect::new(0, 0, 6, 3),
            &mut b,
        );
        let out = svg(&b);
        assert!(texts(&out).is_empty(), "{out}");
        assert_eq!(out.matches("<path").count(), 1, "{out}");
        // Top and bottom edges each one stroke across the box, from the
        // corners' centres (less half a stroke), and the sides one each.
        assert!(
            out.contains("M159 210H621M159 570H621M165 204V576M615 204V576"),
            "{out}"
        );
    }

    #[test]
    fn rounded_double_and_blocks() {
        let mut b = buffer(6, 1);
        b.set_string(0, 0, "╭╔═█░┄", Style::new());
        let out = svg(&b);
        assert!(
            out.contains("Q165 210"),
            "a curve through the centre: {out}"
        );
        assert!(out.contains(r#"fill-opacity="0.25""#), "{out}");
        assert_eq!(texts(&out), ["┄"], "dashes stay text: {out}");
        // ╔'s outer strokes start at the corner, and the inner ones a gap further.
        assert!(out.contains("M235 190H390M275 230H390"), "{out}");
    }

    #[test]
    fn the_same_buffer_gives_the_same_bytes() {
        let mut b = buffer(30, 3);
        b.set_string(0, 0, "one ● two", Style::new().fg(Color::Indexed(100)));
        b.set_string(0, 2, "│─┼", Style::new().fg(Color::Cyan));
        let first = svg(&b);
        assert_eq!(first, svg(&b));
        assert!(first.starts_with("<svg ") && first.ends_with("</svg>\n"));
        assert!(
            first.contains(r#"width="294" height="78" viewBox="0 0 2940 780""#),
            "{first}"
        );
    }

    #[test]
    fn a_title_names_the_image() {
        let b = buffer(2, 1);
        let o = SvgOptions {
            title: Some("agents & <alerts>".into()),
            ..SvgOptions::default()
        };
        assert!(buffer_to_svg(&b, &o).contains("<title>agents &amp; &lt;alerts&gt;</title>"));
    }
}
