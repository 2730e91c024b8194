//! What the kernel says about a worker thread: whether it sleeps. A thread
//! that called a blocking `lock()` and sleeps has parked: it is in the
//! lock's queue, where the hand-off order and `check_deadlock` look.
//!
//! Read from `/proc` on Linux; elsewhere nothing is known, and the grace
//! period alone decides.

/// The kernel's id of the calling thread, if the system says.
pub(crate) fn current_thread() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// Whether thread `tid` of this process sleeps (state `S`: waiting in the
/// kernel, as a parked thread does); `None` when the system cannot say.
pub(crate) fn asleep(tid: u32) -> Option<bool> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    Some(state(&stat)? == 'S')
}

/// The state letter of a `stat` line. It follows the command name, which
/// is in parentheses and may itself contain spaces and parentheses.
fn state(stat: &str) -> Option<char> {
    let (_, after_name) = stat.rsplit_once(')')?;
    after_name.trim_start().chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_follows_the_last_parenthesis() {
        let stat = "4242 (lockstep (A) x) S 1 4242 4242 0 -1";
        assert_eq!(state(stat), Some('S'));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_thread_waiting_on_a_channel_sleeps_and_a_running_one_does_not() {
        let (ready, started) = std::sync::mpsc::channel();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let sleeper = std::thread::spawn(move || {
            ready.send(current_thread().unwrap()).unwrap();
            let _ = wait.recv();
        });
        let tid = started.recv().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while asleep(tid) != Some(true) {
            assert!(std::time::Instant::now() < deadline, "never seen asleep");
            std::thread::yield_now();
        }
        let me = current_thread().unwrap();
        assert_eq!(asleep(me), Some(false), "the calling thread is running");
        drop(release);
        sleeper.join().unwrap();
    }
}
