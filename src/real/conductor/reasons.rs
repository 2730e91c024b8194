//! The sentences of the conductor: why a step cannot run, and what an
//! awaited report is. They use the model's words where the model has them.

use super::{Conductor, Pending, Phase};
use crate::sim::{Fault, Wait, report};

impl Conductor<'_> {
    /// Why the cue's step cannot be released, if it cannot.
    pub(super) fn cannot_run(&self, thread: usize, step: usize) -> Option<String> {
        let id = self.step_id(thread, step);
        let name = &self.schedule.threads[thread].id;
        let why = match self.phases[thread] {
            Phase::Idle if self.pcs[thread] == step => return None,
            Phase::Idle => format!(
                "{name} is at {} on real threads",
                self.step_id(thread, self.pcs[thread])
            ),
            Phase::NotStarted => format!("{name} has not been spawned yet"),
            Phase::Finished => format!("{name} has finished"),
            Phase::Waiting(wait) | Phase::Blocked(wait) => self.wait_text(thread, wait),
        };
        Some(format!("{id} cannot run: {why}"))
    }

    /// What a blocked thread waits for, in the model's words.
    fn wait_text(&self, thread: usize, wait: Wait) -> String {
        let holder = match wait {
            Wait::Lock(lock) => self.holders[lock],
            Wait::Join(_) => None,
        };
        report::wait_text(self.schedule, thread, wait, holder)
    }

    pub(super) fn fault_reason(&self, thread: usize, step: usize, fault: &Fault) -> String {
        report::fault_text(self.schedule, thread, step, fault)
    }

    /// What an awaited report is, for an error message.
    pub(super) fn awaited(&self, pending: Pending) -> String {
        let name = |t: usize| self.schedule.threads[t].id.as_str();
        match pending {
            Pending::Answer(t) => format!("{} to run {}", name(t), self.step_id(t, self.pcs[t])),
            Pending::Wake(l) => format!(
                "a thread waiting for {} to get it once it was freed",
                self.schedule.locks[l].id
            ),
            Pending::Joiner(t) => format!("{} to return from its join", name(t)),
            Pending::Start(t) => format!("{} to start once spawned", name(t)),
        }
    }

    pub(super) fn step_id(&self, thread: usize, step: usize) -> &str {
        self.schedule.threads[thread]
            .steps
            .get(step)
            .map_or("the end", |s| s.id.as_str())
    }
}
