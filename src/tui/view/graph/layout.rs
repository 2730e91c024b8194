//! Where the boxes of the drawing go: sizes shared out, boxes stacked down
//! each side, locks spread down the middle.

use super::{Graph, thread_label};
use crate::tui::view::canvas::Region;
use crate::tui::view::text::width;

/// A thread box: two borders and two lines of text.
pub(super) const BOX_HEIGHT: usize = 4;
/// The narrowest thread box: `BLOCKED` and a border.
pub(super) const MIN_BOX_WIDTH: usize = 10;
/// A thread box wide enough for `not started`.
pub(super) const STATUS_BOX_WIDTH: usize = 13;
/// The narrowest channel between a box and the lock column: an arrow.
pub(super) const MIN_CHANNEL: usize = 3;
/// A channel wide enough to write `holds` or `waits` on the arrow.
pub(super) const LABELLED_CHANNEL: usize = 7;
/// The widest channel worth having.
pub(super) const MAX_CHANNEL: usize = 16;

/// The side of the lock column a thread box is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Left,
    Right,
}

/// Where everything goes in a drawing.
pub(super) struct Plan {
    /// Height of the drawing.
    pub(super) height: usize,
    /// Thread boxes, with their thread and side.
    pub(super) boxes: Vec<(usize, Side, Region)>,
    /// The lock column.
    pub(super) locks: Region,
    /// The row of each lock.
    pub(super) lock_rows: Vec<usize>,
}

/// Sizes and places the boxes; `None` if the smallest drawing is too big.
pub(super) fn plan(
    graph: &Graph<'_>,
    threads: &[usize],
    width: usize,
    height: usize,
) -> Option<Plan> {
    let left: Vec<usize> = threads.iter().copied().step_by(2).collect();
    let right: Vec<usize> = threads.iter().copied().skip(1).step_by(2).collect();
    let sides = if right.is_empty() { 1 } else { 2 };
    let locks = graph.schedule.locks.len();
    let stacked = left.len().max(right.len());
    let tall = (locks + 2).max(stacked * BOX_HEIGHT + stacked.saturating_sub(1));
    if tall > height {
        return None;
    }
    let lock_rows = spread(locks, tall.saturating_sub(2));
    let mut boxes = stack(&left, Side::Left, tall);
    boxes.extend(stack(&right, Side::Right, tall));
    let lanes = [Side::Left, Side::Right]
        .map(|side| bent_edges(graph, &boxes, &lock_rows, side))
        .into_iter()
        .max()
        .unwrap_or(0);
    let widths = widths(graph, threads, width, sides, lanes)?;
    let locks_x = widths.margin + widths.thread + widths.channel;
    for (_, side, region) in &mut boxes {
        region.width = widths.thread;
        region.x = match side {
            Side::Left => widths.margin,
            Side::Right => locks_x + widths.locks + widths.channel,
        };
    }
    Some(Plan {
        height: tall,
        boxes,
        locks: Region {
            x: locks_x,
            y: 0,
            width: widths.locks,
            height: tall,
        },
        lock_rows,
    })
}

/// The widths of the parts of a drawing.
struct Widths {
    /// Left of the drawing, to centre it.
    margin: usize,
    thread: usize,
    channel: usize,
    locks: usize,
}

/// Shares `width` out: thread boxes wide enough for their status, arrows
/// wide enough for their words, then thread names. `None` if even the
/// narrowest drawing is too wide.
fn widths(
    graph: &Graph<'_>,
    threads: &[usize],
    width: usize,
    sides: usize,
    lanes: usize,
) -> Option<Widths> {
    let min_channel = MIN_CHANNEL + 2 * lanes;
    let locks = lock_width(graph);
    let base = sides * (MIN_BOX_WIDTH + min_channel) + locks;
    let mut extra = width.checked_sub(base)?;
    let mut grow = |current: usize, wanted: usize, times: usize| {
        let step = wanted.saturating_sub(current).min(extra / times);
        extra -= step * times;
        current + step
    };
    let thread = grow(MIN_BOX_WIDTH, STATUS_BOX_WIDTH, sides);
    let channel = grow(min_channel, LABELLED_CHANNEL, sides);
    let thread = grow(thread, widest_label(graph, threads) + 2, sides);
    let channel = grow(channel, MAX_CHANNEL, sides);
    let used = sides * (thread + channel) + locks;
    Some(Widths {
        margin: width.saturating_sub(used) / 2,
        thread,
        channel,
        locks,
    })
}

/// The width of the lock column: the ids with a count (`H ×2`) and the
/// borders. The names are written under the drawing.
fn lock_width(graph: &Graph<'_>) -> usize {
    let locks = &graph.schedule.locks;
    locks.iter().map(|l| width(&l.id)).max().unwrap_or(1) + 7
}

fn widest_label(graph: &Graph<'_>, threads: &[usize]) -> usize {
    threads
        .iter()
        .map(|&t| width(&thread_label(graph.schedule, t)))
        .max()
        .unwrap_or(0)
}

/// Boxes for `threads` stacked down one side, sharing `height`; their
/// columns are set once the widths are known.
fn stack(threads: &[usize], side: Side, height: usize) -> Vec<(usize, Side, Region)> {
    let count = threads.len().max(1);
    let each = (height + 1) / count;
    threads
        .iter()
        .enumerate()
        .map(|(i, &thread)| {
            let y = i * each;
            let bottom = if i + 1 == count { height } else { y + each - 1 };
            let region = Region {
                x: 0,
                y,
                width: 0,
                height: bottom - y,
            };
            (thread, side, region)
        })
        .collect()
}

/// `count` rows spread evenly over `inner` rows below a border.
fn spread(count: usize, inner: usize) -> Vec<usize> {
    (0..count)
        .map(|i| 1 + ((2 * i + 1) * inner) / (2 * count.max(1)))
        .collect()
}

/// The rows inside a box, between its borders.
pub(super) fn inner_rows(region: Region) -> std::ops::RangeInclusive<usize> {
    let top = region.y + 1;
    let bottom = (region.y + region.height).saturating_sub(2).max(top);
    top..=bottom
}

/// How many arrows of one side must bend to reach a lock row outside
/// their box: each needs a lane of its own.
fn bent_edges(
    graph: &Graph<'_>,
    boxes: &[(usize, Side, Region)],
    lock_rows: &[usize],
    side: Side,
) -> usize {
    boxes
        .iter()
        .filter(|b| b.1 == side)
        .map(|&(thread, _, region)| {
            graph
                .edges
                .iter()
                .filter(|e| e.thread == thread)
                .filter(|e| {
                    lock_rows
                        .get(e.lock)
                        .is_some_and(|r| !inner_rows(region).contains(r))
                })
                .count()
        })
        .sum()
}
