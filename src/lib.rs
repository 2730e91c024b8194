//! lockstep: a terminal lab for thread schedules and deadlocks.
//!
//! The layers, each using only the ones above it:
//! [`schedule`] (the file format), [`sim`] (the semantics), then the
//! front ends built on them.

pub mod real;
pub mod schedule;
pub mod sim;
