//! The schedule file format: types, loading with diagnostics, validation
//! and atomic saving. See the README for the format with a full example.

mod diagnostic;
mod format;
mod load;
pub mod locate;
mod save;
mod validate;

pub use diagnostic::{Diagnostic, Style, offset_of};
pub use format::{Lock, LockKind, Op, Patch, Schedule, Step, Thread, VERSION};
pub use load::{LoadError, load, located, parse};
pub use save::{save, to_ron, write_atomic};
pub use validate::{Invalid, check_order, order_gap, out_of_order, validate};

/// The built-in App Engine schedule, the same file as `schedules/appengine.ron`.
pub const BUILT_IN: &str = include_str!("../schedules/appengine.ron");

/// The name shown for the built-in schedule in diagnostics and headers.
pub const BUILT_IN_NAME: &str = "schedules/appengine.ron";

/// The built-in schedule, parsed.
///
/// # Panics
///
/// Never in a released build: a test checks that the embedded file is valid.
#[must_use]
pub fn built_in() -> Schedule {
    parse(BUILT_IN_NAME, BUILT_IN.as_bytes()).expect("the built-in schedule is valid")
}
