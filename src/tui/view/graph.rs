//! The locks-and-waits panel: the wait-for graph at the current position.
//!
//! Threads are boxes on the left and right, the locks a column between
//! them; an arrow from a lock to a thread means the thread holds it, an
//! arrow from a thread to a lock means it waits for it. The deadlock cycle
//! is drawn heavy, in the warning colour, and spelled out under the
//! drawing. With more than three threads involved, or too little room,
//! the panel falls back to a text list of the same facts.

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};

mod layout;
mod route;

use super::canvas::{Canvas, Region, Weight};
use super::text::{fit, fit_line, panel, wrap};
use crate::schedule::Schedule;
use crate::sim::{Link, State, Status, Wait, wait_chain};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use layout::{Plan, Side, plan};
use route::draw_edges;

/// The most threads drawn as boxes.
const MAX_DRAWN: usize = 3;

/// Draws the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let block = panel(app.theme(), Line::from(" Locks and waits "));
    let inner = block.inner(area);
    block.render(area, buf);

    let graph = Graph::at(app);
    let (width, height) = (usize::from(inner.width), usize::from(inner.height));
    let lines = drawing(&graph, width, height).unwrap_or_else(|| text_list(&graph, width, height));
    Paragraph::new(lines).render(inner, buf);
}

/// Who holds and waits for what, at one position.
struct Graph<'a> {
    schedule: &'a Schedule,
    state: &'a State,
    theme: Theme,
    /// Thread → lock relations.
    edges: Vec<Edge>,
    /// The wait-for cycle, if the threads are deadlocked.
    cycle: Vec<Link>,
}

/// A thread's relation to a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edge {
    thread: usize,
    lock: usize,
    kind: EdgeKind,
    in_cycle: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EdgeKind {
    /// The lock is held by the thread: the arrow points at the thread.
    Holds,
    /// The thread waits for the lock: the arrow points at the lock.
    Waits,
    /// A plain lock its own holder waits for.
    HoldsAndWaits,
}

impl<'a> Graph<'a> {
    fn at(app: &'a App) -> Self {
        let state = app.state();
        let chain = wait_chain(state);
        let closed = chain
            .first()
            .zip(chain.last())
            .is_some_and(|(first, last)| last.held_by == Some(first.thread));
        let cycle = if closed { chain } else { Vec::new() };
        let edges = edges(state, &cycle);
        Self {
            schedule: app.schedule(),
            state,
            theme: app.theme(),
            edges,
            cycle,
        }
    }

    /// The threads to draw: all of a small schedule, else those involved.
    fn drawn(&self) -> Option<Vec<usize>> {
        let count = self.schedule.threads.len();
        if count <= MAX_DRAWN {
            return Some((0..count).collect());
        }
        let involved: Vec<usize> = (0..count)
            .filter(|&t| {
                self.edges.iter().any(|e| e.thread == t)
                    || matches!(self.state.threads[t].status, Status::Blocked(_))
            })
            .collect();
        (!involved.is_empty() && involved.len() <= MAX_DRAWN).then_some(involved)
    }

    fn lock_in_cycle(&self, lock: usize) -> bool {
        self.cycle.iter().any(|l| l.waits_for == Wait::Lock(lock))
    }

    fn thread_in_cycle(&self, thread: usize) -> bool {
        self.cycle.iter().any(|l| l.thread == thread)
    }
}

fn edges(state: &State, cycle: &[Link]) -> Vec<Edge> {
    let in_cycle = |thread: usize, lock: usize, kind: EdgeKind| {
        cycle.iter().any(|link| {
            link.waits_for == Wait::Lock(lock)
                && match kind {
                    EdgeKind::Waits => link.thread == thread,
                    EdgeKind::Holds => link.held_by == Some(thread),
                    EdgeKind::HoldsAndWaits => true,
                }
        })
    };
    let mut edges = Vec::new();
    for (lock, held) in state.locks.iter().enumerate() {
        for &waiter in &held.waiters {
            let kind = if held.holder == Some(waiter) {
                EdgeKind::HoldsAndWaits
            } else {
                EdgeKind::Waits
            };
            edges.push(Edge {
                thread: waiter,
                lock,
                kind,
                in_cycle: in_cycle(waiter, lock, kind),
            });
        }
        if let Some(holder) = held.holder.filter(|h| !held.waiters.contains(h)) {
            edges.push(Edge {
                thread: holder,
                lock,
                kind: EdgeKind::Holds,
                in_cycle: in_cycle(holder, lock, EdgeKind::Holds),
            });
        }
    }
    edges
}

/// The drawing and the lines under it, or `None` if it does not fit.
fn drawing(graph: &Graph<'_>, width: usize, height: usize) -> Option<Vec<Line<'static>>> {
    let threads = graph.drawn()?;
    if graph.schedule.locks.is_empty() {
        return None;
    }
    // The cycle, when there is one, must fit under the drawing.
    let room = height.checked_sub(usize::from(!graph.cycle.is_empty()))?;
    let plan = plan(graph, &threads, width, room)?;

    let mut canvas = Canvas::new(width, plan.height);
    draw_locks(graph, &plan, &mut canvas);
    for &(thread, _, region) in &plan.boxes {
        draw_thread(graph, thread, region, &mut canvas);
    }
    for side in [Side::Left, Side::Right] {
        draw_edges(graph, &plan, side, &mut canvas);
    }

    let mut lines = canvas.lines();
    let spare = height.saturating_sub(lines.len());
    lines.extend(notes(graph, width).into_iter().take(spare));
    Some(lines)
}

fn draw_locks(graph: &Graph<'_>, plan: &Plan, canvas: &mut Canvas) {
    let theme = graph.theme;
    let weight = if graph.cycle.is_empty() {
        Weight::Light
    } else {
        Weight::Heavy
    };
    canvas.border(plan.locks, weight, theme.border());

    let inner = plan.locks.width.saturating_sub(4);
    for (lock, &row) in plan.lock_rows.iter().enumerate() {
        let held = &graph.state.locks[lock];
        let mut label = graph.schedule.locks[lock].id.clone();
        if held.count > 1 {
            label = format!("{label} ×{}", held.count);
        }
        let style = if graph.lock_in_cycle(lock) {
            theme.cycle()
        } else {
            theme.title()
        };
        canvas.text(plan.locks.x + 2, row, &label, inner, style);
    }
}

fn draw_thread(graph: &Graph<'_>, thread: usize, region: Region, canvas: &mut Canvas) {
    let theme = graph.theme;
    let (weight, border) = if graph.thread_in_cycle(thread) {
        (Weight::Heavy, theme.cycle())
    } else {
        (Weight::Light, theme.border())
    };
    canvas.border(region, weight, border);

    let inner = region.width.saturating_sub(2);
    let label = thread_label(graph.schedule, thread);
    let (status, step, style) = status_text(graph, thread);
    let mut lines = vec![(fit(&label, inner), theme.title())];
    if region.height >= 5 {
        lines.push((status, style));
        lines.push((step, theme.text()));
    } else {
        lines.push((format!("{status} {step}"), style));
    }
    for (y, (text, style)) in (region.y + 1..).zip(lines) {
        canvas.text(region.x + 1, y, &fit(&text, inner), inner, style);
    }
}

/// The thread's status in a word, its step in a few, and how it looks.
fn status_text(graph: &Graph<'_>, thread: usize) -> (String, String, Style) {
    let theme = graph.theme;
    let at = graph.state.threads[thread];
    let step = graph.schedule.threads[thread]
        .steps
        .get(at.pc)
        .map_or("", |s| s.id.as_str());
    let (status, step, style) = match at.status {
        Status::NotStarted => ("not started", String::new(), theme.dim()),
        Status::Runnable => ("runnable", format!("next {step}"), theme.text()),
        Status::Finished => ("finished", String::new(), theme.good()),
        Status::Blocked(Wait::Lock(_)) => ("BLOCKED", format!("at {step}"), theme.blocked()),
        Status::Blocked(Wait::Join(other)) => (
            "BLOCKED",
            format!("join {}", graph.schedule.threads[other].id),
            theme.blocked(),
        ),
    };
    (status.to_owned(), step, style)
}

/// The lines under the drawing, most useful first: the cycle, each lock
/// with its holder and waiters, then the legend.
fn notes(graph: &Graph<'_>, width: usize) -> Vec<Line<'static>> {
    let theme = graph.theme;
    let mut lines = Vec::new();
    if let Some(cycle) = cycle_text(graph) {
        lines.push(Line::styled(fit(&cycle, width), theme.cycle()));
    }
    for lock in 0..graph.schedule.locks.len() {
        lines.push(lock_line(graph, lock, width));
    }
    lines.push(fit_line(
        vec![
            Span::styled("─▶ holds", theme.holds()),
            Span::styled("  ╌▶ waits for", theme.waits()),
            Span::styled("  ━ deadlock cycle", theme.dim()),
        ],
        width,
    ));
    lines
}

/// `H logging.Handler lock: held by A ×2; B waits`.
fn lock_line(graph: &Graph<'_>, lock: usize, width: usize) -> Line<'static> {
    let theme = graph.theme;
    let info = &graph.schedule.locks[lock];
    let held = &graph.state.locks[lock];
    let thread = |t: usize| graph.schedule.threads[t].id.as_str();
    let mut facts = match held.holder {
        None => "free".to_owned(),
        Some(h) if held.count > 1 => format!("held by {} ×{}", thread(h), held.count),
        Some(h) => format!("held by {}", thread(h)),
    };
    if !held.waiters.is_empty() {
        let waiters: Vec<&str> = held.waiters.iter().map(|&t| thread(t)).collect();
        let _ = write!(facts, "; {} waits", waiters.join(", "));
    }
    let id_style = if graph.lock_in_cycle(lock) {
        theme.cycle()
    } else {
        theme.title()
    };
    fit_line(
        vec![
            Span::styled(info.id.clone(), id_style),
            Span::styled(format!(" {}: ", info.name), theme.dim()),
            Span::styled(facts, theme.text()),
        ],
        width,
    )
}

/// `A request A (logs)`.
pub(super) fn thread_label(schedule: &Schedule, thread: usize) -> String {
    let thread = &schedule.threads[thread];
    format!("{} {}", thread.id, thread.name)
}

/// The cycle as `DEADLOCK: A → I → B → H → A`.
fn cycle_text(graph: &Graph<'_>) -> Option<String> {
    let first = graph.cycle.first()?;
    let schedule = graph.schedule;
    let mut text = format!("DEADLOCK: {}", schedule.threads[first.thread].id);
    for link in &graph.cycle {
        let waited = match link.waits_for {
            Wait::Lock(l) => &schedule.locks[l].id,
            Wait::Join(t) => &schedule.threads[t].id,
        };
        let _ = write!(text, " → {waited}");
        if let (Some(holder), Wait::Lock(_)) = (link.held_by, link.waits_for) {
            let _ = write!(text, " → {}", schedule.threads[holder].id);
        }
    }
    Some(text)
}

/// The same facts as text, the cycle first: the cycle wrapped and two
/// lines per thread when they fit, else one line each.
fn text_list(graph: &Graph<'_>, width: usize, height: usize) -> Vec<Line<'static>> {
    let theme = graph.theme;
    let threads = graph.schedule.threads.len();
    let cycle = cycle_text(graph);
    let wrapped = cycle
        .as_deref()
        .map_or_else(Vec::new, |text| wrap(text, width));
    let roomy = wrapped.len() + 2 * threads <= height;
    let cycle = if wrapped.len() + threads <= height {
        wrapped
    } else {
        cycle.iter().map(|text| fit(text, width)).collect()
    };

    let mut lines: Vec<Line<'static>> = cycle
        .into_iter()
        .map(|text| Line::styled(text, theme.cycle()))
        .collect();
    for thread in 0..threads {
        let (status, step, style) = status_text(graph, thread);
        let id = graph.schedule.threads[thread].id.clone();
        let mut spans = vec![
            Span::styled(id, theme.title()),
            Span::raw(" "),
            Span::styled(format!("{status} {step}").trim_end().to_owned(), style),
        ];
        let relations = relations(graph, thread);
        match (relations.is_empty(), roomy) {
            (true, _) => lines.push(fit_line(spans, width)),
            (false, true) => {
                lines.push(fit_line(spans, width));
                lines.push(Line::raw(fit(&format!("  {relations}"), width)));
            }
            (false, false) => {
                spans.push(Span::raw(format!(": {relations}")));
                lines.push(fit_line(spans, width));
            }
        }
    }
    lines
}

/// What a thread holds and waits for, in words.
fn relations(graph: &Graph<'_>, thread: usize) -> String {
    let locks = &graph.schedule.locks;
    let holds: Vec<&str> = graph
        .edges
        .iter()
        .filter(|e| e.thread == thread && e.kind != EdgeKind::Waits)
        .map(|e| locks[e.lock].id.as_str())
        .collect();
    let waits = graph
        .edges
        .iter()
        .find(|e| e.thread == thread && e.kind != EdgeKind::Holds)
        .map(|e| {
            let holder = graph.state.locks[e.lock].holder;
            let by = holder.map_or(String::new(), |h| {
                format!(" (held by {})", graph.schedule.threads[h].id)
            });
            format!("waits for {}{by}", locks[e.lock].id)
        });
    let mut parts = Vec::new();
    if !holds.is_empty() {
        parts.push(format!("holds {}", holds.join(", ")));
    }
    parts.extend(waits);
    parts.join("; ")
}
