//! The corpus of bad schedule files: each `tests/invalid/NAME.ron` must be
//! rejected with exactly the diagnostic in `NAME.expected`.
//!
//! After a deliberate change to a message, refresh the expectations with
//! `LOCKSTEP_BLESS=1 cargo test --test invalid` and review the diff.

use std::path::Path;

use lockstep::schedule;

#[test]
fn every_bad_file_gets_its_expected_diagnostic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/invalid exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "the corpus has {} files", files.len());

    let mut failures = Vec::new();
    for file in &files {
        if let Some(failure) = check(file) {
            failures.push(failure);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `None` when the file gives its expected diagnostic, else what went wrong.
fn check(file: &Path) -> Option<String> {
    let name = format!("tests/invalid/{}", file.file_name()?.to_string_lossy());
    let bytes = std::fs::read(file).expect("readable file");
    let actual = match schedule::parse(&name, &bytes) {
        Ok(_) => return Some(format!("{name} was accepted")),
        Err(diagnostic) => diagnostic.to_string(),
    };
    let expected_path = file.with_extension("expected");
    if std::env::var_os("LOCKSTEP_BLESS").is_some() {
        std::fs::write(&expected_path, &actual).expect("writable expectation");
        return None;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    (actual != expected).then(|| format!("{name}:\n--- expected\n{expected}\n--- actual\n{actual}"))
}
