//! Program tests in a real Solana runtime (solana-program-test) with the maskoii entrypoint as a native processor.
#![allow(deprecated, unused_imports)]

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod attacks;
mod attester_set;
mod events;
mod gateway;
