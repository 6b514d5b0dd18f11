use anchor_lang::prelude::*;
use maskoii::errors::MaskoiiError;
use maskoii::protocol::attestation::AttestationKind;
use maskoii::protocol::signature::{SignatureEntry, HALF_ORDER};
use maskoii::protocol::{merkle, message};
use maskoii::state::{AttesterSetAccount, Config, Verification};
use solana_signer::Signer as _;

use crate::common::*;

/// Posts `signatures` as one chunk over message `id` for set 1 and returns the result.
async fn try_post(
    env: &mut Env,
    id: &[u8; 32],
    signatures: Vec<SignatureEntry>,
) -> std::result::Result<(), solana_program_test::BanksClientError> {
    let payer = payer_of(env);
    exec(env, &[ix_post(&payer, AttestationKind::Message, 1, id, signatures)], &[]).await
}

#[tokio::test]
async fn test_post_signatures_rejects_each_bad_signature() {
    let mut env = setup(5, 6000).await;
    let set = env.set1.clone();
    let id = message::id(&inbound(0, b"x"));
    let digest = local_digest(AttestationKind::Message, 1, &id);
    let good = entries(&digest, &set, &[0, 1, 2, 3]);

    assert_error(try_post(&mut env, &id, vec![]).await, MaskoiiError::NoSignatures);

    let mut bad_v = good[0];
    bad_v.v = 29;
    assert_error(try_post(&mut env, &id, vec![bad_v]).await, MaskoiiError::InvalidSignatureV);
    bad_v.v = 0;
    assert_error(try_post(&mut env, &id, vec![bad_v]).await, MaskoiiError::InvalidSignatureV);

    let mut high_s = good[0];
    high_s.s = HALF_ORDER;
    high_s.s[31] += 1;
    assert_error(try_post(&mut env, &id, vec![high_s]).await, MaskoiiError::SignatureMalleable);

    let mut zero_r = good[0];
    zero_r.r = [0; 32];
    assert_error(try_post(&mut env, &id, vec![zero_r]).await, MaskoiiError::ZeroAddressSigner);

    let mut past_end = good[0];
    past_end.index = 5;
    assert_error(try_post(&mut env, &id, vec![past_end]).await, MaskoiiError::UnknownSigner);
    let mut wrong_index = good[0];
    wrong_index.index = 1;
    assert_error(try_post(&mut env, &id, vec![wrong_index]).await, MaskoiiError::UnknownSigner);
    let stranger = attesters(1, 9);
    let foreign = entries(&digest, &stranger, &[0]);
    assert_error(try_post(&mut env, &id, foreign).await, MaskoiiError::UnknownSigner);

    assert_error(try_post(&mut env, &id, vec![good[1], good[1]]).await, MaskoiiError::DuplicateSigner);
    assert_error(try_post(&mut env, &id, vec![good[2], good[0]]).await, MaskoiiError::SignersOutOfOrder);
}

#[tokio::test]
async fn test_post_signatures_enforces_order_across_chunks() {
    let mut env = setup(5, 6000).await;
    let set = env.set1.clone();
    let id = message::id(&inbound(0, b"x"));
    let digest = local_digest(AttestationKind::Message, 1, &id);
    let good = entries(&digest, &set, &[0, 1, 2, 3, 4]);
    try_post(&mut env, &id, vec![good[1], good[3]]).await.unwrap();
    // The next chunk must continue above index 3.
    assert_error(try_post(&mut env, &id, vec![good[3]]).await, MaskoiiError::DuplicateSigner);
    assert_error(try_post(&mut env, &id, vec![good[2]]).await, MaskoiiError::SignersOutOfOrder);
    try_post(&mut env, &id, vec![good[4]]).await.unwrap();
    let payer = payer_of(&env);
    let v: Verification = account(&mut env, verification_pda(&payer, AttestationKind::Message, 1, &id)).await;
    assert_eq!(v.signed_weight, 3);
    assert_eq!(v.next_index, 5);
    assert_eq!(v.signers[0], 0b11010);
}

#[tokio::test]
async fn test_post_signatures_for_an_unknown_set_fails() {
    let mut env = setup(5, 6000).await;
    let payer = payer_of(&env);
    let id = [1u8; 32];
    let digest = local_digest(AttestationKind::Message, 2, &id);
    let set = env.set1.clone();
    let ix = ix_post(&payer, AttestationKind::Message, 2, &id, entries(&digest, &set, &[0]));
    assert_anchor_error(exec(&mut env, &[ix], &[]).await, anchor_lang::error::ErrorCode::AccountNotInitialized);
}

#[tokio::test]
async fn test_rotation_overlap_then_expiry() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let set2 = attesters(4, 2);
    let args2 = set_args(&set2, 7500);
    let t0 = now(&mut env).await;
    rotate(&mut env, 1, &set1, &args2, &[0, 1, 2]).await.unwrap();

    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.current_set_id, 2);
    let s1: AttesterSetAccount = account(&mut env, set_pda(1)).await;
    assert!(s1.expires_at >= t0 + OVERLAP as i64 && s1.expires_at <= t0 + OVERLAP as i64 + 5);
    let s2: AttesterSetAccount = account(&mut env, set_pda(2)).await;
    assert_eq!(s2.set_id, 2);
    assert_eq!(s2.expires_at, 0);
    assert_eq!(s2.attesters, args2.attesters);
    assert_eq!(s2.total_weight, 4);
    assert_eq!(s2.threshold_bps, 7500);
    // The rotation's verification account was consumed.
    let hash = set_hash(2, &args2);
    let payer = payer_of(&env);
    assert!(!exists(&mut env, verification_pda(&payer, AttestationKind::Rotation, 1, &hash)).await);

    // During the overlap both sets deliver.
    deliver_with_quorum(&mut env, &inbound(0, b"old set"), &[0, 1, 2]).await.unwrap();
    let msg = inbound(1, b"new set");
    let id = message::id(&msg);
    post(&mut env, AttestationKind::Message, 2, &set2, &id, &[0, 1, 3]).await;
    let payer = payer_of(&env);
    let ix = DeliverAccounts::new(&payer, &payer, 2, &msg, &env.store).build(id, msg.clone());
    exec(&mut env, &[ix], &[]).await.unwrap();

    // Gathered for set 1 inside the window, delivered after it: the set expired, nothing is consumed.
    let late = inbound(2, b"late");
    let late_id = message::id(&late);
    post(&mut env, AttestationKind::Message, 1, &set1, &late_id, &[0, 1, 2]).await;
    advance(&mut env, OVERLAP as i64 + 10).await;
    let ix = DeliverAccounts::new(&payer, &payer, 1, &late, &env.store).build(late_id, late.clone());
    assert_error(exec(&mut env, &[ix], &[]).await, MaskoiiError::AttesterSetExpired);
    // Posting to the expired set fails too.
    let digest = local_digest(AttestationKind::Message, 1, &[9; 32]);
    let ix = ix_post(&payer, AttestationKind::Message, 1, &[9; 32], entries(&digest, &set1, &[0]));
    assert_error(exec(&mut env, &[ix], &[]).await, MaskoiiError::AttesterSetExpired);
    // The new set re-attests the message and it delivers (spec §4: nothing is stranded behind an expired set).
    post(&mut env, AttestationKind::Message, 2, &set2, &late_id, &[1, 2, 3]).await;
    let ix = DeliverAccounts::new(&payer, &payer, 2, &late, &env.store).build(late_id, late.clone());
    exec(&mut env, &[ix], &[]).await.unwrap();
}

#[tokio::test]
async fn test_second_rotation_expires_the_set_before_the_current_one_now() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let set2 = attesters(4, 2);
    let set3 = attesters(3, 3);
    rotate(&mut env, 1, &set1, &set_args(&set2, 7500), &[0, 1, 2]).await.unwrap();
    // Rotating from set 2 needs set 1 passed so it can be expired.
    let args3 = set_args(&set3, 6667);
    let hash = set_hash(3, &args3);
    post(&mut env, AttestationKind::Rotation, 2, &set2, &hash, &[0, 1, 2]).await;
    let payer = payer_of(&env);
    let verification = verification_pda(&payer, AttestationKind::Rotation, 2, &hash);
    let ix = ix_rotate(&payer, 2, false, args3.clone(), verification, payer);
    assert_error(exec(&mut env, &[ix], &[]).await, MaskoiiError::PreviousSetRequired);
    let t = now(&mut env).await;
    exec(&mut env, &[ix_rotate(&payer, 2, true, args3, verification, payer)], &[]).await.unwrap();
    let s1: AttesterSetAccount = account(&mut env, set_pda(1)).await;
    assert_eq!(s1.expires_at, t);
    let s2: AttesterSetAccount = account(&mut env, set_pda(2)).await;
    assert_eq!(s2.expires_at, t + OVERLAP as i64);
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.current_set_id, 3);
}

#[tokio::test]
async fn test_rotation_rejections() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let set2 = attesters(4, 2);
    let args2 = set_args(&set2, 7500);
    let payer = payer_of(&env);

    // Below the current set's threshold.
    let hash = set_hash(2, &args2);
    post(&mut env, AttestationKind::Rotation, 1, &set1, &hash, &[0, 1]).await;
    let verification = verification_pda(&payer, AttestationKind::Rotation, 1, &hash);
    let ix = ix_rotate(&payer, 1, false, args2.clone(), verification, payer);
    assert_error(exec(&mut env, &[ix], &[]).await, MaskoiiError::InsufficientWeight);

    // A quorum over another set than the one submitted.
    let mut other = args2.clone();
    other.threshold_bps = 9000;
    let ix = ix_rotate(&payer, 1, false, other, verification, payer);
    assert_error(exec(&mut env, &[ix], &[]).await, MaskoiiError::VerificationValueMismatch);

    // A message-kind verification.
    post(&mut env, AttestationKind::Message, 1, &set1, &hash, &[0, 1, 2]).await;
    let message_kind = verification_pda(&payer, AttestationKind::Message, 1, &hash);
    let ix = ix_rotate(&payer, 1, false, args2.clone(), message_kind, payer);
    assert_error(exec(&mut env, &[ix], &[]).await, MaskoiiError::VerificationKindMismatch);

    // Invalid next set (unsorted).
    let mut unsorted = args2.clone();
    unsorted.attesters.swap(0, 1);
    let ix = ix_rotate(&payer, 1, false, unsorted, verification, payer);
    assert_error(exec(&mut env, &[ix], &[]).await, MaskoiiError::AttestersNotSorted);

    // After a rotation, set 1 (in its overlap window) cannot rotate again.
    refresh(&mut env).await; // the failed rotate transaction above is cached under its signature
    rotate(&mut env, 1, &set1, &args2, &[2, 3, 4]).await.unwrap();
    let args3 = set_args(&attesters(3, 3), 6667);
    let hash3 = set_hash(3, &args3);
    post(&mut env, AttestationKind::Rotation, 1, &set1, &hash3, &[0, 1, 2]).await;
    let stale = verification_pda(&payer, AttestationKind::Rotation, 1, &hash3);
    let ix = ix_rotate(&payer, 2, true, args3, stale, payer);
    assert_error(exec(&mut env, &[ix], &[]).await, MaskoiiError::RotationNotByCurrentSet);
}

#[tokio::test]
async fn test_emergency_rotation_timelock_mismatch_cancel_and_supersede() {
    let mut env = setup(5, 6000).await;
    let admin = env.admin.insecure_clone();
    let payer = payer_of(&env);
    let args2 = set_args(&attesters(3, 2), 6667);

    assert_error(
        exec(&mut env, &[ix_cancel_emergency(&admin.pubkey())], &[&admin]).await,
        MaskoiiError::NoEmergencyRotation,
    );
    assert_error(
        exec(&mut env, &[ix_execute_emergency(&payer, 1, false, args2.clone())], &[]).await,
        MaskoiiError::NoEmergencyRotation,
    );
    let stranger = funded(&mut env).await;
    assert_error(
        exec(&mut env, &[ix_propose_emergency(&stranger.pubkey(), args2.clone())], &[&stranger]).await,
        MaskoiiError::NotAdmin,
    );
    let mut invalid = args2.clone();
    invalid.threshold_bps = 5000;
    assert_error(
        exec(&mut env, &[ix_propose_emergency(&admin.pubkey(), invalid)], &[&admin]).await,
        MaskoiiError::InvalidThreshold,
    );

    let t = now(&mut env).await;
    exec(&mut env, &[ix_propose_emergency(&admin.pubkey(), args2.clone())], &[&admin]).await.unwrap();
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.emergency_set_hash, set_hash(2, &args2));
    assert_eq!(config.emergency_executable_at, t + EMERGENCY_DELAY as i64);
    refresh(&mut env).await; // the identical execute above failed with NoEmergencyRotation and is cached

    assert_error(
        exec(&mut env, &[ix_execute_emergency(&payer, 1, false, args2.clone())], &[]).await,
        MaskoiiError::EmergencyRotationNotReady,
    );
    advance(&mut env, EMERGENCY_DELAY as i64).await;
    let mut other = args2.clone();
    other.threshold_bps = 10_000;
    assert_error(
        exec(&mut env, &[ix_execute_emergency(&payer, 1, false, other)], &[]).await,
        MaskoiiError::EmergencyRotationMismatch,
    );

    // Cancel, then propose again and execute after the delay: set 1 expires immediately.
    exec(&mut env, &[ix_cancel_emergency(&admin.pubkey())], &[&admin]).await.unwrap();
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.emergency_set_hash, [0; 32]);
    refresh(&mut env).await;
    exec(&mut env, &[ix_propose_emergency(&admin.pubkey(), args2.clone())], &[&admin]).await.unwrap();
    advance(&mut env, EMERGENCY_DELAY as i64).await;
    let t = now(&mut env).await;
    exec(&mut env, &[ix_execute_emergency(&payer, 1, false, args2.clone())], &[]).await.unwrap();
    let s1: AttesterSetAccount = account(&mut env, set_pda(1)).await;
    assert_eq!(s1.expires_at, t);
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.current_set_id, 2);
    assert_eq!(config.emergency_set_hash, [0; 32]);
    assert_error(deliver_with_quorum_expired(&mut env).await, MaskoiiError::AttesterSetExpired);
}

/// Posting to set 1 once it has expired.
async fn deliver_with_quorum_expired(env: &mut Env) -> std::result::Result<(), solana_program_test::BanksClientError> {
    let set = env.set1.clone();
    let id = [5u8; 32];
    let digest = local_digest(AttestationKind::Message, 1, &id);
    try_post(env, &id, entries(&digest, &set, &[0, 1, 2])).await
}

#[tokio::test]
async fn test_quorum_rotation_supersedes_a_pending_emergency_proposal() {
    let mut env = setup(5, 6000).await;
    let admin = env.admin.insecure_clone();
    let set1 = env.set1.clone();
    exec(&mut env, &[ix_propose_emergency(&admin.pubkey(), set_args(&attesters(3, 7), 6667))], &[&admin])
        .await
        .unwrap();
    rotate(&mut env, 1, &set1, &set_args(&attesters(4, 2), 7500), &[0, 1, 2]).await.unwrap();
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.emergency_set_hash, [0; 32]);
    assert_eq!(config.emergency_executable_at, 0);
}

#[tokio::test]
async fn test_report_equivocation_removes_the_attester_from_live_sets() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    // Set 2 shares member set1[0] so that it is removed from both live sets.
    let mut members = attesters(3, 2);
    members.push(set1[0].clone());
    members.sort_by(|a, b| a.address.cmp(&b.address));
    let args2 = set_args(&members, 6000);
    rotate(&mut env, 1, &set1, &args2, &[1, 2, 3]).await.unwrap();

    let a = inbound(5, b"pay alice");
    let b = inbound(5, b"pay bob");
    let payer = payer_of(&env);
    let ev_a = evidence(&a, 1, &set1[0].key);
    let ev_b = evidence(&b, 2, &set1[0].key);
    exec(&mut env, &[ix_report(&payer, 2, Some(set_pda(1)), ev_a.clone(), ev_b.clone())], &[]).await.unwrap();

    let s1: AttesterSetAccount = account(&mut env, set_pda(1)).await;
    assert_eq!(s1.weights[0], 0);
    assert_eq!(s1.total_weight, 4);
    let s2: AttesterSetAccount = account(&mut env, set_pda(2)).await;
    let i = s2.attesters.iter().position(|x| *x == set1[0].address).unwrap();
    assert_eq!(s2.weights[i], 0);
    assert_eq!(s2.total_weight, 3);

    // Its signatures no longer count: posting fails with SignerRemoved.
    let id = message::id(&inbound(6, b"y"));
    let digest = local_digest(AttestationKind::Message, 1, &id);
    assert_error(try_post(&mut env, &id, entries(&digest, &set1, &[0, 1])).await, MaskoiiError::SignerRemoved);
    // Reporting again: it no longer counts anywhere.
    refresh(&mut env).await;
    let result = exec(&mut env, &[ix_report(&payer, 2, Some(set_pda(1)), ev_a, ev_b)], &[]).await;
    assert_error(result, MaskoiiError::NotAnAttester);
}

#[tokio::test]
async fn test_removed_signer_no_longer_counts_in_an_already_posted_verification() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let msg = inbound(0, b"x");
    let id = message::id(&msg);
    post(&mut env, AttestationKind::Message, 1, &set1, &id, &[0, 1, 2]).await;
    let payer = payer_of(&env);
    let ev_a = evidence(&inbound(9, b"a"), 1, &set1[0].key);
    let ev_b = evidence(&inbound(9, b"b"), 1, &set1[0].key);
    exec(&mut env, &[ix_report(&payer, 1, None, ev_a, ev_b)], &[]).await.unwrap();
    // 2 of the remaining 4 is 50% < 60%.
    let ix = DeliverAccounts::new(&payer, &payer, 1, &msg, &env.store).build(id, msg.clone());
    assert_error(exec(&mut env, &[ix], &[]).await, MaskoiiError::InsufficientWeight);
}

#[tokio::test]
async fn test_report_equivocation_with_batch_evidence() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let a = inbound(3, b"a");
    let b = inbound(3, b"b");
    let ids = [message::id(&inbound(1, b"z")), message::id(&b), message::id(&inbound(2, b"w"))];
    let root = merkle::root(&ids);
    let proof = merkle::proof(&ids, 1);
    let digest = maskoii::protocol::attestation::digest(
        &AttestationKind::Batch.type_hash(),
        LOCAL_DOMAIN,
        &maskoii::ID.to_bytes(),
        1,
        &root,
    );
    let (r, s, v) = sign(&digest, &set1[2].key);
    let mut ev_b = evidence(&b, 1, &set1[2].key);
    ev_b.root = root;
    ev_b.proof = proof.clone();
    ev_b.signature[..32].copy_from_slice(&r);
    ev_b.signature[32..64].copy_from_slice(&s);
    ev_b.signature[64] = v;
    let ev_a = evidence(&a, 1, &set1[2].key);
    let payer = payer_of(&env);

    let mut bad_proof = ev_b.clone();
    bad_proof.proof[0][0] ^= 1;
    let result = exec(&mut env, &[ix_report(&payer, 1, None, ev_a.clone(), bad_proof)], &[]).await;
    assert_error(result, MaskoiiError::InvalidMerkleProof);

    exec(&mut env, &[ix_report(&payer, 1, None, ev_a, ev_b)], &[]).await.unwrap();
    let s1: AttesterSetAccount = account(&mut env, set_pda(1)).await;
    assert_eq!(s1.weights[2], 0);
}

#[tokio::test]
async fn test_report_equivocation_rejections() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let payer = payer_of(&env);
    let a = inbound(5, b"a");
    let b = inbound(5, b"b");

    // Same message twice, or different nonces: not conflicting.
    let result = exec(
        &mut env,
        &[ix_report(&payer, 1, None, evidence(&a, 1, &set1[0].key), evidence(&a, 1, &set1[0].key))],
        &[],
    )
    .await;
    assert_error(result, MaskoiiError::NotConflicting);
    let c = inbound(6, b"b");
    let result = exec(
        &mut env,
        &[ix_report(&payer, 1, None, evidence(&a, 1, &set1[0].key), evidence(&c, 1, &set1[0].key))],
        &[],
    )
    .await;
    assert_error(result, MaskoiiError::NotConflicting);
    // Two different signers.
    let result = exec(
        &mut env,
        &[ix_report(&payer, 1, None, evidence(&a, 1, &set1[0].key), evidence(&b, 1, &set1[1].key))],
        &[],
    )
    .await;
    assert_error(result, MaskoiiError::DifferentSigners);
    // A key that is not a member.
    let stranger = attesters(1, 9);
    let result = exec(
        &mut env,
        &[ix_report(&payer, 1, None, evidence(&a, 1, &stranger[0].key), evidence(&b, 1, &stranger[0].key))],
        &[],
    )
    .await;
    assert_error(result, MaskoiiError::NotAnAttester);
    // A malformed message.
    let mut short = evidence(&a, 1, &set1[0].key);
    short.message.truncate(10);
    let result = exec(&mut env, &[ix_report(&payer, 1, None, short, evidence(&b, 1, &set1[0].key))], &[]).await;
    assert_error(result, MaskoiiError::MessageTooShort);
    // A bad signature in the evidence.
    let mut bad_v = evidence(&b, 1, &set1[0].key);
    bad_v.signature[64] = 30;
    let result = exec(&mut env, &[ix_report(&payer, 1, None, evidence(&a, 1, &set1[0].key), bad_v)], &[]).await;
    assert_error(result, MaskoiiError::InvalidSignatureV);

    // With set 2 current, set 1 must be passed.
    rotate(&mut env, 1, &set1, &set_args(&attesters(3, 2), 6667), &[0, 1, 2]).await.unwrap();
    let result = exec(
        &mut env,
        &[ix_report(&payer, 2, None, evidence(&a, 1, &set1[0].key), evidence(&b, 1, &set1[0].key))],
        &[],
    )
    .await;
    assert_error(result, MaskoiiError::PreviousSetRequired);
}

#[tokio::test]
async fn test_signatures_for_another_verifier_or_domain_do_not_count() {
    let mut env = setup(5, 6000).await;
    let set = env.set1.clone();
    let id = message::id(&inbound(0, b"x"));
    let evm_gateway = message::address_to_bytes32(&[0x22; 20]);
    // Valid signatures by members, but over the digest for an EVM gateway, or for another domain: they recover to
    // other addresses than the members at those indices.
    let other_verifier = maskoii::protocol::attestation::digest(
        &AttestationKind::Message.type_hash(),
        LOCAL_DOMAIN,
        &evm_gateway,
        1,
        &id,
    );
    assert_error(try_post(&mut env, &id, entries(&other_verifier, &set, &[0])).await, MaskoiiError::UnknownSigner);
    let other_domain = maskoii::protocol::attestation::digest(
        &AttestationKind::Message.type_hash(),
        REMOTE_DOMAIN,
        &maskoii::ID.to_bytes(),
        1,
        &id,
    );
    assert_error(try_post(&mut env, &id, entries(&other_domain, &set, &[1])).await, MaskoiiError::UnknownSigner);
    let other_set = local_digest(AttestationKind::Message, 2, &id);
    assert_error(try_post(&mut env, &id, entries(&other_set, &set, &[2])).await, MaskoiiError::UnknownSigner);
    // The right digest works.
    let right = local_digest(AttestationKind::Message, 1, &id);
    try_post(&mut env, &id, entries(&right, &set, &[0])).await.unwrap();
}

#[tokio::test]
async fn test_rotations_work_when_the_next_set_address_was_prefunded() {
    let mut env = setup(5, 6000).await;
    let set1 = env.set1.clone();
    let payer = payer_of(&env);
    // The next set's address is predictable (`["attester_set", current + 1]`): lamports sent to it must not block
    // a quorum rotation ...
    let fund = |key| anchor_lang::solana_program::system_instruction::transfer(&payer, &key, 1_000_000);
    exec(&mut env, &[fund(set_pda(2))], &[]).await.unwrap();
    let set2 = attesters(4, 2);
    rotate(&mut env, 1, &set1, &set_args(&set2, 7500), &[0, 1, 2]).await.unwrap();
    let stored: AttesterSetAccount = account(&mut env, set_pda(2)).await;
    assert_eq!((stored.set_id, stored.threshold_bps, stored.attesters.len()), (2, 7500, 4));
    // ... nor an emergency rotation.
    exec(&mut env, &[fund(set_pda(3))], &[]).await.unwrap();
    let admin = env.admin.insecure_clone();
    let args3 = set_args(&attesters(3, 3), 6000);
    exec(&mut env, &[ix_propose_emergency(&admin.pubkey(), args3.clone())], &[&admin]).await.unwrap();
    advance(&mut env, EMERGENCY_DELAY as i64).await;
    exec(&mut env, &[ix_execute_emergency(&payer, 2, true, args3)], &[]).await.unwrap();
    let stored: AttesterSetAccount = account(&mut env, set_pda(3)).await;
    assert_eq!((stored.set_id, stored.attesters.len()), (3, 3));
}
