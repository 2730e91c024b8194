//! One frame of the terminal as an SVG picture, for a README or an issue.
//!
//! The picture is a grid of cells. Each run of cells with a background of
//! their own is one rectangle; each run of glyphs with the same look is one
//! `<text>`, stretched by `textLength` to exactly its cells, so the columns
//! line up whatever monospace font the viewer has. The font is the generic
//! `monospace` family: nothing is embedded or fetched, which is what
//! browsers and GitHub's image proxy accept. Borders are drawn as lines
//! (see `lines.rs`). Colours come from a fixed dark palette (see
//! `colour.rs`); the terminal's default colours become
//! [`DEFAULT_FOREGROUND`] and [`DEFAULT_BACKGROUND`].

mod lines;

use std::fmt::Write as _;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::Modifier;

use self::lines::{Lines, Shape};
use super::colour::{Ansi, ansi, palette};
use super::grid;

/// A colour as red, green and blue.
type Rgb = (u8, u8, u8);

/// The colour of text in the terminal's default colour.
pub const DEFAULT_FOREGROUND: Rgb = (0xcc, 0xcc, 0xcc);

/// The colour of cells in the terminal's default background.
pub const DEFAULT_BACKGROUND: Rgb = (0x1e, 0x1e, 0x1e);

/// A cell is 0.6 em wide and 1.2 em high, as in most monospace fonts at a
/// usual line height; all in pixels.
const CELL_WIDTH: usize = 12;
const CELL_HEIGHT: usize = 24;
const FONT_SIZE: usize = 20;

/// From the top of a row to the baseline of its text.
const BASELINE: usize = 18;

/// The margin around the grid, in the default background.
const PADDING: usize = 12;

/// The modifiers a `<text>` can show; blinking is left out of a still
/// picture, and reversal is applied to the colours.
const SHOWN: Modifier = Modifier::BOLD
    .union(Modifier::DIM)
    .union(Modifier::ITALIC)
    .union(Modifier::UNDERLINED)
    .union(Modifier::CROSSED_OUT)
    .union(Modifier::HIDDEN);

/// The picture of `screen`; `title` names it for screen readers and shows
/// as a tooltip.
#[must_use]
pub fn encode(screen: &Buffer, title: &str) -> String {
    let width = usize::from(screen.area.width) * CELL_WIDTH + 2 * PADDING;
    let height = usize::from(screen.area.height) * CELL_HEIGHT + 2 * PADDING;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"{FONT_SIZE}\" \
         fill=\"{}\" xml:space=\"preserve\">\n",
        hex(DEFAULT_FOREGROUND)
    );
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(
        out,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"{}\"/>",
        hex(DEFAULT_BACKGROUND)
    );

    // Every background first, so no rectangle hides the text of the row above.
    let rows: Vec<Vec<Drawn<'_>>> = grid::rows(screen).map(drawn).collect();
    for (y, row) in rows.iter().enumerate() {
        backgrounds(&mut out, y, row);
    }
    let mut lines = Lines::default();
    for (y, row) in rows.iter().enumerate() {
        texts(&mut out, y, row);
        add_lines(&mut lines, y, row);
    }
    lines.write(&mut out);

    out.push_str("</svg>\n");
    out
}

/// A glyph as the picture draws it.
#[derive(Debug, Clone, Copy)]
struct Drawn<'b> {
    /// The first column it takes, from 0.
    column: usize,
    /// How many columns it takes.
    width: usize,
    /// What to write: a space for a glyph drawn as lines.
    text: &'b str,
    /// Its colours and modifiers.
    look: Look,
    /// The lines of a box-drawing glyph.
    shape: Option<Shape>,
}

/// The glyphs of a row, with how each is drawn.
fn drawn(cells: &[Cell]) -> Vec<Drawn<'_>> {
    grid::glyphs(cells)
        .map(|glyph| {
            let shape = Shape::of(glyph.symbol);
            Drawn {
                column: glyph.column,
                width: glyph.width,
                text: if shape.is_some() { " " } else { glyph.symbol },
                look: Look::of(glyph.cell),
                shape,
            }
        })
        .collect()
}

/// How a glyph looks: its colours after reversal, and what else shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Look {
    fg: Rgb,
    bg: Rgb,
    modifier: Modifier,
}

impl Look {
    fn of(cell: &Cell) -> Self {
        let fg = rgb(ansi(cell.fg), DEFAULT_FOREGROUND);
        let bg = rgb(ansi(cell.bg), DEFAULT_BACKGROUND);
        let (fg, bg) = if cell.modifier.contains(Modifier::REVERSED) {
            (bg, fg)
        } else {
            (fg, bg)
        };
        Self {
            fg,
            bg,
            modifier: cell.modifier.intersection(SHOWN),
        }
    }

    /// True when the text shows even over spaces.
    fn decorated(self) -> bool {
        self.modifier
            .intersects(Modifier::UNDERLINED | Modifier::CROSSED_OUT)
    }
}

fn rgb(colour: Ansi, default: Rgb) -> Rgb {
    match colour {
        Ansi::Default => default,
        Ansi::Indexed(n) => palette(n),
        Ansi::Rgb(r, g, b) => (r, g, b),
    }
}

fn hex((r, g, b): Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// One rectangle per run of glyphs on a background of their own.
fn backgrounds(out: &mut String, y: usize, row: &[Drawn<'_>]) {
    for run in row.chunk_by(|a, b| a.look.bg == b.look.bg) {
        let bg = run[0].look.bg;
        if bg == DEFAULT_BACKGROUND {
            continue;
        }
        let (x, width) = extent(run);
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"{width}\" height=\"{CELL_HEIGHT}\" fill=\"{}\"/>",
            PADDING + y * CELL_HEIGHT,
            hex(bg)
        );
    }
}

/// One `<text>` per run of glyphs with the same look, without the blanks
/// at its ends.
fn texts(out: &mut String, y: usize, row: &[Drawn<'_>]) {
    let baseline = PADDING + y * CELL_HEIGHT + BASELINE;
    let same_text =
        |a: &Drawn<'_>, b: &Drawn<'_>| a.look.fg == b.look.fg && a.look.modifier == b.look.modifier;
    for run in row.chunk_by(same_text) {
        let look = run[0].look;
        if look.modifier.contains(Modifier::HIDDEN) {
            continue;
        }
        let run = if look.decorated() { run } else { trim(run) };
        if run.is_empty() {
            continue;
        }
        let (x, width) = extent(run);
        let text: String = run.iter().map(|glyph| glyph.text).collect();
        let _ = writeln!(
            out,
            "<text x=\"{x}\" y=\"{baseline}\" textLength=\"{width}\"{}>{}</text>",
            attributes(look),
            escape(&text)
        );
    }
}

/// The box-drawing glyphs of row `y`, as lines in their text colour.
fn add_lines(lines: &mut Lines, y: usize, row: &[Drawn<'_>]) {
    for glyph in row {
        let Some(shape) = glyph.shape else {
            continue;
        };
        let look = glyph.look;
        if look.modifier.contains(Modifier::HIDDEN) {
            continue;
        }
        let dim = look.modifier.contains(Modifier::DIM);
        let corner = (
            PADDING + glyph.column * CELL_WIDTH,
            PADDING + y * CELL_HEIGHT,
        );
        lines.add(shape, look.fg, dim, corner);
    }
}

/// The glyphs of `run` between its first and last non-blank ones.
fn trim<'r, 'b>(run: &'r [Drawn<'b>]) -> &'r [Drawn<'b>] {
    let blank = |glyph: &Drawn<'_>| glyph.text == " ";
    let start = run.iter().position(|g| !blank(g)).unwrap_or(run.len());
    let end = run
        .iter()
        .rposition(|g| !blank(g))
        .map_or(start, |last| last + 1);
    &run[start..end]
}

/// Where a run of glyphs starts and how wide it is, in pixels.
fn extent(run: &[Drawn<'_>]) -> (usize, usize) {
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return (PADDING, 0);
    };
    let columns = last.column + last.width - first.column;
    (PADDING + first.column * CELL_WIDTH, columns * CELL_WIDTH)
}

/// The attributes of a `<text>` that differ from the defaults.
fn attributes(look: Look) -> String {
    let mut out = String::new();
    if look.fg != DEFAULT_FOREGROUND {
        let _ = write!(out, " fill=\"{}\"", hex(look.fg));
    }
    if look.modifier.contains(Modifier::BOLD) {
        out.push_str(" font-weight=\"bold\"");
    }
    if look.modifier.contains(Modifier::ITALIC) {
        out.push_str(" font-style=\"italic\"");
    }
    if look.modifier.contains(Modifier::DIM) {
        out.push_str(" fill-opacity=\"0.6\"");
    }
    let decorations: Vec<&str> = [
        (Modifier::UNDERLINED, "underline"),
        (Modifier::CROSSED_OUT, "line-through"),
    ]
    .into_iter()
    .filter(|(modifier, _)| look.modifier.contains(*modifier))
    .map(|(_, name)| name)
    .collect();
    if !decorations.is_empty() {
        let _ = write!(out, " text-decoration=\"{}\"", decorations.join(" "));
    }
    out
}

/// Text made safe for XML: markup characters become entities, and
/// characters XML 1.0 forbids become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};

    use super::*;

    /// The lines of the picture between the background and the end.
    fn body(svg: &str) -> Vec<&str> {
        let lines: Vec<&str> = svg.lines().collect();
        lines[3..lines.len() - 1].to_vec()
    }

    #[test]
    fn the_header_sizes_the_grid_and_sets_the_font_and_colours() {
        let svg = encode(&Buffer::with_lines(["ab"]), "a & b");
        let lines: Vec<&str> = svg.lines().collect();
        assert_eq!(
            lines[..3],
            [
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"48\" height=\"48\" \
                 viewBox=\"0 0 48 48\" font-family=\"monospace\" font-size=\"20\" \
                 fill=\"#cccccc\" xml:space=\"preserve\">",
                "<title>a &amp; b</title>",
                "<rect width=\"48\" height=\"48\" fill=\"#1e1e1e\"/>",
            ]
        );
        assert_eq!(lines.last(), Some(&"</svg>"));
    }

    #[test]
    fn plain_text_is_one_run_per_row_without_its_blank_ends() {
        let svg = encode(&Buffer::with_lines([" a b ", "     "]), "");
        assert_eq!(
            body(&svg),
            ["<text x=\"24\" y=\"30\" textLength=\"36\">a b</text>"]
        );
    }

    #[test]
    fn colours_and_modifiers_split_runs_and_become_attributes() {
        let mut screen = Buffer::empty(Rect::new(0, 0, 4, 2));
        screen.set_string(0, 0, "ab", Style::new().red().bold());
        screen.set_string(2, 0, "c", Style::new().fg(Color::Rgb(1, 2, 3)).italic());
        screen.set_string(0, 1, "d", Style::new().dim().underlined());
        screen.set_string(1, 1, "e", Style::new().on_blue());
        assert_eq!(
            body(&encode(&screen, "")),
            [
                "<rect x=\"24\" y=\"36\" width=\"12\" height=\"24\" fill=\"#2472c8\"/>",
                "<text x=\"12\" y=\"30\" textLength=\"24\" fill=\"#cd3131\" \
                 font-weight=\"bold\">ab</text>",
                "<text x=\"36\" y=\"30\" textLength=\"12\" fill=\"#010203\" \
                 font-style=\"italic\">c</text>",
                "<text x=\"12\" y=\"54\" textLength=\"12\" fill-opacity=\"0.6\" \
                 text-decoration=\"underline\">d</text>",
                "<text x=\"24\" y=\"54\" textLength=\"12\">e</text>",
            ]
        );
    }

    #[test]
    fn reversed_cells_swap_colours_and_hidden_ones_draw_no_text() {
        let mut screen = Buffer::empty(Rect::new(0, 0, 2, 1));
        screen.set_string(0, 0, "r", Style::new().reversed());
        screen.set_string(1, 0, "h", Style::new().hidden());
        assert_eq!(
            body(&encode(&screen, "")),
            [
                "<rect x=\"12\" y=\"12\" width=\"12\" height=\"24\" fill=\"#cccccc\"/>",
                "<text x=\"12\" y=\"30\" textLength=\"12\" fill=\"#1e1e1e\">r</text>",
            ]
        );
    }

    #[test]
    fn a_wide_glyph_takes_two_cells_of_text_and_background() {
        let mut screen = Buffer::empty(Rect::new(0, 0, 3, 1));
        screen.set_string(0, 0, "日x", Style::new().on_red());
        assert_eq!(
            body(&encode(&screen, "")),
            [
                "<rect x=\"12\" y=\"12\" width=\"36\" height=\"24\" fill=\"#cd3131\"/>",
                "<text x=\"12\" y=\"30\" textLength=\"36\">日x</text>",
            ]
        );
    }

    #[test]
    fn borders_are_lines_in_their_colour_not_text() {
        let mut screen = Buffer::empty(Rect::new(0, 0, 3, 1));
        screen.set_string(0, 0, "╶a", Style::new().cyan());
        screen.set_string(2, 0, "┃", Style::new().cyan().dim());
        assert_eq!(
            body(&encode(&screen, "")),
            [
                "<text x=\"24\" y=\"30\" textLength=\"12\" fill=\"#11a8cd\">a</text>",
                "<path d=\"M18 24L24 24\" fill=\"none\" stroke=\"#11a8cd\" \
                 stroke-width=\"1.5\" stroke-linecap=\"square\"/>",
                "<path d=\"M42 24L42 12M42 24L42 36\" fill=\"none\" stroke=\"#11a8cd\" \
                 stroke-width=\"3\" stroke-linecap=\"square\" stroke-opacity=\"0.6\"/>",
            ]
        );
    }

    #[test]
    fn markup_and_forbidden_characters_are_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{fffd}"
        );
    }

    #[test]
    fn the_picture_is_well_formed_xml() {
        let mut screen = Buffer::empty(Rect::new(0, 0, 12, 2));
        screen.set_string(0, 0, "<&>\"'", Style::new().green());
        screen[(6, 0)].set_symbol("\u{1b}");
        screen.set_string(0, 1, "]]> </svg>", Style::new());
        let svg = encode(&screen, "title <with> & \"quotes\"");
        let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let texts: Vec<&str> = root
            .children()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(texts, ["<&>\"'", "]]> </svg>"]);
    }
}
