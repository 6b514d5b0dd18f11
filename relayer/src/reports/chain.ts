// EpochReports (and what it reaches: its CampaignLedger's Solana route, the TokenBridge's distribution fee) as the
// report submitter uses it: views, the ReportSubmitted log and calldata of a (community, epoch), and the three writes
// (submit, finalize, sendSolanaPayout), each simulated first (a refusal costs nothing and is returned by its error
// name) and then sent through the chain adapter's EvmSender (fees, bumping and nonces shared with deliveries).
import {
  campaignLedgerAbi,
  checkEpochReport,
  type EpochReport,
  epochReportsAbi,
  gatewayAbi,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import {
  type Address,
  decodeFunctionData,
  encodeFunctionData,
  encodePacked,
  type Hex,
  keccak256,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
  zeroAddress,
} from "viem";
import { revertOf } from "../chains/evm-errors.ts";
import type { EvmSender } from "../chains/evm-sender.ts";

type Read = <T>(call: string, fn: () => Promise<T>) => Promise<T>;

/** Gas added on top of eth_estimateGas, in percent (as for deliveries). */
const GAS_MARGIN_PERCENT = 25n;

/** IEpochReports.Status. */
export const ReportStatus = {
  None: 0,
  Pending: 1,
  Frozen: 2,
  Cleared: 3,
  Final: 4,
  Rejected: 5,
  Dropped: 6,
} as const;
export const REPORT_STATUS_NAMES = ["none", "pending", "frozen", "cleared", "final", "rejected", "dropped"] as const;

export type OnChainRecord = {
  readonly commitment: Hex;
  readonly submittedAt: number;
  readonly status: number;
  readonly parent: bigint;
};

/** A ReportSubmitted log. */
export type SubmittedLog = {
  readonly seq: bigint;
  readonly reportHash: Hex;
  readonly txHash: Hex;
  readonly blockNumber: bigint;
};

/** What a write did: mined (with its receipt), or refused by the simulation (the revert, by name and arguments). */
export type WriteOutcome =
  | { readonly kind: "sent"; readonly receipt: TransactionReceipt }
  | { readonly kind: "refused"; readonly reason: string }
  | { readonly kind: "reverted"; readonly txHash: Hex };

/** The commitment EpochReports keeps per report: the first 20 bytes of keccak256(reportHash ‖ attestation). */
export function reportCommitment(reportHash: Hex, attestation: Hex): Hex {
  return keccak256(encodePacked(["bytes32", "bytes"], [reportHash, attestation]))
    .slice(0, 42)
    .toLowerCase() as Hex;
}

/** The report as the contract's calldata tuple. */
export function reportArg(report: EpochReport) {
  return { ...checkEpochReport(report), solana: report.solana ?? [] };
}

export class EpochReportsChain {
  readonly domain: number;
  readonly address: Address;
  readonly #client: PublicClient;
  readonly #read: Read;
  readonly #sender: EvmSender;
  readonly #onRpcError: (call: string) => void;
  readonly #fromBlock: bigint;
  #window: number | undefined;
  #ledger: Address | undefined;
  #gateway: Address | undefined;

  constructor(args: {
    domain: number;
    address: Address;
    client: PublicClient;
    read: Read;
    sender: EvmSender;
    onRpcError: (call: string) => void;
    /** Where ReportSubmitted logs are searched from (the deployment's block). */
    fromBlock: bigint;
  }) {
    this.domain = args.domain;
    this.address = args.address;
    this.#client = args.client;
    this.#read = args.read;
    this.#sender = args.sender;
    this.#onRpcError = args.onRpcError;
    this.#fromBlock = args.fromBlock;
  }

  /** The paying account. */
  get account(): Address {
    return this.#sender.address;
  }

  #view<T>(
    functionName: string,
    args: readonly unknown[] = [],
    address: Address = this.address,
    abi: unknown = epochReportsAbi,
  ) {
    return this.#read(functionName, () =>
      this.#client.readContract({ address, abi, functionName, args } as Parameters<PublicClient["readContract"]>[0]),
    ) as Promise<T>;
  }

  /** Chain time: the latest block's timestamp (unix seconds). */
  async now(): Promise<number> {
    const block = await this.#read("getBlock(latest)", () => this.#client.getBlock({ blockTag: "latest" }));
    return Number(block.timestamp);
  }

  async challengeWindow(): Promise<number> {
    this.#window ??= Number(await this.#view<number>("challengeWindow"));
    return this.#window;
  }

  /** Whether the revenue suite is paused (its Gateway's `paused()`). */
  async paused(): Promise<boolean> {
    this.#gateway ??= await this.#view<Address>("attesterSet");
    return this.#view<boolean>("paused", [], this.#gateway, gatewayAbi);
  }

  /** The first 16 bytes of the pending tip's payout root (what `prevPayoutRoot` must start with). */
  async pendingRoot(): Promise<Hex> {
    return ((await this.#view<Hex>("pendingRoot")) as string).toLowerCase() as Hex;
  }

  async isReported(communityId: bigint, epoch: bigint): Promise<boolean> {
    return this.#view<boolean>("isReported", [communityId, epoch]);
  }

  async record(seq: bigint): Promise<OnChainRecord> {
    const r = await this.#view<{ commitment: Hex; submittedAt: number; status: number; parent: bigint | number }>(
      "reportOf",
      [seq],
    );
    return {
      commitment: r.commitment.toLowerCase() as Hex,
      submittedAt: Number(r.submittedAt),
      status: Number(r.status),
      parent: BigInt(r.parent),
    };
  }

  async lastFinal(): Promise<bigint> {
    return BigInt(await this.#view<bigint>("lastFinal"));
  }

  async solanaPayoutSent(seq: bigint, index: number): Promise<boolean> {
    return this.#view<boolean>("solanaPayoutSent", [seq, BigInt(index)]);
  }

  /** The ledger's Solana route (bridge and domain), or undefined when none is set. */
  async solanaRoute(): Promise<{ bridge: Address; domain: number } | undefined> {
    this.#ledger ??= await this.#view<Address>("ledger");
    const [bridge, domain] = await Promise.all([
      this.#view<Address>("solanaBridge", [], this.#ledger, campaignLedgerAbi),
      this.#view<number>("solanaDomain", [], this.#ledger, campaignLedgerAbi),
    ]);
    return bridge === zeroAddress ? undefined : { bridge, domain: Number(domain) };
  }

  /** The gateway fee a Solana payout needs (`TokenBridge.quoteDistribution(solanaDomain)`). */
  async quoteDistribution(bridge: Address, domain: number): Promise<bigint> {
    return this.#view<bigint>("quoteDistribution", [domain], bridge, tokenBridgeAbi);
  }

  /** The ReportSubmitted logs of (communityId, epoch), oldest first. */
  async submittedLogs(communityId: bigint, epoch: bigint): Promise<SubmittedLog[]> {
    const logs = await this.#read("getLogs(ReportSubmitted)", () =>
      this.#client.getContractEvents({
        address: this.address,
        abi: epochReportsAbi,
        eventName: "ReportSubmitted",
        args: { communityId, epoch },
        fromBlock: this.#fromBlock,
        toBlock: "latest",
        strict: true,
      }),
    );
    return logs.map((l) => ({
      seq: l.args.seq,
      reportHash: l.args.reportHash.toLowerCase() as Hex,
      txHash: l.transactionHash,
      blockNumber: l.blockNumber,
    }));
  }

  /** The attestation a transaction passed to `submit` (a direct call), or undefined when it is not one. */
  async submittedAttestation(txHash: Hex): Promise<Hex | undefined> {
    const tx = await this.#read("getTransaction", () => this.#client.getTransaction({ hash: txHash }));
    if (tx.to?.toLowerCase() !== this.address.toLowerCase()) return undefined;
    try {
      const call = decodeFunctionData({ abi: epochReportsAbi, data: tx.input });
      return call.functionName === "submit" ? (call.args[1].toLowerCase() as Hex) : undefined;
    } catch {
      return undefined;
    }
  }

  submit(report: EpochReport, attestation: Hex): Promise<WriteOutcome> {
    return this.#write("submit", [reportArg(report), attestation]);
  }

  finalize(seq: bigint, report: EpochReport, attestation: Hex): Promise<WriteOutcome> {
    return this.#write("finalize", [seq, reportArg(report), attestation]);
  }

  sendSolanaPayout(seq: bigint, report: EpochReport, attestation: Hex, index: number, fee: bigint) {
    return this.#write("sendSolanaPayout", [seq, reportArg(report), attestation, BigInt(index)], fee);
  }

  /** The seq of a submit receipt (its ReportSubmitted log). */
  static submittedSeq(receipt: TransactionReceipt): bigint | undefined {
    const [log] = parseEventLogs({ abi: epochReportsAbi, eventName: "ReportSubmitted", logs: receipt.logs });
    return log?.args.seq;
  }

  /** The Gateway message id of a sendSolanaPayout receipt (its SolanaPayoutSent log). */
  static payoutMessageId(receipt: TransactionReceipt): Hex | undefined {
    const [log] = parseEventLogs({ abi: epochReportsAbi, eventName: "SolanaPayoutSent", logs: receipt.logs });
    return log?.args.messageId;
  }

  async #write(functionName: string, args: readonly unknown[], value?: bigint): Promise<WriteOutcome> {
    const call = {
      address: this.address,
      abi: epochReportsAbi,
      functionName,
      args,
      account: this.#sender.address,
      ...(value === undefined ? {} : { value }),
    } as unknown as Parameters<PublicClient["simulateContract"]>[0];
    let gas: bigint;
    try {
      await this.#client.simulateContract(call);
      gas = await this.#client.estimateContractGas(call as Parameters<PublicClient["estimateContractGas"]>[0]);
    } catch (error) {
      const reason = revertOf(error);
      if (reason === undefined) {
        this.#onRpcError(`simulate(${functionName})`);
        throw error;
      }
      return { kind: "refused", reason };
    }
    const data = encodeFunctionData({ abi: epochReportsAbi, functionName, args } as Parameters<
      typeof encodeFunctionData
    >[0]);
    const { receipt } = await this.#sender.send({
      to: this.address,
      data,
      gas: (gas * (100n + GAS_MARGIN_PERCENT)) / 100n,
      ...(value === undefined ? {} : { value }),
    });
    if (receipt.status !== "success") return { kind: "reverted", txHash: receipt.transactionHash };
    return { kind: "sent", receipt };
  }
}
