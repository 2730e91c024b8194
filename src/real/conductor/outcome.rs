//! How a run ended once the script is used up, and the confirmation of a
//! deadlock by `parking_lot`'s deadlock detection.

use std::collections::BTreeSet;
use std::thread::{self, ThreadId};

use super::{Conductor, Phase};
use crate::real::RealOutcome;
use crate::real::compare::cycle_members;
use crate::sim::{Link, Wait};

/// How many times to ask `parking_lot` for the cycles the conductor saw
/// forming, one grace period apart: a blocked thread is in the wait-for
/// graph only once it has parked.
const CONFIRM_ATTEMPTS: u32 = 5;

impl Conductor<'_> {
    /// How the run ended once the script is used up.
    pub(super) fn outcome(&self) -> RealOutcome {
        let threads = &self.schedule.threads;
        if self.phases.iter().all(|&p| p == Phase::Finished) {
            return RealOutcome::Finished;
        }
        if let Some(t) = self.phases.iter().position(|&p| p == Phase::Idle) {
            let reason = format!(
                "{} can still run {}, but the model's run has ended",
                threads[t].id,
                self.step_id(t, self.pcs[t])
            );
            return RealOutcome::Stuck {
                entry: None,
                reason,
            };
        }
        if self.phases.iter().any(|p| p.wait().is_some()) {
            let waits = self.waits();
            let cycle = cycle_of(&waits, threads.len());
            return RealOutcome::Deadlock {
                deadlocked: self.confirm(&cycle),
                cycle: cycle.into_iter().collect(),
                waits,
            };
        }
        let never: Vec<&str> = (0..threads.len())
            .filter(|&t| self.phases[t] == Phase::NotStarted)
            .map(|t| threads[t].id.as_str())
            .collect();
        RealOutcome::Stuck {
            entry: None,
            reason: format!(
                "{} never started: the step that spawns it did not run",
                never.join(", ")
            ),
        }
    }

    /// Each blocked thread with what it waits for and who holds that.
    fn waits(&self) -> Vec<Link> {
        (0..self.phases.len())
            .filter_map(|thread| {
                let waits_for = self.phases[thread].wait()?;
                let held_by = match waits_for {
                    Wait::Lock(lock) => self.holders[lock],
                    Wait::Join(target) => Some(target),
                };
                Some(Link {
                    thread,
                    waits_for,
                    held_by,
                })
            })
            .collect()
    }

    /// The threads in the cycles `parking_lot`'s deadlock detection finds.
    ///
    /// It sees a thread only once it has parked. Where the kernel cannot
    /// say whether a thread has, the `observed` cycles may not all be
    /// confirmed at once: then it asks again, one grace period later, a
    /// few times. Where the kernel said so, every blocked thread has
    /// parked, and once is enough.
    fn confirm(&self, observed: &BTreeSet<usize>) -> Vec<usize> {
        let all_parked = observed.iter().all(|&t| self.tids[t].is_some());
        let attempts = if all_parked { 1 } else { CONFIRM_ATTEMPTS };
        let mut confirmed = BTreeSet::new();
        for attempt in 0..attempts {
            if attempt > 0 {
                thread::sleep(self.grace);
            }
            for cycle in parking_lot::deadlock::check_deadlock() {
                confirmed.extend(cycle.iter().filter_map(|t| self.worker_of(t.thread_id())));
            }
            if observed.is_subset(&confirmed) {
                break;
            }
        }
        confirmed.into_iter().collect()
    }

    /// The thread of the schedule whose worker runs on OS thread `id`.
    fn worker_of(&self, id: ThreadId) -> Option<usize> {
        self.ids.iter().position(|&known| known == Some(id))
    }
}

/// The threads on a cycle of the observed waits.
fn cycle_of(waits: &[Link], threads: usize) -> BTreeSet<usize> {
    let mut next = vec![None; threads];
    for link in waits {
        next[link.thread] = link.held_by;
    }
    cycle_members(&next)
}
