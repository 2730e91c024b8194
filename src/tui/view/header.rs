//! The header: the title, the file, whether the patch is on, the position,
//! how the run ends and, once replayed, what real threads made of it.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget as _;

use super::log::real_style;
use super::text::{cells, fit};
use crate::schedule::BUILT_IN_NAME;
use crate::sim::Outcome;
use crate::tui::app::App;

/// Draws the header line.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let right = facts(app);
    let right_width = cells(right.width());
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(area);
    title(app, usize::from(left_area.width)).render(left_area, buf);
    right.render(right_area, buf);
}

/// `lockstep  App Engine: … · schedules/appengine.ron`, cut to fit.
fn title(app: &App, width: usize) -> Line<'static> {
    let theme = app.theme();
    let file = app.file().map_or_else(
        || format!("{BUILT_IN_NAME} (built-in)"),
        |f| f.display().to_string(),
    );
    let name = " lockstep ";
    // One cell apart from the facts on the right.
    let rest = width.saturating_sub(name.len() + 2);
    let text = format!("{} · {file}", app.schedule().title);
    Line::from(vec![
        Span::styled(name, theme.badge(Color::Cyan)),
        Span::raw(" "),
        Span::styled(fit(&text, rest), theme.title()),
    ])
}

/// `unsaved │ patch off │ event 3/7 │ ends: deadlock │ real: agrees`,
/// with the model's outcome as a badge once the run is there.
fn facts(app: &App) -> Line<'static> {
    let theme = app.theme();
    let bar = || Span::styled(" │ ", theme.border());
    let position = format!("event {}/{}", app.position(), app.event_count());

    let mut spans = Vec::new();
    if app.is_modified() {
        spans.extend([Span::styled("unsaved", theme.warning()), bar()]);
    }
    spans.extend([
        patch(app),
        bar(),
        Span::styled(position, theme.text()),
        bar(),
        outcome(app),
    ]);
    if let Some(note) = app.real_note() {
        let style = real_style(theme, note.kind);
        spans.extend([bar(), Span::styled(note.short, style)]);
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// `patch off`, or a badge when it is on.
fn patch(app: &App) -> Span<'static> {
    let theme = app.theme();
    match (&app.schedule().patch, app.patch().is_on()) {
        (None, _) => Span::styled("no patch", theme.dim()),
        (Some(p), true) => Span::styled(
            format!(" PATCH ON: {} ", p.name),
            theme.badge(Color::Magenta),
        ),
        (Some(_), false) => Span::styled("patch off", theme.text()),
    }
}

/// How the run ends: quietly before the end, as a badge once there.
fn outcome(app: &App) -> Span<'static> {
    let theme = app.theme();
    let name = app.run().outcome.name();
    if app.position() < app.event_count() {
        return Span::styled(format!("ends: {name}"), theme.dim());
    }
    let colour = match app.run().outcome {
        Outcome::Finished => Color::Green,
        Outcome::Deadlock { .. } => Color::Red,
        Outcome::Stuck { .. } => Color::Yellow,
    };
    Span::styled(format!(" {} ", name.to_uppercase()), theme.badge(colour))
}
