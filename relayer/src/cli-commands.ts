// The maskoii commands (attester, relayer, status, doctor, refund, keys), loaded by the entry (cli.ts) once it has
// set the attester's V8 flags: see cli.ts for the command line.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import {
  createBindingRecord,
  createLogger,
  DEFAULT_SCRYPT,
  encryptKey,
  generatePrivateKey,
  type KeyKind,
  parseKeystore,
  RelayerRequestSigner,
  readPassword,
  unlockKeystore,
  writeKeystore,
} from "@maskoii/node-kit";
import { base58Encode } from "@maskoii/sdk";
import { getAddress, type Hex } from "viem";
import { bridgeChains } from "./attester/refunds.ts";
import { startAttester } from "./attester/run.ts";
import { CLI_OPTIONS } from "./cli-options.ts";
import { AttesterClient } from "./collector.ts";
import { loadConfig, type ResolvedConfig } from "./config.ts";
import { diagnose } from "./doctor.ts";
import { describeError, RelayerError } from "./errors.ts";
import { refundOnce } from "./refunder.ts";
import { startRelayer } from "./relayer-run.ts";
import { refundToJson } from "./relayer-server.ts";
import { connectChains, unlockConfigured } from "./runtime.ts";
import { openStore } from "./store/index.ts";
import { RefundStore } from "./store/refunds.ts";
import type { Store } from "./store/types.ts";

const USAGE = `usage: maskoii <attester|relayer|status|doctor|refund|keys> [options]
  attester --config <file> [--dev]
  relayer  --config <file> [--dev]
  status   --config <file> [--with-store]
  doctor   <messageId> --config <file> [--with-store]
           (--with-store reads a PGlite store: only while no node runs on it; sqlite and postgres stores are always read)
  refund   <messageId> --config <file> [--dev]
           (collects the attesters' refund receipt of a transfer its destination will never credit and submits
           refund on its origin, paid by keys.keystore, or keys.solanaKeystore on a Solana origin;
           docs/protocol.md §8.1)
  keys new    --kind secp256k1|ed25519 --out <file> [--password-file <file>]
  keys import --kind secp256k1|ed25519 --out <file> --key-file <file> [--password-file <file>]
  keys show   --keystore <file>
  keys bind   --keystore <file> --identity <file> [--password-file <file>]
--dev: the dev profile (local devnets): also accept EVM finality depth 0 and Solana "confirmed"
secrets: --password-file, MASKOII_KEYSTORE_PASSWORD or stdin; never on the command line`;

class UsageError extends RelayerError {
  override name = "UsageError";
  constructor(message: string) {
    super("Usage", message);
  }
}

function print(value: unknown): void {
  process.stdout.write(
    `${typeof value === "string" ? value : JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
  );
}

function need(value: string | undefined, flag: string): string {
  if (value === undefined) throw new UsageError(`missing --${flag}`);
  return value;
}

function kindOf(value: string | undefined): KeyKind {
  if (value === "secp256k1" || value === "ed25519") return value;
  throw new UsageError("--kind must be secp256k1 or ed25519");
}

/**
 * The store for read-only commands. PGlite is single-process: opening the data directory of a running node would
 * corrupt it, so a PGlite store is read only when asked (--with-store); SQLite (WAL: readers beside the node's
 * writer) and PostgreSQL stores always.
 */
async function storeForReading(config: ResolvedConfig, withStore: boolean): Promise<Store | undefined> {
  if (config.store.kind === "pglite" && !withStore) return undefined;
  return openStore(config.store);
}

/** Runs until SIGINT/SIGTERM, then stops cleanly. */
async function runUntilSignal(stop: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await stop();
}

function hexKey(text: string): Hex {
  return (text.startsWith("0x") ? text : `0x${text}`) as Hex;
}

/** A solana-keygen key file (JSON array of 64 bytes: seed ‖ public key) as the 32-byte ed25519 seed. */
function solanaKeygenSeed(text: string): Hex {
  let bytes: unknown;
  try {
    bytes = JSON.parse(text);
  } catch {
    throw new UsageError("--key-file: not a JSON array of 64 bytes (solana-keygen format)");
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) {
    throw new UsageError("--key-file: not a JSON array of 64 bytes (solana-keygen format)");
  }
  return `0x${Buffer.from(bytes.slice(0, 32) as number[]).toString("hex")}`;
}

/** An ed25519 key's base58 address (its Solana / Koii account): what to fund for `keys.solanaKeystore`. */
function solanaAddress(kind: KeyKind, publicId: string): { address?: string } {
  return kind === "ed25519" ? { address: base58Encode(Buffer.from(publicId.slice(2), "hex")) } : {};
}

async function keys(sub: string | undefined, values: Record<string, string | boolean | undefined>): Promise<void> {
  const passwordFile = values["password-file"] as string | undefined;
  const password = () => readPassword({ file: passwordFile, stdin: process.stdin });
  switch (sub) {
    case "new":
    case "import": {
      const kind = kindOf(values.kind as string | undefined);
      const out = need(values.out as string | undefined, "out");
      let privateKey: Hex;
      if (sub === "new") privateKey = generatePrivateKey(kind);
      else {
        const text = (await readFile(need(values["key-file"] as string | undefined, "key-file"), "utf8")).trim();
        privateKey = kind === "ed25519" && text.startsWith("[") ? solanaKeygenSeed(text) : hexKey(text);
      }
      const file = await encryptKey(kind, privateKey, await password(), DEFAULT_SCRYPT);
      await writeKeystore(out, file);
      print({ kind, publicId: file.publicId, ...solanaAddress(kind, file.publicId), keystore: out });
      return;
    }
    case "show": {
      const path = need(values.keystore as string | undefined, "keystore");
      const file = parseKeystore(JSON.parse(await readFile(path, "utf8")), path);
      print({ kind: file.kind, publicId: file.publicId, ...solanaAddress(file.kind, file.publicId) });
      return;
    }
    case "bind": {
      const pw = await password();
      const attesting = await unlockKeystore(need(values.keystore as string | undefined, "keystore"), pw, "secp256k1");
      const identity = await unlockKeystore(need(values.identity as string | undefined, "identity"), pw, "ed25519");
      print(
        createBindingRecord({
          ed25519PrivateKey: identity.privateKey,
          secp256k1PrivateKey: attesting.privateKey,
          attester: getAddress(attesting.publicId),
          issuedAt: Math.floor(Date.now() / 1000),
        }),
      );
      return;
    }
    default:
      throw new UsageError(`unknown keys command ${sub ?? "(none)"}`);
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: CLI_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const [command, arg] = positionals;
  if (values.help === true || command === undefined) {
    print(USAGE);
    return;
  }
  if (command === "keys") return keys(arg, values);
  if (!["attester", "relayer", "status", "doctor", "refund"].includes(command))
    throw new UsageError(`unknown command ${command}`);
  const config = await loadConfig(
    need(values.config, "config"),
    process.env,
    values.dev === true ? { profile: "dev" } : {},
  );
  const log = createLogger({ level: config.log.level, name: `maskoii-${command}` });
  switch (command) {
    case "attester": {
      // V8's --optimize-for-size was set by the entry (cli.ts) before these modules were loaded.
      const attestingKey = await unlockConfigured(config, "keystore", "secp256k1");
      if (attestingKey === undefined) throw new UsageError("keys.keystore is required");
      const identityKey = await unlockConfigured(config, "identityKeystore", "ed25519");
      const node = await startAttester({
        config,
        attestingKey,
        log,
        ...(identityKey === undefined ? {} : { identityKey }),
      });
      return runUntilSignal(node.stop);
    }
    case "relayer": {
      const payingKey = await unlockConfigured(config, "keystore", "secp256k1");
      if (payingKey === undefined) throw new UsageError("keys.keystore is required");
      const solanaKey = await unlockConfigured(config, "solanaKeystore", "ed25519");
      const identityKey = await unlockConfigured(config, "identityKeystore", "ed25519");
      const relayer = await startRelayer({
        config,
        payingKey,
        log,
        ...(solanaKey === undefined ? {} : { solanaKey }),
        ...(identityKey === undefined ? {} : { identityKey }),
      });
      return runUntilSignal(relayer.stop);
    }
    case "status": {
      const chains = await connectChains(config, {});
      const store = await storeForReading(config, values["with-store"] === true);
      try {
        const heads: Record<string, unknown> = {};
        for (const adapter of chains.values()) {
          heads[adapter.domain] = {
            latest: await adapter.latestBlock(),
            final: await adapter.finalizedBlock(),
            paused: await adapter.isPaused(),
            currentSetId: await adapter.currentSetId(),
          };
        }
        print({ chains: heads, deliveries: store === undefined ? "store not read" : await store.countDeliveries() });
      } finally {
        await store?.close();
      }
      return;
    }
    case "doctor": {
      if (arg === undefined || !/^0x[0-9a-fA-F]{64}$/.test(arg)) throw new UsageError("doctor needs a 0x message id");
      const chains = await connectChains(config, {});
      const store = await storeForReading(config, values["with-store"] === true);
      try {
        const diagnosis = await diagnose({
          messageId: arg as Hex,
          chains,
          startBlocks: new Map(config.chains.map((c) => [c.domain, c.startBlock])),
          ...(store === undefined ? {} : { store }),
          ...(config.relayer === undefined
            ? {}
            : { attesters: new AttesterClient(config.relayer.attesters, config.relayer.requestTimeoutMs) }),
        });
        const refund = store === undefined ? undefined : await RefundStore.tryOf(store)?.delivery(arg as Hex);
        print(refund === undefined ? diagnosis : { ...diagnosis, refund: refundToJson(refund) });
      } finally {
        await store?.close();
      }
      return;
    }
    case "refund": {
      if (arg === undefined || !/^0x[0-9a-fA-F]{64}$/.test(arg)) throw new UsageError("refund needs a 0x message id");
      if (config.relayer === undefined) throw new UsageError("refund needs the relayer section (its attesters)");
      const payingKey = await unlockConfigured(config, "keystore", "secp256k1");
      if (payingKey === undefined) throw new UsageError("keys.keystore is required (it pays for the refund)");
      const identityKey = await unlockConfigured(config, "identityKeystore", "ed25519");
      // A Solana origin is paid from keys.solanaKeystore (post_signatures, token_refund).
      const solanaSigner = await unlockConfigured(config, "solanaKeystore", "ed25519");
      const chains = await connectChains(config, {
        signer: payingKey,
        log,
        ...(solanaSigner === undefined ? {} : { solanaSigner }),
      });
      const outcome = await refundOnce({
        bridges: bridgeChains(config, chains),
        attesters: config.relayer.attesters,
        requestTimeoutMs: config.relayer.requestTimeoutMs,
        messageId: arg as Hex,
        ...(identityKey === undefined ? {} : { signer: new RelayerRequestSigner(identityKey.privateKey) }),
      });
      print(outcome);
      if (outcome.kind !== "refunded" && outcome.kind !== "already-refunded") process.exitCode = 1;
      return;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

/** Runs one command line (process.argv without node and the script); failures set the exit code (2: usage, config). */
export async function runCli(argv: readonly string[]): Promise<void> {
  await main(argv).catch((error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`maskoii: ${describeError(error)}\n${usage ? `${USAGE}\n` : ""}`);
    process.exitCode = error instanceof RelayerError || usage ? 2 : 1;
  });
}
