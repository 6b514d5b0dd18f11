// Fetches signatures from the attester nodes' HTTP endpoints. An unreachable or misbehaving node is reported, never
// fatal: the quorum may still be met by the others.
import type { Hex } from "viem";
import { z } from "zod";

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

export class AttesterClient implements SignatureSource {
  readonly #urls: readonly string[];
  readonly #timeoutMs: number;

  constructor(urls: readonly string[], timeoutMs: number) {
    this.#urls = urls.map((u) => u.replace(/\/+$/, ""));
    this.#timeoutMs = timeoutMs;
  }

  get urls(): readonly string[] {
    return this.#urls;
  }

  async #json(url: string, init?: RequestInit): Promise<unknown> {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.#timeoutMs) });
    const body: unknown = await response.json();
    if (!response.ok) {
      const error = (body as { error?: unknown }).error;
      throw new Error(`HTTP ${response.status}${typeof error === "string" ? `: ${error}` : ""}`);
    }
    return body;
  }

  /** GET /signatures/:id from every endpoint in parallel. */
  async signatures(messageId: Hex): Promise<EndpointAnswer[]> {
    return Promise.all(
      this.#urls.map(async (source): Promise<EndpointAnswer> => {
        try {
          const parsed = signaturesResponse.parse(await this.#json(`${source}/signatures/${messageId}`));
          return { source, ok: true, observed: parsed.observed, signatures: parsed.signatures };
        } catch (error) {
          return { source, ok: false, error: error instanceof Error ? error.message : String(error) };
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
            const response = await fetch(`${source}/signatures`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(options.sign === true ? { messageIds: chunk, sign: true } : { messageIds: chunk }),
              signal: AbortSignal.timeout(this.#timeoutMs),
            });
            if (response.status === 404) {
              await response.body?.cancel();
              return await this.#oneByOne(source, messageIds);
            }
            const body: unknown = await response.json();
            if (!response.ok) {
              const error = (body as { error?: unknown }).error;
              throw new Error(`HTTP ${response.status}${typeof error === "string" ? `: ${error}` : ""}`);
            }
            const parsed = bulkResponse.parse(body);
            attester = parsed.attester;
            for (const r of parsed.results) results.set(r.messageId.toLowerCase(), r);
          }
          return { source, ok: true, attester, results };
        } catch (error) {
          return { source, ok: false, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
  }

  async #oneByOne(source: string, messageIds: readonly Hex[]): Promise<BulkAnswer> {
    const results = new Map<string, { observed: boolean; signatures: SignatureJson[] }>();
    let attester: string | undefined;
    for (const id of messageIds) {
      const body = (await this.#json(`${source}/signatures/${id}`)) as { attester?: unknown };
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
          const body = signatureJson.parse(
            await this.#json(`${source}/batches`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ destination, messageIds }),
            }),
          );
          return { source, ok: true, observed: true, signatures: [body] };
        } catch (error) {
          return { source, ok: false, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
  }
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
