//! Random small schedules for property tests, built from a byte string so
//! that proptest can shrink them. Every schedule built here is valid.

#![allow(dead_code, reason = "each test file uses a different part")]

use lockstep::schedule::{Lock, LockKind, Op, Patch, Schedule, Step, Thread};
use proptest::prelude::*;

/// Reads choices from the bytes, then zeros when they run out.
struct Choices<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Choices<'_> {
    fn next(&mut self, below: usize) -> usize {
        let byte = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        usize::from(byte) % below.max(1)
    }
}

/// A valid schedule of 2–3 threads, 1–3 locks and up to 6 steps a thread,
/// with reentrant and plain locks, logs, sometimes a spawned thread, a
/// join, and a patch; the order is a random interleaving prefix.
#[must_use]
pub fn schedule_from_bytes(bytes: &[u8]) -> Schedule {
    let mut c = Choices { bytes, at: 0 };
    let lock_count = 1 + c.next(3);
    let locks: Vec<Lock> = (0..lock_count)
        .map(|l| Lock {
            id: format!("L{l}"),
            name: format!("lock {l}"),
            kind: if c.next(3) == 0 {
                LockKind::Plain
            } else {
                LockKind::Reentrant
            },
        })
        .collect();
    let thread_count = 2 + c.next(2);
    let spawned = thread_count == 3 && c.next(2) == 0;
    let mut threads: Vec<Thread> = (0..thread_count)
        .map(|t| program(&mut c, t, lock_count))
        .collect();
    if spawned {
        let last = threads.len() - 1;
        threads[last].spawned = true;
        let at = c.next(threads[0].steps.len() + 1);
        let target = threads[last].id.clone();
        threads[0].steps.insert(at, step(0, 99, Op::Spawn(target)));
    }
    if c.next(3) == 0 {
        let target = threads[1].id.clone();
        threads[0].steps.push(step(0, 98, Op::Join(target)));
    }
    let patch = (lock_count >= 2 && c.next(2) == 0).then(|| Patch {
        name: "patch".into(),
        try_lock: "L0".into(),
        drop_if_held: "L1".into(),
    });
    let mut schedule = Schedule {
        version: 1,
        title: "random".into(),
        description: String::new(),
        locks,
        threads,
        patch,
        order: Vec::new(),
    };
    renumber(&mut schedule);
    schedule.order = interleaving(&mut c, &schedule);
    schedule
}

/// Thread `t`'s program: acquires, releases of held locks, logs, work.
fn program(c: &mut Choices<'_>, t: usize, lock_count: usize) -> Thread {
    let len = 1 + c.next(6);
    let mut held: Vec<usize> = Vec::new();
    let mut steps = Vec::new();
    for s in 0..len {
        let op = match c.next(5) {
            0 | 1 => {
                let lock = c.next(lock_count);
                held.push(lock);
                Op::Acquire(format!("L{lock}"))
            }
            2 if !held.is_empty() => {
                let lock = held.remove(c.next(held.len()));
                Op::Release(format!("L{lock}"))
            }
            3 => Op::Log(format!("record {t}.{s}")),
            _ => Op::Work,
        };
        steps.push(step(t, s, op));
    }
    // Most programs release what they took, as real code does.
    if c.next(4) != 0 {
        while let Some(lock) = held.pop() {
            let s = steps.len();
            steps.push(step(t, s, Op::Release(format!("L{lock}"))));
        }
    }
    Thread {
        id: thread_id(t),
        name: format!("thread {t}"),
        spawned: false,
        steps,
    }
}

fn thread_id(t: usize) -> String {
    ["A", "B", "C"][t].to_owned()
}

fn step(t: usize, s: usize, op: Op) -> Step {
    Step {
        id: format!("{}{s}", thread_id(t)),
        op,
        text: String::new(),
        stack: Vec::new(),
    }
}

/// Gives the steps ids `A1`, `A2`, … in program order.
fn renumber(schedule: &mut Schedule) {
    for thread in &mut schedule.threads {
        for (s, step) in thread.steps.iter_mut().enumerate() {
            step.id = format!("{}{}", thread.id, s + 1);
            step.text = format!("step {}", step.id);
        }
    }
}

/// A random interleaving of program-order prefixes of the threads.
fn interleaving(c: &mut Choices<'_>, schedule: &Schedule) -> Vec<String> {
    let mut next = vec![0_usize; schedule.threads.len()];
    let total: usize = schedule.threads.iter().map(|t| t.steps.len()).sum();
    let len = c.next(total + 1);
    let mut order = Vec::new();
    let threads = schedule.threads.len();
    while order.len() < len {
        // The chosen thread, or the next one that has steps left.
        let pick = c.next(threads);
        let Some(t) = (0..threads)
            .map(|i| (pick + i) % threads)
            .find(|&t| next[t] < schedule.threads[t].steps.len())
        else {
            break;
        };
        order.push(schedule.threads[t].steps[next[t]].id.clone());
        next[t] += 1;
    }
    order
}

/// Random valid schedules, shrinkable.
pub fn arb_schedule() -> impl Strategy<Value = Schedule> {
    proptest::collection::vec(any::<u8>(), 80).prop_map(|bytes| schedule_from_bytes(&bytes))
}
