// The node's side of identity proofs: it reads the proof posts its connectors stored, checks each one and, for a good
// one, signs the IdentityBinding attestation (sdk `bindingAttestationDigest`, signed with the node's secp256k1
// attester key by the sdk's `signDigest`). A quorum of those signatures (`combineBindingSignatures`) is what
// IdentityRegistry.bind accepts.
//
// Checks, each a stable reject reason:
// - `malformed`: the proof does not parse; `unknown-account`: its identity is no valid account of its platform;
// - `identity-mismatch`: the post's author is not the account the proof names (a proof copied to another account);
// - `wrong-signer`: the signature is not the persona's key (for a revocation: the persona bound now);
// - `replayed`: this proof was accepted already (an old proof posted again);
// - `chain-broken`: `previous` is not the account's last accepted proof (a proof skipping or rewriting history);
// - `stale`: created before the account's last proof, or after the post that carries it; `not-bound`: revoking an
//   account that is not bound to that persona.
// The binding's sequence is the proof's position in the account's chain (1, 2, ...), so every node that saw the
// same posts signs the same binding, and the registry refuses any attestation older than the stored sequence.
import {
  addressOfPrivateKey,
  bindingAttestationDigest,
  encodeAttestation,
  type IdentityBinding,
  type IndexedSignature,
  type Signature,
  signDigest,
} from "@maskoii/sdk";
import { type Address, getAddress, type Hex, zeroAddress } from "viem";
import { accountOfAuthor, accountOfProof } from "./accounts.ts";
import { findProof, proofId, proofSigner, type SignedProof } from "./identity-proof.ts";
import type { AggregatorStore, StoredItem } from "./store.ts";

export const IDENTITY_MIGRATIONS = [
  {
    version: 1520,
    name: "aggregator identity proofs",
    sql: `
CREATE TABLE agg_identity_proofs (
  platform INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  sequence BIGINT NOT NULL,
  proof_id TEXT NOT NULL UNIQUE,
  action TEXT NOT NULL,
  persona TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  item_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (platform, account_id, sequence)
);
CREATE TABLE agg_identity_proof_items (
  item_id TEXT PRIMARY KEY,
  outcome TEXT NOT NULL,
  reason TEXT
)`,
  },
] as const;

export type ProofRejectReason =
  | "malformed"
  | "unknown-account"
  | "identity-mismatch"
  | "wrong-signer"
  | "replayed"
  | "chain-broken"
  | "stale"
  | "not-bound";

/** An accepted proof: the binding it authorises and this node's signature of its attestation digest. */
export type SignedBinding = {
  readonly itemId: string;
  readonly proofId: Hex;
  readonly binding: IdentityBinding;
  readonly digest: Hex;
  readonly attester: Address;
  readonly signature: Signature;
};

export type ProofOutcome =
  | { readonly ok: true; readonly signed: SignedBinding }
  | { readonly ok: false; readonly itemId: string; readonly reason: ProofRejectReason; readonly detail: string };

/** Where the attestations go: the chain's attester domain, its IdentityRegistry and the attester set in force. */
export type BindingDomain = {
  readonly domain: number;
  readonly identityRegistry: Address;
  readonly attesterSetId: bigint;
};

/** How long after its post a proof's `created_at` may claim to be (clock skew), in seconds. */
const MAX_SKEW_S = 300;

type ProofRow = {
  sequence: unknown;
  proof_id: string;
  action: string;
  persona: string;
  created_at: unknown;
};

export class ProofVerifier {
  readonly attester: Address;
  readonly #store: AggregatorStore;
  readonly #key: Hex;
  readonly #domain: BindingDomain;

  constructor(store: AggregatorStore, attesterKey: Hex, domain: BindingDomain) {
    this.#store = store;
    this.#key = attesterKey;
    this.#domain = domain;
    this.attester = addressOfPrivateKey(attesterKey);
  }

  /** Checks every stored post carrying a proof that was not checked yet, oldest first; returns the outcomes. */
  async scan(): Promise<ProofOutcome[]> {
    const rows = await this.#store.db.query<Record<string, unknown>>(
      `SELECT i.* FROM agg_items i LEFT JOIN agg_identity_proof_items p ON p.item_id = i.id
       WHERE p.item_id IS NULL AND i.kind = 'post' AND i.body LIKE '%maskoii-proof:%'
       ORDER BY i.created_at, i.id`,
    );
    const outcomes: ProofOutcome[] = [];
    for (const row of rows) outcomes.push(await this.check(rowToItem(row)));
    return outcomes;
  }

  /** Checks one post (recording its outcome) and signs the binding when the proof holds. */
  async check(item: StoredItem): Promise<ProofOutcome> {
    const { outcome, createdAt, persona } = await this.#verify(item);
    await this.#store.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO agg_identity_proof_items (item_id, outcome, reason) VALUES ($1, $2, $3)
         ON CONFLICT (item_id) DO NOTHING`,
        [item.id, outcome.ok ? "accepted" : "rejected", outcome.ok ? null : `${outcome.reason}: ${outcome.detail}`],
      );
      if (outcome.ok) {
        const s = outcome.signed;
        await tx.query(
          `INSERT INTO agg_identity_proofs (platform, account_id, sequence, proof_id, action, persona, created_at,
             item_id, digest, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            s.binding.platform,
            s.binding.accountId,
            Number(s.binding.sequence),
            s.proofId,
            s.binding.persona === zeroAddress ? "revoke" : "bind",
            persona,
            createdAt,
            item.id,
            s.digest,
            JSON.stringify(s.signature),
          ],
        );
      }
    });
    return outcome;
  }

  /** This node's signed bindings for one account, in sequence order. */
  async bindingsOf(platform: number, accountId: Hex): Promise<SignedBinding[]> {
    const rows = await this.#store.db.query<ProofRow & { item_id: string; digest: string; signature: string }>(
      "SELECT * FROM agg_identity_proofs WHERE platform = $1 AND account_id = $2 ORDER BY sequence",
      [platform, accountId],
    );
    return rows.map((r) => ({
      itemId: r.item_id,
      proofId: r.proof_id as Hex,
      binding: {
        platform,
        accountId,
        persona: r.action === "revoke" ? zeroAddress : getAddress(r.persona),
        sequence: BigInt(String(r.sequence)),
      },
      digest: r.digest as Hex,
      attester: this.attester,
      signature: JSON.parse(r.signature) as Signature,
    }));
  }

  /** The outcome, with the proof's created_at and persona (what the account's chain stores). */
  async #verify(item: StoredItem): Promise<{ outcome: ProofOutcome; createdAt: number; persona: string }> {
    const reject = (reason: ProofRejectReason, detail: string) => ({
      outcome: { ok: false, itemId: item.id, reason, detail } as const,
      createdAt: 0,
      persona: "",
    });
    const found = findProof(item.body);
    if (found === undefined) return reject("malformed", "no proof in the post");
    if ("malformed" in found) return reject("malformed", found.malformed);
    const proof: SignedProof = found.proof;
    const account = accountOfProof(proof.platform, proof.identity);
    if (account === undefined) return reject("unknown-account", `${proof.platform} ${proof.identity}`);
    const author = accountOfAuthor(item.author);
    if (author === undefined || author.platform !== account.platform || author.accountId !== account.accountId) {
      return reject("identity-mismatch", `posted by ${item.author}, names ${proof.platform} ${proof.identity}`);
    }
    const persona = getAddress(proof.persona);
    let signer: Address;
    try {
      signer = await proofSigner(proof);
    } catch (error) {
      return reject("wrong-signer", `unrecoverable signature: ${(error as Error).message}`);
    }
    if (signer !== persona) return reject("wrong-signer", `signed by ${signer}, names ${persona}`);
    const { sig: _sig, ...payload } = proof;
    const id = proofId(payload);
    const seen = await this.#store.db.query("SELECT 1 FROM agg_identity_proofs WHERE proof_id = $1", [id]);
    if (seen.length > 0) return reject("replayed", `proof ${id} was accepted before`);
    const heads = await this.#store.db.query<ProofRow>(
      "SELECT * FROM agg_identity_proofs WHERE platform = $1 AND account_id = $2 ORDER BY sequence DESC LIMIT 1",
      [account.platform, account.accountId],
    );
    const head = heads[0];
    if ((head?.proof_id ?? null) !== proof.previous) {
      return reject("chain-broken", `previous ${proof.previous ?? "none"}, last accepted ${head?.proof_id ?? "none"}`);
    }
    if (head !== undefined && proof.created_at <= Number(head.created_at)) {
      return reject("stale", `created_at ${proof.created_at} not after the last proof's ${Number(head.created_at)}`);
    }
    if (proof.created_at > Math.floor(item.createdAt / 1_000) + MAX_SKEW_S) {
      return reject("stale", `created_at ${proof.created_at} is after the post (${item.createdAt} ms)`);
    }
    if (proof.action === "revoke" && (head === undefined || head.action !== "bind" || head.persona !== persona)) {
      return reject("not-bound", `${proof.platform} ${proof.identity} is not bound to ${persona}`);
    }
    const binding: IdentityBinding = {
      platform: account.platform,
      accountId: account.accountId,
      persona: proof.action === "revoke" ? zeroAddress : persona,
      sequence: head === undefined ? 1n : BigInt(String(head.sequence)) + 1n,
    };
    const digest = bindingAttestationDigest({
      domain: this.#domain.domain,
      identityRegistry: this.#domain.identityRegistry,
      attesterSetId: this.#domain.attesterSetId,
      binding,
    });
    return {
      outcome: {
        ok: true,
        signed: {
          itemId: item.id,
          proofId: id,
          binding,
          digest,
          attester: this.attester,
          signature: signDigest(digest, this.#key),
        },
      },
      createdAt: proof.created_at,
      persona,
    };
  }
}

/**
 * The attestation IdentityRegistry.bind takes, from the nodes' signatures of one binding: each signature placed at its
 * attester's index in the set's sorted members. Throws when the signatures are of different digests or a signer is
 * outside the set.
 */
export function combineBindingSignatures(
  attesterSetId: bigint,
  members: readonly Address[],
  signed: readonly SignedBinding[],
): Hex {
  const digests = new Set(signed.map((s) => s.digest));
  if (digests.size !== 1) throw new RangeError(`the signatures cover ${digests.size} different bindings`);
  const positions = new Map(members.map((m, i) => [m.toLowerCase(), i]));
  const signatures: IndexedSignature[] = signed
    .map((s) => {
      const index = positions.get(s.attester.toLowerCase());
      if (index === undefined) throw new RangeError(`${s.attester} is not in the attester set`);
      return { index, ...s.signature };
    })
    .sort((a, b) => a.index - b.index);
  return encodeAttestation(attesterSetId, signatures);
}

function rowToItem(row: Record<string, unknown>): StoredItem {
  return {
    id: String(row.id),
    network: row.network as StoredItem["network"],
    kind: row.kind as StoredItem["kind"],
    author: String(row.author),
    body: String(row.body),
    url: row.url === null ? null : String(row.url),
    parent: row.parent === null ? null : String(row.parent),
    createdAt: Number(row.created_at),
    ingestedAt: Number(row.ingested_at),
  };
}
