// deliverBatch gas without eth_estimateGas, against a real `hardhat node` with a deployed Gateway and DemoRecipient:
// the first batch is estimated and measured, the next ones are sent with the modelled limit (no estimateGas call,
// seen by a counting proxy in front of the RPC), and a modelled limit that is too low reverts on chain and is sent
// again at once with estimateGas (every message delivered, the wasted gas counted).
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  addressToBytes32,
  attestationDigest,
  batchRoot,
  encodeAttestation,
  encodeMessage,
  messageId,
  signDigest,
} from "@maskoii/sdk";
import { type Address, createPublicClient, createWalletClient, getAddress, type Hex, http, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvmChainAdapter } from "../src/chains/evm.ts";
import { classifyRpcError, isBlockGasLimit, isInsufficientFunds } from "../src/chains/evm-errors.ts";
import { BATCH_FIXED_GAS, BatchGasModel, calldataGas, DEFAULT_MAX_GAS_PER_MESSAGE } from "../src/chains/evm-gas.ts";
import { BlockGasLimitExceededError, InsufficientFundsError } from "../src/errors.ts";
import { batchProofs } from "../src/proofs.ts";
import { members } from "./helpers.ts";
import { chainA, startTestChain, type TestChain } from "./koii-chain.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RECIPIENT_ARTIFACT = join(
  ROOT,
  "artifacts",
  "contracts",
  "src",
  "demo",
  "DemoRecipient.sol",
  "DemoRecipient.json",
);
const MNEMONIC = "test test test test test test test test test test test junk";

describe("batch gas model (unit)", () => {
  it("prices calldata per EIP-2028 and models nothing before a batch was measured", () => {
    expect(calldataGas("0x")).toBe(0n);
    expect(calldataGas("0x0001ff00")).toBe(4n + 16n + 16n + 4n);
    const model = new BatchGasModel();
    expect(model.limit(10, 1_000n)).toBeUndefined();
    model.learn(10, 1_000n, 21_000n + 1_000n + 400_000n);
    expect(model.perMessage).toBe(40_000n);
    // intrinsic + calldata + fixed part + 10 x (40,000 + 50%)
    expect(model.limit(10, 2_000n)).toBe(21_000n + 2_000n + BATCH_FIXED_GAS + 10n * 60_000n);
    // A heavier batch raises the figure at once (maximum of the recent batches); forget() starts over.
    model.learn(2, 0n, 21_000n + 200_000n);
    expect(model.perMessage).toBe(100_000n);
    model.forget();
    expect(model.limit(10, 2_000n)).toBeUndefined();
  });
});

describe("batch gas model cannot be poisoned (unit)", () => {
  it("learns nothing from a batch in which a recipient failed (a gas burner fails out of gas)", () => {
    const model = new BatchGasModel();
    model.learn(10, 0n, 21_000n + 400_000n);
    // A burner took ~6 M gas in a batch of 10: the batch had a MessageFailed, so it is not a sample.
    expect(model.learn(10, 0n, 21_000n + 6_000_000n, 1)).toBe(false);
    expect(model.perMessage).toBe(40_000n);
  });

  it("bounds a sample by maxPerMessage, and splits (bound) batches whose gas is beyond it", () => {
    const model = new BatchGasModel({ maxPerMessage: 200_000n });
    expect(model.learn(2, 0n, 21_000n + 2n * 5_000_000n)).toBe(true);
    expect(model.perMessage).toBe(200_000n);
    expect(model.bound(4, 100n)).toBe(21_000n + 100n + BATCH_FIXED_GAS + 4n * 200_000n);
    expect(new BatchGasModel().maxPerMessage).toBe(DEFAULT_MAX_GAS_PER_MESSAGE);
  });

  it("decays: samples expire after maxAgeMs, so one heavy batch does not set the limit for long", () => {
    let now = 0;
    const model = new BatchGasModel({ maxAgeMs: 1_000, now: () => now });
    model.learn(1, 0n, 21_000n + 300_000n);
    now = 600;
    model.learn(1, 0n, 21_000n + 50_000n);
    expect(model.perMessage).toBe(300_000n);
    now = 1_200;
    // The heavy sample (t = 0) has expired; the light one (t = 600) is what is left.
    expect(model.perMessage).toBe(50_000n);
    now = 1_700;
    expect(model.perMessage).toBeUndefined();
    expect(model.limit(10, 0n)).toBeUndefined();
  });

  it("classifies insufficient funds and block gas limit errors as the nodes word them", () => {
    const hardhatFunds = new Error(
      "Sender doesn't have enough funds to send tx. The max upfront cost is: 5000000 and the sender's account only has: 1000",
    );
    const gethFunds = { message: "RPC error", details: "insufficient funds for gas * price + value" };
    const blockGas = new Error("Transaction gas limit is 40000000 and exceeds block gas limit of 30000000");
    const gethBlockGas = { message: "exceeds block gas limit" };
    expect(isInsufficientFunds(hardhatFunds) && isInsufficientFunds(gethFunds)).toBe(true);
    expect(isBlockGasLimit(blockGas) && isBlockGasLimit(gethBlockGas)).toBe(true);
    expect(isInsufficientFunds(blockGas) || isBlockGasLimit(hardhatFunds)).toBe(false);
    expect(classifyRpcError(1002, "0xabc", hardhatFunds)).toBeInstanceOf(InsufficientFundsError);
    expect(classifyRpcError(1002, "0xabc", blockGas)).toBeInstanceOf(BlockGasLimitExceededError);
    expect(classifyRpcError(1002, "0xabc", new Error("ECONNREFUSED"))).toBeUndefined();
  });
});

describe("deliverBatch with a modelled gas limit (hardhat node)", () => {
  const keys = members(3, "gas model attester");
  let chain: TestChain;
  let proxy: Server;
  let proxyUrl = "";
  const methods: string[] = [];
  let adapter: EvmChainAdapter;
  let recipient: Address;
  let nonce = 1n;

  beforeAll(async () => {
    chain = await startTestChain(keys.map((k) => k.address));
    // Counts the JSON-RPC methods the adapter calls (single requests and batches).
    proxy = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", async () => {
        const parsed = JSON.parse(body) as { method: string } | { method: string }[];
        for (const r of Array.isArray(parsed) ? parsed : [parsed]) methods.push(r.method);
        const upstream = await fetch(chain.rpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        res.writeHead(upstream.status, { "content-type": "application/json" });
        res.end(await upstream.text());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
    const transport = http(chain.rpcUrl);
    const pub = createPublicClient({ chain: chainA, transport });
    const artifact = JSON.parse(await readFile(RECIPIENT_ARTIFACT, "utf8")) as { abi: unknown[]; bytecode: Hex };
    const hash = await createWalletClient({ account: owner, chain: chainA, transport }).deployContract({
      abi: artifact.abi,
      bytecode: artifact.bytecode,
      args: [chain.gateway, owner.address],
    });
    recipient = getAddress((await pub.waitForTransactionReceipt({ hash })).contractAddress as Address);
    adapter = await EvmChainAdapter.connect({
      domain: 1001,
      rpcUrl: proxyUrl,
      gateway: chain.gateway,
      finality: { kind: "confirmations", depth: 0 },
      account: mnemonicToAccount(MNEMONIC, { addressIndex: 2 }),
      fees: {
        maxFeePerGas: 10n ** 12n,
        bumpAfterMs: 30_000,
        bumpPercent: 20,
        receiptTimeoutMs: 30_000,
        pollIntervalMs: 20,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => proxy?.close(() => resolve()));
    await chain?.stop();
  });

  /** A batch of `size` messages 1002 -> 1001 to the DemoRecipient, with a root attestation of the whole set. */
  function batch(size: number) {
    const messages = Array.from({ length: size }, () =>
      encodeMessage({
        nonce: nonce++,
        originDomain: 1002,
        sender: toHex(9n, { size: 32 }),
        destinationDomain: 1001,
        recipient: addressToBytes32(recipient),
        payload: toHex(nonce, { size: 32 }),
      }),
    );
    const ids = messages.map(messageId);
    const digest = attestationDigest("batch", {
      domain: 1001,
      verifier: addressToBytes32(chain.gateway),
      attesterSetId: 1n,
      value: batchRoot(ids),
    });
    const attestation = encodeAttestation(
      1n,
      keys.map((k, index) => ({ index, ...signDigest(digest, k.key) })),
    );
    return { messages, ids, proofs: batchProofs(ids), attestation };
  }

  const estimates = () => methods.filter((m) => m === "eth_estimateGas").length;

  it("estimates the first batch, then sends the next ones with the learned limit and no eth_estimateGas", async () => {
    expect(adapter.batchGas?.perMessage).toBeUndefined();
    const first = batch(4);
    const r1 = await adapter.deliverBatch(first.messages, first.proofs, first.attestation);
    expect(r1.delivered).toEqual(first.ids);
    expect(estimates()).toBe(1);
    expect(adapter.batchGas?.perMessage).toBeGreaterThan(0n);

    const second = batch(8);
    const before = estimates();
    const r2 = await adapter.deliverBatch(second.messages, second.proofs, second.attestation);
    expect(r2.delivered).toEqual(second.ids);
    expect(r2.failed).toEqual([]);
    expect(estimates()).toBe(before);
  }, 60_000);

  it("a modelled limit that is too low reverts, and the batch is sent again at once with eth_estimateGas", async () => {
    // Teach the model a per-message figure far below what a delivery to the recipient costs.
    adapter.batchGas?.forget();
    adapter.batchGas?.learn(8, 0n, 21_000n + 8n * 100n);
    const b = batch(32);
    const before = estimates();
    const txsBefore = methods.filter((m) => m === "eth_sendRawTransaction").length;
    const result = await adapter.deliverBatch(b.messages, b.proofs, b.attestation);
    expect(result.delivered).toEqual(b.ids);
    expect(result.failed).toEqual([]);
    expect(estimates()).toBe(before + 1);
    expect(methods.filter((m) => m === "eth_sendRawTransaction").length).toBe(txsBefore + 2);
    // What the delivery cost includes a reverted attempt's gas when the node mined it (hardhat refuses it instead).
    const pub = createPublicClient({ chain: chainA, transport: http(chain.rpcUrl) });
    const receipt = await pub.getTransactionReceipt({ hash: result.txHash });
    expect(result.gasUsed).toBeGreaterThanOrEqual(receipt.gasUsed);
    // Re-learned from the successful batch.
    expect(adapter.batchGas?.perMessage).toBeGreaterThan(1_000n);
  }, 60_000);
});
