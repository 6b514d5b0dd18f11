//! Paying out a registered mint: inbound transfers, queued releases, refunds and distribution funding all credit
//! local units the same way, through [`BridgeMint::credit`].

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount};

use crate::errors::MaskoiiError;
use crate::seeds::{BRIDGE_AUTHORITY_BUMP, BRIDGE_AUTHORITY_SEED};
use crate::state::{TokenConfig, MODE_LOCK};

/// A registered mint with the accounts that pay it out, as the crediting instructions hold them: its config (mode and
/// decimals), the token program, the mint, its escrow (lock mode only) and the bridge authority PDA that signs.
pub struct BridgeMint<'a, 'info> {
    config: &'a TokenConfig,
    token_program: &'a Program<'info, Token>,
    mint: &'a Account<'info, Mint>,
    escrow: Option<&'a Account<'info, TokenAccount>>,
    bridge_authority: &'a AccountInfo<'info>,
}

impl<'a, 'info> BridgeMint<'a, 'info> {
    pub fn new(
        config: &'a TokenConfig,
        token_program: &'a Program<'info, Token>,
        mint: &'a Account<'info, Mint>,
        escrow: Option<&'a Account<'info, TokenAccount>>,
        bridge_authority: &'a AccountInfo<'info>,
    ) -> Self {
        Self { config, token_program, mint, escrow, bridge_authority }
    }

    /// Credits `amount` local units to the token account `to`: in lock mode a transfer out of the mint's escrow
    /// (`EscrowRequired` without one), in mint mode a `mint_to`; both signed by the bridge authority PDA.
    pub fn credit(&self, to: &AccountInfo<'info>, amount: u64) -> Result<()> {
        let seeds: &[&[u8]] = &[BRIDGE_AUTHORITY_SEED, &[BRIDGE_AUTHORITY_BUMP]];
        let signer = &[seeds];
        if self.config.mode == MODE_LOCK {
            let escrow = self.escrow.ok_or(MaskoiiError::EscrowRequired)?;
            token::transfer_checked(
                CpiContext::new_with_signer(
                    self.token_program.key(),
                    token::TransferChecked {
                        from: escrow.to_account_info(),
                        mint: self.mint.to_account_info(),
                        to: to.clone(),
                        authority: self.bridge_authority.clone(),
                    },
                    signer,
                ),
                amount,
                self.config.local_decimals,
            )
        } else {
            token::mint_to(
                CpiContext::new_with_signer(
                    self.token_program.key(),
                    token::MintTo {
                        mint: self.mint.to_account_info(),
                        to: to.clone(),
                        authority: self.bridge_authority.clone(),
                    },
                    signer,
                ),
                amount,
            )
        }
    }
}
