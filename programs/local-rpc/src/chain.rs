//! The ledger: a real `solana_runtime::Bank` fork chain that advances one slot per tick, with the SPL
//! programs (and the maskoii program as a native builtin) loaded, plus the in-memory transaction history.
//!
//! Everything here is synchronous and runs under one mutex (see `server.rs`), so a slot never ends in
//! the middle of a transaction and every read sees one consistent bank.

use {
    crate::{
        encoding,
        history::{Block, History, TxRecord},
        pubsub::{Event, Events},
    },
    agave_feature_set::FeatureSet,
    solana_account::{AccountSharedData, ReadableAccount, WritableAccount},
    solana_accounts_db::accounts_db::ACCOUNTS_DB_CONFIG_FOR_TESTING,
    solana_clock::{Slot, MAX_PROCESSING_AGE},
    solana_cluster_type::ClusterType,
    solana_fee_calculator::{FeeRateGovernor, DEFAULT_TARGET_LAMPORTS_PER_SIGNATURE},
    solana_hash::Hash,
    solana_keypair::Keypair,
    solana_message::{Message, SanitizedMessage},
    solana_native_token::LAMPORTS_PER_SOL,
    solana_poh_config::PohConfig,
    solana_program_runtime::{invoke_context::BuiltinFunctionWithContext, loaded_programs::ProgramCacheEntry},
    solana_pubkey::Pubkey,
    solana_rent::Rent,
    solana_runtime::{
        bank::{Bank, TransactionSimulationResult},
        bank_forks::BankForks,
        genesis_utils::create_genesis_config_with_leader_ex,
        runtime_config::RuntimeConfig,
    },
    solana_runtime_transaction::runtime_transaction::RuntimeTransaction,
    solana_signature::Signature,
    solana_signer::Signer,
    solana_svm::transaction_processor::ExecutionRecordingConfig,
    solana_svm_timings::ExecuteTimings,
    solana_transaction::{
        sanitized::{MessageHash, SanitizedTransaction},
        versioned::VersionedTransaction,
        Transaction,
    },
    solana_transaction_error::TransactionError,
    std::{
        sync::{Arc, RwLock},
        time::Duration,
    },
};

/// Slots a transaction's slot must be behind the tip before it is reported `finalized` (as on a real
/// cluster, roughly 32 slots of votes).
pub const FINALIZED_DISTANCE: u64 = 32;

/// A native (host-compiled) program loaded into the bank at genesis.
pub struct NativeProgram {
    pub name: &'static str,
    pub program_id: Pubkey,
    pub entry: BuiltinFunctionWithContext,
}

/// Options for building the chain.
pub struct ChainConfig {
    pub slot_ms: u64,
    pub faucet_lamports: u64,
    pub programs: Vec<NativeProgram>,
    /// Accounts stored at genesis.
    pub accounts: Vec<(Pubkey, AccountSharedData)>,
    /// SBF programs (address, ELF) loaded with the BPF loader, as solana-program-test does.
    pub bpf_programs: Vec<(Pubkey, Vec<u8>)>,
    /// Where slots and committed transactions are announced (WebSocket subscriptions).
    pub events: Events,
}

/// Result of executing a transaction for real (committed or not).
#[allow(clippy::large_enum_variant)] // short-lived, returned once per transaction
pub enum Processed {
    /// Committed to the bank (successfully or with an execution error); recorded in the history.
    Committed(TxRecord),
    /// Not committed at all (bad blockhash, fee payer cannot pay, already processed, ...).
    Dropped(TransactionError),
}

pub struct Chain {
    forks: Arc<RwLock<BankForks>>,
    pub genesis_hash: Hash,
    pub faucet: Keypair,
    pub history: History,
    events: Events,
    airdrops: u32,
    /// Blockhash of the last finished slot.
    previous_blockhash: Hash,
}

impl Chain {
    /// Builds genesis the way `solana-program-test` does (same feature set, fees, rent, SPL programs)
    /// but keeps the `BankForks` so that slots can advance at a steady pace, one blockhash per slot.
    pub fn new(config: ChainConfig) -> Chain {
        let rent = Rent::default();
        let fee_rate_governor = FeeRateGovernor {
            lamports_per_signature: DEFAULT_TARGET_LAMPORTS_PER_SIGNATURE / 2,
            ..FeeRateGovernor::default()
        };
        let faucet = Keypair::new();
        let validator = Keypair::new().pubkey();
        let validator_stake = rent.minimum_balance(4096) + 1_000_000 * LAMPORTS_PER_SOL;
        let feature_set = FeatureSet::all_enabled();
        let mut genesis_config = create_genesis_config_with_leader_ex(
            config.faucet_lamports,
            &faucet.pubkey(),
            &validator,
            &Keypair::new().pubkey(),
            &Keypair::new().pubkey(),
            None,
            validator_stake,
            42,
            fee_rate_governor,
            rent.clone(),
            ClusterType::Development,
            &feature_set,
            Vec::new(),
        );
        // Clock::unix_timestamp advances by target_tick_duration * ticks_per_slot per slot: make that
        // the configured slot time so on-chain time tracks wall time.
        let tick_us = (config.slot_ms.max(1) * 1000) / genesis_config.ticks_per_slot.max(1);
        genesis_config.poh_config = PohConfig::new_sleep(Duration::from_micros(tick_us.max(1)));
        let genesis_hash = genesis_config.hash();

        let bank = Bank::new_from_genesis(
            &genesis_config,
            Arc::new(RuntimeConfig::default()),
            Vec::default(),
            None,
            ACCOUNTS_DB_CONFIG_FOR_TESTING,
            None,
            None,
            Arc::default(),
            None,
            None,
        );
        for (program_id, account) in solana_program_binaries::spl_programs(&rent).iter() {
            bank.store_account(program_id, account);
        }
        for (program_id, account) in
            solana_program_binaries::core_bpf_programs(&rent, |feature| genesis_config.accounts.contains_key(feature))
                .iter()
        {
            bank.store_account(program_id, account);
        }
        for (address, account) in &config.accounts {
            bank.store_account(address, account);
        }
        for (address, elf) in config.bpf_programs {
            let lamports = rent.minimum_balance(elf.len()).max(1);
            let mut account = AccountSharedData::new(lamports, 0, &solana_sdk_ids::bpf_loader::id());
            account.set_data_from_slice(&elf);
            account.set_executable(true);
            bank.store_account(&address, &account);
        }
        for program in config.programs {
            bank.add_builtin(
                program.program_id,
                program.name,
                ProgramCacheEntry::new_builtin(0, program.name.len(), program.entry),
            );
        }
        bank.set_capitalization_for_tests(bank.calculate_capitalization_for_tests());
        let bank = Arc::new(bank);
        bank.fill_bank_with_ticks_for_tests();
        let previous_blockhash = bank.last_blockhash();
        let bank = Bank::new_from_parent(bank.clone(), &validator, bank.slot() + 1);
        Chain {
            forks: BankForks::new_rw_arc(bank),
            genesis_hash,
            faucet,
            history: History::default(),
            events: config.events,
            airdrops: 0,
            previous_blockhash,
        }
    }

    /// The bank transactions execute in and reads are served from (the tip).
    pub fn bank(&self) -> Arc<Bank> {
        self.forks.read().unwrap().working_bank()
    }

    pub fn slot(&self) -> Slot {
        self.bank().slot()
    }

    /// Ends the current slot (registering its blockhash), freezes it, roots it and opens the next one.
    pub fn advance_slot(&mut self) {
        let mut forks = self.forks.write().unwrap();
        let bank = forks.working_bank();
        bank.fill_bank_with_ticks_for_tests();
        bank.freeze();
        let blockhash = bank.last_blockhash();
        self.history.record_block(Block {
            slot: bank.slot(),
            parent_slot: bank.parent_slot(),
            blockhash,
            previous_blockhash: self.previous_blockhash,
            block_height: bank.block_height(),
            block_time: bank.clock().unix_timestamp,
        });
        self.previous_blockhash = blockhash;
        let child = Bank::new_from_parent(bank.clone(), bank.collector_id(), bank.slot() + 1);
        forks.insert(child);
        forks.set_root(bank.slot(), None, Some(bank.slot()));
        let _ = self.events.send(Event::Slot { slot: bank.slot() + 1, parent: bank.slot(), root: bank.slot() });
        // Keep the accounts write cache from growing without bound (no background service here).
        if bank.slot().is_multiple_of(256) {
            bank.force_flush_accounts_cache();
        }
    }

    /// Sanitizes a transaction against the tip bank (resolves address lookup tables).
    pub fn sanitize(
        &self,
        bank: &Bank,
        tx: VersionedTransaction,
    ) -> Result<RuntimeTransaction<SanitizedTransaction>, TransactionError> {
        RuntimeTransaction::try_create(
            tx,
            MessageHash::Compute,
            Some(false),
            bank,
            bank.get_reserved_account_keys(),
            bank.feature_set.is_active(&agave_feature_set::static_instruction_limit::id()),
        )
    }

    /// Executes without committing (preflight / simulateTransaction).
    pub fn simulate(
        &self,
        tx: VersionedTransaction,
        cpi_recording: bool,
    ) -> Result<TransactionSimulationResult, TransactionError> {
        let bank = self.bank();
        let sanitized = self.sanitize(&bank, tx)?;
        let mut result = bank.simulate_transaction_unchecked(&sanitized, cpi_recording);
        result.logs = normalize_logs(std::mem::take(&mut result.logs));
        Ok(result)
    }

    /// Executes and commits a (signature-verified) transaction and records it in the history.
    pub fn process(&mut self, tx: VersionedTransaction) -> Processed {
        let bank = self.bank();
        let sanitized = match self.sanitize(&bank, tx.clone()) {
            Ok(sanitized) => sanitized,
            Err(err) => return Processed::Dropped(err),
        };
        let message: &SanitizedMessage = sanitized.message();
        let keys: Vec<Pubkey> = message.account_keys().iter().copied().collect();
        let writable: Vec<bool> = (0..keys.len()).map(|i| message.is_writable(i)).collect();
        let signer: Vec<bool> = (0..keys.len()).map(|i| message.is_signer(i)).collect();
        let (loaded_writable, loaded_readonly) = match message {
            SanitizedMessage::V0(loaded) => {
                (loaded.loaded_addresses.writable.clone(), loaded.loaded_addresses.readonly.clone())
            }
            SanitizedMessage::Legacy(_) => (Vec::new(), Vec::new()),
        };
        let pre_balances: Vec<u64> = keys.iter().map(|k| bank.get_balance(k)).collect();
        let pre_token_balances = token_balances(&bank, &keys);
        let signature = *sanitized.signature();

        let batch = match bank.prepare_entry_batch(vec![tx.clone()]) {
            Ok(batch) => batch,
            Err(err) => return Processed::Dropped(err),
        };
        let (mut results, _) = bank.load_execute_and_commit_transactions(
            &batch,
            MAX_PROCESSING_AGE,
            ExecutionRecordingConfig {
                enable_cpi_recording: true,
                enable_log_recording: true,
                enable_return_data_recording: true,
                enable_transaction_balance_recording: false,
            },
            &mut ExecuteTimings::default(),
            Some(1000 * 1000),
        );
        drop(batch);
        let committed = match results.remove(0) {
            Ok(committed) => committed,
            Err(err) => return Processed::Dropped(err),
        };
        let post_balances: Vec<u64> = keys.iter().map(|k| bank.get_balance(k)).collect();
        let post_token_balances = token_balances(&bank, &keys);
        let record = TxRecord {
            signature,
            slot: bank.slot(),
            block_time: bank.clock().unix_timestamp,
            transaction: tx,
            account_keys: keys,
            writable,
            signer,
            loaded_writable,
            loaded_readonly,
            err: committed.status.err(),
            logs: normalize_logs(committed.log_messages.unwrap_or_default()),
            inner_instructions: committed.inner_instructions.unwrap_or_default(),
            return_data: committed.return_data,
            fee: committed.fee_details.total_fee(),
            compute_units: committed.executed_units,
            pre_balances,
            post_balances,
            pre_token_balances,
            post_token_balances,
        };
        self.history.insert(record.clone());
        let _ = self.events.send(Event::Transaction(Arc::new(record.clone())));
        Processed::Committed(record)
    }

    /// Sends `lamports` from the faucet to `to`. Each airdrop carries a distinct compute-unit limit so
    /// that two identical requests in one slot still get distinct signatures.
    pub fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<Signature, String> {
        self.airdrops = self.airdrops.wrapping_add(1);
        let unit_limit = 100_000 + (self.airdrops % 1_000_000);
        let mut limit_data = vec![2u8];
        limit_data.extend_from_slice(&unit_limit.to_le_bytes());
        let instructions = vec![
            solana_system_interface::instruction::transfer(&self.faucet.pubkey(), to, lamports),
            solana_instruction::Instruction::new_with_bytes(solana_sdk_ids::compute_budget::id(), &limit_data, vec![]),
        ];
        let bank = self.bank();
        let message = Message::new(&instructions, Some(&self.faucet.pubkey()));
        let tx = Transaction::new(&[&self.faucet], message, bank.last_blockhash());
        match self.process(VersionedTransaction::from(tx)) {
            Processed::Committed(record) => match record.err {
                None => Ok(record.signature),
                Some(err) => Err(err.to_string()),
            },
            Processed::Dropped(err) => Err(err.to_string()),
        }
    }

    /// Account lookup at the tip.
    pub fn account(&self, address: &Pubkey) -> Option<AccountSharedData> {
        self.bank().get_account(address).filter(|a| a.lamports() > 0)
    }
}

/// `UiTransactionTokenBalance` entries for the SPL token accounts among `keys`.
pub fn token_balances(bank: &Bank, keys: &[Pubkey]) -> Vec<serde_json::Value> {
    keys.iter()
        .enumerate()
        .filter_map(|(index, key)| {
            let account = bank.get_account(key)?;
            let (mint, owner, amount) = encoding::parse_token_account(&account)?;
            let decimals = bank.get_account(&mint).as_ref().and_then(encoding::mint_decimals)?;
            Some(serde_json::json!({
                "accountIndex": index,
                "mint": mint.to_string(),
                "owner": owner.to_string(),
                "programId": account.owner().to_string(),
                "uiTokenAmount": encoding::ui_token_amount(amount, decimals),
            }))
        })
        .collect()
}

/// Turns the logs of a transaction that ran native (host-compiled) programs into the runtime's own shape, so that
/// log parsers that follow the program stack (Anchor's `EventParser`) attribute every line to the right program.
/// solana-program-test's shims add structural lines the SBF runtime never writes:
///
/// * its native processor repeats the runtime's `Program X invoke [n]` right after it, and logs its own
///   `success` / `failed` right before the runtime's;
/// * a CPI made by a native program logs `Program Y invoke [n]` at the *caller's* height `n` before the runtime's
///   `invoke [n+1]`, and `Program Y success` again after the callee's.
///
/// The runtime's invoke line is always one deeper than the current stack, so each extra line is recognised by the
/// stack alone (this also holds when a program calls itself, where the lines' texts repeat). Lines of SBF programs
/// are left as they are. Also restores `Program data:` lines that native programs' `sol_log_data` produced (see
/// `program_output`).
pub fn normalize_logs(logs: Vec<String>) -> Vec<String> {
    struct Frame {
        program: String,
        /// The native processor's own `success`/`failed` line still to come before the runtime's.
        shim_result: bool,
        /// Called by a native program: the CPI shim logs one more `success` after the runtime's.
        cpi_success: bool,
    }
    let data_prefix = format!("Program log: {}", crate::program_output::DATA_MARKER);
    let mut out: Vec<String> = Vec::with_capacity(logs.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut just_invoked = false;
    let mut cpi_pending: Option<String> = None;
    let mut success_echo: Option<String> = None;
    for line in logs {
        let line = match line.strip_prefix(&data_prefix) {
            Some(data) => format!("Program data: {data}"),
            None => line,
        };
        let was_just_invoked = std::mem::replace(&mut just_invoked, false);
        let echo = success_echo.take();
        let Some(rest) = line.strip_prefix("Program ") else {
            out.push(line);
            continue;
        };
        let program = rest.split(' ').next().unwrap_or_default().to_string();
        let after = &rest[program.len()..];
        if let Some(height) = after.strip_prefix(" invoke [").and_then(|h| h.strip_suffix(']')) {
            let Ok(height) = height.parse::<usize>() else {
                out.push(line);
                continue;
            };
            if height == stack.len() + 1 {
                let cpi_success = cpi_pending.take().is_some_and(|p| p == program);
                stack.push(Frame { program, shim_result: false, cpi_success });
                just_invoked = true;
                out.push(line);
            } else if height == stack.len() && was_just_invoked && stack.last().is_some_and(|f| f.program == program) {
                // The native processor repeating the invoke line it runs under.
                if let Some(frame) = stack.last_mut() {
                    frame.shim_result = true;
                }
            } else if height == stack.len() {
                // The CPI shim announcing a call at the caller's height; the runtime's line follows.
                cpi_pending = Some(program);
            } else {
                out.push(line);
            }
            continue;
        }
        let success = after == " success";
        let failure = after.starts_with(" failed: ") || after.starts_with(" failed");
        if !success && !failure {
            out.push(line);
            continue;
        }
        if success && echo.as_deref() == Some(program.as_str()) {
            continue; // the CPI shim's success after the callee's
        }
        match stack.last_mut() {
            Some(frame) if frame.program == program => {
                if frame.shim_result {
                    frame.shim_result = false; // the native processor's own result line
                    continue;
                }
                let frame = stack.pop().expect("top frame");
                if success && frame.cpi_success {
                    success_echo = Some(frame.program);
                }
                out.push(line);
            }
            // A success for a program not running (only the shims write those): dropped. Failures are kept.
            _ if success => {}
            _ => out.push(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize_logs;

    #[test]
    fn normalize_logs_drops_only_repeated_structural_lines() {
        let logs = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            normalize_logs(logs(&[
                "Program A invoke [1]",
                "Program A invoke [1]",
                "Program log: x",
                "Program log: x",
                "Program B invoke [2]",
                "Program B success",
                "Program A success",
                "Program A success",
            ])),
            logs(&[
                "Program A invoke [1]",
                "Program log: x",
                "Program log: x",
                "Program B invoke [2]",
                "Program B success",
                "Program A success",
            ])
        );
        assert_eq!(
            normalize_logs(logs(&[
                "Program A invoke [1]",
                "Program A invoke [1]",
                "Program A failed: boom",
                "Program A failed: boom"
            ])),
            logs(&["Program A invoke [1]", "Program A failed: boom"])
        );
        let data = format!("Program log: {}AQI= Aw==", crate::program_output::DATA_MARKER);
        assert_eq!(normalize_logs(logs(&[&data])), logs(&["Program data: AQI= Aw=="]));
    }

    #[test]
    fn normalize_logs_removes_the_cpi_shim_lines_of_a_native_caller() {
        let logs = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Native A calls the system program S, then logs an event: the event belongs to A.
        assert_eq!(
            normalize_logs(logs(&[
                "Program A invoke [1]",
                "Program A invoke [1]",
                "Program log: Instruction: Send",
                "Program S invoke [1]",
                "Program S invoke [2]",
                "Program S success",
                "Program S success",
                "Program data: AQI=",
                "Program A success",
                "Program A success",
            ])),
            logs(&[
                "Program A invoke [1]",
                "Program log: Instruction: Send",
                "Program S invoke [2]",
                "Program S success",
                "Program data: AQI=",
                "Program A success",
            ])
        );
        // Native A calls itself (its `handle`), which calls the SBF program T; A logs after the call returns.
        assert_eq!(
            normalize_logs(logs(&[
                "Program A invoke [1]",
                "Program A invoke [1]",
                "Program log: Instruction: Deliver",
                "Program data: AA==",
                "Program A invoke [1]",
                "Program A invoke [2]",
                "Program A invoke [2]",
                "Program log: Instruction: Handle",
                "Program T invoke [2]",
                "Program T invoke [3]",
                "Program log: Instruction: Transfer",
                "Program T consumed 4645 of 190000 compute units",
                "Program T success",
                "Program T success",
                "Program data: AQ==",
                "Program A success",
                "Program A success",
                "Program A success",
                "Program A success",
                "Program A success",
            ])),
            logs(&[
                "Program A invoke [1]",
                "Program log: Instruction: Deliver",
                "Program data: AA==",
                "Program A invoke [2]",
                "Program log: Instruction: Handle",
                "Program T invoke [3]",
                "Program log: Instruction: Transfer",
                "Program T consumed 4645 of 190000 compute units",
                "Program T success",
                "Program data: AQ==",
                "Program A success",
                "Program A success",
            ])
        );
        // A failing callee: no CPI shim success, both programs' failures once each.
        assert_eq!(
            normalize_logs(logs(&[
                "Program A invoke [1]",
                "Program A invoke [1]",
                "Program B invoke [1]",
                "Program B invoke [2]",
                "Program B invoke [2]",
                "Program B failed: custom program error: 0x4d",
                "Program B failed: custom program error: 0x4d",
                "Program A failed: custom program error: 0x4d",
                "Program A failed: custom program error: 0x4d",
            ])),
            logs(&[
                "Program A invoke [1]",
                "Program B invoke [2]",
                "Program B failed: custom program error: 0x4d",
                "Program A failed: custom program error: 0x4d",
            ])
        );
        // SBF-only logs are unchanged.
        let sbf = logs(&[
            "Program T invoke [1]",
            "Program log: Instruction: Transfer",
            "Program T consumed 4645 of 200000 compute units",
            "Program T success",
        ]);
        assert_eq!(normalize_logs(sbf.clone()), sbf);
    }
}
