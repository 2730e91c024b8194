//! The state of a run and the semantics of one step.
//!
//! [`State::step`] is the single place where the rules of DESIGN §2 live:
//! acquire and re-entry, blocking, FIFO hand-off on release, spawn, join,
//! and the patched acquire that drops records. Everything else (orders,
//! exploration, the TUI) drives it.

use std::collections::VecDeque;

use super::model::{Action, Model};
use crate::schedule::LockKind;

/// Whether the patched handler is in use for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PatchMode {
    /// The stock handler: an acquire that cannot proceed waits.
    #[default]
    Off,
    /// The patched handler: try the lock, drop the record if the other lock
    /// is held by any thread.
    On,
}

impl PatchMode {
    /// `On` when `patched` is true.
    #[must_use]
    pub fn from_flag(patched: bool) -> Self {
        if patched { Self::On } else { Self::Off }
    }

    /// The other mode.
    #[must_use]
    pub fn toggled(self) -> Self {
        match self {
            Self::Off => Self::On,
            Self::On => Self::Off,
        }
    }

    /// True for `On`.
    #[must_use]
    pub fn is_on(self) -> bool {
        self == Self::On
    }
}

/// What a blocked thread waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wait {
    /// A lock held by another thread (or by itself, for a plain lock).
    Lock(usize),
    /// Another thread to finish.
    Join(usize),
}

/// Where a thread is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Waiting for another thread's `Spawn`.
    NotStarted,
    /// Can run its next step.
    Runnable,
    /// Its current step was attempted and waits.
    Blocked(Wait),
    /// Past its last step.
    Finished,
}

/// One thread's place in its program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ThreadState {
    /// Where the thread is.
    pub status: Status,
    /// The step it runs next, or waits in.
    pub pc: usize,
}

/// One lock: holder, count and the queue of waiters, longest first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LockState {
    /// The thread that holds it.
    pub holder: Option<usize>,
    /// How many times the holder has acquired it.
    pub count: u32,
    /// Threads blocked on it, in the order they started waiting.
    pub waiters: VecDeque<usize>,
}

/// Everything that decides what can happen next.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct State {
    /// Per thread, in declaration order.
    pub threads: Vec<ThreadState>,
    /// Per lock, in declaration order.
    pub locks: Vec<LockState>,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// Plain work.
    Work,
    /// Took the lock; `reentry` when the thread already held it.
    Acquire {
        /// The lock.
        lock: usize,
        /// The holder acquired a reentrant lock again.
        reentry: bool,
    },
    /// The attempt could not proceed; the thread now waits.
    Blocked(Wait),
    /// Gave the lock back (perhaps handing it to a waiter).
    Release {
        /// The lock.
        lock: usize,
    },
    /// Wrote a log record.
    Log,
    /// Started a thread.
    Spawn(usize),
    /// Joined a thread that had already finished.
    Join(usize),
    /// The patched acquire found the lock taken and the other lock held:
    /// the thread skipped to `resume`, dropping the `Log` steps in `dropped`.
    Drop {
        /// The lock that was tried.
        lock: usize,
        /// The step the thread runs next.
        resume: usize,
        /// The skipped `Log` steps, whose records are lost.
        dropped: Vec<usize>,
    },
    /// The order listed a step that a drop had skipped: nothing happens.
    Skipped,
}

/// A waiting thread whose step completed as part of another's event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// The thread that was waiting.
    pub thread: usize,
    /// Its step that completed.
    pub step: usize,
    /// What it had waited for.
    pub wait: Wait,
}

/// One entry of a run: a thread ran (attempted) one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The thread that moved.
    pub thread: usize,
    /// Its step.
    pub step: usize,
    /// What happened.
    pub kind: EventKind,
    /// Run by the default policy after the order was used up.
    pub auto: bool,
    /// Waiting threads whose acquire or join completed in this event.
    pub completed: Vec<Completion>,
    /// Lock-order edges `(held, wanted)` this attempt adds.
    pub order_edges: Vec<(usize, usize)>,
}

/// A step that cannot run because the program does something impossible
/// at this point (possible only after a drop skipped part of a program).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Release of a lock the thread does not hold.
    NotHeld {
        /// The lock.
        lock: usize,
    },
    /// Spawn of a thread that already started.
    AlreadyStarted {
        /// The thread.
        thread: usize,
    },
}

impl State {
    /// The state before anything runs.
    #[must_use]
    pub fn initial(model: &Model) -> Self {
        let threads = model
            .programs
            .iter()
            .map(|p| ThreadState {
                status: if p.spawned {
                    Status::NotStarted
                } else {
                    Status::Runnable
                },
                pc: 0,
            })
            .collect();
        let locks = vec![LockState::default(); model.lock_count()];
        Self { threads, locks }
    }

    /// True when thread `t` can run its next step.
    #[must_use]
    pub fn can_run(&self, t: usize) -> bool {
        self.threads[t].status == Status::Runnable
    }

    /// The threads that can run, in declaration order.
    pub fn runnable(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.threads.len()).filter(|&t| self.can_run(t))
    }

    /// True when every thread has finished.
    #[must_use]
    pub fn all_finished(&self) -> bool {
        self.threads.iter().all(|t| t.status == Status::Finished)
    }

    /// The locks `t` holds, in declaration order.
    pub fn held_by(&self, t: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.locks.len()).filter(move |&l| self.locks[l].holder == Some(t))
    }

    /// Runs the next step of thread `t`, which must be Runnable.
    ///
    /// # Errors
    ///
    /// A [`Fault`] when the step is impossible here; the state is unchanged.
    ///
    /// # Panics
    ///
    /// If `t` is not Runnable: callers check [`State::can_run`].
    pub fn step(&mut self, model: &Model, t: usize, patch: PatchMode) -> Result<Event, Fault> {
        assert!(self.can_run(t), "thread {t} is not runnable");
        let step = self.threads[t].pc;
        let mut event = Event {
            thread: t,
            step,
            kind: EventKind::Work,
            auto: false,
            completed: Vec::new(),
            order_edges: Vec::new(),
        };
        event.kind = match model.programs[t].actions[step] {
            Action::Work => self.advance(model, t, &mut event.completed, EventKind::Work),
            Action::Log => self.advance(model, t, &mut event.completed, EventKind::Log),
            Action::Acquire(lock) => self.acquire(model, t, lock, patch, &mut event),
            Action::Release(lock) => self.release(model, t, lock, &mut event.completed)?,
            Action::Spawn(target) => self.spawn(model, t, target, &mut event.completed)?,
            Action::Join(target) => self.join(model, t, target, &mut event.completed),
        };
        Ok(event)
    }

    /// Moves `t` past its current step and returns `kind`.
    fn advance(
        &mut self,
        model: &Model,
        t: usize,
        completed: &mut Vec<Completion>,
        kind: EventKind,
    ) -> EventKind {
        self.threads[t].pc += 1;
        self.finish_if_done(model, t, completed);
        kind
    }

    /// An acquire: re-entry, a free lock taken, a patched drop, or a wait.
    fn acquire(
        &mut self,
        model: &Model,
        t: usize,
        lock: usize,
        patch: PatchMode,
        event: &mut Event,
    ) -> EventKind {
        let reentrant = model.lock_kinds[lock] == LockKind::Reentrant;
        let holder = self.locks[lock].holder;
        if holder == Some(t) && reentrant {
            self.locks[lock].count += 1;
            let kind = EventKind::Acquire {
                lock,
                reentry: true,
            };
            return self.advance(model, t, &mut event.completed, kind);
        }
        let patched = model.patch.filter(|p| patch.is_on() && p.try_lock == lock);
        if holder.is_none() {
            // A try-lock that succeeds at once cannot wait: no order edge.
            if patched.is_none() {
                event.order_edges = self.order_edges(t, lock);
            }
            return self.take(model, t, lock, &mut event.completed);
        }
        if let Some(p) = patched
            && self.locks[p.drop_if_held].holder.is_some()
        {
            return self.drop_record(model, t, lock, &mut event.completed);
        }
        event.order_edges = self.order_edges(t, lock);
        self.locks[lock].waiters.push_back(t);
        self.threads[t].status = Status::Blocked(Wait::Lock(lock));
        EventKind::Blocked(Wait::Lock(lock))
    }

    /// The lock-order edges of `t` wanting `lock`: from every other lock it
    /// holds.
    fn order_edges(&self, t: usize, lock: usize) -> Vec<(usize, usize)> {
        self.held_by(t)
            .filter(|&h| h != lock)
            .map(|h| (h, lock))
            .collect()
    }

    /// `t` takes the free `lock`.
    fn take(
        &mut self,
        model: &Model,
        t: usize,
        lock: usize,
        completed: &mut Vec<Completion>,
    ) -> EventKind {
        let state = &mut self.locks[lock];
        state.holder = Some(t);
        state.count = 1;
        self.advance(
            model,
            t,
            completed,
            EventKind::Acquire {
                lock,
                reentry: false,
            },
        )
    }

    /// The patched handler gives up: skip past the matching release.
    fn drop_record(
        &mut self,
        model: &Model,
        t: usize,
        lock: usize,
        completed: &mut Vec<Completion>,
    ) -> EventKind {
        let program = &model.programs[t];
        let step = self.threads[t].pc;
        let resume = program.matching_release[step].map_or(program.actions.len(), |r| r + 1);
        let dropped = (step + 1..resume)
            .filter(|&s| program.actions[s] == Action::Log)
            .collect();
        self.threads[t].pc = resume;
        self.finish_if_done(model, t, completed);
        EventKind::Drop {
            lock,
            resume,
            dropped,
        }
    }

    fn release(
        &mut self,
        model: &Model,
        t: usize,
        lock: usize,
        completed: &mut Vec<Completion>,
    ) -> Result<EventKind, Fault> {
        let state = &mut self.locks[lock];
        if state.holder != Some(t) {
            return Err(Fault::NotHeld { lock });
        }
        state.count -= 1;
        if state.count == 0 {
            state.holder = None;
            if let Some(waiter) = state.waiters.pop_front() {
                state.holder = Some(waiter);
                state.count = 1;
                self.complete_wait(model, waiter, Wait::Lock(lock), completed);
            }
        }
        Ok(self.advance(model, t, completed, EventKind::Release { lock }))
    }

    fn spawn(
        &mut self,
        model: &Model,
        t: usize,
        target: usize,
        completed: &mut Vec<Completion>,
    ) -> Result<EventKind, Fault> {
        if self.threads[target].status != Status::NotStarted {
            return Err(Fault::AlreadyStarted { thread: target });
        }
        self.threads[target].status = Status::Runnable;
        self.finish_if_done(model, target, completed);
        Ok(self.advance(model, t, completed, EventKind::Spawn(target)))
    }

    fn join(
        &mut self,
        model: &Model,
        t: usize,
        target: usize,
        completed: &mut Vec<Completion>,
    ) -> EventKind {
        if self.threads[target].status == Status::Finished {
            return self.advance(model, t, completed, EventKind::Join(target));
        }
        self.threads[t].status = Status::Blocked(Wait::Join(target));
        EventKind::Blocked(Wait::Join(target))
    }

    /// A blocked thread's step completes: it moves on and may finish.
    fn complete_wait(
        &mut self,
        model: &Model,
        t: usize,
        wait: Wait,
        completed: &mut Vec<Completion>,
    ) {
        let step = self.threads[t].pc;
        completed.push(Completion {
            thread: t,
            step,
            wait,
        });
        self.threads[t].status = Status::Runnable;
        self.threads[t].pc += 1;
        self.finish_if_done(model, t, completed);
    }

    /// Marks `t` finished if it is past its last step, and completes the
    /// joins that waited for it.
    fn finish_if_done(&mut self, model: &Model, t: usize, completed: &mut Vec<Completion>) {
        let thread = &mut self.threads[t];
        if thread.status != Status::Runnable || thread.pc < model.programs[t].actions.len() {
            return;
        }
        thread.status = Status::Finished;
        let joiners: Vec<usize> = (0..self.threads.len())
            .filter(|&j| self.threads[j].status == Status::Blocked(Wait::Join(t)))
            .collect();
        for joiner in joiners {
            self.complete_wait(model, joiner, Wait::Join(t), completed);
        }
    }
}
