//! How fast a replay on real threads is, against a reference measured in
//! the same run: starting and reaping a trivial child process
//! (`lockstep --version`), the floor under any replay in a child.
//!
//! Run with `cargo bench --bench real`. Each figure is the median (and the
//! slowest) of several runs, with its ratio to the reference and, where the
//! README sets one, the target it must stay under.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lockstep::real::{self, Options, RealOutcome};
use lockstep::schedule::{self, Schedule};
use lockstep::sim::PatchMode;

const LOCKSTEP: &str = env!("CARGO_BIN_EXE_lockstep");

/// Runs per figure.
const RUNS: usize = 15;

/// The time of each of [`RUNS`] runs of `once`, sorted.
fn measure(mut once: impl FnMut()) -> Vec<Duration> {
    once();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            once();
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn median(times: &[Duration]) -> Duration {
    times[times.len() / 2]
}

fn millis(time: Duration) -> f64 {
    time.as_secs_f64() * 1000.0
}

/// One line of the table.
fn report(what: &str, times: &[Duration], reference: Duration, target: Option<Duration>) {
    let ratio = median(times).as_secs_f64() / reference.as_secs_f64();
    let verdict = target.map_or(String::new(), |limit| {
        let slowest = times[times.len() - 1];
        let ok = if slowest < limit { "ok" } else { "OVER" };
        format!("  target < {:.0} ms: {ok}", millis(limit))
    });
    println!(
        "{what:<48} {:>8.1} ms {:>8.1} ms {:>7.1}x{verdict}",
        millis(median(times)),
        millis(times[times.len() - 1]),
        ratio
    );
}

fn app_engine() -> Schedule {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schedules/appengine.ron");
    schedule::load(&path).expect("the shipped schedule loads")
}

fn options() -> Options {
    Options {
        program: Some(PathBuf::from(LOCKSTEP)),
        ..Options::default()
    }
}

/// A replay through the library, checked to end as `expected`.
fn replay(schedule: &Schedule, patch: PatchMode, expected: &str) {
    let run = real::replay_in_child(schedule, patch, &schedule.order, &options())
        .expect("the replay runs");
    assert_eq!(run.outcome.name(), expected);
    if let RealOutcome::Deadlock { deadlocked, .. } = &run.outcome {
        assert_eq!(deadlocked, &[0, 1], "parking_lot confirms A and B");
    }
}

/// `lockstep` with `args`, checked to exit with `code`.
fn lockstep(args: &[&str], code: i32) {
    let output = Command::new(LOCKSTEP)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("lockstep runs");
    assert_eq!(output.status.code(), Some(code), "lockstep {args:?}");
}

fn main() {
    let schedule = app_engine();
    let file = "schedules/appengine.ron";
    println!(
        "real threads, {RUNS} runs each; grace period {} ms",
        real::GRACE.as_millis()
    );
    println!(
        "{:<48} {:>11} {:>11} {:>8}",
        "", "median", "slowest", "ratio"
    );

    let reference = measure(|| lockstep(&["--version"], 0));
    report(
        "reference: lockstep --version",
        &reference,
        median(&reference),
        None,
    );
    let reference = median(&reference);

    let deadlock = Some(Duration::from_secs(1));
    let finishing = Some(Duration::from_millis(200));
    let times = measure(|| replay(&schedule, PatchMode::Off, "deadlock"));
    report(
        "App Engine deadlock confirmed (library)",
        &times,
        reference,
        deadlock,
    );
    let times = measure(|| lockstep(&["replay", file, "--real"], 3));
    report(
        "App Engine deadlock confirmed (command)",
        &times,
        reference,
        deadlock,
    );
    let times = measure(|| replay(&schedule, PatchMode::On, "finished"));
    report(
        "App Engine patched, finishes (library)",
        &times,
        reference,
        finishing,
    );
    let times = measure(|| lockstep(&["replay", file, "--real", "--patched"], 0));
    report(
        "App Engine patched, finishes (command)",
        &times,
        reference,
        finishing,
    );
}
