//! The compact encoding of a state: every field of [`sim::State`] packed
//! into a few 64-bit words, each field as narrow as the schedule allows.
//!
//! A thread is one number, its *code*: `2 × pc`, plus one while it is
//! Blocked at `pc`; `2 × len` once it has Finished (a thread past its last
//! step), `2 × len + 1` while it waits for a `Spawn`. What a blocked thread
//! waits for is the op of its current step, so it needs no field.
//!
//! A lock is its holder (as an index among the threads whose programs
//! acquire it), the holder's count when the lock is reentrant and can be
//! nested, and the order of its waiters when more than one thread can wait
//! for it at once. Which threads wait is already in their codes, so a lock
//! that at most one thread can wait for stores no queue at all.
//!
//! [`sim::State`]: crate::sim::State

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use crate::schedule::LockKind;
use crate::sim::{Action, Model, State, Status};
#[cfg(test)]
use crate::sim::{LockState, ThreadState, Wait};

/// The widest state the explorer handles, in 64-bit words.
pub const MAX_WORDS: usize = 16;

/// A packed state: `W` words, the hash-set key of the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key<const W: usize>(pub [u64; W]);

impl<const W: usize> Default for Key<W> {
    /// All zeros: no state (every state has [`PRESENT`] set).
    fn default() -> Self {
        Self([0; W])
    }
}

impl<const W: usize> Hash for Key<W> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for word in self.0 {
            state.write_u64(word);
        }
    }
}

/// Where one field lives: a word, a shift and a mask. A field of width
/// zero always reads 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    word: usize,
    shift: u32,
    mask: u64,
}

impl Field {
    /// The field's value in `key`.
    #[inline]
    pub fn get<const W: usize>(self, key: &Key<W>) -> usize {
        // A field is at most 64 bits wide and holds a count of steps,
        // threads or nestings, far below `usize::MAX`.
        #[expect(clippy::cast_possible_truncation, reason = "fields are narrow")]
        let value = ((key.0[self.word] >> self.shift) & self.mask) as usize;
        value
    }

    /// Stores `value`, which must fit the field.
    #[inline]
    pub fn set<const W: usize>(self, key: &mut Key<W>, value: usize) {
        let value = value as u64;
        debug_assert!(value <= self.mask, "{value} does not fit {self:?}");
        let word = &mut key.0[self.word];
        *word = (*word & !(self.mask << self.shift)) | (value << self.shift);
    }
}

/// Why a schedule cannot be packed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooWide {
    /// The bits one state would need.
    pub bits: u32,
}

/// The place of every field of a state, computed once per schedule.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Per thread: its code.
    pub threads: Vec<Field>,
    /// Per lock: 0 when free, else 1 + the holder's index in `users`.
    pub holders: Vec<Field>,
    /// Per lock: the holder's count minus one (width 0 when it cannot
    /// exceed one).
    pub counts: Vec<Field>,
    /// Per lock: the waiters, longest first, each 1 + its index in
    /// `users`, 0 for an empty slot; no slots when at most one thread can
    /// wait at a time.
    pub queues: Vec<Vec<Field>>,
    /// Per lock: the threads whose programs acquire it, in order.
    pub users: Vec<Vec<usize>>,
    /// Per lock and thread: the thread's index in `users`.
    pub user_index: Vec<Vec<usize>>,
    /// How many words a state takes.
    pub words: usize,
}

impl Layout {
    /// Sizes every field from the programs of `model`.
    ///
    /// # Errors
    ///
    /// [`TooWide`] when a state needs more than [`MAX_WORDS`] words.
    pub fn new(model: &Model) -> Result<Self, TooWide> {
        let mut packer = Packer::default();
        let threads = model
            .programs
            .iter()
            .map(|p| packer.field(2 * p.actions.len() + 1))
            .collect();
        let users = lock_users(model);
        let mut holders = Vec::new();
        let mut counts = Vec::new();
        let mut queues = Vec::new();
        for (l, users) in users.iter().enumerate() {
            holders.push(packer.field(users.len()));
            counts.push(packer.field(max_nesting(model, l).saturating_sub(1)));
            let capacity = queue_capacity(model, l, users);
            let slots = if capacity < 2 { 0 } else { capacity };
            queues.push((0..slots).map(|_| packer.field(users.len())).collect());
        }
        let user_index = user_indices(model, &users);
        let words = packer.words.len();
        if words > MAX_WORDS {
            return Err(TooWide { bits: packer.bits });
        }
        Ok(Self {
            threads,
            holders,
            counts,
            queues,
            users,
            user_index,
            words,
        })
    }

    /// How many bits a state uses, the present bit included.
    #[cfg(test)]
    #[must_use]
    pub fn bits(&self) -> u32 {
        let fields = self.threads.iter().chain(&self.holders).chain(&self.counts);
        let queues = self.queues.iter().flatten();
        1 + fields
            .chain(queues)
            .map(|f| f.mask.count_ones())
            .sum::<u32>()
    }

    /// Packs a state of the simulator.
    #[must_use]
    pub fn encode<const W: usize>(&self, model: &Model, state: &State) -> Key<W> {
        let mut key = Key([0; W]);
        key.0[0] = PRESENT;
        for (t, thread) in state.threads.iter().enumerate() {
            let len = model.programs[t].actions.len();
            let code = match thread.status {
                Status::NotStarted => 2 * len + 1,
                Status::Runnable | Status::Finished => 2 * thread.pc,
                Status::Blocked(_) => 2 * thread.pc + 1,
            };
            self.threads[t].set(&mut key, code);
        }
        for (l, lock) in state.locks.iter().enumerate() {
            let holder = lock.holder.map_or(0, |t| 1 + self.user_index[l][t]);
            self.holders[l].set(&mut key, holder);
            self.counts[l].set(&mut key, lock.count.saturating_sub(1) as usize);
            for (slot, &waiter) in self.queues[l].iter().zip(&lock.waiters) {
                slot.set(&mut key, 1 + self.user_index[l][waiter]);
            }
        }
        key
    }

    /// Unpacks a state into the simulator's form (for the tests that hold
    /// the packing to the simulator).
    #[cfg(test)]
    #[must_use]
    pub fn decode<const W: usize>(&self, model: &Model, key: &Key<W>) -> State {
        let threads = (0..model.thread_count())
            .map(|t| self.thread_state(model, key, t))
            .collect();
        let locks = (0..model.lock_count())
            .map(|l| self.lock_state(model, key, l))
            .collect();
        State { threads, locks }
    }

    #[cfg(test)]
    fn thread_state<const W: usize>(&self, model: &Model, key: &Key<W>, t: usize) -> ThreadState {
        let actions = &model.programs[t].actions;
        let code = self.threads[t].get(key);
        if code == 2 * actions.len() + 1 {
            return ThreadState {
                status: Status::NotStarted,
                pc: 0,
            };
        }
        let pc = code / 2;
        let status = if pc == actions.len() {
            Status::Finished
        } else if code % 2 == 1 {
            Status::Blocked(wait_of(actions[pc]))
        } else {
            Status::Runnable
        };
        ThreadState { status, pc }
    }

    #[cfg(test)]
    fn lock_state<const W: usize>(&self, model: &Model, key: &Key<W>, l: usize) -> LockState {
        let holder = self.holders[l].get(key).checked_sub(1);
        let Some(holder) = holder.map(|u| self.users[l][u]) else {
            return LockState::default();
        };
        let count = u32::try_from(self.counts[l].get(key) + 1).expect("counts are small");
        let waiters = if self.queues[l].is_empty() {
            self.blocked_on(model, key, l).collect()
        } else {
            self.queues[l]
                .iter()
                .map_while(|slot| slot.get(key).checked_sub(1))
                .map(|u| self.users[l][u])
                .collect()
        };
        LockState {
            holder: Some(holder),
            count,
            waiters,
        }
    }

    /// The threads blocked on lock `l`, in thread order.
    pub fn blocked_on<'a, const W: usize>(
        &'a self,
        model: &'a Model,
        key: &'a Key<W>,
        l: usize,
    ) -> impl Iterator<Item = usize> + 'a {
        self.users[l].iter().copied().filter(move |&t| {
            let code = self.threads[t].get(key);
            let actions = &model.programs[t].actions;
            code % 2 == 1 && code / 2 < actions.len() && actions[code / 2] == Action::Acquire(l)
        })
    }
}

/// What a thread blocked at a step with this action waits for.
///
/// # Panics
///
/// For any other action: only acquires and joins block, so no packed state
/// holds such a code.
#[cfg(test)]
fn wait_of(action: Action) -> Wait {
    match action {
        Action::Join(t) => Wait::Join(t),
        Action::Acquire(l) => Wait::Lock(l),
        _ => panic!("a thread is blocked at {action:?}, which never blocks"),
    }
}

/// Bit 0 of word 0, set in every state so that no state is all zeros.
pub const PRESENT: u64 = 1;

/// Hands out fields, first fit, never across a word boundary.
struct Packer {
    /// Bits used in each word so far.
    words: Vec<u32>,
    /// Bits used in all.
    bits: u32,
}

impl Default for Packer {
    /// A packer with [`PRESENT`] already placed.
    fn default() -> Self {
        Self {
            words: vec![1],
            bits: 1,
        }
    }
}

impl Packer {
    /// A field wide enough for every value up to `max`.
    fn field(&mut self, max: usize) -> Field {
        let width = usize::BITS - max.leading_zeros();
        if width == 0 {
            return Field {
                word: 0,
                shift: 0,
                mask: 0,
            };
        }
        self.bits += width;
        let fits = self.words.iter().position(|used| used + width <= 64);
        let word = fits.unwrap_or_else(|| {
            self.words.push(0);
            self.words.len() - 1
        });
        let shift = self.words[word];
        self.words[word] += width;
        Field {
            word,
            shift,
            mask: u64::MAX >> (64 - width),
        }
    }
}

/// Per lock, the threads whose programs acquire it.
fn lock_users(model: &Model) -> Vec<Vec<usize>> {
    (0..model.lock_count())
        .map(|l| {
            (0..model.thread_count())
                .filter(|&t| model.programs[t].actions.contains(&Action::Acquire(l)))
                .collect()
        })
        .collect()
}

fn user_indices(model: &Model, users: &[Vec<usize>]) -> Vec<Vec<usize>> {
    users
        .iter()
        .map(|users| {
            let mut index = vec![0; model.thread_count()];
            for (u, &t) in users.iter().enumerate() {
                index[t] = u;
            }
            index
        })
        .collect()
}

/// How one thread can hold one lock, over every path through its program
/// (drops included, whatever the patch mode).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Holding {
    /// The deepest nesting.
    deepest: usize,
    /// It can acquire the lock while holding it.
    again: bool,
}

/// Follows every nesting of lock `l` that thread `t` can reach at each
/// step: an acquire nests (or, for a plain lock already held, blocks for
/// good), a release unnests (or faults), and a patched acquire may also
/// jump past its matching release.
fn holding(model: &Model, t: usize, l: usize) -> Holding {
    let program = &model.programs[t];
    let plain = model.lock_kinds[l] == LockKind::Plain;
    let patched = |action| {
        model
            .patch
            .is_some_and(|p| action == Action::Acquire(p.try_lock))
    };
    let mut depths: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); program.actions.len() + 1];
    depths[0].insert(0);
    let mut holding = Holding::default();
    for (pc, &action) in program.actions.iter().enumerate() {
        for depth in std::mem::take(&mut depths[pc]) {
            let next = match action {
                Action::Acquire(x) if x == l => {
                    holding.again |= depth > 0;
                    holding.deepest = holding.deepest.max(depth + 1);
                    (!plain || depth == 0).then_some(depth + 1)
                }
                Action::Release(x) if x == l => depth.checked_sub(1),
                _ => Some(depth),
            };
            depths[pc + 1].extend(next);
            if patched(action) {
                let resume = program.matching_release[pc].map_or(program.actions.len(), |r| r + 1);
                depths[resume].insert(depth);
            }
        }
    }
    holding
}

/// The most times one thread can hold lock `l` at once.
fn max_nesting(model: &Model, l: usize) -> usize {
    (0..model.thread_count())
        .map(|t| holding(model, t, l).deepest)
        .max()
        .unwrap_or(0)
}

/// The most threads that can wait for lock `l` at once. A waiter is a
/// user; while anyone waits the lock is held, and its holder waits too
/// only if it can take a plain lock it already holds.
fn queue_capacity(model: &Model, l: usize, users: &[usize]) -> usize {
    let plain = model.lock_kinds[l] == LockKind::Plain;
    let self_wait = plain && users.iter().any(|&t| holding(model, t, l).again);
    users.len().saturating_sub(1) + usize::from(self_wait)
}
