import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LensConnector } from "../src/connectors/lens.ts";
import { type LensApi, makePost, startLens } from "./fixtures/lens-api.ts";
import { type Harness, harness, metricValue } from "./helpers.ts";

const ALICE = "0x00000000000000000000000000000000000a11ce";

describe("Lens connector (posts GraphQL query)", () => {
  let api: LensApi;
  let h: Harness;

  beforeEach(async () => {
    api = await startLens();
    h = await harness();
  });
  afterEach(async () => {
    await api.close();
    await h.close();
  });

  const connector = () =>
    new LensConnector(
      {
        name: "lens",
        apiUrl: `${api.url}/graphql`,
        streams: { community: { feeds: [{ feed: "0xfeed" }] } },
        pageSize: "TEN",
      },
      h.context("lens"),
    );

  it("walks the newest-first pages to the stored head, then only reads what is new", async () => {
    for (let i = 1; i <= 25; i++) api.posts.push(makePost(i, ALICE, `lens post ${i}`));
    const lens = connector();
    await h.ingestor([lens]).tick(lens);
    expect((await h.store.itemIds()).length).toBe(25);
    expect(api.bodies.length).toBe(3);
    expect(api.bodies[0]?.filter).toEqual({ feeds: [{ feed: "0xfeed" }] });
    expect(api.bodies[1]?.cursor).toBeTypeOf("string");
    const item = await h.store.item("lens:7");
    expect(item?.author).toBe(`lens:account:${ALICE}`);
    expect(item?.body).toBe("lens post 7");
    expect((await h.store.state("lens", "community"))?.cursor).toMatchObject({ head: "25", walkCursor: null });

    for (let i = 26; i <= 28; i++) api.posts.push(makePost(i, ALICE, `lens post ${i}`));
    api.bodies.length = 0;
    await h.ingestor([lens]).tick(lens);
    expect(api.bodies.length).toBe(1);
    expect((await h.store.itemIds()).length).toBe(28);
    expect(await metricValue(h.metrics, "maskoii_aggregator_items_total", { connector: "lens" })).toBe(28);
  });

  it("resumes a walk interrupted by a failure from its stored walk cursor", async () => {
    for (let i = 1; i <= 25; i++) api.posts.push(makePost(i, ALICE, `p${i}`));
    // Page one answers; the poll of page two fails: the walk stops with its position stored.
    const lens = connector();
    const tick = h.ingestor([lens]);
    const original = lens.poll.bind(lens);
    let calls = 0;
    lens.poll = async (stream, cursor) => {
      calls += 1;
      if (calls === 2) throw new Error("connection reset");
      return original(stream, cursor);
    };
    await tick.tick(lens);
    expect((await h.store.itemIds()).length).toBe(10);
    expect((await h.store.state("lens", "community"))?.cursor).toMatchObject({ head: null, walkHead: "25" });
    await tick.tick(lens);
    expect((await h.store.itemIds()).length).toBe(25);
    expect((await h.store.state("lens", "community"))?.cursor).toMatchObject({ head: "25", walkCursor: null });
  });

  it("honours a 429 with RateLimit-Reset, retries a dropped connection, rejects a malformed post, fails on GraphQL errors", async () => {
    api.posts.push(makePost(1, ALICE, "ok"), { ...makePost(2, ALICE, "bad"), timestamp: "not a date" });
    api.faults.push({ kind: "status", status: 429, headers: { "ratelimit-reset": "1" } }, { kind: "drop" });
    const lens = connector();
    const started = Date.now();
    await h.ingestor([lens]).tick(lens);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await h.store.itemIds()).toEqual(["lens:1"]);
    expect(
      await metricValue(h.metrics, "maskoii_aggregator_rejects_total", { connector: "lens", reason: "malformed" }),
    ).toBe(1);
    expect(await metricValue(h.metrics, "maskoii_aggregator_rate_limit_waits_total", { connector: "lens" })).toBe(1);
    expect(await metricValue(h.metrics, "maskoii_aggregator_retries_total", { connector: "lens" })).toBe(1);

    api.faults.push({
      kind: "status",
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: null, errors: [{ message: "Unknown argument" }] }),
    });
    await h.ingestor([lens]).tick(lens);
    expect((await h.store.state("lens", "community"))?.lastError).toMatch(/Unknown argument/);
  });
});
