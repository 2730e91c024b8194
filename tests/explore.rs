//! The explorer against a brute-force walk of every execution, path by
//! path, built straight on `sim::State::step`; and against counts worked
//! out by hand (see the README, "Exploring every interleaving").

mod common;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;

use lockstep::explore::{self, Ending, ExploreError, Limits, Progress, Summary};
use lockstep::schedule::{self, Schedule};
use lockstep::sim::{self, EventKind, Model, Outcome, PatchMode, State, Status};
use proptest::prelude::*;

/// What walking every execution found.
#[derive(Debug, Default)]
struct Walk {
    /// Per ending: executions, and the length of the shortest.
    ends: BTreeMap<Ending, (u128, usize)>,
    with_drops: u128,
    with_needless: u128,
    /// Every state on every path.
    states: HashSet<State>,
    /// Per drop site (thread, step, needed): the states where it dropped.
    drops: BTreeMap<(usize, usize, bool), HashSet<State>>,
    /// Executions left to walk before giving up.
    budget: u64,
}

/// What a path has met so far.
#[derive(Debug, Clone, Copy)]
struct Met {
    depth: usize,
    drop: bool,
    needless: bool,
}

/// How a state where no thread can run ended, by the simulator's rules.
fn ending_of(state: &State) -> Ending {
    if state.all_finished() {
        Ending::Finished
    } else if state
        .threads
        .iter()
        .any(|t| matches!(t.status, Status::Blocked(_)))
    {
        Ending::Deadlock
    } else {
        Ending::Stuck
    }
}

/// True when some path from `state` deadlocks, without the patch.
fn deadlock_reachable(model: &Model, state: &State) -> bool {
    let runnable: Vec<usize> = state.runnable().collect();
    if runnable.is_empty() {
        return ending_of(state) == Ending::Deadlock;
    }
    runnable.into_iter().any(|t| {
        let mut next = state.clone();
        next.step(model, t, PatchMode::Off).is_ok() && deadlock_reachable(model, &next)
    })
}

impl Walk {
    fn end(&mut self, ending: Ending, met: Met) -> Result<(), ()> {
        let (count, shortest) = self.ends.entry(ending).or_insert((0, usize::MAX));
        *count += 1;
        *shortest = (*shortest).min(met.depth);
        self.with_drops += u128::from(met.drop);
        self.with_needless += u128::from(met.needless);
        self.budget = self.budget.checked_sub(1).ok_or(())?;
        Ok(())
    }

    /// Walks every path from `state`.
    fn from(&mut self, model: &Model, patch: PatchMode, state: &State, met: Met) -> Result<(), ()> {
        self.states.insert(state.clone());
        let runnable: Vec<usize> = state.runnable().collect();
        if runnable.is_empty() {
            return self.end(ending_of(state), met);
        }
        for t in runnable {
            let mut next = state.clone();
            let step = state.threads[t].pc;
            let after = Met {
                depth: met.depth + 1,
                ..met
            };
            match next.step(model, t, patch) {
                Err(_) => self.end(Ending::Stuck, after)?,
                Ok(event) if matches!(event.kind, EventKind::Drop { .. }) => {
                    let needed = deadlock_reachable(model, state);
                    let site = self.drops.entry((t, step, needed)).or_default();
                    site.insert(state.clone());
                    let after = Met {
                        drop: true,
                        needless: met.needless || !needed,
                        ..after
                    };
                    self.from(model, patch, &next, after)?;
                }
                Ok(_) => self.from(model, patch, &next, after)?,
            }
        }
        Ok(())
    }
}

/// Every execution, one by one; `None` past `budget` executions.
fn walk(schedule: &Schedule, patch: PatchMode, budget: u64) -> Option<Walk> {
    let model = Model::new(schedule);
    let mut walk = Walk {
        budget,
        ..Walk::default()
    };
    let start = Met {
        depth: 0,
        drop: false,
        needless: false,
    };
    walk.from(&model, patch, &State::initial(&model), start)
        .ok()?;
    Some(walk)
}

fn exact(count: explore::Count) -> u128 {
    count.exact().expect("small counts are exact")
}

/// Replays an order with the simulator: it must end as claimed, with no
/// `auto` event; every entry runs, but for an impossible last move, which
/// stops the run there.
fn replays_to(schedule: &Schedule, patch: PatchMode, order: &[sim::StepRef], ending: Ending) {
    let run = sim::run(schedule, &Model::new(schedule), patch, order).expect("a valid order");
    assert!(run.events.iter().all(|e| !e.auto), "no auto event");
    let ran = match run.outcome {
        Outcome::Stuck {
            entry: Some(last), ..
        } => {
            assert_eq!(
                last + 1,
                order.len(),
                "only the last move can be impossible"
            );
            last
        }
        _ => order.len(),
    };
    assert_eq!(run.events.len(), ran);
    let name = match run.outcome {
        Outcome::Finished => "finished",
        Outcome::Deadlock { .. } => "deadlock",
        Outcome::Stuck { .. } => "stuck",
    };
    assert_eq!(name, ending.name(), "{order:?}");
}

/// The summary must say what the walk saw, count for count.
fn agree(schedule: &Schedule, patch: PatchMode, summary: &Summary, walk: &Walk) {
    for ending in Ending::ALL {
        let (count, shortest) = walk.ends.get(&ending).copied().unwrap_or((0, 0));
        assert_eq!(exact(summary.count(ending)), count, "{}", ending.name());
        match summary.example(ending) {
            Some(order) => {
                assert_eq!(order.len(), shortest, "shortest {}", ending.name());
                replays_to(schedule, patch, order, ending);
            }
            None => assert_eq!(count, 0),
        }
    }
    let total: u128 = walk.ends.values().map(|(count, _)| count).sum();
    assert_eq!(exact(summary.executions), total);
    assert_eq!(exact(summary.with_drops), walk.with_drops);
    assert_eq!(exact(summary.with_needless_drops), walk.with_needless);
    assert_eq!(summary.states, walk.states.len() as u64, "distinct states");
    assert_eq!(
        summary.shortest_deadlock.as_deref(),
        summary.example(Ending::Deadlock)
    );
    let sites: BTreeMap<(usize, usize, bool), u64> = summary
        .drops
        .iter()
        .map(|d| ((d.thread, d.step, d.needed), d.states))
        .collect();
    let walked: BTreeMap<(usize, usize, bool), u64> = walk
        .drops
        .iter()
        .map(|(&site, states)| (site, states.len() as u64))
        .collect();
    assert_eq!(sites, walked, "drop sites");
    for site in &summary.drops {
        let run = sim::run(schedule, &Model::new(schedule), patch, &site.example).expect("valid");
        let last = &run.events[site.example.len() - 1];
        assert!(
            matches!(last.kind, EventKind::Drop { .. }),
            "ends with the drop"
        );
        assert_eq!((last.thread, last.step), (site.thread, site.step));
    }
}

fn explore_all(schedule: &Schedule, patch: PatchMode) -> Summary {
    explore::explore(schedule, patch, &Limits::default()).expect("small schedules explore")
}

/// Explores and walks; false when the schedule has too many executions
/// for the walk.
fn check_against_walk(schedule: &Schedule, patch: PatchMode) -> bool {
    let summary = explore_all(schedule, patch);
    if summary.executions.exact().is_none_or(|n| n > 5_000) {
        return false;
    }
    // Twice the budget: a walk that finds more than the explorer counted
    // fails the comparison instead of giving up.
    let walk = walk(schedule, patch, 10_000).expect("the walk agrees on the count");
    agree(schedule, patch, &summary, &walk);
    true
}

fn shipped(name: &str) -> Schedule {
    schedule::load(std::path::Path::new(&format!("schedules/{name}"))).expect("shipped")
}

fn parse(text: &str) -> Schedule {
    schedule::parse("test.ron", text.as_bytes()).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn the_shipped_schedules_agree_with_the_walk() {
    for name in [
        "appengine.ron",
        "appengine-finishes.ron",
        "appengine-needless-drop.ron",
        "repro.ron",
        "two-locks.ron",
    ] {
        let schedule = shipped(name);
        for patch in [PatchMode::Off, PatchMode::On] {
            assert!(check_against_walk(&schedule, patch), "{name} is small");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn random_schedules_agree_with_the_walk(schedule in common::arb_schedule()) {
        check_against_walk(&schedule, PatchMode::Off);
        check_against_walk(&schedule, PatchMode::On);
    }
}

#[test]
fn most_random_schedules_are_small_enough_to_walk() {
    let mut walked = 0;
    let mut seen = HashSet::new();
    for seed in 0..250_u32 {
        let bytes: Vec<u8> = (0..80_u32)
            .map(|i| (seed.wrapping_mul(2_654_435_761).rotate_left(i % 32) ^ i).to_le_bytes()[0])
            .collect();
        let schedule = common::schedule_from_bytes(&bytes);
        for patch in [PatchMode::Off, PatchMode::On] {
            if !check_against_walk(&schedule, patch) {
                continue;
            }
            walked += 1;
            let summary = explore_all(&schedule, patch);
            seen.extend(summary.examples.iter().map(|e| e.ending.name()));
            seen.extend(summary.drops.iter().map(|d| {
                if d.needed {
                    "needed drop"
                } else {
                    "needless drop"
                }
            }));
        }
    }
    assert!(walked >= 375, "only {walked} of 500 were walked");
    let seen: Vec<&str> = {
        let mut seen: Vec<&str> = seen.into_iter().collect();
        seen.sort_unstable();
        seen
    };
    assert_eq!(
        seen,
        ["deadlock", "finished", "needed drop", "needless drop"],
        "the walk covers these endings and both kinds of drop"
    );
}

/// B holds the patch's `drop_if_held` lock I, then H for a while; A's
/// patched acquire of H, made meanwhile, drops.
fn dropping_into(a_steps: &str, extra_threads: &str) -> Schedule {
    parse(&format!(
        r#"Schedule(version: 1, title: "t",
            locks: [
                Lock(id: "H", name: "h", kind: Reentrant),
                Lock(id: "I", name: "i", kind: Reentrant),
                Lock(id: "X", name: "x", kind: Plain),
            ],
            threads: [
                Thread(id: "A", name: "a", steps: [{a_steps}]),
                Thread(id: "B", name: "b", steps: [
                    Step(id: "B1", op: Acquire("I"), text: ""),
                    Step(id: "B2", op: Acquire("H"), text: ""),
                    Step(id: "B3", op: Release("H"), text: ""),
                    Step(id: "B4", op: Release("I"), text: "")]),
                {extra_threads}
            ],
            patch: Some(Patch(name: "p", try_lock: "H", drop_if_held: "I")))"#
    ))
}

#[test]
fn a_drop_can_leave_a_thread_unspawned_or_a_release_impossible() {
    let unspawned = dropping_into(
        r#"Step(id: "A1", op: Acquire("H"), text: ""),
           Step(id: "A2", op: Spawn("C"), text: ""),
           Step(id: "A3", op: Release("H"), text: "")"#,
        r#"Thread(id: "C", name: "c", spawned: true, steps: [Step(id: "C1", text: "")]),"#,
    );
    let impossible = dropping_into(
        r#"Step(id: "A1", op: Acquire("H"), text: ""),
           Step(id: "A2", op: Acquire("X"), text: ""),
           Step(id: "A3", op: Release("H"), text: ""),
           Step(id: "A4", op: Release("X"), text: "")"#,
        "",
    );
    for schedule in [unspawned, impossible] {
        let off = explore_all(&schedule, PatchMode::Off);
        assert!(off.stuck.is_zero(), "without the patch nothing is skipped");
        let on = explore_all(&schedule, PatchMode::On);
        // A drops when it tries H after B2 and before B3: then A skips its
        // spawn (C never starts), or its acquire of X (its release of X is
        // impossible). B's own try of H drops too, while A holds H.
        let order = on.example(Ending::Stuck).expect("a stuck execution");
        let ids: Vec<&str> = order
            .iter()
            .map(|at| schedule.threads[at.thread].steps[at.step].id.as_str())
            .collect();
        assert_eq!(&ids[..3], ["B1", "B2", "A1"]);
        assert!(check_against_walk(&schedule, PatchMode::On));
    }
}

#[test]
fn the_app_engine_counts_are_the_hand_worked_ones() {
    let schedule = shipped("appengine.ron");
    let off = explore_all(&schedule, PatchMode::Off);
    assert_eq!(
        [off.executions, off.finished, off.deadlocked, off.stuck].map(exact),
        [62, 29, 33, 0]
    );
    assert_eq!(off.shortest_deadlock.as_ref().map(Vec::len), Some(7));
    assert_eq!(off.states, 51);
    let on = explore_all(&schedule, PatchMode::On);
    assert_eq!(
        [on.executions, on.finished, on.deadlocked, on.stuck].map(exact),
        [96, 96, 0, 0]
    );
    assert_eq!(exact(on.with_drops), 82);
    assert_eq!(exact(on.with_needless_drops), 18);
    assert_eq!(on.states, 45);
    assert!(on.shortest_deadlock.is_none());
    let sites: Vec<(&str, bool)> = on
        .drops
        .iter()
        .map(|d| {
            (
                schedule.threads[d.thread].steps[d.step].id.as_str(),
                d.needed,
            )
        })
        .collect();
    assert_eq!(sites, [("B3", true), ("A1", false), ("B3", false)]);
    assert!(on.inversions.is_empty(), "the patch removes the inversion");
    assert_eq!(off.inversions.len(), 2, "H → I via L and directly");
}

#[test]
fn two_threads_of_plain_work_interleave_in_every_way() {
    let schedule = parse(
        r#"Schedule(version: 1, title: "t", locks: [], threads: [
            Thread(id: "A", name: "a", steps: [
                Step(id: "A1", text: ""), Step(id: "A2", text: ""), Step(id: "A3", text: "")]),
            Thread(id: "B", name: "b", steps: [
                Step(id: "B1", text: ""), Step(id: "B2", text: "")]),
        ])"#,
    );
    let summary = explore_all(&schedule, PatchMode::Off);
    // C(5, 2) = 10 interleavings; the states are the (4 × 3) pairs of
    // positions.
    assert_eq!(exact(summary.executions), 10);
    assert_eq!(exact(summary.finished), 10);
    assert_eq!(summary.states, 12);
    assert_eq!(
        summary.transitions, 17,
        "4 × 2 + 3 × 3 moves between positions"
    );
}

#[test]
fn a_plain_lock_taken_twice_deadlocks_its_only_thread() {
    let schedule = parse(
        r#"Schedule(version: 1, title: "t",
            locks: [Lock(id: "P", name: "p", kind: Plain)],
            threads: [Thread(id: "A", name: "a", steps: [
                Step(id: "A1", op: Acquire("P"), text: ""),
                Step(id: "A2", op: Acquire("P"), text: ""),
                Step(id: "A3", op: Release("P"), text: "")])])"#,
    );
    let summary = explore_all(&schedule, PatchMode::Off);
    // One execution: A1, then A2 blocks on the lock A holds.
    assert_eq!(exact(summary.deadlocked), 1);
    assert_eq!(exact(summary.executions), 1);
    assert_eq!(summary.states, 3);
    let ids: Vec<&str> = summary
        .shortest_deadlock
        .iter()
        .flatten()
        .map(|at| schedule.threads[at.thread].steps[at.step].id.as_str())
        .collect();
    assert_eq!(ids, ["A1", "A2"]);
}

#[test]
fn two_locks_in_opposite_orders_deadlock_in_4_of_18_executions() {
    let summary = explore_all(&shipped("two-locks.ron"), PatchMode::Off);
    // P: P1 takes X, P2 takes Y, P3 works, P4 releases Y, P5 releases X;
    // Q the same with Y and X. A deadlock needs both first takes before
    // either second attempt: P1 and Q1 in either order, then P2 and Q2 in
    // either order: 4 executions. Otherwise one thread, say P, takes both
    // before Q1; then Q1 comes after P2 (it may block until P4), Q2 after
    // P4 (it may block until P5), Q3–Q5 after P5. Q1 after 2, 3, 4 or 5
    // of P's moves and Q2 after 4 or 5 (not before Q1): 7 executions, and
    // 7 with Q first: 14 finish.
    assert_eq!(
        [summary.executions, summary.finished, summary.deadlocked].map(exact),
        [18, 14, 4]
    );
}

/// Two threads of `n` steps of plain work: C(2n, n) executions.
fn grid(n: usize) -> Schedule {
    let steps = |t: &str| -> String {
        let mut steps = String::new();
        for s in 1..=n {
            let _ = write!(steps, r#"Step(id: "{t}{s}", text: ""),"#);
        }
        steps
    };
    parse(&format!(
        r#"Schedule(version: 1, title: "grid", locks: [], threads: [
            Thread(id: "A", name: "a", steps: [{}]),
            Thread(id: "B", name: "b", steps: [{}])])"#,
        steps("A"),
        steps("B")
    ))
}

/// C(2n, n), by Pascal's triangle.
fn central_binomial(n: usize) -> u128 {
    let mut row = vec![1_u128];
    for _ in 0..2 * n {
        let mut next = vec![1_u128; row.len() + 1];
        for i in 1..row.len() {
            next[i] = row[i - 1] + row[i];
        }
        row = next;
    }
    row[n]
}

#[test]
fn counts_near_2_to_the_128_are_exact_and_beyond_are_marked() {
    let exact_one = explore_all(&grid(64), PatchMode::Off);
    assert_eq!(exact_one.executions.exact(), Some(central_binomial(64)));
    assert_eq!(exact_one.states, 65 * 65);
    // C(140, 70) > 2^128: the count is marked, never wrapped.
    let over = explore_all(&grid(70), PatchMode::Off);
    assert!(over.executions.overflowed());
    assert!(over.finished.overflowed());
    assert!(over.deadlocked.is_zero());
    assert_eq!(over.states, 71 * 71, "the states are still all counted");
    let json = explore::report::json(&grid(70), &over);
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(value["executions"].is_null());
    assert_eq!(
        value["overflowed"],
        serde_json::json!(["executions", "finished"])
    );
}

#[test]
fn the_state_limit_stops_the_search_with_what_it_found() {
    let schedule = shipped("philosophers.ron");
    let limits = |max_states| Limits {
        max_states,
        progress: None,
    };
    let early = explore::explore(&schedule, PatchMode::Off, &limits(50));
    let Err(ExploreError::Limit { limit, partial }) = early else {
        panic!("{early:?}");
    };
    assert_eq!(limit, 50);
    assert!(partial.states <= 50);
    assert!(partial.deadlock.is_none(), "too early for a deadlock");
    // The whole search has 6,024 states; by 5,000 a deadlock was found.
    let late = explore::explore(&schedule, PatchMode::Off, &limits(5_000));
    let Err(ExploreError::Limit { partial, .. }) = late else {
        panic!("{late:?}");
    };
    let order = partial.deadlock.expect("a deadlock found before the limit");
    replays_to(&schedule, PatchMode::Off, &order, Ending::Deadlock);
    assert!(explore::explore(&schedule, PatchMode::Off, &limits(6_024)).is_ok());
}

#[test]
fn a_cancelled_search_stops_soon() {
    let progress = Arc::new(Progress::default());
    progress.cancel();
    let limits = Limits {
        max_states: u64::MAX,
        progress: Some(Arc::clone(&progress)),
    };
    let result = explore::explore(&grid(400), PatchMode::Off, &limits);
    let Err(ExploreError::Cancelled { partial }) = result else {
        panic!("{result:?}");
    };
    assert!(
        partial.states < 10_000,
        "stopped within a few thousand states"
    );
}

#[test]
fn a_search_can_run_on_another_thread() {
    let schedule = shipped("appengine.ron");
    let handle = std::thread::spawn(move || {
        let off = explore::explore(&schedule, PatchMode::Off, &Limits::default());
        let on = explore::explore(&schedule, PatchMode::On, &Limits::default());
        (off, on)
    });
    let (off, on) = handle.join().expect("no panic");
    assert!(off.expect("explored").deadlock_reachable());
    assert!(!on.expect("explored").deadlock_reachable());
}
