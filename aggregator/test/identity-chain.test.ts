// Identity proofs and a community timeline against the real contracts on a local hardhat chain (the testkit's deploy
// fixture: Gateway as the attester set of three, threshold 66.66 %, and the revenue suite): three aggregator nodes
// find proofs through the Mastodon connector, two of their signatures bind the account on the IdentityRegistry, a
// revocation unbinds it, replays are refused by the nodes and by the registry, and the community's timeline reads its
// sources, moderators and the bindings from the chain.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  activityPubAccountId,
  communityRegistryAbi,
  type DeploymentRevenue,
  gatewayAbi,
  identityRegistryAbi,
  Platform,
} from "@maskoii/sdk";
import { devnetAttesters, runDeployFixture, Supervisor, startHardhatNode } from "@maskoii/testkit";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  toHex,
  zeroAddress,
} from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainCommunityReader, resolveSources } from "../src/communities.ts";
import { MastodonConnector } from "../src/connectors/mastodon.ts";
import { proofPostText } from "../src/identity-proof.ts";
import {
  combineBindingSignatures,
  type ProofOutcome,
  ProofVerifier,
  type SignedBinding,
} from "../src/proof-verifier.ts";
import { moderationStatement, type SignedModeration, TimelineService } from "../src/timeline.ts";
import { type MastodonServer, makeStatus, startMastodon } from "./fixtures/mastodon-server.ts";
import { MASTODON_HOST, proofStatus } from "./fixtures/proofs.ts";
import { type Harness, harness } from "./helpers.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const chainA = defineChain({
  id: 31337,
  name: "A",
  nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});
const ALICE = `alice@${MASTODON_HOST}`;
const ALICE_ACTOR = `https://${MASTODON_HOST}/users/alice`;
const ALICE_ID = activityPubAccountId(ALICE_ACTOR);

describe("identity bindings and a community timeline on a local chain", () => {
  const supervisor = new Supervisor();
  const attesters = devnetAttesters(3, "maskoii aggregator chain test");
  const members = attesters.map((a) => a.account.address);
  let dir = "";
  let revenue: DeploymentRevenue;
  let client: PublicClient;
  let setId: bigint;
  let mastodon: MastodonServer;
  let nodes: Harness[] = [];
  let verifiers: ProofVerifier[] = [];
  const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
  let rpcA = "";
  const wallet = () => createWalletClient({ account: owner, chain: chainA, transport: http(rpcA) });
  const personaKey = generatePrivateKey();
  const persona = privateKeyToAccount(personaKey).address;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-aggregator-chain-"));
    const [a, b] = await Promise.all([
      startHardhatNode({ supervisor, name: "chainA", chainId: 31337, logFile: join(dir, "a.log") }),
      startHardhatNode({ supervisor, name: "chainB", chainId: 31338, logFile: join(dir, "b.log") }),
    ]);
    const deployed = await runDeployFixture({ rpcA: a.rpcUrl, rpcB: b.rpcUrl, attesters: members, thresholdBps: 6666 });
    if (deployed.revenueA === undefined) throw new Error("the fixture deployed no revenue suite");
    revenue = deployed.revenueA;
    rpcA = a.rpcUrl;
    client = createPublicClient({ chain: chainA, transport: http(a.rpcUrl) }) as PublicClient;
    setId = await client.readContract({ address: deployed.a.gateway, abi: gatewayAbi, functionName: "currentSetId" });
    mastodon = await startMastodon();
    nodes = await Promise.all([harness(), harness(), harness()]);
    verifiers = nodes.map(
      (h, i) =>
        new ProofVerifier(h.store, attesters[i]?.privateKey ?? "0x", {
          domain: 1001,
          identityRegistry: revenue.identityRegistry,
          attesterSetId: setId,
        }),
    );
  }, 400_000);
  afterAll(async () => {
    await mastodon?.close();
    for (const n of nodes) await n.close();
    await supervisor.stopAll();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  const connector = (h: Harness) =>
    new MastodonConnector(
      { name: "masto", instanceUrl: mastodon.url, hashtags: ["maskoii"], limit: 40 },
      h.context("masto"),
    );
  const post = (...statuses: Record<string, unknown>[]) =>
    mastodon.tags.set("maskoii", [...(mastodon.tags.get("maskoii") ?? []), ...(statuses as never[])]);
  /** Every node ingests and checks the new proofs. */
  const round = (): Promise<ProofOutcome[][]> =>
    Promise.all(
      nodes.map(async (h, i) => {
        const c = connector(h);
        await h.ingestor([c]).tick(c);
        const v = verifiers[i];
        if (v === undefined) throw new Error("no verifier");
        return v.scan();
      }),
    );
  const signedOf = (outcomes: ProofOutcome[][]): SignedBinding[] =>
    outcomes.map(([o]) => {
      if (o?.ok !== true) throw new Error(`refused: ${JSON.stringify(o)}`);
      return o.signed;
    });
  const bind = async (s: SignedBinding, attestation: Hex) => {
    const hash = await wallet().writeContract({
      address: revenue.identityRegistry,
      abi: identityRegistryAbi,
      functionName: "bind",
      args: [s.binding.platform, s.binding.accountId, s.binding.persona, BigInt(s.binding.sequence), attestation],
    });
    expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");
  };
  const simulateBind = (s: SignedBinding, attestation: Hex) =>
    client.simulateContract({
      account: owner,
      address: revenue.identityRegistry,
      abi: identityRegistryAbi,
      functionName: "bind",
      args: [s.binding.platform, s.binding.accountId, s.binding.persona, BigInt(s.binding.sequence), attestation],
    });
  const personaOnChain = () =>
    client.readContract({
      address: revenue.identityRegistry,
      abi: identityRegistryAbi,
      functionName: "personaOf",
      args: [Platform.ActivityPub, ALICE_ID],
    });

  let firstBinding: SignedBinding[] = [];
  let firstProof: Awaited<ReturnType<typeof proofStatus>>;

  it("binds the account with two of three nodes' signatures; one alone is no quorum", async () => {
    firstProof = await proofStatus({
      id: 10,
      acct: ALICE,
      personaKey,
      payload: { action: "bind", identity: ALICE_ACTOR, persona, previous: null },
    });
    post(firstProof.status);
    firstBinding = signedOf(await round());
    const one = combineBindingSignatures(setId, members, firstBinding.slice(0, 1));
    await expect(simulateBind(firstBinding[0] as SignedBinding, one)).rejects.toThrow();
    const two = combineBindingSignatures(setId, members, [firstBinding[0], firstBinding[2]] as SignedBinding[]);
    await bind(firstBinding[0] as SignedBinding, two);
    expect(await personaOnChain()).toBe(persona);
    // The same attestation again: the registry refuses it (the sequence is spent).
    await expect(simulateBind(firstBinding[0] as SignedBinding, two)).rejects.toThrow(/StaleBinding/);
  });

  it("refuses a proof with the wrong signer: no node signs, the binding stays", async () => {
    const forged = await proofStatus({
      id: 11,
      acct: ALICE,
      personaKey: generatePrivateKey(),
      payload: { action: "bind", identity: ALICE_ACTOR, persona: zeroAddress, previous: firstProof.proofId },
    });
    post(forged.status);
    for (const [o] of await round()) expect(o).toMatchObject({ ok: false, reason: "wrong-signer" });
    expect(await personaOnChain()).toBe(persona);
  });

  it("serves the on-chain community's timeline with the bound persona and its on-chain moderator's actions", async () => {
    const moderatorKey = generatePrivateKey();
    const moderator = privateKeyToAccount(moderatorKey).address;
    const host = new URL(mastodon.url).host;
    const policy = (7000n << 48n) | (1500n << 32n) | (1000n << 16n) | 500n;
    const w = wallet();
    const created = await w.writeContract({
      address: revenue.communityRegistry,
      abi: communityRegistryAbi,
      functionName: "createCommunity",
      args: ["ipfs://community", owner.address, [toHex(`mastodon:tag:${host}#maskoii`)], policy, 10, 26],
    });
    expect((await client.waitForTransactionReceipt({ hash: created })).status).toBe("success");
    const added = await w.writeContract({
      address: revenue.communityRegistry,
      abi: communityRegistryAbi,
      functionName: "addModerator",
      args: [1n, moderator],
    });
    expect((await client.waitForTransactionReceipt({ hash: added })).status).toBe("success");
    post(makeStatus(MASTODON_HOST, 12, ALICE, "<p>hello community</p>"));
    const h = nodes[0] as Harness;
    const c = connector(h);
    await h.ingestor([c]).tick(c);
    const reader = new ChainCommunityReader({
      client,
      communityRegistry: revenue.communityRegistry,
      identityRegistry: revenue.identityRegistry,
      cacheMs: 0,
    });
    const timelines = new TimelineService(h.store, reader, (d) => resolveSources(d, [c]));
    const page = await timelines.page(1n);
    expect(page?.unresolvedSources).toEqual([]);
    const hello = page?.entries.find((e) => e.body === "hello community");
    expect(hello?.author).toEqual({ id: `mastodon:acct:${ALICE}`, persona });
    expect(await timelines.page(2n)).toBeUndefined();

    const action = { community: "1", action: "hide" as const, item: hello?.id ?? "", at: 1 };
    const sign = async (key: Hex): Promise<SignedModeration> => ({
      ...action,
      signature: await privateKeyToAccount(key).signMessage({ message: moderationStatement(action) }),
    });
    await expect(timelines.moderate(await sign(generatePrivateKey()))).rejects.toThrow(/not a moderator/);
    expect(await timelines.moderate(await sign(moderatorKey))).toBe(true);
    expect((await timelines.page(1n))?.entries.map((e) => e.id)).not.toContain(hello?.id);
  });

  it("revokes the binding; the old proof and the old attestation replayed cannot restore it", async () => {
    const revoke = await proofStatus({
      id: 20,
      acct: ALICE,
      personaKey,
      payload: { action: "revoke", identity: ALICE_ACTOR, persona, previous: firstProof.proofId },
    });
    post(revoke.status);
    const revocation = signedOf(await round());
    expect(revocation[0]?.binding).toMatchObject({ persona: zeroAddress, sequence: 2n });
    await bind(revocation[1] as SignedBinding, combineBindingSignatures(setId, members, revocation.slice(1)));
    expect(await personaOnChain()).toBe(zeroAddress);
    const onChain = await client.readContract({
      address: revenue.identityRegistry,
      abi: identityRegistryAbi,
      functionName: "bindingOf",
      args: [Platform.ActivityPub, ALICE_ID],
    });
    expect(onChain).toEqual([zeroAddress, 2n]);

    // The first proof posted again: every node refuses it.
    post(makeStatus(MASTODON_HOST, 21, ALICE, `<p>${proofPostText(firstProof.proof)}</p>`));
    for (const [o] of await round()) expect(o).toMatchObject({ ok: false, reason: "replayed" });
    // The first binding's full quorum attestation replayed: the registry refuses it.
    const stale = combineBindingSignatures(setId, members, firstBinding);
    await expect(simulateBind(firstBinding[0] as SignedBinding, stale)).rejects.toThrow(/StaleBinding/);
    expect(await personaOnChain()).toBe(zeroAddress);
    // The timeline no longer resolves Alice to the persona.
    const h = nodes[0] as Harness;
    const reader = new ChainCommunityReader({
      client,
      communityRegistry: revenue.communityRegistry,
      identityRegistry: revenue.identityRegistry,
      cacheMs: 0,
    });
    const timelines = new TimelineService(h.store, reader, (d) => resolveSources(d, [connector(h)]));
    const entries = (await timelines.page(1n))?.entries ?? [];
    expect(entries.filter((e) => e.author.id === `mastodon:acct:${ALICE}`).length).toBeGreaterThan(0);
    for (const e of entries) expect(e.author.persona).toBeNull();
  });
});
