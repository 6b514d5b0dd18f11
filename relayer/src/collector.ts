// Fetches signatures from the attester nodes' HTTP endpoints. An unreachable or misbehaving node is reported, never
// fatal: the quorum may still be met by the others. With the relayer's identity (keys.identityKeystore) every
// request is signed (identity.ts RelayerRequestSigner), as nodes with `attester.auth` require; a node refusing this
// relayer's credentials is an AttesterAuthRefusedError, logged once per endpoint until it accepts them again.

import type { Logger } from "@maskoii/node-kit";
import { RELAYER_AUTH_HEADERS, type RelayerRequestSigner } from "@maskoii/node-kit";
import type { Hex } from "viem";
import { z } from "zod";
import { AttesterAuthRefusedError, AttesterRequestFailedError, describeError } from "./errors.ts";

const signatureJson = z.object({
  kind: z.enum(["message", "batch"]),
  value: z.string(),
  domain: z.number(),
  verifier: z.string(),
  attesterSetId: z.string(),
  signer: z.string(),
  signature: z.string(),
  messageIds: z.array(z.string()),
});
const signaturesResponse = z.object({
  messageId: z.string(),
  observed: z.boolean(),
  signatures: z.array(signatureJson),
});
const bulkResponse = z.object({
  attester: z.string(),
  results: z.array(z.object({ messageId: z.string(), observed: z.boolean(), signatures: z.array(signatureJson) })),
});
export type SignatureJson = z.infer<typeof signatureJson>;

/** Ids per POST /signatures request (the attester's limit, attester/server.ts MAX_BULK_IDS). */
const BULK_CHUNK = 512;

/** What one endpoint said about many ids at once. */
export type BulkAnswer =
  | {
      readonly source: string;
      readonly ok: true;
      /** The attesting address the endpoint claims (a hint for batch planning; signatures are verified anyway). */
      readonly attester: string | undefined;
      readonly results: ReadonlyMap<
        string,
        { readonly observed: boolean; readonly signatures: readonly SignatureJson[] }
      >;
    }
  | { readonly source: string; readonly ok: false; readonly error: string };

/** One id's view of bulk answers, in the per-id form `candidatesFor` takes. */
export function answersFor(bulk: readonly BulkAnswer[], messageId: Hex): EndpointAnswer[] {
  const id = messageId.toLowerCase();
  return bulk.map((b): EndpointAnswer => {
    if (!b.ok) return b;
    const r = b.results.get(id);
    return { source: b.source, ok: true, observed: r?.observed ?? false, signatures: r?.signatures ?? [] };
  });
}

/** What one endpoint said. */
export type EndpointAnswer =
  | {
      readonly source: string;
      readonly ok: true;
      readonly observed: boolean;
      readonly signatures: readonly SignatureJson[];
    }
  | { readonly source: string; readonly ok: false; readonly error: string };

/** Where the relayer gets signatures from (the HTTP client below; a fake in tests). */
export interface SignatureSource {
  signatures(messageId: Hex): Promise<EndpointAnswer[]>;
  /**
   * Observation and message signatures of many ids, one request per endpoint (per 512 ids). `sign`: ask the nodes
   * to sign the ones they have not signed yet first (nodes that delay message signatures).
   */
  signaturesMany(messageIds: readonly Hex[], options?: { sign?: boolean }): Promise<BulkAnswer[]>;
  batch(destination: number, messageIds: readonly Hex[]): Promise<EndpointAnswer[]>;
}

/** Options of the HTTP client. */
export type AttesterClientOptions = {
  /**
   * The relayer's identity (keys.identityKeystore): every request carries its signed headers (identity.ts), which
   * nodes with `attester.auth` require of their POST routes. Without it the requests are unsigned.
   */
  readonly signer?: RelayerRequestSigner;
  /** Where an endpoint's refusal of this relayer (and its end) is logged, once per change. */
  readonly log?: Logger;
};

/** The `field` of a refusal that concerns the relayer's credentials (attester/auth.ts). */
const AUTH_FIELDS: ReadonlySet<string> = new Set(Object.values(RELAYER_AUTH_HEADERS));

export class AttesterClient implements SignatureSource {
  readonly #urls: readonly string[];
  readonly #timeoutMs: number;
  readonly #signer: RelayerRequestSigner | undefined;
  readonly #log: Logger | undefined;
  /** Endpoint -> the refusal last logged for it (so a refusal is logged once, not on every tick). */
  readonly #refusals = new Map<string, string>();

  constructor(urls: readonly string[], timeoutMs: number, options: AttesterClientOptions = {}) {
    this.#urls = urls.map((u) => u.replace(/\/+$/, ""));
    this.#timeoutMs = timeoutMs;
    this.#signer = options.signer;
    this.#log = options.log;
  }

  get urls(): readonly string[] {
    return this.#urls;
  }

  /** The base58 key this client signs its requests with, if any. */
  get identity(): string | undefined {
    return this.#signer?.publicKey;
  }

  /** GET (no body) or POST (JSON `body`) to `source + path`, signed when the client has an identity. */
  async #request(source: string, path: string, body?: string): Promise<Response> {
    const url = `${source}${path}`;
    const method = body === undefined ? "GET" : "POST";
    const headers: Record<string, string> = {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(this.#signer?.headers(method, url, body ?? "") ?? {}),
    };
    return fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
  }

  /**
   * The JSON of a 2xx answer; otherwise throws AttesterAuthRefusedError (a 401/403 about the relayer's credentials,
   * logged once per endpoint and refusal) or AttesterRequestFailedError.
   */
  async #read(source: string, response: Response, method: string): Promise<unknown> {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.ok) {
      if (body === undefined) throw new AttesterRequestFailedError(source, response.status, "the answer is not JSON");
      // Only a POST proves the credentials (GET routes are open).
      if (method === "POST") this.#accepted(source);
      return body;
    }
    const info = typeof body === "object" && body !== null ? (body as { error?: unknown; field?: unknown }) : {};
    const detail = typeof info.error === "string" ? info.error : undefined;
    if ((response.status === 401 || response.status === 403) && typeof info.field === "string") {
      if (AUTH_FIELDS.has(info.field)) {
        const refusal = new AttesterAuthRefusedError(source, response.status, this.identity, detail ?? "refused");
        this.#refused(refusal);
        throw refusal;
      }
    }
    throw new AttesterRequestFailedError(source, response.status, detail);
  }

  #refused(refusal: AttesterAuthRefusedError): void {
    if (this.#refusals.get(refusal.endpoint) === refusal.message) return;
    this.#refusals.set(refusal.endpoint, refusal.message);
    this.#log?.error(
      {
        attester: refusal.endpoint,
        status: refusal.status,
        relayer: refusal.relayer ?? null,
        error: describeError(refusal),
      },
      "attester refuses this relayer's requests",
    );
  }

  #accepted(source: string): void {
    if (!this.#refusals.delete(source)) return;
    this.#log?.info(
      { attester: source, relayer: this.identity ?? null },
      "attester accepts this relayer's requests again",
    );
  }

  async #json(source: string, path: string, body?: unknown): Promise<unknown> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    return this.#read(source, await this.#request(source, path, text), text === undefined ? "GET" : "POST");
  }

  /** GET /signatures/:id from every endpoint in parallel. */
  async signatures(messageId: Hex): Promise<EndpointAnswer[]> {
    return Promise.all(
      this.#urls.map(async (source): Promise<EndpointAnswer> => {
        try {
          const parsed = signaturesResponse.parse(await this.#json(source, `/signatures/${messageId}`));
          return { source, ok: true, observed: parsed.observed, signatures: parsed.signatures };
        } catch (error) {
          return { source, ok: false, error: errorText(error) };
        }
      }),
    );
  }

  /**
   * POST /signatures to every endpoint in parallel. An endpoint without the bulk route (404: an older attester) is
   * asked id by id with GET /signatures/:id instead.
   */
  async signaturesMany(messageIds: readonly Hex[], options: { sign?: boolean } = {}): Promise<BulkAnswer[]> {
    return Promise.all(
      this.#urls.map(async (source): Promise<BulkAnswer> => {
        const results = new Map<string, { observed: boolean; signatures: SignatureJson[] }>();
        let attester: string | undefined;
        try {
          for (let i = 0; i < messageIds.length; i += BULK_CHUNK) {
            const chunk = messageIds.slice(i, i + BULK_CHUNK);
            const response = await this.#request(
              source,
              "/signatures",
              JSON.stringify(options.sign === true ? { messageIds: chunk, sign: true } : { messageIds: chunk }),
            );
            if (response.status === 404) {
              await response.body?.cancel();
              return await this.#oneByOne(source, messageIds);
            }
            const parsed = bulkResponse.parse(await this.#read(source, response, "POST"));
            attester = parsed.attester;
            for (const r of parsed.results) results.set(r.messageId.toLowerCase(), r);
          }
          return { source, ok: true, attester, results };
        } catch (error) {
          return { source, ok: false, error: errorText(error) };
        }
      }),
    );
  }

  async #oneByOne(source: string, messageIds: readonly Hex[]): Promise<BulkAnswer> {
    const results = new Map<string, { observed: boolean; signatures: SignatureJson[] }>();
    let attester: string | undefined;
    for (const id of messageIds) {
      const body = (await this.#json(source, `/signatures/${id}`)) as { attester?: unknown };
      const parsed = signaturesResponse.parse(body);
      if (typeof body.attester === "string") attester = body.attester;
      results.set(id.toLowerCase(), { observed: parsed.observed, signatures: parsed.signatures });
    }
    return { source, ok: true, attester, results };
  }

  /** POST /batches to every endpoint in parallel: each node signs the root if it observed every id final. */
  async batch(destination: number, messageIds: readonly Hex[]): Promise<EndpointAnswer[]> {
    return Promise.all(
      this.#urls.map(async (source): Promise<EndpointAnswer> => {
        try {
          const body = signatureJson.parse(await this.#json(source, "/batches", { destination, messageIds }));
          return { source, ok: true, observed: true, signatures: [body] };
        } catch (error) {
          return { source, ok: false, error: errorText(error) };
        }
      }),
    );
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The candidate signatures over exactly (kind, value, domain, verifier, setId) from the endpoints' answers. */
export function candidatesFor(
  answers: readonly EndpointAnswer[],
  want: { kind: "message" | "batch"; value: Hex; domain: number; verifier: Hex; attesterSetId: bigint },
): { source: string; signature: string }[] {
  const out: { source: string; signature: string }[] = [];
  for (const a of answers) {
    if (!a.ok) continue;
    for (const s of a.signatures) {
      if (
        s.kind === want.kind &&
        s.value.toLowerCase() === want.value.toLowerCase() &&
        s.domain === want.domain &&
        s.verifier.toLowerCase() === want.verifier.toLowerCase() &&
        s.attesterSetId === want.attesterSetId.toString()
      ) {
        out.push({ source: a.source, signature: s.signature });
      }
    }
  }
  return out;
}
