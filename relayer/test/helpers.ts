// Test doubles: an in-memory chain that verifies attestations exactly as the gateway does (sdk checkAttestation and
import { spawn } from "node:child_process";
// Merkle proofs), and an attester signature source backed by real keys.
import {
  addressToBytes32,
  attestationDigest,
  batchRoot,
  checkAttestation,
  encodeMessage,
  messageId,
  processBatchProof,
  signDigest,
} from "@maskoii/sdk";
import { type Address, type Hex, keccak256, stringToHex, toHex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { packSignature } from "../src/attester/signer.ts";
import type {
  AttesterSetView,
  ChainAdapter,
  DeliveryResult,
  FeeEstimate,
  MessageStatus,
  SentMessage,
} from "../src/chains/adapter.ts";
import type { BulkAnswer, EndpointAnswer, SignatureSource } from "../src/collector.ts";

export const GATEWAY_B = "0x00000000000000000000000000000000000000bb" as Address;

/** `count` members sorted by address, with their keys. */
export function members(count: number, label = "test attester"): { key: Hex; address: Address }[] {
  return Array.from({ length: count }, (_, i) => {
    const key = keccak256(stringToHex(`${label} ${i}`));
    return { key, address: privateKeyToAddress(key) };
  }).sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
}

export function sampleMessage(nonce: bigint, origin = 1001, destination = 1002): SentMessage {
  const message = encodeMessage({
    nonce,
    originDomain: origin,
    sender: toHex(1n, { size: 32 }),
    destinationDomain: destination,
    recipient: toHex(2n, { size: 32 }),
    payload: "0x1234",
  });
  return {
    messageId: messageId(message),
    origin,
    destination,
    nonce,
    message,
    blockNumber: 10n + nonce,
    txHash: toHex(nonce, { size: 32 }),
  };
}

export class FakeChain implements ChainAdapter {
  readonly domain: number;
  readonly verifier: Hex;
  set: AttesterSetView;
  paused = false;
  head = 100n;
  sent: SentMessage[] = [];
  /** messageId -> status */
  status = new Map<string, MessageStatus>();
  deliveries: { method: "deliver" | "deliverBatch"; ids: Hex[] }[] = [];
  /** Makes the next N deliver calls throw (RPC down). */
  failNext = 0;
  /** What those calls throw (default: a plain "connection refused" Error). */
  failWith: (() => unknown) | undefined;
  /** Makes the recipient revert (MessageFailed). */
  recipientReverts = false;

  constructor(domain: number, set: AttesterSetView, gateway: Address = GATEWAY_B) {
    this.domain = domain;
    this.verifier = addressToBytes32(gateway);
    this.set = set;
  }

  async finalizedBlock(): Promise<bigint> {
    return this.head;
  }
  async latestBlock(): Promise<bigint> {
    return this.head + 5n;
  }
  async fetchSent(from: bigint, to: bigint): Promise<SentMessage[]> {
    return this.sent.filter((s) => s.blockNumber >= from && s.blockNumber <= to);
  }
  async findSent(id: Hex): Promise<SentMessage | undefined> {
    return this.sent.find((s) => s.messageId === id.toLowerCase());
  }
  async getMessageStatus(message: Hex): Promise<MessageStatus> {
    return this.status.get(messageId(message)) ?? "none";
  }
  async isDelivered(origin: number, nonce: bigint): Promise<boolean> {
    for (const [id, st] of this.status) {
      const s = this.#known.get(id);
      if (s !== undefined && s.origin === origin && s.nonce === nonce && st !== "none") return true;
    }
    return false;
  }
  #known = new Map<string, { origin: number; nonce: bigint }>();
  /** Lets isDelivered map (origin, nonce) to ids for messages delivered outside the relayer. */
  markDelivered(m: SentMessage): void {
    this.#known.set(m.messageId, { origin: m.origin, nonce: m.nonce });
    this.status.set(m.messageId, "delivered");
  }
  async isPaused(): Promise<boolean> {
    return this.paused;
  }
  async currentSetId(): Promise<bigint> {
    return this.set.setId;
  }
  async getAttesterSet(): Promise<AttesterSetView> {
    return this.set;
  }
  async estimateDeliver(): Promise<FeeEstimate> {
    return { gas: 100_000n, pricePerGas: 1n, cost: 100_000n };
  }
  async estimateDeliverBatch(): Promise<FeeEstimate> {
    return { gas: 200_000n, pricePerGas: 1n, cost: 200_000n };
  }

  #check(kind: "message" | "batch", value: Hex, attestation: Hex): void {
    const check = checkAttestation({
      digest: attestationDigest(kind, {
        domain: this.domain,
        verifier: this.verifier,
        attesterSetId: this.set.setId,
        value,
      }),
      attestation,
      attesters: this.set.attesters,
      weights: this.set.weights,
      thresholdBps: this.set.thresholdBps,
    });
    if (!check.quorum) throw new Error("InsufficientWeight");
  }

  #apply(message: Hex, result: { delivered: Hex[]; failed: Hex[]; skipped: Hex[] }, batch: boolean): void {
    const id = messageId(message);
    const decoded = { origin: Number.parseInt(message.slice(20, 28), 16), nonce: BigInt(`0x${message.slice(4, 20)}`) };
    if ((this.status.get(id) ?? "none") !== "none") {
      if (!batch) throw new Error(`AlreadyDelivered(${id})`);
      result.skipped.push(id);
      return;
    }
    this.#known.set(id, decoded);
    this.status.set(id, this.recipientReverts ? "failed" : "delivered");
    result.delivered.push(id);
    if (this.recipientReverts) result.failed.push(id);
  }

  async deliver(message: Hex, attestation: Hex): Promise<DeliveryResult> {
    if (this.failNext > 0) {
      this.failNext--;
      throw this.failWith?.() ?? new Error("connection refused");
    }
    if (this.paused) throw new Error("EnforcedPause()");
    this.#check("message", messageId(message), attestation);
    const result = { delivered: [] as Hex[], failed: [] as Hex[], skipped: [] as Hex[] };
    this.#apply(message, result, false);
    this.deliveries.push({ method: "deliver", ids: [messageId(message)] });
    return { txHash: toHex(this.deliveries.length, { size: 32 }), gasUsed: 90_000n, effectiveGasPrice: 1n, ...result };
  }

  async deliverBatch(
    messages: readonly Hex[],
    proofs: readonly (readonly Hex[])[],
    attestation: Hex,
  ): Promise<DeliveryResult> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("connection refused");
    }
    const ids = messages.map((m) => messageId(m));
    const root = processBatchProof(ids[0]!, proofs[0]!);
    for (const [i, id] of ids.entries()) {
      if (processBatchProof(id, proofs[i]!) !== root) throw new Error(`InvalidMerkleProof(${i})`);
    }
    this.#check("batch", root, attestation);
    const result = { delivered: [] as Hex[], failed: [] as Hex[], skipped: [] as Hex[] };
    for (const m of messages) this.#apply(m, result, true);
    this.deliveries.push({ method: "deliverBatch", ids });
    return { txHash: toHex(this.deliveries.length, { size: 32 }), gasUsed: 150_000n, effectiveGasPrice: 1n, ...result };
  }
}

/** Attesters answering from real keys; `online` selects who answers, `extra` adds junk to every answer. */
export class FakeAttesters implements SignatureSource {
  readonly keys: readonly { key: Hex; address: Address }[];
  readonly chain: FakeChain;
  online: Set<number>;
  extra: { source: string; signature: string }[] = [];

  constructor(keys: readonly { key: Hex; address: Address }[], chain: FakeChain, online: number[]) {
    this.keys = keys;
    this.chain = chain;
    this.online = new Set(online);
  }

  #answer(kind: "message" | "batch", value: Hex, ids: Hex[]): EndpointAnswer[] {
    const target = { domain: this.chain.domain, verifier: this.chain.verifier, attesterSetId: this.chain.set.setId };
    const digest = attestationDigest(kind, { ...target, value });
    const answers: EndpointAnswer[] = this.keys.map((k, i) =>
      this.online.has(i)
        ? {
            source: `attester${i}`,
            ok: true,
            observed: true,
            signatures: [
              {
                kind,
                value,
                domain: target.domain,
                verifier: target.verifier,
                attesterSetId: target.attesterSetId.toString(),
                signer: k.address,
                signature: packSignature(signDigest(digest, k.key)),
                messageIds: ids,
              },
            ],
          }
        : { source: `attester${i}`, ok: false, error: "connection refused" },
    );
    for (const e of this.extra) {
      answers.push({
        source: e.source,
        ok: true,
        observed: true,
        signatures: [
          {
            kind,
            value,
            domain: target.domain,
            verifier: target.verifier,
            attesterSetId: target.attesterSetId.toString(),
            signer: "0x0",
            signature: e.signature,
            messageIds: ids,
          },
        ],
      });
    }
    return answers;
  }

  async signatures(id: Hex): Promise<EndpointAnswer[]> {
    return this.#answer("message", id.toLowerCase() as Hex, [id]);
  }

  /** The per-id answers regrouped per endpoint, as the HTTP client's bulk form returns them. */
  async signaturesMany(ids: readonly Hex[], _options?: { sign?: boolean }): Promise<BulkAnswer[]> {
    const perId = await Promise.all(ids.map((id) => this.signatures(id)));
    const sources = (perId[0] ?? this.keys.map((_, i) => ({ source: `attester${i}` }))).map((a) => a.source);
    return sources.map((source, e): BulkAnswer => {
      const mine = perId.map((answers) => answers[e] as EndpointAnswer);
      const failed = mine.find((a) => !a.ok);
      if (failed !== undefined && !failed.ok) return { source, ok: false, error: failed.error };
      return {
        source,
        ok: true,
        attester: this.keys[e]?.address,
        results: new Map(
          mine.map((a, i) => [
            (ids[i] as Hex).toLowerCase(),
            a.ok ? { observed: a.observed, signatures: a.signatures } : { observed: false, signatures: [] },
          ]),
        ),
      };
    });
  }

  async batch(_destination: number, ids: readonly Hex[]): Promise<EndpointAnswer[]> {
    return this.#answer("batch", batchRoot(ids), [...ids]);
  }
}

/** Runs the `maskoii` CLI as a process; bounded by `timeoutMs`. */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = new URL("../src/cli.ts", import.meta.url).pathname;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: options.env ?? { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
