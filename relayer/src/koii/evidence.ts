// Byzantine signatures as a relayer sees them. An attester endpoint answers GET /signatures/:id with signature claims
// (kind, value, domain, verifier, set id, signer, signature, message ids). An honest claim covers the id asked for and
// its signature recovers, over the digest of its own fields, to the signer it names. Anything else is reported:
// garbage (malformed, unrecoverable) is attributable to no key, only to the endpoint; a signature that recovers over
// its own fields is attributable to the recovered key whatever the endpoint claims, so it becomes evidence the Koii
// audit checks against the chain (a key that signed a message no chain shows is slashable). Pure, no I/O.

import type { AcceptedEvidence, EvidenceIntake } from "@maskoii/node-kit";
import { attestationDigest, batchRoot, recoverSigner } from "@maskoii/sdk";
import { type Address, type Hex, keccak256, stringToBytes } from "viem";
import { z } from "zod";
import { describeError, RequestRejectedError } from "../errors.ts";
import type { KoiiStore } from "./store.ts";

const hex = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`));

/** A signature claim as an attester endpoint serves it (collector.ts's signatureJson). */
export const signatureClaimSchema = z.object({
  kind: z.enum(["message", "batch"]),
  value: z.string(),
  domain: z.number(),
  verifier: z.string(),
  attesterSetId: z.string(),
  signer: z.string(),
  signature: z.string(),
  messageIds: z.array(z.string()),
});
export type SignatureClaim = z.infer<typeof signatureClaimSchema>;

/** The claim with every field well formed, as recovery needs it. */
const wellFormedClaim = z.object({
  kind: z.enum(["message", "batch"]),
  value: hex(32),
  domain: z.number().int().min(1).max(0xffffffff),
  verifier: hex(32),
  attesterSetId: z.string().regex(/^(0|[1-9]\d{0,19})$/),
  signer: z.string(),
  signature: hex(65),
  messageIds: z.array(hex(32)).max(256),
});

export type ByzantineReason = "malformed" | "unrecoverable" | "signer-mismatch" | "off-topic" | "bad-batch-root";

export type ByzantineReport = {
  /** The endpoint that served the claim. */
  readonly source: string;
  /** The message id the relayer asked about. */
  readonly requested: Hex;
  readonly reason: ByzantineReason;
  readonly detail: string;
  readonly claim: SignatureClaim;
  /** The key that signed the claim's own fields; null when the signature recovers to no key. */
  readonly signer: Address | null;
};

/** The key that signed the claim's own (kind, domain, verifier, set id, value), or why there is none. */
export function recoverClaim(
  claim: SignatureClaim,
): { signer: Address } | { error: "malformed" | "unrecoverable"; detail: string } {
  const parsed = wellFormedClaim.safeParse(claim);
  if (!parsed.success) return { error: "malformed", detail: parsed.error.issues[0]?.message ?? "malformed claim" };
  const c = parsed.data;
  try {
    const digest = attestationDigest(c.kind, {
      domain: c.domain,
      verifier: c.verifier.toLowerCase() as Hex,
      attesterSetId: BigInt(c.attesterSetId),
      value: c.value.toLowerCase() as Hex,
    });
    const s = c.signature;
    // recoverSigner applies the chain's rules (v in {27, 28}, low s, non-zero).
    return {
      signer: recoverSigner(digest, {
        r: `0x${s.slice(2, 66)}`,
        s: `0x${s.slice(66, 130)}`,
        v: Number.parseInt(s.slice(130, 132), 16),
      }),
    };
  } catch (error) {
    return { error: "unrecoverable", detail: describeError(error) };
  }
}

/** The reports for every dishonest claim in an endpoint's answer to GET /signatures/`requested`. */
export function classifyClaims(source: string, requested: Hex, claims: readonly SignatureClaim[]): ByzantineReport[] {
  const out: ByzantineReport[] = [];
  const id = requested.toLowerCase();
  for (const claim of claims) {
    const report = (reason: ByzantineReason, detail: string, signer: Address | null) =>
      out.push({ source, requested: id as Hex, reason, detail, claim, signer });
    const recovered = recoverClaim(claim);
    if ("error" in recovered) {
      report(recovered.error, recovered.detail, null);
      continue;
    }
    const { signer } = recovered;
    const ids = claim.messageIds.map((m) => m.toLowerCase());
    if (signer.toLowerCase() !== claim.signer.toLowerCase()) {
      report("signer-mismatch", `claims signer ${claim.signer}, recovers to ${signer}`, signer);
    } else if (claim.kind === "batch" && (ids.length === 0 || batchRoot(ids as Hex[]) !== claim.value.toLowerCase())) {
      report("bad-batch-root", `root ${claim.value} is not the root of its message ids`, signer);
    } else if (claim.kind === "message" ? claim.value.toLowerCase() !== id : !ids.includes(id)) {
      report("off-topic", `a signature over ${claim.kind} ${claim.value}, served for ${id}`, signer);
    }
  }
  return out;
}

/**
 * A stable id for a report, by what it proves: a claim that recovers to a key proves only that this key signed
 * (kind, value, domain, verifier, set id), so that tuple and the key are the id; the reason, the signature bytes and
 * the claim's other fields (`messageIds` of a message claim, the `signer` it names) are left out, and one signature
 * reported with endless variations of them is stored once. A claim attributable to no key is garbage only its
 * endpoint served: its id is all of its fields.
 */
export function evidenceIdOf(r: { reason: string; claim: SignatureClaim }): Hex {
  const c = r.claim;
  const recovered = recoverClaim(c);
  const fields =
    "error" in recovered
      ? [r.reason, c.kind, c.value, c.domain, c.verifier, c.attesterSetId, c.signature, c.messageIds.join(",")]
      : ["attributable", c.kind, c.value, c.domain, c.verifier, c.attesterSetId, recovered.signer];
  return keccak256(stringToBytes(fields.map((v) => String(v).toLowerCase()).join("|")));
}

/** What a relayer POSTs to an attester's /koii/evidence. */
export const evidenceRequestSchema = z
  .object({
    source: z.string().max(512),
    requested: hex(32),
    reason: z.enum(["signer-mismatch", "off-topic", "bad-batch-root"]),
    claim: signatureClaimSchema,
    /**
     * The message bytes of ids the claim covers, when the reporter knows them: they name each message's origin and
     * nonce, which an auditor needs to tell "no origin shows it" from "not on a chain I serve" (an id alone cannot).
     */
    messages: z
      .array(z.string().regex(/^0x([0-9a-fA-F]{2}){1,8192}$/, "expected message bytes as 0x-hex"))
      .max(16)
      .optional(),
  })
  .strict();
export type EvidenceRequest = z.infer<typeof evidenceRequestSchema>;

/**
 * The attestation kind's evidence intake (node-kit kind.ts EvidenceIntake) behind POST /koii/evidence: a relayer's
 * report of a byzantine signature claim, accepted only when its signature recovers over its own fields (anything else
 * could frame anyone), stored once per what it proves (evidenceIdOf) in the node's store, judged in the audit.
 */
export function attestationEvidence(store: KoiiStore): EvidenceIntake {
  return {
    accept(json: unknown): AcceptedEvidence {
      const result = evidenceRequestSchema.safeParse(json);
      if (!result.success) {
        const issue = result.error.issues[0];
        const field = issue === undefined || issue.path.length === 0 ? "(body)" : issue.path.map(String).join(".");
        throw new RequestRejectedError(400, `bad evidence: ${issue?.message ?? "invalid"}`, { field });
      }
      const parsed = result.data;
      const recovered = recoverClaim(parsed.claim);
      if ("error" in recovered) {
        throw new RequestRejectedError(400, `not attributable: ${recovered.error}`, { field: "claim.signature" });
      }
      return {
        evidenceId: evidenceIdOf(parsed),
        signer: recovered.signer,
        reason: parsed.reason,
        source: parsed.source,
        body: parsed,
      };
    },
    store: (e, round, at) =>
      store.saveEvidence({
        evidenceId: e.evidenceId,
        signer: e.signer as Address,
        attributable: true,
        reason: e.reason,
        source: e.source,
        body: e.body,
        round,
        createdAt: at,
      }),
    count: () => store.countEvidence(),
  };
}
