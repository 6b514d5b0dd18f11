use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable::get_program_data_address;

use crate::errors::MaskoiiError;
use crate::events::{emit, AttesterSetRotated};
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
    #[account(init, payer = payer, space = 8 + Config::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Account<'info, Config>,
    #[account(init, payer = payer, space = 8 + FeeVault::INIT_SPACE, seeds = [FEE_VAULT_SEED], bump)]
    pub fee_vault: Account<'info, FeeVault>,
    #[account(
        init,
        payer = payer,
        space = AttesterSetAccount::space(args.set.attesters.len()),
        seeds = [ATTESTER_SET_SEED, &1u64.to_le_bytes()],
        bump
    )]
    pub attester_set: Account<'info, AttesterSetAccount>,
    pub system_program: Program<'info, System>,
}

impl Initialize<'_> {
    /// Domain, timelock and set rules; returns set 1's total weight.
    pub fn validate(&self, args: &InitializeArgs) -> Result<u128> {
        require!(
            self.program_data.upgrade_authority_address == Some(self.payer.key()),
            MaskoiiError::NotUpgradeAuthority
        );
        require!(args.local_domain != 0, MaskoiiError::InvalidLocalDomain);
        require!(args.emergency_delay >= MIN_EMERGENCY_DELAY, MaskoiiError::EmergencyDelayTooShort);
        Ok(attester_set::validate(1, args.set.threshold_bps, &args.set.attesters, &args.set.weights)?)
    }

    pub fn handler(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        let total = ctx.accounts.validate(&args)?;
        let config = &mut ctx.accounts.config;
        config.local_domain = args.local_domain;
        config.admin = args.admin;
        config.pending_admin = Pubkey::default();
        config.guardian = args.guardian;
        config.paused = false;
        config.next_nonce = 0;
        config.overlap_window = args.overlap_window;
        config.emergency_delay = args.emergency_delay;
        config.current_set_id = 1;
        config.emergency_set_hash = [0u8; 32];
        config.emergency_executable_at = 0;
        config.bump = ctx.bumps.config;
        config.fee_vault_bump = ctx.bumps.fee_vault;
        ctx.accounts.fee_vault.bump = ctx.bumps.fee_vault;
        ctx.accounts.attester_set.install(1, &args.set, total, ctx.bumps.attester_set);
        emit(AttesterSetRotated {
            set_id: 1,
            set_hash: attester_set::hash(1, args.set.threshold_bps, &args.set.attesters, &args.set.weights),
            previous_set_expires_at: 0,
        });
        Ok(())
    }
}
