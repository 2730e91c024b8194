//! Work the TUI does off the event loop: each replay on real threads and
//! each exploration runs on a thread of its own, and its results come
//! back through a channel as [`Action`]s for [`update`].
//!
//! An exploration the app no longer waits for (another schedule was
//! opened) is cancelled at the next serve. Dropping the [`Background`]
//! (the TUI quits) cancels the replays and explorations still running
//! and waits for their threads, which takes milliseconds: each child is
//! killed and reaped, and a search stops within a few thousand states.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};

use super::app::{Action, App, ExploreRequest, ModeSearch, RealRequest, update};
use crate::explore::{self, Progress};
use crate::real::{self, Cancel, Options};

/// The replays running in the background, and their results.
#[derive(Debug)]
pub struct Background {
    /// How each replay runs: which executable, the grace period, the
    /// timeout.
    options: Options,
    /// Switched on drop: every replay watches it.
    cancel: Cancel,
    /// The replays' threads, joined on drop.
    threads: Vec<JoinHandle<()>>,
    /// The explorations running.
    explorations: Vec<Exploration>,
    /// Cloned into each replay's and exploration's thread.
    sender: Sender<Action>,
    results: Receiver<Action>,
}

/// An exploration on its thread.
#[derive(Debug)]
struct Exploration {
    ticket: u64,
    /// The progress of each of its searches, to cancel them.
    progress: Vec<Arc<Progress>>,
    thread: JoinHandle<()>,
}

impl Exploration {
    fn cancel(&self) {
        for progress in &self.progress {
            progress.cancel();
        }
    }
}

impl Background {
    /// Runs replays with `options`.
    #[must_use]
    pub fn new(options: Options) -> Self {
        let (sender, results) = mpsc::channel();
        Self {
            options,
            cancel: Cancel::default(),
            threads: Vec::new(),
            explorations: Vec::new(),
            sender,
            results,
        }
    }

    /// Starts the replay and the exploration `app` asked for, if any,
    /// cancels the explorations it no longer waits for, and applies the
    /// results that have arrived. Never waits. Says whether the screen
    /// should be drawn again: `app` changed, or an exploration runs and
    /// its progress moves.
    pub fn serve(&mut self, app: &mut App) -> bool {
        let mut changed = false;
        if let Some(request) = app.take_real_request() {
            self.start(request);
        }
        if let Some(request) = app.take_explore_request() {
            self.explore(request);
        }
        for action in self.results.try_iter() {
            update(app, action);
            changed = true;
        }
        let wanted = app.exploring_ticket();
        self.explorations.retain(|e| !e.thread.is_finished());
        for exploration in &self.explorations {
            if Some(exploration.ticket) != wanted {
                exploration.cancel();
            }
        }
        changed || wanted.is_some()
    }

    /// Runs `request` on a thread of its own. The thread ends once the
    /// child has been reaped; if it cannot start, the error comes back as
    /// the result.
    fn start(&mut self, request: RealRequest) {
        self.threads.retain(|thread| !thread.is_finished());
        let ticket = request.ticket;
        let sender = self.sender.clone();
        let options = self.options.clone();
        let cancel = self.cancel.clone();
        let spawned = thread::Builder::new()
            .name("lockstep real replay".to_owned())
            .spawn(move || {
                let result = replay(&request, &options, &cancel);
                // The TUI may have quit meanwhile: nobody is left to tell.
                let _ = sender.send(Action::RealReplayEnded { ticket, result });
            });
        match spawned {
            Ok(thread) => self.threads.push(thread),
            Err(error) => {
                let result = Err(format!("cannot start a thread for the replay: {error}"));
                let _ = self.sender.send(Action::RealReplayEnded { ticket, result });
            }
        }
    }
}

impl Background {
    /// Runs the searches of `request` one after the other on a thread of
    /// its own; each result comes back as soon as it is there. If the
    /// thread cannot start, that comes back instead.
    fn explore(&mut self, request: ExploreRequest) {
        let ExploreRequest {
            ticket,
            schedule,
            searches,
        } = request;
        let progress = searches
            .iter()
            .filter_map(|s| s.limits.progress.clone())
            .collect();
        let sender = self.sender.clone();
        let spawned = thread::Builder::new()
            .name("lockstep explore".to_owned())
            .spawn(move || {
                for ModeSearch { patch, limits } in searches {
                    let result = Box::new(explore::explore(&schedule, patch, &limits));
                    let ended = Action::ExplorationEnded {
                        ticket,
                        patch,
                        result,
                    };
                    // The TUI may have quit meanwhile: nobody is left to tell.
                    if sender.send(ended).is_err() {
                        return;
                    }
                }
            });
        match spawned {
            Ok(thread) => self.explorations.push(Exploration {
                ticket,
                progress,
                thread,
            }),
            Err(error) => {
                let reason = format!("cannot start a thread for the exploration: {error}");
                let _ = self
                    .sender
                    .send(Action::ExplorationFailed { ticket, reason });
            }
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.cancel.cancel();
        for exploration in &self.explorations {
            exploration.cancel();
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        for exploration in self.explorations.drain(..) {
            let _ = exploration.thread.join();
        }
    }
}

/// The replay itself; blocks until the child has been reaped.
fn replay(
    request: &RealRequest,
    options: &Options,
    cancel: &Cancel,
) -> Result<real::RealRun, String> {
    let RealRequest {
        schedule,
        patch,
        order,
        ..
    } = request;
    real::replay_until_cancelled(schedule, *patch, order, options, cancel)
        .map_err(|error| error.to_string())
}
