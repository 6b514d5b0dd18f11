import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDeployment, parseSolanaDeployment } from "../src/config.ts";
import { DeploymentReadFailedError, InvalidDeploymentError } from "../src/errors/index.ts";
import { loadDeployment, loadSolanaDeployment } from "../src/node/index.ts";
import { expectCode } from "./helpers.ts";

const good = {
  chainId: 31337,
  domain: 1001,
  rpcUrl: "http://127.0.0.1:8545",
  contracts: {
    gateway: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    tokenBridge: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    tokens: {
      USDC: { address: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", mode: "lock", decimals: 6, sharedDecimals: 6 },
      wSOL: { address: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9", mode: "mint", decimals: 9, sharedDecimals: 8 },
    },
  },
  deployedAt: { blockNumber: 12 },
};

function clone(): typeof good {
  return structuredClone(good);
}

function fieldOf(value: unknown): string {
  const err = expectCode(() => parseDeployment(value), "InvalidDeployment", InvalidDeploymentError);
  return (err as InvalidDeploymentError).field;
}

describe("parseDeployment", () => {
  it("accepts the optional revenue suite and checks its addresses and fields", () => {
    const revenue = {
      communityRegistry: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
      identityRegistry: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
      campaignLedger: "0x0165878A594ca255338adfa4d48449f69242Eb8F",
      epochReports: "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
      creatorPayouts: "0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6",
      genesis: 1_765_000_000,
      epochLength: 3600,
      challengeWindow: 3600,
    };
    const withRevenue = { ...good, contracts: { ...good.contracts, revenue } };
    expect(parseDeployment(withRevenue).contracts.revenue).toEqual(revenue);
    expect(fieldOf({ ...good, contracts: { ...good.contracts, revenue: { ...revenue, epochLength: 0 } } })).toBe(
      "contracts.revenue.epochLength",
    );
    expect(
      fieldOf({
        ...good,
        contracts: { ...good.contracts, revenue: { ...revenue, epochReports: revenue.epochReports.toLowerCase() } },
      }),
    ).toBe("contracts.revenue.epochReports");
    expect(fieldOf({ ...good, contracts: { ...good.contracts, revenue: { ...revenue, extra: 1 } } })).toBe(
      "contracts.revenue",
    );
  });

  it("accepts a valid deployment and an absent rpcUrl", () => {
    expect(parseDeployment(good)).toEqual(good);
    const { rpcUrl: _, ...noRpc } = good;
    expect(parseDeployment(noRpc).rpcUrl).toBeUndefined();
  });

  it("names the bad field", () => {
    const a = clone();
    a.contracts.gateway = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"; // lower case: not checksummed
    expect(fieldOf(a)).toBe("contracts.gateway");
    const b = clone();
    b.contracts.tokens.USDC.address = "0x1234";
    expect(fieldOf(b)).toBe("contracts.tokens.USDC.address");
    const c = clone();
    (c.contracts.tokens.wSOL as { mode: string }).mode = "burn";
    expect(fieldOf(c)).toBe("contracts.tokens.wSOL.mode");
    const d = clone();
    d.contracts.tokens.USDC.sharedDecimals = 8;
    expect(fieldOf(d)).toBe("contracts.tokens.USDC.sharedDecimals");
    const e = clone();
    (e.deployedAt as { blockNumber: unknown }).blockNumber = "12";
    expect(fieldOf(e)).toBe("deployedAt.blockNumber");
    const f = clone();
    f.rpcUrl = "not a url";
    expect(fieldOf(f)).toBe("rpcUrl");
    const { tokenBridge: _, ...missing } = good.contracts;
    expect(fieldOf({ ...good, contracts: missing })).toBe("contracts.tokenBridge");
    expect(fieldOf(null)).toBe("(root)");
  });

  it("checks the domain against the registry and the chain id", () => {
    expect(fieldOf({ ...good, domain: 0 })).toBe("domain");
    expect(fieldOf({ ...good, domain: 4242 })).toBe("domain");
    expect(fieldOf({ ...good, domain: 2 })).toBe("domain");
    expect(fieldOf({ ...good, chainId: 31338 })).toBe("chainId");
    expect(parseDeployment({ ...good, domain: 1002, chainId: 31338 }).domain).toBe(1002);
  });

  it("rejects a separate attesterSet address (the gateway is the attester set)", () => {
    const withSet = clone() as typeof good & { contracts: Record<string, unknown> };
    withSet.contracts.attesterSet = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const err = expectCode(() => parseDeployment(withSet), "InvalidDeployment") as InvalidDeploymentError;
    expect(err.message).toMatch(/attesterSet/);
  });

  it("rejects unknown keys (typos)", () => {
    const err = expectCode(
      () => parseDeployment({ ...good, gatway: "x" }),
      "InvalidDeployment",
    ) as InvalidDeploymentError;
    expect(err.message).toMatch(/gatway/);
  });

  it("lists every issue", () => {
    const err = expectCode(
      () => parseDeployment({ ...good, chainId: -1, deployedAt: {} }),
      "InvalidDeployment",
    ) as InvalidDeploymentError;
    expect(err.issues.map((i) => i.field)).toEqual(expect.arrayContaining(["chainId", "deployedAt.blockNumber"]));
    expect(err.message).toMatch(/and \d+ more/);
  });
});

describe("loadDeployment", () => {
  const dir = mkdtempSync(join(tmpdir(), "maskoii-config-"));

  it("reads and validates a file", async () => {
    const path = join(dir, "31337.json");
    writeFileSync(path, JSON.stringify(good));
    await expect(loadDeployment(path)).resolves.toEqual(good);
  });

  it("names the file and field when invalid", async () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, JSON.stringify({ ...good, domain: "1001" }));
    await expect(loadDeployment(path)).rejects.toThrow(InvalidDeploymentError);
    await expect(loadDeployment(path)).rejects.toMatchObject({ code: "InvalidDeployment", field: "domain" });
    await expect(loadDeployment(path)).rejects.toThrow(/bad\.json: domain/);
  });

  it("fails with DeploymentReadFailed for a missing file or bad JSON", async () => {
    await expect(loadDeployment(join(dir, "missing.json"))).rejects.toMatchObject({
      code: "DeploymentReadFailed",
    });
    const path = join(dir, "broken.json");
    writeFileSync(path, "{ not json");
    await expect(loadDeployment(path)).rejects.toThrow(DeploymentReadFailedError);
  });
});

// What testkit/src/solana.ts (deploySolana) writes to .devnet/solana.json.
const solanaGood = {
  domain: 1003,
  rpcUrl: "http://127.0.0.1:8899",
  wsUrl: "ws://127.0.0.1:8900",
  programId: "Ab1Z8Rt7KN6wPu2RGUy5cg6hH5CQd1wRy28chGR3Lxj8",
  admin: "9u4TbQj5jfpHmXiRGGyVewqNDa9HNJcuj6PtFLf9q4Mp",
  tokens: {
    bDEMOA: {
      mint: "So11111111111111111111111111111111111111112",
      mode: "mint",
      decimals: 9,
      sharedDecimals: 8,
      links: {
        "1001": {
          tokenBridge: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
          token: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
        },
      },
    },
  },
};

function solanaFieldOf(value: unknown): string {
  const err = expectCode(() => parseSolanaDeployment(value), "InvalidDeployment", InvalidDeploymentError);
  return (err as InvalidDeploymentError).field;
}

describe("parseSolanaDeployment", () => {
  it("accepts the devnet summary and keeps it as is", () => {
    expect(parseSolanaDeployment(solanaGood)).toEqual(solanaGood);
    const { wsUrl: _, ...noWs } = structuredClone(solanaGood);
    expect(parseSolanaDeployment(noWs).wsUrl).toBeUndefined();
  });

  it("rejects addresses that are not 32 bytes of base58", () => {
    expect(solanaFieldOf({ ...solanaGood, programId: "0OIl" })).toBe("programId");
    expect(solanaFieldOf({ ...solanaGood, admin: "1111111111111111111111111111111" })).toBe("admin");
    const badMint = structuredClone(solanaGood);
    badMint.tokens.bDEMOA.mint = `${solanaGood.tokens.bDEMOA.mint}1`;
    expect(solanaFieldOf(badMint)).toBe("tokens.bDEMOA.mint");
  });

  it("rejects an EVM or unknown domain, and links to non-EVM domains", () => {
    expect(solanaFieldOf({ ...solanaGood, domain: 1001 })).toBe("domain");
    expect(solanaFieldOf({ ...solanaGood, domain: 4242 })).toBe("domain");
    const toSvm = structuredClone(solanaGood) as { tokens: { bDEMOA: { links: Record<string, unknown> } } };
    toSvm.tokens.bDEMOA.links["1003"] = solanaGood.tokens.bDEMOA.links["1001"];
    expect(solanaFieldOf(toSvm)).toBe("tokens.bDEMOA.links.1003");
  });

  it("rejects unchecksummed EVM link addresses, bad decimals and unknown fields", () => {
    const lower = structuredClone(solanaGood);
    lower.tokens.bDEMOA.links["1001"].token = lower.tokens.bDEMOA.links["1001"].token.toLowerCase();
    expect(solanaFieldOf(lower)).toBe("tokens.bDEMOA.links.1001.token");
    const decimals = structuredClone(solanaGood);
    decimals.tokens.bDEMOA.sharedDecimals = 10;
    expect(solanaFieldOf(decimals)).toBe("tokens.bDEMOA.sharedDecimals");
    expect(solanaFieldOf({ ...solanaGood, programID: solanaGood.programId })).toBe("(root)");
  });
});

describe("loadSolanaDeployment", () => {
  const dir = mkdtempSync(join(tmpdir(), "maskoii-solana-config-"));

  it("reads and validates a file, naming it in errors", async () => {
    const path = join(dir, "solana.json");
    writeFileSync(path, JSON.stringify(solanaGood));
    await expect(loadSolanaDeployment(path)).resolves.toEqual(solanaGood);
    const bad = join(dir, "bad-solana.json");
    writeFileSync(bad, JSON.stringify({ ...solanaGood, domain: 1002 }));
    await expect(loadSolanaDeployment(bad)).rejects.toMatchObject({ code: "InvalidDeployment", field: "domain" });
    await expect(loadSolanaDeployment(bad)).rejects.toThrow(/bad-solana\.json: domain/);
    await expect(loadSolanaDeployment(join(dir, "missing.json"))).rejects.toThrow(DeploymentReadFailedError);
  });
});
