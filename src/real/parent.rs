//! The parent side of a replay: start the child, send it the request, read
//! its lines against a hard deadline, and always kill and reap it, so no
//! process or thread is left behind, whatever happens.

use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::protocol::{Line, Names, Request};
use super::{GRACE, RealEvent, RealOutcome, RealRun, TIMEOUT};
use crate::schedule::Schedule;
use crate::sim::PatchMode;

/// The hidden subcommand that runs the child side.
pub const CHILD_SUBCOMMAND: &str = "__real-child";

/// How often a replay waiting for the child's next line looks at its
/// [`Cancel`] switch.
const CANCEL_POLL: Duration = Duration::from_millis(10);

/// How to run a replay on real threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The lockstep executable to start as the child; `None` for the
    /// running one. Tests and benchmarks, which are other executables,
    /// name the built `lockstep` here.
    pub program: Option<PathBuf>,
    /// How long a thread must stay inside a blocking `lock()` to count as
    /// blocked; see [`GRACE`].
    pub grace: Duration,
    /// The hard limit for the whole replay; the child is killed after it.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            program: None,
            grace: GRACE,
            timeout: TIMEOUT,
        }
    }
}

/// A switch that stops a replay early, from another thread: the replay
/// then returns [`RealError::Cancelled`] within a few milliseconds, its
/// child killed and reaped. Clones share the switch.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Stops the replays that watch this switch, now and from now on.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`Cancel::cancel`] has been called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Why a replay on real threads gave no result.
#[derive(Debug, thiserror::Error)]
pub enum RealError {
    /// The running executable could not be found to start as the child.
    #[error("cannot find the running lockstep executable to start the replay child: {0}")]
    CurrentExe(io::Error),
    /// The child could not be started.
    #[error("cannot start the replay child `{}`: {source}", program.display())]
    Spawn {
        /// The executable.
        program: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// A thread to read the child's output could not be started.
    #[error("cannot start a thread to read the replay child: {0}")]
    Thread(io::Error),
    /// Writing the request or reading a line failed.
    #[error("cannot talk to the replay child: {0}")]
    Pipe(io::Error),
    /// The replay took longer than the timeout.
    #[error(
        "the replay on real threads did not end within {} ms ({events} events seen); \
         the child (pid {child}) was killed: try a longer timeout",
        timeout.as_millis()
    )]
    Timeout {
        /// The limit.
        timeout: Duration,
        /// How many events had been read.
        events: usize,
        /// The killed child's process id.
        child: u32,
    },
    /// The replay was cancelled before it ended.
    #[error("the replay on real threads was cancelled; the child (pid {child}) was killed")]
    Cancelled {
        /// The killed child's process id.
        child: u32,
    },
    /// The child exited without writing an outcome.
    #[error(
        "the replay child (pid {child}) ended without an outcome ({status}){}",
        stderr_note(stderr)
    )]
    Ended {
        /// Its process id.
        child: u32,
        /// How it ended.
        status: String,
        /// What it wrote on stderr.
        stderr: String,
    },
    /// A line from the child could not be read.
    #[error("the replay child wrote a line that cannot be read ({problem}): {line}")]
    Protocol {
        /// The line.
        line: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The child could not replay the request.
    #[error("{message}{}", stderr_note(stderr))]
    Child {
        /// What it said failed.
        message: String,
        /// What it wrote on stderr, such as a worker's panic.
        stderr: String,
    },
}

fn stderr_note(stderr: &str) -> String {
    let stderr = stderr.trim();
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// Replays `order` of `schedule` on real threads in a child process and
/// returns what happened. Blocks until the child has reported and has been
/// killed and reaped, or until `options.timeout`; call it from a
/// background thread to keep a user interface responsive.
///
/// The schedule is sent as RON text, so an edited, unsaved one works.
///
/// # Errors
///
/// A [`RealError`] when the child cannot be started, does not finish in
/// time, fails, or cannot replay the order. The child is gone in every
/// case.
pub fn replay_in_child(
    schedule: &Schedule,
    patch: PatchMode,
    order: &[String],
    options: &Options,
) -> Result<RealRun, RealError> {
    replay_until_cancelled(schedule, patch, order, options, &Cancel::default())
}

/// [`replay_in_child`], which also stops when `cancel` is switched: a
/// user interface that quits while a replay runs cancels it, and waits
/// the few milliseconds it takes to kill and reap the child.
///
/// # Errors
///
/// As [`replay_in_child`], and [`RealError::Cancelled`].
pub fn replay_until_cancelled(
    schedule: &Schedule,
    patch: PatchMode,
    order: &[String],
    options: &Options,
    cancel: &Cancel,
) -> Result<RealRun, RealError> {
    let program = match &options.program {
        Some(program) => program.clone(),
        None => std::env::current_exe().map_err(RealError::CurrentExe)?,
    };
    let request = Request::new(schedule, patch, order, options.grace);
    let started = Instant::now();
    let mut child = Supervised::start(&program, &request)?;
    let read = child.read(&Names::new(schedule), started + options.timeout, cancel);
    let ended = child.end();
    let elapsed = started.elapsed();
    let (events, outcome) = read.map_err(|stop| stop.error(child.pid, options.timeout, ended))?;
    Ok(RealRun {
        events,
        outcome,
        child: child.pid,
        elapsed,
        grace: options.grace,
    })
}

/// Why reading stopped before an outcome.
enum Stop {
    Timeout { events: usize },
    Cancelled,
    Eof,
    Child(String),
    Failed(RealError),
}

impl Stop {
    /// The error for a replay that stopped this way; `ended` is how the
    /// child ended.
    fn error(self, child: u32, timeout: Duration, ended: Option<Ended>) -> RealError {
        let (status, stderr) = ended.map_or((None, String::new()), |e| (e.status, e.stderr));
        match self {
            Stop::Timeout { events } => RealError::Timeout {
                timeout,
                events,
                child,
            },
            Stop::Cancelled => RealError::Cancelled { child },
            Stop::Eof => RealError::Ended {
                child,
                status: status.map_or("no exit status".into(), |s| s.to_string()),
                stderr,
            },
            Stop::Child(message) => RealError::Child { message, stderr },
            Stop::Failed(error) => error,
        }
    }
}

/// How the child ended, once reaped.
struct Ended {
    status: Option<ExitStatus>,
    stderr: String,
}

/// A running child with its pipes. Dropping it kills and reaps the child,
/// so an early return or a panic in the parent cannot leave it behind.
struct Supervised {
    child: Child,
    pid: u32,
    /// Kept open while the child runs: the child exits when it closes.
    stdin: Option<ChildStdin>,
    lines: Receiver<io::Result<String>>,
    stdout_reader: Option<JoinHandle<()>>,
    stderr_reader: Option<JoinHandle<String>>,
    /// Set once the child has been killed and reaped.
    reaped: bool,
}

impl Supervised {
    /// Starts the child and writes it the request.
    fn start(program: &Path, request: &Request) -> Result<Self, RealError> {
        let mut child = Command::new(program)
            .arg(CHILD_SUBCOMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| RealError::Spawn {
                program: program.to_owned(),
                source,
            })?;
        let pid = child.id();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let (sender, lines) = mpsc::channel();
        // From here on, dropping `supervised` kills and reaps the child.
        let mut supervised = Supervised {
            child,
            pid,
            stdin,
            lines,
            stdout_reader: None,
            stderr_reader: None,
            reaped: false,
        };
        if let Some(stdout) = stdout {
            let reader = spawn_reader("stdout", move || {
                for line in BufReader::new(stdout).lines() {
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            })?;
            supervised.stdout_reader = Some(reader);
        }
        if let Some(mut stderr) = stderr {
            let reader = spawn_reader("stderr", move || {
                let mut text = String::new();
                let _ = stderr.read_to_string(&mut text);
                text
            })?;
            supervised.stderr_reader = Some(reader);
        }
        supervised.send(request)?;
        Ok(supervised)
    }

    fn send(&mut self, request: &Request) -> Result<(), RealError> {
        let text = serde_json::to_string(request).expect("a request is plain data");
        let stdin = self.stdin.as_mut().expect("stdin is open until the end");
        writeln!(stdin, "{text}")
            .and_then(|()| stdin.flush())
            .map_err(RealError::Pipe)
    }

    /// Reads lines until the outcome, the end of the output, an error,
    /// the deadline, or a cancel.
    fn read(
        &self,
        names: &Names<'_>,
        deadline: Instant,
        cancel: &Cancel,
    ) -> Result<(Vec<RealEvent>, RealOutcome), Stop> {
        let mut events = Vec::new();
        loop {
            let text = self.next_line(deadline, cancel, events.len())?;
            let protocol = |problem: String| {
                let line = text.clone();
                Stop::Failed(RealError::Protocol { line, problem })
            };
            let line: Line = serde_json::from_str(&text).map_err(|e| protocol(e.to_string()))?;
            match line {
                Line::Event(wire) => events.push(names.real_event(&wire).map_err(protocol)?),
                Line::Outcome(wire) => {
                    let outcome = names.real_outcome(&wire).map_err(protocol)?;
                    return Ok((events, outcome));
                }
                Line::Error { message } => return Err(Stop::Child(message)),
            }
        }
    }

    /// Waits for the child's next line, in slices of [`CANCEL_POLL`] so
    /// that a cancel is seen soon; `events` have been read so far.
    fn next_line(&self, deadline: Instant, cancel: &Cancel, events: usize) -> Result<String, Stop> {
        loop {
            if cancel.is_cancelled() {
                return Err(Stop::Cancelled);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left.min(CANCEL_POLL)) {
                Ok(Ok(text)) => return Ok(text),
                Ok(Err(error)) => return Err(Stop::Failed(RealError::Pipe(error))),
                Err(RecvTimeoutError::Timeout) if left > CANCEL_POLL => {}
                Err(RecvTimeoutError::Timeout) => return Err(Stop::Timeout { events }),
                Err(RecvTimeoutError::Disconnected) => return Err(Stop::Eof),
            }
        }
    }

    /// Closes the child's stdin, kills it, reaps it and joins the reader
    /// threads; says how it ended the first time, `None` after that.
    fn end(&mut self) -> Option<Ended> {
        if self.reaped {
            return None;
        }
        self.reaped = true;
        self.stdin = None;
        // It may have exited already; killing it then is harmless.
        let _ = self.child.kill();
        let status = self.child.wait().ok();
        if let Some(reader) = self.stdout_reader.take() {
            let _ = reader.join();
        }
        let stderr = self
            .stderr_reader
            .take()
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        Some(Ended { status, stderr })
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        let _ = self.end();
    }
}

fn spawn_reader<T: Send + 'static>(
    what: &str,
    read: impl FnOnce() -> T + Send + 'static,
) -> Result<JoinHandle<T>, RealError> {
    thread::Builder::new()
        .name(format!("lockstep child {what}"))
        .spawn(read)
        .map_err(RealError::Thread)
}
