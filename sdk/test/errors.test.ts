import { join } from "node:path";
import { createPublicClient, custom } from "viem";
import { describe, expect, it } from "vitest";
import {
  attestationDigest,
  buildAttestation,
  checkAttestation,
  decodeAttestation,
  encodeAttestation,
  recoverSigner,
  signDigest,
} from "../src/attestation.ts";
import { setHash } from "../src/attester-set.ts";
import { decodeDistributionMessage } from "../src/claims.ts";
import { parseDeployment } from "../src/config.ts";
import { type Domain, getDomain, getDomainByChainId, getEvmDomain } from "../src/domains.ts";
import { MaskoiiError, type MaskoiiErrorCode } from "../src/errors/index.ts";
import { batchProof, batchRoot } from "../src/merkle.ts";
import { addressToBytes32, bytes32ToAddress, decodeMessage, encodeMessage } from "../src/message.ts";
import { loadDeployment } from "../src/node/index.ts";
import { decodeRefundReceipt } from "../src/refund.ts";
import {
  assertPayoutProof,
  bindingHash,
  PayoutTree,
  parseEpochReport,
  RevenueClient,
  xAccountId,
} from "../src/revenue/index.ts";
import { openPayload, sealPayload } from "../src/sealed.ts";
import { decodeTokenMessage, toShared } from "../src/token.ts";
import { b32, key } from "./helpers.ts";

const A = "0x0000000000000000000000000000000000000001" as const;
const B = "0x0000000000000000000000000000000000000002";
const digest = attestationDigest("message", { domain: 1, verifier: b32("00"), attesterSetId: 1, value: b32("00") });
const sig = signDigest(digest, key(1));
const header = `0x01${"00".repeat(80)}` as const;
const ambiguous: Domain[] = [
  { id: 1, name: "a", family: "evm", chainId: 1 },
  { id: 2, name: "b", family: "evm", chainId: 1 },
];

const revenueAddresses = {
  communityRegistry: A,
  identityRegistry: A,
  campaignLedger: A,
  epochReports: A,
  creatorPayouts: A,
};
/** A client whose every call reverts with empty data. */
const revertingPublicClient = () =>
  createPublicClient({
    transport: custom({
      request: async () => {
        throw { code: 3, message: "execution reverted", data: "0x" };
      },
    }),
  });

/** One input per error code that triggers it. TypeScript enforces that every code is listed. */
const triggers: Record<MaskoiiErrorCode, () => unknown> = {
  InvalidHex: () => decodeMessage("0x1"),
  InvalidBytes32: () => bytes32ToAddress("0x00"),
  InvalidAddress: () => addressToBytes32("0x1"),
  FieldOutOfRange: () =>
    encodeMessage({
      nonce: -1,
      originDomain: 1,
      sender: b32("00"),
      destinationDomain: 2,
      recipient: b32("00"),
      payload: "0x",
    }),
  AddressUpperBytesNonZero: () => bytes32ToAddress(b32("11")),
  UnknownDomain: () => getDomain(0),
  UnknownChainId: () => getDomainByChainId(5),
  AmbiguousChainId: () => getDomainByChainId(1, ambiguous),
  NotEvmDomain: () => getEvmDomain(2),
  MessageTooShort: () => decodeMessage("0x01"),
  UnsupportedVersion: () => decodeMessage(`0x02${header.slice(4)}`),
  PayloadTooLong: () => decodeMessage(`${header}${"00".repeat(4097)}`),
  MalformedAttestation: () => decodeAttestation("0x00"),
  NoSignatures: () => encodeAttestation(1, []),
  DuplicateSigner: () =>
    encodeAttestation(1, [
      { index: 0, ...sig },
      { index: 0, ...sig },
    ]),
  SignersOutOfOrder: () =>
    encodeAttestation(1, [
      { index: 1, ...sig },
      { index: 0, ...sig },
    ]),
  InvalidSignatureV: () => recoverSigner(digest, { ...sig, v: 0 }),
  SignatureMalleable: () => recoverSigner(digest, { ...sig, s: b32("ff") }),
  ZeroAddressSigner: () => recoverSigner(digest, { ...sig, r: b32("00") }),
  UnknownSigner: () =>
    checkAttestation({
      digest,
      attestation: encodeAttestation(1, [{ index: 0, ...sig }]),
      attesters: [A],
      weights: [1],
      thresholdBps: 6000,
    }),
  InvalidPrivateKey: () => signDigest(digest, b32("00")),
  SignerNotInSet: () => buildAttestation({ digest, attesterSetId: 1, attesters: [A], signers: [key(1)] }),
  SignerKeyMismatch: () =>
    buildAttestation({ digest, attesterSetId: 1, attesters: [A], signers: new Map([[A, key(1)]]) }),
  EmptyBatch: () => batchRoot([]),
  LeafIndexOutOfRange: () => batchProof([b32("00")], 1),
  EmptyAttesterSet: () => setHash(1, 6000, [], []),
  TooManyAttesters: () =>
    setHash(
      1,
      6000,
      Array.from({ length: 129 }, () => A),
      Array.from({ length: 129 }, () => 1),
    ),
  AttesterWeightsLengthMismatch: () => setHash(1, 6000, [A], []),
  InvalidThreshold: () => setHash(1, 5000, [A], [1]),
  ZeroAddressAttester: () => setHash(1, 6000, ["0x0000000000000000000000000000000000000000"], [1]),
  AttestersNotSorted: () => setHash(1, 6000, [B, A], [1, 1]),
  ZeroAttesterWeight: () => setHash(1, 6000, [A], [0]),
  TotalWeightOverflow: () => setHash(1, 6000, [A, B], [(1n << 96n) - 1n, 1]),
  InvalidSetId: () => setHash(0, 6000, [A], [1]),
  TokenMessageInvalidLength: () => decodeTokenMessage("0x01"),
  TokenMessageUnknownKind: () => decodeTokenMessage(`0x02${"00".repeat(72)}`),
  DistributionMessageInvalidLength: () => decodeDistributionMessage(`0x02${"00".repeat(72)}`),
  RefundReceiptInvalidLength: () => decodeRefundReceipt(`0x01${"00".repeat(119)}`),
  RefundReceiptUnknownVersion: () => decodeRefundReceipt(`0x02${"00".repeat(120)}`),
  InvalidDecimals: () => toShared(1, 6, 8),
  AmountTooSmall: () => toShared(1, 18, 8),
  AmountExceedsWireLimit: () => toShared(1n << 64n, 8, 8),
  UnknownPlatform: () => bindingHash({ platform: 6, accountId: b32("01"), persona: A, sequence: 1 }),
  InvalidAccountId: () => xAccountId("not a handle"),
  DuplicatePayoutLeaf: () =>
    PayoutTree.build([
      { slot: 0, account: b32("01"), token: b32("02"), recipient: b32("01"), cumulative: 1, salt: b32("03") },
      { slot: 1, account: b32("01"), token: b32("02"), recipient: b32("01"), cumulative: 2, salt: b32("04") },
    ]),
  DuplicatePayoutSlot: () =>
    PayoutTree.build([
      { slot: 0, account: b32("01"), token: b32("02"), recipient: b32("01"), cumulative: 1, salt: b32("03") },
      { slot: 0, account: b32("05"), token: b32("02"), recipient: b32("05"), cumulative: 2, salt: b32("04") },
    ]),
  InvalidPayoutProof: () =>
    assertPayoutProof({
      entry: { slot: 0, account: b32("01"), token: b32("02"), recipient: b32("01"), cumulative: 1, salt: b32("03") },
      proof: [],
      root: b32("00"),
    }),
  PayoutLeafNotFound: () => PayoutTree.build([]).claimOf(b32("01"), b32("02")),
  InvalidRevenueJson: () => parseEpochReport({}),
  RevenueCallReverted: () =>
    new RevenueClient({ publicClient: revertingPublicClient(), addresses: revenueAddresses }).claimed(0),
  RevenueWalletMissing: () =>
    new RevenueClient({ publicClient: revertingPublicClient(), addresses: revenueAddresses }).cancel(1n),
  DeploymentReadFailed: () => loadDeployment(join(import.meta.dirname, "does-not-exist.json")),
  InvalidDeployment: () => parseDeployment({}),
  InvalidSealKey: () => sealPayload("0x", "0x12", { destinationDomain: 1, recipient: b32("00") }),
  SealedPayloadMalformed: () =>
    openPayload("0x01", `0x${"11".repeat(32)}`, { destinationDomain: 1, recipient: b32("00") }),
  SealedPayloadUnopenable: () =>
    openPayload(`0x01${"22".repeat(88)}`, `0x${"11".repeat(32)}`, { destinationDomain: 1, recipient: b32("00") }),
};

describe("every error code", () => {
  for (const [code, trigger] of Object.entries(triggers)) {
    it(`${code} is thrown as a MaskoiiError subclass with that code`, async () => {
      let caught: unknown;
      try {
        await trigger();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(MaskoiiError);
      expect(caught).toBeInstanceOf(Error);
      const err = caught as MaskoiiError;
      expect(err.code).toBe(code);
      expect(err.name).toBe(`${code}Error`);
      expect(err.message.length).toBeGreaterThan(0);
    });
  }
});
