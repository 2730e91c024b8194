//! Drawing the app: the layout of the screen and one file per panel.
//!
//! Every function here reads the [`App`] and writes a buffer; none of them
//! changes anything, so a frame can be drawn at any size, any time.

mod canvas;
mod footer;
mod graph;
mod header;
mod log;
mod popups;
mod schedule;
mod stacks;
mod text;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget as _, Wrap};

use super::app::{Action, App};
use super::keys::{self, Context};

/// The smallest terminal the panels fit in.
pub const MIN_WIDTH: u16 = 60;
/// The smallest terminal the panels fit in.
pub const MIN_HEIGHT: u16 = 16;

/// Draws the whole screen for `app` into `frame`.
pub fn view(app: &App, frame: &mut Frame) {
    let area = frame.area();
    render(app, area, frame.buffer_mut());
}

/// Draws the whole screen for `app` into `area` of `buf`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(area, buf);
        return;
    }
    let screen = Screen::new(area);
    header::render(app, screen.header, buf);
    schedule::render(app, screen.schedule, buf);
    graph::render(app, screen.graph, buf);
    stacks::render(app, screen.stacks, buf);
    log::render(app, screen.log, buf);
    footer::render_status(app, screen.status, buf);
    footer::render_keys(app, screen.footer, buf);
    popups::render(app, area, buf);
}

/// The areas of the panels on a screen of a given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Screen {
    header: Rect,
    schedule: Rect,
    graph: Rect,
    stacks: Rect,
    log: Rect,
    status: Rect,
    footer: Rect,
}

impl Screen {
    fn new(area: Rect) -> Self {
        let [header, body, status, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let [top, bottom] =
            Layout::vertical([Constraint::Fill(11), Constraint::Fill(9)]).areas(body);
        let columns = || Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]);
        let [schedule, graph] = columns().areas(top);
        let [stacks, log] = columns().areas(bottom);
        Self {
            header,
            schedule,
            graph,
            stacks,
            log,
            status,
            footer,
        }
    }
}

/// The row of the schedule table at `position` of a screen of `area`, if
/// the panels are shown and the position is on a row (for mouse clicks).
#[must_use]
pub fn row_at(app: &App, area: Rect, position: Position) -> Option<usize> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT || app.popup().is_some() {
        return None;
    }
    schedule::row_at(app, Screen::new(area).schedule, position)
}

/// The message shown instead of the panels on a small terminal.
fn too_small(area: Rect, buf: &mut Buffer) {
    let text = vec![
        Line::from(format!("lockstep needs {MIN_WIDTH}×{MIN_HEIGHT} at least;")),
        Line::from(format!("this terminal is {}×{}.", area.width, area.height)),
        Line::from(format!(
            "Enlarge it, or press {} to quit.",
            keys::label_for(Context::Main, &Action::Quit)
        )),
    ];
    let height = u16::try_from(text.len()).unwrap_or(u16::MAX);
    let [middle] = Layout::vertical([Constraint::Length(height)])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    Paragraph::new(text)
        .centered()
        .wrap(Wrap { trim: true })
        .render(middle, buf);
}
