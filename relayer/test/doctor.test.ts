import { describe, expect, it } from "vitest";
import type { AttesterSetView } from "../src/chains/adapter.ts";
import { diagnose } from "../src/doctor.ts";
import { FakeAttesters, FakeChain, members, sampleMessage } from "./helpers.ts";

const keys = members(3, "doctor attester");
const set: AttesterSetView = {
  setId: 1n,
  attesters: keys.map((k) => k.address),
  weights: [1n, 1n, 1n],
  thresholdBps: 6666,
  totalWeight: 3n,
  expiresAt: 0,
};

function setup() {
  const a = new FakeChain(1001, set);
  const b = new FakeChain(1002, set);
  const m = sampleMessage(5n);
  a.sent.push(m);
  const attesters = new FakeAttesters(keys, b, [0, 1, 2]);
  const run = (id = m.messageId) =>
    diagnose({
      messageId: id,
      chains: new Map([
        [1001, a],
        [1002, b],
      ]),
      startBlocks: new Map(),
      attesters,
    });
  return { a, b, m, attesters, run };
}

describe("doctor", () => {
  it("unknown message", async () => {
    const { run } = setup();
    expect((await run(sampleMessage(99n).messageId)).stage).toBe("unknown");
  });

  it("not final yet", async () => {
    const { a, run } = setup();
    a.head = 3n;
    const d = await run();
    expect(d.stage).toBe("not-final");
    expect(d.detail).toContain("final head is 3");
  });

  it("already delivered, recipient failed, paused", async () => {
    const s1 = setup();
    s1.b.markDelivered(s1.m);
    expect((await s1.run()).stage).toBe("delivered");
    const s2 = setup();
    s2.b.status.set(s2.m.messageId, "failed");
    expect((await s2.run()).stage).toBe("recipient-failed");
    const s3 = setup();
    s3.b.paused = true;
    expect((await s3.run()).stage).toBe("paused");
  });

  it("below quorum names who signed, who is missing and who is unreachable", async () => {
    const { attesters, run } = setup();
    attesters.online = new Set([2]);
    const d = await run();
    expect(d.stage).toBe("below-quorum");
    if (d.stage !== "below-quorum") return;
    expect(d.signers).toEqual([keys[2]!.address]);
    expect(d.missing).toEqual([keys[0]!.address, keys[1]!.address]);
    expect(d.unreachable).toEqual(["attester0", "attester1"]);
  });

  it("quorum reached: waiting for a relayer", async () => {
    const { run } = setup();
    const d = await run();
    expect(d.stage).toBe("awaiting-relayer");
    expect(d.detail).toContain("not tracked");
  });
});
