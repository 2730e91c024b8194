//! The conductor: starts the workers, releases one step at a time in the
//! sequence of the model's run, and observes what each step really did:
//! completed, blocked (still inside `lock()` after the grace period), or
//! impossible. At the end it asks `parking_lot` to confirm a deadlock.

mod outcome;
mod reasons;

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle, ThreadId};
use std::time::{Duration, Instant};

use super::kernel;
use super::worker::{News, Report, Shared, Wiring, work};
use super::{RealEvent, RealOutcome};
use crate::schedule::Schedule;
use crate::sim::{Completion, EventKind, Fault, Model, PatchMode, Program, Run, StepRef, Wait};

/// How long to wait for an answer that must come: a worker told to go, a
/// waiter on a lock that was just freed, a thread just spawned. Only a
/// broken worker takes this long.
const ANSWER_BOUND: Duration = Duration::from_secs(2);

/// How often to ask the kernel whether a thread in a blocking call sleeps
/// yet: there is no signal for it.
const POLL: Duration = Duration::from_millis(1);

/// One step for the conductor to release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cue {
    /// The thread.
    pub thread: usize,
    /// The step the model ran.
    pub step: usize,
    /// The model ran it by the default policy.
    pub auto: bool,
}

/// The steps to release: the order's entries, then the model's `auto`
/// events. Entry `i` of the order is cue `i`.
pub(crate) fn script(order: &[StepRef], run: &Run) -> Vec<Cue> {
    let listed = order.iter().map(|at| Cue {
        thread: at.thread,
        step: at.step,
        auto: false,
    });
    let auto = run.events.iter().filter(|e| e.auto).map(|e| Cue {
        thread: e.thread,
        step: e.step,
        auto: true,
    });
    listed.chain(auto).collect()
}

/// Why the conductor could not observe a whole run.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConductError {
    /// The system refused a thread.
    #[error("cannot start an OS thread for {thread}: {source}")]
    Spawn {
        /// The thread of the schedule.
        thread: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// An answer that must come did not.
    #[error("no answer within {} s: {what}", ANSWER_BOUND.as_secs())]
    Silent {
        /// What was awaited.
        what: String,
    },
    /// A worker is gone: it panicked.
    #[error("a worker thread stopped unexpectedly")]
    Gone,
}

/// Runs `script` on real threads, calling `on_event` with each event as it
/// is observed, and returns how the run ended.
///
/// Blocked workers are left behind when this returns: only ending the
/// process frees them, which is why replays run in a child process.
pub(crate) fn conduct(
    schedule: &Schedule,
    model: Model,
    patch: PatchMode,
    script: &[Cue],
    grace: Duration,
    mut on_event: impl FnMut(&RealEvent),
) -> Result<RealOutcome, ConductError> {
    let mut conductor = Conductor::start(schedule, model, patch, grace)?;
    for (entry, &cue) in script.iter().enumerate() {
        match conductor.release(cue)? {
            Released::Ran(event) => on_event(&event),
            Released::Stuck(reason) => {
                let entry = (!cue.auto).then_some(entry);
                return Ok(RealOutcome::Stuck { entry, reason });
            }
        }
    }
    Ok(conductor.outcome())
}

/// What releasing a cue came to.
enum Released {
    Ran(RealEvent),
    Stuck(String),
}

/// Where a thread is, as the conductor has observed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Its worker waits for a `Spawn`.
    NotStarted,
    /// Its worker waits for the conductor's `go`.
    Idle,
    /// Its worker has entered a blocking call; the grace period runs.
    Waiting(Wait),
    /// Its worker stayed in the blocking call for the grace period, and
    /// has parked.
    Blocked(Wait),
    /// Past its last step.
    Finished,
}

impl Phase {
    /// Where a thread running `program` is before anything runs.
    fn initial(program: &Program) -> Self {
        if program.spawned {
            Phase::NotStarted
        } else {
            Phase::Idle
        }
    }

    /// What the thread waits for, if it is inside a blocking call.
    fn wait(self) -> Option<Wait> {
        match self {
            Phase::Waiting(wait) | Phase::Blocked(wait) => Some(wait),
            _ => None,
        }
    }
}

/// A report that must come before the next step is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    /// The thread that was told to go says what its step did.
    Answer(usize),
    /// A waiter on the lock, which was just freed, gets it.
    Wake(usize),
    /// The thread, which joins one that just finished, returns.
    Joiner(usize),
    /// The thread, just spawned, starts.
    Start(usize),
}

/// The event being observed for one cue.
struct Observing {
    cue: Cue,
    kind: Option<EventKind>,
    completed: Vec<Completion>,
    /// The step the worker found impossible, and why.
    fault: Option<(usize, Fault)>,
}

struct Conductor<'s> {
    schedule: &'s Schedule,
    shared: Arc<Shared>,
    grace: Duration,
    reports: Receiver<Report>,
    /// Per thread, where its `go` is sent; emptied to end the run.
    commands: Vec<Sender<()>>,
    handles: Vec<JoinHandle<()>>,
    /// Per thread, its worker's OS thread id.
    ids: Vec<Option<ThreadId>>,
    /// Per thread, the kernel's id of its worker, where the system says.
    tids: Vec<Option<u32>>,
    /// Per thread, where it is.
    phases: Vec<Phase>,
    /// Per thread, the step it runs next, or waits in.
    pcs: Vec<usize>,
    /// Per lock, the thread that holds it, from the workers' reports.
    holders: Vec<Option<usize>>,
    /// Per thread and step, whether a real drop skipped it.
    skipped: Vec<Vec<bool>>,
}

impl<'s> Conductor<'s> {
    /// Starts one worker per thread and waits until each holds its
    /// lifetime lock.
    fn start(
        schedule: &'s Schedule,
        model: Model,
        patch: PatchMode,
        grace: Duration,
    ) -> Result<Self, ConductError> {
        let threads = model.thread_count();
        let phases = model.programs.iter().map(Phase::initial).collect();
        let skipped = model
            .programs
            .iter()
            .map(|p| vec![false; p.actions.len()])
            .collect();
        let (shared, gates) = Shared::new(model, patch);
        let shared = Arc::new(shared);
        let (report_sender, reports) = mpsc::channel();
        let mut conductor = Conductor {
            schedule,
            holders: vec![None; shared.locks.len()],
            shared,
            grace,
            reports,
            commands: Vec::with_capacity(threads),
            handles: Vec::with_capacity(threads),
            ids: vec![None; threads],
            tids: vec![None; threads],
            phases,
            pcs: vec![0; threads],
            skipped,
        };
        for (thread, gate) in gates.into_iter().enumerate() {
            conductor.spawn_worker(thread, &report_sender, gate)?;
        }
        drop(report_sender);
        conductor.await_ready()?;
        Ok(conductor)
    }

    fn spawn_worker(
        &mut self,
        thread: usize,
        reports: &Sender<Report>,
        gate: Option<Receiver<()>>,
    ) -> Result<(), ConductError> {
        let (command_sender, commands) = mpsc::channel();
        let wiring = Wiring {
            reports: reports.clone(),
            commands,
            gate,
        };
        let shared = Arc::clone(&self.shared);
        let id = &self.schedule.threads[thread].id;
        let handle = thread::Builder::new()
            .name(format!("lockstep {id}"))
            .spawn(move || work(&shared, thread, wiring))
            .map_err(|source| ConductError::Spawn {
                thread: id.clone(),
                source,
            })?;
        self.commands.push(command_sender);
        self.handles.push(handle);
        Ok(())
    }

    /// Waits for every worker's `Ready`, noting its OS thread id.
    fn await_ready(&mut self) -> Result<(), ConductError> {
        while let Some(missing) = self.ids.iter().position(Option::is_none) {
            let report = self.receive(ANSWER_BOUND, || {
                let id = &self.schedule.threads[missing].id;
                format!("the worker thread of {id} to start")
            })?;
            if let News::Ready { id, tid } = report.news {
                self.ids[report.thread] = Some(id);
                self.tids[report.thread] = tid;
            }
        }
        Ok(())
    }

    /// Releases one cue and observes it until every thread is still again.
    fn release(&mut self, cue: Cue) -> Result<Released, ConductError> {
        let Cue { thread, step, .. } = cue;
        if step < self.pcs[thread] && self.skipped[thread][step] {
            return Ok(Released::Ran(skipped_event(cue)));
        }
        if let Some(reason) = self.cannot_run(thread, step) {
            return Ok(Released::Stuck(reason));
        }
        self.commands[thread]
            .send(())
            .map_err(|_| ConductError::Gone)?;
        let mut observing = Observing {
            cue,
            kind: None,
            completed: Vec::new(),
            fault: None,
        };
        let mut pending = vec![Pending::Answer(thread)];
        self.settle(&mut observing, &mut pending)?;
        if let Phase::Waiting(wait) = self.phases[thread] {
            self.watch(&mut observing, &mut pending)?;
            self.settle(&mut observing, &mut pending)?;
            if self.phases[thread] == Phase::Waiting(wait) {
                self.phases[thread] = Phase::Blocked(wait);
                observing.kind = Some(EventKind::Blocked(wait));
            }
        }
        Ok(self.finish_event(observing))
    }

    fn finish_event(&self, observing: Observing) -> Released {
        let Cue { thread, step, auto } = observing.cue;
        if let Some((step, fault)) = observing.fault {
            return Released::Stuck(self.fault_reason(thread, step, &fault));
        }
        let kind = observing.kind.expect("a settled step has a kind");
        let mut completed = observing.completed;
        completed.sort_by_key(|c| (c.thread, c.step));
        Released::Ran(RealEvent {
            thread,
            step,
            kind,
            auto,
            completed,
        })
    }

    /// Takes reports until nothing that must come is still missing.
    fn settle(
        &mut self,
        observing: &mut Observing,
        pending: &mut Vec<Pending>,
    ) -> Result<(), ConductError> {
        while let Some(&first) = pending.first() {
            let report = self.receive(ANSWER_BOUND, || self.awaited(first))?;
            self.absorb(report, observing, pending);
        }
        Ok(())
    }

    /// The released thread is inside a blocking call: take reports for the
    /// grace period, then until the thread has parked, unless it returns.
    fn watch(
        &mut self,
        observing: &mut Observing,
        pending: &mut Vec<Pending>,
    ) -> Result<(), ConductError> {
        let thread = observing.cue.thread;
        let grace_over = Instant::now() + self.grace;
        let give_up = grace_over + ANSWER_BOUND;
        while let Phase::Waiting(_) = self.phases[thread] {
            let now = Instant::now();
            if now >= grace_over && self.parked(thread) {
                break;
            }
            if now >= give_up {
                let name = &self.schedule.threads[thread].id;
                let what = format!("{name} to park inside its blocking call");
                return Err(ConductError::Silent { what });
            }
            let wait = grace_over.saturating_duration_since(now).max(POLL);
            match self.reports.recv_timeout(wait) {
                Ok(report) => self.absorb(report, observing, pending),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(ConductError::Gone),
            }
        }
        Ok(())
    }

    /// Whether a thread inside a blocking call has parked: the kernel says
    /// it sleeps. Under load a thread can still be on its way into the
    /// lock's queue after the grace period; the queue's order decides who
    /// gets a freed lock, and `check_deadlock` sees only parked threads.
    /// Where the kernel cannot say, the grace period alone decides.
    fn parked(&self, thread: usize) -> bool {
        let asleep = self.tids[thread].and_then(kernel::asleep);
        asleep.unwrap_or(true)
    }

    fn receive(
        &self,
        bound: Duration,
        awaited: impl FnOnce() -> String,
    ) -> Result<Report, ConductError> {
        self.reports.recv_timeout(bound).map_err(|e| match e {
            RecvTimeoutError::Timeout => ConductError::Silent { what: awaited() },
            RecvTimeoutError::Disconnected => ConductError::Gone,
        })
    }

    /// Takes in one report: where the thread is now, what the event did,
    /// and which further reports must now come.
    fn absorb(&mut self, report: Report, observing: &mut Observing, pending: &mut Vec<Pending>) {
        let thread = report.thread;
        let finished = match report.news {
            News::Ready { .. } => false,
            News::Started { finished } => {
                pending.retain(|&p| p != Pending::Start(thread));
                self.phases[thread] = Phase::Idle;
                finished
            }
            News::Done {
                step,
                kind,
                freed,
                finished,
            } => {
                pending.retain(|&p| p != Pending::Answer(thread));
                self.done(thread, step, &kind, freed, pending);
                observing.kind = Some(kind);
                finished
            }
            News::Waiting { step, wait } => {
                pending.retain(|&p| p != Pending::Answer(thread));
                self.phases[thread] = Phase::Waiting(wait);
                self.pcs[thread] = step;
                false
            }
            News::Woken {
                step,
                wait,
                finished,
            } => {
                self.woken(thread, step, wait, observing, pending);
                finished
            }
            News::Fault { step, fault } => {
                pending.retain(|&p| p != Pending::Answer(thread));
                observing.fault = Some((step, fault));
                false
            }
        };
        if finished {
            self.finished(thread, pending);
        }
    }

    /// A step ran without waiting; for a release, `freed` is the lock if
    /// it is free now.
    fn done(
        &mut self,
        thread: usize,
        step: usize,
        kind: &EventKind,
        freed: Option<usize>,
        pending: &mut Vec<Pending>,
    ) {
        if let Some(lock) = freed {
            self.freed(thread, lock, pending);
        }
        self.phases[thread] = Phase::Idle;
        self.pcs[thread] = step + 1;
        match *kind {
            EventKind::Acquire { lock, .. } => self.holders[lock] = Some(thread),
            EventKind::Drop { resume, .. } => {
                self.skipped[thread][step + 1..resume].fill(true);
                self.pcs[thread] = resume;
            }
            // The target may have reported its start already.
            EventKind::Spawn(target) if self.phases[target] == Phase::NotStarted => {
                pending.push(Pending::Start(target));
            }
            _ => {}
        }
    }

    /// `thread` freed `lock`: if threads wait for it, one must get it.
    fn freed(&mut self, thread: usize, lock: usize, pending: &mut Vec<Pending>) {
        // The waiter that got it may have reported before the releaser did:
        // then the lock has its new holder already and nothing is missing.
        if self.holders[lock] != Some(thread) {
            return;
        }
        self.holders[lock] = None;
        if self.waiters(Wait::Lock(lock)).next().is_some() {
            pending.push(Pending::Wake(lock));
        }
    }

    /// A blocking call returned: for the released thread within its grace
    /// period the step simply ran; for any other, its step completed as
    /// part of this event.
    fn woken(
        &mut self,
        thread: usize,
        step: usize,
        wait: Wait,
        observing: &mut Observing,
        pending: &mut Vec<Pending>,
    ) {
        match wait {
            Wait::Lock(lock) => {
                self.holders[lock] = Some(thread);
                remove_first(pending, Pending::Wake(lock));
            }
            Wait::Join(_) => pending.retain(|&p| p != Pending::Joiner(thread)),
        }
        self.phases[thread] = Phase::Idle;
        self.pcs[thread] = step + 1;
        if thread == observing.cue.thread && observing.kind.is_none() {
            observing.kind = Some(match wait {
                Wait::Lock(lock) => EventKind::Acquire {
                    lock,
                    reentry: false,
                },
                Wait::Join(target) => EventKind::Join(target),
            });
        } else {
            observing.completed.push(Completion { thread, step, wait });
        }
    }

    /// `thread` finished: every thread joining it must return.
    fn finished(&mut self, thread: usize, pending: &mut Vec<Pending>) {
        self.phases[thread] = Phase::Finished;
        let joiners: Vec<usize> = self.waiters(Wait::Join(thread)).collect();
        pending.extend(joiners.into_iter().map(Pending::Joiner));
    }

    /// The threads inside a blocking call for `wait`.
    fn waiters(&self, wait: Wait) -> impl Iterator<Item = usize> + '_ {
        (0..self.phases.len()).filter(move |&t| self.phases[t].wait() == Some(wait))
    }
}

impl Drop for Conductor<'_> {
    /// Ends the run: idle and unstarted workers exit, and finished ones
    /// give up the locks they kept. Workers inside a blocking call are left
    /// where they are; ending the process frees them.
    fn drop(&mut self) {
        self.commands.clear();
        for gate in &self.shared.gates {
            gate.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
        }
        let handles = std::mem::take(&mut self.handles);
        for (thread, handle) in handles.into_iter().enumerate() {
            if self.phases[thread].wait().is_none() {
                let _ = handle.join();
            }
        }
    }
}

/// Removes the first `item` of `pending`, if there is one.
fn remove_first(pending: &mut Vec<Pending>, item: Pending) {
    if let Some(i) = pending.iter().position(|&p| p == item) {
        pending.remove(i);
    }
}

fn skipped_event(cue: Cue) -> RealEvent {
    RealEvent {
        thread: cue.thread,
        step: cue.step,
        kind: EventKind::Skipped,
        auto: cue.auto,
        completed: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    //! In-process runs that finish: a run that ends blocked would leave
    //! its threads in the test process, so those go through the child in
    //! `tests/real.rs`.

    use super::*;
    use crate::real::{RealRun, compare};
    use crate::schedule::{self, built_in};
    use crate::sim;

    fn replay_here(schedule: &Schedule, patch: PatchMode) -> (Run, RealRun) {
        let order = sim::resolve_order(schedule, &schedule.order).unwrap();
        let model = Model::new(schedule);
        let run = sim::run(schedule, &model, patch, &order).unwrap();
        let mut events = Vec::new();
        let cues = script(&order, &run);
        let outcome = conduct(schedule, model, patch, &cues, GRACE, |e| {
            events.push(e.clone());
        })
        .unwrap();
        let real = RealRun {
            events,
            outcome,
            child: std::process::id(),
            elapsed: Duration::ZERO,
            grace: GRACE,
        };
        (run, real)
    }

    const GRACE: Duration = Duration::from_millis(20);

    #[test]
    fn the_script_is_the_order_then_the_auto_events() {
        let schedule = built_in();
        let order = sim::resolve_order(&schedule, &schedule.order).unwrap();
        let model = Model::new(&schedule);
        let run = sim::run(&schedule, &model, PatchMode::On, &order).unwrap();
        let cues = script(&order, &run);
        let listed = cues.iter().filter(|c| !c.auto).count();
        assert_eq!(listed, order.len());
        assert_eq!(cues.len(), run.events.len());
        assert!(
            cues.iter()
                .zip(&run.events)
                .all(|(c, e)| c.thread == e.thread)
        );
    }

    #[test]
    fn the_patched_app_engine_run_drops_b_s_record_for_real() {
        let (run, real) = replay_here(&built_in(), PatchMode::On);
        assert_eq!(real.outcome, RealOutcome::Finished);
        let drop = &real.events[6];
        assert!(matches!(drop.kind, EventKind::Drop { ref dropped, .. } if dropped == &[3]));
        assert!(compare(&run, &real).agrees());
    }

    #[test]
    fn a_blocked_waiter_gets_the_lock_when_its_holder_frees_it() {
        let text = std::fs::read("schedules/appengine-needless-drop.ron").unwrap();
        let schedule = schedule::parse("needless-drop", &text).unwrap();
        let (run, real) = replay_here(&schedule, PatchMode::Off);
        assert_eq!(real.events[3].kind, EventKind::Blocked(Wait::Lock(0)));
        let handed = Completion {
            thread: 0,
            step: 0,
            wait: Wait::Lock(0),
        };
        assert_eq!(real.events[5].completed, vec![handed]);
        assert!(compare(&run, &real).agrees());
    }
}
