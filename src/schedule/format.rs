//! The types of a `.ron` schedule file, exactly as they are written.
//!
//! Ids are kept as strings here; [`crate::sim::Model`] resolves them to
//! indices once the file has been validated.

use serde::{Deserialize, Serialize};

/// The only file format version this build reads and writes.
pub const VERSION: u32 = 1;

/// One schedule: the locks, the threads and their programs, an optional
/// patch and the order to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Format version; must be [`VERSION`].
    pub version: u32,
    /// One line shown in headers and reports.
    pub title: String,
    /// Free text: what the schedule shows and where it comes from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The locks, in the order they are drawn.
    pub locks: Vec<Lock>,
    /// The threads, in declaration order (the default policy's order).
    pub threads: Vec<Thread>,
    /// The workaround that can be toggled at run time, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<Patch>,
    /// The step ids to run, in sequence; the rest runs by the default policy.
    #[serde(default)]
    pub order: Vec<String>,
}

/// A lock that threads acquire and release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// Short id used by ops and the patch (`"H"`).
    pub id: String,
    /// Display name (`"logging.Handler lock"`).
    pub name: String,
    /// Whether the owner may acquire it again.
    pub kind: LockKind,
}

/// How a lock treats a second acquire by its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LockKind {
    /// An owner and a count: the owner may acquire again.
    Reentrant,
    /// A second acquire by the owner blocks forever (a self-deadlock).
    Plain,
}

/// A thread and its program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thread {
    /// Short id (`"A"`).
    pub id: String,
    /// Display name (`"request"`).
    pub name: String,
    /// When true the thread starts only when another thread's `Spawn` runs.
    #[serde(default, skip_serializing_if = "is_false")]
    pub spawned: bool,
    /// The program, run in sequence.
    pub steps: Vec<Step>,
}

/// One step of a thread's program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique id across the schedule (`"A1"`).
    pub id: String,
    /// What the step does to locks, threads or the log; plain work if absent.
    #[serde(default, skip_serializing_if = "Op::is_work")]
    pub op: Op,
    /// A short description shown in the schedule and the reports.
    pub text: String,
    /// The call stack at this step, outermost frame first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<String>,
}

/// What a step does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Plain work: the thread moves on.
    #[default]
    Work,
    /// Take a lock, blocking if another thread holds it.
    Acquire(String),
    /// Give a lock back; a waiter may be handed it.
    Release(String),
    /// Write a log record with this message.
    Log(String),
    /// Start a thread marked `spawned`.
    Spawn(String),
    /// Wait until a thread has finished.
    Join(String),
}

impl Op {
    /// True for plain work, the op a step has when none is written.
    #[must_use]
    pub fn is_work(&self) -> bool {
        matches!(self, Op::Work)
    }
}

/// The workaround: a try-lock on `try_lock` that drops the record when
/// `drop_if_held` is held by any thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    /// Display name (`"log_bug_patch"`).
    pub name: String,
    /// The lock taken without waiting (the handler lock).
    pub try_lock: String,
    /// The lock whose holding makes the patch drop (the import lock).
    pub drop_if_held: String,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes fields by reference"
)]
fn is_false(value: &bool) -> bool {
    !value
}

impl Schedule {
    /// The thread with this id, with its index.
    #[must_use]
    pub fn thread(&self, id: &str) -> Option<(usize, &Thread)> {
        self.threads.iter().enumerate().find(|(_, t)| t.id == id)
    }

    /// The lock with this id, with its index.
    #[must_use]
    pub fn lock(&self, id: &str) -> Option<(usize, &Lock)> {
        self.locks.iter().enumerate().find(|(_, l)| l.id == id)
    }

    /// Every step id with its thread index and step index, for look-ups in
    /// long orders.
    #[must_use]
    pub fn step_index(&self) -> std::collections::HashMap<&str, (usize, usize)> {
        let mut index = std::collections::HashMap::new();
        for (t, thread) in self.threads.iter().enumerate() {
            for (s, step) in thread.steps.iter().enumerate() {
                index.entry(step.id.as_str()).or_insert((t, s));
            }
        }
        index
    }

    /// The step with this id: thread index and step index.
    #[must_use]
    pub fn step(&self, id: &str) -> Option<(usize, usize)> {
        self.threads.iter().enumerate().find_map(|(t, thread)| {
            let s = thread.steps.iter().position(|step| step.id == id)?;
            Some((t, s))
        })
    }
}

impl Step {
    /// The message of a `Log` step; empty for any other op.
    #[must_use]
    pub fn op_message(&self) -> &str {
        match &self.op {
            Op::Log(message) => message,
            _ => "",
        }
    }
}
