// `npm run bench:solana`: what one 13-of-19 token delivery costs on Solana, with the real client against the real
// runtime (programs/local-rpc: the maskoii program as a native builtin next to SPL Token).
//
// Native (host) execution does not meter compute units, so the figures are of two kinds, marked in the output:
// - measured: the transactions the client builds and sends (count, serialized bytes, signatures per transaction),
//   the secp256k1_recover calls (one per posted signature, read back from the verification account's signer
//   bitmap), and that the delivery really released the tokens;
// - estimated: compute units, from counted operations priced with agave's cost table plus stated allowances for
//   what cannot be counted here (BPF bytecode of the handlers). See COST below and docs/benchmarks.md.
//
// The binary: MASKOII_LOCAL_RPC, else $CARGO_TARGET_DIR (default ~/.cache/maskoii-target)/debug/maskoii-local-rpc
// (`cd programs && cargo build -p maskoii-local-rpc`). Writes bench/results/solana.json.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { addressOfPrivateKey, buildAttestation, encodeMessage, encodeTokenMessage, messageId } from "@maskoii/sdk";
import { MaskoiiSolanaClient, PACKET_DATA_SIZE, pubkeyToBytes32, SECP256K1_RECOVER_CU } from "@maskoii/sdk/solana";
import { localRpcBinary } from "@maskoii/testkit";
import { createAccount, createMint, getAccount, getOrCreateAssociatedTokenAccount, mintTo } from "@solana/spl-token";
import { ComputeBudgetProgram, Connection, Keypair, LAMPORTS_PER_SOL, type PublicKey } from "@solana/web3.js";
import { type Hex, hexToBytes } from "viem";
import { resultsFile } from "../common.ts";

const RESULTS = resultsFile("solana");
/** MASKOII_LOCAL_RPC, else cargo's debug build under CARGO_TARGET_DIR (the kit's one rule). */
const BINARY = localRpcBinary();
const LOCAL = 1003;
const REMOTE = 1001;
const REMOTE_BRIDGE: Hex = `0x${"00".repeat(12)}${"b1".repeat(20)}`;
const REMOTE_TOKEN: Hex = `0x${"00".repeat(12)}${"70".repeat(20)}`;
const N = 19;
const K = 13;
const THRESHOLD_BPS = 6842; // 13 × 10000 ≥ 19 × 6842 > 12 × 10000

/**
 * agave 3.x execution costs (`SVMTransactionExecutionCost` defaults) and the stated allowances. Counts of PDA
 * derivations come from the account constraints of post_signatures.rs, deliver.rs and token_handle.rs:
 * `bump = stored` or a constant bump (seeds.rs: `SELF_GATEWAY_AUTHORITY_BUMP`, `BRIDGE_AUTHORITY_BUMP`) is one
 * `create_program_address` (1,500), a bare `bump` or `find_program_address` is on average two iterations (each candidate bump is off the curve with probability ~1/2). The signer seeds of an
 * `invoke_signed` are not priced separately (a CPI is charged `invoke_units` plus its serialized bytes / 250,
 * a few units here, left out).
 */
const COST = {
  secp256k1Recover: SECP256K1_RECOVER_CU, // secp256k1_recover_cost
  createProgramAddress: 1_500, // create_program_address_units (per find iteration too)
  findIterations: 2, // assumption: expected iterations of find_program_address
  invoke: 1_000, // invoke_units, per CPI
  systemCreateAccount: 150, // system program builtin, per create_account
  keccak: 85 + 64, // sha256_base_cost + byte cost, a ≤128-byte input (address, struct hash, digest, message id)
  log: 100, // log_64_units, Anchor's "Instruction: X" line
  splTokenTransfer: 4_645, // SPL Token `Transfer` (measured on chain elsewhere; given)
  anchorInstruction: 8_000, // ALLOWANCE: dispatch, borsh (de)serialisation, checks of one Anchor instruction
} as const;

function estimate(signaturesPerTx: readonly number[]) {
  const find = COST.createProgramAddress * COST.findIterations;
  const posts = signaturesPerTx.filter((k) => k > 0).length;
  const rows: [string, number, "counted" | "estimated"][] = [
    [`${K} × secp256k1_recover`, K * COST.secp256k1Recover, "counted"],
    [`${K} address keccaks + ${2 * posts} digest keccaks + 1 message id`, (K + 2 * posts + 1) * COST.keccak, "counted"],
    // each post: config and set (stored bumps), verification (bump passed as an argument).
    ["PDA checks of post_signatures", posts * 3 * COST.createProgramAddress, "estimated"],
    // deliver: config and set (stored), this program's gateway authority (constant bump); the receipt (bare `bump`:
    // find, its canonical address is the replay guard, so the bump cannot come from the caller).
    ["PDA checks of deliver", 3 * COST.createProgramAddress + find, "estimated"],
    // handle: remote bridge, token config, route, escrow (stored); gateway authority, bridge authority (constant
    // bumps). The queue entry is derived only when the transfer is queued, not on this path.
    ["PDA checks of the token handle", 6 * COST.createProgramAddress, "estimated"],
    [
      "CPIs: 2 create_account, deliver→handle, handle→SPL transfer",
      4 * COST.invoke + 2 * COST.systemCreateAccount,
      "counted",
    ],
    ["SPL Token transfer", COST.splTokenTransfer, "counted"],
    [`Anchor instruction logs (${posts + 2})`, (posts + 2) * COST.log, "counted"],
    [`Anchor handler allowance × ${posts + 2} instructions`, (posts + 2) * COST.anchorInstruction, "estimated"],
  ];
  return { rows, total: rows.reduce((a, [, cu]) => a + cu, 0) };
}

async function startRpc() {
  const child = spawn(BINARY, ["--host", "127.0.0.1", "--port", "0", "--slot-ms", "50"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${BINARY} exited (${code})`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const parsed = JSON.parse(line) as { ready?: boolean; url: string };
      if (parsed.ready) resolve(parsed);
    });
  });
  return { child, url: ready.url };
}

async function main() {
  const { child, url } = await startRpc();
  try {
    const connection = new Connection(url, "confirmed");
    const client = new MaskoiiSolanaClient({ connection });
    const admin = Keypair.fromSeed(new Uint8Array(32).fill(42)); // the local RPC's development upgrade authority
    const relayer = Keypair.generate();
    for (const who of [admin, relayer]) {
      const signature = await connection.requestAirdrop(who.publicKey, 100 * LAMPORTS_PER_SOL);
      await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) }, "confirmed");
    }

    const keys = Array.from({ length: N }, (_, i) => `0x${(0x5000 + i).toString(16).padStart(64, "0")}` as Hex);
    const members = keys.map((k) => ({ address: addressOfPrivateKey(k), weight: 1n }));
    const attesters = members.map((m) => m.address).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    await client.sendAndConfirm(
      [
        await client.initializeIx({
          payer: admin.publicKey,
          localDomain: LOCAL,
          admin: admin.publicKey,
          guardian: admin.publicKey,
          overlapWindow: 86_400,
          emergencyDelay: 7 * 86_400,
          attesters: members,
          thresholdBps: THRESHOLD_BPS,
        }),
      ],
      [admin],
    );

    // A 9-decimal lock-mode mint bridged at 8 shared decimals, escrow funded by an outbound transfer.
    const mint = await createMint(connection, admin, admin.publicKey, null, 9);
    const source = (await getOrCreateAssociatedTokenAccount(connection, admin, mint, admin.publicKey)).address;
    await mintTo(connection, admin, mint, source, admin, 100n * 10n ** 9n);
    const max = (1n << 64n) - 1n;
    await client.sendAndConfirm(
      [
        await client.tokenRegisterIx({ admin: admin.publicKey, mint, mode: 0, sharedDecimals: 8 }),
        await client.tokenSetRemoteBridgeIx({ admin: admin.publicKey, domain: REMOTE, bridge: REMOTE_BRIDGE }),
        await client.tokenLinkIx({ admin: admin.publicKey, mint, remoteDomain: REMOTE, remoteToken: REMOTE_TOKEN }),
        await client.tokenSetRateLimitsIx({
          admin: admin.publicKey,
          mint,
          remoteDomain: REMOTE,
          outCapacity: max,
          outRefillPerSecond: 0n,
          inCapacity: max,
          inRefillPerSecond: 0n,
        }),
        await client.setFeeIx({ admin: admin.publicKey, destination: REMOTE, baseFee: 0, feePerByte: 0 }),
      ],
      [admin],
    );
    const out = await client.tokenTransferRemoteIx({
      sender: admin.publicKey,
      payer: admin.publicKey,
      mint,
      source,
      destination: REMOTE,
      recipient: REMOTE_BRIDGE,
      amount: 10n * 10n ** 9n,
      maxFee: 0,
    });
    await client.sendAndConfirm([out.instruction], [admin]);

    // One token to a fresh recipient token account, attested by the lowest 13 of 19 attesters.
    const recipient: PublicKey = await createAccount(
      connection,
      relayer,
      mint,
      Keypair.generate().publicKey,
      Keypair.generate(),
    );
    const message = encodeMessage({
      nonce: 0n,
      originDomain: REMOTE,
      sender: REMOTE_BRIDGE,
      destinationDomain: LOCAL,
      recipient: client.verifier,
      payload: encodeTokenMessage({
        token: pubkeyToBytes32(mint),
        recipient: pubkeyToBytes32(recipient),
        amount: 10n ** 8n,
      }),
    });
    const id = messageId(message);
    const byIndex = new Map(keys.map((k) => [addressOfPrivateKey(k).toLowerCase(), k]));
    const signers = attesters.slice(0, K).map((a) => byIndex.get(a.toLowerCase())!);
    const attestation = buildAttestation({
      digest: client.digest("message", LOCAL, 1, id),
      attesterSetId: 1,
      attesters,
      signers,
    });
    const remainingAccounts = await client.tokenHandleAccounts(relayer.publicKey, message);
    const plan = await client.planDelivery({ relayer: relayer.publicKey, message, attestation, remainingAccounts });

    // Send transaction by transaction; count the recoveries from the signer bitmap after each post.
    const recovered: number[] = [];
    const reported: (number | null)[] = [];
    for (const [i, ixs] of plan.transactions.entries()) {
      const signature = await client.sendAndConfirm(ixs, [relayer]);
      const tx = await connection.getTransaction(signature, {
        commitment: "confirmed",
        maxSupportedTransactionVersion: 0,
      });
      reported.push(tx?.meta?.computeUnitsConsumed ?? null);
      const v = await client.fetchVerification(relayer.publicKey, "message", 1, id);
      const bits = v === null ? 0 : [...hexToBytes(v.signers)].reduce((n, b) => n + popcount(b), 0);
      recovered.push(
        i < plan.transactions.length - 1 ? bits : plan.signaturesPerTransaction.reduce((a, b) => a + b, 0),
      );
    }
    const balance = (await getAccount(connection, recipient)).amount;
    if (balance !== 10n ** 9n) throw new Error(`delivery did not release the tokens (balance ${balance})`);
    if (!(await client.isMessageDelivered(message))) throw new Error("no receipt after delivery");
    const recoveries = recovered.at(-1)!;
    if (recoveries !== K) throw new Error(`expected ${K} recoveries, counted ${recoveries}`);

    const { rows, total } = estimate(plan.signaturesPerTransaction);
    const result = {
      setup: `deliver of one token transfer (lock/release, fresh recipient token account), ${K}-of-${N} attesters, ${hexToBytes(message).length}-byte message`,
      deliver_13_of_19_transactions: plan.transactions.length,
      deliver_13_of_19_transactions_kind: "measured",
      deliver_13_of_19_transaction_bytes: plan.sizes,
      deliver_13_of_19_transaction_bytes_kind: "measured",
      packet_limit_bytes: PACKET_DATA_SIZE,
      deliver_13_of_19_signatures_per_transaction: plan.signaturesPerTransaction,
      deliver_13_of_19_secp256k1_recover_calls: recoveries,
      deliver_13_of_19_secp256k1_recover_calls_kind: "measured",
      deliver_13_of_19_secp256k1_recover_cu: recoveries * SECP256K1_RECOVER_CU,
      deliver_13_of_19_secp256k1_recover_cu_kind: "counted (25,000 CU each, agave secp256k1_recover_cost)",
      deliver_13_of_19_cu_estimate: total,
      deliver_13_of_19_cu_estimate_kind: "estimated",
      deliver_13_of_19_cu_breakdown: rows.map(([what, cu, kind]) => ({ what, cu, kind })),
      compute_budget_instruction_per_transaction: plan.transactions.map((ixs) =>
        ixs[0]!.programId.equals(ComputeBudgetProgram.programId),
      ),
      local_rpc_reported_compute_units: reported,
      local_rpc_reported_compute_units_kind: "not meaningful: native builtins are not metered",
      targets: { transactions: "<= 2", cu: "< 400,000", wormhole_shim_13_signatures_cu: 334_558 },
    };
    for (const [i, size] of plan.sizes.entries()) {
      console.log(
        `tx ${i + 1}: ${plan.signaturesPerTransaction[i]} signatures, ${size} bytes (measured), ~${plan.computeEstimates[i]} CU planned`,
      );
    }
    for (const [what, cu, kind] of rows) console.log(`  ${what}: ${cu.toLocaleString("en")} CU (${kind})`);
    console.log(
      `deliver 13-of-19: ${plan.transactions.length} transactions (measured), ~${total.toLocaleString("en")} CU (estimated)`,
    );
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${RESULTS}`);
  } finally {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    child.kill("SIGTERM");
  }
}

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b > 0; b >>= 1) n += b & 1;
  return n;
}

await main();
// web3.js's WebSocket client keeps reconnecting to the stopped server; nothing else is pending.
process.exit(0);
