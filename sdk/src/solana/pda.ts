/**
 * Program-derived addresses of the maskoii program. The seeds are programs/maskoii/src/seeds.rs (docs/solana.md,
 * "Accounts and PDA seeds"); integers in seeds are little-endian.
 */
import { PublicKey } from "@solana/web3.js";
import { type Hex, hexToBytes } from "viem";
import type { AttestationKind } from "../attestation.ts";
import { assertBytes32, assertUint } from "../internal/assert.ts";
import { MASKOII_PROGRAM_ADDRESS } from "./address.ts";

/** The program id declared in `declare_id!` (docs/solana.md). */
export const MASKOII_PROGRAM_ID = new PublicKey(MASKOII_PROGRAM_ADDRESS);
/** BPF loader v3, whose ProgramData account holds the upgrade authority `initialize` checks. */
export const BPF_LOADER_UPGRADEABLE_ID = new PublicKey("BPFLoaderUpgradeab1e11111111111111111111111");

export const SEEDS = {
  config: "config",
  attesterSet: "attester_set",
  verification: "verification",
  receipt: "receipt",
  outbox: "outbox",
  routeFee: "route_fee",
  feeVault: "fee_vault",
  gatewayAuthority: "gateway_authority",
  bridgeAuthority: "bridge_authority",
  tokenConfig: "token_config",
  escrow: "escrow",
  remoteBridge: "remote_bridge",
  tokenRoute: "token_route",
  queuedTransfer: "queued_transfer",
  distribution: "distribution",
  claimsVault: "claims_vault",
  claimBitmap: "claim_bitmap",
  refundRecord: "refund_record",
  refunded: "refunded",
} as const;

/** `kind` byte of a verification account (and its seed): 0 message, 1 batch, 2 rotation, 3 refund. */
export const ATTESTATION_KIND_BYTE: Record<AttestationKind, number> = { message: 0, batch: 1, rotation: 2, refund: 3 };

const utf8 = (s: string) => new TextEncoder().encode(s);

function le(value: bigint | number, bytes: number, field: string): Uint8Array {
  let v = assertUint(field, value, bytes * 8);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A 32-byte hex value (message id, attested value, distribution id) as seed bytes. */
function b32(field: string, value: Hex): Uint8Array {
  return hexToBytes(assertBytes32(field, value));
}

/** PDA derivation bound to one program id. */
export class MaskoiiPdas {
  readonly programId: PublicKey;

  constructor(programId: PublicKey = MASKOII_PROGRAM_ID) {
    this.programId = programId;
  }

  private find(...seeds: Uint8Array[]): PublicKey {
    return PublicKey.findProgramAddressSync(seeds, this.programId)[0];
  }

  config(): PublicKey {
    return this.find(utf8(SEEDS.config));
  }
  feeVault(): PublicKey {
    return this.find(utf8(SEEDS.feeVault));
  }
  attesterSet(setId: bigint | number): PublicKey {
    return this.find(utf8(SEEDS.attesterSet), le(setId, 8, "setId"));
  }
  verification(payer: PublicKey, kind: AttestationKind, setId: bigint | number, value: Hex): PublicKey {
    return this.find(
      utf8(SEEDS.verification),
      payer.toBytes(),
      Uint8Array.of(ATTESTATION_KIND_BYTE[kind]),
      le(setId, 8, "setId"),
      b32("value", value),
    );
  }
  /** The verification PDA and its canonical bump (`post_signatures` takes the bump as an argument). */
  verificationWithBump(
    payer: PublicKey,
    kind: AttestationKind,
    setId: bigint | number,
    value: Hex,
  ): [PublicKey, number] {
    return PublicKey.findProgramAddressSync(
      [
        utf8(SEEDS.verification),
        payer.toBytes(),
        Uint8Array.of(ATTESTATION_KIND_BYTE[kind]),
        le(setId, 8, "setId"),
        b32("value", value),
      ],
      this.programId,
    );
  }
  /**
   * The receipt of the message `(origin, nonce)`: receipts are keyed by the pair, as EVM's delivered bitmap is
   * (docs/protocol.md §8.1, "Exactly-once key"); the receipt stores the message id.
   */
  receipt(origin: number, nonce: bigint | number): PublicKey {
    return this.find(utf8(SEEDS.receipt), le(origin, 4, "origin"), le(nonce, 8, "nonce"));
  }
  /** The refund record of an inbound transfer this chain will never credit (docs/protocol.md §8.1). */
  refundRecord(messageId: Hex): PublicKey {
    return this.find(utf8(SEEDS.refundRecord), b32("messageId", messageId));
  }
  /** The marker of an outbound transfer of this origin refunded by `token_refund` (once per nonce). */
  refunded(nonce: bigint | number): PublicKey {
    return this.find(utf8(SEEDS.refunded), le(nonce, 8, "nonce"));
  }
  outbox(nonce: bigint | number): PublicKey {
    return this.find(utf8(SEEDS.outbox), le(nonce, 8, "nonce"));
  }
  routeFee(destination: number): PublicKey {
    return this.find(utf8(SEEDS.routeFee), le(destination, 4, "destination"));
  }
  gatewayAuthority(recipientProgram: PublicKey): PublicKey {
    return this.find(utf8(SEEDS.gatewayAuthority), recipientProgram.toBytes());
  }
  bridgeAuthority(): PublicKey {
    return this.find(utf8(SEEDS.bridgeAuthority));
  }
  tokenConfig(mint: PublicKey): PublicKey {
    return this.find(utf8(SEEDS.tokenConfig), mint.toBytes());
  }
  escrow(mint: PublicKey): PublicKey {
    return this.find(utf8(SEEDS.escrow), mint.toBytes());
  }
  remoteBridge(domain: number): PublicKey {
    return this.find(utf8(SEEDS.remoteBridge), le(domain, 4, "domain"));
  }
  tokenRoute(mint: PublicKey, domain: number): PublicKey {
    return this.find(utf8(SEEDS.tokenRoute), mint.toBytes(), le(domain, 4, "domain"));
  }
  queuedTransfer(route: PublicKey, seq: bigint | number): PublicKey {
    return this.find(utf8(SEEDS.queuedTransfer), route.toBytes(), le(seq, 8, "seq"));
  }
  distribution(origin: number, distributionId: Hex): PublicKey {
    return this.find(utf8(SEEDS.distribution), le(origin, 4, "origin"), b32("distributionId", distributionId));
  }
  claimsVault(distribution: PublicKey): PublicKey {
    return this.find(utf8(SEEDS.claimsVault), distribution.toBytes());
  }
  claimBitmap(distribution: PublicKey): PublicKey {
    return this.find(utf8(SEEDS.claimBitmap), distribution.toBytes());
  }
  /** The program's ProgramData account (BPF loader v3): `initialize` reads its upgrade authority. */
  programData(): PublicKey {
    return PublicKey.findProgramAddressSync([this.programId.toBytes()], BPF_LOADER_UPGRADEABLE_ID)[0];
  }
}
