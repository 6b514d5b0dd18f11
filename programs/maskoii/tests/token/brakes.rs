//! docs/protocol.md §8.1 on Solana: the pause stops every outflow (here the release of queued transfers; claims in
//! claims.rs, deliveries in program/gateway.rs), the admin or guardian cancels queued entries into refund records,
//! and send-time recipient checks by destination family.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::Instruction;
use maskoii::errors::MaskoiiError;
use maskoii::events::{QueuedTransferCancelled, TransferRefundable};
use maskoii::instructions::{SendArgs, TransferRemoteArgs};
use maskoii::protocol::message;
use maskoii::state::{QueuedTransfer, RefundRecord, RouteFee, MODE_LOCK, REFUND_REASON_CANCELLED};
use solana_keypair::Keypair;
use solana_signer::Signer as _;

use crate::common::events::event;
use crate::common::*;
use crate::util::*;

pub fn release_ix(b: &Bridge, queued: Pubkey, rent_receiver: Pubkey, recipient: Pubkey) -> Instruction {
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
            token_program: anchor_spl::token::spl_token::ID,
        },
        maskoii::instruction::TokenReleaseQueued {},
    )
}

pub fn cancel_ix(authority: &Pubkey, queued: Pubkey, rent_receiver: Pubkey, message_id: &[u8; 32]) -> Instruction {
    mk_ix(
        maskoii::accounts::TokenCancelQueued {
            authority: *authority,
            config: config_pda(),
            queued_transfer: queued,
            rent_receiver,
            refund_record: refund_record_pda(message_id),
            system_program: anchor_lang::system_program::ID,
        },
        maskoii::instruction::TokenCancelQueued {},
    )
}

pub fn family_ix(admin: &Pubkey, destination: u32, family: u8) -> Instruction {
    mk_ix(
        maskoii::accounts::SetDestinationFamily {
            admin: *admin,
            config: config_pda(),
            route_fee: route_fee_pda(destination),
        },
        maskoii::instruction::SetDestinationFamily { destination, family },
    )
}

/// Delivers a transfer that the inbound bucket cannot take: it is queued; returns (queue PDA, message).
async fn queue(b: &mut Bridge, recipient: Pubkey, wire: u64) -> (Pubkey, Vec<u8>) {
    let msg = b.transfer_message(&recipient, wire);
    let acc = b.receive_accounts(recipient).await;
    let q = acc.record;
    deliver_to_bridge(&mut b.env, &msg, acc.metas()).await.unwrap();
    (q, msg)
}

/// Forged burst queued, pause, time passes, release refused; cancel the forged entries (also while paused, guardian
/// and admin alike, nobody else); unpause; the legitimate entry still releases, the cancelled ones never do.
#[tokio::test]
async fn test_release_queued_refused_while_paused_and_cancel_contains_a_forged_burst() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    b.fill_escrow(100_000_000_000).await;
    b.set_limits(limits(u64::MAX, 0, 1_000, 10)).await;
    let bob_token = token_account(&mut b.env, &b.mint, &Keypair::new().pubkey()).await;
    let eve_token = token_account(&mut b.env, &b.mint, &Keypair::new().pubkey()).await;
    b.receive(bob_token, 1_000).await.unwrap(); // empties the bucket
    let (legit, _) = queue(b, bob_token, 500).await;
    let (forged_a, msg_a) = queue(b, eve_token, 900).await;
    let (forged_b, msg_b) = queue(b, eve_token, 900).await;
    let q: QueuedTransfer = account(&mut b.env, forged_a).await;
    let msg = msg_a.clone();
    let m = message::decode(&msg).unwrap();
    assert_eq!((q.message_id, q.nonce, q.seq), (message::id(&msg_a), m.nonce, 1), "the entry knows its message");

    let guardian = b.env.guardian.insecure_clone();
    run(&mut b.env, &[ix_set_paused(&guardian.pubkey(), true)], &[&guardian]).await.unwrap();
    advance(&mut b.env, 1_000).await; // the bucket is full again
    let relayer = payer_of(&b.env);
    for (entry, to) in [(legit, bob_token), (forged_a, eve_token), (forged_b, eve_token)] {
        assert_token_error(
            {
                let ix = release_ix(b, entry, relayer, to);
                run(&mut b.env, &[ix], &[]).await
            },
            MaskoiiError::Paused,
        );
    }

    // Nobody but the admin or the guardian cancels.
    let stranger = funded(&mut b.env).await;
    let id_a = message::id(&msg_a);
    assert_token_error(
        run_as(&mut b.env, &stranger, &[cancel_ix(&stranger.pubkey(), forged_a, relayer, &id_a)]).await,
        MaskoiiError::NotAdminOrGuardian,
    );
    // The rent goes back to the relayer that paid it, nobody else.
    assert_token_error(
        run(&mut b.env, &[cancel_ix(&guardian.pubkey(), forged_a, guardian.pubkey(), &id_a)], &[&guardian]).await,
        MaskoiiError::RentReceiverMismatch,
    );
    let rent = lamports(&mut b.env, forged_a).await;
    let relayer_before = lamports(&mut b.env, relayer).await;
    refresh(&mut b.env).await;
    let logs = exec_logged(&mut b.env, &[cancel_ix(&guardian.pubkey(), forged_a, relayer, &id_a)], &[&guardian])
        .await
        .unwrap();
    assert!(!exists(&mut b.env, forged_a).await, "entry removed");
    assert_eq!(
        lamports(&mut b.env, relayer).await,
        relayer_before + rent - 10_000,
        "rent back (the relayer paid the 2-signature fee)"
    );
    let record: RefundRecord = account(&mut b.env, refund_record_pda(&id_a)).await;
    assert_eq!(
        (record.message_id, record.origin, record.nonce, record.mint, record.wire_amount, record.reason),
        (id_a, REMOTE_DOMAIN, m.nonce, b.mint, 900, REFUND_REASON_CANCELLED)
    );
    let cancelled = event::<QueuedTransferCancelled>(&logs);
    assert_eq!((cancelled.queued_transfer, cancelled.seq, cancelled.by), (forged_a, 1, guardian.pubkey()));
    let refundable = event::<TransferRefundable>(&logs);
    assert_eq!(
        (refundable.message_id, refundable.origin, refundable.nonce, refundable.wire_amount, refundable.reason),
        (id_a, REMOTE_DOMAIN, m.nonce, 900, REFUND_REASON_CANCELLED)
    );
    // The admin cancels the other; a cancelled entry cannot be cancelled again.
    let admin = b.admin();
    let id_b = message::id(&msg_b);
    run(&mut b.env, &[cancel_ix(&admin.pubkey(), forged_b, relayer, &id_b)], &[&admin]).await.unwrap();
    assert_anchor_error(
        run(&mut b.env, &[cancel_ix(&admin.pubkey(), forged_a, relayer, &id_a)], &[&admin]).await,
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );

    let escrow = escrow_pda(&b.mint);
    let escrow_before = balance(&mut b.env, &escrow).await;
    run(&mut b.env, &[ix_set_paused(&guardian.pubkey(), false)], &[&guardian]).await.unwrap();
    {
        let ix = release_ix(b, legit, relayer, bob_token);
        run(&mut b.env, &[ix], &[]).await
    }
    .unwrap();
    assert_eq!(balance(&mut b.env, &bob_token).await, 15_000, "1,000 + 500 shared units at 10^1");
    assert_anchor_error(
        {
            let ix = release_ix(b, forged_a, relayer, eve_token);
            run(&mut b.env, &[ix], &[]).await
        },
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
    assert_eq!(balance(&mut b.env, &eve_token).await, 0, "nothing of the forged burst was ever credited");
    assert_eq!(escrow_before - balance(&mut b.env, &escrow).await, 5_000, "the forged value stays in the escrow");
}

/// Send-time recipient checks (docs/protocol.md §8.1): to an EVM destination, `send` and `token_transfer_remote`
/// refuse a recipient with non-zero upper 12 bytes (or zero); an unknown or svm destination accepts any non-zero key.
#[tokio::test]
async fn test_send_and_transfer_remote_refuse_recipients_an_evm_destination_cannot_accept() {
    let b = &mut Bridge::new(MODE_LOCK, 9, 8).await;
    let admin = b.admin();
    let solana_key = [0x5a; 32];
    let user = b.user.insecure_clone();
    let send = |nonce: u64, recipient: [u8; 32]| {
        ix_send(
            &user.pubkey(),
            &user.pubkey(),
            nonce,
            SendArgs { destination: REMOTE_DOMAIN, recipient, payload: b"x".to_vec(), max_fee: 0 },
        )
    };
    let to = |recipient: [u8; 32]| TransferRemoteArgs { destination: REMOTE_DOMAIN, recipient, amount: 10, max_fee: 0 };

    // Unknown family (default): anything non-zero passes.
    let n = b.next_nonce().await;
    run(&mut b.env, &[send(n, solana_key)], &[&user]).await.unwrap();
    b.send(to(solana_key)).await.unwrap();

    // Only the admin sets the family, and only 0, 1 or 2.
    let stranger = funded(&mut b.env).await;
    assert_error(
        run_as(&mut b.env, &stranger, &[family_ix(&stranger.pubkey(), REMOTE_DOMAIN, 1)]).await,
        MaskoiiError::NotAdmin,
    );
    assert_error(
        run(&mut b.env, &[family_ix(&admin.pubkey(), REMOTE_DOMAIN, 3)], &[&admin]).await,
        MaskoiiError::InvalidFamily,
    );
    run(&mut b.env, &[family_ix(&admin.pubkey(), REMOTE_DOMAIN, 1)], &[&admin]).await.unwrap();
    // A fee change keeps the family.
    run(&mut b.env, &[ix_set_fee(&admin.pubkey(), REMOTE_DOMAIN, 0, 0)], &[&admin]).await.unwrap();
    let fee: RouteFee = account(&mut b.env, route_fee_pda(REMOTE_DOMAIN)).await;
    assert_eq!(fee.family, 1);

    let n = b.next_nonce().await;
    assert_error(run(&mut b.env, &[send(n, solana_key)], &[&user]).await, MaskoiiError::InvalidRecipient);
    assert_error(run(&mut b.env, &[send(n, [0u8; 32])], &[&user]).await, MaskoiiError::InvalidRecipient);
    assert_error(b.send(to(solana_key)).await, MaskoiiError::InvalidRecipient);
    let mut one_high_byte = evm_recipient();
    one_high_byte[11] = 1;
    assert_error(b.send(to(one_high_byte)).await, MaskoiiError::InvalidRecipient);
    run(&mut b.env, &[send(n, evm_recipient())], &[&user]).await.unwrap();
    b.send(to(evm_recipient())).await.unwrap();

    // svm: any non-zero key.
    run(&mut b.env, &[family_ix(&admin.pubkey(), REMOTE_DOMAIN, 2)], &[&admin]).await.unwrap();
    b.send(to(solana_key)).await.unwrap();
}
