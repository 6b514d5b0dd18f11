use anchor_lang::prelude::*;

use crate::errors::MaskoiiError;
use crate::events::{emit, FeesWithdrawn};
use crate::seeds::*;
use crate::state::*;

/// The admin withdraws collected fees; the vault keeps its rent-exempt minimum.
#[derive(Accounts)]
pub struct WithdrawFees<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    #[account(mut, seeds = [FEE_VAULT_SEED], bump = fee_vault.bump)]
    pub fee_vault: Account<'info, FeeVault>,
    /// CHECK: any account may receive lamports.
    #[account(mut)]
    pub to: UncheckedAccount<'info>,
}

impl WithdrawFees<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        let info = self.fee_vault.to_account_info();
        let floor = Rent::get()?.minimum_balance(info.data_len());
        require!(info.lamports().saturating_sub(floor) >= amount, MaskoiiError::InsufficientFeeBalance);
        Ok(())
    }

    pub fn handler(ctx: Context<WithdrawFees>, amount: u64) -> Result<()> {
        ctx.accounts.validate(amount)?;
        ctx.accounts.fee_vault.sub_lamports(amount)?;
        ctx.accounts.to.add_lamports(amount)?;
        emit(FeesWithdrawn { to: ctx.accounts.to.key(), amount });
        Ok(())
    }
}
