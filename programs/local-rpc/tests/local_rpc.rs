//! End-to-end tests: the real binary, real HTTP JSON-RPC, real SPL Token transactions.

mod common;

use {
    base64::{prelude::BASE64_STANDARD, Engine},
    common::*,
    serde_json::{json, Value},
    solana_hash::Hash,
    solana_keypair::Keypair,
    solana_message::{v0, Message, VersionedMessage},
    solana_signer::Signer,
    solana_transaction::{versioned::VersionedTransaction, Transaction},
    std::time::{Duration, Instant},
};

const SOL: u64 = 1_000_000_000;
const TOKEN_PROGRAM: &str = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";

fn assert_context(value: &Value, server: &Server) {
    let slot = value["context"]["slot"].as_u64().expect("context.slot");
    assert!(slot >= 1 && slot <= server.slot());
    assert_eq!(value["context"]["apiVersion"], "3.1.12");
}

fn status_of(server: &Server, signature: &str) -> Value {
    let statuses = server.call("getSignatureStatuses", json!([[signature], {"searchTransactionHistory": true}]));
    statuses["value"][0].clone()
}

#[test]
fn test_node_info_airdrop_balance_blockhash_and_slots() {
    let mut server = Server::start(25);
    assert_eq!(server.call("getHealth", json!([])), "ok");
    let version = server.call("getVersion", json!([]));
    assert_eq!(version["solana-core"], "3.1.12");
    assert!(version["feature-set"].is_u64());
    let genesis = server.call("getGenesisHash", json!([]));
    assert_eq!(genesis, server.ready["genesisHash"]);

    // Airdrop and balance.
    let user = Keypair::new();
    let balance = server.call("getBalance", json!([user.pubkey().to_string()]));
    assert_context(&balance, &server);
    assert_eq!(balance["value"], 0);
    let first = server.airdrop(&user.pubkey(), 2 * SOL);
    let second = server.airdrop(&user.pubkey(), 2 * SOL);
    assert_ne!(first, second, "identical airdrops get distinct signatures");
    let balance = server.call("getBalance", json!([user.pubkey().to_string(), {"commitment": "confirmed"}]));
    assert_eq!(balance["value"], 4 * SOL);

    // The faucet is a real account that paid for it.
    let faucet = server.ready["faucet"].as_str().unwrap().to_string();
    let faucet_balance = server.call("getBalance", json!([faucet]))["value"].as_u64().unwrap();
    assert!(faucet_balance < 500_000_000 * SOL - 4 * SOL);

    // Signature statuses: confirmed at once, finalized 32 slots later.
    let status = status_of(&server, &first);
    assert_eq!(status["err"], Value::Null);
    assert_eq!(status["status"], json!({"Ok": null}));
    assert_eq!(status["confirmationStatus"], "confirmed");
    assert!(status["confirmations"].is_u64());
    let landed = status["slot"].as_u64().unwrap();
    server.wait_for_slot(landed + 32);
    let status = status_of(&server, &first);
    assert_eq!(status["confirmationStatus"], "finalized");
    assert_eq!(status["confirmations"], Value::Null);
    let unknown = Keypair::new().sign_message(b"never sent").to_string();
    assert_eq!(status_of(&server, &unknown), Value::Null);

    // Blockhash, block height, validity.
    let height_before = server.call("getBlockHeight", json!([])).as_u64().unwrap();
    let latest = server.call("getLatestBlockhash", json!([{"commitment": "finalized"}]));
    let height_after = server.call("getBlockHeight", json!([])).as_u64().unwrap();
    assert_context(&latest, &server);
    let blockhash = latest["value"]["blockhash"].as_str().unwrap().to_string();
    let last_valid = latest["value"]["lastValidBlockHeight"].as_u64().unwrap();
    assert!(
        (height_before + 150..=height_after + 150).contains(&last_valid),
        "the latest blockhash is valid for 150 blocks: {last_valid} vs {height_before}..{height_after}"
    );
    let valid = server.call("isBlockhashValid", json!([blockhash, {"commitment": "processed"}]));
    assert_context(&valid, &server);
    assert_eq!(valid["value"], true);
    let random = Hash::new_from_array([7; 32]).to_string();
    assert_eq!(server.call("isBlockhashValid", json!([random]))["value"], false);

    // Slots advance on the timer, and so do blockhashes.
    let slot = server.slot();
    server.wait_for_slot(slot + 5);
    assert_ne!(server.blockhash().to_string(), blockhash);
    let epoch = server.call("getEpochInfo", json!([]));
    assert!(epoch["absoluteSlot"].as_u64().unwrap() >= slot + 5);
    assert!(epoch["slotIndex"].as_u64().unwrap() < epoch["slotsInEpoch"].as_u64().unwrap());
    assert!(epoch["transactionCount"].as_u64().unwrap() >= 2);

    // Rent and fees.
    assert_eq!(server.call("getMinimumBalanceForRentExemption", json!([165])), 2_039_280);
    assert_eq!(server.call("getMinimumBalanceForRentExemption", json!([0])), 890_880);
    let message = Message::new(
        &[solana_system_interface::instruction::transfer(&user.pubkey(), &Keypair::new().pubkey(), 1)],
        Some(&user.pubkey()),
    );
    let mut message = message;
    message.recent_blockhash = server.blockhash();
    let encoded = BASE64_STANDARD.encode(message.serialize());
    let fee = server.call("getFeeForMessage", json!([encoded, {"commitment": "processed"}]));
    assert_context(&fee, &server);
    assert_eq!(fee["value"], 5000);
    message.recent_blockhash = Hash::new_from_array([9; 32]);
    let stale = BASE64_STANDARD.encode(message.serialize());
    assert_eq!(server.call("getFeeForMessage", json!([stale]))["value"], Value::Null);

    let (status, stderr) = server.stop();
    assert!(status.success(), "exit status {status:?}, stderr: {stderr}");
    assert!(stderr.contains("stopped"));
}

#[test]
fn test_spl_token_transactions_history_and_accounts() {
    let server = Server::start(50);
    let payer = Keypair::new();
    server.airdrop(&payer.pubkey(), 10 * SOL);
    let mint = Keypair::new();
    let account = Keypair::new();
    let owner = Keypair::new();

    // create mint + token account + mint_to, sent base64 with preflight.
    let instructions = token_setup_instructions(
        &server,
        &payer.pubkey(),
        &mint.pubkey(),
        &account.pubkey(),
        &payer.pubkey(),
        &owner.pubkey(),
        1_500_000,
    );
    let tx = signed(&instructions, &payer, &[&mint, &account], server.blockhash());
    let sig1 =
        server.call("sendTransaction", json!([b64(&tx), {"encoding": "base64", "preflightCommitment": "confirmed"}]));
    assert_eq!(sig1, tx.signatures[0].to_string());
    let status = status_of(&server, sig1.as_str().unwrap());
    assert_eq!(status["err"], Value::Null);

    // A second mint_to, sent base58 (the default encoding) without preflight.
    let mint_more = spl_token_interface::instruction::mint_to(
        &spl_token_interface::id(),
        &mint.pubkey(),
        &account.pubkey(),
        &payer.pubkey(),
        &[],
        500_000,
    )
    .unwrap();
    let tx2 = signed(&[mint_more], &payer, &[], server.blockhash());
    let sig2 = server.call("sendTransaction", json!([b58(&tx2), {"skipPreflight": true}]));
    assert_eq!(sig2, tx2.signatures[0].to_string());

    // getTransaction, json.
    let got = server.call("getTransaction", json!([sig1, {"encoding": "json", "commitment": "confirmed"}]));
    let meta = &got["meta"];
    assert_eq!(meta["err"], Value::Null);
    assert_eq!(meta["status"], json!({"Ok": null}));
    assert_eq!(meta["fee"], 15_000, "three signatures at 5000 lamports");
    let logs: Vec<&str> = meta["logMessages"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(logs.contains(&format!("Program {TOKEN_PROGRAM} invoke [1]").as_str()), "{logs:?}");
    assert!(logs.iter().any(|l| l.contains("Instruction: InitializeMint2")));
    assert!(logs.iter().any(|l| l.contains("Instruction: MintTo")));
    assert!(logs.iter().any(|l| *l == format!("Program {TOKEN_PROGRAM} success")));
    let keys = got["transaction"]["message"]["accountKeys"].as_array().unwrap();
    assert_eq!(keys[0], payer.pubkey().to_string());
    assert_eq!(meta["preBalances"].as_array().unwrap().len(), keys.len());
    assert_eq!(meta["postBalances"].as_array().unwrap().len(), keys.len());
    assert_eq!(
        meta["preBalances"][0].as_u64().unwrap() - meta["postBalances"][0].as_u64().unwrap(),
        15_000 + 1_461_600 + 2_039_280,
        "fee plus the rent of the mint and the token account"
    );
    assert!(meta["computeUnitsConsumed"].as_u64().unwrap() > 0);
    assert_eq!(meta["postTokenBalances"][0]["mint"], mint.pubkey().to_string());
    assert_eq!(meta["postTokenBalances"][0]["owner"], owner.pubkey().to_string());
    assert_eq!(meta["postTokenBalances"][0]["uiTokenAmount"]["amount"], "1500000");
    assert_eq!(meta["postTokenBalances"][0]["uiTokenAmount"]["uiAmountString"], "1.5");
    assert_eq!(meta["preTokenBalances"], json!([]));
    assert_eq!(meta["loadedAddresses"], json!({"writable": [], "readonly": []}));
    assert!(got["slot"].as_u64().unwrap() >= 1);
    assert!(got["blockTime"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(got["transaction"]["signatures"][0], sig1);
    assert_eq!(got["transaction"]["message"]["header"]["numRequiredSignatures"], 3);
    assert_eq!(got["transaction"]["message"]["instructions"].as_array().unwrap().len(), 5);
    assert!(got.get("version").is_none(), "no version without maxSupportedTransactionVersion");

    // base64 and base58 give back the exact bytes; jsonParsed gives key objects.
    let got64 =
        server.call("getTransaction", json!([sig1, {"encoding": "base64", "maxSupportedTransactionVersion": 0}]));
    assert_eq!(got64["transaction"][1], "base64");
    assert_eq!(got64["transaction"][0], b64(&tx));
    assert_eq!(got64["version"], "legacy");
    let got58 = server.call("getTransaction", json!([sig2, "base58"]));
    assert_eq!(got58["transaction"], json!([b58(&tx2), "base58"]));
    let parsed = server.call("getTransaction", json!([sig1, {"encoding": "jsonParsed"}]));
    let first_key = &parsed["transaction"]["message"]["accountKeys"][0];
    assert_eq!(first_key["pubkey"], payer.pubkey().to_string());
    assert_eq!(first_key["signer"], true);
    assert_eq!(first_key["writable"], true);
    assert_eq!(parsed["transaction"]["message"]["instructions"][1]["programId"], TOKEN_PROGRAM);
    let missing = Keypair::new().sign_message(b"x").to_string();
    assert_eq!(server.call("getTransaction", json!([missing])), Value::Null);

    // getSignaturesForAddress: newest first, limit, before, until.
    let list = server.call("getSignaturesForAddress", json!([mint.pubkey().to_string()]));
    let sigs: Vec<&Value> = list.as_array().unwrap().iter().map(|e| &e["signature"]).collect();
    assert_eq!(sigs, vec![&sig2, &sig1]);
    let entry = &list[1];
    assert_eq!(entry["err"], Value::Null);
    assert_eq!(entry["memo"], Value::Null);
    assert!(entry["slot"].is_u64() && entry["blockTime"].is_i64());
    assert_eq!(entry["confirmationStatus"], "confirmed");
    let limited = server.call("getSignaturesForAddress", json!([mint.pubkey().to_string(), {"limit": 1}]));
    assert_eq!(limited.as_array().unwrap().len(), 1);
    assert_eq!(limited[0]["signature"], sig2);
    let before = server.call("getSignaturesForAddress", json!([mint.pubkey().to_string(), {"before": sig2}]));
    assert_eq!(before.as_array().unwrap().len(), 1);
    assert_eq!(before[0]["signature"], sig1);
    let until = server.call("getSignaturesForAddress", json!([mint.pubkey().to_string(), {"until": sig1}]));
    assert_eq!(until.as_array().unwrap().len(), 1);
    assert_eq!(until[0]["signature"], sig2);
    let payer_history = server.call("getSignaturesForAddress", json!([payer.pubkey().to_string()]));
    assert_eq!(payer_history.as_array().unwrap().len(), 3, "airdrop + two token transactions");
    let nobody = server.call("getSignaturesForAddress", json!([Keypair::new().pubkey().to_string()]));
    assert_eq!(nobody, json!([]));

    // Blocks: the slot of the first transaction, once finished.
    let slot = got["slot"].as_u64().unwrap();
    server.wait_for_slot(slot + 2);
    let block = server.call("getBlock", json!([slot, {"encoding": "json", "maxSupportedTransactionVersion": 0}]));
    assert_eq!(block["parentSlot"], slot - 1);
    assert!(block["blockHeight"].is_u64() && block["blockTime"].is_i64());
    assert_eq!(block["rewards"], json!([]));
    let in_block: Vec<&Value> =
        block["transactions"].as_array().unwrap().iter().map(|t| &t["transaction"]["signatures"][0]).collect();
    assert!(in_block.contains(&&sig1), "{in_block:?}");
    let entry =
        block["transactions"].as_array().unwrap().iter().find(|t| t["transaction"]["signatures"][0] == sig1).unwrap();
    assert_eq!(entry["meta"], got["meta"]);
    assert_eq!(entry["version"], "legacy");
    let next = server.call("getBlock", json!([slot + 1, {"transactionDetails": "signatures"}]));
    assert_eq!(next["previousBlockhash"], block["blockhash"]);
    assert!(next["signatures"].is_array() && next.get("transactions").is_none());
    let bare = server.call("getBlock", json!([slot, {"transactionDetails": "none", "rewards": false}]));
    assert!(bare.get("transactions").is_none() && bare.get("signatures").is_none() && bare.get("rewards").is_none());
    assert_eq!(server.call("getBlockTime", json!([slot])), block["blockTime"]);
    assert_eq!(server.call("getBlocks", json!([slot, slot + 1])), json!([slot, slot + 1]));
    assert_eq!(server.call("getBlocks", json!([0, 1])), json!([1]), "slot 0 (genesis) is no block");
    assert_eq!(server.call("getBlocksWithLimit", json!([slot, 2])), json!([slot, slot + 1]));
    assert_eq!(server.call("getFirstAvailableBlock", json!([])), 1);
    let tip = server.slot();
    for method in ["getBlock", "getBlockTime"] {
        let err = server.call_err(method, json!([tip + 1000]));
        assert_eq!(err["code"], -32004, "{method}: {err}");
    }
    let err = server.call_err("getBlock", json!([slot, {"transactionDetails": "everything"}]));
    assert_eq!(err["code"], -32602);

    // getAccountInfo in every encoding.
    let info = server.call("getAccountInfo", json!([account.pubkey().to_string(), {"encoding": "base64"}]));
    assert_context(&info, &server);
    let value = &info["value"];
    assert_eq!(value["owner"], TOKEN_PROGRAM);
    assert_eq!(value["lamports"], 2_039_280);
    assert_eq!(value["executable"], false);
    assert_eq!(value["space"], 165);
    assert_eq!(value["rentEpoch"], u64::MAX);
    assert_eq!(value["data"][1], "base64");
    let data = BASE64_STANDARD.decode(value["data"][0].as_str().unwrap()).unwrap();
    assert_eq!(&data[0..32], mint.pubkey().as_ref());
    assert_eq!(&data[32..64], owner.pubkey().as_ref());
    assert_eq!(u64::from_le_bytes(data[64..72].try_into().unwrap()), 2_000_000);
    let parsed = server.call("getAccountInfo", json!([account.pubkey().to_string(), {"encoding": "jsonParsed"}]));
    assert_eq!(
        parsed["value"]["data"],
        json!({
            "program": "spl-token",
            "parsed": {
                "info": {
                    "isNative": false,
                    "mint": mint.pubkey().to_string(),
                    "owner": owner.pubkey().to_string(),
                    "state": "initialized",
                    "tokenAmount": {"amount": "2000000", "decimals": 6, "uiAmount": 2.0, "uiAmountString": "2"},
                },
                "type": "account",
            },
            "space": 165,
        })
    );
    let parsed_mint = server.call("getAccountInfo", json!([mint.pubkey().to_string(), {"encoding": "jsonParsed"}]));
    assert_eq!(
        parsed_mint["value"]["data"]["parsed"],
        json!({
            "info": {
                "decimals": 6,
                "freezeAuthority": null,
                "isInitialized": true,
                "mintAuthority": payer.pubkey().to_string(),
                "supply": "2000000",
            },
            "type": "mint",
        })
    );
    let parsed_payer = server.call("getAccountInfo", json!([payer.pubkey().to_string(), {"encoding": "jsonParsed"}]));
    assert_eq!(parsed_payer["value"]["data"], json!(["", "base64"]), "no parser: base64");
    let sliced = server.call(
        "getAccountInfo",
        json!([account.pubkey().to_string(), {"encoding": "base64", "dataSlice": {"offset": 64, "length": 8}}]),
    );
    let amount = BASE64_STANDARD.decode(sliced["value"]["data"][0].as_str().unwrap()).unwrap();
    assert_eq!(amount, 2_000_000u64.to_le_bytes());
    assert_eq!(sliced["value"]["space"], 165);
    let mint_info = server.call("getAccountInfo", json!([mint.pubkey().to_string()]));
    let mint_data = bs58::decode(mint_info["value"]["data"].as_str().unwrap()).into_vec().unwrap();
    assert_eq!(mint_data.len(), 82, "default binary encoding is a bare base58 string");
    assert_eq!(mint_data[44], 6);
    let mint58 = server.call("getAccountInfo", json!([mint.pubkey().to_string(), {"encoding": "base58"}]));
    assert_eq!(mint58["value"]["data"][1], "base58");
    let too_big = server.call_err("getAccountInfo", json!([account.pubkey().to_string(), {"encoding": "base58"}]));
    assert_eq!(too_big["code"], -32602);
    let absent = server.call(
        "getAccountInfo",
        json!([Keypair::new().pubkey().to_string(), {"encoding": "base64", "commitment": "finalized"}]),
    );
    assert_eq!(absent["value"], Value::Null);
    let multiple = server.call(
        "getMultipleAccounts",
        json!([[mint.pubkey().to_string(), Keypair::new().pubkey().to_string(), account.pubkey().to_string()], {"encoding": "base64"}]),
    );
    assert_context(&multiple, &server);
    assert_eq!(multiple["value"][0]["space"], 82);
    assert_eq!(multiple["value"][1], Value::Null);
    assert_eq!(multiple["value"][2]["space"], 165);

    // Token helpers.
    let balance = server.call("getTokenAccountBalance", json!([account.pubkey().to_string()]));
    assert_eq!(balance["value"]["amount"], "2000000");
    assert_eq!(balance["value"]["decimals"], 6);
    assert_eq!(balance["value"]["uiAmountString"], "2");
    let holders = server.call(
        "getProgramAccounts",
        json!([TOKEN_PROGRAM, {"encoding": "base64", "filters": [{"dataSize": 165}, {"memcmp": {"offset": 0, "bytes": mint.pubkey().to_string()}}]}]),
    );
    assert_eq!(holders.as_array().unwrap().len(), 1);
    assert_eq!(holders[0]["pubkey"], account.pubkey().to_string());
    let by_owner = server.call(
        "getTokenAccountsByOwner",
        json!([owner.pubkey().to_string(), {"mint": mint.pubkey().to_string()}, {"encoding": "base64"}]),
    );
    assert_context(&by_owner, &server);
    assert_eq!(by_owner["value"].as_array().unwrap().len(), 1);
    assert_eq!(by_owner["value"][0]["pubkey"], account.pubkey().to_string());
    let by_program = server.call(
        "getTokenAccountsByOwner",
        json!([owner.pubkey().to_string(), {"programId": TOKEN_PROGRAM}, {"encoding": "jsonParsed"}]),
    );
    assert_eq!(by_program["value"].as_array().unwrap().len(), 1);
    let none =
        server.call("getTokenAccountsByOwner", json!([payer.pubkey().to_string(), {"programId": TOKEN_PROGRAM}]));
    assert_eq!(none["value"], json!([]));
    let err = server.call_err("getTokenAccountsByOwner", json!([owner.pubkey().to_string(), {}]));
    assert!(err["message"].as_str().unwrap().contains("filter"));
}

#[test]
fn test_simulation_preflight_and_failed_transactions() {
    let server = Server::start(50);
    let payer = Keypair::new();
    server.airdrop(&payer.pubkey(), 10 * SOL);
    let mint = Keypair::new();
    let account = Keypair::new();
    let instructions = token_setup_instructions(
        &server,
        &payer.pubkey(),
        &mint.pubkey(),
        &account.pubkey(),
        &payer.pubkey(),
        &payer.pubkey(),
        1,
    );
    let tx = signed(&instructions, &payer, &[&mint, &account], server.blockhash());

    // Simulation of a valid transaction: logs and units, nothing committed.
    let sim = server.call(
        "simulateTransaction",
        json!([b64(&tx), {"encoding": "base64", "sigVerify": true, "commitment": "confirmed"}]),
    );
    assert_context(&sim, &server);
    let value = &sim["value"];
    assert_eq!(value["err"], Value::Null);
    assert!(value["unitsConsumed"].as_u64().unwrap() > 0);
    assert!(value["logs"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().contains("Instruction: MintTo")));
    assert_eq!(value["accounts"], Value::Null);
    assert_eq!(server.call("getAccountInfo", json!([mint.pubkey().to_string()]))["value"], Value::Null);

    // Simulation with accounts requested and the default base58 transaction encoding.
    let sim = server.call(
        "simulateTransaction",
        json!([b58(&tx), {"accounts": {"addresses": [account.pubkey().to_string(), Keypair::new().pubkey().to_string()], "encoding": "base64"}}]),
    );
    let post = BASE64_STANDARD.decode(sim["value"]["accounts"][0]["data"][0].as_str().unwrap()).unwrap();
    assert_eq!(u64::from_le_bytes(post[64..72].try_into().unwrap()), 1);
    assert_eq!(sim["value"]["accounts"][1], Value::Null);

    // A stale blockhash fails simulation unless replaced.
    let stale = signed(&instructions, &payer, &[&mint, &account], Hash::new_from_array([3; 32]));
    let sim = server.call("simulateTransaction", json!([b64(&stale), {"encoding": "base64"}]));
    assert_eq!(sim["value"]["err"], "BlockhashNotFound");
    let sim = server
        .call("simulateTransaction", json!([b64(&stale), {"encoding": "base64", "replaceRecentBlockhash": true}]));
    assert_eq!(sim["value"]["err"], Value::Null);
    assert!(sim["value"]["replacementBlockhash"]["blockhash"].is_string());
    assert!(sim["value"]["replacementBlockhash"]["lastValidBlockHeight"].is_u64());
    let err = server.call_err(
        "simulateTransaction",
        json!([b64(&stale), {"encoding": "base64", "replaceRecentBlockhash": true, "sigVerify": true}]),
    );
    assert_eq!(err["code"], -32602);

    // Preflight failure of sendTransaction: -32002 with the simulation's logs in data.
    let err = server.call_err("sendTransaction", json!([b64(&stale), {"encoding": "base64"}]));
    assert_eq!(err["code"], -32002);
    assert_eq!(err["message"], "Transaction simulation failed: Blockhash not found");
    assert_eq!(err["data"]["err"], "BlockhashNotFound");

    server.call("sendTransaction", json!([b64(&tx), {"encoding": "base64"}]));
    let impostor = Keypair::new();
    server.airdrop(&impostor.pubkey(), SOL);
    let wrong_authority = spl_token_interface::instruction::mint_to(
        &spl_token_interface::id(),
        &mint.pubkey(),
        &account.pubkey(),
        &impostor.pubkey(),
        &[],
        5,
    )
    .unwrap();
    let bad = signed(&[wrong_authority], &impostor, &[], server.blockhash());
    let sim = server.call("simulateTransaction", json!([b64(&bad), {"encoding": "base64"}]));
    assert_eq!(sim["value"]["err"], json!({"InstructionError": [0, {"Custom": 4}]}), "OwnerMismatch");
    let err = server.call_err("sendTransaction", json!([b64(&bad), {"encoding": "base64"}]));
    assert_eq!(err["code"], -32002);
    assert_eq!(
        err["message"],
        "Transaction simulation failed: Error processing Instruction 0: custom program error: 0x4"
    );
    assert_eq!(err["data"]["err"], json!({"InstructionError": [0, {"Custom": 4}]}));
    let logs = err["data"]["logs"].as_array().unwrap();
    assert!(logs.iter().any(|l| l.as_str().unwrap().contains("owner does not match")), "{logs:?}");
    assert_eq!(server.call("getTransaction", json!([bad.signatures[0].to_string()])), Value::Null);

    // With skipPreflight the failing transaction lands, pays its fee and records its error.
    let sig = server.call("sendTransaction", json!([b64(&bad), {"encoding": "base64", "skipPreflight": true}]));
    let status = status_of(&server, sig.as_str().unwrap());
    assert_eq!(status["err"], json!({"InstructionError": [0, {"Custom": 4}]}));
    assert_eq!(status["status"], json!({"Err": {"InstructionError": [0, {"Custom": 4}]}}));
    let got = server.call("getTransaction", json!([sig]));
    assert_eq!(got["meta"]["err"], json!({"InstructionError": [0, {"Custom": 4}]}));
    assert_eq!(got["meta"]["fee"], 5000);
    assert!(!got["meta"]["logMessages"].as_array().unwrap().is_empty());
    assert_eq!(server.call("getBalance", json!([impostor.pubkey().to_string()]))["value"], SOL - 5000);
    let history = server.call("getSignaturesForAddress", json!([impostor.pubkey().to_string(), {"limit": 1}]));
    assert_eq!(history[0]["err"], json!({"InstructionError": [0, {"Custom": 4}]}));

    // Replays are refused by preflight.
    let err = server.call_err("sendTransaction", json!([b64(&tx), {"encoding": "base64"}]));
    assert_eq!(err["code"], -32002);
    assert_eq!(err["data"]["err"], "AlreadyProcessed");

    // A tampered signature is refused before anything runs.
    let mut forged = signed(
        &[solana_system_interface::instruction::transfer(&payer.pubkey(), &impostor.pubkey(), 1)],
        &payer,
        &[],
        server.blockhash(),
    );
    forged.signatures[0] = impostor.sign_message(b"not the message");
    let err = server.call_err("sendTransaction", json!([b64(&forged), {"encoding": "base64"}]));
    assert_eq!(err["code"], -32003);
    let err = server.call_err("simulateTransaction", json!([b64(&forged), {"encoding": "base64", "sigVerify": true}]));
    assert_eq!(err["code"], -32003);

    // Versioned (v0) transactions: accepted; getTransaction needs maxSupportedTransactionVersion.
    let v0 = v0::Message::try_compile(
        &payer.pubkey(),
        &[solana_system_interface::instruction::transfer(&payer.pubkey(), &impostor.pubkey(), 42)],
        &[],
        server.blockhash(),
    )
    .unwrap();
    let v0_tx = VersionedTransaction::try_new(VersionedMessage::V0(v0), &[&payer]).unwrap();
    let encoded = BASE64_STANDARD.encode(bincode::serialize(&v0_tx).unwrap());
    let sig = server.call("sendTransaction", json!([encoded, {"encoding": "base64"}]));
    let err = server.call_err("getTransaction", json!([sig, {"encoding": "json"}]));
    assert_eq!(err["code"], -32015);
    let got = server.call("getTransaction", json!([sig, {"encoding": "json", "maxSupportedTransactionVersion": 0}]));
    assert_eq!(got["version"], 0);
    assert_eq!(got["transaction"]["message"]["addressTableLookups"], json!([]));
    assert_eq!(got["meta"]["err"], Value::Null);
}

#[test]
fn test_json_rpc_errors_and_batches() {
    let server = Server::start(100);

    // -32700 parse error, id null.
    let (status, body) = server.post_raw("{not json");
    assert_eq!(status, 200);
    let response: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(response, json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}));

    // -32600 invalid requests.
    for bad in [
        json!(42),
        json!([]),
        json!({"jsonrpc": "2.0", "id": 1}),
        json!({"jsonrpc": "1.0", "id": 1, "method": "getSlot"}),
        json!({"id": 1, "method": "getSlot"}),
        json!({"jsonrpc": "2.0", "id": 1, "method": 5}),
        json!({"jsonrpc": "2.0", "id": {"x": 1}, "method": "getSlot"}),
    ] {
        let response = server.post(&bad);
        assert_eq!(response["error"]["code"], -32600, "{bad} -> {response}");
    }

    // -32601 method not found, with the request id echoed.
    let response = server.post(&json!({"jsonrpc": "2.0", "id": "abc", "method": "getNothing"}));
    assert_eq!(response["error"], json!({"code": -32601, "message": "Method not found"}));
    assert_eq!(response["id"], "abc");

    // -32602 invalid params, naming the param.
    let cases = [
        ("getBalance", json!([]), "pubkey"),
        ("getBalance", json!(["not-a-key"]), "pubkey"),
        ("getBalance", json!([42]), "pubkey"),
        ("getAccountInfo", json!([Keypair::new().pubkey().to_string(), {"encoding": "xml"}]), "encoding"),
        ("getAccountInfo", json!([Keypair::new().pubkey().to_string(), {"commitment": "soon"}]), "commitment"),
        ("getAccountInfo", json!([Keypair::new().pubkey().to_string(), "base64"]), "configuration"),
        ("getMultipleAccounts", json!(["x"]), "pubkeys"),
        ("getSignatureStatuses", json!([["zzz"]]), "signatures"),
        ("getSignaturesForAddress", json!([Keypair::new().pubkey().to_string(), {"limit": 0}]), "limit"),
        ("getSignaturesForAddress", json!([Keypair::new().pubkey().to_string(), {"before": "nope"}]), "before"),
        ("getTransaction", json!(["1"]), "signature"),
        ("requestAirdrop", json!([Keypair::new().pubkey().to_string()]), "lamports"),
        ("requestAirdrop", json!([Keypair::new().pubkey().to_string(), -1]), "lamports"),
        ("isBlockhashValid", json!(["###"]), "blockhash"),
        ("sendTransaction", json!([]), "transaction"),
        ("sendTransaction", json!(["AAAA", {"encoding": "base64"}]), "deserialize"),
        ("sendTransaction", json!(["0OIl", {"encoding": "base58"}]), "base58"),
        ("sendTransaction", json!(["@@@", {"encoding": "base64"}]), "base64"),
        ("sendTransaction", json!(["AAAA", {"encoding": "hex"}]), "encoding"),
        ("sendTransaction", json!(["AAAA", {"skipPreflight": "yes"}]), "skipPreflight"),
        ("simulateTransaction", json!([7]), "transaction"),
        ("getFeeForMessage", json!(["AAAA"]), "deserialize"),
        ("getMinimumBalanceForRentExemption", json!(["ten"]), "dataLength"),
    ];
    for (method, params, needle) in cases {
        let err = server.call_err(method, params.clone());
        assert_eq!(err["code"], -32602, "{method} {params} -> {err}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains(needle), "{method} {params}: message {message:?} should name {needle}");
    }
    let response = server.post(&json!({"jsonrpc": "2.0", "id": 1, "method": "getBalance", "params": {"pubkey": "x"}}));
    assert_eq!(response["error"]["code"], -32602);
    let too_many: Vec<String> = (0..101).map(|_| Keypair::new().pubkey().to_string()).collect();
    assert_eq!(server.call_err("getMultipleAccounts", json!([too_many]))["code"], -32602);

    // -32016 min context slot.
    let err = server
        .call_err("getBalance", json!([Keypair::new().pubkey().to_string(), {"minContextSlot": 1_000_000_000u64}]));
    assert_eq!(err["code"], -32016);

    // Batches: one response per request with an id, in order; notifications get none.
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "getHealth"},
        {"jsonrpc": "2.0", "id": 2, "method": "nope"},
        {"jsonrpc": "2.0", "method": "getSlot"},
        {"jsonrpc": "2.0", "id": 3, "method": "getBalance", "params": ["bad"]},
        17,
    ]);
    let responses = server.post(&batch);
    let responses = responses.as_array().unwrap();
    assert_eq!(responses.len(), 4);
    assert_eq!(responses[0], json!({"jsonrpc": "2.0", "result": "ok", "id": 1}));
    assert_eq!(responses[1]["error"]["code"], -32601);
    assert_eq!(responses[2]["error"]["code"], -32602);
    assert_eq!(responses[2]["id"], 3);
    assert_eq!(responses[3]["error"]["code"], -32600);
    let (status, body) = server.post_raw(&json!({"jsonrpc": "2.0", "method": "getSlot"}).to_string());
    assert_eq!((status, body.as_str()), (200, ""));

    // Still serving after all of that.
    assert_eq!(server.call("getHealth", json!(null)), "ok");
}

#[test]
fn test_cli_and_shutdown() {
    let output = std::process::Command::new(BIN).arg("--bogus").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown argument: --bogus"));
    let output = std::process::Command::new(BIN).arg("--help").output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("--ledger-airdrop"));

    // A small faucet: airdrops beyond it fail with an error, not a crash.
    let mut server = Server::start_with(&["--slot-ms", "100", "--ledger-airdrop", "5000000000"]);
    assert_eq!(server.ready["slotMs"], 100);
    assert!(server.ready["port"].as_u64().unwrap() > 0);
    let user = Keypair::new().pubkey();
    server.airdrop(&user, SOL);
    let err = server.call_err("requestAirdrop", json!([user.to_string(), 10 * SOL]));
    assert_eq!(err["code"], -32603);
    assert!(err["message"].as_str().unwrap().contains("airdrop request failed"));
    assert_eq!(server.call("getBalance", json!([user.to_string()]))["value"], SOL);

    // A client holding a keep-alive connection open does not keep the server alive after SIGTERM.
    use std::io::{Read, Write};
    let mut idle = std::net::TcpStream::connect(&server.host_port).unwrap();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "getHealth"}).to_string();
    write!(
        idle,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    let started = Instant::now();
    let (status, _) = server.stop();
    assert!(status.success());
    assert!(started.elapsed() < Duration::from_secs(10), "stopped in {:?}", started.elapsed());
}

/// The official Rust client (solana-rpc-client) parses every response shape it is given.
#[test]
fn test_official_rust_client_understands_the_responses() {
    use {
        solana_commitment_config::CommitmentConfig, solana_rpc_client::nonblocking::rpc_client::RpcClient,
        solana_transaction_status_client_types::UiTransactionEncoding,
    };
    let server = Server::start(20);
    // The confirmed slot is the last complete one: past slot 2, it is at least 1.
    server.wait_for_slot(2);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = RpcClient::new_with_commitment(server.url.clone(), CommitmentConfig::confirmed());
        client.get_health().await.unwrap();
        assert_eq!(client.get_version().await.unwrap().solana_core, "3.1.12");
        assert!(client.get_slot().await.unwrap() >= 1);
        let payer = Keypair::new();
        let sig = client.request_airdrop(&payer.pubkey(), 5 * SOL).await.unwrap();
        assert!(client.confirm_transaction(&sig).await.unwrap());
        assert_eq!(client.get_balance(&payer.pubkey()).await.unwrap(), 5 * SOL);

        let mint = Keypair::new();
        let account = Keypair::new();
        let blockhash = client.get_latest_blockhash().await.unwrap();
        assert!(client.is_blockhash_valid(&blockhash, CommitmentConfig::processed()).await.unwrap());
        let token = spl_token_interface::id();
        let rent_mint = client.get_minimum_balance_for_rent_exemption(MINT_LEN).await.unwrap();
        let rent_account = client.get_minimum_balance_for_rent_exemption(TOKEN_ACCOUNT_LEN).await.unwrap();
        let instructions = vec![
            solana_system_interface::instruction::create_account(
                &payer.pubkey(),
                &mint.pubkey(),
                rent_mint,
                MINT_LEN as u64,
                &token,
            ),
            spl_token_interface::instruction::initialize_mint2(&token, &mint.pubkey(), &payer.pubkey(), None, 9)
                .unwrap(),
            solana_system_interface::instruction::create_account(
                &payer.pubkey(),
                &account.pubkey(),
                rent_account,
                TOKEN_ACCOUNT_LEN as u64,
                &token,
            ),
            spl_token_interface::instruction::initialize_account3(
                &token,
                &account.pubkey(),
                &mint.pubkey(),
                &payer.pubkey(),
            )
            .unwrap(),
            spl_token_interface::instruction::mint_to(
                &token,
                &mint.pubkey(),
                &account.pubkey(),
                &payer.pubkey(),
                &[],
                7_000_000_000,
            )
            .unwrap(),
        ];
        let tx = Transaction::new_signed_with_payer(
            &instructions,
            Some(&payer.pubkey()),
            &[&payer, &mint, &account],
            blockhash,
        );
        let fee = client.get_fee_for_message(&tx.message).await.unwrap();
        assert_eq!(fee, 15_000);
        let sim = client.simulate_transaction(&tx).await.unwrap();
        assert!(sim.value.err.is_none());
        assert!(sim.value.units_consumed.unwrap() > 0);
        let sig = client.send_and_confirm_transaction(&tx).await.unwrap();
        assert_eq!(sig, tx.signatures[0]);
        let statuses = client.get_signature_statuses(&[sig]).await.unwrap();
        assert!(statuses.value[0].as_ref().unwrap().err.is_none());
        let got = client.get_transaction(&sig, UiTransactionEncoding::Json).await.unwrap();
        let meta = got.transaction.meta.unwrap();
        assert_eq!(meta.fee, 15_000);
        let logs: Option<Vec<String>> = meta.log_messages.into();
        assert!(logs.unwrap().iter().any(|l| l.contains("Instruction: MintTo")));
        let slot = got.slot;
        while client.get_slot().await.unwrap() < slot + 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let block = client
            .get_block_with_config(
                slot,
                solana_rpc_client_types::config::RpcBlockConfig {
                    encoding: Some(UiTransactionEncoding::Json),
                    max_supported_transaction_version: Some(0),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(block.parent_slot, slot - 1);
        assert!(block.transactions.unwrap().iter().any(|t| t.meta.as_ref().unwrap().fee == 15_000));
        assert_eq!(client.get_blocks(slot, Some(slot + 1)).await.unwrap(), vec![slot, slot + 1]);
        let got64 = client.get_transaction(&sig, UiTransactionEncoding::Base64).await.unwrap();
        let decoded = got64.transaction.transaction.decode().unwrap();
        assert_eq!(decoded.signatures[0], sig);
        let history = client.get_signatures_for_address(&mint.pubkey()).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].signature, sig.to_string());
        let account_data = client.get_account(&account.pubkey()).await.unwrap();
        assert_eq!(account_data.owner, token);
        assert_eq!(account_data.data.len(), TOKEN_ACCOUNT_LEN);
        let many = client.get_multiple_accounts(&[mint.pubkey(), Keypair::new().pubkey()]).await.unwrap();
        assert!(many[0].is_some() && many[1].is_none());
        let amount = client.get_token_account_balance(&account.pubkey()).await.unwrap();
        assert_eq!(amount.amount, "7000000000");
        assert_eq!(amount.ui_amount_string, "7");
        let epoch = client.get_epoch_info().await.unwrap();
        assert!(epoch.absolute_slot >= 1);
        let height = client.get_block_height().await.unwrap();
        assert!(height >= 1);
        assert_eq!(client.get_genesis_hash().await.unwrap().to_string(), server.ready["genesisHash"].as_str().unwrap());
    });
}

/// The maskoii program is loaded as a native builtin at its declared id and really executes.
#[test]
fn test_maskoii_program_is_loaded_and_runs() {
    let server = Server::start(50);
    let program_id = server.ready["programs"]["maskoii"].as_str().unwrap().to_string();
    assert_eq!(program_id, "MaskoiiGateway11111111111111111111111111111");
    let info = server.call("getAccountInfo", json!([program_id, {"encoding": "base64"}]));
    assert_eq!(info["value"]["executable"], true);
    assert_eq!(info["value"]["owner"], "NativeLoader1111111111111111111111111111111");

    // An unknown discriminator reaches Anchor's dispatcher, which rejects it (InstructionFallbackNotFound, 101).
    let payer = Keypair::new();
    server.airdrop(&payer.pubkey(), SOL);
    let unknown = solana_instruction::Instruction::new_with_bytes(
        program_id.parse().unwrap(),
        &[0xff; 8],
        vec![solana_instruction::AccountMeta::new(payer.pubkey(), true)],
    );
    let tx = signed(&[unknown], &payer, &[], server.blockhash());
    let err = server.call_err("sendTransaction", json!([b64(&tx), {"encoding": "base64"}]));
    assert_eq!(err["code"], -32002);
    assert_eq!(err["data"]["err"], json!({"InstructionError": [0, {"Custom": 101}]}), "{err}");
    let logs: Vec<String> =
        err["data"]["logs"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()).collect();
    // The invoke and failure lines are there once each, as on a real cluster, with the program's
    // `msg!` output (printed on the host) between them.
    assert_eq!(logs.first().unwrap(), &format!("Program {program_id} invoke [1]"), "{logs:?}");
    assert!(
        logs[1].starts_with(
            "Program log: AnchorError occurred. Error Code: InstructionFallbackNotFound. Error Number: 101."
        ),
        "{logs:?}"
    );
    assert_eq!(logs.iter().filter(|l| l.contains(" invoke [1]")).count(), 1, "{logs:?}");
    assert!(logs.last().unwrap().starts_with(&format!("Program {program_id} failed: ")), "{logs:?}");

    // The same through simulation, and again (output never leaks from one execution into another).
    for _ in 0..2 {
        let sim = server.call("simulateTransaction", json!([b64(&tx), {"encoding": "base64"}]));
        let sim_logs = sim["value"]["logs"].as_array().unwrap();
        assert_eq!(sim_logs.len(), logs.len(), "{sim_logs:?}");
        assert!(sim_logs[1].as_str().unwrap().contains("InstructionFallbackNotFound"));
    }
    assert_eq!(server.call("getHealth", json!([])), "ok");
}

/// `--bpf-program` loads a real SBF ELF (here: a copy of SPL Token, taken from a running server) at any
/// address, including the maskoii id, where it replaces the native build.
#[test]
fn test_bpf_program_flag_loads_sbf_elf() {
    let source = Server::start(100);
    let elf = source.call("getAccountInfo", json!([TOKEN_PROGRAM, {"encoding": "base64"}]));
    let elf = BASE64_STANDARD.decode(elf["value"]["data"][0].as_str().unwrap()).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF");
    drop(source);
    let dir = std::env::temp_dir().join(format!("maskoii-local-rpc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("token_copy.so");
    std::fs::write(&path, &elf).unwrap();

    let copy = Keypair::new().pubkey();
    let maskoii_id = "MaskoiiGateway11111111111111111111111111111";
    let server = Server::start_with(&[
        "--slot-ms",
        "100",
        "--bpf-program",
        &copy.to_string(),
        path.to_str().unwrap(),
        "--bpf-program",
        maskoii_id,
        path.to_str().unwrap(),
    ]);
    assert_eq!(server.ready["sbfPrograms"], json!([copy.to_string(), maskoii_id]));
    for id in [copy.to_string(), maskoii_id.to_string()] {
        let info =
            server.call("getAccountInfo", json!([id, {"encoding": "base64", "dataSlice": {"offset": 0, "length": 4}}]));
        assert_eq!(info["value"]["owner"], "BPFLoader2111111111111111111111111111111111");
        assert_eq!(info["value"]["executable"], true);
        assert_eq!(info["value"]["space"], elf.len());
    }

    // The copy runs as SBF: a mint owned by it initializes, with the BPF loader's compute-unit log.
    let payer = Keypair::new();
    server.airdrop(&payer.pubkey(), SOL);
    let mint = Keypair::new();
    let rent = server.call("getMinimumBalanceForRentExemption", json!([MINT_LEN])).as_u64().unwrap();
    let mut init = spl_token_interface::instruction::initialize_mint2(
        &spl_token_interface::id(),
        &mint.pubkey(),
        &payer.pubkey(),
        None,
        2,
    )
    .unwrap();
    init.program_id = copy;
    let create = solana_system_interface::instruction::create_account(
        &payer.pubkey(),
        &mint.pubkey(),
        rent,
        MINT_LEN as u64,
        &copy,
    );
    let tx = signed(&[create, init], &payer, &[&mint], server.blockhash());
    let sig = server.call("sendTransaction", json!([b64(&tx), {"encoding": "base64"}]));
    let got = server.call("getTransaction", json!([sig]));
    assert_eq!(got["meta"]["err"], Value::Null);
    let logs: Vec<&str> = got["meta"]["logMessages"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(logs.contains(&format!("Program {copy} invoke [1]").as_str()), "{logs:?}");
    assert!(logs.contains(&"Program log: Instruction: InitializeMint2"), "{logs:?}");
    assert!(logs.iter().any(|l| l.starts_with(&format!("Program {copy} consumed "))), "{logs:?}");
    let mint_info = server.call("getAccountInfo", json!([mint.pubkey().to_string(), {"encoding": "base64"}]));
    assert_eq!(mint_info["value"]["owner"], copy.to_string());

    // At the maskoii id the SBF build answers instead of the native one (SPL Token rejects the data).
    let call = solana_instruction::Instruction::new_with_bytes(maskoii_id.parse().unwrap(), &[0xff; 8], vec![]);
    let tx = signed(&[call], &payer, &[], server.blockhash());
    let sim = server.call("simulateTransaction", json!([b64(&tx), {"encoding": "base64"}]));
    assert_eq!(sim["value"]["err"], json!({"InstructionError": [0, {"Custom": 12}]}), "TokenError::InvalidInstruction");
    let logs = sim["value"]["logs"].as_array().unwrap();
    assert_eq!(logs[0], format!("Program {maskoii_id} invoke [1]"));
    assert!(logs.iter().any(|l| l.as_str().unwrap().contains("Error: Invalid instruction")), "{logs:?}");
    let _ = std::fs::remove_dir_all(&dir);

    // A missing file is a startup error, not a crash.
    let output = std::process::Command::new(BIN)
        .args(["--port", "0", "--bpf-program", maskoii_id, "/nonexistent/x.so"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/x.so"));
}

/// A real maskoii instruction through the RPC: `initialize` by the upgrade authority named in the
/// ProgramData account the server creates (CPIs into the System program, sysvars, Anchor's logs).
#[test]
fn test_maskoii_initialize_through_rpc() {
    use {
        anchor_lang::{InstructionData, ToAccountMetas},
        maskoii::{instructions::InitializeArgs, seeds, state::AttesterSetArgs},
    };
    let server = Server::start(50);
    let deployer = Keypair::new_from_array([42u8; 32]);
    assert_eq!(server.ready["upgradeAuthority"], deployer.pubkey().to_string());
    let program_id = maskoii::ID;
    let pda = |parts: &[&[u8]]| solana_pubkey::Pubkey::find_program_address(parts, &program_id).0;
    let program_data = solana_pubkey::Pubkey::find_program_address(
        &[program_id.as_ref()],
        &"BPFLoaderUpgradeab1e11111111111111111111111".parse().unwrap(),
    )
    .0;
    let info = server.call("getAccountInfo", json!([program_data.to_string(), {"encoding": "base64"}]));
    assert_eq!(info["value"]["owner"], "BPFLoaderUpgradeab1e11111111111111111111111");

    let initialize = |payer: &Keypair| {
        let accounts = maskoii::accounts::Initialize {
            payer: payer.pubkey(),
            program_data,
            config: pda(&[seeds::CONFIG_SEED]),
            fee_vault: pda(&[seeds::FEE_VAULT_SEED]),
            attester_set: pda(&[seeds::ATTESTER_SET_SEED, &1u64.to_le_bytes()]),
            system_program: anchor_lang::system_program::ID,
        };
        let args = InitializeArgs {
            local_domain: 1003,
            admin: payer.pubkey(),
            guardian: payer.pubkey(),
            overlap_window: 86_400,
            emergency_delay: 7 * 86_400,
            set: AttesterSetArgs {
                threshold_bps: 6667,
                attesters: vec![[1; 20], [2; 20], [3; 20]],
                weights: vec![1, 1, 1],
            },
        };
        solana_instruction::Instruction {
            program_id,
            accounts: accounts.to_account_metas(None),
            data: maskoii::instruction::Initialize { args }.data(),
        }
    };

    // Anyone else is refused, with Anchor's error log.
    let stranger = Keypair::new();
    server.airdrop(&stranger.pubkey(), SOL);
    let tx = signed(&[initialize(&stranger)], &stranger, &[], server.blockhash());
    let err = server.call_err("sendTransaction", json!([b64(&tx), {"encoding": "base64"}]));
    assert_eq!(err["code"], -32002);
    assert!(err["data"]["err"]["InstructionError"][1]["Custom"].is_u64(), "{err}");
    let logs = err["data"]["logs"].as_array().unwrap();
    assert!(logs.iter().any(|l| l.as_str().unwrap().contains("NotUpgradeAuthority")), "{logs:?}");

    // The upgrade authority initializes: accounts created by CPI into the System program.
    server.airdrop(&deployer.pubkey(), 10 * SOL);
    let tx = signed(&[initialize(&deployer)], &deployer, &[], server.blockhash());
    let sig = server.call("sendTransaction", json!([b64(&tx), {"encoding": "base64"}]));
    let got = server.call("getTransaction", json!([sig]));
    assert_eq!(got["meta"]["err"], Value::Null);
    let logs: Vec<&str> = got["meta"]["logMessages"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(logs[0], format!("Program {program_id} invoke [1]"));
    assert_eq!(logs[1], "Program log: Instruction: Initialize");
    assert!(logs.contains(&"Program 11111111111111111111111111111111 invoke [2]"), "{logs:?}");
    assert_eq!(*logs.last().unwrap(), format!("Program {program_id} success"));
    assert_eq!(logs.iter().filter(|l| **l == format!("Program {program_id} success")).count(), 1, "{logs:?}");
    // The `AttesterSetRotated(1, hash, 0)` event, exactly as the SBF runtime logs an `emit!`:
    // `Program data: base64(discriminator ‖ borsh)`, before the program's success line.
    let event = maskoii::events::AttesterSetRotated {
        set_id: 1,
        set_hash: maskoii::protocol::attester_set::hash(1, 6667, &[[1; 20], [2; 20], [3; 20]], &[1, 1, 1]),
        previous_set_expires_at: 0,
    };
    let line = format!("Program data: {}", b64_bytes(&anchor_lang::Event::data(&event)));
    let at = logs.iter().position(|l| *l == line).unwrap_or_else(|| panic!("no {line} in {logs:?}"));
    assert!(at > 1 && at < logs.len() - 1, "{logs:?}");
    assert_eq!(logs.iter().filter(|l| l.starts_with("Program data: ")).count(), 1, "{logs:?}");
    let config = server.call("getAccountInfo", json!([pda(&[seeds::CONFIG_SEED]).to_string(), {"encoding": "base64"}]));
    assert_eq!(config["value"]["owner"], program_id.to_string());
    let owned = server.call(
        "getProgramAccounts",
        json!([program_id.to_string(), {"encoding": "base64", "dataSlice": {"offset": 0, "length": 0}}]),
    );
    assert_eq!(owned.as_array().unwrap().len(), 3, "config, fee vault, attester set 1");

    // A second initialize fails: the config PDA exists.
    let tx = signed(&[initialize(&deployer)], &deployer, &[], server.blockhash());
    let err = server.call_err("sendTransaction", json!([b64(&tx), {"encoding": "base64"}]));
    assert_eq!(err["code"], -32002);
}

/// Program output is echoed to stderr, but a stderr pipe nobody reads never stalls the server.
#[test]
fn test_unread_stderr_never_blocks() {
    let mut server = Server::start_with_unread_stderr(&["--slot-ms", "50"]);
    let payer = Keypair::new();
    server.airdrop(&payer.pubkey(), SOL);
    let unknown = solana_instruction::Instruction::new_with_bytes(maskoii::ID, &[0xff; 8], vec![]);
    let tx = signed(&[unknown], &payer, &[], server.blockhash());
    // Each simulation prints Anchor's error line (~150 bytes): 600 of them are more than a pipe holds.
    let encoded = b64(&tx);
    let batch: Vec<Value> = (0..600)
        .map(|i| json!({"jsonrpc": "2.0", "id": i, "method": "simulateTransaction", "params": [encoded, {"encoding": "base64"}]}))
        .collect();
    let started = Instant::now();
    let responses = server.post(&Value::Array(batch));
    assert_eq!(responses.as_array().unwrap().len(), 600);
    assert!(responses[599]["result"]["value"]["logs"][1].as_str().unwrap().contains("InstructionFallbackNotFound"));
    assert!(started.elapsed() < Duration::from_secs(120));
    assert_eq!(server.call("getHealth", json!([])), "ok");
    let (status, _) = server.stop();
    assert!(status.success());
}

/// A v0 transaction through an address lookup table: keys loaded from the table are executed, recorded
/// (`loadedAddresses`, `lookupTable` sources) and indexed.
#[test]
fn test_versioned_transaction_with_lookup_table() {
    use solana_address_lookup_table_interface::instruction::{create_lookup_table, extend_lookup_table};
    let server = Server::start(40);
    let payer = Keypair::new();
    server.airdrop(&payer.pubkey(), 2 * SOL);
    let (create, table) = create_lookup_table(payer.pubkey(), payer.pubkey(), server.slot() - 1);
    let dest = Keypair::new().pubkey();
    let other = Keypair::new().pubkey();
    let extend = extend_lookup_table(table, payer.pubkey(), Some(payer.pubkey()), vec![dest, other]);
    let tx = signed(&[create, extend], &payer, &[], server.blockhash());
    server.call("sendTransaction", json!([b64(&tx), {"encoding": "base64"}]));
    // Extended addresses are usable from the next slot on.
    server.wait_for_slot(server.slot() + 2);

    let lookup = solana_message::AddressLookupTableAccount { key: table, addresses: vec![dest, other] };
    let message = v0::Message::try_compile(
        &payer.pubkey(),
        &[solana_system_interface::instruction::transfer(&payer.pubkey(), &dest, 1_000_000)],
        &[lookup],
        server.blockhash(),
    )
    .unwrap();
    assert_eq!(message.address_table_lookups.len(), 1, "dest comes from the table");
    let v0_tx = VersionedTransaction::try_new(VersionedMessage::V0(message), &[&payer]).unwrap();
    let encoded = BASE64_STANDARD.encode(bincode::serialize(&v0_tx).unwrap());
    let sim = server.call("simulateTransaction", json!([encoded, {"encoding": "base64"}]));
    assert_eq!(sim["value"]["err"], Value::Null);
    let sig = server.call("sendTransaction", json!([encoded, {"encoding": "base64"}]));
    assert_eq!(server.call("getBalance", json!([dest.to_string()]))["value"], 1_000_000);

    let got = server.call("getTransaction", json!([sig, {"encoding": "json", "maxSupportedTransactionVersion": 0}]));
    assert_eq!(got["version"], 0);
    assert_eq!(got["meta"]["err"], Value::Null);
    assert_eq!(got["meta"]["loadedAddresses"], json!({"writable": [dest.to_string()], "readonly": []}));
    assert_eq!(got["transaction"]["message"]["addressTableLookups"][0]["accountKey"], table.to_string());
    assert_eq!(got["transaction"]["message"]["addressTableLookups"][0]["writableIndexes"], json!([0]));
    let statics = got["transaction"]["message"]["accountKeys"].as_array().unwrap().len();
    assert_eq!(got["meta"]["preBalances"].as_array().unwrap().len(), statics + 1);
    assert_eq!(got["meta"]["postBalances"][statics], 1_000_000);
    let parsed =
        server.call("getTransaction", json!([sig, {"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0}]));
    let keys = parsed["transaction"]["message"]["accountKeys"].as_array().unwrap();
    assert_eq!(keys.last().unwrap()["pubkey"], dest.to_string());
    assert_eq!(keys.last().unwrap()["source"], "lookupTable");
    assert_eq!(keys.last().unwrap()["writable"], true);
    let history = server.call("getSignaturesForAddress", json!([dest.to_string()]));
    assert_eq!(history[0]["signature"], sig);
}

#[test]
fn test_get_slot_by_commitment_never_reports_the_open_slot_as_confirmed() {
    let server = Server::start(20);
    server.wait_for_slot(40);
    let at =
        |commitment: &str| -> u64 { server.call("getSlot", json!([{"commitment": commitment}])).as_u64().unwrap() };
    // Read finalized first and processed last: slots only grow, so the order bounds each pair.
    let finalized = at("finalized");
    let confirmed = at("confirmed");
    let processed = at("processed");
    assert!(confirmed < processed, "confirmed {confirmed} must be behind the open slot {processed}");
    assert!(finalized + 31 <= confirmed, "finalized {finalized} must trail confirmed {confirmed} by ~32 slots");
    // A transaction landing now is in a slot after the confirmed one: a scan up to `confirmed` cannot miss it.
    let user = Keypair::new();
    let signature = server.airdrop(&user.pubkey(), SOL);
    let landed = status_of(&server, &signature)["slot"].as_u64().unwrap();
    assert!(landed > confirmed, "landed in {landed}, at or before the confirmed slot {confirmed}");
    assert_eq!(
        server.call_err("getSlot", json!([{"commitment": "soon"}]))["code"],
        -32602,
        "an unknown commitment is an invalid-params error"
    );
}
