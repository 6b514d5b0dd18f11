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
    solana_instruction::Instruction,
    solana_sysvar::program_stubs::{self, SyscallStubs},
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

    struct Placeholder;
    impl SyscallStubs for Placeholder {}
    let inner = program_stubs::set_syscall_stubs(Box::new(Placeholder));
    program_stubs::set_syscall_stubs(Box::new(CapturingStubs { inner }));
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

/// Delegates every syscall to the wrapped stubs (solana-program-test's), flushing the program's
/// printed output into the logs first wherever ordering with other log lines matters.
struct CapturingStubs {
    inner: Box<dyn SyscallStubs>,
}

impl SyscallStubs for CapturingStubs {
    fn sol_log(&self, message: &str) {
        self.inner.sol_log(message)
    }
    fn sol_log_compute_units(&self) {
        flush_into_inner(&*self.inner);
        self.inner.sol_log_compute_units()
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        self.inner.sol_remaining_compute_units()
    }
    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        flush_into_inner(&*self.inner);
        self.inner.sol_invoke_signed(instruction, account_infos, signers_seeds)
    }
    fn sol_get_sysvar(&self, sysvar_id_addr: *const u8, var_addr: *mut u8, offset: u64, length: u64) -> u64 {
        self.inner.sol_get_sysvar(sysvar_id_addr, var_addr, offset, length)
    }
    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_clock_sysvar(var_addr)
    }
    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_epoch_schedule_sysvar(var_addr)
    }
    fn sol_get_fees_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_fees_sysvar(var_addr)
    }
    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_rent_sysvar(var_addr)
    }
    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_epoch_rewards_sysvar(var_addr)
    }
    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_last_restart_slot(var_addr)
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        self.inner.sol_get_epoch_stake(vote_address)
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        self.inner.sol_memcpy(dst, src, n)
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        self.inner.sol_memmove(dst, src, n)
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        self.inner.sol_memcmp(s1, s2, n, result)
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        self.inner.sol_memset(s, c, n)
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        self.inner.sol_get_return_data()
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        self.inner.sol_set_return_data(data)
    }
    fn sol_log_data(&self, fields: &[&[u8]]) {
        use base64::{prelude::BASE64_STANDARD, Engine};
        flush_into_inner(&*self.inner);
        let encoded: Vec<String> = fields.iter().map(|f| BASE64_STANDARD.encode(f)).collect();
        self.inner.sol_log(&format!("{DATA_MARKER}{}", encoded.join(" ")))
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        self.inner.sol_get_processed_sibling_instruction(index)
    }
    fn sol_get_stack_height(&self) -> u64 {
        self.inner.sol_get_stack_height()
    }
}

fn flush_into_inner(inner: &dyn SyscallStubs) {
    for line in take() {
        inner.sol_log(&line);
    }
}
