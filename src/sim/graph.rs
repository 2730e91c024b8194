//! The two graphs of a run: who waits for whom, and which locks are taken
//! while holding which (the lock-order graph, as Linux lockdep keeps it).

use super::model::{Action, Model};
use super::state::{Event, PatchMode, State, Status, Wait};
use crate::schedule::LockKind;

/// One link of a wait-for chain: `thread` waits for `waits_for`, which is
/// held by (or, for a join, is) `held_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// The waiting thread.
    pub thread: usize,
    /// The lock or thread it waits for.
    pub waits_for: Wait,
    /// The thread that must move first, if any.
    pub held_by: Option<usize>,
}

/// The wait-for cycle of a state, as a chain starting at its first thread
/// in declaration order; or, if the waits form no cycle (they lead to a
/// thread that is not blocked), the chain from the first blocked thread up
/// to it. Empty when no thread is blocked.
#[must_use]
pub fn wait_chain(state: &State) -> Vec<Link> {
    let blocked =
        (0..state.threads.len()).filter(|&t| matches!(state.threads[t].status, Status::Blocked(_)));
    let mut first_chain = None;
    for start in blocked {
        let (chain, closed) = follow_waits(state, start);
        if closed {
            return chain;
        }
        first_chain.get_or_insert(chain);
    }
    first_chain.unwrap_or_default()
}

/// The waits from `start` on, and whether they close a cycle; a closed
/// chain is trimmed to the cycle and rotated to its lowest thread.
fn follow_waits(state: &State, start: usize) -> (Vec<Link>, bool) {
    let mut chain: Vec<Link> = Vec::new();
    let mut current = start;
    while let Status::Blocked(wait) = state.threads[current].status {
        if let Some(first) = chain.iter().position(|link| link.thread == current) {
            chain.drain(..first);
            let lowest = (0..chain.len())
                .min_by_key(|&i| chain[i].thread)
                .unwrap_or(0);
            chain.rotate_left(lowest);
            return (chain, true);
        }
        let held_by = match wait {
            Wait::Lock(l) => state.locks[l].holder,
            Wait::Join(t) => Some(t),
        };
        chain.push(Link {
            thread: current,
            waits_for: wait,
            held_by,
        });
        match held_by {
            Some(next) => current = next,
            None => break,
        }
    }
    (chain, false)
}

/// An edge of the lock-order graph: `thread` acquired (or tried to acquire)
/// `to` at `step` while holding `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrderEdge {
    /// The lock held.
    pub from: usize,
    /// The lock wanted.
    pub to: usize,
    /// Who did it.
    pub thread: usize,
    /// At which step of its program.
    pub step: usize,
}

/// The lock-order graph: the first edge seen for each pair of locks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockOrder {
    edges: Vec<OrderEdge>,
}

/// Reports stop after this many inversions; a schedule with more is
/// already thoroughly broken.
const MAX_INVERSIONS: usize = 32;

impl LockOrder {
    /// The graph of the edges the events added.
    #[must_use]
    pub fn from_events(events: &[Event]) -> Self {
        let mut graph = Self::default();
        for event in events {
            for &(from, to) in &event.order_edges {
                graph.add(OrderEdge {
                    from,
                    to,
                    thread: event.thread,
                    step: event.step,
                });
            }
        }
        graph
    }

    /// The graph the programs imply, each thread walked alone: what lockdep
    /// would learn from running every thread once. With the patch on, an
    /// acquire of the patched lock by a thread that holds the other lock
    /// never waits (it takes the lock or drops), so it adds no edge.
    #[must_use]
    pub fn from_programs(model: &Model, patch: PatchMode) -> Self {
        let mut graph = Self::default();
        for (t, program) in model.programs.iter().enumerate() {
            let mut held = vec![0_u32; model.lock_count()];
            for (step, action) in program.actions.iter().enumerate() {
                match *action {
                    Action::Acquire(to) => {
                        if held[to] == 0 && may_wait(model, patch, &held, to) {
                            let holding = (0..held.len()).filter(|&l| held[l] > 0);
                            for from in holding {
                                graph.add(OrderEdge {
                                    from,
                                    to,
                                    thread: t,
                                    step,
                                });
                            }
                        }
                        if held[to] == 0 || model.lock_kinds[to] == LockKind::Reentrant {
                            held[to] += 1;
                        }
                    }
                    Action::Release(l) => held[l] = held[l].saturating_sub(1),
                    _ => {}
                }
            }
        }
        graph
    }

    /// Adds an edge unless the pair is already known.
    pub fn add(&mut self, edge: OrderEdge) {
        if !self
            .edges
            .iter()
            .any(|e| e.from == edge.from && e.to == edge.to)
        {
            self.edges.push(edge);
        }
    }

    /// The edges, in the order they were first seen.
    #[must_use]
    pub fn edges(&self) -> &[OrderEdge] {
        &self.edges
    }

    /// Every simple cycle of the graph (a lock-order inversion), each as
    /// its edges, starting at its lowest-numbered lock; at most
    /// [`MAX_INVERSIONS`] of them.
    ///
    /// Only locks on some cycle are searched (those whose strongly
    /// connected component has more than one lock), and the search has a
    /// fixed budget of steps, so a long chain of nested locks costs little
    /// and a dense tangle cannot stall the caller.
    #[must_use]
    pub fn inversions(&self) -> Vec<Vec<OrderEdge>> {
        let component = self.components();
        let mut search = CycleSearch {
            graph: self,
            component,
            found: Vec::new(),
            budget: 100_000,
        };
        let mut starts: Vec<usize> = self.edges.iter().map(|e| e.from).collect();
        starts.sort_unstable();
        starts.dedup();
        for start in starts {
            search.from(start, start, &mut Vec::new());
        }
        search.found
    }

    /// For each lock, an id of its strongly connected component; locks on
    /// no cycle get `None`.
    fn components(&self) -> Vec<Option<usize>> {
        let locks = self
            .edges
            .iter()
            .map(|e| e.from.max(e.to) + 1)
            .max()
            .unwrap_or(0);
        let reaches = |from: usize| -> Vec<bool> {
            let mut seen = vec![false; locks];
            let mut stack = vec![from];
            while let Some(at) = stack.pop() {
                for edge in self.edges.iter().filter(|e| e.from == at) {
                    if !seen[edge.to] {
                        seen[edge.to] = true;
                        stack.push(edge.to);
                    }
                }
            }
            seen
        };
        // Few locks: reachability from each is cheap and plain to read.
        let reach: Vec<Vec<bool>> = (0..locks).map(reaches).collect();
        (0..locks)
            .map(|l| {
                let on_cycle = reach[l][l];
                on_cycle.then(|| {
                    (0..locks)
                        .find(|&m| reach[l][m] && reach[m][l])
                        .unwrap_or(l)
                })
            })
            .collect()
    }
}

/// A depth-first search for the simple cycles through each lock.
struct CycleSearch<'g> {
    graph: &'g LockOrder,
    component: Vec<Option<usize>>,
    found: Vec<Vec<OrderEdge>>,
    /// Steps left before the search gives up on finding more cycles.
    budget: usize,
}

impl CycleSearch<'_> {
    /// Cycles back to `start` through locks above it in its component, so
    /// each cycle is found once, from its lowest lock.
    fn from(&mut self, start: usize, at: usize, path: &mut Vec<OrderEdge>) {
        let Some(home) = self.component[start] else {
            return;
        };
        for edge in self.graph.edges.iter().filter(|e| e.from == at) {
            if self.found.len() >= MAX_INVERSIONS || self.budget == 0 {
                return;
            }
            self.budget -= 1;
            let inside = self.component[edge.to] == Some(home);
            if edge.to == start {
                let mut cycle = path.clone();
                cycle.push(*edge);
                self.found.push(cycle);
            } else if inside && edge.to > start && !path.iter().any(|e| e.from == edge.to) {
                path.push(*edge);
                self.from(start, edge.to, path);
                path.pop();
            }
        }
    }
}

/// Whether acquiring `lock` while holding `held` may wait.
fn may_wait(model: &Model, patch: PatchMode, held: &[u32], lock: usize) -> bool {
    match model.patch {
        Some(p) if patch.is_on() && p.try_lock == lock => held[p.drop_if_held] == 0,
        _ => true,
    }
}
