//! The TUI's export key: the picture and the report it writes next to the
//! schedule file are the ones `lockstep record` makes for the same run.

use std::path::{Path, PathBuf};

use lockstep::record::{Delay, Format, Options, Size};
use lockstep::schedule::{self, Schedule};
use lockstep::sim::PatchMode;
use lockstep::tui::recording;
use lockstep::tui::{Action, App, Context, Popup, Tone, action_for, update};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A copy of the App Engine schedule in a folder of its own.
fn copied_schedule(test: &str) -> (Schedule, PathBuf) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("export")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let path = dir.join("appengine.ron");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("schedules/appengine.ron");
    std::fs::copy(shipped, &path).expect("a copy");
    (schedule::load(&path).expect("a valid schedule"), path)
}

fn recorded(schedule: &Schedule, file: &Path, patch: PatchMode, options: &Options) -> String {
    recording::record(schedule, Some(file), patch, options).expect("recorded")
}

fn options(format: Format, at: Option<usize>) -> Options {
    Options {
        format,
        size: Size::DEFAULT,
        delay: Delay::DEFAULT,
        at,
    }
}

#[test]
fn x_is_the_export_key() {
    let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
    assert_eq!(action_for(Context::Main, x), Some(Action::Export));
}

#[test]
fn the_export_is_what_record_makes_at_the_same_position() {
    let (schedule, path) = copied_schedule("unpatched");
    let mut app = App::new(schedule.clone(), Some(path.clone()));
    for _ in 0..3 {
        update(&mut app, Action::StepForward);
    }
    update(&mut app, Action::Export);

    let picture = path.with_extension("svg");
    let report = path.with_extension("md");
    let status = app.status().expect("the export says where");
    assert_eq!(status.tone, Tone::Done);
    assert_eq!(
        status.text,
        format!(
            "exported the screen to {} and the run to {}",
            picture.display(),
            report.display()
        )
    );

    let svg = std::fs::read_to_string(&picture).expect("the picture is written");
    let at_three = options(Format::Svg, Some(3));
    assert_eq!(svg, recorded(&schedule, &path, PatchMode::Off, &at_three));
    let markdown = std::fs::read_to_string(&report).expect("the report is written");
    let report_options = options(Format::Markdown, None);
    assert_eq!(
        markdown,
        recorded(&schedule, &path, PatchMode::Off, &report_options)
    );
}

#[test]
fn a_patched_export_has_its_own_names_and_report() {
    let (schedule, path) = copied_schedule("patched");
    let mut app = App::new(schedule.clone(), Some(path.clone()));
    update(&mut app, Action::TogglePatch);
    update(&mut app, Action::JumpEnd);
    update(&mut app, Action::Export);

    let folder = path.parent().expect("a folder");
    let markdown = std::fs::read_to_string(folder.join("appengine-patched.md"))
        .expect("the patched report is written");
    let report_options = options(Format::Markdown, None);
    assert_eq!(
        markdown,
        recorded(&schedule, &path, PatchMode::On, &report_options)
    );
    let svg = std::fs::read_to_string(folder.join("appengine-patched.svg"))
        .expect("the patched picture is written");
    assert!(svg.contains("<title>App Engine: logging lock vs import lock (patched), after 11"));
    assert!(
        !folder.join("appengine.svg").exists(),
        "the unpatched names are left alone"
    );
}

#[test]
fn a_failed_export_says_why_in_a_popup() {
    let (schedule, path) = copied_schedule("failed");
    let gone = path
        .parent()
        .expect("a folder")
        .join("removed")
        .join("appengine.ron");
    let mut app = App::new(schedule, Some(gone.clone()));
    update(&mut app, Action::Export);

    let Some(Popup::Message { title, .. }) = app.popup() else {
        panic!("a popup, not {:?}", app.popup());
    };
    assert_eq!(
        title,
        &format!("cannot export to {}", gone.with_extension("svg").display())
    );
}
