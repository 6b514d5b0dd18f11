// A byzantine attester endpoint for the e2e tests: an HTTP server speaking the attester API (GET /signatures/:id,
// POST /batches) that answers with signatures made with a REAL attester key, but never over what was asked:
//   - over a forged message with the same (origin, nonce) as the real one (equivocation: slashable evidence),
//   - over a random 32-byte value,
//   - malformed bytes that are not a signature at all.
// Each answer claims to be over the requested id / root, so only signature recovery can tell it apart.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  addressToBytes32,
  attestationDigest,
  batchRoot,
  decodeMessage,
  encodeMessage,
  messageId as idOf,
  signDigest,
} from "@maskoii/sdk";
import { type Address, type Hex, stringToHex } from "viem";
import { privateKeyToAddress } from "viem/accounts";

export type ByzantineTarget = { domain: number; gateway: Address; attesterSetId: bigint };

/** A forged twin of a real message: same header (origin, nonce, destination), different payload. */
export type Forgery = { real: Hex; forged: Hex; forgedId: Hex; signature: Hex };

function pack(sig: { r: Hex; s: Hex; v: number }): Hex {
  return `${sig.r}${sig.s.slice(2)}${sig.v.toString(16).padStart(2, "0")}` as Hex;
}

export class ByzantineAttester {
  readonly address: Address;
  readonly #key: Hex;
  readonly #target: ByzantineTarget;
  /** Real messages by id, so that a forged twin can be made (the test registers what it sent). */
  readonly #messages = new Map<string, Hex>();
  /** The forgeries served, by real message id (evidence for reportEquivocation). */
  readonly forgeries = new Map<string, Forgery>();
  readonly counters = { signatureRequests: 0, batchRequests: 0 };
  #server: Server | undefined;
  url = "";

  constructor(args: { privateKey: Hex; target: ByzantineTarget }) {
    this.#key = args.privateKey;
    this.address = privateKeyToAddress(args.privateKey);
    this.#target = args.target;
  }

  /** Makes the endpoint able to forge a same-(origin, nonce) twin of `message`. */
  know(message: Hex): void {
    this.#messages.set(idOf(message).toLowerCase(), message);
  }

  #sign(kind: "message" | "batch", value: Hex): Hex {
    const digest = attestationDigest(kind, {
      domain: this.#target.domain,
      verifier: addressToBytes32(this.#target.gateway),
      attesterSetId: this.#target.attesterSetId,
      value,
    });
    return pack(signDigest(digest, this.#key));
  }

  /** The lies told about `value` (a message id or a batch root), each claiming to be over `value`. */
  #lies(kind: "message" | "batch", value: Hex, messageIds: readonly Hex[]): Record<string, unknown>[] {
    const claim = {
      kind,
      value,
      domain: this.#target.domain,
      verifier: addressToBytes32(this.#target.gateway).toLowerCase(),
      attesterSetId: this.#target.attesterSetId.toString(),
      signer: this.address,
      messageIds,
      createdAt: Date.now(),
    };
    const lies = [
      { ...claim, signature: this.#sign(kind, `0x${randomBytes(32).toString("hex")}`) },
      { ...claim, signature: "0xdeadbeef" },
    ];
    const real = kind === "message" ? this.#messages.get(value.toLowerCase()) : undefined;
    if (real !== undefined) {
      const decoded = decodeMessage(real);
      const forged = encodeMessage({ ...decoded, payload: stringToHex("forged by a byzantine attester") });
      const forgedId = idOf(forged);
      const signature = this.#sign("message", forgedId);
      this.forgeries.set(value.toLowerCase(), { real, forged, forgedId, signature });
      lies.unshift({ ...claim, signature });
    }
    return lies;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
      };
      const match = /^\/signatures\/(0x[0-9a-fA-F]{64})$/.exec(req.url ?? "");
      if (req.method === "GET" && match !== null) {
        this.counters.signatureRequests++;
        const id = (match[1] ?? "").toLowerCase() as Hex;
        send(200, {
          messageId: id,
          attester: this.address,
          observed: true,
          signatures: this.#lies("message", id, [id]),
        });
        return;
      }
      if (req.method === "POST" && req.url === "/batches") {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          this.counters.batchRequests++;
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { messageIds: Hex[] };
            const ids = body.messageIds.map((i) => i.toLowerCase() as Hex);
            const [lie] = this.#lies("batch", batchRoot(ids), ids);
            send(200, lie);
          } catch {
            send(400, { error: "bad request" });
          }
        });
        return;
      }
      if (req.url === "/ready" || req.url === "/health") return send(200, { ready: true });
      send(404, { error: "not found" });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
