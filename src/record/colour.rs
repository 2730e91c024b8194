//! Colours as terminals number them, shared by the cast and SVG encoders.

use ratatui::style::Color;

/// A ratatui colour in terminal terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ansi {
    /// The terminal's own foreground or background.
    Default,
    /// An entry of the 256-colour palette; 0–15 are the named colours.
    Indexed(u8),
    /// A true colour.
    Rgb(u8, u8, u8),
}

/// The terminal form of `colour`: the named colours are palette entries
/// 0–7 (black … gray) and 8–15 (dark gray … white), as terminals number them.
pub(crate) fn ansi(colour: Color) -> Ansi {
    let index = match colour {
        Color::Reset => return Ansi::Default,
        Color::Rgb(r, g, b) => return Ansi::Rgb(r, g, b),
        Color::Indexed(n) => n,
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
    };
    Ansi::Indexed(index)
}

/// The sixteen named colours of the pictures: a dark theme whose colours
/// keep their contrast on the default background.
const NAMED: [(u8, u8, u8); 16] = [
    (0x00, 0x00, 0x00),
    (0xcd, 0x31, 0x31),
    (0x0d, 0xbc, 0x79),
    (0xe5, 0xe5, 0x10),
    (0x24, 0x72, 0xc8),
    (0xbc, 0x3f, 0xbc),
    (0x11, 0xa8, 0xcd),
    (0xe5, 0xe5, 0xe5),
    (0x66, 0x66, 0x66),
    (0xf1, 0x4c, 0x4c),
    (0x23, 0xd1, 0x8b),
    (0xf5, 0xf5, 0x43),
    (0x3b, 0x8e, 0xea),
    (0xd6, 0x70, 0xd6),
    (0x29, 0xb8, 0xdb),
    (0xff, 0xff, 0xff),
];

/// The colour of palette entry `index`: the named colours above, then the
/// standard 6×6×6 cube (16–231) and the gray ramp (232–255).
pub(crate) fn palette(index: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match index {
        0..=15 => NAMED[usize::from(index)],
        16..=231 => {
            let n = usize::from(index - 16);
            (LEVELS[n / 36], LEVELS[n / 6 % 6], LEVELS[n % 6])
        }
        232..=255 => {
            let level = 8 + 10 * (index - 232);
            (level, level, level)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_colours_are_the_first_sixteen_palette_entries() {
        assert_eq!(ansi(Color::Black), Ansi::Indexed(0));
        assert_eq!(ansi(Color::Gray), Ansi::Indexed(7));
        assert_eq!(ansi(Color::DarkGray), Ansi::Indexed(8));
        assert_eq!(ansi(Color::White), Ansi::Indexed(15));
        assert_eq!(ansi(Color::Reset), Ansi::Default);
        assert_eq!(ansi(Color::Rgb(1, 2, 3)), Ansi::Rgb(1, 2, 3));
    }

    #[test]
    fn the_palette_follows_the_256_colour_layout() {
        assert_eq!(palette(16), (0, 0, 0));
        assert_eq!(palette(196), (255, 0, 0));
        assert_eq!(palette(231), (255, 255, 255));
        assert_eq!(palette(232), (8, 8, 8));
        assert_eq!(palette(255), (238, 238, 238));
    }
}
