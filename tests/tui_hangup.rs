//! The TUI ends when its terminal goes away, instead of spinning on it.
//!
//! `script` (util-linux) gives the TUI a pseudo-terminal; killing `script`
//! closes it, which hangs up the TUI's terminal.

#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The pids of processes whose command line has `arg`.
fn pids_with(arg: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // A zombie has ended; only its parent has not reaped it yet.
            let zombie = state
                .rsplit(')')
                .next()
                .is_some_and(|s| s.trim_start().starts_with('Z'));
            !zombie
                && String::from_utf8_lossy(&cmdline)
                    .split('\0')
                    .any(|a| a == arg)
        })
        .collect()
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

fn schedule_copy() -> PathBuf {
    let name = format!("lockstep-hangup-{}.ron", std::process::id());
    let path = std::env::temp_dir().join(name);
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("schedules/two-locks.ron");
    std::fs::copy(shipped, &path).expect("a copy of a shipped schedule");
    path
}

#[test]
fn the_tui_ends_when_its_terminal_hangs_up() {
    let file = schedule_copy();
    let arg = file.display().to_string();
    let command = format!("{} {arg}", env!("CARGO_BIN_EXE_lockstep"));
    let mut script = Command::new("script")
        .args(["-q", "-c", &command, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("`script` from util-linux runs a command in a pseudo-terminal");
    let started = wait_until(Duration::from_secs(10), || !pids_with(&arg).is_empty());

    let _ = script.kill();
    let _ = script.wait();
    let ended = wait_until(Duration::from_secs(5), || pids_with(&arg).is_empty());
    for pid in pids_with(&arg) {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    let _ = std::fs::remove_file(&file);
    assert!(started, "the TUI did not start in a pseudo-terminal");
    assert!(ended, "the TUI kept running after its terminal hung up");
}
