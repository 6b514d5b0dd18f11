// freePort and until: the kit's one way to pick a port and to wait with a deadline.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, until, WaitTimeoutError } from "../src/index.ts";

describe("freePort", () => {
  it("returns a port that can be bound on 127.0.0.1", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe("until", () => {
  it("resolves with the first value the check returns", async () => {
    let calls = 0;
    const value = await until("the third call", () => (++calls >= 3 ? calls : undefined), { everyMs: 1 });
    expect(value).toBe(3);
  });

  it("times out with an error naming what it waited for and the last error", async () => {
    const error = await until(
      "the answer to appear",
      () => {
        throw new Error("connection refused");
      },
      { timeoutMs: 100, everyMs: 10 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(/timed out after 100 ms waiting for the answer to appear/);
    expect((error as Error).message).toMatch(/last error: connection refused/);
  });
});
