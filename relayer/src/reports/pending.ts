// Reads the signed epoch reports aggregator nodes serve (`GET /reports/pending`, docs/protocol.md §12 and the
// aggregator's epoch routes): `{ reports: [{ community, epoch, reportHash, report, signer, signature }] }` with
// `report` in the sdk's JSON form and `signature` as 65 bytes of hex or the sdk's `{ r, s, v }`. Every answer is bounded (size, entries, time); each entry is validated on its own,
// so one bad entry never hides the others: a malformed entry or one whose report does not hash to its `reportHash`
// (or names another community or epoch) is dropped and reported. Signatures are checked later (collect.ts).
import { type EpochReport, parseEpochReport, reportHash } from "@maskoii/sdk";
import type { Hex } from "viem";
import { z } from "zod";
import { AggregatorRequestFailedError, describeError } from "../errors.ts";

const uint64 = z
  .union([z.string().regex(/^(0|[1-9][0-9]*)$/, "expected a decimal string"), z.number().int().nonnegative()])
  .transform((v) => BigInt(v))
  .refine((v) => v < 1n << 64n, "expected at most 64 bits");

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 32 bytes of 0x-hex");

const entrySchema = z.object({
  community: uint64,
  epoch: uint64,
  reportHash: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "expected 32 bytes of 0x-hex")
    .transform((s) => s.toLowerCase() as Hex),
  report: z.unknown(),
  signer: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 20-byte address")
    .transform((s) => s.toLowerCase() as Hex),
  signature: z.union([
    z
      .string()
      .regex(/^0x[0-9a-fA-F]{130}$/, "expected 65 bytes of 0x-hex (r ‖ s ‖ v)")
      .transform((s) => s.toLowerCase() as Hex),
    // The sdk's Signature object ({ r, s, v }, signDigest's form), as a node may serve it.
    z
      .object({ r: hex32, s: hex32, v: z.number().int().min(0).max(28) })
      .transform(
        (sig) =>
          `0x${sig.r.slice(2)}${sig.s.slice(2)}${(sig.v < 27 ? sig.v + 27 : sig.v).toString(16).padStart(2, "0")}`.toLowerCase() as Hex,
      ),
  ]),
});

const answerSchema = z.object({ reports: z.array(z.unknown()) });

/** A well-formed entry whose report hashes to its `reportHash` (its signature is not checked yet). */
export type PendingEntry = {
  readonly source: string;
  readonly reportHash: Hex;
  readonly report: EpochReport;
  /** The address the node says signed (checked against the recovered signer). */
  readonly signer: Hex;
  readonly signature: Hex;
};

export type EntryRejectionReason = "malformed" | "hash-mismatch" | "too-many";
export type EntryRejection = {
  readonly source: string;
  readonly reason: EntryRejectionReason;
  readonly detail: string;
};

/** What one node answered: its valid entries and rejections, or why it could not be read. */
export type NodeAnswer =
  | {
      readonly source: string;
      readonly ok: true;
      readonly entries: readonly PendingEntry[];
      readonly rejected: readonly EntryRejection[];
    }
  | { readonly source: string; readonly ok: false; readonly error: string };

/** Validates one entry of a node's answer. */
export function parsePendingEntry(source: string, value: unknown): PendingEntry | EntryRejection {
  const parsed = entrySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? "(entry)" : issue.path.join(".");
    return { source, reason: "malformed", detail: `${field}: ${issue?.message ?? "invalid"}` };
  }
  const e = parsed.data;
  let report: EpochReport;
  let hash: Hex;
  try {
    report = parseEpochReport(e.report);
    hash = reportHash(report);
  } catch (error) {
    return { source, reason: "malformed", detail: `report: ${describeError(error)}` };
  }
  if (hash.toLowerCase() !== e.reportHash) {
    return { source, reason: "hash-mismatch", detail: `report hashes to ${hash}, entry says ${e.reportHash}` };
  }
  if (BigInt(report.communityId) !== e.community || BigInt(report.epoch) !== e.epoch) {
    return {
      source,
      reason: "hash-mismatch",
      detail: `entry names community ${e.community} epoch ${e.epoch}, the report ${report.communityId}/${report.epoch}`,
    };
  }
  return { source, reportHash: e.reportHash, report, signer: e.signer, signature: e.signature };
}

/** The body of `response`, refused past `maxBytes` (declared or read). */
async function boundedText(source: string, response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new AggregatorRequestFailedError(source, response.status, `answer of ${declared} bytes, limit ${maxBytes}`);
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new AggregatorRequestFailedError(source, response.status, `answer over ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export class PendingReportsClient {
  readonly #urls: readonly string[];
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #maxEntries: number;

  constructor(args: { urls: readonly string[]; timeoutMs: number; maxBodyBytes: number; maxReportsPerNode: number }) {
    this.#urls = args.urls.map((u) => u.replace(/\/+$/, ""));
    this.#timeoutMs = args.timeoutMs;
    this.#maxBytes = args.maxBodyBytes;
    this.#maxEntries = args.maxReportsPerNode;
  }

  get urls(): readonly string[] {
    return this.#urls;
  }

  /** Every node's answer, in parallel; a node that is down or answers garbage is an `ok: false` answer. */
  async fetchAll(): Promise<NodeAnswer[]> {
    return Promise.all(this.#urls.map((source) => this.#fetch(source)));
  }

  async #fetch(source: string): Promise<NodeAnswer> {
    try {
      const response = await fetch(`${source}/reports/pending`, { signal: AbortSignal.timeout(this.#timeoutMs) });
      const text = await boundedText(source, response, this.#maxBytes);
      if (!response.ok) throw new AggregatorRequestFailedError(source, response.status, text.slice(0, 200));
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new AggregatorRequestFailedError(source, response.status, "the answer is not JSON");
      }
      const answer = answerSchema.safeParse(json);
      if (!answer.success) {
        throw new AggregatorRequestFailedError(source, response.status, "expected { reports: [...] }");
      }
      const entries: PendingEntry[] = [];
      const rejected: EntryRejection[] = [];
      for (const [i, value] of answer.data.reports.entries()) {
        if (i >= this.#maxEntries) {
          rejected.push({
            source,
            reason: "too-many",
            detail: `${answer.data.reports.length - i} entries past the limit of ${this.#maxEntries}`,
          });
          break;
        }
        const entry = parsePendingEntry(source, value);
        if ("reason" in entry) rejected.push(entry);
        else entries.push(entry);
      }
      return { source, ok: true, entries, rejected };
    } catch (error) {
      return { source, ok: false, error: describeError(error) };
    }
  }
}
