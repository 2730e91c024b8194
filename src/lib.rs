//! lockstep: a terminal lab for thread schedules and deadlocks.
//!
//! The layers, each using only the ones before it:
//! 1. [`schedule`]: the file format (types, loading with diagnostics,
//!    validation, saving);
//! 2. [`sim`]: the semantics (state, one step, running an order, outcomes,
//!    the wait-for and lock-order graphs);
//! 3. [`explore`] (every execution at once: counts, shortest deadlock,
//!    needless drops), [`real`] (the same order on real threads) and
//!    [`record`] (encoders for recordings), built on `sim`;
//! 4. [`tui`]: the interactive screen, which also drives recordings.
//!
//! Replaying the built-in App Engine schedule, with and without the patch:
//!
//! ```
//! use lockstep::schedule;
//! use lockstep::sim::{self, Model, Outcome, PatchMode};
//!
//! let schedule = schedule::built_in();
//! let model = Model::new(&schedule);
//! let order = sim::resolve_order(&schedule, &schedule.order).unwrap();
//!
//! let stock = sim::run(&schedule, &model, PatchMode::Off, &order).unwrap();
//! assert!(matches!(stock.outcome, Outcome::Deadlock { .. }));
//!
//! let patched = sim::run(&schedule, &model, PatchMode::On, &order).unwrap();
//! assert_eq!(patched.outcome, Outcome::Finished);
//! let dropped = sim::report::dropped(&schedule, &patched.events);
//! assert_eq!(dropped[0].message, "hooks installed");
//! ```

pub mod explore;
pub mod real;
pub mod record;
pub mod schedule;
pub mod sim;
// The screen is the terminal while the TUI runs: nothing may print to it.
#[deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]
pub mod tui;

// The unit tests of `explore` share the random schedules of the
// integration tests, which name the crate.
#[cfg(test)]
extern crate self as lockstep;
