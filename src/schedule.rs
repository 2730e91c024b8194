//! The schedule file format: types, loading with diagnostics, validation
//! and atomic saving. See the README for the format with a full example.

mod diagnostic;
mod format;
mod load;
pub mod locate;
mod save;
mod validate;

pub use diagnostic::{Diagnostic, Style, offset_of};
pub use format::{Lock, LockKind, Op, Patch, Schedule, Step, Thread, VERSION};
pub use load::{LoadError, load, load_with_text, located, parse};
pub use save::{save, to_ron, write_atomic};
pub use validate::{Invalid, check_order, order_gap, out_of_order, validate};

/// The built-in App Engine schedule, the same file as `schedules/appengine.ron`.
pub const BUILT_IN: &str = include_str!("../schedules/appengine.ron");

/// The name shown for the built-in schedule in diagnostics and headers.
pub const BUILT_IN_NAME: &str = "schedules/appengine.ron";

/// The built-in schedule, parsed.
///
/// # Panics
///
/// Never in a released build: a test checks that the embedded file is valid.
#[must_use]
pub fn built_in() -> Schedule {
    parse(BUILT_IN_NAME, BUILT_IN.as_bytes()).expect("the built-in schedule is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_schedule_is_the_shipped_file_and_valid() {
        let shipped = std::fs::read_to_string("schedules/appengine.ron").expect("shipped file");
        assert_eq!(shipped, BUILT_IN);
        assert_eq!(built_in().threads.len(), 2);
    }

    #[test]
    fn the_example_in_the_readme_is_a_valid_schedule() {
        let readme = std::fs::read_to_string("README.md").expect("README");
        let start = readme.find("```ron\n").expect("a ron block") + "```ron\n".len();
        let end = start + readme[start..].find("```").expect("closed block");
        let schedule =
            parse("README.md", &readme.as_bytes()[start..end]).unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(schedule.threads[1].steps[0].op, Op::Acquire("I".into()));
    }

    #[test]
    fn a_saved_schedule_loads_back_the_same() {
        let schedule = built_in();
        let dir = std::env::temp_dir().join(format!("lockstep-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("saved.ron");
        save(&schedule, &path).expect("saved");
        assert_eq!(load(&path).expect("loads"), schedule);
        let leftovers = std::fs::read_dir(&dir).expect("dir").count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }

    #[test]
    fn a_failed_save_leaves_the_old_file_as_it_was() {
        let dir = std::env::temp_dir().join(format!("lockstep-fail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        // The target is a directory: the rename fails, nothing is lost.
        let target = dir.join("occupied.ron");
        std::fs::create_dir_all(target.join("inside")).expect("a directory in the way");
        assert!(save(&built_in(), &target).is_err());
        assert!(target.join("inside").is_dir());
        assert_eq!(
            std::fs::read_dir(&dir).expect("dir").count(),
            1,
            "no temporary file left"
        );
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }
}
