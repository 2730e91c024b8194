//! A validated schedule with every id resolved to an index.

use crate::schedule::{LockKind, Op, Schedule};

/// What a step does, with locks and threads as indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Plain work.
    Work,
    /// Take lock `0`.
    Acquire(usize),
    /// Give lock `0` back.
    Release(usize),
    /// Write a log record.
    Log,
    /// Start thread `0`.
    Spawn(usize),
    /// Wait for thread `0` to finish.
    Join(usize),
}

/// One thread's program, resolved.
#[derive(Debug, Clone)]
pub struct Program {
    /// Whether the thread waits for a `Spawn`.
    pub spawned: bool,
    /// The action of each step.
    pub actions: Vec<Action>,
    /// For an `Acquire` of the patched lock, the step of its matching
    /// `Release` (the last step a drop skips), if there is one.
    pub matching_release: Vec<Option<usize>>,
}

/// The patch, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatchLocks {
    /// The lock taken without waiting.
    pub try_lock: usize,
    /// The lock whose holding makes the patch drop.
    pub drop_if_held: usize,
}

/// The schedule as the simulator sees it.
#[derive(Debug, Clone)]
pub struct Model {
    /// One program per thread, in declaration order.
    pub programs: Vec<Program>,
    /// The kind of each lock.
    pub lock_kinds: Vec<LockKind>,
    /// The patch, if the schedule has one.
    pub patch: Option<PatchLocks>,
}

impl Model {
    /// Resolves a schedule that passed validation.
    ///
    /// # Panics
    ///
    /// If an id is unknown: validation rules that out.
    #[must_use]
    pub fn new(schedule: &Schedule) -> Self {
        let lock = |id: &str| schedule.lock(id).expect("validated lock id").0;
        let thread = |id: &str| schedule.thread(id).expect("validated thread id").0;
        let patch = schedule.patch.as_ref().map(|p| PatchLocks {
            try_lock: lock(&p.try_lock),
            drop_if_held: lock(&p.drop_if_held),
        });
        let programs = schedule
            .threads
            .iter()
            .map(|t| {
                let actions: Vec<Action> = t
                    .steps
                    .iter()
                    .map(|step| match &step.op {
                        Op::Work => Action::Work,
                        Op::Acquire(l) => Action::Acquire(lock(l)),
                        Op::Release(l) => Action::Release(lock(l)),
                        Op::Log(_) => Action::Log,
                        Op::Spawn(t) => Action::Spawn(thread(t)),
                        Op::Join(t) => Action::Join(thread(t)),
                    })
                    .collect();
                let matching_release = matching_releases(&actions, patch);
                Program {
                    spawned: t.spawned,
                    actions,
                    matching_release,
                }
            })
            .collect();
        Self {
            programs,
            lock_kinds: schedule.locks.iter().map(|l| l.kind).collect(),
            patch,
        }
    }

    /// Number of threads.
    #[must_use]
    pub fn thread_count(&self) -> usize {
        self.programs.len()
    }

    /// Number of locks.
    #[must_use]
    pub fn lock_count(&self) -> usize {
        self.lock_kinds.len()
    }
}

/// For each `Acquire(try_lock)`, the step of the `Release` that brings the
/// thread's nesting of that lock back to where it was.
fn matching_releases(actions: &[Action], patch: Option<PatchLocks>) -> Vec<Option<usize>> {
    let Some(patch) = patch else {
        return vec![None; actions.len()];
    };
    let target = patch.try_lock;
    (0..actions.len())
        .map(|s| {
            if actions[s] != Action::Acquire(target) {
                return None;
            }
            let mut depth = 0_usize;
            actions.iter().enumerate().skip(s).find_map(|(i, a)| {
                match a {
                    Action::Acquire(l) if *l == target => depth += 1,
                    Action::Release(l) if *l == target => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            })
        })
        .collect()
}
