//! The semantics of a schedule: state, one step, running an order, the
//! outcome, and the wait-for and lock-order graphs. No terminal code here.

mod graph;
mod model;
pub mod report;
mod run;
mod state;

pub use graph::{Link, LockOrder, OrderEdge, wait_chain};
pub use model::{Action, Model, PatchLocks, Program};
pub use run::{
    Outcome, Run, StepRef, next_by_policy, resolve_order, run, why_not, with_skips_listed,
};
pub use state::{
    Completion, Event, EventKind, Fault, LockState, PatchMode, State, Status, ThreadState, Wait,
};

#[cfg(test)]
mod tests;
