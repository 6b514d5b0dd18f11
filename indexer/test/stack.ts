// The indexer's test stack: two local hardhat chains deployed with the testkit's fixture (deployment files in a
// temporary directory), Ponder started on them as a child process (PGlite, or PostgreSQL when
// MASKOII_TEST_POSTGRES_URL is set), and the chain actions the scenarios need, done directly (the test signs the
// attestations with the fixture's attester keys, so no relayer is needed to drive the lifecycle).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  addressToBytes32,
  attestationDigest,
  buildAttestation,
  gatewayAbi,
  setHash,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import {
  type Attester,
  type DeployFixtureResult,
  demoRecipientAbi,
  demoTokenAbi,
  devnetAttesters,
  type EvmChain,
  freePort,
  HOST,
  localRpcFromEnv,
  type ManagedProcess,
  ROOT,
  runDeployFixture,
  type SolanaChain,
  Supervisor,
  startEvmChain,
  startSolanaChain,
  until,
} from "@maskoii/testkit";
import { freshDatabase, postgresUrl, type TestDatabase } from "@maskoii/testkit/postgres";
import { type Address, type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import { type Account, mnemonicToAccount } from "viem/accounts";

const MNEMONIC = "test test test test test test test test test test test junk";
const INDEXER_DIR = fileURLToPath(new URL("..", import.meta.url));
const PONDER_BIN = join(ROOT, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");

export type Sent = { id: Hex; message: Hex };

export class IndexerStack {
  readonly supervisor = new Supervisor();
  readonly dir = mkdtempSync(join(tmpdir(), "maskoii-indexer-"));
  readonly owner: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
  readonly user: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
  readonly relayer: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });
  readonly genesis: Attester[] = devnetAttesters(3, "maskoii indexer test");
  /** The members of the set each chain's Gateway currently accepts. */
  readonly attesters = new Map<number, Attester[]>([
    [1001, this.genesis],
    [1002, this.genesis],
  ]);
  /** The attester set id each chain's Gateway currently accepts. */
  readonly currentSet = new Map<number, bigint>([
    [1001, 1n],
    [1002, 1n],
  ]);
  a!: EvmChain;
  b!: EvmChain;
  deployed!: DeployFixtureResult;
  /** The local Solana RPC (domain 1003), when MASKOII_LOCAL_RPC names its binary. */
  solana: SolanaChain | undefined;
  database: TestDatabase | undefined;
  ponder: ManagedProcess | undefined;
  url = "";
  #ponderRuns = 0;
  readonly #exitHook = () => this.supervisor.killAllSync();

  get kind(): "postgres" | "pglite" {
    return postgresUrl !== undefined && postgresUrl !== "" ? "postgres" : "pglite";
  }

  async start(): Promise<void> {
    process.once("exit", this.#exitHook);
    const finality = { kind: "confirmations", depth: 0 } as const;
    [this.a, this.b] = await Promise.all([
      startEvmChain({
        supervisor: this.supervisor,
        spec: { name: "a", domain: 1001, chainId: 31337, finality },
        logDir: this.dir,
      }),
      startEvmChain({
        supervisor: this.supervisor,
        spec: { name: "b", domain: 1002, chainId: 31338, finality },
        logDir: this.dir,
      }),
    ]);
    const binary = localRpcFromEnv();
    if (binary !== undefined) {
      this.solana = await startSolanaChain({ supervisor: this.supervisor, binary, logDir: this.dir });
    }
    const out = join(this.dir, "deployments");
    mkdirSync(out, { recursive: true });
    this.deployed = await runDeployFixture({
      rpcA: this.a.rpcUrl,
      rpcB: this.b.rpcUrl,
      attesters: this.genesis.map((x) => x.account.address),
      out,
      demoRecipients: true,
      ...(this.solana === undefined
        ? {}
        : {
            solana: {
              rpcUrl: this.solana.rpcUrl,
              wsUrl: this.solana.wsUrl,
              programId: this.solana.programId,
              upgradeAuthority: this.solana.upgradeAuthority,
            },
          }),
    });
    if (this.solana !== undefined) {
      // What the indexer needs of a Solana deployment file (the devnet writes a complete one, .devnet/solana.json).
      writeFileSync(
        join(this.dir, "solana.json"),
        JSON.stringify({
          domain: 1003,
          rpcUrl: this.solana.rpcUrl,
          programId: this.solana.programId,
          admin: this.solana.upgradeAuthority,
          tokens: {},
        }),
      );
    }
    if (this.kind === "postgres") this.database = await freshDatabase();
    await this.startPonder();
  }

  /** Starts Ponder (again) on the same database and waits until it answers /ready. */
  async startPonder(): Promise<void> {
    const port = await freePort();
    this.url = `http://${HOST}:${port}`;
    this.#ponderRuns += 1;
    this.ponder = this.supervisor.start({
      name: `ponder-${this.#ponderRuns}`,
      command: process.execPath,
      args: [PONDER_BIN, "start", "--port", String(port), "--hostname", HOST, "--schema", "maskoii_test"],
      cwd: INDEXER_DIR,
      env: {
        ...process.env,
        PONDER_TELEMETRY_DISABLED: "true",
        MASKOII_DEPLOYMENTS_DIR: join(this.dir, "deployments"),
        MASKOII_PGLITE_DIR: join(this.dir, "pglite"),
        MASKOII_POLL_MS: "200",
        DATABASE_URL: this.database?.url ?? "",
        MASKOII_SOLANA_DEPLOYMENT: this.solana === undefined ? "" : join(this.dir, "solana.json"),
        NO_COLOR: "1",
      },
      logFile: join(this.dir, `ponder-${this.#ponderRuns}.log`),
    });
    const exited = this.ponder.exited.then((code) => {
      throw new Error(`ponder exited (${String(code)}); see ${this.ponder?.logFile}`);
    });
    await Promise.race([
      until("ponder /ready", async () => ((await fetch(`${this.url}/ready`)).status === 200 ? true : undefined), {
        timeoutMs: 120_000,
        everyMs: 250,
      }),
      exited,
    ]);
    exited.catch(() => {});
  }

  /** Stops Ponder (SIGTERM to its process group, as the supervisor stops everything) and waits for its exit. */
  async stopPonder(): Promise<void> {
    const p = this.ponder;
    if (p === undefined) return;
    try {
      process.kill(-p.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await p.exited;
    this.ponder = undefined;
  }

  async stop(): Promise<void> {
    await this.supervisor.stopAll();
    await this.database?.drop();
    process.off("exit", this.#exitHook);
    if (process.env.MASKOII_KEEP_LOGS === undefined) rmSync(this.dir, { recursive: true, force: true });
  }

  chain(domain: number): EvmChain {
    return domain === 1001 ? this.a : this.b;
  }

  contracts(domain: number) {
    const c = domain === 1001 ? this.deployed.a : this.deployed.b;
    const recipient = this.deployed.chains.find((x) => x.domain === domain)?.demoRecipient;
    if (recipient === undefined) throw new Error(`no demo recipient on ${domain}`);
    return { ...c, demoRecipient: recipient };
  }

  async send(chain: EvmChain, account: Account, call: Parameters<ReturnType<EvmChain["wallet"]>["writeContract"]>[0]) {
    const hash = await chain.wallet(account).writeContract(call);
    const receipt = await chain.public.waitForTransactionReceipt({ hash, timeout: 30_000 });
    if (receipt.status !== "success") throw new Error(`${String(call.functionName)} reverted on ${chain.name}`);
    return receipt;
  }

  sentOf(receipt: TransactionReceipt): Sent {
    const [e] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    if (e === undefined) throw new Error("no MessageSent");
    return { id: e.args.messageId.toLowerCase() as Hex, message: e.args.message };
  }

  /** Mints demo tokens to the user on `origin`, approves the bridge, and sends one transfer to `destination`. */
  async transfer(
    origin: number,
    destination: number,
    amount: bigint,
    token?: Address,
    recipient: Hex = addressToBytes32(this.user.address),
  ): Promise<Sent> {
    const chain = this.chain(origin);
    const c = this.contracts(origin);
    const sendToken = token ?? c.demoToken;
    if (token === undefined) {
      await this.send(chain, this.owner, {
        address: c.demoToken,
        abi: demoTokenAbi,
        functionName: "mint",
        args: [this.user.address, amount],
      } as never);
    }
    await this.send(chain, this.user, {
      address: sendToken,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [c.tokenBridge, amount],
    } as never);
    const fee = await chain.public.readContract({
      address: c.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteTransfer",
      args: [destination],
    });
    const receipt = await this.send(chain, this.user, {
      address: c.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "transferRemote",
      args: [sendToken, destination, recipient, amount],
      value: fee,
    } as never);
    return this.sentOf(receipt);
  }

  /** Sends an arbitrary message from `origin` to the DemoRecipient on `destination`. */
  async message(origin: number, destination: number, payload: Hex): Promise<Sent> {
    const chain = this.chain(origin);
    const gateway = this.contracts(origin).gateway;
    const fee = await chain.public.readContract({
      address: gateway,
      abi: gatewayAbi,
      functionName: "quoteFee",
      args: [destination, BigInt((payload.length - 2) / 2)],
    });
    const receipt = await this.send(chain, this.user, {
      address: gateway,
      abi: gatewayAbi,
      functionName: "send",
      args: [destination, addressToBytes32(this.contracts(destination).demoRecipient), payload],
      value: fee,
    } as never);
    return this.sentOf(receipt);
  }

  /** Delivers `sent` on its destination with a quorum attestation of the current set (what a relayer does). */
  async deliver(destination: number, sent: Sent): Promise<TransactionReceipt> {
    const gateway = this.contracts(destination).gateway;
    const setId = this.currentSet.get(destination) ?? 1n;
    const members = this.attesters.get(destination) ?? this.genesis;
    const digest = attestationDigest("message", {
      domain: destination,
      verifier: addressToBytes32(gateway),
      attesterSetId: setId,
      value: sent.id,
    });
    const attestation = buildAttestation({
      digest,
      attesterSetId: setId,
      attesters: members.map((x) => x.account.address),
      signers: members.map((x) => x.privateKey),
    });
    return this.send(this.chain(destination), this.relayer, {
      address: gateway,
      abi: gatewayAbi,
      functionName: "deliver",
      args: [sent.message, attestation],
      gas: 1_000_000n,
    } as never);
  }

  async setRejecting(domain: number, rejecting: boolean): Promise<void> {
    await this.send(this.chain(domain), this.owner, {
      address: this.contracts(domain).demoRecipient,
      abi: demoRecipientAbi,
      functionName: "setRejecting",
      args: [rejecting],
    } as never);
  }

  async retry(domain: number, sent: Sent): Promise<void> {
    await this.send(this.chain(domain), this.relayer, {
      address: this.contracts(domain).gateway,
      abi: gatewayAbi,
      functionName: "retry",
      args: [sent.message],
      gas: 1_000_000n,
    } as never);
  }

  async setInboundLimit(domain: number, token: Address, remote: number, capacity: bigint, refill: bigint) {
    const max = (1n << 64n) - 1n;
    await this.send(this.chain(domain), this.owner, {
      address: this.contracts(domain).tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "setRateLimits",
      args: [token, remote, max, max, capacity, refill],
    } as never);
  }

  async releaseQueued(domain: number, queueId: bigint): Promise<void> {
    await this.send(this.chain(domain), this.relayer, {
      address: this.contracts(domain).tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "releaseQueued",
      args: [queueId],
    } as never);
  }

  /** Rotates `domain`'s attester set to `next` (signed by the current set), and uses it from then on. */
  async rotate(domain: number, next: Attester[]): Promise<bigint> {
    const current = this.currentSet.get(domain) ?? 1n;
    const members = this.attesters.get(domain) ?? this.genesis;
    const nextId = current + 1n;
    const addresses = next.map((x) => x.account.address);
    const weights = next.map(() => 1n);
    const gateway = this.contracts(domain).gateway;
    const hash = setHash(nextId, 6666, addresses, weights);
    const attestation = buildAttestation({
      digest: attestationDigest("rotation", {
        domain,
        verifier: addressToBytes32(gateway),
        attesterSetId: current,
        value: hash,
      }),
      attesterSetId: current,
      attesters: members.map((x) => x.account.address),
      signers: members.map((x) => x.privateKey),
    });
    await this.send(this.chain(domain), this.owner, {
      address: gateway,
      abi: gatewayAbi,
      functionName: "rotate",
      args: [addresses, weights, 6666, attestation],
    } as never);
    this.currentSet.set(domain, nextId);
    this.attesters.set(domain, next);
    return nextId;
  }

  async get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Polls GET `path` until `check` accepts the body (Ponder's /ready can answer before the rows exist). */
  async waitFor<T>(path: string, check: (body: Record<string, unknown>) => T | undefined, timeoutMs = 60_000) {
    return until(
      `GET ${path}`,
      async () => {
        const r = await this.get(path);
        return r.status === 200 ? check(r.body) : undefined;
      },
      { timeoutMs, everyMs: 250 },
    );
  }
}
