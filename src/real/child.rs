//! The child side of a replay (`lockstep __real-child`): read the request,
//! replay it on real threads, write each event and then the outcome as
//! JSON lines, and exit, which ends any deadlocked threads with it.

use std::io::{self, BufRead as _, Write as _};
use std::process;
use std::thread;
use std::time::Duration;

use super::conductor::{conduct, script};
use super::protocol::{Line, Names, Request, VERSION};
use crate::schedule::{self, Style};
use crate::sim::{self, Model, PatchMode};

/// The exit code of a child that failed or lost its parent.
const EXIT_FAILED: i32 = 1;

/// Runs the child side of a replay and exits the process.
///
/// The request is the first line of stdin. The child then watches stdin:
/// when it closes (the parent is done, or died), the child exits at once,
/// so it never outlives its parent.
pub fn run_child() -> ! {
    let code = match read_request().and_then(|request| {
        watch_stdin()?;
        serve(&request)
    }) {
        Ok(()) => 0,
        Err(message) => {
            emit(&Line::Error { message });
            EXIT_FAILED
        }
    };
    process::exit(code)
}

fn read_request() -> Result<Request, String> {
    let mut line = String::new();
    io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the request on stdin: {e}"))?;
    serde_json::from_str(&line).map_err(|e| {
        format!(
            "the request on stdin is not valid ({e}); \
             this subcommand is run by `lockstep replay --real`"
        )
    })
}

/// Exits the process when stdin reaches its end.
fn watch_stdin() -> Result<(), String> {
    thread::Builder::new()
        .name("lockstep stdin watch".into())
        .spawn(|| {
            let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
            process::exit(EXIT_FAILED);
        })
        .map(drop)
        .map_err(|e| format!("cannot start the thread that watches stdin: {e}"))
}

/// Replays the request, writing the lines as it goes.
fn serve(request: &Request) -> Result<(), String> {
    if request.version != VERSION {
        return Err(format!(
            "the request is protocol version {}, this child speaks {VERSION}: \
             run the same lockstep build as parent and child",
            request.version
        ));
    }
    let schedule = schedule::parse("the replayed schedule", request.schedule.as_bytes())
        .map_err(|diagnostic| diagnostic.render(Style::Plain))?;
    let order = sim::resolve_order(&schedule, &request.order)
        .map_err(|invalid| format!("the order: {}; {}", invalid.message, invalid.help))?;
    let model = Model::new(&schedule);
    let patch = PatchMode::from_flag(request.patched);
    let run = sim::run(&schedule, &model, patch, &order)
        .map_err(|invalid| format!("the order: {}; {}", invalid.message, invalid.help))?;
    let cues = script(&order, &run);
    let names = Names::new(&schedule);
    let grace = Duration::from_millis(request.grace_ms);
    let outcome = conduct(&schedule, model, patch, &cues, grace, |event| {
        emit(&Line::Event(names.event(event)));
    })
    .map_err(|e| format!("the replay on real threads failed: {e}"))?;
    emit(&Line::Outcome(names.outcome(&outcome)));
    Ok(())
}

/// Writes one line and flushes it, so the parent sees each event as it
/// happens. If the parent stopped reading, nobody is left to tell: exit.
fn emit(line: &Line) {
    let text = serde_json::to_string(line).expect("protocol lines are plain data");
    let mut out = io::stdout().lock();
    if writeln!(out, "{text}").and_then(|()| out.flush()).is_err() {
        process::exit(EXIT_FAILED);
    }
}
