//! Program `msg!` output for host-compiled (native) programs.
//!
//! On the host, `solana_msg::sol_log` (what `msg!` calls) is a `println!`, not the `sol_log` syscall, so
//! a native program's log lines would never reach the transaction's logs. This module routes the
//! process's stdout through a pipe read by one thread, and feeds what a program printed back into the
//! runtime's log collector as `Program log: ...` lines, in order: before every logging or CPI syscall the
//! program makes, and when its entrypoint returns (or panics). Everything printed is also echoed to
//! stderr (without ever blocking, see `stderr`).
//!
//! Synchronisation: to collect "everything printed so far", the executing thread prints a numbered
//! sentinel line and waits until the reader thread has seen it; lines are read in order, so all earlier
//! output is then in the buffer. Only one transaction executes at a time (the chain mutex).

use {
    anchor_lang::solana_program::{account_info::AccountInfo, entrypoint::ProgramResult, pubkey::Pubkey},
    maskoii_dev_syscalls::{Overrides, SyscallStubs},
    solana_sysvar::program_stubs,
    std::{
        fs::File,
        io::{BufRead, BufReader, Write},
        os::fd::FromRawFd,
        sync::{
            atomic::{AtomicBool, AtomicU64, Ordering},
            Condvar, Mutex,
        },
        time::Duration,
    },
};

const SENTINEL: &str = "\u{1}maskoii-local-rpc-sync:";
/// A `sol_log_data` record travels through `sol_log` with this prefix; `chain::normalize_logs` turns
/// `Program log: <marker>x` back into the runtime's `Program data: x`.
pub const DATA_MARKER: &str = "\u{2}maskoii-local-rpc-data:";

struct Captured {
    lines: Vec<String>,
    seen: u64,
}

static CAPTURED: Mutex<Captured> = Mutex::new(Captured { lines: Vec::new(), seen: 0 });
static SEEN: Condvar = Condvar::new();
static NEXT: AtomicU64 = AtomicU64::new(0);
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Redirects stdout into the capture pipe and wraps the installed syscall stubs (call once, after the
/// ready line was printed and after solana-program-test installed its stubs).
pub fn install() -> std::io::Result<()> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: plain pipe/fcntl/dup2 on descriptors this function owns; fd 1 is replaced atomically.
    unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // Room for a burst of output between two drains (best effort).
        libc::fcntl(fds[1], libc::F_SETPIPE_SZ, 1 << 20);
        if libc::dup2(fds[1], libc::STDOUT_FILENO) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        libc::close(fds[1]);
    }
    // SAFETY: fds[0] is the pipe's read end, owned from here on by the reader thread.
    let read_end = unsafe { File::from_raw_fd(fds[0]) };
    std::thread::Builder::new().name("program-output".into()).spawn(move || read_loop(read_end))?;

    maskoii_dev_syscalls::wrap_installed(Capturing);
    ENABLED.store(true, Ordering::SeqCst);
    Ok(())
}

fn read_loop(read_end: File) {
    let mut reader = BufReader::new(read_end);
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        match reader.read_until(b'\n', &mut bytes) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&bytes);
        let line = line.trim_end_matches('\n');
        let mut captured = CAPTURED.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = line.strip_prefix(SENTINEL).and_then(|n| n.parse::<u64>().ok()) {
            captured.seen = n;
            SEEN.notify_all();
        } else {
            crate::stderr::line(line);
            captured.lines.push(line.to_string());
        }
    }
}

/// Everything printed to stdout since the last call.
pub fn take() -> Vec<String> {
    if !ENABLED.load(Ordering::SeqCst) {
        return Vec::new();
    }
    let n = NEXT.fetch_add(1, Ordering::SeqCst) + 1;
    {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{SENTINEL}{n}");
        let _ = stdout.flush();
    }
    let captured = CAPTURED.lock().unwrap_or_else(|p| p.into_inner());
    let (mut captured, _) =
        SEEN.wait_timeout_while(captured, Duration::from_secs(2), |c| c.seen < n).unwrap_or_else(|p| p.into_inner());
    std::mem::take(&mut captured.lines)
}

/// Moves what the running program printed into its transaction's logs.
pub fn flush_into_logs() {
    for line in take() {
        program_stubs::sol_log(&line);
    }
}

/// Runs a native program's entrypoint with its output captured into the logs, including a panic's
/// message (the panic itself is passed on: the runtime reports ProgramFailedToComplete).
pub fn run_entrypoint(
    entry: fn(&Pubkey, &[AccountInfo], &[u8]) -> ProgramResult,
    program_id: &Pubkey,
    accounts: &[AccountInfo],
    data: &[u8],
) -> ProgramResult {
    // Anything printed outside a program's execution does not belong to this one.
    drop(take());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| entry(program_id, accounts, data)));
    flush_into_logs();
    match result {
        Ok(result) => result,
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown".into());
            program_stubs::sol_log(&format!("panicked: {reason}"));
            std::panic::resume_unwind(panic)
        }
    }
}

/// What the local RPC changes in solana-program-test's stubs: the program's printed output is flushed into the logs
/// before each syscall whose log line must follow it, and a `sol_log_data` record becomes a marked `sol_log` line.
struct Capturing;

impl Overrides for Capturing {
    fn before_ordered_syscall(&self, inner: &dyn SyscallStubs) {
        flush_into_inner(inner);
    }
    fn sol_log_data(&self, inner: &dyn SyscallStubs, fields: &[&[u8]]) {
        use base64::{prelude::BASE64_STANDARD, Engine};
        let encoded: Vec<String> = fields.iter().map(|f| BASE64_STANDARD.encode(f)).collect();
        inner.sol_log(&format!("{DATA_MARKER}{}", encoded.join(" ")))
    }
}

fn flush_into_inner(inner: &dyn SyscallStubs) {
    for line in take() {
        inner.sol_log(&line);
    }
}
