//! The real-thread replay of the current run, as the app keeps it: the
//! replay asked for, the one running, and the last result, in words.
//!
//! The app never starts a thread or a process itself: [`ReplayReal`]
//! leaves a [`RealRequest`] that the event loop takes
//! ([`App::take_real_request`]) and runs in the background; the result
//! comes back as [`RealReplayEnded`]. So tests and the recorder drive all
//! of it without a terminal or a child process.
//!
//! [`ReplayReal`]: super::Action::ReplayReal
//! [`RealReplayEnded`]: super::Action::RealReplayEnded

use std::sync::atomic::{AtomicU64, Ordering};

use super::{Action, App, Quit, Tone};
use crate::real::{self, Agreement, RealOutcome, RealRun};
use crate::schedule::Schedule;
use crate::sim::report::{event_text, step_id};
use crate::sim::{Event, PatchMode, Run};
use crate::tui::keys::{self, Context};

/// Ticket numbers, unique in the process, so a result that comes back
/// after another schedule was opened is never taken for the new one's.
static NEXT_TICKET: AtomicU64 = AtomicU64::new(1);

/// A replay for the background to run: the schedule, the order as step
/// ids and the patch, as they were when the key was pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealRequest {
    /// Names the replay; its result comes back with it.
    pub ticket: u64,
    /// The schedule (sent to the child as RON text, so unsaved is fine).
    pub schedule: Schedule,
    /// Whether the patched handler is in use.
    pub patch: PatchMode,
    /// The order, as step ids.
    pub order: Vec<String>,
}

/// What the header and the log say about the real replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealNote {
    /// Where the replay stands.
    pub kind: RealKind,
    /// A word or two for the header.
    pub short: String,
    /// The sentences for the log.
    pub lines: Vec<String>,
}

/// Where the real replay of the current run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealKind {
    /// A replay runs in the background.
    Running,
    /// The real run agrees with the model, event by event and outcome.
    Agrees,
    /// The real run differs from the model.
    Differs,
    /// The replay gave no result.
    Failed,
    /// The last result is about another order or patch mode.
    Stale,
}

/// The real replay's part of the app.
#[derive(Debug, Clone, Default)]
pub(super) struct RealReplay {
    /// Asked for, not yet taken by the event loop.
    requested: Option<RealRequest>,
    /// Taken or asked for, and not yet ended.
    running: Option<Running>,
    /// The last result.
    last: Option<Ended>,
}

/// A replay on its way.
#[derive(Debug, Clone)]
struct Running {
    ticket: u64,
    of: Replayed,
    /// The model's run of the same order, to compare the result with.
    model: Run,
}

/// Which run a replay was of.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Replayed {
    order: Vec<String>,
    patch: PatchMode,
}

/// A replay that ended, in words.
#[derive(Debug, Clone)]
struct Ended {
    of: Replayed,
    note: RealNote,
}

impl App {
    /// The replay on real threads that [`ReplayReal`] asked for, if the
    /// event loop has not taken it yet. Taking it is the start: its
    /// result is expected from then on.
    ///
    /// [`ReplayReal`]: super::Action::ReplayReal
    pub fn take_real_request(&mut self) -> Option<RealRequest> {
        self.real.requested.take()
    }

    /// What to show about the real replay of the current run: running,
    /// its result, or that the last result is about another run. `None`
    /// before the first replay.
    #[must_use]
    pub fn real_note(&self) -> Option<RealNote> {
        if let Some(running) = &self.real.running {
            return Some(running_note(running.of == self.replayed()));
        }
        let last = self.real.last.as_ref()?;
        if last.of == self.replayed() {
            Some(last.note.clone())
        } else {
            Some(stale_note(&last.note))
        }
    }

    /// The current run, as a replay would name it.
    fn replayed(&self) -> Replayed {
        Replayed {
            order: self.order_ids(),
            patch: self.patch,
        }
    }
}

/// Asks for a replay of the current run, unless one is on its way.
pub(super) fn start(app: &mut App) {
    if app.real.running.is_some() {
        let replay = keys::label_for(Context::Main, &Action::ReplayReal);
        app.say(
            Tone::Refused,
            format!(
                "real threads: a replay is already running: wait for its result, \
                 then press {replay} again"
            ),
        );
        return;
    }
    let ticket = NEXT_TICKET.fetch_add(1, Ordering::Relaxed);
    let of = app.replayed();
    app.real.requested = Some(RealRequest {
        ticket,
        schedule: app.schedule.clone(),
        patch: of.patch,
        order: of.order.clone(),
    });
    app.real.running = Some(Running {
        ticket,
        of,
        model: app.run().clone(),
    });
    app.say(
        Tone::Done,
        "real threads: running… the same order on OS threads with parking_lot locks",
    );
}

/// Takes in the result of replay `ticket`. A result of a replay that is
/// not the one running (one of a schedule since closed) is dropped. The
/// status line tells the result, unless a quit waits to be confirmed.
pub(super) fn ended(app: &mut App, ticket: u64, result: &Result<RealRun, String>) {
    let Some(running) = app.real.running.take_if(|r| r.ticket == ticket) else {
        return;
    };
    let note = match result {
        Ok(real) => result_note(&app.schedule, real, &real::compare(&running.model, real)),
        Err(error) => failed_note(error),
    };
    let ended = Ended {
        of: running.of,
        note,
    };
    if app.quit != Quit::Asked {
        let current = ended.of == app.replayed();
        let (tone, text) = status_of(&ended.note, current);
        app.say(tone, text);
    }
    app.real.last = Some(ended);
}

/// The status line for a result that just arrived: its first sentence,
/// or, if the run has changed since the key was pressed, only that.
fn status_of(note: &RealNote, current: bool) -> (Tone, String) {
    if !current {
        let text = "real threads: the replay has ended, but the order or the patch \
                    changed since r was pressed: press r to replay this run";
        return (Tone::Refused, text.to_owned());
    }
    let tone = match note.kind {
        RealKind::Agrees => Tone::Done,
        _ => Tone::Refused,
    };
    let text = note.lines.first().map_or("", String::as_str);
    (tone, format!("real threads: {text}"))
}

/// A replay on its way; `current` if it is of the run on screen.
fn running_note(current: bool) -> RealNote {
    let line = if current {
        "running… this order on OS threads with parking_lot locks"
    } else {
        "running… the order as it was when r was pressed (it has changed since)"
    };
    RealNote {
        kind: RealKind::Running,
        short: "real: running…".to_owned(),
        lines: vec![line.to_owned()],
    }
}

fn stale_note(last: &RealNote) -> RealNote {
    let was = match last.kind {
        RealKind::Agrees => "it agreed with the model",
        RealKind::Differs => "it differed from the model",
        _ => "it gave no result",
    };
    RealNote {
        kind: RealKind::Stale,
        short: "real: stale".to_owned(),
        lines: vec![format!(
            "the last replay was of another order or patch ({was}): \
             press r to replay this one"
        )],
    }
}

fn failed_note(error: &str) -> RealNote {
    RealNote {
        kind: RealKind::Failed,
        short: "real: failed".to_owned(),
        lines: vec![format!("the replay gave no result: {error}")],
    }
}

/// The real outcome and the verdict, `deadlock, confirmed by parking_lot
/// (A, B) — agrees with the model`, then the details.
fn result_note(schedule: &Schedule, real: &RealRun, agreement: &Agreement) -> RealNote {
    let outcome = outcome_text(schedule, &real.outcome);
    let timing = format!(
        "{} ms in a child process, now reaped",
        real.elapsed.as_millis()
    );
    let (kind, short, verdict, detail) = if agreement.agrees() {
        let events = agreement.rows.len();
        let detail = format!("{events} events and the outcome alike; {timing}");
        let verdict = "agrees with the model".to_owned();
        (RealKind::Agrees, "real: agrees", verdict, detail)
    } else {
        let (verdict, detail) = difference_text(schedule, agreement);
        let detail = format!("{detail}; {timing}");
        (RealKind::Differs, "real: DIFFERS", verdict, detail)
    };
    RealNote {
        kind,
        short: short.to_owned(),
        lines: vec![format!("{outcome} — {verdict}"), detail],
    }
}

/// How the real run ended, in a phrase.
fn outcome_text(schedule: &Schedule, outcome: &RealOutcome) -> String {
    let names = |threads: &[usize]| real::report::thread_names(schedule, threads);
    match outcome {
        RealOutcome::Finished => "finished: every thread ended".to_owned(),
        RealOutcome::Deadlock {
            cycle, deadlocked, ..
        } => match (cycle.is_empty(), cycle == deadlocked) {
            (true, _) => "threads blocked, with no wait-for cycle".to_owned(),
            (false, true) => format!("deadlock, confirmed by parking_lot ({})", names(cycle)),
            (false, false) => format!(
                "deadlock of {} observed; parking_lot's check found {}",
                names(cycle),
                names(deadlocked)
            ),
        },
        RealOutcome::Stuck { reason, .. } => format!("stuck: {reason}"),
    }
}

/// Where the runs part, and how: the first event that differs, or the
/// outcome.
fn difference_text(schedule: &Schedule, agreement: &Agreement) -> (String, String) {
    let Some(at) = agreement.first_difference() else {
        let verdict = "DIFFERS from the model in how the run ends".to_owned();
        let detail = format!("every one of the {} events alike", agreement.rows.len());
        return (verdict, detail);
    };
    let row = &agreement.rows[at];
    let model = row.model.as_ref().map(|e| event_words(schedule, e));
    let real = row
        .real
        .as_ref()
        .map(|e| event_words(schedule, &e.as_event()));
    let verdict = format!("DIFFERS from the model at event {}", at + 1);
    let detail = format!(
        "the model: {}; real threads: {}",
        model.unwrap_or_else(|| "no event, the run has ended".to_owned()),
        real.unwrap_or_else(|| "no event, the run has stopped".to_owned()),
    );
    (verdict, detail)
}

/// `A4 acquire I: blocked`.
fn event_words(schedule: &Schedule, event: &Event) -> String {
    let id = step_id(schedule, event.thread, event.step);
    format!("{id} {}", event_text(schedule, event))
}
