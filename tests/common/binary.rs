//! The built binary, run as a user would: for the test files that run
//! commands (kept apart from `mod.rs`, which unit tests include too and
//! where the binary is not built).

use std::process::{Command, Output};

/// Runs the built `lockstep` in the repository, without colour, and waits.
///
/// # Panics
///
/// If the binary cannot be started.
#[must_use]
pub fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}
