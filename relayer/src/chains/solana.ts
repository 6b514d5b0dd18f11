// ChainAdapter for the maskoii Solana program (Solana, Koii K2: the SVM family), over the sdk's MaskoiiSolanaClient.
// "Blocks" are slots. Outbound messages are read from the program's outbox accounts (one per nonce; the program's
// `emit!` events are not a reliable source, see docs/relayer.md), deliveries post the attestation's signatures in
// chunks to a verification account and then `deliver` (docs/solana.md).

import {
  base58Decode,
  base58Encode,
  decodeAttestation,
  decodeMessage,
  getDomain,
  messageId as idOf,
  TOKEN_MESSAGE_KIND_DISTRIBUTION,
  TOKEN_MESSAGE_KIND_TRANSFER,
} from "@maskoii/sdk";
import {
  type MaskoiiProgramError,
  MaskoiiSolanaClient,
  PACKET_DATA_SIZE,
  parseProgramError,
  transactionSize,
} from "@maskoii/sdk/solana";
import {
  type AccountMeta,
  ComputeBudgetProgram,
  Connection,
  type Keypair,
  PublicKey,
  Transaction,
  type TransactionInstruction,
} from "@solana/web3.js";
import { type Address, bytesToHex, getAddress, type Hex, hexToBytes } from "viem";
import {
  AlreadyDeliveredError,
  BatchUnsupportedError,
  ChainRpcError,
  MalformedChainAnswerError,
  RelayerError,
  SolanaDeploymentMismatchError,
  SolanaProgramFailedError,
  TransactionExpiredError,
  UnknownAttesterSetError,
} from "../errors.ts";
import type {
  AttesterSetView,
  ChainAdapter,
  DeliveryResult,
  FeeEstimate,
  MessageStatus,
  SentMessage,
} from "./adapter.ts";
import { SolanaRefunds } from "./solana-refund.ts";

/** The Solana commitment that makes an outbound message final (`processed` can be rolled back: not offered). */
export type SolanaCommitment = "confirmed" | "finalized";

/** Compute-unit price bounds, in micro-lamports per compute unit. */
export type PriorityFeeBounds = { readonly minMicroLamports: number; readonly maxMicroLamports: number };

export type SolanaAdapterOptions = {
  domain: number;
  rpcUrl: string;
  programId: PublicKey;
  commitment: SolanaCommitment;
  /** Pays for deliveries (ed25519); without it the adapter is read-only. */
  payer?: Keypair;
  priorityFee?: PriorityFeeBounds;
  /** How long one transaction is awaited before it is re-sent with a new blockhash and a higher price. */
  confirmTimeoutMs?: number;
  /** Called on every failed RPC call (metrics). */
  onRpcError?: (call: string) => void;
};

/** Every transaction has one signature (the payer's); the runtime charges this many lamports per signature. */
const LAMPORTS_PER_SIGNATURE = 5_000n;
/** Default compute limit per (non compute-budget) instruction, and the most a transaction may request. */
const DEFAULT_INSTRUCTION_CU = 200_000;
const MAX_TRANSACTION_CU = 1_400_000;
/** The first price a bump moves a zero price to, micro-lamports per CU. */
const BUMP_FLOOR_MICRO_LAMPORTS = 1_000;
/** Sends of one transaction (a new blockhash and a doubled price each time) before it is given up. */
const MAX_SEND_ATTEMPTS = 4;
/** Outbox accounts read in parallel. */
const OUTBOX_CHUNK = 25;
/** Pages of getSignaturesForAddress walked to find the finalized boundary (1,000 signatures each). */
const MAX_FINALITY_PAGES = 10;
/** Bytes of a `Receipt` account (its rent is part of a delivery's price). */
const RECEIPT_LENGTH = 165;
/** Rounds of one delivery: a round restarts after a post raced with an earlier one of ours that landed late. */
const MAX_DELIVERY_ROUNDS = 3;

type Outbox = NonNullable<Awaited<ReturnType<MaskoiiSolanaClient["fetchOutboxMessage"]>>>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Solana transaction signature (base58, 64 bytes) as the relayer's `txHash` (0x + 128 hex digits). */
export function signatureToHex(signature: string): Hex {
  const bytes = base58Decode(signature);
  if (bytes === undefined || bytes.length !== 64)
    throw new MalformedChainAnswerError("transaction signature", signature);
  return bytesToHex(bytes);
}

/** The base58 signature of a `txHash` written by this adapter. */
export function hexToSignature(txHash: Hex): string {
  return base58Encode(hexToBytes(txHash));
}

export class SolanaChainAdapter implements ChainAdapter {
  readonly domain: number;
  readonly verifier: Hex;
  /** No `deliver_batch` on Solana: one message per delivery (docs/solana.md, "Batches"). */
  readonly maxBatchSize = 1;
  readonly programId: PublicKey;
  readonly commitment: SolanaCommitment;
  /** Destination-side reads and writes at `confirmed` (the freshest state that cannot be rolled back in practice). */
  readonly client: MaskoiiSolanaClient;
  /** Origin-side reads (outbox, nonce) at the configured commitment. */
  readonly #origin: MaskoiiSolanaClient;
  readonly #connection: Connection;
  readonly #payer: Keypair | undefined;
  readonly #fees: PriorityFeeBounds;
  readonly #confirmTimeoutMs: number;
  readonly #onRpcError: (call: string) => void;
  /** An outbox entry known to be before the last scanned range: where the next scan's search starts. */
  #hint: { nonce: bigint; slot: bigint } | undefined;
  #swept = false;

  private constructor(options: SolanaAdapterOptions) {
    this.domain = options.domain;
    this.programId = options.programId;
    this.commitment = options.commitment;
    this.#connection = new Connection(options.rpcUrl, { commitment: "confirmed", disableRetryOnRateLimit: true });
    this.client = new MaskoiiSolanaClient({ connection: this.#connection, programId: options.programId });
    this.#origin =
      options.commitment === "confirmed"
        ? this.client
        : new MaskoiiSolanaClient({
            connection: new Connection(options.rpcUrl, {
              commitment: options.commitment,
              disableRetryOnRateLimit: true,
            }),
            programId: options.programId,
          });
    this.verifier = this.client.verifier;
    this.#payer = options.payer;
    this.#fees = options.priorityFee ?? { minMicroLamports: 0, maxMicroLamports: 1_000_000 };
    this.#confirmTimeoutMs = options.confirmTimeoutMs ?? 60_000;
    this.#onRpcError = options.onRpcError ?? (() => {});
  }

  /**
   * Connects and checks the deployment: the domain is an SVM domain, the program exists and is executable, and it
   * is initialized with this domain as its local domain (Solana has no chain id to check instead).
   */
  static async connect(options: SolanaAdapterOptions): Promise<SolanaChainAdapter> {
    const family = getDomain(options.domain).family;
    if (family !== "svm") {
      throw new SolanaDeploymentMismatchError(options.domain, `domain is of the ${family} family, not svm`);
    }
    const adapter = new SolanaChainAdapter(options);
    const program = await adapter.#read("getAccountInfo(program)", () =>
      adapter.#connection.getAccountInfo(options.programId),
    );
    if (program === null || !program.executable) {
      throw new SolanaDeploymentMismatchError(
        options.domain,
        `no executable program at ${options.programId.toBase58()}`,
      );
    }
    const config = await adapter.#read("getAccountInfo(config)", () =>
      adapter.client.program.account.config.fetchNullable(adapter.client.pda.config()),
    );
    if (config === null) {
      throw new SolanaDeploymentMismatchError(
        options.domain,
        `maskoii at ${options.programId.toBase58()} is not initialized`,
      );
    }
    if (config.localDomain !== options.domain) {
      throw new SolanaDeploymentMismatchError(
        options.domain,
        `maskoii at ${options.programId.toBase58()} is initialized as domain ${config.localDomain}`,
      );
    }
    return adapter;
  }

  /** The paying account's address (base58), if any. */
  get payer(): PublicKey | undefined {
    return this.#payer?.publicKey;
  }

  async #read<T>(call: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof RelayerError) throw cause;
      this.#onRpcError(call);
      throw new ChainRpcError(this.domain, call, cause);
    }
  }

  // -----------------------------------------------------------------------------------------------------------
  // origin: finality and the outbox

  /**
   * The newest slot that is final under the configured commitment. `confirmed`: the confirmed slot. `finalized`:
   * the finalized slot, but never past the oldest program transaction the node does not yet report `finalized`
   * (every `send` writes the config account, so its signatures are the outbox's history). On a cluster the second
   * bound is never lower; it matters for nodes whose getSlot ignores the commitment (programs/local-rpc).
   */
  async finalizedBlock(): Promise<bigint> {
    if (this.commitment === "confirmed") {
      return BigInt(await this.#read("getSlot(confirmed)", () => this.#connection.getSlot("confirmed")));
    }
    const finalized = BigInt(await this.#read("getSlot(finalized)", () => this.#connection.getSlot("finalized")));
    const config = this.client.pda.config();
    let before: string | undefined;
    let oldestPending: bigint | undefined;
    for (let page = 0; page < MAX_FINALITY_PAGES; page++) {
      const list = await this.#read("getSignaturesForAddress(config)", () =>
        this.#connection.getSignaturesForAddress(config, { limit: 1_000, ...(before ? { before } : {}) }, "confirmed"),
      );
      for (const entry of list) {
        if (entry.confirmationStatus === "finalized") {
          return oldestPending === undefined || oldestPending > finalized ? finalized : oldestPending;
        }
        oldestPending = BigInt(entry.slot) - 1n;
      }
      if (list.length < 1_000) break;
      before = list.at(-1)?.signature;
    }
    return oldestPending === undefined || oldestPending > finalized ? finalized : oldestPending;
  }

  /** The newest slot, final or not (`processed`: the slot transactions are executing in). */
  latestBlock(): Promise<bigint> {
    return this.#read("getSlot", async () => BigInt(await this.#connection.getSlot("processed")));
  }

  async #outboxes(client: MaskoiiSolanaClient, from: bigint, to: bigint): Promise<(Outbox | null)[]> {
    const nonces: bigint[] = [];
    for (let n = from; n < to; n++) nonces.push(n);
    return this.#read("getAccountInfo(outbox)", () => Promise.all(nonces.map((n) => client.fetchOutboxMessage(n))));
  }

  async #outbox(client: MaskoiiSolanaClient, nonce: bigint): Promise<Outbox> {
    const [entry] = await this.#outboxes(client, nonce, nonce + 1n);
    if (entry === null || entry === undefined) throw this.#missingOutbox(nonce);
    return entry;
  }

  #missingOutbox(nonce: bigint): ChainRpcError {
    return new ChainRpcError(this.domain, "outbox", `nonce ${nonce} is below next_nonce but has no outbox account`);
  }

  /** The lowest nonce in [lo, next) whose outbox slot is >= `slot` (nonces are assigned in slot order). */
  async #firstNonceAtOrAfter(client: MaskoiiSolanaClient, slot: bigint, next: bigint): Promise<bigint> {
    let lo = this.#hint !== undefined && this.#hint.slot < slot && this.#hint.nonce < next ? this.#hint.nonce + 1n : 0n;
    let hi = next;
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      if ((await this.#outbox(client, mid)).slot < slot) lo = mid + 1n;
      else hi = mid;
    }
    return lo;
  }

  async #scan(
    client: MaskoiiSolanaClient,
    fromSlot: bigint,
    toSlot: bigint | undefined,
    match?: (o: Outbox) => boolean,
  ): Promise<Outbox[]> {
    const next = (await this.#read("getAccountInfo(config)", () => client.fetchConfig())).nextNonce;
    const found: Outbox[] = [];
    for (let n = await this.#firstNonceAtOrAfter(client, fromSlot, next); n < next; n += BigInt(OUTBOX_CHUNK)) {
      const end = n + BigInt(OUTBOX_CHUNK) < next ? n + BigInt(OUTBOX_CHUNK) : next;
      for (const [i, entry] of (await this.#outboxes(client, n, end)).entries()) {
        if (entry === null || entry === undefined) throw this.#missingOutbox(n + BigInt(i));
        if (toSlot !== undefined && entry.slot > toSlot) return found;
        if (match === undefined || match(entry)) found.push(entry);
      }
    }
    return found;
  }

  /** The signature of the transaction that created an outbox account (its only writer). */
  async #sendSignature(nonce: bigint, slot: bigint): Promise<Hex> {
    const list = await this.#read("getSignaturesForAddress(outbox)", () =>
      this.#connection.getSignaturesForAddress(this.client.pda.outbox(nonce), { limit: 20 }, "confirmed"),
    );
    const creator = list.find((s) => BigInt(s.slot) === slot && s.err === null) ?? list.at(-1);
    return creator === undefined ? `0x${"00".repeat(64)}` : signatureToHex(creator.signature);
  }

  async #toSent(o: Outbox): Promise<SentMessage> {
    return {
      messageId: o.messageId.toLowerCase() as Hex,
      origin: this.domain,
      destination: o.destination,
      nonce: o.nonce,
      message: o.message.toLowerCase() as Hex,
      blockNumber: o.slot,
      txHash: await this.#sendSignature(o.nonce, o.slot),
    };
  }

  /** Messages whose outbox account was written in slots [fromBlock, toBlock], read at the configured commitment. */
  async fetchSent(fromBlock: bigint, toBlock: bigint): Promise<SentMessage[]> {
    const found = await this.#scan(this.#origin, fromBlock, toBlock);
    const last = found.at(-1);
    if (last !== undefined) this.#hint = { nonce: last.nonce, slot: last.slot };
    return Promise.all(found.map((o) => this.#toSent(o)));
  }

  async sentAtNonce(nonce: bigint, fromBlock: bigint): Promise<SentMessage | "unassigned" | "before"> {
    const next = (await this.#read("getAccountInfo(config)", () => this.client.fetchConfig())).nextNonce;
    if (nonce >= next) return "unassigned";
    const outbox = await this.#outbox(this.client, nonce);
    return outbox.slot < fromBlock ? "before" : this.#toSent(outbox);
  }

  async findSent(messageId: Hex, fromBlock: bigint): Promise<SentMessage | undefined> {
    const id = messageId.toLowerCase();
    const [found] = await this.#scan(this.client, fromBlock, undefined, (o) => o.messageId.toLowerCase() === id);
    return found === undefined ? undefined : this.#toSent(found);
  }

  // -----------------------------------------------------------------------------------------------------------
  // destination: state

  async getMessageStatus(message: Hex): Promise<MessageStatus> {
    // No on-chain "failed": a recipient failure reverts the whole delivery (docs/solana.md, "Failed recipients").
    // Receipts are keyed by (origin, nonce) and name the delivered message (docs/protocol.md §8.1): this message is
    // delivered iff its pair's receipt names its id.
    const receipt = await this.#read("getAccountInfo(receipt)", () => this.client.fetchReceiptOf(message));
    return receipt?.messageId === idOf(message).toLowerCase() ? "delivered" : "none";
  }

  /** Whether a receipt names message `id` (a lookup by the stored id, for verification accounts that hold only it). */
  #isDeliveredId(id: Hex): Promise<boolean> {
    return this.#read("getProgramAccounts(receipt)", async () => (await this.client.fetchReceiptById(id)) !== null);
  }

  async isDelivered(origin: number, nonce: bigint, _messageId?: Hex): Promise<boolean> {
    // One account read: the receipt PDA of (origin, nonce). As on EVM, a pair taken by any message is delivered.
    return this.#read("getAccountInfo(receipt)", () => this.client.isDelivered(origin, nonce));
  }

  /**
   * Refund reads and submission of the program (its own token bridge; `_tokenBridge` is for EVM): records, receipts
   * and send transactions at the configured commitment, submission through this adapter's sender (solana-refund.ts).
   */
  refunds(_tokenBridge?: unknown): SolanaRefunds {
    return new SolanaRefunds({
      domain: this.domain,
      final: this.#origin,
      fresh: this.client,
      read: (call, fn) => this.#read(call, fn),
      send: this.#payer === undefined ? undefined : (ixs, what) => this.#send(ixs, what),
      closeVerification: this.#payer === undefined ? undefined : (account) => this.#closeAccount(account),
      payer: this.#payer?.publicKey,
      signatureToHex,
      hexToSignature,
    });
  }

  async isPaused(): Promise<boolean> {
    return (await this.#read("getAccountInfo(config)", () => this.client.fetchConfig())).paused;
  }

  async currentSetId(): Promise<bigint> {
    return (await this.#read("getAccountInfo(config)", () => this.client.fetchConfig())).currentSetId;
  }

  async getAttesterSet(setId: bigint): Promise<AttesterSetView> {
    const set = await this.#read("getAccountInfo(attester_set)", () => this.client.fetchAttesterSet(setId));
    if (set === null) throw new UnknownAttesterSetError(this.domain, setId);
    return {
      setId: set.setId,
      attesters: set.attesters.map((a) => getAddress(a) as Address),
      weights: set.weights,
      thresholdBps: set.thresholdBps,
      totalWeight: set.totalWeight,
      expiresAt: Number(set.expiresAt),
    };
  }

  // -----------------------------------------------------------------------------------------------------------
  // destination: fees and delivery

  #requirePayer(): Keypair {
    if (this.#payer === undefined) {
      throw new ChainRpcError(this.domain, "deliver", "this adapter has no paying key (read-only)");
    }
    return this.#payer;
  }

  /**
   * Accounts the recipient's `handle` needs: the token bridge's for a message to this program, by payload kind
   * (protocol §8: a transfer, or a distribution whose accounts the relayer pays the rent of), none otherwise.
   */
  async #remainingAccounts(relayer: PublicKey, message: Hex): Promise<AccountMeta[]> {
    const { recipient, payload } = decodeMessage(message);
    if (recipient.toLowerCase() !== this.verifier.toLowerCase()) return [];
    switch (hexToBytes(payload)[0]) {
      case TOKEN_MESSAGE_KIND_TRANSFER:
        return this.#read("tokenHandleAccounts", () => this.client.tokenHandleAccounts(relayer, message));
      case TOKEN_MESSAGE_KIND_DISTRIBUTION:
        return this.#read("distributionHandleAccounts", () => this.client.distributionHandleAccounts(relayer, message));
      default:
        // Unknown kinds fail in `handle` whatever accounts follow (`TokenMessageUnknownKind`).
        return [];
    }
  }

  /** The compute-unit price to offer: recent fees on the accounts written, clamped to the configured bounds. */
  async #price(writable: readonly PublicKey[]): Promise<number> {
    const { minMicroLamports: min, maxMicroLamports: max } = this.#fees;
    if (max === 0) return 0;
    const recent = await this.#read("getRecentPrioritizationFees", () =>
      this.#connection.getRecentPrioritizationFees({ lockedWritableAccounts: [...writable] }),
    );
    const fees = recent.map((f) => f.prioritizationFee).sort((a, b) => a - b);
    // The 75th percentile of recent slots: above most of the competition without paying for outliers.
    const p75 = fees.length === 0 ? 0 : (fees[Math.floor((fees.length - 1) * 0.75)] ?? 0);
    return Math.min(max, Math.max(min, p75));
  }

  #bump(price: number): number {
    return Math.min(this.#fees.maxMicroLamports, Math.max(price * 2, BUMP_FLOOR_MICRO_LAMPORTS));
  }

  /** The compute limit a transaction of `ixs` gets (its compute-budget instruction, or the per-instruction default). */
  static computeLimit(ixs: readonly TransactionInstruction[]): number {
    const budget = ComputeBudgetProgram.programId;
    for (const ix of ixs) {
      // SetComputeUnitLimit = discriminator 2, then u32 units (little-endian).
      if (ix.programId.equals(budget) && ix.data[0] === 2) return ix.data.readUInt32LE(1);
    }
    return Math.min(MAX_TRANSACTION_CU, DEFAULT_INSTRUCTION_CU * ixs.filter((i) => !i.programId.equals(budget)).length);
  }

  static #feeOf(ixs: readonly TransactionInstruction[], price: number): bigint {
    const priority = (BigInt(SolanaChainAdapter.computeLimit(ixs)) * BigInt(price) + 999_999n) / 1_000_000n;
    return LAMPORTS_PER_SIGNATURE + priority;
  }

  async estimateDeliver(message: Hex, attestation: Hex): Promise<FeeEstimate> {
    const payer = this.#requirePayer();
    const plan = await this.#read("planDelivery", async () =>
      this.client.planDelivery({
        relayer: payer.publicKey,
        message,
        attestation,
        remainingAccounts: await this.#remainingAccounts(payer.publicKey, message),
      }),
    );
    const { originDomain, nonce } = decodeMessage(message);
    const price = await this.#price([payer.publicKey, this.client.pda.receipt(originDomain, nonce)]);
    const receiptRent = BigInt(
      await this.#read("getMinimumBalanceForRentExemption", () =>
        this.#connection.getMinimumBalanceForRentExemption(RECEIPT_LENGTH),
      ),
    );
    let gas = 0n;
    let cost = receiptRent;
    for (const ixs of plan.transactions) {
      gas += BigInt(SolanaChainAdapter.computeLimit(ixs));
      cost += SolanaChainAdapter.#feeOf(ixs, price);
    }
    // gas = compute units requested, pricePerGas = micro-lamports per unit, cost = lamports (fees + receipt rent).
    return { gas, pricePerGas: BigInt(price), cost };
  }

  estimateDeliverBatch(): Promise<FeeEstimate> {
    return Promise.reject(new BatchUnsupportedError(this.domain));
  }

  deliverBatch(): Promise<DeliveryResult> {
    return Promise.reject(new BatchUnsupportedError(this.domain));
  }

  /**
   * Delivers with the sdk's plan: `post_signatures` chunks, then `deliver`. A verification account left by an
   * earlier attempt (a crash, an expired transaction, a recipient that failed) is reused when the signatures it
   * holds plus the new ones still reach the quorum, and closed (rent back to us) otherwise. A message that already
   * has a receipt is `AlreadyDeliveredError`, as a reverted `deliver` is on EVM.
   */
  async deliver(message: Hex, attestation: Hex): Promise<DeliveryResult> {
    const payer = this.#requirePayer();
    const id = idOf(message).toLowerCase() as Hex;
    const { attesterSetId, signatures } = decodeAttestation(attestation);
    if (!this.#swept) {
      this.#swept = true;
      await this.reclaimVerifications().catch(() => 0);
    }
    const remainingAccounts = await this.#remainingAccounts(payer.publicKey, message);
    const decoded = decodeMessage(message);
    let spent = 0n;
    let lastError: unknown;
    // A post that raced with one of ours landing late fails on signer order: re-read the account and go again.
    for (let round = 0; round < MAX_DELIVERY_ROUNDS; round++) {
      if (await this.isDelivered(decoded.originDomain, decoded.nonce)) {
        await this.#closeVerification(attesterSetId, id).catch(() => {});
        throw new AlreadyDeliveredError(this.domain, id);
      }
      const alreadyPosted = await this.#reusable(payer.publicKey, attesterSetId, id, signatures);
      const plan = await this.#read("planDelivery", () =>
        this.client.planDelivery({ relayer: payer.publicKey, message, attestation, remainingAccounts, alreadyPosted }),
      );
      try {
        let last = "";
        for (const [i, ixs] of plan.transactions.entries()) {
          const sent = await this.#send(ixs, i === plan.transactions.length - 1 ? "deliver" : "post_signatures");
          spent += sent.fee;
          last = sent.signature;
        }
        return {
          txHash: signatureToHex(last),
          gasUsed: spent,
          effectiveGasPrice: 1n,
          delivered: [id],
          failed: [],
          skipped: [],
        };
      } catch (error) {
        const retryable =
          error instanceof SolanaProgramFailedError &&
          ["AlreadyDelivered", "SignersOutOfOrder", "DuplicateSigner"].includes(error.errorName);
        if (!retryable) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /**
   * How many of `signatures` (sorted by index) our verification account for (set, id) already holds: it is reused
   * when what it holds plus the rest reaches the set's threshold, else closed so the attempt starts clean.
   */
  async #reusable(payer: PublicKey, setId: bigint, id: Hex, signatures: readonly { index: number }[]): Promise<number> {
    const existing = await this.#read("getAccountInfo(verification)", () =>
      this.client.fetchVerification(payer, "message", setId, id),
    );
    if (existing === null) return 0;
    const set = await this.getAttesterSet(setId);
    const bitmap = hexToBytes(existing.signers);
    const has = (i: number) => ((bitmap[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
    let weight = 0n;
    for (const [i, w] of set.weights.entries()) if (has(i)) weight += w;
    const posted = signatures.filter((s) => s.index < existing.nextIndex).length;
    for (const s of signatures.slice(posted)) weight += set.weights[s.index] ?? 0n;
    if (weight * 10_000n >= set.totalWeight * BigInt(set.thresholdBps)) return posted;
    await this.#closeVerification(setId, id);
    return 0;
  }

  async #closeVerification(setId: bigint, id: Hex): Promise<void> {
    const payer = this.#requirePayer();
    const verification = this.client.pda.verification(payer.publicKey, "message", setId, id);
    await this.#closeAccount(verification);
  }

  async #closeAccount(verification: PublicKey): Promise<void> {
    const payer = this.#requirePayer();
    const info = await this.#read("getAccountInfo(verification)", () => this.#connection.getAccountInfo(verification));
    if (info === null || !info.owner.equals(this.programId)) return;
    const ix = await this.client.program.methods
      .closeVerification()
      .accountsStrict({ payer: payer.publicKey, verification })
      .instruction();
    await this.#send([ix], "close_verification");
  }

  /**
   * Closes this payer's verification accounts that can no longer be consumed: batch or rotation kinds (the relayer
   * never posts those), those of delivered messages, and those of expired or unknown sets. Returns how many.
   */
  async reclaimVerifications(): Promise<number> {
    const payer = this.#requirePayer();
    const accounts = await this.#read("getProgramAccounts(verification)", () =>
      this.client.program.account.verification.all([{ memcmp: { offset: 8, bytes: payer.publicKey.toBase58() } }]),
    );
    const now = Math.floor(Date.now() / 1000);
    let closed = 0;
    for (const { publicKey, account } of accounts) {
      const value = bytesToHex(Uint8Array.from(account.value));
      const setId = BigInt(account.attesterSetId.toString());
      const isMessage = "message" in account.kind;
      let stale = !isMessage;
      if (!stale) stale = await this.#isDeliveredId(value);
      if (!stale) {
        const set = await this.client.fetchAttesterSet(setId);
        stale = set === null || (set.expiresAt !== 0n && set.expiresAt <= BigInt(now));
      }
      if (stale) {
        await this.#closeAccount(publicKey);
        closed++;
      }
    }
    return closed;
  }

  /**
   * Signs, sends and confirms one transaction at `confirmed`, adding a compute-unit price when it fits the packet.
   * A transaction whose blockhash expires unconfirmed is re-sent with a fresh blockhash and a doubled price (up to
   * the configured maximum): Solana drops underpriced transactions rather than queueing them, so nothing is stuck.
   */
  async #send(
    instructions: readonly TransactionInstruction[],
    what: string,
  ): Promise<{ signature: string; fee: bigint }> {
    const payer = this.#requirePayer();
    const writable = [
      ...new Set(instructions.flatMap((ix) => ix.keys.filter((k) => k.isWritable).map((k) => k.pubkey.toBase58()))),
    ].map((k) => new PublicKey(k));
    let price = await this.#price(writable);
    let offered = 0;
    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
      const { blockhash, lastValidBlockHeight } = await this.#read("getLatestBlockhash", () =>
        this.#connection.getLatestBlockhash("confirmed"),
      );
      const priced =
        price > 0 ? [ComputeBudgetProgram.setComputeUnitPrice({ microLamports: price }), ...instructions] : [];
      const ixs =
        priced.length > 0 && transactionSize(priced, payer.publicKey) <= PACKET_DATA_SIZE ? priced : [...instructions];
      offered = ixs === priced ? price : 0;
      const tx = new Transaction({ feePayer: payer.publicKey, blockhash, lastValidBlockHeight }).add(...ixs);
      tx.sign(payer);
      const raw = tx.serialize();
      const signature = base58Encode(tx.signature ?? new Uint8Array(64));
      try {
        await this.#connection.sendRawTransaction(raw, { preflightCommitment: "confirmed", maxRetries: 0 });
      } catch (error) {
        throw this.#failure(what, error);
      }
      const outcome = await this.#confirm(signature, raw, lastValidBlockHeight);
      if (outcome === "expired") {
        price = this.#bump(price);
        continue;
      }
      if (outcome.err !== null) {
        const failed = await this.#connection
          .getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 })
          .catch(() => null);
        throw this.#failure(what, { err: outcome.err, logs: failed?.meta?.logMessages ?? [] });
      }
      const fee = await this.#connection
        .getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 })
        .then((t) => (t?.meta ? BigInt(t.meta.fee) : undefined))
        .catch(() => undefined);
      return { signature, fee: fee ?? SolanaChainAdapter.#feeOf(ixs, ixs === priced ? price : 0) };
    }
    throw new TransactionExpiredError(this.domain, what, MAX_SEND_ATTEMPTS, offered);
  }

  /** Polls the signature (re-broadcasting) until it is confirmed, failed, or its blockhash is past its last height. */
  async #confirm(
    signature: string,
    raw: Uint8Array,
    lastValidBlockHeight: number,
  ): Promise<"expired" | { err: unknown }> {
    const deadline = Date.now() + this.#confirmTimeoutMs;
    let polls = 0;
    for (;;) {
      const { value } = await this.#read("getSignatureStatuses", () =>
        this.#connection.getSignatureStatuses([signature]),
      );
      const status = value[0];
      if (status && (status.confirmationStatus === "confirmed" || status.confirmationStatus === "finalized")) {
        return { err: status.err };
      }
      if (status?.err) return { err: status.err };
      const height = await this.#read("getBlockHeight", () => this.#connection.getBlockHeight("confirmed"));
      if (height > lastValidBlockHeight || Date.now() > deadline) return "expired";
      polls++;
      // Re-broadcast every few polls: a cluster may drop a transaction before any leader includes it.
      if (polls % 8 === 0) {
        await this.#connection.sendRawTransaction(raw, { skipPreflight: true, maxRetries: 0 }).catch(() => undefined);
      }
      await sleep(250);
    }
  }

  /** A failed send as a typed error: a program error by name, anything else an RPC failure. */
  #failure(what: string, error: unknown): RelayerError {
    const program: MaskoiiProgramError | undefined = parseProgramError(error);
    if (program !== undefined) return new SolanaProgramFailedError(this.domain, what, program.errorName, error);
    const logs = (error as { logs?: unknown }).logs;
    const custom = Array.isArray(logs) ? logs.find((l) => typeof l === "string" && /failed|error/i.test(l)) : undefined;
    if ((error as { err?: unknown }).err !== undefined) {
      // Failed in the recipient or the runtime, not with a maskoii error: report what the logs say.
      return new SolanaProgramFailedError(
        this.domain,
        what,
        `${JSON.stringify((error as { err: unknown }).err)}${custom ? ` (${custom})` : ""}`,
        error,
      );
    }
    this.#onRpcError(`sendTransaction(${what})`);
    return new ChainRpcError(this.domain, `sendTransaction(${what})`, error);
  }
}
