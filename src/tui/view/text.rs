//! Small text helpers shared by the panels: widths, cutting to fit, and
//! the bordered block every panel sits in.

use ratatui::text::{Line, Span};
use ratatui::widgets::Block;
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

use crate::tui::theme::Theme;

/// The width of `text` in terminal cells.
#[must_use]
pub fn width(text: &str) -> usize {
    text.width()
}

/// `value` as a screen coordinate, saturating.
#[must_use]
pub fn cells(value: usize) -> u16 {
    u16::try_from(value).unwrap_or(u16::MAX)
}

/// `text` cut to `max` cells, ending in `…` if it was cut.
#[must_use]
pub fn fit(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(ch);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// `text` cut to `max` cells from the left, starting with `…` if it was
/// cut: for stack frames, whose end (the function) matters most.
#[must_use]
pub fn fit_left(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for ch in text.chars().rev() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        kept.push(ch);
        used += w;
    }
    let mut out = String::new();
    if max > 0 {
        out.push('…');
    }
    out.extend(kept.iter().rev());
    out
}

/// `text` broken into lines of at most `max` cells, between words where
/// it can; a word longer than a line is cut across lines.
#[must_use]
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let gap = usize::from(!line.is_empty());
        if width(&line) + gap + width(word) <= max {
            if gap == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut used = 0;
        for ch in word.chars() {
            let w = ch.width().unwrap_or(0);
            if used + w > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(ch);
            used += w;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The spans as one line, cut to `max` cells in all.
#[must_use]
pub fn fit_line(spans: Vec<Span<'static>>, max: usize) -> Line<'static> {
    let mut left = max;
    let mut kept = Vec::new();
    for span in spans {
        let text = fit(&span.content, left);
        left = left.saturating_sub(width(&text));
        kept.push(Span::styled(text, span.style));
        if left == 0 {
            break;
        }
    }
    Line::from(kept)
}

/// The bordered block of a panel, with its title.
#[must_use]
pub fn panel(theme: Theme, title: Line<'static>) -> Block<'static> {
    Block::bordered()
        .border_style(theme.border())
        .title(title.style(theme.title()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_keeps_the_width_and_marks_the_cut() {
        assert_eq!(fit("logging.Handler lock", 8), "logging…");
        assert_eq!(fit("short", 8), "short");
        assert_eq!(fit("anything", 0), "");
        assert_eq!(
            fit_left("logservice/logservice.py:382 _flush", 12),
            "…:382 _flush"
        );
        assert_eq!(width(&fit_left("→→→→→→", 4)), 4);
    }

    #[test]
    fn wrapping_breaks_between_words_and_inside_long_ones() {
        assert_eq!(
            wrap("A waits for I, held by B", 12),
            ["A waits for", "I, held by B"]
        );
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 5), [""]);
    }
}
