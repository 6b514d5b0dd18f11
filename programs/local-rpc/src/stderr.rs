//! Diagnostics on stderr that can never stall the ledger: lines go through a bounded queue to one
//! writer thread and are dropped when the queue is full (for example when whoever spawned the server
//! pipes stderr and never reads it).

use std::{
    io::Write,
    sync::{
        mpsc::{sync_channel, SyncSender},
        OnceLock,
    },
};

static QUEUE: OnceLock<SyncSender<String>> = OnceLock::new();

/// Queues `line` for stderr; never blocks.
pub fn line(line: impl Into<String>) {
    let queue = QUEUE.get_or_init(|| {
        let (sender, receiver) = sync_channel::<String>(1024);
        std::thread::Builder::new()
            .name("stderr".into())
            .spawn(move || {
                let stderr = std::io::stderr();
                for line in receiver {
                    let mut out = stderr.lock();
                    if writeln!(out, "{line}").is_err() {
                        // Nobody is listening: keep draining so senders never block.
                        continue;
                    }
                }
            })
            .expect("stderr thread");
        sender
    });
    let _ = queue.try_send(line.into());
}

/// Writes `line` to stderr now if it can be written within 100 ms, else drops it (for exit paths, where
/// a stderr nobody reads must not keep the process alive).
pub fn line_now(line: &str) {
    let mut poll = libc::pollfd { fd: libc::STDERR_FILENO, events: libc::POLLOUT, revents: 0 };
    // SAFETY: one valid pollfd for the duration of the call.
    let ready = unsafe { libc::poll(&mut poll, 1, 100) };
    if ready == 1 && poll.revents & libc::POLLOUT != 0 {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}
