//! The arrows of the drawing: straight across when the lock's row is
//! inside the thread's box, bent through a lane of their own otherwise.

use ratatui::style::Style;

use super::layout::{LABELLED_CHANNEL, Plan, Side, inner_rows};
use super::{Edge, EdgeKind, Graph};
use crate::tui::theme::Theme;
use crate::tui::view::canvas::{Canvas, Region};
use crate::tui::view::text::width;

/// The arrows between one side's boxes and the lock column: straight ones
/// first, then those that bend, each in a lane and leaving its box at a
/// row no straight arrow uses, if there is one. Words go on the arrows
/// only when no lane crosses them.
pub(super) fn draw_edges(graph: &Graph<'_>, plan: &Plan, side: Side, canvas: &mut Canvas) {
    let routes = routes(graph, plan, side);
    let words = if routes.iter().any(|(route, _)| route.bends()) {
        Words::Hidden
    } else {
        Words::Shown
    };
    for (route, edge) in &routes {
        route.draw(graph.theme, *edge, words, canvas);
    }
}

/// Whether arrows carry the words `holds` and `waits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Words {
    Shown,
    Hidden,
}

/// The route of every arrow of one side, straight ones first.
fn routes(graph: &Graph<'_>, plan: &Plan, side: Side) -> Vec<(Route, Edge)> {
    let mut routes = Vec::new();
    let mut lane = 0;
    for &(thread, _, region) in plan.boxes.iter().filter(|b| b.1 == side) {
        let rows = inner_rows(region);
        let mine = || graph.edges.iter().filter(move |e| e.thread == thread);
        let row_of = |edge: &Edge| plan.lock_rows.get(edge.lock).copied();
        let mut used: Vec<usize> = mine()
            .filter_map(row_of)
            .filter(|r| rows.contains(r))
            .collect();
        for edge in mine() {
            let Some(row) = row_of(edge) else {
                continue;
            };
            let from = if rows.contains(&row) {
                row
            } else {
                let exit = exit_row(rows.clone(), row, &used);
                used.push(exit);
                exit
            };
            let route = Route::new(plan, side, region, from, row, lane);
            if route.bends() {
                lane += 1;
            }
            routes.push((route, *edge));
        }
    }
    routes.sort_by_key(|(route, _)| route.bends());
    routes
}

/// The row of a box an arrow to `target` leaves from: the free row nearest
/// to it, or the nearest row if all are taken.
fn exit_row(rows: std::ops::RangeInclusive<usize>, target: usize, used: &[usize]) -> usize {
    let nearest = |r: &usize| r.abs_diff(target);
    let free = rows
        .clone()
        .filter(|r| !used.contains(r))
        .min_by_key(nearest);
    free.or_else(|| rows.min_by_key(nearest)).unwrap_or(target)
}

/// The path of one arrow: from the box at row `from` to the lock column at
/// row `to`, turning at column `lane` when the rows differ.
struct Route {
    side: Side,
    /// The channel cell next to the thread box.
    box_x: usize,
    /// The channel cell next to the lock column.
    lock_x: usize,
    from: usize,
    to: usize,
    lane: usize,
}

impl Route {
    fn new(plan: &Plan, side: Side, region: Region, from: usize, to: usize, lane: usize) -> Self {
        let (box_x, lock_x) = match side {
            Side::Left => (region.x + region.width, plan.locks.x.saturating_sub(1)),
            Side::Right => (region.x.saturating_sub(1), plan.locks.x + plan.locks.width),
        };
        let offset = 1 + 2 * lane;
        let lane = match side {
            Side::Left => box_x + offset,
            Side::Right => box_x.saturating_sub(offset),
        };
        Self {
            side,
            box_x,
            lock_x,
            from,
            to,
            lane,
        }
    }

    fn bends(&self) -> bool {
        self.from != self.to
    }

    fn draw(&self, theme: Theme, edge: Edge, words: Words, canvas: &mut Canvas) {
        let style = match (edge.in_cycle, edge.kind) {
            (true, _) => theme.cycle(),
            (false, EdgeKind::Waits) => theme.waits(),
            (false, _) => theme.holds(),
        };
        let (h, v) = glyphs(edge);
        if self.bends() {
            canvas.hline(self.box_x, self.lane, self.from, h, style);
            canvas.vline(self.lane, self.from, self.to, v, style);
            canvas.hline(self.lane, self.lock_x, self.to, h, style);
            canvas.put(self.lane, self.from, self.corner_from(), style);
            canvas.put(self.lane, self.to, self.corner_to(), style);
        } else {
            canvas.hline(self.box_x, self.lock_x, self.to, h, style);
            if words == Words::Shown {
                self.label(edge.kind, style, canvas);
            }
        }
        self.heads(edge.kind, style, canvas);
    }

    /// The word on a straight arrow, if the channel has room for it.
    fn label(&self, kind: EdgeKind, style: Style, canvas: &mut Canvas) {
        let word = match kind {
            EdgeKind::Holds => "holds",
            EdgeKind::Waits => "waits",
            EdgeKind::HoldsAndWaits => "self",
        };
        let span = self.box_x.abs_diff(self.lock_x) + 1;
        if span < LABELLED_CHANNEL {
            return;
        }
        let x = self.box_x.min(self.lock_x) + (span - width(word)).div_ceil(2);
        canvas.text(x, self.to, word, width(word), style);
    }

    /// Arrowheads: at the thread for "holds", at the lock for "waits".
    fn heads(&self, kind: EdgeKind, style: Style, canvas: &mut Canvas) {
        let (to_box, to_lock) = match self.side {
            Side::Left => ('◀', '▶'),
            Side::Right => ('▶', '◀'),
        };
        if kind != EdgeKind::Waits {
            canvas.put(self.box_x, self.from, to_box, style);
        }
        if kind != EdgeKind::Holds {
            canvas.put(self.lock_x, self.to, to_lock, style);
        }
    }

    fn corner_from(&self) -> char {
        let down = self.to > self.from;
        match (self.side, down) {
            (Side::Left, true) => '┐',
            (Side::Left, false) => '┘',
            (Side::Right, true) => '┌',
            (Side::Right, false) => '└',
        }
    }

    fn corner_to(&self) -> char {
        let down = self.to > self.from;
        match (self.side, down) {
            (Side::Left, true) => '└',
            (Side::Left, false) => '┌',
            (Side::Right, true) => '┘',
            (Side::Right, false) => '┐',
        }
    }
}

/// Horizontal and vertical line characters: solid for "holds", dashed for
/// "waits", heavy on the deadlock cycle.
fn glyphs(edge: Edge) -> (char, char) {
    match (edge.kind, edge.in_cycle) {
        (EdgeKind::Waits, false) => ('╌', '╎'),
        (EdgeKind::Waits, true) => ('╍', '╏'),
        (_, false) => ('─', '│'),
        (_, true) => ('━', '┃'),
    }
}
