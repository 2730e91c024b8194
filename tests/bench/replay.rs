//! Replay speed, in a release build: `cargo bench --bench replay`.
//!
//! Two figures, each with a reference measured in the same run so that the
//! ratio, not the machine, is what the README reports:
//! - replaying a generated 10,000-step, 8-thread schedule (resolve the
//!   order, run it), against parsing the same schedule's RON text;
//! - `lockstep replay schedules/appengine.ron` as a whole process, against
//!   `lockstep --version` (the cost of starting the binary at all).

#[path = "timing.rs"]
mod timing;

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use timing::{report, time};

use lockstep::schedule::{self, Schedule};
use lockstep::sim::{self, Model, PatchMode};

const THREADS: usize = 8;
const STEPS_PER_THREAD: usize = 1250;
/// 8 threads; each takes its own lock twice (re-entry), logs, works and
/// releases it twice, over and over; the order lists every step,
/// interleaving the threads round-robin, so the run is 10,000 events.
fn big_schedule_text() -> String {
    let mut text = String::from("Schedule(version: 1, title: \"bench\", locks: [");
    for l in 0..THREADS {
        let _ = write!(
            text,
            "Lock(id: \"L{l}\", name: \"lock {l}\", kind: Reentrant),"
        );
    }
    text.push_str("], threads: [");
    for t in 0..THREADS {
        let _ = write!(text, "Thread(id: \"T{t}\", name: \"thread {t}\", steps: [");
        for s in 0..STEPS_PER_THREAD {
            let op = match s % 5 {
                0 | 1 => format!("op: Acquire(\"L{t}\"), "),
                2 => format!("op: Log(\"record {t}.{s}\"), "),
                _ => format!("op: Release(\"L{t}\"), "),
            };
            let _ = write!(text, "Step(id: \"T{t}.{s}\", {op}text: \"step\"),");
        }
        text.push_str("]),");
    }
    text.push_str("], order: [");
    for s in 0..STEPS_PER_THREAD {
        for t in 0..THREADS {
            let _ = write!(text, "\"T{t}.{s}\",");
        }
    }
    text.push_str("])");
    text
}

fn main() {
    let text = big_schedule_text();
    let schedule: Schedule = schedule::parse("bench.ron", text.as_bytes()).expect("valid bench");
    let parse = time(15, || {
        black_box(schedule::parse("bench.ron", black_box(text.as_bytes())).ok());
    });
    let replay = time(15, || {
        let model = Model::new(&schedule);
        let order = sim::resolve_order(&schedule, &schedule.order).expect("valid order");
        let run = sim::run(&schedule, &model, PatchMode::Off, &order).expect("runs");
        assert_eq!(run.outcome, sim::Outcome::Finished);
        assert_eq!(run.events.len(), THREADS * STEPS_PER_THREAD);
        black_box(run.events.len());
    });
    report(
        "replay 10,000 steps, 8 threads",
        replay,
        "parse its RON text",
        parse,
    );

    let binary = Path::new(env!("CARGO_BIN_EXE_lockstep"));
    let root = env!("CARGO_MANIFEST_DIR");
    let process = |args: &[&str]| {
        let status = Command::new(binary).args(args).current_dir(root).output();
        black_box(status.expect("runs").status);
    };
    let version = time(31, || process(&["--version"]));
    let appengine = time(31, || process(&["replay", "schedules/appengine.ron"]));
    report(
        "lockstep replay appengine.ron",
        appengine,
        "lockstep --version",
        version,
    );
}
