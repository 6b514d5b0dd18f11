//! Program accounts. Every account is a PDA whose seeds are in [`crate::seeds`].

pub mod attester_set;
pub mod config;
pub mod outbox;
pub mod receipt;
pub mod route_fee;
pub mod verification;

pub use attester_set::*;
pub use config::*;
pub use outbox::*;
pub use receipt::*;
pub use route_fee::*;
pub use verification::*;

pub mod claims;
pub mod refund;
pub mod token;

pub use claims::*;
pub use refund::*;
pub use token::*;
