//! The stacks panel: each thread's call stack at its current step, as a
//! thread dump shows it (outermost frame first, the step itself last).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget as _};

use super::text::{self, fit, fit_left, panel};
use crate::schedule::Step;
use crate::sim::{Status, Wait};
use crate::tui::app::App;

/// Draws the panel: the threads share its height equally.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let block = panel(app.theme(), Line::from(" Stacks "));
    let inner = block.inner(area);
    block.render(area, buf);

    let threads = app.schedule().threads.len();
    let height = usize::from(inner.height);
    let share = (height / threads.max(1)).max(1);
    let width = usize::from(inner.width);
    let lines: Vec<Line<'static>> = (0..threads)
        .flat_map(|t| dump(app, t, share, width))
        .take(height)
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

/// One thread in at most `rows` lines: a heading, then its innermost
/// frames if it is running or blocked.
fn dump(app: &App, thread: usize, rows: usize, width: usize) -> Vec<Line<'static>> {
    let at = app.state().threads[thread];
    let step = app.schedule().threads[thread].steps.get(at.pc);
    let (heading, style) = heading(app, thread, width);
    let mut lines = vec![heading];

    let running = matches!(at.status, Status::Runnable | Status::Blocked(_));
    if let Some(step) = step.filter(|_| running) {
        let below = rows.saturating_sub(1);
        lines.extend(frames(step, below, width, app.theme().dim(), style));
    }
    lines.truncate(rows.max(1));
    lines
}

/// `A request A (logs): BLOCKED in A4 on I, held by B`, and the style of
/// the status.
fn heading(app: &App, thread: usize, width: usize) -> (Line<'static>, Style) {
    let theme = app.theme();
    let at = app.state().threads[thread];
    let info = &app.schedule().threads[thread];
    let (status, style) = match (at.status, info.steps.get(at.pc)) {
        (Status::Finished, _) | (_, None) => ("finished".to_owned(), theme.good()),
        (Status::NotStarted, _) => ("not started yet".to_owned(), theme.dim()),
        (Status::Runnable, Some(step)) => (format!("about to run {}", step.id), theme.text()),
        (Status::Blocked(wait), Some(step)) => (blocked(app, wait, step), theme.blocked()),
    };

    let name = format!("{} {}", info.id, info.name);
    let name_width = width.saturating_sub(2).min(text::width(&name));
    let status_width = width.saturating_sub(name_width + 2);
    let line = Line::from(vec![
        Span::styled(fit(&name, name_width), theme.title()),
        Span::raw(": "),
        Span::styled(fit(&status, status_width), style),
    ]);
    (line, style)
}

/// "BLOCKED in A4 on I, held by B", or the join it waits in.
fn blocked(app: &App, wait: Wait, step: &Step) -> String {
    let schedule = app.schedule();
    match wait {
        Wait::Lock(l) => {
            let holder = app.state().locks[l].holder.map_or(String::new(), |h| {
                format!(", held by {}", schedule.threads[h].id)
            });
            format!("BLOCKED in {} on {}{holder}", step.id, schedule.locks[l].id)
        }
        Wait::Join(t) => format!(
            "BLOCKED in {}: waits for {} to finish",
            step.id, schedule.threads[t].id
        ),
    }
}

/// The innermost frames that fit in `rows`, outermost first, then the
/// step's own line; an elision line says how many outer frames are left
/// out.
fn frames(step: &Step, rows: usize, width: usize, frame: Style, here: Style) -> Vec<Line<'static>> {
    if rows == 0 {
        return Vec::new();
    }

    // One row for the step itself; the frames share the rest.
    let fit_frames = rows - 1;
    let (hidden, shown) = if step.stack.len() > fit_frames {
        let shown = fit_frames.saturating_sub(1);
        (step.stack.len() - shown, shown)
    } else {
        (0, step.stack.len())
    };

    let room = width.saturating_sub(4);
    let mut lines = Vec::with_capacity(rows);
    if hidden > 0 && fit_frames > 0 {
        lines.push(Line::styled(format!("    … {hidden} outer frames"), frame));
    }
    let innermost = &step.stack[step.stack.len() - shown..];
    lines.extend(innermost.iter().map(|f| {
        let text = fit_left(f, room);
        Line::styled(format!("    {text}"), frame)
    }));
    lines.push(Line::from(vec![
        Span::styled("  ▸ ", here),
        Span::styled(fit(&format!("{} {}", step.id, step.text), room), here),
    ]));
    lines
}
