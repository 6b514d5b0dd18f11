//! Message encoding and id (docs/protocol.md §2).
//!
//! `version (1) ‖ nonce (8) ‖ originDomain (4) ‖ sender (32) ‖ destinationDomain (4) ‖ recipient (32) ‖ payload`,
//! big-endian, packed; `messageId = keccak256(message)`.

use crate::errors::MaskoiiError;

/// The only message version.
pub const VERSION: u8 = 1;
/// Bytes before the payload.
pub const HEADER_LENGTH: usize = 81;
/// Longest payload a message may carry.
pub const MAX_PAYLOAD_LENGTH: usize = 4096;

const NONCE_OFFSET: usize = 1;
const ORIGIN_OFFSET: usize = 9;
const SENDER_OFFSET: usize = 13;
const DESTINATION_OFFSET: usize = 45;
const RECIPIENT_OFFSET: usize = 49;

/// A decoded, validated message that borrows its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageView<'a> {
    /// Origin-assigned nonce.
    pub nonce: u64,
    /// Domain of the origin gateway.
    pub origin_domain: u32,
    /// Origin-side sender, left-padded to 32 bytes.
    pub sender: [u8; 32],
    /// Domain the message is addressed to.
    pub destination_domain: u32,
    /// Destination-side recipient (on Solana: the recipient program id).
    pub recipient: [u8; 32],
    /// Application bytes.
    pub payload: &'a [u8],
}

/// Encodes a message (spec §2). Fails with `PayloadTooLong` past `MAX_PAYLOAD_LENGTH`.
pub fn encode(
    nonce: u64,
    origin_domain: u32,
    sender: &[u8; 32],
    destination_domain: u32,
    recipient: &[u8; 32],
    payload: &[u8],
) -> Result<Vec<u8>, MaskoiiError> {
    if payload.len() > MAX_PAYLOAD_LENGTH {
        return Err(MaskoiiError::PayloadTooLong);
    }
    let mut out = Vec::with_capacity(HEADER_LENGTH + payload.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce.to_be_bytes());
    out.extend_from_slice(&origin_domain.to_be_bytes());
    out.extend_from_slice(sender);
    out.extend_from_slice(&destination_domain.to_be_bytes());
    out.extend_from_slice(recipient);
    out.extend_from_slice(payload);
    Ok(out)
}

/// Checks a message is well formed, in the Solidity order: length, payload length, version.
pub fn validate(message: &[u8]) -> Result<(), MaskoiiError> {
    if message.len() < HEADER_LENGTH {
        return Err(MaskoiiError::MessageTooShort);
    }
    if message.len() - HEADER_LENGTH > MAX_PAYLOAD_LENGTH {
        return Err(MaskoiiError::PayloadTooLong);
    }
    if message[0] != VERSION {
        return Err(MaskoiiError::UnsupportedVersion);
    }
    Ok(())
}

/// Validates and decodes a message.
pub fn decode(message: &[u8]) -> Result<MessageView<'_>, MaskoiiError> {
    validate(message)?;
    Ok(MessageView {
        nonce: u64::from_be_bytes(message[NONCE_OFFSET..ORIGIN_OFFSET].try_into().unwrap()),
        origin_domain: u32::from_be_bytes(message[ORIGIN_OFFSET..SENDER_OFFSET].try_into().unwrap()),
        sender: message[SENDER_OFFSET..DESTINATION_OFFSET].try_into().unwrap(),
        destination_domain: u32::from_be_bytes(message[DESTINATION_OFFSET..RECIPIENT_OFFSET].try_into().unwrap()),
        recipient: message[RECIPIENT_OFFSET..HEADER_LENGTH].try_into().unwrap(),
        payload: &message[HEADER_LENGTH..],
    })
}

/// `keccak256(message)`.
pub fn id(message: &[u8]) -> [u8; 32] {
    super::keccak(&[message])
}

/// An EVM address left-padded to 32 bytes.
pub fn address_to_bytes32(address: &[u8; 20]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[12..].copy_from_slice(address);
    out
}
