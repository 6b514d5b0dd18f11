//! docs/protocol.md §8.1 on Solana: inbound transfers this chain can never credit become refund records (reasons 2
//! and 3) instead of failing forever, and the origin side: `token_refund` pays an outbound transfer back to its
//! sender against a quorum-signed `TransferRefund` receipt (verification kind 3).

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::Instruction;
use maskoii::errors::MaskoiiError;
use maskoii::events::{TransferRefundable, TransferRefunded};
use maskoii::protocol::attestation::AttestationKind;
use maskoii::protocol::{message, refund};
use maskoii::state::{
    RefundRecord, RefundedNonce, TokenRoute, MODE_LOCK, MODE_MINT, REFUND_REASON_AMOUNT_OVERFLOW,
    REFUND_REASON_INVALID_RECIPIENT,
};
use solana_keypair::Keypair;
use solana_signer::Signer as _;

use crate::common::events::event;
use crate::common::*;
use crate::util::*;

/// Delivers a transfer to `recipient` with the message's refund record as the record account; returns the logs.
async fn deliver_refundable(b: &mut Bridge, recipient: Pubkey, wire: u64) -> (Vec<u8>, Vec<String>) {
    let msg = b.transfer_message(&recipient, wire);
    let mut acc = b.receive_accounts(recipient).await;
    acc.record = refund_record_pda(&message::id(&msg));
    refresh(&mut b.env).await;
    let logs = deliver_to_bridge_logged(&mut b.env, &msg, acc.metas()).await.unwrap();
    (msg, logs)
}

async fn assert_record(b: &mut Bridge, msg: &[u8], logs: &[String], wire: u64, reason: u8) {
    let id = message::id(msg);
    let m = message::decode(msg).unwrap();
    assert!(exists(&mut b.env, receipt_of(msg)).await, "consumed: (origin, nonce) is delivered");
    let r: RefundRecord = account(&mut b.env, refund_record_pda(&id)).await;
    assert_eq!(
        (r.message_id, r.origin, r.nonce, r.mint, r.wire_amount, r.reason),
        (id, REMOTE_DOMAIN, m.nonce, b.mint, wire, reason)
    );
    let e = event::<TransferRefundable>(logs);
    assert_eq!(
        (e.message_id, e.origin, e.nonce, e.mint, e.wire_amount, e.reason),
        (id, REMOTE_DOMAIN, m.nonce, b.mint, wire, reason)
    );
}

#[tokio::test]
async fn test_receive_to_a_wallet_or_a_missing_account_is_recorded_refundable() {
    let b = &mut Bridge::new(MODE_MINT, 9, 8).await;
    b.set_limits(limits(u64::MAX, 0, 1_000, 0)).await;
    // A funded wallet (system account) as the payload's recipient.
    let wallet = funded(&mut b.env).await.pubkey();
    let (msg, logs) = deliver_refundable(b, wallet, 100).await;
    assert_record(b, &msg, &logs, 100, REFUND_REASON_INVALID_RECIPIENT).await;
    // An address with no account at all.
    let nobody = Keypair::new().pubkey();
    let (msg, logs) = deliver_refundable(b, nobody, 200).await;
    assert_record(b, &msg, &logs, 200, REFUND_REASON_INVALID_RECIPIENT).await;
    // A token account of another mint.
    let other = create_mint(&mut b.env, 9).await;
    let other_token = token_account(&mut b.env, &other, &wallet).await;
    let (msg, logs) = deliver_refundable(b, other_token, 300).await;
    assert_record(b, &msg, &logs, 300, REFUND_REASON_INVALID_RECIPIENT).await;
    assert_eq!(supply(&mut b.env, &b.mint).await, 0, "nothing minted");
    let route_key = b.route();
    let route: TokenRoute = account(&mut b.env, route_key).await;
    assert_eq!(route.inbound.level, 1_000, "a refundable transfer consumes no inbound capacity");
    // The same message is never delivered twice.
    refresh(&mut b.env).await;
    let mut acc = b.receive_accounts(wallet).await;
    acc.record = refund_record_pda(&message::id(&msg));
    assert_error(deliver_to_bridge(&mut b.env, &msg, acc.metas()).await, MaskoiiError::AlreadyDelivered);
}

#[tokio::test]
async fn test_receive_amount_over_u64_after_scaling_is_recorded_refundable() {
    // 9 local decimals, 8 shared: u64::MAX shared units are 10 × u64::MAX local units.
    let b = &mut Bridge::new(MODE_MINT, 9, 8).await;
    let bob_token = token_account(&mut b.env, &b.mint, &Keypair::new().pubkey()).await;
    let (msg, logs) = deliver_refundable(b, bob_token, u64::MAX).await;
    assert_record(b, &msg, &logs, u64::MAX, REFUND_REASON_AMOUNT_OVERFLOW).await;
    assert_eq!(balance(&mut b.env, &bob_token).await, 0);
}

// ---------------------------------------------------------------- origin side: token_refund

struct Sent {
    receipt: Vec<u8>,
    nonce: u64,
    wire: u64,
}

/// The user sends `amount` (9 decimals, 8 shared) to the EVM side; returns the refund receipt of that transfer.
async fn send_out(b: &mut Bridge, amount: u64) -> Sent {
    let nonce = b.next_nonce().await;
    b.send(transfer_args(amount)).await.unwrap();
    let outbox: maskoii::state::OutboxMessage = account(&mut b.env, outbox_pda(nonce)).await;
    let wire = amount / 10;
    let r = refund::RefundReceipt {
        message_id: message::id(&outbox.message),
        origin_domain: LOCAL_DOMAIN,
        nonce,
        destination_domain: REMOTE_DOMAIN,
        token: b.mint.to_bytes(),
        refund_to: b.user.pubkey().to_bytes(),
        wire_amount: wire,
    };
    Sent { receipt: refund::encode(&r).to_vec(), nonce, wire }
}

fn refund_ix(b: &Bridge, receipt: &[u8], nonce: u64, refund_account: Pubkey, mint: Pubkey) -> Instruction {
    let payer = payer_of(&b.env);
    let value = refund::hash(receipt);
    mk_ix(
        maskoii::accounts::TokenRefund {
            payer,
            config: config_pda(),
            attester_set: set_pda(1),
            verification: verification_pda(&payer, AttestationKind::Refund, 1, &value),
            verification_payer: payer,
            refunded: refunded_pda(nonce),
            token_config: token_config_pda(&mint),
            route: route_pda(&mint, REMOTE_DOMAIN),
            mint,
            bridge_authority: bridge_authority(),
            escrow: (b.mode == MODE_LOCK && mint == b.mint).then(|| escrow_pda(&mint)),
            refund_account,
            token_program: anchor_spl::token::spl_token::ID,
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::TokenRefund { receipt: receipt.to_vec() },
    )
}

async fn post_refund(b: &mut Bridge, receipt: &[u8], indices: &[usize]) {
    let set = b.env.set1.clone();
    post(&mut b.env, AttestationKind::Refund, 1, &set, &refund::hash(receipt), indices).await;
}

#[tokio::test]
async fn test_token_refund_pays_the_sender_back_once() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    let user_token = b.user_token;
    let start = balance(&mut b.env, &user_token).await;
    let sent = send_out(b, 5_000).await;
    assert_eq!(balance(&mut b.env, &user_token).await, start - 5_000);
    post_refund(b, &sent.receipt, &[0, 1, 2]).await;
    let payer = payer_of(&b.env);
    let verification = verification_pda(&payer, AttestationKind::Refund, 1, &refund::hash(&sent.receipt));
    refresh(&mut b.env).await;
    let ix = refund_ix(b, &sent.receipt, sent.nonce, user_token, b.mint);
    let logs = exec_logged(&mut b.env, std::slice::from_ref(&ix), &[]).await.unwrap();
    assert_eq!(balance(&mut b.env, &user_token).await, start, "paid back in full");
    assert!(!exists(&mut b.env, verification).await, "verification consumed");
    let marker: RefundedNonce = account(&mut b.env, refunded_pda(sent.nonce)).await;
    let r = refund::decode(&sent.receipt).unwrap();
    assert_eq!(marker.message_id, r.message_id);
    let e = event::<TransferRefunded>(&logs);
    assert_eq!(
        (e.message_id, e.mint, e.refund_to, e.token_account, e.amount),
        (r.message_id, b.mint, b.user.pubkey(), user_token, 5_000)
    );
    assert_eq!(sent.wire, 500);
    // Once per nonce.
    post_refund(b, &sent.receipt, &[0, 1, 2]).await;
    assert_error(run(&mut b.env, &[ix], &[]).await, MaskoiiError::AlreadyRefunded);
    assert_eq!(balance(&mut b.env, &user_token).await, start);
}

#[tokio::test]
async fn test_token_refund_failure_paths() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(100_000_000_000).await;
    b.set_limits(limits(u64::MAX, 0, 1_000, 10)).await;
    let user_token = b.user_token;
    let sent = send_out(b, 5_000).await;
    let good = refund_ix(b, &sent.receipt, sent.nonce, user_token, b.mint);

    // Paused.
    post_refund(b, &sent.receipt, &[0, 1, 2]).await;
    let guardian = b.env.guardian.insecure_clone();
    run(&mut b.env, &[ix_set_paused(&guardian.pubkey(), true)], &[&guardian]).await.unwrap();
    assert_error(run(&mut b.env, std::slice::from_ref(&good), &[]).await, MaskoiiError::Paused);
    run(&mut b.env, &[ix_set_paused(&guardian.pubkey(), false)], &[&guardian]).await.unwrap();

    // Malformed receipts (the shared vectors' errors): length first, then version.
    let mut bad = refund_ix(b, &sent.receipt, sent.nonce, user_token, b.mint);
    bad.data = anchor_lang::InstructionData::data(&maskoii::instruction::TokenRefund {
        receipt: sent.receipt[..120].to_vec(),
    });
    assert_error(run(&mut b.env, &[bad.clone()], &[]).await, MaskoiiError::RefundReceiptInvalidLength);
    let mut v2 = sent.receipt.clone();
    v2[0] = 2;
    bad.data = anchor_lang::InstructionData::data(&maskoii::instruction::TokenRefund { receipt: v2 });
    assert_error(run(&mut b.env, &[bad], &[]).await, MaskoiiError::RefundReceiptUnknownVersion);

    // Another origin.
    let mut r = refund::decode(&sent.receipt).unwrap();
    r.origin_domain = REMOTE_DOMAIN;
    let foreign = refund::encode(&r).to_vec();
    post_refund(b, &foreign, &[0, 1, 2]).await;
    assert_error(
        {
            let ix = refund_ix(b, &foreign, sent.nonce, user_token, b.mint);
            run(&mut b.env, &[ix], &[]).await
        },
        MaskoiiError::WrongRefundOrigin,
    );

    // Attestation: below the threshold (2 of 5 at 60 %), another kind, another value.
    let mut r = refund::decode(&sent.receipt).unwrap();
    r.wire_amount = 499;
    let weak = refund::encode(&r).to_vec();
    post_refund(b, &weak, &[0, 1]).await;
    assert_error(
        {
            let ix = refund_ix(b, &weak, sent.nonce, user_token, b.mint);
            run(&mut b.env, &[ix], &[]).await
        },
        MaskoiiError::InsufficientWeight,
    );
    let set = b.env.set1.clone();
    let other_value = refund::hash(&weak);
    let mut r2 = r;
    r2.wire_amount = 498;
    let as_message = refund::encode(&r2).to_vec();
    // A MessageAttestation quorum over the receipt hash is not a refund attestation: its verification PDA differs
    // by kind, so point the instruction at it.
    post(&mut b.env, AttestationKind::Message, 1, &set, &refund::hash(&as_message), &[0, 1, 2]).await;
    let mut wrong_kind = refund_ix(b, &as_message, sent.nonce, user_token, b.mint);
    let payer = payer_of(&b.env);
    wrong_kind.accounts[3].pubkey = verification_pda(&payer, AttestationKind::Message, 1, &refund::hash(&as_message));
    assert_error(run(&mut b.env, &[wrong_kind], &[]).await, MaskoiiError::VerificationKindMismatch);
    let mut wrong_value = refund_ix(b, &sent.receipt, sent.nonce, user_token, b.mint);
    wrong_value.accounts[3].pubkey = verification_pda(&payer, AttestationKind::Refund, 1, &other_value);
    assert_error(run(&mut b.env, &[wrong_value], &[]).await, MaskoiiError::VerificationValueMismatch);

    // Token: the mint account is not the receipt's token; the receipt's token is not registered here.
    let other = create_mint(&mut b.env, 9).await;
    assert_error(
        {
            let ix = refund_ix(b, &sent.receipt, sent.nonce, user_token, other);
            run(&mut b.env, &[ix], &[]).await
        },
        MaskoiiError::MintMismatch,
    );
    let mut r = refund::decode(&sent.receipt).unwrap();
    r.token = other.to_bytes();
    let unregistered = refund::encode(&r).to_vec();
    post_refund(b, &unregistered, &[0, 1, 2]).await;
    let other_token = token_account(&mut b.env, &other, &b.user.pubkey()).await;
    assert_error(
        {
            let ix = refund_ix(b, &unregistered, sent.nonce, other_token, other);
            run(&mut b.env, &[ix], &[]).await
        },
        MaskoiiError::TokenNotRegistered,
    );

    // The refund account must be the refundTo's own token account of the mint.
    let eve_token = token_account(&mut b.env, &b.mint, &Keypair::new().pubkey()).await;
    assert_error(
        {
            let ix = refund_ix(b, &sent.receipt, sent.nonce, eve_token, b.mint);
            run(&mut b.env, &[ix], &[]).await
        },
        MaskoiiError::RefundAccountMismatch,
    );

    // The inbound bucket of (mint, destination) limits refunds; the same receipt goes through after refill.
    b.receive(user_token, 800).await.unwrap(); // 200 left, the refund needs 500
    assert_error(run(&mut b.env, std::slice::from_ref(&good), &[]).await, MaskoiiError::RateLimitExceeded);
    advance(&mut b.env, 30).await;
    let before = balance(&mut b.env, &user_token).await;
    run(&mut b.env, &[good], &[]).await.unwrap();
    assert_eq!(balance(&mut b.env, &user_token).await, before + 5_000);
    assert_eq!(balance(&mut b.env, &eve_token).await, 0);
}
