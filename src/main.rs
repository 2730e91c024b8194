//! The `lockstep` command line: parse the arguments, load the schedule,
//! dispatch to a front end, print, and map the result to an exit code.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use lockstep::explore::{self, ExploreError, Limits, Progress};
use lockstep::real::{self, RealOutcome};
use lockstep::record::{self, Delay, Format, RecordError, Size};
use lockstep::schedule::{self, Diagnostic, LoadError, Schedule, Style};
use lockstep::sim::{self, LockOrder, Model, Outcome, PatchMode, Run, report};

/// A terminal lab for thread schedules and deadlocks.
#[derive(Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A schedule to open in the TUI (default: the built-in App Engine one).
    file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Open a schedule in the TUI.
    Tui {
        /// The schedule (default: the built-in App Engine one).
        file: Option<PathBuf>,
    },
    /// Run one order headless and print the trace and the outcome.
    Replay(ReplayArgs),
    /// Explore every execution: counts, the shortest deadlock, drops.
    Explore(ExploreArgs),
    /// Record a demo: an asciicast (.cast), one frame as a picture (.svg)
    /// or a report (.md).
    Record(RecordArgs),
    /// Validate schedule files.
    Check {
        /// The files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The child side of `replay --real`: reads its request on stdin.
    #[command(name = real::CHILD_SUBCOMMAND, hide = true)]
    RealChild,
}

#[derive(Args)]
struct ReplayArgs {
    /// The schedule file.
    file: PathBuf,
    /// Use the patched handler.
    #[arg(long)]
    patched: bool,
    /// The order to run instead of the file's: step ids, comma-separated.
    #[arg(long, value_name = "A1,A2,…")]
    order: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also run the order on real OS threads holding real locks, and show
    /// it beside the model's run.
    #[arg(long)]
    real: bool,
}

#[derive(Args)]
struct RecordArgs {
    /// The schedule file.
    file: PathBuf,
    /// Use the patched handler.
    #[arg(long)]
    patched: bool,
    /// The order to run instead of the file's: step ids, comma-separated.
    #[arg(long, value_name = "A1,A2,…")]
    order: Option<String>,
    /// The file to write; its extension picks the format: .cast, .svg or .md.
    #[arg(long, value_name = "FILE", value_parser = output_file)]
    out: OutputFile,
    /// The terminal size of a .cast or .svg [default: 100x30].
    #[arg(long, value_name = "WIDTHxHEIGHT")]
    size: Option<Size>,
    /// Seconds between the frames of a .cast [default: 1.5].
    #[arg(long, value_name = "SECONDS")]
    delay: Option<Delay>,
    /// The position an .svg shows: 0 is before the first event
    /// [default: the end of the run].
    #[arg(long, value_name = "N")]
    at: Option<usize>,
}

/// An output file whose extension names a format.
#[derive(Debug, Clone)]
struct OutputFile {
    path: PathBuf,
    format: Format,
}

fn output_file(text: &str) -> Result<OutputFile, RecordError> {
    let path = PathBuf::from(text);
    let format = Format::of_path(&path)?;
    Ok(OutputFile { path, format })
}

#[derive(Args)]
struct ExploreArgs {
    /// The schedule file.
    file: PathBuf,
    /// Use the patched handler.
    #[arg(long)]
    patched: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Stop after this many distinct states (exit code 1, or 3 when a
    /// deadlock was found before the limit).
    #[arg(long, value_name = "N", default_value_t = explore::DEFAULT_MAX_STATES)]
    max_states: u64,
}

/// The exit codes of DESIGN §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    Finished = 0,
    Other = 1,
    BadInput = 2,
    Deadlock = 3,
    Stuck = 4,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => tui(cli.file.as_deref()),
        Some(Command::Tui { file }) => tui(file.as_deref()),
        Some(Command::Replay(args)) => replay(&args),
        Some(Command::Explore(args)) => explore(&args),
        Some(Command::Record(args)) => record_demo(&args),
        Some(Command::Check { files }) => Ok(check(&files)),
        Some(Command::RealChild) => real::run_child(),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("lockstep: {error:#}");
            Exit::Other.into()
        }
    }
}

/// Opens the TUI on `file`, or on the built-in schedule. A file that does
/// not load, or whose order does not run, is reported before the screen
/// is taken over.
fn tui(file: Option<&Path>) -> anyhow::Result<Exit> {
    let (schedule, text) = match file {
        Some(path) => match load(path) {
            Some(loaded) => loaded,
            None => return Ok(Exit::BadInput),
        },
        None => (schedule::built_in(), schedule::BUILT_IN.to_owned()),
    };
    let path = file.unwrap_or(Path::new(schedule::BUILT_IN_NAME));
    let source = OrderSource::File { path, text: &text };
    if run_order(&schedule, &source, PatchMode::Off).is_none() {
        return Ok(Exit::BadInput);
    }
    lockstep::tui::run(schedule, file.map(Path::to_owned))?;
    Ok(Exit::Finished)
}

fn replay(args: &ReplayArgs) -> anyhow::Result<Exit> {
    let Some((schedule, run)) = load_and_run(&args.file, args.order.as_deref(), args.patched)
    else {
        return Ok(Exit::BadInput);
    };
    if args.real {
        return replay_real(args, &schedule, &run);
    }
    let from_programs = LockOrder::from_programs(&Model::new(&schedule), run.patch);
    if args.json {
        let value = report::json(&schedule, &run, &from_programs);
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!("{}", report::text(&schedule, &run, &from_programs));
    }
    Ok(exit_for(&run.outcome))
}

/// Writes a demo of one run. The recording is the product, so a run that
/// deadlocks still exits 0 once the file is written.
fn record_demo(args: &RecordArgs) -> anyhow::Result<Exit> {
    let format = args.out.format;
    if let Some(unused) = unused_option(args, format) {
        eprintln!("lockstep: {unused}");
        return Ok(Exit::BadInput);
    }
    let Some((mut schedule, run)) = load_and_run(&args.file, args.order.as_deref(), args.patched)
    else {
        return Ok(Exit::BadInput);
    };
    let patch = run.patch;
    if let Some(order) = &args.order {
        schedule.order = parse_order(order);
    }

    let options = record::Options {
        format,
        size: args.size.unwrap_or_default(),
        delay: args.delay.unwrap_or_default(),
        at: args.at,
    };
    let bytes = match lockstep::tui::recording::record(&schedule, Some(&args.file), patch, &options)
    {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("lockstep: {error}");
            return Ok(Exit::BadInput);
        }
    };
    let out = &args.out.path;
    schedule::write_atomic(out, bytes.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "wrote {} ({} events, {})",
        out.display(),
        run.events.len(),
        run.outcome.name()
    );
    Ok(Exit::Finished)
}

/// An option given that the output's format has no use for, in words.
fn unused_option(args: &RecordArgs, format: Format) -> Option<&'static str> {
    match format {
        Format::Cast if args.at.is_some() => {
            Some("--at picks the frame of an .svg; a .cast has every frame")
        }
        Format::Svg if args.delay.is_some() => {
            Some("--delay sets the time between frames of a .cast; an .svg is one frame")
        }
        Format::Markdown if args.size.is_some() || args.delay.is_some() || args.at.is_some() => {
            Some("--size, --delay and --at are for .cast and .svg; a .md report has no frames")
        }
        _ => None,
    }
}

/// Loads `file` and runs its order, or `order` from the command line, with
/// the patch if `patched`; `None` after printing why not (bad input).
fn load_and_run(file: &Path, order: Option<&str>, patched: bool) -> Option<(Schedule, Run)> {
    let (schedule, text) = load(file)?;
    if patched && !has_patch(file, &schedule) {
        return None;
    }
    let source = match order {
        Some(order) => OrderSource::Flag(order),
        None => OrderSource::File {
            path: file,
            text: &text,
        },
    };
    let run = run_order(&schedule, &source, PatchMode::from_flag(patched))?;
    Some((schedule, run))
}

/// False, after saying so, when `--patched` has no patch to turn on.
fn has_patch(file: &Path, schedule: &Schedule) -> bool {
    if schedule.patch.is_some() {
        return true;
    }
    eprintln!(
        "lockstep: {} has no `patch`, so --patched has nothing to turn on",
        file.display()
    );
    eprintln!("  drop --patched, or add `patch: Some(Patch(…))` to the schedule");
    false
}

/// Replays the order on real threads and prints it beside the model's run.
/// The exit code is the outcome's when both agree, and 1 when they do not:
/// then neither outcome can be trusted.
fn replay_real(args: &ReplayArgs, schedule: &Schedule, run: &Run) -> anyhow::Result<Exit> {
    let order = args
        .order
        .as_deref()
        .map_or_else(|| schedule.order.clone(), parse_order);
    let options = real::Options::default();
    let real = real::replay_in_child(schedule, run.patch, &order, &options)
        .context("the replay on real threads failed")?;
    let agreement = real::compare(run, &real);
    if args.json {
        let from_programs = LockOrder::from_programs(&Model::new(schedule), run.patch);
        let mut value = report::json(schedule, run, &from_programs);
        real::report::add_json(&mut value, schedule, &real, &agreement);
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!("{}", real::report::text(schedule, run, &real, &agreement));
    }
    if !agreement.agrees() {
        eprintln!(
            "lockstep: the run on real threads does not agree with the model; \
             the schedule and this output make a bug report"
        );
        return Ok(Exit::Other);
    }
    Ok(exit_for_real(&real.outcome))
}

/// Where the order to run comes from, to point errors at it.
enum OrderSource<'a> {
    /// The `order` of the schedule file.
    File { path: &'a Path, text: &'a str },
    /// An `--order` value.
    Flag(&'a str),
}

/// Runs the order; prints the diagnostic and returns `None` if it is not
/// valid.
fn run_order(schedule: &Schedule, source: &OrderSource<'_>, patch: PatchMode) -> Option<Run> {
    let ids = match source {
        OrderSource::Flag(text) => parse_order(text),
        OrderSource::File { .. } => schedule.order.clone(),
    };
    let result = sim::resolve_order(schedule, &ids)
        .and_then(|order| sim::run(schedule, &Model::new(schedule), patch, &order));
    let invalid = match result {
        Ok(run) => return Some(run),
        Err(invalid) => invalid,
    };
    let diagnostic = match source {
        OrderSource::File { path, text } => {
            *schedule::located(&path.display().to_string(), text, invalid)
        }
        OrderSource::Flag(text) => Diagnostic {
            file: "--order".to_owned(),
            source: (*text).to_owned(),
            span: order_span(text, &invalid.path),
            message: invalid.message,
            label: invalid.label,
            help: invalid.help,
        },
    };
    report_diagnostic(&diagnostic);
    None
}

/// The step ids of an `--order` value.
fn parse_order(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The bytes of entry `order[i]` of an `--order` value.
fn order_span(text: &str, path: &[schedule::locate::Key<'_>]) -> std::ops::Range<usize> {
    let Some(schedule::locate::Key::Index(wanted)) = path.get(1) else {
        return 0..text.len();
    };
    let mut start = 0;
    let mut index = 0;
    for part in text.split(',') {
        let trimmed = part.trim();
        if !trimmed.is_empty() {
            if index == *wanted {
                let lead = part.len() - part.trim_start().len();
                return start + lead..start + lead + trimmed.len();
            }
            index += 1;
        }
        start += part.len() + 1;
    }
    0..text.len()
}

fn check(files: &[PathBuf]) -> Exit {
    let mut worst = Exit::Finished;
    for file in files {
        match load(file) {
            Some((schedule, _)) => println!("{}: ok ({})", file.display(), schedule.title),
            None => worst = Exit::BadInput,
        }
    }
    worst
}

/// Loads a schedule and its text, printing the diagnostic on failure.
fn load(path: &Path) -> Option<(Schedule, String)> {
    match schedule::load_with_text(path) {
        Ok(loaded) => Some(loaded),
        Err(LoadError::Invalid(diagnostic)) => {
            report_diagnostic(&diagnostic);
            None
        }
        Err(error @ LoadError::Io { .. }) => {
            eprintln!("lockstep: {error}");
            eprintln!("  check the path, or run `lockstep` for the built-in schedule");
            None
        }
    }
}

fn report_diagnostic(diagnostic: &Diagnostic) {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let style = if colour { Style::Colour } else { Style::Plain };
    eprintln!("{}", diagnostic.render(style));
}

fn exit_for_real(outcome: &RealOutcome) -> Exit {
    match outcome {
        RealOutcome::Finished => Exit::Finished,
        RealOutcome::Deadlock { .. } => Exit::Deadlock,
        RealOutcome::Stuck { .. } => Exit::Stuck,
    }
}

fn exit_for(outcome: &Outcome) -> Exit {
    match outcome {
        Outcome::Finished => Exit::Finished,
        Outcome::Deadlock { .. } => Exit::Deadlock,
        Outcome::Stuck { .. } => Exit::Stuck,
    }
}

fn explore(args: &ExploreArgs) -> anyhow::Result<Exit> {
    let Some((schedule, _)) = load(&args.file) else {
        return Ok(Exit::BadInput);
    };
    if args.patched && schedule.patch.is_none() {
        eprintln!(
            "lockstep: {} has no `patch`, so --patched has nothing to turn on",
            args.file.display()
        );
        return Ok(Exit::BadInput);
    }
    let progress = Arc::new(Progress::default());
    cancel_on_ctrl_c(&progress)?;
    let limits = Limits {
        max_states: args.max_states,
        progress: Some(Arc::clone(&progress)),
    };
    let patch = PatchMode::from_flag(args.patched);
    let result = with_progress(&progress, || explore::explore(&schedule, patch, &limits));
    match result {
        Ok(summary) => {
            if args.json {
                println!("{}", explore::report::json(&schedule, &summary));
            } else {
                print!("{}", explore::report::text(&schedule, &summary));
            }
            Ok(if summary.deadlock_reachable() {
                Exit::Deadlock
            } else {
                Exit::Finished
            })
        }
        Err(error) => Ok(explore_stopped(&schedule, &error, args.json)),
    }
}

/// Reports a search that stopped early. A deadlock found before the stop
/// is certainly reachable: exit code 3; otherwise nothing is known: 1.
fn explore_stopped(schedule: &Schedule, error: &ExploreError, json: bool) -> Exit {
    if json {
        println!("{}", explore::report::stopped_json(schedule, error));
    }
    eprint!(
        "lockstep: {}",
        explore::report::stopped_text(schedule, error)
    );
    match error {
        ExploreError::Limit { partial, .. } | ExploreError::Cancelled { partial }
            if partial.deadlock.is_some() =>
        {
            Exit::Deadlock
        }
        _ => Exit::Other,
    }
}

/// The first Ctrl-C cancels the search, which then reports what it found;
/// a second one quits at once.
fn cancel_on_ctrl_c(progress: &Arc<Progress>) -> anyhow::Result<()> {
    let progress = Arc::clone(progress);
    ctrlc::set_handler(move || {
        if progress.is_cancelled() {
            std::process::exit(Exit::Other as i32);
        }
        progress.cancel();
    })
    .context("cannot watch for Ctrl-C")
}

/// Runs `search` while another thread shows its progress on stderr, once a
/// second from the first second on (never on stdout: it may be JSON).
fn with_progress<T>(progress: &Progress, search: impl FnOnce() -> T) -> T {
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || show_progress(progress, &finished));
        let result = search();
        drop(done);
        result
    })
}

fn show_progress(progress: &Progress, finished: &mpsc::Receiver<()>) {
    let terminal = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut shown = false;
    while finished.recv_timeout(Duration::from_secs(1)) == Err(mpsc::RecvTimeoutError::Timeout) {
        let line = format!(
            "exploring: {} states, level {} of at most {}, {} s{}",
            explore::grouped(u128::from(progress.states())),
            progress.level(),
            progress.levels(),
            started.elapsed().as_secs(),
            if progress.is_cancelled() {
                ", stopping"
            } else {
                "; Ctrl-C stops"
            },
        );
        if terminal {
            eprint!("\r\x1b[K{line}");
        } else {
            eprintln!("{line}");
        }
        shown = true;
    }
    if shown && terminal {
        eprint!("\r\x1b[K");
    }
}
