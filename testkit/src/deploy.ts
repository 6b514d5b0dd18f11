// Deploys maskoii on two EVM chains with Hardhat Ignition, links them and writes deployments/<chainId>.json.
// Used by scripts/devnet.ts, scripts/deploy.ts (the CLI), the deploy fixture, the contract tests and the benches.
// Re-running it resumes Ignition's journal and only completes missing links; `freshChains` drops the journal first
// (for chains restarted since the last run).

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  bridgedTokenAbi,
  campaignLedgerAbi,
  type Deployment,
  type DeploymentRevenue,
  type DomainFamily,
  gatewayAbi,
  getDomain,
  parseDeployment,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import type { NetworkConnection } from "hardhat/types/network";
import { type Address, getAddress, type Hash, type Hex, type PublicClient, pad } from "viem";
import { DeployError } from "./errors.ts";
import MaskoiiModule from "./ignition.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Token bridge modes (TokenBridge.MODE_LOCK / MODE_MINT). */
export const MODE_LOCK = 0;
export const MODE_MINT = 1;
/** Demo tokens have 18 decimals and travel with 8 shared decimals (protocol §8 default min(L, 8)). */
export const DEMO_DECIMALS = 18;
export const SHARED_DECIMALS = 8;

/** A bucket in shared units: `capacity`, refilled at `refillPerSecond`. */
export type Bucket = { capacity: bigint; refillPerSecond: bigint };
export type RouteLimits = { outbound: Bucket; inbound: Bucket };
export type Fees = { baseFee: bigint; feePerByte: bigint };

/** 1,000,000 tokens (8 shared decimals) per direction, refilled over a day. */
export const DEFAULT_LIMITS: RouteLimits = {
  outbound: { capacity: 10n ** 14n, refillPerSecond: 10n ** 14n / 86_400n },
  inbound: { capacity: 10n ** 14n, refillPerSecond: 10n ** 14n / 86_400n },
};
/** A token fee for the devnet relayer: 0.00001 ETH per message plus 1 gwei per payload byte. */
export const DEFAULT_FEES: Fees = { baseFee: 10n ** 13n, feePerByte: 10n ** 9n };

export type ChainTarget = {
  /** A Hardhat network connection (in-process `chainA`/`chainB` in tests, http `devnetA`/`devnetB` on the devnet). */
  connection: NetworkConnection;
  domain: number;
  /** Recorded in the deployment file when given. */
  rpcUrl?: string;
  /** Symbol of this chain's canonical demo token; the remote chain's BridgedToken gets `b` + this. */
  demoSymbol?: string;
};

export type DeployOptions = {
  chains: readonly [ChainTarget, ChainTarget];
  attesters: readonly Address[];
  weights: readonly bigint[];
  thresholdBps: number;
  overlapWindow?: number;
  emergencyDelay?: number;
  limits?: RouteLimits;
  fees?: Fees;
  /** The revenue suite's parameters (defaults: `DEFAULT_REVENUE`); `false` skips deploying it. */
  revenue?: Partial<RevenueParams> | false;
  /** Where to write <chainId>.json; nothing is written when undefined. */
  deploymentsDir?: string;
  /**
   * The chains were just started: drop Ignition's journal of an earlier run (it would otherwise claim the contracts
   * of a previous chain instance are already deployed).
   */
  freshChains?: boolean;
  log?: (line: string) => void;
};

/** Parameters of the revenue suite (docs/ads.md). */
export type RevenueParams = {
  /** Seconds per epoch of the CommunityRegistry clock. */
  epochLength: number;
  /** Seconds a report stays challengeable (EpochReports). */
  challengeWindow: number;
  /** Wei a disputing attester bonds (EpochReports). */
  disputeBond: bigint;
  /** Seconds after a campaign's last billable epoch before its refund (CampaignLedger). */
  refundDelay: number;
};

/** Production-like defaults: one-hour epochs and window. The devnet passes short ones. */
export const DEFAULT_REVENUE: RevenueParams = {
  epochLength: 3600,
  challengeWindow: 3600,
  disputeBond: 10n ** 17n,
  refundDelay: 3600,
};

/** Addresses of one chain's deployment. */
export type ChainContracts = {
  /** The Gateway, which is also the chain's attester set (verify/rotate/equivocation; `attesterSet()` is itself). */
  gateway: Address;
  tokenBridge: Address;
  /** This chain's canonical demo token (lock/release). */
  demoToken: Address;
  /** The BridgedToken representing the remote chain's demo token (burn/mint). */
  bridgedToken: Address;
};

export type ChainDeployment = {
  connection: NetworkConnection;
  domain: number;
  chainId: number;
  contracts: ChainContracts;
  /** The revenue suite (also in `deployment.contracts.revenue`); undefined when `revenue: false`. */
  revenue?: DeploymentRevenue;
  /** The file content (validated by the sdk's schema). */
  deployment: Deployment;
};

/** An EVM address in the 32-byte sender/recipient convention (left-padded, lowercase hex as the chain returns it). */
export function toBytes32(address: Address): Hex {
  return pad(address.toLowerCase() as Hex, { size: 32 });
}

async function confirm(publicClient: PublicClient, hash: Hash, what: string): Promise<void> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new DeployError(`${what} reverted (tx ${hash})`);
}

/** Deploys the Ignition module on one chain. */
async function deployChain(target: ChainTarget, options: DeployOptions, remoteSymbol: string) {
  const publicClient = await target.connection.viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  const startBlock = await publicClient.getBlockNumber();
  const deploymentId = `maskoii-${chainId}`;
  if (options.freshChains === true) {
    rmSync(join(ROOT, "contracts", "ignition", "deployments", deploymentId), { recursive: true, force: true });
  }
  const demoSymbol = target.demoSymbol ?? `DEMO${target.domain}`;
  // Annotated: without generated artifact types Ignition cannot name the contracts' ABIs; only addresses are used.
  const result: Record<keyof ChainContracts, { address: Address }> = await target.connection.ignition.deploy(
    MaskoiiModule,
    {
      deploymentId,
      displayUi: false,
      parameters: {
        Maskoii: {
          domain: target.domain,
          attesters: [...options.attesters],
          weights: [...options.weights],
          thresholdBps: options.thresholdBps,
          ...(options.overlapWindow === undefined ? {} : { overlapWindow: options.overlapWindow }),
          ...(options.emergencyDelay === undefined ? {} : { emergencyDelay: options.emergencyDelay }),
          demoName: `maskoii demo ${demoSymbol}`,
          demoSymbol,
          demoDecimals: DEMO_DECIMALS,
          bridgedName: `maskoii bridged ${remoteSymbol}`,
          bridgedSymbol: `b${remoteSymbol}`,
          bridgedDecimals: DEMO_DECIMALS,
        },
      },
    },
  );
  const contracts: ChainContracts = {
    gateway: getAddress(result.gateway.address),
    tokenBridge: getAddress(result.tokenBridge.address),
    demoToken: getAddress(result.demoToken.address),
    bridgedToken: getAddress(result.bridgedToken.address),
  };
  return { chainId, startBlock, demoSymbol, contracts };
}

/**
 * Links `local` to `remote`: remote bridge, token registration and links, rate limits, gateway fee. Idempotent: a step
 * whose state is already in place is skipped, so a re-run (Ignition resumes from its journal) completes the wiring
 * instead of failing on `TokenAlreadyRegistered`.
 */
async function linkChain(
  local: { connection: NetworkConnection; contracts: ChainContracts },
  remote: { domain: number; contracts: ChainContracts },
  limits: RouteLimits,
  fees: Fees,
): Promise<void> {
  const publicClient = await local.connection.viem.getPublicClient();
  const [owner] = await local.connection.viem.getWalletClients();
  if (owner === undefined) throw new DeployError("the network connection has no wallet account");
  const bridge = { address: local.contracts.tokenBridge, abi: tokenBridgeAbi } as const;
  const send = async (what: string, hash: Promise<Hash>): Promise<void> => confirm(publicClient, await hash, what);
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

  const remoteBridge = toBytes32(remote.contracts.tokenBridge);
  const currentBridge = await publicClient.readContract({
    ...bridge,
    functionName: "remoteBridge",
    args: [remote.domain],
  });
  if (!same(currentBridge, remoteBridge)) {
    await send(
      "setRemoteBridge",
      owner.writeContract({ ...bridge, functionName: "setRemoteBridge", args: [remote.domain, remoteBridge] }),
    );
  }
  const routes = [
    { token: local.contracts.demoToken, mode: MODE_LOCK, remoteToken: remote.contracts.bridgedToken },
    { token: local.contracts.bridgedToken, mode: MODE_MINT, remoteToken: remote.contracts.demoToken },
  ];
  for (const route of routes) {
    const [registered, mode, , sharedDecimals] = await publicClient.readContract({
      ...bridge,
      functionName: "tokenConfig",
      args: [route.token],
    });
    if (!registered) {
      await send(
        "registerToken",
        owner.writeContract({
          ...bridge,
          functionName: "registerToken",
          args: [route.token, route.mode, SHARED_DECIMALS],
        }),
      );
    } else if (mode !== route.mode || sharedDecimals !== SHARED_DECIMALS) {
      throw new DeployError(`${route.token} is registered with mode ${mode} / ${sharedDecimals} shared decimals`);
    }
    const remoteToken = toBytes32(route.remoteToken);
    const linked = await publicClient.readContract({
      ...bridge,
      functionName: "remoteToken",
      args: [route.token, remote.domain],
    });
    if (!same(linked, remoteToken)) {
      await send(
        "linkToken",
        owner.writeContract({ ...bridge, functionName: "linkToken", args: [route.token, remote.domain, remoteToken] }),
      );
    }
    const [, outCapacity, outRefill] = await publicClient.readContract({
      ...bridge,
      functionName: "outboundBucket",
      args: [route.token, remote.domain],
    });
    const [, inCapacity, inRefill] = await publicClient.readContract({
      ...bridge,
      functionName: "inboundBucket",
      args: [route.token, remote.domain],
    });
    if (
      outCapacity !== limits.outbound.capacity ||
      outRefill !== limits.outbound.refillPerSecond ||
      inCapacity !== limits.inbound.capacity ||
      inRefill !== limits.inbound.refillPerSecond
    ) {
      await send(
        "setRateLimits",
        owner.writeContract({
          ...bridge,
          functionName: "setRateLimits",
          args: [
            route.token,
            remote.domain,
            limits.outbound.capacity,
            limits.outbound.refillPerSecond,
            limits.inbound.capacity,
            limits.inbound.refillPerSecond,
          ],
        }),
      );
    }
  }
  const gateway = { address: local.contracts.gateway, abi: gatewayAbi } as const;
  const [baseQuote, perByteQuote] = await Promise.all([
    publicClient.readContract({ ...gateway, functionName: "quoteFee", args: [remote.domain, 0n] }),
    publicClient.readContract({ ...gateway, functionName: "quoteFee", args: [remote.domain, 1n] }),
  ]);
  if (baseQuote !== fees.baseFee || perByteQuote - baseQuote !== fees.feePerByte) {
    await send(
      "setFee",
      owner.writeContract({ ...gateway, functionName: "setFee", args: [remote.domain, fees.baseFee, fees.feePerByte] }),
    );
  }
  await configureDestinationFamily(local.connection, local.contracts.gateway, remote.domain);
}

type Linkable = { connection: NetworkConnection; domain: number; contracts: ChainContracts };

/** Links two deployed chains both ways (idempotent: what is already in place is left alone). */
export async function linkChains(a: Linkable, b: Linkable, limits: RouteLimits, fees: Fees): Promise<void> {
  await linkChain(a, b, limits, fees);
  await linkChain(b, a, limits, fees);
}

/** Gateway destination families (contracts/src/libraries/ChainFamily.sol; 0 = unknown, no send-time check). */
export const DESTINATION_FAMILY = { evm: 1, svm: 2 } as const satisfies Record<DomainFamily, number>;

/**
 * Declares `domain`'s chain family (from the sdk's domain registry) on a gateway, so that `send` and
 * `transferRemote` refuse recipients that domain can never accept (docs/protocol.md §8.1). Idempotent.
 */
export async function configureDestinationFamily(
  connection: NetworkConnection,
  gatewayAddress: Address,
  domain: number,
): Promise<void> {
  const publicClient = await connection.viem.getPublicClient();
  const [owner] = await connection.viem.getWalletClients();
  if (owner === undefined) throw new DeployError("the network connection has no wallet account");
  const gateway = { address: gatewayAddress, abi: gatewayAbi } as const;
  const family = DESTINATION_FAMILY[getDomain(domain).family];
  const current = await publicClient.readContract({ ...gateway, functionName: "destinationFamily", args: [domain] });
  if (current === family) return;
  const hash = await owner.writeContract({ ...gateway, functionName: "setDestinationFamily", args: [domain, family] });
  await confirm(publicClient, hash, `setDestinationFamily(${domain})`);
}

/** Reads back what a deployment must satisfy; throws DeployError on any mismatch. */
async function checkWiring(local: ChainDeployment, remote: ChainDeployment): Promise<void> {
  const publicClient = await local.connection.viem.getPublicClient();
  const c = local.contracts;
  const expectations: Array<[string, Promise<unknown>, unknown]> = [
    [
      "gateway.localDomain",
      publicClient.readContract({ address: c.gateway, abi: gatewayAbi, functionName: "localDomain" }),
      local.domain,
    ],
    [
      // The Gateway is its own attester set: rotation attestations name it as the verifier.
      "gateway.attesterSet",
      publicClient.readContract({ address: c.gateway, abi: gatewayAbi, functionName: "attesterSet" }),
      c.gateway,
    ],
    [
      "gateway.currentSetId",
      publicClient.readContract({ address: c.gateway, abi: gatewayAbi, functionName: "currentSetId" }),
      1n,
    ],
    [
      "tokenBridge.remoteBridge",
      publicClient.readContract({
        address: c.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "remoteBridge",
        args: [remote.domain],
      }),
      toBytes32(remote.contracts.tokenBridge),
    ],
    [
      "bridgedToken.bridge",
      publicClient.readContract({ address: c.bridgedToken, abi: bridgedTokenAbi, functionName: "bridge" }),
      c.tokenBridge,
    ],
  ];
  for (const [what, actual, expected] of expectations) {
    const value = await actual;
    const same =
      typeof value === "string" && typeof expected === "string"
        ? value.toLowerCase() === expected.toLowerCase()
        : value === expected;
    if (!same) throw new DeployError(`${what} is ${String(value)}, expected ${String(expected)}`);
  }
}

/**
 * Deploys the revenue suite on one chain next to its Gateway (the attester set): CommunityRegistry (genesis = the
 * latest block's timestamp), IdentityRegistry, CampaignLedger (owner and fee recipient: the first account),
 * EpochReports, CreatorPayouts, and wires the ledger's modules. When `previous` names a suite whose contracts still
 * have code (a re-run against running chains), it is kept instead.
 */
export async function deployRevenue(
  connection: NetworkConnection,
  gateway: Address,
  params: RevenueParams,
  previous?: DeploymentRevenue,
): Promise<DeploymentRevenue> {
  const publicClient = await connection.viem.getPublicClient();
  if (previous !== undefined) {
    const codes = await Promise.all(
      [previous.communityRegistry, previous.campaignLedger, previous.epochReports, previous.creatorPayouts].map(
        (address) => publicClient.getCode({ address }),
      ),
    );
    if (codes.every((code) => code !== undefined && code !== "0x")) return previous;
  }
  const [owner] = await connection.viem.getWalletClients();
  if (owner === undefined) throw new DeployError("the network connection has no wallet account");
  const genesis = Number((await publicClient.getBlock()).timestamp);
  const viem = connection.viem;
  const registry = await viem.deployContract("CommunityRegistry", [genesis, params.epochLength]);
  const identity = await viem.deployContract("IdentityRegistry", [gateway]);
  const ledger = await viem.deployContract("CampaignLedger", [
    registry.address,
    owner.account.address,
    owner.account.address,
    params.refundDelay,
  ]);
  const reports = await viem.deployContract("EpochReports", [
    gateway,
    registry.address,
    ledger.address,
    params.challengeWindow,
    params.disputeBond,
  ]);
  const payouts = await viem.deployContract("CreatorPayouts", [ledger.address]);
  await confirm(
    publicClient,
    await owner.writeContract({
      address: ledger.address,
      abi: campaignLedgerAbi,
      functionName: "setModules",
      args: [reports.address, payouts.address],
    }),
    "CampaignLedger.setModules",
  );
  return {
    communityRegistry: getAddress(registry.address),
    identityRegistry: getAddress(identity.address),
    campaignLedger: getAddress(ledger.address),
    epochReports: getAddress(reports.address),
    creatorPayouts: getAddress(payouts.address),
    genesis,
    epochLength: params.epochLength,
    challengeWindow: params.challengeWindow,
  };
}

/** The revenue suite of an earlier deployment file, if there is a readable one. */
function previousRevenue(dir: string | undefined, chainId: number): DeploymentRevenue | undefined {
  if (dir === undefined) return undefined;
  const file = join(dir, `${chainId}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return parseDeployment(JSON.parse(readFileSync(file, "utf8")), file).contracts.revenue;
  } catch {
    return undefined;
  }
}

/** Deploys on both chains, links them both ways, checks the wiring and (optionally) writes the deployment files. */
export async function deployMaskoii(options: DeployOptions): Promise<[ChainDeployment, ChainDeployment]> {
  const log = options.log ?? (() => {});
  const [targetA, targetB] = options.chains;
  const symbolA = targetA.demoSymbol ?? `DEMO${targetA.domain}`;
  const symbolB = targetB.demoSymbol ?? `DEMO${targetB.domain}`;

  const deployed = [
    { target: targetA, ...(await deployChain(targetA, options, symbolB)) },
    { target: targetB, ...(await deployChain(targetB, options, symbolA)) },
  ] as const;
  for (const d of deployed) {
    log(`deployed on domain ${d.target.domain} (chain id ${d.chainId}):`);
    for (const [name, address] of Object.entries(d.contracts)) log(`  ${name.padEnd(12)} ${address}`);
  }

  const revenueParams = options.revenue === false ? undefined : { ...DEFAULT_REVENUE, ...options.revenue };
  const revenues: (DeploymentRevenue | undefined)[] = [];
  for (const d of deployed) {
    if (revenueParams === undefined) {
      revenues.push(undefined);
      continue;
    }
    const previous = options.freshChains === true ? undefined : previousRevenue(options.deploymentsDir, d.chainId);
    const revenue = await deployRevenue(d.target.connection, d.contracts.gateway, revenueParams, previous);
    revenues.push(revenue);
    log(`revenue suite on domain ${d.target.domain}:`);
    for (const [name, value] of Object.entries(revenue)) log(`  ${name.padEnd(17)} ${value}`);
  }

  const [a, b] = deployed;
  await linkChains(
    { connection: a.target.connection, domain: a.target.domain, contracts: a.contracts },
    { connection: b.target.connection, domain: b.target.domain, contracts: b.contracts },
    options.limits ?? DEFAULT_LIMITS,
    options.fees ?? DEFAULT_FEES,
  );
  log("linked both chains (remote bridges, tokens, rate limits, fees)");

  const results = deployed.map((d, i): ChainDeployment => {
    const remoteSymbol = i === 0 ? symbolB : symbolA;
    const revenue = revenues[i];
    const deployment = parseDeployment(
      {
        chainId: d.chainId,
        domain: d.target.domain,
        ...(d.target.rpcUrl === undefined ? {} : { rpcUrl: d.target.rpcUrl }),
        contracts: {
          gateway: d.contracts.gateway,
          tokenBridge: d.contracts.tokenBridge,
          tokens: {
            [d.demoSymbol]: {
              address: d.contracts.demoToken,
              mode: "lock",
              decimals: DEMO_DECIMALS,
              sharedDecimals: SHARED_DECIMALS,
            },
            [`b${remoteSymbol}`]: {
              address: d.contracts.bridgedToken,
              mode: "mint",
              decimals: DEMO_DECIMALS,
              sharedDecimals: SHARED_DECIMALS,
            },
          },
          ...(revenue === undefined ? {} : { revenue }),
        },
        deployedAt: { blockNumber: Number(d.startBlock) + 1 },
      },
      `deployment of domain ${d.target.domain}`,
    );
    return {
      connection: d.target.connection,
      domain: d.target.domain,
      chainId: d.chainId,
      contracts: d.contracts,
      ...(revenue === undefined ? {} : { revenue }),
      deployment,
    };
  }) as [ChainDeployment, ChainDeployment];

  await checkWiring(results[0], results[1]);
  await checkWiring(results[1], results[0]);

  if (options.deploymentsDir !== undefined) {
    mkdirSync(options.deploymentsDir, { recursive: true });
    for (const r of results) {
      const file = join(options.deploymentsDir, `${r.chainId}.json`);
      writeFileSync(file, `${JSON.stringify(r.deployment, null, 2)}\n`);
      log(`wrote ${file}`);
    }
  }
  return results;
}

export { DeployError };
