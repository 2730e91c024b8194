//! Reading a schedule: bytes to text, text to types, types to rules.
//!
//! Every failure becomes one [`Diagnostic`] with the file, line, column and
//! a caret under the place, and a sentence saying what to do.

use std::ops::Range;
use std::path::{Path, PathBuf};

use ron::error::{Error as RonError, SpannedError};

use super::diagnostic::{Diagnostic, offset_of};
use super::format::Schedule;
use super::locate::locate;
use super::validate::{Invalid, validate};

/// Where the format is explained, for help lines.
const FORMAT_DOC: &str = "README.md, section \"The schedule format\"";

/// Why a schedule could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read at all.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file as the user named it.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file was read but is not a valid schedule.
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
}

/// Reads and validates the schedule at `path`.
///
/// # Errors
///
/// [`LoadError::Io`] if the file cannot be read, [`LoadError::Invalid`] with
/// a located diagnostic if it is not a valid schedule.
pub fn load(path: &Path) -> Result<Schedule, LoadError> {
    load_with_text(path).map(|(schedule, _)| schedule)
}

/// Like [`load`], and also returns the text of the file, so that errors
/// found later (an order that fails when it runs) can point into it.
///
/// # Errors
///
/// As [`load`].
pub fn load_with_text(path: &Path) -> Result<(Schedule, String), LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let schedule = parse(&path.display().to_string(), &bytes).map_err(LoadError::Invalid)?;
    // `parse` succeeded, so the bytes are UTF-8.
    Ok((schedule, String::from_utf8_lossy(&bytes).into_owned()))
}

/// Parses and validates a schedule from the bytes of a file named `file`.
///
/// # Errors
///
/// A diagnostic for the first problem found.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Schedule, Box<Diagnostic>> {
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(file, bytes, &e))?;
    if is_blank(text) {
        return Err(Box::new(Diagnostic {
            file: file.to_owned(),
            source: text.to_owned(),
            span: 0..0,
            message: "the file is empty".into(),
            label: "expected `Schedule(`".into(),
            help: format!("start from a file in schedules/ or from {FORMAT_DOC}"),
        }));
    }
    let schedule: Schedule = ron::from_str(text).map_err(|e| syntax(file, text, &e))?;
    validate(&schedule).map_err(|invalid| located(file, text, invalid))?;
    Ok(schedule)
}

/// Turns a rule broken at a path into a diagnostic on the text.
#[must_use]
pub fn located(file: &str, text: &str, invalid: Invalid) -> Box<Diagnostic> {
    Box::new(Diagnostic {
        file: file.to_owned(),
        source: text.to_owned(),
        span: locate(text, &invalid.path),
        message: invalid.message,
        label: invalid.label,
        help: invalid.help,
    })
}

fn is_blank(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with("//")
    })
}

fn not_utf8(file: &str, bytes: &[u8], error: &std::str::Utf8Error) -> Box<Diagnostic> {
    let at = error.valid_up_to();
    let source = String::from_utf8_lossy(bytes).into_owned();
    // The lossy text has the same bytes up to the first bad one.
    Box::new(Diagnostic {
        file: file.to_owned(),
        source,
        span: at..at + 1,
        message: "the file is not valid UTF-8".into(),
        label: "this byte is not UTF-8".into(),
        help: "save the file as UTF-8 text".into(),
    })
}

fn syntax(file: &str, text: &str, error: &SpannedError) -> Box<Diagnostic> {
    let start = offset_of(text, error.span.start.line, error.span.start.col);
    let end = offset_of(text, error.span.end.line, error.span.end.col);
    // Whatever ron expected, text that simply stops needs its brackets closed.
    let ends_early = start >= text.trim_end().len();
    let code = if ends_early {
        &RonError::Eof
    } else {
        &error.code
    };
    Box::new(Diagnostic {
        file: file.to_owned(),
        source: text.to_owned(),
        span: widen(text, start..end),
        message: message_of(code),
        label: "here".into(),
        help: help_for(code),
    })
}

/// A span of at least one character, so the caret is visible.
fn widen(text: &str, span: Range<usize>) -> Range<usize> {
    if span.end > span.start {
        return span;
    }
    let next = text[span.start..].chars().next().map_or(0, char::len_utf8);
    span.start..span.start + next
}

fn message_of(code: &RonError) -> String {
    match code {
        RonError::Eof => "the file ends before the schedule is complete".into(),
        RonError::MissingStructField { field, outer } => {
            let outer = outer.as_deref().unwrap_or("a struct");
            format!("`{outer}` is missing the field `{field}`")
        }
        RonError::ExpectedComma => "expected a comma before this item".into(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            chars.next().map_or(text.clone(), |first| {
                first.to_lowercase().chain(chars).collect()
            })
        }
    }
}

fn help_for(code: &RonError) -> String {
    match code {
        RonError::NoSuchStructField { .. } => "remove this field or fix its spelling".into(),
        RonError::MissingStructField { field, .. } => format!("add `{field}: …`"),
        RonError::DuplicateStructField { field, .. } => {
            format!("keep one `{field}` and remove the other")
        }
        RonError::NoSuchEnumVariant { expected, .. } => {
            format!("use one of: {}", expected.join(", "))
        }
        RonError::Eof | RonError::ExpectedStructLikeEnd | RonError::ExpectedArrayEnd => {
            "a bracket is missing or not closed: check the lines above".into()
        }
        RonError::ExpectedComma => "separate the items with commas".into(),
        RonError::ExpectedString | RonError::ExpectedStringEnd => {
            "write the value as a string in double quotes".into()
        }
        _ => format!("compare with the format in {FORMAT_DOC}"),
    }
}
