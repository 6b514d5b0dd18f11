// End to end with real processes: two `hardhat node` chains (A = domain 1001 / chain 31337, B = 1002 / 31338) on free
// 127.0.0.1 ports, maskoii deployed by the testkit's deploy fixture (in a child process), three attester nodes and one relayer,
// each a `maskoii` CLI process with its own keystore and PGlite store. A token transfer A -> B must be delivered
// exactly once, with nothing minted twice. Every process is stopped at the end.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { encryptKey, writeKeystore } from "@maskoii/node-kit";
import {
  addressToBytes32,
  attestationDigest,
  bridgedTokenAbi,
  gatewayAbi,
  recoverSigner,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import {
  demoTokenAbi,
  devnetAttesters,
  freePort,
  groupAlive,
  runDeployFixture,
  Supervisor,
  startHardhatNode,
  until,
} from "@maskoii/testkit";
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  parseEventLogs,
  parseUnits,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvmChainAdapter } from "../src/chains/evm.ts";
import { openStore } from "../src/store/index.ts";
import { runCli } from "./helpers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "relayer", "src", "cli.ts");
const HOST = "127.0.0.1";
const PASSWORD = "e2e keystore password";
/** Hardhat's default accounts: #0 deploys and owns, #1 is the user, #2 pays for deliveries. */
const MNEMONIC = "test test test test test test test test test test test junk";
const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
const user = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
const relayerAccount = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });

type Contracts = { gateway: Address; tokenBridge: Address; demoToken: Address; bridgedToken: Address };

describe("end to end: transfers A -> B through 3 attester processes and a relayer process", () => {
  const supervisor = new Supervisor();
  const attesters = devnetAttesters(3, "maskoii e2e attester");
  let dir = "";
  let rpcA = "";
  let rpcB = "";
  let contracts: { a: Contracts; b: Contracts };
  const attesterUrls: string[] = [];
  let relayerMetrics = "";
  let pids: number[] = [];
  let startRelayer: () => void = () => {};
  const chainA = defineChain({
    id: 31337,
    name: "A",
    nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
    rpcUrls: { default: { http: [] } },
  });
  const chainB = defineChain({ ...chainA, id: 31338, name: "B" });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-e2e-"));
    const [a, b] = await Promise.all([
      startHardhatNode({ supervisor, name: "chainA", chainId: 31337, logFile: join(dir, "chainA.log") }),
      startHardhatNode({ supervisor, name: "chainB", chainId: 31338, logFile: join(dir, "chainB.log") }),
    ]);
    rpcA = a.rpcUrl;
    rpcB = b.rpcUrl;

    const out = join(dir, "deployments");
    await mkdir(out);
    contracts = await runDeployFixture({ rpcA, rpcB, out, attesters: attesters.map((k) => k.account.address) });

    const fast = { n: 2 ** 10, r: 8, p: 1 };
    const chains = [
      {
        domain: 1001,
        rpcUrl: rpcA,
        deploymentFile: join(out, "31337.json"),
        // One confirmation: a MessageSent is final only once another block is on top of it.
        finality: { kind: "confirmations", depth: 1 },
        pollIntervalMs: 100,
      },
      {
        domain: 1002,
        rpcUrl: rpcB,
        deploymentFile: join(out, "31338.json"),
        finality: { kind: "confirmations", depth: 0 },
        pollIntervalMs: 100,
      },
    ];
    const env = { ...process.env, MASKOII_KEYSTORE_PASSWORD: PASSWORD, FORCE_COLOR: "0" };
    for (const [i, attester] of attesters.entries()) {
      const home = join(dir, `attester${i}`);
      await mkdir(home);
      await writeKeystore(join(home, "key.json"), await encryptKey("secp256k1", attester.privateKey, PASSWORD, fast));
      const port = await freePort();
      await writeFile(
        join(home, "config.json"),
        JSON.stringify({
          // Local chains: finality depth 0 / Solana "confirmed" need the dev profile (config.ts).
          profile: "dev",
          chains,
          store: { kind: "pglite", dataDir: join(home, "db") },
          keys: { keystore: join(home, "key.json") },
          attester: { listen: { host: HOST, port }, pollIntervalMs: 200 },
          log: { level: "debug" },
        }),
      );
      attesterUrls.push(`http://${HOST}:${port}`);
      supervisor.start({
        name: `attester${i}`,
        command: process.execPath,
        args: [CLI, "attester", "--config", join(home, "config.json")],
        cwd: ROOT,
        env,
        logFile: join(dir, `attester${i}.log`),
      });
    }
    const home = join(dir, "relayer");
    await mkdir(home);
    // The relayer's paying key is Hardhat's account #2; only its keystore is on disk.
    const relayerKey = `0x${Buffer.from(relayerAccount.getHdKey().privateKey ?? []).toString("hex")}` as Hex;
    await writeKeystore(join(home, "key.json"), await encryptKey("secp256k1", relayerKey, PASSWORD, fast));
    const metricsPort = await freePort();
    relayerMetrics = `http://${HOST}:${metricsPort}/metrics`;
    await writeFile(
      join(home, "config.json"),
      JSON.stringify({
        // Local chains: finality depth 0 / Solana "confirmed" need the dev profile (config.ts).
        profile: "dev",
        chains,
        store: { kind: "pglite", dataDir: join(home, "db") },
        keys: { keystore: join(home, "key.json") },
        relayer: {
          attesters: attesterUrls,
          pollIntervalMs: 300,
          retry: { baseMs: 200, maxMs: 2_000, maxAttempts: 10 },
          maxBatchSize: 2,
          metrics: { host: HOST, port: metricsPort },
        },
        log: { level: "debug" },
      }),
    );
    startRelayer = () =>
      supervisor.start({
        name: "relayer",
        command: process.execPath,
        args: [CLI, "relayer", "--config", join(home, "config.json")],
        cwd: ROOT,
        env,
        logFile: join(dir, "relayer.log"),
      });
    pids = supervisor.processes().map((p) => p.pid);
    for (const url of attesterUrls) {
      await until(`${url}/ready`, async () => ((await fetch(`${url}/ready`)).ok ? true : undefined), {
        timeoutMs: 60_000,
      });
    }
  });

  afterAll(async () => {
    await supervisor.stopAll();
    pids.push(...supervisor.processes().map((p) => p.pid));
    expect(pids.length).toBeGreaterThanOrEqual(5);
    for (const pid of pids) expect(groupAlive(pid)).toBe(false);
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("delivers three transfers exactly once, after finality, in a batch and a single delivery", async () => {
    const publicA = createPublicClient({ chain: chainA, transport: http(rpcA) });
    const publicB = createPublicClient({ chain: chainB, transport: http(rpcB) });
    const ownerA = createWalletClient({ account: owner, chain: chainA, transport: http(rpcA) });
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(rpcA) });
    const amount = parseUnits("100", 18);
    const recipient = user.address;
    const mined = async (hash: Hex) => {
      const receipt = await publicA.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe("success");
      return receipt;
    };
    await mined(
      await ownerA.writeContract({
        address: contracts.a.demoToken,
        abi: demoTokenAbi,
        functionName: "mint",
        args: [user.address, 3n * amount],
      }),
    );
    await mined(
      await userA.writeContract({
        address: contracts.a.demoToken,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [contracts.a.tokenBridge, 3n * amount],
      }),
    );
    const fee = await publicA.readContract({
      address: contracts.a.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteTransfer",
      args: [1002],
    });
    // Three transfers in ONE block, so they become final together.
    const testA = createTestClient({ mode: "hardhat", chain: chainA, transport: http(rpcA) });
    await testA.setAutomine(false);
    const nonce = await publicA.getTransactionCount({ address: user.address });
    const hashes: Hex[] = [];
    for (let i = 0; i < 3; i++) {
      hashes.push(
        await userA.writeContract({
          address: contracts.a.tokenBridge,
          abi: tokenBridgeAbi,
          functionName: "transferRemote",
          args: [contracts.a.demoToken, 1002, addressToBytes32(recipient), amount],
          value: fee,
          nonce: nonce + i,
          gas: 400_000n,
        }),
      );
    }
    await testA.mine({ blocks: 1 });
    await testA.setAutomine(true);
    const sent = [];
    for (const hash of hashes) {
      const [event] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: (await mined(hash)).logs });
      expect(event).toBeDefined();
      sent.push(event!.args);
    }
    const ids = sent.map((s) => s.messageId);

    // Not final yet (one confirmation required, none on top): no attester may have signed any of them.
    await sleep(1_500);
    for (const url of attesterUrls) {
      for (const id of ids) {
        const body = (await (await fetch(`${url}/signatures/${id}`)).json()) as { signatures: unknown[] };
        expect(body.signatures).toEqual([]);
      }
    }

    // One more block on A makes them final; every attester signs each message once, with its own key.
    await testA.mine({ blocks: 1 });
    const target = { domain: 1002, verifier: addressToBytes32(contracts.b.gateway), attesterSetId: 1n };
    for (const [i, url] of attesterUrls.entries()) {
      for (const id of ids) {
        const sig = await until(
          `attester ${i} signs ${id}`,
          async () => {
            const body = (await (await fetch(`${url}/signatures/${id}`)).json()) as {
              signatures: { kind: string; signature: Hex; attesterSetId: string }[];
            };
            const mine = body.signatures.filter((s) => s.kind === "message" && s.attesterSetId === "1");
            expect(mine.length).toBeLessThanOrEqual(1);
            return mine[0]?.signature;
          },
          { timeoutMs: 60_000 },
        );
        const signer = recoverSigner(attestationDigest("message", { ...target, value: id }), {
          r: `0x${sig.slice(2, 66)}`,
          s: `0x${sig.slice(66, 130)}`,
          v: Number.parseInt(sig.slice(130), 16),
        });
        expect(signer, `attester ${i} signs with its own key`).toBe(attesters[i]!.account.address);
      }
    }

    // Now the relayer (maxBatchSize 2): one deliverBatch of the first two, one deliver of the third.
    startRelayer();
    for (const s of sent) {
      await until(
        "delivery on B",
        async () =>
          (await publicB.readContract({
            address: contracts.b.gateway,
            abi: gatewayAbi,
            functionName: "messageStatus",
            args: [s.message],
          })) === 1
            ? true
            : undefined,
        { timeoutMs: 90_000 },
      );
    }

    // Let the relayer run a few more rounds: nothing may be delivered or minted twice.
    await sleep(2_000);
    const delivered = await publicB.getContractEvents({
      address: contracts.b.gateway,
      abi: gatewayAbi,
      eventName: "MessageDelivered",
      fromBlock: 0n,
    });
    expect(delivered.map((e) => e.args.messageId).sort()).toEqual([...ids].sort());
    expect(
      await publicB.readContract({
        address: contracts.b.bridgedToken,
        abi: bridgedTokenAbi,
        functionName: "balanceOf",
        args: [recipient],
      }),
    ).toBe(3n * amount);
    expect(
      await publicB.readContract({
        address: contracts.b.bridgedToken,
        abi: bridgedTokenAbi,
        functionName: "totalSupply",
      }),
    ).toBe(3n * amount);
    // The relayer sent exactly two transactions on B: the batch and the single delivery.
    expect(await publicB.getTransactionCount({ address: relayerAccount.address })).toBe(2);

    // isDeliveredMany (the observer's one-round-trip check) agrees with the chain on 250 pairs: more than one
    // deployless multicall can carry (EIP-3860 init code limit), so it is chunked.
    const adapterB = await EvmChainAdapter.connect({
      domain: 1002,
      rpcUrl: rpcB,
      gateway: contracts.b.gateway,
      finality: { kind: "confirmations", depth: 0 },
    });
    const pairs = [
      ...sent.map((s) => ({ origin: 1001, nonce: s.nonce })),
      ...Array.from({ length: 247 }, (_, i) => ({ origin: 1001, nonce: 1_000n + BigInt(i) })),
    ];
    expect(await adapterB.isDeliveredMany(pairs)).toEqual(pairs.map((_, i) => i < 3));

    const metrics = await (await fetch(relayerMetrics)).text();
    expect(metrics).toMatch(/maskoii_messages_total\{status="delivered",origin="1001",destination="1002"\} 3/);
    expect(metrics).toMatch(/maskoii_gas_spent_total\{destination="1002",method="deliverBatch"\} [1-9]\d+/);
    expect(metrics).toMatch(/maskoii_gas_spent_total\{destination="1002",method="deliver"\} [1-9]\d+/);

    // `maskoii doctor` (a process, reading the chains and the attesters, not the running relayer's store).
    const relayerConfig = join(dir, "relayer", "config.json");
    const doctor = await runCli(["doctor", ids[0]!, "--config", relayerConfig]);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ stage: "delivered" });
    const unknown = await runCli(["doctor", `0x${"ab".repeat(32)}`, "--config", relayerConfig]);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ stage: "unknown" });
  });

  it("every node shuts down cleanly on SIGTERM (exit 0) and the relayer's store records the deliveries", async () => {
    const nodes = supervisor.processes().filter((p) => p.name.startsWith("attester") || p.name === "relayer");
    expect(nodes.map((p) => p.name).sort()).toEqual(["attester0", "attester1", "attester2", "relayer"]);
    await supervisor.stopAll();
    for (const node of nodes) expect(await node.exited, node.name).toBe(0);
    const store = await openStore({ kind: "pglite", dataDir: join(dir, "relayer", "db") });
    try {
      const counts = await store.countDeliveries();
      expect(counts).toEqual({ pending: 0, delivered: 3, skipped: 0, failed: 0 });
    } finally {
      await store.close();
    }
  });
});
