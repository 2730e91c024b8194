//! The rules a schedule must follow beyond its syntax.
//!
//! Each broken rule is reported as an [`Invalid`] naming the value by its
//! path, so the loader can draw a caret under it. Gaps in the order are
//! allowed here only where the patch could have dropped the missing steps;
//! the simulator checks the rest against the real run.

use std::collections::{HashMap, HashSet};

use super::format::{Op, Schedule, VERSION};
use super::locate::Key;

/// A broken rule: where, what, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The path of the offending value.
    pub path: Vec<Key<'static>>,
    /// What is wrong.
    pub message: String,
    /// A note under the caret.
    pub label: String,
    /// What to do.
    pub help: String,
}

impl Invalid {
    fn new(path: Vec<Key<'static>>, message: String, label: &str, help: String) -> Self {
        Self {
            path,
            message,
            label: label.to_owned(),
            help,
        }
    }
}

/// Checks every rule and returns the first one broken, in file order.
///
/// # Errors
///
/// The first broken rule.
pub fn validate(schedule: &Schedule) -> Result<(), Invalid> {
    check_header(schedule)?;
    check_locks(schedule)?;
    check_threads(schedule)?;
    check_ops(schedule)?;
    check_patch(schedule)?;
    check_order(schedule, &schedule.order)
}

fn check_header(schedule: &Schedule) -> Result<(), Invalid> {
    if schedule.version != VERSION {
        return Err(Invalid::new(
            vec![Key::Field("version")],
            format!("unsupported version {}", schedule.version),
            "this version",
            format!("this build of lockstep reads `version: {VERSION}`"),
        ));
    }
    if schedule.threads.is_empty() {
        return Err(Invalid::new(
            vec![Key::Field("threads")],
            "the schedule has no threads".into(),
            "empty",
            "add at least one `Thread(id: …, name: …, steps: [ … ])`".into(),
        ));
    }
    Ok(())
}

fn check_locks(schedule: &Schedule) -> Result<(), Invalid> {
    let mut seen = HashSet::new();
    for (l, lock) in schedule.locks.iter().enumerate() {
        let path = vec![Key::Field("locks"), Key::Index(l), Key::Field("id")];
        new_id(
            &mut seen,
            &lock.id,
            path,
            "lock",
            "give every lock its own id",
        )?;
    }
    Ok(())
}

fn check_threads(schedule: &Schedule) -> Result<(), Invalid> {
    let mut threads = HashSet::new();
    let mut steps = HashSet::new();
    for (t, thread) in schedule.threads.iter().enumerate() {
        let path = vec![Key::Field("threads"), Key::Index(t), Key::Field("id")];
        new_id(
            &mut threads,
            &thread.id,
            path,
            "thread",
            "give every thread its own id",
        )?;
        if thread.steps.is_empty() {
            return Err(Invalid::new(
                vec![Key::Field("threads"), Key::Index(t), Key::Field("steps")],
                format!("thread `{}` has no steps", thread.id),
                "empty",
                "give the thread at least one `Step(id: …, text: …)`".into(),
            ));
        }
        for (s, step) in thread.steps.iter().enumerate() {
            let help = "step ids are unique across the whole schedule";
            new_id(&mut steps, &step.id, step_path(t, s, "id"), "step", help)?;
        }
    }
    Ok(())
}

/// Checks that `id` is not empty and not in `seen`, then adds it.
fn new_id<'s>(
    seen: &mut HashSet<&'s str>,
    id: &'s str,
    path: Vec<Key<'static>>,
    what: &str,
    help: &str,
) -> Result<(), Invalid> {
    if id.is_empty() {
        let message = format!("a {what} has an empty id");
        return Err(Invalid::new(
            path,
            message,
            "empty",
            "write a short id".into(),
        ));
    }
    if !seen.insert(id) {
        let message = format!("duplicate {what} id `{id}`");
        return Err(Invalid::new(
            path,
            message,
            "declared again here",
            help.into(),
        ));
    }
    Ok(())
}

fn step_path(t: usize, s: usize, field: &'static str) -> Vec<Key<'static>> {
    vec![
        Key::Field("threads"),
        Key::Index(t),
        Key::Field("steps"),
        Key::Index(s),
        Key::Field(field),
    ]
}

fn check_ops(schedule: &Schedule) -> Result<(), Invalid> {
    let mut spawned = HashSet::new();
    for (t, thread) in schedule.threads.iter().enumerate() {
        // How many times the thread holds each lock, walking its program.
        let mut depth: HashMap<&str, usize> = HashMap::new();
        for (s, step) in thread.steps.iter().enumerate() {
            let path = step_path(t, s, "op");
            match &step.op {
                Op::Work | Op::Log(_) => {}
                Op::Acquire(lock) => {
                    known_lock(schedule, lock, &path)?;
                    *depth.entry(lock).or_default() += 1;
                }
                Op::Release(lock) => {
                    known_lock(schedule, lock, &path)?;
                    let held = depth.entry(lock).or_default();
                    *held = held
                        .checked_sub(1)
                        .ok_or_else(|| unheld(&step.id, lock, path))?;
                }
                Op::Spawn(target) => {
                    check_spawn(schedule, t, target, &path)?;
                    if !spawned.insert(target.as_str()) {
                        return Err(spawned_twice(target, path));
                    }
                }
                Op::Join(target) => check_join(schedule, t, target, &path)?,
            }
        }
    }
    check_all_spawned(schedule, &spawned)
}

fn unheld(step: &str, lock: &str, path: Vec<Key<'static>>) -> Invalid {
    Invalid::new(
        path,
        format!("`{step}` releases `{lock}`, which it has not acquired"),
        "no earlier `Acquire` in this thread",
        format!("add `Acquire(\"{lock}\")` before it, or remove this step"),
    )
}

fn spawned_twice(target: &str, path: Vec<Key<'static>>) -> Invalid {
    Invalid::new(
        path,
        format!("thread `{target}` is spawned twice"),
        "second spawn",
        "a thread starts once: remove one of the `Spawn` steps".into(),
    )
}

fn known_lock(schedule: &Schedule, lock: &str, path: &[Key<'static>]) -> Result<(), Invalid> {
    if schedule.lock(lock).is_some() {
        return Ok(());
    }
    Err(Invalid::new(
        path.to_vec(),
        format!("unknown lock `{lock}`"),
        "not declared in `locks`",
        known("locks", schedule.locks.iter().map(|l| l.id.as_str())),
    ))
}

fn known_thread(schedule: &Schedule, id: &str, path: &[Key<'static>]) -> Result<usize, Invalid> {
    schedule.thread(id).map(|(t, _)| t).ok_or_else(|| {
        Invalid::new(
            path.to_vec(),
            format!("unknown thread `{id}`"),
            "not declared in `threads`",
            known("threads", schedule.threads.iter().map(|t| t.id.as_str())),
        )
    })
}

fn known<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<String> = ids.map(|id| format!("`{id}`")).collect();
    if ids.is_empty() {
        format!("declare it in `{what}` first")
    } else {
        format!("the {what} are {}", ids.join(", "))
    }
}

fn check_spawn(
    schedule: &Schedule,
    t: usize,
    target: &str,
    path: &[Key<'static>],
) -> Result<(), Invalid> {
    let target_index = known_thread(schedule, target, path)?;
    if target_index == t {
        return Err(Invalid::new(
            path.to_vec(),
            format!("thread `{target}` spawns itself"),
            "here",
            "spawn another thread".into(),
        ));
    }
    if !schedule.threads[target_index].spawned {
        return Err(Invalid::new(
            path.to_vec(),
            format!("thread `{target}` is spawned but not marked `spawned: true`"),
            "it already runs from the start",
            format!("add `spawned: true` to thread `{target}`, or remove this step"),
        ));
    }
    Ok(())
}

fn check_join(
    schedule: &Schedule,
    t: usize,
    target: &str,
    path: &[Key<'static>],
) -> Result<(), Invalid> {
    if known_thread(schedule, target, path)? == t {
        return Err(Invalid::new(
            path.to_vec(),
            format!("thread `{target}` joins itself"),
            "it would wait forever",
            "join another thread".into(),
        ));
    }
    Ok(())
}

fn check_all_spawned(schedule: &Schedule, spawned: &HashSet<&str>) -> Result<(), Invalid> {
    for (t, thread) in schedule.threads.iter().enumerate() {
        if thread.spawned && !spawned.contains(thread.id.as_str()) {
            return Err(Invalid::new(
                vec![Key::Field("threads"), Key::Index(t), Key::Field("spawned")],
                format!(
                    "thread `{}` is marked `spawned` but no step spawns it",
                    thread.id
                ),
                "never starts",
                format!("add a `Spawn(\"{}\")` step to another thread", thread.id),
            ));
        }
    }
    Ok(())
}

fn check_patch(schedule: &Schedule) -> Result<(), Invalid> {
    let Some(patch) = &schedule.patch else {
        return Ok(());
    };
    let try_path = [Key::Field("patch"), Key::Field("try_lock")];
    let held_path = [Key::Field("patch"), Key::Field("drop_if_held")];
    known_lock(schedule, &patch.try_lock, &try_path)?;
    known_lock(schedule, &patch.drop_if_held, &held_path)?;
    if patch.try_lock == patch.drop_if_held {
        return Err(Invalid::new(
            held_path.to_vec(),
            "the patch tries and tests the same lock".into(),
            "same as `try_lock`",
            "`drop_if_held` names the other lock (the import lock)".into(),
        ));
    }
    Ok(())
}

/// Checks an order against the programs: known ids, program order, no
/// repeats, and no gap the patch could not explain. The errors' paths are
/// `order[i]`, whether the order comes from the file or the command line.
///
/// # Errors
///
/// The first entry that breaks a rule.
pub fn check_order(schedule: &Schedule, order: &[String]) -> Result<(), Invalid> {
    // The index of the last step listed so far, per thread.
    let mut last: Vec<Option<usize>> = vec![None; schedule.threads.len()];
    let index = schedule.step_index();
    for (e, id) in order.iter().enumerate() {
        let path = vec![Key::Field("order"), Key::Index(e)];
        let Some(&(t, s)) = index.get(id.as_str()) else {
            return Err(Invalid::new(
                path,
                format!("unknown step `{id}` in the order"),
                "no step has this id",
                "use the ids of the steps declared in `threads`".into(),
            ));
        };
        if let Some(previous) = last[t].filter(|&p| p >= s) {
            return Err(out_of_order(schedule, t, previous, s, path));
        }
        let next = last[t].map_or(0, |p| p + 1);
        if let Some(missing) = (next..s).find(|&m| !droppable(schedule, t, m)) {
            return Err(order_gap(schedule, t, missing, id, path));
        }
        last[t] = Some(s);
    }
    Ok(())
}

/// The error for an order entry listed twice or before an earlier step.
#[must_use]
pub fn out_of_order(
    schedule: &Schedule,
    t: usize,
    previous: usize,
    s: usize,
    path: Vec<Key<'static>>,
) -> Invalid {
    let thread = &schedule.threads[t];
    let id = &thread.steps[s].id;
    let (message, label) = if previous == s {
        (
            format!("step `{id}` is listed twice in the order"),
            "listed again",
        )
    } else {
        let after = &thread.steps[previous].id;
        (
            format!("step `{id}` is listed after `{after}`"),
            "out of program order",
        )
    };
    Invalid::new(
        path,
        message,
        label,
        format!(
            "list the steps of thread `{}` in program order, once",
            thread.id
        ),
    )
}

/// The error for an order that skips over a step that has not run.
#[must_use]
pub fn order_gap(
    schedule: &Schedule,
    t: usize,
    missing: usize,
    entry: &str,
    path: Vec<Key<'static>>,
) -> Invalid {
    let missing = &schedule.threads[t].steps[missing].id;
    Invalid::new(
        path,
        format!("the order runs `{entry}` before `{missing}`"),
        &format!("`{missing}` is missing before this"),
        format!("add `{missing}` before `{entry}`"),
    )
}

/// True when the patch could skip step `s` of thread `t`: it lies after an
/// `Acquire` of the patched lock and up to its matching `Release`.
fn droppable(schedule: &Schedule, t: usize, s: usize) -> bool {
    let Some(patch) = &schedule.patch else {
        return false;
    };
    let steps = &schedule.threads[t].steps;
    let mut depth = 0_usize;
    let mut inside = false;
    for step in &steps[..=s] {
        // `inside` is true while the current step could be skipped.
        let was_inside = depth > 0;
        match &step.op {
            Op::Acquire(l) if *l == patch.try_lock => depth += 1,
            Op::Release(l) if *l == patch.try_lock => depth = depth.saturating_sub(1),
            _ => {}
        }
        inside = was_inside;
    }
    inside
}
