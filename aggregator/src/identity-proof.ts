// Identity proofs (issue 15 point 2), Next.ID style: to prove a platform account, its owner posts from that account a
// proof naming the platform, the account (`identity`), the persona (an EVM address: the key that signs), when it was
// made and the proof before it for the same account, signed by the persona's key (EIP-191 personal_sign over the
// statement below). The nodes find the post through their connectors, check it (proof-verifier.ts) and sign the
// IdentityBinding attestation the IdentityRegistry accepts from a quorum of them.
//
// Post body: `maskoii-proof:v1:<base64url(JSON {v, action, platform, identity, persona, created_at, previous, sig})>`,
// anywhere in the post's text (base64url survives every network's HTML and text handling).
import { type Address, getAddress, type Hex, keccak256, recoverMessageAddress, stringToHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";
import { PROOF_PLATFORMS, type ProofPlatform } from "./accounts.ts";

export const PROOF_PREFIX = "maskoii-proof:v1:";
const PROOF_RE = /maskoii-proof:v1:([A-Za-z0-9_-]{20,4000})/;

export const proofPayloadSchema = z
  .object({
    v: z.literal(1),
    /** `bind` binds the account to `persona`; `revoke` (signed by the bound persona) unbinds it. */
    action: z.enum(["bind", "revoke"]),
    platform: z.enum(Object.keys(PROOF_PLATFORMS) as [ProofPlatform, ...ProofPlatform[]]),
    /** The account in the platform's own spelling: a fid, an ActivityPub actor URI, a DID, a Lens account. */
    identity: z.string().min(1).max(2048),
    persona: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address"),
    /** Unix seconds. */
    created_at: z.number().int().positive(),
    /** The id of this account's previous proof (proofId), or null for its first. */
    previous: z
      .string()
      .regex(/^0x[0-9a-f]{64}$/, "expected a proof id")
      .nullable(),
  })
  .strict();
export type ProofPayload = z.infer<typeof proofPayloadSchema>;

export const signedProofSchema = proofPayloadSchema
  .extend({ sig: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte signature") })
  .strict();
export type SignedProof = z.infer<typeof signedProofSchema>;

/** The text the persona signs (personal_sign): one field a line, the persona checksummed. */
export function proofStatement(p: ProofPayload): string {
  return [
    "maskoii identity proof v1",
    `action: ${p.action}`,
    `platform: ${p.platform}`,
    `identity: ${p.identity}`,
    `persona: ${getAddress(p.persona)}`,
    `created_at: ${p.created_at}`,
    `previous: ${p.previous ?? "none"}`,
  ].join("\n");
}

/** A proof's id: keccak256 of its statement (what the next proof names as `previous`). */
export function proofId(p: ProofPayload): Hex {
  return keccak256(stringToHex(proofStatement(p)));
}

/** Signs a proof with the persona's private key (the persona must be that key's address). */
export async function signProof(payload: ProofPayload, personaKey: Hex): Promise<SignedProof> {
  const account = privateKeyToAccount(personaKey);
  const sig = await account.signMessage({ message: proofStatement(payload) });
  return { ...payload, sig };
}

/** The text to post: the proof encoded behind its prefix, after an optional human line. */
export function proofPostText(proof: SignedProof, note = "Verifying my maskoii persona"): string {
  return `${note} ${PROOF_PREFIX}${Buffer.from(JSON.stringify(proof)).toString("base64url")}`;
}

/** Finds and parses a proof in a post's text: undefined when there is none, a reason when it is malformed. */
export function findProof(body: string): { proof: SignedProof } | { malformed: string } | undefined {
  const match = PROOF_RE.exec(body);
  if (match?.[1] === undefined) return body.includes(PROOF_PREFIX) ? { malformed: "unreadable encoding" } : undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(match[1], "base64url").toString("utf8"));
  } catch {
    return { malformed: "not JSON" };
  }
  const parsed = signedProofSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { malformed: `${issue?.path.map(String).join(".") || "(proof)"}: ${issue?.message ?? "invalid"}` };
  }
  return { proof: parsed.data };
}

/** The address whose key signed the proof. */
export async function proofSigner(proof: SignedProof): Promise<Address> {
  const { sig, ...payload } = proof;
  return recoverMessageAddress({ message: proofStatement(payload), signature: sig as Hex });
}
