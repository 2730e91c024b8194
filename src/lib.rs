//! lockstep: a terminal lab for thread schedules and deadlocks.
//!
//! The layers, each using only the ones above it:
//! [`schedule`] (the file format), [`sim`] (the semantics), then the
//! front ends built on them.

pub mod real;
pub mod record;
pub mod schedule;
pub mod sim;
// The screen is the terminal while the TUI runs: nothing may print to it.
#[deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]
pub mod tui;
