//! Putting the real run beside the model's: event by event, then the
//! outcome, and whether they agree.

use std::collections::BTreeSet;

use super::{RealEvent, RealOutcome, RealRun};
use crate::sim::{Completion, Event, Outcome, Run, State, Status, Wait};

/// One position of the two runs: the model's event and the real one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The model's event, if its run is this long.
    pub model: Option<Event>,
    /// The real event, if the real run is this long.
    pub real: Option<RealEvent>,
    /// Both exist and did the same: the same thread and step, the same
    /// kind, and the same waiting threads completed.
    pub agrees: bool,
}

/// The real run beside the model's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// One row per position of the longer run.
    pub rows: Vec<Row>,
    /// The threads on a wait-for cycle at the end of the model's run, in
    /// declaration order: what the real run's deadlock should confirm.
    pub model_cycle: Vec<usize>,
    /// The outcomes agree: the same name; for a deadlock, the same threads
    /// on wait-for cycles, and `parking_lot` confirmed none outside them;
    /// for a stuck run, the same order entry is to blame.
    pub outcome: bool,
}

impl Agreement {
    /// Every event and the outcome agree.
    #[must_use]
    pub fn agrees(&self) -> bool {
        self.outcome && self.rows.iter().all(|row| row.agrees)
    }

    /// The index of the first row that does not agree.
    #[must_use]
    pub fn first_difference(&self) -> Option<usize> {
        self.rows.iter().position(|row| !row.agrees)
    }
}

/// Compares a real run with the model's run of the same order.
#[must_use]
pub fn compare(model: &Run, real: &RealRun) -> Agreement {
    let len = model.events.len().max(real.events.len());
    let rows = (0..len)
        .map(|i| {
            let model = model.events.get(i).cloned();
            let real = real.events.get(i).cloned();
            let agrees = match (&model, &real) {
                (Some(m), Some(r)) => same_event(m, r),
                _ => false,
            };
            Row {
                model,
                real,
                agrees,
            }
        })
        .collect();
    let model_cycle: Vec<usize> = match model.outcome {
        Outcome::Deadlock { .. } => cycle_members(&next_in_waits(&model.state))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let outcome = same_outcome(&model.outcome, &model_cycle, &real.outcome);
    Agreement {
        rows,
        model_cycle,
        outcome,
    }
}

fn same_event(model: &Event, real: &RealEvent) -> bool {
    let sorted = |completed: &[Completion]| {
        let mut list = completed.to_vec();
        list.sort_by_key(|c| (c.thread, c.step));
        list
    };
    model.thread == real.thread
        && model.step == real.step
        && model.kind == real.kind
        && model.auto == real.auto
        && sorted(&model.completed) == sorted(&real.completed)
}

fn same_outcome(model: &Outcome, model_cycle: &[usize], real: &RealOutcome) -> bool {
    match (model, real) {
        (Outcome::Finished, RealOutcome::Finished) => true,
        (
            Outcome::Deadlock { .. },
            RealOutcome::Deadlock {
                cycle, deadlocked, ..
            },
        ) => cycle == model_cycle && deadlocked.iter().all(|t| cycle.contains(t)),
        (Outcome::Stuck { entry, .. }, RealOutcome::Stuck { entry: real, .. }) => entry == real,
        _ => false,
    }
}

/// For each thread of a state, the thread it waits for: the holder of the
/// lock it is blocked on, or the thread it joins.
fn next_in_waits(state: &State) -> Vec<Option<usize>> {
    state
        .threads
        .iter()
        .map(|t| match t.status {
            Status::Blocked(Wait::Lock(lock)) => state.locks[lock].holder,
            Status::Blocked(Wait::Join(target)) => Some(target),
            _ => None,
        })
        .collect()
}

/// The threads on a cycle of a wait-for graph in which each thread waits
/// for at most one other: `next[t]` is the thread `t` waits for. A thread
/// waiting for itself (a plain lock it holds) is a cycle of one.
#[must_use]
pub fn cycle_members(next: &[Option<usize>]) -> BTreeSet<usize> {
    let mut members = BTreeSet::new();
    for start in 0..next.len() {
        let mut path = vec![start];
        let mut current = start;
        while let Some(following) = next.get(current).copied().flatten() {
            if let Some(at) = path.iter().position(|&t| t == following) {
                members.extend(&path[at..]);
                break;
            }
            path.push(following);
            current = following;
        }
    }
    members
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::schedule::built_in;
    use crate::sim::{self, EventKind, Model, PatchMode};

    /// The App Engine deadlock, and a real run that saw exactly the same.
    fn deadlock_and_its_mirror() -> (Run, RealRun) {
        let schedule = built_in();
        let order = sim::resolve_order(&schedule, &schedule.order).unwrap();
        let run = sim::run(&schedule, &Model::new(&schedule), PatchMode::Off, &order).unwrap();
        let events = run.events.iter().map(RealEvent::from).collect();
        let real = RealRun {
            events,
            outcome: RealOutcome::Deadlock {
                cycle: vec![0, 1],
                deadlocked: vec![0, 1],
                waits: Vec::new(),
            },
            child: 0,
            elapsed: Duration::ZERO,
            grace: Duration::ZERO,
        };
        (run, real)
    }

    #[test]
    fn the_same_events_and_cycle_agree() {
        let (run, real) = deadlock_and_its_mirror();
        let agreement = compare(&run, &real);
        assert_eq!(agreement.model_cycle, vec![0, 1]);
        assert!(agreement.agrees());
    }

    #[test]
    fn a_step_that_did_not_block_for_real_is_a_difference() {
        let (run, mut real) = deadlock_and_its_mirror();
        real.events[4].kind = EventKind::Acquire {
            lock: 2,
            reentry: false,
        };
        let agreement = compare(&run, &real);
        assert!(!agreement.agrees());
        assert_eq!(agreement.first_difference(), Some(4));
    }

    #[test]
    fn another_cycle_on_real_threads_is_a_difference() {
        let (run, mut real) = deadlock_and_its_mirror();
        real.outcome = RealOutcome::Deadlock {
            cycle: vec![0],
            deadlocked: vec![0],
            waits: Vec::new(),
        };
        let agreement = compare(&run, &real);
        assert!(!agreement.outcome);
        assert_eq!(agreement.first_difference(), None);
        assert!(!agreement.agrees());
    }

    #[test]
    fn parking_lot_may_miss_a_cycle_but_not_name_a_thread_outside_it() {
        let (run, mut real) = deadlock_and_its_mirror();
        let with = |deadlocked: Vec<usize>| RealOutcome::Deadlock {
            cycle: vec![0, 1],
            deadlocked,
            waits: Vec::new(),
        };
        real.outcome = with(Vec::new());
        assert!(compare(&run, &real).agrees());
        real.outcome = with(vec![0, 1, 2]);
        assert!(!compare(&run, &real).agrees());
    }

    #[test]
    fn a_real_run_that_stopped_early_is_a_difference() {
        let (run, mut real) = deadlock_and_its_mirror();
        real.events.pop();
        let agreement = compare(&run, &real);
        assert_eq!(agreement.rows.len(), run.events.len());
        assert_eq!(agreement.first_difference(), Some(run.events.len() - 1));
    }

    #[test]
    fn two_threads_waiting_for_each_other_are_a_cycle() {
        let next = [Some(1), Some(0), Some(0), None];
        assert_eq!(cycle_members(&next), BTreeSet::from([0, 1]));
    }

    #[test]
    fn a_thread_waiting_for_itself_is_a_cycle_of_one() {
        assert_eq!(cycle_members(&[Some(0), None]), BTreeSet::from([0]));
    }

    #[test]
    fn waits_that_end_at_a_running_thread_are_no_cycle() {
        assert!(cycle_members(&[Some(1), Some(2), None]).is_empty());
    }

    #[test]
    fn five_philosophers_make_one_cycle() {
        let next = [Some(1), Some(2), Some(3), Some(4), Some(0)];
        assert_eq!(cycle_members(&next).len(), 5);
    }
}
