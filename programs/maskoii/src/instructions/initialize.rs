use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable::get_program_data_address;

use crate::errors::MaskoiiError;
use crate::events::{emit, AttesterSetRotated};
use crate::instructions::token_common::{is_fresh, store_pda_account};
use crate::protocol::attester_set;
use crate::seeds::*;
use crate::state::*;

/// Shortest allowed emergency-rotation timelock (2 days).
pub const MIN_EMERGENCY_DELAY: u32 = 2 * 24 * 60 * 60;

/// Arguments of `initialize`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeArgs {
    /// This deployment's domain (spec §1), never 0.
    pub local_domain: u32,
    /// Two-step admin.
    pub admin: Pubkey,
    /// Pause guardian.
    pub guardian: Pubkey,
    /// Seconds a set stays valid after the next quorum rotation.
    pub overlap_window: u32,
    /// Emergency timelock in seconds, at least 2 days.
    pub emergency_delay: u32,
    /// Attester set 1.
    pub set: AttesterSetArgs,
}

/// Creates the config, the fee vault and attester set 1. Callable once (the config PDA then exists), and only by the
/// program's upgrade authority, so that nobody can front-run a fresh deployment with their own admin and attesters.
#[derive(Accounts)]
#[instruction(args: InitializeArgs)]
pub struct Initialize<'info> {
    /// Pays the accounts' rent; must be the program's upgrade authority.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The program's ProgramData account (BPF loader v3), holding its upgrade authority.
    #[account(address = get_program_data_address(&crate::ID))]
    pub program_data: Account<'info, ProgramData>,
    /// Created here (pre-funding-safe); `AlreadyInitialized` if it exists, like the fee vault and attester set 1.
    /// CHECK: must be fresh (`validate`), created by `store_pda_account`.
    #[account(mut, seeds = [CONFIG_SEED], bump)]
    pub config: UncheckedAccount<'info>,
    /// CHECK: like `config`.
    #[account(mut, seeds = [FEE_VAULT_SEED], bump)]
    pub fee_vault: UncheckedAccount<'info>,
    /// CHECK: like `config`.
    #[account(mut, seeds = [ATTESTER_SET_SEED, &1u64.to_le_bytes()], bump)]
    pub attester_set: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl Initialize<'_> {
    /// Domain, timelock and set rules; returns set 1's total weight.
    pub fn validate(&self, args: &InitializeArgs) -> Result<u128> {
        require!(
            self.program_data.upgrade_authority_address == Some(self.payer.key()),
            MaskoiiError::NotUpgradeAuthority
        );
        require!(
            is_fresh(&self.config) && is_fresh(&self.fee_vault) && is_fresh(&self.attester_set),
            MaskoiiError::AlreadyInitialized
        );
        require!(args.local_domain != 0, MaskoiiError::InvalidLocalDomain);
        require!(args.emergency_delay >= MIN_EMERGENCY_DELAY, MaskoiiError::EmergencyDelayTooShort);
        Ok(attester_set::validate(1, args.set.threshold_bps, &args.set.attesters, &args.set.weights)?)
    }

    pub fn handler(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        let total = ctx.accounts.validate(&args)?;
        let a = &ctx.accounts;
        let (payer, system) = (a.payer.to_account_info(), a.system_program.to_account_info());
        let config = Config {
            local_domain: args.local_domain,
            admin: args.admin,
            pending_admin: Pubkey::default(),
            guardian: args.guardian,
            paused: false,
            next_nonce: 0,
            overlap_window: args.overlap_window,
            emergency_delay: args.emergency_delay,
            current_set_id: 1,
            emergency_set_hash: [0u8; 32],
            emergency_executable_at: 0,
            bump: ctx.bumps.config,
            fee_vault_bump: ctx.bumps.fee_vault,
        };
        let space = 8 + Config::INIT_SPACE;
        store_pda_account(false, &payer, &a.config, &system, space, &[CONFIG_SEED, &[config.bump]], &config)?;
        let vault = FeeVault { bump: ctx.bumps.fee_vault };
        let space = 8 + FeeVault::INIT_SPACE;
        store_pda_account(false, &payer, &a.fee_vault, &system, space, &[FEE_VAULT_SEED, &[vault.bump]], &vault)?;
        let set = AttesterSetAccount {
            set_id: 1,
            threshold_bps: args.set.threshold_bps,
            total_weight: total,
            expires_at: 0,
            bump: ctx.bumps.attester_set,
            attesters: args.set.attesters.clone(),
            weights: args.set.weights.clone(),
        };
        let space = AttesterSetAccount::space(args.set.attesters.len());
        let seeds: &[&[u8]] = &[ATTESTER_SET_SEED, &1u64.to_le_bytes(), &[set.bump]];
        store_pda_account(false, &payer, &a.attester_set, &system, space, seeds, &set)?;
        emit(AttesterSetRotated {
            set_id: 1,
            set_hash: attester_set::hash(1, args.set.threshold_bps, &args.set.attesters, &args.set.weights),
            previous_set_expires_at: 0,
        });
        Ok(())
    }
}
