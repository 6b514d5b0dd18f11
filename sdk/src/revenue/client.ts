/**
 * A typed client of the revenue contracts (docs/protocol.md §11) over viem: communities, identity bindings, payout
 * recipients, campaigns, epoch reports and creator claims, plus the digests attesters sign and the persona's EIP-712
 * redirect signature. Browser-safe (viem only). Every write is simulated first, so a refusal surfaces as
 * `RevenueCallRevertedError` with the contract's custom error name and arguments before anything is sent; other
 * failures (RPC, transport) as `RevenueCallFailedError` (retryable).
 */
import {
  type Account,
  type Address,
  type Chain,
  ContractFunctionRevertedError,
  type Hex,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
  type Transport,
  type TypedDataDefinition,
  BaseError as ViemBaseError,
  type WalletClient,
} from "viem";
import { campaignLedgerAbi } from "../abi/campaign-ledger.ts";
import { communityRegistryAbi } from "../abi/community-registry.ts";
import { creatorPayoutsAbi } from "../abi/creator-payouts.ts";
import { epochReportsAbi } from "../abi/epoch-reports.ts";
import { identityRegistryAbi } from "../abi/identity-registry.ts";
import { attestationDigest } from "../attestation.ts";
import { RevenueCallFailedError, RevenueCallRevertedError, RevenueWalletMissingError } from "../errors/index.ts";
import { assertAddress, assertBytes32, assertSmallUint, assertUint } from "../internal/assert.ts";
import { addressToBytes32, bytes32ToAddress } from "../message.ts";
import { bindingHash, type IdentityBinding } from "./binding.ts";
import { checkPayoutEntry, type PayoutEntry } from "./payout-tree.ts";
import { assertPlatform } from "./platforms.ts";
import { checkEpochReport, type EpochReport, reportHash, resolutionHash } from "./report.ts";

/** The five revenue contracts of one chain. */
export type RevenueAddresses = {
  readonly communityRegistry: Address;
  readonly identityRegistry: Address;
  readonly campaignLedger: Address;
  readonly epochReports: Address;
  readonly creatorPayouts: Address;
};

/** A payout entry as CreatorPayouts' `PayoutLeaf` calldata argument (addresses from the left-padded words). */
function payoutLeafArg(entry: PayoutEntry) {
  const e = checkPayoutEntry(entry);
  return {
    slot: e.slot,
    account: bytes32ToAddress(e.account),
    token: bytes32ToAddress(e.token),
    recipient: bytes32ToAddress(e.recipient),
    cumulative: e.cumulative,
    salt: e.salt,
  };
}

/** Payout chain families (ChainFamily.sol). */
export const PayoutFamily = { EVM: 1, SVM: 2 } as const;

/** Basis points of a split; the four sum to 10,000 and `protocol` is at most 1,000 (SplitPolicy.sol). */
export type SplitBps = {
  readonly creators: number;
  readonly treasury: number;
  readonly operators: number;
  readonly protocol: number;
};

/** The SplitPolicy word: creators ‖ treasury ‖ operators ‖ protocol, uint16 each, high to low. */
export function encodeSplitPolicy(split: SplitBps): bigint {
  const parts = [split.creators, split.treasury, split.operators, split.protocol].map((v, i) =>
    BigInt(assertSmallUint(["creators", "treasury", "operators", "protocol"][i] ?? "bps", v, 16)),
  );
  return parts.reduce((word, part) => (word << 16n) | part, 0n);
}

/** The four shares of a SplitPolicy word. */
export function decodeSplitPolicy(word: bigint): SplitBps {
  const w = assertUint("policy", word, 64);
  const at = (shift: bigint) => Number((w >> shift) & 0xffffn);
  return { creators: at(48n), treasury: at(32n), operators: at(16n), protocol: at(0n) };
}

/** How a line's spend is split at finalization (CampaignLedger): each share floored, operators take the remainder. */
export function splitSpend(spend: bigint, split: SplitBps) {
  const creators = (spend * BigInt(split.creators)) / 10_000n;
  const treasury = (spend * BigInt(split.treasury)) / 10_000n;
  const protocol = (spend * BigInt(split.protocol)) / 10_000n;
  return { creators, treasury, protocol, operators: spend - creators - treasury - protocol };
}

/** A line's spend as the contract requires it: impressions × cpm / 1000 + engagements × cpe (floor). */
export function lineSpend(args: {
  impressions: bigint | number;
  engagements: bigint | number;
  cpm: bigint | number;
  cpe: bigint | number;
}): bigint {
  const impressions = assertUint("impressions", args.impressions, 64);
  const engagements = assertUint("engagements", args.engagements, 64);
  return (impressions * assertUint("cpm", args.cpm, 96)) / 1000n + engagements * assertUint("cpe", args.cpe, 96);
}

/** The digest attesters sign for a binding (IdentityBinding kind, verifier = the IdentityRegistry). */
export function bindingAttestationDigest(args: {
  domain: number;
  identityRegistry: Address;
  attesterSetId: bigint | number;
  binding: IdentityBinding;
}): Hex {
  return attestationDigest("identityBinding", {
    domain: args.domain,
    verifier: addressToBytes32(args.identityRegistry),
    attesterSetId: args.attesterSetId,
    value: bindingHash(args.binding),
  });
}

/** The digest attesters sign for an epoch report (EpochReport kind, verifier = EpochReports). */
export function reportAttestationDigest(args: {
  domain: number;
  epochReports: Address;
  attesterSetId: bigint | number;
  report: EpochReport;
}): Hex {
  return attestationDigest("epochReport", {
    domain: args.domain,
    verifier: addressToBytes32(args.epochReports),
    attesterSetId: args.attesterSetId,
    value: reportHash(args.report),
  });
}

/**
 * The digest attesters sign for their decision on a frozen report (ReportResolution kind, verifier = EpochReports).
 * `seq` is the report's sequence number in EpochReports: the decision settles that submission only.
 */
export function resolutionAttestationDigest(args: {
  domain: number;
  epochReports: Address;
  attesterSetId: bigint | number;
  report: EpochReport;
  seq: bigint | number;
  upheld: boolean;
}): Hex {
  return attestationDigest("reportResolution", {
    domain: args.domain,
    verifier: addressToBytes32(args.epochReports),
    attesterSetId: args.attesterSetId,
    value: resolutionHash({ reportHash: reportHash(args.report), seq: args.seq, upheld: args.upheld }),
  });
}

const claimToTypes = {
  ClaimTo: [
    { name: "persona", type: "address" },
    { name: "token", type: "address" },
    { name: "to", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** The redirect a persona signs for `claimTo` (CreatorPayouts' own EIP-712 domain). */
export type ClaimToRedirect = {
  readonly chainId: number;
  readonly creatorPayouts: Address;
  readonly persona: Address;
  readonly token: Address;
  readonly to: Address;
  /** The persona's current `nonces(persona)` on CreatorPayouts. */
  readonly nonce: bigint;
  /** Last second the signature is valid. */
  readonly deadline: bigint;
};

/** The `ClaimTo` typed data, for any wallet's `signTypedData` or viem's `hashTypedData`. */
export function claimToTypedData(r: ClaimToRedirect): TypedDataDefinition<typeof claimToTypes, "ClaimTo"> {
  return {
    domain: {
      name: "maskoii CreatorPayouts",
      version: "1",
      chainId: r.chainId,
      verifyingContract: assertAddress("creatorPayouts", r.creatorPayouts),
    },
    types: claimToTypes,
    primaryType: "ClaimTo",
    message: {
      persona: assertAddress("persona", r.persona),
      token: assertAddress("token", r.token),
      to: assertAddress("to", r.to),
      nonce: assertUint("nonce", r.nonce, 256),
      deadline: assertUint("deadline", r.deadline, 256),
    },
  };
}

/** What `createCommunity` takes; k and expiry 0 mean the registry's defaults (10 and 26). */
export type CommunityParams = {
  readonly metadataURI: string;
  readonly treasury: Address;
  /** Opaque source descriptors (≤ 16, each 1..512 bytes), as hex. */
  readonly sources: readonly Hex[];
  readonly split: SplitBps;
  readonly kAnonymity?: number;
  readonly unclaimedExpiryEpochs?: number;
};

/** What `createCampaign` takes (CampaignLedger `CampaignParams`). */
export type CampaignParams = {
  readonly token: Address;
  /** Strictly ascending community ids. */
  readonly communities: readonly bigint[];
  readonly tags?: readonly Hex[];
  readonly cpm: bigint;
  readonly cpe: bigint;
  readonly budget: bigint;
  readonly epochCap: bigint;
  readonly start: number;
  readonly end: number;
  readonly creativeHash: Hex;
  readonly creativeURI: string;
};

/** A sent transaction's receipt plus what the call returned (the simulated result). */
export type WriteResult<T> = { readonly receipt: TransactionReceipt; readonly result: T };

type AnyWallet = WalletClient<Transport, Chain | undefined, Account | undefined>;

/** The client's configuration. `wallet` is needed for writes only. */
export type RevenueClientConfig = {
  readonly publicClient: PublicClient;
  readonly wallet?: AnyWallet;
  readonly addresses: RevenueAddresses;
};

/** The decoded revert of `error`, or a transport failure, as a typed sdk error. */
export function toRevenueError(
  functionName: string,
  error: unknown,
): RevenueCallRevertedError | RevenueCallFailedError {
  if (error instanceof RevenueCallRevertedError || error instanceof RevenueCallFailedError) return error;
  if (error instanceof ViemBaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) {
      return new RevenueCallRevertedError(functionName, revert.data?.errorName ?? "", revert.data?.args ?? [], error);
    }
  }
  return new RevenueCallFailedError(functionName, error);
}

const allAbis = [
  ...communityRegistryAbi,
  ...identityRegistryAbi,
  ...campaignLedgerAbi,
  ...epochReportsAbi,
  ...creatorPayoutsAbi,
] as const;

/** The client. Each write returns the receipt and the function's return value. */
export class RevenueClient {
  readonly publicClient: PublicClient;
  readonly wallet: AnyWallet | undefined;
  readonly addresses: RevenueAddresses;

  constructor(config: RevenueClientConfig) {
    this.publicClient = config.publicClient;
    this.wallet = config.wallet;
    this.addresses = {
      communityRegistry: assertAddress("communityRegistry", config.addresses.communityRegistry),
      identityRegistry: assertAddress("identityRegistry", config.addresses.identityRegistry),
      campaignLedger: assertAddress("campaignLedger", config.addresses.campaignLedger),
      epochReports: assertAddress("epochReports", config.addresses.epochReports),
      creatorPayouts: assertAddress("creatorPayouts", config.addresses.creatorPayouts),
    };
  }

  /** The same client with another wallet. */
  withWallet(wallet: AnyWallet): RevenueClient {
    return new RevenueClient({ publicClient: this.publicClient, wallet, addresses: this.addresses });
  }

  /** Simulates `functionName` from the wallet's account, sends it, waits for success. */
  async #write<T>(
    address: Address,
    abi: readonly unknown[],
    functionName: string,
    args: readonly unknown[],
    value?: bigint,
  ): Promise<WriteResult<T>> {
    const wallet = this.wallet;
    const account = wallet?.account;
    if (wallet === undefined || account === undefined) throw new RevenueWalletMissingError(functionName);
    try {
      // The ABIs are the generated `as const` ones; the per-method signatures below carry the argument types.
      const call = {
        address,
        abi: abi as typeof allAbis,
        functionName,
        args,
        account,
        ...(value === undefined ? {} : { value }),
      } as unknown as Parameters<PublicClient["simulateContract"]>[0];
      const { result, request } = await this.publicClient.simulateContract(call);
      const hash = await wallet.writeContract({ ...request, chain: wallet.chain ?? null } as Parameters<
        AnyWallet["writeContract"]
      >[0]);
      const receipt = await this.publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new RevenueCallRevertedError(functionName, "", [], receipt);
      return { receipt, result: result as T };
    } catch (error) {
      throw toRevenueError(functionName, error);
    }
  }

  async #read<T>(address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[]) {
    try {
      const call = { address, abi: abi as typeof allAbis, functionName, args } as unknown as Parameters<
        PublicClient["readContract"]
      >[0];
      return (await this.publicClient.readContract(call)) as T;
    } catch (error) {
      throw toRevenueError(functionName, error);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // communities and identities

  /** Creates a community owned by the wallet's account; returns its id. */
  createCommunity(p: CommunityParams): Promise<WriteResult<bigint>> {
    return this.#write(this.addresses.communityRegistry, communityRegistryAbi, "createCommunity", [
      p.metadataURI,
      assertAddress("treasury", p.treasury),
      p.sources,
      encodeSplitPolicy(p.split),
      p.kAnonymity ?? 0,
      p.unclaimedExpiryEpochs ?? 0,
    ]);
  }

  /** Submits a quorum-attested binding (anyone may; the attestation is the authority). */
  bind(binding: IdentityBinding, attestation: Hex): Promise<WriteResult<void>> {
    return this.#write(this.addresses.identityRegistry, identityRegistryAbi, "bind", [
      assertPlatform(binding.platform),
      assertBytes32("accountId", binding.accountId),
      assertAddress("persona", binding.persona),
      assertUint("sequence", binding.sequence, 64),
      attestation,
    ]);
  }

  /** The wallet's persona names where it is paid: an EVM address, or a Solana key (family SVM). */
  setPayout(family: number, recipient: Hex): Promise<WriteResult<void>> {
    return this.#write(this.addresses.identityRegistry, identityRegistryAbi, "setPayout", [
      family,
      assertBytes32("recipient", recipient),
    ]);
  }

  /** The persona an account is bound to (the zero address when none). */
  personaOf(platform: number, accountId: Hex): Promise<Address> {
    return this.#read(this.addresses.identityRegistry, identityRegistryAbi, "personaOf", [
      assertPlatform(platform),
      assertBytes32("accountId", accountId),
    ]);
  }

  /** Where a persona is paid. */
  async payoutOf(persona: Address): Promise<{ family: number; recipient: Hex }> {
    const [family, recipient] = await this.#read<readonly [number, Hex]>(
      this.addresses.identityRegistry,
      identityRegistryAbi,
      "payoutOf",
      [assertAddress("persona", persona)],
    );
    return { family, recipient };
  }

  /** The registry's current epoch. */
  currentEpoch(): Promise<bigint> {
    return this.#read(this.addresses.communityRegistry, communityRegistryAbi, "currentEpoch", []);
  }

  // -------------------------------------------------------------------------------------------------------------
  // campaigns (the wallet's account is the advertiser and must have approved the ledger for the budget)

  /** Creates and funds a campaign; returns its id. */
  createCampaign(p: CampaignParams): Promise<WriteResult<bigint>> {
    return this.#write(this.addresses.campaignLedger, campaignLedgerAbi, "createCampaign", [
      {
        token: assertAddress("token", p.token),
        communities: p.communities.map((c, i) => assertUint(`communities[${i}]`, c, 64)),
        tags: (p.tags ?? []).map((t, i) => assertBytes32(`tags[${i}]`, t)),
        cpm: assertUint("cpm", p.cpm, 96),
        cpe: assertUint("cpe", p.cpe, 96),
        budget: assertUint("budget", p.budget, 96),
        epochCap: assertUint("epochCap", p.epochCap, 96),
        start: assertSmallUint("start", p.start, 40),
        end: assertSmallUint("end", p.end, 40),
        creativeHash: assertBytes32("creativeHash", p.creativeHash),
        creativeURI: p.creativeURI,
      },
    ]);
  }

  topUp(campaignId: bigint, amount: bigint): Promise<WriteResult<void>> {
    return this.#write(this.addresses.campaignLedger, campaignLedgerAbi, "topUp", [
      assertUint("campaignId", campaignId, 64),
      assertUint("amount", amount, 96),
    ]);
  }

  pause(campaignId: bigint): Promise<WriteResult<void>> {
    return this.#write(this.addresses.campaignLedger, campaignLedgerAbi, "pause", [campaignId]);
  }

  unpause(campaignId: bigint): Promise<WriteResult<void>> {
    return this.#write(this.addresses.campaignLedger, campaignLedgerAbi, "unpause", [campaignId]);
  }

  cancel(campaignId: bigint): Promise<WriteResult<void>> {
    return this.#write(this.addresses.campaignLedger, campaignLedgerAbi, "cancel", [campaignId]);
  }

  /** Pays the unspent budget back to the advertiser; returns the amount. */
  refund(campaignId: bigint): Promise<WriteResult<bigint>> {
    return this.#write(this.addresses.campaignLedger, campaignLedgerAbi, "refund", [campaignId]);
  }

  /** The stored campaign. */
  campaign(campaignId: bigint) {
    return this.#read<{
      available: bigint;
      cpm: bigint;
      cpe: bigint;
      epochCap: bigint;
      advertiser: Address;
      token: Address;
      funded: bigint;
      spent: bigint;
      refunded: bigint;
      pendingReports: number;
    }>(this.addresses.campaignLedger, campaignLedgerAbi, "campaign", [campaignId]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // epoch reports

  /** Submits a quorum-attested report; returns its sequence number. */
  submitReport(report: EpochReport, attestation: Hex): Promise<WriteResult<bigint>> {
    return this.#write(this.addresses.epochReports, epochReportsAbi, "submit", [checkEpochReport(report), attestation]);
  }

  /** Freezes report `seq` with a different report for the same (community, epoch) signed by the same set. */
  challengeConflicting(args: {
    seq: bigint;
    report: EpochReport;
    attestation: Hex;
    other: EpochReport;
    otherAttestation: Hex;
  }): Promise<WriteResult<void>> {
    return this.#write(this.addresses.epochReports, epochReportsAbi, "challengeConflicting", [
      args.seq,
      checkEpochReport(args.report),
      args.attestation,
      checkEpochReport(args.other),
      args.otherAttestation,
    ]);
  }

  /** Freezes report `seq` with a bond (the wallet must be a member of the current attester set). */
  dispute(seq: bigint, bond: bigint): Promise<WriteResult<void>> {
    return this.#write(this.addresses.epochReports, epochReportsAbi, "dispute", [seq], bond);
  }

  /** Applies the quorum's decision on a frozen report. */
  resolve(args: {
    seq: bigint;
    report: EpochReport;
    attestation: Hex;
    upheld: boolean;
    resolution: Hex;
  }): Promise<WriteResult<void>> {
    return this.#write(this.addresses.epochReports, epochReportsAbi, "resolve", [
      args.seq,
      checkEpochReport(args.report),
      args.attestation,
      args.upheld,
      args.resolution,
    ]);
  }

  /** Finalizes report `seq` after its window (or once cleared). */
  finalizeReport(seq: bigint, report: EpochReport, attestation: Hex): Promise<WriteResult<void>> {
    return this.#write(this.addresses.epochReports, epochReportsAbi, "finalize", [
      seq,
      checkEpochReport(report),
      attestation,
    ]);
  }

  /** Drops a report built on a rejected one. */
  dropReport(seq: bigint, report: EpochReport, attestation: Hex): Promise<WriteResult<void>> {
    return this.#write(this.addresses.epochReports, epochReportsAbi, "drop", [
      seq,
      checkEpochReport(report),
      attestation,
    ]);
  }

  /** Sends the wallet's credited wei (a returned or awarded dispute bond) to `to`; returns the amount. */
  withdrawCredit(to: Address): Promise<WriteResult<bigint>> {
    return this.#write(this.addresses.epochReports, epochReportsAbi, "withdrawCredit", [assertAddress("to", to)]);
  }

  /** The sequence number of the report a receipt submitted (its ReportSubmitted event). */
  static submittedSeq(receipt: TransactionReceipt): bigint {
    const [log] = parseEventLogs({ abi: epochReportsAbi, eventName: "ReportSubmitted", logs: receipt.logs });
    if (log === undefined) throw new RevenueCallRevertedError("submit", "", [], receipt);
    return log.args.seq;
  }

  // -------------------------------------------------------------------------------------------------------------
  // claims

  /** Claims `entry` (an EVM persona's leaf) to the leaf's recipient; anyone may call. */
  claim(entry: PayoutEntry, proof: readonly Hex[]): Promise<WriteResult<bigint>> {
    return this.#write(this.addresses.creatorPayouts, creatorPayoutsAbi, "claim", [payoutLeafArg(entry), proof]);
  }

  /** Claims `entry` to `to` with the persona's `ClaimTo` signature (`signClaimTo`); anyone may submit it. */
  claimTo(args: {
    entry: PayoutEntry;
    proof: readonly Hex[];
    to: Address;
    deadline: bigint;
    signature: Hex;
  }): Promise<WriteResult<bigint>> {
    return this.#write(this.addresses.creatorPayouts, creatorPayoutsAbi, "claimTo", [
      payoutLeafArg(args.entry),
      args.proof,
      assertAddress("to", args.to),
      args.deadline,
      args.signature,
    ]);
  }

  /** The wallet's account (the persona) signs a redirect of its claim of `token` to `to`, at its current nonce. */
  async signClaimTo(args: { token: Address; to: Address; deadline: bigint }): Promise<Hex> {
    const wallet = this.wallet;
    const account = wallet?.account;
    if (wallet === undefined || account === undefined) throw new RevenueWalletMissingError("signClaimTo");
    const nonce = await this.nonceOf(account.address);
    const chainId = await this.publicClient.getChainId();
    const typed = claimToTypedData({
      chainId,
      creatorPayouts: this.addresses.creatorPayouts,
      persona: account.address,
      token: args.token,
      to: args.to,
      nonce,
      deadline: args.deadline,
    });
    try {
      return await wallet.signTypedData({ ...typed, account });
    } catch (error) {
      throw new RevenueCallFailedError("signClaimTo", error);
    }
  }

  /** The persona's redirect nonce. */
  nonceOf(persona: Address): Promise<bigint> {
    return this.#read(this.addresses.creatorPayouts, creatorPayoutsAbi, "nonces", [assertAddress("persona", persona)]);
  }

  /** What the payout slot `slot` (one (persona, token) pair, `PayoutEntry.slot`) has claimed in all. */
  claimed(slot: bigint | number): Promise<bigint> {
    return this.#read(this.addresses.creatorPayouts, creatorPayoutsAbi, "claimed", [assertUint("slot", slot, 32)]);
  }

  /** The current (final) payout root. */
  payoutRoot(): Promise<Hex> {
    return this.#read(this.addresses.creatorPayouts, creatorPayoutsAbi, "root", []);
  }

  // -------------------------------------------------------------------------------------------------------------
  // balances

  /** A token's balances in the ledger: a community treasury's, an operator's, the protocol's, the creators' owed. */
  async balances(args: { token: Address; communityId?: bigint; operator?: Address }) {
    const token = assertAddress("token", args.token);
    const l = this.addresses.campaignLedger;
    const [treasury, operator, protocol, creatorsOwed] = await Promise.all([
      args.communityId === undefined
        ? Promise.resolve(0n)
        : this.#read<bigint>(l, campaignLedgerAbi, "treasuryBalance", [args.communityId, token]),
      args.operator === undefined
        ? Promise.resolve(0n)
        : this.#read<bigint>(l, campaignLedgerAbi, "operatorBalance", [args.operator, token]),
      this.#read<bigint>(l, campaignLedgerAbi, "protocolBalance", [token]),
      this.#read<bigint>(l, campaignLedgerAbi, "creatorsOwed", [token]),
    ]);
    return { treasury, operator, protocol, creatorsOwed };
  }

  /** Pays a community's treasury balance to its treasury (anyone may call). */
  withdrawTreasury(communityId: bigint, token: Address): Promise<WriteResult<bigint>> {
    return this.#write(this.addresses.campaignLedger, campaignLedgerAbi, "withdrawTreasury", [communityId, token]);
  }

  /** Pays the wallet's operator balance to `to`. */
  withdrawOperator(token: Address, to: Address): Promise<WriteResult<bigint>> {
    return this.#write(this.addresses.campaignLedger, campaignLedgerAbi, "withdrawOperator", [token, to]);
  }

  /** Pays the protocol balance to the fee recipient (anyone may call). */
  withdrawProtocolFees(token: Address): Promise<WriteResult<bigint>> {
    return this.#write(this.addresses.campaignLedger, campaignLedgerAbi, "withdrawProtocolFees", [token]);
  }
}
