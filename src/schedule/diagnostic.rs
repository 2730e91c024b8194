//! A located error in a schedule file, drawn with a caret under the place.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// One error at one place of one file: what is wrong, where, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it.
    pub file: String,
    /// The text of the file (lossy if it was not UTF-8).
    pub source: String,
    /// The bytes of `source` the error is about.
    pub span: Range<usize>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// A short note under the caret.
    pub label: String,
    /// What to do about it.
    pub help: String,
}

impl Diagnostic {
    /// Line and column (both from 1, columns in characters) of the span start.
    #[must_use]
    pub fn line_col(&self) -> (usize, usize) {
        let before = &self.source[..floor_char_boundary(&self.source, self.span.start)];
        let line = 1 + before.matches('\n').count();
        let col = 1 + before.rsplit('\n').next().map_or(0, |l| l.chars().count());
        (line, col)
    }

    /// The diagnostic drawn for a terminal, in colour when `style` says so.
    #[must_use]
    pub fn render(&self, style: Style) -> String {
        let renderer = match style {
            Style::Plain => Renderer::plain(),
            Style::Colour => Renderer::styled(),
        };
        let (line, col) = self.line_col();
        let title = format!("{} (at {}:{line}:{col})", self.message, self.file);
        let span = self.clamped_span();
        let snippet = Snippet::source(self.source.as_str())
            .path(self.file.as_str())
            .annotation(
                AnnotationKind::Primary
                    .span(span)
                    .label(self.label.as_str()),
            );
        let mut report = vec![Level::ERROR.primary_title(title).element(snippet)];
        if !self.help.is_empty() {
            report.push(Group::with_title(
                Level::HELP.secondary_title(self.help.as_str()),
            ));
        }
        renderer.render(&report)
    }

    /// The span, kept inside the source and on character boundaries.
    fn clamped_span(&self) -> Range<usize> {
        let start = floor_char_boundary(&self.source, self.span.start);
        let end = floor_char_boundary(&self.source, self.span.end).max(start);
        start..end
    }
}

/// How a diagnostic is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// No escape codes: for files, pipes, tests and `NO_COLOR`.
    Plain,
    /// ANSI colours, for a terminal.
    Colour,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Style::Plain))
    }
}

impl std::error::Error for Diagnostic {}

/// The largest char boundary of `text` at or before `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The byte offset of a 1-based line and character column in `text`.
#[must_use]
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[line_start.min(text.len())..];
    let in_line = rest
        .char_indices()
        .take_while(|(_, c)| *c != '\n')
        .nth(col.saturating_sub(1))
        .map_or_else(|| rest.find('\n').unwrap_or(rest.len()), |(i, _)| i);
    line_start + in_line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(span: Range<usize>) -> Diagnostic {
        Diagnostic {
            file: "a.ron".into(),
            source: "Schedule(\n  version: 2,\n)\n".into(),
            span,
            message: "unsupported version 2".into(),
            label: "this version".into(),
            help: "write `version: 1`".into(),
        }
    }

    #[test]
    fn renders_file_line_column_caret_and_help() {
        let text = sample(21..22).to_string();
        assert!(
            text.contains("unsupported version 2 (at a.ron:2:12)"),
            "{text}"
        );
        assert!(text.contains("^ this version"), "{text}");
        assert!(text.contains("help: write `version: 1`"), "{text}");
    }

    #[test]
    fn offsets_round_trip_line_and_column() {
        let d = sample(offset_of("Schedule(\n  version: 2,\n)\n", 2, 12)..22);
        assert_eq!(d.line_col(), (2, 12));
    }

    #[test]
    fn a_span_past_the_end_still_renders() {
        let text = sample(500..900).to_string();
        assert!(text.contains("a.ron"), "{text}");
    }
}
