/**
 * Identity bindings (docs/protocol.md §11.2): what the attester quorum signs, under the `IdentityBinding` attestation
 * kind with the IdentityRegistry as verifier, after checking a proof post on the platform. Byte for byte
 * RevenueCodec.bindingHash (vectors: `bindings` in test/vectors/revenue.json).
 */
import { type Address, encodeAbiParameters, type Hex, keccak256, zeroAddress } from "viem";
import { assertAddress, assertBytes32, assertUint } from "../internal/assert.ts";
import { assertPlatform, type Platform } from "./platforms.ts";

/** A binding of a platform account to a persona (persona = the zero address revokes). */
export type IdentityBinding = {
  /** 1..5 (`Platform`). */
  readonly platform: number;
  /** The account's 32-byte id (`accountIdOf`). */
  readonly accountId: Hex;
  /** The persona address; `zeroAddress` revokes the account's binding. */
  readonly persona: Address;
  /** uint64, strictly greater than the account's stored sequence (the registry refuses replays). */
  readonly sequence: bigint | number;
};

const BINDING_PARAMS = [
  { name: "platform", type: "uint8" },
  { name: "accountId", type: "bytes32" },
  { name: "persona", type: "address" },
  { name: "sequence", type: "uint64" },
] as const;

function checked(b: IdentityBinding): readonly [Platform, Hex, Address, bigint] {
  return [
    assertPlatform(b.platform),
    assertBytes32("accountId", b.accountId),
    assertAddress("persona", b.persona),
    assertUint("sequence", b.sequence, 64),
  ];
}

/** abi.encode(uint8 platform, bytes32 accountId, address persona, uint64 sequence): 128 bytes. */
export function encodeBinding(binding: IdentityBinding): Hex {
  return encodeAbiParameters(BINDING_PARAMS, checked(binding));
}

/** The value of an IdentityBinding attestation: keccak256(encodeBinding(binding)). */
export function bindingHash(binding: IdentityBinding): Hex {
  return keccak256(encodeBinding(binding));
}

/** Whether the binding revokes (its persona is the zero address). */
export function isRevocation(binding: IdentityBinding): boolean {
  return assertAddress("persona", binding.persona) === zeroAddress;
}
