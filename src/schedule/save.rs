//! Writing a schedule back: pretty RON, written atomically.

use std::io::Write;
use std::path::Path;

use ron::ser::PrettyConfig;

use super::format::Schedule;

/// The schedule as the text of a `.ron` file.
///
/// Comments of a loaded file are not kept; everything else round-trips.
///
/// # Panics
///
/// Never: a schedule holds only strings, numbers, lists and structs.
#[must_use]
pub fn to_ron(schedule: &Schedule) -> String {
    let config = PrettyConfig::new()
        .struct_names(true)
        .depth_limit(4)
        .indentor("    ".to_owned());
    let mut text = ron::ser::to_string_pretty(schedule, config)
        .expect("a schedule has only strings, numbers, lists and structs");
    text.push('\n');
    text
}

/// Saves `schedule` to `path` atomically (see [`write_atomic`]).
///
/// # Errors
///
/// Any I/O error; the target is then untouched.
pub fn save(schedule: &Schedule, path: &Path) -> std::io::Result<()> {
    write_atomic(path, to_ron(schedule).as_bytes())
}

/// Writes `bytes` to `path` atomically: a temporary file next to the
/// target is written, flushed and renamed over it, so a failed write leaves
/// the old file as it was. Schedules and recordings are both saved this way.
///
/// # Errors
///
/// Any I/O error; the target is then untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = write_synced(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
