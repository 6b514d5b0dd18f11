// The Solana chain adapter against the real local Solana endpoint (programs/local-rpc: the Solana runtime with the
// maskoii program and SPL Token): finality by commitment, the outbox, delivery with a real secp256k1 quorum, replay,
// leftover verification accounts, pause, the attester set, and config errors.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@maskoii/node-kit";
import {
  addressOfPrivateKey,
  attestationDigest,
  buildAttestation,
  decodeAttestation,
  encodeMessage,
  encodeTokenMessage,
  messageId,
} from "@maskoii/sdk";
import { MASKOII_PROGRAM_ID, type MaskoiiSolanaClient, pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { getAccount, getOrCreateAssociatedTokenAccount } from "@solana/spl-token";
import { type Connection, Keypair, PublicKey } from "@solana/web3.js";
import { type Address, bytesToHex, getAddress, type Hex, keccak256, stringToHex, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hexToSignature, SolanaChainAdapter } from "../src/chains/solana.ts";
import { parseConfig, resolveChains } from "../src/config.ts";
import {
  AlreadyDeliveredError,
  BatchUnsupportedError,
  InvalidConfigError,
  SolanaDeploymentMismatchError,
  SolanaProgramFailedError,
  UnknownAttesterSetError,
} from "../src/errors.ts";
import { startRelayer } from "../src/relayer-run.ts";
import { runCli } from "./helpers.ts";
import {
  airdrop,
  DEV_ADMIN,
  HAVE_LOCAL_RPC,
  type LocalRpc,
  requireLocalRpc,
  SOLANA_DOMAIN,
  setUpProgram,
  startLocalRpc,
} from "./solana-helpers.ts";

const EVM = 1001;
const REMOTE_BRIDGE: Hex = `0x${"00".repeat(12)}${"b1".repeat(20)}`;
const REMOTE_TOKEN: Hex = `0x${"00".repeat(12)}${"70".repeat(20)}`;
const keys = [0, 1, 2].map((i) => keccak256(stringToHex(`solana adapter attester ${i}`)));
const members = keys
  .map((key) => ({ key, address: addressOfPrivateKey(key) }))
  .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
const sorted: Address[] = members.map((m) => getAddress(m.address));
/** 2 of 3 equal weights. */
const THRESHOLD_BPS = 6_666;

requireLocalRpc("solana-adapter.test");

describe.runIf(HAVE_LOCAL_RPC)("Solana chain adapter on the local Solana RPC", () => {
  let rpc: LocalRpc | undefined;
  let connection: Connection;
  let client: MaskoiiSolanaClient;
  let mint: PublicKey;
  const relayer = Keypair.generate();
  const user = Keypair.generate();
  let userToken: PublicKey;
  let confirmed: SolanaChainAdapter;
  let finalized: SolanaChainAdapter;
  let nextEvmNonce = 0n;

  const connect = (commitment: "confirmed" | "finalized", payer?: Keypair) =>
    SolanaChainAdapter.connect({
      domain: SOLANA_DOMAIN,
      rpcUrl: rpc!.url,
      programId: MASKOII_PROGRAM_ID,
      commitment,
      ...(payer === undefined ? {} : { payer }),
    });

  /** A token transfer from the EVM domain to `userToken`, as the EVM bridge would send it. */
  const inbound = (amount: bigint): Hex =>
    encodeMessage({
      nonce: nextEvmNonce++,
      originDomain: EVM,
      sender: REMOTE_BRIDGE,
      destinationDomain: SOLANA_DOMAIN,
      recipient: pubkeyToBytes32(MASKOII_PROGRAM_ID),
      payload: encodeTokenMessage({ token: pubkeyToBytes32(mint), recipient: pubkeyToBytes32(userToken), amount }),
    });

  /** An attestation by the given members (indices into the sorted set) for this program as verifier. */
  const attest = (message: Hex, signers: readonly number[], adapter: SolanaChainAdapter = confirmed): Hex =>
    buildAttestation({
      digest: attestationDigest("message", {
        domain: SOLANA_DOMAIN,
        verifier: adapter.verifier,
        attesterSetId: 1n,
        value: messageId(message),
      }),
      attesterSetId: 1n,
      attesters: sorted,
      signers: signers.map((i) => members[i]!.key),
    });

  beforeAll(async () => {
    rpc = await startLocalRpc(50);
    // Before initialize: the adapter refuses the endpoint.
    await expect(connect("confirmed")).rejects.toThrow(/not initialized/);
    ({ connection, client, mint } = await setUpProgram({
      url: rpc.url,
      attesters: sorted.map((address) => ({ address, weight: 1n })),
      thresholdBps: THRESHOLD_BPS,
      remote: { domain: EVM, bridge: REMOTE_BRIDGE, token: REMOTE_TOKEN },
    }));
    await Promise.all([airdrop(connection, relayer.publicKey, 10), airdrop(connection, user.publicKey, 10)]);
    userToken = (await getOrCreateAssociatedTokenAccount(connection, user, mint, user.publicKey)).address;
    confirmed = await connect("confirmed", relayer);
    finalized = await connect("finalized");
  }, 120_000);

  afterAll(async () => {
    await rpc?.stop();
  });

  it("refuses a non-SVM domain, a program id with no program, and another local domain", async () => {
    await expect(
      SolanaChainAdapter.connect({
        domain: EVM,
        rpcUrl: rpc!.url,
        programId: MASKOII_PROGRAM_ID,
        commitment: "confirmed",
      }),
    ).rejects.toBeInstanceOf(SolanaDeploymentMismatchError);
    await expect(
      SolanaChainAdapter.connect({
        domain: SOLANA_DOMAIN,
        rpcUrl: rpc!.url,
        programId: Keypair.generate().publicKey,
        commitment: "confirmed",
      }),
    ).rejects.toThrow(/no executable program/);
    await expect(
      SolanaChainAdapter.connect({
        domain: 2,
        rpcUrl: rpc!.url,
        programId: MASKOII_PROGRAM_ID,
        commitment: "confirmed",
      }),
    ).rejects.toThrow(/initialized as domain 1003/);
    expect(confirmed.verifier).toBe(pubkeyToBytes32(MASKOII_PROGRAM_ID));
    expect(confirmed.maxBatchSize).toBe(1);
    await expect(confirmed.deliverBatch()).rejects.toBeInstanceOf(BatchUnsupportedError);
  });

  it("sees a sent message only once it is final under the commitment, once, with its origin, nonce and id", async () => {
    const sent = await client.sendIx({
      sender: user.publicKey,
      payer: user.publicKey,
      destination: EVM,
      recipient: toHex(7n, { size: 32 }),
      payload: "0xc0ffee",
      maxFee: 1_000_000,
    });
    const signature = await client.sendAndConfirm([sent.instruction], [user]);
    const outbox = await client.fetchOutboxMessage(sent.nonce);
    expect(outbox).not.toBeNull();
    const slot = outbox!.slot;

    // `finalized`: the send is 0 slots deep, so the final head is below its slot and a scan to it misses it.
    const head = await finalized.finalizedBlock();
    expect(head).toBeLessThan(slot);
    expect(await finalized.fetchSent(0n, head)).toEqual([]);
    expect(await finalized.latestBlock()).toBeGreaterThanOrEqual(slot);

    // `confirmed`: final as soon as its slot is complete (the endpoint's confirmed slot is the last frozen one, never
    // the open slot the send executed in, so a scan to it cannot miss a message still landing there).
    let confirmedHead = await confirmed.finalizedBlock();
    const confirmedDeadline = Date.now() + 5_000;
    while (confirmedHead < slot && Date.now() < confirmedDeadline) {
      expect(await confirmed.fetchSent(0n, confirmedHead)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      confirmedHead = await confirmed.finalizedBlock();
    }
    expect(confirmedHead).toBeGreaterThanOrEqual(slot);
    const [seen, ...more] = await confirmed.fetchSent(0n, confirmedHead);
    expect(more).toEqual([]);
    expect(seen).toEqual({
      messageId: sent.messageId.toLowerCase(),
      origin: SOLANA_DOMAIN,
      destination: EVM,
      nonce: sent.nonce,
      message: sent.message.toLowerCase(),
      blockNumber: slot,
      txHash: expect.stringMatching(/^0x[0-9a-f]{128}$/),
    });
    expect(hexToSignature(seen!.txHash)).toBe(signature);

    // `finalized` catches up 32 slots later (50 ms slots): the message appears in exactly one range.
    const deadline = Date.now() + 20_000;
    let finalHead = head;
    while (finalHead < slot && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      finalHead = await finalized.finalizedBlock();
    }
    expect(finalHead).toBeGreaterThanOrEqual(slot);
    const before = await finalized.fetchSent(0n, slot - 1n);
    const at = await finalized.fetchSent(slot, finalHead);
    const after = await finalized.fetchSent(finalHead + 1n, finalHead + 1_000n);
    expect(before.map((s) => s.nonce)).not.toContain(sent.nonce);
    expect(at.map((s) => s.messageId)).toEqual([sent.messageId.toLowerCase()]);
    expect(after).toEqual([]);

    // findSent (diagnostics) finds it by id, final or not; an unknown id is undefined.
    expect((await confirmed.findSent(sent.messageId, 0n))?.nonce).toBe(sent.nonce);
    expect(await confirmed.findSent(`0x${"ab".repeat(32)}`, 0n)).toBeUndefined();
  });

  it("delivers an EVM-origin transfer with a 2-of-3 secp256k1 quorum; a second delivery is AlreadyDelivered", async () => {
    const message = inbound(5n * 10n ** 8n);
    const id = messageId(message);
    const attestation = attest(message, [0, 2]);
    expect(await confirmed.getMessageStatus(message)).toBe("none");
    expect(await confirmed.isDelivered(EVM, nextEvmNonce - 1n, id)).toBe(false);
    expect(await confirmed.isDelivered(EVM, nextEvmNonce - 1n)).toBe(false);

    const estimate = await confirmed.estimateDeliver(message, attestation);
    expect(estimate.cost).toBeGreaterThan(5_000n);
    expect(estimate.gas).toBeGreaterThan(0n);

    const balance = await connection.getBalance(relayer.publicKey);
    const result = await confirmed.deliver(message, attestation);
    expect(result.delivered).toEqual([id.toLowerCase()]);
    expect(result.skipped).toEqual([]);
    expect(result.gasUsed).toBeGreaterThanOrEqual(5_000n);
    const tx = await connection.getTransaction(hexToSignature(result.txHash), {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    expect(tx?.meta?.err).toBeNull();
    // Fees and the receipt's rent, nothing else: the verification's rent came back on deliver.
    const spent = BigInt(balance - (await connection.getBalance(relayer.publicKey)));
    const receiptRent = BigInt(await connection.getMinimumBalanceForRentExemption(165));
    expect(spent).toBe(result.gasUsed + receiptRent);

    expect(await confirmed.getMessageStatus(message)).toBe("delivered");
    expect(await confirmed.isDelivered(EVM, nextEvmNonce - 1n, id)).toBe(true);
    expect(await confirmed.isDelivered(EVM, nextEvmNonce - 1n)).toBe(true);
    expect((await getAccount(connection, userToken)).amount).toBe(5n * 10n ** 9n);

    await expect(confirmed.deliver(message, attestation)).rejects.toBeInstanceOf(AlreadyDeliveredError);
    expect((await getAccount(connection, userToken)).amount).toBe(5n * 10n ** 9n);
  });

  it("reuses a verification account a crashed attempt left behind, and closes one that cannot reach quorum", async () => {
    // Crash after the first chunk: signature of member 0 posted, then nothing.
    const message = inbound(10n ** 8n);
    const id = messageId(message);
    const attestation = attest(message, [0, 1]);
    const verification = client.pda.verification(relayer.publicKey, "message", 1n, id);
    const { signatures } = decodeAttestation(attestation);
    await client.sendAndConfirm(
      [
        await client.postSignaturesIx({
          payer: relayer.publicKey,
          kind: "message",
          attesterSetId: 1n,
          value: id,
          signatures: signatures.slice(0, 1),
        }),
      ],
      [relayer],
    );
    expect((await client.fetchVerification(relayer.publicKey, "message", 1n, id))?.nextIndex).toBe(1);
    const sentBy = async () => (await connection.getSignaturesForAddress(relayer.publicKey, { limit: 1_000 })).length;
    let count = await sentBy();
    await confirmed.deliver(message, attestation);
    // Reused: one transaction posts the missing signature and delivers.
    expect((await sentBy()) - count).toBe(1);
    expect(await confirmed.getMessageStatus(message)).toBe("delivered");
    expect(await connection.getAccountInfo(verification)).toBeNull();

    // A leftover holding only member 2, and a new attestation by members 0 and 1: 2 cannot be combined with indices
    // below it, and 1 of 3 is below quorum, so the account is closed and the delivery posts afresh.
    const second = inbound(2n * 10n ** 8n);
    const secondId = messageId(second);
    const lone = decodeAttestation(attest(second, [2])).signatures;
    await client.sendAndConfirm(
      [
        await client.postSignaturesIx({
          payer: relayer.publicKey,
          kind: "message",
          attesterSetId: 1n,
          value: secondId,
          signatures: lone,
        }),
      ],
      [relayer],
    );
    count = await sentBy();
    await confirmed.deliver(second, attest(second, [0, 1]));
    // Closed, then one transaction posts both signatures and delivers.
    expect((await sentBy()) - count).toBe(2);
    expect(await confirmed.getMessageStatus(second)).toBe("delivered");
    expect(
      await connection.getAccountInfo(client.pda.verification(relayer.publicKey, "message", 1n, secondId)),
    ).toBeNull();
  });

  it("reclaims a verification whose message someone else delivered", async () => {
    const message = inbound(3n * 10n ** 8n);
    const id = messageId(message);
    const { signatures } = decodeAttestation(attest(message, [1]));
    await client.sendAndConfirm(
      [
        await client.postSignaturesIx({
          payer: relayer.publicKey,
          kind: "message",
          attesterSetId: 1n,
          value: id,
          signatures,
        }),
      ],
      [relayer],
    );
    // Another relayer delivers it with its own verification account.
    const other = Keypair.generate();
    await airdrop(connection, other.publicKey, 5);
    const otherAdapter = await connect("confirmed", other);
    await otherAdapter.deliver(message, attest(message, [0, 2]));
    const leftover = client.pda.verification(relayer.publicKey, "message", 1n, id);
    expect(await connection.getAccountInfo(leftover)).not.toBeNull();
    expect(await confirmed.reclaimVerifications()).toBe(1);
    expect(await connection.getAccountInfo(leftover)).toBeNull();
    expect(await confirmed.reclaimVerifications()).toBe(0);
  });

  it("reports a paused gateway, and a delivery while paused fails with the program's error", async () => {
    expect(await confirmed.isPaused()).toBe(false);
    const setPaused = async (paused: boolean) =>
      client.sendAndConfirm([await client.setPausedIx({ guardian: DEV_ADMIN.publicKey, paused })], [DEV_ADMIN]);
    await setPaused(true);
    try {
      expect(await confirmed.isPaused()).toBe(true);
      const message = inbound(10n ** 8n);
      const error = await confirmed.deliver(message, attest(message, [0, 1])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SolanaProgramFailedError);
      expect((error as SolanaProgramFailedError).errorName).toMatch(/Paused/);
      expect(await confirmed.getMessageStatus(message)).toBe("none");
    } finally {
      await setPaused(false);
    }
    expect(await confirmed.isPaused()).toBe(false);
  });

  it("reads the attester set as the program holds it", async () => {
    expect(await confirmed.currentSetId()).toBe(1n);
    expect(await confirmed.getAttesterSet(1n)).toEqual({
      setId: 1n,
      attesters: sorted,
      weights: [1n, 1n, 1n],
      thresholdBps: THRESHOLD_BPS,
      totalWeight: 3n,
      expiresAt: 0,
    });
    await expect(confirmed.getAttesterSet(2n)).rejects.toBeInstanceOf(UnknownAttesterSetError);
  });

  it("a read-only adapter refuses to deliver", async () => {
    const message = inbound(1n);
    await expect(finalized.deliver(message, attest(message, [0, 1]))).rejects.toThrow(/read-only/);
  });
});

describe("maskoii keys for the Solana paying key", () => {
  it("imports a solana-keygen file as an ed25519 keystore and shows its base58 address; refuses a malformed one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "maskoii-solana-keys-"));
    try {
      const keypair = Keypair.generate();
      await writeFile(join(dir, "id.json"), JSON.stringify(Array.from(keypair.secretKey)));
      const env = { PATH: process.env.PATH ?? "", MASKOII_KEYSTORE_PASSWORD: "solana keys test" };
      const imported = await runCli(
        ["keys", "import", "--kind", "ed25519", "--key-file", join(dir, "id.json"), "--out", join(dir, "payer.json")],
        { env },
      );
      expect(imported.code, imported.stderr).toBe(0);
      expect(JSON.parse(imported.stdout)).toMatchObject({ kind: "ed25519", address: keypair.publicKey.toBase58() });
      const shown = await runCli(["keys", "show", "--keystore", join(dir, "payer.json")], { env });
      expect(JSON.parse(shown.stdout).address).toBe(keypair.publicKey.toBase58());
      expect(imported.stdout + imported.stderr + shown.stdout).not.toContain(
        bytesToHex(keypair.secretKey).slice(2, 20),
      );

      await writeFile(join(dir, "bad.json"), JSON.stringify([1, 2, 3]));
      const bad = await runCli(
        [
          "keys",
          "import",
          "--kind",
          "ed25519",
          "--key-file",
          join(dir, "bad.json"),
          "--out",
          join(dir, "bad-out.json"),
        ],
        { env },
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--key-file: not a JSON array of 64 bytes");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("Solana chain config", () => {
  const base = () => ({
    chains: [
      {
        family: "solana",
        domain: 1003,
        rpcUrl: "http://127.0.0.1:8899",
        commitment: "finalized",
      } as Record<string, unknown>,
      {
        domain: 1001,
        rpcUrl: "http://127.0.0.1:8545",
        gateway: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        finality: { kind: "finalized" },
      },
    ],
    keys: { keystore: "k.json", solanaKeystore: "s.json" },
  });
  const fails = (value: unknown): InvalidConfigError => {
    try {
      parseConfig(value, "test.json");
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      return error as InvalidConfigError;
    }
    throw new Error("expected InvalidConfigError");
  };

  it("fills the defaults (program id, start slot) and keeps EVM entries without a family", () => {
    const config = parseConfig(base());
    expect(config.chains[0]).toMatchObject({
      family: "solana",
      programId: MASKOII_PROGRAM_ID.toBase58(),
      commitment: "finalized",
      startBlock: 0,
    });
    expect(config.chains[1]).toMatchObject({ family: "evm", finality: { kind: "finalized" } });
    expect(config.keys.solanaKeystore).toBe("s.json");
  });

  it("a relayer with a Solana chain and no solanaKeystore is refused, naming the field", async () => {
    const { keys: _keys, ...rest } = base();
    const config = await resolveChains(
      parseConfig({ ...rest, keys: { keystore: "k.json" }, relayer: { attesters: ["http://127.0.0.1:1"] } }),
      tmpdir(),
    );
    const key = keccak256(stringToHex("relayer key"));
    const error = await startRelayer({
      config,
      payingKey: { kind: "secp256k1", publicId: addressOfPrivateKey(key), privateKey: key },
      log: createLogger({ level: "silent" }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).field).toBe("keys.solanaKeystore");
  });

  it("names the field: bad program id, bad commitment, wrong family for the domain, unknown family", () => {
    const badProgram = base();
    badProgram.chains[0]!.programId = "not-base58-0OIl";
    const e1 = fails(badProgram);
    expect(e1.field).toBe("chains.0.programId");
    expect(e1.problem).toMatch(/base58 Solana public key/);

    const shortKey = base();
    shortKey.chains[0]!.programId = new PublicKey(new Uint8Array(32).fill(1)).toBase58().slice(0, 20);
    expect(fails(shortKey).field).toBe("chains.0.programId");

    const badCommitment = base();
    badCommitment.chains[0]!.commitment = "processed";
    const e2 = fails(badCommitment);
    expect(e2.field).toBe("chains.0.commitment");
    expect(e2.problem).toMatch(/confirmed.*finalized/);

    const evmDomain = base();
    evmDomain.chains[0]!.domain = 1001;
    expect(fails(evmDomain).field).toBe("chains.0.domain");

    const unknownFamily = base();
    unknownFamily.chains[0]!.family = "cosmos";
    expect(fails(unknownFamily).field).toBe("chains.0.family");

    const extra = base();
    extra.chains[0]!.gateway = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    expect(fails(extra).problem).toMatch(/unrecognized key/i);
  });
});
