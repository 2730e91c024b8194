//! Every execution of a schedule at once: how many there are, how they
//! end, the shortest one that deadlocks, and which drops of the patch
//! were needed.
//!
//! An execution is a maximal sequence of moves from the initial state,
//! where at each state any Runnable thread may move (run or attempt its
//! next step, as [`crate::sim::State::step`] does). It ends when no thread
//! can move: `finished` when every thread has, `deadlock` when one is
//! Blocked, `stuck` when only threads never spawned are left, or when a
//! move is impossible (a release of a lock the thread does not hold, which
//! only a drop can cause).
//!
//! The search never enumerates executions. It visits each distinct state
//! once, packed into a few machine words (`layout`), in the order of a
//! progress measure that every move raises (`search`); the numbers of
//! executions come from dynamic programming over that order, and the
//! shortest paths from a tree with one node per state. See `README.md`,
//! "Exploring every interleaving", for the counts of the App Engine
//! schedule worked out by hand.
//!
//! [`explore`] is safe to call from a background thread: the
//! [`Progress`] in its [`Limits`] shows how far it got and cancels it.

mod count;
mod layout;
mod limits;
mod machine;
mod needed;
mod paths;
pub mod report;
mod search;
mod table;

#[cfg(test)]
mod tests;

use crate::schedule::Schedule;
use crate::sim::{LockOrder, Model, OrderEdge, PatchMode, StepRef};

pub use count::{Count, grouped};
pub use limits::{DEFAULT_MAX_STATES, Limits, Progress};

use count::{DropTally, Ways};
use layout::{Layout, MAX_WORDS};
use limits::{Budget, Stop};
use machine::Machine;
use needed::DeadlockReach;
use paths::MAX_DEPTH;
use search::{Found, PathEnd, Search};

/// How an execution ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ending {
    /// Every thread finished.
    Finished,
    /// No thread can move and at least one is Blocked.
    Deadlock,
    /// Only threads never spawned are left, or a move was impossible.
    Stuck,
}

impl Ending {
    /// Every ending, in report order.
    pub const ALL: [Ending; 3] = [Ending::Finished, Ending::Deadlock, Ending::Stuck];

    /// The name used in reports and JSON, as for a single run's outcome.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Ending::Finished => "finished",
            Ending::Deadlock => "deadlock",
            Ending::Stuck => "stuck",
        }
    }
}

/// One execution to show for an ending: its order, shortest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// How it ends.
    pub ending: Ending,
    /// Its moves; as an order it replays to that ending with no `auto`
    /// event.
    pub order: Vec<StepRef>,
}

/// The drops of one patched acquire, needed or needless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropSite {
    /// The thread that dropped.
    pub thread: usize,
    /// The step of the patched acquire that gave up.
    pub step: usize,
    /// Without the patch, a deadlock was reachable from the state where
    /// the drop happened.
    pub needed: bool,
    /// The `Log` steps the drop skips: the records lost.
    pub records: Vec<usize>,
    /// The distinct states where it dropped so.
    pub states: u64,
    /// A shortest order that ends with this drop.
    pub example: Vec<StepRef>,
}

/// What the exploration of one schedule in one patch mode found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The patch mode explored.
    pub patch: PatchMode,
    /// All executions.
    pub executions: Count,
    /// Those that finish.
    pub finished: Count,
    /// Those that deadlock.
    pub deadlocked: Count,
    /// Those that get stuck.
    pub stuck: Count,
    /// Those with at least one drop.
    pub with_drops: Count,
    /// Those with at least one drop that was not needed.
    pub with_needless_drops: Count,
    /// Distinct states reached.
    pub states: u64,
    /// Moves tried, from every state (edges of the state graph).
    pub transitions: u64,
    /// A shortest order that deadlocks, if any does.
    pub shortest_deadlock: Option<Vec<StepRef>>,
    /// A shortest example of each ending that occurs, in [`Ending::ALL`]
    /// order.
    pub examples: Vec<Example>,
    /// Every drop site, by thread and step, needed ones first.
    pub drops: Vec<DropSite>,
    /// The lock-order inversions of the programs (as lockdep would find
    /// them), for this patch mode.
    pub inversions: Vec<Vec<OrderEdge>>,
}

impl Summary {
    /// The number of executions that end so.
    #[must_use]
    pub fn count(&self, ending: Ending) -> Count {
        match ending {
            Ending::Finished => self.finished,
            Ending::Deadlock => self.deadlocked,
            Ending::Stuck => self.stuck,
        }
    }

    /// A shortest example that ends so, if any execution does.
    #[must_use]
    pub fn example(&self, ending: Ending) -> Option<&[StepRef]> {
        let example = self.examples.iter().find(|e| e.ending == ending)?;
        Some(&example.order)
    }

    /// True when some execution deadlocks.
    #[must_use]
    pub fn deadlock_reachable(&self) -> bool {
        self.shortest_deadlock.is_some()
    }
}

/// What a search that stopped early had found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partial {
    /// Distinct states found (some not expanded yet), counting those
    /// visited to classify drops.
    pub states: u64,
    /// A deadlocking order, if one was found: a deadlock is then certainly
    /// reachable (though maybe not by a shorter order).
    pub deadlock: Option<Vec<StepRef>>,
}

/// Why an exploration gave no summary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExploreError {
    /// The state limit was reached.
    #[error("stopped at the state limit of {} states", grouped(u128::from(*limit)))]
    Limit {
        /// The limit in force.
        limit: u64,
        /// What was found until then.
        partial: Partial,
    },
    /// [`Progress::cancel`] was called.
    #[error("stopped after {} states: interrupted", grouped(u128::from(partial.states)))]
    Cancelled {
        /// What was found until then.
        partial: Partial,
    },
    /// The schedule is beyond what the packed encoding can hold.
    #[error("the schedule is too large to explore: {reason}")]
    TooLarge {
        /// What is too large, and the bound.
        reason: String,
    },
}

/// Explores every execution of `schedule` (which must have passed
/// validation, as every loaded schedule has) in patch mode `patch`.
///
/// # Errors
///
/// [`ExploreError::Limit`] past `limits.max_states` states,
/// [`ExploreError::Cancelled`] after [`Progress::cancel`],
/// [`ExploreError::TooLarge`] when a state cannot be packed.
pub fn explore(
    schedule: &Schedule,
    patch: PatchMode,
    limits: &Limits,
) -> Result<Summary, ExploreError> {
    let model = Model::new(schedule);
    let layout = packable(&model)?;
    match layout.words {
        1 => explore_in::<1>(&model, &layout, patch, limits),
        2 => explore_in::<2>(&model, &layout, patch, limits),
        3 | 4 => explore_in::<4>(&model, &layout, patch, limits),
        5..=8 => explore_in::<8>(&model, &layout, patch, limits),
        _ => explore_in::<MAX_WORDS>(&model, &layout, patch, limits),
    }
}

/// The layout of `model`'s states, if the search can handle them.
fn packable(model: &Model) -> Result<Layout, ExploreError> {
    let too_large = |reason: String| ExploreError::TooLarge { reason };
    if model.thread_count() > 256 {
        let threads = model.thread_count();
        return Err(too_large(format!("{threads} threads, at most 256")));
    }
    let steps: usize = model.programs.iter().map(|p| p.actions.len()).sum();
    if steps > MAX_DEPTH as usize {
        return Err(too_large(format!("{steps} steps, at most {MAX_DEPTH}")));
    }
    Layout::new(model).map_err(|wide| {
        let most = MAX_WORDS * 64;
        too_large(format!("a state needs {} bits, at most {most}", wide.bits))
    })
}

/// The search with states of `W` words.
fn explore_in<const W: usize>(
    model: &Model,
    layout: &Layout,
    patch: PatchMode,
    limits: &Limits,
) -> Result<Summary, ExploreError> {
    let machine = Machine::new(model, layout, patch);
    let top_level = model.programs.iter().map(|p| p.actions.len()).sum();
    let budget = Budget::new(limits);
    let limit = budget.limit();
    let result = if patch.is_on() && model.patch.is_some() {
        let reach = DeadlockReach::<W>::new(Machine::new(model, layout, PatchMode::Off));
        Search::<W, DropTally>::new(machine, Some(reach), top_level, budget).run()
    } else {
        Search::<W, Ways>::new(machine, None, top_level, budget).run()
    };
    let (found, stop) = result;
    let Some(stop) = stop else {
        return Ok(summarize(model, patch, &found));
    };
    let partial = Partial {
        states: found.discovered,
        deadlock: found.ends[Ending::Deadlock as usize]
            .shortest
            .map(|end| order(model, patch, &found, end)),
    };
    Err(match stop {
        Stop::Limit => ExploreError::Limit { limit, partial },
        Stop::Cancelled => ExploreError::Cancelled { partial },
    })
}

/// The summary of a finished search.
fn summarize(model: &Model, patch: PatchMode, found: &Found) -> Summary {
    let tally = |ending: Ending| found.ends[ending as usize].tally;
    let mut executions = Count::ZERO;
    let mut with_drops = Count::ZERO;
    let mut with_needless_drops = Count::ZERO;
    for ending in Ending::ALL {
        executions = executions.plus(tally(ending).ways);
        with_drops = with_drops.plus(tally(ending).with_drops);
        with_needless_drops = with_needless_drops.plus(tally(ending).with_needless);
    }
    let examples: Vec<Example> = Ending::ALL
        .into_iter()
        .filter_map(|ending| {
            let end = found.ends[ending as usize].shortest?;
            Some(Example {
                ending,
                order: order(model, patch, found, end),
            })
        })
        .collect();
    let shortest_deadlock = examples
        .iter()
        .find(|e| e.ending == Ending::Deadlock)
        .map(|e| e.order.clone());
    Summary {
        patch,
        executions,
        finished: tally(Ending::Finished).ways,
        deadlocked: tally(Ending::Deadlock).ways,
        stuck: tally(Ending::Stuck).ways,
        with_drops,
        with_needless_drops,
        states: found.paths.len() as u64,
        transitions: found.transitions,
        shortest_deadlock,
        examples,
        drops: drop_sites(model, patch, found),
        inversions: LockOrder::from_programs(model, patch).inversions(),
    }
}

/// The drop sites, needed first, then by thread and step.
fn drop_sites(model: &Model, patch: PatchMode, found: &Found) -> Vec<DropSite> {
    let mut sites: Vec<DropSite> = found
        .drops
        .iter()
        .map(|(&(thread, step, needed), drop)| DropSite {
            thread,
            step,
            needed,
            records: skipped_records(model, thread, step),
            states: drop.states,
            example: order(model, patch, found, drop.shortest),
        })
        .collect();
    sites.sort_by_key(|site| (!site.needed, site.thread, site.step));
    sites
}

/// The `Log` steps a drop at `step` of `thread` skips.
fn skipped_records(model: &Model, thread: usize, step: usize) -> Vec<usize> {
    let program = &model.programs[thread];
    let resume = program.matching_release[step].map_or(program.actions.len(), |r| r + 1);
    (step + 1..resume)
        .filter(|&s| program.actions[s] == crate::sim::Action::Log)
        .collect()
}

/// The order of a path of the tree.
fn order(model: &Model, patch: PatchMode, found: &Found, end: PathEnd) -> Vec<StepRef> {
    let mut threads = found.paths.threads_to(end.node);
    threads.extend(end.last);
    paths::steps_of(model, patch, &threads)
}
