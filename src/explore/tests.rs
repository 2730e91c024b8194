//! The packed states and moves against the simulator, state by state.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::collections::{HashSet, VecDeque};
use std::fmt::Write as _;

use proptest::prelude::*;

use super::layout::{Key, Layout};
use super::machine::{Machine, Move};
use crate::schedule::{self, Schedule};
use crate::sim::{EventKind, Model, PatchMode, State, Status};

/// The progress measure of a state: steps done plus Blocked threads.
fn measure(state: &State) -> usize {
    state
        .threads
        .iter()
        .map(|t| t.pc + usize::from(matches!(t.status, Status::Blocked(_))))
        .sum()
}

/// Walks every reachable state with the simulator and checks, at each,
/// that packing round-trips and that every move of the packed machine
/// gives the simulator's next state. Returns the number of states.
fn agree_on_every_state<const W: usize>(schedule: &Schedule, patch: PatchMode) -> usize {
    let model = Model::new(schedule);
    let layout = Layout::new(&model).expect("small schedules pack");
    assert!(layout.words <= W, "{} words", layout.words);
    let machine = Machine::new(&model, &layout, patch);
    let initial = State::initial(&model);
    let mut seen = HashSet::from([initial.clone()]);
    let mut queue = VecDeque::from([initial]);
    while let Some(state) = queue.pop_front() {
        let key: Key<W> = layout.encode(&model, &state);
        assert_eq!(layout.decode(&model, &key), state, "packing round-trips");
        for t in 0..model.thread_count() {
            assert_eq!(machine.can_run(&key, t), state.can_run(t), "thread {t}");
            if !state.can_run(t) {
                continue;
            }
            let mut next = state.clone();
            let event = next.step(&model, t, patch);
            match (machine.step(&key, t), event) {
                (Move::Fault, Err(_)) => {}
                (Move::Next { key, rise, dropped }, Ok(event)) => {
                    assert_eq!(layout.decode(&model, &key), next, "{state:?} moving {t}");
                    assert_eq!(rise, measure(&next) - measure(&state), "rise");
                    assert_eq!(dropped, matches!(event.kind, EventKind::Drop { .. }));
                    if seen.insert(next.clone()) {
                        queue.push_back(next);
                    }
                }
                (packed, event) => panic!("{state:?} moving {t}: {packed:?} vs {event:?}"),
            }
        }
        if state.runnable().next().is_none() {
            let ending = machine.ending(&key);
            let all_done = state.all_finished();
            assert_eq!(ending == super::Ending::Finished, all_done);
        }
    }
    seen.len()
}

#[test]
fn a_ring_of_ten_philosophers_fits_61_bits() {
    let ring = shipped("bench/ring-10-k1-deadlock.ron");
    let layout = Layout::new(&Model::new(&ring)).expect("packs");
    // Ten codes of 0..=11 and ten forks, each free or held by one of its
    // two philosophers; one of them waits at most, so no queue.
    assert_eq!(layout.bits(), 1 + 10 * 4 + 10 * 2);
}

fn shipped(name: &str) -> Schedule {
    schedule::load(std::path::Path::new(&format!("schedules/{name}"))).expect("shipped file")
}

#[test]
fn the_shipped_schedules_pack_and_move_as_the_simulator_does() {
    for name in [
        "appengine.ron",
        "appengine-finishes.ron",
        "appengine-needless-drop.ron",
        "repro.ron",
        "two-locks.ron",
        "philosophers.ron",
    ] {
        let schedule = shipped(name);
        for patch in [PatchMode::Off, PatchMode::On] {
            assert!(agree_on_every_state::<4>(&schedule, patch) > 1, "{name}");
        }
    }
}

#[test]
fn the_app_engine_state_fits_one_word() {
    let model = Model::new(&shipped("appengine.ron"));
    let layout = Layout::new(&model).expect("packs");
    // The present bit, A's code (0..=15) and B's (0..=13), H's holder
    // (free, A or B), L's (free or A), I's (free, A or B); no counts.
    assert_eq!(layout.bits(), 1 + 4 + 4 + 2 + 1 + 2);
    assert_eq!(layout.words, 1);
    assert!(
        layout.queues.iter().all(Vec::is_empty),
        "two threads: one waiter at most"
    );
}

#[test]
fn a_lock_three_threads_want_keeps_its_queue_order() {
    let text = r#"Schedule(version: 1, title: "t",
        locks: [Lock(id: "X", name: "x", kind: Reentrant)],
        threads: [
            Thread(id: "A", name: "a", steps: [
                Step(id: "A1", op: Acquire("X"), text: ""),
                Step(id: "A2", op: Release("X"), text: "")]),
            Thread(id: "B", name: "b", steps: [
                Step(id: "B1", op: Acquire("X"), text: ""),
                Step(id: "B2", op: Release("X"), text: "")]),
            Thread(id: "C", name: "c", steps: [
                Step(id: "C1", op: Acquire("X"), text: ""),
                Step(id: "C2", op: Release("X"), text: "")]),
        ])"#;
    let schedule = schedule::parse("t.ron", text.as_bytes()).expect("valid");
    let layout = Layout::new(&Model::new(&schedule)).expect("packs");
    assert_eq!(
        layout.queues[0].len(),
        2,
        "two threads can wait behind the holder"
    );
    agree_on_every_state::<1>(&schedule, PatchMode::Off);
}

#[test]
fn a_schedule_too_wide_to_pack_is_refused() {
    let mut text = String::from(
        r#"Schedule(version: 1, title: "t", locks: [Lock(id: "X", name: "x", kind: Reentrant)], threads: ["#,
    );
    for t in 0..200 {
        let _ = write!(text, r#"Thread(id: "T{t}", name: "t", steps: ["#);
        for s in 0..40 {
            let _ = write!(text, r#"Step(id: "T{t}s{s}", text: ""),"#);
        }
        text.push_str("]),");
    }
    text.push_str("])");
    let schedule = schedule::parse("t.ron", text.as_bytes()).expect("valid");
    let wide = Layout::new(&Model::new(&schedule)).expect_err("too wide");
    assert_eq!(wide.bits, 1 + 200 * 7, "a present bit and 7 bits a thread");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_schedules_pack_and_move_as_the_simulator_does(
        schedule in common::arb_schedule()
    ) {
        agree_on_every_state::<4>(&schedule, PatchMode::Off);
        agree_on_every_state::<4>(&schedule, PatchMode::On);
    }
}
