//! The child protocol. The parent writes one JSON [`Request`] line on the
//! child's stdin and keeps stdin open; the child answers with JSON
//! [`Line`]s on stdout: one `event` per observed event, then one
//! `outcome`, or an `error`. Threads, steps and locks go by their ids, so
//! the lines read like the schedule.
//!
//! The same event and outcome shapes are the `real` part of
//! `lockstep replay --real --json`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{RealEvent, RealOutcome};
use crate::schedule::{Schedule, to_ron};
use crate::sim::{Completion, EventKind, Link, PatchMode, Wait};

/// The protocol version; a child refuses a request of another.
pub(crate) const VERSION: u32 = 1;

/// What the parent asks the child to replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Request {
    /// Must be [`VERSION`].
    pub version: u32,
    /// The schedule as RON text: it may be an edited, unsaved one.
    pub schedule: String,
    /// The order, as step ids.
    pub order: Vec<String>,
    /// Whether the patched handler is in use.
    pub patched: bool,
    /// The grace period, in milliseconds.
    pub grace_ms: u64,
}

impl Request {
    /// The request to replay `order` of `schedule`.
    pub(crate) fn new(
        schedule: &Schedule,
        patch: PatchMode,
        order: &[String],
        grace: Duration,
    ) -> Self {
        Self {
            version: VERSION,
            schedule: to_ron(schedule),
            order: order.to_vec(),
            patched: patch.is_on(),
            grace_ms: u64::try_from(grace.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// One line the child writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Line {
    /// An event, as soon as it is observed.
    Event(WireEvent),
    /// How the run ended; the last line.
    Outcome(WireOutcome),
    /// The replay could not be done; the last line.
    Error {
        /// What failed and what to do.
        message: String,
    },
}

/// What a step did, as named in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WireKind {
    /// Plain work.
    Work,
    /// Took the lock.
    Acquire,
    /// Entered a blocking call that did not return.
    Blocked,
    /// Gave the lock back.
    Release,
    /// Wrote a log record.
    Log,
    /// Started a thread.
    Spawn,
    /// Joined a finished thread.
    Join,
    /// The patched handler dropped the record.
    Drop,
    /// A step a drop had skipped.
    Skipped,
}

/// An event in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WireEvent {
    /// The step id.
    pub step: String,
    /// The thread id.
    pub thread: String,
    /// What the step did.
    pub kind: WireKind,
    /// The lock acquired, released, waited for, or tried by a drop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// The thread spawned, joined, or waited for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// An acquire by the lock's holder.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reentry: bool,
    /// For a drop, every step it skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skips: Vec<String>,
    /// For a drop, the skipped `Log` steps: the records lost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<String>,
    /// The model ran this step by the default policy.
    pub auto: bool,
    /// Waiting threads whose step completed in this event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub completed: Vec<WireWait>,
}

/// A thread, a step, and what it waits (or waited) for: a lock or a
/// thread. For an outcome's waits, also who holds the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WireWait {
    /// The waiting thread.
    pub thread: String,
    /// Its step, for a completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The lock waited for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// The thread waited for, by a join.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// For an outcome's waits, the thread that must move first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_by: Option<String>,
}

/// An outcome in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WireOutcome {
    /// `finished`, `deadlock` or `stuck`.
    pub outcome: String,
    /// For a deadlock, the threads on a wait-for cycle, as observed.
    #[serde(default)]
    pub cycle: Vec<String>,
    /// For a deadlock, the threads `parking_lot` confirmed in a cycle.
    #[serde(default)]
    pub deadlocked: Vec<String>,
    /// For a deadlock, each blocked thread and what it waits for.
    #[serde(default)]
    pub waits: Vec<WireWait>,
    /// For a stuck run, the order entry to blame, if one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<usize>,
    /// For a stuck run, why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Ids and indices, both ways, for one schedule.
pub(crate) struct Names<'s> {
    schedule: &'s Schedule,
}

impl<'s> Names<'s> {
    pub(crate) fn new(schedule: &'s Schedule) -> Self {
        Self { schedule }
    }

    fn thread(&self, t: usize) -> String {
        self.schedule.threads[t].id.clone()
    }

    fn step(&self, t: usize, s: usize) -> String {
        self.schedule.threads[t].steps[s].id.clone()
    }

    fn lock(&self, l: usize) -> String {
        self.schedule.locks[l].id.clone()
    }

    fn thread_index(&self, id: &str) -> Result<usize, String> {
        let found = self.schedule.thread(id).map(|(t, _)| t);
        found.ok_or_else(|| format!("unknown thread `{id}`"))
    }

    fn lock_index(&self, id: &str) -> Result<usize, String> {
        let found = self.schedule.lock(id).map(|(l, _)| l);
        found.ok_or_else(|| format!("unknown lock `{id}`"))
    }

    fn step_index(&self, t: usize, id: &str) -> Result<usize, String> {
        let steps = &self.schedule.threads[t].steps;
        let found = steps.iter().position(|s| s.id == id);
        found.ok_or_else(|| format!("unknown step `{id}` of {}", self.thread(t)))
    }

    /// `(lock, target)` naming a wait.
    fn wait(&self, wait: Wait) -> (Option<String>, Option<String>) {
        match wait {
            Wait::Lock(l) => (Some(self.lock(l)), None),
            Wait::Join(t) => (None, Some(self.thread(t))),
        }
    }

    fn wait_index(&self, lock: Option<&str>, target: Option<&str>) -> Result<Wait, String> {
        match (lock, target) {
            (Some(lock), None) => Ok(Wait::Lock(self.lock_index(lock)?)),
            (None, Some(target)) => Ok(Wait::Join(self.thread_index(target)?)),
            _ => Err("a wait names exactly one lock or one target".into()),
        }
    }

    /// An event in JSON.
    pub(crate) fn event(&self, event: &RealEvent) -> WireEvent {
        let mut wire = WireEvent {
            step: self.step(event.thread, event.step),
            thread: self.thread(event.thread),
            kind: WireKind::Work,
            lock: None,
            target: None,
            reentry: false,
            skips: Vec::new(),
            dropped: Vec::new(),
            auto: event.auto,
            completed: event.completed.iter().map(|c| self.completion(c)).collect(),
        };
        self.describe(&mut wire, event);
        wire
    }

    /// Fills in the kind of `event` and the locks, threads and steps it
    /// names.
    fn describe(&self, wire: &mut WireEvent, event: &RealEvent) {
        let lock = |l: usize| Some(self.lock(l));
        let thread = |t: usize| Some(self.thread(t));
        let steps = |range: std::ops::Range<usize>| range.map(|s| self.step(event.thread, s));
        (wire.kind, wire.lock, wire.target) = match &event.kind {
            EventKind::Work => (WireKind::Work, None, None),
            EventKind::Acquire { lock: l, reentry } => {
                wire.reentry = *reentry;
                (WireKind::Acquire, lock(*l), None)
            }
            EventKind::Blocked(wait) => {
                let (l, t) = self.wait(*wait);
                (WireKind::Blocked, l, t)
            }
            EventKind::Release { lock: l } => (WireKind::Release, lock(*l), None),
            EventKind::Log => (WireKind::Log, None, None),
            EventKind::Spawn(t) => (WireKind::Spawn, None, thread(*t)),
            EventKind::Join(t) => (WireKind::Join, None, thread(*t)),
            EventKind::Drop {
                lock: l,
                resume,
                dropped,
            } => {
                wire.skips = steps(event.step + 1..*resume).collect();
                wire.dropped = dropped
                    .iter()
                    .map(|&s| self.step(event.thread, s))
                    .collect();
                (WireKind::Drop, lock(*l), None)
            }
            EventKind::Skipped => (WireKind::Skipped, None, None),
        };
    }

    fn completion(&self, completion: &Completion) -> WireWait {
        let (lock, target) = self.wait(completion.wait);
        WireWait {
            thread: self.thread(completion.thread),
            step: Some(self.step(completion.thread, completion.step)),
            lock,
            target,
            held_by: None,
        }
    }

    /// An event read back from JSON.
    pub(crate) fn real_event(&self, wire: &WireEvent) -> Result<RealEvent, String> {
        let thread = self.thread_index(&wire.thread)?;
        let step = self.step_index(thread, &wire.step)?;
        let completed = wire
            .completed
            .iter()
            .map(|c| self.real_completion(c))
            .collect::<Result<_, _>>()?;
        Ok(RealEvent {
            thread,
            step,
            kind: self.real_kind(thread, step, wire)?,
            auto: wire.auto,
            completed,
        })
    }

    fn real_kind(&self, thread: usize, step: usize, wire: &WireEvent) -> Result<EventKind, String> {
        let lock = || {
            let id = wire.lock.as_deref().ok_or("the event names no lock")?;
            self.lock_index(id)
        };
        let target = || {
            let id = wire.target.as_deref().ok_or("the event names no target")?;
            self.thread_index(id)
        };
        Ok(match wire.kind {
            WireKind::Work => EventKind::Work,
            WireKind::Acquire => EventKind::Acquire {
                lock: lock()?,
                reentry: wire.reentry,
            },
            WireKind::Blocked => {
                EventKind::Blocked(self.wait_index(wire.lock.as_deref(), wire.target.as_deref())?)
            }
            WireKind::Release => EventKind::Release { lock: lock()? },
            WireKind::Log => EventKind::Log,
            WireKind::Spawn => EventKind::Spawn(target()?),
            WireKind::Join => EventKind::Join(target()?),
            WireKind::Drop => EventKind::Drop {
                lock: lock()?,
                resume: step + 1 + wire.skips.len(),
                dropped: wire
                    .dropped
                    .iter()
                    .map(|id| self.step_index(thread, id))
                    .collect::<Result<_, _>>()?,
            },
            WireKind::Skipped => EventKind::Skipped,
        })
    }

    fn real_completion(&self, wire: &WireWait) -> Result<Completion, String> {
        let thread = self.thread_index(&wire.thread)?;
        let step = wire.step.as_deref().ok_or("a completion names no step")?;
        Ok(Completion {
            thread,
            step: self.step_index(thread, step)?,
            wait: self.wait_index(wire.lock.as_deref(), wire.target.as_deref())?,
        })
    }

    /// An outcome in JSON.
    pub(crate) fn outcome(&self, outcome: &RealOutcome) -> WireOutcome {
        let mut wire = WireOutcome {
            outcome: outcome.name().to_owned(),
            cycle: Vec::new(),
            deadlocked: Vec::new(),
            waits: Vec::new(),
            entry: None,
            reason: None,
        };
        match outcome {
            RealOutcome::Finished => {}
            RealOutcome::Deadlock {
                cycle,
                deadlocked,
                waits,
            } => {
                wire.cycle = cycle.iter().map(|&t| self.thread(t)).collect();
                wire.deadlocked = deadlocked.iter().map(|&t| self.thread(t)).collect();
                wire.waits = waits.iter().map(|link| self.link(link)).collect();
            }
            RealOutcome::Stuck { entry, reason } => {
                wire.entry = *entry;
                wire.reason = Some(reason.clone());
            }
        }
        wire
    }

    fn link(&self, link: &Link) -> WireWait {
        let (lock, target) = self.wait(link.waits_for);
        WireWait {
            thread: self.thread(link.thread),
            step: None,
            lock,
            target,
            held_by: link.held_by.map(|t| self.thread(t)),
        }
    }

    /// An outcome read back from JSON.
    pub(crate) fn real_outcome(&self, wire: &WireOutcome) -> Result<RealOutcome, String> {
        match wire.outcome.as_str() {
            "finished" => Ok(RealOutcome::Finished),
            "deadlock" => Ok(RealOutcome::Deadlock {
                cycle: wire
                    .cycle
                    .iter()
                    .map(|id| self.thread_index(id))
                    .collect::<Result<_, _>>()?,
                deadlocked: wire
                    .deadlocked
                    .iter()
                    .map(|id| self.thread_index(id))
                    .collect::<Result<_, _>>()?,
                waits: wire
                    .waits
                    .iter()
                    .map(|w| self.real_link(w))
                    .collect::<Result<_, _>>()?,
            }),
            "stuck" => Ok(RealOutcome::Stuck {
                entry: wire.entry,
                reason: wire.reason.clone().unwrap_or_default(),
            }),
            other => Err(format!("unknown outcome `{other}`")),
        }
    }

    fn real_link(&self, wire: &WireWait) -> Result<Link, String> {
        let held_by = wire.held_by.as_deref().map(|id| self.thread_index(id));
        Ok(Link {
            thread: self.thread_index(&wire.thread)?,
            waits_for: self.wait_index(wire.lock.as_deref(), wire.target.as_deref())?,
            held_by: held_by.transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::built_in;

    fn round_trip(schedule: &Schedule, event: &RealEvent) -> RealEvent {
        let names = Names::new(schedule);
        let line = serde_json::to_string(&Line::Event(names.event(event))).unwrap();
        let Line::Event(wire) = serde_json::from_str(&line).unwrap() else {
            panic!("an event line reads back as an event: {line}");
        };
        names.real_event(&wire).unwrap()
    }

    #[test]
    fn a_drop_with_a_completion_reads_back_as_it_was_written() {
        let schedule = built_in();
        let event = RealEvent {
            thread: 1,
            step: 2,
            kind: EventKind::Drop {
                lock: 0,
                resume: 5,
                dropped: vec![3],
            },
            auto: true,
            completed: vec![Completion {
                thread: 0,
                step: 3,
                wait: Wait::Lock(2),
            }],
        };
        assert_eq!(round_trip(&schedule, &event), event);
    }

    #[test]
    fn an_event_line_names_ids_not_indices() {
        let schedule = built_in();
        let event = RealEvent {
            thread: 0,
            step: 3,
            kind: EventKind::Blocked(Wait::Lock(2)),
            auto: false,
            completed: Vec::new(),
        };
        let wire = Names::new(&schedule).event(&event);
        let line = serde_json::to_string(&Line::Event(wire)).unwrap();
        assert_eq!(
            line,
            r#"{"type":"event","step":"A4","thread":"A","kind":"blocked","lock":"I","auto":false}"#
        );
    }

    #[test]
    fn a_deadlock_outcome_reads_back_as_it_was_written() {
        let schedule = built_in();
        let names = Names::new(&schedule);
        let outcome = RealOutcome::Deadlock {
            cycle: vec![0, 1],
            deadlocked: vec![0, 1],
            waits: vec![Link {
                thread: 0,
                waits_for: Wait::Lock(2),
                held_by: Some(1),
            }],
        };
        let line = serde_json::to_string(&Line::Outcome(names.outcome(&outcome))).unwrap();
        let Line::Outcome(wire) = serde_json::from_str(&line).unwrap() else {
            panic!("an outcome line reads back as an outcome: {line}");
        };
        assert_eq!(names.real_outcome(&wire).unwrap(), outcome);
    }
}
