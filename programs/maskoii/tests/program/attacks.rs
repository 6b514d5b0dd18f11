//! Account attacks: wrong owner, wrong type, wrong PDA, missing signer, duplicated mutable accounts, closed
//! account reuse, lamport redirection on close.

use anchor_lang::error::ErrorCode;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::error::InstructionError;
use maskoii::errors::MaskoiiError;
use maskoii::protocol::attestation::AttestationKind;
use maskoii::protocol::message;
use maskoii::state::Verification;
use solana_signer::Signer as _;

use crate::common::*;

#[tokio::test]
async fn test_wrong_owner_verification_is_rejected() {
    let mut env = setup(5, 6000).await;
    let payer = payer_of(&env);
    let msg = inbound(0, b"x");
    let id = message::id(&msg);
    // The mock recipient's store account (owned by another program) passed as the verification account.
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    a.verification = env.store;
    assert_anchor_error(exec(&mut env, &[a.build(id, msg)], &[]).await, ErrorCode::AccountOwnedByWrongProgram);
}

#[tokio::test]
async fn test_account_of_another_type_is_rejected() {
    let mut env = setup(5, 6000).await;
    let guardian = env.guardian.insecure_clone();
    // Attester set 1 (owned by maskoii, other discriminator) passed as the config.
    let mut ix = ix_set_paused(&guardian.pubkey(), true);
    ix.accounts[1].pubkey = set_pda(1);
    assert_anchor_error(exec(&mut env, &[ix], &[&guardian]).await, ErrorCode::AccountDiscriminatorMismatch);
}

#[tokio::test]
async fn test_wrong_pda_is_rejected() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let set2 = attesters(4, 2);
    rotate(&mut env, 1, &set1, &set_args(&set2, 7500), &[0, 1, 2]).await.unwrap();
    let payer = payer_of(&env);

    // Signatures of set 2's members claimed for set 1 while passing set 2's account.
    let id = [3u8; 32];
    let digest = local_digest(AttestationKind::Message, 1, &id);
    let mut ix = ix_post(&payer, AttestationKind::Message, 1, &id, entries(&digest, &set2, &[0, 1, 2]));
    ix.accounts[2].pubkey = set_pda(2);
    assert_anchor_error(exec(&mut env, &[ix], &[]).await, ErrorCode::ConstraintSeeds);

    // A set-1 verification delivered against set 2's account.
    let msg = inbound(0, b"x");
    let id = message::id(&msg);
    post(&mut env, AttestationKind::Message, 1, &set1, &id, &[0, 1, 2]).await;
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    a.attester_set = set_pda(2);
    assert_anchor_error(exec(&mut env, &[a.build(id, msg.clone())], &[]).await, ErrorCode::ConstraintSeeds);

    // A receipt address that is not the message id's PDA.
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    a.receipt = pda(&[maskoii::seeds::RECEIPT_SEED, &[0u8; 32]]);
    assert_anchor_error(exec(&mut env, &[a.build(id, msg.clone())], &[]).await, ErrorCode::ConstraintSeeds);

    // Another recipient's gateway authority (checked in `validate` by `find_program_address` for a foreign recipient).
    let a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    let mut ix = a.build(id, msg);
    assert_eq!(ix.accounts[7].pubkey, authority_pda(&recipient_id()));
    ix.accounts[7].pubkey = authority_pda(&attacker_id());
    assert_anchor_error(exec(&mut env, &[ix], &[]).await, ErrorCode::ConstraintSeeds);
}

#[tokio::test]
async fn test_missing_signer_is_rejected() {
    let mut env = setup(5, 6000).await;
    let guardian = env.guardian.pubkey();
    // The guardian's account is passed but the transaction is not signed by it.
    let mut ix = ix_set_paused(&guardian, true);
    ix.accounts[0].is_signer = false;
    assert_anchor_error(exec(&mut env, &[ix], &[]).await, ErrorCode::AccountNotSigner);
    let admin = env.admin.pubkey();
    let mut ix = ix_withdraw_fees(&admin, &admin, 1);
    ix.accounts[0].is_signer = false;
    assert_anchor_error(exec(&mut env, &[ix], &[]).await, ErrorCode::AccountNotSigner);
}

#[tokio::test]
async fn test_duplicated_mutable_accounts_are_rejected() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let payer = payer_of(&env);
    // The current set passed again as the previous set.
    let ev_a = evidence(&inbound(1, b"a"), 1, &set1[0].key);
    let ev_b = evidence(&inbound(1, b"b"), 1, &set1[0].key);
    let ix = ix_report(&payer, 1, Some(set_pda(1)), ev_a, ev_b);
    assert_anchor_error(exec(&mut env, &[ix], &[]).await, ErrorCode::ConstraintDuplicateMutableAccount);
}

#[tokio::test]
async fn test_closed_verification_cannot_be_reused() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let payer = payer_of(&env);
    let msg = inbound(0, b"first");
    let id = message::id(&msg);
    deliver_with_quorum(&mut env, &msg, &[0, 1, 2]).await.unwrap();
    let verification = verification_pda(&payer, AttestationKind::Message, 1, &id);
    assert!(!exists(&mut env, verification).await);

    // Reusing the closed account for a second message: it no longer exists.
    let msg2 = inbound(1, b"second");
    let id2 = message::id(&msg2);
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &msg2, &env.store);
    a.verification = verification;
    assert_anchor_error(exec(&mut env, &[a.build(id2, msg2)], &[]).await, ErrorCode::AccountNotInitialized);

    // Re-posting to the same PDA starts from zero: one signature is not a quorum, and the message stays delivered.
    let digest = local_digest(AttestationKind::Message, 1, &id);
    exec(&mut env, &[ix_post(&payer, AttestationKind::Message, 1, &id, entries(&digest, &set1, &[4]))], &[])
        .await
        .unwrap();
    let v: Verification = account(&mut env, verification).await;
    assert_eq!(v.signed_weight, 1);
    assert_eq!(v.next_index, 5);
    refresh(&mut env).await; // otherwise the identical first delivery would be answered from the status cache
    let ix = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store).build(id, msg.clone());
    // The receipt already exists: the delivery is refused by name.
    assert_error(exec(&mut env, &[ix], &[]).await, MaskoiiError::AlreadyDelivered);
}

#[tokio::test]
async fn test_close_rent_cannot_be_redirected() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let poster = funded(&mut env).await;
    let thief = funded(&mut env).await;
    let msg = inbound(0, b"x");
    let id = message::id(&msg);
    let digest = local_digest(AttestationKind::Message, 1, &id);
    let post = ix_post(&poster.pubkey(), AttestationKind::Message, 1, &id, entries(&digest, &set1, &[0, 1, 2]));
    exec(&mut env, &[post], &[&poster]).await.unwrap();
    let verification = verification_pda(&poster.pubkey(), AttestationKind::Message, 1, &id);
    let rent = lamports(&mut env, verification).await;

    // The thief relays but names itself as the verification payer to collect the rent.
    let ix = DeliverAccounts::new(&thief.pubkey(), &thief.pubkey(), 1, &msg, &env.store);
    let mut ix = ix;
    ix.verification = verification;
    assert_anchor_error(exec(&mut env, &[ix.build(id, msg.clone())], &[&thief]).await, ErrorCode::ConstraintAddress);
    assert_eq!(lamports(&mut env, verification).await, rent);

    // Relaying honestly, the rent goes to the poster and the thief only pays the receipt.
    let poster_before = lamports(&mut env, poster.pubkey()).await;
    let mut ok = DeliverAccounts::new(&thief.pubkey(), &poster.pubkey(), 1, &msg, &env.store);
    ok.verification = verification;
    exec(&mut env, &[ok.build(id, msg)], &[&thief]).await.unwrap();
    assert_eq!(lamports(&mut env, poster.pubkey()).await, poster_before + rent);
}

#[tokio::test]
async fn test_recipient_cannot_forward_its_gateway_authority_to_another_recipient() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let payer = payer_of(&env);
    // A genuine, attested message to the attacker's own program.
    let msg = message::encode(0, REMOTE_DOMAIN, &[1; 32], LOCAL_DOMAIN, &attacker_id().to_bytes(), b"hi").unwrap();
    let id = message::id(&msg);
    post(&mut env, AttestationKind::Message, 1, &set1, &id, &[0, 1, 2]).await;
    let mut a = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store);
    a.recipient_program = attacker_id();
    a.remaining = vec![AccountMeta::new(env.store, false), AccountMeta::new_readonly(recipient_id(), false)];
    // The attacker forwards the authority PDA it was signed for; the victim expects the PDA of its own id.
    let result = exec(&mut env, &[a.build(id, msg.clone())], &[]).await;
    assert_instruction_error(result, InstructionError::MissingRequiredSignature);
    let store = env.ctx.banks_client.get_account(env.store).await.unwrap().unwrap();
    assert_eq!(&store.data[..4], &[0, 0, 0, 0], "the victim recorded nothing");
    assert!(!exists(&mut env, receipt_of(&msg)).await);
}
