//! Claims: a payout root bridged as a kind-2 payload funds a vault; salted Merkle leaves pay once each.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::ToAccountMetas;
use anchor_spl::token::spl_token;
use maskoii::errors::MaskoiiError;
use maskoii::events::{Claimed, DistributionCreated, DistributionFunded};
use maskoii::instructions::ClaimArgs;
use maskoii::protocol::token_payload::{self, DistributionPayload};
use maskoii::protocol::{merkle, message};
use maskoii::state::{claim_leaf, claim_leaf_preimage_hash, ClaimBitmap, Distribution, MODE_LOCK, MODE_MINT};
use solana_keypair::Keypair;
use solana_signer::Signer as _;

use crate::common::events::{event, events};
use crate::common::*;
use crate::util::*;

/// One payout: (claimant wallet, claimant token account, amount in shared units, salt).
struct Leaf {
    claimant: Pubkey,
    token: Pubkey,
    amount: u64,
    salt: [u8; 32],
}

struct Tree {
    leaves: Vec<Leaf>,
    hashes: Vec<[u8; 32]>,
    root: [u8; 32],
}

impl Tree {
    fn proof(&self, index: usize) -> Vec<[u8; 32]> {
        merkle::proof(&self.hashes, index)
    }

    fn args(&self, index: usize) -> ClaimArgs {
        let l = &self.leaves[index];
        ClaimArgs {
            index: index as u32,
            claimant: l.claimant,
            amount: l.amount,
            salt: l.salt,
            proof: self.proof(index),
        }
    }
}

/// Claimants with their token accounts and a tree over `amounts`.
async fn tree(b: &mut Bridge, amounts: &[u64]) -> Tree {
    let mut leaves = Vec::new();
    for (i, &amount) in amounts.iter().enumerate() {
        let claimant = Keypair::new().pubkey();
        let token = token_account(&mut b.env, &b.mint, &claimant).await;
        let mut salt = [0u8; 32];
        salt[0] = i as u8 + 1;
        salt[31] = 0x5a;
        leaves.push(Leaf { claimant, token, amount, salt });
    }
    let hashes: Vec<[u8; 32]> = leaves
        .iter()
        .enumerate()
        .map(|(i, l)| claim_leaf_preimage_hash(i as u32, &l.claimant, l.amount, &l.salt))
        .collect();
    let root = merkle::root(&hashes);
    Tree { leaves, hashes, root }
}

fn distribution_payload(b: &Bridge, root: [u8; 32], total: u64, leaf_count: u32, id: [u8; 32]) -> DistributionPayload {
    DistributionPayload { root, mint: b.mint.to_bytes(), total, leaf_count, distribution_id: id }
}

fn receive_metas(b: &Bridge, payer: Pubkey, id: &[u8; 32]) -> Vec<AccountMeta> {
    let distribution = distribution_pda(REMOTE_DOMAIN, id);
    maskoii::__client_accounts_receive_distribution::ReceiveDistribution {
        payer,
        remote_bridge: remote_bridge_pda(REMOTE_DOMAIN),
        token_config: token_config_pda(&b.mint),
        route: b.route(),
        mint: b.mint,
        bridge_authority: bridge_authority(),
        escrow: b.escrow(),
        distribution,
        vault: vault_pda(&distribution),
        bitmap: bitmap_pda(&distribution),
        token_program: spl_token::ID,
        system_program: anchor_lang::system_program::ID,
    }
    .to_account_metas(None)
}

/// Delivers a distribution payload from `sender` with the default accounts.
async fn deliver_distribution(
    b: &mut Bridge,
    sender: [u8; 32],
    payload: &[u8],
    id: &[u8; 32],
) -> std::result::Result<(), solana_program_test::BanksClientError> {
    let msg = b.raw_message(sender, payload);
    let metas = receive_metas(b, payer_of(&b.env), id);
    deliver_to_bridge(&mut b.env, &msg, metas).await
}

fn claim_ix(distribution: Pubkey, mint: Pubkey, claimant_token: Pubkey, args: ClaimArgs) -> Instruction {
    mk_ix(
        maskoii::accounts::ClaimsClaim {
            config: config_pda(),
            distribution,
            bitmap: bitmap_pda(&distribution),
            vault: vault_pda(&distribution),
            mint,
            claimant_token,
            token_program: spl_token::ID,
        },
        maskoii::instruction::ClaimsClaim { args },
    )
}

fn fund_ix(b: &Bridge, distribution: Pubkey) -> Instruction {
    mk_ix(
        maskoii::accounts::ClaimsFund {
            config: config_pda(),
            distribution,
            route: b.route(),
            token_config: token_config_pda(&b.mint),
            mint: b.mint,
            bridge_authority: bridge_authority(),
            escrow: b.escrow(),
            vault: vault_pda(&distribution),
            token_program: spl_token::ID,
        },
        maskoii::instruction::ClaimsFund {},
    )
}

#[tokio::test]
async fn test_distribution_funds_vault_and_each_leaf_pays_once() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(100_000_000_000).await;
    let t = tree(b, &[100, 200, 300]).await;
    let id = [0xd1; 32];
    let payload = token_payload::encode_distribution(&distribution_payload(b, t.root, 600, 3, id));
    deliver_distribution(b, evm_bridge(), &payload, &id).await.unwrap();

    let d_key = distribution_pda(REMOTE_DOMAIN, &id);
    // The delivery of a distribution (109-byte payload, 12 bridge accounts) fits one transaction.
    let msg = bridge_message(99, evm_bridge(), &payload);
    let payer = payer_of(&b.env);
    let mut accounts = DeliverAccounts::new(&payer, &payer, 1, &msg, &b.env.store);
    accounts.recipient_program = maskoii::ID;
    accounts.remaining = receive_metas(b, payer, &id);
    let size = wire_size(&transaction(&b.env, &[accounts.build(message::id(&msg), msg.clone())], &[]));
    println!("distribution delivery transaction: {size} bytes");
    assert!(size <= PACKET_DATA_SIZE, "distribution delivery is {size} bytes");
    let d: Distribution = account(&mut b.env, d_key).await;
    assert!(d.funded);
    assert_eq!(
        (d.total, d.claimed, d.leaf_count, d.root, d.mint, d.origin),
        (600, 0, 3, t.root, b.mint, REMOTE_DOMAIN)
    );
    assert_eq!(balance(&mut b.env, &vault_pda(&d_key)).await, 6_000, "600 shared units at 9 decimals");
    let bitmap: ClaimBitmap = account(&mut b.env, bitmap_pda(&d_key)).await;
    assert_eq!((bitmap.distribution, bitmap.bits.clone()), (d_key, vec![0u8]));

    // Anyone may submit a claim; it pays the claimant's own token account.
    let relayer = funded(&mut b.env).await;
    let ix = claim_ix(d_key, b.mint, t.leaves[1].token, t.args(1));
    run_as(&mut b.env, &relayer, std::slice::from_ref(&ix)).await.unwrap();
    assert_eq!(balance(&mut b.env, &t.leaves[1].token).await, 2_000);
    assert_eq!(balance(&mut b.env, &vault_pda(&d_key)).await, 4_000);
    let bitmap: ClaimBitmap = account(&mut b.env, bitmap_pda(&d_key)).await;
    assert_eq!(bitmap.bits, vec![0b010]);
    let d: Distribution = account(&mut b.env, d_key).await;
    assert_eq!(d.claimed, 200);

    // Replay of the same claim fails.
    assert_token_error(run_as(&mut b.env, &relayer, &[ix]).await, MaskoiiError::AlreadyClaimed);
    assert_eq!(balance(&mut b.env, &t.leaves[1].token).await, 2_000);

    for i in [0, 2] {
        exec(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[i].token, t.args(i))], &[]).await.unwrap();
    }
    assert_eq!(balance(&mut b.env, &vault_pda(&d_key)).await, 0, "exactly funded, exactly paid");
    let d: Distribution = account(&mut b.env, d_key).await;
    assert_eq!(d.claimed, 600);
}

#[tokio::test]
async fn test_claim_errors() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(100_000_000_000).await;
    // Leaves sum to 700 but only 600 are funded.
    let t = tree(b, &[300, 300, 100]).await;
    let id = [0xd2; 32];
    let payload = token_payload::encode_distribution(&distribution_payload(b, t.root, 600, 3, id));
    deliver_distribution(b, evm_bridge(), &payload, &id).await.unwrap();
    let d_key = distribution_pda(REMOTE_DOMAIN, &id);

    // Wrong proof, wrong amount, wrong salt, wrong claimant.
    let mut args = t.args(0);
    args.proof[0][0] ^= 1;
    assert_token_error(
        run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[0].token, args)], &[]).await,
        MaskoiiError::InvalidClaimProof,
    );
    let args = ClaimArgs { amount: 301, ..t.args(0) };
    assert_token_error(
        run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[0].token, args)], &[]).await,
        MaskoiiError::InvalidClaimProof,
    );
    let args = ClaimArgs { salt: [0u8; 32], ..t.args(0) };
    assert_token_error(
        run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[0].token, args)], &[]).await,
        MaskoiiError::InvalidClaimProof,
    );
    // Leaf 0's proof with leaf 1's claimant (and its token account).
    let args = ClaimArgs { claimant: t.leaves[1].claimant, ..t.args(0) };
    assert_token_error(
        run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[1].token, args)], &[]).await,
        MaskoiiError::InvalidClaimProof,
    );
    // Paying a token account the claimant does not own (wrong owner).
    assert_token_error(
        run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[1].token, t.args(0))], &[]).await,
        MaskoiiError::ClaimantMismatch,
    );
    // Index past the leaf count.
    let args = ClaimArgs { index: 3, ..t.args(0) };
    assert_token_error(
        run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[0].token, args)], &[]).await,
        MaskoiiError::ClaimIndexOutOfRange,
    );
    // Token account of another mint owned by the claimant.
    let other = create_mint(&mut b.env, 9).await;
    let other_token = token_account(&mut b.env, &other, &t.leaves[0].claimant).await;
    assert_token_error(
        run(&mut b.env, &[claim_ix(d_key, b.mint, other_token, t.args(0))], &[]).await,
        MaskoiiError::TokenAccountMintMismatch,
    );
    // Fake mint account.
    assert_token_error(
        run(&mut b.env, &[claim_ix(d_key, other, t.leaves[0].token, t.args(0))], &[]).await,
        MaskoiiError::MintMismatch,
    );
    // Wrong vault PDA (the escrow) and duplicated mutable account (the vault as the claimant account).
    let mut ix = claim_ix(d_key, b.mint, t.leaves[0].token, t.args(0));
    ix.accounts[3].pubkey = escrow_pda(&b.mint);
    assert_anchor_error(run(&mut b.env, &[ix], &[]).await, anchor_lang::error::ErrorCode::ConstraintSeeds);
    let ix = claim_ix(d_key, b.mint, vault_pda(&d_key), t.args(0));
    assert_anchor_error(
        run(&mut b.env, &[ix], &[]).await,
        anchor_lang::error::ErrorCode::ConstraintDuplicateMutableAccount,
    );

    // 300 + 300 exhaust the 600 funded; the last 100 exceeds what is left.
    for i in [0, 1] {
        exec(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[i].token, t.args(i))], &[]).await.unwrap();
    }
    assert_token_error(
        run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[2].token, t.args(2))], &[]).await,
        MaskoiiError::ClaimExceedsFunding,
    );
    assert_eq!(balance(&mut b.env, &t.leaves[2].token).await, 0);
}

#[tokio::test]
async fn test_distribution_over_inbound_limit_waits_then_is_funded() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(100_000_000_000).await;
    b.set_limits(limits(u64::MAX, 0, 500, 10)).await;
    let t = tree(b, &[600]).await;
    let id = [0xd3; 32];
    let payload = token_payload::encode_distribution(&distribution_payload(b, t.root, 600, 1, id));
    deliver_distribution(b, evm_bridge(), &payload, &id).await.unwrap();
    let d_key = distribution_pda(REMOTE_DOMAIN, &id);
    let d: Distribution = account(&mut b.env, d_key).await;
    assert!(!d.funded, "the root is recorded, the funds wait for capacity");
    assert_eq!(balance(&mut b.env, &vault_pda(&d_key)).await, 0);

    assert_token_error(
        run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[0].token, t.args(0))], &[]).await,
        MaskoiiError::DistributionNotFunded,
    );
    let fund = fund_ix(b, d_key);
    assert_token_error(run(&mut b.env, std::slice::from_ref(&fund), &[]).await, MaskoiiError::RateLimitExceeded);
    b.set_limits(limits(u64::MAX, 0, 1_000, 10)).await; // capacity 1,000, level kept at 500
    assert_token_error(run(&mut b.env, std::slice::from_ref(&fund), &[]).await, MaskoiiError::RateLimitExceeded);
    advance(&mut b.env, 10).await; // +100
    run(&mut b.env, std::slice::from_ref(&fund), &[]).await.unwrap();
    assert_eq!(balance(&mut b.env, &vault_pda(&d_key)).await, 6_000);
    assert_token_error(
        run(&mut b.env, std::slice::from_ref(&fund), &[]).await,
        MaskoiiError::DistributionAlreadyFunded,
    );
    run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[0].token, t.args(0))], &[]).await.unwrap();
    assert_eq!(balance(&mut b.env, &t.leaves[0].token).await, 6_000);
}

#[tokio::test]
async fn test_distribution_mint_mode_mints_into_vault() {
    let b = &mut Bridge::new(MODE_MINT, 6, 6).await;
    let t = tree(b, &[7, 8, 9, 10, 11]).await;
    let id = [0xd4; 32];
    let payload = token_payload::encode_distribution(&distribution_payload(b, t.root, 45, 5, id));
    deliver_distribution(b, evm_bridge(), &payload, &id).await.unwrap();
    let d_key = distribution_pda(REMOTE_DOMAIN, &id);
    assert_eq!(supply(&mut b.env, &b.mint).await, 45);
    for i in [4, 0, 2] {
        run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[i].token, t.args(i))], &[]).await.unwrap();
        assert_eq!(balance(&mut b.env, &t.leaves[i].token).await, t.leaves[i].amount);
    }
    let bitmap: ClaimBitmap = account(&mut b.env, bitmap_pda(&d_key)).await;
    assert_eq!(bitmap.bits, vec![0b10101]);
    assert_eq!(claim_leaf(0, &t.leaves[0].claimant, 7, &t.leaves[0].salt), merkle::leaf(&t.hashes[0]));
}

#[tokio::test]
async fn test_distribution_prefunded_addresses_and_single_use_id() {
    let b = &mut Bridge::new(MODE_MINT, 6, 6).await;
    let t = tree(b, &[7, 8]).await;
    let id = [0xd5; 32];
    let d_key = distribution_pda(REMOTE_DOMAIN, &id);
    // Someone sends lamports in advance to all three addresses (public once the message is sent): still delivered.
    let payer = payer_of(&b.env);
    for key in [d_key, vault_pda(&d_key), bitmap_pda(&d_key)] {
        let fund = anchor_lang::solana_program::system_instruction::transfer(&payer, &key, 1_000_000);
        exec(&mut b.env, &[fund], &[]).await.unwrap();
    }
    let payload = token_payload::encode_distribution(&distribution_payload(b, t.root, 15, 2, id));
    deliver_distribution(b, evm_bridge(), &payload, &id).await.unwrap();
    let d: Distribution = account(&mut b.env, d_key).await;
    assert_eq!((d.total, d.leaf_count, d.funded), (15, 2, true));
    assert_eq!(balance(&mut b.env, &vault_pda(&d_key)).await, 15);
    run(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[1].token, t.args(1))], &[]).await.unwrap();
    assert_eq!(balance(&mut b.env, &t.leaves[1].token).await, 8);
    // Another message (next nonce) reusing the id from the same origin is refused by name.
    let again = token_payload::encode_distribution(&distribution_payload(b, [9u8; 32], 100, 2, id));
    assert_token_error(
        deliver_distribution(b, evm_bridge(), &again, &id).await,
        MaskoiiError::DistributionAlreadyExists,
    );
    let d: Distribution = account(&mut b.env, d_key).await;
    assert_eq!((d.root, d.total), (t.root, 15));
}

#[tokio::test]
async fn test_distribution_payload_errors() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(100_000_000_000).await;
    let root = [0x77; 32];
    let id = [0xd5; 32];
    let good = distribution_payload(b, root, 10, 4, id);
    let enc = |p: DistributionPayload| token_payload::encode_distribution(&p).to_vec();

    let zero = enc(DistributionPayload { leaf_count: 0, ..good });
    assert_token_error(deliver_distribution(b, evm_bridge(), &zero, &id).await, MaskoiiError::InvalidLeafCount);
    let huge = enc(DistributionPayload { leaf_count: 65_537, ..good });
    assert_token_error(deliver_distribution(b, evm_bridge(), &huge, &id).await, MaskoiiError::InvalidLeafCount);
    let short = &enc(good)[..108];
    assert_token_error(
        deliver_distribution(b, evm_bridge(), short, &id).await,
        MaskoiiError::DistributionMessageInvalidLength,
    );
    assert_token_error(deliver_distribution(b, [0x66; 32], &enc(good), &id).await, MaskoiiError::UnknownRemoteBridge);
    let other = create_mint(&mut b.env, 9).await;
    let wrong_mint = enc(DistributionPayload { mint: other.to_bytes(), ..good });
    assert_token_error(deliver_distribution(b, evm_bridge(), &wrong_mint, &id).await, MaskoiiError::MintMismatch);
    // Lock mode without the escrow.
    let msg = b.raw_message(evm_bridge(), &enc(good));
    let mut metas = receive_metas(b, payer_of(&b.env), &id);
    metas[6] = AccountMeta::new_readonly(maskoii::ID, false);
    assert_token_error(deliver_to_bridge(&mut b.env, &msg, metas).await, MaskoiiError::EscrowRequired);
    // Local total overflowing u64.
    let overflow = enc(DistributionPayload { total: u64::MAX, ..good });
    assert_token_error(deliver_distribution(b, evm_bridge(), &overflow, &id).await, MaskoiiError::LocalAmountOverflow);
    // A distribution id is used once per origin.
    deliver_distribution(b, evm_bridge(), &enc(good), &id).await.unwrap();
    assert!(deliver_distribution(b, evm_bridge(), &enc(DistributionPayload { root: [1u8; 32], ..good }), &id)
        .await
        .is_err());
    let d: Distribution = account(&mut b.env, distribution_pda(REMOTE_DOMAIN, &id)).await;
    assert_eq!(d.root, root, "the first distribution is untouched");
}

#[tokio::test]
async fn test_distribution_and_claim_log_their_events() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(100_000_000_000).await;
    let t = tree(b, &[100, 200, 300]).await;
    let id = [0xe7; 32];
    let payload = token_payload::encode_distribution(&distribution_payload(b, t.root, 600, 3, id));
    let msg = b.raw_message(evm_bridge(), &payload);
    let metas = receive_metas(b, payer_of(&b.env), &id);
    let logs = deliver_to_bridge_logged(&mut b.env, &msg, metas).await.unwrap();
    let d_key = distribution_pda(REMOTE_DOMAIN, &id);
    let created: DistributionCreated = event(&logs);
    assert_eq!(
        (created.distribution, created.origin, created.distribution_id, created.mint, created.root),
        (d_key, REMOTE_DOMAIN, id, b.mint, t.root)
    );
    assert_eq!((created.total, created.leaf_count, created.funded), (600, 3, true));
    let funded: DistributionFunded = event(&logs);
    assert_eq!((funded.distribution, funded.amount), (d_key, 6_000));

    let logs = exec_logged(&mut b.env, &[claim_ix(d_key, b.mint, t.leaves[2].token, t.args(2))], &[]).await.unwrap();
    let claimed: Claimed = event(&logs);
    assert_eq!((claimed.distribution, claimed.distribution_id, claimed.index), (d_key, id, 2));
    assert_eq!((claimed.claimant, claimed.token_account), (t.leaves[2].claimant, t.leaves[2].token));
    assert_eq!((claimed.amount, claimed.local_amount), (300, 3_000));
}

#[tokio::test]
async fn test_distribution_over_the_limit_logs_unfunded_then_funded() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(100_000_000_000).await;
    b.set_limits(limits(u64::MAX, 0, 500, 10)).await;
    let t = tree(b, &[100, 500]).await;
    let id = [0xe8; 32];
    let payload = token_payload::encode_distribution(&distribution_payload(b, t.root, 600, 2, id));
    let msg = b.raw_message(evm_bridge(), &payload);
    let metas = receive_metas(b, payer_of(&b.env), &id);
    let logs = deliver_to_bridge_logged(&mut b.env, &msg, metas).await.unwrap();
    let d_key = distribution_pda(REMOTE_DOMAIN, &id);
    assert!(!event::<DistributionCreated>(&logs).funded);
    assert!(events::<DistributionFunded>(&logs).is_empty());
    b.set_limits(limits(u64::MAX, 0, 1_000, 10)).await; // capacity 1,000, level kept at 500
    advance(&mut b.env, 10).await; // +100
    refresh(&mut b.env).await;
    let fund = fund_ix(b, d_key);
    let logs = exec_logged(&mut b.env, &[fund], &[]).await.unwrap();
    let funded: DistributionFunded = event(&logs);
    assert_eq!((funded.distribution, funded.amount), (d_key, 6_000));
}

/// docs/protocol.md §8.1: the guardian's pause stops claims funding and claims (value leaving the bridge); both work
/// again after unpausing.
#[tokio::test]
async fn test_claims_fund_and_claim_refused_while_paused() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(100_000_000_000).await;
    b.set_limits(limits(u64::MAX, 0, 500, 10)).await;
    let t = tree(b, &[300, 300]).await;
    let id = [0xd9; 32];
    let payload = token_payload::encode_distribution(&distribution_payload(b, t.root, 600, 2, id));
    deliver_distribution(b, evm_bridge(), &payload, &id).await.unwrap();
    let d_key = distribution_pda(REMOTE_DOMAIN, &id);
    b.set_limits(limits(u64::MAX, 0, 1_000, 10)).await; // level kept at 500, refills to 1,000
    let guardian = b.env.guardian.insecure_clone();
    run(&mut b.env, &[ix_set_paused(&guardian.pubkey(), true)], &[&guardian]).await.unwrap();
    advance(&mut b.env, 100).await; // the bucket refills; the pause still holds
    let fund = fund_ix(b, d_key);
    assert_token_error(run(&mut b.env, std::slice::from_ref(&fund), &[]).await, MaskoiiError::Paused);
    run(&mut b.env, &[ix_set_paused(&guardian.pubkey(), false)], &[&guardian]).await.unwrap();
    run(&mut b.env, std::slice::from_ref(&fund), &[]).await.unwrap();
    run(&mut b.env, &[ix_set_paused(&guardian.pubkey(), true)], &[&guardian]).await.unwrap();
    let claim = claim_ix(d_key, b.mint, t.leaves[0].token, t.args(0));
    assert_token_error(run(&mut b.env, std::slice::from_ref(&claim), &[]).await, MaskoiiError::Paused);
    assert_eq!(balance(&mut b.env, &t.leaves[0].token).await, 0);
    run(&mut b.env, &[ix_set_paused(&guardian.pubkey(), false)], &[&guardian]).await.unwrap();
    run(&mut b.env, &[claim], &[]).await.unwrap();
    assert_eq!(balance(&mut b.env, &t.leaves[0].token).await, 3_000);
}
