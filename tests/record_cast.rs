//! Casts played back through a terminal emulator: each screen a player
//! shows must be the buffer of its frame, cell by cell, colours included,
//! and for a recording of the TUI, the TUI's own screen at that position.

use std::path::{Path, PathBuf};

use lockstep::record::cast::Cast;
use lockstep::record::{Delay, Format, Options, Size};
use lockstep::schedule::Schedule;
use lockstep::sim::PatchMode;
use lockstep::tui::recording::record;
use lockstep::tui::{self, Action, App, Palette, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style, Stylize as _};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListState, Paragraph};
use unicode_width::UnicodeWidthStr as _;

/// Plays `cast` and returns the terminal it leaves, after checking the
/// header: version 2, the size, and no wall-clock timestamp.
fn play(cast: &str) -> avt::Terminal {
    let mut lines = cast.lines();
    let header: serde_json::Value =
        serde_json::from_str(lines.next().expect("a header")).expect("the header is JSON");
    assert_eq!(header["version"], 2);
    assert!(header.get("timestamp").is_none(), "no wall-clock time");
    let width = header["width"].as_u64().expect("a width");
    let height = header["height"].as_u64().expect("a height");
    let size = |n: u64| usize::try_from(n).expect("a small size");
    let mut terminal = avt::Terminal::new(size(width), size(height)).expect("a valid size");

    for line in lines {
        let event: (f64, String, String) = serde_json::from_str(line).expect("an event");
        assert_eq!(event.1, "o", "output events only");
        terminal.feed(event.2.as_str());
    }
    terminal
}

/// The colour a terminal shows for a ratatui colour, as the emulator
/// reports it.
fn expected_colour(colour: Color) -> Option<avt::Color> {
    let named = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match colour {
        Color::Reset => None,
        Color::Indexed(n) => Some(avt::Color::Indexed(n)),
        Color::Rgb(r, g, b) => Some(avt::Color::rgb(r, g, b)),
        named_colour => {
            let index = named.iter().position(|&c| c == named_colour)?;
            Some(avt::Color::Indexed(u8::try_from(index).ok()?))
        }
    }
}

/// Compares the emulator's screen with `screen`: symbols, colours and
/// modifiers of every cell a symbol starts in.
fn assert_same_screen(terminal: &avt::Terminal, screen: &Buffer) {
    let width = usize::from(screen.area.width);
    let shown: Vec<&avt::Line> = terminal.screen().visible_lines().collect();
    assert_eq!(shown.len(), usize::from(screen.area.height));

    for (y, (line, cells)) in shown.iter().zip(screen.content.chunks(width)).enumerate() {
        let played: Vec<&avt::Cell> = line.cells().iter().filter(|c| c.width() > 0).collect();
        for (i, cell) in starting_cells(cells).into_iter().enumerate() {
            let at = format!("row {y}, column {i}");
            let got = played.get(i).copied();
            let symbol = got.map_or(' ', avt::Cell::char).to_string();
            assert_eq!(symbol, cell.symbol(), "symbol at {at}");
            let Some(got) = got else {
                assert_eq!(cell.style(), Style::default(), "style at {at}");
                continue;
            };
            let pen = got.pen();
            assert_eq!(pen.foreground(), expected_colour(cell.fg), "fg at {at}");
            assert_eq!(pen.background(), expected_colour(cell.bg), "bg at {at}");
            let m = cell.modifier;
            assert_eq!(pen.is_faint(), m.contains(Modifier::DIM), "dim at {at}");
            let bold = m.contains(Modifier::BOLD) && !m.contains(Modifier::DIM);
            assert_eq!(pen.is_bold(), bold, "bold at {at}");
            assert_eq!(
                pen.is_italic(),
                m.contains(Modifier::ITALIC),
                "italic at {at}"
            );
            let underline = m.contains(Modifier::UNDERLINED);
            assert_eq!(pen.is_underline(), underline, "underline at {at}");
            let crossed = m.contains(Modifier::CROSSED_OUT);
            assert_eq!(pen.is_strikethrough(), crossed, "crossed out at {at}");
            assert_eq!(
                pen.is_inverse(),
                m.contains(Modifier::REVERSED),
                "reversed at {at}"
            );
        }
    }
}

/// The cells of a row that a symbol starts in: a wide symbol covers the
/// cell to its right.
fn starting_cells(cells: &[ratatui::buffer::Cell]) -> Vec<&ratatui::buffer::Cell> {
    let mut starting = Vec::new();
    let mut x = 0;
    while let Some(cell) = cells.get(x) {
        starting.push(cell);
        x += cell.symbol().width().max(1);
    }
    starting
}

/// A screen drawn with plain widgets: borders, styled spans, a wide
/// symbol, a highlighted list row. `busy` fills more of it.
fn draw_widgets(terminal: &mut Terminal<TestBackend>, busy: bool) -> Buffer {
    let completed = terminal
        .draw(|frame| {
            let [top, bottom, status] = Layout::vertical([
                Constraint::Length(4),
                Constraint::Fill(1),
                Constraint::Length(1),
            ])
            .areas(frame.area());
            let spans = vec![
                Span::styled("deadlock", Style::new().red().bold()),
                Span::raw(" A → I → B "),
                Span::styled("日本", Style::new().on_blue()),
                Span::styled(" 256", Style::new().fg(Color::Indexed(208))),
                Span::styled(" rgb", Style::new().fg(Color::Rgb(10, 200, 30)).italic()),
            ];
            let mut lines = vec![Line::from(spans)];
            if busy {
                lines.push(Line::from("x".repeat(40)).underlined().dim());
            }
            let block = Block::bordered()
                .title("Log")
                .border_style(Style::new().cyan());
            frame.render_widget(Paragraph::new(lines).block(block), top);

            let items = ["A1 acquire H", "B1 acquire I", "A4 acquire I: blocked"];
            let list = List::new(items)
                .highlight_style(Style::new().reversed().crossed_out())
                .block(Block::bordered().title("Schedule"));
            let mut state = ListState::default().with_selected(Some(usize::from(busy)));
            frame.render_stateful_widget(list, bottom, &mut state);

            let text = if busy {
                "z".repeat(44)
            } else {
                "ok".to_owned()
            };
            frame.render_widget(Line::from(text), status);
        })
        .expect("a test backend cannot fail");
    completed.buffer.clone()
}

#[test]
fn a_cast_of_widgets_replays_to_its_last_frame() {
    let size = Size {
        width: 44,
        height: 10,
    };
    let mut terminal =
        Terminal::new(TestBackend::new(size.width, size.height)).expect("a terminal");
    let busy = draw_widgets(&mut terminal, true);
    let calm = draw_widgets(&mut terminal, false);
    assert_ne!(busy, calm, "the frames differ");

    let mut cast = Cast::new("widgets", size, Delay::DEFAULT);
    cast.push(&busy);
    cast.push(&calm);
    let played = play(&cast.finish());

    assert_same_screen(&played, &calm);
}

/// The TUI's own screen on the App Engine schedule after `position`
/// events (or at the end, by its jump key), drawn without the recorder.
fn tui_screen(patch: PatchMode, position: Option<usize>, size: Size) -> Buffer {
    let mut app = App::new(app_engine(), Some(PathBuf::from(APP_ENGINE)));
    app.set_theme(Theme::new(Palette::Colour));
    if patch.is_on() {
        tui::update(&mut app, Action::TogglePatch);
    }
    // A recording starts as the TUI opens, with nothing in the status line.
    tui::update(&mut app, Action::JumpStart);
    match position {
        Some(position) => (0..position).for_each(|_| tui::update(&mut app, Action::StepForward)),
        None => tui::update(&mut app, Action::JumpEnd),
    }
    let mut terminal =
        Terminal::new(TestBackend::new(size.width, size.height)).expect("a terminal");
    let completed = terminal
        .draw(|frame| tui::view(&app, frame))
        .expect("a test backend cannot fail");
    completed.buffer.clone()
}

const APP_ENGINE: &str = "schedules/appengine.ron";

/// The App Engine schedule; its path, as the TUI shows it, stays relative.
fn app_engine() -> Schedule {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(APP_ENGINE);
    lockstep::schedule::load(&path).expect("a valid schedule")
}

#[test]
fn the_app_engine_cast_plays_every_screen_of_the_tui_and_ends_on_its_last() {
    let schedule = app_engine();
    let size = Size::DEFAULT;
    let options = Options {
        format: Format::Cast,
        size,
        delay: Delay::DEFAULT,
        at: None,
    };

    for patch in [PatchMode::Off, PatchMode::On] {
        let cast = record(&schedule, Some(Path::new(APP_ENGINE)), patch, &options)
            .expect("the cast is made");
        let mut lines = cast.lines();
        let header = lines.next().expect("a header");
        let mut terminal = avt::Terminal::new(100, 30).expect("a valid size");
        let events: Vec<String> = lines
            .map(|line| {
                let event: (f64, String, String) = serde_json::from_str(line).expect("an event");
                event.2
            })
            .collect();
        assert!(header.contains("\"width\": 100, \"height\": 30"));

        let last = events.len() - 1;
        for (position, output) in events.iter().enumerate() {
            terminal.feed(output.as_str());
            let at = if position == last {
                None
            } else {
                Some(position)
            };
            assert_same_screen(&terminal, &tui_screen(patch, at, size));
        }
    }
}
