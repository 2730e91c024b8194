//! Files: saving the order, the save-as prompt, and the picker that opens
//! another schedule.
//!
//! The picker lists the `.ron` files of the folder of the open file and of
//! `./schedules`, each folder once, sorted by name. A file that fails to
//! load shows its diagnostic in a popup and the open schedule stays; a save
//! that fails says why in a popup and keeps the edits.

use std::path::{Path, PathBuf};

use super::{Action, App, Direction, Popup, Tone};
use crate::schedule::{self, LoadError, Style};
use crate::sim;
use crate::tui::keys::{self, Context};

/// The folder of shipped schedules, relative to where lockstep runs.
const SCHEDULES: &str = "schedules";

/// The list of schedules to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    /// The folders that were searched, for the empty-list message.
    pub folders: Vec<PathBuf>,
    /// The `.ron` files found, sorted by name.
    pub files: Vec<PathBuf>,
    /// The highlighted file.
    pub selected: usize,
    /// Set when the open order has unsaved edits that opening would lose.
    pub unsaved: bool,
}

/// The save-as prompt: the path being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The text typed so far.
    pub text: String,
    /// Set when Enter was pressed on a path that names another existing
    /// file: the warning to show. A second Enter on the same text replaces
    /// the file; any edit of the text clears it.
    pub warning: Option<String>,
}

impl Picker {
    /// Lists the schedules next to `current` and in `./schedules`.
    #[must_use]
    pub fn scan(current: Option<&Path>) -> Self {
        let mut folders: Vec<PathBuf> = Vec::new();
        let near = current.map(|file| match file.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        });
        for folder in near.into_iter().chain([PathBuf::from(SCHEDULES)]) {
            let same = |known: &PathBuf| same_path(known, &folder);
            if !folders.iter().any(same) {
                folders.push(folder);
            }
        }
        let mut files: Vec<PathBuf> = folders.iter().flat_map(|f| ron_files(f)).collect();
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()).then(a.cmp(b)));
        Self {
            folders,
            files,
            selected: 0,
            unsaved: false,
        }
    }

    /// The highlighted file, if the list is not empty.
    #[must_use]
    pub fn chosen(&self) -> Option<&Path> {
        self.files.get(self.selected).map(PathBuf::as_path)
    }

    pub(super) fn select_by(&mut self, direction: Direction) {
        self.selected = match direction {
            Direction::Up => self.selected.saturating_sub(1),
            Direction::Down => (self.selected + 1).min(self.files.len().saturating_sub(1)),
        };
    }
}

/// Whether two paths name the same file or folder.
fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The `.ron` files directly in `folder`; none if it cannot be read.
fn ron_files(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "ron"))
        .map(|path| tidy(&path))
        .collect()
}

/// `./schedules/x.ron` as `schedules/x.ron`.
fn tidy(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map_or_else(|_| path.to_owned(), Path::to_owned)
}

/// The file actions of [`super::update`], and those of the popups.
pub(super) fn update(app: &mut App, action: Action) {
    match action {
        Action::Save => save(app),
        Action::SaveAs => ask_path(app),
        Action::OpenPicker => open_picker(app),
        Action::Open { path } => open(app, &path),
        Action::Confirm => confirm(app),
        Action::Cancel => app.popup = None,
        Action::Type { ch } => edit_prompt(app, |text| text.push(ch)),
        Action::Erase => edit_prompt(app, |text| {
            text.pop();
        }),
        _ => {}
    }
}

fn save(app: &mut App) {
    match app.file.clone() {
        Some(file) => save_to(app, file),
        None => ask_path(app),
    }
}

fn ask_path(app: &mut App) {
    let text = app
        .file
        .as_ref()
        .map_or_else(default_path, |f| f.display().to_string());
    app.popup = Some(Popup::SaveAs(Prompt {
        text,
        warning: None,
    }));
}

/// Where to save the built-in schedule: a new file, so the shipped one
/// stays as it is.
fn default_path() -> String {
    let name = Path::new(schedule::BUILT_IN_NAME)
        .file_stem()
        .map_or_else(|| "schedule".into(), |s| s.to_string_lossy());
    let file = format!("{name}-edited.ron");
    if Path::new(SCHEDULES).is_dir() {
        Path::new(SCHEDULES).join(file).display().to_string()
    } else {
        file
    }
}

/// Writes the schedule with the edited order to `path`, atomically.
fn save_to(app: &mut App, path: PathBuf) {
    let mut saved = app.schedule.clone();
    // Listing the steps a drop skipped keeps the file valid unpatched.
    let order = sim::with_skips_listed(app.run(), &app.order);
    saved.order = order
        .iter()
        .map(|r| app.schedule.threads[r.thread].steps[r.step].id.clone())
        .collect();
    match schedule::save(&saved, &path) {
        Ok(()) => {
            let entries = saved.order.len();
            app.schedule.order = saved.order;
            app.popup = None;
            app.say(
                Tone::Done,
                format!("saved the order ({entries} entries) to {}", path.display()),
            );
            app.file = Some(path);
        }
        Err(error) => {
            app.popup = Some(Popup::Message {
                title: format!("cannot save to {}", path.display()),
                text: format!(
                    "{error}\n\nThe file was not changed and the edits are kept.\n\
                     Press {} to save to another path.",
                    keys::label_for(Context::Main, &Action::SaveAs)
                ),
            });
        }
    }
}

fn open_picker(app: &mut App) {
    let mut picker = Picker::scan(app.file.as_deref());
    picker.unsaved = app.is_modified();
    app.popup = Some(Popup::Picker(picker));
}

/// Opens the schedule at `path` in place of the current one, or shows why
/// it cannot and keeps the current one.
fn open(app: &mut App, path: &Path) {
    match schedule::load(path) {
        Ok(loaded) => {
            let theme = app.theme;
            *app = App::new(loaded, Some(path.to_owned()));
            app.theme = theme;
            if app.status.is_none() {
                app.say(Tone::Done, format!("opened {}", path.display()));
            }
        }
        Err(error) => {
            let text = match error {
                LoadError::Invalid(diagnostic) => diagnostic.render(Style::Plain),
                io @ LoadError::Io { .. } => io.to_string(),
            };
            app.popup = Some(Popup::Message {
                title: format!("cannot open {}", path.display()),
                text: format!("{text}\n\nThe open schedule stays as it was."),
            });
        }
    }
}

fn confirm(app: &mut App) {
    match app.popup.take() {
        Some(Popup::Picker(picker)) => {
            if let Some(path) = picker.chosen() {
                open(app, path);
            }
        }
        Some(Popup::SaveAs(prompt)) => confirm_path(app, prompt),
        Some(Popup::Help | Popup::Message { .. } | Popup::Exploring | Popup::Explored(_))
        | None => {}
    }
}

/// Saves to the typed path, unless it is empty, or names another file
/// that exists and the user has not yet been warned about it.
fn confirm_path(app: &mut App, mut prompt: Prompt) {
    let path = PathBuf::from(prompt.text.trim());
    if path.as_os_str().is_empty() {
        app.say(Tone::Refused, "type a path to save to");
        app.popup = Some(Popup::SaveAs(prompt));
        return;
    }

    // The first Enter on another file's path only warns; nothing is written.
    if prompt.warning.is_none() && would_replace(app, &path) {
        let warning = format!(
            "`{}` exists: press {} again to replace it, or edit the path",
            path.display(),
            keys::label_for(Context::Prompt, &Action::Confirm)
        );
        app.say(Tone::Refused, warning.clone());
        prompt.warning = Some(warning);
        app.popup = Some(Popup::SaveAs(prompt));
        return;
    }
    save_to(app, path);
}

/// Whether saving to `path` would replace a file other than the
/// schedule's own.
fn would_replace(app: &App, path: &Path) -> bool {
    let own = app
        .file
        .as_deref()
        .is_some_and(|file| same_path(file, path));
    path.exists() && !own
}

/// Changes the typed path; any change asks again before replacing a file.
fn edit_prompt(app: &mut App, change: impl FnOnce(&mut String)) {
    if let Some(Popup::SaveAs(prompt)) = &mut app.popup {
        change(&mut prompt.text);
        prompt.warning = None;
    }
}
