//! Events in the transaction logs (`Program data: <base64>` lines, decoded with the IDL's discriminators), as an
//! indexer reading `getTransaction` sees them.

use anchor_lang::prelude::*;
use anchor_lang::{Discriminator, Event};
use base64::prelude::{Engine, BASE64_STANDARD};
use maskoii::events::*;
use maskoii::instructions::SendArgs;
use maskoii::protocol::attestation::AttestationKind;
use maskoii::protocol::message;
use maskoii::state::OutboxMessage;
use solana_signer::Signer as _;

use crate::common::events::{event, events, idl_event_discriminators, records};
use crate::common::*;

/// Every event type of the program with its name in the IDL.
fn program_events() -> Vec<(&'static str, &'static [u8])> {
    macro_rules! list {
        ($($name:ident),* $(,)?) => { vec![$((stringify!($name), $name::DISCRIMINATOR)),*] };
    }
    list![
        MessageSent,
        MessageDelivered,
        SignaturesPosted,
        AttesterSetRotated,
        EmergencyRotationProposed,
        EmergencyRotationCancelled,
        AttesterSlashed,
        PausedSet,
        GuardianChanged,
        AdminTransferStarted,
        AdminTransferred,
        FeeSet,
        FeesWithdrawn,
        TokenRegistered,
        RemoteBridgeSet,
        TokenLinked,
        RateLimitsSet,
        TransferSent,
        TransferReceived,
        TransferQueued,
        QueuedTransferReleased,
        QueuedTransferCancelled,
        TransferRefundable,
        TransferRefunded,
        DestinationFamilySet,
        DistributionCreated,
        DistributionFunded,
        Claimed,
    ]
}

#[test]
fn test_event_discriminators_match_the_committed_idl() {
    let mut idl = idl_event_discriminators();
    let mut rust: Vec<(String, Vec<u8>)> =
        program_events().into_iter().map(|(n, d)| (n.to_string(), d.to_vec())).collect();
    idl.sort();
    rust.sort();
    assert_eq!(rust, idl, "every event of the program, with the IDL's discriminator (and no other)");
}

#[tokio::test]
async fn test_send_logs_message_sent_with_the_whole_message() {
    let mut env = setup(5, 6000).await;
    let sender = funded(&mut env).await;
    let payer = payer_of(&env);
    let recipient = [0x22; 32];
    let payload = b"event payload".to_vec();
    let args = SendArgs { destination: REMOTE_DOMAIN, recipient, payload: payload.clone(), max_fee: 0 };
    let logs = exec_logged(&mut env, &[ix_send(&sender.pubkey(), &payer, 0, args)], &[&sender]).await.unwrap();

    let expected =
        message::encode(0, LOCAL_DOMAIN, &sender.pubkey().to_bytes(), REMOTE_DOMAIN, &recipient, &payload).unwrap();
    let sent: MessageSent = event(&logs);
    assert_eq!(sent.message, expected, "the event carries the whole §2 encoding");
    assert_eq!(sent.message_id, message::id(&expected));
    assert_eq!((sent.destination, sent.nonce), (REMOTE_DOMAIN, 0));
    let outbox: OutboxMessage = account(&mut env, outbox_pda(0)).await;
    assert_eq!(outbox.message, sent.message, "event and outbox account hold the same bytes");

    // The line is the SBF runtime's: `Program data: ` + base64(discriminator ‖ borsh), inside the program's
    // invoke/success lines.
    let line = format!("Program data: {}", BASE64_STANDARD.encode(sent.data()));
    let at = logs.iter().position(|l| *l == line).expect("exact Program data line");
    let invoke = format!("Program {} invoke [1]", maskoii::ID);
    let success = format!("Program {} success", maskoii::ID);
    assert!(logs[..at].contains(&invoke), "{logs:#?}");
    assert!(logs[at..].contains(&success), "{logs:#?}");
    assert_eq!(records(&logs).len(), 1, "send logs one event");
}

#[tokio::test]
async fn test_post_and_deliver_log_signatures_posted_and_message_delivered() {
    let mut env = setup(5, 6000).await;
    let msg = inbound(7, b"to the recipient");
    let id = message::id(&msg);
    let set = env.set1.clone();
    let payer = payer_of(&env);
    let digest = local_digest(AttestationKind::Message, 1, &id);
    let post = ix_post(&payer, AttestationKind::Message, 1, &id, entries(&digest, &set, &[0, 2, 4]));
    let logs = exec_logged(&mut env, &[post], &[]).await.unwrap();
    let posted: SignaturesPosted = event(&logs);
    assert_eq!(posted.verification, verification_pda(&payer, AttestationKind::Message, 1, &id));
    assert_eq!((posted.digest, posted.attester_set_id, posted.signatures, posted.signed_weight), (digest, 1, 3, 3));

    let ix = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store).build(id, msg.clone());
    let logs = exec_logged(&mut env, &[ix], &[]).await.unwrap();
    let delivered: MessageDelivered = event(&logs);
    assert_eq!((delivered.message_id, delivered.origin, delivered.nonce), (id, REMOTE_DOMAIN, 7));
    assert!(events::<MessageSent>(&logs).is_empty());
}

#[tokio::test]
async fn test_failed_delivery_keeps_its_logged_event_in_the_failed_transaction_only() {
    let mut env = setup(5, 6000).await;
    let msg = inbound(0, b"fail");
    let id = message::id(&msg);
    let set = env.set1.clone();
    post(&mut env, AttestationKind::Message, 1, &set, &id, &[0, 1, 2]).await;
    let payer = payer_of(&env);
    let ix = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store).build(id, msg.clone());
    let tx = transaction(&env, &[ix], &[]);
    let outcome = env.ctx.banks_client.process_transaction_with_metadata(tx).await.unwrap();
    assert!(outcome.result.is_err(), "the recipient fails");
    // `MessageDelivered` is logged before the recipient is called; as on a cluster, the logs of the failed
    // transaction still contain it, so indexers take events from successful transactions only.
    let logs = outcome.metadata.expect("metadata of the failed transaction").log_messages;
    assert_eq!(event::<MessageDelivered>(&logs).message_id, id);
    assert!(!exists(&mut env, receipt_of(&msg)).await, "nothing was delivered");
}

#[tokio::test]
async fn test_initialize_and_admin_instructions_log_their_events() {
    let (ctx, admin, guardian, store) = start().await;
    let set1 = attesters(3, 1);
    let mut env = Env { ctx, admin, guardian, set1, store };
    let deployer = deployer();
    let args = init_args(&env.admin, &env.guardian, &env.set1, 6000);
    let expected_hash = set_hash(1, &args.set);
    let logs = exec_logged(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await.unwrap();
    let rotated: AttesterSetRotated = event(&logs);
    assert_eq!((rotated.set_id, rotated.set_hash, rotated.previous_set_expires_at), (1, expected_hash, 0));

    let admin = env.admin.insecure_clone();
    let logs = exec_logged(&mut env, &[ix_set_fee(&admin.pubkey(), REMOTE_DOMAIN, 9, 3)], &[&admin]).await.unwrap();
    let fee: FeeSet = event(&logs);
    assert_eq!((fee.destination, fee.base_fee, fee.fee_per_byte), (REMOTE_DOMAIN, 9, 3));

    let guardian = env.guardian.insecure_clone();
    let logs = exec_logged(&mut env, &[ix_set_paused(&guardian.pubkey(), true)], &[&guardian]).await.unwrap();
    assert!(event::<PausedSet>(&logs).paused);
}
