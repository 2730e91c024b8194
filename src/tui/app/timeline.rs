//! The run of the order being edited, with everything the panels need at
//! every position, computed once per edit and never per frame.

use crate::schedule::{Invalid, Schedule};
use crate::sim::report::{self, event_text, link_text, step_id};
use crate::sim::{
    Event, EventKind, LockOrder, Model, OrderEdge, Outcome, PatchMode, Run, State, StepRef, Wait,
};

/// The run of one order, ready to draw.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// The run itself.
    pub run: Run,
    /// The state before each event, and at the end (`events.len() + 1`).
    pub states: Vec<State>,
    /// The rows of the schedule table, in order.
    pub rows: Vec<Row>,
    /// How many rows come from the order; the rows after them are `auto`.
    pub explicit: usize,
    /// The log: records, drops, inversions and the outcome, each with the
    /// position from which it is shown.
    pub notes: Vec<Note>,
}

/// One row of the schedule table: an order entry or an `auto` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The step the row runs.
    pub step: StepRef,
    /// What became of it.
    pub kind: RowKind,
    /// What happened, in full (`B3 try H: DROP, skips B4–B5`).
    pub detail: String,
    /// The cells to draw, one per thread column that has something to say.
    pub cells: Vec<Cell>,
}

/// What became of a row's step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// It ran as event `0`.
    Event(usize),
    /// Order entry `0` could not run: the run stopped there.
    Stuck(usize),
    /// Order entry `0` comes after the one that could not run.
    Unreached(usize),
}

/// The text of one thread's column in a row: short, with the word that
/// matters (`blocked`, `DROP`, `skipped`) early, so it survives a narrow
/// column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The thread column.
    pub thread: usize,
    /// What to write.
    pub text: String,
    /// How it looks.
    pub look: Look,
}

/// How a cell looks; each look also differs in its words or symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// The step ran and the thread moved on.
    Ran,
    /// The attempt blocked: the thread waits.
    Blocked,
    /// The patched acquire dropped the record.
    Drop,
    /// The order listed a step a drop had skipped.
    Skipped,
    /// A waiter's acquire or join completed in another thread's event.
    Completed,
    /// The entry cannot run.
    Stuck,
    /// The entry is never reached.
    Unreached,
}

/// One entry of the log panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The position from which the note is shown (the event number).
    pub at: usize,
    /// What kind of note it is.
    pub kind: NoteKind,
    /// The text, one string per line.
    pub lines: Vec<String>,
}

/// What a note reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// A record was written.
    Emitted,
    /// A record was dropped by the patch.
    Dropped,
    /// A lock-order inversion: a deadlock is possible.
    Inversion,
    /// The run finished.
    Finished,
    /// The run deadlocked.
    Deadlock,
    /// The run stopped early.
    Stuck,
}

impl NoteKind {
    /// The tag written before the note, so it reads without colour.
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            NoteKind::Emitted => "log",
            NoteKind::Dropped => "DROPPED",
            NoteKind::Inversion => "INVERSION",
            NoteKind::Finished => "finished",
            NoteKind::Deadlock => "DEADLOCK",
            NoteKind::Stuck => "STUCK",
        }
    }
}

impl Timeline {
    /// Runs `order` and prepares what the panels draw.
    ///
    /// # Errors
    ///
    /// The order breaks a rule the run checks (a gap at an entry).
    pub fn build(
        schedule: &Schedule,
        model: &Model,
        patch: PatchMode,
        order: &[StepRef],
    ) -> Result<Self, Invalid> {
        let run = crate::sim::run(schedule, model, patch, order)?;
        let states = run.states(model);
        let rows = rows(schedule, &run, order);
        let explicit = match run.outcome {
            Outcome::Stuck { entry: Some(_), .. } => rows.len(),
            _ => run.events.iter().filter(|e| !e.auto).count(),
        };
        let notes = notes(schedule, &run, &states);
        Ok(Self {
            run,
            states,
            rows,
            explicit,
            notes,
        })
    }

    /// Number of events; positions go from 0 to this.
    #[must_use]
    pub fn event_count(&self) -> usize {
        self.run.events.len()
    }

    /// Every row's step, in order: the run's events made explicit, then the
    /// entries that could not run or were not reached.
    #[must_use]
    pub fn steps(&self) -> Vec<StepRef> {
        self.rows.iter().map(|row| row.step).collect()
    }
}

/// A row per event, then, if an entry could not run, a row for it and for
/// each entry after it.
fn rows(schedule: &Schedule, run: &Run, order: &[StepRef]) -> Vec<Row> {
    let mut rows: Vec<Row> = run
        .events
        .iter()
        .enumerate()
        .map(|(i, event)| event_row(schedule, i, event))
        .collect();
    if let Outcome::Stuck {
        entry: Some(entry),
        reason,
    } = &run.outcome
    {
        rows.extend(stuck_rows(schedule, order, *entry, reason));
    }
    rows
}

/// The row of event `i`: its thread's cell, and one for each waiter whose
/// acquire or join completed in it.
fn event_row(schedule: &Schedule, i: usize, event: &Event) -> Row {
    let mut cells = vec![event_cell(schedule, event)];
    cells.extend(event.completed.iter().map(|done| {
        let id = step_id(schedule, done.thread, done.step);
        let text = match done.wait {
            Wait::Lock(l) => format!("({id} gets {})", schedule.locks[l].id),
            Wait::Join(t) => format!("({id} joins {})", schedule.threads[t].id),
        };
        Cell {
            thread: done.thread,
            text,
            look: Look::Completed,
        }
    }));
    let id = step_id(schedule, event.thread, event.step);
    Row {
        step: StepRef {
            thread: event.thread,
            step: event.step,
        },
        kind: RowKind::Event(i),
        detail: format!("{id} {}", event_text(schedule, event)),
        cells,
    }
}

fn event_cell(schedule: &Schedule, event: &Event) -> Cell {
    let look = match event.kind {
        EventKind::Blocked(_) => Look::Blocked,
        EventKind::Drop { .. } => Look::Drop,
        EventKind::Skipped => Look::Skipped,
        _ => Look::Ran,
    };
    let id = step_id(schedule, event.thread, event.step);
    Cell {
        thread: event.thread,
        text: format!("{id} {}", short_text(schedule, event)),
        look,
    }
}

/// What an event did, in as few words as the table can take.
fn short_text(schedule: &Schedule, event: &Event) -> String {
    let lock = |l: usize| schedule.locks[l].id.as_str();
    let thread = |t: usize| schedule.threads[t].id.as_str();
    match &event.kind {
        EventKind::Blocked(Wait::Lock(l)) => format!("blocked on {}", lock(*l)),
        EventKind::Blocked(Wait::Join(t)) => format!("blocked: join {}", thread(*t)),
        EventKind::Drop { lock: l, .. } => format!("try {}: DROP", lock(*l)),
        EventKind::Skipped => "skipped".to_owned(),
        _ => event_text(schedule, event),
    }
}

/// The entry that could not run, then those after it.
fn stuck_rows(schedule: &Schedule, order: &[StepRef], entry: usize, reason: &str) -> Vec<Row> {
    let row = |e: usize, step: StepRef| {
        let id = step_id(schedule, step.thread, step.step);
        let (kind, text, look) = if e == entry {
            (RowKind::Stuck(e), reason.to_owned(), Look::Stuck)
        } else {
            (
                RowKind::Unreached(e),
                format!("{id} not reached"),
                Look::Unreached,
            )
        };
        Row {
            step,
            kind,
            detail: text.clone(),
            cells: vec![Cell {
                thread: step.thread,
                text,
                look,
            }],
        }
    };
    order
        .iter()
        .enumerate()
        .skip(entry)
        .map(|(e, &step)| row(e, step))
        .collect()
}

/// What the log panel says: records, drops and inversions as they happen,
/// and the outcome at the end.
fn notes(schedule: &Schedule, run: &Run, states: &[State]) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut inversions = Inversions::default();
    for (i, (event, before)) in run.events.iter().zip(states).enumerate() {
        let at = i + 1;
        match &event.kind {
            EventKind::Log => notes.push(emitted(schedule, event, at)),
            EventKind::Drop { lock, .. } => notes.extend(drops(schedule, event, *lock, before, at)),
            _ => {}
        }

        for cycle in inversions.add(event) {
            let mut note = Note {
                at,
                kind: NoteKind::Inversion,
                lines: vec![report::inversion_text(schedule, &cycle)],
            };
            // The first inversion says what an inversion means.
            if !notes.iter().any(|n: &Note| n.kind == NoteKind::Inversion) {
                let meaning = "locks taken in opposite orders: a deadlock is possible";
                note.lines.push(meaning.to_owned());
            }
            notes.push(note);
        }
    }
    notes.push(outcome(schedule, &run.outcome, run.events.len()));
    notes
}

/// The lock-order graph as it grows, and the cycles already reported.
#[derive(Default)]
struct Inversions {
    graph: LockOrder,
    seen: Vec<Vec<OrderEdge>>,
}

impl Inversions {
    /// Adds the edges of `event`; returns the cycles it closes.
    fn add(&mut self, event: &Event) -> Vec<Vec<OrderEdge>> {
        if event.order_edges.is_empty() {
            return Vec::new();
        }
        for &(from, to) in &event.order_edges {
            self.graph.add(OrderEdge {
                from,
                to,
                thread: event.thread,
                step: event.step,
            });
        }
        let mut new = Vec::new();
        for cycle in self.graph.inversions() {
            if !self.seen.contains(&cycle) {
                self.seen.push(cycle.clone());
                new.push(cycle);
            }
        }
        new
    }
}

fn emitted(schedule: &Schedule, event: &Event, at: usize) -> Note {
    let record = report::emitted(schedule, std::slice::from_ref(event));
    let message = record.first().map_or("", |r| r.message);
    let id = step_id(schedule, event.thread, event.step);
    Note {
        at,
        kind: NoteKind::Emitted,
        lines: vec![format!("{id} \"{message}\"")],
    }
}

/// One note per record a drop lost, saying why the patch dropped it.
fn drops(schedule: &Schedule, event: &Event, lock: usize, before: &State, at: usize) -> Vec<Note> {
    let thread = |t: Option<usize>| t.map_or("no one", |t| schedule.threads[t].id.as_str());
    let tried = &schedule.locks[lock].id;
    let why = schedule.patch.as_ref().map_or(String::new(), |patch| {
        let held = schedule.lock(&patch.drop_if_held).map(|(l, _)| l);
        let holder = held.and_then(|l| before.locks[l].holder);
        format!(
            " ({} found {tried} held by {} while {} was held by {})",
            step_id(schedule, event.thread, event.step),
            thread(before.locks[lock].holder),
            patch.drop_if_held,
            thread(holder),
        )
    });

    report::dropped(schedule, std::slice::from_ref(event))
        .iter()
        .map(|record| {
            let id = step_id(schedule, record.thread, record.step);
            Note {
                at,
                kind: NoteKind::Dropped,
                lines: vec![format!("{id} \"{}\" is lost{why}", record.message)],
            }
        })
        .collect()
}

fn outcome(schedule: &Schedule, outcome: &Outcome, at: usize) -> Note {
    let (kind, lines) = match outcome {
        Outcome::Finished => (NoteKind::Finished, vec!["every thread ended".to_owned()]),
        Outcome::Deadlock { chain } => (
            NoteKind::Deadlock,
            chain.iter().map(|link| link_text(schedule, link)).collect(),
        ),
        Outcome::Stuck { reason, .. } => (NoteKind::Stuck, vec![reason.clone()]),
    };
    Note { at, kind, lines }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::built_in;

    fn app_engine(patch: PatchMode) -> Timeline {
        let schedule = built_in();
        let model = Model::new(&schedule);
        let order = crate::sim::resolve_order(&schedule, &schedule.order).expect("a valid order");
        Timeline::build(&schedule, &model, patch, &order).expect("the order runs")
    }

    fn kinds(timeline: &Timeline) -> Vec<(usize, NoteKind)> {
        timeline.notes.iter().map(|n| (n.at, n.kind)).collect()
    }

    #[test]
    fn inversions_appear_at_the_event_that_shows_both_orders() {
        let timeline = app_engine(PatchMode::Off);
        assert_eq!(
            kinds(&timeline),
            [
                (2, NoteKind::Emitted),
                (7, NoteKind::Inversion),
                (7, NoteKind::Inversion),
                (7, NoteKind::Deadlock),
            ]
        );
        let explained: Vec<usize> = timeline.notes.iter().map(|n| n.lines.len()).collect();
        assert_eq!(explained[1..3], [2, 1], "only the first says what it means");
    }

    #[test]
    fn the_patched_run_logs_the_drop_and_has_no_inversion() {
        let timeline = app_engine(PatchMode::On);
        assert_eq!(
            kinds(&timeline),
            [
                (2, NoteKind::Emitted),
                (7, NoteKind::Dropped),
                (11, NoteKind::Finished),
            ]
        );
        assert_eq!(
            timeline.notes[1].lines,
            ["B4 \"hooks installed\" is lost (B3 found H held by A while I was held by B)"]
        );
        assert_eq!(timeline.explicit, 7);
        assert_eq!(timeline.rows[7].cells[1].text, "(A4 gets I)");
    }
}
