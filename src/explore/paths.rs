//! Shortest paths, kept as a tree: one node per state, naming the state it
//! was first reached from on a shortest path and the thread that moved.
//!
//! A node is five bytes, so every state can have one; the orders the
//! reports show (the shortest deadlock, an example of each outcome and of
//! each drop) are read back from the tree at the end.

use crate::sim::{Model, PatchMode, State, StepRef};

/// The parent of the initial state's node: none.
pub const ROOT: u32 = u32::MAX;

/// The most nodes the tree can hold (node ids are `u32`, one is [`ROOT`]).
pub const MAX_NODES: u64 = u32::MAX as u64 - 1;

/// The longest path a [`Link`] can record.
pub const MAX_DEPTH: u32 = (1 << 24) - 1;

/// A way into a state: the node of the state it comes from, the thread
/// that moved, and the length of the path, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Link(u64);

impl Link {
    /// The link of a path of `depth` moves whose last move was `thread`'s,
    /// from the state of node `parent`.
    #[must_use]
    pub fn new(parent: u32, thread: u8, depth: u32) -> Self {
        debug_assert!(depth <= MAX_DEPTH);
        Self(u64::from(parent) | u64::from(thread) << 32 | u64::from(depth) << 40)
    }

    /// The node of the state before.
    #[must_use]
    #[expect(clippy::cast_possible_truncation, reason = "the low 32 bits")]
    pub fn parent(self) -> u32 {
        (self.0 & u64::from(u32::MAX)) as u32
    }

    /// The thread that moved.
    #[must_use]
    #[expect(clippy::cast_possible_truncation, reason = "bits 32 to 39")]
    pub fn thread(self) -> u8 {
        (self.0 >> 32) as u8
    }

    /// The length of the path.
    #[must_use]
    pub fn depth(self) -> u32 {
        (self.0 >> 40) as u32
    }
}

/// The tree of shortest paths.
#[derive(Debug, Default)]
pub struct Paths {
    parents: Vec<u32>,
    threads: Vec<u8>,
}

impl Paths {
    /// Adds the node of a state reached by `link`, and returns its id.
    ///
    /// # Panics
    ///
    /// Past [`MAX_NODES`] nodes: the search stops at its state limit,
    /// which is never above that.
    pub fn push(&mut self, link: Link) -> u32 {
        let id = u32::try_from(self.parents.len()).expect("the state limit keeps ids in u32");
        self.parents.push(link.parent());
        self.threads.push(link.thread());
        id
    }

    /// The number of nodes: the states expanded so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.parents.len()
    }

    /// The threads that moved, from the initial state to `node`.
    #[must_use]
    pub fn threads_to(&self, node: u32) -> Vec<usize> {
        let mut threads = Vec::new();
        let mut at = node;
        while self.parents[at as usize] != ROOT {
            threads.push(usize::from(self.threads[at as usize]));
            at = self.parents[at as usize];
        }
        threads.reverse();
        threads
    }
}

/// The step each move ran, found by replaying the moves with the
/// simulator. A move that faults can only be the last one.
///
/// # Panics
///
/// If a thread cannot run where the search said it could: the search and
/// the simulator agree on every state (the tests hold them to it).
#[must_use]
pub fn steps_of(model: &Model, patch: PatchMode, threads: &[usize]) -> Vec<StepRef> {
    let mut state = State::initial(model);
    threads
        .iter()
        .map(|&thread| {
            assert!(
                state.can_run(thread),
                "the search moved thread {thread}, which the simulator cannot run"
            );
            let step = state.threads[thread].pc;
            // A fault leaves the state as it was; it ends the path.
            let _ = state.step(model, thread, patch);
            StepRef { thread, step }
        })
        .collect()
}
