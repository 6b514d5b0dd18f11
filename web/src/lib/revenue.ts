// The sdk's RevenueClient on the home chain, reading through the page's RPC URL and writing through the wallet.
import { RevenueClient } from "@maskoii/sdk";
import type { WalletClient } from "viem";
import { publicClientOf } from "./chains.ts";
import type { WebChain } from "./config.ts";

export function revenueOf(chain: WebChain, wallet?: WalletClient): RevenueClient {
  if (chain.revenue === null) throw new RangeError(`${chain.name} has no revenue contracts`);
  return new RevenueClient({
    publicClient: publicClientOf(chain),
    ...(wallet === undefined ? {} : { wallet }),
    addresses: chain.revenue,
  });
}
