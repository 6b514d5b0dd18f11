//! The JSON-RPC methods, with the request and response shapes of the real Solana RPC.

use {
    crate::{
        chain::{Chain, Processed, FINALIZED_DISTANCE},
        encoding::{self, AccountEncoding, Binary, DataSlice, TxEncoding},
        history::TxRecord,
        rpc::{
            parse_pubkey, parse_signature, Config, Params, RpcError, BLOCK_NOT_AVAILABLE, INTERNAL_ERROR,
            MIN_CONTEXT_SLOT_NOT_REACHED, SEND_TRANSACTION_PREFLIGHT_FAILURE,
            TRANSACTION_SIGNATURE_VERIFICATION_FAILURE, UNSUPPORTED_TRANSACTION_VERSION,
        },
    },
    base64::{prelude::BASE64_STANDARD, Engine},
    serde_json::{json, Value},
    solana_account::ReadableAccount,
    solana_accounts_db::accounts_index::ScanConfig,
    solana_hash::Hash,
    solana_message::{SanitizedMessage, SanitizedVersionedMessage},
    solana_runtime::bank::TransactionSimulationResult,
    solana_transaction::versioned::{TransactionVersion, VersionedTransaction},
    std::str::FromStr,
};

/// Version reported by getVersion and in every response context.
pub const API_VERSION: &str = "3.1.12";
const MAX_MULTIPLE_ACCOUNTS: usize = 100;
const MAX_SIGNATURE_STATUSES: usize = 256;
const MAX_SIGNATURES_FOR_ADDRESS: u64 = 1000;

pub fn call(chain: &mut Chain, method: &str, params: &Params) -> Result<Value, RpcError> {
    match method {
        "getAccountInfo" => get_account_info(chain, params),
        "getBalance" => get_balance(chain, params),
        "getBlockHeight" => {
            let config = params.config(0)?;
            check_min_context_slot(chain, &config)?;
            Ok(json!(chain.bank().block_height()))
        }
        "getEpochInfo" => get_epoch_info(chain, params),
        "getEpochSchedule" => {
            let schedule = chain.bank().epoch_schedule().clone();
            Ok(json!({
                "slotsPerEpoch": schedule.slots_per_epoch,
                "leaderScheduleSlotOffset": schedule.leader_schedule_slot_offset,
                "warmup": schedule.warmup,
                "firstNormalEpoch": schedule.first_normal_epoch,
                "firstNormalSlot": schedule.first_normal_slot,
            }))
        }
        "getFeeForMessage" => get_fee_for_message(chain, params),
        "getFirstAvailableBlock" | "minimumLedgerSlot" => Ok(json!(chain.history.first_block().unwrap_or(0))),
        "getBlock" => get_block(chain, params),
        "getBlocks" => get_blocks(chain, params, false),
        "getBlocksWithLimit" => get_blocks(chain, params, true),
        "getBlockTime" => {
            let slot = params.u64(0, "slot")?;
            let block = chain.history.block(slot).ok_or_else(|| block_not_available(slot))?;
            Ok(json!(block.block_time))
        }
        "getGenesisHash" => Ok(json!(chain.genesis_hash.to_string())),
        "getHealth" => Ok(json!("ok")),
        "getIdentity" => Ok(json!({ "identity": chain.bank().collector_id().to_string() })),
        "getLatestBlockhash" => get_latest_blockhash(chain, params),
        "getMinimumBalanceForRentExemption" => {
            let len = params.get(0).map(|_| params.u64(0, "dataLength")).transpose()?.unwrap_or(0);
            params.config(1)?;
            Ok(json!(chain.bank().get_minimum_balance_for_rent_exemption(len as usize)))
        }
        "getMultipleAccounts" => get_multiple_accounts(chain, params),
        "getProgramAccounts" => get_program_accounts(chain, params),
        "getRecentPrioritizationFees" => Ok(json!([])),
        "getSignatureStatuses" => get_signature_statuses(chain, params),
        "getSignaturesForAddress" => get_signatures_for_address(chain, params),
        "getSlot" => {
            let config = params.config(0)?;
            check_min_context_slot(chain, &config)?;
            Ok(json!(slot_at(chain, config.str("commitment")?)))
        }
        "getTokenAccountBalance" => get_token_account_balance(chain, params),
        "getTokenAccountsByOwner" => get_token_accounts_by_owner(chain, params),
        "getTransaction" => get_transaction(chain, params),
        "getTransactionCount" => Ok(json!(chain.bank().transaction_count())),
        "getVersion" => Ok(json!({ "solana-core": API_VERSION, "feature-set": feature_set_id() })),
        "isBlockhashValid" => is_blockhash_valid(chain, params),
        "requestAirdrop" => request_airdrop(chain, params),
        "sendTransaction" => send_transaction(chain, params),
        "simulateTransaction" => simulate_transaction(chain, params),
        _ => Err(RpcError::new(crate::rpc::METHOD_NOT_FOUND, "Method not found")),
    }
}

/// A stable u32 identifying this server's feature set (the real RPC reports a hash of its features).
fn feature_set_id() -> u32 {
    let mut id: u32 = 0x811c_9dc5;
    for byte in API_VERSION.bytes() {
        id = (id ^ byte as u32).wrapping_mul(0x0100_0193);
    }
    id
}

/// Mint decimals at the tip, for jsonParsed token accounts.
pub fn decimals(chain: &Chain) -> impl Fn(&solana_pubkey::Pubkey) -> Option<u8> + '_ {
    move |mint| chain.account(mint).as_ref().and_then(encoding::mint_decimals)
}

fn context(chain: &Chain) -> Value {
    json!({ "slot": chain.slot(), "apiVersion": API_VERSION })
}

fn with_context(chain: &Chain, value: Value) -> Value {
    json!({ "context": context(chain), "value": value })
}

fn check_min_context_slot(chain: &Chain, config: &Config) -> Result<(), RpcError> {
    if let Some(min) = config.u64("minContextSlot")? {
        let slot = chain.slot();
        if slot < min {
            return Err(RpcError::new(MIN_CONTEXT_SLOT_NOT_REACHED, "Minimum context slot has not been reached")
                .with_data(json!({ "contextSlot": slot })));
        }
    }
    Ok(())
}

fn data_slice(config: &Config) -> Result<Option<DataSlice>, RpcError> {
    let Some(slice) = config.value("dataSlice") else {
        return Ok(None);
    };
    let field = |name: &str| {
        slice.get(name).and_then(Value::as_u64).ok_or_else(|| {
            RpcError::invalid_params(format!("Invalid param: `dataSlice.{name}` must be an unsigned integer"))
        })
    };
    Ok(Some(DataSlice { offset: field("offset")? as usize, length: field("length")? as usize }))
}

fn get_account_info(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let address = params.pubkey(0, "pubkey")?;
    let config = params.config(1)?;
    let encoding = AccountEncoding::parse(config.str("encoding")?)?;
    let slice = data_slice(&config)?;
    check_min_context_slot(chain, &config)?;
    let value = match chain.account(&address) {
        None => Value::Null,
        Some(account) => encoding::account_json(&account, encoding, slice, &decimals(chain))?,
    };
    Ok(with_context(chain, value))
}

fn get_multiple_accounts(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let keys = params.string_list(0, "pubkeys")?;
    if keys.len() > MAX_MULTIPLE_ACCOUNTS {
        return Err(RpcError::invalid_params(format!("Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")));
    }
    let keys = keys.iter().map(|k| parse_pubkey(k, "pubkeys")).collect::<Result<Vec<_>, _>>()?;
    let config = params.config(1)?;
    let encoding = AccountEncoding::parse(config.str("encoding")?)?;
    let slice = data_slice(&config)?;
    check_min_context_slot(chain, &config)?;
    let values = keys
        .iter()
        .map(|k| match chain.account(k) {
            None => Ok(Value::Null),
            Some(account) => encoding::account_json(&account, encoding, slice, &decimals(chain)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(with_context(chain, Value::Array(values)))
}

fn get_program_accounts(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let program = params.pubkey(0, "programId")?;
    let config = params.config(1)?;
    let encoding = AccountEncoding::parse(config.str("encoding")?)?;
    let slice = data_slice(&config)?;
    check_min_context_slot(chain, &config)?;
    let filters = match config.value("filters") {
        None => Vec::new(),
        Some(Value::Array(list)) => list.clone(),
        Some(_) => return Err(RpcError::invalid_params("Invalid param: `filters` must be an array")),
    };
    let mut parsed = Vec::new();
    for filter in &filters {
        if let Some(size) = filter.get("dataSize") {
            let size = size.as_u64().ok_or_else(|| {
                RpcError::invalid_params("Invalid param: `filters[].dataSize` must be an unsigned integer")
            })?;
            parsed.push((None, size as usize, Vec::new()));
        } else if let Some(memcmp) = filter.get("memcmp") {
            let offset = memcmp.get("offset").and_then(Value::as_u64).ok_or_else(|| {
                RpcError::invalid_params("Invalid param: `filters[].memcmp.offset` must be an unsigned integer")
            })? as usize;
            let bytes = memcmp
                .get("bytes")
                .and_then(Value::as_str)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: `filters[].memcmp.bytes` must be a string"))?;
            let bytes = match memcmp.get("encoding").and_then(Value::as_str) {
                Some("base64") => BASE64_STANDARD.decode(bytes).ok(),
                None | Some("base58") => bs58::decode(bytes).into_vec().ok(),
                Some(_) => None,
            }
            .ok_or_else(|| RpcError::invalid_params("Invalid param: `filters[].memcmp.bytes` could not be decoded"))?;
            parsed.push((Some(offset), 0, bytes));
        } else {
            return Err(RpcError::invalid_params("Invalid param: unsupported filter (use dataSize or memcmp)"));
        }
    }
    let accounts = chain
        .bank()
        .get_program_accounts(&program, &ScanConfig::default())
        .map_err(|e| RpcError::new(INTERNAL_ERROR, format!("Internal error: {e}")))?;
    let mut out = Vec::new();
    for (key, account) in accounts {
        let data = account.data();
        let keep = account.lamports() > 0
            && parsed.iter().all(|(offset, size, bytes)| match offset {
                None => data.len() == *size,
                Some(offset) => data.get(*offset..offset + bytes.len()) == Some(bytes.as_slice()),
            });
        if keep {
            out.push(json!({
                "pubkey": key.to_string(),
                "account": encoding::account_json(&account, encoding, slice, &decimals(chain))?,
            }));
        }
    }
    if config.bool("withContext")? {
        Ok(with_context(chain, Value::Array(out)))
    } else {
        Ok(Value::Array(out))
    }
}

fn get_balance(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let address = params.pubkey(0, "pubkey")?;
    let config = params.config(1)?;
    check_min_context_slot(chain, &config)?;
    let balance = chain.bank().get_balance(&address);
    Ok(with_context(chain, json!(balance)))
}

fn get_token_account_balance(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let address = params.pubkey(0, "pubkey")?;
    params.config(1)?;
    let invalid = || RpcError::invalid_params("Invalid param: not a Token account");
    let account =
        chain.account(&address).ok_or_else(|| RpcError::invalid_params("Invalid param: could not find account"))?;
    let (mint, _, amount) = encoding::parse_token_account(&account).ok_or_else(invalid)?;
    let decimals = chain
        .account(&mint)
        .as_ref()
        .and_then(encoding::mint_decimals)
        .ok_or_else(|| RpcError::invalid_params("Invalid param: could not find mint"))?;
    Ok(with_context(chain, encoding::ui_token_amount(amount, decimals)))
}

/// SPL Token / Token-2022 accounts of `owner`, filtered by `{"mint": ...}` or `{"programId": ...}`.
fn get_token_accounts_by_owner(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let owner = params.pubkey(0, "owner")?;
    let filter = params.required(1, "filter")?;
    let (mint, programs) = match (filter.get("mint"), filter.get("programId")) {
        (Some(Value::String(mint)), None) => {
            let mint = parse_pubkey(mint, "filter.mint")?;
            let program = chain
                .account(&mint)
                .filter(|a| encoding::mint_decimals(a).is_some())
                .map(|a| *a.owner())
                .ok_or_else(|| RpcError::invalid_params("Invalid param: could not find mint"))?;
            (Some(mint), vec![program])
        }
        (None, Some(Value::String(program))) => {
            let program = parse_pubkey(program, "filter.programId")?;
            if program != encoding::SPL_TOKEN && program != encoding::SPL_TOKEN_2022 {
                return Err(RpcError::invalid_params("Invalid param: unrecognized Token program id"));
            }
            (None, vec![program])
        }
        _ => {
            return Err(RpcError::invalid_params(
                "Invalid param: `filter` must be {\"mint\": <pubkey>} or {\"programId\": <pubkey>}",
            ))
        }
    };
    let config = params.config(2)?;
    let encoding = AccountEncoding::parse(config.str("encoding")?)?;
    let slice = data_slice(&config)?;
    check_min_context_slot(chain, &config)?;
    let bank = chain.bank();
    let mut out = Vec::new();
    for program in programs {
        let accounts = bank
            .get_program_accounts(&program, &ScanConfig::default())
            .map_err(|e| RpcError::new(INTERNAL_ERROR, format!("Internal error: {e}")))?;
        for (key, account) in accounts {
            let Some((account_mint, holder, _)) = encoding::parse_token_account(&account) else { continue };
            if holder == owner && mint.is_none_or(|m| m == account_mint) {
                out.push(json!({
                    "pubkey": key.to_string(),
                    "account": encoding::account_json(&account, encoding, slice, &decimals(chain))?,
                }));
            }
        }
    }
    Ok(with_context(chain, Value::Array(out)))
}

fn get_latest_blockhash(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let config = params.config(0)?;
    check_min_context_slot(chain, &config)?;
    let bank = chain.bank();
    let blockhash = bank.last_blockhash();
    let last_valid = bank.get_blockhash_last_valid_block_height(&blockhash).unwrap_or_default();
    Ok(with_context(chain, json!({ "blockhash": blockhash.to_string(), "lastValidBlockHeight": last_valid })))
}

fn is_blockhash_valid(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let blockhash = params.string(0, "blockhash")?;
    let blockhash = Hash::from_str(blockhash).map_err(|_| {
        RpcError::invalid_params(format!("Invalid param: `blockhash` is not a valid base58 hash: {blockhash}"))
    })?;
    let config = params.config(1)?;
    check_min_context_slot(chain, &config)?;
    let valid = chain.bank().is_blockhash_valid(&blockhash);
    Ok(with_context(chain, json!(valid)))
}

fn get_fee_for_message(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let message = encoding::decode_message(params.string(0, "message")?)?;
    let config = params.config(1)?;
    check_min_context_slot(chain, &config)?;
    let bank = chain.bank();
    let sanitized = SanitizedVersionedMessage::try_new(message)
        .map_err(|e| RpcError::invalid_params(format!("invalid transaction message: {e}")))?;
    let sanitized = SanitizedMessage::try_new(sanitized, bank.as_ref(), bank.get_reserved_account_keys())
        .map_err(|e| RpcError::invalid_params(format!("invalid transaction message: {e}")))?;
    let fee = bank.get_fee_for_message(&sanitized);
    Ok(with_context(chain, json!(fee)))
}

fn get_epoch_info(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let config = params.config(0)?;
    check_min_context_slot(chain, &config)?;
    let info = chain.bank().get_epoch_info();
    Ok(json!({
        "absoluteSlot": info.absolute_slot,
        "blockHeight": info.block_height,
        "epoch": info.epoch,
        "slotIndex": info.slot_index,
        "slotsInEpoch": info.slots_in_epoch,
        "transactionCount": info.transaction_count,
    }))
}

/// The newest slot at a commitment level. Transactions execute in the working (tip) slot, so only the slots before
/// it are complete: `confirmed` is the last frozen slot, `finalized` trails the tip by FINALIZED_DISTANCE (as
/// `confirmation` reports transactions). `processed` is the tip; so is an absent commitment, for clients that poll
/// the tip without one (a real node would default to `finalized`).
fn slot_at(chain: &Chain, commitment: Option<&str>) -> u64 {
    let tip = chain.slot();
    match commitment {
        Some("confirmed" | "single" | "singleGossip") => tip.saturating_sub(1),
        Some("finalized" | "root" | "max") => tip.saturating_sub(FINALIZED_DISTANCE),
        _ => tip,
    }
}

fn confirmation(chain: &Chain, record: &TxRecord) -> (Value, &'static str) {
    let distance = chain.slot().saturating_sub(record.slot);
    if distance >= FINALIZED_DISTANCE {
        (Value::Null, "finalized")
    } else {
        (json!(distance), "confirmed")
    }
}

fn get_signature_statuses(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let signatures = params.string_list(0, "signatures")?;
    if signatures.len() > MAX_SIGNATURE_STATUSES {
        return Err(RpcError::invalid_params(format!("Too many inputs provided; max {MAX_SIGNATURE_STATUSES}")));
    }
    let signatures = signatures.iter().map(|s| parse_signature(s, "signatures")).collect::<Result<Vec<_>, _>>()?;
    params.config(1)?;
    let values: Vec<Value> = signatures
        .iter()
        .map(|signature| match chain.history.get(signature) {
            None => Value::Null,
            Some(record) => {
                let (confirmations, status) = confirmation(chain, record);
                json!({
                    "slot": record.slot,
                    "confirmations": confirmations,
                    "err": encoding::error_json(&record.err),
                    "status": encoding::status_json(&record.err),
                    "confirmationStatus": status,
                })
            }
        })
        .collect();
    Ok(with_context(chain, Value::Array(values)))
}

fn get_signatures_for_address(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let address = params.pubkey(0, "address")?;
    let config = params.config(1)?;
    check_min_context_slot(chain, &config)?;
    let limit = config.u64("limit")?.unwrap_or(MAX_SIGNATURES_FOR_ADDRESS);
    if limit == 0 || limit > MAX_SIGNATURES_FOR_ADDRESS {
        return Err(RpcError::invalid_params(format!(
            "Invalid param: `limit` must be between 1 and {MAX_SIGNATURES_FOR_ADDRESS}"
        )));
    }
    let before = config.str("before")?.map(|s| parse_signature(s, "before")).transpose()?;
    let until = config.str("until")?.map(|s| parse_signature(s, "until")).transpose()?;
    let list: Vec<Value> = chain
        .history
        .for_address(&address, before.as_ref(), until.as_ref(), limit as usize)
        .into_iter()
        .map(|record| {
            let (_, status) = confirmation(chain, record);
            json!({
                "signature": record.signature.to_string(),
                "slot": record.slot,
                "err": encoding::error_json(&record.err),
                "memo": null,
                "blockTime": record.block_time,
                "confirmationStatus": status,
            })
        })
        .collect();
    Ok(Value::Array(list))
}

fn get_transaction(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let signature = parse_signature(params.string(0, "signature")?, "signature")?;
    // Legacy form: the second parameter is the encoding itself.
    let (encoding, max_version) = match params.get(1) {
        Some(Value::String(encoding)) => (TxEncoding::parse(Some(encoding))?, None),
        _ => {
            let config = params.config(1)?;
            (TxEncoding::parse(config.str("encoding")?)?, config.u64("maxSupportedTransactionVersion")?)
        }
    };
    let Some(record) = chain.history.get(&signature) else {
        return Ok(Value::Null);
    };
    let version = match record.transaction.version() {
        TransactionVersion::Legacy(_) => json!("legacy"),
        TransactionVersion::Number(n) => {
            if max_version.is_none_or(|max| u64::from(n) > max) {
                return Err(unsupported_version(n));
            }
            json!(n)
        }
    };
    let mut value = json!({
        "slot": record.slot,
        "blockTime": record.block_time,
        "transaction": encoding::transaction_json(record, encoding),
        "meta": encoding::meta_json(record, encoding == TxEncoding::JsonParsed),
    });
    if max_version.is_some() {
        value["version"] = version;
    }
    Ok(value)
}

fn block_not_available(slot: u64) -> RpcError {
    RpcError::new(BLOCK_NOT_AVAILABLE, format!("Block not available for slot {slot}"))
}

fn unsupported_version(n: u8) -> RpcError {
    RpcError::new(
        UNSUPPORTED_TRANSACTION_VERSION,
        format!(
            "Transaction version ({n}) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": {n}"
        ),
    )
}

/// getBlock: a finished slot with its transactions (`full`, `signatures` or `none`).
fn get_block(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let slot = params.u64(0, "slot")?;
    let (encoding, details, rewards, max_version) = match params.get(1) {
        Some(Value::String(encoding)) => (TxEncoding::parse(Some(encoding))?, "full".to_string(), true, None),
        _ => {
            let config = params.config(1)?;
            let details = config.str("transactionDetails")?.unwrap_or("full").to_string();
            if !matches!(details.as_str(), "full" | "signatures" | "none") {
                return Err(RpcError::invalid_params(format!(
                    "Invalid param: `transactionDetails` must be full, signatures or none, got {details}"
                )));
            }
            let rewards = config.value("rewards").and_then(Value::as_bool).unwrap_or(true);
            (
                TxEncoding::parse(config.str("encoding")?)?,
                details,
                rewards,
                config.u64("maxSupportedTransactionVersion")?,
            )
        }
    };
    let block = chain.history.block(slot).ok_or_else(|| block_not_available(slot))?;
    let records = chain.history.in_slot(slot);
    let mut value = json!({
        "blockHeight": block.block_height,
        "blockTime": block.block_time,
        "blockhash": block.blockhash.to_string(),
        "parentSlot": block.parent_slot,
        "previousBlockhash": block.previous_blockhash.to_string(),
    });
    match details.as_str() {
        "full" => {
            let mut transactions = Vec::with_capacity(records.len());
            for record in records {
                let mut entry = json!({
                    "transaction": encoding::transaction_json(record, encoding),
                    "meta": encoding::meta_json(record, encoding == TxEncoding::JsonParsed),
                });
                match record.transaction.version() {
                    TransactionVersion::Number(n) if max_version.is_none_or(|max| u64::from(n) > max) => {
                        return Err(unsupported_version(n))
                    }
                    TransactionVersion::Number(n) => entry["version"] = json!(n),
                    TransactionVersion::Legacy(_) if max_version.is_some() => entry["version"] = json!("legacy"),
                    TransactionVersion::Legacy(_) => {}
                }
                transactions.push(entry);
            }
            value["transactions"] = Value::Array(transactions);
        }
        "signatures" => {
            value["signatures"] = records.iter().map(|r| json!(r.signature.to_string())).collect();
        }
        _ => {}
    }
    if rewards {
        value["rewards"] = json!([]);
    }
    Ok(value)
}

/// getBlocks (`[start, end?]`) and getBlocksWithLimit (`[start, limit]`).
fn get_blocks(chain: &mut Chain, params: &Params, with_limit: bool) -> Result<Value, RpcError> {
    const MAX_RANGE: u64 = 500_000;
    let start = params.u64(0, "startSlot")?;
    let (end, limit) = if with_limit {
        let limit = params.u64(1, "limit")?;
        if limit > MAX_RANGE {
            return Err(RpcError::invalid_params(format!("Invalid param: `limit` must be at most {MAX_RANGE}")));
        }
        (u64::MAX, limit as usize)
    } else {
        let end = match params.get(1) {
            Some(Value::Object(_)) | None => chain.slot(),
            Some(_) => params.u64(1, "endSlot")?,
        };
        if end.saturating_sub(start) > MAX_RANGE {
            return Err(RpcError::invalid_params(format!("Invalid param: slot range exceeds {MAX_RANGE}")));
        }
        (end, usize::MAX)
    };
    Ok(json!(chain.history.block_slots(start, end, limit)))
}

fn request_airdrop(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let to = params.pubkey(0, "pubkey")?;
    let lamports = params.u64(1, "lamports")?;
    params.config(2)?;
    chain
        .airdrop(&to, lamports)
        .map(|signature| json!(signature.to_string()))
        .map_err(|reason| RpcError::new(INTERNAL_ERROR, format!("airdrop request failed: {reason}")))
}

fn verify_signatures(tx: &VersionedTransaction) -> Result<(), RpcError> {
    if tx.verify_with_results().iter().all(|ok| *ok) {
        Ok(())
    } else {
        Err(RpcError::new(TRANSACTION_SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure"))
    }
}

/// `RpcSimulateTransactionResult`, used by simulateTransaction and in preflight failures.
fn simulation_json(
    sim: &TransactionSimulationResult,
    accounts: Value,
    inner: bool,
    keys: &[solana_pubkey::Pubkey],
    replacement: Value,
) -> Value {
    let err = sim.result.clone().err();
    json!({
        "err": encoding::error_json(&err),
        "logs": sim.logs,
        "accounts": accounts,
        "unitsConsumed": sim.units_consumed,
        "loadedAccountsDataSize": sim.loaded_accounts_data_size,
        "returnData": encoding::return_data_json(&sim.return_data),
        "innerInstructions": if inner {
            encoding::inner_instructions_list_json(sim.inner_instructions.as_deref().unwrap_or_default(), keys, false)
        } else {
            Value::Null
        },
        "replacementBlockhash": replacement,
        "fee": sim.fee,
        "preBalances": sim.pre_balances,
        "postBalances": sim.post_balances,
        "preTokenBalances": null,
        "postTokenBalances": null,
    })
}

fn preflight_failure(sim: &TransactionSimulationResult, keys: &[solana_pubkey::Pubkey]) -> RpcError {
    let err = sim.result.clone().err().map(|e| e.to_string()).unwrap_or_default();
    RpcError::new(SEND_TRANSACTION_PREFLIGHT_FAILURE, format!("Transaction simulation failed: {err}"))
        .with_data(simulation_json(sim, Value::Null, false, keys, Value::Null))
}

fn account_keys(tx: &VersionedTransaction) -> Vec<solana_pubkey::Pubkey> {
    tx.message.static_account_keys().to_vec()
}

fn send_transaction(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let encoded = params.string(0, "transaction")?;
    let config = params.config(1)?;
    let encoding = Binary::parse(config.str("encoding")?, Binary::Base58)?;
    let skip_preflight = config.bool("skipPreflight")?;
    config.u64("maxRetries")?;
    check_min_context_slot(chain, &config)?;
    let tx = encoding::decode_transaction(encoded, encoding)?;
    verify_signatures(&tx)?;
    let signature = tx.signatures[0];
    let keys = account_keys(&tx);
    if !skip_preflight {
        let sim = chain
            .simulate(tx.clone(), false)
            .map_err(|e| RpcError::invalid_params(format!("invalid transaction: {e}")))?;
        if sim.result.is_err() {
            return Err(preflight_failure(&sim, &keys));
        }
    }
    match chain.process(tx) {
        Processed::Committed(_) => Ok(json!(signature.to_string())),
        Processed::Dropped(err) if skip_preflight => {
            // As on a real cluster: accepted, but it never lands.
            crate::stderr::line(format!("maskoii-local-rpc: transaction {signature} dropped: {err}"));
            Ok(json!(signature.to_string()))
        }
        Processed::Dropped(err) => {
            Err(RpcError::new(SEND_TRANSACTION_PREFLIGHT_FAILURE, format!("Transaction simulation failed: {err}"))
                .with_data(json!({
                    "err": encoding::error_json(&Some(err)),
                    "logs": [],
                    "accounts": null,
                    "unitsConsumed": 0,
                    "returnData": null,
                    "innerInstructions": null,
                })))
        }
    }
}

fn simulate_transaction(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let encoded = params.string(0, "transaction")?;
    let config = params.config(1)?;
    let encoding = Binary::parse(config.str("encoding")?, Binary::Base58)?;
    let sig_verify = config.bool("sigVerify")?;
    let replace = config.bool("replaceRecentBlockhash")?;
    let inner = config.bool("innerInstructions")?;
    check_min_context_slot(chain, &config)?;
    if sig_verify && replace {
        return Err(RpcError::invalid_params("sigVerify may not be used with replaceRecentBlockhash"));
    }
    let (addresses, account_encoding) = match config.value("accounts") {
        None => (None, AccountEncoding::Base64),
        Some(accounts) => {
            let addresses = accounts
                .get("addresses")
                .and_then(Value::as_array)
                .ok_or_else(|| RpcError::invalid_params("Invalid param: `accounts.addresses` must be an array"))?
                .iter()
                .map(|a| {
                    a.as_str()
                        .ok_or_else(|| {
                            RpcError::invalid_params("Invalid param: `accounts.addresses` must be an array of strings")
                        })
                        .and_then(|s| parse_pubkey(s, "accounts.addresses"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let encoding = match accounts.get("encoding").and_then(Value::as_str) {
                None => AccountEncoding::Base64,
                Some("base58") | Some("binary") => {
                    return Err(RpcError::invalid_params(
                        "Invalid param: `accounts.encoding` base58 is not supported; use base64",
                    ))
                }
                Some(other) => AccountEncoding::parse(Some(other))?,
            };
            (Some(addresses), encoding)
        }
    };
    let mut tx = encoding::decode_transaction(encoded, encoding)?;
    if sig_verify {
        verify_signatures(&tx)?;
    }
    let mut replacement = Value::Null;
    if replace {
        let bank = chain.bank();
        let blockhash = bank.last_blockhash();
        tx.message.set_recent_blockhash(blockhash);
        replacement = json!({
            "blockhash": blockhash.to_string(),
            "lastValidBlockHeight": bank.get_blockhash_last_valid_block_height(&blockhash).unwrap_or_default(),
        });
    }
    let keys = account_keys(&tx);
    let sim = chain.simulate(tx, inner).map_err(|e| RpcError::invalid_params(format!("invalid transaction: {e}")))?;
    let accounts = match addresses {
        None => Value::Null,
        Some(addresses) => Value::Array(
            addresses
                .iter()
                .map(|address| {
                    let account = sim
                        .post_simulation_accounts
                        .iter()
                        .find(|(key, _)| key == address)
                        .map(|(_, account)| account.clone())
                        .or_else(|| chain.account(address));
                    match account {
                        Some(account) if account.lamports() > 0 => {
                            encoding::account_json(&account, account_encoding, None, &decimals(chain))
                        }
                        _ => Ok(Value::Null),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let value = simulation_json(&sim, accounts, inner, &keys, replacement);
    Ok(with_context(chain, value))
}
