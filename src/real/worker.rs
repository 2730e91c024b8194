//! The worker threads: one OS thread per thread of the schedule. A worker
//! runs one step each time the conductor says `go`, on the real locks, and
//! reports what happened; it keeps its guards between steps.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::ThreadId;

use parking_lot::{Mutex, MutexGuard};

use super::kernel;
use super::lock::{Guard, RealLock};
use crate::sim::{Action, EventKind, Fault, Model, PatchMode, Program, Wait};

/// What the workers share: the model, the locks, and per thread the
/// lifetime lock a `Join` waits on and the gate a `Spawn` opens.
pub(crate) struct Shared {
    /// The programs, resolved.
    pub model: Model,
    /// Whether the patched handler is in use.
    pub patch: PatchMode,
    /// One per lock of the schedule.
    pub locks: Vec<RealLock>,
    /// One per thread, held by it from its creation until it finishes, so
    /// that a `Join` is a wait `parking_lot`'s deadlock detection can see.
    pub lifetimes: Vec<Mutex<()>>,
    /// One per thread: the sender a `Spawn` uses to start it, `None` for a
    /// thread that has started. A std mutex, so that only the schedule's
    /// own locks show in `parking_lot`'s wait-for graph.
    pub gates: Vec<std::sync::Mutex<Option<Sender<()>>>>,
}

impl Shared {
    /// Free locks and closed gates for `model`; with, per thread that waits
    /// for a `Spawn`, the receiving end of its gate, for its worker.
    pub(crate) fn new(model: Model, patch: PatchMode) -> (Self, Vec<Option<Receiver<()>>>) {
        let (senders, receivers): (Vec<_>, Vec<_>) = model
            .programs
            .iter()
            .map(|program| {
                if !program.spawned {
                    return (None, None);
                }
                let (sender, receiver) = mpsc::channel();
                (Some(sender), Some(receiver))
            })
            .unzip();
        let shared = Shared {
            locks: model.lock_kinds.iter().map(|&k| RealLock::new(k)).collect(),
            lifetimes: senders.iter().map(|_| Mutex::new(())).collect(),
            gates: senders.into_iter().map(std::sync::Mutex::new).collect(),
            model,
            patch,
        };
        (shared, receivers)
    }
}

/// A message from a worker to the conductor.
#[derive(Debug)]
pub(crate) struct Report {
    /// The worker's thread of the schedule.
    pub thread: usize,
    /// What it has to say.
    pub news: News,
}

/// What a worker reports.
#[derive(Debug)]
pub(crate) enum News {
    /// The worker exists and holds its lifetime lock; `id` is its OS
    /// thread's id, as `parking_lot`'s deadlock detection names it.
    Ready {
        /// The id of the worker's OS thread.
        id: ThreadId,
        /// The kernel's id of that thread, where the system says.
        tid: Option<u32>,
    },
    /// A `Spawn` started the thread.
    Started {
        /// It is already past its last step.
        finished: bool,
    },
    /// The step ran without waiting.
    Done {
        /// The step.
        step: usize,
        /// What it did.
        kind: EventKind,
        /// For a release, the lock, if this made it free.
        freed: Option<usize>,
        /// The thread is past its last step.
        finished: bool,
    },
    /// The step could not proceed at once: the worker is about to call a
    /// blocking `lock`. Whether it returns is for the conductor to see.
    Waiting {
        /// The step.
        step: usize,
        /// What the call waits for.
        wait: Wait,
    },
    /// A blocking call returned: the waiting step completed.
    Woken {
        /// The step.
        step: usize,
        /// What it had waited for.
        wait: Wait,
        /// The thread is past its last step.
        finished: bool,
    },
    /// The step is impossible here; the worker did nothing.
    Fault {
        /// The step.
        step: usize,
        /// Why.
        fault: Fault,
    },
}

/// The channels a worker is started with.
pub(crate) struct Wiring {
    /// Where it reports.
    pub reports: Sender<Report>,
    /// Where the conductor's `go` arrives; closed when the run is over.
    pub commands: Receiver<()>,
    /// For a thread that waits for a `Spawn`, where the start arrives.
    pub gate: Option<Receiver<()>>,
}

/// The body of worker `thread`'s OS thread.
pub(crate) fn work(shared: &Shared, thread: usize, wiring: Wiring) {
    let Wiring {
        reports,
        commands,
        gate,
    } = wiring;
    let mut worker = Worker {
        thread,
        shared,
        reports,
        pc: 0,
        held: (0..shared.locks.len()).map(|_| Vec::new()).collect(),
        lifetime: Some(shared.lifetimes[thread].lock()),
    };
    if worker.start(gate) {
        worker.run(&commands);
    }
}

/// One worker's own state: where it is and what it holds.
struct Worker<'s> {
    thread: usize,
    shared: &'s Shared,
    reports: Sender<Report>,
    /// The step it runs next.
    pc: usize,
    /// Per lock, one guard per acquire it holds.
    held: Vec<Vec<Guard<'s>>>,
    /// The lifetime lock, until the thread finishes.
    lifetime: Option<MutexGuard<'s, ()>>,
}

impl<'s> Worker<'s> {
    /// Reports ready, then, for a thread that waits for a `Spawn`, waits
    /// for it; false when the run ended first.
    fn start(&mut self, gate: Option<Receiver<()>>) -> bool {
        let id = std::thread::current().id();
        let tid = kernel::current_thread();
        if !self.send(News::Ready { id, tid }) {
            return false;
        }
        let Some(gate) = gate else {
            return true;
        };
        if gate.recv().is_err() {
            return false;
        }
        let finished = self.finish_if_done();
        self.send(News::Started { finished })
    }

    /// Runs one step per `go` until the program ends.
    fn run(&mut self, commands: &Receiver<()>) {
        while self.pc < self.program().actions.len() {
            let news = commands.recv().ok().and_then(|()| self.step());
            if !news.is_some_and(|news| self.send(news)) {
                return;
            }
        }
        // A finished thread keeps the locks it still holds, as in the
        // model, until the run is over.
        if self.held.iter().any(|guards| !guards.is_empty()) {
            while commands.recv().is_ok() {}
        }
    }

    fn program(&self) -> &'s Program {
        &self.shared.model.programs[self.thread]
    }

    /// Sends `news`; false when the conductor is gone.
    fn send(&self, news: News) -> bool {
        let report = Report {
            thread: self.thread,
            news,
        };
        self.reports.send(report).is_ok()
    }

    /// Runs the step at `pc`; `None` when the conductor went away while
    /// the worker was about to block.
    fn step(&mut self) -> Option<News> {
        match self.program().actions[self.pc] {
            Action::Work => Some(self.done(EventKind::Work, None)),
            Action::Log => Some(self.done(EventKind::Log, None)),
            Action::Acquire(lock) => self.acquire(lock),
            Action::Release(lock) => Some(self.release(lock)),
            Action::Spawn(target) => Some(self.spawn(target)),
            Action::Join(target) => self.join(target),
        }
    }

    /// Moves past the current step and says what it did.
    fn done(&mut self, kind: EventKind, freed: Option<usize>) -> News {
        let step = self.pc;
        self.pc = match kind {
            EventKind::Drop { resume, .. } => resume,
            _ => step + 1,
        };
        let finished = self.finish_if_done();
        News::Done {
            step,
            kind,
            freed,
            finished,
        }
    }

    /// An acquire: a real `try_lock` first; if the lock is taken, the
    /// patched handler may drop the record, else the worker really blocks.
    fn acquire(&mut self, lock: usize) -> Option<News> {
        let real = &self.shared.locks[lock];
        let reentry = !self.held[lock].is_empty();
        if let Some(guard) = real.try_lock() {
            self.held[lock].push(guard);
            return Some(self.done(EventKind::Acquire { lock, reentry }, None));
        }
        if self.drops_record(lock) {
            return Some(self.drop_record(lock));
        }
        let step = self.pc;
        let wait = Wait::Lock(lock);
        if !self.send(News::Waiting { step, wait }) {
            return None;
        }
        let guard = real.lock();
        self.held[lock].push(guard);
        Some(self.woken(wait))
    }

    /// The patched handler's question, asked after its `try_lock` failed:
    /// is the other lock held by any thread, this one included?
    fn drops_record(&self, lock: usize) -> bool {
        let patch = self.shared.model.patch;
        patch.is_some_and(|p| {
            self.shared.patch.is_on()
                && p.try_lock == lock
                && self.shared.locks[p.drop_if_held].is_locked()
        })
    }

    /// Skips past the matching release, as the model does; every `Log`
    /// step skipped is a dropped record.
    fn drop_record(&mut self, lock: usize) -> News {
        let program = self.program();
        let step = self.pc;
        let resume = program.matching_release[step].map_or(program.actions.len(), |r| r + 1);
        let dropped = (step + 1..resume)
            .filter(|&s| program.actions[s] == Action::Log)
            .collect();
        let kind = EventKind::Drop {
            lock,
            resume,
            dropped,
        };
        self.done(kind, None)
    }

    fn release(&mut self, lock: usize) -> News {
        let Some(guard) = self.held[lock].pop() else {
            let step = self.pc;
            let fault = Fault::NotHeld { lock };
            return News::Fault { step, fault };
        };
        let freed = self.held[lock].is_empty().then_some(lock);
        guard.unlock_fair();
        self.done(EventKind::Release { lock }, freed)
    }

    fn spawn(&mut self, target: usize) -> News {
        let gate = self.shared.gates[target]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let Some(start) = gate else {
            let step = self.pc;
            let fault = Fault::AlreadyStarted { thread: target };
            return News::Fault { step, fault };
        };
        // A worker that waits for its start holds the receiver; if it is
        // gone, the run is being torn down and nothing more is observed.
        let _ = start.send(());
        self.done(EventKind::Spawn(target), None)
    }

    /// A join: the target's lifetime lock is free once it has finished.
    fn join(&mut self, target: usize) -> Option<News> {
        let lifetime = &self.shared.lifetimes[target];
        if let Some(guard) = lifetime.try_lock() {
            MutexGuard::unlock_fair(guard);
            return Some(self.done(EventKind::Join(target), None));
        }
        let step = self.pc;
        let wait = Wait::Join(target);
        if !self.send(News::Waiting { step, wait }) {
            return None;
        }
        // Hand the lifetime lock on at once, to the next joiner if any.
        MutexGuard::unlock_fair(lifetime.lock());
        Some(self.woken(wait))
    }

    /// A blocking call returned: the current step completed.
    fn woken(&mut self, wait: Wait) -> News {
        let step = self.pc;
        self.pc += 1;
        let finished = self.finish_if_done();
        News::Woken {
            step,
            wait,
            finished,
        }
    }

    /// Past the last step, gives up the lifetime lock so that joiners
    /// wake; true when the thread has finished.
    fn finish_if_done(&mut self) -> bool {
        if self.pc < self.program().actions.len() {
            return false;
        }
        if let Some(guard) = self.lifetime.take() {
            MutexGuard::unlock_fair(guard);
        }
        true
    }
}
