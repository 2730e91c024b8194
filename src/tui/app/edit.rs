//! Edits of the order: move a row, run a thread next, toggle the patch,
//! undo and redo. The rules are those of the module docs of `tui`.

use super::{Action, App, Direction, Snapshot, Status, Timeline, Tone};
use crate::schedule::{Invalid, Schedule, locate::Key};
use crate::sim::{Model, Outcome, PatchMode, StepRef, why_not};
use crate::tui::keys::{self, Context};

/// Runs `order`, cutting it before the first entry a run rejects (a gap
/// that a drop no longer explains) until it runs; says where it was cut.
/// The loop ends: only entries are rejected, so an empty order runs.
pub(super) fn runnable(
    schedule: &Schedule,
    model: &Model,
    patch: PatchMode,
    mut order: Vec<StepRef>,
) -> (Vec<StepRef>, Timeline, Option<Status>) {
    let mut status = None;
    loop {
        match Timeline::build(schedule, model, patch, &order) {
            Ok(timeline) => return (order, timeline, status),
            Err(invalid) if !order.is_empty() => {
                let cut = entry_of(&invalid).unwrap_or(0).min(order.len() - 1);
                let id = &schedule.threads[order[cut].thread].steps[order[cut].step].id;
                status = Some(Status {
                    text: format!(
                        "the order stops at {id} ({}): the default policy runs the rest",
                        invalid.message
                    ),
                    tone: Tone::Refused,
                });
                order.truncate(cut);
            }
            Err(invalid) => unreachable!("an empty order was rejected: {}", invalid.message),
        }
    }
}

/// The order entry an error is about.
fn entry_of(invalid: &Invalid) -> Option<usize> {
    invalid.path.iter().find_map(|key| match key {
        Key::Index(i) => Some(*i),
        Key::Field(_) => None,
    })
}

/// How a run ends, as a verb phrase.
fn ends(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Finished => "finishes",
        Outcome::Deadlock { .. } => "deadlocks",
        Outcome::Stuck { .. } => "is stuck",
    }
}

/// What changed in the outcome, to append to a message.
fn outcome_change(before: &Outcome, after: &Outcome) -> String {
    match after {
        Outcome::Stuck { reason, .. } => format!("; now stuck: {reason}"),
        _ if before.name() != after.name() => format!("; the run now {}", ends(after)),
        _ => String::new(),
    }
}

/// Swaps the selected row with its neighbour above or below.
pub(super) fn move_selected(app: &mut App, direction: Direction) {
    let rows = &app.timeline.rows;
    let row = app.selected;
    let Some(moved) = rows.get(row).map(|r| r.step) else {
        app.say(Tone::Refused, "there is no row to move");
        return;
    };
    let id = app.step_id(moved).to_owned();
    let neighbour = match direction {
        Direction::Up => row.checked_sub(1),
        Direction::Down => Some(row + 1).filter(|&n| n < rows.len()),
    };
    let Some(neighbour) = neighbour else {
        let (end, past) = match direction {
            Direction::Up => ("first", "earlier"),
            Direction::Down => ("last", "later"),
        };
        app.say(
            Tone::Refused,
            format!("{id} is the {end} row: it cannot move {past}"),
        );
        return;
    };
    let other = rows[neighbour].step;
    let other_id = app.step_id(other).to_owned();
    if other.thread == moved.thread {
        let thread = &app.schedule.threads[moved.thread].id;
        app.say(
            Tone::Refused,
            format!(
                "{id} cannot move past {other_id}: both are steps of thread {thread}, \
                 which runs its steps in program order"
            ),
        );
        return;
    }
    swap(app, row, neighbour, &id, &other_id);
}

/// Swaps rows `row` and `neighbour` of the run made explicit; the rows
/// after both that were `auto` stay `auto`.
fn swap(app: &mut App, row: usize, neighbour: usize, id: &str, other_id: &str) {
    let mut steps = app.timeline.steps();
    steps.swap(row, neighbour);
    steps.truncate(app.timeline.explicit.max(row.max(neighbour) + 1));
    let before = app.timeline.run.outcome.clone();
    match app.edit(steps, app.patch) {
        Ok(()) => {
            app.selected = neighbour;
            let place = if neighbour < row { "before" } else { "after" };
            let change = outcome_change(&before, &app.timeline.run.outcome);
            app.say(Tone::Done, format!("moved {id} {place} {other_id}{change}"));
        }
        Err(why) => app.say(Tone::Refused, format!("{id} cannot move: {why}")),
    }
}

/// Makes `thread` run its next step at the current position, replacing
/// the order after it; the default policy runs the rest.
pub(super) fn run_next(app: &mut App, thread: usize) {
    let count = app.schedule.threads.len();
    if thread >= count {
        app.say(
            Tone::Refused,
            format!(
                "there is no thread {}: this schedule has {count}",
                thread + 1
            ),
        );
        return;
    }
    let position = app.position;
    let state = &app.timeline.states[position];
    let name = app.schedule.threads[thread].id.clone();
    if !state.can_run(thread) {
        let why = why_not(&app.schedule, state, thread);
        app.say(Tone::Refused, format!("{name} cannot run next: {why}"));
        return;
    }
    let next = StepRef {
        thread,
        step: state.threads[thread].pc,
    };
    let mut steps = app.timeline.steps();
    steps.truncate(position);
    steps.push(next);
    try_run_next(app, steps, next);
}

fn try_run_next(app: &mut App, steps: Vec<StepRef>, next: StepRef) {
    let position = app.position;
    let id = app.step_id(next).to_owned();
    let timeline = match Timeline::build(&app.schedule, &app.model, app.patch, &steps) {
        Ok(timeline) => timeline,
        Err(invalid) => {
            app.say(
                Tone::Refused,
                format!("{id} cannot run next: {}", invalid.message),
            );
            return;
        }
    };
    if let Outcome::Stuck {
        entry: Some(entry),
        reason,
    } = &timeline.run.outcome
        && *entry == position
    {
        app.say(Tone::Refused, reason.clone());
        return;
    }
    let before = app.timeline.run.outcome.clone();
    app.commit(steps, app.patch, timeline);
    app.position = position + 1;
    app.selected = position;
    let thread = &app.schedule.threads[next.thread].id;
    let change = outcome_change(&before, &app.timeline.run.outcome);
    app.say(
        Tone::Done,
        format!("{thread} runs {id} next; the default policy runs the rest{change}"),
    );
}

/// Runs the same order with the patch toggled. The order is cut where it
/// no longer applies (steps a drop skipped may be missing from it).
pub(super) fn toggle_patch(app: &mut App) {
    let Some(name) = app.schedule.patch.as_ref().map(|p| p.name.clone()) else {
        app.say(Tone::Refused, "this schedule has no patch to toggle");
        return;
    };
    let patch = app.patch.toggled();
    let (order, timeline, cut) = runnable(&app.schedule, &app.model, patch, app.order.clone());
    app.commit(order, patch, timeline);
    let state = if patch.is_on() { "on" } else { "off" };
    let outcome = &app.timeline.run.outcome;
    let dropped = crate::sim::report::dropped(&app.schedule, &app.timeline.run.events).len();
    let drops = match dropped {
        0 => String::new(),
        1 => ", and drops 1 record".to_owned(),
        n => format!(", and drops {n} records"),
    };
    let text = match cut {
        Some(cut) => format!("{name} {state}: {}", cut.text),
        None => format!("{name} {state}: the same order {}{drops}", ends(outcome)),
    };
    app.say(Tone::Done, text);
}

/// Goes back to before the last edit.
pub(super) fn undo(app: &mut App) {
    let Some(snapshot) = app.history.undo.pop_back() else {
        app.say(Tone::Refused, "nothing to undo");
        return;
    };
    let current = app.snapshot();
    if restore(app, snapshot) {
        app.history.redo.push(current);
        let redo = keys::label_for(Context::Main, &Action::Redo);
        app.say(Tone::Done, format!("undone: press {redo} to redo"));
    }
}

/// Applies the last undone edit again.
pub(super) fn redo(app: &mut App) {
    let Some(snapshot) = app.history.redo.pop() else {
        app.say(Tone::Refused, "nothing to redo");
        return;
    };
    let current = app.snapshot();
    if restore(app, snapshot) {
        app.history.undo.push_back(current);
        app.say(Tone::Done, "redone");
    }
}

/// Puts the order, patch and position of `snapshot` back; false (with a
/// message) if its order no longer runs, which an unchanged schedule rules
/// out.
fn restore(app: &mut App, snapshot: Snapshot) -> bool {
    match Timeline::build(&app.schedule, &app.model, snapshot.patch, &snapshot.order) {
        Ok(timeline) => {
            app.order = snapshot.order;
            app.patch = snapshot.patch;
            app.timeline = timeline;
            app.position = snapshot.position;
            app.selected = snapshot.selected;
            app.clamp();
            true
        }
        Err(invalid) => {
            app.say(
                Tone::Refused,
                format!("cannot restore: {}", invalid.message),
            );
            false
        }
    }
}
