// Token transfers between the chains (protocol §8): lock/mint A -> B, burn/release B -> A, dust, rate limits,
// inbound queue released after the bucket refills.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { bridgedTokenAbi, decodeMessage, decodeTokenMessage, gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import type { RouteLimits } from "@maskoii/testkit/deploy";
import { getAddress, parseEventLogs, parseUnits, zeroAddress } from "viem";
import {
  type Chain,
  createWorld,
  DOMAIN_A,
  DOMAIN_B,
  mined,
  onlySent,
  relay,
  type SentMessage,
  toBytes32,
  type World,
} from "./helpers/world.ts";

const token = (amount: string) => parseUnits(amount, 18);
/** 10^(18 - 8): local units per shared (wire) unit. */
const SCALE = 10n ** 10n;

/**
 * Outbound 200 tokens, inbound 100 tokens per (token, route), both refilling 0.01 token per second (slow enough that
 * wall-clock time between blocks cannot refill a bucket noticeably during the test).
 */
const LIMITS: RouteLimits = {
  outbound: { capacity: 200n * 10n ** 8n, refillPerSecond: 10n ** 6n },
  inbound: { capacity: 100n * 10n ** 8n, refillPerSecond: 10n ** 6n },
};

async function transfer(from: Chain, tokenAddress: `0x${string}`, destination: number, amount: bigint) {
  const user = from.as(from.wallets.user);
  const fee = await from.tokenBridge.read.quoteTransfer([destination]);
  const receipt = await mined(
    from,
    user.tokenBridge.write.transferRemote(
      [tokenAddress, destination, toBytes32(from.wallets.user.account.address), amount],
      {
        value: fee,
      },
    ),
  );
  return { receipt, sent: onlySent(receipt) };
}

describe("token bridge A <-> B", () => {
  let world: World;
  let userAddress: `0x${string}`;
  before(async () => {
    world = await createWorld({ limits: LIMITS });
    const { a, b } = world;
    userAddress = getAddress(a.wallets.user.account.address);
    assert.equal(getAddress(b.wallets.user.account.address), userAddress);
    await mined(a, a.demoToken.write.mint([userAddress, token("1000")]));
    await mined(a, a.as(a.wallets.user).demoToken.write.approve([a.addresses.tokenBridge, token("1000")]));
  });
  after(async () => world.close());

  it("locks on A and mints on B, leaving the dust with the sender", async () => {
    const { a, b } = world;
    const amount = token("60.123456789012345678");
    const wire = amount / SCALE;
    const taken = wire * SCALE;
    const { receipt, sent } = await transfer(a, a.addresses.demoToken, DOMAIN_B, amount);
    const [event] = parseEventLogs({ abi: tokenBridgeAbi, eventName: "TransferSent", logs: receipt.logs });
    assert.equal(event?.args.messageId, sent.messageId);
    assert.equal(event?.args.amount, taken);
    assert.equal(event?.args.wireAmount, wire);
    assert.equal(await a.demoToken.read.balanceOf([userAddress]), token("1000") - taken);
    assert.equal(await a.demoToken.read.balanceOf([a.addresses.tokenBridge]), taken);

    // The 73-byte payload names the DESTINATION token (B's BridgedToken), the recipient and the wire amount.
    const payload = decodeTokenMessage(decodeMessage(sent.message).payload);
    assert.equal(payload.token, toBytes32(b.addresses.bridgedToken));
    assert.equal(payload.recipient, toBytes32(userAddress));
    assert.equal(payload.amount, wire);

    const delivered = await relay(world, b, sent);
    // A direct credit is described by MessageDelivered plus the token's own Transfer (a mint from zero); the bridge
    // emits no TransferReceived of its own.
    const [done] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageDelivered", logs: delivered.logs });
    assert.equal(done?.args.messageId, sent.messageId);
    assert.equal(done?.args.origin, DOMAIN_A);
    assert.equal(done?.args.nonce, sent.nonce);
    const minted = parseEventLogs({ abi: bridgedTokenAbi, eventName: "Transfer", logs: delivered.logs });
    assert.equal(minted.length, 1);
    assert.equal(minted[0]?.address.toLowerCase(), b.addresses.bridgedToken.toLowerCase());
    assert.equal(minted[0]?.args.from, zeroAddress);
    assert.equal(minted[0]?.args.to, userAddress);
    assert.equal(minted[0]?.args.value, taken);
    assert.equal(
      parseEventLogs({ abi: tokenBridgeAbi, eventName: "TransferReceived", logs: delivered.logs }).length,
      0,
      "no TransferReceived on a direct credit",
    );
    assert.equal(await b.bridgedToken.read.balanceOf([userAddress]), taken);
    assert.equal(await b.bridgedToken.read.totalSupply(), taken);
  });

  it("burns on B and releases on A", async () => {
    const { a, b } = world;
    const amount = token("20");
    const escrowBefore = await a.demoToken.read.balanceOf([a.addresses.tokenBridge]);
    const userBefore = await a.demoToken.read.balanceOf([userAddress]);
    const supplyBefore = await b.bridgedToken.read.totalSupply();
    const { sent } = await transfer(b, b.addresses.bridgedToken, DOMAIN_A, amount);
    assert.equal(await b.bridgedToken.read.totalSupply(), supplyBefore - amount);
    assert.equal(decodeTokenMessage(decodeMessage(sent.message).payload).token, toBytes32(a.addresses.demoToken));

    const delivered = await relay(world, a, sent, [1, 2]);
    const [released] = parseEventLogs({ abi: bridgedTokenAbi, eventName: "Transfer", logs: delivered.logs });
    assert.equal(released?.address.toLowerCase(), a.addresses.demoToken.toLowerCase());
    assert.equal(released?.args.from, a.addresses.tokenBridge);
    assert.equal(released?.args.to, userAddress);
    assert.equal(released?.args.value, amount);
    assert.equal(await a.demoToken.read.balanceOf([userAddress]), userBefore + amount);
    assert.equal(await a.demoToken.read.balanceOf([a.addresses.tokenBridge]), escrowBefore - amount);
    assert.equal(await a.gateway.read.messageStatus([sent.message]), 1);
  });

  it("reverts an outbound transfer over the outbound bucket (RateLimitExceeded)", async () => {
    const { a } = world;
    const available = await a.tokenBridge.read.outboundAvailable([a.addresses.demoToken, DOMAIN_B]);
    assert.ok(available < 150n * 10n ** 8n, `outbound available ${available}`);
    const user = a.as(a.wallets.user);
    const fee = await a.tokenBridge.read.quoteTransfer([DOMAIN_B]);
    await a.connection.viem.assertions.revertWithCustomError(
      user.tokenBridge.write.transferRemote([a.addresses.demoToken, DOMAIN_B, toBytes32(userAddress), token("150")], {
        value: fee,
      }),
      a.tokenBridge,
      "RateLimitExceeded",
    );
  });

  it("queues an inbound transfer over the inbound bucket and releases it once the bucket has refilled", async () => {
    const { a, b } = world;
    // About 40 tokens are left in B's inbound bucket: 50 do not fit.
    const amount = token("50");
    const { sent }: { sent: SentMessage } = await transfer(a, a.addresses.demoToken, DOMAIN_B, amount);
    const balanceBefore = await b.bridgedToken.read.balanceOf([userAddress]);

    const delivered = await relay(world, b, sent);
    const [queued] = parseEventLogs({ abi: tokenBridgeAbi, eventName: "TransferQueued", logs: delivered.logs });
    assert.ok(queued !== undefined, "TransferQueued");
    assert.equal(queued.args.origin, DOMAIN_A);
    assert.equal(queued.args.recipient, userAddress);
    assert.equal(queued.args.amount, amount);
    assert.equal(await b.gateway.read.messageStatus([sent.message]), 1, "the delivery itself succeeded");
    assert.equal(await b.bridgedToken.read.balanceOf([userAddress]), balanceBefore);
    assert.ok((await b.tokenBridge.read.inboundAvailable([b.addresses.bridgedToken, DOMAIN_A])) < 50n * 10n ** 8n);

    const queueId = queued.args.queueId;
    await b.connection.viem.assertions.revertWithCustomError(
      b.as(b.wallets.stranger).tokenBridge.write.releaseQueued([queueId]),
      b.tokenBridge,
      "RateLimitExceeded",
    );

    await b.connection.networkHelpers.time.increase(2_000); // +20 tokens
    const released = await mined(b, b.as(b.wallets.stranger).tokenBridge.write.releaseQueued([queueId]));
    assert.equal(
      parseEventLogs({ abi: tokenBridgeAbi, eventName: "QueuedTransferReleased", logs: released.logs })[0]?.args
        .queueId,
      queueId,
    );
    // A release (unlike a direct credit) still reports the credit as TransferReceived.
    const [received] = parseEventLogs({ abi: tokenBridgeAbi, eventName: "TransferReceived", logs: released.logs });
    assert.equal(received?.args.origin, DOMAIN_A);
    assert.equal(received?.args.token, b.addresses.bridgedToken);
    assert.equal(received?.args.recipient, userAddress);
    assert.equal(received?.args.amount, amount);
    assert.equal(await b.bridgedToken.read.balanceOf([userAddress]), balanceBefore + amount);
    await b.connection.viem.assertions.revertWithCustomError(
      b.tokenBridge.write.releaseQueued([queueId]),
      b.tokenBridge,
      "UnknownQueuedTransfer",
    );
  });
});
