//! The demos in `assets/` are made by `lockstep record`; this test makes
//! them again and fails if any differs, saying the command that refreshes it.

use std::path::Path;
use std::process::Command;

/// Each demo: the file in `assets/` and the arguments that make it.
const DEMOS: [(&str, &[&str]); 6] = [
    ("appengine.cast", &["schedules/appengine.ron"]),
    ("appengine.svg", &["schedules/appengine.ron"]),
    ("appengine.md", &["schedules/appengine.ron"]),
    (
        "appengine-patched.cast",
        &["schedules/appengine.ron", "--patched"],
    ),
    (
        "appengine-patched.svg",
        &["schedules/appengine.ron", "--patched"],
    ),
    (
        "appengine-patched.md",
        &["schedules/appengine.ron", "--patched"],
    ),
];

#[test]
fn the_demos_in_assets_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fresh_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("assets");
    std::fs::create_dir_all(&fresh_dir).expect("a scratch folder");

    let mut stale = Vec::new();
    for (name, args) in DEMOS {
        let fresh = fresh_dir.join(name);
        let output = Command::new(env!("CARGO_BIN_EXE_lockstep"))
            .arg("record")
            .args(args)
            .arg("--out")
            .arg(&fresh)
            .current_dir(root)
            .output()
            .expect("the binary runs");
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );

        let made = std::fs::read(&fresh).expect("the demo is written");
        let kept = std::fs::read(root.join("assets").join(name)).ok();
        if kept.as_deref() != Some(made.as_slice()) {
            let args = args.join(" ");
            stale.push(format!("cargo run -- record {args} --out assets/{name}"));
        }
    }

    assert!(
        stale.is_empty(),
        "some demos in assets/ are stale or missing; refresh them with:\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_file_in_assets_is_a_demo_made_here() {
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut names: Vec<String> = std::fs::read_dir(&assets)
        .expect("an assets folder")
        .map(|entry| {
            entry
                .expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    let mut expected: Vec<String> = DEMOS.iter().map(|(name, _)| (*name).to_owned()).collect();
    expected.sort();
    assert_eq!(
        names, expected,
        "assets/ holds only the demos this test checks"
    );
}
