//! Reading a buffer the way a terminal shows it: rows of glyphs, where a
//! wide symbol covers the cell to its right.

use ratatui::buffer::{Buffer, Cell};
use unicode_width::UnicodeWidthStr as _;

/// One symbol as a terminal draws it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph<'b> {
    /// The first column it takes, from 0.
    pub column: usize,
    /// The cell it comes from, for its style.
    pub cell: &'b Cell,
    /// What to draw.
    pub symbol: &'b str,
    /// How many columns it takes.
    pub width: usize,
}

/// The rows of `screen`, top first.
pub(crate) fn rows(screen: &Buffer) -> std::slice::Chunks<'_, Cell> {
    let width = usize::from(screen.area.width).max(1);
    screen.content.chunks(width)
}

/// The glyphs of a row, left to right. A symbol that would not advance the
/// cursor by its own cell (empty, or a control character) is drawn as a
/// space, so every later glyph stays in its column.
pub(crate) fn glyphs(cells: &[Cell]) -> impl Iterator<Item = Glyph<'_>> {
    let mut column = 0;
    std::iter::from_fn(move || {
        let cell = cells.get(column)?;
        let (symbol, width) = printable(cell.symbol());
        let glyph = Glyph {
            column,
            cell,
            symbol,
            width,
        };
        column += width;
        Some(glyph)
    })
}

fn printable(symbol: &str) -> (&str, usize) {
    let width = symbol.width();
    if width == 0 || symbol.chars().any(char::is_control) {
        (" ", 1)
    } else {
        (symbol, width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symbols(cells: &[Cell]) -> Vec<(usize, &str, usize)> {
        glyphs(cells)
            .map(|g| (g.column, g.symbol, g.width))
            .collect()
    }

    #[test]
    fn a_wide_symbol_covers_the_next_cell() {
        let screen = Buffer::with_lines(["a日b"]);
        let row = rows(&screen).next().expect("one row");
        assert_eq!(symbols(row), [(0, "a", 1), (1, "日", 2), (3, "b", 1)]);
    }

    #[test]
    fn empty_and_control_symbols_are_drawn_as_spaces() {
        let mut cells = vec![Cell::new("a"), Cell::new(""), Cell::new("b")];
        cells[2].set_symbol("\u{7}");
        assert_eq!(symbols(&cells), [(0, "a", 1), (1, " ", 1), (2, " ", 1)]);
    }
}
