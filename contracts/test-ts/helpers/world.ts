// Two in-process chains (chainA = domain 1001, chainB = domain 1002) with maskoii deployed and linked by the same
// code path as the devnet (@maskoii/testkit/deploy, through the Ignition module), plus typed handles for the tests.
import {
  type AttestationKind,
  attestationDigest,
  bridgedTokenAbi,
  encodeAttestation,
  gatewayAbi,
  type IndexedSignature,
  signDigest,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import { type Attester, demoRecipientAbi, demoTokenAbi, devnetAttesters } from "@maskoii/testkit";
import { type ChainContracts, deployMaskoii, type RouteLimits, toBytes32 } from "@maskoii/testkit/deploy";
import type { GetContractReturnType, PublicClient, WalletClient } from "@nomicfoundation/hardhat-viem/types";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { type Abi, type Address, getContract, type Hex, parseEventLogs, type TransactionReceipt } from "viem";

export const DOMAIN_A = 1001;
export const DOMAIN_B = 1002;

type Contracts = {
  /** The Gateway, which is also the chain's attester set (verify/rotate/reportEquivocation/getSet live on it). */
  gateway: GetContractReturnType<typeof gatewayAbi>;
  tokenBridge: GetContractReturnType<typeof tokenBridgeAbi>;
  demoToken: GetContractReturnType<typeof demoTokenAbi>;
  bridgedToken: GetContractReturnType<typeof bridgedTokenAbi>;
};

export type Chain = Contracts & {
  connection: NetworkConnection;
  domain: number;
  addresses: ChainContracts;
  publicClient: PublicClient;
  /** owner = deployer, guardian and token owner; user sends; relayer delivers; stranger has no role. */
  wallets: { owner: WalletClient; user: WalletClient; relayer: WalletClient; stranger: WalletClient };
  /** The same contracts with `wallet` as the sender of writes. */
  as: (wallet: WalletClient) => Contracts;
};

export type World = {
  a: Chain;
  b: Chain;
  /** Set 1's members in set order (sorted by address), with their keys. */
  attesters: Attester[];
  weights: bigint[];
  thresholdBps: number;
  close: () => Promise<void>;
};

export type WorldOptions = {
  attesterCount?: number;
  weights?: bigint[];
  thresholdBps?: number;
  overlapWindow?: number;
  limits?: RouteLimits;
  label?: string;
};

function bind<const TAbi extends Abi>(
  abi: TAbi,
  address: Address,
  publicClient: PublicClient,
  wallet: WalletClient,
): GetContractReturnType<TAbi> {
  return getContract({ abi, address, client: { public: publicClient, wallet } });
}

async function chainOf(connection: NetworkConnection, domain: number, addresses: ChainContracts): Promise<Chain> {
  const publicClient = await connection.viem.getPublicClient();
  const [owner, user, relayer, stranger] = await connection.viem.getWalletClients();
  if (owner === undefined || user === undefined || relayer === undefined || stranger === undefined) {
    throw new Error("expected at least four accounts");
  }
  const as = (wallet: WalletClient): Contracts => ({
    gateway: bind(gatewayAbi, addresses.gateway, publicClient, wallet),
    tokenBridge: bind(tokenBridgeAbi, addresses.tokenBridge, publicClient, wallet),
    demoToken: bind(demoTokenAbi, addresses.demoToken, publicClient, wallet),
    bridgedToken: bind(bridgedTokenAbi, addresses.bridgedToken, publicClient, wallet),
  });
  return {
    ...as(owner),
    connection,
    domain,
    addresses,
    publicClient,
    wallets: { owner, user, relayer, stranger },
    as,
  };
}

/** Fresh chains, deployed and linked. Default: 3 attesters of weight 1, 2-of-3 (6666 bps). */
export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const count = options.attesterCount ?? 3;
  const attesters = devnetAttesters(count, options.label ?? "maskoii test attester");
  const weights = options.weights ?? attesters.map(() => 1n);
  const thresholdBps = options.thresholdBps ?? 6666;
  const connectionA = await network.create("chainA");
  const connectionB = await network.create("chainB");
  const [a, b] = await deployMaskoii({
    chains: [
      { connection: connectionA, domain: DOMAIN_A },
      { connection: connectionB, domain: DOMAIN_B },
    ],
    attesters: attesters.map((attester) => attester.account.address),
    weights,
    thresholdBps,
    ...(options.overlapWindow === undefined ? {} : { overlapWindow: options.overlapWindow }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  return {
    a: await chainOf(connectionA, DOMAIN_A, a.contracts),
    b: await chainOf(connectionB, DOMAIN_B, b.contracts),
    attesters,
    weights,
    thresholdBps,
    close: async () => {
      await connectionA.close();
      await connectionB.close();
    },
  };
}

export { toBytes32 };

/** Waits for `hash` and asserts success. */
export async function mined(chain: Chain, hash: Hex | Promise<Hex>): Promise<TransactionReceipt> {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash: await hash });
  if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
  return receipt;
}

export type SentMessage = { message: Hex; messageId: Hex; nonce: bigint; destination: number };

/** The MessageSent events of a receipt. */
export function sentMessages(receipt: TransactionReceipt): SentMessage[] {
  return parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs }).map((log) => ({
    message: log.args.message,
    messageId: log.args.messageId,
    nonce: log.args.nonce,
    destination: log.args.destination,
  }));
}

export function onlySent(receipt: TransactionReceipt): SentMessage {
  const [sent, extra] = sentMessages(receipt);
  if (sent === undefined || extra !== undefined) throw new Error("expected exactly one MessageSent");
  return sent;
}

/**
 * The digest `kind` attestations for `value` verified on `chain` carry. The verifier is the chain's gateway for every
 * kind: it is also the chain's attester set, so rotations name it too.
 */
export function digestOn(chain: Chain, kind: AttestationKind, attesterSetId: bigint, value: Hex): Hex {
  return attestationDigest(kind, {
    domain: chain.domain,
    verifier: toBytes32(chain.addresses.gateway),
    attesterSetId,
    value,
  });
}

/**
 * A valid attestation by the members at `signerPositions` of `members` (a set in set order, i.e. sorted by address).
 */
export function attest(args: {
  chain: Chain;
  kind: AttestationKind;
  attesterSetId: bigint;
  value: Hex;
  members: readonly Attester[];
  signerPositions: readonly number[];
}): Hex {
  const digest = digestOn(args.chain, args.kind, args.attesterSetId, args.value);
  const signatures: IndexedSignature[] = args.signerPositions.map((index) => {
    const member = args.members[index];
    if (member === undefined) throw new Error(`no member at ${index}`);
    return { index, ...signDigest(digest, member.privateKey) };
  });
  return encodeAttestation(args.attesterSetId, signatures);
}

/** Encodes an attestation byte for byte, without any of the sdk's checks (for malformed-input tests). */
export function rawAttestation(
  attesterSetId: bigint,
  entries: readonly { index: number; r: Hex; s: Hex; v: number }[],
): Hex {
  const hex = (value: bigint, bytes: number) => value.toString(16).padStart(bytes * 2, "0");
  let out = hex(attesterSetId, 8);
  for (const e of entries)
    out += hex(BigInt(e.index), 1) + hex(BigInt(e.r), 32) + hex(BigInt(e.s), 32) + hex(BigInt(e.v), 1);
  return `0x${out}`;
}

/** Attests `sent` for `to` with set 1's members at `signerPositions` and delivers it from the relayer account. */
export async function relay(
  world: World,
  to: Chain,
  sent: SentMessage,
  signerPositions: readonly number[] = [0, 1],
): Promise<TransactionReceipt> {
  const attestation = attest({
    chain: to,
    kind: "message",
    attesterSetId: 1n,
    value: sent.messageId,
    members: world.attesters,
    signerPositions,
  });
  return mined(to, to.as(to.wallets.relayer).gateway.write.deliver([sent.message, attestation]));
}

/** Deploys a DemoRecipient on `chain` (owner: the chain's owner account). */
export async function deployRecipient(chain: Chain): Promise<GetContractReturnType<typeof demoRecipientAbi>> {
  const deployed = await chain.connection.viem.deployContract("DemoRecipient", [
    chain.addresses.gateway,
    chain.wallets.owner.account.address,
  ]);
  return bind(demoRecipientAbi, deployed.address, chain.publicClient, chain.wallets.owner);
}
