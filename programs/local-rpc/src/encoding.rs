//! Wire encodings shared by the methods: transaction decoding, account and transaction JSON in the
//! exact shapes of the Solana JSON-RPC (`UiAccount`, `EncodedTransactionWithStatusMeta`, ...).

use {
    crate::{history::TxRecord, rpc::RpcError},
    base64::{prelude::BASE64_STANDARD, Engine},
    serde_json::{json, Value},
    solana_account::{AccountSharedData, ReadableAccount},
    solana_message::{
        compiled_instruction::CompiledInstruction, inner_instruction::InnerInstructions, VersionedMessage,
    },
    solana_pubkey::Pubkey,
    solana_transaction::versioned::VersionedTransaction,
    solana_transaction_context::TransactionReturnData,
    solana_transaction_error::TransactionError,
};

/// Largest serialized transaction (one packet).
pub const PACKET_DATA_SIZE: usize = 1232;
const MAX_BASE58_SIZE: usize = 1683;
const MAX_BASE64_SIZE: usize = 1644;
/// Real RPC refuses base58 account data above this size.
const MAX_BASE58_BYTES: usize = 128;

pub const SPL_TOKEN: Pubkey = Pubkey::from_str_const("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
pub const SPL_TOKEN_2022: Pubkey = Pubkey::from_str_const("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

/// Transaction / message binary encodings accepted on input.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Binary {
    Base58,
    Base64,
}

impl Binary {
    pub fn parse(value: Option<&str>, default: Binary) -> Result<Binary, RpcError> {
        match value {
            None => Ok(default),
            Some("base58") => Ok(Binary::Base58),
            Some("base64") => Ok(Binary::Base64),
            Some(other) => Err(RpcError::invalid_params(format!(
                "Invalid param: encoding `{other}` is not supported here (use base58 or base64)"
            ))),
        }
    }
}

/// Decodes the `encoded` string of `what` (as named in errors) to raw bytes, enforcing the packet size.
pub fn decode_binary(encoded: &str, encoding: Binary, what: &str) -> Result<Vec<u8>, RpcError> {
    let bytes = match encoding {
        Binary::Base58 => {
            if encoded.len() > MAX_BASE58_SIZE {
                return Err(RpcError::invalid_params(format!(
                    "base58 encoded {what} too large: {} bytes (max: encoded/raw {MAX_BASE58_SIZE}/{PACKET_DATA_SIZE})",
                    encoded.len()
                )));
            }
            bs58::decode(encoded)
                .into_vec()
                .map_err(|e| RpcError::invalid_params(format!("invalid base58 encoding: {e:?}")))?
        }
        Binary::Base64 => {
            if encoded.len() > MAX_BASE64_SIZE {
                return Err(RpcError::invalid_params(format!(
                    "base64 encoded {what} too large: {} bytes (max: encoded/raw {MAX_BASE64_SIZE}/{PACKET_DATA_SIZE})",
                    encoded.len()
                )));
            }
            BASE64_STANDARD
                .decode(encoded)
                .map_err(|e| RpcError::invalid_params(format!("invalid base64 encoding: {e:?}")))?
        }
    };
    if bytes.len() > PACKET_DATA_SIZE {
        return Err(RpcError::invalid_params(format!(
            "decoded {what} too large: {} bytes (max: {PACKET_DATA_SIZE} bytes)",
            bytes.len()
        )));
    }
    Ok(bytes)
}

pub fn decode_transaction(encoded: &str, encoding: Binary) -> Result<VersionedTransaction, RpcError> {
    const WHAT: &str = "solana_transaction::versioned::VersionedTransaction";
    let bytes = decode_binary(encoded, encoding, WHAT)?;
    let tx: VersionedTransaction = bincode::deserialize(&bytes)
        .map_err(|e| RpcError::invalid_params(format!("failed to deserialize {WHAT}: {e}")))?;
    tx.sanitize()
        .map_err(|e| RpcError::invalid_params(format!("invalid transaction: {}", TransactionError::from(e))))?;
    Ok(tx)
}

pub fn decode_message(encoded: &str) -> Result<VersionedMessage, RpcError> {
    const WHAT: &str = "solana_message::versions::VersionedMessage";
    let bytes = decode_binary(encoded, Binary::Base64, WHAT)?;
    bincode::deserialize(&bytes).map_err(|e| RpcError::invalid_params(format!("failed to deserialize {WHAT}: {e}")))
}

/// `TransactionError` as the RPC serializes it (`"BlockhashNotFound"`, `{"InstructionError":[0,{"Custom":1}]}`).
pub fn error_json(err: &Option<TransactionError>) -> Value {
    match err {
        None => Value::Null,
        Some(err) => serde_json::to_value(err).unwrap_or(Value::Null),
    }
}

pub fn status_json(err: &Option<TransactionError>) -> Value {
    match err {
        None => json!({ "Ok": null }),
        Some(_) => json!({ "Err": error_json(err) }),
    }
}

/// Account data encodings for getAccountInfo / getMultipleAccounts / simulate `accounts`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AccountEncoding {
    /// Legacy default: a bare base58 string.
    Binary,
    Base58,
    Base64,
    Base64Zstd,
    /// No parsers here: served as base64, which is what the real RPC does for unparsable accounts.
    JsonParsed,
}

impl AccountEncoding {
    pub fn parse(value: Option<&str>) -> Result<AccountEncoding, RpcError> {
        match value {
            None | Some("binary") => Ok(AccountEncoding::Binary),
            Some("base58") => Ok(AccountEncoding::Base58),
            Some("base64") => Ok(AccountEncoding::Base64),
            Some("jsonParsed") => Ok(AccountEncoding::JsonParsed),
            Some("base64+zstd") => Ok(AccountEncoding::Base64Zstd),
            Some(other) => Err(RpcError::invalid_params(format!(
                "Invalid param: unknown variant `{other}` for encoding, expected one of `binary`, `base58`, `base64`, `jsonParsed`, `base64+zstd`"
            ))),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct DataSlice {
    pub offset: usize,
    pub length: usize,
}

/// Looks up an SPL mint's decimals (for jsonParsed token accounts).
pub type MintDecimals<'a> = &'a dyn Fn(&Pubkey) -> Option<u8>;

pub fn account_json(
    account: &AccountSharedData,
    encoding: AccountEncoding,
    slice: Option<DataSlice>,
    mint_decimals: MintDecimals,
) -> Result<Value, RpcError> {
    let full = account.data();
    let data: &[u8] = match slice {
        None => full,
        Some(DataSlice { offset, length }) => {
            let start = offset.min(full.len());
            let end = offset.saturating_add(length).min(full.len());
            &full[start..end]
        }
    };
    let data_json = match encoding {
        AccountEncoding::Binary | AccountEncoding::Base58 => {
            if data.len() > MAX_BASE58_BYTES {
                return Err(RpcError::invalid_params(
                    "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
                ));
            }
            let encoded = bs58::encode(data).into_string();
            if encoding == AccountEncoding::Binary {
                Value::String(encoded)
            } else {
                json!([encoded, "base58"])
            }
        }
        AccountEncoding::JsonParsed => match slice.is_none().then(|| parse_spl_token(account, mint_decimals)).flatten()
        {
            Some(parsed) => parsed,
            None => json!([BASE64_STANDARD.encode(data), "base64"]),
        },
        AccountEncoding::Base64 => json!([BASE64_STANDARD.encode(data), "base64"]),
        AccountEncoding::Base64Zstd => {
            let compressed = zstd::encode_all(data, 0)
                .map_err(|e| RpcError::new(crate::rpc::INTERNAL_ERROR, format!("Internal error: zstd: {e}")))?;
            json!([BASE64_STANDARD.encode(compressed), "base64+zstd"])
        }
    };
    Ok(json!({
        "data": data_json,
        "executable": account.executable(),
        "lamports": account.lamports(),
        "owner": account.owner().to_string(),
        "rentEpoch": account.rent_epoch(),
        "space": full.len(),
    }))
}

fn coption_pubkey(data: &[u8], at: usize) -> Option<Option<String>> {
    match u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?) {
        0 => Some(None),
        1 => Some(Some(Pubkey::try_from(data.get(at + 4..at + 36)?).ok()?.to_string())),
        _ => None,
    }
}

fn coption_u64(data: &[u8], at: usize) -> Option<Option<u64>> {
    match u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?) {
        0 => Some(None),
        1 => Some(Some(u64::from_le_bytes(data.get(at + 4..at + 12)?.try_into().ok()?))),
        _ => None,
    }
}

/// jsonParsed form of an SPL Token / Token-2022 mint or token account without extensions (what the
/// real RPC's account decoder returns); `None` for anything else, which is then served as base64.
pub fn parse_spl_token(account: &AccountSharedData, mint_decimals: MintDecimals) -> Option<Value> {
    let program = match *account.owner() {
        SPL_TOKEN => "spl-token",
        SPL_TOKEN_2022 => "spl-token-2022",
        _ => return None,
    };
    let data = account.data();
    let parsed = match data.len() {
        165 => {
            let state = match data[108] {
                1 => "initialized",
                2 => "frozen",
                _ => return None,
            };
            let mint = Pubkey::try_from(&data[0..32]).ok()?;
            let decimals = mint_decimals(&mint)?;
            let amount = u64::from_le_bytes(data[64..72].try_into().ok()?);
            let delegate = coption_pubkey(data, 72)?;
            let is_native = coption_u64(data, 109)?;
            let delegated_amount = u64::from_le_bytes(data[121..129].try_into().ok()?);
            let close_authority = coption_pubkey(data, 129)?;
            let mut info = json!({
                "isNative": is_native.is_some(),
                "mint": mint.to_string(),
                "owner": Pubkey::try_from(&data[32..64]).ok()?.to_string(),
                "state": state,
                "tokenAmount": ui_token_amount(amount, decimals),
            });
            if let Some(delegate) = delegate {
                info["delegate"] = json!(delegate);
                info["delegatedAmount"] = ui_token_amount(delegated_amount, decimals);
            }
            if let Some(reserve) = is_native {
                info["rentExemptReserve"] = ui_token_amount(reserve, decimals);
            }
            if let Some(close_authority) = close_authority {
                info["closeAuthority"] = json!(close_authority);
            }
            json!({ "info": info, "type": "account" })
        }
        82 => {
            if data[45] != 1 {
                return None;
            }
            json!({
                "info": {
                    "decimals": data[44],
                    "freezeAuthority": coption_pubkey(data, 46)?,
                    "isInitialized": true,
                    "mintAuthority": coption_pubkey(data, 0)?,
                    "supply": u64::from_le_bytes(data[36..44].try_into().ok()?).to_string(),
                },
                "type": "mint",
            })
        }
        _ => return None,
    };
    Some(json!({ "program": program, "parsed": parsed, "space": data.len() }))
}

/// `uiTokenAmount` for a raw amount.
pub fn ui_token_amount(amount: u64, decimals: u8) -> Value {
    let ui_amount_string = if decimals == 0 {
        amount.to_string()
    } else {
        let s = format!("{:0>width$}", amount, width = decimals as usize + 1);
        let (int, frac) = s.split_at(s.len() - decimals as usize);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            int.to_string()
        } else {
            format!("{int}.{frac}")
        }
    };
    json!({
        "amount": amount.to_string(),
        "decimals": decimals,
        "uiAmount": amount as f64 / 10f64.powi(decimals as i32),
        "uiAmountString": ui_amount_string,
    })
}

/// Reads an initialized SPL Token / Token-2022 token account: (mint, owner, amount).
pub fn parse_token_account(account: &AccountSharedData) -> Option<(Pubkey, Pubkey, u64)> {
    let owner = account.owner();
    if *owner != SPL_TOKEN && *owner != SPL_TOKEN_2022 {
        return None;
    }
    let data = account.data();
    // Token account layout: mint 0..32, owner 32..64, amount 64..72, ..., state at 108 (0 = uninitialized).
    // Token-2022 accounts with extensions are longer and carry account type 2 at offset 165.
    let is_account = data.len() == 165 || (*owner == SPL_TOKEN_2022 && data.len() > 165 && data[165] == 2);
    if !is_account || data[108] == 0 {
        return None;
    }
    let mint = Pubkey::try_from(&data[0..32]).ok()?;
    let holder = Pubkey::try_from(&data[32..64]).ok()?;
    let amount = u64::from_le_bytes(data[64..72].try_into().ok()?);
    Some((mint, holder, amount))
}

/// Decimals of an SPL mint account (layout: ..., decimals at 44, is_initialized at 45).
pub fn mint_decimals(account: &AccountSharedData) -> Option<u8> {
    let owner = account.owner();
    if *owner != SPL_TOKEN && *owner != SPL_TOKEN_2022 {
        return None;
    }
    let data = account.data();
    if data.len() < 82 || data[45] == 0 {
        return None;
    }
    Some(data[44])
}

fn compiled_instruction_json(ix: &CompiledInstruction, stack_height: Option<u8>) -> Value {
    json!({
        "programIdIndex": ix.program_id_index,
        "accounts": ix.accounts,
        "data": bs58::encode(&ix.data).into_string(),
        "stackHeight": stack_height,
    })
}

fn parsed_instruction_json(ix: &CompiledInstruction, keys: &[Pubkey], stack_height: Option<u8>) -> Value {
    let key = |i: u8| keys.get(i as usize).map(|k| k.to_string()).unwrap_or_default();
    json!({
        "programId": key(ix.program_id_index),
        "accounts": ix.accounts.iter().map(|&i| key(i)).collect::<Vec<_>>(),
        "data": bs58::encode(&ix.data).into_string(),
        "stackHeight": stack_height,
    })
}

pub fn return_data_json(data: &Option<TransactionReturnData>) -> Value {
    match data {
        None => Value::Null,
        Some(d) => json!({
            "programId": d.program_id.to_string(),
            "data": [BASE64_STANDARD.encode(&d.data), "base64"],
        }),
    }
}

/// Encodings accepted by getTransaction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TxEncoding {
    Json,
    JsonParsed,
    Base58,
    Base64,
}

impl TxEncoding {
    pub fn parse(value: Option<&str>) -> Result<TxEncoding, RpcError> {
        match value {
            None | Some("json") => Ok(TxEncoding::Json),
            Some("jsonParsed") => Ok(TxEncoding::JsonParsed),
            Some("base58") | Some("binary") => Ok(TxEncoding::Base58),
            Some("base64") => Ok(TxEncoding::Base64),
            Some(other) => Err(RpcError::invalid_params(format!(
                "Invalid param: unknown variant `{other}` for encoding, expected one of `binary`, `base64`, `base58`, `json`, `jsonParsed`"
            ))),
        }
    }
}

/// `innerInstructions` (`UiInnerInstructions` list): one entry per top-level instruction that made CPIs.
pub fn inner_instructions_list_json(list: &[InnerInstructions], keys: &[Pubkey], parsed: bool) -> Value {
    Value::Array(
        list.iter()
            .enumerate()
            .filter(|(_, inner)| !inner.is_empty())
            .map(|(index, inner)| {
                json!({
                    "index": index,
                    "instructions": inner.iter().map(|ix| if parsed {
                        parsed_instruction_json(&ix.instruction, keys, Some(ix.stack_height))
                    } else {
                        compiled_instruction_json(&ix.instruction, Some(ix.stack_height))
                    }).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// `meta` of getTransaction.
pub fn meta_json(record: &TxRecord, parsed: bool) -> Value {
    let keys = |list: &[Pubkey]| list.iter().map(|k| k.to_string()).collect::<Vec<_>>();
    let mut meta = json!({
        "err": error_json(&record.err),
        "status": status_json(&record.err),
        "fee": record.fee,
        "preBalances": record.pre_balances,
        "postBalances": record.post_balances,
        "innerInstructions": inner_instructions_list_json(&record.inner_instructions, &record.account_keys, parsed),
        "logMessages": record.logs,
        "preTokenBalances": record.pre_token_balances,
        "postTokenBalances": record.post_token_balances,
        "rewards": [],
        "loadedAddresses": {
            "writable": keys(&record.loaded_writable),
            "readonly": keys(&record.loaded_readonly),
        },
        "computeUnitsConsumed": record.compute_units,
    });
    if record.return_data.is_some() {
        meta["returnData"] = return_data_json(&record.return_data);
    }
    meta
}

/// `transaction` of getTransaction in the requested encoding.
pub fn transaction_json(record: &TxRecord, encoding: TxEncoding) -> Value {
    let tx = &record.transaction;
    match encoding {
        TxEncoding::Base58 => {
            json!([bs58::encode(bincode::serialize(tx).unwrap_or_default()).into_string(), "base58"])
        }
        TxEncoding::Base64 => {
            json!([BASE64_STANDARD.encode(bincode::serialize(tx).unwrap_or_default()), "base64"])
        }
        TxEncoding::Json | TxEncoding::JsonParsed => {
            let message = &tx.message;
            let header = message.header();
            let mut msg = if encoding == TxEncoding::Json {
                json!({
                    "accountKeys": message.static_account_keys().iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                    "header": {
                        "numRequiredSignatures": header.num_required_signatures,
                        "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
                        "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
                    },
                    "recentBlockhash": message.recent_blockhash().to_string(),
                    "instructions": message.instructions().iter().map(|ix| compiled_instruction_json(ix, None)).collect::<Vec<_>>(),
                })
            } else {
                let statics = message.static_account_keys().len();
                json!({
                    "accountKeys": record.account_keys.iter().enumerate().map(|(i, k)| json!({
                        "pubkey": k.to_string(),
                        "writable": record.writable.get(i).copied().unwrap_or(false),
                        "signer": record.signer.get(i).copied().unwrap_or(false),
                        "source": if i < statics { "transaction" } else { "lookupTable" },
                    })).collect::<Vec<_>>(),
                    "recentBlockhash": message.recent_blockhash().to_string(),
                    "instructions": message.instructions().iter().map(|ix| parsed_instruction_json(ix, &record.account_keys, None)).collect::<Vec<_>>(),
                })
            };
            if let Some(lookups) = message.address_table_lookups() {
                msg["addressTableLookups"] = Value::Array(
                    lookups
                        .iter()
                        .map(|l| {
                            json!({
                                "accountKey": l.account_key.to_string(),
                                "writableIndexes": l.writable_indexes,
                                "readonlyIndexes": l.readonly_indexes,
                            })
                        })
                        .collect(),
                );
            }
            json!({
                "signatures": tx.signatures.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "message": msg,
            })
        }
    }
}
