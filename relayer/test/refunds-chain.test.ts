// Refunds end to end on real chains (docs/protocol.md §8.1): two `hardhat node`s (A = 1001, B = 1002) with maskoii
// deployed by the repository's deploy code, three attester nodes in-process (real HTTP, PGlite) and relayers.
// A transfer A -> B to a recipient B can never credit (upper 12 bytes not zero; A's gateway is told B's family is
// unknown, so the send passes) is delivered on B as a refund record; the attesters sign its refund receipt (basis
// "record"); a refunding relayer waits while A is paused, then refunds on A once unpaused, and the sender's balance is
// whole again. A second refund is refused (AlreadyRefunded on chain, skipped by the relayer). A forged refund record
// (a quorum-signed message A never sent, delivered on B) is refused by every attester. The reorg way out (dev
// profile, depth 0): M1 is delivered on B, A reorgs (evm_revert) and M' takes M1's nonce; no attester signs M' for
// delivery, every attester signs a refund of M' (basis "reorg"), and the relayer refunds M' on A.
import { join } from "node:path";
import {
  addressToBytes32,
  attestationDigest,
  buildAttestation,
  encodeMessage,
  encodeTokenMessage,
  gatewayAbi,
  messageId,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import { demoTokenAbi, until } from "@maskoii/testkit";
import {
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  isAddressEqual,
  keccak256,
  parseEventLogs,
  parseUnits,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RelayerHandle } from "../src/relayer-run.ts";
import { RefundStore } from "../src/store/refunds.ts";
import { chainA, chainB, devAccount, EvmStack, mined, payer } from "./evm-stack.ts";

const owner = devAccount(0);
const user = devAccount(1);
const stranger = devAccount(6);
/** Pays for the delivering relayer (B) and the refunding relayer (A). */
const DELIVERER = 2;
const REFUNDER = 4;
/** A recipient B can never credit: upper 12 bytes not zero. */
const BAD_RECIPIENT = `0x${"ff".repeat(12)}${user.address.slice(2).toLowerCase()}` as Hex;

type RefundJson = { basis: string; receipt: Hex; signatures: { signature: Hex; attesterSetId: string }[] };

describe("refunds on hardhat nodes", { timeout: 120_000 }, () => {
  const evm = new EvmStack("refunds");
  let refunder: RelayerHandle | undefined;
  const ownerA = () => createWalletClient({ account: owner, chain: chainA, transport: http(evm.rpcA) });

  beforeAll(async () => {
    await evm.start();
    // A's gateway no longer knows B's family: the send-time check is off, so a bad recipient gets through to B.
    await mined(
      evm.publicA,
      await ownerA().writeContract({
        address: evm.a.gateway,
        abi: gatewayAbi,
        functionName: "setDestinationFamily",
        args: [1002, 0],
      }),
    );
    // The delivering relayer (refunds off); evm.stop() stops it.
    await evm.startRelayer(await relayerConfig(join(evm.dir, "deliverer"), false), payer(DELIVERER));
  }, 240_000);

  afterAll(async () => {
    await evm.stop();
  });

  async function relayerConfig(dataDir: string, refunds: boolean) {
    return evm.resolved({
      store: { kind: "pglite", dataDir },
      relayer: {
        attesters: evm.attesters.map((x) => x.url),
        pollIntervalMs: 200,
        retry: { baseMs: 200, maxMs: 1_000, maxAttempts: 1_000 },
        fees: { bumpAfterMs: 2_000, receiptTimeoutMs: 30_000 },
        ...(refunds ? { refunds: { enabled: true, intervalMs: 200, maxPerTick: 5, maxBackoffMs: 500 } } : {}),
      },
    });
  }

  const tokenBalance = () =>
    evm.publicA.readContract({
      address: evm.a.demoToken,
      abi: demoTokenAbi,
      functionName: "balanceOf",
      args: [user.address],
    });

  /** Mints `tokens` to the user on A and sends them to `recipient` on B; the message id and nonce. */
  async function transfer(tokens: string, recipient: Hex): Promise<{ id: Hex; nonce: bigint }> {
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(evm.rpcA) });
    const amount = parseUnits(tokens, 18);
    await mined(
      evm.publicA,
      await ownerA().writeContract({
        address: evm.a.demoToken,
        abi: demoTokenAbi,
        functionName: "mint",
        args: [user.address, amount],
      }),
    );
    await mined(
      evm.publicA,
      await userA.writeContract({
        address: evm.a.demoToken,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [evm.a.tokenBridge, amount],
      }),
    );
    const fee = await evm.publicA.readContract({
      address: evm.a.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteTransfer",
      args: [1002],
    });
    const receipt = await mined(
      evm.publicA,
      await userA.writeContract({
        address: evm.a.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "transferRemote",
        args: [evm.a.demoToken, 1002, recipient, amount],
        value: fee,
      }),
    );
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    return { id: sent!.args.messageId.toLowerCase() as Hex, nonce: sent!.args.nonce };
  }

  const recordOnB = async (id: Hex) => {
    const [token, , , , reason] = await evm.publicB.readContract({
      address: evm.b.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "refundRecord",
      args: [id],
    });
    return isAddressEqual(token, "0x0000000000000000000000000000000000000000") ? undefined : reason;
  };

  const getRefund = async (url: string, id: Hex) => {
    const response = await fetch(`${url}/refunds/${id}`);
    return { status: response.status, body: (await response.json()) as RefundJson & { problem?: string } };
  };
  const postRefund = async (url: string, id: Hex) => {
    const response = await fetch(`${url}/refunds`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messageId: id }),
    });
    return { status: response.status, body: (await response.json()) as RefundJson & { error?: string } };
  };

  const guardianA = async () => {
    const guardian = await evm.publicA.readContract({
      address: evm.a.gateway,
      abi: gatewayAbi,
      functionName: "guardian",
    });
    for (let i = 0; i < 10; i++) if (isAddressEqual(devAccount(i).address, guardian)) return devAccount(i);
    throw new Error(`guardian ${guardian} is not a dev account`);
  };

  let refunded: { id: Hex; receipt: Hex } | undefined;

  it("refunds a transfer B recorded refundable on A, after A's pause is lifted; balance restored", async () => {
    const before = await tokenBalance();
    const { id } = await transfer("3", BAD_RECIPIENT);
    expect(await tokenBalance()).toBe(before);
    // Delivered on B (the relayer delivers it like any message), recorded refundable: reason 2, invalid recipient.
    expect(await until("refund record on B", async () => recordOnB(id), { timeoutMs: 60_000 })).toBe(2);
    // Every attester signs the receipt on its own (scan of B's records), basis "record".
    for (const node of evm.attesters) {
      const { body } = await until(
        "refund signed",
        async () => {
          const r = await getRefund(node.url, id);
          return r.status === 200 ? r : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(body.basis).toBe("record");
      expect(body.signatures.length).toBe(1);
    }
    // A paused: the refunding relayer waits and says why.
    const guardian = createWalletClient({ account: await guardianA(), chain: chainA, transport: http(evm.rpcA) });
    await mined(
      evm.publicA,
      await guardian.writeContract({ address: evm.a.gateway, abi: gatewayAbi, functionName: "pause" }),
    );
    refunder = await evm.startRelayer(await relayerConfig(join(evm.dir, "refunder"), true), payer(REFUNDER));
    const waiting = await until(
      "refund waits for the pause",
      async () => {
        const r = await RefundStore.of(refunder!.store).delivery(id);
        return r?.lastError?.includes("paused") === true ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(waiting.state).toBe("pending");
    expect(await tokenBalance()).toBe(before);
    await mined(
      evm.publicA,
      await guardian.writeContract({ address: evm.a.gateway, abi: gatewayAbi, functionName: "unpause" }),
    );
    const done = await until(
      "refunded",
      async () => {
        const r = await RefundStore.of(refunder!.store).delivery(id);
        return r?.state === "refunded" ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(await tokenBalance()).toBe(before + parseUnits("3", 18));
    const receipt = await evm.publicA.getTransactionReceipt({ hash: done.txHash as Hex });
    const [event] = parseEventLogs({ abi: tokenBridgeAbi, eventName: "TransferRefunded", logs: receipt.logs });
    expect(event?.args.messageId.toLowerCase()).toBe(id);
    expect(isAddressEqual(event!.args.refundTo, user.address)).toBe(true);
    expect(await refunder.metrics.render()).toMatch(/maskoii_refunds_total\{origin="1001",outcome="refunded"\} 1/);
    const { body } = await getRefund(evm.attesters[0]!.url, id);
    refunded = { id, receipt: body.receipt };
  });

  it("refuses a second refund: AlreadyRefunded on chain, 'already-refunded' for the relayer", async () => {
    expect(refunded).toBeDefined();
    const { id, receipt } = refunded!;
    expect(await refunder!.refunder!.refundOnce(id)).toMatchObject({ kind: "already-refunded" });
    // The same receipt with a fresh quorum attestation, submitted by a stranger: reverted.
    const setId = await evm.publicA.readContract({
      address: evm.a.gateway,
      abi: gatewayAbi,
      functionName: "currentSetId",
    });
    const attestation = await quorumOver(receipt, setId);
    await expect(
      evm.publicA.simulateContract({
        account: stranger,
        address: evm.a.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "refund",
        args: [receipt, attestation],
      }),
    ).rejects.toThrow(/AlreadyRefunded/);
  });

  async function quorumOver(receipt: Hex, setId: bigint): Promise<Hex> {
    const digest = attestationDigest("refund", {
      domain: 1001,
      verifier: addressToBytes32(evm.a.tokenBridge),
      attesterSetId: setId,
      value: keccak256(receipt),
    });
    const set = await evm.publicA.readContract({
      address: evm.a.gateway,
      abi: gatewayAbi,
      functionName: "getSet",
      args: [setId],
    });
    const keys = new Map(evm.attesterKeys.map((k) => [k.account.address.toLowerCase(), k.privateKey]));
    return buildAttestation({ digest, attesterSetId: setId, attesters: set[0], signers: keys });
  }

  it("never signs a refund for a forged record (a message A never sent, delivered on B by a quorum)", async () => {
    // What a compromised quorum could do: attest a transfer A never sent, to a bad recipient, and deliver it on B.
    const forged = encodeMessage({
      originDomain: 1001,
      nonce: 1_000_000n,
      sender: addressToBytes32(evm.a.tokenBridge),
      destinationDomain: 1002,
      recipient: addressToBytes32(evm.b.tokenBridge),
      payload: encodeTokenMessage({
        token: addressToBytes32(evm.b.bridgedToken),
        recipient: BAD_RECIPIENT,
        amount: 5n * 10n ** 8n,
      }),
    });
    const id = messageId(forged);
    const setId = await evm.publicB.readContract({
      address: evm.b.gateway,
      abi: gatewayAbi,
      functionName: "currentSetId",
    });
    const set = await evm.publicB.readContract({
      address: evm.b.gateway,
      abi: gatewayAbi,
      functionName: "getSet",
      args: [setId],
    });
    const digest = attestationDigest("message", {
      domain: 1002,
      verifier: addressToBytes32(evm.b.gateway),
      attesterSetId: setId,
      value: id,
    });
    const keys = new Map(evm.attesterKeys.map((k) => [k.account.address.toLowerCase(), k.privateKey]));
    const attestation = buildAttestation({ digest, attesterSetId: setId, attesters: set[0], signers: keys });
    const strangerB = createWalletClient({ account: stranger, chain: chainB, transport: http(evm.rpcB) });
    await mined(
      evm.publicB,
      await strangerB.writeContract({
        address: evm.b.gateway,
        abi: gatewayAbi,
        functionName: "deliver",
        args: [forged, attestation],
      }),
    );
    expect(await recordOnB(id)).toBe(2);
    // The relayer picks the record up and asks; every attester refuses (A shows no such transfer).
    const pending = await until(
      "the refunder tried",
      async () => {
        const r = await RefundStore.of(refunder!.store).delivery(id);
        return r !== undefined && r.attempts > 0 ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(pending.state).toBe("pending");
    expect(pending.lastError).toMatch(/no attester signed/);
    for (const node of evm.attesters) {
      const posted = await postRefund(node.url, id);
      expect(posted.status).toBe(409);
      expect(posted.body.error).toMatch(/no origin served here shows this message final/);
      const got = await until(
        "the scan judged it",
        async () => {
          const r = await getRefund(node.url, id);
          return r.body.problem === undefined ? undefined : r;
        },
        { timeoutMs: 30_000 },
      );
      expect(got.status).toBe(404);
    }
  });

  it("reorg way out: M1 delivered, A reorgs, M' takes the nonce; refunded on A, never delivered", async () => {
    const testA = createTestClient({ chain: chainA, mode: "hardhat", transport: http(evm.rpcA) });
    const snapshot = await testA.snapshot();
    const m1 = await transfer("1", addressToBytes32(user.address));
    // Either relayer may deliver it: read B.
    await until(
      "M1 delivered on B",
      async () =>
        (await evm.publicB.readContract({
          address: evm.b.gateway,
          abi: gatewayAbi,
          functionName: "isDelivered",
          args: [1001, m1.nonce],
        }))
          ? true
          : undefined,
      { timeoutMs: 60_000 },
    );
    // The reorg: M1 is gone from A, but B consumed (1001, n) with it.
    await testA.revert({ id: snapshot });
    const before = await tokenBalance();
    const replacement = await transfer("2", addressToBytes32(user.address));
    expect(replacement.nonce).toBe(m1.nonce);
    expect(replacement.id).not.toBe(m1.id);
    const afterSend = await tokenBalance();
    expect(afterSend).toBe(before);
    // Nobody signs M' for delivery (the journals hold M1 for the nonce).
    for (const node of evm.attesters) {
      const r = (await (await fetch(`${node.url}/signatures/${replacement.id}`)).json()) as { signatures: unknown[] };
      expect(r.signatures).toEqual([]);
    }
    const outcome = await refunder!.refunder!.refundOnce(replacement.id);
    expect(outcome.kind).toBe("refunded");
    for (const node of evm.attesters) {
      const { status, body } = await getRefund(node.url, replacement.id);
      expect(status).toBe(200);
      expect(body.basis).toBe("reorg");
    }
    expect(await tokenBalance()).toBe(before + parseUnits("2", 18));
    // Still nobody signs M' for delivery: a refund and a delivery of one id never both.
    for (const node of evm.attesters) {
      const r = (await (await fetch(`${node.url}/signatures/${replacement.id}`)).json()) as { signatures: unknown[] };
      expect(r.signatures).toEqual([]);
    }
  });
});
