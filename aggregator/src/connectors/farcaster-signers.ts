// A fid's signers from the key registry, as the hub serves its on-chain events: `/v1/onChainSignersByFid?fid=`
// (paged like every hub list). A key is a signer while its latest event (by block, then log index) is an add; the
// answer is cached per fid for `cacheMs`, so a page of casts by one fid costs one lookup.
import { z } from "zod";
import { UpstreamMalformedError } from "../errors.ts";
import type { Upstream } from "../upstream.ts";
import type { SignerSource } from "./farcaster-message.ts";

const eventSchema = z.object({
  type: z.string(),
  blockNumber: z.number(),
  logIndex: z.number(),
  fid: z.number(),
  signerEventBody: z
    .object({
      key: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
      keyType: z.number().optional(),
      eventType: z.string(),
    })
    .optional(),
});
const pageSchema = z.object({ events: z.array(z.unknown()), nextPageToken: z.string().optional() });

export class HubSigners implements SignerSource {
  readonly #hubUrl: string;
  readonly #upstream: Upstream;
  readonly #cacheMs: number;
  readonly #cache = new Map<number, { at: number; keys: Promise<Set<string>> }>();

  constructor(hubUrl: string, upstream: Upstream, cacheMs: number) {
    this.#hubUrl = hubUrl;
    this.#upstream = upstream;
    this.#cacheMs = cacheMs;
  }

  async isSigner(fid: number, signer: `0x${string}`): Promise<boolean> {
    const hit = this.#cache.get(fid);
    if (hit !== undefined && Date.now() - hit.at < this.#cacheMs) return (await hit.keys).has(signer.toLowerCase());
    const keys = this.#load(fid);
    this.#cache.set(fid, { at: Date.now(), keys });
    try {
      return (await keys).has(signer.toLowerCase());
    } catch (error) {
      this.#cache.delete(fid);
      throw error;
    }
  }

  async #load(fid: number): Promise<Set<string>> {
    const latest = new Map<string, { order: [number, number]; active: boolean }>();
    let pageToken = "";
    for (let pages = 0; pages < 100; pages++) {
      const url = new URL("/v1/onChainSignersByFid", this.#hubUrl);
      url.searchParams.set("fid", String(fid));
      if (pageToken !== "") url.searchParams.set("pageToken", pageToken);
      const page = pageSchema.safeParse(await this.#upstream.json(url.toString()));
      if (!page.success) throw new UpstreamMalformedError(url.toString(), "not a page of on-chain events");
      for (const raw of page.data.events) {
        const event = eventSchema.safeParse(raw);
        // Only ed25519 signer events of this fid count; anything else on the page is ignored.
        if (!event.success || event.data.fid !== fid || event.data.signerEventBody === undefined) continue;
        const body = event.data.signerEventBody;
        if (body.keyType !== undefined && body.keyType !== 1) continue;
        const key = body.key.toLowerCase();
        const order: [number, number] = [event.data.blockNumber, event.data.logIndex];
        const prior = latest.get(key);
        if (
          prior !== undefined &&
          (prior.order[0] > order[0] || (prior.order[0] === order[0] && prior.order[1] > order[1]))
        ) {
          continue;
        }
        // A remove, or an admin reset (the key registry's recovery), ends the key.
        latest.set(key, { order, active: body.eventType === "SIGNER_EVENT_TYPE_ADD" });
      }
      pageToken = page.data.nextPageToken ?? "";
      if (pageToken === "") break;
    }
    return new Set([...latest].filter(([, v]) => v.active).map(([k]) => k));
  }
}
