//! Demos for issue trackers: an asciicast of the TUI stepping through a
//! run, one frame of the TUI as an SVG picture, and a Markdown report.
//!
//! The encoders know a ratatui [`Buffer`](ratatui::buffer::Buffer) and
//! nothing else: [`cast`] turns frames into asciicast v2 and [`svg`] turns
//! one frame into a picture. [`markdown`] writes the report from the
//! simulator alone. The frames themselves are the TUI's, drawn headless
//! by `tui::recording`: the TUI sits above this module, uses these
//! encoders for its export key and for `lockstep record`, and this module
//! never reaches up to it.
//!
//! Recordings are always in colour, whatever `NO_COLOR` says: `NO_COLOR`
//! is a wish about what a program prints on this terminal, and a recording
//! is a file that a player or a browser shows later, somewhere else. The
//! same input gives the same bytes on every machine.

pub mod cast;
mod colour;
mod grid;
pub mod markdown;
pub mod svg;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

pub use cast::Cast;

/// What to record and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The kind of file.
    pub format: Format,
    /// The terminal size of a cast or a picture.
    pub size: Size,
    /// The time between the frames of a cast.
    pub delay: Delay,
    /// The position a picture shows (0 is before the first event);
    /// `None` for the end of the run.
    pub at: Option<usize>,
}

/// What a recording is, chosen by the extension of the output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.cast`: asciicast v2, one frame per event.
    Cast,
    /// `.svg`: one frame as a picture.
    Svg,
    /// `.md`: a report to paste into an issue.
    Markdown,
}

impl Format {
    /// The format for a file name, from its extension (any case).
    ///
    /// # Errors
    ///
    /// [`RecordError::UnknownFormat`] for any other extension, or none.
    pub fn of_path(path: &Path) -> Result<Self, RecordError> {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("cast") => Ok(Self::Cast),
            Some("svg") => Ok(Self::Svg),
            Some("md" | "markdown") => Ok(Self::Markdown),
            _ => Err(RecordError::UnknownFormat {
                path: path.display().to_string(),
            }),
        }
    }
}

/// The size of the terminal a recording shows, in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Columns.
    pub width: u16,
    /// Rows.
    pub height: u16,
}

impl Size {
    /// The default size of recordings: large enough for every panel of the
    /// TUI, small enough to read in an issue without scrolling.
    pub const DEFAULT: Self = Self {
        width: 100,
        height: 30,
    };

    /// The largest size accepted; beyond it a typo is more likely than a wish.
    pub const MAX: Self = Self {
        width: 500,
        height: 200,
    };
}

impl Default for Size {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

impl FromStr for Size {
    type Err = RecordError;

    /// Reads `WIDTHxHEIGHT`, such as `100x30`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || RecordError::BadSize {
            text: text.to_owned(),
        };
        let (width, height) = text.split_once(['x', 'X']).ok_or_else(bad)?;
        let width: u16 = width.trim().parse().map_err(|_| bad())?;
        let height: u16 = height.trim().parse().map_err(|_| bad())?;
        let fits =
            (1..=Self::MAX.width).contains(&width) && (1..=Self::MAX.height).contains(&height);
        if !fits {
            return Err(bad());
        }
        Ok(Self { width, height })
    }
}

/// The logical time between two frames of a cast, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delay {
    millis: u32,
}

impl Delay {
    /// The default: long enough to read the new row, short enough that a
    /// run of a dozen events plays in well under a minute.
    pub const DEFAULT: Self = Self { millis: 1500 };

    /// The longest delay accepted, an hour.
    const MAX_MILLIS: u32 = 3_600_000;

    /// The delay in milliseconds.
    #[must_use]
    pub fn millis(self) -> u32 {
        self.millis
    }

    /// A delay of `millis` milliseconds, if it is positive and at most an hour.
    #[must_use]
    pub fn from_millis(millis: u32) -> Option<Self> {
        (1..=Self::MAX_MILLIS)
            .contains(&millis)
            .then_some(Self { millis })
    }
}

impl Default for Delay {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl FromStr for Delay {
    type Err = RecordError;

    /// Reads seconds, such as `1.5` or `2`, to the millisecond.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_millis(text.trim())
            .and_then(Self::from_millis)
            .ok_or_else(|| RecordError::BadDelay {
                text: text.to_owned(),
            })
    }
}

/// Decimal seconds with at most three decimals, in milliseconds; read as
/// text rather than as a float so that `0.1` is exactly 100.
fn parse_millis(text: &str) -> Option<u32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let empty = whole.is_empty() && fraction.is_empty();
    if empty || fraction.len() > 3 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }

    let seconds: u32 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let millis: u32 = format!("{fraction:0<3}").parse().ok()?;
    seconds.checked_mul(1000)?.checked_add(millis)
}

/// Why a recording could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The output's extension names no format.
    #[error("cannot tell the format of `{path}`: end the file name with .cast, .svg or .md")]
    UnknownFormat {
        /// The output file as given.
        path: String,
    },
    /// `--size` is not `WIDTHxHEIGHT` within bounds.
    #[error(
        "`{text}` is not a terminal size: write WIDTHxHEIGHT, such as 100x30, \
         at least 1x1 and at most 500x200"
    )]
    BadSize {
        /// The text given.
        text: String,
    },
    /// `--delay` is not a positive number of seconds.
    #[error(
        "`{text}` is not a delay: write seconds, such as 1.5, \
         more than 0 and at most 3600, to the millisecond"
    )]
    BadDelay {
        /// The text given.
        text: String,
    },
    /// The schedule's order breaks a rule.
    #[error("the order is not valid: {reason}")]
    InvalidOrder {
        /// What is wrong and what to do.
        reason: String,
    },
    /// `--at` is past the end of the run.
    #[error("there is no position {at}: the run has {events} events, so use 0 to {events}")]
    NoSuchPosition {
        /// The position asked for.
        at: usize,
        /// The number of events of the run.
        events: usize,
    },
}

impl From<crate::schedule::Invalid> for RecordError {
    fn from(invalid: crate::schedule::Invalid) -> Self {
        Self::InvalidOrder {
            reason: format!("{}; {}", invalid.message, invalid.help),
        }
    }
}
