// Deterministic local attester keys for the devnet. They are derived from a public label, so they are worthless
// outside a local devnet; only their addresses are ever printed.
import { type Hex, keccak256, type PrivateKeyAccount, stringToHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

export type Attester = { readonly account: PrivateKeyAccount; readonly privateKey: Hex };

/** The i-th devnet attester key: keccak256("maskoii devnet attester <i>"). */
export function devnetAttesterKey(index: number, label = "maskoii devnet attester"): Hex {
  return keccak256(stringToHex(`${label} ${index}`));
}

/** `count` deterministic attesters, sorted strictly ascending by address as an attester set requires. */
export function devnetAttesters(count: number, label?: string): Attester[] {
  const attesters = Array.from({ length: count }, (_, index) => {
    const privateKey = devnetAttesterKey(index, label);
    return { account: privateKeyToAccount(privateKey), privateKey };
  });
  return attesters.sort((a, b) => compareAddresses(a.account.address, b.account.address));
}

export function compareAddresses(a: Hex, b: Hex): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
