// The local Solana endpoint (programs/local-rpc) for relayer tests, found like the sdk tests find it: MASKOII_LOCAL_RPC
// or cargo's debug build. With MASKOII_REQUIRE_LOCAL_RPC=1 (scripts/test-all.ts) a missing binary is a failure.
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Attester } from "@maskoii/sdk";
import { MaskoiiSolanaClient } from "@maskoii/sdk/solana";
import { localRpcBinary, Supervisor, startSolanaChain } from "@maskoii/testkit";
import { createMint } from "@solana/spl-token";
import { Connection, Keypair, LAMPORTS_PER_SOL, type PublicKey } from "@solana/web3.js";
import type { Hex } from "viem";
import { expect, it } from "vitest";

export const LOCAL_RPC = localRpcBinary();
export const HAVE_LOCAL_RPC = existsSync(LOCAL_RPC);
export const SOLANA_DOMAIN = 1003;
/** The local RPC's default upgrade authority: the development key whose ed25519 seed is [42; 32]. */
export const DEV_ADMIN = Keypair.fromSeed(new Uint8Array(32).fill(42));

/** Registers the "binary present" test when the whole-suite runner requires it; warns otherwise. */
export function requireLocalRpc(file: string): void {
  if (!HAVE_LOCAL_RPC) console.warn(`${file}: ${LOCAL_RPC} not found: build it with cargo build -p maskoii-local-rpc`);
  it.runIf(process.env.MASKOII_REQUIRE_LOCAL_RPC === "1")("has the local RPC binary to test against", () => {
    expect(HAVE_LOCAL_RPC, `${LOCAL_RPC} must exist`).toBe(true);
  });
}

export type LocalRpc = {
  url: string;
  wsUrl: string;
  programId: string;
  upgradeAuthority: string;
  stop: () => Promise<void>;
};

/** Starts the local RPC on a free port with short slots (supervised: `stop` leaves no process behind). */
export async function startLocalRpc(slotMs = 50): Promise<LocalRpc> {
  const supervisor = new Supervisor();
  try {
    const logDir = await mkdtemp(join(tmpdir(), "maskoii-local-rpc-"));
    const chain = await startSolanaChain({ supervisor, binary: LOCAL_RPC, logDir, slotMs });
    return {
      url: chain.rpcUrl,
      wsUrl: chain.wsUrl,
      programId: chain.programId,
      upgradeAuthority: chain.upgradeAuthority,
      stop: () => supervisor.stopAll(),
    };
  } catch (error) {
    await supervisor.stopAll();
    throw error;
  }
}

export async function airdrop(connection: Connection, to: PublicKey, sol: number): Promise<void> {
  const signature = await connection.requestAirdrop(to, sol * LAMPORTS_PER_SOL);
  const latest = await connection.getLatestBlockhash();
  await connection.confirmTransaction({ signature, ...latest }, "confirmed");
}

/**
 * Initializes maskoii on the endpoint as domain 1003 with `attesters` as set 1, and a bridged SPL mint (mint mode,
 * 9 decimals, 8 shared) linked to `remote`'s bridge and token, with open rate limits and a route fee to `remote`.
 */
export async function setUpProgram(args: {
  url: string;
  attesters: readonly Attester[];
  thresholdBps: number;
  remote: { domain: number; bridge: Hex; token: Hex };
}): Promise<{ connection: Connection; client: MaskoiiSolanaClient; mint: PublicKey }> {
  const connection = new Connection(args.url, "confirmed");
  const client = new MaskoiiSolanaClient({ connection });
  await airdrop(connection, DEV_ADMIN.publicKey, 100);
  await client.sendAndConfirm(
    [
      await client.initializeIx({
        payer: DEV_ADMIN.publicKey,
        localDomain: SOLANA_DOMAIN,
        admin: DEV_ADMIN.publicKey,
        guardian: DEV_ADMIN.publicKey,
        overlapWindow: 86_400,
        emergencyDelay: 7 * 86_400,
        attesters: args.attesters,
        thresholdBps: args.thresholdBps,
      }),
    ],
    [DEV_ADMIN],
  );
  const mint = await createMint(connection, DEV_ADMIN, client.pda.bridgeAuthority(), null, 9, Keypair.generate());
  const unlimited = (1n << 64n) - 1n;
  await client.sendAndConfirm(
    [
      await client.tokenRegisterIx({ admin: DEV_ADMIN.publicKey, mint, mode: 1, sharedDecimals: 8 }),
      await client.setFeeIx({
        admin: DEV_ADMIN.publicKey,
        destination: args.remote.domain,
        baseFee: 5_000,
        feePerByte: 10,
      }),
      await client.tokenSetRemoteBridgeIx({
        admin: DEV_ADMIN.publicKey,
        domain: args.remote.domain,
        bridge: args.remote.bridge,
      }),
      await client.tokenLinkIx({
        admin: DEV_ADMIN.publicKey,
        mint,
        remoteDomain: args.remote.domain,
        remoteToken: args.remote.token,
      }),
      await client.tokenSetRateLimitsIx({
        admin: DEV_ADMIN.publicKey,
        mint,
        remoteDomain: args.remote.domain,
        outCapacity: unlimited,
        outRefillPerSecond: 0n,
        inCapacity: unlimited,
        inRefillPerSecond: 0n,
      }),
    ],
    [DEV_ADMIN],
  );
  return { connection, client, mint };
}
