//! The TUI's explore popup: the key asks for both patch modes, the results
//! come back as actions and fill the popup, a chosen order loads with its
//! patch mode, Esc cancels, results about another schedule are dropped,
//! searches that stop early say so; and one exploration really runs
//! through the background path.

use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use lockstep::explore::{self, Count, ExploreError, Limits, Partial, Progress, Summary};
use lockstep::schedule;
use lockstep::sim::{Outcome, PatchMode};
use lockstep::tui::{
    Action, App, Background, ChoiceKind, Context, EXPLORE_MAX_STATES, Explored, Popup, Stage, Tone,
    action_for, render, update, view,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

fn app_engine() -> App {
    App::new(schedule::built_in(), None)
}

fn schedule_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("schedules")
        .join(name)
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

/// The App Engine schedule explored in `patch` mode, with `max_states`.
fn explored(patch: PatchMode, max_states: u64) -> Result<Summary, ExploreError> {
    let limits = Limits {
        max_states,
        progress: None,
    };
    explore::explore(&schedule::built_in(), patch, &limits)
}

/// Presses `e` and takes the request, as the event loop does; returns its
/// ticket.
fn press_e(app: &mut App) -> u64 {
    update(app, Action::Explore);
    app.take_explore_request()
        .expect("e asks to explore")
        .ticket
}

fn send(app: &mut App, ticket: u64, patch: PatchMode, result: Result<Summary, ExploreError>) {
    update(
        app,
        Action::ExplorationEnded {
            ticket,
            patch,
            result: Box::new(result),
        },
    );
}

/// The results popup, if it is open.
fn results(app: &App) -> Option<&Explored> {
    match app.popup() {
        Some(Popup::Explored(explored)) => Some(explored),
        _ => None,
    }
}

/// The App Engine schedule with both searches back.
fn app_engine_explored() -> App {
    let mut app = app_engine();
    let ticket = press_e(&mut app);
    for patch in [PatchMode::Off, PatchMode::On] {
        send(&mut app, ticket, patch, explored(patch, EXPLORE_MAX_STATES));
    }
    app
}

/// Selects the choice at `index` of the results popup and loads it.
fn choose(app: &mut App, index: usize) {
    for _ in 0..index {
        update(app, Action::SelectNext);
    }
    update(app, Action::Confirm);
}

mod actions {
    use super::*;

    #[test]
    fn e_asks_for_both_modes_and_shows_them_running() {
        let mut app = app_engine();
        update(&mut app, Action::Explore);
        assert_eq!(app.context(), Context::Exploring);
        let request = app.take_explore_request().expect("e asks to explore");
        let modes: Vec<PatchMode> = request.searches.iter().map(|s| s.patch).collect();
        assert_eq!(modes, [PatchMode::Off, PatchMode::On]);
        for search in &request.searches {
            assert_eq!(search.limits.max_states, EXPLORE_MAX_STATES);
            assert!(search.limits.progress.is_some());
        }
        assert!(app.take_explore_request().is_none(), "taken once");
        assert_eq!(app.exploring_ticket(), Some(request.ticket));

        let progress = app.explore_progress().expect("running");
        let stages: Vec<&Stage> = progress.modes.iter().map(|m| &m.stage).collect();
        let waiting = Stage::Searching {
            states: 0,
            level: 0,
            levels: 0,
        };
        assert_eq!(stages, [&waiting, &Stage::Waiting]);
        let text = screen(&app, 100, 30);
        assert!(
            text.contains("Exploring every execution: Esc cancels"),
            "{text}"
        );
        assert!(
            text.contains("unpatched  searching… 0 states so far"),
            "{text}"
        );
    }

    #[test]
    fn a_schedule_without_a_patch_is_explored_unpatched_only() {
        let path = schedule_file("two-locks.ron");
        let mut app = App::new(schedule::load(&path).expect("shipped"), Some(path));
        update(&mut app, Action::Explore);
        let request = app.take_explore_request().expect("e asks to explore");
        let modes: Vec<PatchMode> = request.searches.iter().map(|s| s.patch).collect();
        assert_eq!(modes, [PatchMode::Off]);
    }

    #[test]
    fn one_result_shows_as_progress_until_both_are_in() {
        let mut app = app_engine();
        let ticket = press_e(&mut app);
        send(
            &mut app,
            ticket,
            PatchMode::Off,
            explored(PatchMode::Off, 1000),
        );
        assert_eq!(app.context(), Context::Exploring);
        let progress = app.explore_progress().expect("still running");
        let done = "done: 62 executions, 51 states".to_owned();
        assert_eq!(progress.modes[0].stage, Stage::Ended { text: done });
        assert!(matches!(
            progress.modes[1].stage,
            Stage::Searching { states: 0, .. }
        ));
    }

    #[test]
    fn the_results_fill_the_popup_with_both_modes_and_the_orders() {
        let app = app_engine_explored();
        let results = results(&app).expect("the results popup");
        assert_eq!(app.context(), Context::Explored);
        assert_eq!(app.exploring_ticket(), None);
        let counts: Vec<(u128, u128)> = results
            .modes
            .iter()
            .map(|m| {
                let summary = m.result.as_ref().expect("complete");
                let exact = |c: Count| c.exact().expect("exact");
                (exact(summary.executions), exact(summary.deadlocked))
            })
            .collect();
        assert_eq!(counts, [(62, 33), (96, 0)]);

        let offered: Vec<(PatchMode, ChoiceKind)> =
            results.choices.iter().map(|c| (c.patch, c.kind)).collect();
        let finished = ChoiceKind::Example {
            ending: explore::Ending::Finished,
        };
        let drop = |thread, step, needed| ChoiceKind::Drop {
            thread,
            step,
            needed,
        };
        assert_eq!(
            offered,
            [
                (PatchMode::Off, ChoiceKind::ShortestDeadlock),
                (PatchMode::Off, finished),
                (PatchMode::On, finished),
                (PatchMode::On, drop(1, 2, true)),
                (PatchMode::On, drop(0, 0, false)),
                (PatchMode::On, drop(1, 2, false)),
            ]
        );
        assert_eq!(
            status(&app),
            (
                Tone::Done,
                "explored: unpatched, 33 of 62 executions deadlock; \
                 patched, none of 96 executions deadlocks"
                    .to_owned()
            )
        );
    }

    #[test]
    fn choosing_the_shortest_deadlock_loads_it_unpatched() {
        let mut app = app_engine_explored();
        update(&mut app, Action::JumpEnd);
        choose(&mut app, 0);
        assert_eq!(app.popup(), None);
        assert_eq!(app.order_ids(), ["B1", "A1", "A2", "B2", "A3", "B3", "A4"]);
        assert_eq!(app.patch(), PatchMode::Off);
        assert_eq!(app.position(), 0);
        assert_eq!(
            status(&app),
            (
                Tone::Done,
                "loaded the shortest deadlock, unpatched: 7 steps; \
                 press l to step through it"
                    .to_owned()
            )
        );
        assert!(matches!(app.run().outcome, Outcome::Deadlock { .. }));
        assert_eq!(app.event_count(), 7);
    }

    #[test]
    fn choosing_a_patched_order_turns_the_patch_on_and_one_undo_restores_both() {
        let mut app = app_engine_explored();
        let before = app.order_ids();
        choose(&mut app, 3);
        assert_eq!(app.patch(), PatchMode::On);
        assert_eq!(app.order_ids(), ["B1", "A1", "B2", "B3"]);
        let (_, text) = status(&app);
        assert!(
            text.starts_with("loaded a drop at B3, needed, patched: 4 steps"),
            "{text}"
        );
        assert_eq!(app.run().outcome, Outcome::Finished);

        update(&mut app, Action::Undo);
        assert_eq!(app.patch(), PatchMode::Off);
        assert_eq!(app.order_ids(), before);
    }

    #[test]
    fn the_highlight_stays_in_the_list() {
        let mut app = app_engine_explored();
        update(&mut app, Action::SelectPrevious);
        assert_eq!(results(&app).expect("open").selected, 0);
        for _ in 0..20 {
            update(&mut app, Action::SelectNext);
        }
        assert_eq!(results(&app).expect("open").selected, 5);
    }

    #[test]
    fn esc_cancels_the_searches_and_shows_what_they_found() {
        let mut app = app_engine();
        update(&mut app, Action::Explore);
        let request = app.take_explore_request().expect("e asks to explore");
        let progress: Vec<Arc<Progress>> = request
            .searches
            .iter()
            .filter_map(|s| s.limits.progress.clone())
            .collect();
        update(&mut app, Action::Cancel);
        assert!(progress.iter().all(|p| p.is_cancelled()));
        assert!(app.explore_progress().expect("still waiting").cancelled);
        assert_eq!(status(&app).1, "cancelling the exploration…");
        assert!(screen(&app, 100, 30).contains("Cancelling: Esc again stops waiting"));

        let partial = |deadlock| Partial {
            states: 4096,
            deadlock,
        };
        let off = ExploreError::Cancelled {
            partial: partial(None),
        };
        let on = ExploreError::Cancelled {
            partial: partial(None),
        };
        send(&mut app, request.ticket, PatchMode::Off, Err(off));
        send(&mut app, request.ticket, PatchMode::On, Err(on));
        let results = results(&app).expect("what they found");
        assert!(results.choices.is_empty());
        let (tone, text) = status(&app);
        assert_eq!(tone, Tone::Refused);
        assert_eq!(
            text,
            "explored: unpatched, stopped early; patched, stopped early"
        );
        let text = screen(&app, 100, 30);
        // The message wraps in its column.
        assert!(text.contains("stopped after 4,096 states:"), "{text}");
        assert!(text.contains("interrupted"), "{text}");
        assert!(text.contains("nothing to load"), "{text}");

        // A cancelled exploration is not kept: e searches again.
        update(&mut app, Action::Cancel);
        update(&mut app, Action::Explore);
        assert!(app.take_explore_request().is_some());
    }

    #[test]
    fn a_second_esc_stops_waiting_and_drops_the_late_results() {
        let mut app = app_engine();
        let ticket = press_e(&mut app);
        update(&mut app, Action::Cancel);
        update(&mut app, Action::Cancel);
        assert_eq!(app.popup(), None);
        assert_eq!(app.exploring_ticket(), None);
        assert_eq!(status(&app).1, "exploration cancelled");
        send(
            &mut app,
            ticket,
            PatchMode::Off,
            explored(PatchMode::Off, 1000),
        );
        assert_eq!(app.popup(), None);
        assert_eq!(status(&app).1, "exploration cancelled");
    }

    #[test]
    fn a_result_after_another_schedule_was_opened_is_dropped() {
        let mut app = app_engine();
        let ticket = press_e(&mut app);
        let path = schedule_file("two-locks.ron");
        update(&mut app, Action::Open { path });
        assert_eq!(app.exploring_ticket(), None);
        let opened = status(&app);
        for patch in [PatchMode::Off, PatchMode::On] {
            send(&mut app, ticket, patch, explored(patch, 1000));
        }
        assert_eq!(app.popup(), None);
        assert_eq!(status(&app), opened);
    }

    #[test]
    fn a_search_stopped_at_the_limit_says_so_and_offers_the_deadlock_it_found() {
        let mut app = app_engine();
        let ticket = press_e(&mut app);
        let off = explored(PatchMode::Off, 45);
        let Err(ExploreError::Limit { partial, .. }) = &off else {
            panic!("45 states are too few for the 51 of the App Engine: {off:?}");
        };
        assert!(partial.deadlock.is_some(), "{partial:?}");
        send(&mut app, ticket, PatchMode::Off, off);
        send(
            &mut app,
            ticket,
            PatchMode::On,
            explored(PatchMode::On, 1000),
        );
        let text = screen(&app, 100, 30);
        // The messages wrap in their column.
        assert!(text.contains("stopped at the state limit"), "{text}");
        assert!(text.contains("of 45"), "{text}");
        assert!(text.contains("a deadlock is reachable"), "{text}");
        assert!(
            text.contains("unpatched  a deadlock found before the search stopped (7 steps)"),
            "{text}"
        );
        assert_eq!(status(&app).0, Tone::Refused);

        choose(&mut app, 0);
        assert!(matches!(app.run().outcome, Outcome::Deadlock { .. }));
        // A search that hit the limit would hit it again: e shows it.
        update(&mut app, Action::Explore);
        assert!(app.take_explore_request().is_none());
        assert!(results(&app).is_some());
    }

    #[test]
    fn a_schedule_too_large_to_explore_says_what_is_too_large() {
        let mut app = app_engine();
        let ticket = press_e(&mut app);
        let too_large = || ExploreError::TooLarge {
            reason: "a state needs 600 bits, at most 512".to_owned(),
        };
        send(&mut app, ticket, PatchMode::Off, Err(too_large()));
        send(&mut app, ticket, PatchMode::On, Err(too_large()));
        let (_, text) = status(&app);
        assert_eq!(text, "explored: unpatched, too large; patched, too large");
        let text = screen(&app, 100, 30);
        assert!(text.contains("the schedule is too large to"), "{text}");
        assert!(text.contains("600 bits"), "{text}");
    }

    #[test]
    fn e_shows_the_last_exploration_again_after_edits() {
        let mut app = app_engine_explored();
        choose(&mut app, 0);
        update(&mut app, Action::TogglePatch);
        update(&mut app, Action::Explore);
        assert!(app.take_explore_request().is_none(), "no search needed");
        let results = results(&app).expect("shown again");
        assert_eq!(results.selected, 0);
        assert_eq!(results.choices.len(), 6);
        assert!(status(&app).1.contains("depends only on the programs"));
    }

    #[test]
    fn an_exploration_that_cannot_start_says_why() {
        let mut app = app_engine();
        let ticket = press_e(&mut app);
        let reason = "cannot start a thread for the exploration: no memory".to_owned();
        update(&mut app, Action::ExplorationFailed { ticket, reason });
        let Some(Popup::Message { title, text }) = app.popup() else {
            panic!("a message: {:?}", app.popup());
        };
        assert_eq!(title, "cannot explore");
        assert!(text.starts_with("cannot start a thread"), "{text}");
        assert_eq!(app.exploring_ticket(), None);
    }

    #[test]
    fn the_key_table_binds_the_explore_keys() {
        let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
        let explore = action_for(Context::Main, key(KeyCode::Char('e')));
        assert_eq!(explore, Some(Action::Explore));
        let esc = action_for(Context::Exploring, key(KeyCode::Esc));
        assert_eq!(esc, Some(Action::Cancel));
        let enter = action_for(Context::Explored, key(KeyCode::Enter));
        assert_eq!(enter, Some(Action::Confirm));
        let down = action_for(Context::Explored, key(KeyCode::Char('j')));
        assert_eq!(down, Some(Action::SelectNext));
        let step = action_for(Context::Exploring, key(KeyCode::Char('l')));
        assert_eq!(step, None, "the popup takes the keys while it runs");
    }

    #[test]
    fn results_behind_another_popup_wait_for_e() {
        let mut app = app_engine();
        let ticket = press_e(&mut app);
        update(&mut app, Action::Help);
        for patch in [PatchMode::Off, PatchMode::On] {
            send(&mut app, ticket, patch, explored(patch, 1000));
        }
        assert_eq!(app.popup(), Some(&Popup::Help));
        assert!(status(&app).1.ends_with("; press e to see it"));
        update(&mut app, Action::Cancel);
        update(&mut app, Action::Explore);
        assert!(app.take_explore_request().is_none());
        assert!(results(&app).is_some());
    }

    #[test]
    fn ctrl_c_quits_from_the_explore_popups() {
        let mut app = app_engine();
        press_e(&mut app);
        update(&mut app, Action::QuitNow);
        assert!(app.should_quit());
    }
}

mod screens {
    use super::*;

    /// Counts far past 64 bits, one past 128: the numbers go short and
    /// the overflowed bar is marked.
    fn huge() -> App {
        let mut big = Count::from(u64::MAX);
        for _ in 0..40 {
            big = big.plus(big);
        }
        let mut over = big;
        while !over.overflowed() {
            over = over.plus(over);
        }
        let mut app = app_engine();
        let ticket = press_e(&mut app);
        let mut off = explored(PatchMode::Off, 1000).expect("complete");
        off.executions = over;
        off.finished = over;
        off.deadlocked = big;
        off.states = 36_302_672;
        send(&mut app, ticket, PatchMode::Off, Ok(off));
        send(
            &mut app,
            ticket,
            PatchMode::On,
            explored(PatchMode::On, 1000),
        );
        app
    }

    fn states() -> Vec<App> {
        let running = {
            let mut app = app_engine();
            press_e(&mut app);
            app
        };
        let cancelling = {
            let mut app = app_engine();
            press_e(&mut app);
            update(&mut app, Action::Cancel);
            app
        };
        let limited = {
            let mut app = app_engine();
            let ticket = press_e(&mut app);
            send(
                &mut app,
                ticket,
                PatchMode::Off,
                explored(PatchMode::Off, 45),
            );
            send(&mut app, ticket, PatchMode::On, explored(PatchMode::On, 20));
            app
        };
        vec![running, cancelling, app_engine_explored(), limited, huge()]
    }

    #[test]
    fn every_explore_popup_draws_at_every_size() {
        let widths = [0, 1, 2, 20, 30, 59, 60, 61, 70, 80, 96, 97, 100, 120, 300];
        let heights = [0, 1, 2, 8, 15, 16, 17, 20, 24, 30, 40, 100];
        for app in states() {
            for width in widths {
                for height in heights {
                    let area = Rect::new(0, 0, width, height);
                    render(&app, area, &mut Buffer::empty(area));
                }
            }
        }
    }

    #[test]
    fn huge_counts_are_written_short_and_an_overflow_says_so() {
        let text = screen(&huge(), 100, 30);
        assert!(text.contains("> 2^128"), "{text}");
        assert!(text.contains("≈"), "{text}");
        assert!(text.contains("░░░░"), "{text}");
        assert!(text.contains("too many to count exactly"), "{text}");
        assert!(text.contains("36,302,672"), "{text}");
    }
}

mod snapshots {
    use super::*;

    #[test]
    fn explore_results() {
        let app = app_engine_explored();
        for (width, height) in [(100, 30), (80, 24)] {
            let name = format!("explore_results_{width}x{height}");
            insta::assert_snapshot!(name, screen(&app, width, height));
        }
    }

    #[test]
    fn explore_running() {
        let mut app = app_engine();
        let ticket = press_e(&mut app);
        send(
            &mut app,
            ticket,
            PatchMode::Off,
            explored(PatchMode::Off, 1000),
        );
        insta::assert_snapshot!("explore_running_100x30", screen(&app, 100, 30));
    }

    #[test]
    fn explore_stopped_at_the_limit() {
        let mut app = app_engine();
        let ticket = press_e(&mut app);
        send(
            &mut app,
            ticket,
            PatchMode::Off,
            explored(PatchMode::Off, 45),
        );
        send(&mut app, ticket, PatchMode::On, explored(PatchMode::On, 20));
        insta::assert_snapshot!("explore_limit_80x24", screen(&app, 80, 24));
    }
}

mod background {
    use super::*;

    /// No exploration may hang the suite.
    const LIMIT: Duration = Duration::from_secs(20);

    #[test]
    fn the_app_engine_schedule_is_explored_in_the_background() {
        let mut background = Background::new(lockstep::real::Options::default());
        let mut app = app_engine();
        update(&mut app, Action::Explore);
        let deadline = Instant::now() + LIMIT;
        while results(&app).is_none() {
            assert!(Instant::now() < deadline, "the exploration never came back");
            let started = Instant::now();
            background.serve(&mut app);
            assert!(
                started.elapsed() < Duration::from_millis(500),
                "serve waits"
            );
            thread::sleep(Duration::from_millis(5));
        }
        let results = results(&app).expect("the results popup");
        let executions: Vec<Option<u128>> = results
            .modes
            .iter()
            .map(|m| m.result.as_ref().ok().and_then(|s| s.executions.exact()))
            .collect();
        assert_eq!(executions, [Some(62), Some(96)]);
        assert!(!background.serve(&mut app), "nothing runs any more");
    }

    #[test]
    fn quitting_during_an_exploration_cancels_it_at_once() {
        let path = schedule_file("bench/ring-10-k1-deadlock.ron");
        let schedule = schedule::load(&path).expect("shipped");
        let mut background = Background::new(lockstep::real::Options::default());
        let mut app = App::new(schedule, Some(path));
        update(&mut app, Action::Explore);
        background.serve(&mut app);
        thread::sleep(Duration::from_millis(300));
        assert!(background.serve(&mut app), "the progress redraws");
        let searching = app.explore_progress().expect("still running");
        assert!(
            matches!(
                searching.modes[0].stage,
                Stage::Searching { states, level, levels } if states > 0 && level > 0 && levels >= level
            ),
            "{searching:?}"
        );

        let quit = Instant::now();
        drop(background);
        assert!(
            quit.elapsed() < Duration::from_secs(1),
            "{:?}",
            quit.elapsed()
        );
    }
}
