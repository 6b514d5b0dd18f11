// Optional relayer authentication of the attester's signing endpoints (config attester.auth): a request must carry
// a relayer key of the allow-list, a timestamp within maxSkewMs of this node's clock and that key's ed25519 signature
// over (method, path, timestamp, SHA-256 of the body) (identity.ts). A signature is accepted once: replays inside the
// window are refused, and outside it the timestamp is. Missing or bad credentials: 401; a valid key not on the
// allow-list: 403.
import type { IncomingMessage } from "node:http";
import { RELAYER_AUTH_HEADERS, relayerRequestStatement, verifyRelayerSignature } from "@maskoii/node-kit";
import type { AttesterAuth } from "../config.ts";
import { RequestRejectedError } from "../errors.ts";

/** Signatures remembered at most (each for maxSkewMs): bounds memory under a flood of valid requests. */
const MAX_REMEMBERED = 100_000;

export class RelayerAuthenticator {
  readonly #allowed: ReadonlySet<string>;
  readonly #maxSkewMs: number;
  readonly #now: () => number;
  /** signature -> until when it is remembered; insertion order is expiry order (every entry lives maxSkewMs). */
  readonly #seen = new Map<string, number>();

  constructor(settings: AttesterAuth, now: () => number = Date.now) {
    this.#allowed = new Set(settings.relayers);
    this.#maxSkewMs = settings.maxSkewMs;
    this.#now = now;
  }

  /** The authenticated relayer key of `req` with `body`; throws RequestRejectedError 401/403. */
  authenticate(req: IncomingMessage, path: string, body: Uint8Array): string {
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === "string" ? v : undefined;
    };
    const key = header(RELAYER_AUTH_HEADERS.key);
    const timestamp = header(RELAYER_AUTH_HEADERS.timestamp);
    const signature = header(RELAYER_AUTH_HEADERS.signature)?.toLowerCase();
    for (const [name, value] of [
      [RELAYER_AUTH_HEADERS.key, key],
      [RELAYER_AUTH_HEADERS.timestamp, timestamp],
      [RELAYER_AUTH_HEADERS.signature, signature],
    ] as const) {
      if (value === undefined) {
        throw new RequestRejectedError(401, "missing: this node accepts only signed relayer requests", {
          field: name,
        });
      }
    }
    const at = Number(timestamp);
    const now = this.#now();
    if (!/^\d{1,16}$/.test(timestamp ?? "") || Math.abs(now - at) > this.#maxSkewMs) {
      throw new RequestRejectedError(401, `outside ${this.#maxSkewMs} ms of this node's clock`, {
        field: RELAYER_AUTH_HEADERS.timestamp,
      });
    }
    const statement = relayerRequestStatement(req.method ?? "", path, at, body);
    if (!verifyRelayerSignature(key as string, statement, signature as string)) {
      throw new RequestRejectedError(401, "does not verify for this key, request and body", {
        field: RELAYER_AUTH_HEADERS.signature,
      });
    }
    if (!this.#allowed.has(key as string)) {
      throw new RequestRejectedError(403, `relayer ${key} is not on this node's allow-list`, {
        field: RELAYER_AUTH_HEADERS.key,
      });
    }
    this.#forgetExpired(now);
    if (this.#seen.has(signature as string)) {
      throw new RequestRejectedError(401, "replayed: this signed request was already accepted", {
        field: RELAYER_AUTH_HEADERS.signature,
      });
    }
    if (this.#seen.size >= MAX_REMEMBERED) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(signature as string, now + 2 * this.#maxSkewMs);
    return key as string;
  }

  #forgetExpired(now: number): void {
    for (const [signature, until] of this.#seen) {
      if (until > now) break;
      this.#seen.delete(signature);
    }
  }
}
