//! lockstep: a terminal lab for thread schedules and deadlocks.
//!
//! The layers, each using only the ones above it:
//! [`schedule`] (the file format), [`sim`] (the semantics), then the
//! front ends built on them.

pub mod explore;
pub mod schedule;
pub mod sim;

// The unit tests of `explore` share the random schedules of the
// integration tests, which name the crate.
#[cfg(test)]
extern crate self as lockstep;
