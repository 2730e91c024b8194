//! The explore popups: the searches while they run, then the outcome
//! counts of each patch mode as bars side by side, and the orders to load.
//!
//! A bar is the share of the mode's executions that end so (for states,
//! the share of the larger of the modes' state counts), drawn in eighths
//! of a cell, with the exact number beside it, so it reads without colour.
//! Numbers are grouped by thousands, or written short (`≈2.26e45`) when
//! they do not fit; a count past 128 bits is drawn as a bar of `░`.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};

use super::frame;
use crate::explore::report::order_ids;
use crate::explore::{Count, ExploreError, Summary, grouped};
use crate::sim::PatchMode;
use crate::tui::app::{Action, App, Explored, ModeProgress, ModeResult, Stage, mode_name};
use crate::tui::keys::{self, Context};
use crate::tui::theme::Theme;
use crate::tui::view::text::{cells, fit, fit_line, width, wrap};

/// The widest the results popup grows.
const MAX_WIDTH: u16 = 96;
/// The width of the labels of the chart.
const LABEL: usize = 17;
/// The space before each column of the chart.
const GAP: usize = 2;
/// The rows of a column under its heading: six counts and the states.
const ROWS: usize = 7;
/// The labels of the chart's rows, under the modes' headings.
const LABELS: [&str; ROWS + 1] = [
    "",
    "executions",
    "  finished",
    "  deadlock",
    "  stuck",
    "  with drops",
    "  needless drops",
    "distinct states",
];
/// The rows of [`LABELS`] about drops.
const DROP_ROWS: [usize; 2] = [5, 6];
/// The partial blocks of a bar, by eighths of a cell.
const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/// Draws the popup of a running exploration: each search and how far it
/// got.
pub fn running(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(progress) = app.explore_progress() else {
        return;
    };
    let theme = app.theme();
    let cancel = keys::label_for(Context::Exploring, &Action::Cancel);
    let title = if progress.cancelled {
        format!("Cancelling: {cancel} again stops waiting")
    } else {
        format!("Exploring every execution: {cancel} cancels")
    };
    let mut lines: Vec<Line<'static>> = progress
        .modes
        .iter()
        .map(|mode| progress_line(theme, mode))
        .collect();
    lines.push(Line::default());
    let limit = grouped(u128::from(progress.max_states));
    lines.push(Line::styled(
        format!(" at most {limit} states per mode"),
        theme.dim(),
    ));
    // Wide enough for millions of states and a hundred levels, so the box
    // does not grow as the numbers do.
    let wide = lines.iter().map(Line::width).max().unwrap_or(0).max(68);
    let width = cells(wide.max(width(&title) + 4) + 3);
    let inner = frame(theme, &title, width, cells(lines.len() + 2), area, buf);
    // On a narrow terminal a cut line ends in `…`, never in a cut number.
    let room = usize::from(inner.width);
    let lines: Vec<Line<'static>> = lines
        .into_iter()
        .map(|line| fit_line(line.spans, room))
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

/// ` unpatched  searching… 12,288 states, level 9 of at most 13`.
fn progress_line(theme: Theme, mode: &ModeProgress) -> Line<'static> {
    let (text, style) = match &mode.stage {
        Stage::Waiting => ("waits for the search before it".to_owned(), theme.dim()),
        Stage::Searching {
            states,
            level,
            levels,
        } => {
            let states = grouped(u128::from(*states));
            let text = match levels {
                0 => format!("searching… {states} states so far"),
                _ => format!("searching… {states} states, level {level} of at most {levels}"),
            };
            (text, theme.text())
        }
        Stage::Ended { text } => (text.clone(), theme.good()),
    };
    Line::from(vec![
        Span::styled(format!(" {:<11}", mode_name(mode.patch)), theme.title()),
        Span::styled(text, style),
    ])
}

/// Draws the results: the chart, the orders to load, and what the bars
/// mean.
pub fn results(app: &App, explored: &Explored, area: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let width = area.width.min(MAX_WIDTH);
    let room = usize::from(width.saturating_sub(2));
    let chart = chart(app, &explored.modes, room);
    let notes = notes(theme, explored, room);
    let choices = choice_lines(app, explored, room);
    let rows = chart.len() + 2 + choices.len() + 1 + notes.len();
    let title = format!(
        "Every execution: {} loads an order, {} closes",
        keys::label_for(Context::Explored, &Action::Confirm),
        keys::label_for(Context::Explored, &Action::Cancel)
    );
    let inner = frame(theme, &title, width, cells(rows + 2), area, buf);
    let [chart_area, heading, list, notes_area] = Layout::vertical([
        Constraint::Length(cells(chart.len() + 1)),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(cells(notes.len() + 1)),
    ])
    .areas(inner);
    Paragraph::new(chart).render(chart_area, buf);
    let text = " Load into the schedule panel, with the patch mode it was found in:";
    Line::styled(fit(text, room), theme.title()).render(heading, buf);
    // Keep the highlighted order in view.
    let skip = (explored.selected + 1).saturating_sub(usize::from(list.height));
    let shown: Vec<Line<'static>> = choices.into_iter().skip(skip).collect();
    Paragraph::new(shown).render(list, buf);
    let [_, notes_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(notes_area);
    Paragraph::new(notes).render(notes_area, buf);
}

/// The heading row and one row per count, each mode a column. The rows
/// of drops are left out when no mode has the patch on: nothing drops.
fn chart(app: &App, modes: &[ModeResult], room: usize) -> Vec<Line<'static>> {
    let theme = app.theme();
    let count = modes.len().max(1);
    let column = room.saturating_sub(LABEL + GAP * count) / count;
    let most_states = modes
        .iter()
        .filter_map(|m| m.result.as_ref().ok())
        .map(|s| s.states)
        .max()
        .unwrap_or(0);
    let columns: Vec<Vec<Vec<Span<'static>>>> = modes
        .iter()
        .map(|mode| {
            let mut cells = vec![heading(app, mode.patch, column)];
            cells.extend(match &mode.result {
                Ok(summary) => bars(theme, summary, most_states, column),
                Err(error) => stopped(theme, error, column),
            });
            cells
        })
        .collect();
    let drops = modes.iter().any(|m| m.patch.is_on());
    LABELS
        .iter()
        .enumerate()
        .filter(|&(row, _)| drops || !DROP_ROWS.contains(&row))
        .map(|(row, label)| {
            let mut spans = vec![Span::styled(
                padded(&format!(" {label}"), LABEL),
                theme.text(),
            )];
            for column in &columns {
                spans.push(Span::raw(" ".repeat(GAP)));
                spans.extend(column.get(row).cloned().unwrap_or_default());
            }
            Line::from(spans)
        })
        .collect()
}

/// `unpatched`, or `patched: log_bug_patch`.
fn heading(app: &App, patch: PatchMode, column: usize) -> Vec<Span<'static>> {
    let name = mode_name(patch);
    let text = match &app.schedule().patch {
        Some(p) if patch.is_on() => format!("{name}: {}", p.name),
        _ => name.to_owned(),
    };
    vec![Span::styled(padded(&text, column), app.theme().title())]
}

/// The bars of a finished search: a share of its executions, then the
/// states as a share of `most_states`.
fn bars(
    theme: Theme,
    summary: &Summary,
    most_states: u64,
    column: usize,
) -> Vec<Vec<Span<'static>>> {
    let all = summary.executions;
    let values = [
        (summary.executions, all, theme.text()),
        (summary.finished, all, theme.good()),
        (summary.deadlocked, all, theme.cycle()),
        (summary.stuck, all, theme.stuck()),
        (summary.with_drops, all, theme.dropped()),
        (summary.with_needless_drops, all, theme.dropped()),
        (
            Count::from(summary.states),
            Count::from(most_states),
            theme.text(),
        ),
    ];
    let numbers: Vec<String> = values
        .iter()
        .map(|(count, ..)| number(*count, column / 2))
        .collect();
    let digits = numbers.iter().map(|n| width(n)).max().unwrap_or(0);
    let length = column.saturating_sub(digits + 1);
    values
        .iter()
        .zip(&numbers)
        .map(|(&(part, whole, style), number)| {
            vec![
                Span::styled(padded(&bar(part, whole, length), length), style),
                Span::raw(" "),
                Span::styled(format!("{number:>digits$}"), theme.text()),
            ]
        })
        .collect()
}

/// The column of a search that stopped early: why, and what it found.
fn stopped(theme: Theme, error: &ExploreError, column: usize) -> Vec<Vec<Span<'static>>> {
    let found = match error {
        ExploreError::Limit { partial, .. } | ExploreError::Cancelled { partial } => {
            Some(match partial.deadlock {
                Some(_) => "a deadlock is reachable: the order found is below",
                None => "no deadlock found before it; the counts are unknown",
            })
        }
        ExploreError::TooLarge { .. } => None,
    };
    let mut lines: Vec<(String, Style)> = wrap(&error.to_string(), column)
        .into_iter()
        .map(|line| (line, theme.warning()))
        .collect();
    for line in found.map(|text| wrap(text, column)).unwrap_or_default() {
        lines.push((line, theme.text()));
    }
    lines.resize(ROWS, (String::new(), theme.text()));
    lines
        .into_iter()
        .map(|(line, style)| vec![Span::styled(padded(&line, column), style)])
        .collect()
}

/// The orders to load, the highlighted one reversed and marked `▶`.
fn choice_lines(app: &App, explored: &Explored, room: usize) -> Vec<Line<'static>> {
    let theme = app.theme();
    let schedule = app.schedule();
    if explored.choices.is_empty() {
        let text = " nothing to load: no search got far enough to find an order";
        return vec![Line::styled(fit(text, room), theme.dim())];
    }
    explored
        .choices
        .iter()
        .enumerate()
        .map(|(i, choice)| {
            let (mark, style) = if i == explored.selected {
                ("▶", theme.selected())
            } else {
                (" ", theme.text())
            };
            let text = format!(
                "{mark} {:<10} {} ({} steps): {}",
                mode_name(choice.patch),
                choice.describe(schedule),
                choice.order.len(),
                order_ids(schedule, &choice.order).join(" ")
            );
            Line::styled(padded(&text, room), style)
        })
        .collect()
}

/// What the bars mean, the state limit, and the overflow mark if a count
/// needs it.
fn notes(theme: Theme, explored: &Explored, room: usize) -> Vec<Line<'static>> {
    let limit = grouped(u128::from(explored.max_states));
    let mut notes =
        vec![" bars: the share of the executions (states: of the larger count)".to_owned()];
    if explored.modes.iter().any(|m| m.patch.is_on()) {
        notes.push(format!(
            " needless: no deadlock reachable without the patch · limit: {limit} states"
        ));
    } else {
        notes.push(format!(" limit: {limit} states"));
    }
    let overflowed = explored
        .modes
        .iter()
        .filter_map(|m| m.result.as_ref().ok())
        .any(|s| s.executions.overflowed());
    if overflowed {
        notes.push(" ░ more than 2^128 − 2: too many to count exactly".to_owned());
    }
    notes
        .into_iter()
        .map(|note| Line::styled(fit(&note, room), theme.dim()))
        .collect()
}

/// A count in at most `room` cells: grouped digits, or short.
fn number(count: Count, room: usize) -> String {
    let Some(n) = count.exact() else {
        return "> 2^128".to_owned();
    };
    let long = grouped(n);
    if width(&long) <= room || n < 1000 {
        return long;
    }
    let digits = n.to_string();
    let (first, rest) = digits.split_at(1);
    let after = rest.get(..2).unwrap_or(rest);
    format!("≈{first}.{after}e{}", rest.len())
}

/// A bar of `part / whole` of `length` cells, in eighths of a cell; a
/// part that is not zero shows at least one eighth. An overflowed part
/// is `░` all along: its share is unknown.
fn bar(part: Count, whole: Count, length: usize) -> String {
    let Some(part) = part.exact() else {
        return "░".repeat(length);
    };
    let whole = whole.exact().unwrap_or(u128::MAX);
    let eighths = eighths(part, whole, length);
    let mut bar = "█".repeat(eighths / 8);
    bar.push_str(EIGHTHS[eighths % 8]);
    bar
}

/// `part / whole` of `length` cells, in eighths, rounded down but at
/// least one when `part` is not zero. Both are scaled down to 64 bits
/// first, so the product cannot overflow.
fn eighths(part: u128, whole: u128, length: usize) -> usize {
    if part == 0 || whole == 0 {
        return 0;
    }
    let shift = (128 - whole.leading_zeros()).saturating_sub(64);
    let (part, whole) = (part >> shift, (whole >> shift).max(1));
    let most = u128::from(u32::try_from(length).unwrap_or(u32::MAX)) * 8;
    let scaled = (part * most / whole).clamp(1, most);
    usize::try_from(scaled).unwrap_or(0)
}

/// `text` cut or padded with spaces to exactly `cells` cells.
fn padded(text: &str, cells: usize) -> String {
    let mut text = fit(text, cells);
    let fill = cells.saturating_sub(width(&text));
    text.push_str(&" ".repeat(fill));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_shares_in_eighths_and_never_hide_a_count() {
        let count = |n: u64| Count::from(n);
        assert_eq!(bar(count(62), count(62), 4), "████");
        assert_eq!(bar(count(31), count(62), 4), "██");
        assert_eq!(bar(count(33), count(62), 3), "█▌");
        assert_eq!(bar(count(1), count(1_000_000), 10), "▏");
        assert_eq!(bar(count(0), count(62), 10), "");
        assert_eq!(bar(count(5), count(0), 10), "");
    }

    #[test]
    fn huge_counts_scale_without_overflow() {
        let half = u128::MAX / 2;
        assert_eq!(eighths(half, u128::MAX - 1, 10), 39);
        assert_eq!(eighths(u128::MAX - 1, u128::MAX - 1, 10), 80);
        assert_eq!(eighths(1, u128::MAX - 1, 10), 1);
    }

    #[test]
    fn numbers_are_grouped_or_short_when_they_do_not_fit() {
        let count = Count::from(112_140_276_655);
        assert_eq!(number(count, 20), "112,140,276,655");
        assert_eq!(number(count, 8), "≈1.12e11");
        assert_eq!(number(Count::from(7), 1), "7");
        assert_eq!(number(Count::from(7), 0), "7");
        assert_eq!(number(Count::from(1234), 3), "≈1.23e3");
    }
}
