//! `lockstep explore` as a user runs it: outputs, JSON keys, exit codes,
//! the state limit, progress and Ctrl-C.

#[path = "common/binary.rs"]
mod binary;

use std::process::{Command, Stdio};

use binary::lockstep;
use std::time::Duration;

use serde_json::Value;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn explore_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["explore", "--json"];
    all.extend_from_slice(args);
    let output = lockstep(&all);
    let value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&output.stdout), text(&output.stderr)));
    (output.status.code().expect("exit code"), value)
}

#[test]
fn a_reachable_deadlock_exits_3_with_every_json_key() {
    let (code, value) = explore_json(&["schedules/appengine.ron"]);
    assert_eq!(code, 3);
    for key in [
        "executions",
        "finished",
        "deadlocked",
        "with_drops",
        "states",
        "shortest_deadlock",
        "examples",
        "drops",
        "inversions",
    ] {
        assert!(value.get(key).is_some(), "key {key}");
    }
    assert_eq!(value["executions"], 62);
    assert_eq!(value["deadlocked"], 33);
    assert_eq!(value["patched"], false);
    assert_eq!(value["shortest_deadlock"].as_array().map(Vec::len), Some(7));
    assert_eq!(
        value["examples"]["finished"].as_array().map(Vec::len),
        Some(13)
    );
    let edge = &value["inversions"][1][0];
    assert_eq!(
        [&edge["from"], &edge["to"], &edge["step"], &edge["held_at"]],
        ["H", "I", "A4", "A1"]
    );
}

#[test]
fn the_patch_removes_every_deadlock_and_classifies_its_drops() {
    let (code, value) = explore_json(&["schedules/appengine.ron", "--patched"]);
    assert_eq!(code, 0);
    assert_eq!(value["deadlocked"], 0);
    assert_eq!(value["with_drops"], 82);
    assert!(value["shortest_deadlock"].is_null());
    let drops = value["drops"].as_array().expect("drops");
    let sites: Vec<(&str, &str, bool)> = drops
        .iter()
        .map(|d| {
            let field = |k: &str| d[k].as_str().expect("a string");
            (field("thread"), field("step"), d["needed"] == true)
        })
        .collect();
    assert_eq!(
        sites,
        [("B", "B3", true), ("A", "A1", false), ("B", "B3", false)]
    );
    assert_eq!(drops[0]["records"], serde_json::json!(["B4"]));
}

#[test]
fn the_text_report_names_the_shortest_deadlock_and_the_inversion() {
    let output = lockstep(&["explore", "schedules/appengine.ron"]);
    let out = text(&output.stdout);
    assert!(out.contains("executions             62"), "{out}");
    assert!(out.contains("shortest deadlock (7 moves): "), "{out}");
    assert!(
        out.contains("A takes H at A1, then I at A4; B takes I at B1, then H at B3"),
        "{out}"
    );
    assert!(output.stderr.is_empty(), "a short search shows no progress");
}

#[test]
fn bad_input_exits_2() {
    let missing = lockstep(&["explore", "schedules/no-such-file.ron"]);
    assert_eq!(missing.status.code(), Some(2));
    let invalid = lockstep(&["explore", "tests/invalid/duplicate-lock.ron"]);
    assert_eq!(invalid.status.code(), Some(2));
    assert!(text(&invalid.stderr).contains("duplicate lock id"));
    let no_patch = lockstep(&["explore", "schedules/two-locks.ron", "--patched"]);
    assert_eq!(no_patch.status.code(), Some(2));
    assert!(text(&no_patch.stderr).contains("has no `patch`"));
    let bad_flag = lockstep(&["explore", "schedules/appengine.ron", "--max-states", "many"]);
    assert_eq!(bad_flag.status.code(), Some(2));
}

#[test]
fn the_state_limit_exits_1_or_3_when_a_deadlock_was_already_found() {
    let args = ["schedules/philosophers.ron", "--max-states", "50"];
    let (code, value) = explore_json(&args);
    assert_eq!(code, 1);
    assert_eq!(value["stopped"], "limit");
    assert!(value["deadlock"].is_null());
    let stderr = text(&lockstep(&["explore", args[0], args[1], args[2]]).stderr);
    assert!(stderr.contains("state limit of 50 states"), "{stderr}");
    assert!(stderr.contains("--max-states"), "{stderr}");
    let (code, value) = explore_json(&["schedules/philosophers.ron", "--max-states", "5000"]);
    assert_eq!(code, 3, "a deadlock found before the limit is reachable");
    assert!(value["deadlock"].is_array());
}

#[test]
fn a_long_search_shows_progress_on_stderr_and_stops_on_ctrl_c() {
    let child = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args([
            "explore",
            "--json",
            "schedules/bench/ring-10-k1-ordered.ron",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    std::thread::sleep(Duration::from_millis(2500));
    let signal = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(signal.success());
    let output = child.wait_with_output().expect("it stops");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("exploring: "), "progress: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let value: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON only");
    assert_eq!(value["stopped"], "interrupted");
    assert!(value["states"].as_u64().is_some_and(|n| n > 0));
}

#[test]
fn the_bench_rings_are_what_the_generator_writes() {
    for (n, k, variant) in [("4", "1", "deadlock"), ("7", "2", "ordered")] {
        let generated = Command::new("bash")
            .args(["tests/bench/ring.sh", "ron", n, k, variant])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("bash runs");
        let file = format!("schedules/bench/ring-{n}-k{k}-{variant}.ron");
        let committed = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&file))
            .expect("committed");
        assert_eq!(text(&generated.stdout), text(&committed), "{file}");
    }
}

#[test]
fn a_small_ring_without_the_cycle_never_deadlocks() {
    let (code, value) = explore_json(&["schedules/bench/ring-3-k1-ordered.ron"]);
    assert_eq!(code, 0);
    assert_eq!(value["deadlocked"], 0);
    assert_eq!(value["states"], 162);
    let (code, value) = explore_json(&["schedules/bench/ring-3-k1-deadlock.ron"]);
    assert_eq!(code, 3);
    assert_eq!(value["states"], 184);
    // Three forks held, three philosophers waiting: 3 takes, 3 attempts.
    assert_eq!(value["shortest_deadlock"].as_array().map(Vec::len), Some(6));
}

#[test]
fn the_example_in_the_readme_is_what_explore_prints() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README");
    let command = "$ lockstep explore schedules/appengine.ron --patched\n";
    let start = readme.find(command).expect("the example") + command.len();
    let end = start + readme[start..].find("```").expect("closed block");
    let output = lockstep(&["explore", "schedules/appengine.ron", "--patched"]);
    assert_eq!(text(&output.stdout), readme[start..end]);
}
