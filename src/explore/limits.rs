//! Bounds on a search: the state limit, cancellation, and the progress a
//! front end can show while it runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::paths::MAX_NODES;

/// The default state limit: at most about a gigabyte of memory, and half
/// a minute of search on a small machine.
pub const DEFAULT_MAX_STATES: u64 = 50_000_000;

/// How far a search may go.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Stop after this many distinct states (the states of the search
    /// plus those visited to classify drops).
    pub max_states: u64,
    /// Shared with the caller: the search publishes its progress here and
    /// stops soon after [`Progress::cancel`].
    pub progress: Option<Arc<Progress>>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_states: DEFAULT_MAX_STATES,
            progress: None,
        }
    }
}

/// A running search, as another thread sees it.
#[derive(Debug, Default)]
pub struct Progress {
    states: AtomicU64,
    level: AtomicU64,
    levels: AtomicU64,
    cancelled: AtomicBool,
}

impl Progress {
    /// Asks the search to stop; it returns [`super::ExploreError::Cancelled`].
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// True once [`Progress::cancel`] was called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// The distinct states found so far.
    #[must_use]
    pub fn states(&self) -> u64 {
        self.states.load(Ordering::Relaxed)
    }

    /// The level of the progress measure being expanded (see the module
    /// docs of [`super`]).
    #[must_use]
    pub fn level(&self) -> u64 {
        self.level.load(Ordering::Relaxed)
    }

    /// The highest level a state of this schedule can have: the search
    /// ends at or before it.
    #[must_use]
    pub fn levels(&self) -> u64 {
        self.levels.load(Ordering::Relaxed)
    }
}

/// Why a search stopped before the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The state limit was reached.
    Limit,
    /// The caller cancelled.
    Cancelled,
}

/// The running count of states against the limit.
#[derive(Debug)]
pub struct Budget<'l> {
    /// Distinct states found so far, of every kind.
    pub found: u64,
    limit: u64,
    progress: Option<&'l Progress>,
    expanded: u64,
    level: usize,
}

/// How often, in expanded states, the search publishes its progress and
/// looks for a cancel.
const TICK: u64 = 4096;

impl<'l> Budget<'l> {
    /// A budget for these limits.
    #[must_use]
    pub fn new(limits: &'l Limits) -> Self {
        Self {
            found: 0,
            limit: limits.max_states.min(MAX_NODES),
            progress: limits.progress.as_deref(),
            expanded: 0,
            level: 0,
        }
    }

    /// The limit in force.
    #[must_use]
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Counts a new state.
    ///
    /// # Errors
    ///
    /// [`Stop::Limit`] past the limit.
    #[inline]
    pub fn found_one(&mut self) -> Result<(), Stop> {
        self.found += 1;
        if self.found > self.limit {
            return Err(Stop::Limit);
        }
        Ok(())
    }

    /// Notes the highest level there can be, for the progress.
    pub fn set_levels(&self, top: usize) {
        if let Some(progress) = self.progress {
            progress.levels.store(top as u64, Ordering::Relaxed);
        }
    }

    /// Notes the level the search is expanding, for the progress.
    pub fn enter_level(&mut self, level: usize) {
        self.level = level;
    }

    /// Counts an expanded state; now and then publishes the progress.
    ///
    /// # Errors
    ///
    /// [`Stop::Cancelled`] once the caller has cancelled.
    #[inline]
    pub fn expanded_one(&mut self) -> Result<(), Stop> {
        self.expanded += 1;
        if !self.expanded.is_multiple_of(TICK) {
            return Ok(());
        }
        let Some(progress) = self.progress else {
            return Ok(());
        };
        progress.states.store(self.found, Ordering::Relaxed);
        progress.level.store(self.level as u64, Ordering::Relaxed);
        if progress.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        Ok(())
    }
}
