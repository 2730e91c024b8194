//! The log panel: records emitted and dropped, lock-order inversions and
//! the outcome, each from the event that caused it, newest at the bottom;
//! under them, at every position, the replay on real threads, once there
//! is one.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};

use super::text::{fit, panel, wrap};
use crate::tui::app::{App, Note, NoteKind, RealKind, RealNote};
use crate::tui::theme::Theme;

/// The width of the tag column: `INVERSION` and a space.
const TAG_WIDTH: usize = 10;

/// Draws the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let block = panel(app.theme(), Line::from(" Log "));
    let inner = block.inner(area);
    block.render(area, buf);

    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    let real = app
        .real_note()
        .map(|note| real_lines(app.theme(), &note, width, height))
        .unwrap_or_default();
    let notes = app
        .timeline()
        .notes
        .iter()
        .filter(|note| note.at <= app.position())
        .map(|note| note_lines(app.theme(), note, width));
    let room = height.saturating_sub(real.len());
    let mut lines = newest(notes.collect(), room);
    if lines.is_empty() && room > 0 {
        lines.push(Line::styled("nothing logged yet", app.theme().dim()));
    }
    lines.extend(real);
    Paragraph::new(lines).render(inner, buf);
}

/// The real replay's note: `REAL` in the tag column, its sentences
/// wrapped under it; only the first one if all would take more than half
/// of the panel's `height`.
fn real_lines(theme: Theme, note: &RealNote, width: usize, height: usize) -> Vec<Line<'static>> {
    let style = real_style(theme, note.kind);
    let indent = 4 + TAG_WIDTH;
    let room = width.saturating_sub(indent);
    let mut text: Vec<String> = note.lines.iter().flat_map(|l| wrap(l, room)).collect();
    if text.len() > height / 2 {
        text = note
            .lines
            .iter()
            .take(1)
            .flat_map(|l| wrap(l, room))
            .collect();
    }
    text.into_iter()
        .enumerate()
        .map(|(i, text)| {
            let lead = if i == 0 {
                Span::styled(format!("    {:<TAG_WIDTH$}", "REAL"), style)
            } else {
                Span::raw(" ".repeat(indent))
            };
            Line::from(vec![lead, Span::styled(text, style)])
        })
        .collect()
}

/// How the real replay's words look, in the log and the header.
pub(super) fn real_style(theme: Theme, kind: RealKind) -> Style {
    match kind {
        RealKind::Agrees => theme.good(),
        RealKind::Differs | RealKind::Failed => theme.warning(),
        RealKind::Running | RealKind::Stale => theme.dim(),
    }
}

/// The newest notes whose lines fit in `height`, whole; if not even the
/// newest fits, its last lines.
fn newest(notes: Vec<Vec<Line<'static>>>, height: usize) -> Vec<Line<'static>> {
    let mut kept: Vec<Vec<Line<'static>>> = Vec::new();
    let mut used = 0;
    for note in notes.into_iter().rev() {
        if used + note.len() > height {
            if kept.is_empty() {
                let skip = note.len().saturating_sub(height);
                kept.push(note.into_iter().skip(skip).collect());
            }
            break;
        }
        used += note.len();
        kept.push(note);
    }
    kept.into_iter().rev().flatten().collect()
}

/// A note: the event number and tag, then its text, wrapped under it.
fn note_lines(theme: Theme, note: &Note, width: usize) -> Vec<Line<'static>> {
    let style = style_of(theme, note.kind);
    let indent = 4 + TAG_WIDTH;
    let room = width.saturating_sub(indent);
    // A record is one line, cut; the rest wraps, so no reason is lost.
    let text: Vec<String> = match note.kind {
        NoteKind::Emitted => note.lines.iter().map(|line| fit(line, room)).collect(),
        _ => note
            .lines
            .iter()
            .flat_map(|line| wrap(line, room))
            .collect(),
    };
    text.into_iter()
        .enumerate()
        .map(|(i, text)| {
            let mut spans = if i == 0 {
                vec![
                    Span::styled(format!("{:>3} ", note.at), theme.dim()),
                    Span::styled(format!("{:<TAG_WIDTH$}", note.kind.tag()), style),
                ]
            } else {
                vec![Span::raw(" ".repeat(indent))]
            };
            spans.push(Span::styled(text, text_style(theme, note.kind)));
            Line::from(spans)
        })
        .collect()
}

fn style_of(theme: Theme, kind: NoteKind) -> Style {
    match kind {
        NoteKind::Emitted | NoteKind::Finished => theme.good(),
        NoteKind::Dropped => theme.dropped(),
        NoteKind::Inversion => theme.warning(),
        NoteKind::Deadlock => theme.cycle(),
        NoteKind::Stuck => theme.stuck(),
    }
}

fn text_style(theme: Theme, kind: NoteKind) -> Style {
    match kind {
        NoteKind::Emitted | NoteKind::Finished => theme.text(),
        other => style_of(theme, other),
    }
}
