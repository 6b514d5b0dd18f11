// The config pieces every node shares: environment overrides, zod validation naming the field, the store section's
// paths, and the task round's own section with its rules.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  InvalidConfigError,
  koiiTaskChecks,
  koiiTaskConfigSchema,
  koiiTaskFields,
  overrideFromEnv,
  parseWithSchema,
  resolveStorePaths,
} from "../src/index.ts";

const KEY_A = "GibYdn7NiFnPfduiMjxMPXSgZT77hudAHwMdsZ9GWB6Y";
const KEY_B = "9Vb5p4ZgmhH4Wcbd4bmVfYMzCYwGnZdbLZ3q1e3mCTPs";
const task = {
  taskId: "t",
  genesisMs: 0,
  roundMs: 1_000,
  submissionMs: 200,
  auditMs: 200,
  nodes: [
    { koiiPublicKey: KEY_A, stake: "100" },
    { koiiPublicKey: KEY_B, stake: 5, url: "http://b:1" },
  ],
  rewardPerRound: "1000",
};

describe("node config pieces", () => {
  it("env overrides set nested fields under the listed sections only, JSON values parsed", () => {
    const env = { APP_LOG__LEVEL: "debug", APP_CHAINS__0__RPC_URL: "http://x", APP_OTHER: "1", APP_A__N: "42" };
    const out = overrideFromEnv({ log: { level: "info" } }, env, {
      prefix: "APP_",
      topLevel: new Set(["log", "chains", "a"]),
    });
    expect(out).toEqual({ log: { level: "debug" }, chains: [{ rpcUrl: "http://x" }], a: { n: 42 } });
  });

  it("validation names every bad field, the first in the message", () => {
    const schema = z.object({ a: z.number(), b: z.string() }).strict();
    const error = (() => {
      try {
        parseWithSchema(schema, { a: "x", b: 1 }, "node.json");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).field).toBe("a");
    expect((error as InvalidConfigError).issues.map((i) => i.field)).toEqual(["a", "b"]);
    expect((error as InvalidConfigError).message).toMatch(/^node\.json: a: .*\(and 1 more: b\)$/);
  });

  it("store paths resolve against the config's directory; memory stores and URLs stay", () => {
    expect(resolveStorePaths({ kind: "sqlite", path: "s.sqlite" }, "/etc/node")).toEqual({
      kind: "sqlite",
      path: "/etc/node/s.sqlite",
    });
    expect(resolveStorePaths({ kind: "sqlite", path: ":memory:" }, "/x")).toEqual({ kind: "sqlite", path: ":memory:" });
    expect(resolveStorePaths({ kind: "pglite", dataDir: "memory://" }, "/x")).toEqual({
      kind: "pglite",
      dataDir: "memory://",
    });
    const pg = { kind: "postgres", url: "postgres://u@h/db" } as const;
    expect(resolveStorePaths(pg, "/x")).toBe(pg);
  });

  it("the task round's section: defaults, stakes as bigints, its rules, a node's own fields beside it", () => {
    const parsed = koiiTaskConfigSchema.parse(task);
    expect(parsed.nodes.map((n) => n.stake)).toEqual([100n, 5n]);
    expect(parsed).toMatchObject({ quorumBps: 6_667, slashBps: 1_000, pollIntervalMs: 500, rewardPerRound: 1000n });
    expect(koiiTaskConfigSchema.safeParse({ ...task, auditMs: 900 }).error?.issues[0]?.path).toEqual(["auditMs"]);
    const twice = { ...task, nodes: [task.nodes[0], task.nodes[0]] };
    expect(koiiTaskConfigSchema.safeParse(twice).error?.issues[0]?.path).toEqual(["nodes", 1, "koiiPublicKey"]);
    // Unknown fields are refused; a node's own section adds its fields and keeps the round's rules.
    expect(koiiTaskConfigSchema.safeParse({ ...task, extra: 1 }).success).toBe(false);
    const own = koiiTaskChecks(z.object({ ...koiiTaskFields, extra: z.number() }).strict());
    expect(own.parse({ ...task, extra: 1 }).extra).toBe(1);
    expect(own.safeParse({ ...task, extra: 1, auditMs: 900 }).success).toBe(false);
  });
});
