//! Token bridge and claims tests in a real Solana runtime (solana-program-test): the maskoii entrypoint as a native
//! processor next to the real SPL Token (and Token-2022) programs that ProgramTest loads by default. Inbound
//! messages go through the real gateway: attester signatures posted to a verification account, `deliver`, and the
//! self-CPI into the token bridge's `handle`.
#![allow(deprecated, unused_imports, dead_code)]

#[path = "../common/mod.rs"]
mod common;

mod brakes;
mod bridge;
mod claims;
mod refunds;
mod util;
