use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::error::InstructionError;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_instruction;
use maskoii::errors::MaskoiiError;
use maskoii::instructions::SendArgs;
use maskoii::protocol::attestation::AttestationKind;
use maskoii::protocol::message;
use maskoii::state::{AttesterSetAccount, Config, OutboxMessage, Receipt, Verification};
use solana_signer::Signer as _;

use crate::common::*;

#[tokio::test]
async fn test_deliver_calls_recipient_and_records_receipt() {
    let mut env = setup(5, 6000).await;
    let msg = inbound(0, b"hello");
    let id = message::id(&msg);
    deliver_with_quorum(&mut env, &msg, &[0, 2, 4]).await.unwrap();

    let receipt: Receipt = account(&mut env, receipt_of(&msg)).await;
    assert_eq!(receipt.message_id, id);
    assert_eq!(receipt.origin_domain, REMOTE_DOMAIN);
    assert_eq!(receipt.nonce, 0);
    assert_eq!(receipt.recipient, recipient_id());
    assert_eq!(receipt.relayer, payer_of(&env));
    let store = env.ctx.banks_client.get_account(env.store).await.unwrap().unwrap();
    let len = u32::from_le_bytes(store.data[..4].try_into().unwrap()) as usize;
    let body = &store.data[4..4 + len];
    assert_eq!(&body[..4], &REMOTE_DOMAIN.to_le_bytes());
    assert_eq!(&body[4..36], &msg[13..45]);
    assert_eq!(&body[36..40], &5u32.to_le_bytes());
    assert_eq!(&body[40..], b"hello");
}

#[tokio::test]
async fn test_receipt_is_written_before_the_recipient_runs() {
    let mut env = setup(5, 6000).await;
    let msg = inbound(0, b"check receipt");
    let id = message::id(&msg);
    let set = env.set1.clone();
    post(&mut env, AttestationKind::Message, 1, &set, &id, &[0, 1, 2]).await;
    let payer = payer_of(&env);
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    a.remaining.push(AccountMeta::new_readonly(receipt_of(&msg), false));
    exec(&mut env, &[a.build(id, msg.clone())], &[]).await.unwrap();
}

#[tokio::test]
async fn test_deliver_closes_verification_and_refunds_its_payer_exactly() {
    let mut env = setup(5, 6000).await;
    let poster = funded(&mut env).await;
    let msg = inbound(0, b"x");
    let id = message::id(&msg);
    let digest = local_digest(AttestationKind::Message, 1, &id);
    let set = env.set1.clone();
    let post = ix_post(&poster.pubkey(), AttestationKind::Message, 1, &id, entries(&digest, &set, &[0, 1, 2]));
    exec(&mut env, &[post], &[&poster]).await.unwrap();
    let verification = verification_pda(&poster.pubkey(), AttestationKind::Message, 1, &id);
    let v: Verification = account(&mut env, verification).await;
    assert_eq!(v.payer, poster.pubkey());
    assert_eq!(v.signed_weight, 3);
    assert_eq!(v.digest, digest);
    let rent = lamports(&mut env, verification).await;
    let before = lamports(&mut env, poster.pubkey()).await;

    // A different relayer (the context payer) delivers; the rent goes back to the poster, not the relayer.
    let relayer = payer_of(&env);
    let ix = DeliverAccounts::new(&relayer, &poster.pubkey(), 1, &msg, &env.store).build(id, msg.clone());
    exec(&mut env, &[ix], &[]).await.unwrap();
    assert!(!exists(&mut env, verification).await, "verification account closed");
    assert_eq!(lamports(&mut env, verification).await, 0);
    assert_eq!(lamports(&mut env, poster.pubkey()).await, before + rent);
}

#[tokio::test]
async fn test_deliver_replay_fails_because_the_receipt_exists() {
    let mut env = setup(5, 6000).await;
    let msg = inbound(0, b"once");
    let id = message::id(&msg);
    deliver_with_quorum(&mut env, &msg, &[0, 1, 2]).await.unwrap();
    let first: Receipt = account(&mut env, receipt_of(&msg)).await;

    // A second relayer gathers a fresh quorum for the same message: the receipt PDA already exists.
    let relayer = funded(&mut env).await;
    let digest = local_digest(AttestationKind::Message, 1, &id);
    let set = env.set1.clone();
    let post = ix_post(&relayer.pubkey(), AttestationKind::Message, 1, &id, entries(&digest, &set, &[2, 3, 4]));
    exec(&mut env, &[post], &[&relayer]).await.unwrap();
    let ix = DeliverAccounts::new(&relayer.pubkey(), &relayer.pubkey(), 1, &msg, &env.store).build(id, msg.clone());
    assert_error(exec(&mut env, &[ix], &[&relayer]).await, MaskoiiError::AlreadyDelivered);
    let after: Receipt = account(&mut env, receipt_of(&msg)).await;
    assert_eq!(after.relayer, first.relayer);
    assert!(exists(&mut env, verification_pda(&relayer.pubkey(), AttestationKind::Message, 1, &id)).await);
}

#[tokio::test]
async fn test_post_signatures_prefunded_verification_and_wrong_bump() {
    let mut env = setup(5, 6000).await;
    let msg = inbound(0, b"prefunded verification");
    let id = message::id(&msg);
    let payer = payer_of(&env);
    let verification = verification_pda(&payer, AttestationKind::Message, 1, &id);
    // A bump that does not give the account's address fails the seeds check.
    let digest = local_digest(AttestationKind::Message, 1, &id);
    let set = env.set1.clone();
    let mut ix = ix_post(&payer, AttestationKind::Message, 1, &id, entries(&digest, &set, &[0, 1, 2]));
    let canonical = *ix.data.last().unwrap();
    *ix.data.last_mut().unwrap() = canonical.wrapping_sub(1);
    assert_anchor_error(exec(&mut env, &[ix], &[]).await, anchor_lang::error::ErrorCode::ConstraintSeeds);
    // Lamports sent in advance to the verification address do not block posting.
    exec(&mut env, &[system_instruction::transfer(&payer, &verification, 1_000_000)], &[]).await.unwrap();
    deliver_with_quorum(&mut env, &msg, &[0, 1, 2]).await.unwrap();
    assert!(exists(&mut env, receipt_of(&msg)).await);
    assert!(!exists(&mut env, verification).await, "consumed and closed");
}

#[tokio::test]
async fn test_deliver_works_when_the_receipt_address_was_prefunded() {
    let mut env = setup(5, 6000).await;
    let msg = inbound(0, b"prefunded");
    let id = message::id(&msg);
    // Someone sends lamports to the receipt PDA in advance to try to block the delivery: it still works.
    let payer = payer_of(&env);
    exec(&mut env, &[system_instruction::transfer(&payer, &receipt_of(&msg), 1_000_000)], &[]).await.unwrap();
    deliver_with_quorum(&mut env, &msg, &[0, 1, 2]).await.unwrap();
    let receipt: Receipt = account(&mut env, receipt_of(&msg)).await;
    assert_eq!(receipt.message_id, id);
    // And the pre-funded, now delivered, message cannot be delivered again.
    refresh(&mut env).await;
    assert_error(deliver_with_quorum(&mut env, &msg, &[2, 3, 4]).await, MaskoiiError::AlreadyDelivered);
}

#[tokio::test]
async fn test_deliver_failed_recipient_reverts_everything_and_can_be_retried() {
    let mut env = setup(5, 6000).await;
    let msg = inbound(0, b"fail");
    let id = message::id(&msg);
    let result = deliver_with_quorum(&mut env, &msg, &[0, 1, 2]).await;
    assert_instruction_error(result, InstructionError::Custom(77));
    assert!(!exists(&mut env, receipt_of(&msg)).await, "no receipt: nothing consumed");
    let payer = payer_of(&env);
    assert!(exists(&mut env, verification_pda(&payer, AttestationKind::Message, 1, &id)).await, "verification kept");

    // Anyone may retry with the same verification account; here the recipient still fails.
    let other = funded(&mut env).await;
    let ix = DeliverAccounts::new(&other.pubkey(), &payer, 1, &msg, &env.store).build(id, msg.clone());
    assert_instruction_error(exec(&mut env, &[ix], &[&other]).await, InstructionError::Custom(77));
    assert!(!exists(&mut env, receipt_of(&msg)).await);
}

#[tokio::test]
async fn test_deliver_13_of_19_in_two_transactions_that_fit_the_packet_size() {
    let mut env = setup(19, 6667).await;
    let msg = inbound(7, &[0xab; 105]); // a token-transfer-sized payload
    let id = message::id(&msg);
    let digest = local_digest(AttestationKind::Message, 1, &id);
    let set = env.set1.clone();
    let payer = payer_of(&env);
    let signatures = entries(&digest, &set, &(0..13).collect::<Vec<_>>());

    let tx1 = transaction(&env, &[ix_post(&payer, AttestationKind::Message, 1, &id, signatures[..7].to_vec())], &[]);
    let tx2 = transaction(
        &env,
        &[
            ix_post(&payer, AttestationKind::Message, 1, &id, signatures[7..].to_vec()),
            DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store).build(id, msg.clone()),
        ],
        &[],
    );
    let (size1, size2) = (wire_size(&tx1), wire_size(&tx2));
    println!("13-of-19 delivery: post 7 = {size1} bytes, post 6 + deliver = {size2} bytes (limit {PACKET_DATA_SIZE})");
    let all13 = transaction(&env, &[ix_post(&payer, AttestationKind::Message, 1, &id, signatures.clone())], &[]);
    let deliver_only =
        transaction(&env, &[DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store).build(id, msg.clone())], &[]);
    println!(
        "for comparison: post 13 alone = {} bytes (325,000 CU in one instruction), deliver alone = {} bytes",
        wire_size(&all13),
        wire_size(&deliver_only)
    );
    assert!(size1 <= PACKET_DATA_SIZE, "tx1 is {size1} bytes");
    assert!(size2 <= PACKET_DATA_SIZE, "tx2 is {size2} bytes");

    env.ctx.banks_client.process_transaction(tx1).await.unwrap();
    let v: Verification = account(&mut env, verification_pda(&payer, AttestationKind::Message, 1, &id)).await;
    assert_eq!(v.signed_weight, 7);
    assert_eq!(v.next_index, 7);
    env.ctx.banks_client.process_transaction(tx2).await.unwrap();
    assert!(exists(&mut env, receipt_of(&msg)).await);
}

#[tokio::test]
async fn test_deliver_12_of_19_is_insufficient() {
    let mut env = setup(19, 6667).await;
    let msg = inbound(0, b"x");
    let result = deliver_with_quorum(&mut env, &msg, &(0..12).collect::<Vec<_>>()).await;
    assert_error(result, MaskoiiError::InsufficientWeight);
}

#[tokio::test]
async fn test_deliver_rejects_message_checks() {
    let mut env = setup(5, 6000).await;
    let payer = payer_of(&env);
    let set = env.set1.clone();
    let msg = inbound(0, b"x");
    let id = message::id(&msg);
    post(&mut env, AttestationKind::Message, 1, &set, &id, &[0, 1, 2]).await;
    let accounts = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);

    // The id argument must be keccak256 of the message.
    let mut bad = msg.clone();
    bad[81] ^= 1;
    assert_error(exec(&mut env, &[accounts.build(id, bad)], &[]).await, MaskoiiError::MessageIdMismatch);

    // A malformed message (here: too short) is rejected with its spec error.
    let short = msg[..80].to_vec();
    let a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    assert_error(exec(&mut env, &[a.build(message::id(&short), short)], &[]).await, MaskoiiError::MessageTooShort);

    // An unsupported version.
    let mut v2 = msg.clone();
    v2[0] = 2;
    let a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    assert_error(exec(&mut env, &[a.build(message::id(&v2), v2)], &[]).await, MaskoiiError::UnsupportedVersion);

    // Addressed to another domain.
    let other = message::encode(0, REMOTE_DOMAIN, &[1; 32], 1002, &recipient_id().to_bytes(), b"x").unwrap();
    let other_id = message::id(&other);
    post(&mut env, AttestationKind::Message, 1, &set, &other_id, &[0, 1, 2]).await;
    let a = DeliverAccounts::new(&payer, &payer, 1, &other, &env.store);
    assert_error(exec(&mut env, &[a.build(other_id, other)], &[]).await, MaskoiiError::WrongDestination);

    // The recipient program account must be the message's recipient.
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    a.recipient_program = anchor_lang::system_program::ID;
    assert_error(exec(&mut env, &[a.build(id, msg.clone())], &[]).await, MaskoiiError::RecipientMismatch);
}

#[tokio::test]
async fn test_deliver_rejects_bad_recipients() {
    let mut env = setup(5, 6000).await;
    let payer = payer_of(&env);
    let set = env.set1.clone();

    // The zero recipient (an unset EVM `recipient`) is the system program.
    let to_zero = message::encode(0, REMOTE_DOMAIN, &[1; 32], LOCAL_DOMAIN, &[0; 32], b"x").unwrap();
    let id = message::id(&to_zero);
    post(&mut env, AttestationKind::Message, 1, &set, &id, &[0, 1, 2]).await;
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &to_zero, &env.store);
    a.recipient_program = anchor_lang::system_program::ID;
    assert_error(exec(&mut env, &[a.build(id, to_zero)], &[]).await, MaskoiiError::InvalidRecipient);

    // A data account (not executable) as recipient.
    let store = env.store;
    let to_data = message::encode(1, REMOTE_DOMAIN, &[1; 32], LOCAL_DOMAIN, &store.to_bytes(), b"x").unwrap();
    let id = message::id(&to_data);
    post(&mut env, AttestationKind::Message, 1, &set, &id, &[0, 1, 2]).await;
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &to_data, &env.store);
    a.recipient_program = store;
    a.remaining.clear();
    assert_error(exec(&mut env, &[a.build(id, to_data)], &[]).await, MaskoiiError::RecipientNotExecutable);
}

#[tokio::test]
async fn test_deliver_rejects_verification_of_another_kind_or_value() {
    let mut env = setup(5, 6000).await;
    let payer = payer_of(&env);
    let set = env.set1.clone();
    let msg = inbound(0, b"a");
    let id = message::id(&msg);

    // A rotation-kind verification over the message id (same value, other type hash).
    post(&mut env, AttestationKind::Rotation, 1, &set, &id, &[0, 1, 2]).await;
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    a.verification = verification_pda(&payer, AttestationKind::Rotation, 1, &id);
    assert_error(exec(&mut env, &[a.build(id, msg.clone())], &[]).await, MaskoiiError::VerificationKindMismatch);

    // A quorum over message B used for message A.
    let msg_b = inbound(1, b"b");
    let id_b = message::id(&msg_b);
    post(&mut env, AttestationKind::Message, 1, &set, &id_b, &[0, 1, 2]).await;
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    a.verification = verification_pda(&payer, AttestationKind::Message, 1, &id_b);
    assert_error(exec(&mut env, &[a.build(id, msg.clone())], &[]).await, MaskoiiError::VerificationValueMismatch);
}

#[tokio::test]
async fn test_send_assigns_nonces_stores_outbox_and_charges_fee() {
    let mut env = setup(5, 6000).await;
    let admin = env.admin.insecure_clone();
    exec(&mut env, &[ix_set_fee(&admin.pubkey(), REMOTE_DOMAIN, 1_000, 10)], &[&admin]).await.unwrap();
    let sender = funded(&mut env).await;
    let payer = payer_of(&env);
    let vault_before = lamports(&mut env, fee_vault_pda()).await;
    let recipient = [0x22; 32];
    for nonce in 0..2u64 {
        let args = SendArgs { destination: REMOTE_DOMAIN, recipient, payload: vec![nonce as u8; 20], max_fee: 1_200 };
        exec(&mut env, &[ix_send(&sender.pubkey(), &payer, nonce, args)], &[&sender]).await.unwrap();
        let outbox: OutboxMessage = account(&mut env, outbox_pda(nonce)).await;
        let expected = message::encode(
            nonce,
            LOCAL_DOMAIN,
            &sender.pubkey().to_bytes(),
            REMOTE_DOMAIN,
            &recipient,
            &[nonce as u8; 20],
        )
        .unwrap();
        assert_eq!(outbox.message, expected);
        assert_eq!(outbox.nonce, nonce);
        assert_eq!(outbox.sender, sender.pubkey());
        assert_eq!(outbox.destination, REMOTE_DOMAIN);
    }
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.next_nonce, 2);
    assert_eq!(lamports(&mut env, fee_vault_pda()).await, vault_before + 2 * (1_000 + 10 * 20));
}

#[tokio::test]
async fn test_send_rejects_fee_above_maximum_and_bad_destinations() {
    let mut env = setup(5, 6000).await;
    let admin = env.admin.insecure_clone();
    exec(&mut env, &[ix_set_fee(&admin.pubkey(), REMOTE_DOMAIN, 1_000, 0)], &[&admin]).await.unwrap();
    let payer = payer_of(&env);
    let args = SendArgs { destination: REMOTE_DOMAIN, recipient: [1; 32], payload: vec![], max_fee: 999 };
    assert_error(exec(&mut env, &[ix_send(&payer, &payer, 0, args)], &[]).await, MaskoiiError::FeeExceedsMaximum);

    // The local domain is not a destination (its route fee account cannot exist either, so build it by hand).
    let args = SendArgs { destination: LOCAL_DOMAIN, recipient: [1; 32], payload: vec![], max_fee: 0 };
    let result = exec(&mut env, &[ix_send(&payer, &payer, 0, args)], &[]).await;
    assert_anchor_error(result, anchor_lang::error::ErrorCode::AccountNotInitialized);
    assert_error(
        exec(&mut env, &[ix_set_fee(&admin.pubkey(), LOCAL_DOMAIN, 0, 0)], &[&admin]).await,
        MaskoiiError::InvalidDestination,
    );
    assert_error(
        exec(&mut env, &[ix_set_fee(&admin.pubkey(), 0, 0, 0)], &[&admin]).await,
        MaskoiiError::InvalidDestination,
    );

    // A destination without a fee schedule is not enabled.
    let args = SendArgs { destination: 4242, recipient: [1; 32], payload: vec![], max_fee: 0 };
    let result = exec(&mut env, &[ix_send(&payer, &payer, 0, args)], &[]).await;
    assert_anchor_error(result, anchor_lang::error::ErrorCode::AccountNotInitialized);
}

#[tokio::test]
async fn test_send_rejects_payload_over_4096_bytes() {
    // Instruction data cannot carry 4,097 bytes in one transaction; the check is exercised through `validate` by
    // the unit vectors (PayloadTooLong) and here by calling the pure check directly.
    let err = message::encode(0, LOCAL_DOMAIN, &[0; 32], REMOTE_DOMAIN, &[0; 32], &vec![0; 4097]).unwrap_err();
    assert_eq!(err, MaskoiiError::PayloadTooLong);
}

#[tokio::test]
async fn test_pause_blocks_send_and_deliver_until_unpaused() {
    let mut env = setup(5, 6000).await;
    let guardian = env.guardian.insecure_clone();
    let payer = payer_of(&env);
    exec(&mut env, &[ix_set_paused(&guardian.pubkey(), true)], &[&guardian]).await.unwrap();
    let config: Config = account(&mut env, config_pda()).await;
    assert!(config.paused);

    let args = SendArgs { destination: REMOTE_DOMAIN, recipient: [1; 32], payload: vec![1], max_fee: 0 };
    assert_error(exec(&mut env, &[ix_send(&payer, &payer, 0, args.clone())], &[]).await, MaskoiiError::Paused);
    let msg = inbound(0, b"p");
    assert_error(deliver_with_quorum(&mut env, &msg, &[0, 1, 2]).await, MaskoiiError::Paused);

    exec(&mut env, &[ix_set_paused(&guardian.pubkey(), false)], &[&guardian]).await.unwrap();
    refresh(&mut env).await; // the identical failed transactions above are cached under their signatures
    exec(&mut env, &[ix_send(&payer, &payer, 0, args)], &[]).await.unwrap();
    let id = message::id(&msg);
    let ix = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store).build(id, msg.clone());
    exec(&mut env, &[ix], &[]).await.unwrap();
    assert!(exists(&mut env, receipt_of(&msg)).await);
}

#[tokio::test]
async fn test_set_paused_only_by_guardian() {
    let mut env = setup(5, 6000).await;
    let admin = env.admin.insecure_clone();
    assert_error(exec(&mut env, &[ix_set_paused(&admin.pubkey(), true)], &[&admin]).await, MaskoiiError::NotGuardian);
}

#[tokio::test]
async fn test_send_works_when_the_next_outbox_address_was_prefunded() {
    let mut env = setup(5, 6000).await;
    let admin = env.admin.insecure_clone();
    exec(&mut env, &[ix_set_fee(&admin.pubkey(), REMOTE_DOMAIN, 0, 0)], &[&admin]).await.unwrap();
    let payer = payer_of(&env);
    // The next outbox address is predictable (its seed is the next nonce): lamports sent to it must not block `send`.
    exec(&mut env, &[system_instruction::transfer(&payer, &outbox_pda(0), 1_000_000)], &[]).await.unwrap();
    let args = SendArgs { destination: REMOTE_DOMAIN, recipient: [1; 32], payload: vec![7], max_fee: 0 };
    exec(&mut env, &[ix_send(&payer, &payer, 0, args)], &[]).await.unwrap();
    let outbox: OutboxMessage = account(&mut env, outbox_pda(0)).await;
    assert_eq!(outbox.nonce, 0);
}

/// docs/protocol.md §8.1, "Exactly-once key": a quorum that equivocates signs two different messages with one
/// (origin, nonce). The first is delivered; the second, though quorum-signed, is refused (`AlreadyDelivered`: the
/// receipt is keyed by the pair), and both signatures remain evidence that removes the equivocating signer.
#[tokio::test]
async fn test_deliver_equivocating_pair_second_refused_and_evidence_reportable() {
    let mut env = setup(5, 6000).await;
    let first = inbound(7, b"pay alice");
    let second = inbound(7, b"pay mallory");
    assert_ne!(message::id(&first), message::id(&second));
    assert_eq!(receipt_of(&first), receipt_of(&second), "one receipt address per (origin, nonce)");
    deliver_with_quorum(&mut env, &first, &[0, 1, 2]).await.unwrap();
    assert_error(deliver_with_quorum(&mut env, &second, &[0, 1, 2]).await, MaskoiiError::AlreadyDelivered);
    let msg = first.clone();
    let receipt: Receipt = account(&mut env, receipt_of(&msg)).await;
    assert_eq!(receipt.message_id, message::id(&first), "the receipt names the delivered message");
    assert_eq!((receipt.origin_domain, receipt.nonce), (REMOTE_DOMAIN, 7));
    // The mock recipient saw the first payload only.
    let store = env.store;
    let data = env.ctx.banks_client.get_account(store).await.unwrap().unwrap().data;
    assert!(data.windows(9).any(|w| w == b"pay alice"));
    assert!(!data.windows(11).any(|w| w == b"pay mallory"));
    // The evidence stays reportable: the two signatures of attester 0 remove it from the set.
    let key = env.set1[0].key.clone();
    let payer = payer_of(&env);
    let report = ix_report(&payer, 1, None, evidence(&first, 1, &key), evidence(&second, 1, &key));
    run_report(&mut env, report).await;
    let set: AttesterSetAccount = account(&mut env, set_pda(1)).await;
    assert_eq!(set.weights[0], 0, "the equivocating attester no longer counts");
}

async fn run_report(env: &mut Env, report: Instruction) {
    refresh(env).await;
    exec(env, &[report], &[]).await.unwrap();
}
