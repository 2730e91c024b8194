//! The TUI's replay on real threads: the key asks for it, the result comes
//! back as an action and shows beside the model's outcome; a result about
//! another run is not shown as this one's; and one replay really runs
//! through the background path, with the built `lockstep` as the child.

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use lockstep::real::{self, Options, RealEvent, RealOutcome, RealRun};
use lockstep::schedule;
use lockstep::sim::{EventKind, PatchMode};
use lockstep::tui::{Action, App, Background, RealKind, Tone, render, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

fn app_engine() -> App {
    App::new(schedule::built_in(), None)
}

/// The screen as text, at `width` × `height`.
fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| view(app, frame))
        .expect("drawing to a test terminal");
    terminal.backend().to_string()
}

fn status(app: &App) -> (Tone, String) {
    let status = app.status().expect("the action said something");
    (status.tone, status.text.clone())
}

fn kind(app: &App) -> Option<RealKind> {
    app.real_note().map(|note| note.kind)
}

/// Presses `r` and takes the request, as the event loop does; returns
/// its ticket.
fn press_r(app: &mut App) -> u64 {
    update(app, Action::ReplayReal);
    app.take_real_request().expect("r asks for a replay").ticket
}

/// A real run that saw exactly what the model of `app` predicts.
fn mirror(app: &App) -> RealRun {
    let run = app.run();
    let events = run.events.iter().map(RealEvent::from).collect();
    let outcome = match run.outcome.name() {
        "deadlock" => RealOutcome::Deadlock {
            cycle: vec![0, 1],
            deadlocked: vec![0, 1],
            waits: Vec::new(),
        },
        _ => RealOutcome::Finished,
    };
    RealRun {
        events,
        outcome,
        child: 0,
        elapsed: Duration::from_millis(115),
        grace: real::GRACE,
    }
}

/// The App Engine deadlock at its end, replayed, with `result` back.
fn replayed(result: impl FnOnce(&App) -> Result<RealRun, String>) -> App {
    let mut app = app_engine();
    update(&mut app, Action::JumpEnd);
    let ticket = press_r(&mut app);
    let result = result(&app);
    update(&mut app, Action::RealReplayEnded { ticket, result });
    app
}

mod actions {
    use super::*;

    #[test]
    fn r_asks_for_the_current_order_and_patch_and_shows_it_running() {
        let mut app = app_engine();
        update(&mut app, Action::TogglePatch);
        update(&mut app, Action::ReplayReal);
        let request = app.take_real_request().expect("r asks for a replay");
        assert_eq!(request.order, app.order_ids());
        assert_eq!(request.patch, PatchMode::On);
        assert_eq!(request.schedule.title, app.schedule().title);
        assert_eq!(app.take_real_request(), None, "taken once");
        assert_eq!(kind(&app), Some(RealKind::Running));
        assert!(status(&app).1.starts_with("real threads: running…"));
        assert!(screen(&app, 100, 30).contains("│ real: running…"));
        // Edited while it runs, the log says which order is running.
        update(&mut app, Action::TogglePatch);
        let note = app.real_note().expect("still running");
        assert_eq!(note.kind, RealKind::Running);
        assert!(
            note.lines[0].ends_with("(it has changed since)"),
            "{note:?}"
        );
    }

    #[test]
    fn a_second_press_while_one_runs_is_refused() {
        let mut app = app_engine();
        press_r(&mut app);
        update(&mut app, Action::ReplayReal);
        let (tone, text) = status(&app);
        assert_eq!(tone, Tone::Refused);
        assert!(text.contains("already running"), "{text}");
        assert_eq!(app.take_real_request(), None);
    }

    #[test]
    fn the_result_shows_beside_the_models_outcome() {
        let app = replayed(|app| Ok(mirror(app)));
        let note = app.real_note().expect("a result");
        assert_eq!(note.kind, RealKind::Agrees);
        assert_eq!(
            note.lines,
            [
                "deadlock, confirmed by parking_lot (A, B) — agrees with the model",
                "7 events and the outcome alike; 115 ms in a child process, now reaped",
            ]
        );
        let (tone, text) = status(&app);
        assert_eq!(tone, Tone::Done);
        assert!(
            text.starts_with("real threads: deadlock, confirmed"),
            "{text}"
        );
        let text = screen(&app, 100, 30);
        assert!(text.contains(" DEADLOCK  │ real: agrees"), "{text}");
        assert!(text.contains("REAL      deadlock, confirmed by"), "{text}");
    }

    #[test]
    fn a_result_that_differs_says_where_the_runs_part() {
        let app = replayed(|app| {
            let mut real = mirror(app);
            // A4 got I on real threads instead of blocking.
            real.events[4].kind = EventKind::Acquire {
                lock: 2,
                reentry: false,
            };
            Ok(real)
        });
        let note = app.real_note().expect("a result");
        assert_eq!(note.kind, RealKind::Differs);
        assert_eq!(note.short, "real: DIFFERS");
        assert_eq!(
            note.lines[..2],
            [
                "deadlock, confirmed by parking_lot (A, B) — DIFFERS from the model at event 5",
                "the model: A4 acquire I: blocked; real threads: A4 acquire I; \
                 115 ms in a child process, now reaped",
            ]
        );
        assert_eq!(status(&app).0, Tone::Refused);
    }

    #[test]
    fn a_replay_that_failed_says_why() {
        let app = replayed(|_| Err("the replay child ended without an outcome".to_owned()));
        let note = app.real_note().expect("a result");
        assert_eq!(note.kind, RealKind::Failed);
        assert_eq!(
            note.lines,
            ["the replay gave no result: the replay child ended without an outcome"]
        );
        assert_eq!(status(&app).0, Tone::Refused);
    }

    #[test]
    fn a_result_about_an_order_since_edited_is_stale_until_undo() {
        let mut app = app_engine();
        update(&mut app, Action::JumpEnd);
        let ticket = press_r(&mut app);
        let result = Ok(mirror(&app));
        update(&mut app, Action::TogglePatch);
        update(&mut app, Action::RealReplayEnded { ticket, result });
        assert_eq!(kind(&app), Some(RealKind::Stale));
        let (_, text) = status(&app);
        assert!(text.contains("changed since r was pressed"), "{text}");
        assert!(!text.contains("confirmed by"), "{text}");
        let text = screen(&app, 100, 30);
        assert!(text.contains("real: stale"), "{text}");
        assert!(!text.contains("confirmed by"), "{text}");
        // Back at the order and patch that were replayed, the result is
        // this run's again.
        update(&mut app, Action::Undo);
        assert_eq!(kind(&app), Some(RealKind::Agrees));
    }

    #[test]
    fn a_result_of_no_replay_of_this_app_is_dropped() {
        let mut app = app_engine();
        let result = Ok(mirror(&app));
        update(&mut app, Action::RealReplayEnded { ticket: 0, result });
        assert_eq!(app.real_note(), None);
        assert_eq!(app.status(), None);
    }

    #[test]
    fn a_result_leaves_a_quit_being_confirmed_alone() {
        let mut app = app_engine();
        let ticket = press_r(&mut app);
        let edit = [Action::Select { row: 2 }, Action::MoveEarlier, Action::Quit];
        for action in edit {
            update(&mut app, action);
        }
        let asked = status(&app);
        let result = Ok(mirror(&app));
        update(&mut app, Action::RealReplayEnded { ticket, result });
        assert_eq!(status(&app), asked);
        update(&mut app, Action::Quit);
        assert!(app.should_quit());
    }

    #[test]
    fn every_real_note_draws_at_every_size() {
        let running = {
            let mut app = app_engine();
            press_r(&mut app);
            app
        };
        let failed = replayed(|_| Err("x ".repeat(200)));
        for app in [running, failed, replayed(|app| Ok(mirror(app)))] {
            for width in [0, 30, 59, 60, 61, 80, 100, 160] {
                for height in [0, 15, 16, 17, 24, 30] {
                    let area = Rect::new(0, 0, width, height);
                    render(&app, area, &mut Buffer::empty(area));
                }
            }
        }
    }
}

mod snapshots {
    use super::*;

    #[test]
    fn deadlock_confirmed_on_real_threads() {
        let app = replayed(|app| Ok(mirror(app)));
        for (width, height) in [(100, 30), (80, 24)] {
            let name = format!("real_deadlock_{width}x{height}");
            insta::assert_snapshot!(name, screen(&app, width, height));
        }
    }
}

mod background {
    use super::*;

    /// No replay may hang the suite.
    const LIMIT: Duration = Duration::from_secs(20);

    fn background(grace: Duration) -> Background {
        Background::new(Options {
            program: Some(PathBuf::from(env!("CARGO_BIN_EXE_lockstep"))),
            grace,
            timeout: LIMIT,
        })
    }

    /// Serves `app` as the event loop does, until its replay has ended.
    fn serve_until_ended(background: &mut Background, app: &mut App) {
        let deadline = Instant::now() + LIMIT + Duration::from_secs(5);
        while kind(app) == Some(RealKind::Running) {
            assert!(Instant::now() < deadline, "the replay never came back");
            background.serve(app);
            thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn the_app_engine_order_replays_on_real_threads_without_blocking_the_app() {
        let mut background = background(real::GRACE);
        let mut app = app_engine();
        update(&mut app, Action::JumpEnd);
        update(&mut app, Action::ReplayReal);

        // Serving starts the replay and returns at once: the app still
        // takes keys while the child runs.
        let started = Instant::now();
        background.serve(&mut app);
        assert!(started.elapsed() < Duration::from_millis(500));
        update(&mut app, Action::StepBack);
        update(&mut app, Action::JumpEnd);
        serve_until_ended(&mut background, &mut app);
        let note = app.real_note().expect("a result");
        assert_eq!(note.kind, RealKind::Agrees, "{note:?}");
        assert!(note.lines[0].starts_with("deadlock, confirmed by parking_lot (A, B)"));

        // With the patch, the same order finishes on real threads too.
        update(&mut app, Action::TogglePatch);
        assert_eq!(kind(&app), Some(RealKind::Stale));
        update(&mut app, Action::ReplayReal);
        serve_until_ended(&mut background, &mut app);
        let note = app.real_note().expect("a result");
        assert_eq!(note.kind, RealKind::Agrees, "{note:?}");
        assert!(note.lines[0].starts_with("finished: every thread ended"));
    }

    #[test]
    fn quitting_while_a_replay_runs_cancels_it_at_once() {
        // A4 would sit in its grace period for a minute.
        let mut background = background(Duration::from_secs(60));
        let mut app = app_engine();
        update(&mut app, Action::ReplayReal);
        background.serve(&mut app);
        thread::sleep(Duration::from_millis(200));

        let quit = Instant::now();
        drop(background);
        assert!(
            quit.elapsed() < Duration::from_secs(2),
            "{:?}",
            quit.elapsed()
        );
    }
}
