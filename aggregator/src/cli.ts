#!/usr/bin/env node
// maskoii-aggregator: run the social aggregation node, or show a running node's connectors.
//
//   maskoii-aggregator run --config aggregator.json      runs until SIGINT/SIGTERM
//   maskoii-aggregator check --config aggregator.json    validates the config and exits
//   maskoii-aggregator status [--url http://127.0.0.1:9464 | --config aggregator.json] [--json]
import { parseArgs } from "node:util";
import { describeError } from "@maskoii/node-kit";
import { loadConfig } from "./config.ts";
import { UpstreamError, UsageError } from "./errors.ts";
import { startAggregator } from "./node.ts";
import { formatStatus, statusSchema } from "./status.ts";

const USAGE = `usage:
  maskoii-aggregator run --config <file>
  maskoii-aggregator check --config <file>
  maskoii-aggregator status [--url <node url> | --config <file>] [--json]`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: "string" }, url: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const command = positionals[0];
  if (command === "run" || command === "check") {
    if (values.config === undefined) throw new UsageError("--config is required", USAGE);
    const config = await loadConfig(values.config);
    if (command === "check") {
      process.stdout.write(`config ok: ${config.connectors.length} connector(s), store ${config.store.kind}\n`);
      return 0;
    }
    const node = await startAggregator(config);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await node.stop();
    return 0;
  }
  if (command === "status") {
    let url = values.url;
    if (url === undefined) {
      if (values.config === undefined) throw new UsageError("--url or --config is required", USAGE);
      const { http } = await loadConfig(values.config);
      url = `http://${http.host === "0.0.0.0" ? "127.0.0.1" : http.host}:${http.port}`;
    }
    const response = await fetch(new URL("/status", url));
    if (!response.ok) throw new UpstreamError(`${url}/status`, response.status, await response.text());
    const view = statusSchema.parse(await response.json());
    process.stdout.write(values.json === true ? `${JSON.stringify(view, null, 2)}\n` : `${formatStatus(view)}\n`);
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`maskoii-aggregator: ${describeError(error)}\n`);
    process.exitCode = 1;
  },
);
