import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NotEvmDomainError } from "@maskoii/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvmChainAdapter } from "../src/chains/evm.ts";
import { ChainRpcError } from "../src/errors.ts";

const gateway = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

describe("EVM adapter connection checks", () => {
  let server: Server;
  let url = "";
  beforeAll(async () => {
    // A JSON-RPC endpoint that claims chain id 1 (the wrong chain for domain 1001).
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        const { id } = JSON.parse(body) as { id: number };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id, result: "0x1" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it("refuses an RPC that serves another chain id than the domain's", async () => {
    await expect(
      EvmChainAdapter.connect({ domain: 1001, rpcUrl: url, gateway, finality: { kind: "finalized" } }),
    ).rejects.toThrow(/chain id 1, expected 31337/);
  });

  it("reports an unreachable RPC as ChainRpcError, and a non-EVM domain as NotEvmDomainError", async () => {
    await expect(
      EvmChainAdapter.connect({ domain: 1001, rpcUrl: "http://127.0.0.1:1", gateway, finality: { kind: "finalized" } }),
    ).rejects.toBeInstanceOf(ChainRpcError);
    await expect(
      EvmChainAdapter.connect({ domain: 1003, rpcUrl: url, gateway, finality: { kind: "finalized" } }),
    ).rejects.toBeInstanceOf(NotEvmDomainError);
  });

  it("a read-only adapter refuses to deliver", async () => {
    const adapter = await EvmChainAdapter.connect({
      domain: 1,
      rpcUrl: url,
      gateway,
      finality: { kind: "confirmations", depth: 12 },
    });
    await expect(adapter.deliver("0x", "0x")).rejects.toThrow(/read-only/);
  });
});
