// What the task round needs from one kind of work. The round (submit, audit, vote, distribute) is generic; a kind
// says how its items look (JSON, zod), how they encode canonically, how a node collects its own items for a round
// and how an auditor re-checks a peer's items. The bridge's attestations are one kind (kinds/attestations.ts); step
// two's engagement epochs will be another, registered beside it, with no change to the round.
import type { Hex } from "viem";
import type { z } from "zod";
import type { BindingRecord } from "../identity.ts";
import type { RoundWindows } from "./rounds.ts";

/** Something an auditor found wrong in a submission. `code` is the kind's stable name for the fault. */
export type Fault = { readonly code: string; readonly detail: string };

/** Two conflicting signed items proving equivocation, as the kind can put them on chain. */
export type EquivocationProof = {
  /** The secp256k1 attester that signed both. */
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
}
