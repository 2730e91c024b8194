//! The TUI recorded: its frames drawn headless by its own
//! [`view`](crate::tui::view) into a buffer of the recording's size, as
//! [`update`](crate::tui::update) steps through the run, then encoded by
//! [`crate::record`]. `lockstep record` and the export key both come here,
//! so a recording shows exactly what the TUI shows.

use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use std::path::Path;

use crate::record::{Cast, Format, Options, RecordError, Size, markdown, svg};
use crate::schedule::Schedule;
use crate::sim::{self, Model, PatchMode};
use crate::tui::{self, Action, App, Palette, Theme};

/// The recording of `schedule` run with its own order and `patch`, as the
/// text of a file in `options.format`. `file` is the schedule's path, which
/// the TUI shows in its header.
///
/// # Errors
///
/// [`RecordError::NoSuchPosition`] when `options.at` is past the end of
/// the run; [`RecordError::InvalidOrder`] when the schedule's order breaks
/// a rule.
pub fn record(
    schedule: &Schedule,
    file: Option<&Path>,
    patch: PatchMode,
    options: &Options,
) -> Result<String, RecordError> {
    let file = file.map(Path::to_owned);
    let frames = || Frames::new(schedule.clone(), file.clone(), patch, options.size);
    match options.format {
        Format::Cast => Ok(cast_of(frames()?, &title(schedule, patch), options)),
        Format::Svg => svg_of(frames()?, options),
        Format::Markdown => {
            let order = sim::resolve_order(schedule, &schedule.order)?;
            Ok(markdown::report(schedule, &order, patch)?)
        }
    }
}

/// The name of a recording: the schedule's title and the mode.
fn title(schedule: &Schedule, patch: PatchMode) -> String {
    let mode = if patch.is_on() {
        "patched"
    } else {
        "unpatched"
    };
    format!("{} ({mode})", schedule.title)
}

/// A cast of every position of the run, from the start to the end.
fn cast_of(mut frames: Frames, title: &str, options: &Options) -> String {
    let mut cast = Cast::new(title, options.size, options.delay);
    cast.push(frames.draw());
    while frames.step() {
        cast.push(frames.draw());
    }
    cast.finish()
}

/// A picture of the screen at position `options.at`, or at the end.
fn svg_of(mut frames: Frames, options: &Options) -> Result<String, RecordError> {
    let events = frames.event_count();
    let at = options.at.unwrap_or(events);
    if at > events {
        return Err(RecordError::NoSuchPosition { at, events });
    }
    frames.seek(at);
    Ok(picture(frames.app(), options.size))
}

/// The picture of `app`'s screen as `lockstep record` draws it: at `size`,
/// in colour, named after the schedule, the mode and the position. The
/// TUI's export key makes the same picture.
#[must_use]
pub fn picture(app: &App, size: Size) -> String {
    let name = format!(
        "{}, after {} of {} events",
        title(app.schedule(), app.patch()),
        app.position(),
        app.event_count()
    );
    svg::encode(&screen(app, size), &name)
}

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
