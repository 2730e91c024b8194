//! The export key: the screen as an SVG picture and the run as a Markdown
//! report, written next to the schedule file.
//!
//! `schedules/x.ron` exports `schedules/x.svg` and `schedules/x.md`, or
//! `x-patched.svg` and `x-patched.md` with the patch on, so the two modes
//! can sit side by side in a bug report. The built-in schedule has no file:
//! it exports to the current folder, named after its file in `schedules/`.
//! The picture is the one `lockstep record --at N` makes: drawn at the
//! recording size and in colour, whatever the terminal's size and
//! `NO_COLOR`, so a picture does not depend on who exported it.

use std::path::{Path, PathBuf};

use super::super::recording;
use super::{App, Popup, Tone};
use crate::record::{Size, markdown};
use crate::schedule::{self, BUILT_IN_NAME};

/// Writes the picture and the report, and says where in the status line;
/// a failure shows in a popup, as a failed save does.
pub(super) fn export(app: &mut App) {
    let (picture, report) = paths(app.file(), app.patch().is_on());
    let written = write(&picture, &recording::picture(app, Size::DEFAULT))
        .and_then(|()| write(&report, &report_text(app)?));
    match written {
        Ok(()) => {
            let folder = if app.file().is_none() {
                " (in the current folder)"
            } else {
                ""
            };
            let text = format!(
                "exported the screen to {} and the run to {}{folder}",
                picture.display(),
                report.display()
            );
            app.say(Tone::Done, text);
        }
        Err(Failed { title, why }) => {
            app.popup = Some(Popup::Message {
                title,
                text: format!("{why}\n\nThe schedule and its order are unchanged."),
            });
        }
    }
}

/// Where the picture and the report of a schedule go.
fn paths(file: Option<&Path>, patched: bool) -> (PathBuf, PathBuf) {
    let named = file.unwrap_or(Path::new(BUILT_IN_NAME));
    let stem = named
        .file_stem()
        .map_or_else(|| "schedule".into(), |s| s.to_string_lossy().into_owned());
    let suffix = if patched { "-patched" } else { "" };
    let folder = file.and_then(Path::parent).unwrap_or(Path::new(""));
    (
        folder.join(format!("{stem}{suffix}.svg")),
        folder.join(format!("{stem}{suffix}.md")),
    )
}

/// What could not be done, and why.
struct Failed {
    title: String,
    why: String,
}

fn write(path: &Path, text: &str) -> Result<(), Failed> {
    schedule::write_atomic(path, text.as_bytes()).map_err(|error| Failed {
        title: format!("cannot export to {}", path.display()),
        why: error.to_string(),
    })
}

/// The report of the order being edited, with the current patch mode.
fn report_text(app: &App) -> Result<String, Failed> {
    markdown::report(app.schedule(), app.order(), app.patch()).map_err(|invalid| Failed {
        title: "cannot make the report".to_owned(),
        why: format!("{}; {}", invalid.message, invalid.help),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_go_next_to_the_file_named_after_it_and_the_mode() {
        let file = Path::new("schedules/two-locks.ron");
        assert_eq!(
            paths(Some(file), false),
            (
                "schedules/two-locks.svg".into(),
                "schedules/two-locks.md".into()
            )
        );
        assert_eq!(
            paths(Some(Path::new("mine.ron")), true),
            ("mine-patched.svg".into(), "mine-patched.md".into())
        );
    }

    #[test]
    fn the_built_in_schedule_exports_to_the_current_folder() {
        assert_eq!(
            paths(None, true),
            (
                "appengine-patched.svg".into(),
                "appengine-patched.md".into()
            )
        );
    }
}
