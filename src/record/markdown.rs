//! The Markdown report: a run written for an issue tracker.
//!
//! It holds what a reader of a bug report needs without running anything:
//! the title and description, the locks, the order as a table with one
//! column per thread, the outcome with the wait-for chain, the stacks of the
//! blocked threads, the records emitted and dropped, the lock-order
//! inversions, and one line on what the other mode (patched or not) does
//! with the same order. The words come from [`crate::sim::report`], so the
//! report says what `lockstep replay` says.

use std::fmt::Write as _;

use crate::schedule::{Invalid, LockKind, Schedule};
use crate::sim::report::{self, Record};
use crate::sim::{self, LockOrder, Model, Outcome, PatchMode, Run, State, Status, StepRef};

/// The report of running `order` on `schedule` with `patch`.
///
/// # Errors
///
/// An [`Invalid`] at `order[i]` if the order breaks the order rules.
pub fn report(schedule: &Schedule, order: &[StepRef], patch: PatchMode) -> Result<String, Invalid> {
    let model = Model::new(schedule);
    let run = sim::run(schedule, &model, patch, order)?;
    let other = sim::run(schedule, &model, patch.toggled(), order);

    let sections = [
        heading(schedule, &run),
        locks(schedule),
        order_table(schedule, &run),
        outcome(schedule, &run.outcome),
        blocked_stacks(schedule, &run.state),
        records(schedule, &run),
        inversions(schedule, &model, &run),
        other_mode(schedule, &other, patch.toggled()),
    ];
    Ok(sections.join("\n"))
}

/// The title, the description, the mode and the outcome in one line.
fn heading(schedule: &Schedule, run: &Run) -> String {
    let mut out = format!("# {}\n\n", escape(&schedule.title));
    if !schedule.description.is_empty() {
        let _ = write!(out, "{}\n\n", escape(&schedule.description));
    }
    let _ = writeln!(
        out,
        "**Mode:** {} · **Outcome:** {} · **Events:** {}",
        mode_words(schedule, run.patch),
        run.outcome.name(),
        run.events.len()
    );
    out
}

/// `unpatched` or `patched`, naming the patch when there is one.
fn mode_words(schedule: &Schedule, patch: PatchMode) -> String {
    match (&schedule.patch, patch) {
        (None, _) => "unpatched (the schedule has no patch)".to_owned(),
        (Some(p), PatchMode::Off) => format!("unpatched ({} off)", escape(&p.name)),
        (Some(p), PatchMode::On) => format!("patched ({} on)", escape(&p.name)),
    }
}

fn locks(schedule: &Schedule) -> String {
    let mut out = "## Locks\n\n| lock | name | kind |\n|---|---|---|\n".to_owned();
    for lock in &schedule.locks {
        let kind = match lock.kind {
            LockKind::Reentrant => "reentrant",
            LockKind::Plain => "plain",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {kind} |",
            escape(&lock.id),
            escape(&lock.name)
        );
    }
    out
}

/// The run as a table: one row per event, one column per thread; a cell
/// holds what the thread did and, under it, the text of its step.
fn order_table(schedule: &Schedule, run: &Run) -> String {
    let mut out = "## Order\n\n| # |".to_owned();
    for thread in &schedule.threads {
        let _ = write!(out, " {} {} |", escape(&thread.id), escape(&thread.name));
    }
    out.push_str("\n|---:|");
    out.push_str(&"---|".repeat(schedule.threads.len()));
    out.push('\n');

    for (i, event) in run.events.iter().enumerate() {
        let auto = if event.auto { " auto" } else { "" };
        let _ = write!(out, "| {}{auto} |", i + 1);
        for (t, cell) in report::event_cells(schedule, event).iter().enumerate() {
            let _ = write!(out, " {} |", table_cell(schedule, t, event, cell));
        }
        out.push('\n');
    }

    if run.events.iter().any(|e| e.auto) {
        out.push_str(
            "\nRows marked *auto* ran by the default policy once the order was used up:\n\
             the thread that moved last keeps running while it can, else the first\n\
             runnable thread.\n",
        );
    }
    out
}

/// One cell of the order table: the event text, then the step's own text
/// on a second line for the thread that moved.
fn table_cell(schedule: &Schedule, t: usize, event: &sim::Event, cell: &str) -> String {
    if t != event.thread || cell.is_empty() {
        return escape(cell);
    }
    let text = &schedule.threads[t].steps[event.step].text;
    if text.is_empty() {
        return escape(cell);
    }
    format!("{}<br>*{}*", escape(cell), escape(text))
}

/// The outcome, with the wait-for chain of a deadlock or the reason a run
/// is stuck, as a thread dump would print it.
fn outcome(schedule: &Schedule, outcome: &Outcome) -> String {
    let mut out = format!("## Outcome: {}\n\n", outcome.name());
    match outcome {
        Outcome::Finished => out.push_str("Every thread finished.\n"),
        Outcome::Deadlock { chain } => {
            out.push_str("No thread can move. The wait-for chain:\n\n");
            let lines: Vec<String> = chain
                .iter()
                .map(|link| report::link_text(schedule, link))
                .collect();
            out.push_str(&code_block(&lines));
        }
        Outcome::Stuck { reason, .. } => {
            out.push_str("The run stopped early:\n\n");
            out.push_str(&code_block(std::slice::from_ref(reason)));
        }
    }
    out
}

/// Each blocked thread at the end of the run: what it waits for, the step
/// it waits in, and that step's call stack, outermost frame first.
fn blocked_stacks(schedule: &Schedule, state: &State) -> String {
    let mut out = "## Stacks of the blocked threads\n".to_owned();
    let blocked: Vec<usize> = (0..state.threads.len())
        .filter(|&t| matches!(state.threads[t].status, Status::Blocked(_)))
        .collect();
    if blocked.is_empty() {
        out.push_str("\nNo thread is blocked.\n");
    }
    for t in blocked {
        let thread = &schedule.threads[t];
        let step = &thread.steps[state.threads[t].pc];
        let _ = writeln!(
            out,
            "\n### {} {}\n\nAt {} (*{}*): {}.",
            escape(&thread.id),
            escape(&thread.name),
            escape(&step.id),
            escape(&step.text),
            escape(&sim::why_not(schedule, state, t)),
        );
        if step.stack.is_empty() {
            out.push_str("\nThe schedule gives no stack for this step.\n");
        } else {
            out.push_str("\nStack, outermost frame first:\n\n");
            out.push_str(&code_block(&step.stack));
        }
    }
    out
}

fn records(schedule: &Schedule, run: &Run) -> String {
    let mut out = "## Records\n\n".to_owned();
    out.push_str(&record_list(
        schedule,
        "Emitted",
        &report::emitted(schedule, &run.events),
    ));
    out.push('\n');
    out.push_str(&record_list(
        schedule,
        "Dropped",
        &report::dropped(schedule, &run.events),
    ));
    out
}

/// A titled list of records, `A2 (A): "message"` each.
fn record_list(schedule: &Schedule, title: &str, list: &[Record<'_>]) -> String {
    if list.is_empty() {
        return format!("{title}: none.\n");
    }
    let mut out = format!("{title}:\n\n");
    for record in list {
        let _ = writeln!(
            out,
            "- {} ({}): \"{}\"",
            escape(report::step_id(schedule, record.thread, record.step)),
            escape(&schedule.threads[record.thread].id),
            escape(record.message)
        );
    }
    out
}

/// The lock-order cycles of this run and of the programs.
fn inversions(schedule: &Schedule, model: &Model, run: &Run) -> String {
    let mut out = "## Lock-order inversions\n\n".to_owned();
    out.push_str(
        "An edge X → Y means a thread acquired Y while holding X.\n\
         A cycle means a deadlock is possible, even if this run finished.\n\n",
    );
    let this_run = LockOrder::from_events(&run.events).inversions();
    out.push_str(&inversion_list(schedule, "In this run", &this_run));
    out.push('\n');
    let programs = LockOrder::from_programs(model, run.patch).inversions();
    out.push_str(&inversion_list(
        schedule,
        "In the programs, each thread run alone",
        &programs,
    ));
    out
}

fn inversion_list(schedule: &Schedule, title: &str, cycles: &[Vec<sim::OrderEdge>]) -> String {
    if cycles.is_empty() {
        return format!("{title}: none.\n");
    }
    let mut out = format!("{title}:\n\n");
    for cycle in cycles {
        let text = report::inversion_text(schedule, cycle);
        let _ = writeln!(out, "- {}", escape(&text));
    }
    out
}

/// One line on the same order in the other mode.
fn other_mode(schedule: &Schedule, other: &Result<Run, Invalid>, mode: PatchMode) -> String {
    let title = match mode {
        PatchMode::On => "## Patched",
        PatchMode::Off => "## Unpatched",
    };
    let Some(patch) = &schedule.patch else {
        return format!("{title}\n\nThe schedule has no patch to compare with.\n");
    };
    let mode = match mode {
        PatchMode::On => format!("With {} on", escape(&patch.name)),
        PatchMode::Off => format!("With {} off", escape(&patch.name)),
    };
    let line = match other {
        Ok(run) => format!("{mode}, the same order {}.", other_result(schedule, run)),
        Err(invalid) => format!(
            "{mode}, the same order is not valid: {}.",
            escape(&invalid.message)
        ),
    };
    format!("{title}\n\n{line}\n")
}

/// How a run ended and what it dropped, as the end of a sentence:
/// `deadlocks and drops no record: A waits for I …`.
fn other_result(schedule: &Schedule, run: &Run) -> String {
    let (verb, detail) = match &run.outcome {
        Outcome::Finished => ("finishes", String::new()),
        Outcome::Deadlock { chain } => {
            let links: Vec<String> = chain
                .iter()
                .map(|link| report::link_text(schedule, link))
                .collect();
            ("deadlocks", format!(": {}", escape(&links.join("; "))))
        }
        Outcome::Stuck { reason, .. } => ("is stuck", format!(": {}", escape(reason))),
    };
    let records: Vec<String> = report::dropped(schedule, &run.events)
        .iter()
        .map(|r| {
            let id = report::step_id(schedule, r.thread, r.step);
            format!("{} \"{}\"", escape(id), escape(r.message))
        })
        .collect();
    let drops = match records.len() {
        0 => "drops no record".to_owned(),
        1 => format!("drops 1 record ({})", records[0]),
        n => format!("drops {n} records ({})", records.join(", ")),
    };
    format!("{verb} and {drops}{detail}")
}

/// Lines in a fenced block, with a fence longer than any run of backticks
/// in them so that no line can close it.
fn code_block(lines: &[String]) -> String {
    let longest = lines.iter().map(|l| longest_backtick_run(l)).max();
    let fence = "`".repeat(longest.unwrap_or(0).max(2) + 1);
    let mut out = format!("{fence}text\n");
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

fn longest_backtick_run(line: &str) -> usize {
    line.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Text from the schedule made inert: Markdown punctuation is escaped so
/// that a name like `__init__` or a message with `|` reads as written and
/// cannot break a table; line breaks become spaces.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::parse;

    fn report_of(file: &str, text: &str, patch: PatchMode) -> String {
        let schedule = parse(file, text.as_bytes()).expect("a shipped schedule is valid");
        let order = sim::resolve_order(&schedule, &schedule.order).expect("its order is valid");
        report(&schedule, &order, patch).expect("the order runs")
    }

    #[test]
    fn the_two_locks_report_reads_as_checked_by_hand() {
        let text = include_str!("../../schedules/two-locks.ron");
        let description = "Thread P takes X then Y; thread Q takes Y then X. If each takes \
            its first lock before the other takes its second, both wait forever. Any run shows \
            the inversion X -\\> Y -\\> X in the lock-order graph, even one that finishes.";
        let mode = "**Mode:** unpatched (the schedule has no patch) · \
            **Outcome:** deadlock · **Events:** 4";
        let expected = format!(
            "# Two locks taken in opposite orders\n\n{description}\n\n{mode}\n\n{}",
            r"## Locks

| lock | name | kind |
|---|---|---|
| X | lock X | plain |
| Y | lock Y | plain |

## Order

| # | P thread P | Q thread Q |
|---:|---|---|
| 1 | P1 acquire X<br>*lock X* |  |
| 2 |  | Q1 acquire Y<br>*lock Y* |
| 3 | P2 acquire Y: blocked<br>*lock Y* |  |
| 4 |  | Q2 acquire X: blocked<br>*lock X* |

## Outcome: deadlock

No thread can move. The wait-for chain:

```text
P waits for Y (lock Y), held by Q
Q waits for X (lock X), held by P
```

## Stacks of the blocked threads

### P thread P

At P2 (*lock Y*): P waits for Y, held by Q.

The schedule gives no stack for this step.

### Q thread Q

At Q2 (*lock X*): Q waits for X, held by P.

The schedule gives no stack for this step.

## Records

Emitted: none.

Dropped: none.

## Lock-order inversions

An edge X → Y means a thread acquired Y while holding X.
A cycle means a deadlock is possible, even if this run finished.

In this run:

- X → Y (P at P2), Y → X (Q at Q2)

In the programs, each thread run alone:

- X → Y (P at P2), Y → X (Q at Q2)

## Patched

The schedule has no patch to compare with.
"
        );
        assert_eq!(report_of("two-locks.ron", text, PatchMode::Off), expected);
    }

    #[test]
    fn the_patched_app_engine_report_lists_the_drop_and_the_unpatched_deadlock() {
        let text = include_str!("../../schedules/appengine.ron");
        let report = report_of("appengine.ron", text, PatchMode::On);
        let has = |line: &str| report.lines().any(|l| l == line);

        assert!(has(
            "**Mode:** patched (log\\_bug\\_patch on) · **Outcome:** finished · **Events:** 11"
        ));
        assert!(has(
            "| 7 |  | B3 try H: DROP, skips B4–B5<br>*Handler.handle acquires H* |"
        ));
        assert!(has(
            "| 8 auto | (A4 gets I) | B6 release I<br>*the import finishes* |"
        ));
        assert!(has("No thread is blocked."));
        assert!(has("- B4 (B): \"hooks installed\""));
        assert!(has("In this run: none."));
        assert!(has(
            "With log\\_bug\\_patch off, the same order deadlocks and drops no record: \
             A waits for I (import lock), held by B; B waits for H (logging.Handler lock), \
             held by A."
        ));
    }

    #[test]
    fn the_unpatched_app_engine_report_shows_the_stacks_of_both_threads() {
        let text = include_str!("../../schedules/appengine.ron");
        let report = report_of("appengine.ron", text, PatchMode::Off);
        let stacks = report
            .split("## Stacks of the blocked threads")
            .nth(1)
            .and_then(|rest| rest.split("## Records").next())
            .expect("a stacks section");

        assert!(stacks.contains("### A request A (logs)\n\nAt A4 "));
        assert!(stacks.contains("### B request B (imports)\n\nAt B3 "));
        assert!(
            stacks
                .contains("logservice/logservice.py:382 _flush\ngroup.lengthString (Cython)\n```")
        );
        assert!(stacks.contains("logging/__init__.py:708 acquire\nthreading.py:174 acquire\n```"));
        assert!(report.ends_with(
            "With log\\_bug\\_patch on, the same order finishes and drops 1 record \
             (B4 \"hooks installed\").\n"
        ));
    }

    #[test]
    fn an_order_invalid_in_the_other_mode_is_said_so() {
        let text = include_str!("../../schedules/appengine.ron");
        let schedule = parse("appengine.ron", text.as_bytes()).expect("valid");
        // B4 and B5 were skipped by the drop, so the patched order may leave them out.
        let ids: Vec<String> = ["A1", "A2", "B1", "A3", "A4", "B2", "B3", "B6"]
            .map(str::to_owned)
            .into();
        let order = sim::resolve_order(&schedule, &ids).expect("a valid patched order");
        let report = report(&schedule, &order, PatchMode::On).expect("runs patched");
        let last = report.lines().last().expect("a last line");
        assert_eq!(
            last,
            "With log\\_bug\\_patch off, the same order is not valid: \
             the order runs \\`B6\\` before \\`B4\\`."
        );
    }

    #[test]
    fn escaping_keeps_tables_and_code_blocks_intact() {
        assert_eq!(
            escape("a|b __init__ <m> *x*"),
            "a\\|b \\_\\_init\\_\\_ \\<m\\> \\*x\\*"
        );
        assert_eq!(escape("two\nlines"), "two lines");
        let block = code_block(&["a ``` b".to_owned()]);
        assert_eq!(block, "````text\na ``` b\n````\n");
        assert_eq!(code_block(&["plain".to_owned()]), "```text\nplain\n```\n");
    }
}
