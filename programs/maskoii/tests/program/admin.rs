use anchor_lang::prelude::*;
use maskoii::errors::MaskoiiError;
use maskoii::instructions::SendArgs;
use maskoii::protocol::attestation::AttestationKind;
use maskoii::protocol::message;
use maskoii::state::{AttesterSetAccount, Config, RouteFee};
use solana_keypair::Keypair;
use solana_signer::Signer as _;

use crate::common::*;

/// A fresh, uninitialized bank wrapped as an `Env`.
async fn fresh() -> Env {
    let (ctx, admin, guardian, store) = start().await;
    Env { ctx, admin, guardian, set1: attesters(5, 1), store }
}

#[tokio::test]
async fn test_initialize_stores_config_and_set_one() {
    let env = setup(5, 6000).await;
    let mut env = env;
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.local_domain, LOCAL_DOMAIN);
    assert_eq!(config.admin, env.admin.pubkey());
    assert_eq!(config.guardian, env.guardian.pubkey());
    assert_eq!(config.pending_admin, Pubkey::default());
    assert!(!config.paused);
    assert_eq!(config.next_nonce, 0);
    assert_eq!(config.current_set_id, 1);
    assert_eq!(config.overlap_window, OVERLAP);
    assert_eq!(config.emergency_delay, EMERGENCY_DELAY);
    let set: AttesterSetAccount = account(&mut env, set_pda(1)).await;
    assert_eq!(set.set_id, 1);
    assert_eq!(set.attesters, env.set1.iter().map(|a| a.address).collect::<Vec<_>>());
    assert_eq!(set.total_weight, 5);
    assert_eq!(set.threshold_bps, 6000);
    assert_eq!(set.expires_at, 0);
}

#[tokio::test]
async fn test_initialize_twice_fails() {
    let mut env = setup(5, 6000).await;
    let deployer = deployer();
    let mut args = init_args(&env.admin, &env.guardian, &env.set1, 7000);
    args.overlap_window = 1;
    let result = exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await;
    assert_error(result, MaskoiiError::AlreadyInitialized);
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.overlap_window, OVERLAP);
}

#[tokio::test]
async fn test_initialize_and_set_fee_work_when_their_addresses_were_prefunded() {
    let mut env = fresh().await;
    // Anyone may send lamports to the predictable addresses before the deployment is initialized (at least the rent
    // minimum of an empty account, 890,880 lamports): below each account's rent, except the fee vault's, above it.
    let payer = payer_of(&env);
    let transfers = [
        (config_pda(), 1_000_000),
        (fee_vault_pda(), 50_000_000),
        (set_pda(1), 890_880),
        (route_fee_pda(REMOTE_DOMAIN), 890_880),
    ]
    .map(|(to, lamports)| anchor_lang::solana_program::system_instruction::transfer(&payer, &to, lamports));
    exec(&mut env, &transfers, &[]).await.unwrap();

    let deployer = deployer();
    let args = init_args(&env.admin, &env.guardian, &env.set1, 6000);
    exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await.unwrap();
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!((config.local_domain, config.admin, config.current_set_id), (LOCAL_DOMAIN, env.admin.pubkey(), 1));
    let set: AttesterSetAccount = account(&mut env, set_pda(1)).await;
    assert_eq!((set.set_id, set.total_weight, set.threshold_bps), (1, 5, 6000));
    let vault = env.ctx.banks_client.get_account(fee_vault_pda()).await.unwrap().unwrap();
    assert_eq!(vault.owner, maskoii::ID);
    assert_eq!(vault.lamports, 50_000_000, "a vault funded above its rent keeps the lamports (withdrawable as fees)");
    for address in [config_pda(), set_pda(1)] {
        let rent = env.ctx.banks_client.get_rent().await.unwrap();
        let acc = env.ctx.banks_client.get_account(address).await.unwrap().unwrap();
        assert_eq!(acc.owner, maskoii::ID);
        assert!(rent.is_exempt(acc.lamports, acc.data.len()), "topped up to the rent minimum");
    }

    let admin = env.admin.insecure_clone();
    exec(&mut env, &[ix_set_fee(&admin.pubkey(), REMOTE_DOMAIN, 7, 2)], &[&admin]).await.unwrap();
    let fee: RouteFee = account(&mut env, route_fee_pda(REMOTE_DOMAIN)).await;
    assert_eq!((fee.destination, fee.base_fee, fee.fee_per_byte), (REMOTE_DOMAIN, 7, 2));
    // Updating an existing fee account keeps it (and a send then pays the new fee).
    refresh(&mut env).await;
    exec(&mut env, &[ix_set_fee(&admin.pubkey(), REMOTE_DOMAIN, 9, 0)], &[&admin]).await.unwrap();
    let fee: RouteFee = account(&mut env, route_fee_pda(REMOTE_DOMAIN)).await;
    assert_eq!((fee.base_fee, fee.fee_per_byte), (9, 0));
    let sender = funded(&mut env).await;
    let args = SendArgs { destination: REMOTE_DOMAIN, recipient: [1; 32], payload: vec![1], max_fee: 9 };
    exec(&mut env, &[ix_send(&sender.pubkey(), &payer, 0, args)], &[&sender]).await.unwrap();
}

#[tokio::test]
async fn test_initialize_refuses_when_only_one_of_its_accounts_exists() {
    // An account of the program already at set 1's address (an impossible state short of a bug, checked anyway):
    // initialize does not overwrite it.
    let (mut ctx, admin, guardian, store) = start().await;
    let mut data = maskoii::state::AttesterSetAccount::DISCRIMINATOR.to_vec();
    data.resize(AttesterSetAccount::space(1), 0);
    let rent = ctx.banks_client.get_rent().await.unwrap().minimum_balance(data.len());
    ctx.set_account(
        &set_pda(1),
        &solana_account::Account { lamports: rent, data, owner: maskoii::ID, ..Default::default() }.into(),
    );
    let mut env = Env { ctx, admin, guardian, set1: attesters(5, 1), store };
    let deployer = deployer();
    let args = init_args(&env.admin, &env.guardian, &env.set1, 6000);
    let result = exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await;
    assert_error(result, MaskoiiError::AlreadyInitialized);
    assert!(!exists(&mut env, config_pda()).await);
}

#[tokio::test]
async fn test_initialize_rejects_bad_parameters() {
    let mut env = fresh().await;
    let deployer = deployer();
    let base = init_args(&env.admin, &env.guardian, &env.set1, 6000);

    let mut args = base.clone();
    args.local_domain = 0;
    assert_error(
        exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await,
        MaskoiiError::InvalidLocalDomain,
    );
    let mut args = base.clone();
    args.emergency_delay = 2 * 86_400 - 1;
    assert_error(
        exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await,
        MaskoiiError::EmergencyDelayTooShort,
    );
    let mut args = base.clone();
    args.set.threshold_bps = 5000;
    assert_error(
        exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await,
        MaskoiiError::InvalidThreshold,
    );
    let mut args = base.clone();
    args.set.attesters.clear();
    args.set.weights.clear();
    assert_error(
        exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await,
        MaskoiiError::EmptyAttesterSet,
    );
    let mut args = base.clone();
    args.set.weights.pop();
    assert_error(
        exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await,
        MaskoiiError::AttesterWeightsLengthMismatch,
    );
    let mut args = base.clone();
    args.set.attesters[0] = [0; 20];
    assert_error(
        exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await,
        MaskoiiError::ZeroAddressAttester,
    );
    let mut args = base.clone();
    args.set.weights[1] = 0;
    assert_error(
        exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await,
        MaskoiiError::ZeroAttesterWeight,
    );
    let mut args = base.clone();
    args.set.weights[1] = 1u128 << 96;
    assert_error(
        exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await,
        MaskoiiError::TotalWeightOverflow,
    );
    let mut args = base.clone();
    args.set.attesters.swap(1, 2);
    assert_error(
        exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await,
        MaskoiiError::AttestersNotSorted,
    );
    // Only the upgrade authority may initialize (no front-running a fresh deployment).
    let payer = payer_of(&env);
    let result = exec(&mut env, &[ix_initialize(&payer, base.clone())], &[]).await;
    assert_error(result, MaskoiiError::NotUpgradeAuthority);
    // The ProgramData account must be this program's: the attacker's own program's ProgramData (naming the attacker
    // as upgrade authority) is refused.
    let attackers_program_data = Pubkey::new_unique();
    env.ctx.set_account(&attackers_program_data, &program_data_account(Some(payer)).into());
    let mut ix = ix_initialize(&payer, base.clone());
    ix.accounts[1].pubkey = attackers_program_data;
    assert_anchor_error(exec(&mut env, &[ix], &[]).await, anchor_lang::error::ErrorCode::ConstraintAddress);
    // An account not owned by the upgradeable loader is refused before that.
    let mut ix = ix_initialize(&deployer.pubkey(), base.clone());
    ix.accounts[1].pubkey = env.store;
    assert_anchor_error(
        exec(&mut env, &[ix], &[&deployer]).await,
        anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram,
    );
    // Nothing was created; the valid parameters still work.
    assert!(!exists(&mut env, config_pda()).await);
    exec(&mut env, &[ix_initialize(&deployer.pubkey(), base)], &[&deployer]).await.unwrap();
}

#[tokio::test]
async fn test_initialize_after_the_upgrade_authority_was_removed_fails() {
    let mut env = fresh().await;
    let deployer = deployer();
    env.ctx.set_account(&program_data_pda(), &program_data_account(None).into());
    let args = init_args(&env.admin, &env.guardian, &env.set1, 6000);
    let result = exec(&mut env, &[ix_initialize(&deployer.pubkey(), args)], &[&deployer]).await;
    assert_error(result, MaskoiiError::NotUpgradeAuthority);
}

#[tokio::test]
async fn test_set_guardian_only_by_admin_and_new_guardian_takes_over() {
    let mut env = setup(5, 6000).await;
    let admin = env.admin.insecure_clone();
    let old = env.guardian.insecure_clone();
    let new_guardian = funded(&mut env).await;
    assert_error(
        exec(&mut env, &[ix_set_guardian(&old.pubkey(), new_guardian.pubkey())], &[&old]).await,
        MaskoiiError::NotAdmin,
    );
    exec(&mut env, &[ix_set_guardian(&admin.pubkey(), new_guardian.pubkey())], &[&admin]).await.unwrap();
    assert_error(exec(&mut env, &[ix_set_paused(&old.pubkey(), true)], &[&old]).await, MaskoiiError::NotGuardian);
    exec(&mut env, &[ix_set_paused(&new_guardian.pubkey(), true)], &[&new_guardian]).await.unwrap();
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.guardian, new_guardian.pubkey());
    assert!(config.paused);
}

#[tokio::test]
async fn test_admin_transfer_is_two_step() {
    let mut env = setup(5, 6000).await;
    let admin = env.admin.insecure_clone();
    let next = funded(&mut env).await;
    let stranger = funded(&mut env).await;

    assert_error(
        exec(&mut env, &[ix_transfer_admin(&stranger.pubkey(), stranger.pubkey())], &[&stranger]).await,
        MaskoiiError::NotAdmin,
    );
    // Nobody nominated: accept fails.
    assert_error(exec(&mut env, &[ix_accept_admin(&next.pubkey())], &[&next]).await, MaskoiiError::NotPendingAdmin);
    exec(&mut env, &[ix_transfer_admin(&admin.pubkey(), next.pubkey())], &[&admin]).await.unwrap();
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.admin, admin.pubkey(), "still the old admin until accepted");
    assert_eq!(config.pending_admin, next.pubkey());
    assert_error(
        exec(&mut env, &[ix_accept_admin(&stranger.pubkey())], &[&stranger]).await,
        MaskoiiError::NotPendingAdmin,
    );
    refresh(&mut env).await;
    exec(&mut env, &[ix_accept_admin(&next.pubkey())], &[&next]).await.unwrap();
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.admin, next.pubkey());
    assert_eq!(config.pending_admin, Pubkey::default());
    // The old admin lost its powers; the new one has them.
    assert_error(exec(&mut env, &[ix_set_fee(&admin.pubkey(), 7, 1, 1)], &[&admin]).await, MaskoiiError::NotAdmin);
    exec(&mut env, &[ix_set_fee(&next.pubkey(), 7, 1, 1)], &[&next]).await.unwrap();
}

#[tokio::test]
async fn test_withdraw_fees_keeps_rent_and_needs_admin() {
    let mut env = setup(5, 6000).await;
    let admin = env.admin.insecure_clone();
    exec(&mut env, &[ix_set_fee(&admin.pubkey(), REMOTE_DOMAIN, 50_000, 0)], &[&admin]).await.unwrap();
    let payer = payer_of(&env);
    let args = SendArgs { destination: REMOTE_DOMAIN, recipient: [1; 32], payload: vec![], max_fee: 50_000 };
    exec(&mut env, &[ix_send(&payer, &payer, 0, args)], &[]).await.unwrap();

    let to = Keypair::new().pubkey();
    let stranger = funded(&mut env).await;
    assert_error(
        exec(&mut env, &[ix_withdraw_fees(&stranger.pubkey(), &to, 1)], &[&stranger]).await,
        MaskoiiError::NotAdmin,
    );
    assert_error(
        exec(&mut env, &[ix_withdraw_fees(&admin.pubkey(), &to, 50_001)], &[&admin]).await,
        MaskoiiError::InsufficientFeeBalance,
    );
    let vault_before = lamports(&mut env, fee_vault_pda()).await;
    // The recipient must end rent exempt itself, so withdraw to the (funded) admin.
    let admin_before = lamports(&mut env, admin.pubkey()).await;
    exec(&mut env, &[ix_withdraw_fees(&admin.pubkey(), &admin.pubkey(), 50_000)], &[&admin]).await.unwrap();
    assert_eq!(lamports(&mut env, fee_vault_pda()).await, vault_before - 50_000);
    // The admin also paid the transaction fee? No: the context payer pays fees.
    assert_eq!(lamports(&mut env, admin.pubkey()).await, admin_before + 50_000);
    assert!(exists(&mut env, fee_vault_pda()).await, "the vault stays rent exempt");
}

#[tokio::test]
async fn test_close_verification_refunds_only_its_payer() {
    let mut env = setup(5, 6000).await;
    let poster = funded(&mut env).await;
    let set = env.set1.clone();
    let id = message::id(&inbound(0, b"abandoned"));
    let digest = local_digest(AttestationKind::Message, 1, &id);
    let ix = ix_post(&poster.pubkey(), AttestationKind::Message, 1, &id, entries(&digest, &set, &[0]));
    exec(&mut env, &[ix], &[&poster]).await.unwrap();
    let verification = verification_pda(&poster.pubkey(), AttestationKind::Message, 1, &id);
    let rent = lamports(&mut env, verification).await;

    let thief = funded(&mut env).await;
    let result = exec(&mut env, &[ix_close_verification(&thief.pubkey(), verification)], &[&thief]).await;
    assert_anchor_error(result, anchor_lang::error::ErrorCode::ConstraintHasOne);

    let before = lamports(&mut env, poster.pubkey()).await;
    exec(&mut env, &[ix_close_verification(&poster.pubkey(), verification)], &[&poster]).await.unwrap();
    assert!(!exists(&mut env, verification).await);
    assert_eq!(lamports(&mut env, poster.pubkey()).await, before + rent);
}

#[tokio::test]
async fn test_admin_nomination_can_be_cancelled() {
    let mut env = setup(5, 6000).await;
    let admin = env.admin.insecure_clone();
    let next = funded(&mut env).await;
    exec(&mut env, &[ix_transfer_admin(&admin.pubkey(), next.pubkey())], &[&admin]).await.unwrap();
    exec(&mut env, &[ix_transfer_admin(&admin.pubkey(), Pubkey::default())], &[&admin]).await.unwrap();
    assert_error(exec(&mut env, &[ix_accept_admin(&next.pubkey())], &[&next]).await, MaskoiiError::NotPendingAdmin);
    let config: Config = account(&mut env, config_pda()).await;
    assert_eq!(config.admin, admin.pubkey());
}
