// End to end: `node scripts/devnet.ts --exit-after-demo` starts both chains, deploys, runs the demo transfer and
// stops everything, leaving no process behind.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DEVNET_CHAINS } from "../../scripts/lib/chains.ts";
import { groupAlive } from "../../scripts/lib/processes.ts";
import { probeChainId } from "../../scripts/lib/rpc.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TIMEOUT_MS = 240_000;

/**
 * Runs the devnet. With `stopWith`, runs it without --exit-after-demo and sends that signal once it reports it is
 * up (what Ctrl-C / a service manager does).
 */
function runDevnet(stopWith?: NodeJS.Signals): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const args = stopWith === undefined ? ["scripts/devnet.ts", "--exit-after-demo"] : ["scripts/devnet.ts"];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let signalled = false;
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (stopWith !== undefined && !signalled && output.includes("devnet up")) {
        signalled = true;
        child.kill(stopWith);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`devnet did not finish within ${TIMEOUT_MS} ms:\n${output}`));
    }, TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Why the devnet tests cannot run here, if its ports are taken (e.g. by a developer's own devnet). */
async function portsInUse(): Promise<string | undefined> {
  for (const chain of DEVNET_CHAINS) {
    if ((await probeChainId(chain.rpcUrl)) !== undefined) return `${chain.rpcUrl} is in use (a devnet is running)`;
  }
  return undefined;
}

/** No process of either chain's process group survives and nothing answers on the devnet ports. */
async function assertNothingLeft(output: string): Promise<void> {
  const pids = [...output.matchAll(/started chain[AB] \(pid (\d+)\)/g)].map((m) => Number(m[1]));
  assert.equal(pids.length, 2, output);
  for (const pid of pids) assert.equal(groupAlive(pid), false, `process group ${pid} is gone`);
  for (const chain of DEVNET_CHAINS) assert.equal(await probeChainId(chain.rpcUrl), undefined, chain.rpcUrl);
}

describe("npm start (scripts/devnet.ts)", () => {
  it("--exit-after-demo: demo transfer A -> B delivered, then both chains stopped", {
    timeout: TIMEOUT_MS + 10_000,
  }, async (t) => {
    const busy = await portsInUse();
    if (busy !== undefined) {
      t.skip(busy);
      return;
    }
    const { code, output } = await runDevnet();
    assert.equal(code, 0, output);
    assert.match(output, /message id\s+0x[0-9a-f]{64}/);
    assert.match(output, /status on B\s+Delivered/);
    assert.match(output, /gas send \(A\)\s+\d+/);
    assert.match(output, /gas deliver \(B\)\s+\d+/);
    assert.match(output, /recipient on B\s+0x[0-9a-fA-F]{40} holds 100\.5 bridged DEMO/);
    assert.match(output, /all devnet processes stopped/);
    // Only addresses are printed for attesters, never keys (a private key is 64 hex digits).
    assert.doesNotMatch(
      output.replace(/message\s+0x[0-9a-f]{64}|message id\s+0x[0-9a-f]{64}/g, ""),
      /0x[0-9a-fA-F]{64}/,
    );

    await assertNothingLeft(output);
  });

  it("stays up after the demo and stops both chains on SIGTERM", { timeout: TIMEOUT_MS + 10_000 }, async (t) => {
    const busy = await portsInUse();
    if (busy !== undefined) {
      t.skip(busy);
      return;
    }
    const { code, output } = await runDevnet("SIGTERM");
    assert.equal(code, 0, output);
    assert.match(output, /devnet up; Ctrl-C to stop/);
    assert.match(output, /stopping \(SIGTERM\)/);
    assert.match(output, /all devnet processes stopped/);
    await assertNothingLeft(output);
  });
});
