// End to end: `node scripts/devnet.ts --exit-after-demo` starts both EVM chains and the local Solana RPC, deploys,
// runs the demo transfer A -> B and the round trip A -> Solana -> A, and stops everything, leaving no process behind.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { groupAlive, localRpcBinary, probeChainId } from "@maskoii/testkit";
import { probeSolana, SOLANA } from "@maskoii/testkit/deploy";
import { DEVNET_CHAINS } from "../../scripts/lib/chains.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Generous: the first run may have to rebuild the local Solana RPC with cargo (minutes on two cores). */
const TIMEOUT_MS = 600_000;

/** The devnet runs the Solana steps when it can build or find the local RPC (it skips them otherwise). */
const SOLANA_EXPECTED =
  process.env.MASKOII_LOCAL_RPC !== undefined ||
  spawnSync("cargo", ["--version"], { stdio: "ignore" }).status === 0 ||
  existsSync(localRpcBinary());

/**
 * Runs the devnet. With `stopWith`, runs it without --exit-after-demo and sends that signal once it reports it is
 * up (what Ctrl-C / a service manager does).
 */
function runDevnet(
  stopWith?: NodeJS.Signals,
  extraArgs: readonly string[] = [],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const args = ["scripts/devnet.ts", ...(stopWith === undefined ? ["--exit-after-demo"] : []), ...extraArgs];
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
  if ((await probeSolana(SOLANA.rpcUrl)) !== undefined) return `${SOLANA.rpcUrl} is in use (a Solana RPC is running)`;
  return undefined;
}

/**
 * Processes (other than this test's) still running one of the devnet's servers, found by command line in /proc
 * (Linux only; elsewhere the process-group check stands alone): a hardhat node on a devnet port, or a local Solana RPC
 * on the devnet's port.
 */
function devnetServersRunning(): string[] {
  if (!existsSync("/proc/self/cmdline")) return [];
  const ports = DEVNET_CHAINS.map((chain) => chain.port).join("|");
  const hardhatNode = new RegExp(`hardhat\\S* node .*--port (${ports})\\b`);
  const localRpc = new RegExp(`maskoii-local-rpc .*--port ${SOLANA.port}\\b`);
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let commandLine: string;
    try {
      // npx rewrites its title into one string; other processes have NUL-separated arguments.
      commandLine = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim();
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (hardhatNode.test(commandLine) || localRpc.test(commandLine)) found.push(`${entry}: ${commandLine}`);
  }
  return found;
}

/**
 * No process of any supervised process group survives (both chains and, when expected, the Solana RPC), no devnet
 * server process is left, and nothing answers on the devnet ports.
 */
async function assertNothingLeft(output: string, solana: boolean): Promise<void> {
  const pids = [...output.matchAll(/started (chain[AB]|solana|attester\d|relayer) \(pid (\d+)\)/g)].map((m) =>
    Number(m[2]),
  );
  // The chains (and the Solana RPC), three attester nodes and the relayer.
  assert.equal(pids.length, (solana ? 3 : 2) + 4, output);
  for (const pid of pids) assert.equal(groupAlive(pid), false, `process group ${pid} is gone`);
  assert.deepEqual(devnetServersRunning(), [], "no hardhat node or local Solana RPC of the devnet survives");
  for (const chain of DEVNET_CHAINS) assert.equal(await probeChainId(chain.rpcUrl), undefined, chain.rpcUrl);
  assert.equal(await probeSolana(SOLANA.rpcUrl), undefined, SOLANA.rpcUrl);
}

describe("npm start (scripts/devnet.ts)", () => {
  it("--exit-after-demo: demo A -> B and A -> Solana -> A delivered, then every process stopped", {
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
    assert.match(output, /gas deliver \(B\)\s+\d+ \(delivered by the relayer in tx 0x[0-9a-f]{64}\)/);
    assert.match(output, /quorum of attester signatures \d+ ms after the send was mined/);
    assert.match(output, /delivered by the relayer\s+\d+ ms after the send was mined/);
    assert.match(output, /recipient on B\s+0x[0-9a-fA-F]{40} holds 100\.5 bridged DEMO/);
    // The revenue demo on chain A: report, finalization and the creators' payments (41 DEMO spend, 70 % to creators):
    // with Solana, a fifth of the creators' 28.7 DEMO goes to a creator paid on Solana, the rest 3:2 on EVM.
    assert.match(output, /report 1 for epoch \d+: 12000 impressions, 340 engagements -> spend 41 DEMO/);
    assert.match(output, /final: creators 28\.7 DEMO, treasury 6\.15 DEMO, operators 4\.1 DEMO/);
    if (SOLANA_EXPECTED) {
      assert.match(output, /paid creator 0x[0-9a-fA-F]{40} 13\.776 DEMO on EVM\n/);
      assert.match(output, /paid creator 0x[0-9a-fA-F]{40} 9\.184 DEMO on EVM \(claimed on its behalf\)/);
      assert.match(output, /bound X handle @maskoii_carol -> 0x[0-9a-fA-F]{40}, paid on Solana at \w+/);
      assert.match(
        output,
        /sent 5\.74 DEMO for Solana creators through the bridge: distribution 0x[0-9a-f]{64}, message 0x[0-9a-f]{64}/,
      );
      assert.match(output, /delivered on Solana by the relayer \d+ ms after the send/);
      assert.match(
        output,
        /paid creator 0x[0-9a-fA-F]{40} 5\.74 DEMO on Solana: \w+ claimed 5\.74 bDEMO1001 in the maskoii program/,
      );
    } else {
      assert.match(output, /paid creator 0x[0-9a-fA-F]{40} 17\.22 DEMO on EVM\n/);
      assert.match(output, /paid creator 0x[0-9a-fA-F]{40} 11\.48 DEMO on EVM \(claimed on its behalf\)/);
    }
    assert.match(output, /creators still owed 0 DEMO/);
    // The indexer (issue 14 point 6): the demo's message and payouts read back through its REST API.
    assert.match(output, /indexer: A -> B message 0x[0-9a-f]{64} delivered \(transfer\)/);
    assert.match(output, /indexer: community 1 epoch \d+: spend 41 DEMO, creators 28\.7 DEMO/);
    if (SOLANA_EXPECTED) {
      assert.match(
        output,
        /indexer: report \d+'s Solana payout 5\.74 DEMO: message 0x[0-9a-f]{64} delivered \(distribution\)/,
      );
      assert.match(output, /indexer: creator 0x[0-9a-fA-F]{40} claimed 13\.776 DEMO/);
      assert.match(output, /indexer: creator 0x[0-9a-fA-F]{40} claimed 9\.184 DEMO/);
    } else {
      assert.match(output, /indexer: creator 0x[0-9a-fA-F]{40} claimed 17\.22 DEMO/);
      assert.match(output, /indexer: creator 0x[0-9a-fA-F]{40} claimed 11\.48 DEMO/);
    }
    // The aggregator demo: the community timeline's URL and a sample with the proven account resolved to its persona.
    assert.match(output, /community timeline: http:\/\/127\.0\.0\.1:\d+\/communities\/1\/timeline/);
    assert.match(
      output,
      /by mastodon:acct:alice@social\.example = persona 0x[0-9a-fA-F]{40}: hello from the fediverse/,
    );
    // The persona's personalized feed (issue 16 point 1): the followed caster first, with its "why", and an ad slot.
    assert.match(output, /personalized feed: http:\/\/127\.0\.0\.1:\d+\/feed\?community=1&persona=0x[0-9a-fA-F]{40}/);
    assert.match(output, /#1 farcaster:cast:0x[0-9a-f]+ \(community\) score [\d.]+ = recency [\d.]+ \+ following 1/);
    assert.match(output, /#5 \[Sponsored\] campaign 1: ipfs:\/\/maskoii-devnet-creative/);
    // The epoch closed by the aggregator nodes (issue 16 point 5): 3 viewers' beacons (6 ad impressions at CPM 2,
    // 3 ad engagements at CPE 0.05 -> 0.162 DEMO), the nodes agree, the relayer's submitter submits and finalizes,
    // and the Mastodon persona is paid the creators' 70 %.
    assert.match(output, /bound 3 viewers \(farcaster fids 9001\.\.9003\); community 1: k = 3/);
    assert.match(output, /epoch \d+: 3 viewers sent 15 signed beacons to their home nodes/);
    assert.match(output, /\d+ s until the nodes close epoch \d+/);
    assert.match(
      output,
      /report of epoch \d+: 3 engaged accounts, campaign 1: 6 impressions, 3 engagements -> 0\.162 DEMO; spend 0\.162 DEMO/,
    );
    assert.match(output, /nodes agree: 2 of 2 signed report 0x[0-9a-f]{64}/);
    assert.match(output, /relayer submitted report 2 \(epoch \d+\) from the nodes' \/reports\/pending/);
    assert.match(output, /relayer finalized report 2 after the 10 s challenge window/);
    assert.match(
      output,
      /paid creator 0x[0-9a-fA-F]{40} 0\.1134 DEMO \(its proof from http:\/\/127\.0\.0\.1:\d+\/payouts, signed\)/,
    );
    if (SOLANA_EXPECTED) {
      assert.match(output, /solana up: http:\/\/127\.0\.0\.1:8899 \(PubSub ws:\/\/127\.0\.0\.1:8900\), domain 1003/);
      assert.match(output, /initialized maskoii on Solana: domain 1003, attester set 1 \(3 attesters, 6666 bps\)/);
      assert.match(output, /registered bridged SPL mint \w+ \(9 decimals, 8 shared/);
      assert.match(output, /A -> Solana: message id 0x[0-9a-f]{64} \(nonce 1 of domain 1001\)/);
      assert.match(output, /A -> Solana: status on Solana Delivered/);
      assert.match(output, /A -> Solana: timings send \d+ ms .* deliver \d+ ms .* total \d+ ms/);
      assert.match(output, /A -> Solana: recipient token account \w+ \(owner \w+\) holds 42\.5 bDEMO1001/);
      assert.match(output, /Solana -> A: message id 0x[0-9a-f]{64} \(nonce 0 of domain 1003\)/);
      assert.match(output, /Solana -> A: status on A Delivered/);
      assert.match(
        output,
        /Solana -> A: timings send \d+ ms .* deliver \d+ ms \(by the relayer, gas \d+ .* total \d+ ms/,
      );
      assert.match(
        output,
        /Solana -> A: recipient on A 0x[0-9a-fA-F]{40} got back 42\.5 DEMO1001; bridged supply on Solana 0$/m,
      );
      assert.match(output, /linked Solana \(domain 1003\) and domain 1002 both ways/);
      assert.match(output, /B -> Solana: message id 0x[0-9a-f]{64} \(nonce 0 of domain 1002\)/);
      assert.match(output, /B -> Solana: delivered \d+ ms after the send .* holds 7\.25 bDEMO1002/);
      const ids = [...output.matchAll(/(?:A -> Solana|Solana -> A|B -> Solana): message id (0x[0-9a-f]{64})/g)].map(
        (m) => m[1],
      );
      assert.equal(new Set(ids).size, 3, "three distinct Solana legs");
    }
    assert.doesNotMatch(output, /ws error|Error:|failed/, "no error output");
    assert.match(output, /all devnet processes stopped/);
    // Only addresses are printed for attesters, never keys (a private key is 64 hex digits); message ids, the
    // revenue demo's bridge distribution id, the nodes' report hash and transaction hashes are the only 32-byte
    // values printed.
    assert.doesNotMatch(
      output.replace(
        /message\s+0x[0-9a-f]{64}|message id\s+0x[0-9a-f]{64}|distribution 0x[0-9a-f]{64}|in tx 0x[0-9a-f]{64}|signed report 0x[0-9a-f]{64}/g,
        "",
      ),
      /0x[0-9a-fA-F]{64}/,
    );

    await assertNothingLeft(output, SOLANA_EXPECTED);
  });

  it("--no-solana: the EVM-only devnet and its demo A -> B", { timeout: TIMEOUT_MS + 10_000 }, async (t) => {
    const busy = await portsInUse();
    if (busy !== undefined) {
      t.skip(busy);
      return;
    }
    const { code, output } = await runDevnet(undefined, ["--no-solana"]);
    assert.equal(code, 0, output);
    assert.match(output, /status on B\s+Delivered/);
    assert.doesNotMatch(output, /solana|cargo/i);
    await assertNothingLeft(output, false);
  });

  it("stays up after the demo and stops every process on SIGTERM", { timeout: TIMEOUT_MS + 10_000 }, async (t) => {
    const busy = await portsInUse();
    if (busy !== undefined) {
      t.skip(busy);
      return;
    }
    const { code, output } = await runDevnet("SIGTERM");
    assert.equal(code, 0, output);
    assert.match(output, /devnet up; Ctrl-C to stop/);
    if (SOLANA_EXPECTED) assert.match(output, /solana: http:\/\/127\.0\.0\.1:8899 \(PubSub ws:\/\/127\.0\.0\.1:8900/);
    assert.match(output, /stopping \(SIGTERM\)/);
    assert.match(output, /all devnet processes stopped/);
    await assertNothingLeft(output, SOLANA_EXPECTED);
  });
});
