import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  encodeErrorResult,
  type Hex,
  hashTypedData,
  recoverTypedDataAddress,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { epochReportsAbi } from "../src/abi/epoch-reports.ts";
import { attestationTypedData } from "../src/attestation.ts";
import { RevenueCallFailedError, RevenueCallRevertedError, RevenueWalletMissingError } from "../src/errors/index.ts";
import { addressToBytes32 } from "../src/message.ts";
import {
  bindingAttestationDigest,
  bindingHash,
  claimToTypedData,
  decodeSplitPolicy,
  type EpochReport,
  encodeSplitPolicy,
  lineSpend,
  RevenueClient,
  reportAttestationDigest,
  reportHash,
  resolutionAttestationDigest,
  resolutionHash,
  splitSpend,
} from "../src/revenue/index.ts";
import { b32, key } from "./helpers.ts";

const addresses = {
  communityRegistry: "0x00000000000000000000000000000000000000c1",
  identityRegistry: "0x00000000000000000000000000000000000000c2",
  campaignLedger: "0x00000000000000000000000000000000000000c3",
  epochReports: "0x00000000000000000000000000000000000000c4",
  creatorPayouts: "0x00000000000000000000000000000000000000c5",
} as const satisfies Record<string, Address>;

const report: EpochReport = {
  communityId: 1,
  epoch: 7,
  engagedAccounts: 12,
  lines: [{ campaignId: 1, impressions: 1500, engagements: 3, spend: 1500n * 2n + 3n * 5n, solanaCreators: 0 }],
  prevPayoutRoot: b32("00"),
  payoutRoot: b32("ab"),
  payoutLeafCount: 2,
  expired: [],
};

/** A JSON-RPC transport whose calls revert with `data`, or fail with a transport error when `data` is undefined. */
function revertingClient(data: Hex | undefined) {
  return createPublicClient({
    transport: custom({
      request: async ({ method }) => {
        if (method === "eth_chainId") return "0x7a69";
        if (data === undefined) throw new Error("connection refused");
        throw { code: 3, message: "execution reverted", data };
      },
    }),
  });
}

describe("split policy and pricing", () => {
  it("packs creators ‖ treasury ‖ operators ‖ protocol high to low, and back", () => {
    const split = { creators: 7000, treasury: 1500, operators: 1000, protocol: 500 };
    const word = encodeSplitPolicy(split);
    expect(word).toBe((7000n << 48n) | (1500n << 32n) | (1000n << 16n) | 500n);
    expect(decodeSplitPolicy(word)).toEqual(split);
    expect(() => encodeSplitPolicy({ ...split, creators: 70_000 })).toThrow(/creators/);
  });

  it("floors each share and gives the operators the remainder, as the ledger does", () => {
    const s = splitSpend(1001n, { creators: 7000, treasury: 1500, operators: 1000, protocol: 500 });
    expect(s).toEqual({ creators: 700n, treasury: 150n, protocol: 50n, operators: 101n });
    expect(s.creators + s.treasury + s.protocol + s.operators).toBe(1001n);
  });

  it("prices a line: impressions × cpm / 1000 (floor) + engagements × cpe", () => {
    expect(lineSpend({ impressions: 1999, engagements: 3, cpm: 1000, cpe: 7 })).toBe(1999n + 21n);
    expect(lineSpend({ impressions: 999, engagements: 0, cpm: 1, cpe: 0 })).toBe(0n);
  });
});

describe("attestation digests of the revenue kinds", () => {
  it("equal viem's EIP-712 hash of the same typed data, with the consuming contract as verifier", () => {
    const binding = { platform: 1, accountId: b32("01"), persona: addresses.campaignLedger, sequence: 1 };
    expect(
      bindingAttestationDigest({
        domain: 1001,
        identityRegistry: addresses.identityRegistry,
        attesterSetId: 1,
        binding,
      }),
    ).toBe(
      hashTypedData(
        attestationTypedData("identityBinding", {
          domain: 1001,
          verifier: addressToBytes32(addresses.identityRegistry),
          attesterSetId: 1,
          value: bindingHash(binding),
        }),
      ),
    );
    expect(
      reportAttestationDigest({ domain: 1001, epochReports: addresses.epochReports, attesterSetId: 2, report }),
    ).toBe(
      hashTypedData(
        attestationTypedData("epochReport", {
          domain: 1001,
          verifier: addressToBytes32(addresses.epochReports),
          attesterSetId: 2,
          value: reportHash(report),
        }),
      ),
    );
    const upheld = resolutionAttestationDigest({
      domain: 1001,
      epochReports: addresses.epochReports,
      attesterSetId: 2,
      report,
      seq: 7n,
      upheld: true,
    });
    expect(upheld).toBe(
      hashTypedData(
        attestationTypedData("reportResolution", {
          domain: 1001,
          verifier: addressToBytes32(addresses.epochReports),
          attesterSetId: 2,
          value: resolutionHash({ reportHash: reportHash(report), seq: 7n, upheld: true }),
        }),
      ),
    );
    expect(
      resolutionAttestationDigest({
        domain: 1001,
        epochReports: addresses.epochReports,
        attesterSetId: 2,
        report,
        seq: 7n,
        upheld: false,
      }),
    ).not.toBe(upheld);
    expect(
      resolutionAttestationDigest({
        domain: 1001,
        epochReports: addresses.epochReports,
        attesterSetId: 2,
        report,
        seq: 8n,
        upheld: true,
      }),
    ).not.toBe(upheld);
  });
});

describe("ClaimTo redirect signatures", () => {
  it("signs CreatorPayouts' domain with the persona's key at its current nonce", async () => {
    const persona = privateKeyToAccount(key(7));
    let nonceAsked: string | undefined;
    const publicClient = createPublicClient({
      transport: custom({
        request: async ({ method, params }) => {
          if (method === "eth_chainId") return "0x3e9";
          if (method === "eth_call") {
            nonceAsked = (params as [{ data: Hex }])[0].data;
            return `0x${"00".repeat(31)}03`;
          }
          throw new Error(`unexpected ${method}`);
        },
      }),
    });
    const wallet = createWalletClient({ account: persona, transport: custom({ request: async () => null }) });
    const client = new RevenueClient({ publicClient, wallet, addresses });
    const to = "0x00000000000000000000000000000000000000aa";
    const token = "0x00000000000000000000000000000000000000bb";
    const signature = await client.signClaimTo({ token, to, deadline: 99n });
    expect(nonceAsked?.toLowerCase()).toContain(persona.address.slice(2).toLowerCase());
    const typed = claimToTypedData({
      chainId: 1001,
      creatorPayouts: addresses.creatorPayouts,
      persona: persona.address,
      token,
      to,
      nonce: 3n,
      deadline: 99n,
    });
    expect(typed.domain).toEqual({
      name: "maskoii CreatorPayouts",
      version: "1",
      chainId: 1001,
      verifyingContract: addresses.creatorPayouts,
    });
    expect(await recoverTypedDataAddress({ ...typed, signature })).toBe(persona.address);
  });
});

describe("typed errors", () => {
  it("a revert becomes RevenueCallRevertedError with the contract's error name and arguments", async () => {
    const data = encodeErrorResult({ abi: epochReportsAbi, errorName: "BelowKAnonymity", args: [3, 10] });
    const wallet = createWalletClient({
      account: privateKeyToAccount(key(1)),
      transport: custom({ request: async () => null }),
    });
    const client = new RevenueClient({ publicClient: revertingClient(data), wallet, addresses });
    const error = await client.submitReport(report, "0x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RevenueCallRevertedError);
    const revert = error as RevenueCallRevertedError;
    expect(revert.code).toBe("RevenueCallReverted");
    expect(revert.functionName).toBe("submit");
    expect(revert.errorName).toBe("BelowKAnonymity");
    expect(revert.args).toEqual([3, 10]);
    expect(revert.retryable).toBe(false);
  });

  it("a transport failure is RevenueCallFailedError, retryable", async () => {
    const client = new RevenueClient({ publicClient: revertingClient(undefined), addresses });
    const error = await client.claimed(0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RevenueCallFailedError);
    expect((error as RevenueCallFailedError).retryable).toBe(true);
  });

  it("a write without a wallet is RevenueWalletMissingError, before any request", async () => {
    const client = new RevenueClient({ publicClient: revertingClient(undefined), addresses });
    await expect(client.cancel(1n)).rejects.toBeInstanceOf(RevenueWalletMissingError);
  });

  it("bad inputs are refused before any request", () => {
    expect(
      () =>
        new RevenueClient({
          publicClient: revertingClient(undefined),
          addresses: { ...addresses, epochReports: "0x1" },
        }),
    ).toThrow(/epochReports/);
  });
});
