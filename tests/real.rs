//! Replays on real threads, with the built `lockstep` as the child process:
//! every shipped schedule agrees with the model, patched and unpatched;
//! the corner cases of the semantics and random small schedules agree
//! too; no replay can hang the suite (every replay and every command has a
//! timeout); and every child is gone once its replay has returned.

mod common;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use lockstep::real::{self, Options, RealError, RealOutcome, RealRun};
use lockstep::schedule::{self, Schedule};
use lockstep::sim::{self, EventKind, Model, PatchMode, Run, Wait};

/// The limit for any one replay or command in this file.
const LIMIT: Duration = Duration::from_secs(20);

const LOCKSTEP: &str = env!("CARGO_BIN_EXE_lockstep");

fn options() -> Options {
    Options {
        program: Some(PathBuf::from(LOCKSTEP)),
        grace: real::GRACE,
        timeout: LIMIT,
    }
}

fn shipped(file: &str) -> Schedule {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schedules")
        .join(file);
    schedule::load(&path).unwrap()
}

fn parse(text: &str) -> Schedule {
    schedule::parse("test schedule", text.as_bytes()).unwrap()
}

/// The model's run of the schedule's own order, and the real one.
fn replay(schedule: &Schedule, patch: PatchMode) -> (Run, RealRun) {
    let order = sim::resolve_order(schedule, &schedule.order).unwrap();
    let run = sim::run(schedule, &Model::new(schedule), patch, &order).unwrap();
    let real = real::replay_in_child(schedule, patch, &schedule.order, &options())
        .unwrap_or_else(|e| panic!("{}: {e}", schedule.title));
    assert_gone(real.child);
    (run, real)
}

/// Replays and checks that the real run agrees with the model.
fn agreed(schedule: &Schedule, patch: PatchMode) -> RealRun {
    let (run, real) = replay(schedule, patch);
    let agreement = real::compare(&run, &real);
    assert!(
        agreement.agrees(),
        "{} ({patch:?}): the real run does not agree with the model\n{}",
        schedule.title,
        real::report::text(schedule, &run, &real, &agreement)
    );
    real
}

/// The observed cycle and the threads `check_deadlock` confirmed.
fn deadlock(real: &RealRun) -> (Vec<usize>, Vec<usize>) {
    match &real.outcome {
        RealOutcome::Deadlock {
            cycle, deadlocked, ..
        } => (cycle.clone(), deadlocked.clone()),
        other => panic!("expected a deadlock, got {other:?}"),
    }
}

/// The process is gone: it has exited and been reaped.
fn assert_gone(pid: u32) {
    if cfg!(target_os = "linux") {
        let proc = PathBuf::from(format!("/proc/{pid}"));
        assert!(!proc.exists(), "child {pid} is still there");
    }
}

mod shipped_schedules {
    use super::*;

    /// Every file in `schedules/` has a test below.
    #[test]
    fn are_all_covered() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schedules");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "ron"))
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, COVERED);
    }

    const COVERED: [&str; 6] = [
        "appengine-finishes.ron",
        "appengine-needless-drop.ron",
        "appengine.ron",
        "philosophers.ron",
        "repro.ron",
        "two-locks.ron",
    ];

    fn both_agree(file: &str) -> [RealRun; 2] {
        let schedule = shipped(file);
        [PatchMode::Off, PatchMode::On].map(|patch| agreed(&schedule, patch))
    }

    #[test]
    fn appengine_deadlocks_unpatched_and_finishes_patched() {
        let [off, on] = both_agree("appengine.ron");
        assert_eq!(deadlock(&off), (vec![0, 1], vec![0, 1]), "A and B");
        assert_eq!(on.outcome, RealOutcome::Finished);
    }

    #[test]
    fn appengine_finishes() {
        both_agree("appengine-finishes.ron");
    }

    #[test]
    fn appengine_needless_drop() {
        let [_, on] = both_agree("appengine-needless-drop.ron");
        assert!(matches!(on.events[3].kind, EventKind::Drop { .. }));
    }

    #[test]
    fn philosophers() {
        let [off, _] = both_agree("philosophers.ron");
        let all = vec![0, 1, 2, 3, 4];
        assert_eq!(deadlock(&off), (all.clone(), all));
    }

    #[test]
    fn repro() {
        let [off, on] = both_agree("repro.ron");
        assert_eq!(deadlock(&off), (vec![0, 1], vec![0, 1]), "R and T");
        assert_eq!(deadlock(&on), (vec![0, 1], vec![0, 1]), "R and T");
    }

    #[test]
    fn two_locks() {
        let [off, _] = both_agree("two-locks.ron");
        assert_eq!(deadlock(&off), (vec![0, 1], vec![0, 1]), "P and Q");
    }
}

mod semantics {
    use super::*;

    #[test]
    fn a_join_while_holding_the_lock_the_target_needs_is_a_confirmed_cycle() {
        let schedule = parse(
            r#"Schedule(version: 1, title: "join cycle",
                locks: [Lock(id: "X", name: "lock X", kind: Plain)],
                threads: [
                    Thread(id: "A", name: "parent", steps: [
                        Step(id: "A1", op: Acquire("X"), text: "lock X"),
                        Step(id: "A2", op: Spawn("C"), text: "start C"),
                        Step(id: "A3", op: Join("C"), text: "wait for C"),
                        Step(id: "A4", op: Release("X"), text: "unlock X"),
                    ]),
                    Thread(id: "C", name: "child", spawned: true, steps: [
                        Step(id: "C1", op: Acquire("X"), text: "lock X"),
                        Step(id: "C2", op: Release("X"), text: "unlock X"),
                    ]),
                ],
                order: ["A1", "A2", "C1", "A3"])"#,
        );
        let real = agreed(&schedule, PatchMode::Off);
        assert_eq!(real.events[3].kind, EventKind::Blocked(Wait::Join(1)));
        assert_eq!(deadlock(&real), (vec![0, 1], vec![0, 1]));
    }

    #[test]
    fn a_hand_off_and_a_join_complete_as_part_of_other_threads_steps() {
        let schedule = parse(
            r#"Schedule(version: 1, title: "hand-off then join",
                locks: [Lock(id: "X", name: "lock X", kind: Plain)],
                threads: [
                    Thread(id: "A", name: "parent", steps: [
                        Step(id: "A1", op: Acquire("X"), text: "lock X"),
                        Step(id: "A2", op: Spawn("C"), text: "start C"),
                        Step(id: "A3", op: Release("X"), text: "unlock X"),
                        Step(id: "A4", op: Join("C"), text: "wait for C"),
                    ]),
                    Thread(id: "C", name: "child", spawned: true, steps: [
                        Step(id: "C1", op: Acquire("X"), text: "lock X"),
                        Step(id: "C2", op: Release("X"), text: "unlock X"),
                    ]),
                ],
                order: ["A1", "A2", "C1", "A3", "A4"])"#,
        );
        let real = agreed(&schedule, PatchMode::Off);
        assert_eq!(real.outcome, RealOutcome::Finished);
        assert_eq!(real.events[3].completed.len(), 1, "C1 gets X at A3");
        assert_eq!(real.events[5].completed.len(), 1, "A4 joins C at C2");
    }

    #[test]
    fn a_second_acquire_of_a_plain_lock_is_a_cycle_of_one() {
        let schedule = parse(
            r#"Schedule(version: 1, title: "self-deadlock",
                locks: [Lock(id: "U", name: "user lock", kind: Plain)],
                threads: [Thread(id: "A", name: "a", steps: [
                    Step(id: "A1", op: Acquire("U"), text: "lock"),
                    Step(id: "A2", op: Acquire("U"), text: "lock again"),
                ])])"#,
        );
        let real = agreed(&schedule, PatchMode::Off);
        assert_eq!(deadlock(&real), (vec![0], vec![0]));
    }

    /// `check_deadlock` can miss a cycle that a thread outside it leads
    /// into (here A, waiting for the lock of B's self-deadlock, parked
    /// first). The observed cycle still agrees with the model, and
    /// `parking_lot` names no thread outside it.
    #[test]
    fn a_cycle_another_waiter_leads_into_agrees_on_the_observed_cycle() {
        let schedule = parse(
            r#"Schedule(version: 1, title: "self-deadlock with a waiter",
                locks: [Lock(id: "U", name: "user lock", kind: Plain)],
                threads: [
                    Thread(id: "A", name: "a", steps: [
                        Step(id: "A1", op: Acquire("U"), text: "lock"),
                        Step(id: "A2", op: Release("U"), text: "unlock"),
                    ]),
                    Thread(id: "B", name: "b", steps: [
                        Step(id: "B1", op: Acquire("U"), text: "lock"),
                        Step(id: "B2", op: Acquire("U"), text: "lock again"),
                    ]),
                ],
                order: ["B1", "A1", "B2"])"#,
        );
        let real = agreed(&schedule, PatchMode::Off);
        let (cycle, deadlocked) = deadlock(&real);
        assert_eq!(cycle, vec![1]);
        assert!(deadlocked.iter().all(|t| cycle.contains(t)));
    }

    #[test]
    fn waits_that_end_at_a_finished_holder_are_no_cycle() {
        let schedule = parse(
            r#"Schedule(version: 1, title: "finished holder",
                locks: [Lock(id: "X", name: "lock X", kind: Plain)],
                threads: [
                    Thread(id: "A", name: "a", steps: [
                        Step(id: "A1", op: Acquire("X"), text: "lock X and never unlock"),
                    ]),
                    Thread(id: "B", name: "b", steps: [
                        Step(id: "B1", op: Acquire("X"), text: "lock X"),
                        Step(id: "B2", op: Release("X"), text: "unlock X"),
                    ]),
                ],
                order: ["A1", "B1"])"#,
        );
        let real = agreed(&schedule, PatchMode::Off);
        assert_eq!(deadlock(&real), (vec![], vec![]));
    }

    #[test]
    fn a_freed_lock_goes_to_the_thread_that_waited_longest() {
        let schedule = parse(
            r#"Schedule(version: 1, title: "re-entry and two waiters",
                locks: [Lock(id: "H", name: "handler lock", kind: Reentrant)],
                threads: [
                    Thread(id: "A", name: "a", steps: [
                        Step(id: "A1", op: Acquire("H"), text: "lock"),
                        Step(id: "A2", op: Acquire("H"), text: "lock again"),
                        Step(id: "A3", op: Release("H"), text: "unlock once"),
                        Step(id: "A4", op: Release("H"), text: "unlock"),
                    ]),
                    Thread(id: "B", name: "b", steps: [
                        Step(id: "B1", op: Acquire("H"), text: "lock"),
                        Step(id: "B2", op: Release("H"), text: "unlock"),
                    ]),
                    Thread(id: "C", name: "c", steps: [
                        Step(id: "C1", op: Acquire("H"), text: "lock"),
                        Step(id: "C2", op: Release("H"), text: "unlock"),
                    ]),
                ],
                order: ["A1", "A2", "B1", "C1", "A3", "A4"])"#,
        );
        let real = agreed(&schedule, PatchMode::Off);
        let reentry = EventKind::Acquire {
            lock: 0,
            reentry: true,
        };
        assert_eq!(real.events[1].kind, reentry);
        assert!(real.events[4].completed.is_empty(), "H is still held once");
        assert_eq!(real.events[5].completed[0].thread, 1, "B waited longest");
    }

    #[test]
    fn an_entry_for_a_blocked_thread_is_stuck_at_that_entry() {
        let mut schedule = shipped("two-locks.ron");
        schedule.order = ["P1", "Q1", "P2", "P3"].map(String::from).to_vec();
        let real = agreed(&schedule, PatchMode::Off);
        assert!(matches!(
            real.outcome,
            RealOutcome::Stuck { entry: Some(3), .. }
        ));
    }

    /// A thread whose patched acquire drops, skipping an acquire but not
    /// its release; and a thread it was to spawn.
    const DROPS: &str = r#"Schedule(version: 1, title: "drops",
        locks: [
            Lock(id: "H", name: "handler lock", kind: Reentrant),
            Lock(id: "I", name: "import lock", kind: Reentrant),
            Lock(id: "X", name: "lock X", kind: Plain),
        ],
        threads: [
            Thread(id: "A", name: "a", steps: [
                Step(id: "A1", op: Acquire("H"), text: "handle"),
                Step(id: "A2", op: Acquire("X"), text: "lock X"),
                Step(id: "A3", op: Spawn("T"), text: "start T"),
                Step(id: "A4", op: Release("H"), text: "handle returns"),
                Step(id: "A5", op: Release("X"), text: "unlock X"),
            ]),
            Thread(id: "B", name: "b", steps: [
                Step(id: "B1", op: Acquire("I"), text: "import"),
                Step(id: "B2", op: Acquire("H"), text: "handle"),
                Step(id: "B3", op: Release("H"), text: "handle returns"),
                Step(id: "B4", op: Release("I"), text: "import ends"),
            ]),
            Thread(id: "T", name: "t", spawned: true, steps: [
                Step(id: "T1", text: "work"),
            ]),
        ],
        patch: Some(Patch(name: "log_bug_patch", try_lock: "H", drop_if_held: "I")),
        order: ["B1", "B2", "A1", "A5"])"#;

    #[test]
    fn a_release_of_a_lock_a_drop_never_took_is_stuck_at_that_entry() {
        let real = agreed(&parse(DROPS), PatchMode::On);
        assert!(matches!(real.events[2].kind, EventKind::Drop { .. }));
        assert!(matches!(
            real.outcome,
            RealOutcome::Stuck { entry: Some(3), .. }
        ));
    }

    #[test]
    fn a_thread_whose_spawn_was_dropped_never_starts() {
        let mut schedule = parse(DROPS);
        // Without A5, the drop at A1 ends A; B then finishes by itself.
        schedule.threads[0].steps.pop();
        schedule.order = ["B1", "B2", "A1"].map(String::from).to_vec();
        let real = agreed(&schedule, PatchMode::On);
        assert!(matches!(
            real.outcome,
            RealOutcome::Stuck { entry: None, ref reason } if reason.starts_with("T never started")
        ));
    }
}

/// Random small schedules (plain and reentrant locks, spawns, joins, the
/// patch, random orders) agree on real threads too. A run took 15 ms on
/// average over 3000 cases; the suite keeps a few.
mod random_schedules {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn agree(schedule in common::arb_schedule(), patched in any::<bool>()) {
            let patch = PatchMode::from_flag(patched);
            let order = sim::resolve_order(&schedule, &schedule.order).unwrap();
            // An order with a gap the patch did not explain is bad input.
            let Ok(run) = sim::run(&schedule, &Model::new(&schedule), patch, &order) else {
                return Ok(());
            };
            // A shorter grace period keeps the cases fast; where it is too
            // short for a thread to park, the conductor waits for the kernel.
            let options = Options { grace: Duration::from_millis(5), ..options() };
            let real = real::replay_in_child(&schedule, patch, &schedule.order, &options)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            assert_gone(real.child);
            let agreement = real::compare(&run, &real);
            prop_assert!(
                agreement.agrees(),
                "{}\n{}",
                real::report::text(&schedule, &run, &real, &agreement),
                schedule::to_ron(&schedule)
            );
        }
    }
}

mod supervision {
    use super::*;

    #[test]
    fn a_replay_past_its_timeout_is_killed_and_reaped() {
        let options = Options {
            // Far longer than the timeout: A4 is still in its grace period.
            grace: Duration::from_secs(60),
            timeout: Duration::from_millis(300),
            ..options()
        };
        let schedule = shipped("appengine.ron");
        let error = real::replay_in_child(&schedule, PatchMode::Off, &schedule.order, &options)
            .expect_err("the replay cannot end in time");
        let RealError::Timeout { events, child, .. } = error else {
            panic!("expected a timeout, got {error}");
        };
        assert_eq!(events, 4, "A1 A2 B1 A3 were seen before A4 blocked");
        assert_gone(child);
    }

    #[test]
    fn a_cancelled_replay_ends_at_once_with_its_child_reaped() {
        let options = Options {
            // A4 would sit in its grace period for a minute.
            grace: Duration::from_secs(60),
            ..options()
        };
        let schedule = shipped("appengine.ron");
        let cancel = real::Cancel::default();
        let switch = cancel.clone();
        let replay = thread::spawn(move || {
            real::replay_until_cancelled(
                &schedule,
                PatchMode::Off,
                &schedule.order,
                &options,
                &switch,
            )
        });
        thread::sleep(Duration::from_millis(200));
        let cancelled = std::time::Instant::now();
        cancel.cancel();
        let error = replay
            .join()
            .unwrap()
            .expect_err("the replay was cancelled");
        assert!(cancelled.elapsed() < Duration::from_secs(2));
        let RealError::Cancelled { child } = error else {
            panic!("expected a cancel, got {error}");
        };
        assert_gone(child);
    }

    #[test]
    fn an_order_the_child_cannot_run_is_reported_as_its_error() {
        let schedule = shipped("appengine.ron");
        let order = vec!["A2".to_owned()];
        let error = real::replay_in_child(&schedule, PatchMode::Off, &order, &options())
            .expect_err("A2 before A1 is a gap");
        let RealError::Child { message, .. } = error else {
            panic!("expected the child's error, got {error}");
        };
        assert!(message.starts_with("the order: "), "{message}");
    }

    #[test]
    fn a_missing_program_is_reported() {
        let options = Options {
            program: Some(PathBuf::from("/nonexistent/lockstep")),
            ..options()
        };
        let schedule = shipped("appengine.ron");
        let error = real::replay_in_child(&schedule, PatchMode::Off, &schedule.order, &options)
            .expect_err("there is no such program");
        assert!(matches!(error, RealError::Spawn { .. }), "{error}");
    }

    /// The child exits when its stdin closes, even with deadlocked threads
    /// and in the middle of a grace period, so it cannot outlive a parent
    /// that died.
    #[test]
    fn the_child_exits_when_its_parent_goes_away() {
        let schedule = shipped("two-locks.ron");
        let request = serde_json::json!({
            "version": 1,
            "schedule": schedule::to_ron(&schedule),
            "order": schedule.order,
            "patched": false,
            "grace_ms": 60_000,
        });
        let mut child = Command::new(LOCKSTEP)
            .arg(real::CHILD_SUBCOMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        let kill = || {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        };
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{request}").unwrap();

        // Wait until the replay is under way: its first event is out.
        let mut stdout = child.stdout.take().unwrap();
        let (sender, first) = mpsc::channel();
        let reader = thread::spawn(move || {
            let mut start = [0_u8; 16];
            let _ = sender.send(stdout.read_exact(&mut start).map(|()| start));
        });
        let Ok(Ok(start)) = first.recv_timeout(LIMIT) else {
            kill();
            panic!("the child wrote no event");
        };
        assert_eq!(&start, br#"{"type":"event","#);

        drop(stdin);
        let (sender, exited) = mpsc::channel();
        let waiter = thread::spawn(move || sender.send(child.wait()));
        let Ok(status) = exited.recv_timeout(LIMIT) else {
            kill();
            panic!("the child did not exit when its stdin closed");
        };
        waiter.join().unwrap().unwrap();
        reader.join().unwrap();
        assert!(!status.unwrap().success());
        assert_gone(pid);
    }
}

mod command_line {
    use super::*;

    /// Runs `lockstep` with `args` from the crate's folder, killing it if it
    /// takes longer than [`LIMIT`].
    fn lockstep(args: &[&str]) -> Output {
        let mut child = Command::new(LOCKSTEP)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let (sender, read) = mpsc::channel();
        let readers = thread::spawn(move || {
            let err = thread::spawn(move || {
                let mut text = Vec::new();
                stderr.read_to_end(&mut text).map(|_| text)
            });
            let mut out = Vec::new();
            let out = stdout.read_to_end(&mut out).map(|_| out);
            let _ = sender.send((out, err.join().unwrap()));
        });
        let Ok((out, err)) = read.recv_timeout(LIMIT) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("lockstep {args:?} did not finish within {LIMIT:?}");
        };
        readers.join().unwrap();
        Output {
            status: child.wait().unwrap(),
            stdout: out.unwrap(),
            stderr: err.unwrap(),
        }
    }

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).unwrap()
    }

    #[test]
    fn the_app_engine_deadlock_is_confirmed_and_exits_3() {
        let output = lockstep(&["replay", "schedules/appengine.ron", "--real"]);
        let stdout = text(&output.stdout);
        assert_eq!(output.status.code(), Some(3), "{stdout}");
        assert!(stdout.contains("confirmed by parking_lot's check_deadlock: A, B"));
        assert!(stdout.contains("agreement: yes"), "{stdout}");
    }

    #[test]
    fn the_patched_replay_drops_and_exits_0() {
        let output = lockstep(&["replay", "schedules/appengine.ron", "--real", "--patched"]);
        let stdout = text(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{stdout}");
        let drop = "7        B3 try H: DROP, skips B4–B5";
        assert!(stdout.contains(drop), "{stdout}");
        assert!(stdout.contains("agreement: yes"), "{stdout}");
    }

    #[test]
    fn the_json_adds_the_real_run_and_its_child_is_gone() {
        let output = lockstep(&["replay", "schedules/appengine.ron", "--real", "--json"]);
        assert_eq!(output.status.code(), Some(3));
        let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(value["outcome"], "deadlock");
        assert_eq!(value["agrees"], true);
        assert_eq!(value["first_difference"], serde_json::Value::Null);
        let real = &value["real"];
        assert_eq!(real["outcome"], "deadlock");
        assert_eq!(real["cycle"], serde_json::json!(["A", "B"]));
        assert_eq!(real["deadlocked"], serde_json::json!(["A", "B"]));
        assert_eq!(real["events"].as_array().unwrap().len(), 7);
        assert_eq!(real["events"][4]["kind"], "blocked");
        assert_eq!(real["events"][4]["lock"], "I");
        let child = u32::try_from(real["child"].as_u64().unwrap()).unwrap();
        assert_gone(child);
    }

    #[test]
    fn an_order_from_the_command_line_is_replayed() {
        let order = "A1,A2,A3,A4,A5,A6,A7";
        let args = [
            "replay",
            "schedules/appengine.ron",
            "--real",
            "--order",
            order,
        ];
        let output = lockstep(&args);
        assert_eq!(output.status.code(), Some(0));
        assert!(text(&output.stdout).contains("agreement: yes"));
    }

    #[test]
    fn a_bad_order_is_bad_input_before_any_thread_runs() {
        let args = [
            "replay",
            "schedules/appengine.ron",
            "--real",
            "--order",
            "A2",
        ];
        let output = lockstep(&args);
        assert_eq!(output.status.code(), Some(2));
        assert!(output.stdout.is_empty());
    }

    #[test]
    fn the_child_subcommand_is_hidden() {
        let output = lockstep(&["--help"]);
        assert!(!text(&output.stdout).contains(real::CHILD_SUBCOMMAND));
    }
}
