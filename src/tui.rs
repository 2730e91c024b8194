//! The interactive TUI: step through a run, watch who holds which lock and
//! who waits for whom, reorder the steps, toggle the patch.
//!
//! The app is [`update`]`(&mut App, Action)` plus [`view`]`(&App, &mut
//! Frame)`; [`run`] only sets up the terminal and feeds key presses,
//! mouse clicks and resizes to them, so tests and the recorder drive the
//! same code without a terminal.
//!
//! # Editing the order
//!
//! - The order being edited is the run's event list made explicit: its
//!   rows are the order's entries, then the events the default policy
//!   added (`auto`). An edit at or past an `auto` row turns the `auto`
//!   rows up to it into order entries; the `auto` rows after it stay
//!   `auto` and are chosen afresh by the policy.
//! - Move earlier / later swaps the selected row with its neighbour, only
//!   when the neighbour is a step of another thread; otherwise the status
//!   line says why. The result may be a run that gets stuck: the entry that
//!   cannot run is shown with its reason, and undo brings the old order back.
//! - Run thread X next (the digits, threads in declaration order) keeps the
//!   order up to the current position, adds X's next step, and drops the
//!   rest: the default policy runs it. It is refused, with the reason, when
//!   X cannot run there. The position moves past the new step.
//! - Toggling the patch is an edit: the same order runs again. If the order
//!   lists steps that only ran because a drop did not skip them (or leaves
//!   out steps a drop no longer skips), it is cut at the first entry that no
//!   longer applies, and the status line says so; undo restores it.
//! - Undo and redo cover every edit: moves, run-next, the patch, loaded
//!   orders. Stepping and selecting are not edits.
//! - Save writes the schedule with the edited order to its file, atomically
//!   (comments are not kept); the built-in schedule, or `S`, asks for a
//!   path. A failed save keeps the edits and says why in a popup. The
//!   patch switch is not saved: it is a way of running, not part of the
//!   schedule.
//! - The picker lists the `.ron` files of the open file's folder and of
//!   `./schedules`. A file that fails to load shows its diagnostic and the
//!   open schedule stays.
//!
//! # Real threads
//!
//! - `r` replays the current order, with the current patch mode, on real
//!   threads (see [`crate::real`]): the schedule as it is in the app goes
//!   to the child as RON text, so unsaved edits are replayed too. The
//!   replay runs on a background thread ([`Background`]); the screen stays
//!   live, and the header and the log say `running…`. Its result comes
//!   back as [`Action::RealReplayEnded`] and is put beside the model's
//!   outcome: in the header (`real: agrees`), in the log (the real
//!   outcome, the verdict, where the runs part if they do) and in the
//!   status line.
//! - A second `r` while a replay runs is refused, with a message: one
//!   replay at a time, and each ends within the replay timeout at the
//!   latest.
//! - A result belongs to the order and patch mode that were replayed.
//!   When the order or the patch has changed since `r` was pressed, the
//!   result is kept but not shown as this run's: the header says
//!   `real: stale` and the log says to press `r` again; undo back to the
//!   replayed run and it shows again. Opening another schedule forgets
//!   it, and a result of a replay of the old schedule is dropped.
//! - Quitting does not wait for a replay: the replays still running are
//!   cancelled, and their children killed and reaped, within
//!   milliseconds.
//!
//! # Exploring every execution
//!
//! - `e` explores the open schedule (see [`crate::explore`]) on a
//!   background thread: unpatched, then patched if the schedule has a
//!   patch, each search with a limit of [`EXPLORE_MAX_STATES`] distinct
//!   states (5 million: a few seconds and about a hundred megabytes at
//!   most; the command line's default is ten times that). A popup shows
//!   each search's progress (states so far), redrawn at every tick of the
//!   loop.
//! - Esc cancels: the searches stop within a few thousand states, and
//!   the popup then shows what they found; a second Esc stops waiting.
//!   Quitting cancels them too, at once.
//! - The results popup draws the outcome counts of both modes side by
//!   side as bars (see the `popups::explore` view) and lists the orders
//!   to load: the shortest deadlock, a shortest example of each other
//!   ending, and a shortest order to each drop site, per mode. Enter
//!   loads the highlighted one with its patch mode, as one edit (undo
//!   brings back the order and the patch switch together).
//! - A search that stopped early (the state limit, Esc) or could not
//!   start (too large) says so in its column; a deadlock it found before
//!   stopping is offered too.
//! - An exploration depends only on the programs, which do not change
//!   while a schedule is open: edits of the order or the patch switch
//!   keep it valid, and `e` shows the last one again without searching.
//!   Opening another schedule forgets it; a result about the old schedule
//!   is dropped by its ticket, and its search is cancelled.
//!
//! # Adding to it
//!
//! A new window is a [`Popup`] variant with its own [`Context`] in the key
//! table; a result to show it an order can load is an
//! [`Action::LoadOrder`] (or [`App::load_order`]), which is an edit like
//! any other. The loop wakes every 200 ms even without input, so the
//! result of work done in the background can be turned into an action
//! there.

mod app;
mod background;
mod keys;
pub mod recording;
mod theme;
mod view;

use std::io::{self, IsTerminal as _, Stdout};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind, MouseButton, MouseEvent,
    MouseEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::layout::{Position, Rect};

pub use app::{
    Action, App, Cell, Choice, ChoiceKind, EXPLORE_MAX_STATES, ExploreProgress, ExploreRequest,
    Explored, Look, ModeProgress, ModeResult, ModeSearch, Note, NoteKind, Picker, Popup, Prompt,
    RealKind, RealNote, RealRequest, Row, RowKind, Stage, Status, Timeline, Tone, mode_name,
    update,
};
pub use background::Background;
pub use keys::{BINDINGS, Binding, Bound, Context, Key, Scope, action_for};
pub use theme::{Palette, Theme};
pub use view::{MIN_HEIGHT, MIN_WIDTH, render, row_at, view};

use crate::real;
use crate::schedule::Schedule;

/// How long to wait for input before looking for a signal again.
const TICK: Duration = Duration::from_millis(200);

/// Runs the TUI on `schedule` until the user quits.
///
/// The terminal is restored on quit, on error and on panic. On SIGTERM,
/// SIGINT or SIGHUP it is restored and the process then ends by that
/// signal, as it would have without the TUI.
///
/// # Errors
///
/// The output is not a terminal, or the terminal could not be set up, read
/// or drawn to.
pub fn run(schedule: Schedule, file: Option<PathBuf>) -> anyhow::Result<()> {
    if !io::stdout().is_terminal() {
        anyhow::bail!(
            "the TUI needs a terminal, and the output is not one \
             (for text, use `lockstep replay FILE`)"
        );
    }
    end_on_signals().context("cannot watch for signals")?;
    let mut app = App::new(schedule, file);
    let mut session = Session::start().context("cannot set up the terminal")?;
    let result = event_loop(&mut session.terminal, &mut app);
    drop(session);
    result
}

type Backend = CrosstermBackend<Stdout>;

fn event_loop(terminal: &mut Terminal<Backend>, app: &mut App) -> anyhow::Result<()> {
    let mut background = Background::new(real::Options::default());
    terminal.draw(|frame| view(app, frame))?;
    while !app.should_quit() {
        let mut changed = false;
        if event::poll(TICK)? {
            let input = event::read()?;
            let size = terminal.size()?;
            let area = Rect::new(0, 0, size.width, size.height);
            if let Some(action) = action_of(app, &input, area) {
                update(app, action);
            }
            changed = true;
        }
        changed |= background.serve(app);
        if changed {
            terminal.draw(|frame| view(app, frame))?;
        }
    }
    Ok(())
}

/// The action for one input event, if it means one. Resizes need none:
/// the next draw fits the new size.
fn action_of(app: &App, input: &Event, area: Rect) -> Option<Action> {
    match input {
        Event::Key(key) if key.kind == KeyEventKind::Press => action_for(app.context(), *key),
        Event::Mouse(mouse) => mouse_action(app, *mouse, area),
        _ => None,
    }
}

/// A click selects the row under it; the wheel moves the selection (or
/// the highlighted file of the picker).
fn mouse_action(app: &App, mouse: MouseEvent, area: Rect) -> Option<Action> {
    if !matches!(app.context(), Context::Main | Context::Picker) {
        return None;
    }
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            let at = Position::new(mouse.column, mouse.row);
            row_at(app, area, at).map(|row| Action::Select { row })
        }
        MouseEventKind::ScrollUp => Some(Action::SelectPrevious),
        MouseEventKind::ScrollDown => Some(Action::SelectNext),
        _ => None,
    }
}

/// Set while the terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// The terminal in TUI mode; dropping it restores the terminal.
struct Session {
    terminal: Terminal<Backend>,
}

impl Session {
    fn start() -> io::Result<Self> {
        restore_on_panic();
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let started = execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)
            .and_then(|()| Terminal::new(CrosstermBackend::new(io::stdout())));
        match started {
            Ok(terminal) => Ok(Self { terminal }),
            Err(error) => {
                restore();
                Err(error)
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.terminal.show_cursor();
        restore();
    }
}

/// Leaves the alternate screen and raw mode, once, whoever calls first.
fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(io::stdout(), DisableMouseCapture, LeaveAlternateScreen);
        let _ = disable_raw_mode();
        let _ = execute!(io::stdout(), ratatui::crossterm::cursor::Show);
    }
}

/// Restores the terminal before the panic message is printed, so the
/// message lands on the normal screen and the shell is usable.
fn restore_on_panic() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Ends the process on SIGTERM, SIGINT or SIGHUP as those signals would,
/// after restoring the terminal. A thread of its own waits for them: when
/// the terminal hangs up, reading input can keep the event loop from ever
/// coming round again, so a flag that the loop checks would not be seen
/// and the process would spin on a dead terminal.
#[cfg(unix)]
fn end_on_signals() -> io::Result<()> {
    use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                restore();
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        })
        .map(drop)
}

#[cfg(not(unix))]
fn end_on_signals() -> io::Result<()> {
    Ok(())
}
