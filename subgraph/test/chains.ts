// Two local hardhat chains deployed with the testkit's fixture, and the chain actions the scenarios need, done
// directly (the test signs attestations with the fixture's attester keys; no relayer). Mirrors the indexer's test
// stack (indexer/test/stack.ts) so both index the same kind of run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addressToBytes32,
  attestationDigest,
  buildAttestation,
  type Deployment,
  gatewayAbi,
  parseDeployment,
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
  runDeployFixture,
  Supervisor,
  startEvmChain,
} from "@maskoii/testkit";
import { type Address, type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import { type Account, mnemonicToAccount } from "viem/accounts";

const MNEMONIC = "test test test test test test test test test test test junk";

export type Sent = { id: Hex; message: Hex };

export class Chains {
  readonly supervisor = new Supervisor();
  readonly dir = mkdtempSync(join(tmpdir(), "maskoii-subgraph-"));
  readonly owner: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
  readonly user: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
  readonly relayer: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });
  readonly genesis: Attester[] = devnetAttesters(3, "maskoii subgraph test");
  /** The attester set each chain's Gateway currently accepts: its id and members. */
  readonly current = new Map<number, { setId: bigint; members: Attester[] }>([
    [1001, { setId: 1n, members: this.genesis }],
    [1002, { setId: 1n, members: this.genesis }],
  ]);
  a!: EvmChain;
  b!: EvmChain;
  deployed!: DeployFixtureResult;
  readonly #exitHook = () => this.supervisor.killAllSync();

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
    const out = join(this.dir, "deployments");
    mkdirSync(out, { recursive: true });
    this.deployed = await runDeployFixture({
      rpcA: this.a.rpcUrl,
      rpcB: this.b.rpcUrl,
      attesters: this.genesis.map((x) => x.account.address),
      out,
      demoRecipients: true,
    });
  }

  async stop(): Promise<void> {
    await this.supervisor.stopAll();
    process.off("exit", this.#exitHook);
    if (process.env.MASKOII_KEEP_LOGS === undefined) rmSync(this.dir, { recursive: true, force: true });
  }

  /** The deployment file the fixture wrote for `domain` (what scripts/manifest.ts reads). */
  deployment(domain: number): Deployment {
    const chainId = domain === 1001 ? 31337 : 31338;
    const file = join(this.dir, "deployments", `${chainId}.json`);
    return parseDeployment(JSON.parse(readFileSync(file, "utf8")), file);
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
  async transfer(origin: number, destination: number, amount: bigint): Promise<Sent> {
    const chain = this.chain(origin);
    const c = this.contracts(origin);
    await this.send(chain, this.owner, {
      address: c.demoToken,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [this.user.address, amount],
    } as never);
    await this.send(chain, this.user, {
      address: c.demoToken,
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
      args: [c.demoToken, destination, addressToBytes32(this.user.address), amount],
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

  /** Delivers `sent` on its destination with an attestation of the current set (what a relayer does). */
  async deliver(destination: number, sent: Sent): Promise<TransactionReceipt> {
    const gateway = this.contracts(destination).gateway;
    const { setId, members } = this.current.get(destination) ?? { setId: 1n, members: this.genesis };
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
    const { setId, members } = this.current.get(domain) ?? { setId: 1n, members: this.genesis };
    const nextId = setId + 1n;
    const addresses = next.map((x) => x.account.address);
    const weights = next.map(() => 1n);
    const gateway = this.contracts(domain).gateway;
    const attestation = buildAttestation({
      digest: attestationDigest("rotation", {
        domain,
        verifier: addressToBytes32(gateway),
        attesterSetId: setId,
        value: setHash(nextId, 6666, addresses, weights),
      }),
      attesterSetId: setId,
      attesters: members.map((x) => x.account.address),
      signers: members.map((x) => x.privateKey),
    });
    await this.send(this.chain(domain), this.owner, {
      address: gateway,
      abi: gatewayAbi,
      functionName: "rotate",
      args: [addresses, weights, 6666, attestation],
    } as never);
    this.current.set(domain, { setId: nextId, members: next });
    return nextId;
  }
}
