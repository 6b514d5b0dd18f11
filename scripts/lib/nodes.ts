// Devnet step: the Koii attester nodes and the relayer, each a supervised `maskoii` CLI process (relayer/src/cli.ts)
// with its own encrypted keystore, config file and embedded SQLite store (the default store) under .devnet/nodes/<name>/.
//
// Keys are devnet keys (@maskoii/testkit's keys.ts, and Hardhat's account #2 for the relayer); the keystores are encrypted
// with a devnet password kept in a 0600 file beside them, so no key or password is ever on a command line.
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encryptKey, writeKeystore } from "@maskoii/node-kit";
import { type Attester, NODE_RESTART, type Supervisor, startNodeProcess, waitHttpOk } from "@maskoii/testkit";
import type { Hex } from "viem";
import { HOST } from "./chains.ts";

/** The devnet's node ports: attesters on 7301.., the relayer's /health, /metrics and /messages on 7310. */
export const ATTESTER_BASE_PORT = 7301;
export const RELAYER_PORT = 7310;
/** Worthless outside the devnet; it only keeps the keystore format the production one. */
const DEVNET_PASSWORD = "maskoii devnet keystore password";
/** Fast scrypt for devnet keystores (the CLI's default is 2^17). */
const DEVNET_SCRYPT = { n: 2 ** 12, r: 8, p: 1 };
const READY_TIMEOUT_MS = 90_000;

/** Raised when a node does not come up. */
export class NodeStartError extends Error {
  override readonly name = "NodeStartError";
}

/** A chain entry of the nodes' config (relayer/src/config.ts `chains[]`). */
export type NodeChainConfig = Record<string, unknown> & { readonly domain: number };

export type DevnetNodes = {
  readonly attesterUrls: readonly string[];
  readonly relayerUrl: string;
};

async function writeNodeHome(args: {
  dir: string;
  key: Hex;
  extraKeys?: Record<string, { kind: "secp256k1" | "ed25519"; key: Hex }>;
  config: (home: { keystore: string; passwordFile: string; db: string; extra: Record<string, string> }) => object;
}): Promise<string> {
  await rm(args.dir, { recursive: true, force: true });
  await mkdir(args.dir, { recursive: true });
  const passwordFile = join(args.dir, "password");
  await writeFile(passwordFile, DEVNET_PASSWORD, { mode: 0o600 });
  await chmod(passwordFile, 0o600);
  const keystore = join(args.dir, "key.json");
  await writeKeystore(keystore, await encryptKey("secp256k1", args.key, DEVNET_PASSWORD, DEVNET_SCRYPT));
  const extra: Record<string, string> = {};
  for (const [name, { kind, key }] of Object.entries(args.extraKeys ?? {})) {
    extra[name] = join(args.dir, `${name}.json`);
    await writeKeystore(extra[name], await encryptKey(kind, key, DEVNET_PASSWORD, DEVNET_SCRYPT));
  }
  const configFile = join(args.dir, "config.json");
  const config = args.config({ keystore, passwordFile, db: join(args.dir, "store.sqlite"), extra });
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  return configFile;
}

async function waitReady(url: string, name: string): Promise<void> {
  try {
    await waitHttpOk(url, { timeoutMs: READY_TIMEOUT_MS, everyMs: 200 });
  } catch (error) {
    throw new NodeStartError(`${name} not answering at ${url} within ${READY_TIMEOUT_MS} ms`, { cause: error });
  }
}

/**
 * Writes keystores and configs, starts one `maskoii attester` per attester key and one `maskoii relayer`, and waits
 * until every attester answers /ready and the relayer answers /health.
 */
export async function startNodes(args: {
  supervisor: Supervisor;
  root: string;
  dir: string;
  logDir: string;
  chains: readonly NodeChainConfig[];
  attesters: readonly Attester[];
  relayerKey: Hex;
  /** An ed25519 seed paying the relayer's Solana fees, when a Solana chain is configured. */
  relayerSolanaKey?: Hex;
  log: (line: string) => void;
}): Promise<DevnetNodes> {
  const attesterUrls: string[] = [];
  for (const [index, attester] of args.attesters.entries()) {
    const name = `attester${index}`;
    const port = ATTESTER_BASE_PORT + index;
    const configFile = await writeNodeHome({
      dir: join(args.dir, name),
      key: attester.privateKey,
      config: (home) => ({
        // The devnet's local chains (depth 0, Solana "confirmed") need the dev profile (config.ts).
        profile: "dev",
        chains: args.chains,
        store: { kind: "sqlite", path: home.db },
        keys: { keystore: home.keystore, passwordFile: home.passwordFile },
        attester: { listen: { host: HOST, port }, pollIntervalMs: 200 },
        log: { level: "info" },
      }),
    });
    const managed = startNodeProcess({
      supervisor: args.supervisor,
      name,
      role: "attester",
      configFile,
      logFile: join(args.logDir, `${name}.log`),
      restart: NODE_RESTART,
    });
    args.log(`started ${name} (pid ${managed.pid}), log ${managed.logFile}`);
    attesterUrls.push(`http://${HOST}:${port}`);
  }
  const relayerUrl = `http://${HOST}:${RELAYER_PORT}`;
  const relayerConfig = await writeNodeHome({
    dir: join(args.dir, "relayer"),
    key: args.relayerKey,
    ...(args.relayerSolanaKey === undefined
      ? {}
      : { extraKeys: { solana: { kind: "ed25519" as const, key: args.relayerSolanaKey } } }),
    config: (home) => ({
      // The devnet's local chains (depth 0, Solana "confirmed") need the dev profile (config.ts).
      profile: "dev",
      chains: args.chains,
      store: { kind: "sqlite", path: home.db },
      keys: {
        keystore: home.keystore,
        passwordFile: home.passwordFile,
        ...(home.extra.solana === undefined ? {} : { solanaKeystore: home.extra.solana }),
      },
      relayer: {
        attesters: attesterUrls,
        pollIntervalMs: 200,
        retry: { baseMs: 250, maxMs: 5_000, maxAttempts: 20 },
        maxBatchSize: 32,
        // Refunds on origins (docs/protocol.md §8.1): transfers a destination recorded refundable are paid back.
        refunds: { enabled: true, intervalMs: 1_000 },
        metrics: { host: HOST, port: RELAYER_PORT },
      },
      log: { level: "info" },
    }),
  });
  const relayer = startNodeProcess({
    supervisor: args.supervisor,
    name: "relayer",
    role: "relayer",
    configFile: relayerConfig,
    logFile: join(args.logDir, "relayer.log"),
    restart: NODE_RESTART,
  });
  args.log(`started relayer (pid ${relayer.pid}), log ${relayer.logFile}`);
  for (const [index, url] of attesterUrls.entries()) await waitReady(`${url}/ready`, `attester${index}`);
  await waitReady(`${relayerUrl}/health`, "relayer");
  for (const [index, url] of attesterUrls.entries()) args.log(`  attester${index}: ${url}`);
  args.log(`  relayer:   ${relayerUrl} (/health, /metrics)`);
  return { attesterUrls, relayerUrl };
}

/** How many attesters serve a signature over `messageId` (any kind); unreachable ones count as not signed. */
export async function countSigners(attesterUrls: readonly string[], messageId: Hex): Promise<number> {
  const answers = await Promise.all(
    attesterUrls.map((url) =>
      fetch(`${url}/signatures/${messageId}`, { signal: AbortSignal.timeout(2_000) })
        .then((response) => (response.ok ? (response.json() as Promise<{ signatures?: unknown[] }>) : undefined))
        .catch(() => undefined),
    ),
  );
  return answers.filter((answer) => (answer?.signatures?.length ?? 0) > 0).length;
}
