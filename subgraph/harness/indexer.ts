// Feeds event logs to the built mappings as graph-node does: each log of a data source's address whose topic0 is a
// handled event's signature is decoded with the data source's ABI into an ethereum.Event (block, transaction,
// parameters) written into a fresh instance of the data source's wasm, and its handler is called. Triggers run in
// block then log order; the store is shared across them.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Deployment } from "@maskoii/sdk";
import {
  type Abi,
  type AbiEvent,
  type AbiParameter,
  type Block,
  decodeEventLog,
  type Hex,
  type Log,
  type PublicClient,
  type Transaction,
  toEventSelector,
} from "viem";
import { abiFile, DATA_SOURCES } from "../scripts/manifest.ts";
import {
  type AscMemory,
  type Entity,
  EntityStore,
  type LogLevel,
  MappingInstance,
  type StoreValue,
  TypeId,
} from "./host.ts";

const SUBGRAPH_DIR = fileURLToPath(new URL("..", import.meta.url));

type Handler = { event: AbiEvent; handler: string };

export type DataSource = {
  name: string;
  address: Hex;
  network: string;
  context: Entity;
  module: WebAssembly.Module;
  handlers: Map<Hex, Handler>;
};

export type Trigger = { log: Log; block: Block; transaction: Transaction };

/**
 * The built data sources (build/<Name>/<Name>.wasm) for one deployment, with the context scripts/manifest.ts puts
 * in the manifest for it.
 */
export function loadDataSources(
  deployment: Deployment,
  network = "maskoii-local",
  buildDir = join(SUBGRAPH_DIR, "build"),
): DataSource[] {
  const context: Entity = new Map<string, StoreValue>([
    ["domain", { kind: "Int", value: deployment.domain }],
    ["tokenBridge", { kind: "String", value: deployment.contracts.tokenBridge.toLowerCase() }],
  ]);
  return DATA_SOURCES.map((source) => {
    const address = deployment.contracts[source.address];
    const abi = JSON.parse(readFileSync(abiFile(source.name), "utf8")) as Abi;
    const handlers = new Map<Hex, Handler>();
    for (const [name, handler] of Object.entries(source.events)) {
      const event = abi.find((x): x is AbiEvent => x.type === "event" && x.name === name);
      if (event === undefined) throw new Error(`${source.name}'s ABI has no event ${name}`);
      handlers.set(toEventSelector(event), { event, handler });
    }
    const wasm = readFileSync(join(buildDir, source.name, `${source.name}.wasm`));
    return {
      name: source.name,
      address: address.toLowerCase() as Hex,
      network,
      context,
      module: new WebAssembly.Module(wasm),
      handlers,
    };
  });
}

const bytes = (hex: Hex | null | undefined) => Buffer.from((hex ?? "0x").slice(2), "hex");

function writeBlock(m: AscMemory, block: Block): number {
  const b = (hex: Hex | null | undefined) => m.writeBytes(bytes(hex));
  const n = (v: bigint | null | undefined) => m.writeBigInt(v ?? 0n);
  return m.writeObject(
    [
      b(block.hash),
      b(block.parentHash),
      b(block.sha3Uncles),
      b(block.miner),
      b(block.stateRoot),
      b(block.transactionsRoot),
      b(block.receiptsRoot),
      n(block.number),
      n(block.gasUsed),
      n(block.gasLimit),
      n(block.timestamp),
      n(block.difficulty),
      n(block.totalDifficulty),
      block.size === undefined ? 0 : n(block.size),
      block.baseFeePerGas === null || block.baseFeePerGas === undefined ? 0 : n(block.baseFeePerGas),
    ],
    TypeId.EthereumBlock,
  );
}

function writeTransaction(m: AscMemory, tx: Transaction): number {
  return m.writeObject(
    [
      m.writeBytes(bytes(tx.hash)),
      m.writeBigInt(BigInt(tx.transactionIndex ?? 0)),
      m.writeBytes(bytes(tx.from)),
      tx.to === null ? 0 : m.writeBytes(bytes(tx.to)),
      m.writeBigInt(tx.value),
      m.writeBigInt(tx.gas),
      m.writeBigInt(tx.gasPrice ?? 0n),
      m.writeBytes(bytes(tx.input)),
      m.writeBigInt(BigInt(tx.nonce)),
    ],
    TypeId.EthereumTransaction,
  );
}

/** ethereum.Event: address, logIndex, transactionLogIndex, logType, block, transaction, parameters, receipt. */
function writeEvent(m: AscMemory, trigger: Trigger, event: AbiEvent): number {
  const { log } = trigger;
  const decoded = decodeEventLog({ abi: [event], data: log.data, topics: log.topics, strict: true });
  const args = (decoded.args ?? {}) as Record<string, unknown>;
  const params = event.inputs.map((input: AbiParameter, i) => {
    const name = input.name ?? `param${i}`;
    return m.writeObject([m.writeString(name), m.writeEthValue(input, args[name])], TypeId.EventParam);
  });
  const logIndex = BigInt(log.logIndex ?? 0);
  return m.writeObject(
    [
      m.writeBytes(bytes(log.address)),
      m.writeBigInt(logIndex),
      // graph-node sets transactionLogIndex to the log index too (the log's own field is not filled in by clients).
      m.writeBigInt(logIndex),
      0,
      writeBlock(m, trigger.block),
      writeTransaction(m, trigger.transaction),
      m.writeArray(params, TypeId.ArrayEventParam),
      0,
    ],
    TypeId.EthereumEvent,
  );
}

export type HarnessOptions = {
  onLog?: (level: LogLevel, message: string) => void;
  /** The chain's JSON-RPC endpoint, for the mappings' contract calls (eth_call at the trigger's block). */
  rpcUrl?: string;
};

/** eth_call made synchronously (host functions are synchronous): a child Node process does the request. */
const ETH_CALL_SCRIPT = `
const [url, to, data, block] = process.argv.slice(1);
const response = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ to, data }, block] }),
});
process.stdout.write(JSON.stringify(await response.json()));
`;

export function ethCallSync(rpcUrl: string, to: Hex, data: Hex, blockNumber: bigint): Hex | null {
  const out = execFileSync(
    process.execPath,
    ["--input-type=module", "-e", ETH_CALL_SCRIPT, rpcUrl, to, data, `0x${blockNumber.toString(16)}`],
    { encoding: "utf8", timeout: 30_000 },
  );
  const reply = JSON.parse(out) as { result?: Hex; error?: { code?: number; message?: string } };
  if (reply.result !== undefined) return reply.result;
  const message = reply.error?.message ?? "no result";
  // A revert is the call's outcome (the mapping sees `reverted`); anything else fails the handler, as in graph-node.
  if (reply.error?.code === 3 || /revert/i.test(message)) return null;
  throw new Error(`eth_call to ${to} failed: ${message}`);
}

/** The mappings of one network's subgraph, run over triggers into one store. */
export class SubgraphHarness {
  readonly store = new EntityStore();
  /** Handler calls made, in order (`DataSource.handler`). */
  readonly calls: string[] = [];

  readonly sources: DataSource[];
  readonly options: HarnessOptions;
  constructor(sources: DataSource[], options: HarnessOptions = {}) {
    this.sources = sources;
    this.options = options;
  }

  /** Runs the handler for one trigger, if a data source handles it. Returns whether one did. */
  async handle(trigger: Trigger): Promise<boolean> {
    const address = trigger.log.address.toLowerCase();
    const topic = trigger.log.topics[0];
    const source = this.sources.find((s) => s.address === address);
    const handler = topic === undefined ? undefined : source?.handlers.get(topic);
    if (source === undefined || handler === undefined) return false;
    const instance = await MappingInstance.create(source.module, {
      store: this.store,
      dataSource: { address: bytes(source.address), network: source.network, context: source.context },
      ...(this.options.rpcUrl === undefined
        ? {}
        : {
            ethereumCall: (to: Hex, data: Hex) =>
              ethCallSync(this.options.rpcUrl as string, to, data, trigger.block.number ?? 0n),
          }),
      ...(this.options.onLog === undefined ? {} : { onLog: this.options.onLog }),
    });
    instance.call(handler.handler, writeEvent(instance.memory, trigger, handler.event));
    this.calls.push(`${source.name}.${handler.handler}`);
    return true;
  }

  /** Indexes blocks `fromBlock`..`toBlock` of a chain: its logs of the data sources' addresses, in order. */
  async indexChain(client: PublicClient, fromBlock: bigint, toBlock: bigint): Promise<void> {
    const logs = await client.getLogs({
      address: this.sources.map((s) => s.address),
      fromBlock,
      toBlock,
    });
    logs.sort((a, b) =>
      a.blockNumber === b.blockNumber
        ? (a.logIndex ?? 0) - (b.logIndex ?? 0)
        : Number((a.blockNumber ?? 0n) - (b.blockNumber ?? 0n)),
    );
    const blocks = new Map<bigint, Block>();
    const transactions = new Map<Hex, Transaction>();
    for (const log of logs) {
      if (log.blockNumber === null || log.transactionHash === null) continue;
      let block = blocks.get(log.blockNumber);
      if (block === undefined) {
        block = await client.getBlock({ blockNumber: log.blockNumber });
        blocks.set(log.blockNumber, block);
      }
      let transaction = transactions.get(log.transactionHash);
      if (transaction === undefined) {
        transaction = await client.getTransaction({ hash: log.transactionHash });
        transactions.set(log.transactionHash, transaction);
      }
      await this.handle({ log, block, transaction });
    }
  }
}
