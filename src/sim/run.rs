//! Running an order: the order rules, the default policy and the outcome.

use super::graph::{Link, wait_chain};
use super::model::Model;
use super::report;
use super::state::{Event, EventKind, PatchMode, State, Status, Wait};
use crate::schedule::{Invalid, Schedule, locate::Key, order_gap, out_of_order};

/// One entry of an order: a step of a thread, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StepRef {
    /// The thread.
    pub thread: usize,
    /// The step in its program.
    pub step: usize,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every thread ended.
    Finished,
    /// No thread can move and at least one is blocked; `chain` is the
    /// wait-for cycle (or the chain, if it ends at a thread that is done).
    Deadlock {
        /// Thread → lock → holder → …
        chain: Vec<Link>,
    },
    /// The run stopped early: an entry could not run, or threads that were
    /// never started are left.
    Stuck {
        /// The order entry that could not run, if one is to blame.
        entry: Option<usize>,
        /// Why, in a sentence.
        reason: String,
    },
}

impl Outcome {
    /// The name used in reports and JSON.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Finished => "finished",
            Outcome::Deadlock { .. } => "deadlock",
            Outcome::Stuck { .. } => "stuck",
        }
    }
}

/// A finished run of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Whether the patch was on.
    pub patch: PatchMode,
    /// Every event, those of the order first, then the `auto` ones.
    pub events: Vec<Event>,
    /// How it ended.
    pub outcome: Outcome,
    /// The state after the last event.
    pub state: State,
}

impl Run {
    /// The state at every position of the run: `states[i]` is the state
    /// just before `events[i]`, and the last one is the state at the end.
    ///
    /// # Panics
    ///
    /// Never for a run made by [`run`] with the same model: the events are
    /// replayed exactly as they happened.
    #[must_use]
    pub fn states(&self, model: &Model) -> Vec<State> {
        let mut state = State::initial(model);
        let mut states = Vec::with_capacity(self.events.len() + 1);
        states.push(state.clone());
        for event in &self.events {
            if event.kind != EventKind::Skipped {
                state
                    .step(model, event.thread, self.patch)
                    .expect("a recorded event replays as it happened");
            }
            states.push(state.clone());
        }
        states
    }
}

/// Resolves step ids to references, after checking them with the static
/// order rules.
///
/// # Errors
///
/// The first entry that is unknown, repeated, out of program order, or
/// leaves a gap the patch could not explain; its path is `order[i]`.
///
pub fn resolve_order(schedule: &Schedule, ids: &[String]) -> Result<Vec<StepRef>, Invalid> {
    crate::schedule::check_order(schedule, ids)?;
    let index = schedule.step_index();
    Ok(ids
        .iter()
        .map(|id| {
            let (thread, step) = index[id.as_str()];
            StepRef { thread, step }
        })
        .collect())
}

/// Runs `order` from the start, then completes the run by the default
/// policy (those events are marked `auto`).
///
/// # Errors
///
/// An [`Invalid`] at `order[i]` when entry `i` leaves a gap: it runs a step
/// while an earlier step of the same thread has neither run nor been
/// skipped by a drop.
pub fn run(
    schedule: &Schedule,
    model: &Model,
    patch: PatchMode,
    order: &[StepRef],
) -> Result<Run, Invalid> {
    let mut runner = Runner::new(model, patch);
    for (entry, &at) in order.iter().enumerate() {
        if let Some(stuck) = runner.entry(schedule, entry, at)? {
            return Ok(runner.finish(stuck));
        }
    }
    let outcome = runner.auto_complete(schedule);
    Ok(runner.finish(outcome))
}

/// `order` with the steps that its drops skipped listed right after each
/// drop, as the file format allows. Saved so, the order runs the same with
/// the patch on, and is still a valid order with the patch off (there the
/// drop's acquire waits and the next listed step is stuck), so a file saved
/// in either mode opens in both.
#[must_use]
pub fn with_skips_listed(run: &Run, order: &[StepRef]) -> Vec<StepRef> {
    let listed: std::collections::HashSet<StepRef> = order.iter().copied().collect();
    let mut out = Vec::with_capacity(order.len());
    for (entry, &at) in order.iter().enumerate() {
        out.push(at);
        // Entry i of the order made event i, until an entry got stuck.
        let event = run.events.get(entry).filter(|e| !e.auto);
        if let Some(EventKind::Drop { resume, .. }) = event.map(|e| &e.kind) {
            let skipped = (at.step + 1..*resume).map(|step| StepRef {
                thread: at.thread,
                step,
            });
            out.extend(skipped.filter(|s| !listed.contains(s)));
        }
    }
    out
}

/// The default policy: the thread that moved last keeps running while it
/// can, else the first runnable thread in declaration order.
#[must_use]
pub fn next_by_policy(state: &State, last: Option<usize>) -> Option<usize> {
    last.filter(|&t| state.can_run(t))
        .or_else(|| state.runnable().next())
}

/// Who chose the step an event runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// An entry of the order.
    Order,
    /// The default policy, after the order was used up.
    Auto,
}

struct Runner<'m> {
    model: &'m Model,
    patch: PatchMode,
    state: State,
    events: Vec<Event>,
    /// Per thread, the last step the order listed.
    listed: Vec<Option<usize>>,
    /// Per thread and step, whether a drop skipped it.
    skipped: Vec<Vec<bool>>,
}

impl<'m> Runner<'m> {
    fn new(model: &'m Model, patch: PatchMode) -> Self {
        Self {
            model,
            patch,
            state: State::initial(model),
            events: Vec::new(),
            listed: vec![None; model.thread_count()],
            skipped: model
                .programs
                .iter()
                .map(|p| vec![false; p.actions.len()])
                .collect(),
        }
    }

    /// Runs one entry of the order; `Some` outcome when it stops the run.
    fn entry(
        &mut self,
        schedule: &Schedule,
        entry: usize,
        at: StepRef,
    ) -> Result<Option<Outcome>, Invalid> {
        let StepRef { thread: t, step: s } = at;
        let path = vec![Key::Field("order"), Key::Index(entry)];
        let id = &schedule.threads[t].steps[s].id;
        if let Some(previous) = self.listed[t].filter(|&p| p >= s) {
            return Err(out_of_order(schedule, t, previous, s, path));
        }
        let first_open = self.first_open(t, s);
        self.listed[t] = Some(s);
        if self.skipped[t][s] {
            self.events.push(skipped_event(at));
            return Ok(None);
        }
        if s > first_open {
            return Err(order_gap(schedule, t, first_open, id, path));
        }
        let thread = self.state.threads[t];
        if thread.status != Status::Runnable || thread.pc != s {
            let reason = format!("{id} cannot run: {}", why_not(schedule, &self.state, t));
            return Ok(Some(Outcome::Stuck {
                entry: Some(entry),
                reason,
            }));
        }
        let stuck = self.execute(schedule, t, Origin::Order).err();
        Ok(stuck.map(|reason| Outcome::Stuck {
            entry: Some(entry),
            reason,
        }))
    }

    /// The first step of `t` after the last one listed that a drop did not
    /// skip, or `s` if there is none before it.
    fn first_open(&self, t: usize, s: usize) -> usize {
        let from = self.listed[t].map_or(0, |p| p + 1);
        (from..s).find(|&i| !self.skipped[t][i]).unwrap_or(s)
    }

    /// Runs the next step of `t`; `Err` with a reason on a fault.
    fn execute(&mut self, schedule: &Schedule, t: usize, origin: Origin) -> Result<(), String> {
        let step = self.state.threads[t].pc;
        let mut event = self
            .state
            .step(self.model, t, self.patch)
            .map_err(|fault| report::fault_text(schedule, t, step, &fault))?;
        event.auto = origin == Origin::Auto;
        if let EventKind::Drop { resume, .. } = event.kind {
            self.skipped[t][step + 1..resume].fill(true);
        }
        self.events.push(event);
        Ok(())
    }

    /// Runs the default policy until no thread can move, then says how the
    /// run ended.
    fn auto_complete(&mut self, schedule: &Schedule) -> Outcome {
        let mut last = self.events.last().map(|e| e.thread);
        while let Some(t) = next_by_policy(&self.state, last) {
            if let Err(reason) = self.execute(schedule, t, Origin::Auto) {
                return Outcome::Stuck {
                    entry: None,
                    reason,
                };
            }
            last = Some(t);
        }
        outcome_of(schedule, &self.state)
    }

    fn finish(self, outcome: Outcome) -> Run {
        Run {
            patch: self.patch,
            events: self.events,
            outcome,
            state: self.state,
        }
    }
}

/// How a run that no thread can continue ended.
fn outcome_of(schedule: &Schedule, state: &State) -> Outcome {
    if state.all_finished() {
        return Outcome::Finished;
    }
    if state
        .threads
        .iter()
        .any(|t| matches!(t.status, Status::Blocked(_)))
    {
        return Outcome::Deadlock {
            chain: wait_chain(state),
        };
    }
    let never: Vec<&str> = (0..state.threads.len())
        .filter(|&t| state.threads[t].status == Status::NotStarted)
        .map(|t| schedule.threads[t].id.as_str())
        .collect();
    Outcome::Stuck {
        entry: None,
        reason: format!(
            "{} never started: the step that spawns it did not run",
            never.join(", ")
        ),
    }
}

/// Why thread `t` cannot run its next step, in words.
#[must_use]
pub fn why_not(schedule: &Schedule, state: &State, t: usize) -> String {
    let name = &schedule.threads[t].id;
    match state.threads[t].status {
        Status::NotStarted => format!("{name} has not been spawned yet"),
        Status::Finished => format!("{name} has finished"),
        Status::Runnable => format!("{name} is at another step"),
        Status::Blocked(wait) => {
            let holder = match wait {
                Wait::Lock(l) => state.locks[l].holder,
                Wait::Join(_) => None,
            };
            report::wait_text(schedule, t, wait, holder)
        }
    }
}

fn skipped_event(at: StepRef) -> Event {
    Event {
        thread: at.thread,
        step: at.step,
        kind: EventKind::Skipped,
        auto: false,
        completed: Vec::new(),
        order_edges: Vec::new(),
    }
}
