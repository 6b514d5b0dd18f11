// Runs every test suite of the monorepo and prints one total, `N passed, N failed`, as its last line.
// A suite that crashes before reporting counts is a failure, never a silent zero.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

type Counts = { passed: number; failed: number };

type Suite = {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Reads the suite's counts from its output (or a report file). Undefined when the output has none. */
  parse: (output: string) => Counts | undefined;
};

const root = new URL("..", import.meta.url).pathname;

/** Hardhat's Solidity and node:test reporters end with "N passing" and (when any) "N failing". */
function parseMochaStyle(output: string): Counts | undefined {
  const plain = stripAnsi(output);
  const passing = [...plain.matchAll(/^\s*(\d+) passing/gm)].at(-1);
  if (passing === undefined) return undefined;
  const failing = [...plain.matchAll(/^\s*(\d+) failing/gm)].at(-1);
  return { passed: Number(passing[1]), failed: failing === undefined ? 0 : Number(failing[1]) };
}

/** cargo test prints one "test result: ok. N passed; M failed; ..." line per test binary; sum them. */
function parseCargo(output: string): Counts | undefined {
  const results = [...stripAnsi(output).matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed/gm)];
  if (results.length === 0) return undefined;
  return results.reduce<Counts>(
    (sum, [, passed, failed]) => ({ passed: sum.passed + Number(passed), failed: sum.failed + Number(failed) }),
    { passed: 0, failed: 0 },
  );
}

function vitestJson(reportFile: string): (output: string) => Counts | undefined {
  return () => {
    try {
      const report = JSON.parse(readFileSync(reportFile, "utf8")) as {
        numPassedTests: number;
        numFailedTests: number;
      };
      return { passed: report.numPassedTests, failed: report.numFailedTests };
    } catch {
      return undefined;
    }
  };
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC.
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function run(suite: Suite): Promise<{ output: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn(suite.command, suite.args, {
      cwd: suite.cwd ?? root,
      env: { ...process.env, FORCE_COLOR: "0", ...suite.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const forward = (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("close", (code) => resolve({ output, code: code ?? 1 }));
  });
}

const reports = mkdtempSync(join(tmpdir(), "maskoii-test-"));
const testkitReport = join(reports, "testkit.json");
const sdkReport = join(reports, "sdk.json");
const nodeKitReport = join(reports, "node-kit.json");
const relayerReport = join(reports, "relayer.json");
const aggregatorReport = join(reports, "aggregator.json");
const e2eReport = join(reports, "e2e.json");
const indexerReport = join(reports, "indexer.json");
const subgraphReport = join(reports, "subgraph.json");
const webReport = join(reports, "web.json");

const suites: Suite[] = [
  {
    name: "contracts (Solidity: unit, fuzz, invariant)",
    command: "npx",
    args: ["hardhat", "test", "solidity"],
    parse: parseMochaStyle,
  },
  {
    name: "contracts (TypeScript flows across two chains)",
    command: "npx",
    args: ["hardhat", "test", "nodejs"],
    parse: parseMochaStyle,
  },
  {
    name: "testkit (Vitest: freePort, until, supervision and teardown)",
    command: "npx",
    args: ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${testkitReport}`],
    cwd: join(root, "testkit"),
    parse: vitestJson(testkitReport),
  },
  {
    name: "sdk (Vitest)",
    command: "npx",
    args: ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${sdkReport}`],
    cwd: join(root, "sdk"),
    parse: vitestJson(sdkReport),
  },
  {
    name: "node-kit (Vitest: identity, keys, store layer, generic Koii task round)",
    command: "npx",
    args: ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${nodeKitReport}`],
    cwd: join(root, "node-kit"),
    parse: vitestJson(nodeKitReport),
  },
  {
    name: "relayer (Vitest: attester node, relayer, end to end with hardhat nodes)",
    command: "npx",
    args: ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${relayerReport}`],
    cwd: join(root, "relayer"),
    parse: vitestJson(relayerReport),
  },
  {
    name: "aggregator (Vitest: social connectors against local API servers, store, operators, SIGKILL)",
    command: "npx",
    args: ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${aggregatorReport}`],
    cwd: join(root, "aggregator"),
    parse: vitestJson(aggregatorReport),
  },
  {
    name: "subgraph (Vitest: graph codegen and build offline, the mapping wasm under the Node host on local chains)",
    command: "npx",
    args: ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${subgraphReport}`],
    cwd: join(root, "subgraph"),
    parse: vitestJson(subgraphReport),
  },
  {
    name: "e2e (Vitest: chains, attester and relayer processes, faults)",
    command: "npx",
    args: ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${e2eReport}`],
    cwd: join(root, "test"),
    parse: vitestJson(e2eReport),
  },
  {
    name: "indexer (Vitest: Ponder on two hardhat chains, REST, GraphQL and SQL; PostgreSQL when configured)",
    command: "npx",
    args: ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${indexerReport}`],
    cwd: join(root, "indexer"),
    env: { PONDER_TELEMETRY_DISABLED: "true" },
    parse: vitestJson(indexerReport),
  },
  {
    name: "web (Vitest: the community client built by vite, in Chromium via playwright-core, against chains and nodes)",
    command: "npx",
    args: ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${webReport}`],
    cwd: join(root, "web"),
    parse: vitestJson(webReport),
  },
];

// The Solana program and the local RPC endpoint (Rust), before the sdk: its end-to-end Solana tests run the
// local RPC binary this suite builds. The target directory lives outside the clone so repeated runs stay warm.
const cargoTargetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache", "maskoii-target");
const hasPrograms = existsSync(join(root, "programs", "Cargo.toml"));
if (hasPrograms) {
  suites.splice(
    suites.findIndex((suite) => suite.name.startsWith("sdk")),
    0,
    {
      name: "programs (cargo test: Solana runtime)",
      command: "cargo",
      args: [
        "test",
        "--locked",
        "--no-fail-fast",
        "--manifest-path",
        join(root, "programs", "Cargo.toml"),
        "--workspace",
      ],
      env: {
        CARGO_TARGET_DIR: cargoTargetDir,
        // solana-program-test logs every instruction at debug level; keep the suite's output readable.
        RUST_LOG: process.env.RUST_LOG ?? "error",
      },
      parse: parseCargo,
    },
  );
  // The sdk's and the relayer's Solana tests run the binary the programs suite built: a missing one fails them.
  for (const suite of suites.filter((s) => s.name.startsWith("sdk") || s.name.startsWith("relayer"))) {
    suite.env = {
      ...suite.env,
      MASKOII_LOCAL_RPC: join(cargoTargetDir, "debug", "maskoii-local-rpc"),
      MASKOII_REQUIRE_LOCAL_RPC: "1",
    };
  }
  for (const suite of suites.filter((s) => s.name.startsWith("e2e") || s.name.startsWith("indexer"))) {
    suite.env = { ...suite.env, MASKOII_LOCAL_RPC: join(cargoTargetDir, "debug", "maskoii-local-rpc") };
  }
}

const only = process.argv.slice(2);
const total: Counts = { passed: 0, failed: 0 };
const lines: string[] = [];
for (const suite of suites) {
  if (only.length > 0 && !only.some((word) => suite.name.includes(word))) continue;
  process.stdout.write(`\n=== ${suite.name} ===\n`);
  const { output, code } = await run(suite);
  const counts = suite.parse(output);
  if (counts === undefined) {
    lines.push(`${suite.name}: no test counts reported (exit ${code}); counted as 1 failure`);
    total.failed += 1;
    continue;
  }
  // A runner that exits non-zero while reporting no failures still failed (e.g. a crash after the summary).
  const failed = code !== 0 && counts.failed === 0 ? 1 : counts.failed;
  lines.push(`${suite.name}: ${counts.passed} passed, ${failed} failed${code !== 0 ? ` (exit ${code})` : ""}`);
  total.passed += counts.passed;
  total.failed += failed;
}
rmSync(reports, { recursive: true, force: true });

process.stdout.write("\n=== summary ===\n");
for (const line of lines) process.stdout.write(`${line}\n`);
process.stdout.write(`${total.passed} passed, ${total.failed} failed\n`);
process.exitCode = total.failed === 0 ? 0 : 1;
