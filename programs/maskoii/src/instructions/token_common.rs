//! Helpers shared by the token-bridge and claims instructions: creating PDA accounts by hand (pre-funding-safe) and
//! sending a gateway message whose sender is this program. Crediting a mint is `utils::credit`.

use anchor_lang::prelude::*;
use anchor_lang::system_program;

use crate::errors::MaskoiiError;
use crate::instructions::send::{check_outbound, enqueue};
use crate::state::*;

/// Size of an SPL token account (no extensions).
pub const TOKEN_ACCOUNT_LEN: usize = 165;

/// Creates a program-owned PDA account of `space` bytes, paid by `payer`. Works when someone pre-funded the address
/// (top-up, allocate, assign) so that a few lamports sent in advance cannot block it.
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    space: usize,
    owner: &Pubkey,
    seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?.minimum_balance(space);
    let signer = &[seeds];
    let current = target.lamports();
    if current == 0 {
        return system_program::create_account(
            CpiContext::new_with_signer(
                system.key(),
                system_program::CreateAccount { from: payer.clone(), to: target.clone() },
                signer,
            ),
            rent,
            space as u64,
            owner,
        );
    }
    if current < rent {
        system_program::transfer(
            CpiContext::new(system.key(), system_program::Transfer { from: payer.clone(), to: target.clone() }),
            rent - current,
        )?;
    }
    system_program::allocate(
        CpiContext::new_with_signer(
            system.key(),
            system_program::Allocate { account_to_allocate: target.clone() },
            signer,
        ),
        space as u64,
    )?;
    system_program::assign(
        CpiContext::new_with_signer(system.key(), system_program::Assign { account_to_assign: target.clone() }, signer),
        owner,
    )
}

/// Whether `account` is still free for `create_pda_account`: owned by the System program and without data. Lamports
/// alone (anyone may send them to any address) do not make an account exist.
pub fn is_fresh(account: &AccountInfo) -> bool {
    account.owner == &system_program::ID && account.data_is_empty()
}

/// Writes `value` (discriminator and borsh) into the program account `target`.
pub fn write_account<T: AccountSerialize>(target: &AccountInfo, value: &T) -> Result<()> {
    value.try_serialize(&mut &mut target.try_borrow_mut_data()?[..])
}

/// The program account `T` at `target`, or `None` while the address is fresh (see `is_fresh`). An account of another
/// program or of another type fails.
pub fn load_existing<T: AccountDeserialize + Owner>(target: &AccountInfo) -> Result<Option<T>> {
    if is_fresh(target) {
        return Ok(None);
    }
    require_keys_eq!(*target.owner, T::owner(), ErrorCode::AccountOwnedByWrongProgram);
    Ok(Some(T::try_deserialize(&mut &target.try_borrow_data()?[..])?))
}

/// Stores `value` at the PDA `target` (signer `seeds`): creates the account first (pre-funding-safe, `space` bytes,
/// rent from `payer`) unless it `exists`. The admin's create-or-update instructions use it instead of Anchor's
/// `init` / `init_if_needed`, which a lamport sent in advance to the address would block (docs/solana.md).
pub fn store_pda_account<'info, T: AccountSerialize>(
    exists: bool,
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    space: usize,
    seeds: &[&[u8]],
    value: &T,
) -> Result<()> {
    if !exists {
        create_pda_account(payer, target, system, space, &crate::ID, seeds)?;
    }
    write_account(target, value)
}

/// The route at `target` and whether it exists; a fresh address gives a new, unlinked route with both buckets closed
/// (created by whichever of `token_link` and `token_set_rate_limits` comes first).
pub fn load_route_or_new(
    target: &AccountInfo,
    mint: Pubkey,
    remote_domain: u32,
    bump: u8,
) -> Result<(TokenRoute, bool)> {
    Ok(match load_existing::<TokenRoute>(target)? {
        Some(route) => (route, true),
        None => (
            TokenRoute {
                mint,
                remote_domain,
                remote_token: [0u8; 32],
                outbound: Bucket::default(),
                inbound: Bucket::default(),
                next_queue_seq: 0,
                bump,
            },
            false,
        ),
    })
}

/// Sends a gateway message whose sender is this program (the token bridge): the same checks and outbox
/// bookkeeping as `send`, through the functions `send` itself uses.
#[allow(clippy::too_many_arguments)]
pub fn dispatch<'info>(
    program_id: &Pubkey,
    config: &mut Account<'info, Config>,
    route_fee: &Account<'info, RouteFee>,
    fee_vault: &AccountInfo<'info>,
    outbox: &AccountInfo<'info>,
    outbox_bump: u8,
    payer: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    destination: u32,
    recipient: &[u8; 32],
    payload: &[u8],
    max_fee: u64,
) -> Result<[u8; 32]> {
    let fee = check_outbound(config, route_fee, destination, recipient, payload.len(), max_fee)?;
    enqueue(config, fee_vault, outbox, outbox_bump, payer, system, program_id, destination, recipient, payload, fee)
}

/// `require` for a domain argument: not 0 and not this chain's.
pub fn check_domain(config: &Config, domain: u32) -> Result<()> {
    require!(domain != 0 && domain != config.local_domain, MaskoiiError::InvalidDomain);
    Ok(())
}
