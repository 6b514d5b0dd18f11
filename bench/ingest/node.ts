// The aggregator node of `npm run bench:ingest`, in its own process so that its peak RSS (VmHWM) is its own: reads the
// config JSON at argv[2], starts the node with `startAggregator` (its real connectors, signature checks and store),
// prints `STARTED <url> <epoch ms>` once ingest has begun, and stops cleanly on SIGTERM.
import { readFileSync } from "node:fs";
import { parseConfig, startAggregator } from "@maskoii/aggregator";

const file = process.argv[2];
if (file === undefined) throw new Error("usage: node bench/ingest/node.ts <config.json>");
const config = parseConfig(JSON.parse(readFileSync(file, "utf8")), file);
const node = await startAggregator(config);
process.stdout.write(`STARTED ${node.server.url} ${Date.now()}\n`);
let stopping = false;
process.on("SIGTERM", () => {
  if (stopping) return;
  stopping = true;
  node.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`stop failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
