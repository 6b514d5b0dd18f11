// @maskoii/testkit/bridge-scenario: the bridge scenario driver the indexer's and the subgraph's tests share. Two
// local hardhat chains (domains 1001 and 1002) deployed with the deploy fixture (with DemoRecipients), and the chain
// actions a scenario needs, done directly: the driver signs the attestations with the fixture's attester keys, so no
// relayer is needed to drive a message's lifecycle (send, deliver, fail, retry, queue, release, rotate).
// What is specific to a consumer (the indexer's Ponder process, the subgraph's wasm harness) stays in its tests:
// extend the class, or call `startChains`/`deploy` from an own `start`.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addressToBytes32,
  attestationDigest,
  buildAttestation,
  gatewayAbi,
  setHash,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import {
  type Abi,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  parseEventLogs,
  type TransactionReceipt,
  type WriteContractParameters,
} from "viem";
import { type Account, mnemonicToAccount } from "viem/accounts";
import { demoRecipientAbi, demoTokenAbi } from "./abi.ts";
import { type EvmChain, startEvmChain } from "./chains.ts";
import { TestkitError } from "./errors.ts";
import { type DeployFixtureOptions, type DeployFixtureResult, runDeployFixture } from "./fixture.ts";
import { type Attester, devnetAttesters } from "./keys.ts";
import { Supervisor } from "./processes.ts";

/** Hardhat's default mnemonic: index 0 owns the deployment, 1 is the user, 2 the relayer. */
const MNEMONIC = "test test test test test test test test test test test junk";
/** The rotation threshold (basis points) the driver's rotations use. */
const ROTATION_THRESHOLD = 6666;

/** A sent message: its id (lower case) and encoded bytes, what delivering it needs. */
export type Sent = { id: Hex; message: Hex };

/** An attester set a Gateway accepts: its id and members. */
export type AttesterSet = { setId: bigint; members: Attester[] };

type Mutability = "nonpayable" | "payable";

/** `writeContract`'s parameters on an EvmChain's wallet, typed by the call's ABI and function name. */
export type WriteCall<
  abi extends Abi | readonly unknown[],
  functionName extends ContractFunctionName<abi, Mutability>,
  args extends ContractFunctionArgs<abi, Mutability, functionName>,
> = WriteContractParameters<abi, functionName, args, Chain, Account, undefined>;

export type BridgeScenarioOptions = {
  /** Prefix of the temporary directory (logs, deployment files), e.g. "maskoii-indexer-". */
  dirPrefix: string;
  /** Label the genesis attester keys are derived from (devnetAttesters). */
  attesterLabel: string;
};

export class BridgeScenario {
  readonly supervisor = new Supervisor();
  readonly dir: string;
  readonly owner: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
  readonly user: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
  readonly relayer: Account = mnemonicToAccount(MNEMONIC, { addressIndex: 2 });
  readonly genesis: Attester[];
  /** The attester set each chain's Gateway currently accepts: its id and members. */
  readonly current: Map<number, AttesterSet>;
  a!: EvmChain;
  b!: EvmChain;
  deployed!: DeployFixtureResult;
  readonly #exitHook = () => this.supervisor.killAllSync();

  constructor(options: BridgeScenarioOptions) {
    this.dir = mkdtempSync(join(tmpdir(), options.dirPrefix));
    this.genesis = devnetAttesters(3, options.attesterLabel);
    this.current = new Map([
      [1001, { setId: 1n, members: this.genesis }],
      [1002, { setId: 1n, members: this.genesis }],
    ]);
  }

  /** Starts both chains and deploys on them. */
  async start(): Promise<void> {
    await this.startChains();
    await this.deploy();
  }

  /** Starts chain A (domain 1001, chain id 31337) and B (1002, 31338); kills them if the process exits. */
  async startChains(): Promise<void> {
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
  }

  /** Deploys with the fixture (deployment files in `<dir>/deployments`, DemoRecipients on both chains). */
  async deploy(extra: Pick<DeployFixtureOptions, "solana"> = {}): Promise<void> {
    const out = join(this.dir, "deployments");
    mkdirSync(out, { recursive: true });
    this.deployed = await runDeployFixture({
      rpcA: this.a.rpcUrl,
      rpcB: this.b.rpcUrl,
      attesters: this.genesis.map((x) => x.account.address),
      out,
      demoRecipients: true,
      ...extra,
    });
  }

  /** Stops every process and removes the directory (kept when MASKOII_KEEP_LOGS is set). */
  async stop(): Promise<void> {
    await this.supervisor.stopAll();
    process.off("exit", this.#exitHook);
    if (process.env.MASKOII_KEEP_LOGS === undefined) rmSync(this.dir, { recursive: true, force: true });
  }

  chain(domain: number): EvmChain {
    return domain === 1001 ? this.a : this.b;
  }

  contracts(domain: number) {
    const c = domain === 1001 ? this.deployed.a : this.deployed.b;
    const recipient = this.deployed.chains.find((x) => x.domain === domain)?.demoRecipient;
    if (recipient === undefined) throw new TestkitError("ScenarioFailed", `no demo recipient on ${domain}`);
    return { ...c, demoRecipient: recipient };
  }

  /** Sends one contract call from `account` on `chain`; resolves with its receipt, rejects if it reverted. */
  async send<
    const abi extends Abi | readonly unknown[],
    functionName extends ContractFunctionName<abi, Mutability>,
    args extends ContractFunctionArgs<abi, Mutability, functionName>,
  >(chain: EvmChain, account: Account, call: WriteCall<abi, functionName, args>): Promise<TransactionReceipt> {
    const hash = await chain.wallet(account).writeContract<abi, functionName, args, undefined>(call);
    const receipt = await chain.public.waitForTransactionReceipt({ hash, timeout: 30_000 });
    if (receipt.status !== "success")
      throw new TestkitError("ScenarioCallReverted", `${String(call.functionName)} reverted on ${chain.name}`);
    return receipt;
  }

  sentOf(receipt: TransactionReceipt): Sent {
    const [e] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    if (e === undefined) throw new TestkitError("ScenarioFailed", "no MessageSent");
    return { id: e.args.messageId.toLowerCase() as Hex, message: e.args.message };
  }

  /**
   * Sends one transfer from the user on `origin` to `destination`. Without `token`: mints demo tokens to the user
   * first and sends them; with one: sends that token (the user must hold it). Approves the bridge either way.
   */
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
      });
    }
    await this.send(chain, this.user, {
      address: sendToken,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [c.tokenBridge, amount],
    });
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
    });
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
    });
    return this.sentOf(receipt);
  }

  /** The set `domain`'s Gateway currently accepts (the genesis set until a rotation). */
  currentSet(domain: number): AttesterSet {
    return this.current.get(domain) ?? { setId: 1n, members: this.genesis };
  }

  /** A quorum attestation of `domain`'s current set (every member signs) over `value`, for its Gateway. */
  attest(domain: number, kind: "message" | "rotation", value: Hex): Hex {
    const { setId, members } = this.currentSet(domain);
    return buildAttestation({
      digest: attestationDigest(kind, {
        domain,
        verifier: addressToBytes32(this.contracts(domain).gateway),
        attesterSetId: setId,
        value,
      }),
      attesterSetId: setId,
      attesters: members.map((x) => x.account.address),
      signers: members.map((x) => x.privateKey),
    });
  }

  /** Delivers `sent` on its destination with a quorum attestation of the current set (what a relayer does). */
  async deliver(destination: number, sent: Sent): Promise<TransactionReceipt> {
    const gateway = this.contracts(destination).gateway;
    const attestation = this.attest(destination, "message", sent.id);
    return this.send(this.chain(destination), this.relayer, {
      address: gateway,
      abi: gatewayAbi,
      functionName: "deliver",
      args: [sent.message, attestation],
      gas: 1_000_000n,
    });
  }

  async setRejecting(domain: number, rejecting: boolean): Promise<void> {
    await this.send(this.chain(domain), this.owner, {
      address: this.contracts(domain).demoRecipient,
      abi: demoRecipientAbi,
      functionName: "setRejecting",
      args: [rejecting],
    });
  }

  async retry(domain: number, sent: Sent): Promise<void> {
    await this.send(this.chain(domain), this.relayer, {
      address: this.contracts(domain).gateway,
      abi: gatewayAbi,
      functionName: "retry",
      args: [sent.message],
      gas: 1_000_000n,
    });
  }

  /** Sets `token`'s inbound rate limit from `remote` on `domain` (outbound and the inbound cap left unlimited). */
  async setInboundLimit(
    domain: number,
    token: Address,
    remote: number,
    capacity: bigint,
    refill: bigint,
  ): Promise<void> {
    const max = (1n << 64n) - 1n;
    await this.send(this.chain(domain), this.owner, {
      address: this.contracts(domain).tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "setRateLimits",
      args: [token, remote, max, max, capacity, refill],
    });
  }

  async releaseQueued(domain: number, queueId: bigint): Promise<void> {
    await this.send(this.chain(domain), this.relayer, {
      address: this.contracts(domain).tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "releaseQueued",
      args: [queueId],
    });
  }

  /** Rotates `domain`'s attester set to `next` (signed by the current set), and uses it from then on. */
  async rotate(domain: number, next: Attester[]): Promise<bigint> {
    const nextId = this.currentSet(domain).setId + 1n;
    const addresses = next.map((x) => x.account.address);
    const weights = next.map(() => 1n);
    const gateway = this.contracts(domain).gateway;
    const attestation = this.attest(domain, "rotation", setHash(nextId, ROTATION_THRESHOLD, addresses, weights));
    await this.send(this.chain(domain), this.owner, {
      address: gateway,
      abi: gatewayAbi,
      functionName: "rotate",
      args: [addresses, weights, ROTATION_THRESHOLD, attestation],
    });
    this.current.set(domain, { setId: nextId, members: next });
    return nextId;
  }
}
