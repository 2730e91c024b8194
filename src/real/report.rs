//! Words for a real run beside the model's: the text of
//! `lockstep replay --real` and the `real` and `agrees` keys of its JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::compare::Agreement;
use super::protocol::Names;
use super::{RealEvent, RealOutcome, RealRun};
use crate::schedule::Schedule;
use crate::sim::report::{event_text, link_text, outcome_text, step_id};
use crate::sim::{Completion, Event, Run, Wait};

/// The text report: the two runs side by side, one row per event, the
/// rows that differ marked; then both outcomes and the verdict.
#[must_use]
pub fn text(schedule: &Schedule, model: &Run, real: &RealRun, agreement: &Agreement) -> String {
    let mode = if model.patch.is_on() {
        "patched"
    } else {
        "unpatched"
    };
    let mut out = format!(
        "{} ({mode}): the model beside real threads\n\n",
        schedule.title
    );
    out.push_str(&table(schedule, agreement));
    out.push('\n');
    out.push_str("model ");
    out.push_str(&outcome_text(schedule, &model.outcome));
    out.push_str(&real_outcome_text(schedule, &real.outcome));
    out.push('\n');
    out.push_str(&verdict(agreement));
    let _ = writeln!(
        out,
        "real threads: {} ms in child process {} (reaped); \
         blocked means still inside lock() after {} ms, and parked",
        real.elapsed.as_millis(),
        real.child,
        real.grace.as_millis()
    );
    out
}

/// The rows: number (`auto` marked), the model's event, the real one, and
/// `differs` where they do not agree.
fn table(schedule: &Schedule, agreement: &Agreement) -> String {
    let mut rows = vec![vec![
        "#".to_owned(),
        "model".to_owned(),
        "real threads".to_owned(),
        String::new(),
    ]];
    for (i, row) in agreement.rows.iter().enumerate() {
        let auto = row
            .model
            .as_ref()
            .map(|e| e.auto)
            .or(row.real.as_ref().map(|e| e.auto));
        let number = if auto == Some(true) {
            format!("{} auto", i + 1)
        } else {
            (i + 1).to_string()
        };
        let model = row
            .model
            .as_ref()
            .map_or("—".to_owned(), |e| cell(schedule, e));
        let real = row.real.as_ref().map_or("—".to_owned(), |e| {
            cell(schedule, &RealEvent::as_event(e))
        });
        let mark = if row.agrees { "" } else { "differs" };
        rows.push(vec![number, model, real, mark.to_owned()]);
    }
    align(&rows)
}

/// One event in words, with the waiting steps it completed:
/// `B6 release I, A4 gets I`.
fn cell(schedule: &Schedule, event: &Event) -> String {
    let id = step_id(schedule, event.thread, event.step);
    let mut text = format!("{id} {}", event_text(schedule, event));
    for done in &event.completed {
        text.push_str(", ");
        text.push_str(&completion_text(schedule, done));
    }
    text
}

fn completion_text(schedule: &Schedule, done: &Completion) -> String {
    let id = step_id(schedule, done.thread, done.step);
    match done.wait {
        Wait::Lock(l) => format!("{id} gets {}", schedule.locks[l].id),
        Wait::Join(t) => format!("{id} joins {}", schedule.threads[t].id),
    }
}

/// Columns padded to their widest cell, two spaces apart.
fn align(rows: &[Vec<String>]) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(&widths) {
            let _ = write!(line, "{cell:<width$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The real outcome: for a deadlock the cycle, what `parking_lot`
/// confirmed, and the waits; for a stuck run the reason.
#[must_use]
pub fn real_outcome_text(schedule: &Schedule, outcome: &RealOutcome) -> String {
    let mut out = format!("real threads outcome: {}", outcome.name());
    match outcome {
        RealOutcome::Finished => out.push('\n'),
        RealOutcome::Deadlock {
            cycle,
            deadlocked,
            waits,
        } => {
            out.push_str(&confirmation_text(schedule, cycle, deadlocked));
            for link in waits {
                let _ = writeln!(out, "  {}", link_text(schedule, link));
            }
        }
        RealOutcome::Stuck { reason, .. } => {
            let _ = write!(out, "\n  {reason}\n");
        }
    }
    out
}

/// The ids of `threads`, comma-separated, or `none`.
#[must_use]
pub fn thread_names(schedule: &Schedule, threads: &[usize]) -> String {
    let ids: Vec<&str> = threads
        .iter()
        .map(|&t| schedule.threads[t].id.as_str())
        .collect();
    if ids.is_empty() {
        "none".to_owned()
    } else {
        ids.join(", ")
    }
}

/// The observed cycle and what `check_deadlock` made of it.
fn confirmation_text(schedule: &Schedule, cycle: &[usize], deadlocked: &[usize]) -> String {
    let names = |threads: &[usize]| thread_names(schedule, threads);
    if cycle.is_empty() && deadlocked.is_empty() {
        return ", no cycle: the waits end at a thread that is not blocked\n".to_owned();
    }
    if cycle == deadlocked {
        return format!(
            ", confirmed by parking_lot's check_deadlock: {}\n",
            names(cycle)
        );
    }
    format!(
        ", cycle {} observed; parking_lot's check_deadlock found {} \
         (its search can miss a cycle that another waiting thread leads into)\n",
        names(cycle),
        names(deadlocked)
    )
}

/// Whether the runs agree, and if not, where they part.
fn verdict(agreement: &Agreement) -> String {
    if agreement.agrees() {
        return format!(
            "agreement: yes, the real run agrees with the model ({} events and the outcome)\n",
            agreement.rows.len()
        );
    }
    match agreement.first_difference() {
        Some(i) => format!("agreement: NO, the runs part at event {}\n", i + 1),
        None => "agreement: NO, the outcomes differ\n".to_owned(),
    }
}

/// Adds `real` and `agrees` to the JSON of `lockstep replay`
/// ([`crate::sim::report::json`]).
///
/// `real` holds `events` (each as in the model's `events`, plus
/// `completed`: the waiting steps that completed in it), `outcome`,
/// `cycle` (the threads on a wait-for cycle, as observed), `deadlocked`
/// (the threads `parking_lot` confirmed in a cycle), `waits`,
/// `entry` and `reason` for a stuck run, `child` (the process id),
/// `elapsed_ms` and `grace_ms`. `first_difference` is the index of the
/// first event that differs, or null.
///
/// # Panics
///
/// Never: an outcome holds only strings, numbers and lists.
pub fn add_json(value: &mut Value, schedule: &Schedule, real: &RealRun, agreement: &Agreement) {
    let names = Names::new(schedule);
    let events: Vec<_> = real.events.iter().map(|e| names.event(e)).collect();
    let mut object = json!({
        "events": events,
        "child": real.child,
        "elapsed_ms": u64::try_from(real.elapsed.as_millis()).unwrap_or(u64::MAX),
        "grace_ms": u64::try_from(real.grace.as_millis()).unwrap_or(u64::MAX),
    });
    let outcome =
        serde_json::to_value(names.outcome(&real.outcome)).expect("an outcome is plain data");
    if let (Some(object), Value::Object(outcome)) = (object.as_object_mut(), outcome) {
        object.extend(outcome);
    }
    value["real"] = object;
    value["agrees"] = json!(agreement.agrees());
    value["first_difference"] = json!(agreement.first_difference());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::built_in;

    #[test]
    fn a_confirmed_cycle_names_its_threads() {
        let text = confirmation_text(&built_in(), &[0, 1], &[0, 1]);
        assert_eq!(text, ", confirmed by parking_lot's check_deadlock: A, B\n");
    }

    #[test]
    fn a_cycle_parking_lot_missed_says_so() {
        let text = confirmation_text(&built_in(), &[0, 1], &[]);
        assert!(text.starts_with(", cycle A, B observed; parking_lot's check_deadlock found none"));
    }

    #[test]
    fn waits_without_a_cycle_say_where_they_end() {
        let text = confirmation_text(&built_in(), &[], &[]);
        assert!(text.contains("no cycle"), "{text}");
    }
}
