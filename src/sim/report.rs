//! Words for runs: the event texts, the thread-dump table and the JSON of
//! `lockstep replay`. Shared by the command line, the TUI and the recorder.

use std::fmt::Write as _;

use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr as _;

use super::graph::{Link, LockOrder, OrderEdge};
use super::run::{Outcome, Run};
use super::state::{Event, EventKind, Fault, Wait};
use crate::schedule::{Op, Schedule};

/// A record that was written by a `Log` step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'s> {
    /// The thread that logged.
    pub thread: usize,
    /// The `Log` step.
    pub step: usize,
    /// The message.
    pub message: &'s str,
}

/// The id of step `step` of thread `thread`.
#[must_use]
pub fn step_id(schedule: &Schedule, thread: usize, step: usize) -> &str {
    &schedule.threads[thread].steps[step].id
}

/// The message of a `Log` step (empty for any other op).
fn message(schedule: &Schedule, thread: usize, step: usize) -> &str {
    match &schedule.threads[thread].steps[step].op {
        Op::Log(message) => message,
        _ => "",
    }
}

/// What an event did, in a few words: `acquire H`, `acquire I: blocked`.
#[must_use]
pub fn event_text(schedule: &Schedule, event: &Event) -> String {
    let lock = |l: usize| schedule.locks[l].id.as_str();
    let thread = |t: usize| schedule.threads[t].id.as_str();
    match &event.kind {
        EventKind::Work => "work".to_owned(),
        EventKind::Acquire {
            lock: l,
            reentry: false,
        } => format!("acquire {}", lock(*l)),
        EventKind::Acquire {
            lock: l,
            reentry: true,
        } => format!("acquire {} again", lock(*l)),
        EventKind::Blocked(Wait::Lock(l)) => format!("acquire {}: blocked", lock(*l)),
        EventKind::Blocked(Wait::Join(t)) => format!("join {}: blocked", thread(*t)),
        EventKind::Release { lock: l } => format!("release {}", lock(*l)),
        EventKind::Log => format!("log \"{}\"", message(schedule, event.thread, event.step)),
        EventKind::Spawn(t) => format!("spawn {}", thread(*t)),
        EventKind::Join(t) => format!("join {}", thread(*t)),
        EventKind::Drop {
            lock: l, resume, ..
        } => {
            let steps = &schedule.threads[event.thread].steps;
            match &steps[event.step + 1..*resume] {
                [] => format!("try {}: DROP", lock(*l)),
                [only] => format!("try {}: DROP, skips {}", lock(*l), only.id),
                [first, .., last] => {
                    format!("try {}: DROP, skips {}–{}", lock(*l), first.id, last.id)
                }
            }
        }
        EventKind::Skipped => "skipped (dropped)".to_owned(),
    }
}

/// What blocked thread `t` waits for, in words, given the lock's holder
/// (for a lock wait): `B waits for H, held by A`.
#[must_use]
pub fn wait_text(schedule: &Schedule, t: usize, wait: Wait, holder: Option<usize>) -> String {
    let name = &schedule.threads[t].id;
    match wait {
        Wait::Lock(l) => {
            let lock = &schedule.locks[l].id;
            match holder {
                Some(h) if h == t => format!("{name} waits for {lock}, which it holds itself"),
                Some(h) => format!(
                    "{name} waits for {lock}, held by {}",
                    schedule.threads[h].id
                ),
                None => format!("{name} waits for {lock}"),
            }
        }
        Wait::Join(j) => format!("{name} waits for {} to finish", schedule.threads[j].id),
    }
}

/// Why step `step` of thread `t` is impossible, in words.
#[must_use]
pub fn fault_text(schedule: &Schedule, t: usize, step: usize, fault: &Fault) -> String {
    let thread = &schedule.threads[t];
    let id = &thread.steps[step].id;
    match fault {
        Fault::NotHeld { lock } => format!(
            "{id} cannot run: {} releases {}, which it does not hold (a drop skipped its acquire)",
            thread.id, schedule.locks[*lock].id
        ),
        Fault::AlreadyStarted { thread: target } => {
            format!(
                "{id} cannot run: {} has already started",
                schedule.threads[*target].id
            )
        }
    }
}

/// One link of a wait-for chain in words.
#[must_use]
pub fn link_text(schedule: &Schedule, link: &Link) -> String {
    let thread = |t: usize| schedule.threads[t].id.as_str();
    match link.waits_for {
        Wait::Lock(l) => {
            let lock = &schedule.locks[l];
            let holder = link.held_by.map_or_else(
                || "held by no one".to_owned(),
                |h| format!("held by {}", thread(h)),
            );
            format!(
                "{} waits for {} ({}), {holder}",
                thread(link.thread),
                lock.id,
                lock.name
            )
        }
        Wait::Join(t) => format!("{} waits for {} to finish", thread(link.thread), thread(t)),
    }
}

/// An inversion in words: `H → I (A at A4), I → H (B at B3)`.
#[must_use]
pub fn inversion_text(schedule: &Schedule, cycle: &[OrderEdge]) -> String {
    cycle
        .iter()
        .map(|e| {
            format!(
                "{} → {} ({} at {})",
                schedule.locks[e.from].id,
                schedule.locks[e.to].id,
                schedule.threads[e.thread].id,
                step_id(schedule, e.thread, e.step)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The records emitted, in order.
#[must_use]
pub fn emitted<'s>(schedule: &'s Schedule, events: &[Event]) -> Vec<Record<'s>> {
    events
        .iter()
        .filter(|e| e.kind == EventKind::Log)
        .map(|e| Record {
            thread: e.thread,
            step: e.step,
            message: message(schedule, e.thread, e.step),
        })
        .collect()
}

/// The records dropped by the patch, in order.
#[must_use]
pub fn dropped<'s>(schedule: &'s Schedule, events: &[Event]) -> Vec<Record<'s>> {
    let mut records = Vec::new();
    for event in events {
        if let EventKind::Drop { dropped, .. } = &event.kind {
            records.extend(dropped.iter().map(|&step| Record {
                thread: event.thread,
                step,
                message: message(schedule, event.thread, step),
            }));
        }
    }
    records
}

/// The run as a table, one column per thread, one row per event, like
/// thread dumps side by side. `auto` rows are marked in the first column;
/// a waiter whose step completes in an event is shown in its own column.
#[must_use]
pub fn table(schedule: &Schedule, run: &Run) -> String {
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(run.events.len() + 1);
    let mut header = vec!["#".to_owned()];
    header.extend(
        schedule
            .threads
            .iter()
            .map(|t| format!("{} {}", t.id, t.name)),
    );
    rows.push(header);
    for (i, event) in run.events.iter().enumerate() {
        let number = if event.auto {
            format!("{} auto", i + 1)
        } else {
            (i + 1).to_string()
        };
        let mut row = vec![number];
        row.extend(event_cells(schedule, event));
        rows.push(row);
    }
    align(&rows)
}

/// One row of the run table without its number: per thread, in
/// declaration order, what the thread did in `event` (`A1 acquire H`, or
/// `(B3 gets H)` for a waiter whose step completed), or an empty cell.
#[must_use]
pub fn event_cells(schedule: &Schedule, event: &Event) -> Vec<String> {
    let mut cells = vec![String::new(); schedule.threads.len()];
    let id = step_id(schedule, event.thread, event.step);
    cells[event.thread] = format!("{id} {}", event_text(schedule, event));
    for done in &event.completed {
        let id = step_id(schedule, done.thread, done.step);
        cells[done.thread] = match done.wait {
            Wait::Lock(l) => format!("({id} gets {})", schedule.locks[l].id),
            Wait::Join(t) => format!("({id} joins {})", schedule.threads[t].id),
        };
    }
    cells
}

/// Columns padded to their widest cell, two spaces apart. Widths are
/// terminal columns, so wide characters (CJK, emoji) keep the columns
/// aligned.
fn align(rows: &[Vec<String>]) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].width()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(&widths) {
            let pad = width.saturating_sub(cell.width());
            let _ = write!(line, "{cell}{:pad$}  ", "");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The whole text report of `lockstep replay`: title, table, outcome,
/// records and inversions (of this run and of the programs).
#[must_use]
pub fn text(schedule: &Schedule, run: &Run, from_programs: &LockOrder) -> String {
    let mode = if run.patch.is_on() {
        "patched"
    } else {
        "unpatched"
    };
    let mut out = format!("{} ({mode})\n\n", schedule.title);
    out.push_str(&table(schedule, run));
    out.push('\n');
    out.push_str(&outcome_text(schedule, &run.outcome));
    out.push_str(&records_text(
        schedule,
        "records emitted",
        &emitted(schedule, &run.events),
    ));
    out.push_str(&records_text(
        schedule,
        "records dropped",
        &dropped(schedule, &run.events),
    ));
    let this_run = LockOrder::from_events(&run.events).inversions();
    out.push_str(&inversions_text(
        schedule,
        "lock-order inversions in this run",
        &this_run,
    ));
    let possible = from_programs.inversions();
    out.push_str(&inversions_text(
        schedule,
        "lock-order inversions in the programs",
        &possible,
    ));
    out
}

/// The outcome, with the wait-for chain or the reason.
#[must_use]
pub fn outcome_text(schedule: &Schedule, outcome: &Outcome) -> String {
    let mut out = format!("outcome: {}\n", outcome.name());
    match outcome {
        Outcome::Finished => {}
        Outcome::Deadlock { chain } => {
            for link in chain {
                let _ = writeln!(out, "  {}", link_text(schedule, link));
            }
        }
        Outcome::Stuck { reason, .. } => {
            let _ = writeln!(out, "  {reason}");
        }
    }
    out
}

fn records_text(schedule: &Schedule, title: &str, records: &[Record<'_>]) -> String {
    if records.is_empty() {
        return format!("{title}: none\n");
    }
    let mut out = format!("{title}:\n");
    for r in records {
        let id = step_id(schedule, r.thread, r.step);
        let _ = writeln!(out, "  {id} \"{}\"", r.message);
    }
    out
}

fn inversions_text(schedule: &Schedule, title: &str, cycles: &[Vec<OrderEdge>]) -> String {
    if cycles.is_empty() {
        return format!("{title}: none\n");
    }
    let mut out = format!("{title}:\n");
    for cycle in cycles {
        let _ = writeln!(out, "  {}", inversion_text(schedule, cycle));
    }
    out
}

/// The JSON of `lockstep replay --json` (keys of DESIGN §4, plus
/// `static_inversions`, the inversions of the programs).
#[must_use]
pub fn json(schedule: &Schedule, run: &Run, from_programs: &LockOrder) -> Value {
    let thread = |t: usize| schedule.threads[t].id.clone();
    let events: Vec<Value> = run.events.iter().map(|e| event_json(schedule, e)).collect();
    let records = |list: Vec<Record<'_>>| -> Vec<Value> {
        list.iter()
            .map(|r| {
                json!({
                    "thread": thread(r.thread),
                    "step": step_id(schedule, r.thread, r.step),
                    "message": r.message,
                })
            })
            .collect()
    };
    let chain = match &run.outcome {
        Outcome::Deadlock { chain } => chain.iter().map(|l| link_json(schedule, l)).collect(),
        _ => Vec::new(),
    };
    let mut value = json!({
        "title": schedule.title,
        "outcome": run.outcome.name(),
        "patched": run.patch.is_on(),
        "events": events,
        "cycle": chain,
        "emitted": emitted(schedule, &run.events).iter().map(|r| r.message).collect::<Vec<_>>(),
        "dropped": records(dropped(schedule, &run.events)),
        "inversions": inversions_json(schedule, &LockOrder::from_events(&run.events)),
        "static_inversions": inversions_json(schedule, from_programs),
    });
    if let Outcome::Stuck { reason, .. } = &run.outcome {
        value["reason"] = json!(reason);
    }
    value
}

fn event_json(schedule: &Schedule, event: &Event) -> Value {
    let (kind, lock) = match &event.kind {
        EventKind::Work => ("work", None),
        EventKind::Acquire { lock, .. } => ("acquire", Some(*lock)),
        EventKind::Blocked(Wait::Lock(lock)) => ("blocked", Some(*lock)),
        EventKind::Blocked(Wait::Join(_)) => ("blocked", None),
        EventKind::Release { lock } => ("release", Some(*lock)),
        EventKind::Log => ("log", None),
        EventKind::Spawn(_) => ("spawn", None),
        EventKind::Join(_) => ("join", None),
        EventKind::Drop { lock, .. } => ("drop", Some(*lock)),
        EventKind::Skipped => ("skipped", None),
    };
    let mut value = json!({
        "step": step_id(schedule, event.thread, event.step),
        "thread": schedule.threads[event.thread].id,
        "kind": kind,
        "auto": event.auto,
    });
    if let Some(lock) = lock {
        value["lock"] = json!(schedule.locks[lock].id);
    }
    if let EventKind::Spawn(t) | EventKind::Join(t) | EventKind::Blocked(Wait::Join(t)) = event.kind
    {
        value["target"] = json!(schedule.threads[t].id);
    }
    value
}

fn link_json(schedule: &Schedule, link: &Link) -> Value {
    let (kind, waits_for) = match link.waits_for {
        Wait::Lock(l) => ("lock", &schedule.locks[l].id),
        Wait::Join(t) => ("join", &schedule.threads[t].id),
    };
    json!({
        "thread": schedule.threads[link.thread].id,
        "kind": kind,
        "waits_for": waits_for,
        "held_by": link.held_by.map(|t| &schedule.threads[t].id),
    })
}

fn inversions_json(schedule: &Schedule, graph: &LockOrder) -> Vec<Value> {
    graph
        .inversions()
        .iter()
        .map(|cycle| {
            cycle
                .iter()
                .map(|e| {
                    json!({
                        "from": schedule.locks[e.from].id,
                        "to": schedule.locks[e.to].id,
                        "thread": schedule.threads[e.thread].id,
                        "step": step_id(schedule, e.thread, e.step),
                    })
                })
                .collect()
        })
        .map(Value::Array)
        .collect()
}
