// Running nodes sign bindings on their own (issue 15 point 2): two aggregator nodes, each with its attester key in a
// node-kit keystore, ingest a proof post from the Mastodon fixture, check it on their proof timer and serve their
// signatures at /bindings/...; what the two serve, validated and combined, binds the account on a real IdentityRegistry
// (the testkit's deploy fixture on a local hardhat chain: an attester set of three, threshold 66.66 %).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encryptKey, MIN_SCRYPT_N, silentLogger, writeKeystore } from "@maskoii/node-kit";
import { activityPubAccountId, type DeploymentRevenue, gatewayAbi, identityRegistryAbi, Platform } from "@maskoii/sdk";
import { devnetAttesters, runDeployFixture, Supervisor, startHardhatNode } from "@maskoii/testkit";
import { createPublicClient, createWalletClient, defineChain, http, type PublicClient } from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseServedBindings } from "../src/binding-routes.ts";
import { parseConfig } from "../src/config.ts";
import { type AggregatorNode, startAggregator } from "../src/node.ts";
import { combineBindingSignatures, type SignedBinding } from "../src/proof-verifier.ts";
import { type MastodonServer, startMastodon } from "./fixtures/mastodon-server.ts";
import { MASTODON_HOST, proofStatus } from "./fixtures/proofs.ts";

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

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("running nodes check proofs on a timer and serve their binding signatures", () => {
  const supervisor = new Supervisor();
  const attesters = devnetAttesters(3, "maskoii aggregator nodes test");
  const members = attesters.map((a) => a.account.address);
  const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
  const personaKey = generatePrivateKey();
  const persona = privateKeyToAccount(personaKey).address;
  let dir = "";
  let revenue: DeploymentRevenue;
  let client: PublicClient;
  let rpcA = "";
  let setId = 0n;
  let mastodon: MastodonServer;
  let nodes: AggregatorNode[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maskoii-aggregator-nodes-"));
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
    await writeFile(join(dir, "password"), "node password\n", { mode: 0o600 });
    // Nodes 0 and 2 of the set run; node 1 is down (two of three are a quorum).
    for (const i of [0, 2]) {
      const key = attesters[i]?.privateKey;
      if (key === undefined) throw new Error("no attester key");
      await writeKeystore(
        join(dir, `attester-${i}.json`),
        await encryptKey("secp256k1", key, "node password", { n: MIN_SCRYPT_N, r: 8, p: 1 }),
      );
      const config = parseConfig(
        {
          store: { kind: "sqlite", path: ":memory:" },
          http: { host: "127.0.0.1", port: 0 },
          pollIntervalMs: 100,
          connectors: [{ kind: "mastodon", name: "masto", instanceUrl: mastodon.url, hashtags: ["maskoii"] }],
          identity: {
            keystore: `attester-${i}.json`,
            passwordFile: "password",
            domain: 1001,
            identityRegistry: revenue.identityRegistry,
            attesterSetId: setId.toString(),
            scanIntervalMs: 100,
          },
        },
        "test",
        {},
        dir,
      );
      nodes.push(await startAggregator(config, { log: silentLogger(), env: {} }));
    }
  }, 400_000);
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    nodes = [];
    await mastodon?.close();
    await supervisor.stopAll();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  const get = async (node: AggregatorNode, path: string) => {
    const res = await fetch(`${node.server.url}${path}`);
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it("binds the account with the signatures two running nodes serve", async () => {
    expect(nodes.map((n) => n.verifier?.attester)).toEqual([members[0], members[2]]);
    const first = await proofStatus({
      id: 10,
      acct: ALICE,
      personaKey,
      payload: { action: "bind", identity: ALICE_ACTOR, persona, previous: null },
    });
    mastodon.tags.set("maskoii", [first.status]);

    // Each node finds the proof on its own timers and lists the binding as pending.
    const pending = await Promise.all(
      nodes.map((n) =>
        until("a pending binding", async () => {
          const { status, body } = await get(n, "/bindings/pending?limit=10");
          expect(status).toBe(200);
          const parsed = parseServedBindings(body);
          return parsed.bindings.length > 0 ? parsed : undefined;
        }),
      ),
    );
    for (const [i, p] of pending.entries()) {
      expect(p.attester).toBe(members[i === 0 ? 0 : 2]);
      expect(p.attesterSetId).toBe(setId);
      expect(p.bindings[0]?.binding).toEqual({
        platform: Platform.ActivityPub,
        accountId: ALICE_ID,
        persona,
        sequence: 1n,
      });
    }

    // The same binding by account, from each node; the two combine into the registry's attestation.
    const served = await Promise.all(
      nodes.map(async (n) => {
        const { status, body } = await get(n, `/bindings/${Platform.ActivityPub}/${ALICE_ID}`);
        expect(status).toBe(200);
        return parseServedBindings(body).bindings;
      }),
    );
    const signed = served.map((b) => b[0]) as SignedBinding[];
    expect(signed).toHaveLength(2);
    const attestation = combineBindingSignatures(setId, members, signed);
    const b = signed[0] as SignedBinding;
    const wallet = createWalletClient({ account: owner, chain: chainA, transport: http(rpcA) });
    const hash = await wallet.writeContract({
      address: revenue.identityRegistry,
      abi: identityRegistryAbi,
      functionName: "bind",
      args: [b.binding.platform, b.binding.accountId, b.binding.persona, BigInt(b.binding.sequence), attestation],
    });
    expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");
    expect(
      await client.readContract({
        address: revenue.identityRegistry,
        abi: identityRegistryAbi,
        functionName: "personaOf",
        args: [Platform.ActivityPub, ALICE_ID],
      }),
    ).toBe(persona);
  });

  it("validates the binding routes' inputs", async () => {
    const node = nodes[0] as AggregatorNode;
    expect(await get(node, "/bindings/pending?limit=0")).toMatchObject({ status: 400 });
    expect(await get(node, "/bindings/pending?limit=abc")).toMatchObject({ status: 400 });
    expect(await get(node, `/bindings/999/${ALICE_ID}`)).toMatchObject({ status: 400 });
    expect(await get(node, "/bindings/3/0x1234")).toMatchObject({ status: 400 });
    const none = await get(node, `/bindings/${Platform.Farcaster}/${ALICE_ID}`);
    expect(none.status).toBe(200);
    expect(parseServedBindings(none.body).bindings).toEqual([]);
    const post = await fetch(`${node.server.url}/bindings/pending`, { method: "POST" });
    expect(post.status).toBe(405);
  });
});
