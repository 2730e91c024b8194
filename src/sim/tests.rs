//! The semantics against hand-worked traces: one test per rule.

use super::report::{event_text, step_id};
use super::*;
use crate::schedule::{self, Schedule};

/// A schedule from RON text, with the `locks:` list written for us.
fn schedule(locks: &str, threads: &str, extra: &str) -> Schedule {
    let text = format!(
        "Schedule(version: 1, title: \"t\", locks: [{locks}], threads: [{threads}], {extra})"
    );
    schedule::parse("test.ron", text.as_bytes()).unwrap_or_else(|d| panic!("{d}"))
}

fn run_order(schedule: &Schedule, patch: PatchMode) -> Run {
    let order = resolve_order(schedule, &schedule.order).expect("valid order");
    run(schedule, &Model::new(schedule), patch, &order).expect("no gap")
}

/// The run as `A1 acquire X` lines, `auto` events marked with `*`.
fn trace(schedule: &Schedule, run: &Run) -> Vec<String> {
    run.events
        .iter()
        .map(|e| {
            let id = step_id(schedule, e.thread, e.step);
            let auto = if e.auto { "*" } else { "" };
            format!("{auto}{id} {}", event_text(schedule, e))
        })
        .collect()
}

const X: &str = r#"Lock(id: "X", name: "x", kind: Reentrant)"#;
const P: &str = r#"Lock(id: "P", name: "p", kind: Plain)"#;

#[test]
fn a_reentrant_lock_is_acquired_again_by_its_holder() {
    let s = schedule(
        X,
        r#"Thread(id: "A", name: "a", steps: [
            Step(id: "A1", op: Acquire("X"), text: ""),
            Step(id: "A2", op: Acquire("X"), text: ""),
            Step(id: "A3", op: Release("X"), text: ""),
            Step(id: "A4", op: Release("X"), text: ""),
        ])"#,
        r#"order: ["A1", "A2", "A3"]"#,
    );
    let run = run_order(&s, PatchMode::Off);
    let states = run.states(&Model::new(&s));
    assert_eq!(
        trace(&s, &run),
        [
            "A1 acquire X",
            "A2 acquire X again",
            "A3 release X",
            "*A4 release X"
        ]
    );
    let counts: Vec<u32> = states.iter().map(|st| st.locks[0].count).collect();
    assert_eq!(counts, [0, 1, 2, 1, 0]);
    assert_eq!(run.outcome, Outcome::Finished);
    assert!(
        LockOrder::from_events(&run.events).edges().is_empty(),
        "re-entry adds no edge"
    );
}

#[test]
fn a_plain_lock_taken_twice_by_its_holder_deadlocks_on_itself() {
    let s = schedule(
        P,
        r#"Thread(id: "A", name: "a", steps: [
            Step(id: "A1", op: Acquire("P"), text: ""),
            Step(id: "A2", op: Acquire("P"), text: ""),
        ])"#,
        "",
    );
    let run = run_order(&s, PatchMode::Off);
    assert_eq!(trace(&s, &run), ["*A1 acquire P", "*A2 acquire P: blocked"]);
    let chain = vec![Link {
        thread: 0,
        waits_for: Wait::Lock(0),
        held_by: Some(0),
    }];
    assert_eq!(run.outcome, Outcome::Deadlock { chain });
}

#[test]
fn a_release_hands_the_lock_to_the_longest_waiter() {
    let s = schedule(
        P,
        r#"Thread(id: "A", name: "a", steps: [
            Step(id: "A1", op: Acquire("P"), text: ""),
            Step(id: "A2", op: Release("P"), text: ""),
        ]),
        Thread(id: "B", name: "b", steps: [
            Step(id: "B1", op: Acquire("P"), text: ""),
            Step(id: "B2", op: Release("P"), text: ""),
        ]),
        Thread(id: "C", name: "c", steps: [
            Step(id: "C1", op: Acquire("P"), text: ""),
            Step(id: "C2", op: Release("P"), text: ""),
        ])"#,
        r#"order: ["A1", "C1", "B1", "A2"]"#,
    );
    let run = run_order(&s, PatchMode::Off);
    assert_eq!(
        trace(&s, &run),
        [
            "A1 acquire P",
            "C1 acquire P: blocked",
            "B1 acquire P: blocked",
            "A2 release P",
            "*C2 release P",
            "*B2 release P",
        ]
    );
    // C waited longest: A's release completes C1, C's release completes B1.
    let handed = |i: usize| {
        run.events[i]
            .completed
            .iter()
            .map(|c| c.thread)
            .collect::<Vec<_>>()
    };
    assert_eq!(handed(3), [2]);
    assert_eq!(handed(4), [1]);
    assert_eq!(run.outcome, Outcome::Finished);
}

#[test]
fn log_steps_emit_their_records() {
    let s = schedule(
        "",
        r#"Thread(id: "A", name: "a", steps: [
            Step(id: "A1", op: Log("one"), text: ""),
            Step(id: "A2", text: "work"),
            Step(id: "A3", op: Log("two"), text: ""),
        ])"#,
        "",
    );
    let run = run_order(&s, PatchMode::Off);
    let messages: Vec<&str> = report::emitted(&s, &run.events)
        .iter()
        .map(|r| r.message)
        .collect();
    assert_eq!(messages, ["one", "two"]);
}

const SPAWN_JOIN: &str = r#"Thread(id: "A", name: "a", steps: [
        Step(id: "A1", op: Spawn("C"), text: ""),
        Step(id: "A2", op: Join("C"), text: ""),
        Step(id: "A3", text: "after"),
    ]),
    Thread(id: "C", name: "c", spawned: true, steps: [
        Step(id: "C1", text: ""),
        Step(id: "C2", text: ""),
    ])"#;

#[test]
fn a_join_waits_and_completes_in_the_last_event_of_the_other_thread() {
    let s = schedule("", SPAWN_JOIN, r#"order: ["A1", "A2", "C1", "C2"]"#);
    let run = run_order(&s, PatchMode::Off);
    assert_eq!(
        trace(&s, &run),
        [
            "A1 spawn C",
            "A2 join C: blocked",
            "C1 work",
            "C2 work",
            "*A3 work"
        ]
    );
    let completion = Completion {
        thread: 0,
        step: 1,
        wait: Wait::Join(1),
    };
    assert_eq!(run.events[3].completed, [completion]);
}

#[test]
fn a_join_of_a_finished_thread_completes_at_once() {
    let s = schedule("", SPAWN_JOIN, r#"order: ["A1", "C1", "C2", "A2"]"#);
    let run = run_order(&s, PatchMode::Off);
    assert_eq!(trace(&s, &run)[3], "A2 join C");
}

#[test]
fn an_entry_of_a_thread_not_yet_spawned_is_stuck() {
    let s = schedule("", SPAWN_JOIN, r#"order: ["C1"]"#);
    let run = run_order(&s, PatchMode::Off);
    let reason = "C1 cannot run: C has not been spawned yet".to_owned();
    assert_eq!(
        run.outcome,
        Outcome::Stuck {
            entry: Some(0),
            reason
        }
    );
    assert!(run.events.is_empty(), "a stuck run does not auto-complete");
}

fn appengine(order: &[&str]) -> Schedule {
    let mut s = schedule::built_in();
    s.order = order.iter().map(|&id| id.to_owned()).collect();
    s
}

#[test]
fn the_app_engine_order_deadlocks_with_a_cycle_through_h_and_i() {
    let s = schedule::built_in();
    let run = run_order(&s, PatchMode::Off);
    assert_eq!(
        trace(&s, &run),
        [
            "A1 acquire H",
            "A2 log \"URL being requested: GET https://www.googleapis.com/…\"",
            "B1 acquire I",
            "A3 acquire L",
            "A4 acquire I: blocked",
            "B2 work",
            "B3 acquire H: blocked",
        ]
    );
    let (h, i) = (0, 2);
    let chain = vec![
        Link {
            thread: 0,
            waits_for: Wait::Lock(i),
            held_by: Some(1),
        },
        Link {
            thread: 1,
            waits_for: Wait::Lock(h),
            held_by: Some(0),
        },
    ];
    assert_eq!(run.outcome, Outcome::Deadlock { chain });
}

#[test]
fn the_patch_drops_the_importing_threads_record_and_the_run_finishes() {
    let s = schedule::built_in();
    let run = run_order(&s, PatchMode::On);
    assert_eq!(
        trace(&s, &run)[6..],
        [
            "B3 try H: DROP, skips B4–B5",
            "*B6 release I",
            "*A5 release I",
            "*A6 release L",
            "*A7 release H",
        ]
    );
    // B's release of I completes A's blocked acquire (A4).
    assert_eq!(
        run.events[7].completed,
        [Completion {
            thread: 0,
            step: 3,
            wait: Wait::Lock(2)
        }]
    );
    let dropped = report::dropped(&s, &run.events);
    assert_eq!(dropped.len(), 1);
    assert_eq!(
        (dropped[0].step, dropped[0].message),
        (3, "hooks installed")
    );
    assert_eq!(run.outcome, Outcome::Finished);
}

#[test]
fn the_patch_drops_a_record_even_when_no_deadlock_was_possible() {
    let s = appengine(&["B1", "B2", "B3", "A1"]);
    let off = run_order(&s, PatchMode::Off);
    assert_eq!(off.outcome, Outcome::Finished);
    assert!(report::dropped(&s, &off.events).is_empty());

    let on = run_order(&s, PatchMode::On);
    assert_eq!(trace(&s, &on)[3], "A1 try H: DROP, skips A2–A7");
    assert_eq!(
        report::dropped(&s, &on.events)[0].message,
        s.threads[0].steps[1].op_message()
    );
    assert_eq!(on.outcome, Outcome::Finished);
}

#[test]
fn a_patched_acquire_waits_as_usual_when_the_other_lock_is_free() {
    let locks = format!("{X}, {}", r#"Lock(id: "I", name: "i", kind: Reentrant)"#);
    let s = schedule(
        &locks,
        r#"Thread(id: "A", name: "a", steps: [
            Step(id: "A1", op: Acquire("X"), text: ""),
            Step(id: "A2", op: Release("X"), text: ""),
        ]),
        Thread(id: "B", name: "b", steps: [
            Step(id: "B1", op: Acquire("X"), text: ""),
            Step(id: "B2", op: Log("kept"), text: ""),
            Step(id: "B3", op: Release("X"), text: ""),
        ])"#,
        r#"patch: Some(Patch(name: "p", try_lock: "X", drop_if_held: "I")),
        order: ["A1", "B1", "A2"]"#,
    );
    let run = run_order(&s, PatchMode::On);
    assert_eq!(
        trace(&s, &run),
        [
            "A1 acquire X",
            "B1 acquire X: blocked",
            "A2 release X",
            "*B2 log \"kept\"",
            "*B3 release X"
        ]
    );
    assert!(report::dropped(&s, &run.events).is_empty());
}

#[test]
fn a_gap_the_patch_did_not_explain_is_found_when_the_order_runs() {
    // B4 and B5 lie inside B's handler section, so the file may leave them
    // out; but here A has released H before B3, so nothing is dropped.
    let s = appengine(&[
        "A1", "A2", "A3", "A4", "A5", "A6", "A7", "B1", "B2", "B3", "B6",
    ]);
    let order = resolve_order(&s, &s.order).expect("statically, B4–B5 may be dropped");
    let gap = run(&s, &Model::new(&s), PatchMode::On, &order).expect_err("B4 did run");
    assert_eq!(gap.message, "the order runs `B6` before `B4`");
    assert_eq!(
        gap.path,
        [
            schedule::locate::Key::Field("order"),
            schedule::locate::Key::Index(10)
        ]
    );

    let s = appengine(&["B1", "B3"]);
    let error = resolve_order(&s, &s.order).expect_err("B2 can never be dropped");
    assert_eq!(error.message, "the order runs `B3` before `B2`");
}

#[test]
fn steps_skipped_by_a_drop_may_be_listed_or_left_out() {
    let listed = appengine(&["A1", "A2", "B1", "A3", "A4", "B2", "B3", "B4", "B5", "B6"]);
    let run = run_order(&listed, PatchMode::On);
    let kinds: Vec<String> = trace(&listed, &run)[7..9].to_vec();
    assert_eq!(kinds, ["B4 skipped (dropped)", "B5 skipped (dropped)"]);
    assert_eq!(run.events[9].kind, EventKind::Release { lock: 2 });
    assert!(!run.events[9].auto);

    let left_out = appengine(&["A1", "A2", "B1", "A3", "A4", "B2", "B3", "B6"]);
    assert_eq!(
        run_order(&left_out, PatchMode::On).outcome,
        Outcome::Finished
    );
}

#[test]
fn an_entry_of_a_blocked_thread_stops_the_run_with_the_reason() {
    let s = appengine(&["A1", "B1", "B2", "B3", "B4"]);
    let run = run_order(&s, PatchMode::Off);
    let reason = "B4 cannot run: B waits for H, held by A".to_owned();
    assert_eq!(
        run.outcome,
        Outcome::Stuck {
            entry: Some(4),
            reason
        }
    );
}

#[test]
fn a_repeated_or_backward_entry_is_an_order_error() {
    let twice = appengine(&["A1", "A1"]);
    let error = resolve_order(&twice, &twice.order).expect_err("repeat");
    assert_eq!(error.message, "step `A1` is listed twice in the order");

    let backward = appengine(&["A1", "A2", "A1"]);
    let error = resolve_order(&backward, &backward.order).expect_err("backward");
    assert_eq!(error.message, "step `A1` is listed after `A2`");
}

#[test]
fn the_default_policy_keeps_the_last_thread_running_then_takes_the_first() {
    let s = appengine(&["B1"]);
    let run = run_order(&s, PatchMode::Off);
    let threads: String = run.events.iter().map(|e| ["A", "B"][e.thread]).collect();
    // B runs to its end, then A; B1 is from the order, the rest is auto.
    assert_eq!(threads, "BBBBBBAAAAAAA");
    assert!(run.events[1..].iter().all(|e| e.auto));
    assert_eq!(
        next_by_policy(&run.states(&Model::new(&s))[0], Some(1)),
        Some(1)
    );
}

#[test]
fn the_lock_order_graph_sees_the_inversion_even_when_the_run_finishes() {
    let s = schedule::load(std::path::Path::new("schedules/appengine-finishes.ron"))
        .expect("shipped schedule");
    let run = run_order(&s, PatchMode::Off);
    assert_eq!(run.outcome, Outcome::Finished);
    let cycles = LockOrder::from_events(&run.events).inversions();
    let texts: Vec<String> = cycles
        .iter()
        .map(|c| report::inversion_text(&s, c))
        .collect();
    assert!(
        texts.contains(&"H → I (A at A4), I → H (B at B3)".to_owned()),
        "{texts:?}"
    );
}

#[test]
fn the_patch_removes_the_inversion_from_the_programs_graph() {
    let s = schedule::built_in();
    let model = Model::new(&s);
    assert!(
        !LockOrder::from_programs(&model, PatchMode::Off)
            .inversions()
            .is_empty()
    );
    assert!(
        LockOrder::from_programs(&model, PatchMode::On)
            .inversions()
            .is_empty()
    );
}

#[test]
fn a_try_lock_that_succeeds_at_once_adds_no_order_edge() {
    // B takes I, then H (free): patched, the try-lock cannot wait.
    let s = appengine(&["B1", "B2", "B3"]);
    let on = run_order(&s, PatchMode::On);
    let off = run_order(&s, PatchMode::Off);
    let edge_at_b3 = |run: &Run| !run.events[2].order_edges.is_empty();
    assert!(edge_at_b3(&off));
    assert!(!edge_at_b3(&on));
}

#[test]
fn a_drop_at_the_last_step_skips_nothing_and_finishes_the_thread() {
    let locks = format!("{X}, {}", r#"Lock(id: "I", name: "i", kind: Reentrant)"#);
    let s = schedule(
        &locks,
        r#"Thread(id: "A", name: "a", steps: [
            Step(id: "A1", op: Acquire("I"), text: ""),
            Step(id: "A2", op: Acquire("X"), text: ""),
        ]),
        Thread(id: "B", name: "b", steps: [
            Step(id: "B1", op: Acquire("X"), text: ""),
        ])"#,
        r#"patch: Some(Patch(name: "p", try_lock: "X", drop_if_held: "I")),
        order: ["B1", "A1", "A2"]"#,
    );
    let run = run_order(&s, PatchMode::On);
    assert_eq!(
        trace(&s, &run),
        ["B1 acquire X", "A1 acquire I", "A2 try X: DROP"]
    );
    assert_eq!(run.outcome, Outcome::Finished);
}

#[test]
fn the_deadlock_chain_is_the_cycle_even_when_the_first_blocked_thread_is_not_on_it() {
    // A waits for Z, held by F, which has finished; B and C wait for each
    // other. The report must name the cycle B → C → B.
    let locks = r#"Lock(id: "Z", name: "z", kind: Plain),
        Lock(id: "X", name: "x", kind: Plain), Lock(id: "Y", name: "y", kind: Plain)"#;
    let s = schedule(
        locks,
        r#"Thread(id: "A", name: "a", steps: [Step(id: "A1", op: Acquire("Z"), text: "")]),
        Thread(id: "B", name: "b", steps: [
            Step(id: "B1", op: Acquire("X"), text: ""),
            Step(id: "B2", op: Acquire("Y"), text: ""),
        ]),
        Thread(id: "C", name: "c", steps: [
            Step(id: "C1", op: Acquire("Y"), text: ""),
            Step(id: "C2", op: Acquire("X"), text: ""),
        ]),
        Thread(id: "F", name: "f", steps: [Step(id: "F1", op: Acquire("Z"), text: "")])"#,
        r#"order: ["F1", "A1", "B1", "C1", "B2", "C2"]"#,
    );
    let run = run_order(&s, PatchMode::Off);
    let (x, y) = (1, 2);
    let chain = vec![
        Link {
            thread: 1,
            waits_for: Wait::Lock(y),
            held_by: Some(2),
        },
        Link {
            thread: 2,
            waits_for: Wait::Lock(x),
            held_by: Some(1),
        },
    ];
    assert_eq!(run.outcome, Outcome::Deadlock { chain });
}

#[test]
fn a_patched_acquire_that_falls_back_to_waiting_adds_its_order_edge() {
    let locks = format!(
        "{X}, {}, {}",
        r#"Lock(id: "I", name: "i", kind: Reentrant)"#, r#"Lock(id: "Y", name: "y", kind: Plain)"#
    );
    let s = schedule(
        &locks,
        r#"Thread(id: "A", name: "a", steps: [Step(id: "A1", op: Acquire("X"), text: "")]),
        Thread(id: "B", name: "b", steps: [
            Step(id: "B1", op: Acquire("Y"), text: ""),
            Step(id: "B2", op: Acquire("X"), text: ""),
        ])"#,
        r#"patch: Some(Patch(name: "p", try_lock: "X", drop_if_held: "I")),
        order: ["A1", "B1", "B2"]"#,
    );
    let run = run_order(&s, PatchMode::On);
    // I is free, so B waits for X while holding Y: the edge Y → X.
    assert_eq!(run.events[2].kind, EventKind::Blocked(Wait::Lock(0)));
    assert_eq!(run.events[2].order_edges, [(2, 0)]);
}

#[test]
fn a_long_chain_of_nested_locks_is_searched_for_inversions_quickly() {
    let locks: Vec<String> = (0..40)
        .map(|l| format!(r#"Lock(id: "L{l}", name: "l", kind: Plain)"#))
        .collect();
    let steps: Vec<String> = (0..40)
        .map(|l| format!(r#"Step(id: "A{l}", op: Acquire("L{l}"), text: "")"#))
        .collect();
    let thread = format!(
        r#"Thread(id: "A", name: "a", steps: [{}])"#,
        steps.join(", ")
    );
    let s = schedule(&locks.join(", "), &thread, "");
    let started = std::time::Instant::now();
    let graph = LockOrder::from_programs(&Model::new(&s), PatchMode::Off);
    assert_eq!(graph.edges().len(), 40 * 39 / 2);
    assert!(graph.inversions().is_empty());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_dense_tangle_of_inversions_is_cut_short() {
    // Every lock taken under every other, both ways: a huge number of
    // simple cycles, of which a bounded number is reported.
    let mut graph = LockOrder::default();
    for from in 0..12 {
        for to in 0..12 {
            if from != to {
                graph.add(OrderEdge {
                    from,
                    to,
                    thread: 0,
                    step: 0,
                });
            }
        }
    }
    let started = std::time::Instant::now();
    let cycles = graph.inversions();
    assert!(!cycles.is_empty() && cycles.len() <= 32);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_order_saved_with_its_skips_listed_runs_the_same_and_stays_valid_unpatched() {
    let s = appengine(&["A1", "A2", "B1", "A3", "A4", "B2", "B3", "B6"]);
    let model = Model::new(&s);
    let order = resolve_order(&s, &s.order).expect("valid");
    let patched = run(&s, &model, PatchMode::On, &order).expect("runs");
    let saved = with_skips_listed(&patched, &order);
    let ids: Vec<&str> = saved
        .iter()
        .map(|r| step_id(&s, r.thread, r.step))
        .collect();
    assert_eq!(
        ids,
        ["A1", "A2", "B1", "A3", "A4", "B2", "B3", "B4", "B5", "B6"]
    );

    let again = run(&s, &model, PatchMode::On, &saved).expect("runs");
    assert_eq!(again.outcome, patched.outcome);
    assert_eq!(
        report::dropped(&s, &again.events),
        report::dropped(&s, &patched.events)
    );
    let unpatched = run(&s, &model, PatchMode::Off, &saved).expect("a valid order unpatched");
    assert!(matches!(
        unpatched.outcome,
        Outcome::Stuck { entry: Some(7), .. }
    ));
    assert!(
        run(&s, &model, PatchMode::Off, &order).is_err(),
        "without the skips: a gap"
    );
}
