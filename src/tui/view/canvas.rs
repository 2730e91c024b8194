//! A grid of characters to draw the wait-for graph on, with every write
//! checked against its size, turned into lines of text at the end.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar as _;

/// One cell: a character and its style, or the right half of a wide one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Char(char, Style),
    Covered,
}

/// A drawing surface of a fixed size; writes outside it are ignored.
#[derive(Debug, Clone)]
pub struct Canvas {
    width: usize,
    rows: Vec<Vec<Slot>>,
}

/// Light or heavy lines, for boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// `┌─┐`
    Light,
    /// `┏━┓`
    Heavy,
}

/// A rectangle on the canvas, in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Left column.
    pub x: usize,
    /// Top row.
    pub y: usize,
    /// Width, borders included.
    pub width: usize,
    /// Height, borders included.
    pub height: usize,
}

impl Canvas {
    /// A blank canvas.
    #[must_use]
    pub fn new(width: usize, height: usize) -> Self {
        let blank = Slot::Char(' ', Style::new());
        Self {
            width,
            rows: vec![vec![blank; width]; height],
        }
    }

    /// The character at a cell, if it is on the canvas.
    #[must_use]
    pub fn get(&self, x: usize, y: usize) -> Option<char> {
        match self.rows.get(y)?.get(x)? {
            Slot::Char(ch, _) => Some(*ch),
            Slot::Covered => None,
        }
    }

    /// Writes one character; a line crossing another becomes `┼`.
    pub fn put(&mut self, x: usize, y: usize, ch: char, style: Style) {
        let crossed = match (self.get(x, y), ch) {
            (Some(old), new) if is_vertical(old) && is_horizontal(new) => '┼',
            (Some(old), new) if is_horizontal(old) && is_vertical(new) => '┼',
            _ => ch,
        };
        if let Some(slot) = self.rows.get_mut(y).and_then(|row| row.get_mut(x)) {
            *slot = Slot::Char(crossed, style);
        }
    }

    /// Writes `text` from `x`, at most `max` cells; returns the cells used.
    pub fn text(&mut self, x: usize, y: usize, text: &str, max: usize, style: Style) -> usize {
        let mut used = 0;
        for ch in text.chars() {
            let w = ch.width().unwrap_or(0);
            if w == 0 {
                continue;
            }
            if used + w > max || x + used + w > self.width {
                break;
            }
            if let Some(row) = self.rows.get_mut(y) {
                if let Some(slot) = row.get_mut(x + used) {
                    *slot = Slot::Char(ch, style);
                }
                if w == 2
                    && let Some(slot) = row.get_mut(x + used + 1)
                {
                    *slot = Slot::Covered;
                }
            }
            used += w;
        }
        used
    }

    /// A horizontal run of `ch` from `x0` to `x1`, both included.
    pub fn hline(&mut self, x0: usize, x1: usize, y: usize, ch: char, style: Style) {
        for x in x0.min(x1)..=x0.max(x1) {
            self.put(x, y, ch, style);
        }
    }

    /// A vertical run of `ch` from `y0` to `y1`, both included.
    pub fn vline(&mut self, x: usize, y0: usize, y1: usize, ch: char, style: Style) {
        for y in y0.min(y1)..=y0.max(y1) {
            self.put(x, y, ch, style);
        }
    }

    /// The border of `region`.
    pub fn border(&mut self, region: Region, weight: Weight, style: Style) {
        if region.width < 2 || region.height < 2 {
            return;
        }
        let [tl, tr, bl, br, h, v] = match weight {
            Weight::Light => ['┌', '┐', '└', '┘', '─', '│'],
            Weight::Heavy => ['┏', '┓', '┗', '┛', '━', '┃'],
        };
        let right = region.x + region.width - 1;
        let bottom = region.y + region.height - 1;
        // Direct writes: a border is never a crossing.
        for x in region.x + 1..right {
            self.set(x, region.y, h, style);
            self.set(x, bottom, h, style);
        }
        for y in region.y + 1..bottom {
            self.set(region.x, y, v, style);
            self.set(right, y, v, style);
        }
        self.set(region.x, region.y, tl, style);
        self.set(right, region.y, tr, style);
        self.set(region.x, bottom, bl, style);
        self.set(right, bottom, br, style);
    }

    fn set(&mut self, x: usize, y: usize, ch: char, style: Style) {
        if let Some(slot) = self.rows.get_mut(y).and_then(|row| row.get_mut(x)) {
            *slot = Slot::Char(ch, style);
        }
    }

    /// The canvas as lines, each run of one style a span.
    #[must_use]
    pub fn lines(&self) -> Vec<Line<'static>> {
        self.rows.iter().map(|row| line_of(row)).collect()
    }
}

fn line_of(row: &[Slot]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style = Style::new();
    for slot in row {
        let Slot::Char(ch, slot_style) = *slot else {
            continue;
        };
        if slot_style != style && !text.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut text), style));
        }
        style = slot_style;
        text.push(ch);
    }
    if !text.is_empty() {
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

fn is_horizontal(ch: char) -> bool {
    matches!(ch, '─' | '━' | '╌' | '╍')
}

fn is_vertical(ch: char) -> bool {
    matches!(ch, '│' | '┃' | '╎' | '╏')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(canvas: &Canvas) -> Vec<String> {
        canvas.lines().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn draws_boxes_lines_and_crossings_inside_its_bounds() {
        let mut canvas = Canvas::new(6, 3);
        let region = Region {
            x: 0,
            y: 0,
            width: 3,
            height: 3,
        };
        canvas.border(region, Weight::Light, Style::new());
        canvas.hline(3, 9, 1, '─', Style::new());
        canvas.vline(4, 0, 2, '│', Style::new());
        canvas.text(5, 2, "xyz", 3, Style::new());
        assert_eq!(rows(&canvas), ["┌─┐ │ ", "│ │─┼─", "└─┘ │x"]);
    }

    #[test]
    fn writes_off_the_canvas_are_ignored() {
        let mut canvas = Canvas::new(2, 1);
        canvas.put(5, 5, 'x', Style::new());
        canvas.text(1, 0, "漢字", 4, Style::new());
        assert_eq!(rows(&canvas), ["  "]);
    }
}
