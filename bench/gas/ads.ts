// `npm run bench:gas-ads`: gas of the revenue protocol's hot paths (issue 13 point 12) on Hardhat's in-process chain
// (hardfork cancun, solc 0.8.33, optimizer 10,000 runs), measured as bench/gas/run.ts measures the bridge: each
// transaction's gasUsed minus the 21,000 base, calldata included. In the same run, the anchor: Uniswap's
// MerkleDistributor exactly as the `@uniswap/merkle-distributor` npm package ships it (build/MerkleDistributor.json,
// solc 0.6.11, optimizer 200 runs, the bytecode deployed on mainnet; the package has no Solidity source, nothing is
// recompiled), claiming for a fresh recipient in an already touched bitmap word of a 100,000-leaf tree.
//
// This is a benchmark, not a test: it prints figures and writes bench/results/gas-ads.json; it fails only when a
// measured transaction did not do what it is meant to measure (a claim that paid nothing, or the wrong amount).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { demoTokenAbi } from "@maskoii/testkit";
import type { PublicClient, WalletClient } from "@nomicfoundation/hardhat-viem/types";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import {
  type Abi,
  type Address,
  bytesToHex,
  encodePacked,
  erc20Abi,
  type Hex,
  hexToBytes,
  isAddressEqual,
  keccak256,
  parseEventLogs,
  type TransactionReceipt,
} from "viem";
import { resultsFile } from "../common.ts";

const RESULTS = resultsFile("gas-ads");
const TX_BASE = 21_000n;

/** Raised when a measured transaction did not do what the benchmark measures. */
class BenchError extends Error {
  override readonly name = "BenchError";
}

type Chain = {
  connection: NetworkConnection;
  publicClient: PublicClient;
  owner: WalletClient;
  /** Sends the measured transactions (a third party: claims are made on the account's behalf). */
  sender: WalletClient;
};

async function openChain(): Promise<Chain> {
  const connection = await hre.network.create("chainB");
  const publicClient = await connection.viem.getPublicClient();
  const [owner, sender] = await connection.viem.getWalletClients();
  if (owner === undefined || sender === undefined) throw new BenchError("need two accounts");
  return { connection, publicClient, owner, sender };
}

async function mined(chain: Pick<Chain, "publicClient">, hash: Hex | Promise<Hex>): Promise<TransactionReceipt> {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash: await hash });
  if (receipt.status !== "success") throw new BenchError(`transaction ${receipt.transactionHash} reverted`);
  return receipt;
}

function median(values: bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Deterministic pseudo-random 32 bytes for `label` and `n` (fixed tree contents, so the figures repeat). */
function draw(label: string, n: number): Hex {
  return keccak256(encodePacked(["string", "uint256"], [label, BigInt(n)]));
}

/** A never-used address derived from `label` and `n`: its token balance slot is zero. */
function freshAddress(label: string, n: number): Address {
  return `0x${draw(label, n).slice(26)}`;
}

/** Checks the receipt moved exactly `amount` of `token` to `to` (one Transfer event). */
function expectPaid(receipt: TransactionReceipt, token: Address, to: Address, amount: bigint): void {
  const paid = parseEventLogs({ abi: erc20Abi, eventName: "Transfer", logs: receipt.logs }).filter(
    (log) => isAddressEqual(log.address, token) && isAddressEqual(log.args.to, to),
  );
  if (paid.length !== 1 || paid[0]!.args.value !== amount) {
    throw new BenchError(`expected one transfer of ${amount} to ${to}, got ${paid.map((l) => l.args.value)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The anchor: Uniswap's MerkleDistributor

const UNISWAP_LEAVES = 100_000;

type UniswapArtifact = { abi: Abi; bytecode: string; metadata: string };

/** build/MerkleDistributor.json of the pinned `@uniswap/merkle-distributor` package (bench/package.json). */
function uniswapArtifact(): { abi: Abi; bytecode: Hex; compiler: string; optimizerRuns: number } {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@uniswap/merkle-distributor/package.json");
  const artifact = JSON.parse(
    readFileSync(join(dirname(pkg), "build", "MerkleDistributor.json"), "utf8"),
  ) as UniswapArtifact;
  const metadata = JSON.parse(artifact.metadata) as {
    compiler: { version: string };
    settings: { optimizer: { runs: number } };
  };
  return {
    abi: artifact.abi,
    bytecode: `0x${artifact.bytecode.replace(/^0x/, "")}`,
    compiler: metadata.compiler.version,
    optimizerRuns: metadata.settings.optimizer.runs,
  };
}

type UniswapBalance = { index: number; account: Address; amount: bigint };

/**
 * Uniswap's balance tree (merkle-distributor's src/balance-tree.ts and src/merkle-tree.ts, rewritten here):
 * leaf = keccak256(abi.encodePacked(uint256 index, address account, uint256 amount)); the leaves are sorted and
 * deduplicated, each level hashes sorted pairs, an odd last node is carried up unchanged; a proof is the sibling
 * at every level where there is one.
 */
class UniswapBalanceTree {
  readonly levels: Uint8Array[][];
  readonly #position = new Map<string, number>();

  constructor(balances: readonly UniswapBalance[]) {
    const leaves = balances.map((b) => UniswapBalanceTree.leaf(b));
    leaves.sort(compareBytes);
    const unique = leaves.filter((leaf, i) => i === 0 || compareBytes(leaf, leaves[i - 1]!) !== 0);
    unique.forEach((leaf, i) => {
      this.#position.set(bytesToHex(leaf), i);
    });
    this.levels = [unique];
    while (this.levels[this.levels.length - 1]!.length > 1) {
      const level = this.levels[this.levels.length - 1]!;
      const next: Uint8Array[] = [];
      for (let i = 0; i < level.length; i += 2) {
        const right = level[i + 1];
        next.push(right === undefined ? level[i]! : hashSortedPair(level[i]!, right));
      }
      this.levels.push(next);
    }
  }

  static leaf(b: UniswapBalance): Uint8Array {
    return hexToBytes(
      keccak256(encodePacked(["uint256", "address", "uint256"], [BigInt(b.index), b.account, b.amount])),
    );
  }

  get root(): Hex {
    return bytesToHex(this.levels[this.levels.length - 1]![0]!);
  }

  proof(b: UniswapBalance): Hex[] {
    let i = this.#position.get(bytesToHex(UniswapBalanceTree.leaf(b)));
    if (i === undefined) throw new BenchError(`no leaf for index ${b.index}`);
    const proof: Hex[] = [];
    for (const level of this.levels.slice(0, -1)) {
      const sibling = level[i ^ 1];
      if (sibling !== undefined) proof.push(bytesToHex(sibling));
      i >>= 1;
    }
    return proof;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function hashSortedPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const pair = new Uint8Array(64);
  if (compareBytes(a, b) <= 0) {
    pair.set(a, 0);
    pair.set(b, 32);
  } else {
    pair.set(b, 0);
    pair.set(a, 32);
  }
  return keccak256(pair, "bytes");
}

/** 100,000 balances of 1..1,000 whole tokens (18 decimals) to distinct never-used accounts, index = position. */
function uniswapBalances(): UniswapBalance[] {
  return Array.from({ length: UNISWAP_LEAVES }, (_, index) => ({
    index,
    account: freshAddress("maskoii gas-ads uniswap account", index),
    amount: ((BigInt(draw("maskoii gas-ads uniswap amount", index)) % 1000n) + 1n) * 10n ** 18n,
  }));
}

type UniswapResult = {
  /** Median claim, fresh recipient, bitmap word already non-zero (what the row reports). */
  freshRecipient: bigint;
  /** The first claim of the word (its bitmap word zero to non-zero), for reference. */
  coldWord: bigint;
  proofLength: number;
  compiler: string;
  optimizerRuns: number;
  buildMs: number;
};

/**
 * Deploys the shipped MerkleDistributor over a 100,000-leaf tree with a DemoToken, claims index 0 (the word's
 * first bit), then claims indices 1..5 of the same 256-index word, each for a fresh account, on a third party's
 * transaction (as any claim bot would; the sender does not change the gas).
 */
async function measureUniswap(): Promise<UniswapResult> {
  const artifact = uniswapArtifact();
  const balances = uniswapBalances();
  const started = performance.now();
  const tree = new UniswapBalanceTree(balances);
  const buildMs = Math.round(performance.now() - started);

  const chain = await openChain();
  const token = await chain.connection.viem.deployContract("DemoToken", [
    "bench",
    "BENCH",
    18,
    chain.owner.account.address,
  ]);
  const deployHash = await chain.owner.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: [token.address, tree.root],
    account: chain.owner.account,
    chain: chain.owner.chain,
  });
  const deployed = await mined(chain, deployHash);
  const distributor = deployed.contractAddress;
  if (distributor == null) throw new BenchError("MerkleDistributor deployment has no address");
  const total = balances.reduce((sum, b) => sum + b.amount, 0n);
  await mined(
    chain,
    chain.owner.writeContract({
      address: token.address,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [distributor, total],
    }),
  );

  const claim = async (b: UniswapBalance): Promise<{ gas: bigint; proofLength: number }> => {
    const proof = tree.proof(b);
    const receipt = await mined(
      chain,
      chain.sender.writeContract({
        address: distributor,
        abi: artifact.abi,
        functionName: "claim",
        args: [BigInt(b.index), b.account, b.amount, proof],
        account: chain.sender.account,
        chain: chain.sender.chain,
      }),
    );
    expectPaid(receipt, token.address, b.account, b.amount);
    return { gas: receipt.gasUsed - TX_BASE, proofLength: proof.length };
  };

  const first = await claim(balances[0]!);
  const steady: bigint[] = [];
  const proofLengths = new Set<number>();
  for (const b of balances.slice(1, 6)) {
    const { gas, proofLength } = await claim(b);
    steady.push(gas);
    proofLengths.add(proofLength);
  }
  await chain.connection.close();
  if (proofLengths.size !== 1) throw new BenchError(`proofs of unequal length: ${[...proofLengths]}`);
  return {
    freshRecipient: median(steady),
    coldWord: first.gas,
    proofLength: [...proofLengths][0]!,
    compiler: artifact.compiler,
    optimizerRuns: artifact.optimizerRuns,
    buildMs,
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  await hre.tasks.getTask("build").run({ quiet: true });

  const uniswap = await measureUniswap();

  const rows: Array<[string, string, string]> = [
    [
      `Uniswap MerkleDistributor claim, fresh recipient, touched word (${UNISWAP_LEAVES.toLocaleString("en-US")} leaves, ${uniswap.proofLength}-hash proof)`,
      String(uniswap.freshRecipient),
      "",
    ],
    ["Uniswap MerkleDistributor claim, fresh recipient, first claim of a word", String(uniswap.coldWord), ""],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write("\nmaskoii revenue gas (gasUsed - 21,000; calldata included; cancun; fresh recipients)\n\n");
  process.stdout.write(`${"measurement".padEnd(width)}  ${"gas".padStart(8)}  target\n`);
  process.stdout.write(`${"-".repeat(width)}  ${"-".repeat(8)}  ----------\n`);
  for (const [label, gas, target] of rows) {
    process.stdout.write(`${label.padEnd(width)}  ${gas.padStart(8)}  ${target}\n`);
  }
  process.stdout.write(
    `\n(the ${UNISWAP_LEAVES.toLocaleString("en-US")}-leaf Uniswap tree built in ${uniswap.buildMs} ms)\n`,
  );

  const json = {
    description:
      "gasUsed - 21000 (calldata included) on Hardhat's in-process chain, hardfork cancun. Uniswap's MerkleDistributor is the bytecode shipped in @uniswap/merkle-distributor@1.0.1 build/MerkleDistributor.json (solc 0.6.11, optimizer 200 runs, as deployed on mainnet), paying a DemoToken (OpenZeppelin 5 ERC20) over a 100,000-leaf balance tree; fresh recipient = an account with no token balance; touched word = another index of the same 256-index bitmap word claimed first.",
    command: "npm run bench:gas-ads",
    uniswap_merkle_distributor_claim_fresh_recipient: Number(uniswap.freshRecipient),
    uniswap_merkle_distributor_claim_fresh_recipient_cold_word: Number(uniswap.coldWord),
    uniswap: {
      package: "@uniswap/merkle-distributor@1.0.1",
      compiler: uniswap.compiler,
      optimizer_runs: uniswap.optimizerRuns,
      leaves: UNISWAP_LEAVES,
      proof_length: uniswap.proofLength,
    },
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`\nwrote ${RESULTS}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:gas-ads failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
