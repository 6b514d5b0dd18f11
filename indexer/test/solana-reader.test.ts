// Point 5 for Solana: no reorg can be produced on the local Solana RPC, so this asserts what makes one harmless to
// the indexer: every JSON-RPC call the Solana reader makes asks for `confirmed` commitment (a processed slot can
// still be dropped; a confirmed one is voted on by a supermajority), and failed transactions are skipped.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SolanaReader } from "../src/solana/reader.ts";

type Call = { method: string; params: unknown[] };
const calls: Call[] = [];
const PROGRAM = "11111111111111111111111111111111";
const OK = "5".repeat(64);
const FAILED = "4".repeat(64);

async function body(req: IncomingMessage): Promise<string> {
  let s = "";
  for await (const chunk of req) s += String(chunk);
  return s;
}

function answer(call: Call): unknown {
  if (call.method === "getSignaturesForAddress") {
    return [
      { signature: OK, slot: 12, err: null, memo: null, blockTime: 1_700_000_012, confirmationStatus: "confirmed" },
      { signature: FAILED, slot: 11, err: { InstructionError: [0, "Custom"] }, memo: null, blockTime: 1_700_000_011 },
    ];
  }
  if (call.method === "getTransaction") {
    return {
      slot: 12,
      blockTime: 1_700_000_012,
      meta: {
        err: null,
        fee: 5000,
        preBalances: [],
        postBalances: [],
        innerInstructions: [],
        preTokenBalances: [],
        postTokenBalances: [],
        logMessages: [`Program ${PROGRAM} invoke [1]`, `Program ${PROGRAM} success`],
        status: { Ok: null },
      },
      transaction: {
        message: {
          accountKeys: [PROGRAM],
          header: { numRequiredSignatures: 1, numReadonlySignedAccounts: 0, numReadonlyUnsignedAccounts: 0 },
          instructions: [],
          recentBlockhash: PROGRAM,
        },
        signatures: [OK],
      },
    };
  }
  throw new Error(`unexpected ${call.method}`);
}

const server = createServer(async (req, res) => {
  const request = JSON.parse(await body(req)) as { id: number; method: string; params: unknown[] };
  calls.push({ method: request.method, params: request.params });
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ jsonrpc: "2.0", id: request.id, result: answer(request) }));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("the Solana reader takes confirmed slots only", () => {
  it("asks every RPC call for confirmed commitment and skips failed transactions", async () => {
    const { port } = server.address() as AddressInfo;
    const reader = new SolanaReader({ rpcUrl: `http://127.0.0.1:${port}`, programId: PROGRAM });
    const batch = await reader.next(undefined);
    expect(calls.map((c) => c.method)).toEqual(["getSignaturesForAddress", "getTransaction"]);
    for (const call of calls) {
      const options = call.params.at(-1) as { commitment?: string };
      expect({ method: call.method, commitment: options.commitment }).toEqual({
        method: call.method,
        commitment: "confirmed",
      });
    }
    expect(batch.transactions.map((t) => t.signature)).toEqual([OK]);
    expect(batch.cursor).toEqual({ signature: OK, slot: 12n });
  });
});
