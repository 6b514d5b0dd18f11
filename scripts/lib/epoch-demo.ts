// Devnet step: the community's epoch closed by the aggregator nodes (issue 16 point 5). Viewers' Farcaster accounts are
// bound on chain (the revenue demo's quick way: the attester keys sign the binding), the community owner lowers k to the
// viewers' count, and each viewer sends signed beacons (ad impressions and an engagement for the running campaign, an
// impression and an engagement on the Mastodon persona's post) to its home node. After the epoch ends plus the nodes'
// close grace, each node's epoch loop fetches the other's contribution, builds and signs the report; the relayer's
// report submitter (`startRelayer` with `relayer.reports`, in this process) submits the agreed report and finalizes it;
// the persona fetches its own proof (signed request) and its claim is paid.
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { homeNodeOf, PayoutStore, signBeacon, signPayoutRequest } from "@maskoii/aggregator";
import { createLogger } from "@maskoii/node-kit";
import { parseConfig as parseRelayerConfig, type RelayerHandle, resolveChains, startRelayer } from "@maskoii/relayer";
import {
  bindingAttestationDigest,
  buildAttestation,
  communityRegistryAbi,
  epochReportsAbi,
  farcasterAccountId,
  Platform,
  parsePayoutEntries,
  RevenueClient,
} from "@maskoii/sdk";
import { type Attester, demoTokenAbi, until } from "@maskoii/testkit";
import type { ChainDeployment } from "@maskoii/testkit/deploy";
import { type Address, formatUnits, getAddress, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { AggregatorDemo } from "./aggregator-demo.ts";
import { DemoError } from "./demo.ts";
import type { RevenueDemoResult } from "./revenue-demo.ts";

const VIEWERS = 3;
const WAIT_MS = 60_000;

type Pending = { reports: { community: string; epoch: string; reportHash: Hex; signer: Hex }[] };
type StoredReport = {
  report: {
    engagedAccounts: number;
    lines: { campaignId: string; impressions: string; engagements: string; spend: string }[];
  };
};

export async function runEpochDemo(args: {
  chain: ChainDeployment;
  rpcUrl: string;
  deploymentFile: string;
  attesters: readonly Attester[];
  quorum: number;
  revenue: RevenueDemoResult;
  aggregator: AggregatorDemo;
  closeGraceMs: number;
  /** The key paying the report submitter's transactions (a funded devnet account not otherwise busy). */
  payingKey: Hex;
  dir: string;
  log: (line: string) => void;
}): Promise<void> {
  const { chain, log, aggregator } = args;
  const revenue = chain.revenue;
  if (revenue === undefined) throw new DemoError("the revenue suite is not deployed on chain A");
  const publicClient = await chain.connection.viem.getPublicClient();
  const wallets = await chain.connection.viem.getWalletClients();
  const communityOwner = wallets[4];
  const helper = wallets[8];
  if (communityOwner === undefined || helper === undefined) throw new DemoError("the devnet needs ten accounts");
  const community = args.revenue.communityId;
  const epochReports = revenue.epochReports;
  const campaignId = args.revenue.campaignId;
  const token = chain.contracts.demoToken;
  const members = args.attesters.map((a) => getAddress(a.account.address));
  const signers = args.attesters.slice(0, args.quorum).map((a) => a.privateKey);
  const client = new RevenueClient({ publicClient, addresses: revenue });
  const fmt = (amount: bigint) => `${formatUnits(amount, 18)} DEMO`;
  const tick = () => publicClient.request({ method: "evm_mine" } as never);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const nodes = aggregator.nodes;
  const domain = { chainId: chain.chainId, communityRegistry: getAddress(revenue.communityRegistry) };

  // 1. The nodes learn the chain's payout tip: the revenue demo reported its epoch by hand, outside the task, so its
  //    payout state (public: every claimant holds its leaf) is stored on each node as if the node had built it.
  const p = args.revenue.payout;
  for (const node of nodes) {
    await new PayoutStore(node.store.db).importPayoutState({
      state: { root: p.root, entries: p.entries.map((e) => ({ ...e, slot: BigInt(e.slot) })) },
      prevRoot: p.prevRoot,
      community,
      epoch: p.epoch,
      reportHash: p.reportHash,
      at: Date.now(),
    });
  }

  // 2. Viewers: their Farcaster accounts bound on chain; k lowered to their count by the community's owner.
  const viewers = Array.from({ length: VIEWERS }, () => privateKeyToAccount(generatePrivateKey()));
  for (const [i, viewer] of viewers.entries()) {
    const binding = {
      platform: Platform.Farcaster,
      accountId: farcasterAccountId(BigInt(9_001 + i)),
      persona: viewer.address,
      sequence: 1n,
    };
    const digest = bindingAttestationDigest({
      domain: chain.domain,
      identityRegistry: revenue.identityRegistry,
      attesterSetId: 1n,
      binding,
    });
    await client
      .withWallet(helper)
      .bind(binding, buildAttestation({ digest, attesterSetId: 1n, attesters: members, signers }));
  }
  const hash = await communityOwner.writeContract({
    address: revenue.communityRegistry,
    abi: communityRegistryAbi,
    functionName: "setKAnonymity",
    args: [community, VIEWERS],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  log(`bound ${VIEWERS} viewers (farcaster fids 9001..${9_000 + VIEWERS}); community ${community}: k = ${VIEWERS}`);

  // The nodes read k (and the campaigns) at the last block of the epoch's end; the devnet's chain mines many blocks a
  // second at deploy, so its clock runs ahead of the wall clock: the beacons' epoch starts after k's block.
  const kAt = Number((await publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp) * 1_000;
  if (kAt >= Date.now()) {
    log(
      `waiting ${Math.ceil((kAt - Date.now()) / 1_000) + 1} s for the wall clock to pass k's block (the chain runs ahead)`,
    );
    await sleep(kAt - Date.now() + 1_000);
  }

  // 3. The beacons, early in an epoch (the devnet's epochs are short): each viewer at its home node.
  const { genesis, epochLength } = { genesis: revenue.genesis, epochLength: revenue.epochLength };
  const epochAt = (ms: number) => Math.floor((ms / 1_000 - genesis) / epochLength);
  const endOf = (e: number) => (genesis + (e + 1) * epochLength) * 1_000;
  if (endOf(epochAt(Date.now())) - Date.now() < 8_000) await sleep(endOf(epochAt(Date.now())) - Date.now() + 500);
  const epoch = epochAt(Date.now());
  const post = aggregator.persona.postId;
  for (const [i, viewer] of viewers.entries()) {
    const account = { platform: Platform.Farcaster, accountId: farcasterAccountId(BigInt(9_001 + i)) };
    const at = Math.floor(Date.now() / 1_000);
    const fields = [
      { action: "impression", target: `ad:${campaignId}` },
      { action: "impression", target: `ad:${campaignId}` },
      { action: "engagement", target: `ad:${campaignId}` },
      { action: "impression", target: `post:${post}` },
      { action: "engagement", target: `post:${post}` },
    ] as const;
    const beacons = await Promise.all(
      fields.map((f) => signBeacon({ community: community.toString(), epoch, ...account, ...f, at }, domain, viewer)),
    );
    const home = aggregator.koiiPublicKeys.indexOf(homeNodeOf(viewer.address, aggregator.koiiPublicKeys));
    const res = await fetch(`${nodes[home]?.server.url}/beacons`, {
      method: "POST",
      body: JSON.stringify({ beacons }),
    });
    const body = (await res.json()) as { verdicts?: { verdict: string }[] };
    const verdicts = (body.verdicts ?? []).map((v) => v.verdict);
    if (res.status !== 200 || verdicts.some((v) => v !== "accepted")) {
      throw new DemoError(`beacons refused at node ${home}: ${res.status} ${JSON.stringify(body)}`);
    }
  }
  log(
    `epoch ${epoch}: ${VIEWERS} viewers sent ${VIEWERS * 5} signed beacons to their home nodes ` +
      `(ad:${campaignId} impressions and engagements, post ${post} by persona ${aggregator.persona.address})`,
  );

  // 4. The epoch ends; past the nodes' close grace each node's loop builds and signs the report.
  const due = endOf(epoch) + args.closeGraceMs;
  log(`waiting for epoch ${epoch} to end and the nodes' ${args.closeGraceMs / 1_000} s close grace to pass`);
  for (;;) {
    const left = due - Date.now();
    if (left <= 0) break;
    log(`  ${Math.ceil(left / 1_000)} s until the nodes close epoch ${epoch}`);
    await sleep(Math.min(left, 15_000));
  }
  const pending = await Promise.all(
    nodes.map((n) =>
      until(
        `${n.server.url}'s report of epoch ${epoch}`,
        async () => {
          const outcome = await n.reports?.store.outcomeOf(community, BigInt(epoch));
          if (outcome !== undefined && outcome !== "report") {
            throw new DemoError(`${n.server.url} decided epoch ${epoch} without a report: ${outcome}`);
          }
          const res = await fetch(`${n.server.url}/reports/pending`);
          const body = (await res.json()) as Pending;
          return body.reports.find((r) => r.community === community.toString() && r.epoch === String(epoch));
        },
        { timeoutMs: WAIT_MS },
      ),
    ),
  ).catch(async (error: unknown) => {
    throw new DemoError(`${error instanceof Error ? error.message : String(error)}; ${await diagnose()}`);
  });
  const reportHash = pending[0]?.reportHash;
  if (reportHash === undefined || pending.some((r) => r.reportHash !== reportHash)) {
    throw new DemoError(`the nodes disagree on epoch ${epoch}: ${pending.map((r) => r.reportHash).join(", ")}`);
  }
  const stored = (await (await fetch(`${nodes[0]?.server.url}/reports/${community}/${epoch}`)).json()) as StoredReport;
  const spend = stored.report.lines.reduce((s, l) => s + BigInt(l.spend), 0n);
  log(
    `report of epoch ${epoch}: ${stored.report.engagedAccounts} engaged accounts, ` +
      stored.report.lines
        .map(
          (l) =>
            `campaign ${l.campaignId}: ${l.impressions} impressions, ${l.engagements} engagements -> ${fmt(BigInt(l.spend))}`,
        )
        .join("; ") +
      `; spend ${fmt(spend)}`,
  );
  log(
    `nodes agree: ${nodes.length} of ${nodes.length} signed report ${reportHash} (${pending.map((r) => r.signer).join(", ")})`,
  );

  // 5. The relayer's report submitter polls the nodes, submits the agreed report, and finalizes it.
  let relayer: RelayerHandle | undefined;
  await mkdir(args.dir, { recursive: true });
  try {
    const config = await resolveChains(
      parseRelayerConfig({
        profile: "dev",
        chains: [
          {
            domain: chain.domain,
            rpcUrl: args.rpcUrl,
            deploymentFile: args.deploymentFile,
            finality: { kind: "confirmations", depth: 0 },
          },
        ],
        keys: { keystore: "unused.json" },
        store: { kind: "sqlite", path: join(args.dir, `relayer-${Date.now()}.sqlite`) },
        relayer: {
          // Only the report submitter works here (the devnet's relayer process delivers the messages).
          attesters: ["http://127.0.0.1:9"],
          reports: {
            nodes: aggregator.nodeUrls,
            domain: chain.domain,
            pollIntervalMs: 500,
            requestTimeoutMs: 2_000,
            solanaPayouts: false,
          },
        },
      }),
      args.dir,
    );
    // The devnet's chains mine on demand: a block now, so the chain's clock shows the epoch over to the submitter.
    await tick();
    relayer = await startRelayer({
      config,
      payingKey: {
        kind: "secp256k1",
        privateKey: args.payingKey,
        publicId: privateKeyToAccount(args.payingKey).address,
      },
      log: createLogger({ level: "info", name: "report-submitter" }, createWriteStream(join(args.dir, "relayer.log"))),
    });
    const seq = await until(
      "the report submitted",
      async () => {
        await tick();
        const logs = await publicClient.getContractEvents({
          address: revenue.epochReports,
          abi: epochReportsAbi,
          eventName: "ReportSubmitted",
          fromBlock: 0n,
        });
        return logs.find((l) => l.args.reportHash === reportHash)?.args.seq;
      },
      { timeoutMs: WAIT_MS, everyMs: 1_000 },
    );
    log(`relayer submitted report ${seq} (epoch ${epoch}) from the nodes' /reports/pending`);
    await until(
      "the report final",
      async () => {
        await tick(); // the devnet's chains mine on demand: the challenge window passes with the blocks' time
        const r = await publicClient.readContract({
          address: revenue.epochReports,
          abi: epochReportsAbi,
          functionName: "reportOf",
          args: [seq],
        });
        return r.status === 4 ? true : undefined;
      },
      { timeoutMs: WAIT_MS, everyMs: 1_000 },
    );
    log(`relayer finalized report ${seq} after the ${revenue.challengeWindow} s challenge window`);
  } finally {
    await relayer?.stop();
  }

  // 6. The persona fetches its own proof (a signed request) and its claim is paid.
  const persona = aggregator.persona;
  const time = Date.now();
  const { signature } = await signPayoutRequest(persona.key, domain, time);
  const res = await fetch(`${nodes[0]?.server.url}/payouts/${persona.address}?token=${token}`, {
    headers: { "x-maskoii-time": String(time), "x-maskoii-signature": signature },
  });
  if (res.status !== 200) throw new DemoError(`payout proof refused: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { evm: { leaf: unknown; proof: Hex[] } };
  const [entry] = parsePayoutEntries([body.evm.leaf]);
  if (entry === undefined) throw new DemoError("the payout proof has no leaf");
  const before = await balance(persona.address);
  const { result: amount } = await client.withWallet(helper).claim(entry, body.evm.proof);
  const received = (await balance(persona.address)) - before;
  if (received !== amount || received <= 0n) {
    throw new DemoError(`creator ${persona.address} received ${received}, claimed ${amount}`);
  }
  log(`paid creator ${persona.address} ${fmt(received)} (its proof from ${nodes[0]?.server.url}/payouts, signed)`);

  /** What each node decided so far and whether it knows the chain's payout tip (for a failure's message). */
  async function diagnose(): Promise<string> {
    const prefix = await publicClient.readContract({
      address: epochReports,
      abi: epochReportsAbi,
      functionName: "pendingRoot",
    });
    const parts: string[] = [];
    for (const n of nodes) {
      const rows = await n.store.db.query<{ epoch: unknown; kind: unknown }>(
        "SELECT epoch, kind FROM agg_epoch_reports ORDER BY epoch",
      );
      const known = await n.reports?.store.rootByPrefix(prefix);
      parts.push(
        `${n.server.url}: tip ${prefix} ${known === undefined ? "unknown" : "known"}, decided ${rows.map((r) => `${String(r.epoch)}=${String(r.kind)}`).join(" ")}`,
      );
    }
    return parts.join("; ");
  }

  async function balance(who: Address): Promise<bigint> {
    return publicClient.readContract({ address: token, abi: demoTokenAbi, functionName: "balanceOf", args: [who] });
  }
}
