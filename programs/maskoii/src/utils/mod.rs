//! Helpers shared by several instructions that are not wire formats (those are in `protocol`).

pub mod credit;
pub mod quorum;
