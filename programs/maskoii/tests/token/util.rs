//! Token-bridge fixtures: SPL mints and accounts, bridge configuration, inbound token messages delivered through
//! the gateway.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::system_instruction;
use anchor_lang::{Discriminator, InstructionData, ToAccountMetas};
use anchor_spl::token::spl_token;
use anchor_spl::token::{Mint, TokenAccount};
use maskoii::errors::MaskoiiError;
use maskoii::instructions::{ClaimArgs, RateLimitsArgs, TransferRemoteArgs};
use maskoii::protocol::attestation::AttestationKind;
use maskoii::protocol::message;
use maskoii::protocol::token_payload;
use maskoii::seeds::*;
use maskoii::state::{MODE_LOCK, MODE_MINT};
use solana_keypair::Keypair;
use solana_program_test::BanksClientError;
use solana_signer::Signer as _;

use crate::common::*;

/// The EVM token bridge on `REMOTE_DOMAIN` (an address left-padded to 32 bytes).
pub fn evm_bridge() -> [u8; 32] {
    let mut b = [0u8; 32];
    b[12..].copy_from_slice(&[0xb1; 20]);
    b
}

/// The EVM-side token linked to the mint under test.
pub fn evm_token() -> [u8; 32] {
    let mut b = [0u8; 32];
    b[12..].copy_from_slice(&[0x33; 20]);
    b
}

/// An EVM recipient.
pub fn evm_recipient() -> [u8; 32] {
    let mut b = [0u8; 32];
    b[12..].copy_from_slice(&[0xaa; 20]);
    b
}

pub fn bridge_authority() -> Pubkey {
    pda(&[BRIDGE_AUTHORITY_SEED])
}
pub fn token_config_pda(mint: &Pubkey) -> Pubkey {
    pda(&[TOKEN_CONFIG_SEED, mint.as_ref()])
}
pub fn escrow_pda(mint: &Pubkey) -> Pubkey {
    pda(&[ESCROW_SEED, mint.as_ref()])
}
pub fn remote_bridge_pda(domain: u32) -> Pubkey {
    pda(&[REMOTE_BRIDGE_SEED, &domain.to_le_bytes()])
}
pub fn route_pda(mint: &Pubkey, domain: u32) -> Pubkey {
    pda(&[TOKEN_ROUTE_SEED, mint.as_ref(), &domain.to_le_bytes()])
}
pub fn queue_pda(route: &Pubkey, seq: u64) -> Pubkey {
    pda(&[QUEUED_TRANSFER_SEED, route.as_ref(), &seq.to_le_bytes()])
}
pub fn refund_record_pda(message_id: &[u8; 32]) -> Pubkey {
    pda(&[REFUND_RECORD_SEED, message_id])
}
pub fn refunded_pda(nonce: u64) -> Pubkey {
    pda(&[REFUNDED_SEED, &nonce.to_le_bytes()])
}
pub fn distribution_pda(origin: u32, id: &[u8; 32]) -> Pubkey {
    pda(&[DISTRIBUTION_SEED, &origin.to_le_bytes(), id])
}
pub fn vault_pda(distribution: &Pubkey) -> Pubkey {
    pda(&[CLAIMS_VAULT_SEED, distribution.as_ref()])
}
pub fn bitmap_pda(distribution: &Pubkey) -> Pubkey {
    pda(&[CLAIM_BITMAP_SEED, distribution.as_ref()])
}

/// Asserts the transaction failed with the token-bridge error `expected` (one `MaskoiiError`, like the gateway's).
pub fn assert_token_error(result: std::result::Result<(), BanksClientError>, expected: MaskoiiError) {
    assert_error(result, expected);
}

pub fn mk_ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: maskoii::ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

// ---------------------------------------------------------------- SPL

/// Creates an SPL mint with `decimals`, mint authority `authority` and optional freeze authority.
pub async fn create_mint_with(
    env: &mut Env,
    program: &Pubkey,
    decimals: u8,
    authority: &Pubkey,
    freeze: Option<&Pubkey>,
) -> Pubkey {
    let mint = Keypair::new();
    let payer = payer_of(env);
    let rent = env.ctx.banks_client.get_rent().await.unwrap().minimum_balance(82);
    let create = system_instruction::create_account(&payer, &mint.pubkey(), rent, 82, program);
    let mut init =
        spl_token::instruction::initialize_mint2(&spl_token::ID, &mint.pubkey(), authority, freeze, decimals).unwrap();
    init.program_id = *program;
    exec(env, &[create, init], &[&mint]).await.unwrap();
    mint.pubkey()
}

/// A canonical SPL mint whose mint authority is `env.admin` (used to fund users).
pub async fn create_mint(env: &mut Env, decimals: u8) -> Pubkey {
    let admin = env.admin.pubkey();
    create_mint_with(env, &spl_token::ID, decimals, &admin, None).await
}

/// An SPL token account of `mint` owned by `owner`.
pub async fn token_account(env: &mut Env, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
    let account = Keypair::new();
    let payer = payer_of(env);
    let rent = env.ctx.banks_client.get_rent().await.unwrap().minimum_balance(165);
    let create = system_instruction::create_account(&payer, &account.pubkey(), rent, 165, &spl_token::ID);
    let init = spl_token::instruction::initialize_account3(&spl_token::ID, &account.pubkey(), mint, owner).unwrap();
    exec(env, &[create, init], &[&account]).await.unwrap();
    account.pubkey()
}

/// Mints `amount` of a canonical mint (authority `env.admin`) to `to`.
pub async fn mint_to(env: &mut Env, mint: &Pubkey, to: &Pubkey, amount: u64) {
    let admin = env.admin.insecure_clone();
    let ix = spl_token::instruction::mint_to(&spl_token::ID, mint, to, &admin.pubkey(), &[], amount).unwrap();
    exec(env, &[ix], &[&admin]).await.unwrap();
}

pub async fn balance(env: &mut Env, token_account: &Pubkey) -> u64 {
    let acc = env.ctx.banks_client.get_account(*token_account).await.unwrap().unwrap();
    spl_token::state::Account::unpack(&acc.data).unwrap().amount
}

pub async fn supply(env: &mut Env, mint: &Pubkey) -> u64 {
    let acc = env.ctx.banks_client.get_account(*mint).await.unwrap().unwrap();
    spl_token::state::Mint::unpack(&acc.data).unwrap().supply
}

// ---------------------------------------------------------------- bridge instructions

pub fn ix_register(admin: &Pubkey, mint: &Pubkey, mode: u8, shared_decimals: u8) -> Instruction {
    mk_ix(
        maskoii::accounts::TokenRegister {
            admin: *admin,
            config: config_pda(),
            mint: *mint,
            token_config: token_config_pda(mint),
            bridge_authority: bridge_authority(),
            escrow: escrow_pda(mint),
            token_program: spl_token::ID,
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::TokenRegister { mode, shared_decimals },
    )
}

pub fn ix_set_remote_bridge(admin: &Pubkey, domain: u32, bridge: [u8; 32]) -> Instruction {
    mk_ix(
        maskoii::accounts::TokenSetRemoteBridge {
            admin: *admin,
            config: config_pda(),
            remote_bridge: remote_bridge_pda(domain),
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::TokenSetRemoteBridge { domain, bridge },
    )
}

pub fn ix_link(admin: &Pubkey, mint: &Pubkey, remote_domain: u32, remote_token: [u8; 32]) -> Instruction {
    mk_ix(
        maskoii::accounts::TokenLink {
            admin: *admin,
            config: config_pda(),
            token_config: token_config_pda(mint),
            route: route_pda(mint, remote_domain),
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::TokenLink { remote_domain, remote_token },
    )
}

pub fn ix_rate_limits(admin: &Pubkey, mint: &Pubkey, args: RateLimitsArgs) -> Instruction {
    mk_ix(
        maskoii::accounts::TokenSetRateLimits {
            admin: *admin,
            config: config_pda(),
            token_config: token_config_pda(mint),
            route: route_pda(mint, args.remote_domain),
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::TokenSetRateLimits { args },
    )
}

pub fn limits(out_capacity: u64, out_refill: u64, in_capacity: u64, in_refill: u64) -> RateLimitsArgs {
    RateLimitsArgs {
        remote_domain: REMOTE_DOMAIN,
        out_capacity,
        out_refill_per_second: out_refill,
        in_capacity,
        in_refill_per_second: in_refill,
    }
}

/// Accounts of `token_transfer_remote`, to be tweaked by attack tests.
pub struct TransferAccounts {
    pub sender: Pubkey,
    pub payer: Pubkey,
    pub nonce: u64,
    pub mint: Pubkey,
    pub token_config: Pubkey,
    pub route: Pubkey,
    pub remote_bridge: Pubkey,
    pub source: Pubkey,
    pub escrow: Option<Pubkey>,
}

impl TransferAccounts {
    pub fn build(&self, args: TransferRemoteArgs) -> Instruction {
        mk_ix(
            maskoii::accounts::TokenTransferRemote {
                sender: self.sender,
                payer: self.payer,
                config: config_pda(),
                route_fee: route_fee_pda(args.destination),
                fee_vault: fee_vault_pda(),
                outbox: outbox_pda(self.nonce),
                token_config: self.token_config,
                remote_bridge: self.remote_bridge,
                route: self.route,
                mint: self.mint,
                source: self.source,
                escrow: self.escrow,
                token_program: spl_token::ID,
                system_program: anchor_lang::system_program::ID,
            },
            maskoii::instruction::TokenTransferRemote { args },
        )
    }
}

pub fn transfer_args(amount: u64) -> TransferRemoteArgs {
    TransferRemoteArgs { destination: REMOTE_DOMAIN, recipient: evm_recipient(), amount, max_fee: 0 }
}

/// Accounts of the token bridge's `handle` for a kind-1 transfer (after the gateway authority).
pub struct ReceiveAccounts {
    pub payer: Pubkey,
    pub remote_bridge: Pubkey,
    pub token_config: Pubkey,
    pub route: Pubkey,
    pub mint: Pubkey,
    pub bridge_authority: Pubkey,
    pub escrow: Option<Pubkey>,
    pub recipient: Pubkey,
    /// The queue entry PDA (queued) or the refund record PDA (refundable); unused when credited at once.
    pub record: Pubkey,
}

impl ReceiveAccounts {
    pub fn metas(&self) -> Vec<AccountMeta> {
        maskoii::__client_accounts_receive_transfer::ReceiveTransfer {
            payer: self.payer,
            remote_bridge: self.remote_bridge,
            token_config: self.token_config,
            route: self.route,
            mint: self.mint,
            bridge_authority: self.bridge_authority,
            escrow: self.escrow,
            recipient: self.recipient,
            record: self.record,
            token_program: spl_token::ID,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None)
    }
}

/// An inbound message from `sender` on `REMOTE_DOMAIN` to the token bridge.
pub fn bridge_message(nonce: u64, sender: [u8; 32], payload: &[u8]) -> Vec<u8> {
    message::encode(nonce, REMOTE_DOMAIN, &sender, LOCAL_DOMAIN, &maskoii::ID.to_bytes(), payload).unwrap()
}

/// Posts a quorum of set 1 for `msg` and delivers it to the token bridge with `remaining` handle accounts.
pub async fn deliver_to_bridge(
    env: &mut Env,
    msg: &[u8],
    remaining: Vec<AccountMeta>,
) -> std::result::Result<(), BanksClientError> {
    let id = message::id(msg);
    let set = env.set1.clone();
    post(env, AttestationKind::Message, 1, &set, &id, &[0, 1, 2]).await;
    let payer = payer_of(env);
    let mut accounts = DeliverAccounts::new(&payer, &payer, 1, msg, &env.store);
    accounts.recipient_program = maskoii::ID;
    accounts.remaining = remaining;
    let ix = accounts.build(id, msg.to_vec());
    let result = exec(env, &[ix], &[]).await;
    if result.is_err() {
        // Leave no verification account behind so that the same message can be delivered again.
        refresh(env).await;
        let close = ix_close_verification(&payer, verification_pda(&payer, AttestationKind::Message, 1, &id));
        exec(env, &[close], &[]).await.unwrap();
    }
    result
}

/// `deliver_to_bridge` that returns the delivery's logs (its events) on success.
pub async fn deliver_to_bridge_logged(
    env: &mut Env,
    msg: &[u8],
    remaining: Vec<AccountMeta>,
) -> std::result::Result<Vec<String>, solana_transaction_error::TransactionError> {
    let id = message::id(msg);
    let set = env.set1.clone();
    post(env, AttestationKind::Message, 1, &set, &id, &[0, 1, 2]).await;
    let payer = payer_of(env);
    let mut accounts = DeliverAccounts::new(&payer, &payer, 1, msg, &env.store);
    accounts.recipient_program = maskoii::ID;
    accounts.remaining = remaining;
    exec_logged(env, &[accounts.build(id, msg.to_vec())], &[]).await
}

// ---------------------------------------------------------------- fixture

/// The core's `setup`: 5 equal attesters, 60 % threshold, zero fee to `REMOTE_DOMAIN`.
pub async fn token_setup() -> Env {
    setup(5, 6000).await
}

/// A configured bridge: one mint registered in `mode`, remote bridge and link on `REMOTE_DOMAIN`, unlimited buckets.
pub struct Bridge {
    pub env: Env,
    pub mint: Pubkey,
    pub mode: u8,
    pub user: Keypair,
    /// The user's token account of `mint` (funded with `1_000 × 10^decimals` in lock mode).
    pub user_token: Pubkey,
    pub nonce_in: u64,
}

impl Bridge {
    pub async fn new(mode: u8, decimals: u8, shared: u8) -> Bridge {
        let mut env = token_setup().await;
        let mint = if mode == MODE_LOCK {
            create_mint(&mut env, decimals).await
        } else {
            let authority = bridge_authority();
            create_mint_with(&mut env, &spl_token::ID, decimals, &authority, None).await
        };
        let admin = env.admin.insecure_clone();
        let a = admin.pubkey();
        exec(
            &mut env,
            &[
                ix_register(&a, &mint, mode, shared),
                ix_set_remote_bridge(&a, REMOTE_DOMAIN, evm_bridge()),
                ix_link(&a, &mint, REMOTE_DOMAIN, evm_token()),
                ix_rate_limits(&a, &mint, limits(u64::MAX, 0, u64::MAX, 0)),
            ],
            &[&admin],
        )
        .await
        .unwrap();
        let user = funded(&mut env).await;
        let user_token = token_account(&mut env, &mint, &user.pubkey()).await;
        if mode == MODE_LOCK {
            let amount = 1_000 * 10u64.pow(decimals as u32);
            mint_to(&mut env, &mint, &user_token, amount).await;
        }
        Bridge { env, mint, mode, user, user_token, nonce_in: 0 }
    }

    pub fn admin(&self) -> Keypair {
        self.env.admin.insecure_clone()
    }

    pub fn escrow(&self) -> Option<Pubkey> {
        (self.mode == MODE_LOCK).then(|| escrow_pda(&self.mint))
    }

    pub fn route(&self) -> Pubkey {
        route_pda(&self.mint, REMOTE_DOMAIN)
    }

    pub async fn set_limits(&mut self, args: RateLimitsArgs) {
        let admin = self.admin();
        let ix = ix_rate_limits(&admin.pubkey(), &self.mint, args);
        run(&mut self.env, &[ix], &[&admin]).await.unwrap();
    }

    pub async fn next_nonce(&mut self) -> u64 {
        let config: maskoii::state::Config = account(&mut self.env, config_pda()).await;
        config.next_nonce
    }

    pub async fn transfer_accounts(&mut self) -> TransferAccounts {
        TransferAccounts {
            sender: self.user.pubkey(),
            payer: self.user.pubkey(),
            nonce: self.next_nonce().await,
            mint: self.mint,
            token_config: token_config_pda(&self.mint),
            route: self.route(),
            remote_bridge: remote_bridge_pda(REMOTE_DOMAIN),
            source: self.user_token,
            escrow: self.escrow(),
        }
    }

    /// `token_transfer_remote` by the user.
    pub async fn send(&mut self, args: TransferRemoteArgs) -> std::result::Result<(), BanksClientError> {
        let ix = self.transfer_accounts().await.build(args);
        let user = self.user.insecure_clone();
        run(&mut self.env, &[ix], &[&user]).await
    }

    pub async fn receive_accounts(&mut self, recipient: Pubkey) -> ReceiveAccounts {
        let route_key = self.route();
        let route: maskoii::state::TokenRoute = account(&mut self.env, route_key).await;
        ReceiveAccounts {
            payer: payer_of(&self.env),
            remote_bridge: remote_bridge_pda(REMOTE_DOMAIN),
            token_config: token_config_pda(&self.mint),
            route: self.route(),
            mint: self.mint,
            bridge_authority: bridge_authority(),
            escrow: self.escrow(),
            recipient,
            record: queue_pda(&self.route(), route.next_queue_seq),
        }
    }

    /// A transfer message from the EVM bridge paying `wire` of this mint to `recipient`.
    pub fn transfer_message(&mut self, recipient: &Pubkey, wire: u64) -> Vec<u8> {
        let payload = token_payload::encode_transfer(&self.mint.to_bytes(), &recipient.to_bytes(), wire);
        self.raw_message(evm_bridge(), &payload)
    }

    pub fn raw_message(&mut self, sender: [u8; 32], payload: &[u8]) -> Vec<u8> {
        let msg = bridge_message(self.nonce_in, sender, payload);
        self.nonce_in += 1;
        msg
    }

    /// Delivers an inbound transfer of `wire` to `recipient` with the default accounts.
    pub async fn receive(&mut self, recipient: Pubkey, wire: u64) -> std::result::Result<(), BanksClientError> {
        let msg = self.transfer_message(&recipient, wire);
        let metas = self.receive_accounts(recipient).await.metas();
        deliver_to_bridge(&mut self.env, &msg, metas).await
    }

    /// Puts `amount` into the escrow (lock mode) by a transfer out and back: sends from the user.
    pub async fn fill_escrow(&mut self, amount: u64) {
        let args = TransferRemoteArgs { amount, ..transfer_args(amount) };
        self.send(args).await.unwrap();
    }
}

// ---------------------------------------------------------------- misc

/// Runs `ixs` (after a fresh blockhash, so that repeating an identical transaction is not deduplicated).
pub async fn run(
    env: &mut Env,
    ixs: &[Instruction],
    signers: &[&Keypair],
) -> std::result::Result<(), BanksClientError> {
    refresh(env).await;
    exec(env, ixs, signers).await
}

/// Runs `ixs` with `payer` as the only signer and fee payer (a third party, not the context payer).
pub async fn run_as(env: &mut Env, payer: &Keypair, ixs: &[Instruction]) -> std::result::Result<(), BanksClientError> {
    refresh(env).await;
    let tx = solana_transaction::Transaction::new_signed_with_payer(
        ixs,
        Some(&payer.pubkey()),
        &[payer],
        env.ctx.last_blockhash,
    );
    env.ctx.banks_client.process_transaction(tx).await
}
