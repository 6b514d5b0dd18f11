// Every event and custom error a protocol contract can emit or revert with is declared in its interface (or in a pure
// library or an OpenZeppelin/Solady base it uses), never in the contract itself (issue 12: interfaces declare every
// event and error, so that tools and other contracts can decode them from the interface alone).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SRC = join(ROOT, "contracts", "src");

/** Each protocol contract, its source and the interfaces that declare its events and errors. */
const CONTRACTS = [
  { name: "AttesterSet", source: "core/AttesterSet.sol", interfaces: ["core/interfaces/IAttesterSet.sol"] },
  {
    name: "Gateway",
    source: "core/Gateway.sol",
    interfaces: ["core/interfaces/IGateway.sol", "core/interfaces/IAttesterSet.sol"],
  },
  { name: "TokenBridge", source: "token/TokenBridge.sol", interfaces: ["token/interfaces/ITokenBridge.sol"] },
  { name: "BridgedToken", source: "token/BridgedToken.sol", interfaces: ["token/interfaces/IBridgedToken.sol"] },
  {
    name: "CommunityRegistry",
    source: "revenue/CommunityRegistry.sol",
    interfaces: ["revenue/interfaces/ICommunityRegistry.sol"],
  },
  {
    name: "IdentityRegistry",
    source: "revenue/IdentityRegistry.sol",
    interfaces: ["revenue/interfaces/IIdentityRegistry.sol"],
  },
  {
    name: "CampaignLedger",
    source: "revenue/CampaignLedger.sol",
    interfaces: ["revenue/interfaces/ICampaignLedger.sol"],
  },
  { name: "EpochReports", source: "revenue/EpochReports.sol", interfaces: ["revenue/interfaces/IEpochReports.sol"] },
  {
    name: "CreatorPayouts",
    source: "revenue/CreatorPayouts.sol",
    interfaces: ["revenue/interfaces/ICreatorPayouts.sol"],
  },
] as const;

const DECLARATION = /^\s*(event|error)\s+(\w+)\s*\(/gm;

function declarations(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of text.matchAll(DECLARATION)) found.add(`${match[1]} ${match[2]}`);
  return found;
}

function solidityFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".sol"))
    .map((f) => join(dir, f));
}

/** Declarations in the pure libraries and the dependencies the contracts build on (not the contracts' own job). */
function sharedDeclarations(): Set<string> {
  const found = new Set<string>();
  const dirs = [
    join(SRC, "libraries"),
    join(SRC, "types"),
    join(ROOT, "node_modules", "@openzeppelin", "contracts"),
    join(ROOT, "node_modules", "solady", "src", "utils"),
  ];
  for (const dir of dirs) {
    for (const file of solidityFiles(dir)) for (const d of declarations(readFileSync(file, "utf8"))) found.add(d);
  }
  return found;
}

describe("contract interfaces", () => {
  const shared = sharedDeclarations();

  for (const contract of CONTRACTS) {
    it(`${contract.name}: declares no event or error itself`, () => {
      const own = declarations(readFileSync(join(SRC, contract.source), "utf8"));
      assert.deepEqual([...own], [], `${contract.source} declares ${[...own].join(", ")}; move them to its interface`);
    });

    it(`${contract.name}: every event and error of its ABI is declared in its interface or a shared library`, async () => {
      const { artifacts } = await import("hardhat");
      const artifact = await artifacts.readArtifact(contract.name);
      const declared = new Set<string>();
      for (const file of contract.interfaces)
        for (const d of declarations(readFileSync(join(SRC, file), "utf8"))) declared.add(d);
      const entries = (artifact.abi as readonly { type: string; name?: string }[]).filter(
        (entry) => entry.type === "event" || entry.type === "error",
      );
      assert.ok(entries.length > 0, "the ABI has events and errors");
      const missing = entries
        .map((entry) => `${entry.type} ${entry.name}`)
        .filter((d) => !declared.has(d) && !shared.has(d));
      assert.deepEqual(missing, [], `${contract.name}: not declared in ${contract.interfaces.join(", ")}`);
    });
  }
});
