// viem chains and public clients for the configured chains (RPC URLs resolved against the page).
import { createPublicClient, defineChain, http, type PublicClient } from "viem";
import type { WebChain } from "./config.ts";

export function rpcUrlOf(chain: WebChain): string {
  return new URL(chain.rpcUrl, typeof location === "undefined" ? "http://127.0.0.1/" : location.href).href;
}

export function viemChain(chain: WebChain) {
  return defineChain({
    id: chain.chainId,
    name: chain.name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrlOf(chain)] } },
  });
}

const clients = new Map<number, PublicClient>();

export function publicClientOf(chain: WebChain): PublicClient {
  let client = clients.get(chain.chainId);
  if (client === undefined) {
    client = createPublicClient({
      chain: viemChain(chain),
      transport: http(rpcUrlOf(chain), { timeout: 10_000, retryCount: 0 }),
    }) as PublicClient;
    clients.set(chain.chainId, client);
  }
  return client;
}
