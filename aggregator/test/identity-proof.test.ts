// Identity proofs found through the Mastodon connector: three nodes, each with its own store, read the same posts,
// check the proofs and sign the same bindings; the refusals each name their reason. (identity-chain.test.ts submits
// the signatures to the IdentityRegistry on a local chain.)
import { activityPubAccountId, Platform, recoverSigner } from "@maskoii/sdk";
import { devnetAttesters } from "@maskoii/testkit";
import { getAddress, zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { accountOfAuthor } from "../src/accounts.ts";
import { MastodonConnector } from "../src/connectors/mastodon.ts";
import { findProof, proofPostText, signProof } from "../src/identity-proof.ts";
import { combineBindingSignatures, type ProofOutcome, ProofVerifier } from "../src/proof-verifier.ts";
import { type MastodonServer, makeStatus, startMastodon } from "./fixtures/mastodon-server.ts";
import { MASTODON_HOST, postedAt, proofStatus } from "./fixtures/proofs.ts";
import { type Harness, harness } from "./helpers.ts";

const DOMAIN = { domain: 1001, identityRegistry: getAddress(`0x${"12".repeat(20)}`), attesterSetId: 1n };
const ALICE = `alice@${MASTODON_HOST}`;
const ALICE_ACTOR = `https://${MASTODON_HOST}/users/alice`;

describe("identity proofs through a connector", () => {
  let server: MastodonServer;
  let nodes: Harness[];
  const attesters = devnetAttesters(3, "maskoii aggregator proof test");
  const personaKey = generatePrivateKey();
  const persona = privateKeyToAccount(personaKey).address;

  beforeEach(async () => {
    server = await startMastodon();
    nodes = await Promise.all([harness(), harness(), harness()]);
  });
  afterEach(async () => {
    await server.close();
    for (const n of nodes) await n.close();
  });

  /** Every node ingests the tag and checks the new proof posts; returns each node's outcomes. */
  async function round(): Promise<ProofOutcome[][]> {
    return Promise.all(
      nodes.map(async (h, i) => {
        const c = new MastodonConnector(
          { name: "masto", instanceUrl: server.url, hashtags: ["maskoii"], limit: 40 },
          h.context("masto"),
        );
        await h.ingestor([c]).tick(c);
        const key = attesters[i]?.privateKey;
        if (key === undefined) throw new Error("no key");
        return new ProofVerifier(h.store, key, DOMAIN).scan();
      }),
    );
  }
  const post = (...statuses: Record<string, unknown>[]) =>
    server.tags.set("maskoii", [...(server.tags.get("maskoii") ?? []), ...(statuses as never[])]);

  it("maps authors to registry accounts the way the sdk derives them", () => {
    expect(accountOfAuthor(`mastodon:acct:${ALICE}`)).toEqual({
      platform: Platform.ActivityPub,
      name: ALICE_ACTOR,
      accountId: activityPubAccountId(ALICE_ACTOR),
    });
    expect(accountOfAuthor("farcaster:fid:3")?.accountId).toBe(`0x${"0".repeat(63)}3`);
    expect(accountOfAuthor("rss:feed:https://blog.example/feed")).toBeUndefined();
  });

  it("accepts a good proof on every node: the same binding, one signature each, combinable into a quorum", async () => {
    const first = await proofStatus({
      id: 10,
      acct: ALICE,
      personaKey,
      payload: { action: "bind", identity: ALICE_ACTOR, persona, previous: null },
    });
    post(first.status);
    const outcomes = await round();
    const signed = outcomes.map((o) => {
      expect(o).toHaveLength(1);
      const [only] = o;
      if (only?.ok !== true) throw new Error(`refused: ${JSON.stringify(only)}`);
      return only.signed;
    });
    for (const [i, s] of signed.entries()) {
      expect(s.binding).toEqual({
        platform: Platform.ActivityPub,
        accountId: activityPubAccountId(ALICE_ACTOR),
        persona,
        sequence: 1n,
      });
      expect(s.proofId).toBe(first.proofId);
      expect(s.digest).toBe(signed[0]?.digest);
      expect(recoverSigner(s.digest, s.signature)).toBe(attesters[i]?.account.address);
    }
    const members = attesters.map((a) => a.account.address);
    const attestation = combineBindingSignatures(1n, members, signed.slice(0, 2));
    // header (8 bytes) + 2 × 66-byte signatures
    expect((attestation.length - 2) / 2).toBe(8 + 2 * 66);
    // a node scans each post once
    expect((await round()).flat()).toEqual([]);
  });

  it("refuses a proof signed by another key than the persona it names (wrong signer)", async () => {
    const other = generatePrivateKey();
    const forged = await proofStatus({
      id: 11,
      acct: ALICE,
      personaKey: other,
      payload: { action: "bind", identity: ALICE_ACTOR, persona, previous: null },
    });
    post(forged.status);
    for (const [o] of await round()) expect(o).toMatchObject({ ok: false, reason: "wrong-signer" });
  });

  it("refuses a proof posted by another account than the one it names", async () => {
    const copied = await proofStatus({
      id: 12,
      acct: `mallory@${MASTODON_HOST}`,
      personaKey,
      payload: { action: "bind", identity: ALICE_ACTOR, persona, previous: null },
    });
    post(copied.status);
    for (const [o] of await round()) expect(o).toMatchObject({ ok: false, reason: "identity-mismatch" });
  });

  it("refuses a replayed proof and a proof that breaks the previous-proof chain", async () => {
    const first = await proofStatus({
      id: 20,
      acct: ALICE,
      personaKey,
      payload: { action: "bind", identity: ALICE_ACTOR, persona, previous: null },
    });
    post(first.status);
    await round();
    // The same proof posted again (a new status): replayed.
    const again = makeStatus(MASTODON_HOST, 21, ALICE, `<p>${proofPostText(first.proof)}</p>`);
    // A second "first" proof (previous: none) although one was accepted: the chain is broken.
    const fork = await proofStatus({
      id: 22,
      acct: ALICE,
      personaKey,
      payload: { action: "bind", identity: ALICE_ACTOR, persona, previous: null },
    });
    post(again, fork.status);
    for (const o of await round()) {
      expect(o.map((x) => (x.ok ? "ok" : x.reason))).toEqual(["replayed", "chain-broken"]);
    }
    // A proof that names the head but claims an earlier time than it: stale.
    const early = await proofStatus({
      id: 23,
      acct: ALICE,
      personaKey,
      payload: {
        action: "bind",
        identity: ALICE_ACTOR,
        persona,
        previous: first.proofId,
        created_at: postedAt(20) - 20,
      },
    });
    post(early.status);
    for (const [o] of await round()) expect(o).toMatchObject({ ok: false, reason: "stale" });
  });

  it("revokes: a revocation signed by the bound persona becomes a zero-persona binding with the next sequence", async () => {
    const first = await proofStatus({
      id: 30,
      acct: ALICE,
      personaKey,
      payload: { action: "bind", identity: ALICE_ACTOR, persona, previous: null },
    });
    post(first.status);
    await round();
    // A revocation by some other persona is refused (it is not the bound one).
    const otherKey = generatePrivateKey();
    const otherPersona = privateKeyToAccount(otherKey).address;
    const foreign = await proofStatus({
      id: 31,
      acct: ALICE,
      personaKey: otherKey,
      payload: { action: "revoke", identity: ALICE_ACTOR, persona: otherPersona, previous: first.proofId },
    });
    post(foreign.status);
    for (const [o] of await round()) expect(o).toMatchObject({ ok: false, reason: "not-bound" });
    const revoke = await proofStatus({
      id: 32,
      acct: ALICE,
      personaKey,
      payload: { action: "revoke", identity: ALICE_ACTOR, persona, previous: first.proofId },
    });
    post(revoke.status);
    for (const [o] of await round()) {
      if (o?.ok !== true) throw new Error(`refused: ${JSON.stringify(o)}`);
      expect(o.signed.binding).toMatchObject({ persona: zeroAddress, sequence: 2n });
    }
    // Replaying the original bind proof after the revocation is refused: it cannot rebind the account.
    post(makeStatus(MASTODON_HOST, 33, ALICE, `<p>${proofPostText(first.proof)}</p>`));
    for (const [o] of await round()) expect(o).toMatchObject({ ok: false, reason: "replayed" });
    const bindings = await new ProofVerifier(nodes[0]!.store, attesters[0]!.privateKey, DOMAIN).bindingsOf(
      Platform.ActivityPub,
      activityPubAccountId(ALICE_ACTOR),
    );
    expect(bindings.map((b) => [b.binding.persona, b.binding.sequence])).toEqual([
      [persona, 1n],
      [zeroAddress, 2n],
    ]);
  });

  it("reads a proof out of a post and reports a malformed one", async () => {
    const proof = await signProof(
      { v: 1, action: "bind", platform: "farcaster", identity: "3", persona, created_at: 1, previous: null },
      personaKey,
    );
    expect(findProof(`hello ${proofPostText(proof)} bye`)).toEqual({ proof });
    expect(findProof("no proof here")).toBeUndefined();
    const bad = Buffer.from(JSON.stringify({ ...proof, persona: "nope" })).toString("base64url");
    expect(findProof(`maskoii-proof:v1:${bad}`)).toEqual({ malformed: "persona: expected an address" });
  });
});
