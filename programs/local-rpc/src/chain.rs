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

/// Native (host-compiled) programs are logged twice, once by the runtime and once by
/// solana-program-test's builtin shim: `invoke [n]`, `invoke [n]`, ..., `success`, `success`. A real
/// runtime never logs the same invoke/success/failure line twice in a row, so drop the repeats, which
/// keeps log parsers' program stacks (Anchor's EventParser) balanced. Also restores `Program data:`
/// lines that native programs' `sol_log_data` produced (see `program_output`).
pub fn normalize_logs(logs: Vec<String>) -> Vec<String> {
    let data_prefix = format!("Program log: {}", crate::program_output::DATA_MARKER);
    let mut out: Vec<String> = Vec::with_capacity(logs.len());
    for line in logs {
        let line = match line.strip_prefix(&data_prefix) {
            Some(data) => format!("Program data: {data}"),
            None => line,
        };
        let structural = line.starts_with("Program ")
            && (line.contains(" invoke [") || line.ends_with(" success") || line.contains(" failed: "));
        if structural && out.last() == Some(&line) {
            continue;
        }
        out.push(line);
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
}
