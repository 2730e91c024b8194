//! Words for an exploration: the text and the JSON of `lockstep explore`,
//! and the message of a search that stopped early.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{Count, DropSite, ExploreError, Partial, Summary, grouped};
use crate::schedule::Schedule;
use crate::sim::report::step_id;
use crate::sim::{Action, Model, OrderEdge, StepRef};

/// The step ids of an order.
#[must_use]
pub fn order_ids<'s>(schedule: &'s Schedule, order: &[StepRef]) -> Vec<&'s str> {
    order
        .iter()
        .map(|at| step_id(schedule, at.thread, at.step))
        .collect()
}

/// The whole text report.
#[must_use]
pub fn text(schedule: &Schedule, summary: &Summary) -> String {
    let mode = if summary.patch.is_on() {
        "patched"
    } else {
        "unpatched"
    };
    let mut out = format!("{} ({mode}): every execution\n\n", schedule.title);
    out.push_str(&counts_text(summary));
    out.push('\n');
    out.push_str(&orders_text(schedule, summary));
    out.push_str(&drops_text(schedule, summary));
    out.push_str(&inversions_text(schedule, &summary.inversions));
    out
}

fn counts_text(summary: &Summary) -> String {
    let rows = [
        ("executions", summary.executions),
        ("  finished", summary.finished),
        ("  deadlock", summary.deadlocked),
        ("  stuck", summary.stuck),
        ("  with drops", summary.with_drops),
        ("  with needless drops", summary.with_needless_drops),
        ("distinct states", Count::from(summary.states)),
        ("moves tried", Count::from(summary.transitions)),
    ];
    let mut out = String::new();
    for (name, count) in rows {
        let _ = writeln!(out, "{name:<22} {count}");
    }
    out
}

/// The shortest deadlock and one example per ending.
fn orders_text(schedule: &Schedule, summary: &Summary) -> String {
    let mut out = match &summary.shortest_deadlock {
        Some(order) => format!(
            "shortest deadlock ({} moves): {}\n",
            order.len(),
            order_ids(schedule, order).join(" ")
        ),
        None => "shortest deadlock: none, no execution deadlocks\n".to_owned(),
    };
    out.push_str("a shortest example of each ending:\n");
    for example in &summary.examples {
        let ids = order_ids(schedule, &example.order);
        let _ = writeln!(out, "  {:<9} {}", example.ending.name(), ids.join(" "));
    }
    out
}

fn drops_text(schedule: &Schedule, summary: &Summary) -> String {
    if !summary.patch.is_on() {
        return String::new();
    }
    if summary.drops.is_empty() {
        return "drops: none\n".to_owned();
    }
    let mut out =
        "drops (needed: without the patch a deadlock was reachable from there):\n".to_owned();
    for site in &summary.drops {
        let _ = writeln!(out, "  {}", drop_text(schedule, site));
    }
    out
}

fn drop_text(schedule: &Schedule, site: &DropSite) -> String {
    let thread = &schedule.threads[site.thread];
    let verdict = if site.needed { "needed" } else { "NEEDLESS" };
    let records: Vec<String> = site
        .records
        .iter()
        .map(|&s| {
            format!(
                "{} \"{}\"",
                thread.steps[s].id,
                thread.steps[s].op_message()
            )
        })
        .collect();
    let lost = if records.is_empty() {
        "no record".to_owned()
    } else {
        records.join(", ")
    };
    format!(
        "{} ({} loses {lost}): {verdict} in {} states, e.g. {}",
        step_id(schedule, site.thread, site.step),
        thread.id,
        grouped(u128::from(site.states)),
        order_ids(schedule, &site.example).join(" ")
    )
}

fn inversions_text(schedule: &Schedule, inversions: &[Vec<OrderEdge>]) -> String {
    if inversions.is_empty() {
        return "lock-order inversions in the programs: none\n".to_owned();
    }
    let mut out = "lock-order inversions in the programs:\n".to_owned();
    let model = Model::new(schedule);
    for cycle in inversions {
        let edges: Vec<String> = cycle
            .iter()
            .map(|edge| edge_text(schedule, &model, edge))
            .collect();
        let _ = writeln!(out, "  {}", edges.join("; "));
    }
    out
}

/// `A takes H at A1, then I at A4`.
fn edge_text(schedule: &Schedule, model: &Model, edge: &OrderEdge) -> String {
    let lock = |l: usize| schedule.locks[l].id.as_str();
    let thread = &schedule.threads[edge.thread].id;
    let to = step_id(schedule, edge.thread, edge.step);
    match held_at(model, edge) {
        Some(held) => format!(
            "{thread} takes {} at {}, then {} at {to}",
            lock(edge.from),
            step_id(schedule, edge.thread, held),
            lock(edge.to)
        ),
        None => format!(
            "{thread} holds {}, then takes {} at {to}",
            lock(edge.from),
            lock(edge.to)
        ),
    }
}

/// The step at which the edge's thread took the lock it still holds when
/// it takes the other one: the first acquire of the outermost hold.
#[must_use]
pub fn held_at(model: &Model, edge: &OrderEdge) -> Option<usize> {
    let actions = &model.programs[edge.thread].actions;
    let mut depth = 0_usize;
    let mut since = None;
    for (step, action) in actions.iter().enumerate().take(edge.step) {
        match *action {
            Action::Acquire(l) if l == edge.from => {
                if depth == 0 {
                    since = Some(step);
                }
                depth += 1;
            }
            Action::Release(l) if l == edge.from => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    since = None;
                }
            }
            _ => {}
        }
    }
    since
}

/// The JSON of `lockstep explore --json`: the keys of DESIGN §4 plus
/// `title`, `stuck`, `with_needless_drops`, `transitions`, `overflowed`
/// and `inversions`.
#[derive(Debug, Serialize)]
struct SummaryJson<'s> {
    title: &'s str,
    patched: bool,
    executions: Option<u128>,
    finished: Option<u128>,
    deadlocked: Option<u128>,
    stuck: Option<u128>,
    with_drops: Option<u128>,
    with_needless_drops: Option<u128>,
    /// The counts that did not fit in 128 bits (shown as null).
    overflowed: Vec<&'static str>,
    states: u64,
    transitions: u64,
    shortest_deadlock: Option<Vec<&'s str>>,
    examples: BTreeMap<&'static str, Vec<&'s str>>,
    drops: Vec<DropJson<'s>>,
    inversions: Vec<Vec<EdgeJson<'s>>>,
}

#[derive(Debug, Serialize)]
struct DropJson<'s> {
    thread: &'s str,
    step: &'s str,
    needed: bool,
    records: Vec<&'s str>,
    states: u64,
    example: Vec<&'s str>,
}

#[derive(Debug, Serialize)]
struct EdgeJson<'s> {
    from: &'s str,
    to: &'s str,
    thread: &'s str,
    step: &'s str,
    /// Where the thread took `from`.
    held_at: Option<&'s str>,
}

/// The JSON report, pretty-printed. Counts are exact integers of up to
/// 128 bits; one that overflowed is `null` and named in `overflowed`.
///
/// # Panics
///
/// Never: every value serializes.
#[must_use]
pub fn json(schedule: &Schedule, summary: &Summary) -> String {
    let counts = [
        ("executions", summary.executions),
        ("finished", summary.finished),
        ("deadlocked", summary.deadlocked),
        ("stuck", summary.stuck),
        ("with_drops", summary.with_drops),
        ("with_needless_drops", summary.with_needless_drops),
    ];
    let overflowed = counts
        .iter()
        .filter(|(_, count)| count.overflowed())
        .map(|(name, _)| *name)
        .collect();
    let value = SummaryJson {
        title: &schedule.title,
        patched: summary.patch.is_on(),
        executions: summary.executions.exact(),
        finished: summary.finished.exact(),
        deadlocked: summary.deadlocked.exact(),
        stuck: summary.stuck.exact(),
        with_drops: summary.with_drops.exact(),
        with_needless_drops: summary.with_needless_drops.exact(),
        overflowed,
        states: summary.states,
        transitions: summary.transitions,
        shortest_deadlock: summary
            .shortest_deadlock
            .as_ref()
            .map(|order| order_ids(schedule, order)),
        examples: summary
            .examples
            .iter()
            .map(|e| (e.ending.name(), order_ids(schedule, &e.order)))
            .collect(),
        drops: summary
            .drops
            .iter()
            .map(|d| drop_json(schedule, d))
            .collect(),
        inversions: inversions_json(schedule, &summary.inversions),
    };
    serde_json::to_string_pretty(&value).expect("plain data serializes")
}

fn drop_json<'s>(schedule: &'s Schedule, site: &DropSite) -> DropJson<'s> {
    DropJson {
        thread: &schedule.threads[site.thread].id,
        step: step_id(schedule, site.thread, site.step),
        needed: site.needed,
        records: site
            .records
            .iter()
            .map(|&s| step_id(schedule, site.thread, s))
            .collect(),
        states: site.states,
        example: order_ids(schedule, &site.example),
    }
}

fn inversions_json<'s>(
    schedule: &'s Schedule,
    inversions: &[Vec<OrderEdge>],
) -> Vec<Vec<EdgeJson<'s>>> {
    let model = Model::new(schedule);
    inversions
        .iter()
        .map(|cycle| {
            cycle
                .iter()
                .map(|edge| EdgeJson {
                    from: &schedule.locks[edge.from].id,
                    to: &schedule.locks[edge.to].id,
                    thread: &schedule.threads[edge.thread].id,
                    step: step_id(schedule, edge.thread, edge.step),
                    held_at: held_at(&model, edge).map(|s| step_id(schedule, edge.thread, s)),
                })
                .collect()
        })
        .collect()
}

/// What to tell the user when a search stopped early: what was found, and
/// what to do.
#[must_use]
pub fn stopped_text(schedule: &Schedule, error: &ExploreError) -> String {
    let (partial, advice) = match error {
        ExploreError::Limit { partial, .. } => (
            partial,
            "raise the limit with --max-states N (a million states take some 10 to 30 MB)",
        ),
        ExploreError::Cancelled { partial } => (partial, "run it again to completion"),
        ExploreError::TooLarge { .. } => return format!("{error}\n"),
    };
    let mut out = format!("{error}\n");
    out.push_str(&partial_text(schedule, partial));
    let _ = writeln!(out, "  {advice}");
    out
}

fn partial_text(schedule: &Schedule, partial: &Partial) -> String {
    match &partial.deadlock {
        Some(order) => format!(
            "  a deadlock is reachable, for one by {} (maybe not the shortest)\n",
            order_ids(schedule, order).join(" ")
        ),
        None => "  no deadlock found so far: the counts are unknown\n".to_owned(),
    }
}

/// The JSON printed instead of the summary when a search stopped early:
/// `stopped` (`"limit"` or `"interrupted"`), `states`, and `deadlock` (an
/// order found so far, or null).
///
/// # Panics
///
/// Never: every value serializes.
#[must_use]
pub fn stopped_json(schedule: &Schedule, error: &ExploreError) -> String {
    let (stopped, partial) = match error {
        ExploreError::Limit { partial, .. } => ("limit", Some(partial)),
        ExploreError::Cancelled { partial } => ("interrupted", Some(partial)),
        ExploreError::TooLarge { .. } => ("too_large", None),
    };
    let value = serde_json::json!({
        "title": schedule.title,
        "stopped": stopped,
        "message": error.to_string(),
        "states": partial.map(|p| p.states),
        "deadlock": partial.and_then(|p| p.deadlock.as_ref()).map(|o| order_ids(schedule, o)),
    });
    serde_json::to_string_pretty(&value).expect("plain data serializes")
}
