//! Recording speed, in a release build: `cargo bench --bench record`.
//!
//! Each figure comes with a reference measured in the same run, so that the
//! ratio, not the machine, is what the README reports:
//! - recording the App Engine schedule as a cast, a picture and a report,
//!   against drawing the same frames with the TUI and encoding nothing;
//! - `lockstep record schedules/appengine.ron --out demo.cast` as a whole
//!   process, against `lockstep --version` (the cost of starting at all).

#[path = "timing.rs"]
mod timing;

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use timing::{report, time};

use lockstep::record::{Delay, Format, Options, Size};
use lockstep::schedule::{self, Schedule};
use lockstep::sim::PatchMode;
use lockstep::tui::recording::{self, Frames};

const APP_ENGINE: &str = "schedules/appengine.ron";

fn options(format: Format) -> Options {
    Options {
        format,
        size: Size::DEFAULT,
        delay: Delay::DEFAULT,
        at: None,
    }
}

/// Every frame of the run drawn by the TUI, nothing encoded.
fn draw_only(schedule: &Schedule, patch: PatchMode) {
    let file = Some(APP_ENGINE.into());
    let mut frames =
        Frames::new(schedule.clone(), file, patch, Size::DEFAULT).expect("a valid order");
    black_box(frames.draw());
    while frames.step() {
        black_box(frames.draw());
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schedule = schedule::load(&root.join(APP_ENGINE)).expect("a valid schedule");
    let file = Path::new(APP_ENGINE);

    for patch in [PatchMode::Off, PatchMode::On] {
        let mode = if patch.is_on() {
            "patched"
        } else {
            "unpatched"
        };
        let frames = time(31, || draw_only(&schedule, patch));
        for (format, name) in [
            (Format::Cast, "cast"),
            (Format::Svg, "svg"),
            (Format::Markdown, "md"),
        ] {
            let recording = time(31, || {
                let text = recording::record(&schedule, Some(file), patch, &options(format));
                black_box(text.expect("recorded"));
            });
            report(
                &format!("record appengine ({mode}) .{name}"),
                recording,
                "drawing every frame",
                frames,
            );
        }
    }

    let binary = Path::new(env!("CARGO_BIN_EXE_lockstep"));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-demo.cast");
    let process = |args: &[&str]| {
        let output = Command::new(binary).args(args).current_dir(root).output();
        assert!(output.expect("runs").status.success(), "{args:?}");
    };
    let version = time(31, || process(&["--version"]));
    let out = out.to_str().expect("a UTF-8 path");
    let whole = time(31, || process(&["record", APP_ENGINE, "--out", out]));
    report(
        "lockstep record appengine.ron .cast",
        whole,
        "lockstep --version",
        version,
    );
}
