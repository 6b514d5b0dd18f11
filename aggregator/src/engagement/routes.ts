// The engagement routes of the node's HTTP server (docs/protocol.md §12.1–12.2):
//   POST /beacons                                  a batch of ≤ 100 signed beacons, or a batch-signed batch of ≤ 100
//                                                  beacons of one persona ({persona, beacons, signature}) → a verdict
//                                                  per beacon
//                                                  (421 + the home node when none is this node's; 429 + Retry-After
//                                                  when the whole batch is rate limited)
//   GET  /peer/contributions/:community/:epoch     this node's signed contribution, only to task members (peer-auth);
//                                                  404 until the epoch ended plus the close grace
// `fetchContribution` is the peers' client of the second.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  PeerRequestFailedError,
  parseJson,
  parseRequest,
  RequestRejectedError,
  readBody,
  sendJson,
  sendRejection,
} from "@maskoii/node-kit";
import type { Hex } from "viem";
import { z } from "zod";
import { beaconSchema, communityIdSchema, MAX_BEACON_BATCH, signedBeaconBatchSchema } from "./beacon.ts";
import type { BeaconIntake } from "./beacon-intake.ts";
import type { BeaconStore } from "./beacon-store.ts";
import { buildContribution, type Contribution, contributionHash, verifyContribution } from "./contribution.ts";
import { BEACON_SKEW_SECONDS, type EngagementChain } from "./filters.ts";
import { signPeerRequest, verifyPeerRequest } from "./peer-auth.ts";

/** A beacon is at most ~700 bytes of JSON; a full batch fits well under this. */
export const MAX_BEACON_BODY = 128 * 1024;

const BEACONS = "/beacons";
const CONTRIBUTION_ROUTE = /^\/peer\/contributions\/([^/]*)\/([^/]*)$/;

const batchSchema = z
  .object({
    beacons: z
      .array(beaconSchema)
      .min(1, "send at least one beacon")
      .max(MAX_BEACON_BATCH, `at most ${MAX_BEACON_BATCH} beacons per batch`),
  })
  .strict();
const epochSchema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,14})$/, "expected an epoch number")
  .transform(Number);

export type EngagementDeps = {
  readonly intake: BeaconIntake;
  readonly store: BeaconStore;
  readonly chain: EngagementChain;
  /** The node's 32-byte secret salting the users' leaves (never shared). */
  readonly nodeSecret: Hex;
  /** The node's Koii key: it signs contributions and peer requests. */
  readonly ed25519PrivateKey: Hex;
  /** The task's nodes' Koii public keys (base58): who may fetch contributions. */
  readonly members: ReadonlySet<string>;
  /** How long after an epoch ends its contribution is built (at least the beacon skew, 60 s). */
  readonly closeGraceMs: number;
  readonly now?: () => number;
};

/**
 * This node's contribution for the community epoch: built once the epoch ended plus the grace (and kept, so it is
 * served byte for byte the same until pruned), undefined before.
 */
export async function ownContribution(
  deps: EngagementDeps,
  community: string,
  epoch: number,
): Promise<Contribution | undefined> {
  const { genesis, epochLength } = await deps.chain.clock();
  const endMs = (genesis + (epoch + 1) * epochLength) * 1_000;
  const grace = Math.max(deps.closeGraceMs, BEACON_SKEW_SECONDS * 1_000);
  const now = (deps.now ?? Date.now)();
  if (now < endMs + grace) return undefined;
  const kept = await deps.store.contribution(community, epoch);
  if (kept !== undefined) return verifyContribution(JSON.parse(kept));
  const built = buildContribution({
    community,
    epoch,
    beacons: await deps.store.beaconsOf(community, epoch),
    nodeSecret: deps.nodeSecret,
    ed25519PrivateKey: deps.ed25519PrivateKey,
  });
  await deps.store.saveContribution(community, epoch, JSON.stringify(built), contributionHash(built), now);
  const saved = await deps.store.contribution(community, epoch);
  return saved === undefined ? built : verifyContribution(JSON.parse(saved));
}

/** Answers the request when it is an engagement route; false otherwise (the caller goes on routing). */
export function handleEngagementRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: EngagementDeps,
): boolean {
  const path = url.pathname;
  const match = CONTRIBUTION_ROUTE.exec(path);
  if (path !== BEACONS && match === null) return false;
  const answer = async () => {
    if (match === null) {
      if (req.method !== "POST") return sendJson(res, 405, { error: "only POST" }, { allow: "POST" });
      const body = parseJson(await readBody(req, MAX_BEACON_BODY));
      const outcome =
        typeof body === "object" && body !== null && "signature" in body
          ? await deps.intake.submitSigned(parseRequest(signedBeaconBatchSchema, body, "batch"))
          : await deps.intake.submit(parseRequest(batchSchema, body, "batch").beacons);
      if (outcome.status === 421) {
        return sendJson(res, 421, {
          error: "this node is not the persona's home node",
          home: outcome.home.koiiPublicKey,
          url: outcome.home.url,
        });
      }
      if (outcome.status === 429) {
        return sendJson(
          res,
          429,
          { error: "rate limited", verdicts: outcome.verdicts },
          { "retry-after": String(outcome.retryAfterSeconds) },
        );
      }
      return sendJson(res, 200, { verdicts: outcome.verdicts });
    }
    if (req.method !== "GET") return sendJson(res, 405, { error: "only GET" }, { allow: "GET" });
    const auth = verifyPeerRequest(req.headers, {
      method: "GET",
      path,
      members: deps.members,
      nowMs: (deps.now ?? Date.now)(),
    });
    if (!auth.ok) return sendJson(res, 401, { error: `peer request refused: ${auth.reason}` });
    const community = parseRequest(z.object({ community: communityIdSchema }), { community: match[1] }, "path");
    const epoch = parseRequest(z.object({ epoch: epochSchema }), { epoch: match[2] }, "path");
    const contribution = await ownContribution(deps, community.community, epoch.epoch);
    if (contribution === undefined) {
      return sendJson(res, 404, { error: `epoch ${epoch.epoch} of community ${community.community} is not closed` });
    }
    return sendJson(res, 200, contribution);
  };
  answer().catch((error: unknown) => {
    if (res.headersSent) res.destroy();
    else if (error instanceof RequestRejectedError) sendRejection(res, error);
    else sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
  });
  return true;
}

/**
 * Fetches and verifies a peer's contribution (signed as `key`, this node's Koii key). Undefined when the peer has
 * none yet (404); throws PeerRequestFailedError on another status, InvalidContributionError when it does not verify
 * (with `node`, also when it is another node's).
 */
export async function fetchContribution(
  url: string,
  at: { community: string; epoch: number },
  key: Hex,
  options: { node?: string; timeoutMs?: number; now?: () => number } = {},
): Promise<Contribution | undefined> {
  const target = new URL(`peer/contributions/${at.community}/${at.epoch}`, url.endsWith("/") ? url : `${url}/`);
  const response = await fetch(target, {
    headers: signPeerRequest(key, { method: "GET", path: target.pathname, timeMs: (options.now ?? Date.now)() }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.status !== 200)
    throw new PeerRequestFailedError(target.toString(), response.status, await response.text());
  return verifyContribution(await response.json(), {
    community: at.community,
    epoch: at.epoch,
    ...(options.node === undefined ? {} : { node: options.node }),
  });
}
