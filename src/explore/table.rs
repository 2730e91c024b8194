//! The table of one level of the search: the states waiting to be
//! expanded, each with its tally and its link in the tree of shortest
//! paths.
//!
//! Open addressing with linear probing over one array of slots; a slot
//! holds the key and its values side by side, so a probe touches one
//! cache line. No key is zero (the layout keeps a bit set in every state),
//! so a zeroed slot is free. A search spends most of its time waiting for
//! the memory of random probes, so it offers new states in batches and
//! first touches every slot a batch will probe: the loads are independent
//! and the processor overlaps them.

use std::hint::black_box;

use super::count::Tally;
use super::layout::Key;
use super::paths::Link;

/// One slot: a state and what it carries.
#[derive(Debug, Clone, Copy, Default)]
pub struct Slot<const W: usize, T> {
    /// The packed state, zero when the slot is free.
    pub key: Key<W>,
    /// A shortest way in.
    pub link: Link,
    /// The execution prefixes that reach it.
    pub tally: T,
}

impl<const W: usize, T> Slot<W, T> {
    fn is_free(&self) -> bool {
        self.key.0[0] == 0
    }
}

/// The states of one level.
#[derive(Debug, Clone)]
pub struct Table<const W: usize, T> {
    slots: Vec<Slot<W, T>>,
    len: usize,
    /// `64 - log2(slots.len())`: a hash's top bits are its home slot.
    shift: u32,
}

/// The smallest table, in slots.
const MIN_SLOTS: usize = 64;

/// A 64-bit odd constant with well-spread bits (2^64 / φ).
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// The hash of a key: every word mixed in by multiplication, whose top
/// bits depend on every bit of the input.
#[inline]
#[must_use]
pub fn hash<const W: usize>(key: &Key<W>) -> u64 {
    let mut hash = 0_u64;
    for word in key.0 {
        hash = (hash.rotate_left(23) ^ word).wrapping_mul(MIX);
    }
    hash
}

impl<const W: usize, T: Tally> Default for Table<W, T> {
    fn default() -> Self {
        Self::with_slots(MIN_SLOTS)
    }
}

impl<const W: usize, T: Tally> Table<W, T> {
    fn with_slots(slots: usize) -> Self {
        debug_assert!(slots.is_power_of_two());
        Self {
            slots: vec![Slot::default(); slots],
            len: 0,
            shift: 64 - slots.trailing_zeros(),
        }
    }

    #[inline]
    fn home(&self, hash: u64) -> usize {
        // The shift leaves at most log2(slots) bits.
        #[expect(clippy::cast_possible_truncation, reason = "fits the slot count")]
        let home = (hash >> self.shift) as usize;
        home
    }

    /// Loads the first slot a key with this hash probes, so that it is in
    /// the cache when [`Table::offer`] comes; returns a word of it, which
    /// the caller passes to [`black_box`] so the load is kept.
    #[inline]
    #[must_use]
    pub fn touch(&self, hash: u64) -> u64 {
        self.slots[self.home(hash)].key.0[0]
    }

    /// Adds a way into `key`: a new slot, or the tally added to the one
    /// there and the shorter link kept. True when the state is new.
    #[inline]
    pub fn offer(&mut self, key: Key<W>, hash: u64, link: Link, tally: &T) -> bool {
        if 4 * (self.len + 1) > 3 * self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = self.home(hash);
        loop {
            let slot = &mut self.slots[at];
            if slot.is_free() {
                *slot = Slot {
                    key,
                    link,
                    tally: *tally,
                };
                self.len += 1;
                return true;
            }
            if slot.key == key {
                slot.tally.add(tally);
                if link.depth() < slot.link.depth() {
                    slot.link = link;
                }
                return false;
            }
            at = (at + 1) & mask;
        }
    }

    /// Doubles the slots and puts every state back.
    #[inline(never)]
    fn grow(&mut self) {
        let old = std::mem::replace(self, Self::with_slots(2 * self.slots.len()));
        for slot in old.slots.into_iter().filter(|s| !s.is_free()) {
            self.put(slot);
        }
    }

    /// Puts a state known to be absent into its slot.
    fn put(&mut self, slot: Slot<W, T>) {
        let mask = self.slots.len() - 1;
        let mut at = self.home(hash(&slot.key));
        while !self.slots[at].is_free() {
            at = (at + 1) & mask;
        }
        self.slots[at] = slot;
        self.len += 1;
    }

    /// The states, in slot order.
    pub fn states(&self) -> impl Iterator<Item = &Slot<W, T>> {
        self.slots.iter().filter(|s| !s.is_free())
    }

    /// Empties the table, keeping its slots for the next level.
    pub fn clear(&mut self) {
        self.slots.fill(Slot::default());
        self.len = 0;
    }
}

/// Touches the home slot of every pending offer at once (see the module
/// docs).
#[inline]
pub fn touch_all<'a, const W: usize, T: Tally + 'a>(
    probes: impl Iterator<Item = (&'a Table<W, T>, u64)>,
) {
    let mut seen = 0_u64;
    for (table, hash) in probes {
        seen ^= table.touch(hash);
    }
    black_box(seen);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::count::{Count, Ways};

    fn key(n: u64) -> Key<1> {
        Key([2 * n + 1])
    }

    #[test]
    fn offers_merge_tallies_and_keep_the_shortest_link() {
        let mut table: Table<1, Ways> = Table::default();
        let one = Ways::START;
        assert!(table.offer(key(7), hash(&key(7)), Link::new(3, 1, 9), &one));
        assert!(!table.offer(key(7), hash(&key(7)), Link::new(4, 2, 5), &one));
        assert!(!table.offer(key(7), hash(&key(7)), Link::new(5, 0, 6), &one));
        let slot = table.states().next().expect("one state");
        assert_eq!(slot.tally, Ways(Count::from(3)));
        assert_eq!(slot.link, Link::new(4, 2, 5));
        assert_eq!(table.states().count(), 1);
    }

    #[test]
    fn a_table_grows_and_keeps_every_state() {
        let mut table: Table<1, Ways> = Table::default();
        for n in 0..10_000 {
            table.offer(key(n), hash(&key(n)), Link::new(0, 0, 0), &Ways::START);
        }
        for n in 0..10_000 {
            assert!(!table.offer(key(n), hash(&key(n)), Link::new(0, 0, 0), &Ways::START));
        }
        assert_eq!(table.states().count(), 10_000);
        assert!(table.states().all(|s| s.tally == Ways(Count::from(2))));
        table.clear();
        assert!(table.states().next().is_none());
    }
}
