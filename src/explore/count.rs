//! Numbers of executions: exact in 128 bits, or flagged as too many.
//!
//! The number of executions grows like a multinomial coefficient: ten
//! threads of fifteen steps already have more than 2^128 of them. A count
//! never wraps: past the largest exact value it stays at a marker that
//! every report shows as "too many to count".

use std::fmt;

/// A number of executions, or the mark that it did not fit in 128 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Count(u128);

impl Count {
    /// No execution.
    pub const ZERO: Self = Self(0);

    /// One execution.
    pub const ONE: Self = Self(1);

    /// The largest count kept exactly; anything above it is an overflow.
    pub const MAX_EXACT: u128 = u128::MAX - 1;

    /// The count, unless it overflowed.
    #[must_use]
    pub fn exact(self) -> Option<u128> {
        (self.0 <= Self::MAX_EXACT).then_some(self.0)
    }

    /// True when the count did not fit: the true number is above
    /// [`Count::MAX_EXACT`].
    #[must_use]
    pub fn overflowed(self) -> bool {
        self.exact().is_none()
    }

    /// True for zero.
    #[must_use]
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The sum, or the overflow mark when it does not fit.
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        match self.0.checked_add(other.0) {
            Some(sum) if sum <= Self::MAX_EXACT => Self(sum),
            _ => Self(u128::MAX),
        }
    }
}

impl From<u64> for Count {
    fn from(value: u64) -> Self {
        Self(u128::from(value))
    }
}

impl fmt::Display for Count {
    /// Digits grouped by threes (`1,234,567`), or a sentence for an
    /// overflow.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.exact() {
            Some(n) => f.write_str(&grouped(n)),
            None => f.write_str("more than 2^128 - 2 (too many to count exactly)"),
        }
    }
}

/// `n` with a comma between groups of three digits.
#[must_use]
pub fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The execution prefixes that reach a state, as a search carries them
/// from state to state: added where ways meet, changed by a drop.
pub trait Tally: Copy + Default + PartialEq + fmt::Debug {
    /// The initial state: one (empty) prefix, no drop.
    const START: Self;

    /// Adds the prefixes of another way in.
    fn add(&mut self, other: &Self);

    /// The prefixes after a move that drops, needed or not.
    #[must_use]
    fn through_drop(self, needed: bool) -> Self;

    /// The counts in full.
    fn full(&self) -> DropTally;
}

/// The tally of a search without the patch, where nothing drops: only the
/// number of prefixes (half the memory of a [`DropTally`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ways(pub Count);

impl Tally for Ways {
    const START: Self = Self(Count::ONE);

    #[inline]
    fn add(&mut self, other: &Self) {
        self.0 = self.0.plus(other.0);
    }

    /// Nothing drops without the patch; a drop would leave the count as
    /// it is.
    fn through_drop(self, _needed: bool) -> Self {
        self
    }

    fn full(&self) -> DropTally {
        DropTally {
            ways: self.0,
            ..DropTally::default()
        }
    }
}

/// The tally of a search with the patch: every prefix, those with a drop,
/// those with a drop that was not needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DropTally {
    /// Every execution prefix that reaches the state.
    pub ways: Count,
    /// Those with at least one drop.
    pub with_drops: Count,
    /// Those with at least one needless drop.
    pub with_needless: Count,
}

impl Tally for DropTally {
    const START: Self = Self {
        ways: Count::ONE,
        with_drops: Count::ZERO,
        with_needless: Count::ZERO,
    };

    #[inline]
    fn add(&mut self, other: &Self) {
        self.ways = self.ways.plus(other.ways);
        self.with_drops = self.with_drops.plus(other.with_drops);
        self.with_needless = self.with_needless.plus(other.with_needless);
    }

    /// All the prefixes now have a drop, and a needless one if this drop
    /// was needless.
    fn through_drop(self, needed: bool) -> Self {
        Self {
            ways: self.ways,
            with_drops: self.ways,
            with_needless: if needed {
                self.with_needless
            } else {
                self.ways
            },
        }
    }

    fn full(&self) -> DropTally {
        *self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sum_past_128_bits_is_marked_not_wrapped() {
        let big = Count(Count::MAX_EXACT);
        assert_eq!(big.exact(), Some(u128::MAX - 1));
        let over = big.plus(Count::ONE);
        assert!(over.overflowed());
        assert!(over.plus(Count::ZERO).overflowed(), "an overflow stays");
        assert!(Count::ZERO.plus(over).overflowed());
        assert_eq!(Count(7).plus(Count(5)).exact(), Some(12));
    }

    #[test]
    fn counts_print_grouped_or_as_an_overflow() {
        assert_eq!(Count(0).to_string(), "0");
        assert_eq!(Count(999).to_string(), "999");
        assert_eq!(Count(1_234_567).to_string(), "1,234,567");
        assert!(Count(u128::MAX).to_string().contains("too many"));
    }

    #[test]
    fn a_drop_marks_every_prefix() {
        let tally = DropTally {
            ways: Count(5),
            with_drops: Count(2),
            with_needless: Count(1),
        };
        let needed = tally.through_drop(true);
        assert_eq!(
            (needed.ways, needed.with_drops, needed.with_needless),
            (Count(5), Count(5), Count(1))
        );
        let needless = tally.through_drop(false);
        assert_eq!(needless.with_needless, Count(5));
    }
}
