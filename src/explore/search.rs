//! The search: every reachable state once, in the order of a progress
//! measure, with the counts and the shortest paths carried forward.
//!
//! The measure of a state is the sum over its threads of the step each is
//! at, plus one for each Blocked thread. Every move raises it: by exactly
//! one, except a drop, which skips steps and raises it by more. So a state
//! can only be reached from states of lower measure, and once every state
//! of one level has been expanded, all the ways into the next level are
//! known. Without the patch the levels are exactly the layers of a
//! breadth-first search (a state's level is the length of every path to
//! it); with it, a state's distance is the shortest over its ways in.
//!
//! That order gives each state, in one forward pass, the number of
//! execution prefixes that reach it (dynamic programming: the sum over its
//! predecessors) and the length and parent of a shortest path to it. A
//! level is dropped from memory as soon as it has been expanded: only the
//! levels ahead of the search and the five-byte tree of shortest paths
//! stay.

use rustc_hash::FxHashMap;

use super::Ending;
use super::count::{DropTally, Tally};
use super::layout::Key;
use super::limits::{Budget, Stop};
use super::machine::{Machine, Move};
use super::needed::DeadlockReach;
use super::paths::{Link, Paths, ROOT};
use super::table::{Slot, Table, hash, touch_all};

/// A new way into a state, waiting for its batch.
#[derive(Debug, Clone, Copy)]
struct Offer<const W: usize, T> {
    level: usize,
    key: Key<W>,
    hash: u64,
    link: Link,
    tally: T,
}

/// How many offers are made at once (see [`super::table`]).
const BATCH: usize = 256;

/// How many emptied tables are kept for later levels.
const SPARE_TABLES: usize = 2;

/// A path in the tree, maybe with one more move that leads to no state
/// (a fault, or a drop whose example ends at the drop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathEnd {
    /// Its length in moves.
    pub depth: u32,
    /// The node of the last state on it.
    pub node: u32,
    /// A last move from that state, if any.
    pub last: Option<usize>,
}

impl PathEnd {
    /// Keeps the shorter of `self` and `other`.
    fn keep_shorter(slot: &mut Option<Self>, other: Self) {
        if slot.is_none_or(|kept| other.depth < kept.depth) {
            *slot = Some(other);
        }
    }
}

/// The executions that end one way.
#[derive(Debug, Clone, Copy, Default)]
pub struct EndFound {
    /// How many, and how many of them drop.
    pub tally: DropTally,
    /// A shortest one.
    pub shortest: Option<PathEnd>,
}

/// The drops of one step of one thread, needed or not.
#[derive(Debug, Clone, Copy)]
pub struct DropFound {
    /// The states where the step dropped.
    pub states: u64,
    /// A shortest path to such a state, then the drop.
    pub shortest: PathEnd,
}

/// Where a drop happened: thread, step, and whether it was needed.
pub type DropKey = (usize, usize, bool);

/// Everything the search found.
#[derive(Debug)]
pub struct Found {
    /// Per [`Ending`], in [`Ending::ALL`] order.
    pub ends: [EndFound; 3],
    /// Per drop site.
    pub drops: FxHashMap<DropKey, DropFound>,
    /// Moves tried, from every state.
    pub transitions: u64,
    /// The tree of shortest paths; one node per state expanded.
    pub paths: Paths,
    /// Distinct states found, expanded or not, counting those visited to
    /// classify drops.
    pub discovered: u64,
}

impl Found {
    fn end(&mut self, ending: Ending, tally: &DropTally, path: PathEnd) {
        let found = &mut self.ends[ending as usize];
        found.tally.add(tally);
        PathEnd::keep_shorter(&mut found.shortest, path);
    }
}

/// A search in progress, with states of `W` words carrying tallies `T`.
pub struct Search<'a, 'l, const W: usize, T> {
    machine: Machine<'a>,
    /// Only when the patch is on: the classifier of drops.
    reach: Option<DeadlockReach<'a, W>>,
    /// Per level: the states waiting for expansion, if any yet.
    levels: Vec<Option<Table<W, T>>>,
    /// Emptied tables, kept for later levels.
    spare: Vec<Table<W, T>>,
    /// Offers waiting for their batch.
    pending: Vec<Offer<W, T>>,
    budget: Budget<'l>,
    found: Found,
}

impl<'a, 'l, const W: usize, T: Tally> Search<'a, 'l, W, T> {
    /// A search of `machine`'s states, whose measure is at most
    /// `top_level`; `reach`, the unpatched classifier, when the patch is
    /// on.
    #[must_use]
    pub fn new(
        machine: Machine<'a>,
        reach: Option<DeadlockReach<'a, W>>,
        top_level: usize,
        budget: Budget<'l>,
    ) -> Self {
        budget.set_levels(top_level);
        Self {
            machine,
            reach,
            levels: (0..=top_level).map(|_| None).collect(),
            spare: Vec::new(),
            pending: Vec::with_capacity(BATCH),
            budget,
            found: Found {
                ends: [EndFound::default(); 3],
                drops: FxHashMap::default(),
                transitions: 0,
                paths: Paths::default(),
                discovered: 0,
            },
        }
    }

    /// Explores every state; returns what it found, and the [`Stop`]
    /// that ended it early, if one did.
    pub fn run(mut self) -> (Found, Option<Stop>) {
        let stop = self.sweep().err();
        self.found.discovered = self.budget.found.min(self.budget.limit());
        (self.found, stop)
    }

    fn sweep(&mut self) -> Result<(), Stop> {
        let initial = self.machine.initial();
        self.budget.found_one()?;
        self.table(0)
            .offer(initial, hash(&initial), Link::new(ROOT, 0, 0), &T::START);
        for level in 0..self.levels.len() {
            let Some(mut table) = self.levels[level].take() else {
                continue;
            };
            self.budget.enter_level(level);
            for slot in table.states() {
                self.expand(level, slot)?;
            }
            self.flush()?;
            if self.spare.len() < SPARE_TABLES {
                table.clear();
                self.spare.push(table);
            }
        }
        Ok(())
    }

    /// The table of `level`, made (or taken from the spares) if need be.
    fn table(&mut self, level: usize) -> &mut Table<W, T> {
        let spare = &mut self.spare;
        self.levels[level].get_or_insert_with(|| spare.pop().unwrap_or_default())
    }

    /// Tries every move from one state, or records how it ended.
    fn expand(&mut self, level: usize, slot: &Slot<W, T>) -> Result<(), Stop> {
        let node = self.found.paths.push(slot.link);
        self.budget.expanded_one()?;
        let depth = slot.link.depth() + 1;
        let mut moved = false;
        for t in 0..self.machine.thread_count() {
            let Some(step) = self.machine.try_step(&slot.key, t) else {
                continue;
            };
            moved = true;
            self.found.transitions += 1;
            let path = PathEnd {
                depth,
                node,
                last: Some(t),
            };
            match step {
                Move::Fault => self.found.end(Ending::Stuck, &slot.tally.full(), path),
                Move::Next { key, rise, dropped } => {
                    let tally = if dropped {
                        self.drop_at(&slot.key, t, path, slot.tally)?
                    } else {
                        slot.tally
                    };
                    let thread = u8::try_from(t).expect("at most 256 threads");
                    self.offer(level + rise, key, Link::new(node, thread, depth), tally)?;
                }
            }
        }
        if !moved {
            let path = PathEnd {
                depth: slot.link.depth(),
                node,
                last: None,
            };
            let ending = self.machine.ending(&slot.key);
            self.found.end(ending, &slot.tally.full(), path);
        }
        Ok(())
    }

    /// Records a drop by thread `t` in state `key` and returns the tally
    /// after it.
    fn drop_at(&mut self, key: &Key<W>, t: usize, path: PathEnd, tally: T) -> Result<T, Stop> {
        let needed = match &mut self.reach {
            Some(reach) => reach.reachable_from(key, &mut self.budget)?,
            None => false,
        };
        let site = (t, self.machine.pc(key, t), needed);
        let found = self.found.drops.entry(site).or_insert(DropFound {
            states: 0,
            shortest: path,
        });
        found.states += 1;
        if path.depth < found.shortest.depth {
            found.shortest = path;
        }
        Ok(tally.through_drop(needed))
    }

    /// Queues a way into state `key` at `level`; a full batch goes in.
    #[inline]
    fn offer(&mut self, level: usize, key: Key<W>, link: Link, tally: T) -> Result<(), Stop> {
        self.table(level);
        self.pending.push(Offer {
            level,
            key,
            hash: hash(&key),
            link,
            tally,
        });
        if self.pending.len() == BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Makes the pending offers, their slots touched first.
    fn flush(&mut self) -> Result<(), Stop> {
        let levels = &self.levels;
        touch_all(
            self.pending
                .iter()
                .filter_map(|o| Some((levels[o.level].as_ref()?, o.hash))),
        );
        for offer in self.pending.drain(..) {
            let Some(table) = self.levels[offer.level].as_mut() else {
                continue;
            };
            if table.offer(offer.key, offer.hash, offer.link, &offer.tally) {
                self.budget.found_one()?;
            }
        }
        Ok(())
    }
}
