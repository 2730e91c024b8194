//! The two bottom lines: the status (the last action's message, or what
//! happens next) and the keys, generated from the key table.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget as _;

use super::text::{fit, width};
use crate::sim::{Outcome, report};
use crate::tui::app::{Action, App, Tone};
use crate::tui::keys::{self, Context};

/// Draws the status line.
pub fn render_status(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let room = usize::from(area.width).saturating_sub(2);
    let line = match app.status() {
        Some(status) => {
            let (mark, style) = match status.tone {
                Tone::Done => ("✓ ", theme.good()),
                Tone::Refused => ("✗ ", theme.warning()),
            };
            Line::from(vec![
                Span::styled(mark, style),
                Span::styled(fit(&status.text, room), style),
            ])
        }
        None => Line::from(vec![
            Span::styled("» ", theme.dim()),
            Span::styled(fit(&hint(app), room), theme.dim()),
        ]),
    };
    line.render(area, buf);
}

/// What to look at or do next, when the last action had nothing to say.
fn hint(app: &App) -> String {
    let timeline = app.timeline();
    if let Some(row) = timeline
        .rows
        .get(app.position())
        .filter(|_| app.position() < app.event_count())
    {
        let step = &app.schedule().threads[row.step.thread].steps[row.step.step];
        let keys = keys::labels_for(Context::Main, &Action::StepForward);
        return format!("next ({keys}): {}: {}", row.detail, step.text);
    }
    end_hint(app)
}

fn end_hint(app: &App) -> String {
    let schedule = app.schedule();
    let patch = schedule.patch.as_ref().map(|p| p.name.as_str());
    match (&app.run().outcome, patch, app.patch().is_on()) {
        (Outcome::Deadlock { .. }, Some(name), false) => {
            let patch = keys::label_for(Context::Main, &Action::TogglePatch);
            format!(
                "deadlock: no thread can move. \
                 Press {patch} to run the same order with {name}"
            )
        }
        (Outcome::Deadlock { .. }, _, _) => {
            let earlier = keys::label_for(Context::Main, &Action::MoveEarlier);
            let later = keys::label_for(Context::Main, &Action::MoveLater);
            let run = keys::run_thread_label();
            let undo = keys::label_for(Context::Main, &Action::Undo);
            format!(
                "deadlock: no thread can move. Reorder with {earlier}/{later} or {run}, \
                 or press {undo} to undo"
            )
        }
        (Outcome::Finished, _, true) => {
            let lost = report::dropped(schedule, &app.run().events).len();
            match lost {
                0 => "finished with the patch on, and no record was lost".to_owned(),
                1 => "finished, but the patch dropped a record: see the log".to_owned(),
                n => format!("finished, but the patch dropped {n} records: see the log"),
            }
        }
        (Outcome::Finished, _, false) => {
            let start = keys::label_for(Context::Main, &Action::JumpStart);
            format!("finished: every thread ended. Press {start} to go back to the start")
        }
        (Outcome::Stuck { reason, .. }, _, _) => format!("stuck: {reason}"),
    }
}

/// Footer labels shown whatever the width: the way out and the way to
/// learn the rest.
const ESSENTIAL: [&str; 2] = ["help", "quit"];

/// Draws the keys of the current context, as many as fit; help and quit
/// always.
pub fn render_keys(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let items: Vec<(String, &str)> = keys::bindings(app.context())
        .filter_map(|b| b.footer.map(|label| (b.footer_key(), label)))
        .collect();
    let essential = |label: &str| ESSENTIAL.contains(&label);
    let reserved: usize = items
        .iter()
        .filter(|item| essential(item.1))
        .map(item_width)
        .sum();
    let mut room = usize::from(area.width).saturating_sub(reserved);
    let mut spans = Vec::new();
    for item in &items {
        if !essential(item.1) {
            if item_width(item) > room {
                continue;
            }
            room -= item_width(item);
        }
        spans.push(Span::styled(format!(" {} ", item.0), theme.key()));
        spans.push(Span::styled(format!("{} ", item.1), theme.text()));
    }
    Line::from(spans).render(area, buf);
}

fn item_width(item: &(String, &str)) -> usize {
    width(&item.0) + width(item.1) + 3
}
