//! The TUI driven headless: the frames of a recording are drawn by the
//! TUI's own [`view`](crate::tui::view) into a buffer of the recording's
//! size, as [`update`](crate::tui::update) steps through the run.

use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use super::{RecordError, Size};
use crate::schedule::Schedule;
use crate::sim::{self, Model, PatchMode};
use crate::tui::{self, Action, App, Palette, Theme};

/// The TUI on one run, at a fixed size, in colour.
pub struct Frames {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Frames {
    /// The TUI on `schedule` with its own order and `patch`, before the
    /// first event, with nothing in the status line, as when it opens.
    /// `file` is the schedule's path, which the TUI shows.
    ///
    /// # Errors
    ///
    /// [`RecordError::InvalidOrder`] when the order breaks a rule with
    /// this patch mode.
    ///
    /// # Panics
    ///
    /// Never: a test backend cannot fail.
    pub fn new(
        schedule: Schedule,
        file: Option<PathBuf>,
        patch: PatchMode,
        size: Size,
    ) -> Result<Self, RecordError> {
        let order = sim::resolve_order(&schedule, &schedule.order)?;
        sim::run(&schedule, &Model::new(&schedule), patch, &order)?;

        let mut app = App::new(schedule, file);
        app.set_theme(Theme::new(Palette::Colour));
        if patch.is_on() {
            tui::update(&mut app, Action::TogglePatch);
            // The order may leave out steps that only the patch's drops
            // skip, so the TUI cut it while the patch was off: load it again.
            app.load_order(order)
                .map_err(|reason| RecordError::InvalidOrder { reason })?;
        }
        tui::update(&mut app, Action::JumpStart);

        let backend = TestBackend::new(size.width, size.height);
        let terminal = Terminal::new(backend).expect("a test backend cannot fail");
        Ok(Self { app, terminal })
    }

    /// The app, as the frames show it.
    #[must_use]
    pub fn app(&self) -> &App {
        &self.app
    }

    /// How many events have run: 0 at the start.
    #[must_use]
    pub fn position(&self) -> usize {
        self.app.position()
    }

    /// The number of events of the run.
    #[must_use]
    pub fn event_count(&self) -> usize {
        self.app.event_count()
    }

    /// Runs the next event; false at the end of the run. On reaching the
    /// end, the TUI jumps there as its own key does, so a run that is stuck
    /// shows why.
    pub fn step(&mut self) -> bool {
        if self.position() >= self.event_count() {
            return false;
        }
        tui::update(&mut self.app, Action::StepForward);
        if self.position() == self.event_count() {
            tui::update(&mut self.app, Action::JumpEnd);
        }
        true
    }

    /// Steps until `position` events have run (or the run ends).
    pub fn seek(&mut self, position: usize) {
        while self.position() < position && self.step() {}
    }

    /// The screen at the current position.
    ///
    /// # Panics
    ///
    /// Never: a test backend cannot fail.
    pub fn draw(&mut self) -> &Buffer {
        let app = &self.app;
        let completed = self
            .terminal
            .draw(|frame| tui::view(app, frame))
            .expect("a test backend cannot fail");
        completed.buffer
    }
}

/// The screen of `app` at `size`, in colour whatever its theme: what a
/// recording of it shows.
///
/// # Panics
///
/// Never: a test backend cannot fail.
#[must_use]
pub fn screen(app: &App, size: Size) -> Buffer {
    let mut shown = app.clone();
    shown.set_theme(Theme::new(Palette::Colour));
    let mut terminal = Terminal::new(TestBackend::new(size.width, size.height))
        .expect("a test backend cannot fail");
    let completed = terminal
        .draw(|frame| tui::view(&shown, frame))
        .expect("a test backend cannot fail");
    completed.buffer.clone()
}
