// Finds the token transfer an EVM delivery queued on the destination TokenBridge (inbound rate limit): the Gateway's
// MessageDelivered log of the message, the TransferQueued the recipient emitted just before it in the same
// transaction (the recipient's `handle` runs, then the Gateway logs the outcome), then the queue entry and the
// inbound bucket as they are now.
import { decodeMessage, decodeTokenMessage, gatewayAbi, messageId, tokenBridgeAbi } from "@maskoii/sdk";
import {
  type Address,
  decodeEventLog,
  getAddress,
  type Hex,
  isAddressEqual,
  type PublicClient,
  type TransactionReceipt,
  zeroAddress,
} from "viem";
import type { QueuedTransferView } from "./adapter.ts";
import { availableAt, releasableAt } from "./rate-limit.ts";

type Read = <T>(call: string, fn: () => Promise<T>) => Promise<T>;

/** The TransferQueued that `recipient` emitted for the delivery logged at `deliveredIndex` of `receipt`, if any. */
function queuedIn(receipt: TransactionReceipt, gateway: Address, recipient: Address, deliveredIndex: number) {
  const position = receipt.logs.findIndex((l) => l.logIndex === deliveredIndex);
  for (let i = position - 1; i >= 0; i--) {
    const log = receipt.logs[i];
    if (log === undefined) break;
    // The previous Gateway log closes the previous message of a batch (or is this message's MessageRetried).
    if (isAddressEqual(log.address, gateway)) break;
    if (!isAddressEqual(log.address, recipient)) continue;
    try {
      const event = decodeEventLog({ abi: tokenBridgeAbi, data: log.data, topics: log.topics, strict: true });
      if (event.eventName === "TransferQueued") return event.args;
    } catch {
      // Another event of the recipient.
    }
  }
  return undefined;
}

export async function findQueuedTransfer(args: {
  client: PublicClient;
  gateway: Address;
  message: Hex;
  fromBlock: bigint;
  read: Read;
}): Promise<QueuedTransferView | undefined> {
  const { client, gateway, message, read } = args;
  const decoded = decodeMessage(message);
  if (BigInt(decoded.recipient) >> 160n !== 0n) return undefined;
  const recipient = getAddress(`0x${decoded.recipient.slice(-40)}`);
  const delivered = await read("getLogs(MessageDelivered)", () =>
    client.getContractEvents({
      address: gateway,
      abi: gatewayAbi,
      eventName: "MessageDelivered",
      args: { messageId: messageId(message) },
      fromBlock: args.fromBlock,
      toBlock: "latest",
      strict: true,
    }),
  );
  // The last delivery: a retry of a failed message logs MessageDelivered again, in its own transaction.
  const log = delivered.at(-1);
  if (log === undefined) return undefined;
  const receipt = await read("getTransactionReceipt", () =>
    client.getTransactionReceipt({ hash: log.transactionHash }),
  );
  const queued = queuedIn(receipt, gateway, recipient, log.logIndex);
  if (queued === undefined) return undefined;
  const bridge = { address: recipient, abi: tokenBridgeAbi } as const;
  const [token] = await read("queuedTransfer", () =>
    client.readContract({ ...bridge, functionName: "queuedTransfer", args: [queued.queueId] }),
  );
  // releaseQueued deletes the entry.
  const released = isAddressEqual(token, zeroAddress);
  const [level, capacity, refillPerSecond, lastUpdated] = await read("inboundBucket", () =>
    client.readContract({ ...bridge, functionName: "inboundBucket", args: [queued.token, queued.origin] }),
  );
  const block = await read("getBlock(latest)", () => client.getBlock({ blockTag: "latest" }));
  const now = Number(block.timestamp);
  const bucket = { level, capacity, refillPerSecond, lastUpdated: Number(lastUpdated) };
  // The payload carries the wire (shared-unit) amount the bucket counts; the event the local amount.
  const wire = decodeTokenMessage(decoded.payload).amount;
  const at = released ? now : releasableAt(bucket, wire, now);
  const id = queued.queueId.toString();
  const call = `releaseQueued(${id}) on TokenBridge ${recipient}`;
  return {
    queueId: id,
    bridge: recipient,
    token: queued.token,
    recipient: queued.recipient,
    origin: queued.origin,
    wireAmount: wire,
    amount: queued.amount,
    deliveryTx: log.transactionHash,
    released,
    bucket: { ...bucket, available: availableAt(bucket, now) },
    now,
    releasableAt: at,
    release:
      at === null
        ? `${wire} (wire units) will not fit the inbound bucket (capacity ${capacity}, refill ${refillPerSecond}/s): the TokenBridge owner must raise the inbound limit with setRateLimits(${queued.token}, ${queued.origin}, ...); then anyone may call ${call}`
        : `anyone may call ${call} ${at <= now ? "now" : `from unix time ${at} (in ${at - now} s)`}, if the inbound bucket (${availableAt(bucket, now)}/${capacity}, +${refillPerSecond}/s) still holds ${wire} then`,
  };
}
