//! Work the TUI does off the event loop: each replay on real threads runs
//! on a thread of its own, and its result comes back through a channel as
//! an [`Action`] for [`update`].
//!
//! Dropping the [`Background`] (the TUI quits) cancels the replays still
//! running and waits for their threads, which takes milliseconds: each
//! child is killed and reaped before lockstep exits.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};

use super::app::{Action, App, RealRequest, update};
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
    /// Cloned into each replay's thread.
    sender: Sender<Action>,
    results: Receiver<Action>,
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
            sender,
            results,
        }
    }

    /// Starts the replay `app` asked for, if any, and applies the results
    /// that have arrived. Never waits. Says whether `app` changed.
    pub fn serve(&mut self, app: &mut App) -> bool {
        let mut changed = false;
        if let Some(request) = app.take_real_request() {
            self.start(request);
        }
        for action in self.results.try_iter() {
            update(app, action);
            changed = true;
        }
        changed
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

impl Drop for Background {
    fn drop(&mut self) {
        self.cancel.cancel();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
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
