// `npm run bench:gas`: gas of the hot paths on an in-process Hardhat chain (hardfork cancun, solc 0.8.33,
// optimizer 10,000 runs). Every figure is the transaction's gasUsed minus the 21,000 base (calldata included).
//
// This is a benchmark, not a test: it prints figures and writes bench/results/gas.json; it only fails when a
// measured transaction did not do what it is meant to measure (e.g. a delivery that failed instead of releasing).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  attestationDigest,
  batchProof,
  batchRoot,
  encodeAttestation,
  encodeMessage,
  encodeTokenMessage,
  gatewayAbi,
  type IndexedSignature,
  messageId,
  signDigest,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import { type Attester, demoTokenAbi, devnetAttesters } from "@maskoii/testkit";
import { toBytes32 } from "@maskoii/testkit/deploy";
import type { PublicClient, WalletClient } from "@nomicfoundation/hardhat-viem/types";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import {
  type Address,
  erc20Abi,
  type Hex,
  isAddressEqual,
  maxUint256,
  parseEventLogs,
  type TransactionReceipt,
} from "viem";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RESULTS = join(ROOT, "bench", "results", "gas.json");
const TX_BASE = 21_000n;

const ORIGIN = 1001;
const DESTINATION = 1002;
/**
 * The origin chain's TokenBridge and token as the destination sees them (only their 32-byte ids matter). The
 * payload names the DESTINATION token (the origin bridge resolves it from its link table); the remote token is only
 * what this chain's link is registered under.
 */
const REMOTE_BRIDGE: Hex = toBytes32("0x00000000000000000000000000000000000b71d6");
const REMOTE_TOKEN: Hex = toBytes32("0x0000000000000000000000000000000000070c3e");
const MODE_LOCK = 0;
const SHARED_DECIMALS = 8;
const ONE_TOKEN_WIRE = 10n ** 8n;
/** Finite (so that the bucket is really consumed and written), far above what the benchmark moves. */
const BUCKET_CAPACITY = 10n ** 17n;
const BUCKET_REFILL = 10n ** 12n;

/** Raised when a measured transaction did not do what the benchmark measures. */
class BenchError extends Error {
  override readonly name = "BenchError";
}

type Stack = {
  connection: NetworkConnection;
  publicClient: PublicClient;
  owner: WalletClient;
  relayer: WalletClient;
  attesters: Attester[];
  quorum: number;
  /** The Gateway, which is also the attester set (no separate AttesterSet contract). */
  gateway: Address;
  tokenBridge: Address;
  token: Address;
  /** A recipient whose `handle` does nothing (contracts/test/mocks/Recipients.sol), for message-only figures. */
  noopRecipient: Address;
  nextNonce: bigint;
  nextRecipient: bigint;
};

async function mined(stack: Pick<Stack, "publicClient">, hash: Hex | Promise<Hex>): Promise<TransactionReceipt> {
  const receipt = await stack.publicClient.waitForTransactionReceipt({ hash: await hash });
  if (receipt.status !== "success") throw new BenchError(`transaction ${receipt.transactionHash} reverted`);
  return receipt;
}

async function wallets(connection: NetworkConnection): Promise<[WalletClient, WalletClient]> {
  const [owner, relayer] = await connection.viem.getWalletClients();
  if (owner === undefined || relayer === undefined) throw new BenchError("need two accounts");
  return [owner, relayer];
}

/** Gateway (its own attester set) + TokenBridge + a canonical (lock/release) token with a funded escrow, on `domain`. */
async function deployStack(args: {
  network: "chainA" | "chainB";
  domain: number;
  remote: number;
  attesterCount: number;
  quorum: number;
  thresholdBps: number;
}): Promise<Stack> {
  const connection = await hre.network.create(args.network);
  const publicClient = await connection.viem.getPublicClient();
  const [owner, relayer] = await wallets(connection);
  const ownerAddress = owner.account.address;
  const attesters = devnetAttesters(args.attesterCount, `maskoii bench ${args.attesterCount}`);
  const gateway = await connection.viem.deployContract("Gateway", [
    args.domain,
    ownerAddress,
    ownerAddress,
    attesters.map((a) => a.account.address),
    attesters.map(() => 1n),
    args.thresholdBps,
    86_400,
    7 * 86_400,
  ]);
  const tokenBridge = await connection.viem.deployContract("TokenBridge", [gateway.address, ownerAddress]);
  const token = await connection.viem.deployContract("DemoToken", ["bench", "BENCH", 18, ownerAddress]);
  const noopRecipient = await connection.viem.deployContract("NoopRecipient", []);
  const stack: Stack = {
    connection,
    publicClient,
    owner,
    relayer,
    attesters,
    quorum: args.quorum,
    gateway: gateway.address,
    tokenBridge: tokenBridge.address,
    token: token.address,
    noopRecipient: noopRecipient.address,
    nextNonce: 0n,
    nextRecipient: 1n,
  };
  const bridge = { address: tokenBridge.address, abi: tokenBridgeAbi } as const;
  await mined(
    stack,
    owner.writeContract({ ...bridge, functionName: "setRemoteBridge", args: [args.remote, REMOTE_BRIDGE] }),
  );
  await mined(
    stack,
    owner.writeContract({
      ...bridge,
      functionName: "registerToken",
      args: [token.address, MODE_LOCK, SHARED_DECIMALS],
    }),
  );
  await mined(
    stack,
    owner.writeContract({ ...bridge, functionName: "linkToken", args: [token.address, args.remote, REMOTE_TOKEN] }),
  );
  await mined(
    stack,
    owner.writeContract({
      ...bridge,
      functionName: "setRateLimits",
      args: [token.address, args.remote, BUCKET_CAPACITY, BUCKET_REFILL, BUCKET_CAPACITY, BUCKET_REFILL],
    }),
  );
  // The escrow of a lock/release route holds what was locked by earlier inbound-bound transfers.
  await mined(
    stack,
    owner.writeContract({
      address: token.address,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [tokenBridge.address, 10n ** 30n],
    }),
  );
  return stack;
}

/** A never-used address: its token balance slot is zero, so the release writes a fresh slot (22,100). */
function freshRecipient(stack: Stack): Address {
  const n = stack.nextRecipient++;
  return `0x${(0xf2e5_0000_0000n + n).toString(16).padStart(40, "0")}`;
}

/**
 * The next inbound token transfer message (origin bridge -> this bridge) of one token to a fresh recipient; with
 * `noop`, the same 73-byte payload addressed to the no-op recipient instead (message-only figures).
 */
function nextTransferMessage(stack: Stack, noop = false): Hex {
  const nonce = stack.nextNonce++;
  return encodeMessage({
    nonce,
    originDomain: ORIGIN,
    sender: REMOTE_BRIDGE,
    destinationDomain: DESTINATION,
    recipient: toBytes32(noop ? stack.noopRecipient : stack.tokenBridge),
    payload: encodeTokenMessage({
      token: toBytes32(stack.token),
      recipient: toBytes32(freshRecipient(stack)),
      amount: ONE_TOKEN_WIRE,
    }),
  });
}

/** Quorum attestation (the first `quorum` members sign) of `kind` over `value` for this stack's gateway. */
function attestFor(stack: Stack, kind: "message" | "batch", value: Hex): Hex {
  const digest = attestationDigest(kind, {
    domain: DESTINATION,
    verifier: toBytes32(stack.gateway),
    attesterSetId: 1n,
    value,
  });
  const signatures: IndexedSignature[] = stack.attesters
    .slice(0, stack.quorum)
    .map((member, index) => ({ index, ...signDigest(digest, member.privateKey) }));
  return encodeAttestation(1n, signatures);
}

/**
 * Checks the receipt delivered `count` messages and (unless `noop`) released tokens for each: a direct credit emits
 * no TransferReceived, so a release is the escrow's token Transfer from the bridge. Nothing queued or failed.
 */
function expectReleases(stack: Stack, receipt: TransactionReceipt, count: number, noop = false): void {
  const delivered = parseEventLogs({ abi: gatewayAbi, eventName: "MessageDelivered", logs: receipt.logs });
  const failed = parseEventLogs({ abi: gatewayAbi, eventName: "MessageFailed", logs: receipt.logs });
  if (delivered.length !== count || failed.length !== 0) {
    throw new BenchError(`expected ${count} deliveries, got ${delivered.length} (failed ${failed.length})`);
  }
  const released = parseEventLogs({ abi: erc20Abi, eventName: "Transfer", logs: receipt.logs }).filter(
    (log) =>
      isAddressEqual(log.address, stack.token) &&
      isAddressEqual(log.args.from, stack.tokenBridge) &&
      log.args.value === ONE_TOKEN_WIRE * 10n ** 10n,
  );
  const queued = parseEventLogs({ abi: tokenBridgeAbi, eventName: "TransferQueued", logs: receipt.logs });
  const expected = noop ? 0 : count;
  if (released.length !== expected || queued.length !== 0) {
    throw new BenchError(`expected ${expected} releases, got ${released.length} (queued ${queued.length})`);
  }
}

/** EIP-2028 calldata gas: 16 per non-zero byte, 4 per zero byte. */
function calldataGas(input: Hex): bigint {
  let gas = 0n;
  for (let i = 2; i < input.length; i += 2) gas += input.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}

/** Calldata gas of the last measured `deliver` per stack (for the breakdown in docs/benchmarks.md). */
const lastCalldataGas = new Map<Stack, bigint>();

async function deliverOne(stack: Stack, noop = false): Promise<bigint> {
  const message = nextTransferMessage(stack, noop);
  const attestation = attestFor(stack, "message", messageId(message));
  const receipt = await mined(
    stack,
    stack.relayer.writeContract({
      address: stack.gateway,
      abi: gatewayAbi,
      functionName: "deliver",
      args: [message, attestation],
    }),
  );
  expectReleases(stack, receipt, 1, noop);
  const tx = await stack.publicClient.getTransaction({ hash: receipt.transactionHash });
  lastCalldataGas.set(stack, calldataGas(tx.input));
  return receipt.gasUsed - TX_BASE;
}

async function deliverBatch(stack: Stack, size: number): Promise<bigint> {
  const messages = Array.from({ length: size }, () => nextTransferMessage(stack));
  const ids = messages.map((m) => messageId(m));
  const proofs = ids.map((_, i) => batchProof(ids, i));
  const attestation = attestFor(stack, "batch", batchRoot(ids));
  const receipt = await mined(
    stack,
    stack.relayer.writeContract({
      address: stack.gateway,
      abi: gatewayAbi,
      functionName: "deliverBatch",
      args: [messages, proofs, attestation],
    }),
  );
  expectReleases(stack, receipt, size);
  return receipt.gasUsed - TX_BASE;
}

function median(values: bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** transferRemote on the origin chain (median of five sends, each to a fresh recipient id). */
async function measureSend(): Promise<bigint> {
  const stack = await deployStack({
    network: "chainA",
    domain: ORIGIN,
    remote: DESTINATION,
    attesterCount: 1,
    quorum: 1,
    thresholdBps: 10_000,
  });
  const { owner, relayer: user } = stack;
  // A relaying fee as on the devnet, so the fee transfer to the gateway is part of the figure.
  await mined(
    stack,
    owner.writeContract({
      address: stack.gateway,
      abi: gatewayAbi,
      functionName: "setFee",
      args: [DESTINATION, 10n ** 13n, 10n ** 9n],
    }),
  );
  await mined(
    stack,
    owner.writeContract({
      address: stack.token,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [user.account.address, 10n ** 24n],
    }),
  );
  await mined(
    stack,
    user.writeContract({
      address: stack.token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [stack.tokenBridge, maxUint256],
    }),
  );
  const fee = await stack.publicClient.readContract({
    address: stack.tokenBridge,
    abi: tokenBridgeAbi,
    functionName: "quoteTransfer",
    args: [DESTINATION],
  });
  const gas: bigint[] = [];
  for (let i = 0; i < 5; i++) {
    const receipt = await mined(
      stack,
      user.writeContract({
        address: stack.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "transferRemote",
        args: [stack.token, DESTINATION, toBytes32(freshRecipient(stack)), 10n ** 18n],
        value: fee,
      }),
    );
    gas.push(receipt.gasUsed - TX_BASE);
  }
  await stack.connection.close();
  return median(gas);
}

/** deliver of one token transfer to a fresh recipient: the first message of a bitmap word, then steady state. */
async function measureDeliver(attesterCount: number, quorum: number, thresholdBps: number) {
  const stack = await deployStack({
    network: "chainB",
    domain: DESTINATION,
    remote: ORIGIN,
    attesterCount,
    quorum,
    thresholdBps,
  });
  const coldWord = await deliverOne(stack); // nonce 0: the bitmap word goes from zero to non-zero
  const steady: bigint[] = [];
  for (let i = 0; i < 5; i++) steady.push(await deliverOne(stack)); // nonces 1..5: same word, already non-zero
  const calldata = lastCalldataGas.get(stack) ?? 0n;
  const messageOnly: bigint[] = [];
  for (let i = 0; i < 5; i++) messageOnly.push(await deliverOne(stack, true)); // nonces 6..10, no-op recipient
  await stack.connection.close();
  return { coldWord, steady: median(steady), messageOnly: median(messageOnly), calldata };
}

/** deliverBatch per message, 13-of-19, every message a token transfer to a fresh recipient, bitmap word warm. */
async function measureBatches(sizes: readonly number[]): Promise<Map<number, { total: bigint; perMessage: number }>> {
  const stack = await deployStack({
    network: "chainB",
    domain: DESTINATION,
    remote: ORIGIN,
    attesterCount: 19,
    quorum: 13,
    thresholdBps: 6842,
  });
  await deliverOne(stack); // nonce 0 warms the bitmap word; batches use nonces 1..169, all in word 0
  const results = new Map<number, { total: bigint; perMessage: number }>();
  for (const size of sizes) {
    const total = await deliverBatch(stack, size);
    results.set(size, { total, perMessage: Math.round(Number(total) / size) });
  }
  await stack.connection.close();
  return results;
}

async function main(): Promise<void> {
  // Tests too: the message-only figures use contracts/test/mocks/Recipients.sol's NoopRecipient.
  await hre.tasks.getTask("build").run({ quiet: true });

  const send = await measureSend();
  const q1 = await measureDeliver(1, 1, 10_000);
  const q5 = await measureDeliver(7, 5, 7142);
  const q13 = await measureDeliver(19, 13, 6842);
  const batchSizes = [1, 8, 32, 128] as const;
  const batches = await measureBatches(batchSizes);
  const batch = (size: number) => {
    const result = batches.get(size);
    if (result === undefined) throw new BenchError(`no batch of ${size}`);
    return result;
  };

  const rows: Array<[string, string, string]> = [
    ["transferRemote (lock, fee paid)", String(send), ""],
    ["deliver 1-of-1 + release, steady state", String(q1.steady), ""],
    ["deliver 1-of-1 + release, first message of a bitmap word", String(q1.coldWord), ""],
    ["deliver 5-of-7 + release, steady state", String(q5.steady), ""],
    ["deliver 5-of-7 + release, first message of a bitmap word", String(q5.coldWord), ""],
    ["deliver 13-of-19 + release, steady state", String(q13.steady), "<= 120,000"],
    ["deliver 13-of-19 + release, first message of a bitmap word", String(q13.coldWord), ""],
    ["  of which calldata (deliver 13-of-19)", String(q13.calldata), ""],
    ["deliver 1-of-1, message only (no-op recipient), steady state", String(q1.messageOnly), ""],
    ["deliver 5-of-7, message only (no-op recipient), steady state", String(q5.messageOnly), ""],
    ["deliver 13-of-19, message only (no-op recipient), steady state", String(q13.messageOnly), ""],
    ...batchSizes.map((size): [string, string, string] => [
      `deliverBatch 13-of-19, ${size} message${size === 1 ? "" : "s"}, per message`,
      String(batch(size).perMessage),
      size === 32 ? "<= 45,000" : "",
    ]),
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(
    "\nmaskoii gas (gasUsed - 21,000; calldata included; cancun, solc 0.8.33, 10,000 runs; fresh recipients)\n\n",
  );
  process.stdout.write(`${"measurement".padEnd(width)}  ${"gas".padStart(8)}  target\n`);
  process.stdout.write(`${"-".repeat(width)}  ${"-".repeat(8)}  ----------\n`);
  for (const [label, gas, target] of rows)
    process.stdout.write(`${label.padEnd(width)}  ${gas.padStart(8)}  ${target}\n`);

  const json = {
    description:
      "gasUsed - 21000 (calldata included) on Hardhat's in-process chain, hardfork cancun, solc 0.8.33, optimizer 10000 runs. deliver_* and batch* figures include the token release (lock/release route) to a fresh recipient; *_message_only deliver the same 154-byte message (81-byte header + 73-byte TokenMessage) to a no-op recipient. Steady state = bitmap word already non-zero; *_cold_word = first message of a 256-nonce bitmap word.",
    command: "npm run bench:gas",
    transferRemote: Number(send),
    deliver_1_of_1: Number(q1.steady),
    deliver_1_of_1_cold_word: Number(q1.coldWord),
    deliver_5_of_7: Number(q5.steady),
    deliver_5_of_7_cold_word: Number(q5.coldWord),
    deliver_13_of_19: Number(q13.steady),
    deliver_13_of_19_cold_word: Number(q13.coldWord),
    deliver_1_of_1_calldata: Number(q1.calldata),
    deliver_5_of_7_calldata: Number(q5.calldata),
    deliver_13_of_19_calldata: Number(q13.calldata),
    deliver_1_of_1_message_only: Number(q1.messageOnly),
    deliver_5_of_7_message_only: Number(q5.messageOnly),
    deliver_13_of_19_message_only: Number(q13.messageOnly),
    batch1_per_message: batch(1).perMessage,
    batch8_per_message: batch(8).perMessage,
    batch32_per_message: batch(32).perMessage,
    batch128_per_message: batch(128).perMessage,
    batch32_total: Number(batch(32).total),
    batch128_total: Number(batch(128).total),
    targets: { deliver_13_of_19: 120_000, batch32_per_message: 45_000 },
  };
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`\nwrote ${RESULTS}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:gas failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
