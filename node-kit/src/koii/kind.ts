// What the task round needs from one kind of work. The round (submit, audit, vote, distribute) is generic; a kind
// says how its items look (JSON, zod), how they encode canonically, how a node collects its own items for a round
// and how an auditor re-checks a peer's items. Each kind owns its evidence (what third parties may report against its
// signers, judged in its audit) and its equivocation checks (proofs its audit finds; an EquivocationSink acts on them).
// The relayer registers its kind; step two's engagement epochs will be another, registered beside it, with no change
// to the round (test/round.test.ts runs a whole round with a small counter kind).
import type { Hex } from "viem";
import type { z } from "zod";
import type { BindingRecord } from "../identity.ts";
import type { RoundWindows } from "./rounds.ts";

/** Something an auditor found wrong in a submission. `code` is the kind's stable name for the fault. */
export type Fault = { readonly code: string; readonly detail: string };

/** Two conflicting signed items proving equivocation, in the kind's own form (e.g. what a chain accepts). */
export type EquivocationProof = {
  /** The key that signed both. */
  readonly attester: Hex;
  readonly proof: unknown;
};

export type AuditOutcome = {
  /** Faults that make the submitter slashable (it signed what the chain does not show). */
  readonly faults: readonly Fault[];
  /** Equivocations proven by the items, for on-chain reporting. Empty for kinds with no on-chain slashing. */
  readonly equivocations: readonly EquivocationProof[];
};

/** What an auditor knows about the submitter when it re-checks items. */
export type AuditSubject = { readonly koiiPublicKey: string; readonly binding: BindingRecord };

export interface WorkKind<Item> {
  /** Stable name; hashed into every submission and vote of this kind. */
  readonly name: string;
  /** The JSON form of one item (also its in-memory form: JSON-safe, bigints as decimal strings). */
  readonly itemSchema: z.ZodType<Item>;
  /** The canonical bytes of one item; its leaf is keccak256 of them. */
  encodeItem(item: Item): Uint8Array;
  /** Checks an item against the submitter's binding without I/O (signatures, internal consistency). */
  checkItem(item: Item, subject: AuditSubject): Fault | undefined;
  /** This node's own items for the round. */
  collect(windows: RoundWindows): Promise<Item[]>;
  /** Re-checks a peer's items for `round` against the chains. */
  audit(items: readonly Item[], subject: AuditSubject, round: number): Promise<AuditOutcome>;
  /** The evidence third parties may report against this kind's signers (POST /koii/evidence); absent: none. */
  readonly evidence?: EvidenceIntake;
}

/**
 * Acts on the equivocation proofs a kind's audit finds (e.g. reports them on chain); `R` is its result per report.
 * Opt-in: a disabled sink is never called.
 */
export interface EquivocationSink<R = unknown> {
  readonly enabled: boolean;
  report(proof: unknown): Promise<R[]>;
}

/** Evidence a third party reported, parsed and attributed by the kind that owns it. */
export type AcceptedEvidence = {
  /** Stable id of what the evidence proves: the same proof reported twice is stored once. */
  readonly evidenceId: Hex;
  /** The key it is attributable to. */
  readonly signer: string;
  /** The kind's stable name for what is wrong. */
  readonly reason: string;
  /** Where the reporter saw it. */
  readonly source: string;
  readonly body: unknown;
};

/**
 * The evidence a kind accepts over POST /koii/evidence (routes.ts): the route reads the body, bounds how much one
 * client stores per round and answers; the kind parses, attributes and stores it, and its audit judges it.
 */
export interface EvidenceIntake {
  /** Parses and attributes a reported body; throws RequestRejectedError (400, naming the field) when it cannot. */
  accept(json: unknown): AcceptedEvidence;
  /** Stores `evidence` once, to be judged in the audit of `round`; false if it was already known. */
  store(evidence: AcceptedEvidence, round: number, at: number): Promise<boolean>;
  /** Evidence items stored (GET /koii/status). */
  count(): Promise<number>;
}
