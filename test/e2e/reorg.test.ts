// A reorg on chain A before finality, with real processes. The attesters and the relayer treat a block of A as final
// at 3 confirmations. A message is sent and confirmed once; then the chain reverts to a snapshot taken before it
// (evm_revert), and a different message takes the same nonce on the surviving branch, which is mined past the depth.
// The reorged-out message id must never be signed by any attester (asked over their HTTP endpoints all along) nor
// delivered, and the surviving one is delivered exactly once (no attester refuses it as a conflict: the reorged-out
// id never reached their signing journals).
import { stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attesterSignatures, deliveredCounts, handledPayloads, sendMessages, waitDelivered } from "../lib/bridge.ts";
import { Stack } from "../lib/stack.ts";

const DEPTH = 3;

describe("e2e reorg: an EVM reorg before finality", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({
      label: "reorg",
      // No interval mining: the test decides when blocks are mined.
      chainA: { finality: { kind: "confirmations", depth: DEPTH } },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("never attests nor delivers the reorged-out message; delivers the surviving one once", async () => {
    const recipient = stack.contractsOf(1002).demoRecipient;
    const gatewayB = stack.contractsOf(1002).gateway;
    const snapshot = await stack.a.rpc<string>("evm_snapshot");
    const headBefore = await stack.a.public.getBlockNumber();

    const [orphan] = await sendMessages({
      stack,
      origin: stack.a,
      destination: 1002,
      recipient,
      payloads: [stringToHex("on the branch that will be reorged out")],
    });
    expect(orphan).toBeDefined();
    // DEPTH - 1 confirmations: still not final. Watch the attesters for a while.
    await stack.a.mine(DEPTH - 1);
    const watch = async () => {
      for (const node of stack.setOne) {
        const response = await fetch(`${node.url}/signatures/${orphan!.messageId}`);
        const body = (await response.json()) as { observed: boolean; signatures: unknown[] };
        expect(body, `${node.name} on the orphan`).toMatchObject({ observed: false, signatures: [] });
      }
    };
    for (let i = 0; i < 5; i++) {
      await watch();
      await new Promise((r) => setTimeout(r, 300));
    }

    // The reorg: back to before the send; a different message takes the same nonce on the new branch.
    expect(await stack.a.rpc<boolean>("evm_revert", [snapshot])).toBe(true);
    expect(await stack.a.public.getBlockNumber()).toBe(headBefore);
    const [survivor] = await sendMessages({
      stack,
      origin: stack.a,
      destination: 1002,
      recipient,
      payloads: [stringToHex("on the surviving branch")],
    });
    expect(survivor).toBeDefined();
    expect(survivor!.nonce).toBe(orphan!.nonce);
    expect(survivor!.messageId).not.toBe(orphan!.messageId);
    await stack.a.mine(DEPTH + 2);

    await waitDelivered(stack, [survivor!]);
    await new Promise((r) => setTimeout(r, 1_000));
    await watch();
    const counts = await deliveredCounts(stack.b, gatewayB);
    expect(counts.get(survivor!.messageId)).toBe(1);
    expect(counts.has(orphan!.messageId)).toBe(false);
    expect(await handledPayloads(stack.b, recipient)).toEqual([stringToHex("on the surviving branch")]);
    // Every attester signed the survivor (the same nonce was free in its journal), none refused a conflict.
    for (const node of stack.setOne) {
      expect((await attesterSignatures(node.url, survivor!.messageId)).length, node.name).toBeGreaterThan(0);
      const refused = (await node.logLines()).filter((l) => l.msg === "refusing to equivocate");
      expect(refused, node.name).toEqual([]);
    }
    // doctor: the orphan is on no chain any more.
    expect(await stack.doctor(orphan!.messageId)).toMatchObject({ stage: "unknown" });
    expect(stack.unexpectedExits).toEqual([]);
  });
});
