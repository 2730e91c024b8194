//! Whether a drop was needed: from the state where the patched acquire
//! gave up, could the stock handler have deadlocked?
//!
//! That is a question about every execution from that state without the
//! patch, so it is a depth-first search of the unpatched rules from there.
//! Answers are kept per state, so the states below many drops are searched
//! once in all.

use rustc_hash::FxHashMap;

use super::Ending;
use super::layout::Key;
use super::limits::{Budget, Stop};
use super::machine::{Machine, Move};

/// Deadlock reachability under the stock rules, remembered per state.
#[derive(Debug)]
pub struct DeadlockReach<'a, const W: usize> {
    /// The unpatched rules.
    machine: Machine<'a>,
    /// States already answered.
    known: FxHashMap<Key<W>, bool>,
}

/// A state on the search stack and how far its moves have been tried.
struct Frame<const W: usize> {
    key: Key<W>,
    /// The next thread to try.
    next: usize,
    /// Some thread could move.
    moved: bool,
    /// A deadlock is reachable through a move tried already.
    found: bool,
}

impl<const W: usize> Frame<W> {
    fn new(key: Key<W>) -> Self {
        Self {
            key,
            next: 0,
            moved: false,
            found: false,
        }
    }
}

impl<'a, const W: usize> DeadlockReach<'a, W> {
    /// Reachability under `machine`, which must be the unpatched rules.
    #[must_use]
    pub fn new(machine: Machine<'a>) -> Self {
        Self {
            machine,
            known: FxHashMap::default(),
        }
    }

    /// True when some execution from `start` deadlocks. Every state
    /// answered counts against `budget`.
    ///
    /// # Errors
    ///
    /// A [`Stop`] from the budget.
    pub fn reachable_from(
        &mut self,
        start: &Key<W>,
        budget: &mut Budget<'_>,
    ) -> Result<bool, Stop> {
        if let Some(&known) = self.known.get(start) {
            return Ok(known);
        }
        let mut stack = vec![Frame::new(*start)];
        while let Some(frame) = stack.last_mut() {
            let child = if frame.found {
                None
            } else {
                self.next_child(frame)
            };
            if let Some(child) = child {
                match self.known.get(&child) {
                    Some(&reach) => frame.found |= reach,
                    None => stack.push(Frame::new(child)),
                }
                continue;
            }
            let reach = frame.found
                || (!frame.moved && self.machine.ending(&frame.key) == Ending::Deadlock);
            let key = frame.key;
            stack.pop();
            budget.found_one()?;
            budget.expanded_one()?;
            self.known.insert(key, reach);
            if let Some(parent) = stack.last_mut() {
                parent.found |= reach;
            }
        }
        Ok(self.known[start])
    }

    /// The state after the next move of `frame` not tried yet, if any.
    fn next_child(&self, frame: &mut Frame<W>) -> Option<Key<W>> {
        while frame.next < self.machine.thread_count() {
            let t = frame.next;
            frame.next += 1;
            if !self.machine.can_run(&frame.key, t) {
                continue;
            }
            frame.moved = true;
            if let Move::Next { key, .. } = self.machine.step(&frame.key, t) {
                return Some(key);
            }
        }
        None
    }
}
