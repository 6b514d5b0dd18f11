// Signing a built report and authenticating a persona's payout-proof request (docs/protocol.md §12.5).
//   report:  the node's attester key signs the EpochReport attestation digest (sdk reportAttestationDigest) as-is,
//            the signature the relayer's submitter combines into an attestation (sdk buildAttestation's form).
//   request: the persona signs, EIP-191 personal_sign, keccak256 of
//            "maskoii payout proof v1" ‖ uint64 chainId ‖ address CommunityRegistry ‖ address persona ‖ uint64 time (ms)
//            (packed), so a signature is good for one format, one deployment, one chain, one persona, one minute.
import {
  addressOfPrivateKey,
  type EpochReport,
  recoverSigner,
  reportAttestationDigest,
  type Signature,
  signDigest,
} from "@maskoii/sdk";
import { type Address, encodePacked, getAddress, type Hex, keccak256, recoverMessageAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";

/** Where a report's attestation is checked: the chain's attester domain, EpochReports and the attester set. */
export type ReportDomain = { readonly domain: number; readonly epochReports: Address; readonly attesterSetId: bigint };

export type ReportSignature = { readonly digest: Hex; readonly signer: Address; readonly signature: Signature };

/** Signs `report`'s attestation digest with the attester key. */
export function signReport(report: EpochReport, attesterKey: Hex, d: ReportDomain): ReportSignature {
  const digest = reportAttestationDigest({ ...d, report });
  return { digest, signer: addressOfPrivateKey(attesterKey), signature: signDigest(digest, attesterKey) };
}

/** The address that signed `report`'s attestation digest (throws on a malformed signature). */
export function reportSigner(report: EpochReport, signature: Signature, d: ReportDomain): Address {
  return recoverSigner(reportAttestationDigest({ ...d, report }), signature);
}

export const PAYOUT_PROOF_TAG = "maskoii payout proof v1";
/** How far a request's time may be from the node's clock. */
export const PAYOUT_REQUEST_SKEW_MS = 60_000;

/** The deployment a payout-proof request is bound to. */
export type PayoutAuthDomain = { readonly chainId: number; readonly communityRegistry: Address };

/** keccak256 of the request's canonical bytes (what the persona personal_signs). */
export function payoutRequestDigest(d: PayoutAuthDomain, persona: Address, timeMs: number): Hex {
  return keccak256(
    encodePacked(
      ["string", "uint64", "address", "address", "uint64"],
      [PAYOUT_PROOF_TAG, BigInt(d.chainId), getAddress(d.communityRegistry), getAddress(persona), BigInt(timeMs)],
    ),
  );
}

/** The persona's signature of a request (what a wallet's personal_sign of the digest's 32 bytes gives). */
export async function signPayoutRequest(
  personaKey: Hex,
  d: PayoutAuthDomain,
  timeMs: number,
): Promise<{ persona: Address; signature: Hex }> {
  const account = privateKeyToAccount(personaKey);
  const signature = await account.signMessage({ message: { raw: payoutRequestDigest(d, account.address, timeMs) } });
  return { persona: account.address, signature };
}

/** Whether `signature` is `persona`'s signature of the request at `timeMs`. */
export async function verifyPayoutRequest(
  d: PayoutAuthDomain,
  persona: Address,
  timeMs: number,
  signature: Hex,
): Promise<boolean> {
  try {
    const signer = await recoverMessageAddress({
      message: { raw: payoutRequestDigest(d, persona, timeMs) },
      signature,
    });
    return signer === getAddress(persona);
  } catch {
    return false;
  }
}
