// The identity routes of the node's HTTP server, served when the node signs bindings (config `identity`):
//   GET /bindings/pending?limit=              each account's newest binding this node signed, newest first
//   GET /bindings/:platform/:accountId        this node's signed bindings of one account, in sequence order
// Each signed binding carries the binding, its attestation digest, the signer (the node's attester address) and the
// signature, so anyone can gather a quorum from several nodes and put it through `combineBindingSignatures` into the
// attestation IdentityRegistry.bind takes. `servedBindingsSchema` validates what a node answers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseRequest, RequestRejectedError, sendJson, sendRejection } from "@maskoii/node-kit";
import { type Address, getAddress, type Hex } from "viem";
import { z } from "zod";
import type { BindingDomain, ProofVerifier, SignedBinding } from "./proof-verifier.ts";

const ROUTE = /^\/bindings\/(?:(pending)|([^/]*)\/([^/]*))$/;
export const DEFAULT_PENDING_LIMIT = 50;
export const MAX_PENDING_LIMIT = 500;

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 32 bytes in 0x hex");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address");
const u64 = z.string().regex(/^[0-9]{1,20}$/, "expected a decimal integer");

const accountSchema = z.object({
  platform: z
    .string()
    .regex(/^[0-9]{1,3}$/, "expected a platform number")
    .transform(Number)
    .pipe(z.number().int().min(0).max(255)),
  accountId: hex32,
});
const pendingQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, "expected an integer")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PENDING_LIMIT, `at most ${MAX_PENDING_LIMIT}`))
    .optional(),
});

/** One signed binding as served (bigints as decimal strings). */
export const servedBindingSchema = z
  .object({
    itemId: z.string().min(1).max(2_000),
    proofId: hex32,
    binding: z.object({
      platform: z.number().int().min(0).max(255),
      accountId: hex32,
      persona: address,
      sequence: u64,
    }),
    digest: hex32,
    attester: address,
    signature: z.object({ r: hex32, s: hex32, v: z.number().int().min(0).max(28) }),
  })
  .strict();
export const servedBindingsSchema = z
  .object({
    attester: address,
    domain: z.number().int().min(0),
    identityRegistry: address,
    attesterSetId: u64,
    bindings: z.array(servedBindingSchema).max(MAX_PENDING_LIMIT),
  })
  .strict();
export type ServedBindings = z.infer<typeof servedBindingsSchema>;

function serve(signed: SignedBinding) {
  return { ...signed, binding: { ...signed.binding, sequence: signed.binding.sequence.toString() } };
}

/** A node's answer, validated, as the `SignedBinding`s `combineBindingSignatures` takes. */
export function parseServedBindings(value: unknown): {
  attester: Address;
  attesterSetId: bigint;
  bindings: SignedBinding[];
} {
  const served = servedBindingsSchema.parse(value);
  return {
    attester: getAddress(served.attester),
    attesterSetId: BigInt(served.attesterSetId),
    bindings: served.bindings.map((b) => ({
      itemId: b.itemId,
      proofId: b.proofId as Hex,
      binding: {
        platform: b.binding.platform,
        accountId: b.binding.accountId as Hex,
        persona: getAddress(b.binding.persona),
        sequence: BigInt(b.binding.sequence),
      },
      digest: b.digest as Hex,
      attester: getAddress(b.attester),
      signature: { r: b.signature.r as Hex, s: b.signature.s as Hex, v: b.signature.v },
    })),
  };
}

/** Answers the request when it is a binding route; false otherwise (the caller goes on routing). */
export function handleBindingRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  verifier: ProofVerifier,
  domain: BindingDomain,
): boolean {
  const match = ROUTE.exec(url.pathname);
  if (match === null) return false;
  const [, pending, rawPlatform = "", rawAccount = ""] = match;
  const answer = async () => {
    if (req.method !== "GET") return sendJson(res, 405, { error: "only GET" }, { allow: "GET" });
    let bindings: SignedBinding[];
    if (pending !== undefined) {
      const query = parseRequest(pendingQuerySchema, Object.fromEntries(url.searchParams), "query");
      bindings = await verifier.latestBindings(query.limit ?? DEFAULT_PENDING_LIMIT);
    } else {
      const account = parseRequest(accountSchema, { platform: rawPlatform, accountId: rawAccount }, "account");
      bindings = (await verifier.bindingsOf(account.platform, account.accountId.toLowerCase() as Hex)).slice(
        -MAX_PENDING_LIMIT,
      );
    }
    return sendJson(res, 200, {
      attester: verifier.attester,
      domain: domain.domain,
      identityRegistry: domain.identityRegistry,
      attesterSetId: domain.attesterSetId.toString(),
      bindings: bindings.map(serve),
    });
  };
  answer().catch((error: unknown) => {
    if (res.headersSent) res.destroy();
    else if (error instanceof RequestRejectedError) sendRejection(res, error);
    else sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
  });
  return true;
}
