// A node's submission for one round and one kind of work: the items, committed by a Merkle root, under a header
// signed by the node's Koii ed25519 key. Building, canonical encoding and verification (docs/protocol.md §9.2).
import { base58Decode, batchRoot } from "@maskoii/sdk";
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToHex, type Hex, hexToBytes, keccak256, stringToBytes } from "viem";
import { z } from "zod";
import { InvalidKoiiArtefactError } from "../errors.ts";
import { type BindingRecord, bindingStatement, koiiPublicKeyOf, verifyBindingRecord } from "../identity.ts";
import { CanonicalWriter, textHash, ZERO_HASH } from "./bytes.ts";
import type { WorkKind } from "./kind.ts";

export const SUBMISSION_VERSION = 1;
const SUBMISSION_TAG = stringToBytes("maskoii koii submission v1");

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, "expected 32 bytes of lower-case hex");

/** The JSON envelope; items are checked by the kind's schema after it. */
export const submissionEnvelopeSchema = z
  .object({
    version: z.literal(SUBMISSION_VERSION),
    taskId: z.string().min(1).max(64),
    round: z.number().int().min(0),
    kind: z.string().min(1).max(64),
    node: z.string().min(32).max(44),
    binding: z.unknown(),
    root: hex32,
    items: z.array(z.unknown()).max(100_000),
    /** ed25519 over the header (submissionHeader), 64 bytes hex. */
    signature: z.string().regex(/^0x[0-9a-f]{128}$/),
  })
  .strict();

export type Submission<Item> = {
  readonly version: typeof SUBMISSION_VERSION;
  readonly taskId: string;
  readonly round: number;
  readonly kind: string;
  /** base58 ed25519 public key of the submitting node. */
  readonly node: string;
  readonly binding: BindingRecord;
  readonly root: Hex;
  /** Sorted ascending by leaf (the canonical order). */
  readonly items: readonly Item[];
  readonly signature: Hex;
};

/** keccak256 over the binding statement and both signatures: what a header commits to about the binding. */
export function bindingHash(b: BindingRecord): Hex {
  return keccak256(
    new CanonicalWriter()
      .raw(bindingStatement(b.koiiPublicKey, b.attester as Hex, b.issuedAt))
      .fixed(b.koiiSignature as Hex, 64)
      .fixed(b.attesterSignature as Hex, 65)
      .toBytes(),
  );
}

/** Leaves of `items` in canonical order (ascending), paired with their items. */
export function sortedLeaves<Item>(kind: WorkKind<Item>, items: readonly Item[]): { leaf: Hex; item: Item }[] {
  return items
    .map((item) => ({ leaf: keccak256(kind.encodeItem(item)), item }))
    .sort((a, b) => (a.leaf < b.leaf ? -1 : a.leaf > b.leaf ? 1 : 0));
}

/** The root over sorted leaves (the sdk's batch tree); zero for an empty round. */
export function itemsRoot(leaves: readonly Hex[]): Hex {
  return leaves.length === 0 ? ZERO_HASH : batchRoot(leaves);
}

/** The exact bytes the node signs. */
export function submissionHeader(h: {
  taskId: string;
  round: number;
  kind: string;
  node: string;
  binding: BindingRecord;
  count: number;
  root: Hex;
}): Uint8Array {
  const node = base58Decode(h.node);
  if (node === undefined || node.length !== 32) throw new RangeError("node is not a 32-byte base58 key");
  return new CanonicalWriter()
    .raw(SUBMISSION_TAG)
    .fixed(textHash(h.taskId), 32)
    .uint(h.round, 8)
    .fixed(textHash(h.kind), 32)
    .raw(node)
    .fixed(bindingHash(h.binding), 32)
    .uint(h.count, 4)
    .fixed(h.root, 32)
    .toBytes();
}

/** The id of a submission: keccak256 of its header. Votes name the submission they judged by it. */
export function submissionHash<Item>(s: Submission<Item>): Hex {
  return keccak256(submissionHeader({ ...s, count: s.items.length }));
}

/** Builds and signs a submission. */
export function buildSubmission<Item>(args: {
  kind: WorkKind<Item>;
  taskId: string;
  round: number;
  ed25519PrivateKey: Hex;
  binding: BindingRecord;
  items: readonly Item[];
}): Submission<Item> {
  const sorted = sortedLeaves(args.kind, args.items);
  const root = itemsRoot(sorted.map((s) => s.leaf));
  const node = koiiPublicKeyOf(args.ed25519PrivateKey);
  const header = submissionHeader({
    taskId: args.taskId,
    round: args.round,
    kind: args.kind.name,
    node,
    binding: args.binding,
    count: sorted.length,
    root,
  });
  const signature = bytesToHex(ed25519.sign(header, hexToBytes(args.ed25519PrivateKey)));
  return {
    version: SUBMISSION_VERSION,
    taskId: args.taskId,
    round: args.round,
    kind: args.kind.name,
    node,
    binding: args.binding,
    root,
    items: sorted.map((s) => s.item),
    signature,
  };
}

const reject = (reason: string, detail: string) => new InvalidKoiiArtefactError("submission", reason, detail);

/**
 * Verifies a submission fetched for (taskId, round, kind) from `expectedNode`: shape, task, round, kind, node, the
 * binding record (both signatures, and bound to this node), canonical item order, the root, the ed25519 signature,
 * and each item against the binding (kind.checkItem). Throws InvalidKoiiArtefactError naming the first failure.
 */
export function verifySubmission<Item>(
  value: unknown,
  expected: { kind: WorkKind<Item>; taskId: string; round: number; node: string },
): Submission<Item> {
  const envelope = submissionEnvelopeSchema.safeParse(value);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    throw reject("malformed", `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  const e = envelope.data;
  if (e.taskId !== expected.taskId) throw reject("wrong-task", `task ${e.taskId}, expected ${expected.taskId}`);
  if (e.round !== expected.round) throw reject("wrong-round", `round ${e.round}, expected ${expected.round}`);
  if (e.kind !== expected.kind.name) throw reject("wrong-kind", `kind ${e.kind}, expected ${expected.kind.name}`);
  if (e.node !== expected.node) throw reject("wrong-node", `node ${e.node}, expected ${expected.node}`);
  let binding: BindingRecord;
  try {
    binding = verifyBindingRecord(e.binding);
  } catch (error) {
    throw reject("binding-invalid", (error as Error).message);
  }
  if (binding.koiiPublicKey !== e.node) {
    throw reject("binding-mismatch", `binding is for Koii key ${binding.koiiPublicKey}, not ${e.node}`);
  }
  const items: Item[] = [];
  for (const [i, raw] of e.items.entries()) {
    const parsed = expected.kind.itemSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw reject("malformed", `items.${i}.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
    }
    items.push(parsed.data);
  }
  const leaves = items.map((item) => keccak256(expected.kind.encodeItem(item)));
  for (let i = 1; i < leaves.length; i++) {
    if ((leaves[i - 1] as Hex) >= (leaves[i] as Hex)) {
      throw reject("not-canonical", `items are not strictly ascending by leaf at ${i}`);
    }
  }
  const root = itemsRoot(leaves);
  if (root !== e.root) throw reject("root-mismatch", `items hash to ${root}, the submission says ${e.root}`);
  const header = submissionHeader({ ...e, binding, count: items.length, root });
  let ok = false;
  try {
    ok = ed25519.verify(hexToBytes(e.signature as Hex), header, base58Decode(e.node) ?? new Uint8Array());
  } catch {
    ok = false;
  }
  if (!ok) throw reject("bad-signature", `the ed25519 signature does not verify under ${e.node}`);
  const submission: Submission<Item> = {
    version: SUBMISSION_VERSION,
    taskId: e.taskId,
    round: e.round,
    kind: e.kind,
    node: e.node,
    binding,
    root: e.root as Hex,
    items,
    signature: e.signature as Hex,
  };
  return submission;
}
