// The Ignition module and the two-chain deploy script: what they deploy and how they wire it.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  bridgedTokenAbi,
  campaignLedgerAbi,
  communityRegistryAbi,
  epochReportsAbi,
  gatewayAbi,
  parseDeployment,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import { loadDeployment } from "@maskoii/sdk/node";
import { demoRecipientAbi, demoTokenAbi, devnetAttesters } from "@maskoii/testkit";
import {
  DEFAULT_FEES,
  DEFAULT_LIMITS,
  DEFAULT_REVENUE,
  deployMaskoii,
  linkChains,
  MODE_LOCK,
  MODE_MINT,
  SHARED_DECIMALS,
  toBytes32,
} from "@maskoii/testkit/deploy";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { type Abi, type Address, getAddress } from "viem";
import MaskoiiModule, { DEFAULT_EMERGENCY_DELAY } from "../ignition/modules/maskoii.ts";
import { DOMAIN_A, DOMAIN_B } from "./helpers/world.ts";

const connections: NetworkConnection[] = [];
after(async () => {
  for (const connection of connections) await connection.close();
});

async function connect(name: "chainA" | "chainB"): Promise<NetworkConnection> {
  const connection = await network.create(name);
  connections.push(connection);
  return connection;
}

describe("Ignition module Maskoii", () => {
  it("deploys Gateway (its own attester set), TokenBridge, DemoToken and BridgedToken wired to each other", async () => {
    const connection = await connect("chainA");
    const [deployer, guardian] = await connection.viem.getWalletClients();
    const attesters = devnetAttesters(4, "ignition test").map((m) => m.account.address);
    const weights = [1n, 2n, 3n, 4n];
    const deployed: Record<"gateway" | "tokenBridge" | "demoToken" | "bridgedToken", { address: Address }> =
      await connection.ignition.deploy(MaskoiiModule, {
        displayUi: false,
        parameters: {
          Maskoii: {
            domain: DOMAIN_A,
            attesters,
            weights,
            thresholdBps: 7000,
            overlapWindow: 600,
            guardian: guardian!.account.address,
            demoSymbol: "TST",
          },
        },
      });
    const publicClient = await connection.viem.getPublicClient();
    const read = <const TAbi extends Abi>(abi: TAbi, address: Address) => ({ abi, address });
    const addresses = {
      gateway: getAddress(deployed.gateway.address),
      tokenBridge: getAddress(deployed.tokenBridge.address),
      demoToken: getAddress(deployed.demoToken.address),
      bridgedToken: getAddress(deployed.bridgedToken.address),
    };
    const owner = getAddress(deployer!.account.address);

    // No separate AttesterSet: the module deploys exactly these four contracts, and the Gateway is the set.
    assert.deepEqual(Object.keys(deployed).sort(), ["bridgedToken", "demoToken", "gateway", "tokenBridge"]);
    const set = read(gatewayAbi, addresses.gateway);
    assert.equal(await publicClient.readContract({ ...set, functionName: "localDomain" }), DOMAIN_A);
    assert.equal(await publicClient.readContract({ ...set, functionName: "overlapWindow" }), 600);
    assert.equal(await publicClient.readContract({ ...set, functionName: "emergencyDelay" }), DEFAULT_EMERGENCY_DELAY);
    assert.equal(await publicClient.readContract({ ...set, functionName: "owner" }), owner);
    assert.equal(await publicClient.readContract({ ...set, functionName: "currentSetId" }), 1n);
    const [members, memberWeights, threshold, total] = await publicClient.readContract({
      ...set,
      functionName: "getSet",
      args: [1n],
    });
    assert.deepEqual(members, attesters);
    assert.deepEqual(memberWeights, weights);
    assert.equal(threshold, 7000);
    assert.equal(total, 10n);

    const gateway = read(gatewayAbi, addresses.gateway);
    assert.equal(await publicClient.readContract({ ...gateway, functionName: "attesterSet" }), addresses.gateway);
    assert.equal(await publicClient.readContract({ ...gateway, functionName: "localDomain" }), DOMAIN_A);
    assert.equal(await publicClient.readContract({ ...gateway, functionName: "owner" }), owner);
    assert.equal(
      await publicClient.readContract({ ...gateway, functionName: "guardian" }),
      getAddress(guardian!.account.address),
    );

    const bridge = read(tokenBridgeAbi, addresses.tokenBridge);
    assert.equal(await publicClient.readContract({ ...bridge, functionName: "gateway" }), addresses.gateway);
    assert.equal(await publicClient.readContract({ ...bridge, functionName: "owner" }), owner);
    assert.equal(
      await publicClient.readContract({ ...read(bridgedTokenAbi, addresses.bridgedToken), functionName: "bridge" }),
      addresses.tokenBridge,
    );
    assert.equal(
      await publicClient.readContract({ ...read(demoTokenAbi, addresses.demoToken), functionName: "symbol" }),
      "TST",
    );
    assert.equal(
      await publicClient.readContract({ ...read(demoTokenAbi, addresses.demoToken), functionName: "owner" }),
      owner,
    );
  });
});

describe("scripts/deploy.ts on two chains", () => {
  it("links both chains both ways and writes deployment files the sdk schema accepts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "maskoii-deployments-"));
    try {
      const connectionA = await connect("chainA");
      const connectionB = await connect("chainB");
      const attesters = devnetAttesters(3, "deploy test").map((m) => m.account.address);
      const [a, b] = await deployMaskoii({
        chains: [
          { connection: connectionA, domain: DOMAIN_A, rpcUrl: "http://127.0.0.1:8545" },
          { connection: connectionB, domain: DOMAIN_B },
        ],
        attesters,
        weights: [1n, 1n, 1n],
        thresholdBps: 6666,
        deploymentsDir: dir,
      });

      for (const [local, remote] of [
        [a, b],
        [b, a],
      ] as const) {
        const publicClient = await local.connection.viem.getPublicClient();
        const bridge = { abi: tokenBridgeAbi, address: local.contracts.tokenBridge } as const;
        assert.equal(
          await publicClient.readContract({ ...bridge, functionName: "remoteBridge", args: [remote.domain] }),
          toBytes32(remote.contracts.tokenBridge),
        );
        assert.equal(
          await publicClient.readContract({
            ...bridge,
            functionName: "remoteToken",
            args: [local.contracts.demoToken, remote.domain],
          }),
          toBytes32(remote.contracts.bridgedToken),
        );
        assert.equal(
          await publicClient.readContract({
            ...bridge,
            functionName: "remoteToken",
            args: [local.contracts.bridgedToken, remote.domain],
          }),
          toBytes32(remote.contracts.demoToken),
        );
        const lockConfig = await publicClient.readContract({
          ...bridge,
          functionName: "tokenConfig",
          args: [local.contracts.demoToken],
        });
        const mintConfig = await publicClient.readContract({
          ...bridge,
          functionName: "tokenConfig",
          args: [local.contracts.bridgedToken],
        });
        assert.deepEqual([lockConfig[0], lockConfig[1], lockConfig[3]], [true, MODE_LOCK, SHARED_DECIMALS]);
        assert.deepEqual([mintConfig[0], mintConfig[1], mintConfig[3]], [true, MODE_MINT, SHARED_DECIMALS]);
        assert.ok(
          (await publicClient.readContract({
            ...bridge,
            functionName: "outboundAvailable",
            args: [local.contracts.demoToken, remote.domain],
          })) > 0n,
        );
        assert.ok(
          (await publicClient.readContract({
            abi: gatewayAbi,
            address: local.contracts.gateway,
            functionName: "quoteFee",
            args: [remote.domain, 105n],
          })) > 0n,
        );

        const file = await loadDeployment(join(dir, `${local.chainId}.json`));
        assert.deepEqual(file, local.deployment);
        assert.equal(file.domain, local.domain);
        assert.equal(file.contracts.gateway, local.contracts.gateway);
        assert.equal(
          await publicClient.readContract({
            abi: gatewayAbi,
            address: file.contracts.gateway,
            functionName: "attesterSet",
          }),
          file.contracts.gateway,
        );
        assert.equal(Object.hasOwn(file.contracts, "attesterSet"), false, "no separate attester set address");
        const tokens = Object.values(file.contracts.tokens);
        assert.deepEqual(tokens.map((t) => t.mode).sort(), ["lock", "mint"]);

        // The revenue suite is deployed, wired to the Gateway and to each other, and recorded in the file.
        const revenue = file.contracts.revenue;
        assert.ok(revenue !== undefined, "revenue suite in the deployment file");
        assert.deepEqual(revenue, local.revenue);
        assert.equal(revenue.epochLength, DEFAULT_REVENUE.epochLength);
        assert.equal(revenue.challengeWindow, DEFAULT_REVENUE.challengeWindow);
        const ledger = { abi: campaignLedgerAbi, address: revenue.campaignLedger } as const;
        assert.equal(await publicClient.readContract({ ...ledger, functionName: "reports" }), revenue.epochReports);
        assert.equal(await publicClient.readContract({ ...ledger, functionName: "payouts" }), revenue.creatorPayouts);
        assert.equal(
          await publicClient.readContract({
            abi: epochReportsAbi,
            address: revenue.epochReports,
            functionName: "attesterSet",
          }),
          local.contracts.gateway,
        );
        assert.equal(
          await publicClient.readContract({
            abi: communityRegistryAbi,
            address: revenue.communityRegistry,
            functionName: "genesis",
          }),
          revenue.genesis,
        );
      }
      // Linking again is a no-op: every step is already in place, so no transaction is sent.
      const publicA = await connectionA.viem.getPublicClient();
      const publicB = await connectionB.viem.getPublicClient();
      const blocks = [await publicA.getBlockNumber(), await publicB.getBlockNumber()];
      await linkChains(a, b, DEFAULT_LIMITS, DEFAULT_FEES);
      assert.deepEqual([await publicA.getBlockNumber(), await publicB.getBlockNumber()], blocks);
      // A changed fee is applied, and only that.
      await linkChains(a, b, DEFAULT_LIMITS, { baseFee: 7n, feePerByte: 1n });
      assert.equal(await publicA.getBlockNumber(), blocks[0]! + 1n);
      assert.equal(
        await publicA.readContract({
          abi: gatewayAbi,
          address: a.contracts.gateway,
          functionName: "quoteFee",
          args: [DOMAIN_B, 105n],
        }),
        112n,
      );

      assert.equal(a.chainId, 31337);
      assert.equal(b.chainId, 31338);
      const raw: unknown = JSON.parse(readFileSync(join(dir, "31337.json"), "utf8"));
      assert.equal(parseDeployment(raw).rpcUrl, "http://127.0.0.1:8545");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Ignition parameter files of the devnet", () => {
  it("name the devnet's domains and deterministic attesters", () => {
    const expected = devnetAttesters(3).map((m) => m.account.address);
    for (const [file, domain] of [
      ["devnetA.json", DOMAIN_A],
      ["devnetB.json", DOMAIN_B],
    ] as const) {
      const path = fileURLToPath(new URL(`../ignition/parameters/${file}`, import.meta.url));
      const parsed = JSON.parse(readFileSync(path, "utf8")) as {
        Maskoii: { domain: number; attesters: string[]; weights: string[]; thresholdBps: number };
      };
      assert.equal(parsed.Maskoii.domain, domain);
      assert.deepEqual(parsed.Maskoii.attesters, expected);
      assert.deepEqual(parsed.Maskoii.weights, ["1n", "1n", "1n"]);
      assert.equal(parsed.Maskoii.thresholdBps, 6666);
    }
  });
});

describe("hand-written ABIs of the demo contracts", () => {
  it("match the compiled artifacts", async () => {
    const { artifacts } = await import("hardhat");
    for (const [name, abi] of [
      ["DemoToken", demoTokenAbi],
      ["DemoRecipient", demoRecipientAbi],
    ] as const) {
      const artifact = await artifacts.readArtifact(name);
      const compiled = JSON.stringify(artifact.abi);
      for (const item of abi) {
        const found = (artifact.abi as readonly { type: string; name?: string; inputs?: unknown }[]).find(
          (entry) => entry.type === item.type && entry.name === item.name,
        );
        assert.ok(found !== undefined, `${name}.${item.name} is not in the artifact (${compiled.length} bytes)`);
        assert.deepEqual(
          (found.inputs as { type: string }[] | undefined)?.map((input) => input.type),
          item.inputs.map((input) => input.type),
          `${name}.${item.name} inputs`,
        );
      }
    }
  });
});
