//! One move on a packed state.
//!
//! These are the rules of [`sim::State::step`] redone on the fields of a
//! [`Key`], so that a move costs a few shifts and masks instead of a clone
//! of the simulator's vectors. The tests hold the two to the same result
//! on every reachable state of random schedules.
//!
//! [`sim::State::step`]: crate::sim::State::step

use super::Ending;
use super::layout::{Field, Key, Layout};
use crate::schedule::LockKind;
use crate::sim::{Action, Model, PatchMode, State};

/// The result of moving one thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move<const W: usize> {
    /// The thread moved to `key`.
    Next {
        /// The state after the move.
        key: Key<W>,
        /// How much the progress measure grew: 1, or more for a drop.
        rise: usize,
        /// The move was a patched acquire that dropped.
        dropped: bool,
    },
    /// The step is impossible here: a release of a lock the thread does
    /// not hold, or a second spawn (both possible only after a drop).
    Fault,
}

/// What the rules need of one thread, side by side.
#[derive(Debug, Clone, Copy)]
struct ThreadRules {
    /// Where its code is.
    field: Field,
    /// The steps in its program.
    len: usize,
    /// Where its program starts in [`Machine::ops`].
    base: usize,
    /// Some program joins it (when none does, its finishing completes
    /// nothing).
    joined: bool,
}

/// What the rules need of one lock, side by side.
#[derive(Debug, Clone, Copy)]
struct LockRules {
    /// Where its holder is.
    holder: Field,
    /// Where its count is.
    count: Field,
    /// The holder may take it again.
    reentrant: bool,
    /// With the patch on: the lock the patch tries, and the one whose
    /// holding makes it drop.
    drop_if_held: Option<usize>,
}

/// The rules, for one schedule and one patch mode.
#[derive(Debug, Clone)]
pub struct Machine<'a> {
    model: &'a Model,
    layout: &'a Layout,
    threads: Vec<ThreadRules>,
    /// Every program's actions, one after the other.
    ops: Vec<Action>,
    locks: Vec<LockRules>,
    /// Per lock `l` and user index `u`, at `l × threads + u`: the thread.
    users: Vec<usize>,
    /// Per lock `l` and thread `t`, at `l × threads + t`: its user index.
    user_index: Vec<usize>,
}

impl<'a> Machine<'a> {
    /// The rules of `model` with the patch `patch`.
    #[must_use]
    pub fn new(model: &'a Model, layout: &'a Layout, patch: PatchMode) -> Self {
        let (threads, ops) = thread_rules(model, layout);
        let patch = model.patch.filter(|_| patch.is_on());
        let locks = (0..model.lock_count())
            .map(|l| LockRules {
                holder: layout.holders[l],
                count: layout.counts[l],
                reentrant: model.lock_kinds[l] == LockKind::Reentrant,
                drop_if_held: patch.filter(|p| p.try_lock == l).map(|p| p.drop_if_held),
            })
            .collect();
        let width = model.thread_count();
        let mut users = vec![0; width * model.lock_count()];
        let mut user_index = vec![0; width * model.lock_count()];
        for (l, lock_users) in layout.users.iter().enumerate() {
            for (u, &t) in lock_users.iter().enumerate() {
                users[l * width + u] = t;
                user_index[l * width + t] = u;
            }
        }
        Self {
            model,
            layout,
            threads,
            ops,
            locks,
            users,
            user_index,
        }
    }

    /// The packed state before anything runs.
    #[must_use]
    pub fn initial<const W: usize>(&self) -> Key<W> {
        self.layout.encode(self.model, &State::initial(self.model))
    }

    /// The number of threads.
    #[must_use]
    pub fn thread_count(&self) -> usize {
        self.model.thread_count()
    }

    /// The steps in thread `t`'s program.
    #[inline]
    fn len(&self, t: usize) -> usize {
        self.threads[t].len
    }

    /// The action of step `pc` of thread `t`.
    #[inline]
    fn action(&self, t: usize, pc: usize) -> Action {
        self.ops[self.threads[t].base + pc]
    }

    #[inline]
    fn set_code<const W: usize>(&self, key: &mut Key<W>, t: usize, code: usize) {
        self.threads[t].field.set(key, code);
    }

    #[inline]
    fn code<const W: usize>(&self, key: &Key<W>, t: usize) -> usize {
        self.threads[t].field.get(key)
    }

    /// The step thread `t` runs next or waits in.
    #[inline]
    #[must_use]
    pub fn pc<const W: usize>(&self, key: &Key<W>, t: usize) -> usize {
        self.code(key, t) / 2
    }

    /// True when thread `t` is Runnable.
    #[inline]
    #[must_use]
    pub fn can_run<const W: usize>(&self, key: &Key<W>, t: usize) -> bool {
        let code = self.code(key, t);
        code.is_multiple_of(2) && code < 2 * self.len(t)
    }

    /// How a state where no thread can run ended.
    #[must_use]
    pub fn ending<const W: usize>(&self, key: &Key<W>) -> Ending {
        let mut finished = true;
        let mut blocked = false;
        for t in 0..self.thread_count() {
            let (code, len) = (self.code(key, t), self.len(t));
            finished &= code == 2 * len;
            blocked |= code % 2 == 1 && code < 2 * len;
        }
        if finished {
            Ending::Finished
        } else if blocked {
            Ending::Deadlock
        } else {
            Ending::Stuck
        }
    }

    /// Runs the next step of thread `t`, which must be Runnable.
    #[must_use]
    pub fn step<const W: usize>(&self, key: &Key<W>, t: usize) -> Move<W> {
        self.step_at(key, t, self.pc(key, t))
    }

    /// Runs the next step of thread `t` if it is Runnable.
    #[inline]
    #[must_use]
    pub fn try_step<const W: usize>(&self, key: &Key<W>, t: usize) -> Option<Move<W>> {
        let code = self.code(key, t);
        if code % 2 == 1 || code >= 2 * self.len(t) {
            return None;
        }
        Some(self.step_at(key, t, code / 2))
    }

    /// Runs step `pc`, the next step of the Runnable thread `t`.
    fn step_at<const W: usize>(&self, key: &Key<W>, t: usize, pc: usize) -> Move<W> {
        let mut next = *key;
        match self.action(t, pc) {
            Action::Work | Action::Log => self.advance(&mut next, t, pc),
            Action::Acquire(lock) => return self.acquire(next, t, pc, lock),
            Action::Release(lock) => {
                if !self.release(&mut next, t, lock) {
                    return Move::Fault;
                }
                self.advance(&mut next, t, pc);
            }
            Action::Spawn(target) => {
                if self.code(&next, target) != 2 * self.len(target) + 1 {
                    return Move::Fault;
                }
                self.set_code(&mut next, target, 0);
                if self.len(target) == 0 {
                    self.finished(&mut next, target);
                }
                self.advance(&mut next, t, pc);
            }
            Action::Join(target) => {
                if self.code(&next, target) == 2 * self.len(target) {
                    self.advance(&mut next, t, pc);
                } else {
                    self.set_code(&mut next, t, 2 * pc + 1);
                }
            }
        }
        Move::Next {
            key: next,
            rise: 1,
            dropped: false,
        }
    }

    /// Moves `t` past step `pc`; a thread past its last step has Finished.
    #[inline]
    fn advance<const W: usize>(&self, key: &mut Key<W>, t: usize, pc: usize) {
        self.set_code(key, t, 2 * (pc + 1));
        if pc + 1 == self.len(t) {
            self.finished(key, t);
        }
    }

    /// Thread `done` has finished: the joins that waited for it complete.
    fn finished<const W: usize>(&self, key: &mut Key<W>, done: usize) {
        if !self.threads[done].joined {
            return;
        }
        for t in 0..self.thread_count() {
            let code = self.code(key, t);
            let joins = code % 2 == 1
                && code < 2 * self.len(t)
                && self.action(t, code / 2) == Action::Join(done);
            if joins {
                self.advance(key, t, code / 2);
            }
        }
    }

    /// The holder of lock `l`, if any.
    #[inline]
    fn holder<const W: usize>(&self, key: &Key<W>, l: usize) -> Option<usize> {
        let value = self.locks[l].holder.get(key).checked_sub(1)?;
        Some(self.users[l * self.threads.len() + value])
    }

    #[inline]
    fn set_holder<const W: usize>(&self, key: &mut Key<W>, l: usize, holder: Option<usize>) {
        let value = holder.map_or(0, |t| 1 + self.user_index[l * self.threads.len() + t]);
        self.locks[l].holder.set(key, value);
    }

    fn acquire<const W: usize>(&self, mut key: Key<W>, t: usize, pc: usize, l: usize) -> Move<W> {
        let holder = self.holder(&key, l);
        let rules = self.locks[l];
        if holder == Some(t) && rules.reentrant {
            let count = rules.count.get(&key);
            rules.count.set(&mut key, count + 1);
        } else if holder.is_none() {
            self.set_holder(&mut key, l, Some(t));
            rules.count.set(&mut key, 0);
        } else if let Some(other) = rules.drop_if_held
            && self.holder(&key, other).is_some()
        {
            return self.drop_record(key, t, pc);
        } else {
            self.enqueue(&mut key, l, t);
            self.set_code(&mut key, t, 2 * pc + 1);
            return Move::Next {
                key,
                rise: 1,
                dropped: false,
            };
        }
        self.advance(&mut key, t, pc);
        Move::Next {
            key,
            rise: 1,
            dropped: false,
        }
    }

    /// The patched acquire gives up: `t` skips past the matching release.
    fn drop_record<const W: usize>(&self, mut key: Key<W>, t: usize, pc: usize) -> Move<W> {
        let program = &self.model.programs[t];
        let resume = program.matching_release[pc].map_or(program.actions.len(), |r| r + 1);
        self.set_code(&mut key, t, 2 * resume);
        if resume == program.actions.len() {
            self.finished(&mut key, t);
        }
        Move::Next {
            key,
            rise: resume - pc,
            dropped: true,
        }
    }

    /// Gives lock `l` back, handing it to the longest waiter when the
    /// count drops to zero; false when `t` does not hold it.
    fn release<const W: usize>(&self, key: &mut Key<W>, t: usize, l: usize) -> bool {
        if self.holder(key, l) != Some(t) {
            return false;
        }
        let count = self.locks[l].count.get(key);
        if count > 0 {
            self.locks[l].count.set(key, count - 1);
            return true;
        }
        let waiter = self.dequeue(key, l);
        self.set_holder(key, l, waiter);
        if let Some(waiter) = waiter {
            let pc = self.pc(key, waiter);
            self.advance(key, waiter, pc);
        }
        true
    }

    /// Puts `t` at the back of `l`'s queue (nothing to store when the
    /// queue can hold one thread: its code says it waits).
    fn enqueue<const W: usize>(&self, key: &mut Key<W>, l: usize, t: usize) {
        let slots = &self.layout.queues[l];
        if let Some(free) = slots.iter().find(|slot| slot.get(key) == 0) {
            free.set(key, 1 + self.user_index[l * self.threads.len() + t]);
        }
    }

    /// Takes the longest waiter off `l`'s queue.
    fn dequeue<const W: usize>(&self, key: &mut Key<W>, l: usize) -> Option<usize> {
        let slots = &self.layout.queues[l];
        let Some(first) = slots.first() else {
            return self.layout.blocked_on(self.model, key, l).next();
        };
        let front = first.get(key).checked_sub(1)?;
        for pair in slots.windows(2) {
            let behind = pair[1].get(key);
            pair[0].set(key, behind);
        }
        slots[slots.len() - 1].set(key, 0);
        Some(self.users[l * self.threads.len() + front])
    }
}

/// Each thread's rules, and every program's actions in one array.
fn thread_rules(model: &Model, layout: &Layout) -> (Vec<ThreadRules>, Vec<Action>) {
    let mut threads = Vec::new();
    let mut ops = Vec::new();
    for (t, program) in model.programs.iter().enumerate() {
        let joins = |p: &crate::sim::Program| p.actions.contains(&Action::Join(t));
        threads.push(ThreadRules {
            field: layout.threads[t],
            len: program.actions.len(),
            base: ops.len(),
            joined: model.programs.iter().any(joins),
        });
        ops.extend_from_slice(&program.actions);
    }
    (threads, ops)
}
