//! The built binary, run as a user would: outputs, JSON keys, exit codes.

#[path = "common/binary.rs"]
mod binary;

use std::process::Output;

use binary::lockstep;

use serde_json::Value;

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn replay_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["replay"];
    all.extend_from_slice(args);
    all.push("--json");
    let output = lockstep(&all);
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", stdout(&output), stderr(&output));
    });
    (output.status.code().expect("exit code"), value)
}

#[test]
fn every_shipped_schedule_has_its_documented_outcome() {
    let expected = [
        ("schedules/appengine.ron", "deadlock", "finished"),
        ("schedules/appengine-finishes.ron", "finished", "finished"),
        (
            "schedules/appengine-needless-drop.ron",
            "finished",
            "finished",
        ),
        ("schedules/repro.ron", "deadlock", "deadlock"),
        ("schedules/two-locks.ron", "deadlock", "no patch"),
        ("schedules/philosophers.ron", "deadlock", "no patch"),
    ];
    for (file, unpatched, patched) in expected {
        let (code, value) = replay_json(&[file]);
        assert_eq!(value["outcome"], unpatched, "{file}");
        assert_eq!(code, if unpatched == "deadlock" { 3 } else { 0 }, "{file}");
        if patched == "no patch" {
            let output = lockstep(&["replay", file, "--patched"]);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{file} has no patch to turn on"
            );
            assert!(stderr(&output).contains("has no `patch`"), "{file}");
            continue;
        }
        let (_, value) = replay_json(&[file, "--patched"]);
        assert_eq!(value["outcome"], patched, "{file} patched");
    }
}

#[test]
fn the_app_engine_deadlock_reports_its_cycle_and_inversion() {
    let (code, value) = replay_json(&["schedules/appengine.ron"]);
    assert_eq!(code, 3);
    assert_eq!(value["patched"], false);
    let cycle: Vec<(&str, &str, &str)> = value["cycle"]
        .as_array()
        .expect("cycle")
        .iter()
        .map(|l| {
            let text = |k: &str| l[k].as_str().expect("string");
            (text("thread"), text("waits_for"), text("held_by"))
        })
        .collect();
    assert_eq!(cycle, [("A", "I", "B"), ("B", "H", "A")]);
    let events = value["events"].as_array().expect("events");
    assert_eq!(events.len(), 7);
    assert_eq!(events[4]["kind"], "blocked");
    assert_eq!(events[4]["lock"], "I");
    assert_eq!(events[4]["step"], "A4");
    assert_eq!(events[4]["auto"], false);
    assert!(
        !value["inversions"]
            .as_array()
            .expect("inversions")
            .is_empty()
    );
    assert_eq!(
        value["emitted"][0],
        "URL being requested: GET https://www.googleapis.com/…"
    );
}

#[test]
fn the_patched_run_drops_hooks_installed_and_finishes() {
    let (code, value) = replay_json(&["schedules/appengine.ron", "--patched"]);
    assert_eq!(code, 0);
    assert_eq!(value["patched"], true);
    let dropped = &value["dropped"][0];
    assert_eq!(
        (&dropped["thread"], &dropped["step"]),
        (&"B".into(), &"B4".into())
    );
    assert_eq!(dropped["message"], "hooks installed");
    assert_eq!(value["events"][6]["kind"], "drop");
    assert_eq!(value["events"][7]["auto"], true);
    assert_eq!(value["static_inversions"], Value::Array(Vec::new()));
}

#[test]
fn the_needless_drop_loses_the_record_of_the_thread_without_the_import_lock() {
    let (_, value) = replay_json(&["schedules/appengine-needless-drop.ron", "--patched"]);
    assert_eq!(value["dropped"][0]["thread"], "A");
    assert_eq!(value["dropped"][0]["step"], "A2");
    let (_, value) = replay_json(&["schedules/appengine-needless-drop.ron"]);
    assert_eq!(value["dropped"], Value::Array(Vec::new()));
}

#[test]
fn the_text_report_is_a_table_with_a_column_per_thread() {
    let output = lockstep(&["replay", "schedules/appengine.ron"]);
    let text = stdout(&output);
    assert!(text.contains("A request A (logs)"), "{text}");
    assert!(text.contains("B request B (imports)"), "{text}");
    assert!(text.contains("outcome: deadlock"), "{text}");
    assert!(
        text.contains("A waits for I (import lock), held by B"),
        "{text}"
    );
    let blocked = text
        .lines()
        .find(|l| l.contains("B3 acquire H: blocked"))
        .expect("B3 row");
    let a_column = text
        .lines()
        .find(|l| l.contains("A1 acquire H"))
        .expect("A1 row");
    let column = |line: &str, needle: &str| line.find(needle).expect("cell");
    assert!(
        column(blocked, "B3") > column(a_column, "A1") + 20,
        "B is its own column"
    );
}

#[test]
fn an_order_on_the_command_line_replaces_the_files() {
    let (code, value) = replay_json(&["schedules/appengine.ron", "--order", "A1, B1,B2,B3,B4"]);
    assert_eq!(code, 4);
    assert_eq!(value["outcome"], "stuck");
    assert_eq!(value["reason"], "B4 cannot run: B waits for H, held by A");
}

#[test]
fn a_bad_order_on_the_command_line_is_pointed_at() {
    let output = lockstep(&["replay", "schedules/appengine.ron", "--order", "A1,A2,B3"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
    let text = stderr(&output);
    assert!(
        text.contains("the order runs `B3` before `B1` (at --order:1:7)"),
        "{text}"
    );
    assert!(
        text.contains("A1,A2,B3\n  |       ^^ `B1` is missing before this"),
        "{text}"
    );
}

#[test]
fn a_gap_found_when_the_order_runs_is_pointed_at_in_the_file() {
    let output = lockstep(&["replay", "tests/fixtures/runtime-gap.ron"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("the order runs `A4` before `A2`"), "{text}");
    assert!(
        text.contains("tests/fixtures/runtime-gap.ron:16:19"),
        "{text}"
    );
}

#[test]
fn check_accepts_the_shipped_schedules() {
    let files: Vec<String> = std::fs::read_dir("schedules")
        .expect("schedules/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    let output = lockstep(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), files.len());
}

#[test]
fn check_rejects_a_bad_file_with_its_diagnostic_on_stderr() {
    let output = lockstep(&[
        "check",
        "schedules/appengine.ron",
        "tests/invalid/unknown-op.ron",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("tests/invalid/unknown-op.ron:18:32"),
        "{text}"
    );
    assert!(text.contains("help: use one of"), "{text}");
}

#[test]
fn every_bad_file_exits_2_without_panicking() {
    for entry in std::fs::read_dir("tests/invalid").expect("corpus") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "ron") {
            continue;
        }
        let output = lockstep(&["replay", &path.display().to_string()]);
        assert_eq!(output.status.code(), Some(2), "{}", path.display());
        assert!(stderr(&output).starts_with("error: "), "{}", path.display());
        assert!(!stderr(&output).contains("panicked"), "{}", path.display());
    }
}

#[test]
fn a_missing_file_says_so_and_exits_2() {
    let output = lockstep(&["replay", "no/such/file.ron"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read no/such/file.ron"));
}

#[test]
fn a_usage_error_exits_2() {
    let output = lockstep(&["replay"]);
    assert_eq!(output.status.code(), Some(2));
    let output = lockstep(&["replay", "schedules/appengine.ron", "--no-such-flag"]);
    assert_eq!(output.status.code(), Some(2));
}
