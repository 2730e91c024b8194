//! Box-drawing characters drawn as lines rather than as glyphs.
//!
//! A font's `│` seldom fills a whole row, so borders written as text show a
//! gap between rows; lines drawn from the centre of a cell to its edges
//! meet their neighbours exactly, whatever font the viewer has. Light and
//! heavy lines and rounded corners are drawn this way; other box-drawing
//! characters (double, dashed) stay text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{CELL_HEIGHT, CELL_WIDTH, Rgb, hex};

const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 4;
const RIGHT: u8 = 8;

/// How a box-drawing character's arms are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Weight {
    /// `─ │ ┌ …`
    Light,
    /// `━ ┃ ┏ …`
    Heavy,
    /// `╭ ╮ ╯ ╰`: light, with the corner curved.
    Rounded,
}

/// The arms of a box-drawing character: which edges of the cell it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shape {
    arms: u8,
    weight: Weight,
}

impl Shape {
    /// The shape of `symbol`, if it is a character drawn as lines.
    pub(super) fn of(symbol: &str) -> Option<Self> {
        let mut chars = symbol.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return None;
        };
        let (arms, weight) = match c {
            '─' => (LEFT | RIGHT, Weight::Light),
            '│' => (UP | DOWN, Weight::Light),
            '┌' => (RIGHT | DOWN, Weight::Light),
            '┐' => (LEFT | DOWN, Weight::Light),
            '└' => (UP | RIGHT, Weight::Light),
            '┘' => (UP | LEFT, Weight::Light),
            '├' => (UP | DOWN | RIGHT, Weight::Light),
            '┤' => (UP | DOWN | LEFT, Weight::Light),
            '┬' => (LEFT | RIGHT | DOWN, Weight::Light),
            '┴' => (LEFT | RIGHT | UP, Weight::Light),
            '┼' => (UP | DOWN | LEFT | RIGHT, Weight::Light),
            '╴' => (LEFT, Weight::Light),
            '╵' => (UP, Weight::Light),
            '╶' => (RIGHT, Weight::Light),
            '╷' => (DOWN, Weight::Light),
            '╭' => (RIGHT | DOWN, Weight::Rounded),
            '╮' => (LEFT | DOWN, Weight::Rounded),
            '╯' => (UP | LEFT, Weight::Rounded),
            '╰' => (UP | RIGHT, Weight::Rounded),
            '━' => (LEFT | RIGHT, Weight::Heavy),
            '┃' => (UP | DOWN, Weight::Heavy),
            '┏' => (RIGHT | DOWN, Weight::Heavy),
            '┓' => (LEFT | DOWN, Weight::Heavy),
            '┗' => (UP | RIGHT, Weight::Heavy),
            '┛' => (UP | LEFT, Weight::Heavy),
            '┣' => (UP | DOWN | RIGHT, Weight::Heavy),
            '┫' => (UP | DOWN | LEFT, Weight::Heavy),
            '┳' => (LEFT | RIGHT | DOWN, Weight::Heavy),
            '┻' => (LEFT | RIGHT | UP, Weight::Heavy),
            '╋' => (UP | DOWN | LEFT | RIGHT, Weight::Heavy),
            _ => return None,
        };
        Some(Self { arms, weight })
    }

    /// Appends the path of this shape in the cell whose top-left corner is
    /// at `(x, y)`: each arm from the centre to an edge, or for a rounded
    /// corner one curve between its two edges.
    fn trace(self, d: &mut String, x: usize, y: usize) {
        let (cx, cy) = (x + CELL_WIDTH / 2, y + CELL_HEIGHT / 2);
        let ends = [
            (UP, (cx, y)),
            (DOWN, (cx, y + CELL_HEIGHT)),
            (LEFT, (x, cy)),
            (RIGHT, (x + CELL_WIDTH, cy)),
        ];
        let reached: Vec<(usize, usize)> = ends
            .into_iter()
            .filter(|(arm, _)| self.arms & arm != 0)
            .map(|(_, end)| end)
            .collect();
        if let (Weight::Rounded, [(ax, ay), (bx, by)]) = (self.weight, reached.as_slice()) {
            let _ = write!(d, "M{ax} {ay}Q{cx} {cy} {bx} {by}");
            return;
        }
        for (ex, ey) in reached {
            let _ = write!(d, "M{cx} {cy}L{ex} {ey}");
        }
    }
}

/// How a group of lines is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Pen {
    colour: Rgb,
    heavy: bool,
    dim: bool,
}

/// The lines of a picture, one path per pen.
#[derive(Debug, Default)]
pub(super) struct Lines {
    paths: BTreeMap<Pen, String>,
}

impl Lines {
    /// Adds `shape`, drawn in `colour`, in the cell at `(x, y)` pixels.
    pub(super) fn add(&mut self, shape: Shape, colour: Rgb, dim: bool, (x, y): (usize, usize)) {
        let pen = Pen {
            colour,
            heavy: shape.weight == Weight::Heavy,
            dim,
        };
        shape.trace(self.paths.entry(pen).or_default(), x, y);
    }

    /// Writes one `<path>` per pen, in a fixed order.
    pub(super) fn write(&self, out: &mut String) {
        for (pen, d) in &self.paths {
            let width = if pen.heavy { "3" } else { "1.5" };
            let dim = if pen.dim {
                " stroke-opacity=\"0.6\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\" \
                 stroke-linecap=\"square\"{dim}/>",
                hex(pen.colour)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(symbol: &str) -> String {
        let mut d = String::new();
        Shape::of(symbol).expect("a line").trace(&mut d, 0, 0);
        d
    }

    #[test]
    fn arms_run_from_the_centre_to_the_edges() {
        assert_eq!(path("─"), "M6 12L0 12M6 12L12 12");
        assert_eq!(path("┌"), "M6 12L6 24M6 12L12 12");
        assert_eq!(path("┼"), "M6 12L6 0M6 12L6 24M6 12L0 12M6 12L12 12");
    }

    #[test]
    fn a_rounded_corner_is_one_curve() {
        assert_eq!(path("╭"), "M6 24Q6 12 12 12");
    }

    #[test]
    fn text_and_other_box_characters_are_not_lines() {
        assert_eq!(Shape::of("a"), None);
        assert_eq!(Shape::of("═"), None);
        assert_eq!(Shape::of("──"), None);
    }
}
