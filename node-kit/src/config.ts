// Config pieces every node process shares: the store and log sections, and how a config file is read, overridden
// from the environment and validated with zod. A node's own schema puts these sections beside its own; a bad config
// fails naming the field and what is wrong.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { ConfigReadFailedError, InvalidConfigError } from "./errors.ts";

export const storeConfigSchema = z.discriminatedUnion("kind", [
  /** Embedded SQLite (node:sqlite), the default: one file; `path` ":memory:" keeps nothing on disk. */
  z.object({ kind: z.literal("sqlite"), path: z.string().min(1) }).strict(),
  /** Embedded PostgreSQL (PGlite); `dataDir` "memory://" keeps nothing on disk. */
  z.object({ kind: z.literal("pglite"), dataDir: z.string().min(1) }).strict(),
  z
    .object({ kind: z.literal("postgres"), url: z.string().startsWith("postgres", "expected a postgres:// URL") })
    .strict(),
]);
export type StoreConfig = z.infer<typeof storeConfigSchema>;

export const logConfigSchema = z
  .object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") })
  .strict()
  .default({ level: "info" });
export type LogConfig = z.infer<typeof logConfigSchema>;

/** A store config whose file paths resolve against `baseDir` (in-memory stores and URLs unchanged). */
export function resolveStorePaths(store: StoreConfig, baseDir: string): StoreConfig {
  if (store.kind === "pglite" && !store.dataDir.startsWith("memory://")) {
    return { kind: "pglite", dataDir: resolve(baseDir, store.dataDir) };
  }
  if (store.kind === "sqlite" && store.path !== ":memory:")
    return { kind: "sqlite", path: resolve(baseDir, store.path) };
  return store;
}

function camel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Applies `<prefix><PATH>` environment overrides to a parsed config object (a new object; the input is not changed).
 * The path's segments are joined by `__` and camel-cased (MASKOII_LOG__LEVEL=debug sets log.level); only paths under
 * `topLevel` sections apply. Values are parsed as JSON when they are JSON (numbers, booleans, arrays), else strings.
 */
export function overrideFromEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  options: { readonly prefix: string; readonly topLevel: ReadonlySet<string> },
): unknown {
  const root: unknown = structuredClone(value ?? {});
  for (const [key, raw] of Object.entries(env)) {
    if (!key.startsWith(options.prefix) || raw === undefined) continue;
    const path = key.slice(options.prefix.length).split("__").map(camel);
    if (!options.topLevel.has(path[0] ?? "")) continue;
    let node = root as Record<string, unknown>;
    for (const [i, segment] of path.entries()) {
      if (i === path.length - 1) {
        node[segment] = parseEnvValue(raw);
        break;
      }
      const next = node[segment];
      if (typeof next !== "object" || next === null) node[segment] = /^\d+$/.test(path[i + 1] ?? "") ? [] : {};
      node = node[segment] as Record<string, unknown>;
    }
  }
  return root;
}

function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map((p) => String(p)).join(".");
}

/** Validates `value` with `schema`; throws `InvalidConfigError` naming every bad field (the first in its message). */
export function parseWithSchema<T>(schema: z.ZodType<T>, value: unknown, source: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidConfigError(
    source,
    result.error.issues.map((issue) => ({ field: fieldOf(issue.path), problem: issue.message })),
  );
}

/** Reads a JSON config file; `ConfigReadFailedError` when it cannot be read or is not JSON. */
export async function readJsonConfig(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new ConfigReadFailedError(path, cause);
  }
}
