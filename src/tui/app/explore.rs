//! Every execution of the open schedule, explored from the TUI: the key
//! asks for it, the background runs it, the popup shows the counts of
//! each patch mode, and the order chosen there is loaded.
//!
//! As with the real replay, the app starts no thread: [`Explore`] leaves
//! an [`ExploreRequest`] that the event loop takes
//! ([`App::take_explore_request`]) and runs in the background, one patch
//! mode after the other; each result comes back as
//! [`ExplorationEnded`]. So tests drive all of it without a terminal.
//!
//! An exploration depends only on the schedule's programs (its locks,
//! threads and patch), never on the order being edited or on the patch
//! switch, and the programs do not change while a schedule is open. So
//! edits keep a result valid, and `e` shows the last one again at once.
//! Opening another schedule forgets it, and a result for the old schedule
//! is dropped: it comes back with a ticket the new app never issued.
//!
//! [`Explore`]: super::Action::Explore
//! [`ExplorationEnded`]: super::Action::ExplorationEnded

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Action, App, Direction, Popup, Tone};
use crate::explore::{Count, Ending, ExploreError, Limits, Progress, Summary, grouped};
use crate::schedule::Schedule;
use crate::sim::report::step_id;
use crate::sim::{PatchMode, StepRef};
use crate::tui::keys::{self, Context};

/// The state limit of each search the TUI runs: about a hundred megabytes
/// and a few seconds at most, a tenth of the command line's default, so
/// the screen never waits long for an answer.
pub const EXPLORE_MAX_STATES: u64 = 5_000_000;

/// Ticket numbers, unique in the process, so a result that comes back
/// after another schedule was opened is never taken for the new one's.
static NEXT_TICKET: AtomicU64 = AtomicU64::new(1);

/// An exploration for the background to run: the schedule as it was when
/// the key was pressed, and one search per patch mode, in order.
#[derive(Debug, Clone)]
pub struct ExploreRequest {
    /// Names the exploration; its results come back with it.
    pub ticket: u64,
    /// The schedule whose programs are explored.
    pub schedule: Schedule,
    /// The searches, unpatched first.
    pub searches: Vec<ModeSearch>,
}

/// One search of an exploration: a patch mode and its limits. The app
/// keeps the same [`Progress`] to show it and to cancel it.
#[derive(Debug, Clone)]
pub struct ModeSearch {
    /// The patch mode explored.
    pub patch: PatchMode,
    /// The state limit and the shared progress.
    pub limits: Limits,
}

/// What the popup shows while an exploration runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExploreProgress {
    /// Esc was pressed: the searches are stopping.
    pub cancelled: bool,
    /// The state limit of each search.
    pub max_states: u64,
    /// Each search, unpatched first.
    pub modes: Vec<ModeProgress>,
}

/// Where one search of a running exploration stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeProgress {
    /// The patch mode searched.
    pub patch: PatchMode,
    /// How far it got.
    pub stage: Stage,
}

/// How far one search got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// It waits for the searches before it.
    Waiting,
    /// It runs.
    Searching {
        /// Distinct states so far.
        states: u64,
        /// The level of the progress measure being expanded.
        level: u64,
        /// The highest level there can be; 0 until the search has begun.
        levels: u64,
    },
    /// It has ended; the words say how.
    Ended {
        /// `done: 62 executions, 51 states`, or why it stopped.
        text: String,
    },
}

/// The results popup: the outcome counts of each mode and the orders to
/// load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explored {
    /// Each patch mode explored, unpatched first.
    pub modes: Vec<ModeResult>,
    /// The orders to choose from.
    pub choices: Vec<Choice>,
    /// The highlighted choice.
    pub selected: usize,
    /// The state limit each search ran with.
    pub max_states: u64,
}

/// The result of the search of one patch mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeResult {
    /// The patch mode searched.
    pub patch: PatchMode,
    /// Its summary, or why it stopped early.
    pub result: Result<Summary, ExploreError>,
}

/// An order the popup offers to load, with the patch mode it runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The patch mode the order was found in; loading it switches to it.
    pub patch: PatchMode,
    /// What the order shows.
    pub kind: ChoiceKind,
    /// The order.
    pub order: Vec<StepRef>,
}

/// What an order of the popup shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceKind {
    /// A shortest order that deadlocks.
    ShortestDeadlock,
    /// A shortest execution with this ending (not a deadlock: that is the
    /// shortest deadlock).
    Example {
        /// How it ends.
        ending: Ending,
    },
    /// A shortest order that ends with a drop at this patched acquire.
    Drop {
        /// The thread that drops.
        thread: usize,
        /// Its patched acquire.
        step: usize,
        /// Without the patch, a deadlock was reachable from there.
        needed: bool,
    },
    /// An order that deadlocks, found before the search stopped early (not
    /// necessarily the shortest).
    FoundDeadlock,
}

/// The exploration's part of the app.
#[derive(Debug, Clone, Default)]
pub(super) struct Exploration {
    /// Asked for, not yet taken by the event loop.
    requested: Option<ExploreRequest>,
    /// Asked for or running, with the results that have come back.
    running: Option<Running>,
    /// The last exploration that was not cancelled, shown again by `e`.
    last: Option<Explored>,
}

/// An exploration on its way.
#[derive(Debug, Clone)]
struct Running {
    ticket: u64,
    modes: Vec<ModeRun>,
    max_states: u64,
    /// Esc was pressed once.
    cancelled: bool,
}

/// One search of a running exploration.
#[derive(Debug, Clone)]
struct ModeRun {
    patch: PatchMode,
    progress: Arc<Progress>,
    result: Option<Result<Summary, ExploreError>>,
}

impl App {
    /// The exploration that [`Explore`] asked for, if the event loop has
    /// not taken it yet. Taking it is the start: its results are expected
    /// from then on.
    ///
    /// [`Explore`]: super::Action::Explore
    pub fn take_explore_request(&mut self) -> Option<ExploreRequest> {
        self.exploration.requested.take()
    }

    /// The ticket of the exploration the app waits for, if any: the
    /// background cancels any other it still runs.
    #[must_use]
    pub fn exploring_ticket(&self) -> Option<u64> {
        self.exploration.running.as_ref().map(|r| r.ticket)
    }

    /// Where the running exploration stands, if one runs.
    #[must_use]
    pub fn explore_progress(&self) -> Option<ExploreProgress> {
        let running = self.exploration.running.as_ref()?;
        let mut earlier_ended = true;
        let modes = running
            .modes
            .iter()
            .map(|mode| {
                let stage = stage(mode, earlier_ended);
                earlier_ended = mode.result.is_some();
                ModeProgress {
                    patch: mode.patch,
                    stage,
                }
            })
            .collect();
        Some(ExploreProgress {
            cancelled: running.cancelled,
            max_states: running.max_states,
            modes,
        })
    }
}

/// How far `mode` got; it runs once the search before it has ended.
fn stage(mode: &ModeRun, earlier_ended: bool) -> Stage {
    match &mode.result {
        Some(Ok(summary)) => Stage::Ended {
            text: format!(
                "done: {} executions, {} states",
                count_words(summary.executions),
                grouped(u128::from(summary.states))
            ),
        },
        Some(Err(error)) => Stage::Ended {
            text: error.to_string(),
        },
        None if earlier_ended => Stage::Searching {
            states: mode.progress.states(),
            level: mode.progress.level(),
            levels: mode.progress.levels(),
        },
        None => Stage::Waiting,
    }
}

/// A count in words: grouped digits, or that it is too many.
fn count_words(count: Count) -> String {
    match count.exact() {
        Some(n) => grouped(n),
        None => "too many to count".to_owned(),
    }
}

/// `unpatched` or `patched`.
#[must_use]
pub fn mode_name(patch: PatchMode) -> &'static str {
    if patch.is_on() {
        "patched"
    } else {
        "unpatched"
    }
}

impl Choice {
    /// What the order shows, as the popup lists it and the status line
    /// says it: `the shortest deadlock`, `a drop at B3, needed`.
    #[must_use]
    pub fn describe(&self, schedule: &Schedule) -> String {
        match self.kind {
            ChoiceKind::ShortestDeadlock => "the shortest deadlock".to_owned(),
            ChoiceKind::Example { ending } => match ending {
                Ending::Finished => "a shortest execution that finishes".to_owned(),
                Ending::Deadlock => "a shortest execution that deadlocks".to_owned(),
                Ending::Stuck => "a shortest execution that gets stuck".to_owned(),
            },
            ChoiceKind::Drop {
                thread,
                step,
                needed,
            } => {
                let verdict = if needed { "needed" } else { "needless" };
                format!("a drop at {}, {verdict}", step_id(schedule, thread, step))
            }
            ChoiceKind::FoundDeadlock => "a deadlock found before the search stopped".to_owned(),
        }
    }
}

/// Shows the last exploration again, or asks for a new one: unpatched,
/// then patched if the schedule has a patch.
pub(super) fn start(app: &mut App) {
    if app.exploration.running.is_some() {
        app.popup = Some(Popup::Exploring);
        return;
    }
    if let Some(last) = &app.exploration.last {
        app.popup = Some(Popup::Explored(Explored {
            selected: 0,
            ..last.clone()
        }));
        app.say(
            Tone::Done,
            "the last exploration: it depends only on the programs, which have not changed",
        );
        return;
    }
    let mut modes = vec![PatchMode::Off];
    if app.schedule.patch.is_some() {
        modes.push(PatchMode::On);
    }
    request(app, &modes);
    app.popup = Some(Popup::Exploring);
    let cancel = keys::label_for(Context::Exploring, &Action::Cancel);
    app.say(
        Tone::Done,
        format!("exploring every execution… {cancel} cancels"),
    );
}

/// Leaves a request to explore `modes`, and waits for it.
fn request(app: &mut App, modes: &[PatchMode]) {
    let ticket = NEXT_TICKET.fetch_add(1, Ordering::Relaxed);
    let runs: Vec<ModeRun> = modes
        .iter()
        .map(|&patch| ModeRun {
            patch,
            progress: Arc::default(),
            result: None,
        })
        .collect();
    let searches = runs
        .iter()
        .map(|run| ModeSearch {
            patch: run.patch,
            limits: Limits {
                max_states: EXPLORE_MAX_STATES,
                progress: Some(Arc::clone(&run.progress)),
            },
        })
        .collect();
    app.exploration.requested = Some(ExploreRequest {
        ticket,
        schedule: app.schedule.clone(),
        searches,
    });
    app.exploration.running = Some(Running {
        ticket,
        modes: runs,
        max_states: EXPLORE_MAX_STATES,
        cancelled: false,
    });
}

/// Takes in the result of one search of exploration `ticket`; once every
/// mode has one, the popup shows them. A result of an exploration the app
/// no longer waits for is dropped.
pub(super) fn ended(
    app: &mut App,
    ticket: u64,
    patch: PatchMode,
    result: Result<Summary, ExploreError>,
) {
    let Some(running) = app.exploration.running.as_mut() else {
        return;
    };
    if running.ticket != ticket {
        return;
    }
    let Some(mode) = running.modes.iter_mut().find(|m| m.patch == patch) else {
        return;
    };
    mode.result = Some(result);
    if running.modes.iter().all(|m| m.result.is_some()) {
        finish(app);
    }
}

/// The exploration `ticket` could not run at all: says why.
pub(super) fn failed(app: &mut App, ticket: u64, reason: &str) {
    if app.exploring_ticket() != Some(ticket) {
        return;
    }
    app.exploration.running = None;
    app.popup = Some(Popup::Message {
        title: "cannot explore".to_owned(),
        text: format!(
            "{reason}\n\nNothing was explored; press {} to try again.",
            keys::label_for(Context::Main, &Action::Explore)
        ),
    });
}

/// Turns the finished searches into the results popup.
fn finish(app: &mut App) {
    let Some(running) = app.exploration.running.take() else {
        return;
    };
    let modes: Vec<ModeResult> = running
        .modes
        .into_iter()
        .filter_map(|m| {
            let result = m.result?;
            Some(ModeResult {
                patch: m.patch,
                result,
            })
        })
        .collect();
    let cancelled = modes
        .iter()
        .any(|m| matches!(m.result, Err(ExploreError::Cancelled { .. })));
    let explored = Explored {
        choices: choices(&modes),
        modes,
        selected: 0,
        max_states: running.max_states,
    };
    if !cancelled {
        app.exploration.last = Some(explored.clone());
    }
    let (tone, text) = verdict(&explored);
    // Another popup took the place of the progress: leave it, and say
    // where the results are.
    if matches!(app.popup, None | Some(Popup::Exploring)) {
        app.popup = Some(Popup::Explored(explored));
        app.say(tone, text);
    } else if !cancelled {
        let explore = keys::label_for(Context::Main, &Action::Explore);
        app.say(tone, format!("{text}; press {explore} to see it"));
    }
}

/// The status line once an exploration has ended: whether a deadlock is
/// reachable in each mode.
fn verdict(explored: &Explored) -> (Tone, String) {
    let parts: Vec<String> = explored
        .modes
        .iter()
        .map(|mode| {
            let name = mode_name(mode.patch);
            match &mode.result {
                Ok(summary) if summary.deadlock_reachable() => format!(
                    "{name}, {} of {} executions deadlock",
                    count_words(summary.deadlocked),
                    count_words(summary.executions)
                ),
                Ok(summary) => format!(
                    "{name}, none of {} executions deadlocks",
                    count_words(summary.executions)
                ),
                Err(ExploreError::TooLarge { .. }) => format!("{name}, too large"),
                Err(_) => format!("{name}, stopped early"),
            }
        })
        .collect();
    let complete = explored.modes.iter().all(|m| m.result.is_ok());
    let tone = if complete { Tone::Done } else { Tone::Refused };
    (tone, format!("explored: {}", parts.join("; ")))
}

/// The orders to offer: per mode, the shortest deadlock (or one found
/// before the search stopped), an example of each other ending, and an
/// order to each drop site.
fn choices(modes: &[ModeResult]) -> Vec<Choice> {
    let mut choices = Vec::new();
    for mode in modes {
        let patch = mode.patch;
        let mut offer = |kind, order: &[StepRef]| {
            choices.push(Choice {
                patch,
                kind,
                order: order.to_vec(),
            });
        };
        match &mode.result {
            Ok(summary) => {
                if let Some(order) = &summary.shortest_deadlock {
                    offer(ChoiceKind::ShortestDeadlock, order);
                }
                for example in &summary.examples {
                    if example.ending != Ending::Deadlock {
                        let kind = ChoiceKind::Example {
                            ending: example.ending,
                        };
                        offer(kind, &example.order);
                    }
                }
                for site in &summary.drops {
                    let kind = ChoiceKind::Drop {
                        thread: site.thread,
                        step: site.step,
                        needed: site.needed,
                    };
                    offer(kind, &site.example);
                }
            }
            Err(ExploreError::Limit { partial, .. } | ExploreError::Cancelled { partial }) => {
                if let Some(order) = &partial.deadlock {
                    offer(ChoiceKind::FoundDeadlock, order);
                }
            }
            Err(ExploreError::TooLarge { .. }) => {}
        }
    }
    choices
}

/// A key of the explore popups: Esc cancels a running exploration or
/// closes the results; in the results, the arrows move the highlight and
/// Enter loads.
pub(super) fn popup_key(app: &mut App, action: Action) {
    match (&mut app.popup, action) {
        (Some(Popup::Exploring), Action::Cancel) => cancel(app),
        (Some(Popup::Explored(explored)), Action::SelectPrevious) => {
            select_by(explored, Direction::Up);
        }
        (Some(Popup::Explored(explored)), Action::SelectNext) => {
            select_by(explored, Direction::Down);
        }
        (Some(Popup::Explored(_)), Action::Confirm) => load_selected(app),
        (Some(Popup::Explored(_)), Action::Cancel) => app.popup = None,
        _ => {}
    }
}

/// Esc while the exploration runs: the first press cancels the searches
/// and waits for what they found; a second one stops waiting.
fn cancel(app: &mut App) {
    let Some(running) = app.exploration.running.as_mut() else {
        app.popup = None;
        return;
    };
    if running.cancelled {
        app.exploration.requested = None;
        app.exploration.running = None;
        app.popup = None;
        app.say(Tone::Done, "exploration cancelled");
        return;
    }
    for mode in &running.modes {
        mode.progress.cancel();
    }
    running.cancelled = true;
    app.say(Tone::Done, "cancelling the exploration…");
}

/// Moves the highlight of the results popup.
fn select_by(explored: &mut Explored, direction: Direction) {
    let last = explored.choices.len().saturating_sub(1);
    explored.selected = match direction {
        Direction::Up => explored.selected.saturating_sub(1),
        Direction::Down => (explored.selected + 1).min(last),
    };
}

/// Loads the highlighted order with its patch mode (one edit, undone as
/// one), closes the popup, and says what was loaded.
fn load_selected(app: &mut App) {
    let Some(Popup::Explored(explored)) = &app.popup else {
        return;
    };
    let Some(choice) = explored.choices.get(explored.selected).cloned() else {
        app.say(Tone::Refused, "no order to load: no execution was found");
        return;
    };
    let what = choice.describe(&app.schedule);
    let steps = choice.order.len();
    match app.load(choice.order, choice.patch) {
        Ok(()) => {
            app.popup = None;
            let mode = mode_name(choice.patch);
            let step = keys::label_for(Context::Main, &Action::StepForward);
            app.say(
                Tone::Done,
                format!("loaded {what}, {mode}: {steps} steps; press {step} to step through it"),
            );
        }
        Err(why) => app.say(Tone::Refused, format!("cannot load {what}: {why}")),
    }
}
