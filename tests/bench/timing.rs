//! Timing for the benchmarks that share it: the median of repeated runs,
//! and one line of report with the ratio to a reference measured in the
//! same run.

use std::time::{Duration, Instant};

/// The median of `rounds` runs of `f`, after one to warm up.
pub fn time(rounds: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut samples: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

/// Prints `what` took `measured`, as a ratio to `reference`, which took
/// `base`.
pub fn report(what: &str, measured: Duration, reference: &str, base: Duration) {
    let ratio = measured.as_secs_f64() / base.as_secs_f64();
    println!(
        "{what:<38} {:>9.3} ms   {ratio:>5.2} × {reference} ({:.3} ms)",
        measured.as_secs_f64() * 1e3,
        base.as_secs_f64() * 1e3
    );
}
