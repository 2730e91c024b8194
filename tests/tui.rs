//! The TUI driven without a terminal, as the recorder drives it: actions
//! in, frames out. Snapshots of the screens that matter, the rules of
//! editing, and every size from nothing up.

use lockstep::schedule::{self, Schedule};
use lockstep::sim::{Outcome, PatchMode, StepRef};
use lockstep::tui::{Action, App, Popup, RowKind, Tone, render, row_at, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

/// The App Engine schedule, as `lockstep` with no arguments opens it.
fn app_engine() -> App {
    App::new(schedule::built_in(), None)
}

/// A shipped schedule, opened from its file.
fn shipped(name: &str) -> App {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schedules")
        .join(name);
    let schedule = schedule::load(&path).expect("shipped schedules load");
    App::new(schedule, Some(path))
}

fn apply(app: &mut App, actions: &[Action]) {
    for action in actions {
        update(app, action.clone());
    }
}

/// The screen as text, at `width` × `height`.
fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| view(app, frame))
        .expect("drawing to a test terminal");
    terminal.backend().to_string()
}

fn ids(app: &App) -> Vec<String> {
    app.order_ids()
}

fn step_ref(schedule: &Schedule, id: &str) -> StepRef {
    let (thread, step) = schedule.step(id).expect("a known step");
    StepRef { thread, step }
}

fn status(app: &App) -> (Tone, String) {
    let status = app.status().expect("the action said something");
    (status.tone, status.text.clone())
}

mod snapshots {
    use super::*;

    /// Each screen at both sizes the brief asks for.
    fn both_sizes(name: &str, app: &App) {
        for (width, height) in [(100, 30), (80, 24)] {
            let snapshot = format!("{name}_{width}x{height}");
            insta::assert_snapshot!(snapshot, screen(app, width, height));
        }
    }

    #[test]
    fn start() {
        both_sizes("start", &app_engine());
    }

    #[test]
    fn deadlock_at_the_end() {
        let mut app = app_engine();
        update(&mut app, Action::JumpEnd);
        both_sizes("deadlock", &app);
    }

    #[test]
    fn patched_run_just_after_the_drop() {
        let mut app = app_engine();
        apply(&mut app, &[Action::TogglePatch]);
        // B3 is the seventh event: the one that drops B's record.
        for _ in 0..7 {
            update(&mut app, Action::StepForward);
        }
        both_sizes("patched_drop", &app);
    }

    #[test]
    fn help() {
        let mut app = app_engine();
        update(&mut app, Action::Help);
        both_sizes("help", &app);
    }

    #[test]
    fn too_small() {
        let app = app_engine();
        insta::assert_snapshot!("too_small_50x12", screen(&app, 50, 12));
        insta::assert_snapshot!("too_small_100x10", screen(&app, 100, 10));
    }
}

mod contract {
    use super::*;

    #[test]
    fn opens_at_the_start_unpatched_with_the_files_order() {
        let app = app_engine();
        assert_eq!(app.position(), 0);
        assert_eq!(app.event_count(), 7);
        assert_eq!(app.patch(), PatchMode::Off);
        assert_eq!(ids(&app), schedule::built_in().order);
        assert!(!app.is_modified());
    }

    #[test]
    fn steps_stay_between_the_start_and_the_end() {
        let mut app = app_engine();
        update(&mut app, Action::StepBack);
        assert_eq!(app.position(), 0);
        assert_eq!(status(&app).0, Tone::Refused);
        update(&mut app, Action::JumpEnd);
        update(&mut app, Action::StepForward);
        assert_eq!(app.position(), 7);
        update(&mut app, Action::StepBack);
        assert_eq!(app.position(), 6);
        update(&mut app, Action::JumpStart);
        assert_eq!(app.position(), 0);
    }

    #[test]
    fn going_to_the_selected_row_runs_up_to_it() {
        let mut app = app_engine();
        apply(
            &mut app,
            &[Action::SelectNext, Action::SelectNext, Action::GoToSelected],
        );
        assert_eq!(app.position(), 3);
        assert_eq!(app.selected(), 2);
    }
}

mod editing {
    use super::*;

    #[test]
    fn moving_a_step_earlier_swaps_it_with_another_threads_step() {
        let mut app = app_engine();
        // Row 2 is B1; row 1 is A2.
        apply(&mut app, &[Action::Select { row: 2 }, Action::MoveEarlier]);
        assert_eq!(ids(&app), ["A1", "B1", "A2", "A3", "A4", "B2", "B3"]);
        assert_eq!(app.selected(), 1);
        assert_eq!(status(&app), (Tone::Done, "moved B1 before A2".to_owned()));
        assert!(app.is_modified());
        assert!(screen(&app, 100, 30).contains("unsaved │ patch off"));
    }

    #[test]
    fn a_move_that_leaves_a_thread_blocked_shows_the_stuck_entry() {
        let mut app = app_engine();
        // B1 after A3, then after A4: A takes I first, and B1 blocks.
        apply(
            &mut app,
            &[
                Action::Select { row: 2 },
                Action::MoveLater,
                Action::MoveLater,
            ],
        );
        assert_eq!(ids(&app), ["A1", "A2", "A3", "A4", "B1", "B2", "B3"]);
        let Outcome::Stuck { entry, reason } = &app.run().outcome else {
            panic!("expected a stuck run, got {:?}", app.run().outcome);
        };
        assert_eq!(*entry, Some(5));
        assert_eq!(reason, "B2 cannot run: B waits for I, held by A");
        let kinds: Vec<RowKind> = app.timeline().rows.iter().map(|r| r.kind).collect();
        assert_eq!(kinds[5..], [RowKind::Stuck(5), RowKind::Unreached(6)]);
        assert!(
            status(&app)
                .1
                .ends_with("now stuck: B2 cannot run: B waits for I, held by A")
        );
    }

    #[test]
    fn a_step_does_not_move_past_its_own_threads_step() {
        let mut app = app_engine();
        // Row 1 is A2, right after A1.
        apply(&mut app, &[Action::Select { row: 1 }, Action::MoveEarlier]);
        assert_eq!(ids(&app), schedule::built_in().order);
        let (tone, text) = status(&app);
        assert_eq!(tone, Tone::Refused);
        assert_eq!(
            text,
            "A2 cannot move past A1: both are steps of thread A, \
             which runs its steps in program order"
        );
        update(&mut app, Action::Undo);
        assert_eq!(status(&app), (Tone::Refused, "nothing to undo".to_owned()));
    }

    #[test]
    fn the_first_and_last_rows_do_not_move_past_the_ends() {
        let mut app = app_engine();
        update(&mut app, Action::MoveEarlier);
        assert_eq!(
            status(&app).1,
            "A1 is the first row: it cannot move earlier"
        );
        apply(&mut app, &[Action::JumpEnd, Action::MoveLater]);
        assert_eq!(status(&app).1, "B3 is the last row: it cannot move later");
        assert_eq!(ids(&app), schedule::built_in().order);
    }

    #[test]
    fn moving_an_auto_row_makes_the_rows_up_to_it_explicit() {
        let mut app = app_engine();
        update(&mut app, Action::TogglePatch);
        // Patched: A1 A2 B1 A3 A4 B2 B3(drop), then auto B6 A5 A6 A7.
        assert_eq!(app.timeline().explicit, 7);
        apply(&mut app, &[Action::Select { row: 8 }, Action::MoveEarlier]);
        assert_eq!(
            ids(&app),
            ["A1", "A2", "B1", "A3", "A4", "B2", "B3", "A5", "B6"]
        );
        assert_eq!(app.timeline().explicit, 9);
    }

    #[test]
    fn running_a_thread_next_replaces_the_rest_of_the_order() {
        let mut app = app_engine();
        // At the start, B first: it imports, logs and finishes, then A.
        update(&mut app, Action::RunNext { thread: 1 });
        assert_eq!(ids(&app), ["B1"]);
        assert_eq!(app.position(), 1);
        assert_eq!(app.run().outcome, Outcome::Finished);
        assert_eq!(
            status(&app),
            (
                Tone::Done,
                "B runs B1 next; the default policy runs the rest; the run now finishes".to_owned()
            )
        );
    }

    #[test]
    fn running_a_blocked_thread_next_is_refused_with_the_reason() {
        let mut app = app_engine();
        apply(&mut app, &[Action::JumpEnd, Action::RunNext { thread: 0 }]);
        assert_eq!(
            status(&app),
            (
                Tone::Refused,
                "A cannot run next: A waits for I, held by B".to_owned()
            )
        );
        update(&mut app, Action::RunNext { thread: 4 });
        assert_eq!(status(&app).1, "there is no thread 5: this schedule has 2");
        assert_eq!(ids(&app), schedule::built_in().order);
    }

    #[test]
    fn undo_and_redo_walk_the_edits_and_a_new_edit_clears_redo() {
        let mut app = app_engine();
        let original = ids(&app);
        apply(&mut app, &[Action::Select { row: 2 }, Action::MoveEarlier]);
        let moved = ids(&app);
        update(&mut app, Action::TogglePatch);
        update(&mut app, Action::Undo);
        assert_eq!((ids(&app), app.patch()), (moved.clone(), PatchMode::Off));
        update(&mut app, Action::Undo);
        assert_eq!(ids(&app), original);
        assert_eq!(app.selected(), 2, "undo puts the selection back");
        update(&mut app, Action::Redo);
        assert_eq!(ids(&app), moved);
        update(&mut app, Action::RunNext { thread: 0 });
        update(&mut app, Action::Redo);
        assert_eq!(status(&app), (Tone::Refused, "nothing to redo".to_owned()));
    }

    #[test]
    fn the_patch_reruns_the_same_order_and_drops_bs_record() {
        let mut app = app_engine();
        update(&mut app, Action::TogglePatch);
        assert_eq!(app.patch(), PatchMode::On);
        assert_eq!(ids(&app), schedule::built_in().order);
        assert_eq!(app.run().outcome, Outcome::Finished);
        let dropped = lockstep::sim::report::dropped(app.schedule(), &app.run().events);
        let messages: Vec<&str> = dropped.iter().map(|r| r.message).collect();
        assert_eq!(messages, ["hooks installed"]);
        assert_eq!(
            status(&app).1,
            "log_bug_patch on: the same order finishes, and drops 1 record"
        );
        update(&mut app, Action::TogglePatch);
        assert_eq!(app.patch(), PatchMode::Off);
        assert!(matches!(app.run().outcome, Outcome::Deadlock { .. }));
    }

    #[test]
    fn turning_the_patch_off_cuts_entries_that_only_a_drop_allowed() {
        let mut app = app_engine();
        update(&mut app, Action::TogglePatch);
        // After the drop at B3, B runs B6 next: B4 and B5 are not listed.
        apply(&mut app, &[Action::JumpStart]);
        for _ in 0..7 {
            update(&mut app, Action::StepForward);
        }
        update(&mut app, Action::RunNext { thread: 1 });
        assert_eq!(ids(&app).last().map(String::as_str), Some("B6"));
        update(&mut app, Action::TogglePatch);
        assert_eq!(ids(&app), schedule::built_in().order);
        let (_, text) = status(&app);
        assert!(
            text.starts_with("log_bug_patch off: the order stops at B6"),
            "{text}"
        );
        update(&mut app, Action::Undo);
        assert_eq!(app.patch(), PatchMode::On);
        assert_eq!(ids(&app).len(), 8);
    }

    #[test]
    fn a_schedule_without_a_patch_refuses_the_toggle() {
        let mut app = shipped("two-locks.ron");
        update(&mut app, Action::TogglePatch);
        assert_eq!(
            status(&app),
            (
                Tone::Refused,
                "this schedule has no patch to toggle".to_owned()
            )
        );
        assert_eq!(app.patch(), PatchMode::Off);
    }

    #[test]
    fn a_loaded_order_starts_over_and_can_be_undone() {
        let mut app = app_engine();
        update(&mut app, Action::JumpEnd);
        let order: Vec<StepRef> = ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]
            .iter()
            .map(|id| step_ref(app.schedule(), id))
            .collect();
        update(&mut app, Action::LoadOrder { order });
        assert_eq!(app.position(), 0);
        assert_eq!(app.run().outcome, Outcome::Finished);
        update(&mut app, Action::Undo);
        assert_eq!(ids(&app), schedule::built_in().order);
    }

    #[test]
    fn an_order_with_a_gap_is_refused_and_changes_nothing() {
        let mut app = app_engine();
        let order = vec![step_ref(app.schedule(), "A2")];
        update(&mut app, Action::LoadOrder { order });
        let (tone, text) = status(&app);
        assert_eq!(tone, Tone::Refused);
        assert!(text.contains("runs `A2` before `A1`"), "{text}");
        assert_eq!(ids(&app), schedule::built_in().order);
    }
}

mod files {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("lockstep-tui-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        dir
    }

    #[test]
    fn saving_writes_the_edited_order_and_clears_modified() {
        let dir = temp_dir("save");
        let mut app = app_engine();
        apply(
            &mut app,
            &[Action::Select { row: 2 }, Action::MoveEarlier, Action::Save],
        );
        let Some(Popup::SaveAs(_)) = app.popup() else {
            panic!("the built-in schedule asks where to save");
        };
        let path = dir.join("edited.ron");
        update(&mut app, Action::Cancel);
        update(&mut app, Action::SaveAs);
        // Replace the suggested path with ours, as a user would.
        for _ in 0..200 {
            update(&mut app, Action::Erase);
        }
        for ch in path.display().to_string().chars() {
            update(&mut app, Action::Type { ch });
        }
        update(&mut app, Action::Confirm);
        assert_eq!(app.popup(), None);
        assert!(!app.is_modified());
        assert_eq!(app.file(), Some(path.as_path()));
        let saved = schedule::load(&path).expect("the saved file loads");
        assert_eq!(saved.order, ["A1", "B1", "A2", "A3", "A4", "B2", "B3"]);
        std::fs::remove_dir_all(dir).ok();
    }

    /// Opens save-as after one edit and types `path` over the suggestion.
    fn save_as_typed(app: &mut App, path: &std::path::Path) {
        apply(app, &[Action::Select { row: 2 }, Action::MoveEarlier]);
        update(app, Action::SaveAs);
        for _ in 0..200 {
            update(app, Action::Erase);
        }
        for ch in path.display().to_string().chars() {
            update(app, Action::Type { ch });
        }
    }

    fn warning(app: &App) -> Option<String> {
        match app.popup() {
            Some(Popup::SaveAs(prompt)) => prompt.warning.clone(),
            other => panic!("the save-as prompt stays open, got {other:?}"),
        }
    }

    #[test]
    fn save_as_asks_before_replacing_another_file() {
        let dir = temp_dir("replace");
        let other = dir.join("other.ron");
        std::fs::write(&other, "old content").expect("a test file");
        let mut app = app_engine();
        save_as_typed(&mut app, &other);

        // The first Enter warns and leaves the file alone.
        update(&mut app, Action::Confirm);
        let expected = format!(
            "`{}` exists: press Enter again to replace it, or edit the path",
            other.display()
        );
        assert_eq!(warning(&app), Some(expected.clone()));
        assert_eq!(status(&app), (Tone::Refused, expected));
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "old content");
        assert!(app.is_modified());
        assert_eq!(app.file(), None);

        // The second Enter on the same path replaces it.
        update(&mut app, Action::Confirm);
        assert_eq!(app.popup(), None);
        assert!(!app.is_modified());
        assert_eq!(app.file(), Some(other.as_path()));
        let text = std::fs::read_to_string(&other).unwrap();
        assert!(!text.contains("old content"), "{text}");
        let saved = schedule::load(&other).expect("the saved file loads");
        assert_eq!(saved.order, ["A1", "B1", "A2", "A3", "A4", "B2", "B3"]);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn editing_the_path_asks_again_before_replacing() {
        let dir = temp_dir("rearm");
        let other = dir.join("other.ron");
        std::fs::write(&other, "old content").expect("a test file");
        let mut app = app_engine();
        save_as_typed(&mut app, &other);
        update(&mut app, Action::Confirm);
        assert!(warning(&app).is_some());

        // An edit, even one undone, clears the warning and re-arms the check.
        update(&mut app, Action::Type { ch: 'x' });
        assert_eq!(warning(&app), None);
        update(&mut app, Action::Erase);
        update(&mut app, Action::Confirm);
        assert!(warning(&app).is_some());
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "old content");
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn save_as_to_the_schedules_own_file_saves_at_once() {
        let dir = temp_dir("own");
        let own = dir.join("own.ron");
        schedule::save(&schedule::built_in(), &own).expect("a test file");
        let mut app = App::new(schedule::built_in(), Some(own.clone()));
        save_as_typed(&mut app, &own);
        update(&mut app, Action::Confirm);
        assert_eq!(app.popup(), None);
        assert!(!app.is_modified());
        let saved = schedule::load(&own).expect("the saved file loads");
        assert_eq!(saved.order, ["A1", "B1", "A2", "A3", "A4", "B2", "B3"]);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_failed_save_says_why_and_keeps_the_edits() {
        let dir = temp_dir("fail");
        let target = dir.join("missing-folder").join("x.ron");
        let schedule = schedule::built_in();
        let mut app = App::new(schedule, Some(target.clone()));
        apply(
            &mut app,
            &[Action::Select { row: 2 }, Action::MoveEarlier, Action::Save],
        );
        let Some(Popup::Message { title, text }) = app.popup() else {
            panic!("a failed save shows a message, got {:?}", app.popup());
        };
        assert_eq!(title, &format!("cannot save to {}", target.display()));
        assert!(text.contains("the edits are kept"), "{text}");
        assert!(app.is_modified());
        assert!(!target.exists());
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_bad_file_from_the_picker_shows_its_diagnostic_and_keeps_the_schedule() {
        let dir = temp_dir("bad");
        let bad = dir.join("broken.ron");
        std::fs::write(
            &bad,
            "Schedule(version: 1, title: \"x\", locks: [], threads: [],)",
        )
        .expect("a test file");
        let mut app = app_engine();
        update(&mut app, Action::StepForward);
        update(&mut app, Action::Open { path: bad.clone() });
        let Some(Popup::Message { title, text }) = app.popup() else {
            panic!("a bad file shows a message, got {:?}", app.popup());
        };
        assert_eq!(title, &format!("cannot open {}", bad.display()));
        assert!(text.contains("the schedule has no threads"), "{text}");
        assert!(text.contains("broken.ron:1:"), "{text}");
        assert_eq!(app.schedule().title, schedule::built_in().title);
        assert_eq!(app.position(), 1);
        update(&mut app, Action::Cancel);
        assert_eq!(app.popup(), None);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn the_picker_lists_the_files_next_to_the_open_one_and_opens_them() {
        let dir = temp_dir("pick");
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schedules");
        std::fs::copy(shipped.join("repro.ron"), dir.join("a-repro.ron")).expect("a copy");
        std::fs::write(dir.join("notes.txt"), "not a schedule").expect("a test file");
        let mut app = App::new(schedule::built_in(), Some(dir.join("a-repro.ron")));
        update(&mut app, Action::OpenPicker);
        let Some(Popup::Picker(picker)) = app.popup() else {
            panic!("the picker opens");
        };
        assert_eq!(picker.files.first(), Some(&dir.join("a-repro.ron")));
        assert!(
            picker
                .files
                .iter()
                .all(|f| f.extension().is_some_and(|e| e == "ron"))
        );
        update(&mut app, Action::Confirm);
        assert_eq!(
            app.schedule().title,
            "Reproduction: user lock vs import lock"
        );
        assert_eq!(app.position(), 0);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn quitting_with_unsaved_edits_asks_once() {
        let mut app = app_engine();
        update(&mut app, Action::Quit);
        assert!(app.should_quit(), "nothing to lose: quit at once");
        let mut app = app_engine();
        apply(
            &mut app,
            &[Action::Select { row: 2 }, Action::MoveEarlier, Action::Quit],
        );
        assert!(!app.should_quit());
        update(&mut app, Action::Quit);
        assert!(app.should_quit());
        let mut app = app_engine();
        apply(
            &mut app,
            &[
                Action::Select { row: 2 },
                Action::MoveEarlier,
                Action::QuitNow,
            ],
        );
        assert!(app.should_quit());
    }
}

mod screens {
    use super::*;

    /// States worth drawing besides the deadlock: the start, the patched
    /// run, a stuck order, popups, and schedules drawn as lanes and text.
    fn states() -> Vec<App> {
        let mut patched = app_engine();
        apply(&mut patched, &[Action::TogglePatch, Action::JumpEnd]);
        let mut stuck = app_engine();
        let late = [
            Action::Select { row: 2 },
            Action::MoveLater,
            Action::MoveLater,
        ];
        apply(&mut stuck, &late);
        update(&mut stuck, Action::JumpEnd);
        let mut help = app_engine();
        update(&mut help, Action::Help);
        let mut prompt = app_engine();
        update(&mut prompt, Action::SaveAs);
        let mut philosophers = shipped("philosophers.ron");
        update(&mut philosophers, Action::JumpEnd);
        let mut repro = shipped("repro.ron");
        update(&mut repro, Action::JumpEnd);
        vec![
            app_engine(),
            patched,
            stuck,
            help,
            prompt,
            philosophers,
            repro,
        ]
    }

    fn draw(app: &App, width: u16, height: u16) {
        let area = Rect::new(0, 0, width, height);
        let mut buf = Buffer::empty(area);
        render(app, area, &mut buf);
    }

    #[test]
    fn every_size_up_to_120_by_40_draws_without_panicking() {
        let mut app = app_engine();
        update(&mut app, Action::JumpEnd);
        for width in 0..=120 {
            for height in 0..=40 {
                draw(&app, width, height);
            }
        }
    }

    #[test]
    fn every_state_draws_at_the_edges_of_the_layout() {
        let widths = [0, 1, 2, 30, 59, 60, 61, 70, 80, 100, 120, 300];
        let heights = [0, 1, 2, 8, 15, 16, 17, 20, 24, 30, 40, 100];
        for app in states() {
            for width in widths {
                for height in heights {
                    draw(&app, width, height);
                }
            }
        }
    }

    #[test]
    fn the_frame_path_draws_what_render_draws() {
        let app = app_engine();
        let area = Rect::new(0, 0, 100, 30);
        let mut buf = Buffer::empty(area);
        render(&app, area, &mut buf);
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("a test terminal");
        terminal.draw(|frame| view(&app, frame)).expect("a frame");
        assert_eq!(terminal.backend().buffer(), &buf);
    }

    #[test]
    fn a_click_on_a_row_selects_it() {
        let app = app_engine();
        let area = Rect::new(0, 0, 100, 30);
        // Rows start under the panel border (y 1) and the column titles.
        assert_eq!(row_at(&app, area, Position::new(10, 3)), Some(0));
        assert_eq!(row_at(&app, area, Position::new(10, 5)), Some(2));
        assert_eq!(row_at(&app, area, Position::new(70, 5)), None);
        assert_eq!(row_at(&app, area, Position::new(10, 12)), None);
    }

    #[test]
    fn the_deadlock_screen_names_the_cycle_and_the_outcome() {
        let mut app = app_engine();
        update(&mut app, Action::JumpEnd);
        let text = screen(&app, 100, 30);
        assert!(text.contains("DEADLOCK: A → I → B → H → A"), "{text}");
        assert!(text.contains("B3 blocked on H"), "{text}");
        assert!(text.contains(" DEADLOCK "), "{text}");
    }

    #[test]
    fn the_patched_screen_shows_the_drop_and_the_lost_record() {
        let mut app = app_engine();
        apply(&mut app, &[Action::TogglePatch, Action::JumpEnd]);
        let text = screen(&app, 100, 30);
        assert!(text.contains("B3 try H: DROP"), "{text}");
        assert!(
            text.contains("DROPPED   B4 \"hooks installed\" is lost"),
            "{text}"
        );
        assert!(text.contains("PATCH ON: log_bug_patch"), "{text}");
    }
}
