//! One file per instruction: its `#[derive(Accounts)]` struct, a `validate()` holding every check that is not an
//! account constraint, and the handler.

pub mod accept_admin;
pub mod cancel_emergency_rotation;
pub mod close_verification;
pub mod deliver;
pub mod execute_emergency_rotation;
pub mod initialize;
pub mod post_signatures;
pub mod propose_emergency_rotation;
pub mod report_equivocation;
pub mod rotate_attester_set;
pub mod send;
pub mod set_destination_family;
pub mod set_fee;
pub mod set_guardian;
pub mod set_paused;
pub mod transfer_admin;
pub mod withdraw_fees;

pub use accept_admin::*;
pub use cancel_emergency_rotation::*;
pub use close_verification::*;
pub use deliver::*;
pub use execute_emergency_rotation::*;
pub use initialize::*;
pub use post_signatures::*;
pub use propose_emergency_rotation::*;
pub use report_equivocation::*;
pub use rotate_attester_set::*;
pub use send::*;
pub use set_destination_family::*;
pub use set_fee::*;
pub use set_guardian::*;
pub use set_paused::*;
pub use transfer_admin::*;
pub use withdraw_fees::*;

pub mod claims_claim;
pub mod claims_fund;
pub mod claims_receive;
pub mod token_cancel_queued;
pub mod token_common;
pub mod token_handle;
pub mod token_link;
pub mod token_refund;
pub mod token_register;
pub mod token_release_queued;
pub mod token_set_rate_limits;
pub mod token_set_remote_bridge;
pub mod token_transfer_remote;

pub use claims_claim::*;
pub use claims_fund::*;
pub use claims_receive::*;
pub use token_cancel_queued::*;
pub use token_handle::*;
pub use token_link::*;
pub use token_refund::*;
pub use token_register::*;
pub use token_release_queued::*;
pub use token_set_rate_limits::*;
pub use token_set_remote_bridge::*;
pub use token_transfer_remote::*;
