//! Shared harness for the program tests: a solana-program-test bank running the maskoii entrypoint as a native
//! processor next to a mock recipient program, secp256k1 attester keys (libsecp256k1, RFC 6979, low-s),
//! instruction builders and error assertions. Other test crates include it with `mod common;`.
#![allow(dead_code)]

pub mod events;

use anchor_lang::prelude::*;
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::error::InstructionError;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{InstructionData, ToAccountMetas};
use maskoii::errors::MaskoiiError;
use maskoii::instructions::{Evidence, InitializeArgs, PostSignaturesArgs, SendArgs, HANDLE_DISCRIMINATOR};
use maskoii::protocol::attestation::{self, AttestationKind};
use maskoii::protocol::signature::SignatureEntry;
use maskoii::protocol::{attester_set, keccak, message};
use maskoii::seeds::*;
use maskoii::state::AttesterSetArgs;
use solana_account::Account as SolanaAccount;
use solana_keypair::Keypair;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_signer::Signer as _;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

/// Domain of the Solana deployment under test (spec §1: local devnet Solana).
pub const LOCAL_DOMAIN: u32 = 1003;
/// An EVM origin domain.
pub const REMOTE_DOMAIN: u32 = 1001;
/// One day, the default overlap window.
pub const OVERLAP: u32 = 86_400;
/// Seven days, the default emergency delay.
pub const EMERGENCY_DELAY: u32 = 7 * 86_400;
/// Most bytes a Solana transaction may have.
pub const PACKET_DATA_SIZE: usize = 1232;

/// The mock recipient program.
pub fn recipient_id() -> Pubkey {
    Pubkey::new_from_array([7u8; 32])
}

/// Anchor's `entry` ties every argument to one lifetime; `processor!` wants independent ones.
pub fn process_maskoii(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    // SAFETY: the runtime keeps all three alive for the whole call; only the lifetime parameters are unified.
    let (program_id, accounts, data): (&'static Pubkey, &'static [AccountInfo<'static>], &'static [u8]) =
        unsafe { (std::mem::transmute(program_id), std::mem::transmute(accounts), std::mem::transmute(data)) };
    maskoii::entry(program_id, accounts, data)
}

/// Mock recipient implementing the documented interface: accounts `[gateway_authority (signer), store (mut)]`,
/// data `HANDLE_DISCRIMINATOR ‖ borsh(origin, sender, payload)`. Records `data[8..]` in `store` as
/// `u32 length ‖ bytes`; fails with `Custom(77)` when the payload is `b"fail"`.
pub fn process_recipient(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    if data.len() < 48 || data[..8] != HANDLE_DISCRIMINATOR {
        return Err(ProgramError::InvalidInstructionData);
    }
    let authority = &accounts[0];
    let (expected, _) = Pubkey::find_program_address(&[GATEWAY_AUTHORITY_SEED, program_id.as_ref()], &maskoii::ID);
    if !authority.is_signer || *authority.key != expected {
        return Err(ProgramError::MissingRequiredSignature);
    }
    let payload = &data[48..];
    if payload == b"fail" {
        return Err(ProgramError::Custom(77));
    }
    let store = &accounts[1];
    if store.owner != program_id {
        return Err(ProgramError::IncorrectProgramId);
    }
    // Optional third account: the message's receipt, which must already be written when `handle` runs.
    if let Some(receipt) = accounts.get(2) {
        let data = receipt.try_borrow_data()?;
        if receipt.owner != &maskoii::ID || data.len() < 8 || data[..8] != *maskoii::state::Receipt::DISCRIMINATOR {
            return Err(ProgramError::Custom(78));
        }
    }
    let mut bytes = store.try_borrow_mut_data()?;
    let body = &data[8..];
    bytes[..4].copy_from_slice(&(body.len() as u32).to_le_bytes());
    bytes[4..4 + body.len()].copy_from_slice(body);
    Ok(())
}

/// The attacker's program: a recipient that, inside its own `handle`, calls the mock recipient's `handle` with
/// forged data, forwarding the gateway authority it was given as a signer. Accounts:
/// `[own authority (signer), store, recipient program]`.
pub fn attacker_id() -> Pubkey {
    Pubkey::new_from_array([9u8; 32])
}

pub fn process_attacker(_program_id: &Pubkey, accounts: &[AccountInfo], _data: &[u8]) -> ProgramResult {
    let forged = maskoii::instructions::handle_instruction_data(REMOTE_DOMAIN, &[0xee; 32], b"forged");
    let ix = Instruction {
        program_id: recipient_id(),
        accounts: vec![AccountMeta::new_readonly(*accounts[0].key, true), AccountMeta::new(*accounts[1].key, false)],
        data: forged,
    };
    anchor_lang::solana_program::program::invoke(&ix, &[accounts[0].clone(), accounts[1].clone(), accounts[2].clone()])
}

/// A secp256k1 attester key and its Ethereum address.
#[derive(Clone)]
pub struct Attester {
    pub key: libsecp256k1::SecretKey,
    pub address: [u8; 20],
}

/// `n` deterministic attesters, sorted ascending by address (`salt` gives disjoint families).
pub fn attesters(n: usize, salt: u8) -> Vec<Attester> {
    let mut out: Vec<Attester> = (0..n)
        .map(|i| {
            let seed = keccak(&[b"maskoii attester", &[salt], &(i as u64).to_le_bytes()]);
            let key = libsecp256k1::SecretKey::parse(&seed).expect("valid scalar");
            let public = libsecp256k1::PublicKey::from_secret_key(&key).serialize();
            let hashed = keccak(&[&public[1..]]);
            Attester { key, address: hashed[12..].try_into().unwrap() }
        })
        .collect();
    out.sort_by(|a, b| a.address.cmp(&b.address));
    out
}

/// Set arguments with equal weights 1.
pub fn set_args(attesters: &[Attester], threshold_bps: u16) -> AttesterSetArgs {
    AttesterSetArgs {
        threshold_bps,
        attesters: attesters.iter().map(|a| a.address).collect(),
        weights: vec![1; attesters.len()],
    }
}

/// `r ‖ s ‖ v` over `digest`.
pub fn sign(digest: &[u8; 32], key: &libsecp256k1::SecretKey) -> ([u8; 32], [u8; 32], u8) {
    let (sig, recovery) = libsecp256k1::sign(&libsecp256k1::Message::parse(digest), key);
    let bytes = sig.serialize();
    (bytes[..32].try_into().unwrap(), bytes[32..].try_into().unwrap(), recovery.serialize() + 27)
}

/// Signature entries of `set[indices]` over `digest`.
pub fn entries(digest: &[u8; 32], set: &[Attester], indices: &[usize]) -> Vec<SignatureEntry> {
    indices
        .iter()
        .map(|&i| {
            let (r, s, v) = sign(digest, &set[i].key);
            SignatureEntry { index: i as u8, r, s, v }
        })
        .collect()
}

/// The digest this deployment verifies (domain = local, verifier = program id).
pub fn local_digest(kind: AttestationKind, set_id: u64, value: &[u8; 32]) -> [u8; 32] {
    attestation::digest(&kind.type_hash(), LOCAL_DOMAIN, &maskoii::ID.to_bytes(), set_id, value)
}

// ---------------------------------------------------------------- PDAs

pub fn pda(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &maskoii::ID).0
}
pub fn config_pda() -> Pubkey {
    pda(&[CONFIG_SEED])
}
pub fn fee_vault_pda() -> Pubkey {
    pda(&[FEE_VAULT_SEED])
}
/// The gateway authority PDA that signs CPIs into `recipient`.
pub fn authority_pda(recipient: &Pubkey) -> Pubkey {
    pda(&[GATEWAY_AUTHORITY_SEED, recipient.as_ref()])
}
pub fn set_pda(set_id: u64) -> Pubkey {
    pda(&[ATTESTER_SET_SEED, &set_id.to_le_bytes()])
}
pub fn verification_pda(payer: &Pubkey, kind: AttestationKind, set_id: u64, value: &[u8; 32]) -> Pubkey {
    pda(&[VERIFICATION_SEED, payer.as_ref(), &[kind as u8], &set_id.to_le_bytes(), value])
}
pub fn verification_bump(payer: &Pubkey, kind: AttestationKind, set_id: u64, value: &[u8; 32]) -> u8 {
    Pubkey::find_program_address(
        &[VERIFICATION_SEED, payer.as_ref(), &[kind as u8], &set_id.to_le_bytes(), value],
        &maskoii::ID,
    )
    .1
}
/// The receipt PDA of `(origin, nonce)` (docs/protocol.md §8.1), from the program's one definition.
pub fn receipt_pda(origin: u32, nonce: u64) -> Pubkey {
    receipt_address(origin, nonce).0
}
/// The receipt PDA of an encoded message (its origin and nonce).
pub fn receipt_of(message: &[u8]) -> Pubkey {
    let m = message::decode(message).expect("well-formed message");
    receipt_pda(m.origin_domain, m.nonce)
}
pub fn outbox_pda(nonce: u64) -> Pubkey {
    pda(&[OUTBOX_SEED, &nonce.to_le_bytes()])
}
pub fn route_fee_pda(destination: u32) -> Pubkey {
    pda(&[ROUTE_FEE_SEED, &destination.to_le_bytes()])
}

// ---------------------------------------------------------------- instruction builders

fn ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: maskoii::ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

/// The program's ProgramData address (BPF loader v3).
pub fn program_data_pda() -> Pubkey {
    anchor_lang::solana_program::bpf_loader_upgradeable::get_program_data_address(&maskoii::ID)
}

/// The upgrade authority the test bank's ProgramData account names; only it may `initialize`.
pub fn deployer() -> Keypair {
    Keypair::new_from_array([42u8; 32])
}

/// Account data of a ProgramData account (`UpgradeableLoaderState::ProgramData`, bincode) with `authority`.
pub fn program_data_account(authority: Option<Pubkey>) -> SolanaAccount {
    let mut data = vec![3, 0, 0, 0];
    data.extend_from_slice(&0u64.to_le_bytes());
    match authority {
        Some(key) => {
            data.push(1);
            data.extend_from_slice(key.as_ref());
        }
        None => data.push(0),
    }
    SolanaAccount {
        lamports: 1_000_000_000,
        data,
        owner: anchor_lang::solana_program::bpf_loader_upgradeable::ID,
        ..SolanaAccount::default()
    }
}

/// `initialize`, signed and paid by `payer` (the upgrade authority, `deployer()`, in the test bank).
pub fn ix_initialize(payer: &Pubkey, args: InitializeArgs) -> Instruction {
    ix(
        maskoii::accounts::Initialize {
            payer: *payer,
            program_data: program_data_pda(),
            config: config_pda(),
            fee_vault: fee_vault_pda(),
            attester_set: set_pda(1),
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::Initialize { args },
    )
}

pub fn ix_post(
    payer: &Pubkey,
    kind: AttestationKind,
    set_id: u64,
    value: &[u8; 32],
    signatures: Vec<SignatureEntry>,
) -> Instruction {
    ix(
        maskoii::accounts::PostSignatures {
            payer: *payer,
            config: config_pda(),
            attester_set: set_pda(set_id),
            verification: verification_pda(payer, kind, set_id, value),
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::PostSignatures {
            args: PostSignaturesArgs {
                kind,
                attester_set_id: set_id,
                value: *value,
                signatures,
                verification_bump: verification_bump(payer, kind, set_id, value),
            },
        },
    )
}

/// Accounts of a `deliver`, to be tweaked by attack tests before building.
pub struct DeliverAccounts {
    pub relayer: Pubkey,
    pub attester_set: Pubkey,
    pub verification: Pubkey,
    pub verification_payer: Pubkey,
    pub receipt: Pubkey,
    pub recipient_program: Pubkey,
    pub remaining: Vec<AccountMeta>,
}

impl DeliverAccounts {
    /// The accounts for delivering `message` (to the mock recipient, whose store is `store`) with the verification
    /// account posted by `payer` against set `set_id`.
    pub fn new(relayer: &Pubkey, payer: &Pubkey, set_id: u64, message: &[u8], store: &Pubkey) -> Self {
        let id = message::id(message);
        DeliverAccounts {
            relayer: *relayer,
            attester_set: set_pda(set_id),
            verification: verification_pda(payer, AttestationKind::Message, set_id, &id),
            verification_payer: *payer,
            receipt: receipt_of(message),
            recipient_program: recipient_id(),
            remaining: vec![AccountMeta::new(*store, false)],
        }
    }

    pub fn build(&self, message_id: [u8; 32], message: Vec<u8>) -> Instruction {
        let mut out = ix(
            maskoii::accounts::Deliver {
                relayer: self.relayer,
                config: config_pda(),
                attester_set: self.attester_set,
                verification: self.verification,
                verification_payer: self.verification_payer,
                receipt: self.receipt,
                recipient_program: self.recipient_program,
                gateway_authority: authority_pda(&self.recipient_program),
                system_program: anchor_lang::system_program::ID,
            },
            maskoii::instruction::Deliver { message_id, message },
        );
        out.accounts.extend(self.remaining.iter().cloned());
        out
    }
}

pub fn ix_send(sender: &Pubkey, payer: &Pubkey, nonce: u64, args: SendArgs) -> Instruction {
    ix(
        maskoii::accounts::SendMessage {
            sender: *sender,
            payer: *payer,
            config: config_pda(),
            route_fee: route_fee_pda(args.destination),
            fee_vault: fee_vault_pda(),
            outbox: outbox_pda(nonce),
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::Send { args },
    )
}

pub fn ix_set_fee(admin: &Pubkey, destination: u32, base_fee: u64, fee_per_byte: u64) -> Instruction {
    ix(
        maskoii::accounts::SetFee {
            admin: *admin,
            config: config_pda(),
            route_fee: route_fee_pda(destination),
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::SetFee { destination, base_fee, fee_per_byte },
    )
}

pub fn ix_withdraw_fees(admin: &Pubkey, to: &Pubkey, amount: u64) -> Instruction {
    ix(
        maskoii::accounts::WithdrawFees { admin: *admin, config: config_pda(), fee_vault: fee_vault_pda(), to: *to },
        maskoii::instruction::WithdrawFees { amount },
    )
}

pub fn ix_set_paused(guardian: &Pubkey, paused: bool) -> Instruction {
    ix(
        maskoii::accounts::SetPaused { guardian: *guardian, config: config_pda() },
        maskoii::instruction::SetPaused { paused },
    )
}

pub fn ix_set_guardian(admin: &Pubkey, guardian: Pubkey) -> Instruction {
    ix(
        maskoii::accounts::SetGuardian { admin: *admin, config: config_pda() },
        maskoii::instruction::SetGuardian { guardian },
    )
}

pub fn ix_transfer_admin(admin: &Pubkey, new_admin: Pubkey) -> Instruction {
    ix(
        maskoii::accounts::TransferAdmin { admin: *admin, config: config_pda() },
        maskoii::instruction::TransferAdmin { new_admin },
    )
}

pub fn ix_accept_admin(pending_admin: &Pubkey) -> Instruction {
    ix(
        maskoii::accounts::AcceptAdmin { pending_admin: *pending_admin, config: config_pda() },
        maskoii::instruction::AcceptAdmin {},
    )
}

pub fn ix_close_verification(payer: &Pubkey, verification: Pubkey) -> Instruction {
    ix(maskoii::accounts::CloseVerification { payer: *payer, verification }, maskoii::instruction::CloseVerification {})
}

/// `rotate_attester_set` from `current_set_id`, consuming `verification` (posted by `verification_payer`).
pub fn ix_rotate(
    payer: &Pubkey,
    current_set_id: u64,
    with_previous: bool,
    args: AttesterSetArgs,
    verification: Pubkey,
    verification_payer: Pubkey,
) -> Instruction {
    ix(
        maskoii::accounts::RotateAttesterSet {
            payer: *payer,
            config: config_pda(),
            current_set: set_pda(current_set_id),
            previous_set: with_previous.then(|| set_pda(current_set_id - 1)),
            next_set: set_pda(current_set_id + 1),
            verification,
            verification_payer,
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::RotateAttesterSet { args },
    )
}

pub fn ix_propose_emergency(admin: &Pubkey, args: AttesterSetArgs) -> Instruction {
    ix(
        maskoii::accounts::ProposeEmergencyRotation { admin: *admin, config: config_pda() },
        maskoii::instruction::ProposeEmergencyRotation { args },
    )
}

pub fn ix_cancel_emergency(admin: &Pubkey) -> Instruction {
    ix(
        maskoii::accounts::CancelEmergencyRotation { admin: *admin, config: config_pda() },
        maskoii::instruction::CancelEmergencyRotation {},
    )
}

pub fn ix_execute_emergency(
    payer: &Pubkey,
    current_set_id: u64,
    with_previous: bool,
    args: AttesterSetArgs,
) -> Instruction {
    ix(
        maskoii::accounts::ExecuteEmergencyRotation {
            payer: *payer,
            config: config_pda(),
            current_set: set_pda(current_set_id),
            previous_set: with_previous.then(|| set_pda(current_set_id - 1)),
            next_set: set_pda(current_set_id + 1),
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::ExecuteEmergencyRotation { args },
    )
}

pub fn ix_report(
    reporter: &Pubkey,
    current_set_id: u64,
    previous: Option<Pubkey>,
    a: Evidence,
    b: Evidence,
) -> Instruction {
    ix(
        maskoii::accounts::ReportEquivocation {
            reporter: *reporter,
            config: config_pda(),
            current_set: set_pda(current_set_id),
            previous_set: previous,
        },
        maskoii::instruction::ReportEquivocation { a, b },
    )
}

// ---------------------------------------------------------------- messages

/// An inbound message from the EVM chain to the mock recipient on this domain.
pub fn inbound(nonce: u64, payload: &[u8]) -> Vec<u8> {
    let mut sender = [0u8; 32];
    sender[12..].copy_from_slice(&[0x11; 20]);
    message::encode(nonce, REMOTE_DOMAIN, &sender, LOCAL_DOMAIN, &recipient_id().to_bytes(), payload).unwrap()
}

/// MessageAttestation evidence by `key` for `message` (verifier = this program).
pub fn evidence(message: &[u8], set_id: u64, key: &libsecp256k1::SecretKey) -> Evidence {
    let id = message::id(message);
    let digest = local_digest(AttestationKind::Message, set_id, &id);
    let (r, s, v) = sign(&digest, key);
    let mut signature = [0u8; 65];
    signature[..32].copy_from_slice(&r);
    signature[32..64].copy_from_slice(&s);
    signature[64] = v;
    Evidence {
        message: message.to_vec(),
        verifier: maskoii::ID.to_bytes(),
        attester_set_id: set_id,
        root: [0u8; 32],
        proof: vec![],
        signature,
    }
}

// ---------------------------------------------------------------- environment

pub struct Env {
    pub ctx: ProgramTestContext,
    pub admin: Keypair,
    pub guardian: Keypair,
    pub set1: Vec<Attester>,
    /// Account owned by the mock recipient where it records the last `handle` call.
    pub store: Pubkey,
}

pub fn payer_of(env: &Env) -> Pubkey {
    env.ctx.payer.pubkey()
}

/// Starts a bank with maskoii, the mock recipient and funded admin/guardian keys, not yet initialized.
pub async fn start() -> (ProgramTestContext, Keypair, Keypair, Pubkey) {
    let mut test = ProgramTest::new("maskoii", maskoii::ID, events::maskoii_processor());
    test.add_program("recipient", recipient_id(), processor!(process_recipient));
    test.add_program("attacker", attacker_id(), processor!(process_attacker));
    test.prefer_bpf(false);
    let admin = Keypair::new();
    let guardian = Keypair::new();
    // The test bank runs maskoii as a native builtin, which has no ProgramData account: add the one BPF loader v3
    // would have created, naming `deployer()` as upgrade authority.
    test.add_account(program_data_pda(), program_data_account(Some(deployer().pubkey())));
    for key in [admin.pubkey(), guardian.pubkey(), deployer().pubkey()] {
        test.add_account(key, SolanaAccount { lamports: 10_000_000_000, ..SolanaAccount::default() });
    }
    let store = Pubkey::new_unique();
    test.add_account(
        store,
        SolanaAccount {
            lamports: 1_000_000_000,
            data: vec![0u8; 8192],
            owner: recipient_id(),
            ..SolanaAccount::default()
        },
    );
    let ctx = test.start_with_context().await;
    // After the first bank is set up: program-test's stubs are installed then, and are what gets wrapped.
    events::install();
    (ctx, admin, guardian, store)
}

pub fn init_args(admin: &Keypair, guardian: &Keypair, set: &[Attester], threshold_bps: u16) -> InitializeArgs {
    InitializeArgs {
        local_domain: LOCAL_DOMAIN,
        admin: admin.pubkey(),
        guardian: guardian.pubkey(),
        overlap_window: OVERLAP,
        emergency_delay: EMERGENCY_DELAY,
        set: set_args(set, threshold_bps),
    }
}

/// A bank with maskoii initialized with `n` equal-weight attesters at `threshold_bps`, and the fee of
/// `REMOTE_DOMAIN` set to zero.
pub async fn setup(n: usize, threshold_bps: u16) -> Env {
    let (ctx, admin, guardian, store) = start().await;
    let set1 = attesters(n, 1);
    let mut env = Env { ctx, admin, guardian, set1, store };
    let deployer = deployer();
    let args = init_args(&env.admin, &env.guardian, &env.set1, threshold_bps);
    exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await.unwrap();
    let admin = env.admin.insecure_clone();
    exec(&mut env, &[ix_set_fee(&admin.pubkey(), REMOTE_DOMAIN, 0, 0)], &[&admin]).await.unwrap();
    env
}

/// Signs with the context payer plus `signers` and processes the transaction. The test bank does not enforce the
/// packet size, so every transaction sent through here is checked against the 1,232-byte limit.
pub async fn exec(
    env: &mut Env,
    ixs: &[Instruction],
    signers: &[&Keypair],
) -> std::result::Result<(), BanksClientError> {
    let tx = transaction(env, ixs, signers);
    let size = wire_size(&tx);
    assert!(size <= PACKET_DATA_SIZE, "transaction of {size} bytes exceeds {PACKET_DATA_SIZE}");
    env.ctx.banks_client.process_transaction(tx).await
}

/// `exec` that returns the transaction's log messages (with its `Program data:` event lines) on success, and the
/// transaction error otherwise.
pub async fn exec_logged(
    env: &mut Env,
    ixs: &[Instruction],
    signers: &[&Keypair],
) -> std::result::Result<Vec<String>, TransactionError> {
    let tx = transaction(env, ixs, signers);
    let size = wire_size(&tx);
    assert!(size <= PACKET_DATA_SIZE, "transaction of {size} bytes exceeds {PACKET_DATA_SIZE}");
    // `exec` goes through the banks server's transaction sender, which reports a transaction's status before its
    // batch releases the account locks; this direct path can then meet those locks (`AccountInUse`). No program
    // returns that error, so waiting for the locks and trying again is harness scheduling, never a program outcome.
    for _ in 0..50 {
        let outcome = env.ctx.banks_client.process_transaction_with_metadata(tx.clone()).await.expect("banks client");
        if outcome.result == Err(TransactionError::AccountInUse) {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        }
        outcome.result?;
        return Ok(outcome.metadata.expect("transaction metadata").log_messages);
    }
    Err(TransactionError::AccountInUse)
}

/// The signed transaction `exec` would send.
pub fn transaction(env: &Env, ixs: &[Instruction], signers: &[&Keypair]) -> Transaction {
    let mut all: Vec<&Keypair> = vec![&env.ctx.payer];
    for s in signers {
        if !all.iter().any(|k| k.pubkey() == s.pubkey()) {
            all.push(s);
        }
    }
    Transaction::new_signed_with_payer(ixs, Some(&env.ctx.payer.pubkey()), &all, env.ctx.last_blockhash)
}

/// Serialized size of a transaction (what must fit `PACKET_DATA_SIZE`).
pub fn wire_size(tx: &Transaction) -> usize {
    bincode::serialize(tx).unwrap().len()
}

/// A fresh blockhash, so that an identical transaction is not deduplicated as already processed.
pub async fn refresh(env: &mut Env) {
    env.ctx.last_blockhash = env.ctx.get_new_latest_blockhash().await.unwrap();
}

/// A funded new keypair.
pub async fn funded(env: &mut Env) -> Keypair {
    let key = Keypair::new();
    let payer = payer_of(env);
    let ix = anchor_lang::solana_program::system_instruction::transfer(&payer, &key.pubkey(), 5_000_000_000);
    exec(env, &[ix], &[]).await.unwrap();
    key
}

pub async fn now(env: &mut Env) -> i64 {
    env.ctx.banks_client.get_sysvar::<Clock>().await.unwrap().unix_timestamp
}

/// Moves the Clock sysvar's unix time forward by `seconds`.
pub async fn advance(env: &mut Env, seconds: i64) {
    let mut clock: Clock = env.ctx.banks_client.get_sysvar().await.unwrap();
    clock.unix_timestamp += seconds;
    env.ctx.set_sysvar(&clock);
}

pub async fn account<T: AccountDeserialize>(env: &mut Env, address: Pubkey) -> T {
    let acc = env.ctx.banks_client.get_account(address).await.unwrap().expect("account exists");
    T::try_deserialize(&mut acc.data.as_slice()).unwrap()
}

pub async fn exists(env: &mut Env, address: Pubkey) -> bool {
    env.ctx.banks_client.get_account(address).await.unwrap().is_some()
}

pub async fn lamports(env: &mut Env, address: Pubkey) -> u64 {
    env.ctx.banks_client.get_balance(address).await.unwrap()
}

/// Posts `indices` of `set` over `value` as one chunk, paid by the context payer.
pub async fn post(
    env: &mut Env,
    kind: AttestationKind,
    set_id: u64,
    set: &[Attester],
    value: &[u8; 32],
    indices: &[usize],
) {
    let payer = payer_of(env);
    let digest = local_digest(kind, set_id, value);
    let ix = ix_post(&payer, kind, set_id, value, entries(&digest, set, indices));
    exec(env, &[ix], &[]).await.unwrap();
}

/// Posts a quorum of set 1 and delivers `message` to the mock recipient.
pub async fn deliver_with_quorum(
    env: &mut Env,
    message: &[u8],
    indices: &[usize],
) -> std::result::Result<(), BanksClientError> {
    let id = message::id(message);
    let set = env.set1.clone();
    post(env, AttestationKind::Message, 1, &set, &id, indices).await;
    let payer = payer_of(env);
    let ix = DeliverAccounts::new(&payer, &payer, 1, message, &env.store).build(id, message.to_vec());
    exec(env, &[ix], &[]).await
}

/// The set hash of `args` as set `set_id`.
pub fn set_hash(set_id: u64, args: &AttesterSetArgs) -> [u8; 32] {
    attester_set::hash(set_id, args.threshold_bps, &args.attesters, &args.weights)
}

/// Rotates from `current` to `current + 1` with `signers` of the current set (`current_set`).
pub async fn rotate(
    env: &mut Env,
    current: u64,
    current_set: &[Attester],
    next: &AttesterSetArgs,
    signers: &[usize],
) -> std::result::Result<(), BanksClientError> {
    let hash = set_hash(current + 1, next);
    post(env, AttestationKind::Rotation, current, current_set, &hash, signers).await;
    let payer = payer_of(env);
    let verification = verification_pda(&payer, AttestationKind::Rotation, current, &hash);
    exec(env, &[ix_rotate(&payer, current, current > 1, next.clone(), verification, payer)], &[]).await
}

// ---------------------------------------------------------------- errors

/// The custom error code of a failed transaction.
pub fn custom_code(result: std::result::Result<(), BanksClientError>) -> u32 {
    match result.expect_err("transaction should fail").unwrap() {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => code,
        other => panic!("expected a custom program error, got {other:?}"),
    }
}

/// Asserts the transaction failed with `expected`.
pub fn assert_error(result: std::result::Result<(), BanksClientError>, expected: MaskoiiError) {
    let code = custom_code(result);
    assert_eq!(code, anchor_lang::error::ERROR_CODE_OFFSET + expected as u32, "expected {expected:?}, got code {code}");
}

/// Asserts the transaction failed with Anchor framework error `expected`.
pub fn assert_anchor_error(result: std::result::Result<(), BanksClientError>, expected: anchor_lang::error::ErrorCode) {
    let code = custom_code(result);
    assert_eq!(code, expected as u32, "expected {expected:?}, got code {code}");
}

/// Asserts the transaction failed with the runtime error `expected` (not a custom code).
pub fn assert_instruction_error(result: std::result::Result<(), BanksClientError>, expected: InstructionError) {
    match result.expect_err("transaction should fail").unwrap() {
        TransactionError::InstructionError(_, err) => assert_eq!(err, expected),
        other => panic!("expected an instruction error, got {other:?}"),
    }
}
