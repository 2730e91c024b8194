//! The popups drawn over the panels: help, the schedule picker, the
//! save-as prompt, messages, and the explore popups.

mod explore;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget as _, Wrap};

use super::text::{cells, fit, panel, width};
use crate::tui::app::{Action, App, Picker, Popup, Prompt};
use crate::tui::keys::{self, Context};
use crate::tui::theme::Theme;

/// Draws the open popup, if any, over `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    match app.popup() {
        None => {}
        Some(Popup::Help) => help(app, area, buf),
        Some(Popup::Picker(picker)) => picker_popup(app.theme(), picker, area, buf),
        Some(Popup::SaveAs(prompt)) => prompt_popup(app.theme(), prompt, area, buf),
        Some(Popup::Message { title, text }) => message(app.theme(), title, text, area, buf),
        Some(Popup::Exploring) => explore::running(app, area, buf),
        Some(Popup::Explored(explored)) => explore::results(app, explored, area, buf),
    }
}

/// A centred box of at most `width` × `height`, cleared, with a title;
/// returns the area inside its border.
fn frame(theme: Theme, title: &str, width: u16, height: u16, area: Rect, buf: &mut Buffer) -> Rect {
    let outer = area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    );
    Clear.render(outer, buf);
    let block = panel(theme, Line::from(format!(" {title} ")));
    let inner = block.inner(outer);
    block.render(outer, buf);
    inner
}

/// The width of the key column of the help.
const KEY_COLUMN: usize = 10;

/// The keys of the main screen, the legend of the table and the threads,
/// in two columns.
fn help(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let mut keys: Vec<(String, Style, &str)> = keys::bindings(Context::Main)
        .map(|b| (b.keys_label(), theme.key(), b.help))
        .collect();
    keys.push((
        "click".to_owned(),
        theme.key(),
        "select a row; wheel: up/down",
    ));
    let legend = legend(theme);
    // Two columns of keys and of marks, two blank lines, the threads.
    let rows = keys.len().div_ceil(2) + legend.len().div_ceil(2) + 3;
    let close = keys::label_for(Context::Help, &Action::Cancel);
    let title = format!("Help: {close} to close");
    let inner = frame(theme, &title, 90, cells(rows + 2), area, buf);
    let column = usize::from(inner.width).saturating_sub(1) / 2;
    let mut lines = columns(&keys, column);
    lines.push(Line::default());
    lines.extend(columns(&legend, column));
    lines.push(Line::default());
    lines.push(threads(app));
    Paragraph::new(lines).render(inner, buf);
}

/// Entries `(mark, style, text)` laid out down two columns.
fn columns(entries: &[(String, Style, &str)], width: usize) -> Vec<Line<'static>> {
    let half = entries.len().div_ceil(2);
    let (left, right) = entries.split_at(half);
    let cell = |entry: Option<&(String, Style, &str)>| {
        let Some((mark, style, text)) = entry else {
            return Vec::new();
        };
        let room = width.saturating_sub(KEY_COLUMN);
        vec![
            Span::styled(
                format!("{:<KEY_COLUMN$}", fit(mark, KEY_COLUMN - 1)),
                *style,
            ),
            Span::raw(format!("{:<room$}", fit(text, room))),
        ]
    };
    (0..half)
        .map(|i| {
            let mut spans = cell(left.get(i));
            spans.push(Span::raw(" "));
            spans.extend(cell(right.get(i)));
            Line::from(spans)
        })
        .collect()
}

/// What the marks of the schedule table mean.
fn legend(theme: Theme) -> Vec<(String, Style, &'static str)> {
    let entry = |mark: &str, style, text| (mark.to_owned(), style, text);
    vec![
        entry("▶", theme.current(), "the event that ran last"),
        entry("blocked", theme.blocked(), "an acquire that waits"),
        entry("DROP", theme.dropped(), "the patch lost the record"),
        entry("skipped", theme.skipped(), "a step a drop skipped"),
        entry("┄ auto ┄", theme.auto(), "chosen by the default policy"),
        entry("✗", theme.stuck(), "an entry that cannot run"),
    ]
}

/// `threads: 1 A request A · 2 B request B`, for the digit keys.
fn threads(app: &App) -> Line<'static> {
    let theme = app.theme();
    let mut spans = vec![Span::styled(
        format!("{:<KEY_COLUMN$}", "threads"),
        theme.key(),
    )];
    for (i, thread) in app.schedule().threads.iter().enumerate().take(9) {
        if i > 0 {
            spans.push(Span::raw(" · "));
        }
        spans.push(Span::styled(format!("{} ", i + 1), theme.key()));
        spans.push(Span::raw(format!("{} {}", thread.id, thread.name)));
    }
    Line::from(spans)
}

fn picker_popup(theme: Theme, picker: &Picker, area: Rect, buf: &mut Buffer) {
    let notices = picker_notices(theme, picker);
    let files: Vec<Line<'static>> = picker
        .files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let style = if i == picker.selected {
                theme.selected()
            } else {
                theme.text()
            };
            Line::styled(format!(" {} ", file.display()), style)
        })
        .collect();
    let wide = notices
        .iter()
        .chain(&files)
        .map(Line::width)
        .max()
        .unwrap_or(0);
    let title = format!(
        "Open a schedule: {} to open, {} to cancel",
        keys::label_for(Context::Picker, &Action::Confirm),
        keys::label_for(Context::Picker, &Action::Cancel)
    );
    let height = cells(notices.len() + files.len() + 2);
    let inner = frame(theme, &title, cells(wide.max(48) + 2), height, area, buf);
    let [top, list] = Layout::vertical([
        Constraint::Length(cells(notices.len())),
        Constraint::Fill(1),
    ])
    .areas(inner);
    Paragraph::new(notices).render(top, buf);
    // Keep the highlighted file in view.
    let skip = (picker.selected + 1).saturating_sub(usize::from(list.height));
    let shown: Vec<Line<'static>> = files.into_iter().skip(skip).collect();
    Paragraph::new(shown).render(list, buf);
}

/// What to know before picking: unsaved edits, or an empty list.
fn picker_notices(theme: Theme, picker: &Picker) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if picker.unsaved {
        lines.push(Line::styled(
            "the open order has unsaved edits: opening a file drops them",
            theme.warning(),
        ));
    }
    if picker.files.is_empty() {
        let folders: Vec<String> = picker
            .folders
            .iter()
            .map(|f| f.display().to_string())
            .collect();
        lines.push(Line::styled(
            format!("no .ron files in {}", folders.join(" or ")),
            theme.dim(),
        ));
    }
    lines
}

fn prompt_popup(theme: Theme, prompt: &Prompt, area: Rect, buf: &mut Buffer) {
    let inner = frame(theme, "Save the order as", 64, 4, area, buf);
    let room = usize::from(inner.width).saturating_sub(3);

    // Below the path: the warning about an existing file, or the keys.
    let (below, style) = if let Some(warning) = &prompt.warning {
        (warning.clone(), theme.warning())
    } else {
        let hint = format!(
            "{} saves, {} cancels",
            keys::label_for(Context::Prompt, &Action::Confirm),
            keys::label_for(Context::Prompt, &Action::Cancel)
        );
        (hint, theme.dim())
    };
    let lines = vec![
        Line::from(vec![
            Span::styled("> ", theme.key()),
            Span::raw(super::text::fit_left(&prompt.text, room)),
            Span::styled("█", theme.key()),
        ]),
        Line::styled(fit(&below, room + 3), style),
    ];
    Paragraph::new(lines).render(inner, buf);
}

fn message(theme: Theme, title: &str, text: &str, area: Rect, buf: &mut Buffer) {
    let lines: Vec<Line<'static>> = text.lines().map(|l| Line::raw(l.to_owned())).collect();
    let wide = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .max(width(title) + 4);
    let inner = frame(
        theme,
        title,
        cells(wide + 2),
        cells(lines.len() + 2),
        area,
        buf,
    );
    Paragraph::new(lines)
        .style(theme.text())
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}
