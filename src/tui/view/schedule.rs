//! The schedule panel: the run as a table, one column per thread and one
//! row per event, like thread dumps side by side.
//!
//! `▶` marks the event that ran last; later rows are dim. Blocked attempts
//! say `blocked on I`, drops `try H: DROP`, skipped steps `skipped` (crossed
//! out), an entry that cannot run is numbered `✗` and says why, and the
//! rows the default policy chose sit under an `auto` divider, in italics.
//! The selected row is reversed, and its step is written out under the
//! table. With many threads, the columns become lanes (see [`Columns`]).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget as _;

use super::text::{cells, fit, panel};
use crate::tui::app::{App, Look, Row, RowKind};
use crate::tui::theme::Theme;

/// Draws the panel; its title says which rows show when not all fit.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let untitled = panel(app.theme(), Line::default());
    let table = Table::new(app, untitled.inner(area));
    let block = panel(app.theme(), Line::from(table.title()));
    block.render(area, buf);

    table.header(app, buf);
    table.body(app, buf);
    table.detail(app, buf);
}

/// The row under `position`, if it is on one.
pub fn row_at(app: &App, area: Rect, position: Position) -> Option<usize> {
    let inner = panel(app.theme(), Line::default()).inner(area);
    let table = Table::new(app, inner);
    if !table.body.contains(position) {
        return None;
    }
    let line = table.offset + usize::from(position.y.saturating_sub(table.body.y));
    match table.lines.get(line)? {
        Display::Row(row) => Some(*row),
        Display::Divider => None,
    }
}

/// One line of the table body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Display {
    /// A row of the schedule.
    Row(usize),
    /// The line above the first `auto` row.
    Divider,
}

/// The table's areas and what its body shows.
struct Table {
    header: Rect,
    body: Rect,
    detail: Rect,
    columns: Columns,
    lines: Vec<Display>,
    /// The first line shown.
    offset: usize,
}

/// A column: its left edge and width.
type Column = (u16, u16);

/// Where the table's columns are.
struct Columns {
    /// `▶` on the row that ran last.
    marker: Column,
    /// The event number.
    number: Column,
    /// One per thread.
    threads: Vec<Column>,
    /// With many threads, the threads' columns are narrow lanes marked
    /// `●` and the events' words go in this last column.
    events: Option<Column>,
}

/// A thread column narrower than this turns the table into lanes.
const MIN_THREAD_COLUMN: u16 = 15;

impl Table {
    fn new(app: &App, area: Rect) -> Self {
        let [header, body, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let lines = lines(app);
        let selected = lines
            .iter()
            .position(|line| *line == Display::Row(app.selected()))
            .unwrap_or(0);
        let height = usize::from(body.height);
        // Scroll only once the selection nears the bottom, keeping a few
        // lines of what follows in view.
        let context = (height / 4).min(2);
        let offset = (selected + 1 + context)
            .saturating_sub(height)
            .min(lines.len().saturating_sub(height));
        Self {
            header,
            body,
            detail,
            columns: Columns::new(app, area),
            lines,
            offset,
        }
    }

    /// ` Schedule `, or ` Schedule: lines 3–12 of 20 ` when it scrolls.
    fn title(&self) -> String {
        let height = usize::from(self.body.height);
        if self.lines.len() <= height {
            return " Schedule ".to_owned();
        }
        let last = (self.offset + height).min(self.lines.len());
        format!(
            " Schedule: lines {}–{last} of {} ",
            self.offset + 1,
            self.lines.len()
        )
    }

    fn header(&self, app: &App, buf: &mut Buffer) {
        let style = app.theme().title();
        let columns = &self.columns;
        put(self.header, columns.number, "#", style, buf);
        let threads = &app.schedule().threads;
        for (&column, thread) in columns.threads.iter().zip(threads) {
            let text = match columns.events {
                Some(_) => thread.id.clone(),
                None => format!("{} {}", thread.id, thread.name),
            };
            put(self.header, column, &text, style, buf);
        }
        if let Some(events) = columns.events {
            put(self.header, events, "event", style, buf);
        }
    }

    fn body(&self, app: &App, buf: &mut Buffer) {
        let shown = self.lines.iter().skip(self.offset);
        for (y, line) in self.body.rows().zip(shown) {
            match *line {
                Display::Row(row) => self.row(app, row, y, buf),
                Display::Divider => divider(app.theme(), y, buf),
            }
        }
    }

    /// One row: the marker, the event number and the thread cells.
    fn row(&self, app: &App, index: usize, area: Rect, buf: &mut Buffer) {
        let Some(row) = app.timeline().rows.get(index) else {
            return;
        };
        let theme = app.theme();
        let columns = &self.columns;
        if app.current_row() == Some(index) {
            put(area, columns.marker, "▶", theme.current(), buf);
        }
        let base = row_style(app, row, index);
        let digits = usize::from(columns.number.1);
        put(area, columns.number, &number(row, digits), base, buf);
        match columns.events {
            None => self.cells(app, row, base, area, buf),
            Some(events) => self.lanes(app, row, base, events, area, buf),
        }
        if app.selected() == index {
            buf.set_style(area, theme.selected());
        }
    }

    /// Each cell's words in its thread's column.
    fn cells(&self, app: &App, row: &Row, base: Style, area: Rect, buf: &mut Buffer) {
        for cell in &row.cells {
            if let Some(&column) = self.columns.threads.get(cell.thread) {
                let style = base.patch(look(app.theme(), cell.look));
                put(area, column, &cell.text, style, buf);
            }
        }
    }

    /// A mark in each lane that has a cell, the words in the last column.
    fn lanes(
        &self,
        app: &App,
        row: &Row,
        base: Style,
        events: Column,
        area: Rect,
        buf: &mut Buffer,
    ) {
        let theme = app.theme();
        let mut x = events.0;
        for (i, cell) in row.cells.iter().enumerate() {
            let style = base.patch(look(theme, cell.look));
            if let Some(&lane) = self.columns.threads.get(cell.thread) {
                let mark = if cell.look == Look::Completed {
                    "○"
                } else {
                    "●"
                };
                put(area, lane, mark, style, buf);
            }
            let gap = if i == 0 { "" } else { "  " };
            let text = format!("{gap}{}", cell.text);
            let room = (events.0 + events.1).saturating_sub(x);
            put(area, (x, room), &text, style, buf);
            x = x.saturating_add(cells(super::text::width(&text)));
        }
    }

    /// The selected row's step, written out.
    fn detail(&self, app: &App, buf: &mut Buffer) {
        let Some(row) = app.timeline().rows.get(app.selected()) else {
            return;
        };
        let step = &app.schedule().threads[row.step.thread].steps[row.step.step];
        let why = match row.kind {
            RowKind::Event(i) if app.timeline().run.events[i].auto => {
                " (auto: the default policy chose it)"
            }
            _ => "",
        };
        let text = format!("{} · {}{why}", row.detail, step.text);
        let line = Line::from(vec![
            Span::styled("selected ", app.theme().dim()),
            Span::styled(
                fit(&text, usize::from(self.detail.width).saturating_sub(9)),
                app.theme().text(),
            ),
        ]);
        line.render(self.detail, buf);
    }
}

impl Columns {
    /// A column per thread sharing the width, or narrow lanes and a column
    /// for the words when the threads' columns would be too narrow.
    fn new(app: &App, area: Rect) -> Self {
        let threads = &app.schedule().threads;
        let digits = cells(app.timeline().rows.len().max(1).to_string().len());
        let lead = [Constraint::Length(1), Constraint::Length(digits)];
        let wide = split(
            area,
            lead.into_iter()
                .chain(threads.iter().map(|_| Constraint::Fill(1))),
        );
        let narrow = wide
            .iter()
            .skip(2)
            .any(|column| column.1 < MIN_THREAD_COLUMN);
        if !narrow {
            return Self::parts(wide, None);
        }
        let lanes = threads
            .iter()
            .map(|t| Constraint::Length(cells(super::text::width(&t.id))));
        let mut columns = split(
            area,
            lead.into_iter().chain(lanes).chain([Constraint::Fill(1)]),
        );
        let events = columns.pop();
        Self::parts(columns, events)
    }

    fn parts(columns: Vec<Column>, events: Option<Column>) -> Self {
        let mut columns = columns.into_iter();
        let mut next = || columns.next().unwrap_or_default();
        Self {
            marker: next(),
            number: next(),
            threads: columns.collect(),
            events,
        }
    }
}

fn split(area: Rect, constraints: impl IntoIterator<Item = Constraint>) -> Vec<Column> {
    Layout::horizontal(constraints)
        .spacing(1)
        .split(area)
        .iter()
        .map(|r| (r.x, r.width))
        .collect()
}

/// Writes `text` in `column` of the one-row `row`, cut to fit.
fn put(row: Rect, column: Column, text: &str, style: Style, buf: &mut Buffer) {
    let (x, width) = column;
    let cell = Rect::new(x, row.y, width, 1).intersection(row);
    Span::styled(fit(text, usize::from(cell.width)), style).render(cell, buf);
}

/// The body's lines: the rows, with a divider before the `auto` ones.
fn lines(app: &App) -> Vec<Display> {
    let timeline = app.timeline();
    let mut lines: Vec<Display> = (0..timeline.rows.len()).map(Display::Row).collect();
    if timeline.explicit < timeline.rows.len() {
        lines.insert(timeline.explicit, Display::Divider);
    }
    lines
}

fn number(row: &Row, digits: usize) -> String {
    match row.kind {
        RowKind::Event(i) => format!("{:>digits$}", i + 1),
        RowKind::Stuck(_) => "✗".to_owned(),
        RowKind::Unreached(_) => String::new(),
    }
}

/// The style a row starts from: bold when it ran last, dim when it has
/// not run yet, italic when the default policy chose it.
fn row_style(app: &App, row: &Row, index: usize) -> Style {
    let theme = app.theme();
    let mut style = theme.text();
    if app.current_row() == Some(index) {
        style = style.add_modifier(Modifier::BOLD);
    }
    let ran = match row.kind {
        RowKind::Event(i) => i < app.position(),
        RowKind::Stuck(_) | RowKind::Unreached(_) => app.position() == app.event_count(),
    };
    if !ran {
        style = style.add_modifier(Modifier::DIM);
    }
    if let RowKind::Event(i) = row.kind
        && app.timeline().run.events[i].auto
    {
        style = style.patch(theme.auto());
    }
    style
}

fn look(theme: Theme, look: Look) -> Style {
    match look {
        Look::Ran => Style::new(),
        Look::Blocked => theme.blocked(),
        Look::Drop => theme.dropped(),
        Look::Skipped => theme.skipped(),
        Look::Completed => theme.good(),
        Look::Stuck => theme.stuck(),
        Look::Unreached => theme.dim(),
    }
}

fn divider(theme: Theme, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let long = " auto: the default policy runs the rest ";
    let label = if super::text::width(long) + 4 <= width {
        long
    } else {
        " auto "
    };
    let side = width.saturating_sub(super::text::width(label)) / 2;
    let text = format!("{}{label}{}", "┄".repeat(side), "┄".repeat(side));
    Span::styled(fit(&text, width), theme.auto()).render(area, buf);
}
