use anchor_lang::prelude::*;
use anchor_lang::solana_program::program_option::COption;
use anchor_spl::token::{self, Mint, Token};

use crate::errors::MaskoiiError;
use crate::events::{emit, TokenRegistered};
use crate::instructions::token_common::{create_pda_account, is_fresh, store_pda_account, TOKEN_ACCOUNT_LEN};
use crate::protocol::token as amounts;
use crate::seeds::*;
use crate::state::*;

/// The admin registers a local SPL mint, permanently fixing its mode and decimals. Lock mode (0, canonical mints)
/// creates the mint's escrow token account, owned by the bridge authority PDA. Mint mode (1, bridged mints) needs
/// the bridge authority PDA as the mint authority, no foreign freeze authority and a zero supply (every bridged
/// token in circulation is then backed by a lock on another chain).
///
/// Mints of the Token-2022 program are rejected with `Token2022Unsupported`: transfer fees would make the escrow
/// receive less than the wire amount and transfer hooks run foreign code on every release (docs/solana.md).
#[derive(Accounts)]
pub struct TokenRegister<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, Config>,
    /// CHECK: owner and layout checked in `validate` (so that a Token-2022 mint gets its own error).
    pub mint: UncheckedAccount<'info>,
    /// The mint's `TokenConfig` PDA: created here (pre-funding-safe); `TokenAlreadyRegistered` if it exists.
    /// CHECK: must be fresh (`validate`), created by `store_pda_account`.
    #[account(mut, seeds = [TOKEN_CONFIG_SEED, mint.key().as_ref()], bump)]
    pub token_config: UncheckedAccount<'info>,
    /// CHECK: data-less PDA (escrow owner, mint authority).
    #[account(seeds = [BRIDGE_AUTHORITY_SEED], bump = BRIDGE_AUTHORITY_BUMP)]
    pub bridge_authority: UncheckedAccount<'info>,
    /// CHECK: the escrow PDA; created here as an SPL token account in lock mode, left untouched in mint mode.
    #[account(mut, seeds = [ESCROW_SEED, mint.key().as_ref()], bump)]
    pub escrow: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl TokenRegister<'_> {
    /// Returns the mint's decimals.
    pub fn validate(&self, mode: u8, shared_decimals: u8) -> Result<u8> {
        require_keys_eq!(self.admin.key(), self.config.admin, MaskoiiError::NotAdmin);
        require!(is_fresh(&self.token_config), MaskoiiError::TokenAlreadyRegistered);
        require!(mode == MODE_LOCK || mode == MODE_MINT, MaskoiiError::InvalidMode);
        let owner = *self.mint.owner;
        require_keys_neq!(owner, anchor_spl::token_2022::ID, MaskoiiError::Token2022Unsupported);
        require_keys_eq!(owner, token::ID, MaskoiiError::InvalidMint);
        let data = self.mint.try_borrow_data()?;
        let mint = Mint::try_deserialize_unchecked(&mut &data[..]).map_err(|_| MaskoiiError::InvalidMint)?;
        require!(mint.is_initialized, MaskoiiError::InvalidMint);
        amounts::scale(mint.decimals, shared_decimals)?;
        if mode == MODE_MINT {
            let authority = self.bridge_authority.key();
            require!(mint.mint_authority == COption::Some(authority), MaskoiiError::MintAuthorityNotBridge);
            require!(
                mint.freeze_authority.is_none() || mint.freeze_authority == COption::Some(authority),
                MaskoiiError::ForeignFreezeAuthority
            );
            require!(mint.supply == 0, MaskoiiError::MintSupplyNotZero);
        }
        Ok(mint.decimals)
    }

    pub fn handler(ctx: Context<TokenRegister>, mode: u8, shared_decimals: u8) -> Result<()> {
        let local_decimals = ctx.accounts.validate(mode, shared_decimals)?;
        let accounts = &ctx.accounts;
        let mint_key = accounts.mint.key();
        if mode == MODE_LOCK {
            create_pda_account(
                &accounts.admin.to_account_info(),
                &accounts.escrow.to_account_info(),
                &accounts.system_program.to_account_info(),
                TOKEN_ACCOUNT_LEN,
                &token::ID,
                &[ESCROW_SEED, mint_key.as_ref(), &[ctx.bumps.escrow]],
            )?;
            token::initialize_account3(CpiContext::new(
                accounts.token_program.key(),
                token::InitializeAccount3 {
                    account: accounts.escrow.to_account_info(),
                    mint: accounts.mint.to_account_info(),
                    authority: accounts.bridge_authority.to_account_info(),
                },
            ))?;
        }
        let config = TokenConfig {
            mint: mint_key,
            mode,
            local_decimals,
            shared_decimals,
            bump: ctx.bumps.token_config,
            escrow_bump: if mode == MODE_LOCK { ctx.bumps.escrow } else { 0 },
        };
        let seeds: &[&[u8]] = &[TOKEN_CONFIG_SEED, mint_key.as_ref(), &[config.bump]];
        let (payer, system) = (accounts.admin.to_account_info(), accounts.system_program.to_account_info());
        store_pda_account(false, &payer, &accounts.token_config, &system, 8 + TokenConfig::INIT_SPACE, seeds, &config)?;
        emit(TokenRegistered { mint: mint_key, mode, local_decimals, shared_decimals });
        Ok(())
    }
}
