// Devnet step: one token transfer A -> B through the whole protocol: the attester node processes sign it, the relayer
// process delivers it; the demo sends, watches and prints where the time went.
import { gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { demoTokenAbi } from "@maskoii/testkit";
import type { ChainDeployment } from "@maskoii/testkit/deploy";
import { type Address, formatUnits, getAddress, type Hex, pad, parseEventLogs, parseUnits } from "viem";
import { countSigners, type DevnetNodes } from "./nodes.ts";

/** IGateway.MessageStatus by value. */
export const MESSAGE_STATUS = ["None", "Delivered", "Failed"] as const;

/** Raised when the demo transfer does not go through. */
export class DemoError extends Error {
  override readonly name = "DemoError";
}

export type DemoResult = {
  messageId: Hex;
  status: (typeof MESSAGE_STATUS)[number];
  sendGas: bigint;
  deliverGas: bigint;
  recipient: Address;
  recipientBalance: bigint;
  timings: DeliveryTimings;
};

export async function runDemoTransfer(args: {
  deployment: readonly [ChainDeployment, ChainDeployment];
  /** The running attester nodes and relayer (scripts/lib/nodes.ts). */
  nodes: DevnetNodes;
  /** How many attester signatures make a quorum. */
  quorum: number;
  timeoutMs?: number;
  log: (line: string) => void;
}): Promise<DemoResult> {
  const [a, b] = args.deployment;
  const publicA = await a.connection.viem.getPublicClient();
  const publicB = await b.connection.viem.getPublicClient();
  const [ownerA, userA] = await a.connection.viem.getWalletClients();
  if (ownerA === undefined || userA === undefined) {
    throw new DemoError("the devnet chains need at least three funded accounts");
  }
  const user = getAddress(userA.account.address);
  const recipient = user;
  const amount = parseUnits("100.5", 18);

  const receiptOnA = async (hash: Hex, what: string) => {
    const receipt = await publicA.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new DemoError(`${what} reverted (tx ${hash})`);
    return receipt;
  };

  // 1. On A: mint demo tokens to the user, approve the bridge, transferRemote to the same address on B.
  await receiptOnA(
    await ownerA.writeContract({
      address: a.contracts.demoToken,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [user, amount],
    }),
    "mint",
  );
  await receiptOnA(
    await userA.writeContract({
      address: a.contracts.demoToken,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [a.contracts.tokenBridge, amount],
    }),
    "approve",
  );
  const fee = await publicA.readContract({
    address: a.contracts.tokenBridge,
    abi: tokenBridgeAbi,
    functionName: "quoteTransfer",
    args: [b.domain],
  });
  const sendReceipt = await receiptOnA(
    await userA.writeContract({
      address: a.contracts.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "transferRemote",
      args: [a.contracts.demoToken, b.domain, pad(recipient, { size: 32 }), amount],
      value: fee,
    }),
    "transferRemote",
  );
  const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: sendReceipt.logs });
  if (sent === undefined) throw new DemoError("transferRemote emitted no MessageSent");
  const { messageId, message } = sent.args;
  args.log(
    `sent ${formatUnits(amount, 18)} DEMO A -> B: message ${messageId} (nonce ${sent.args.nonce}, fee ${fee} wei)`,
  );

  // 2. The attester nodes see it final and sign; the relayer gathers a quorum and delivers on B. The demo only
  //    watches, and times each stage from the moment the send was mined.
  const timings = await waitForDelivery({
    messageId,
    attesterUrls: args.nodes.attesterUrls,
    quorum: args.quorum,
    delivered: async () =>
      (await publicB.readContract({
        address: b.contracts.gateway,
        abi: gatewayAbi,
        functionName: "messageStatus",
        args: [message],
      })) !== 0,
    timeoutMs: args.timeoutMs ?? 60_000,
  });
  const [delivery] = await publicB.getContractEvents({
    address: b.contracts.gateway,
    abi: gatewayAbi,
    eventName: "MessageDelivered",
    args: { messageId },
    fromBlock: 0n,
  });
  if (delivery === undefined) throw new DemoError(`no MessageDelivered for ${messageId} on B`);
  const deliverReceipt = await publicB.getTransactionReceipt({ hash: delivery.transactionHash });
  const statusValue = await publicB.readContract({
    address: b.contracts.gateway,
    abi: gatewayAbi,
    functionName: "messageStatus",
    args: [message],
  });
  const status = MESSAGE_STATUS[statusValue] ?? "None";
  const recipientBalance = await publicB.readContract({
    address: b.contracts.bridgedToken,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [recipient],
  });

  args.log(`message id       ${messageId}`);
  args.log(`status on B      ${status}`);
  args.log(`gas send (A)     ${sendReceipt.gasUsed} (transferRemote; gasUsed incl. the 21,000 base)`);
  args.log(
    `gas deliver (B)  ${deliverReceipt.gasUsed} (delivered by the relayer in tx ${deliverReceipt.transactionHash})`,
  );
  logTimings(args.log, timings);
  args.log(`recipient on B   ${recipient} holds ${formatUnits(recipientBalance, 18)} bridged DEMO`);
  if (status !== "Delivered") throw new DemoError(`message status on B is ${status}, expected Delivered`);
  if (recipientBalance !== amount) throw new DemoError(`recipient holds ${recipientBalance}, expected ${amount}`);
  return {
    messageId,
    status,
    sendGas: sendReceipt.gasUsed,
    deliverGas: deliverReceipt.gasUsed,
    recipient,
    recipientBalance,
    timings,
  };
}

/** Milliseconds from the moment the send was mined. */
export type DeliveryTimings = { readonly quorumMs: number; readonly deliveredMs: number };

/**
 * Polls until `delivered()` holds (bounded by `timeoutMs`), noting when `quorum` attester nodes first serve a
 * signature over `messageId`.
 */
export async function waitForDelivery(args: {
  messageId: Hex;
  attesterUrls: readonly string[];
  quorum: number;
  delivered: () => Promise<boolean>;
  timeoutMs: number;
  pollMs?: number;
}): Promise<DeliveryTimings> {
  const start = Date.now();
  let quorumMs: number | undefined;
  while (Date.now() - start < args.timeoutMs) {
    if (quorumMs === undefined && (await countSigners(args.attesterUrls, args.messageId)) >= args.quorum) {
      quorumMs = Date.now() - start;
    }
    if (await args.delivered()) {
      const deliveredMs = Date.now() - start;
      return { quorumMs: quorumMs ?? deliveredMs, deliveredMs };
    }
    await new Promise((resolve) => setTimeout(resolve, args.pollMs ?? 50));
  }
  throw new DemoError(
    `message ${args.messageId} not delivered within ${args.timeoutMs} ms (${quorumMs === undefined ? "no attester quorum yet" : `quorum after ${quorumMs} ms`}); see .devnet/logs/`,
  );
}

export function logTimings(log: (line: string) => void, t: DeliveryTimings, prefix = ""): void {
  log(`${prefix}timing           quorum of attester signatures ${t.quorumMs} ms after the send was mined`);
  log(`${prefix}                 delivered by the relayer      ${t.deliveredMs} ms after the send was mined`);
}
