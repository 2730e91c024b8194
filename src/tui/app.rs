//! The state of the TUI and the one function that changes it.
//!
//! [`App`] holds the schedule, the order being edited, the patch mode and
//! the position in the run; [`update`] applies an [`Action`] to it. Neither
//! touches the terminal, so tests and the recorder drive them directly.

mod edit;
mod explore;
mod export;
mod files;
mod real;
mod timeline;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use crate::explore::{ExploreError, Summary};
use crate::real::RealRun;
use crate::schedule::Schedule;
use crate::sim::{Model, PatchMode, Run, State, StepRef};

pub use explore::{
    Choice, ChoiceKind, EXPLORE_MAX_STATES, ExploreProgress, ExploreRequest, Explored,
    ModeProgress, ModeResult, ModeSearch, Stage, mode_name,
};
pub use files::{Picker, Prompt};
pub use real::{RealKind, RealNote, RealRequest};
pub use timeline::{Cell, Look, Note, NoteKind, Row, RowKind, Timeline};

use super::keys::{self, Context};
use super::theme::Theme;

/// Undo keeps at most this many edits; older ones are forgotten.
const HISTORY_LIMIT: usize = 500;

/// Everything the TUI shows, and the history of the edits.
#[derive(Debug, Clone)]
pub struct App {
    /// The schedule as loaded or last saved (its `order` is the saved one).
    schedule: Schedule,
    /// Where the schedule came from; `None` for the built-in one.
    file: Option<PathBuf>,
    /// The schedule, resolved for the simulator.
    model: Model,
    /// Whether the patched handler is in use.
    patch: PatchMode,
    /// The order being edited.
    order: Vec<StepRef>,
    /// The run of `order`, ready to draw.
    timeline: Timeline,
    /// How many events have happened: 0 is the start.
    position: usize,
    /// The selected row of the schedule table.
    selected: usize,
    /// Earlier and undone edits.
    history: History,
    /// The popup on top of the screen, if any.
    popup: Option<Popup>,
    /// The message of the last action, if it had one.
    status: Option<Status>,
    /// Colours, or none.
    theme: Theme,
    /// Set when the user has asked to quit.
    quit: Quit,
    /// The replay of the run on real threads.
    real: real::RealReplay,
    /// The exploration of every execution.
    exploration: explore::Exploration,
}

/// An input to [`update`]: what the user (or a test, or the recorder) does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run the next event.
    StepForward,
    /// Undo the last event (the run is replayed up to the one before).
    StepBack,
    /// Go back to the start, before the first event.
    JumpStart,
    /// Go to the end of the run.
    JumpEnd,
    /// Go to just after the selected row's event.
    GoToSelected,
    /// Select the row above (or the previous item of a popup list).
    SelectPrevious,
    /// Select the row below (or the next item of a popup list).
    SelectNext,
    /// Select a row of the schedule table.
    Select {
        /// The row, from 0.
        row: usize,
    },
    /// Swap the selected row with the one above, if that is another thread's.
    MoveEarlier,
    /// Swap the selected row with the one below, if that is another thread's.
    MoveLater,
    /// At the current position, run `thread` next; the order after it is
    /// dropped and the rest runs by the default policy.
    RunNext {
        /// The thread, in declaration order from 0.
        thread: usize,
    },
    /// Turn the patch on or off and run the same order again.
    TogglePatch,
    /// Replay the current order on real threads, in the background.
    ReplayReal,
    /// A replay on real threads has ended (sent by the background).
    RealReplayEnded {
        /// The ticket of the replay's request.
        ticket: u64,
        /// The real run, or why there is none.
        result: Result<RealRun, String>,
    },
    /// Explore every execution of the schedule, unpatched and patched, in
    /// the background (or show the last exploration again).
    Explore,
    /// One search of an exploration has ended (sent by the background).
    ExplorationEnded {
        /// The ticket of the exploration's request.
        ticket: u64,
        /// The patch mode searched.
        patch: PatchMode,
        /// What it found, or why it stopped early (boxed: a summary is
        /// large, and actions are passed around by value).
        result: Box<Result<Summary, ExploreError>>,
    },
    /// An exploration could not run at all (sent by the background).
    ExplorationFailed {
        /// The ticket of the exploration's request.
        ticket: u64,
        /// Why.
        reason: String,
    },
    /// Undo the last edit.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Save the order to the schedule's file (or ask where, if it has none).
    Save,
    /// Ask for a path and save the order there.
    SaveAs,
    /// Write the screen as an SVG picture and the run as a Markdown report
    /// next to the schedule file.
    Export,
    /// Open the list of schedules to pick one from.
    OpenPicker,
    /// Load the schedule at `path`, replacing the current one.
    Open {
        /// The file.
        path: PathBuf,
    },
    /// Replace the order with `order` (an edit: it can be undone).
    LoadOrder {
        /// The new order.
        order: Vec<StepRef>,
    },
    /// Show the keys and what the table's marks mean.
    Help,
    /// Accept the popup (open the file, save to the path, close).
    Confirm,
    /// Close the popup.
    Cancel,
    /// Type a character into the prompt.
    Type {
        /// The character.
        ch: char,
    },
    /// Erase the last character of the prompt.
    Erase,
    /// Quit; with unsaved edits, the first press only warns.
    Quit,
    /// Quit at once (Ctrl-C).
    QuitNow,
}

/// A window on top of the panels; it takes the keys while it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    /// The keys and the legend.
    Help,
    /// The schedules to open.
    Picker(Picker),
    /// The path to save to.
    SaveAs(Prompt),
    /// An exploration runs: its progress, and Esc to cancel it.
    Exploring,
    /// The result of an exploration: the counts, and orders to load.
    Explored(Explored),
    /// A message that needs reading: a file that failed to load or save.
    Message {
        /// What failed.
        title: String,
        /// The details (a diagnostic with its caret).
        text: String,
    },
}

/// The message of the last action, shown above the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// What happened, in a sentence.
    pub text: String,
    /// How it went.
    pub tone: Tone,
}

/// How an action went, for the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Done.
    Done,
    /// Not done, and why.
    Refused,
}

/// Whether the user asked to quit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quit {
    /// Keep running.
    No,
    /// One `Quit` was pressed with unsaved edits: the next one quits.
    Asked,
    /// Stop.
    Yes,
}

/// What undo and redo restore.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    order: Vec<StepRef>,
    patch: PatchMode,
    position: usize,
    selected: usize,
}

/// The edits that undo and redo walk through, newest last.
#[derive(Debug, Clone, Default)]
struct History {
    undo: VecDeque<Snapshot>,
    redo: Vec<Snapshot>,
}

impl App {
    /// The TUI on `schedule`, before the first event, with the patch off and
    /// the schedule's own order. `file` is where it was loaded from (`None`
    /// for the built-in schedule): save writes there and the picker lists
    /// its folder.
    ///
    /// If the order breaks a rule only a run can check (a gap after a drop
    /// that did not happen), it is cut before that entry and the status
    /// line says so.
    ///
    /// # Panics
    ///
    /// If `schedule` has not been validated: [`crate::schedule::load`] and
    /// [`crate::schedule::parse`] validate what they return.
    #[must_use]
    pub fn new(schedule: Schedule, file: Option<PathBuf>) -> Self {
        let model = Model::new(&schedule);
        let order = crate::sim::resolve_order(&schedule, &schedule.order).unwrap_or_default();
        let (order, timeline, status) = edit::runnable(&schedule, &model, PatchMode::Off, order);
        Self {
            schedule,
            file,
            model,
            patch: PatchMode::Off,
            order,
            timeline,
            position: 0,
            selected: 0,
            history: History::default(),
            popup: None,
            status,
            theme: Theme::from_env(),
            quit: Quit::No,
            real: real::RealReplay::default(),
            exploration: explore::Exploration::default(),
        }
    }

    /// How many events have happened: 0 before the first one, up to
    /// [`App::event_count`] at the end.
    #[must_use]
    pub fn position(&self) -> usize {
        self.position
    }

    /// The number of events of the run.
    #[must_use]
    pub fn event_count(&self) -> usize {
        self.timeline.event_count()
    }

    /// The schedule; its `order` is the one last loaded or saved.
    #[must_use]
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The file the schedule came from or was last saved to.
    #[must_use]
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The order being edited.
    #[must_use]
    pub fn order(&self) -> &[StepRef] {
        &self.order
    }

    /// The order being edited, as step ids (what save writes).
    #[must_use]
    pub fn order_ids(&self) -> Vec<String> {
        self.order
            .iter()
            .map(|s| self.schedule.threads[s.thread].steps[s.step].id.clone())
            .collect()
    }

    /// Whether the patch is on.
    #[must_use]
    pub fn patch(&self) -> PatchMode {
        self.patch
    }

    /// The run of the order.
    #[must_use]
    pub fn run(&self) -> &Run {
        &self.timeline.run
    }

    /// The run, with its rows, states and log.
    #[must_use]
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The state at the current position.
    #[must_use]
    pub fn state(&self) -> &State {
        let last = self.timeline.states.len().saturating_sub(1);
        &self.timeline.states[self.position.min(last)]
    }

    /// The selected row of the schedule table.
    #[must_use]
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The popup on top, if one is open.
    #[must_use]
    pub fn popup(&self) -> Option<&Popup> {
        self.popup.as_ref()
    }

    /// The message of the last action.
    #[must_use]
    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    /// The colours in use.
    #[must_use]
    pub fn theme(&self) -> Theme {
        self.theme
    }

    /// Uses `theme` from now on (the recorder picks its own).
    pub fn set_theme(&mut self, theme: Theme) {
        self.theme = theme;
    }

    /// True when the order differs from the one in the file.
    #[must_use]
    pub fn is_modified(&self) -> bool {
        let saved = &self.schedule.order;
        saved.len() != self.order.len()
            || self
                .order
                .iter()
                .zip(saved)
                .any(|(&step, id)| self.step_id(step) != id)
    }

    /// True once the user has quit.
    #[must_use]
    pub fn should_quit(&self) -> bool {
        self.quit == Quit::Yes
    }

    /// Which keys apply now: those of the open popup, or the main ones.
    #[must_use]
    pub fn context(&self) -> Context {
        match &self.popup {
            None => Context::Main,
            Some(Popup::Help) => Context::Help,
            Some(Popup::Picker(_)) => Context::Picker,
            Some(Popup::SaveAs(_)) => Context::Prompt,
            Some(Popup::Message { .. }) => Context::Message,
            Some(Popup::Exploring) => Context::Exploring,
            Some(Popup::Explored(_)) => Context::Explored,
        }
    }

    /// Replaces the order (an example from exploration, say) and goes back
    /// to the start. It is an edit: undo brings the old order back.
    ///
    /// # Errors
    ///
    /// The order breaks a rule of the schedule; nothing changes then.
    pub fn load_order(&mut self, order: Vec<StepRef>) -> Result<(), String> {
        self.load(order, self.patch)
    }

    /// Replaces the order and the patch mode in one edit, and goes back
    /// to the start.
    fn load(&mut self, order: Vec<StepRef>, patch: PatchMode) -> Result<(), String> {
        self.edit(order, patch)?;
        self.position = 0;
        self.selected = 0;
        Ok(())
    }

    /// The row of the event that ran last, if any has.
    #[must_use]
    pub fn current_row(&self) -> Option<usize> {
        self.position.checked_sub(1)
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            order: self.order.clone(),
            patch: self.patch,
            position: self.position,
            selected: self.selected,
        }
    }

    /// Runs `order` with `patch`; on success it becomes the order, and the
    /// old one goes on the undo stack.
    fn edit(&mut self, order: Vec<StepRef>, patch: PatchMode) -> Result<(), String> {
        let timeline = Timeline::build(&self.schedule, &self.model, patch, &order)
            .map_err(|invalid| format!("{}; {}", invalid.message, invalid.help))?;
        self.commit(order, patch, timeline);
        Ok(())
    }

    /// Makes `order` (already run as `timeline`) the order; the old one
    /// goes on the undo stack and the redo stack is cleared.
    fn commit(&mut self, order: Vec<StepRef>, patch: PatchMode, timeline: Timeline) {
        let before = self.snapshot();
        self.history.undo.push_back(before);
        if self.history.undo.len() > HISTORY_LIMIT {
            self.history.undo.pop_front();
        }
        self.history.redo.clear();

        self.order = order;
        self.patch = patch;
        self.timeline = timeline;
        self.clamp();
    }

    /// Keeps the position and the selection inside the run.
    fn clamp(&mut self) {
        self.position = self.position.min(self.event_count());
        self.selected = self
            .selected
            .min(self.timeline.rows.len().saturating_sub(1));
    }

    fn say(&mut self, tone: Tone, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            tone,
        });
    }

    /// The id of a step.
    fn step_id(&self, step: StepRef) -> &str {
        &self.schedule.threads[step.thread].steps[step.step].id
    }
}

/// Applies `action` to `app`. Never fails: a refused action says why in
/// the status line, a failed load or save in a popup.
pub fn update(app: &mut App, action: Action) {
    // A result from the background is no key press: it leaves the status
    // line and a quit being confirmed as they are, unless it has news.
    match action {
        Action::RealReplayEnded { ticket, result } => real::ended(app, ticket, &result),
        Action::ExplorationEnded {
            ticket,
            patch,
            result,
        } => explore::ended(app, ticket, patch, *result),
        Action::ExplorationFailed { ticket, reason } => explore::failed(app, ticket, &reason),
        key => press(app, key),
    }
}

/// Applies an action of the user.
fn press(app: &mut App, action: Action) {
    app.status = None;
    if app.quit == Quit::Asked && action != Action::Quit {
        app.quit = Quit::No;
    }
    let explore_popup = matches!(app.context(), Context::Exploring | Context::Explored);
    let popup_key = matches!(
        action,
        Action::Cancel | Action::Confirm | Action::SelectPrevious | Action::SelectNext
    );
    if explore_popup && popup_key {
        explore::popup_key(app, action);
        return;
    }
    match action {
        Action::StepForward => step_forward(app),
        Action::StepBack => step_back(app),
        Action::JumpStart => go_to(app, 0),
        Action::JumpEnd => jump_end(app),
        Action::GoToSelected => go_to_selected(app),
        Action::SelectPrevious => select_by(app, Direction::Up),
        Action::SelectNext => select_by(app, Direction::Down),
        Action::Select { row } => select(app, row),
        Action::MoveEarlier => edit::move_selected(app, Direction::Up),
        Action::MoveLater => edit::move_selected(app, Direction::Down),
        Action::RunNext { thread } => edit::run_next(app, thread),
        Action::TogglePatch => edit::toggle_patch(app),
        Action::ReplayReal => real::start(app),
        Action::Explore => explore::start(app),
        Action::Undo => edit::undo(app),
        Action::Redo => edit::redo(app),
        Action::LoadOrder { order } => load_order(app, order),
        Action::Export => export::export(app),
        Action::Help => app.popup = Some(Popup::Help),
        Action::Quit => quit(app),
        Action::QuitNow => app.quit = Quit::Yes,
        file_action => files::update(app, file_action),
    }
}

/// Up or down the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

fn step_forward(app: &mut App) {
    if app.position >= app.event_count() {
        let start = keys::label_for(Context::Main, &Action::JumpStart);
        app.say(
            Tone::Refused,
            format!("the run has ended: press {start} to go back to the start"),
        );
        return;
    }
    go_to(app, app.position + 1);
}

fn step_back(app: &mut App) {
    if app.position == 0 {
        app.say(Tone::Refused, "this is the start: nothing has run yet");
        return;
    }
    go_to(app, app.position - 1);
}

/// Moves to `position` and selects the row that ran last.
fn go_to(app: &mut App, position: usize) {
    app.position = position.min(app.event_count());
    app.selected = app.current_row().unwrap_or(0);
    app.clamp();
}

/// Goes to the end and selects the last row that ran, or the entry that
/// could not run, so its reason shows.
fn jump_end(app: &mut App) {
    go_to(app, app.event_count());
    let stuck = app
        .timeline
        .rows
        .iter()
        .position(|row| matches!(row.kind, RowKind::Stuck(_)));
    if let Some(row) = stuck {
        app.selected = row;
    }
}

fn go_to_selected(app: &mut App) {
    let Some(row) = app.timeline.rows.get(app.selected) else {
        return;
    };
    let position = match row.kind {
        RowKind::Event(i) => i + 1,
        RowKind::Stuck(_) | RowKind::Unreached(_) => app.event_count(),
    };
    let selected = app.selected;
    go_to(app, position);
    app.selected = selected;
}

fn select_by(app: &mut App, direction: Direction) {
    if let Some(Popup::Picker(picker)) = &mut app.popup {
        picker.select_by(direction);
        return;
    }
    let row = match direction {
        Direction::Up => app.selected.saturating_sub(1),
        Direction::Down => app.selected + 1,
    };
    select(app, row);
}

fn select(app: &mut App, row: usize) {
    app.selected = row;
    app.clamp();
}

fn load_order(app: &mut App, order: Vec<StepRef>) {
    match app.load_order(order) {
        Ok(()) => {
            let step = keys::label_for(Context::Main, &Action::StepForward);
            app.say(
                Tone::Done,
                format!("loaded the order: press {step} to step through it"),
            );
        }
        Err(why) => app.say(Tone::Refused, format!("cannot load that order: {why}")),
    }
}

fn quit(app: &mut App) {
    if app.is_modified() && app.quit == Quit::No {
        app.quit = Quit::Asked;
        let quit = keys::label_for(Context::Main, &Action::Quit);
        let save = keys::label_for(Context::Main, &Action::Save);
        app.say(
            Tone::Refused,
            format!("the order has unsaved edits: press {quit} again to quit, or {save} to save"),
        );
        return;
    }
    app.quit = Quit::Yes;
}
