//! `lockstep record` run as a user would: each format, the options that
//! shape them, and the mistakes a user can make.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// An empty folder of its own for each test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("record_cli")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Records `file` into `out` with `extra` options; returns the output of
/// the command and the text written, if any.
fn record(file: &str, out: &Path, extra: &[&str]) -> (Output, Option<String>) {
    let out_text = out.to_str().expect("a UTF-8 path");
    let mut args = vec!["record", file, "--out", out_text];
    args.extend_from_slice(extra);
    let output = lockstep(&args);
    (output, std::fs::read_to_string(out).ok())
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code")
}

const APP_ENGINE: &str = "schedules/appengine.ron";

#[test]
fn a_cast_has_one_frame_per_event_plus_the_start_at_logical_times() {
    let dir = scratch("cast");
    let (output, cast) = record(APP_ENGINE, &dir.join("demo.cast"), &["--delay", "0.25"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!(
            "wrote {} (7 events, deadlock)\n",
            dir.join("demo.cast").display()
        )
    );

    let cast = cast.expect("the cast is written");
    let mut lines = cast.lines();
    let header: serde_json::Value =
        serde_json::from_str(lines.next().expect("a header")).expect("JSON");
    assert_eq!(header["version"], 2);
    assert_eq!(
        (header["width"].as_u64(), header["height"].as_u64()),
        (Some(100), Some(30))
    );
    assert!(header.get("timestamp").is_none());
    let times: Vec<&str> = lines
        .map(|line| {
            line.split(',')
                .next()
                .expect("a time")
                .trim_start_matches('[')
        })
        .collect();
    let expected = [
        "0.000", "0.250", "0.500", "0.750", "1.000", "1.250", "1.500", "1.750",
    ];
    assert_eq!(times, expected);
}

#[test]
fn the_same_command_writes_the_same_bytes_whatever_no_color_says() {
    let dir = scratch("same");
    let out = dir.join("demo.cast");
    let (_, first) = record(APP_ENGINE, &out, &["--patched"]);
    let plain = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["record", APP_ENGINE, "--patched", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    assert_eq!(code(&plain), 0);
    let second = std::fs::read_to_string(&out).ok();
    assert!(first.is_some());
    assert_eq!(first, second);
    assert!(
        first.is_some_and(|cast| cast.contains("\\u001b[0;")),
        "the cast has colours"
    );
}

#[test]
fn a_size_sets_the_cast_header_and_the_picture() {
    let dir = scratch("size");
    let (output, cast) = record(APP_ENGINE, &dir.join("small.cast"), &["--size", "80x24"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let cast = cast.expect("written");
    let header = cast.lines().next().expect("a header");
    assert!(header.contains("\"width\": 80, \"height\": 24"), "{header}");

    let (output, svg) = record(APP_ENGINE, &dir.join("small.svg"), &["--size", "80x24"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let svg = svg.expect("written");
    let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = document.root_element();
    // 12 × 80 columns and 24 × 24 rows, with a 12-pixel margin around.
    assert_eq!(root.attribute("width"), Some("984"));
    assert_eq!(root.attribute("height"), Some("600"));
}

#[test]
fn an_svg_shows_the_end_or_the_position_asked_for() {
    let dir = scratch("svg");
    let out = dir.join("frame.svg");
    let title = |svg: &str| {
        let document = roxmltree::Document::parse(svg).expect("well-formed XML");
        let title = document
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .map(str::to_owned);
        title.expect("a title")
    };

    let (output, svg) = record(APP_ENGINE, &out, &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        title(&svg.expect("written")),
        "App Engine: logging lock vs import lock (unpatched), after 7 of 7 events"
    );

    let (output, svg) = record(APP_ENGINE, &out, &["--at", "0", "--patched"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        title(&svg.expect("written")),
        "App Engine: logging lock vs import lock (patched), after 0 of 11 events"
    );
}

#[test]
fn a_position_past_the_end_is_refused_and_nothing_is_written() {
    let dir = scratch("at");
    let out = dir.join("frame.svg");
    let (output, svg) = record(APP_ENGINE, &out, &["--at", "8"]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        stderr(&output),
        "lockstep: there is no position 8: the run has 7 events, so use 0 to 7\n"
    );
    assert_eq!(svg, None);
}

#[test]
fn a_report_is_the_markdown_of_the_run() {
    let dir = scratch("markdown");
    let (output, report) = record(APP_ENGINE, &dir.join("report.md"), &["--patched"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = report.expect("written");
    assert!(report.starts_with("# App Engine: logging lock vs import lock\n"));
    assert!(report.contains("\n## Outcome: finished\n"));
    assert!(report.contains("\n- B4 (B): \"hooks installed\"\n"));
    assert!(report.contains("\n## Unpatched\n"));
}

#[test]
fn an_order_on_the_command_line_replaces_the_files() {
    let dir = scratch("order");
    let order = ["--order", "A1,A2,A3,A4,A5,A6,A7"];
    let (output, report) = record(APP_ENGINE, &dir.join("report.md"), &order);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = report.expect("written");
    assert!(report.contains("\n## Outcome: finished\n"), "{report}");
}

#[test]
fn an_unknown_extension_is_a_usage_error() {
    let dir = scratch("extension");
    for name in ["demo.gif", "demo", "demo.cast.txt"] {
        let (output, written) = record(APP_ENGINE, &dir.join(name), &[]);
        assert_eq!(code(&output), 2, "{name}");
        let message = stderr(&output);
        assert!(
            message.contains("cannot tell the format of"),
            "{name}: {message}"
        );
        assert!(
            message.contains("end the file name with .cast, .svg or .md"),
            "{message}"
        );
        assert_eq!(written, None, "{name}");
    }
}

#[test]
fn a_bad_size_or_delay_is_a_usage_error() {
    let dir = scratch("values");
    let out = dir.join("demo.cast");
    let cases = [
        ("--size", "100", "is not a terminal size"),
        ("--size", "0x30", "is not a terminal size"),
        ("--size", "100x", "is not a terminal size"),
        ("--size", "wide", "is not a terminal size"),
        ("--size", "501x30", "is not a terminal size"),
        ("--delay", "0", "is not a delay"),
        ("--delay", "-1", "is not a delay"),
        ("--delay", "1.2345", "is not a delay"),
        ("--delay", "soon", "is not a delay"),
    ];
    for (option, value, message) in cases {
        // `--delay=-1`: written apart, `-1` would read as an option.
        let (output, written) = record(APP_ENGINE, &out, &[&format!("{option}={value}")]);
        assert_eq!(code(&output), 2, "{option} {value}");
        assert!(
            stderr(&output).contains(message),
            "{option} {value}: {}",
            stderr(&output)
        );
        assert_eq!(written, None);
    }
}

#[test]
fn an_option_the_format_has_no_use_for_is_refused() {
    let dir = scratch("unused");
    let cases = [
        ("demo.cast", ["--at", "3"]),
        ("frame.svg", ["--delay", "2"]),
        ("report.md", ["--size", "80x24"]),
    ];
    for (name, option) in cases {
        let (output, written) = record(APP_ENGINE, &dir.join(name), &option);
        assert_eq!(code(&output), 2, "{name} {option:?}");
        assert!(
            stderr(&output).starts_with("lockstep: --"),
            "{}",
            stderr(&output)
        );
        assert_eq!(written, None);
    }
}

#[test]
fn bad_input_gets_the_same_diagnostics_as_replay() {
    let dir = scratch("bad-input");
    let cases: [&[&str]; 4] = [
        &["tests/invalid/unknown-field.ron"],
        &["no/such/file.ron"],
        &[APP_ENGINE, "--order", "A1,A3"],
        &["schedules/two-locks.ron", "--patched"],
    ];
    for case in cases {
        let mut replay = vec!["replay"];
        replay.extend_from_slice(case);
        let expected = lockstep(&replay);

        let out = dir.join("demo.md");
        let (output, written) = record(case[0], &out, &case[1..]);
        assert_eq!(code(&output), 2, "{case:?}");
        assert_eq!(stderr(&output), stderr(&expected), "{case:?}");
        assert_eq!(written, None, "{case:?}");
    }
}

#[test]
fn a_failed_write_leaves_no_file_behind() {
    let dir = scratch("unwritable");
    let out = dir.join("missing-folder").join("demo.md");
    let (output, written) = record(APP_ENGINE, &out, &[]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("cannot write"),
        "{}",
        stderr(&output)
    );
    assert_eq!(written, None);
    let left: Vec<_> = std::fs::read_dir(&dir).expect("readable").collect();
    assert!(left.is_empty(), "{left:?}");
}
