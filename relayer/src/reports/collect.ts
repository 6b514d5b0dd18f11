// Groups the nodes' signed reports by report hash and checks every signature against the chain's current attester
// set over the report's EpochReport attestation digest (sdk reportAttestationDigest; verifier = EpochReports), with
// the relayer's quorum aggregation (aggregator.ts: members only, weight > 0, one per member, heaviest first). A
// signature that recovers to another address than the entry's `signer` is refused too. Pure: no I/O.
import { type EpochReport, encodeAttestation, recoverSigner, reportAttestationDigest } from "@maskoii/sdk";
import type { Address, Hex } from "viem";
import { type Aggregation, aggregate, type RejectionReason } from "../aggregator.ts";
import type { AttesterSetView } from "../chains/adapter.ts";
import type { PendingEntry } from "./pending.ts";

export type SignatureRejection = {
  readonly source: string;
  readonly reportHash: Hex;
  readonly reason: RejectionReason | "signer-mismatch";
  readonly detail: string;
};

/** One report hash and what its signatures add up to. */
export type ReportQuorum = {
  readonly reportHash: Hex;
  readonly report: EpochReport;
  readonly aggregation: Aggregation;
  /** The attestation (current set id, the chosen signatures by index) once the threshold is reached. */
  readonly attestation: Hex | undefined;
};

/** Groups `entries` by report hash and aggregates each group's signatures over its digest against `set`. */
export function collectReports(args: {
  entries: readonly PendingEntry[];
  set: AttesterSetView;
  domain: number;
  epochReports: Address;
}): { reports: ReportQuorum[]; rejected: SignatureRejection[] } {
  const groups = new Map<Hex, { report: EpochReport; entries: PendingEntry[] }>();
  for (const e of args.entries) {
    const group = groups.get(e.reportHash) ?? { report: e.report, entries: [] };
    group.entries.push(e);
    groups.set(e.reportHash, group);
  }
  const reports: ReportQuorum[] = [];
  const rejected: SignatureRejection[] = [];
  for (const [hash, group] of groups) {
    const digest = reportAttestationDigest({
      domain: args.domain,
      epochReports: args.epochReports,
      attesterSetId: args.set.setId,
      report: group.report,
    });
    // The same signed entry served twice (by two nodes, or twice by one) counts once and is no fault.
    const seen = new Set<string>();
    const candidates: { source: string; signature: string }[] = [];
    for (const e of group.entries) {
      const key = `${e.signer}:${e.signature}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let recovered: string | undefined;
      try {
        recovered = recoverSigner(digest, {
          r: `0x${e.signature.slice(2, 66)}`,
          s: `0x${e.signature.slice(66, 130)}`,
          v: Number.parseInt(e.signature.slice(130, 132), 16),
        }).toLowerCase();
      } catch {
        recovered = undefined; // aggregate says why (unrecoverable)
      }
      if (recovered !== undefined && recovered !== e.signer) {
        rejected.push({
          source: e.source,
          reportHash: hash,
          reason: "signer-mismatch",
          detail: `names ${e.signer}, recovers to ${recovered} (another digest: set ${args.set.setId}?)`,
        });
        continue;
      }
      candidates.push({ source: e.source, signature: e.signature });
    }
    const aggregation = aggregate({ digest, set: args.set, candidates });
    for (const r of aggregation.rejected) rejected.push({ ...r, reportHash: hash });
    reports.push({
      reportHash: hash,
      report: group.report,
      aggregation,
      attestation: aggregation.ready ? encodeAttestation(args.set.setId, aggregation.signatures) : undefined,
    });
  }
  return { reports, rejected };
}
