//! Token bridge: registration, configuration, transfer_remote, inbound delivery, rate limits and the queue.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::error::InstructionError;
use anchor_lang::solana_program::system_instruction;
use anchor_lang::ToAccountMetas;
use anchor_spl::token::spl_token;
use maskoii::errors::MaskoiiError;
use maskoii::events::{
    MessageDelivered, MessageSent, QueuedTransferReleased, TransferQueued, TransferReceived, TransferSent,
};
use maskoii::protocol::token_payload;
use maskoii::protocol::{message, token as amounts};
use maskoii::state::{OutboxMessage, QueuedTransfer, RemoteBridge, TokenConfig, TokenRoute, MODE_LOCK, MODE_MINT};
use solana_keypair::Keypair;
use solana_signer::Signer as _;

use crate::common::events::{event, events};
use crate::common::*;
use crate::util::*;

// ---------------------------------------------------------------- registration

#[tokio::test]
async fn test_register_lock_creates_escrow_owned_by_bridge_authority() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    let cfg: TokenConfig = account(&mut b.env, token_config_pda(&b.mint)).await;
    assert_eq!((cfg.mint, cfg.mode, cfg.local_decimals, cfg.shared_decimals), (b.mint, MODE_LOCK, 9, 8));
    let escrow = b.env.ctx.banks_client.get_account(escrow_pda(&b.mint)).await.unwrap().unwrap();
    assert_eq!(escrow.owner, spl_token::ID);
    let state =
        <spl_token::state::Account as anchor_lang::solana_program::program_pack::Pack>::unpack(&escrow.data).unwrap();
    assert_eq!(state.owner, bridge_authority());
    assert_eq!(state.mint, b.mint);
}

#[tokio::test]
async fn test_register_mint_mode_creates_no_escrow() {
    let b = &mut Bridge::new(MODE_MINT, 9, 8).await;
    let cfg: TokenConfig = account(&mut b.env, token_config_pda(&b.mint)).await;
    assert_eq!(cfg.mode, MODE_MINT);
    assert!(!exists(&mut b.env, escrow_pda(&b.mint)).await);
}

#[tokio::test]
async fn test_register_errors() {
    let mut env = token_setup().await;
    let admin = env.admin.insecure_clone();
    let a = admin.pubkey();
    let mint = create_mint(&mut env, 9).await;

    let stranger = funded(&mut env).await;
    assert_error(
        exec(&mut env, &[ix_register(&stranger.pubkey(), &mint, MODE_LOCK, 8)], &[&stranger]).await,
        MaskoiiError::NotAdmin,
    );
    assert_token_error(exec(&mut env, &[ix_register(&a, &mint, 2, 8)], &[&admin]).await, MaskoiiError::InvalidMode);
    assert_error(
        exec(&mut env, &[ix_register(&a, &mint, MODE_LOCK, 10)], &[&admin]).await,
        MaskoiiError::InvalidDecimals,
    );
    // Mint mode needs the bridge authority as mint authority (here: the admin).
    assert_token_error(
        exec(&mut env, &[ix_register(&a, &mint, MODE_MINT, 8)], &[&admin]).await,
        MaskoiiError::MintAuthorityNotBridge,
    );
    // ...and no foreign freeze authority.
    let authority = bridge_authority();
    let frozen = create_mint_with(&mut env, &spl_token::ID, 9, &authority, Some(&a)).await;
    assert_token_error(
        exec(&mut env, &[ix_register(&a, &frozen, MODE_MINT, 8)], &[&admin]).await,
        MaskoiiError::ForeignFreezeAuthority,
    );
    // ...and a zero supply: tokens minted before the authority moved to the bridge would be unbacked.
    let premined = create_mint(&mut env, 9).await;
    let holder = token_account(&mut env, &premined, &a).await;
    mint_to(&mut env, &premined, &holder, 1).await;
    let handover = spl_token::instruction::set_authority(
        &spl_token::ID,
        &premined,
        Some(&authority),
        spl_token::instruction::AuthorityType::MintTokens,
        &a,
        &[],
    )
    .unwrap();
    exec(&mut env, &[handover], &[&admin]).await.unwrap();
    assert_token_error(
        exec(&mut env, &[ix_register(&a, &premined, MODE_MINT, 8)], &[&admin]).await,
        MaskoiiError::MintSupplyNotZero,
    );
    // Token-2022 mints are rejected with their own error.
    let t22 = create_mint_with(&mut env, &anchor_spl::token_2022::ID, 9, &a, None).await;
    assert_token_error(
        exec(&mut env, &[ix_register(&a, &t22, MODE_LOCK, 8)], &[&admin]).await,
        MaskoiiError::Token2022Unsupported,
    );
    // A fake mint: an account of the right size owned by someone else, and an uninitialised SPL-owned account.
    let fake = Keypair::new();
    let rent = env.ctx.banks_client.get_rent().await.unwrap().minimum_balance(82);
    let payer = payer_of(&env);
    let create = system_instruction::create_account(&payer, &fake.pubkey(), rent, 82, &anchor_lang::system_program::ID);
    exec(&mut env, &[create], &[&fake]).await.unwrap();
    assert_token_error(
        exec(&mut env, &[ix_register(&a, &fake.pubkey(), MODE_LOCK, 8)], &[&admin]).await,
        MaskoiiError::InvalidMint,
    );
    let raw = Keypair::new();
    let create = system_instruction::create_account(&payer, &raw.pubkey(), rent, 82, &spl_token::ID);
    exec(&mut env, &[create], &[&raw]).await.unwrap();
    assert_token_error(
        exec(&mut env, &[ix_register(&a, &raw.pubkey(), MODE_LOCK, 8)], &[&admin]).await,
        MaskoiiError::InvalidMint,
    );

    // Registration is permanent: a second one fails (the config PDA exists).
    exec(&mut env, &[ix_register(&a, &mint, MODE_LOCK, 8)], &[&admin]).await.unwrap();
    assert!(run(&mut env, &[ix_register(&a, &mint, MODE_MINT, 6)], &[&admin]).await.is_err());
    let cfg: TokenConfig = account(&mut env, token_config_pda(&mint)).await;
    assert_eq!((cfg.mode, cfg.shared_decimals), (MODE_LOCK, 8));
}

#[tokio::test]
async fn test_admin_configuration_works_when_its_addresses_were_prefunded() {
    let mut env = token_setup().await;
    let admin = env.admin.insecure_clone();
    let mint = create_mint(&mut env, 9).await;
    let payer = payer_of(&env);
    // The token config, remote bridge and route addresses are predictable: someone sends lamports to each first.
    let targets = [token_config_pda(&mint), remote_bridge_pda(REMOTE_DOMAIN), route_pda(&mint, REMOTE_DOMAIN)];
    let transfers = targets.map(|to| system_instruction::transfer(&payer, &to, 1_000_000));
    exec(&mut env, &transfers, &[]).await.unwrap();
    let a = admin.pubkey();
    exec(&mut env, &[ix_register(&a, &mint, MODE_LOCK, 8)], &[&admin]).await.unwrap();
    exec(&mut env, &[ix_set_remote_bridge(&a, REMOTE_DOMAIN, evm_bridge())], &[&admin]).await.unwrap();
    exec(&mut env, &[ix_link(&a, &mint, REMOTE_DOMAIN, evm_token())], &[&admin]).await.unwrap();
    exec(&mut env, &[ix_rate_limits(&a, &mint, limits(500, 1, 700, 2))], &[&admin]).await.unwrap();

    let config: TokenConfig = account(&mut env, token_config_pda(&mint)).await;
    assert_eq!((config.mint, config.mode, config.local_decimals, config.shared_decimals), (mint, MODE_LOCK, 9, 8));
    let remote: RemoteBridge = account(&mut env, remote_bridge_pda(REMOTE_DOMAIN)).await;
    assert_eq!((remote.domain, remote.bridge), (REMOTE_DOMAIN, evm_bridge()));
    let route: TokenRoute = account(&mut env, route_pda(&mint, REMOTE_DOMAIN)).await;
    assert_eq!((route.mint, route.remote_domain, route.remote_token), (mint, REMOTE_DOMAIN, evm_token()));
    assert_eq!((route.outbound.capacity, route.inbound.capacity, route.inbound.level), (500, 700, 700));
    for address in targets {
        let acc = env.ctx.banks_client.get_account(address).await.unwrap().unwrap();
        let rent = env.ctx.banks_client.get_rent().await.unwrap();
        assert_eq!(acc.owner, maskoii::ID);
        assert!(rent.is_exempt(acc.lamports, acc.data.len()));
    }

    // Rate limits before the link on another route: the route is created by whichever comes first.
    let route2 = route_pda(&mint, 1002);
    exec(&mut env, &[system_instruction::transfer(&payer, &route2, 1_000_000)], &[]).await.unwrap();
    let args = maskoii::instructions::RateLimitsArgs { remote_domain: 1002, ..limits(5, 0, 6, 0) };
    exec(&mut env, &[ix_rate_limits(&a, &mint, args)], &[&admin]).await.unwrap();
    exec(&mut env, &[ix_link(&a, &mint, 1002, [0x44; 32])], &[&admin]).await.unwrap();
    let route: TokenRoute = account(&mut env, route2).await;
    assert_eq!((route.remote_token, route.outbound.capacity, route.inbound.capacity), ([0x44; 32], 5, 6));

    // A second registration of the mint is refused, whatever the mode.
    refresh(&mut env).await;
    assert_token_error(
        exec(&mut env, &[ix_register(&a, &mint, MODE_MINT, 8)], &[&admin]).await,
        MaskoiiError::TokenAlreadyRegistered,
    );
    let config: TokenConfig = account(&mut env, token_config_pda(&mint)).await;
    assert_eq!(config.mode, MODE_LOCK);
}

#[tokio::test]
async fn test_configuration_refuses_a_foreign_or_mistyped_account_at_its_address() {
    // Impossible states short of a bug (only this program can write its PDAs), checked anyway: an existing account at
    // a route or fee address is used only if it is this program's account of the right type.
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    let admin = b.admin();
    let rent = b.env.ctx.banks_client.get_rent().await.unwrap().minimum_balance(200);
    let mut mistyped = RemoteBridge::DISCRIMINATOR.to_vec();
    mistyped.resize(200, 0);
    let account = |data: Vec<u8>, owner: Pubkey| {
        solana_account::Account { lamports: rent, data, owner, ..Default::default() }.into()
    };
    b.env.ctx.set_account(&route_pda(&b.mint, 1002), &account(mistyped, maskoii::ID));
    b.env.ctx.set_account(&route_pda(&b.mint, 1004), &account(vec![1; 200], spl_token::ID));
    let link = |domain| ix_link(&admin.pubkey(), &b.mint, domain, evm_token());
    assert_anchor_error(
        run(&mut b.env, &[link(1002)], &[&admin]).await,
        anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch,
    );
    assert_anchor_error(
        run(&mut b.env, &[link(1004)], &[&admin]).await,
        anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram,
    );
}

#[tokio::test]
async fn test_register_escrow_prefunded_by_attacker_still_works() {
    let mut env = token_setup().await;
    let admin = env.admin.insecure_clone();
    let mint = create_mint(&mut env, 6).await;
    let payer = payer_of(&env);
    exec(&mut env, &[system_instruction::transfer(&payer, &escrow_pda(&mint), 1_000_000)], &[]).await.unwrap();
    exec(&mut env, &[ix_register(&admin.pubkey(), &mint, MODE_LOCK, 6)], &[&admin]).await.unwrap();
    let escrow = env.ctx.banks_client.get_account(escrow_pda(&mint)).await.unwrap().unwrap();
    assert_eq!(escrow.owner, spl_token::ID);
}

#[tokio::test]
async fn test_admin_instructions_missing_signer_and_wrong_admin() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    let admin = b.admin();
    let mut ix = ix_set_remote_bridge(&admin.pubkey(), REMOTE_DOMAIN, [1u8; 32]);
    ix.accounts[0].is_signer = false;
    // The admin is still the fee payer's counterpart: the payer pays, the admin does not sign.
    let payer = payer_of(&b.env);
    ix.accounts[0].pubkey = admin.pubkey();
    let mut payer_ix = ix.clone();
    payer_ix.accounts[0] = AccountMeta::new(admin.pubkey(), false);
    assert_anchor_error(exec(&mut b.env, &[payer_ix], &[]).await, anchor_lang::error::ErrorCode::AccountNotSigner);
    let stranger = funded(&mut b.env).await;
    let s = stranger.pubkey();
    assert_error(
        run(&mut b.env, &[ix_set_remote_bridge(&s, REMOTE_DOMAIN, [1u8; 32])], &[&stranger]).await,
        MaskoiiError::NotAdmin,
    );
    assert_error(
        run(&mut b.env, &[ix_link(&s, &b.mint, REMOTE_DOMAIN, [1u8; 32])], &[&stranger]).await,
        MaskoiiError::NotAdmin,
    );
    assert_error(
        exec(&mut b.env, &[ix_rate_limits(&s, &b.mint, limits(1, 1, 1, 1))], &[&stranger]).await,
        MaskoiiError::NotAdmin,
    );
    let _ = payer;
}

#[tokio::test]
async fn test_configuration_rejects_invalid_domains_and_records_values() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    let admin = b.admin();
    let a = admin.pubkey();
    for domain in [0, LOCAL_DOMAIN] {
        assert_token_error(
            run(&mut b.env, &[ix_set_remote_bridge(&a, domain, [1u8; 32])], &[&admin]).await,
            MaskoiiError::InvalidDomain,
        );
        assert_token_error(
            run(&mut b.env, &[ix_link(&a, &b.mint, domain, [1u8; 32])], &[&admin]).await,
            MaskoiiError::InvalidDomain,
        );
        let args = maskoii::instructions::RateLimitsArgs { remote_domain: domain, ..limits(1, 1, 1, 1) };
        assert_token_error(
            exec(&mut b.env, &[ix_rate_limits(&a, &b.mint, args)], &[&admin]).await,
            MaskoiiError::InvalidDomain,
        );
    }
    let remote: RemoteBridge = account(&mut b.env, remote_bridge_pda(REMOTE_DOMAIN)).await;
    assert_eq!((remote.domain, remote.bridge), (REMOTE_DOMAIN, evm_bridge()));
    // Rate limits before a link create the route (closed link), and a later link keeps the buckets.
    exec(
        &mut b.env,
        &[ix_rate_limits(
            &a,
            &b.mint,
            maskoii::instructions::RateLimitsArgs { remote_domain: 1002, ..limits(10, 1, 20, 2) },
        )],
        &[&admin],
    )
    .await
    .unwrap();
    let route: TokenRoute = account(&mut b.env, route_pda(&b.mint, 1002)).await;
    assert_eq!((route.remote_token, route.outbound.capacity, route.inbound.level), ([0u8; 32], 10, 20));
    run(&mut b.env, &[ix_link(&a, &b.mint, 1002, [5u8; 32])], &[&admin]).await.unwrap();
    let route: TokenRoute = account(&mut b.env, route_pda(&b.mint, 1002)).await;
    assert_eq!((route.remote_token, route.outbound.capacity, route.inbound.capacity), ([5u8; 32], 10, 20));
    // A fake token config (an unregistered mint) cannot be linked.
    let other = create_mint(&mut b.env, 9).await;
    assert_anchor_error(
        run(&mut b.env, &[ix_link(&a, &other, REMOTE_DOMAIN, [1u8; 32])], &[&admin]).await,
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
}

// ---------------------------------------------------------------- outbound

#[tokio::test]
async fn test_transfer_remote_lock_keeps_dust_and_sends_73_byte_payload() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    let before = balance(&mut b.env, &b.user_token).await;
    let nonce = b.next_nonce().await;
    let ix = b.transfer_accounts().await.build(transfer_args(1_234_567_891)); // 9 decimals: dust 1
    let user = b.user.insecure_clone();
    exec(&mut b.env, &[ix], &[&user]).await.unwrap();
    assert_eq!(balance(&mut b.env, &b.user_token).await, before - 1_234_567_890, "the dust stays with the sender");
    assert_eq!(balance(&mut b.env, &escrow_pda(&b.mint)).await, 1_234_567_890);
    let outbox: OutboxMessage = account(&mut b.env, outbox_pda(nonce)).await;
    assert_eq!(outbox.sender, maskoii::ID);
    let view = message::decode(&outbox.message).unwrap();
    assert_eq!(view.sender, maskoii::ID.to_bytes(), "the bridge's wire address is the program id");
    assert_eq!(view.recipient, evm_bridge());
    assert_eq!((view.origin_domain, view.destination_domain, view.nonce), (LOCAL_DOMAIN, REMOTE_DOMAIN, nonce));
    assert_eq!(view.payload.len(), 73);
    let p = token_payload::decode_transfer(view.payload).unwrap();
    assert_eq!(
        (p.token, p.recipient, p.amount),
        (evm_token(), evm_recipient(), 123_456_789),
        "token is the destination-side token"
    );
}

#[tokio::test]
async fn test_transfer_remote_mint_mode_burns() {
    let b = &mut Bridge::new(MODE_MINT, 9, 8).await;
    let user_token = b.user_token;
    b.receive(user_token, 500).await.unwrap(); // 500 shared units = 5000 local
    assert_eq!(balance(&mut b.env, &user_token).await, 5_000);
    b.send(transfer_args(4_009)).await.unwrap();
    assert_eq!(balance(&mut b.env, &user_token).await, 1_000, "4,000 burned, the dust (9) stays");
    assert_eq!(supply(&mut b.env, &b.mint).await, 1_000, "burned, not escrowed");
}

#[tokio::test]
async fn test_transfer_remote_errors() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    let admin = b.admin();
    let a = admin.pubkey();
    // Below one shared unit.
    assert_error(b.send(transfer_args(9)).await, MaskoiiError::AmountTooSmall);
    // Zero recipient.
    let args = maskoii::instructions::TransferRemoteArgs { recipient: [0u8; 32], ..transfer_args(10) };
    assert_token_error(b.send(args).await, MaskoiiError::InvalidRecipient);
    // Fee above the caller's maximum.
    run(&mut b.env, &[ix_set_fee(&a, REMOTE_DOMAIN, 1, 0)], &[&admin]).await.unwrap();
    assert_error(b.send(transfer_args(10)).await, MaskoiiError::FeeExceedsMaximum);
    run(&mut b.env, &[ix_set_fee(&a, REMOTE_DOMAIN, 0, 0)], &[&admin]).await.unwrap();
    // Paused gateway.
    let guardian = b.env.guardian.insecure_clone();
    run(&mut b.env, &[ix_set_paused(&guardian.pubkey(), true)], &[&guardian]).await.unwrap();
    assert_error(b.send(transfer_args(10)).await, MaskoiiError::Paused);
    run(&mut b.env, &[ix_set_paused(&guardian.pubkey(), false)], &[&guardian]).await.unwrap();
    // Outbound bucket: capacity 100 shared units.
    b.set_limits(limits(100, 1, u64::MAX, 0)).await;
    assert_token_error(b.send(transfer_args(1_010)).await, MaskoiiError::RateLimitExceeded);
    b.send(transfer_args(1_000)).await.unwrap();
    assert_token_error(b.send(transfer_args(10)).await, MaskoiiError::RateLimitExceeded);
    advance(&mut b.env, 5).await;
    b.send(transfer_args(50)).await.unwrap();
    // Closed outbound bucket.
    b.set_limits(limits(0, 0, u64::MAX, 0)).await;
    assert_token_error(b.send(transfer_args(10)).await, MaskoiiError::RateLimitExceeded);
    b.set_limits(limits(u64::MAX, 0, u64::MAX, 0)).await;
    // Unlinked token.
    run(&mut b.env, &[ix_link(&a, &b.mint, REMOTE_DOMAIN, [0u8; 32])], &[&admin]).await.unwrap();
    assert_token_error(b.send(transfer_args(10)).await, MaskoiiError::TokenNotLinked);
    run(&mut b.env, &[ix_link(&a, &b.mint, REMOTE_DOMAIN, evm_token())], &[&admin]).await.unwrap();
    // Closed route (remote bridge zero).
    run(&mut b.env, &[ix_set_remote_bridge(&a, REMOTE_DOMAIN, [0u8; 32])], &[&admin]).await.unwrap();
    assert_token_error(b.send(transfer_args(10)).await, MaskoiiError::UnknownRoute);
    run(&mut b.env, &[ix_set_remote_bridge(&a, REMOTE_DOMAIN, evm_bridge())], &[&admin]).await.unwrap();
    b.send(transfer_args(10)).await.unwrap();
}

#[tokio::test]
async fn test_transfer_remote_account_attacks() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    let user = b.user.insecure_clone();
    // Wrong owner: the victim's token account with the attacker as sender.
    let attacker = funded(&mut b.env).await;
    let mut acc = b.transfer_accounts().await;
    acc.sender = attacker.pubkey();
    acc.payer = attacker.pubkey();
    assert_token_error(
        exec(&mut b.env, &[acc.build(transfer_args(10))], &[&attacker]).await,
        MaskoiiError::SourceOwnerMismatch,
    );
    // Duplicated mutable account: the escrow also as source.
    let mut acc = b.transfer_accounts().await;
    acc.source = escrow_pda(&b.mint);
    assert_anchor_error(
        exec(&mut b.env, &[acc.build(transfer_args(10))], &[&user]).await,
        anchor_lang::error::ErrorCode::ConstraintDuplicateMutableAccount,
    );
    // Source of another mint.
    let other = create_mint(&mut b.env, 9).await;
    let other_token = token_account(&mut b.env, &other, &user.pubkey()).await;
    let mut acc = b.transfer_accounts().await;
    acc.source = other_token;
    assert_token_error(
        exec(&mut b.env, &[acc.build(transfer_args(10))], &[&user]).await,
        MaskoiiError::TokenAccountMintMismatch,
    );
    // Wrong escrow PDA: the user's own token account in place of the escrow.
    let decoy = token_account(&mut b.env, &b.mint, &user.pubkey()).await;
    let mut acc = b.transfer_accounts().await;
    acc.escrow = Some(decoy);
    assert_anchor_error(
        exec(&mut b.env, &[acc.build(transfer_args(10))], &[&user]).await,
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
    // Lock mode without the escrow.
    let mut acc = b.transfer_accounts().await;
    acc.escrow = None;
    assert_token_error(exec(&mut b.env, &[acc.build(transfer_args(10))], &[&user]).await, MaskoiiError::EscrowRequired);
    // Fake mint: an unregistered mint with the registered mint's config.
    let mut acc = b.transfer_accounts().await;
    acc.mint = other;
    acc.source = other_token;
    assert_anchor_error(
        exec(&mut b.env, &[acc.build(transfer_args(10))], &[&user]).await,
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
    // Fake mint with its own (nonexistent) config.
    acc.token_config = token_config_pda(&other);
    assert_anchor_error(
        exec(&mut b.env, &[acc.build(transfer_args(10))], &[&user]).await,
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
    // Missing signer: the sender does not sign.
    let mut ix = b.transfer_accounts().await.build(transfer_args(10));
    ix.accounts[0].is_signer = false;
    ix.accounts[1] = AccountMeta::new(payer_of(&b.env), true);
    assert_anchor_error(exec(&mut b.env, &[ix], &[]).await, anchor_lang::error::ErrorCode::AccountNotSigner);
    assert_eq!(balance(&mut b.env, &escrow_pda(&b.mint)).await, 0, "no attack moved tokens");
}

// ---------------------------------------------------------------- inbound

#[tokio::test]
async fn test_receive_lock_releases_from_escrow() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(10_000_000_000).await;
    let bob = Keypair::new();
    let bob_token = token_account(&mut b.env, &b.mint, &bob.pubkey()).await;
    let msg = b.transfer_message(&bob_token, 250_000_000);
    let metas = b.receive_accounts(bob_token).await.metas();
    let id = message::id(&msg);
    let set = b.env.set1.clone();
    post(&mut b.env, maskoii::protocol::attestation::AttestationKind::Message, 1, &set, &id, &[0, 1, 2]).await;
    let payer = payer_of(&b.env);
    let mut accounts = DeliverAccounts::new(&payer, &payer, 1, &msg, &b.env.store);
    accounts.recipient_program = maskoii::ID;
    accounts.remaining = metas;
    exec(&mut b.env, &[accounts.build(id, msg.clone())], &[]).await.unwrap();
    assert_eq!(balance(&mut b.env, &bob_token).await, 2_500_000_000);
    assert_eq!(balance(&mut b.env, &escrow_pda(&b.mint)).await, 7_500_000_000);
    assert!(exists(&mut b.env, receipt_of(&msg)).await, "delivered: the gateway's receipt exists");
    // Replay of the same message fails at the receipt.
    refresh(&mut b.env).await;
    let metas = b.receive_accounts(bob_token).await.metas();
    assert_error(deliver_to_bridge(&mut b.env, &msg, metas).await, MaskoiiError::AlreadyDelivered);
    assert_eq!(balance(&mut b.env, &bob_token).await, 2_500_000_000);
}

#[tokio::test]
async fn test_receive_mint_mode_mints() {
    let b = &mut Bridge::new(MODE_MINT, 6, 6).await;
    let user_token = b.user_token;
    b.receive(user_token, 42).await.unwrap();
    assert_eq!(balance(&mut b.env, &user_token).await, 42);
    assert_eq!(supply(&mut b.env, &b.mint).await, 42);
}

#[tokio::test]
async fn test_decimals_evm18_shared8_spl9_round_trip() {
    // An 18-decimal ERC-20 on the EVM side, 9 decimals on Solana, 8 shared.
    let b = &mut Bridge::new(MODE_MINT, 9, 8).await;
    let evm_amount: u128 = 123_456_789_012_345_678_901; // 123.456789012345678901 tokens
    let (wire, evm_dust) = amounts::to_shared(evm_amount, 18, 8).unwrap();
    assert_eq!((wire, evm_dust), (12_345_678_901, 2_345_678_901));
    let user_token = b.user_token;
    b.receive(user_token, wire).await.unwrap();
    let local = balance(&mut b.env, &user_token).await;
    assert_eq!(local, 123_456_789_010, "123.456789010 in 9 decimals");
    assert_eq!(u128::from(local) * 10u128.pow(9), evm_amount - evm_dust, "no value created or lost");
    // Back: everything but the 9-decimal dust leaves.
    let nonce = b.next_nonce().await;
    b.send(transfer_args(local)).await.unwrap();
    assert_eq!(balance(&mut b.env, &user_token).await, 0);
    let outbox: OutboxMessage = account(&mut b.env, outbox_pda(nonce)).await;
    let p = token_payload::decode_transfer(message::decode(&outbox.message).unwrap().payload).unwrap();
    assert_eq!(p.amount, wire);
    assert_eq!(amounts::to_local(p.amount, 18, 8).unwrap(), evm_amount - evm_dust);
}

#[tokio::test]
async fn test_receive_errors() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(1_000_000_000).await;
    let bob = Keypair::new();
    let bob_token = token_account(&mut b.env, &b.mint, &bob.pubkey()).await;

    // Not from the registered remote bridge.
    let payload = token_payload::encode_transfer(&b.mint.to_bytes(), &bob_token.to_bytes(), 1);
    let msg = b.raw_message([0x66; 32], &payload);
    let metas = b.receive_accounts(bob_token).await.metas();
    assert_token_error(deliver_to_bridge(&mut b.env, &msg, metas).await, MaskoiiError::UnknownRemoteBridge);
    // Payload of the wrong length / kind.
    let msg = b.raw_message(evm_bridge(), &payload[..72]);
    let metas = b.receive_accounts(bob_token).await.metas();
    assert_token_error(deliver_to_bridge(&mut b.env, &msg, metas).await, MaskoiiError::TokenMessageInvalidLength);
    let mut kind3 = payload;
    kind3[0] = 3;
    let msg = b.raw_message(evm_bridge(), &kind3);
    let metas = b.receive_accounts(bob_token).await.metas();
    assert_token_error(deliver_to_bridge(&mut b.env, &msg, metas).await, MaskoiiError::TokenMessageUnknownKind);
    // Recipient account is not the payload's recipient.
    let eve_token = token_account(&mut b.env, &b.mint, &Keypair::new().pubkey()).await;
    let msg = b.transfer_message(&bob_token, 1);
    let metas = b.receive_accounts(eve_token).await.metas();
    assert_token_error(deliver_to_bridge(&mut b.env, &msg, metas).await, MaskoiiError::RecipientTokenAccountMismatch);
    // Payload names another token than the mint account passed.
    let other = create_mint(&mut b.env, 9).await;
    let payload = token_payload::encode_transfer(&other.to_bytes(), &bob_token.to_bytes(), 1);
    let msg = b.raw_message(evm_bridge(), &payload);
    let metas = b.receive_accounts(bob_token).await.metas();
    assert_token_error(deliver_to_bridge(&mut b.env, &msg, metas).await, MaskoiiError::MintMismatch);
    // Recipient token account of another mint: never creditable, so the transfer is recorded refundable (reason 2,
    // tests/token/refunds.rs), which needs the message's refund record PDA, not the queue PDA.
    let other_token = token_account(&mut b.env, &other, &bob.pubkey()).await;
    let msg = b.transfer_message(&other_token, 1);
    let metas = b.receive_accounts(other_token).await.metas();
    assert_token_error(deliver_to_bridge(&mut b.env, &msg, metas).await, MaskoiiError::RefundRecordMismatch);
    // Lock mode without escrow; wrong escrow PDA; wrong bridge authority.
    let msg = b.transfer_message(&bob_token, 1);
    let mut acc = b.receive_accounts(bob_token).await;
    acc.escrow = None;
    assert_token_error(deliver_to_bridge(&mut b.env, &msg, acc.metas()).await, MaskoiiError::EscrowRequired);
    let mut acc = b.receive_accounts(bob_token).await;
    acc.escrow = Some(eve_token);
    assert_anchor_error(
        deliver_to_bridge(&mut b.env, &msg, acc.metas()).await,
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
    let mut acc = b.receive_accounts(bob_token).await;
    acc.bridge_authority = bob.pubkey();
    assert_anchor_error(
        deliver_to_bridge(&mut b.env, &msg, acc.metas()).await,
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
    // Wire amount whose local value overflows u64 (×10): never creditable, so recorded refundable (reason 3,
    // tests/token/refunds.rs), which needs the refund record PDA as the record account.
    let big = b.transfer_message(&bob_token, u64::MAX);
    let metas = b.receive_accounts(bob_token).await.metas();
    assert_token_error(deliver_to_bridge(&mut b.env, &big, metas).await, MaskoiiError::RefundRecordMismatch);
    // Unlinked token closes the inbound route too.
    let admin = b.admin();
    run(&mut b.env, &[ix_link(&admin.pubkey(), &b.mint, REMOTE_DOMAIN, [0u8; 32])], &[&admin]).await.unwrap();
    let metas = b.receive_accounts(bob_token).await.metas();
    assert_token_error(deliver_to_bridge(&mut b.env, &msg, metas).await, MaskoiiError::TokenNotLinked);
    run(&mut b.env, &[ix_link(&admin.pubkey(), &b.mint, REMOTE_DOMAIN, evm_token())], &[&admin]).await.unwrap();
    // After all these failures the same message still delivers (failed deliveries consume nothing).
    let metas = b.receive_accounts(bob_token).await.metas();
    deliver_to_bridge(&mut b.env, &msg, metas).await.unwrap();
    assert_eq!(balance(&mut b.env, &bob_token).await, 10);
}

#[tokio::test]
async fn test_handle_cannot_be_called_without_the_gateway() {
    let b = &mut Bridge::new(MODE_MINT, 6, 6).await;
    let user_token = b.user_token;
    let acc = b.receive_accounts(user_token).await;
    let payload = token_payload::encode_transfer(&b.mint.to_bytes(), &user_token.to_bytes(), 1_000_000);
    let gateway_authority = authority_pda(&maskoii::ID);
    let mut metas = maskoii::accounts::TokenHandle { gateway_authority, receipt: receipt_pda(REMOTE_DOMAIN, 0) }
        .to_account_metas(None);
    metas.extend(acc.metas());
    // Unsigned gateway authority.
    metas[0].is_signer = false;
    let ix = anchor_lang::solana_program::instruction::Instruction {
        program_id: maskoii::ID,
        accounts: metas.clone(),
        data: anchor_lang::InstructionData::data(&maskoii::instruction::Handle {
            origin: REMOTE_DOMAIN,
            sender: evm_bridge(),
            payload: payload.to_vec(),
        }),
    };
    assert_anchor_error(
        exec(&mut b.env, std::slice::from_ref(&ix), &[]).await,
        anchor_lang::error::ErrorCode::AccountNotSigner,
    );
    // A signer that is not the gateway authority of this program (e.g. the authority of another recipient).
    let attacker = funded(&mut b.env).await;
    let mut forged = ix;
    forged.accounts[0] = AccountMeta::new_readonly(attacker.pubkey(), true);
    assert_anchor_error(
        exec(&mut b.env, &[forged], &[&attacker]).await,
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
    assert_eq!(supply(&mut b.env, &b.mint).await, 0);
}

// ---------------------------------------------------------------- rate limit queue

#[tokio::test]
async fn test_inbound_over_limit_is_queued_then_released_after_refill() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(100_000_000_000).await;
    b.set_limits(limits(u64::MAX, 0, 1_000, 10)).await;
    let bob = Keypair::new();
    let bob_token = token_account(&mut b.env, &b.mint, &bob.pubkey()).await;
    b.receive(bob_token, 600).await.unwrap();
    assert_eq!(balance(&mut b.env, &bob_token).await, 6_000);

    // 600 more exceed the 400 left: queued, not credited, not failed.
    let relayer = payer_of(&b.env);
    let relayer_before = lamports(&mut b.env, relayer).await;
    let msg = b.transfer_message(&bob_token, 600);
    let metas = b.receive_accounts(bob_token).await.metas();
    let id = message::id(&msg);
    let set = b.env.set1.clone();
    post(&mut b.env, maskoii::protocol::attestation::AttestationKind::Message, 1, &set, &id, &[0, 1, 2]).await;
    let payer = payer_of(&b.env);
    let mut accounts = DeliverAccounts::new(&payer, &payer, 1, &msg, &b.env.store);
    accounts.recipient_program = maskoii::ID;
    accounts.remaining = metas;
    exec(&mut b.env, &[accounts.build(id, msg.clone())], &[]).await.unwrap();
    assert!(exists(&mut b.env, receipt_of(&msg)).await, "a queued transfer is a successful delivery");
    assert_eq!(balance(&mut b.env, &bob_token).await, 6_000);
    let q_key = queue_pda(&b.route(), 0);
    let q: QueuedTransfer = account(&mut b.env, q_key).await;
    assert_eq!((q.wire_amount, q.recipient, q.origin, q.payer, q.mint), (600, bob_token, REMOTE_DOMAIN, payer, b.mint));
    let route_key = b.route();
    let route: TokenRoute = account(&mut b.env, route_key).await;
    assert_eq!(route.next_queue_seq, 1);
    let rent = lamports(&mut b.env, q_key).await;
    assert!(relayer_before > lamports(&mut b.env, payer).await, "the relayer paid the entry's rent");

    // Anyone may try; too early fails.
    let caller = funded(&mut b.env).await;
    let release = release_ix(b, q_key, payer, bob_token);
    assert_token_error(
        run_as(&mut b.env, &caller, std::slice::from_ref(&release)).await,
        MaskoiiError::RateLimitExceeded,
    );
    // Lamport drain: the caller names itself as rent receiver.
    let drain = release_ix(b, q_key, caller.pubkey(), bob_token);
    assert_token_error(run_as(&mut b.env, &caller, &[drain]).await, MaskoiiError::RentReceiverMismatch);
    // Duplicated mutable account / wrong recipient: the escrow as recipient.
    let dup = release_ix(b, q_key, payer, escrow_pda(&b.mint));
    assert_anchor_error(
        run_as(&mut b.env, &caller, &[dup]).await,
        anchor_lang::error::ErrorCode::ConstraintDuplicateMutableAccount,
    );
    // Another recipient than the queued one.
    let eve_token = token_account(&mut b.env, &b.mint, &caller.pubkey()).await;
    let redirect = release_ix(b, q_key, payer, eve_token);
    assert_token_error(run_as(&mut b.env, &caller, &[redirect]).await, MaskoiiError::RecipientTokenAccountMismatch);

    // 20 s refill 200 → 600 available.
    advance(&mut b.env, 20).await;
    refresh(&mut b.env).await;
    let payer_before = lamports(&mut b.env, payer).await;
    let caller_before = lamports(&mut b.env, caller.pubkey()).await;
    run_as(&mut b.env, &caller, std::slice::from_ref(&release)).await.unwrap();
    assert_eq!(balance(&mut b.env, &bob_token).await, 12_000);
    assert!(!exists(&mut b.env, q_key).await, "entry closed");
    assert_eq!(lamports(&mut b.env, payer).await, payer_before + rent, "rent back to the relayer");
    assert_eq!(caller_before - lamports(&mut b.env, caller.pubkey()).await, 5_000, "the caller only paid its fee");
    // A second release of the closed entry fails: no double credit.
    refresh(&mut b.env).await;
    assert_anchor_error(
        run_as(&mut b.env, &caller, &[release]).await,
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
    assert_eq!(balance(&mut b.env, &bob_token).await, 12_000);
}

#[tokio::test]
async fn test_inbound_above_capacity_waits_for_a_raise_and_closed_route_queues() {
    let b = &mut Bridge::new(MODE_MINT, 9, 8).await;
    b.set_limits(limits(u64::MAX, 0, 0, 0)).await; // inbound closed
    let user_token = b.user_token;
    // Someone pre-funds the next queue PDA to try to block queueing: it still works.
    let q_key = queue_pda(&b.route(), 0);
    let payer = payer_of(&b.env);
    exec(&mut b.env, &[system_instruction::transfer(&payer, &q_key, 1_000_000)], &[]).await.unwrap();
    b.receive(user_token, 5).await.unwrap();
    let q: QueuedTransfer = account(&mut b.env, q_key).await;
    assert_eq!(q.wire_amount, 5);
    advance(&mut b.env, 1_000_000).await;
    let release = release_ix(b, q_key, payer, user_token);
    assert_token_error(exec(&mut b.env, std::slice::from_ref(&release), &[]).await, MaskoiiError::RateLimitExceeded);
    b.set_limits(limits(u64::MAX, 0, 5, 0)).await;
    exec(&mut b.env, &[release], &[]).await.unwrap();
    assert_eq!(balance(&mut b.env, &user_token).await, 50);
    // The bucket is now empty: the next transfer queues, and only under seq 1 (the queue PDA is checked only when
    // a transfer is queued; a transfer credited at once ignores that account).
    let msg = b.transfer_message(&user_token, 1);
    let mut acc = b.receive_accounts(user_token).await;
    acc.record = queue_pda(&b.route(), 5);
    assert_token_error(deliver_to_bridge(&mut b.env, &msg, acc.metas()).await, MaskoiiError::QueueAccountMismatch);
    b.receive(user_token, 1).await.unwrap();
    let next = queue_pda(&b.route(), 1);
    assert!(exists(&mut b.env, next).await);
    assert_eq!(balance(&mut b.env, &user_token).await, 50);
}

fn release_ix(
    b: &Bridge,
    queued: Pubkey,
    rent_receiver: Pubkey,
    recipient: Pubkey,
) -> anchor_lang::solana_program::instruction::Instruction {
    mk_ix(
        maskoii::accounts::TokenReleaseQueued {
            config: config_pda(),
            queued_transfer: queued,
            rent_receiver,
            route: b.route(),
            token_config: token_config_pda(&b.mint),
            mint: b.mint,
            bridge_authority: bridge_authority(),
            escrow: b.escrow(),
            recipient,
            token_program: spl_token::ID,
        },
        maskoii::instruction::TokenReleaseQueued {},
    )
}

/// Every token-bridge and claims variant of `MaskoiiError` (the section of `errors.rs` from the token-bridge marker to
/// the next section) is asserted by some test of this crate (a guard against untested errors).
#[test]
fn test_every_token_bridge_error_is_asserted() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let errors = std::fs::read_to_string(format!("{dir}src/errors.rs")).unwrap();
    let tests: String = ["tests/token/bridge.rs", "tests/token/claims.rs", "src/protocol/token_payload.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(format!("{dir}{f}")).unwrap())
        .collect();
    let section = errors.split("// ---- token bridge and claims").nth(1).expect("token-bridge section in errors.rs");
    let section = section.split_once('\n').unwrap().1;
    let section = section.split("// ----").next().unwrap();
    let variants: Vec<&str> = section
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with('#') && l.ends_with(','))
        .map(|l| l.trim_end_matches(','))
        .collect();
    // The 31 errors of the former `TokenBridgeError`: 28 in this section (its `RecipientMismatch` is now
    // `RecipientTokenAccountMismatch`) and 3 whose gateway variant has the same meaning (`shared`).
    let shared = ["InvalidRecipient", "TokenMessageInvalidLength", "TokenMessageUnknownKind"];
    assert_eq!(variants.len(), 28);
    for v in variants.iter().copied().chain(shared) {
        assert!(
            [")", ",", "\n"].iter().any(|end| tests.contains(&format!("MaskoiiError::{v}{end}"))),
            "{v} is never asserted"
        );
    }
}

#[tokio::test]
async fn test_receive_fake_mint_and_size_of_the_delivery_transaction() {
    let b = &mut Bridge::new(MODE_MINT, 9, 8).await;
    let user_token = b.user_token;
    // A payload naming an unregistered mint, with that mint's (nonexistent) config and route.
    let fake = create_mint(&mut b.env, 9).await;
    let fake_token = token_account(&mut b.env, &fake, &b.user.pubkey()).await;
    let payload = token_payload::encode_transfer(&fake.to_bytes(), &fake_token.to_bytes(), 1);
    let msg = b.raw_message(evm_bridge(), &payload);
    let mut acc = b.receive_accounts(fake_token).await;
    acc.mint = fake;
    acc.token_config = token_config_pda(&fake);
    acc.route = route_pda(&fake, REMOTE_DOMAIN);
    assert_anchor_error(
        deliver_to_bridge(&mut b.env, &msg, acc.metas()).await,
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );

    // A token delivery (deliver's 9 accounts + 11 for the bridge, 154-byte message) fits one transaction.
    let msg = b.transfer_message(&user_token, 1);
    let id = message::id(&msg);
    let payer = payer_of(&b.env);
    let mut accounts = DeliverAccounts::new(&payer, &payer, 1, &msg, &b.env.store);
    accounts.recipient_program = maskoii::ID;
    accounts.remaining = b.receive_accounts(user_token).await.metas();
    let tx = transaction(&b.env, &[accounts.build(id, msg.clone())], &[]);
    let size = wire_size(&tx);
    println!("token delivery transaction: {size} bytes");
    assert!(size <= PACKET_DATA_SIZE, "token delivery is {size} bytes");
    // With another program's gateway authority instead of this program's own (checked by its constant bump).
    let set = b.env.set1.clone();
    post(&mut b.env, maskoii::protocol::attestation::AttestationKind::Message, 1, &set, &id, &[0, 1, 2]).await;
    let mut wrong = accounts.build(id, msg.clone());
    assert_eq!(wrong.accounts[7].pubkey, authority_pda(&maskoii::ID));
    wrong.accounts[7].pubkey = authority_pda(&recipient_id());
    assert_anchor_error(exec(&mut b.env, &[wrong], &[]).await, anchor_lang::error::ErrorCode::ConstraintSeeds);
    exec(&mut b.env, &[accounts.build(id, msg.clone())], &[]).await.unwrap();
    assert_eq!(balance(&mut b.env, &user_token).await, 10);
}

// ---------------------------------------------------------------- events

#[tokio::test]
async fn test_transfer_out_in_queue_and_release_log_their_events() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    // Out: `TransferSent` and the gateway's `MessageSent` with the 73-byte payload, in one transaction.
    let nonce = b.next_nonce().await;
    let ix = b.transfer_accounts().await.build(transfer_args(1_234_567_891));
    let user = b.user.insecure_clone();
    refresh(&mut b.env).await;
    let logs = exec_logged(&mut b.env, &[ix], &[&user]).await.unwrap();
    let sent: MessageSent = event(&logs);
    let outbox: OutboxMessage = account(&mut b.env, outbox_pda(nonce)).await;
    assert_eq!((sent.message.clone(), sent.nonce, sent.destination), (outbox.message, nonce, REMOTE_DOMAIN));
    let transfer: TransferSent = event(&logs);
    assert_eq!(transfer.message_id, sent.message_id);
    assert_eq!((transfer.mint, transfer.destination, transfer.from), (b.mint, REMOTE_DOMAIN, b.user.pubkey()));
    assert_eq!(
        (transfer.recipient, transfer.amount, transfer.wire_amount),
        (evm_recipient(), 1_234_567_890, 123_456_789)
    );

    // In: `MessageDelivered` by the gateway, then `TransferReceived` from the self-CPI into `handle`.
    b.set_limits(limits(u64::MAX, 0, 1_000, 10)).await;
    let bob_token = token_account(&mut b.env, &b.mint, &Keypair::new().pubkey()).await;
    let msg = b.transfer_message(&bob_token, 600);
    let metas = b.receive_accounts(bob_token).await.metas();
    let logs = deliver_to_bridge_logged(&mut b.env, &msg, metas).await.unwrap();
    let delivered: MessageDelivered = event(&logs);
    assert_eq!((delivered.message_id, delivered.origin), (message::id(&msg), REMOTE_DOMAIN));
    let received: TransferReceived = event(&logs);
    assert_eq!(
        (received.origin, received.mint, received.recipient, received.amount),
        (REMOTE_DOMAIN, b.mint, bob_token, 6_000)
    );
    let at = |logs: &[String], prefix: &str| logs.iter().position(|l| l.starts_with(prefix)).unwrap();
    let invoke2 = format!("Program {} invoke [2]", maskoii::ID);
    assert!(at(&logs, &invoke2) < logs.len() - 1, "handle ran as a nested invocation: {logs:#?}");

    // Over the limit: queued (`TransferQueued`, no `TransferReceived`), then released.
    let msg = b.transfer_message(&bob_token, 600);
    let metas = b.receive_accounts(bob_token).await.metas();
    let logs = deliver_to_bridge_logged(&mut b.env, &msg, metas).await.unwrap();
    let q_key = queue_pda(&b.route(), 0);
    let queued: TransferQueued = event(&logs);
    assert_eq!(
        (queued.queued_transfer, queued.seq, queued.origin, queued.mint, queued.recipient, queued.amount),
        (q_key, 0, REMOTE_DOMAIN, b.mint, bob_token, 6_000)
    );
    assert!(events::<TransferReceived>(&logs).is_empty(), "nothing credited yet");
    advance(&mut b.env, 20).await;
    refresh(&mut b.env).await;
    let payer = payer_of(&b.env);
    let release = release_ix(b, q_key, payer, bob_token);
    let logs = exec_logged(&mut b.env, &[release], &[]).await.unwrap();
    let released: QueuedTransferReleased = event(&logs);
    assert_eq!((released.queued_transfer, released.seq), (q_key, 0));
    let received: TransferReceived = event(&logs);
    assert_eq!((received.recipient, received.amount), (bob_token, 6_000));
}
