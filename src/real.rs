//! Replaying an order on real OS threads with `parking_lot` locks, to show
//! that the model's prediction really happens (DESIGN §6).
//!
//! How a replay goes:
//!
//! - [`replay_in_child`] starts a child process of lockstep (the hidden
//!   `__real-child` subcommand) and writes it one JSON request on stdin:
//!   the schedule as RON text, the order, the patch flag and the grace
//!   period. The child answers with JSON lines on stdout, one per event as
//!   it is observed, then one with the outcome. The parent enforces a hard
//!   timeout and always kills and reaps the child: deadlocked threads can
//!   never be woken, so only ending their process cleans them up. The
//!   child also exits by itself when its stdin closes, so it cannot
//!   outlive a parent that died. A caller that must stop early (a TUI
//!   that quits) switches a [`Cancel`] given to
//!   [`replay_until_cancelled`]: the child is killed and reaped the same
//!   way, within milliseconds.
//! - In the child, the conductor starts one worker thread per thread of
//!   the schedule (a spawned thread's worker exists from the start and
//!   waits for its `Spawn`), then releases one step at a time in the
//!   sequence of the model's run: the order's entries, then the threads of
//!   the model's `auto` events.
//! - A worker runs its step on the real locks: a `parking_lot`
//!   `ReentrantMutex` or `Mutex` per lock. An acquire is a `try_lock`; if
//!   that fails, the patched handler asks `is_locked()` of the other lock
//!   and drops the record, or the worker calls the blocking `lock()`. The
//!   conductor counts the step as blocked when the call has not returned
//!   within the grace period ([`GRACE`]) and, where the kernel can say
//!   (Linux), the thread sleeps: it has parked. A worker keeps one guard per
//!   acquire between steps, and releases with `unlock_fair`, which hands
//!   the lock to the thread that has waited longest, as the model does.
//! - A `Join` waits on the target's lifetime lock: a `parking_lot` `Mutex`
//!   each worker holds from its creation until its thread finishes. So a
//!   join is a wait `parking_lot` can see, and a cycle through a join is
//!   confirmed like any other.
//! - When the script is used up with threads blocked, the conductor
//!   reports the wait-for cycle it observed, and `parking_lot`'s
//!   `deadlock::check_deadlock` confirms it; the threads it names are
//!   found by mapping the OS thread ids it reports to the workers. Its
//!   search can miss a cycle that a thread outside it leads into, so
//!   the runs agree on the observed cycle, and a miss is reported.
//!
//! The real run is then put beside the model's, event by event
//! ([`compare`]). The words and JSON for that are in [`report`].

mod child;
mod compare;
mod conductor;
mod kernel;
mod lock;
mod parent;
mod protocol;
pub mod report;
mod worker;

use std::time::Duration;

use crate::sim::{Completion, Event, EventKind, Link};

pub use child::run_child;
pub use compare::{Agreement, Row, compare, cycle_members};
pub use parent::{
    CHILD_SUBCOMMAND, Cancel, Options, RealError, replay_in_child, replay_until_cancelled,
};

/// How long a thread inside a blocking `lock()` must stay there before the
/// conductor counts its step as blocked.
///
/// A worker calls the blocking `lock()` only after its `try_lock` failed,
/// and no other thread moves meanwhile, so the call cannot return: the
/// grace period is the observation that confirms it. Past it, the
/// conductor also waits until the kernel says the thread sleeps (on Linux),
/// so that it has parked in the lock's queue before anything else moves.
pub const GRACE: Duration = Duration::from_millis(20);

/// How long the whole replay may take before the child is killed.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// One event of the real run: a thread ran (or attempted) one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealEvent {
    /// The thread that moved.
    pub thread: usize,
    /// Its step.
    pub step: usize,
    /// What the step really did.
    pub kind: EventKind,
    /// The model ran this step by the default policy.
    pub auto: bool,
    /// Threads whose blocking call returned as a result of this step.
    pub completed: Vec<Completion>,
}

impl RealEvent {
    /// The event in the model's terms, to describe it with the model's
    /// words ([`crate::sim::report::event_text`]). A real run records no
    /// lock-order edges.
    #[must_use]
    pub fn as_event(&self) -> Event {
        Event {
            thread: self.thread,
            step: self.step,
            kind: self.kind.clone(),
            auto: self.auto,
            completed: self.completed.clone(),
            order_edges: Vec::new(),
        }
    }
}

impl From<&Event> for RealEvent {
    /// What a real run that did exactly as the model says would record.
    fn from(event: &Event) -> Self {
        Self {
            thread: event.thread,
            step: event.step,
            kind: event.kind.clone(),
            auto: event.auto,
            completed: event.completed.clone(),
        }
    }
}

/// How the real run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RealOutcome {
    /// Every thread ended.
    Finished,
    /// The script is used up and threads are blocked.
    Deadlock {
        /// The threads on a wait-for cycle, in declaration order, as the
        /// conductor observed them: each is parked inside a blocking call
        /// for a lock held (or a thread joined) by the next. Empty when the
        /// waits end at a thread that is not blocked, which is no cycle.
        cycle: Vec<usize>,
        /// The threads in the cycles `parking_lot`'s `check_deadlock`
        /// found, in declaration order. Normally the same as `cycle`; its
        /// search can miss a cycle that another waiting thread leads into
        /// (see the README), never the other way round.
        deadlocked: Vec<usize>,
        /// Each blocked thread, what it waits for and who holds that, as
        /// the conductor observed it.
        waits: Vec<Link>,
    },
    /// The run stopped early: a step could not run.
    Stuck {
        /// The order entry that could not run, if one is to blame.
        entry: Option<usize>,
        /// Why, in a sentence.
        reason: String,
    },
}

impl RealOutcome {
    /// The name used in reports and JSON, as for the model's outcomes.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            RealOutcome::Finished => "finished",
            RealOutcome::Deadlock { .. } => "deadlock",
            RealOutcome::Stuck { .. } => "stuck",
        }
    }
}

/// A replay on real threads, read back from the child process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealRun {
    /// Every event, in the order the conductor released them.
    pub events: Vec<RealEvent>,
    /// How it ended.
    pub outcome: RealOutcome,
    /// The child process's id. It has been killed and reaped by the time
    /// the run is returned.
    pub child: u32,
    /// From starting the child to having reaped it.
    pub elapsed: Duration,
    /// The grace period the blocked steps were observed with.
    pub grace: Duration,
}
