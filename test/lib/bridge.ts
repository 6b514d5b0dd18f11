// What the e2e tests do on the chains: send arbitrary messages and token transfers (several in one block when asked),
// and count what the destination did: MessageDelivered per message id, the recipient's payloads, token supplies.
import { addressToBytes32, bridgedTokenAbi, gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { demoRecipientAbi, demoTokenAbi, type EvmChain, until } from "@maskoii/testkit";
import { type Address, type Hex, parseEventLogs } from "viem";
import type { Account } from "viem/accounts";
import type { Stack } from "./stack.ts";

/** A MessageSent as the origin emitted it. */
export type Sent = { messageId: Hex; message: Hex; nonce: bigint; blockNumber: bigint; destination: number };

/** Submits one transaction (with an explicit nonce) and returns its hash. */
type Call = () => Promise<Hex>;

async function receiptOk(chain: EvmChain, hash: Hex) {
  const receipt = await chain.public.waitForTransactionReceipt({ hash, timeout: 30_000 });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted on ${chain.name}`);
  return receipt;
}

function sentOf(logs: Parameters<typeof parseEventLogs>[0]["logs"], blockNumber: bigint): Sent[] {
  return parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs }).map((e) => ({
    messageId: e.args.messageId.toLowerCase() as Hex,
    message: e.args.message,
    nonce: e.args.nonce,
    blockNumber,
    destination: e.args.destination,
  }));
}

/**
 * Sends `payloads` from `origin`'s gateway to `recipient` on `destination`, as `account`. With `oneBlock`, every send
 * is mined in one block (automine off while they are submitted), so that they become final together.
 */
export async function sendMessages(args: {
  stack: Stack;
  origin: EvmChain;
  destination: number;
  recipient: Address;
  payloads: readonly Hex[];
  account?: Account;
  oneBlock?: boolean;
}): Promise<Sent[]> {
  const account = args.account ?? args.stack.user;
  const wallet = args.origin.wallet(account);
  const gateway = args.stack.contractsOf(args.origin.domain).gateway;
  let nextNonce = await args.origin.public.getTransactionCount({ address: account.address, blockTag: "pending" });
  const calls: Call[] = [];
  for (const payload of args.payloads) {
    const fee = await args.origin.public.readContract({
      address: gateway,
      abi: gatewayAbi,
      functionName: "quoteFee",
      args: [args.destination, BigInt((payload.length - 2) / 2)],
    });
    calls.push(() =>
      wallet.writeContract({
        address: gateway,
        abi: gatewayAbi,
        functionName: "send",
        args: [args.destination, addressToBytes32(args.recipient), payload],
        value: fee,
        nonce: nextNonce++,
        gas: 300_000n,
      }),
    );
  }
  return submit(args.origin, calls, args.oneBlock === true);
}

async function submit(chain: EvmChain, calls: readonly Call[], oneBlock: boolean): Promise<Sent[]> {
  if (oneBlock) await chain.test.setAutomine(false);
  const hashes: Hex[] = [];
  try {
    for (const call of calls) hashes.push(await call());
  } finally {
    if (oneBlock) {
      await chain.mine(1);
      await chain.test.setAutomine(true);
    }
  }
  const sent: Sent[] = [];
  for (const hash of hashes) {
    const receipt = await receiptOk(chain, hash);
    sent.push(...sentOf(receipt.logs, receipt.blockNumber));
  }
  return sent;
}

/** Mints `count × amount` demo tokens to the user on `origin`, approves the bridge and sends `count` transfers. */
export async function transferTokens(args: {
  stack: Stack;
  origin: EvmChain;
  destination: number;
  recipient: Address;
  /** The 32-byte recipient instead of `recipient` (a Solana token account). */
  recipientBytes32?: Hex;
  amount: bigint;
  count: number;
  oneBlock?: boolean;
}): Promise<Sent[]> {
  const c = args.stack.contractsOf(args.origin.domain);
  const owner = args.origin.wallet(args.stack.owner);
  const user = args.origin.wallet(args.stack.user);
  const total = args.amount * BigInt(args.count);
  await receiptOk(
    args.origin,
    await owner.writeContract({
      address: c.demoToken,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [args.stack.user.address, total],
    }),
  );
  await receiptOk(
    args.origin,
    await user.writeContract({
      address: c.demoToken,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [c.tokenBridge, total],
    }),
  );
  const fee = await args.origin.public.readContract({
    address: c.tokenBridge,
    abi: tokenBridgeAbi,
    functionName: "quoteTransfer",
    args: [args.destination],
  });
  let nextNonce = await args.origin.public.getTransactionCount({
    address: args.stack.user.address,
    blockTag: "pending",
  });
  const calls: Call[] = Array.from(
    { length: args.count },
    () => () =>
      user.writeContract({
        address: c.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "transferRemote",
        args: [c.demoToken, args.destination, args.recipientBytes32 ?? addressToBytes32(args.recipient), args.amount],
        value: fee,
        nonce: nextNonce++,
        gas: 400_000n,
      }),
  );
  return submit(args.origin, calls, args.oneBlock === true);
}

/** MessageDelivered events on `destination`, counted per message id (lowercase). */
export async function deliveredCounts(chain: EvmChain, gateway: Address): Promise<Map<Hex, number>> {
  const events = await chain.public.getContractEvents({
    address: gateway,
    abi: gatewayAbi,
    eventName: "MessageDelivered",
    fromBlock: 0n,
  });
  const counts = new Map<Hex, number>();
  for (const e of events) {
    const id = (e.args.messageId ?? "0x").toLowerCase() as Hex;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Waits until every message of `sent` is delivered on its destination (MessageDelivered seen at least once). */
export async function waitDelivered(stack: Stack, sent: readonly Sent[], timeoutMs = 60_000): Promise<void> {
  const byDestination = new Map<number, Sent[]>();
  for (const s of sent) byDestination.set(s.destination, [...(byDestination.get(s.destination) ?? []), s]);
  for (const [domain, list] of byDestination) {
    const chain = stack.evm(domain);
    const gateway = stack.contractsOf(domain).gateway;
    await until(
      `${list.length} deliveries on ${chain.name}`,
      async () => {
        const counts = await deliveredCounts(chain, gateway);
        return list.every((s) => (counts.get(s.messageId) ?? 0) > 0) ? true : undefined;
      },
      { timeoutMs, everyMs: 250 },
    );
  }
}

/** DemoRecipient's MessageHandled payloads on `chain`, in order. */
export async function handledPayloads(chain: EvmChain, recipient: Address): Promise<Hex[]> {
  const events = await chain.public.getContractEvents({
    address: recipient,
    abi: demoRecipientAbi,
    eventName: "MessageHandled",
    fromBlock: 0n,
  });
  return events.map((e) => e.args.payload ?? "0x");
}

/** The bridged token's total supply and `holder`'s balance on `chain`. */
export async function bridgedSupply(
  stack: Stack,
  chain: EvmChain,
  holder: Address,
): Promise<{ supply: bigint; balance: bigint }> {
  const token = stack.contractsOf(chain.domain).bridgedToken;
  const [supply, balance] = await Promise.all([
    chain.public.readContract({ address: token, abi: bridgedTokenAbi, functionName: "totalSupply" }),
    chain.public.readContract({ address: token, abi: bridgedTokenAbi, functionName: "balanceOf", args: [holder] }),
  ]);
  return { supply, balance };
}

/** The messages an attester node signed for `messageId` (GET /signatures/:id). */
export type AttesterSignature = {
  kind: string;
  value: Hex;
  domain: number;
  attesterSetId: string;
  signature: Hex;
  signer: Address;
};

export async function attesterSignatures(url: string, messageId: Hex): Promise<AttesterSignature[]> {
  const response = await fetch(`${url}/signatures/${messageId}`, { signal: AbortSignal.timeout(3_000) });
  if (!response.ok) throw new Error(`${url}/signatures/${messageId}: HTTP ${response.status}`);
  return ((await response.json()) as { signatures: AttesterSignature[] }).signatures;
}
