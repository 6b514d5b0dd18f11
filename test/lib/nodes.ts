// One maskoii CLI process (an attester node or the relayer) of an e2e stack: the kit's NodeProcess (home, config,
// log, start / stop / SIGKILL / restart on the same store, under the stack's Supervisor) plus its encrypted keystores,
// written with @maskoii/node-kit's keystore functions and unlocked by the password in the process environment.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { encryptKey, writeKeystore } from "@maskoii/node-kit";
import { NodeError, NodeProcess, type NodeRole, type Supervisor } from "@maskoii/testkit";
import type { Hex } from "viem";

export { NodeError, type NodeRole };

/** The keystore password, handed to the processes in their environment (never argv). */
export const KEYSTORE_PASSWORD = "maskoii e2e keystore password";
/** Cheap scrypt for test keystores (the CLI's default costs seconds per unlock). */
const FAST_SCRYPT = { n: 2 ** 10, r: 8, p: 1 };

export class MaskoiiNode extends NodeProcess {
  constructor(args: { supervisor: Supervisor; name: string; role: NodeRole; dir: string }) {
    super({ ...args, env: { MASKOII_KEYSTORE_PASSWORD: KEYSTORE_PASSWORD } });
  }

  /** Writes the node's encrypted keystore. */
  async init(privateKey: Hex): Promise<void> {
    await mkdir(this.home, { recursive: true });
    await writeKeystore(this.keystore, await encryptKey("secp256k1", privateKey, KEYSTORE_PASSWORD, FAST_SCRYPT));
  }

  /** Writes the node's encrypted ed25519 keystore (a relayer's Solana fee payer; `seed` is the 32-byte seed). */
  async initSolanaKey(seed: Hex): Promise<void> {
    await mkdir(this.home, { recursive: true });
    await writeKeystore(this.solanaKeystore, await encryptKey("ed25519", seed, KEYSTORE_PASSWORD, FAST_SCRYPT));
  }

  get keystore(): string {
    return join(this.home, "key.json");
  }

  get solanaKeystore(): string {
    return join(this.home, "solana-key.json");
  }
}
