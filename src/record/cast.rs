//! asciicast v2: frames of a terminal, as asciinema players and `agg` read
//! them.
//!
//! Every frame redraws the whole screen: each row is written from its first
//! column with its colours, so a frame does not depend on what the one
//! before it left, and a player that seeks shows the right screen. Time is
//! logical: frame `i` is shown at `i × delay`, and the header has no
//! timestamp, so the same frames always give the same bytes.

use std::fmt::Write as _;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};

use super::colour::{Ansi, ansi};
use super::grid;
use super::{Delay, Size};

/// A cast being written: the header, then one output event per frame.
#[derive(Debug)]
pub struct Cast {
    text: String,
    delay: Delay,
    frames: u64,
}

impl Cast {
    /// Starts a cast of a terminal of `size`, titled `title` in players,
    /// whose frames are `delay` apart.
    #[must_use]
    pub fn new(title: &str, size: Size, delay: Delay) -> Self {
        let title = serde_json::Value::from(title);
        let text = format!(
            "{{\"version\": 2, \"width\": {}, \"height\": {}, \"title\": {title}}}\n",
            size.width, size.height
        );
        Self {
            text,
            delay,
            frames: 0,
        }
    }

    /// Adds a frame, shown one delay after the previous one (the first at 0).
    pub fn push(&mut self, screen: &Buffer) {
        let millis = self.frames * u64::from(self.delay.millis());
        let data = serde_json::Value::from(frame(screen));
        let _ = writeln!(
            self.text,
            "[{}.{:03}, \"o\", {data}]",
            millis / 1000,
            millis % 1000
        );
        self.frames += 1;
    }

    /// The number of frames pushed so far.
    #[must_use]
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The text of the `.cast` file.
    #[must_use]
    pub fn finish(self) -> String {
        self.text
    }
}

/// The bytes that draw `screen` on a terminal of its size: hide the
/// cursor, then each row from its first column, changing the pen only where
/// the style changes; a row's default-styled blank tail is erased instead
/// of written.
#[must_use]
pub fn frame(screen: &Buffer) -> String {
    let mut out = String::from("\x1b[?25l\x1b[0m");
    let mut pen = Pen::default();
    for (y, cells) in grid::rows(screen).enumerate() {
        row(&mut out, y, cells, &mut pen);
    }
    if pen != Pen::default() {
        out.push_str("\x1b[0m");
    }
    out
}

/// Writes row `y` (from 0) of the screen.
fn row(out: &mut String, y: usize, cells: &[Cell], pen: &mut Pen) {
    let _ = write!(out, "\x1b[{};1H", y + 1);
    let end = cells
        .iter()
        .rposition(|cell| !is_blank(cell))
        .map_or(0, |last| last + 1);

    for glyph in grid::glyphs(&cells[..end]) {
        let next = Pen::of(glyph.cell);
        if next != *pen {
            next.write_sgr(out);
            *pen = next;
        }
        out.push_str(glyph.symbol);
    }

    if end < cells.len() {
        if *pen != Pen::default() {
            out.push_str("\x1b[0m");
            *pen = Pen::default();
        }
        out.push_str("\x1b[K");
    }
}

/// A space in the terminal's own colours: what erasing leaves.
fn is_blank(cell: &Cell) -> bool {
    cell.symbol() == " " && Pen::of(cell) == Pen::default()
}

/// The colours and modifiers a cell is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

/// The SGR parameter of each modifier, in the order they are written.
const MODIFIER_CODES: [(Modifier, u8); 9] = [
    (Modifier::BOLD, 1),
    (Modifier::DIM, 2),
    (Modifier::ITALIC, 3),
    (Modifier::UNDERLINED, 4),
    (Modifier::SLOW_BLINK, 5),
    (Modifier::RAPID_BLINK, 6),
    (Modifier::REVERSED, 7),
    (Modifier::HIDDEN, 8),
    (Modifier::CROSSED_OUT, 9),
];

impl Pen {
    fn of(cell: &Cell) -> Self {
        Self {
            fg: cell.fg,
            bg: cell.bg,
            modifier: cell.modifier,
        }
    }

    /// Writes one SGR sequence that resets the pen and sets this one, so
    /// nothing of the previous pen survives.
    fn write_sgr(self, out: &mut String) {
        out.push_str("\x1b[0");
        for (modifier, code) in MODIFIER_CODES {
            if self.modifier.contains(modifier) {
                let _ = write!(out, ";{code}");
            }
        }
        write_colour(out, self.fg, 30);
        write_colour(out, self.bg, 40);
        out.push('m');
    }
}

/// Writes the SGR parameters of `colour`; `base` is 30 for the foreground
/// and 40 for the background.
fn write_colour(out: &mut String, colour: Color, base: u8) {
    let _ = match ansi(colour) {
        Ansi::Default => Ok(()),
        Ansi::Indexed(n @ 0..=7) => write!(out, ";{}", base + n),
        Ansi::Indexed(n @ 8..=15) => write!(out, ";{}", base + 60 + n - 8),
        Ansi::Indexed(n) => write!(out, ";{};5;{n}", base + 8),
        Ansi::Rgb(r, g, b) => write!(out, ";{};2;{r};{g};{b}", base + 8),
    };
}

#[cfg(test)]
mod tests {
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    use super::*;

    fn size(width: u16, height: u16) -> Size {
        Size { width, height }
    }

    #[test]
    fn a_plain_frame_writes_each_row_and_erases_its_blank_tail() {
        let screen = Buffer::with_lines(["ab ", "   "]);
        assert_eq!(
            frame(&screen),
            "\x1b[?25l\x1b[0m\x1b[1;1Hab\x1b[K\x1b[2;1H\x1b[K"
        );
    }

    #[test]
    fn a_full_row_is_written_to_its_last_column() {
        let screen = Buffer::with_lines(["abc"]);
        assert_eq!(frame(&screen), "\x1b[?25l\x1b[0m\x1b[1;1Habc");
    }

    #[test]
    fn the_pen_changes_only_where_the_style_does() {
        let mut screen = Buffer::empty(Rect::new(0, 0, 4, 1));
        screen.set_string(0, 0, "ab", Style::new().red().bold());
        screen.set_string(2, 0, "c", Style::new().on_blue());
        assert_eq!(
            frame(&screen),
            "\x1b[?25l\x1b[0m\x1b[1;1H\x1b[0;1;31mab\x1b[0;44mc\x1b[0m\x1b[K"
        );
    }

    #[test]
    fn bright_indexed_and_true_colours_use_their_own_codes() {
        let mut screen = Buffer::empty(Rect::new(0, 0, 3, 1));
        screen.set_string(0, 0, "a", Style::new().fg(Color::DarkGray));
        screen.set_string(1, 0, "b", Style::new().fg(Color::Indexed(200)));
        let style = Style::new().fg(Color::Rgb(1, 2, 3)).bg(Color::White);
        screen.set_string(2, 0, "c", style);
        assert_eq!(
            frame(&screen),
            "\x1b[?25l\x1b[0m\x1b[1;1H\x1b[0;90ma\x1b[0;38;5;200mb\
             \x1b[0;38;2;1;2;3;107mc\x1b[0m"
        );
    }

    #[test]
    fn a_styled_blank_is_written_not_erased() {
        let mut screen = Buffer::empty(Rect::new(0, 0, 2, 1));
        screen.set_string(1, 0, " ", Style::new().reversed());
        assert_eq!(
            frame(&screen),
            "\x1b[?25l\x1b[0m\x1b[1;1H \x1b[0;7m \x1b[0m"
        );
    }

    #[test]
    fn a_wide_symbol_covers_the_next_cell() {
        let screen = Buffer::with_lines(["日x"]);
        assert_eq!(screen.area.width, 3);
        assert_eq!(frame(&screen), "\x1b[?25l\x1b[0m\x1b[1;1H日x");
    }

    #[test]
    fn a_cast_has_a_header_without_timestamp_and_logical_times() {
        let delay = Delay::from_millis(1500).expect("a valid delay");
        let mut cast = Cast::new("t \"1\"", size(1, 1), delay);
        let screen = Buffer::with_lines(["a"]);
        cast.push(&screen);
        cast.push(&screen);
        cast.push(&screen);
        assert_eq!(cast.frames(), 3);
        let frame = "\\u001b[?25l\\u001b[0m\\u001b[1;1Ha";
        assert_eq!(
            cast.finish(),
            format!(
                "{{\"version\": 2, \"width\": 1, \"height\": 1, \"title\": \"t \\\"1\\\"\"}}\n\
                 [0.000, \"o\", \"{frame}\"]\n\
                 [1.500, \"o\", \"{frame}\"]\n\
                 [3.000, \"o\", \"{frame}\"]\n"
            )
        );
    }
}
