// The relayer pipeline in-process across an EVM chain and Solana: `hardhat node` chains (A = 1001; B only because the
// deployment script deploys a pair) and the local Solana RPC (1003), maskoii deployed and linked A <-> Solana by the
// devnet's own code (in a child process), three attester nodes (startAttester: watchers, journal, signer, HTTP) and
// one relayer (startRelayer: watchers, attester client, delivery loop), each with its own PGlite store. A token
// transfer A -> Solana and one Solana -> A must each be delivered exactly once.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { addressToBytes32, gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { MaskoiiSolanaClient, pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { getAccount, getOrCreateAssociatedTokenAccount } from "@solana/spl-token";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import {
  type Address,
  bytesToHex,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  parseEventLogs,
  parseUnits,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTokenAbi } from "../../scripts/lib/abi.ts";
import { devnetAttesters } from "../../scripts/lib/keys.ts";
import { Supervisor } from "../../scripts/lib/processes.ts";
import { waitForRpc } from "../../scripts/lib/rpc.ts";
import { type AttesterHandle, startAttester } from "../src/attester/run.ts";
import { parseConfig, resolveChains } from "../src/config.ts";
import type { UnlockedKey } from "../src/keys/keystore.ts";
import { createLogger } from "../src/log.ts";
import { type RelayerHandle, startRelayer } from "../src/relayer/run.ts";
import { freePort, runFixture, until } from "./net.ts";
import { airdrop, HAVE_LOCAL_RPC, type LocalRpc, requireLocalRpc, startLocalRpc } from "./solana-helpers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HARDHAT = join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
const FIXTURE = join(ROOT, "relayer", "test", "e2e", "deploy-solana-fixture.ts");
const HOST = "127.0.0.1";
const MNEMONIC = "test test test test test test test test test test test junk";
const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
const user = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
const relayerAccount = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });
const SOLANA = 1003;

const secp = (privateKey: Hex, address: Address): UnlockedKey => ({ kind: "secp256k1", publicId: address, privateKey });

requireLocalRpc("solana-flow.test");

describe.runIf(HAVE_LOCAL_RPC)("relayer pipeline: EVM <-> Solana token transfers, each delivered once", () => {
  const supervisor = new Supervisor();
  const attesterKeys = devnetAttesters(3, "maskoii solana flow attester");
  const log = createLogger({ level: "silent" });
  const solanaPayer = Keypair.generate();
  let dir = "";
  let rpc: LocalRpc | undefined;
  let rpcA = "";
  let contracts: { gateway: Address; tokenBridge: Address; demoToken: Address };
  let mint: PublicKey;
  const attesters: AttesterHandle[] = [];
  let relayer: RelayerHandle | undefined;
  const chainA = defineChain({
    id: 31337,
    name: "A",
    nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
    rpcUrls: { default: { http: [] } },
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-solana-flow-"));
    rpc = await startLocalRpc(50);
    const [portA, portB] = [await freePort(), await freePort()];
    rpcA = `http://${HOST}:${portA}`;
    const rpcB = `http://${HOST}:${portB}`;
    for (const [name, port, chainId] of [
      ["chainA", portA, 31337],
      ["chainB", portB, 31338],
    ] as const) {
      supervisor.start({
        name,
        command: process.execPath,
        args: [HARDHAT, "node", "--hostname", HOST, "--port", String(port), "--chain-id", String(chainId)],
        cwd: ROOT,
        logFile: join(dir, `${name}.log`),
      });
    }
    await waitForRpc(rpcA, 31337, { timeoutMs: 60_000 });
    await waitForRpc(rpcB, 31338, { timeoutMs: 60_000 });
    const output = await runFixture(FIXTURE, [
      "--rpc-a",
      rpcA,
      "--rpc-b",
      rpcB,
      "--solana",
      rpc.url,
      "--solana-ws",
      rpc.wsUrl,
      "--program-id",
      rpc.programId,
      "--upgrade-authority",
      rpc.upgradeAuthority,
      "--attesters",
      attesterKeys.map((a) => a.account.address).join(","),
    ]);
    const line = output.split("\n").find((l) => l.startsWith("RESULT "));
    if (line === undefined) throw new Error(`no RESULT from the deploy fixture:\n${output}`);
    const result = JSON.parse(line.slice("RESULT ".length)) as { a: typeof contracts; mint: string };
    contracts = result.a;
    mint = new PublicKey(result.mint);
    await airdrop(new Connection(rpc.url, "confirmed"), solanaPayer.publicKey, 20);

    const chains = [
      {
        domain: 1001,
        rpcUrl: rpcA,
        gateway: contracts.gateway,
        startBlock: 0,
        finality: { kind: "confirmations", depth: 0 },
      },
      { family: "solana", domain: SOLANA, rpcUrl: rpc.url, programId: rpc.programId, commitment: "confirmed" },
    ];
    for (const [i, key] of attesterKeys.entries()) {
      const config = await resolveChains(
        parseConfig({
          chains,
          store: { kind: "pglite", dataDir: "memory://" },
          keys: { keystore: "unused.json" },
          attester: { listen: { host: HOST, port: 0 }, pollIntervalMs: 100 },
        }),
        dir,
      );
      attesters.push(
        await startAttester({ config, attestingKey: secp(key.privateKey, key.account.address), log: log.child({ i }) }),
      );
    }
    const relayerConfig = await resolveChains(
      parseConfig({
        chains,
        store: { kind: "pglite", dataDir: "memory://" },
        keys: { keystore: "unused.json", solanaKeystore: "unused-solana.json" },
        relayer: {
          attesters: attesters.map((a) => a.url),
          pollIntervalMs: 150,
          retry: { baseMs: 200, maxMs: 2_000, maxAttempts: 10 },
          maxBatchSize: 8,
        },
      }),
      dir,
    );
    const relayerKey = bytesToHex(relayerAccount.getHdKey().privateKey ?? new Uint8Array());
    relayer = await startRelayer({
      config: relayerConfig,
      payingKey: secp(relayerKey, relayerAccount.address),
      solanaKey: {
        kind: "ed25519",
        publicId: bytesToHex(solanaPayer.publicKey.toBytes()),
        privateKey: bytesToHex(solanaPayer.secretKey.slice(0, 32)),
      },
      log,
    });
  }, 240_000);

  afterAll(async () => {
    await relayer?.stop();
    for (const a of attesters) await a.stop();
    await supervisor.stopAll();
    await rpc?.stop();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("a transfer A -> Solana and one Solana -> A are each delivered exactly once", async () => {
    const connection = new Connection(rpc!.url, "confirmed");
    const client = new MaskoiiSolanaClient({ connection });
    const publicA = createPublicClient({ chain: chainA, transport: http(rpcA) });
    const ownerA = createWalletClient({ account: owner, chain: chainA, transport: http(rpcA) });
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(rpcA) });
    const mined = async (hash: Hex) => {
      const receipt = await publicA.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe("success");
      return receipt;
    };
    const solanaUser = Keypair.generate();
    await airdrop(connection, solanaUser.publicKey, 5);
    const userToken = (await getOrCreateAssociatedTokenAccount(connection, solanaUser, mint, solanaUser.publicKey))
      .address;

    // ---- A -> Solana: 12.5 demo tokens (18 decimals) arrive as 12.5 bridged SPL tokens (9 decimals).
    const amount = parseUnits("12.5", 18);
    await mined(
      await ownerA.writeContract({
        address: contracts.demoToken,
        abi: demoTokenAbi,
        functionName: "mint",
        args: [user.address, amount],
      }),
    );
    await mined(
      await userA.writeContract({
        address: contracts.demoToken,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [contracts.tokenBridge, amount],
      }),
    );
    const fee = await publicA.readContract({
      address: contracts.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteTransfer",
      args: [SOLANA],
    });
    const receipt = await mined(
      await userA.writeContract({
        address: contracts.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "transferRemote",
        args: [contracts.demoToken, SOLANA, pubkeyToBytes32(userToken), amount],
        value: fee,
      }),
    );
    const [toSolana] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    expect(toSolana).toBeDefined();
    const inboundId = toSolana!.args.messageId;
    await until("delivery on Solana", 40_000, async () => ((await client.isDelivered(inboundId)) ? true : undefined));
    expect((await getAccount(connection, userToken)).amount).toBe(parseUnits("12.5", 9));

    // ---- Solana -> A: all of it back.
    const back = await client.tokenTransferRemoteIx({
      sender: solanaUser.publicKey,
      payer: solanaUser.publicKey,
      mint,
      source: userToken,
      destination: 1001,
      recipient: addressToBytes32(user.address),
      amount: parseUnits("12.5", 9),
      maxFee: 1_000_000,
    });
    await client.sendAndConfirm([back.instruction], [solanaUser]);
    const balanceBefore = await publicA.readContract({
      address: contracts.demoToken,
      abi: demoTokenAbi,
      functionName: "balanceOf",
      args: [user.address],
    });
    expect(balanceBefore).toBe(0n);
    await until("delivery on A", 40_000, async () =>
      (await publicA.readContract({
        address: contracts.gateway,
        abi: gatewayAbi,
        functionName: "messageStatus",
        args: [back.message],
      })) === 1
        ? true
        : undefined,
    );
    expect(
      await publicA.readContract({
        address: contracts.demoToken,
        abi: demoTokenAbi,
        functionName: "balanceOf",
        args: [user.address],
      }),
    ).toBe(amount);

    // More relayer rounds change nothing: one delivery each way, one relayer transaction each way.
    await sleep(1_500);
    const delivered = await publicA.getContractEvents({
      address: contracts.gateway,
      abi: gatewayAbi,
      eventName: "MessageDelivered",
      fromBlock: 0n,
    });
    expect(delivered.map((e) => e.args.messageId)).toEqual([back.messageId]);
    expect(await publicA.getTransactionCount({ address: relayerAccount.address })).toBe(1);
    // 2 of 3 signatures fit next to `deliver`: one Solana transaction, and no verification account left.
    const solanaTxs = await connection.getSignaturesForAddress(solanaPayer.publicKey);
    expect(solanaTxs.filter((s) => s.err === null).length).toBe(2); // the airdrop and the delivery
    const leftovers = await client.program.account.verification.all([
      { memcmp: { offset: 8, bytes: solanaPayer.publicKey.toBase58() } },
    ]);
    expect(leftovers).toEqual([]);
    expect((await client.fetchReceipt(inboundId))?.relayer.toBase58()).toBe(solanaPayer.publicKey.toBase58());

    const store = relayer!.store;
    expect(await store.getDelivery(inboundId.toLowerCase() as Hex)).toMatchObject({ state: "delivered" });
    expect(await store.getDelivery(back.messageId.toLowerCase() as Hex)).toMatchObject({ state: "delivered" });
    expect(await store.countDeliveries()).toMatchObject({ delivered: 2, failed: 0 });
  });
});
