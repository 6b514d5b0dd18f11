// Writes subgraph.yaml for one network from its deployment file (deployments/<chainId>.json)
// and the sdk's ABIs. The manifest is a template: adding a network is a deployment file plus, optionally, a network
// name (`--network`, default from NETWORK_NAMES). Event signatures come from the ABIs, so an ABI change that
// drops or reshapes a handled event fails here, naming it.
//
//   node scripts/manifest.ts <deployment.json> [--network <graph network name>] [--out <dir>]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDeployment } from "@maskoii/sdk";

const SUBGRAPH_DIR = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);

/** The sdk's ABI files, through its package export `@maskoii/sdk/abi/*.json`. */
export function abiFile(contract: string): string {
  return require.resolve(`@maskoii/sdk/abi/${contract}.json`);
}

/** Graph network names of the known chains; any other chain needs `--network`. */
export const NETWORK_NAMES: Record<number, string> = {
  31337: "maskoii-devnet-a",
  31338: "maskoii-devnet-b",
};

/** The events each data source handles, and their handlers (src/<file>.ts). */
export const DATA_SOURCES = [
  {
    name: "Gateway",
    address: "gateway",
    file: "gateway",
    events: {
      MessageSent: "handleMessageSent",
      MessageDelivered: "handleMessageDelivered",
      MessageFailed: "handleMessageFailed",
      MessageRetried: "handleMessageRetried",
      MessageSkipped: "handleMessageSkipped",
      AttesterSetRotated: "handleAttesterSetRotated",
      EmergencyRotationProposed: "handleEmergencyRotationProposed",
      EmergencyRotationCancelled: "handleEmergencyRotationCancelled",
      AttesterSlashed: "handleAttesterSlashed",
    },
    entities: ["Message", "MessageEvent", "AttesterSet", "AttesterStats", "EmergencyRotation", "Slashing"],
  },
  {
    name: "TokenBridge",
    address: "tokenBridge",
    file: "token-bridge",
    events: {
      TokenRegistered: "handleTokenRegistered",
      TransferSent: "handleTransferSent",
      DistributionSent: "handleDistributionSent",
      TransferRefunded: "handleTransferRefunded",
      TransferReceived: "handleTransferReceived",
      TransferQueued: "handleTransferQueued",
      QueuedTransferReleased: "handleQueuedTransferReleased",
      QueuedTransferCancelled: "handleQueuedTransferCancelled",
      TransferRefundable: "handleTransferRefundable",
      RateLimitsSet: "handleRateLimitsSet",
    },
    entities: ["Message", "MessageEvent", "TokenTransfer", "BridgeToken", "QueuedTransfer", "RateLimit", "RouteVolume"],
  },
] as const;

type AbiParam = { type: string; indexed?: boolean; components?: AbiParam[] };
type AbiItem = { type: string; name?: string; inputs?: AbiParam[] };

export class ManifestError extends Error {
  override name = "ManifestError";
}

function paramType(p: AbiParam): string {
  if (p.type.startsWith("tuple")) return `(${(p.components ?? []).map(paramType).join(",")})${p.type.slice(5)}`;
  return p.type;
}

/** `Name(indexed type,...)`, the form graph-cli matches against the ABI. */
export function eventSignature(abi: readonly AbiItem[], contract: string, event: string): string {
  const item = abi.find((x) => x.type === "event" && x.name === event);
  if (item === undefined) throw new ManifestError(`${contract}'s ABI has no event ${event}`);
  const params = (item.inputs ?? []).map((p) => `${p.indexed === true ? "indexed " : ""}${paramType(p)}`);
  return `${event}(${params.join(",")})`;
}

export type ManifestOptions = { deploymentFile: string; network?: string; outDir?: string };

/** Renders the manifest (the network's constants go into each data source's `context`); writes it to `outDir` (default: the subgraph directory). */
export function writeManifest(options: ManifestOptions): { manifest: string; network: string } {
  const deployment = parseDeployment(JSON.parse(readFileSync(options.deploymentFile, "utf8")), options.deploymentFile);
  const network = options.network ?? NETWORK_NAMES[deployment.chainId];
  if (network === undefined) {
    throw new ManifestError(`no network name for chain ${deployment.chainId}: pass --network <name>`);
  }
  const outDir = options.outDir ?? SUBGRAPH_DIR;
  const abiPath = (name: string) => relative(outDir, abiFile(name));
  const srcPath = (file: string) => relative(outDir, join(SUBGRAPH_DIR, "src", `${file}.ts`));
  const startBlock = deployment.deployedAt?.blockNumber ?? 0;
  const sources = DATA_SOURCES.map((source) => {
    const abi = JSON.parse(readFileSync(abiFile(source.name), "utf8")) as AbiItem[];
    const handlers = Object.entries(source.events).map(
      ([event, handler]) =>
        `        - event: ${eventSignature(abi, source.name, event)}\n          handler: ${handler}\n          receipt: false`,
    );
    return [
      "  - kind: ethereum/contract",
      `    name: ${source.name}`,
      `    network: ${network}`,
      "    source:",
      `      address: "${deployment.contracts[source.address]}"`,
      `      abi: ${source.name}`,
      `      startBlock: ${startBlock}`,
      "    context:",
      "      domain:",
      "        type: Int",
      `        data: ${deployment.domain}`,
      "      tokenBridge:",
      "        type: String",
      `        data: "${deployment.contracts.tokenBridge.toLowerCase()}"`,
      "    mapping:",
      "      kind: ethereum/events",
      "      apiVersion: 0.0.9",
      "      language: wasm/assemblyscript",
      "      entities:",
      ...source.entities.map((e) => `        - ${e}`),
      "      abis:",
      `        - name: ${source.name}`,
      `          file: ${abiPath(source.name)}`,
      "      eventHandlers:",
      ...handlers,
      `      file: ${srcPath(source.file)}`,
    ].join("\n");
  });
  const manifest = [
    "# Generated by scripts/manifest.ts from a deployment file and the sdk's ABIs: do not edit.",
    "specVersion: 1.2.0",
    "description: maskoii bridge (issue 17)",
    "schema:",
    `  file: ${relative(outDir, join(SUBGRAPH_DIR, "schema.graphql"))}`,
    "dataSources:",
    ...sources,
    "",
  ].join("\n");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "subgraph.yaml"), manifest);
  return { manifest, network };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const value = args[at + 1];
    args.splice(at, 2);
    return value;
  };
  const network = flag("--network");
  const outDir = flag("--out");
  const [deploymentFile] = args;
  if (deploymentFile === undefined) {
    process.stderr.write("usage: node scripts/manifest.ts <deployment.json> [--network <name>] [--out <dir>]\n");
    process.exit(2);
  }
  const result = writeManifest({
    deploymentFile,
    ...(network === undefined ? {} : { network }),
    ...(outDir === undefined ? {} : { outDir }),
  });
  process.stdout.write(`wrote ${join(outDir ?? SUBGRAPH_DIR, "subgraph.yaml")} for ${result.network}\n`);
}
