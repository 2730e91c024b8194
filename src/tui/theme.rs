//! The colours and text styles of the TUI, in one place.
//!
//! Every meaning carried by a colour is also carried by text, a symbol or a
//! modifier (bold, dim, reversed, crossed out), so the screen still reads
//! with `NO_COLOR` set, where colours are left out and modifiers stay.

use ratatui::style::{Color, Modifier, Style};

/// How the TUI styles what it draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    palette: Palette,
}

/// Whether colours are used at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    /// Colours and modifiers.
    Colour,
    /// Modifiers only, for `NO_COLOR` and monochrome terminals.
    Plain,
}

impl Theme {
    /// A theme with the given palette.
    #[must_use]
    pub fn new(palette: Palette) -> Self {
        Self { palette }
    }

    /// Plain when `NO_COLOR` is set to a non-empty value, as that convention
    /// asks; in colour otherwise.
    #[must_use]
    pub fn from_env() -> Self {
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self::new(if no_colour {
            Palette::Plain
        } else {
            Palette::Colour
        })
    }

    /// The palette in use.
    #[must_use]
    pub fn palette(self) -> Palette {
        self.palette
    }

    /// `modifiers`, with `colour` as foreground when colours are on.
    fn fg(self, colour: Color, modifiers: Modifier) -> Style {
        let style = Style::new().add_modifier(modifiers);
        match self.palette {
            Palette::Colour => style.fg(colour),
            Palette::Plain => style,
        }
    }

    /// Plain text.
    #[must_use]
    pub fn text(self) -> Style {
        Style::new()
    }

    /// Secondary text: hints, frames, future rows.
    #[must_use]
    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray, Modifier::DIM)
    }

    /// Panel titles and the names of threads.
    #[must_use]
    pub fn title(self) -> Style {
        self.fg(Color::Cyan, Modifier::BOLD)
    }

    /// Panel borders.
    #[must_use]
    pub fn border(self) -> Style {
        self.fg(Color::DarkGray, Modifier::empty())
    }

    /// A key in the footer or the help.
    #[must_use]
    pub fn key(self) -> Style {
        self.fg(Color::Yellow, Modifier::BOLD)
    }

    /// The row the user selected (reversed, so it shows without colour).
    #[must_use]
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// The row of the event that ran last: the current position.
    #[must_use]
    pub fn current(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Events the run has not reached yet at the current position.
    #[must_use]
    pub fn future(self) -> Style {
        self.dim()
    }

    /// Events chosen by the default policy rather than the order.
    #[must_use]
    pub fn auto(self) -> Style {
        self.fg(Color::Gray, Modifier::ITALIC)
    }

    /// An attempt that blocked.
    #[must_use]
    pub fn blocked(self) -> Style {
        self.fg(Color::LightRed, Modifier::BOLD)
    }

    /// A record dropped by the patch.
    #[must_use]
    pub fn dropped(self) -> Style {
        self.fg(Color::LightMagenta, Modifier::BOLD)
    }

    /// A step a drop skipped.
    #[must_use]
    pub fn skipped(self) -> Style {
        self.fg(Color::Magenta, Modifier::CROSSED_OUT)
    }

    /// An order entry that cannot run, or an entry never reached.
    #[must_use]
    pub fn stuck(self) -> Style {
        self.fg(Color::LightYellow, Modifier::BOLD)
    }

    /// The deadlock cycle and the outcome `deadlock`.
    #[must_use]
    pub fn cycle(self) -> Style {
        self.fg(Color::Red, Modifier::BOLD)
    }

    /// A warning: lock-order inversions, refused edits.
    #[must_use]
    pub fn warning(self) -> Style {
        self.fg(Color::Yellow, Modifier::BOLD)
    }

    /// Good news: a finished run, a saved file.
    #[must_use]
    pub fn good(self) -> Style {
        self.fg(Color::Green, Modifier::BOLD)
    }

    /// A "holds" edge of the wait-for graph.
    #[must_use]
    pub fn holds(self) -> Style {
        self.fg(Color::Blue, Modifier::empty())
    }

    /// A "waits for" edge of the wait-for graph.
    #[must_use]
    pub fn waits(self) -> Style {
        self.fg(Color::Yellow, Modifier::empty())
    }

    /// A badge that must catch the eye (`DEADLOCK`, `PATCH ON`).
    #[must_use]
    pub fn badge(self, colour: Color) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED);
        match self.palette {
            Palette::Colour => style.fg(colour),
            Palette::Plain => style,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_keeps_modifiers_and_drops_colours() {
        let plain = Theme::new(Palette::Plain);
        assert_eq!(plain.blocked().fg, None);
        assert!(plain.blocked().add_modifier.contains(Modifier::BOLD));
        assert_eq!(
            Theme::new(Palette::Colour).blocked().fg,
            Some(Color::LightRed)
        );
    }
}
