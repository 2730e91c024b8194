//! How long one frame of the TUI takes to draw, in a release build:
//! `cargo bench --bench render`.
//!
//! Each figure is printed with its ratio to a reference measured in the
//! same run: a plain `Paragraph` filling the same area, the cheapest full
//! screen ratatui draws. The ratio is what to compare across machines.

use std::hint::black_box;
use std::time::{Duration, Instant};

use lockstep::schedule::{self, Lock, LockKind, Op, Schedule, Step, Thread};
use lockstep::sim::{Model, PatchMode, State};
use lockstep::tui::{Action, App, render, update};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget as _};

/// Frames per sample, and samples per figure (the median is kept).
const FRAMES: u32 = 500;
const SAMPLES: usize = 9;

fn main() {
    let mut app_engine = App::new(schedule::built_in(), None);
    update(&mut app_engine, Action::JumpEnd);
    let mut generated = App::new(generated(8, 100), None);
    update(&mut generated, Action::JumpEnd);
    println!(
        "one frame, median of {SAMPLES} samples of {FRAMES} frames; \
         the generated run has {} events",
        generated.event_count()
    );
    for (width, height) in [(100, 30), (200, 60)] {
        let area = Rect::new(0, 0, width, height);
        let reference = time(area, |buf| paragraph(area, buf));
        println!(
            "\n{width}×{height}: a full-screen Paragraph takes {}",
            micros(reference)
        );
        report(
            "App Engine, at the deadlock",
            &app_engine,
            area,
            reference,
            1000,
        );
        report(
            "8 threads, 100 steps, at the end",
            &generated,
            area,
            reference,
            5000,
        );
    }
}

/// Times `app` at `area` and prints the figure, the ratio and the target.
fn report(name: &str, app: &App, area: Rect, reference: Duration, target_us: u128) {
    let frame = time(area, |buf| render(app, area, buf));
    let verdict = if frame.as_micros() < target_us {
        "under"
    } else {
        "OVER"
    };
    println!(
        "  {name:<34} {:>10}  {:>6.1}× the Paragraph  ({verdict} the {} ms target)",
        micros(frame),
        frame.as_secs_f64() / reference.as_secs_f64(),
        target_us / 1000,
    );
}

/// The median time of one call of `draw` into a cleared buffer.
fn time(area: Rect, mut draw: impl FnMut(&mut Buffer)) -> Duration {
    let mut buf = Buffer::empty(area);
    for _ in 0..FRAMES / 10 {
        buf.reset();
        draw(black_box(&mut buf));
    }
    let mut samples: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..FRAMES {
                buf.reset();
                draw(black_box(&mut buf));
            }
            start.elapsed() / FRAMES
        })
        .collect();
    samples.sort();
    samples[SAMPLES / 2]
}

fn micros(duration: Duration) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6)
}

/// The reference: text in every cell of the area.
fn paragraph(area: Rect, buf: &mut Buffer) {
    let row = "lockstep ".repeat(usize::from(area.width) / 9 + 1);
    let lines: Vec<Line<'_>> = (0..area.height).map(|_| Line::raw(row.as_str())).collect();
    Paragraph::new(lines).render(area, buf);
}

/// `threads` threads sharing four locks, `steps` steps in all, and an
/// order that takes the threads in turn (skipping those that cannot
/// move), so the table is full of interleaved and blocked steps.
fn generated(threads: usize, steps: usize) -> Schedule {
    let locks: Vec<Lock> = (0..4)
        .map(|l| Lock {
            id: format!("L{l}"),
            name: format!("lock {l}"),
            kind: LockKind::Reentrant,
        })
        .collect();
    let per_thread = steps / threads;
    let threads: Vec<Thread> = (0..threads)
        .map(|t| thread(t, per_thread + usize::from(t < steps % threads)))
        .collect();
    let mut schedule = Schedule {
        version: schedule::VERSION,
        title: format!("{} threads, {steps} steps", threads.len()),
        description: String::new(),
        locks,
        threads,
        patch: None,
        order: Vec::new(),
    };
    schedule.order = round_robin(&schedule);
    schedule::validate(&schedule).expect("the generated schedule is valid");
    schedule
}

/// A thread that takes two locks (lowest first, so the run never
/// deadlocks), logs, and lets go, round after round; plain work fills
/// the steps left over.
fn thread(t: usize, steps: usize) -> Thread {
    let name = format!("T{t}");
    let (a, b) = (t % 4, (t + 1) % 4);
    let (first, second) = (format!("L{}", a.min(b)), format!("L{}", a.max(b)));
    let pattern = [
        Op::Acquire(first.clone()),
        Op::Acquire(second.clone()),
        Op::Log(format!("{name} holds {first} and {second}")),
        Op::Release(second),
        Op::Release(first),
        Op::Work,
    ];
    let whole = steps / pattern.len() * pattern.len();
    let steps = (0..steps)
        .map(|s| Step {
            id: format!("{name}s{s}"),
            op: if s < whole {
                pattern[s % pattern.len()].clone()
            } else {
                Op::Work
            },
            text: format!("step {s} of thread {name}"),
            stack: vec![
                format!("worker.py:{} run", 10 + s),
                format!("jobs.py:{s} step"),
            ],
        })
        .collect();
    Thread {
        id: name.clone(),
        name: format!("worker {t}"),
        spawned: false,
        steps,
    }
}

/// The step ids of a run that moves the threads in turn.
fn round_robin(schedule: &Schedule) -> Vec<String> {
    let model = Model::new(schedule);
    let mut state = State::initial(&model);
    let count = model.thread_count();
    let mut order = Vec::new();
    let mut next = 0;
    while let Some(t) = (0..count)
        .map(|i| (next + i) % count)
        .find(|&t| state.can_run(t))
    {
        let step = state.threads[t].pc;
        if state.step(&model, t, PatchMode::Off).is_err() {
            break;
        }
        order.push(schedule.threads[t].steps[step].id.clone());
        next = t + 1;
    }
    order
}
