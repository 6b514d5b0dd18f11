/**
 * End to end against programs/local-rpc (a standard Solana JSON-RPC + PubSub server over the real runtime, with the
 * maskoii program as a native builtin and SPL Token): a standard web3.js Connection and the SDK client only.
 *
 * The binary is `MASKOII_LOCAL_RPC` or /root/.cache/maskoii-target/debug/maskoii-local-rpc
 * (`cd programs && cargo build -p maskoii-local-rpc`). Without it the suite is skipped with a message.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  createAccount,
  createMint,
  getAccount,
  getOrCreateAssociatedTokenAccount,
  mintTo,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import {
  ComputeBudgetProgram,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  type PublicKey,
  SystemProgram,
} from "@solana/web3.js";
import { bytesToHex, type Hex, hexToBytes } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressOfPrivateKey, buildAttestation, decodeAttestation } from "../src/attestation.ts";
import { type ClaimLeaf, claimProof, claimRoot, encodeDistributionMessage } from "../src/claims.ts";
import { decodeMessage, encodeMessage, messageId } from "../src/message.ts";
import {
  CU_ESTIMATE,
  MaskoiiProgramError,
  MaskoiiSolanaClient,
  PACKET_DATA_SIZE,
  parseProgramError,
  programErrorCode,
  pubkeyToBytes32,
} from "../src/solana/index.ts";
import { decodeTokenMessage, encodeTokenMessage } from "../src/token.ts";
import { key } from "./helpers.ts";

const BINARY =
  process.env.MASKOII_LOCAL_RPC ??
  join(process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache", "maskoii-target"), "debug", "maskoii-local-rpc");
const LOCAL = 1003;
const REMOTE = 1001;
const REMOTE_BRIDGE: Hex = `0x${"00".repeat(12)}${"b1".repeat(20)}`;
const REMOTE_TOKEN: Hex = `0x${"00".repeat(12)}${"70".repeat(20)}`;
const U64_MAX = (1n << 64n) - 1n;

// 19 attesters of weight 1, quorum 13 (6842 bps: 13 × 10000 ≥ 19 × 6842 > 12 × 10000).
const keys = Array.from({ length: 19 }, (_, i) => key(1000 + i));
const members = keys.map((k) => ({ address: addressOfPrivateKey(k), weight: 1n }));
const sorted = members.map((m) => m.address).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
const THRESHOLD_BPS = 6842;

let rpc: ChildProcess | undefined;
let connection: Connection;
let client: MaskoiiSolanaClient;
/** The ProgramData's upgrade authority: the RPC's default development key (ed25519 seed [42; 32]). */
const admin = Keypair.fromSeed(new Uint8Array(32).fill(42));
const relayer = Keypair.generate();
const user = Keypair.generate();

/** The log messages of a confirmed transaction, as an indexer reads them with getTransaction. */
async function logsOf(signature: string): Promise<string[]> {
  const tx = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
  expect(tx?.meta?.err).toBeNull();
  return tx?.meta?.logMessages ?? [];
}

const toHexBytes = (b: Uint8Array | number[]): Hex => bytesToHex(Uint8Array.from(b));

async function startRpc(): Promise<{ url: string; upgradeAuthority?: string }> {
  const child = spawn(BINARY, ["--host", "127.0.0.1", "--port", "0", "--slot-ms", "50"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  rpc = child;
  const stderr: string[] = [];
  child.stderr?.on("data", (d: Buffer) => stderr.push(d.toString()));
  const lines = createInterface({ input: child.stdout! });
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local RPC not ready after 60 s:\n${stderr.join("")}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`local RPC exited (${code}):\n${stderr.join("")}`)));
    lines.on("line", (line) => {
      const ready = JSON.parse(line) as { ready?: boolean; url: string; upgradeAuthority?: string };
      if (ready.ready) {
        clearTimeout(timer);
        resolve(ready);
      }
    });
  });
}

async function airdrop(to: PublicKey, sol: number): Promise<void> {
  const signature = await connection.requestAirdrop(to, sol * LAMPORTS_PER_SOL);
  const latest = await connection.getLatestBlockhash();
  await connection.confirmTransaction({ signature, ...latest }, "confirmed");
}

function attest(message: Hex, signers: readonly Hex[], setId = 1): Hex {
  const digest = client.digest("message", LOCAL, setId, messageId(message));
  return buildAttestation({ digest, attesterSetId: setId, attesters: sorted, signers });
}

const haveBinary = existsSync(BINARY);
if (!haveBinary) console.warn(`solana.rpc.test: ${BINARY} not found: build it with cargo build -p maskoii-local-rpc`);

// The whole-suite runner (scripts/test-all.ts) builds the binary first and sets this: there a missing binary is a
// failure, never a silent skip.
it.runIf(process.env.MASKOII_REQUIRE_LOCAL_RPC === "1")("has the local RPC binary to test against", () => {
  expect(haveBinary, `${BINARY} must exist`).toBe(true);
});

describe.runIf(haveBinary)("maskoii program through the local Solana RPC", () => {
  let mint: PublicKey;
  let userToken: PublicKey;
  let inbound: Hex;

  beforeAll(async () => {
    const ready = await startRpc();
    expect(ready.upgradeAuthority, "the RPC names the development key as upgrade authority").toBe(
      admin.publicKey.toBase58(),
    );
    connection = new Connection(ready.url, "confirmed");
    client = new MaskoiiSolanaClient({ connection });
    await Promise.all([airdrop(admin.publicKey, 100), airdrop(relayer.publicKey, 100), airdrop(user.publicKey, 10)]);
  }, 120_000);

  afterAll(async () => {
    // web3.js's confirmTransaction keeps polling the block height for up to a second after it resolved; let those
    // requests finish before the server goes away (they would otherwise reject unhandled).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    rpc?.kill("SIGTERM");
  });

  it("serves the program as an executable account", async () => {
    const info = await connection.getAccountInfo(client.programId);
    expect(info?.executable).toBe(true);
  });

  it("refuses initialize by anyone but the upgrade authority, then initializes", async () => {
    const init = (payer: PublicKey) =>
      client.initializeIx({
        payer,
        localDomain: LOCAL,
        admin: admin.publicKey,
        guardian: admin.publicKey,
        overlapWindow: 86_400,
        emergencyDelay: 7 * 86_400,
        attesters: members,
        thresholdBps: THRESHOLD_BPS,
      });
    const err = await client.sendAndConfirm([await init(relayer.publicKey)], [relayer]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaskoiiProgramError);
    expect((err as MaskoiiProgramError).errorName).toBe("NotUpgradeAuthority");

    await client.sendAndConfirm([await init(admin.publicKey)], [admin]);
    const config = await client.fetchConfig();
    expect(config.localDomain).toBe(LOCAL);
    expect(config.currentSetId).toBe(1n);
    expect(config.nextNonce).toBe(0n);
    const set = await client.fetchAttesterSet(1);
    expect(set?.attesters).toEqual(sorted.map((a) => a.toLowerCase()));
    expect(set?.thresholdBps).toBe(THRESHOLD_BPS);
    expect(set?.totalWeight).toBe(19n);
    expect(await client.fetchAttesterSet(2)).toBeNull();
  });

  it("sends a message and reads it back from the outbox by nonce", async () => {
    await client.sendAndConfirm(
      [await client.setFeeIx({ admin: admin.publicKey, destination: 1002, baseFee: 5000, feePerByte: 10 })],
      [admin],
    );
    const payload: Hex = "0xc0ffee";
    const sent = await client.sendIx({
      sender: user.publicKey,
      payer: user.publicKey,
      destination: 1002,
      recipient: REMOTE_BRIDGE,
      payload,
      maxFee: 5030,
    });
    const signature = await client.sendAndConfirm([sent.instruction], [user]);
    const outbox = await client.fetchOutboxMessage(sent.nonce);
    expect(outbox?.message).toBe(sent.message);
    expect(outbox?.messageId).toBe(sent.messageId);
    expect(outbox?.sender.equals(user.publicKey)).toBe(true);
    const decoded = decodeMessage(outbox!.message);
    expect(decoded.originDomain).toBe(LOCAL);
    expect(decoded.sender).toBe(pubkeyToBytes32(user.publicKey));
    expect(decoded.payload).toBe(payload);
    expect((await client.fetchConfig()).nextNonce).toBe(sent.nonce + 1n);
    // The `MessageSent` event in getTransaction's logs carries the same bytes as the outbox account.
    const logs = await logsOf(signature);
    expect(client.parseEvents(logs).map((e) => e.name)).toEqual(["messageSent"]);
    expect(client.messagesSent(logs)).toEqual([
      { messageId: sent.messageId, destination: 1002, nonce: sent.nonce, message: sent.message },
    ]);
    expect(logs.filter((l) => l.startsWith("Program data: "))).toHaveLength(1);

    // max_fee below the quote: the program's own error, by name.
    const cheap = await client.sendIx({
      sender: user.publicKey,
      payer: user.publicKey,
      destination: 1002,
      recipient: REMOTE_BRIDGE,
      payload,
      maxFee: 1,
    });
    const err = await client.sendAndConfirm([cheap.instruction], [user]).catch((e: unknown) => e);
    expect((err as MaskoiiProgramError).errorName).toBe("FeeExceedsMaximum");
  });

  it("registers a lock-mode SPL mint and bridges tokens out (transfer_remote locks them in escrow)", async () => {
    mint = await createMint(connection, admin, admin.publicKey, null, 9);
    userToken = (await getOrCreateAssociatedTokenAccount(connection, user, mint, user.publicKey)).address;
    await mintTo(connection, admin, mint, userToken, admin, 5_000_000_000n);
    const setup = [
      await client.tokenRegisterIx({ admin: admin.publicKey, mint, mode: 0, sharedDecimals: 8 }),
      await client.tokenSetRemoteBridgeIx({ admin: admin.publicKey, domain: REMOTE, bridge: REMOTE_BRIDGE }),
      await client.tokenLinkIx({ admin: admin.publicKey, mint, remoteDomain: REMOTE, remoteToken: REMOTE_TOKEN }),
      await client.tokenSetRateLimitsIx({
        admin: admin.publicKey,
        mint,
        remoteDomain: REMOTE,
        outCapacity: U64_MAX,
        outRefillPerSecond: 0n,
        inCapacity: U64_MAX,
        inRefillPerSecond: 0n,
      }),
      await client.setFeeIx({ admin: admin.publicKey, destination: REMOTE, baseFee: 0, feePerByte: 0 }),
    ];
    await client.sendAndConfirm(setup, [admin]);

    const recipient: Hex = `0x${"00".repeat(12)}${"ee".repeat(20)}`;
    const out = await client.tokenTransferRemoteIx({
      sender: user.publicKey,
      payer: user.publicKey,
      mint,
      source: userToken,
      destination: REMOTE,
      recipient,
      amount: 1_000_000_007n, // 1.000000007 tokens: the last digit is dust below 8 shared decimals
      maxFee: 0,
    });
    const outSignature = await client.sendAndConfirm([out.instruction], [user]);
    expect(out.wireAmount).toBe(100_000_000n);
    const outLogs = await logsOf(outSignature);
    expect(client.messagesSent(outLogs).map((m) => m.message)).toEqual([out.message]);
    const [transferSent] = client.eventsNamed(outLogs, "transferSent");
    expect(toHexBytes(transferSent!.messageId)).toBe(out.messageId);
    expect(transferSent!.from.equals(user.publicKey)).toBe(true);
    expect(BigInt(transferSent!.wireAmount.toString())).toBe(100_000_000n);
    expect(BigInt(transferSent!.amount.toString())).toBe(1_000_000_000n);
    const outbox = await client.fetchOutboxMessage(out.nonce);
    expect(outbox?.message).toBe(out.message);
    const decoded = decodeMessage(out.message);
    expect(decoded.sender).toBe(client.verifier);
    expect(decoded.recipient).toBe(REMOTE_BRIDGE);
    expect(decodeTokenMessage(decoded.payload)).toEqual({ token: REMOTE_TOKEN, recipient, amount: 100_000_000n });
    expect((await getAccount(connection, client.pda.escrow(mint))).amount).toBe(1_000_000_000n);
    expect((await getAccount(connection, userToken)).amount).toBe(4_000_000_000n);
  });

  it("delivers a 13-of-19 token transfer in two transactions and releases the tokens", async () => {
    const recipientToken = await createAccount(
      connection,
      relayer,
      mint,
      Keypair.generate().publicKey,
      Keypair.generate(),
    );
    inbound = encodeMessage({
      nonce: 0n,
      originDomain: REMOTE,
      sender: REMOTE_BRIDGE,
      destinationDomain: LOCAL,
      recipient: client.verifier,
      payload: encodeTokenMessage({
        token: pubkeyToBytes32(mint),
        recipient: pubkeyToBytes32(recipientToken),
        amount: 25_000_000n,
      }),
    });
    const attestation = attest(inbound, keys.slice(0, 13));
    const remainingAccounts = await client.tokenHandleAccounts(relayer.publicKey, inbound);
    const before = await connection.getBalance(relayer.publicKey);
    const { plan, signatures } = await client.deliver({ relayer, message: inbound, attestation, remainingAccounts });
    expect(plan.transactions).toHaveLength(2);
    // First transaction: a chunk of signatures; second: the rest, then deliver and the bridge's `handle` (self-CPI).
    expect(client.parseEvents(await logsOf(signatures[0]!)).map((e) => e.name)).toEqual(["signaturesPosted"]);
    const deliveryLogs = await logsOf(signatures[1]!);
    expect(client.parseEvents(deliveryLogs).map((e) => e.name)).toEqual([
      "signaturesPosted",
      "messageDelivered",
      "transferReceived",
    ]);
    const [delivered] = client.eventsNamed(deliveryLogs, "messageDelivered");
    expect(toHexBytes(delivered!.messageId)).toBe(messageId(inbound));
    expect(delivered!.origin).toBe(REMOTE);
    const [received] = client.eventsNamed(deliveryLogs, "transferReceived");
    expect(received!.recipient.equals(recipientToken)).toBe(true);
    expect(BigInt(received!.amount.toString())).toBe(250_000_000n);
    expect(plan.signaturesPerTransaction.reduce((a, b) => a + b, 0)).toBe(13);
    for (const size of plan.sizes) expect(size).toBeLessThanOrEqual(PACKET_DATA_SIZE);

    expect((await getAccount(connection, recipientToken)).amount).toBe(250_000_000n); // 25_000_000 × 10^(9−8)
    const receipt = await client.fetchReceiptOf(inbound);
    expect(receipt?.originDomain).toBe(REMOTE);
    expect(receipt?.relayer.equals(relayer.publicKey)).toBe(true);
    expect(await client.isMessageDelivered(inbound)).toBe(true);
    // The verification account was consumed and its rent refunded.
    expect(await client.fetchVerification(relayer.publicKey, "message", 1, messageId(inbound))).toBeNull();
    expect(before - (await connection.getBalance(relayer.publicKey))).toBeLessThan(0.01 * LAMPORTS_PER_SOL);
  });

  it("rejects a replay: AlreadyDelivered before sending, and on chain with the same program error", async () => {
    const attestation = attest(inbound, keys.slice(3, 16));
    const err = await client.deliver({ relayer, message: inbound, attestation }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaskoiiProgramError);
    expect((err as MaskoiiProgramError).errorName).toBe("AlreadyDelivered");

    // Bypassing the client check: post a fresh quorum and send deliver anyway.
    const remainingAccounts = await client.tokenHandleAccounts(relayer.publicKey, inbound);
    const plan = await client.planDelivery({
      relayer: relayer.publicKey,
      message: inbound,
      attestation,
      remainingAccounts,
    });
    await client.sendAndConfirm(plan.transactions[0]!, [relayer]);
    const raw = await client.sendAndConfirm(plan.transactions[1]!, [relayer]).catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(Error);
    const onChain = parseProgramError(raw);
    expect(onChain?.errorName).toBe("AlreadyDelivered");
    expect(onChain?.source).toBe("program");
    expect(onChain?.code).toBe(programErrorCode("AlreadyDelivered"));
  });

  it("names the program's signature errors: a non-member signature, too little weight", async () => {
    const message = encodeMessage({
      nonce: 1n,
      originDomain: REMOTE,
      sender: REMOTE_BRIDGE,
      destinationDomain: LOCAL,
      recipient: client.verifier,
      payload: encodeTokenMessage({ token: pubkeyToBytes32(mint), recipient: pubkeyToBytes32(userToken), amount: 1n }),
    });
    const id = messageId(message);
    const poster = Keypair.generate();
    await airdrop(poster.publicKey, 10);

    // Index 0 claimed by a signature of another member: UnknownSigner.
    const good = decodeAttestation(attest(message, keys.slice(0, 2))).signatures;
    const forged = [{ ...good[1]!, index: good[0]!.index }];
    const post = await client.postSignaturesIx({
      payer: poster.publicKey,
      kind: "message",
      attesterSetId: 1,
      value: id,
      signatures: forged,
    });
    const e1 = await client.sendAndConfirm([post], [poster]).catch((e: unknown) => e);
    expect((e1 as MaskoiiProgramError).errorName).toBe("UnknownSigner");

    // Twelve of nineteen: posted fine, deliver refuses.
    const twelve = attest(message, keys.slice(0, 12));
    const plan = await client.planDelivery({
      relayer: poster.publicKey,
      message,
      attestation: twelve,
      remainingAccounts: await client.tokenHandleAccounts(poster.publicKey, message),
    });
    for (const ixs of plan.transactions.slice(0, -1)) await client.sendAndConfirm(ixs, [poster]);
    const e2 = await client.sendAndConfirm(plan.transactions.at(-1)!, [poster]).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(MaskoiiProgramError);
    expect((e2 as MaskoiiProgramError).errorName).toBe("InsufficientWeight");
    expect(await client.isMessageDelivered(message)).toBe(false);
  });

  it("queues an inbound transfer over the inbound limit and releases it once the limit allows", async () => {
    const limits = (inCapacity: bigint) =>
      client.tokenSetRateLimitsIx({
        admin: admin.publicKey,
        mint,
        remoteDomain: REMOTE,
        outCapacity: U64_MAX,
        outRefillPerSecond: 0n,
        inCapacity,
        inRefillPerSecond: 0n,
      });
    await client.sendAndConfirm([await limits(10n)], [admin]);
    const recipientToken = await createAccount(
      connection,
      relayer,
      mint,
      Keypair.generate().publicKey,
      Keypair.generate(),
    );
    const message = encodeMessage({
      nonce: 2n,
      originDomain: REMOTE,
      sender: REMOTE_BRIDGE,
      destinationDomain: LOCAL,
      recipient: client.verifier,
      payload: encodeTokenMessage({
        token: pubkeyToBytes32(mint),
        recipient: pubkeyToBytes32(recipientToken),
        amount: 100n,
      }),
    });
    const route = client.pda.tokenRoute(mint, REMOTE);
    const seq = (await client.program.account.tokenRoute.fetch(route)).nextQueueSeq;
    const remainingAccounts = await client.tokenHandleAccounts(relayer.publicKey, message);
    await client.deliver({ relayer, message, attestation: attest(message, keys.slice(6, 19)), remainingAccounts });
    expect(await client.isMessageDelivered(message)).toBe(true);
    expect((await getAccount(connection, recipientToken)).amount).toBe(0n);
    const queued = client.pda.queuedTransfer(route, BigInt(seq.toString()));
    const entry = await client.program.account.queuedTransfer.fetch(queued);
    expect(entry.recipient.equals(recipientToken)).toBe(true);
    expect(entry.wireAmount.toString()).toBe("100");

    // Still over the limit: the program's own error, by name.
    const early = await client
      .sendAndConfirm([await client.tokenReleaseQueuedIx(queued)], [user])
      .catch((e: unknown) => e);
    expect((early as MaskoiiProgramError).errorName).toBe("RateLimitExceeded");

    await client.sendAndConfirm([await limits(U64_MAX)], [admin]);
    await client.sendAndConfirm([await client.tokenReleaseQueuedIx(queued)], [user]);
    expect((await getAccount(connection, recipientToken)).amount).toBe(1_000n);
    expect(await connection.getAccountInfo(queued)).toBeNull();
  });

  it("delivers a distribution (kind 2) with distributionHandleAccounts: the vault is funded from escrow", async () => {
    const [alice, bob] = [Keypair.generate(), Keypair.generate()];
    const leaves: ClaimLeaf[] = [
      { index: 0, claimant: pubkeyToBytes32(alice.publicKey), amount: 20_000_000n, salt: `0x${"a1".repeat(32)}` },
      { index: 1, claimant: pubkeyToBytes32(bob.publicKey), amount: 10_000_000n, salt: `0x${"b0".repeat(32)}` },
    ];
    const distributionId: Hex = `0x${"d1".repeat(32)}`;
    const message = encodeMessage({
      nonce: 3n,
      originDomain: REMOTE,
      sender: REMOTE_BRIDGE,
      destinationDomain: LOCAL,
      recipient: client.verifier,
      payload: encodeDistributionMessage({
        root: claimRoot(leaves),
        token: pubkeyToBytes32(mint),
        total: 30_000_000n,
        leafCount: 2,
        distributionId,
      }),
    });
    const distribution = client.pda.distribution(REMOTE, distributionId);
    const remainingAccounts = await client.distributionHandleAccounts(relayer.publicKey, message);
    // ReceiveDistribution's order; lock mode, so the escrow (writable) and not the program id as "none".
    expect(remainingAccounts.map((a) => [a.pubkey.toBase58(), a.isWritable, a.isSigner])).toEqual(
      [
        [relayer.publicKey, true, true],
        [client.pda.remoteBridge(REMOTE), false, false],
        [client.pda.tokenConfig(mint), false, false],
        [client.pda.tokenRoute(mint, REMOTE), true, false],
        [mint, true, false],
        [client.pda.bridgeAuthority(), false, false],
        [client.pda.escrow(mint), true, false],
        [distribution, true, false],
        [client.pda.claimsVault(distribution), true, false],
        [client.pda.claimBitmap(distribution), true, false],
        [TOKEN_PROGRAM_ID, false, false],
        [SystemProgram.programId, false, false],
      ].map(([k, w, s]) => [(k as PublicKey).toBase58(), w, s]),
    );
    const escrowBefore = (await getAccount(connection, client.pda.escrow(mint))).amount;
    const { plan, signatures } = await client.deliver({
      relayer,
      message,
      attestation: attest(message, keys.slice(0, 13)),
      remainingAccounts,
    });
    // The planner budgets the distribution's heavier `handle` (three accounts created, vault initialised).
    expect(plan.computeEstimates.at(-1)).toBeGreaterThanOrEqual(
      CU_ESTIMATE.deliverBase + CU_ESTIMATE.distributionHandle,
    );
    const names = client.parseEvents(await logsOf(signatures.at(-1)!)).map((e) => e.name);
    expect(names).toContain("distributionCreated");
    expect(await client.isMessageDelivered(message)).toBe(true);
    const vault = client.pda.claimsVault(distribution);
    expect((await getAccount(connection, vault)).amount).toBe(300_000_000n); // 30_000_000 × 10^(9−8)
    expect(escrowBefore - (await getAccount(connection, client.pda.escrow(mint))).amount).toBe(300_000_000n);

    const aliceToken = await createAccount(connection, relayer, mint, alice.publicKey, Keypair.generate());
    const claim = await client.claimsClaimIx({
      distribution,
      mint,
      claimantToken: aliceToken,
      index: 0,
      claimant: alice.publicKey,
      amount: leaves[0]!.amount,
      salt: leaves[0]!.salt,
      proof: claimProof(leaves, 0),
    });
    await client.sendAndConfirm([claim], [user]);
    expect((await getAccount(connection, aliceToken)).amount).toBe(200_000_000n);
    // A new transaction (within one slot the same instruction would be the same, already processed, transaction).
    const again = await client
      .sendAndConfirm([ComputeBudgetProgram.setComputeUnitLimit({ units: 300_000 }), claim], [user])
      .catch((e: unknown) => e);
    expect((again as MaskoiiProgramError).errorName).toBe("AlreadyClaimed");
  });

  it("pauses delivery through the guardian (Paused by name)", async () => {
    await client.sendAndConfirm([await client.setPausedIx({ guardian: admin.publicKey, paused: true })], [admin]);
    expect((await client.fetchConfig()).paused).toBe(true);
    const sent = await client.sendIx({
      sender: user.publicKey,
      payer: user.publicKey,
      destination: 1002,
      recipient: REMOTE_BRIDGE,
      payload: "0x01",
      maxFee: 10_000,
    });
    const err = await client.sendAndConfirm([sent.instruction], [user]).catch((e: unknown) => e);
    expect((err as MaskoiiProgramError).errorName).toBe("Paused");
    await client.sendAndConfirm([await client.setPausedIx({ guardian: admin.publicKey, paused: false })], [admin]);
    expect(hexToBytes(client.verifier)).toEqual(client.programId.toBytes());
    expect(TOKEN_PROGRAM_ID.toBase58()).toBe("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
  });
});
