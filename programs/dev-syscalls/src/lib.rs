//! Syscall stubs for programs compiled for the host (not SBF), shared by the program tests and `local-rpc`.
//!
//! When a program runs as a native processor (solana-program-test's `processor!`), the syscalls it makes (logging,
//! CPI, sysvars, return data...) go to solana-sysvar's process-wide `SyscallStubs`, which solana-program-test installs
//! when its first bank is set up. Both hosts of the maskoii program need to change a little of that behaviour (where
//! `sol_log_data` records go, and for `local-rpc` the ordering of the program's printed output with its other log
//! lines) and delegate everything else to program-test's stubs. [`wrap_installed`] does that: it takes the installed
//! stubs and installs a [`Wrapped`] around them that forwards every syscall except what the [`Overrides`] change.
//!
//! Host-only: this crate is a dependency of `local-rpc` and a dev-dependency of the program's tests, never of the
//! program itself (which `anchor build` compiles for SBF, where the syscalls are real).

use {
    solana_account_info::AccountInfo, solana_instruction::Instruction, solana_program_error::ProgramResult,
    solana_pubkey::Pubkey, solana_sysvar::program_stubs,
};

/// solana-sysvar's trait, which the [`Overrides`] receive the wrapped stubs as.
pub use solana_sysvar::program_stubs::SyscallStubs;

/// What a host changes in the installed syscall stubs. Each method receives the wrapped (installed) stubs; the
/// defaults change nothing.
pub trait Overrides: Send + Sync + 'static {
    /// Runs before each syscall whose log line (or the callee's) must come after everything the program wrote so
    /// far: `sol_log_compute_units`, `sol_invoke_signed` and `sol_log_data`.
    fn before_ordered_syscall(&self, _inner: &dyn SyscallStubs) {}

    /// `sol_log_data` (after `before_ordered_syscall`): by default the wrapped stubs' (program-test's prints the
    /// record to stdout, which is not a log line).
    fn sol_log_data(&self, inner: &dyn SyscallStubs, fields: &[&[u8]]) {
        inner.sol_log_data(fields)
    }
}

/// Replaces the process's installed syscall stubs with a [`Wrapped`] around them. Call once per process, after
/// solana-program-test installed its stubs (when its first bank was set up); calling it again would wrap the wrapper.
pub fn wrap_installed(overrides: impl Overrides) {
    struct Placeholder;
    impl SyscallStubs for Placeholder {}
    let inner = program_stubs::set_syscall_stubs(Box::new(Placeholder));
    program_stubs::set_syscall_stubs(Box::new(Wrapped { inner, overrides }));
}

/// Delegates every syscall to `inner` except what `overrides` changes.
pub struct Wrapped<O> {
    inner: Box<dyn SyscallStubs>,
    overrides: O,
}

impl<O: Overrides> SyscallStubs for Wrapped<O> {
    fn sol_log(&self, message: &str) {
        self.inner.sol_log(message)
    }
    fn sol_log_compute_units(&self) {
        self.overrides.before_ordered_syscall(&*self.inner);
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
        self.overrides.before_ordered_syscall(&*self.inner);
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
        self.overrides.before_ordered_syscall(&*self.inner);
        self.overrides.sol_log_data(&*self.inner, fields)
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        self.inner.sol_get_processed_sibling_instruction(index)
    }
    fn sol_get_stack_height(&self) -> u64 {
        self.inner.sol_get_stack_height()
    }
}

#[cfg(test)]
mod tests {
    use {
        super::*,
        std::sync::{Arc, Mutex},
    };

    type Calls = Arc<Mutex<Vec<String>>>;

    /// Stands for solana-program-test's stubs: records what reaches it.
    struct Recording(Calls);

    impl SyscallStubs for Recording {
        fn sol_log(&self, message: &str) {
            self.0.lock().unwrap().push(format!("inner log {message}"));
        }
        fn sol_log_compute_units(&self) {
            self.0.lock().unwrap().push("inner compute units".into());
        }
        fn sol_invoke_signed(&self, instruction: &Instruction, _: &[AccountInfo], _: &[&[&[u8]]]) -> ProgramResult {
            self.0.lock().unwrap().push(format!("inner invoke {:?}", instruction.data));
            Ok(())
        }
        fn sol_log_data(&self, fields: &[&[u8]]) {
            self.0.lock().unwrap().push(format!("inner data {fields:?}"));
        }
        fn sol_get_stack_height(&self) -> u64 {
            7
        }
    }

    /// Marks each ordered syscall and rewrites `sol_log_data` records whose first field is `[1]`.
    struct Marking(Calls);

    impl Overrides for Marking {
        fn before_ordered_syscall(&self, inner: &dyn SyscallStubs) {
            inner.sol_log("before");
        }
        fn sol_log_data(&self, inner: &dyn SyscallStubs, fields: &[&[u8]]) {
            if fields.first() == Some(&&[1u8][..]) {
                self.0.lock().unwrap().push("override data".into());
            } else {
                inner.sol_log_data(fields)
            }
        }
    }

    /// One test: the stubs are process-wide, so the wrapper is installed once here.
    #[test]
    fn wrapper_delegates_and_applies_the_overrides() {
        let calls: Calls = Arc::default();
        program_stubs::set_syscall_stubs(Box::new(Recording(calls.clone())));
        wrap_installed(Marking(calls.clone()));

        program_stubs::sol_log("plain");
        program_stubs::sol_log_compute_units();
        let ix = Instruction { program_id: Pubkey::default(), accounts: vec![], data: vec![9] };
        program_stubs::sol_invoke_signed(&ix, &[], &[]).unwrap();
        program_stubs::sol_log_data(&[&[1u8]]);
        program_stubs::sol_log_data(&[&[2u8]]);
        assert_eq!(program_stubs::sol_get_stack_height(), 7);

        assert_eq!(
            *calls.lock().unwrap(),
            [
                "inner log plain",
                "inner log before",
                "inner compute units",
                "inner log before",
                "inner invoke [9]",
                "inner log before",
                "override data",
                "inner log before",
                "inner data [[2]]",
            ]
        );
    }
}
