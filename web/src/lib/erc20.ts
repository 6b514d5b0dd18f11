// The ERC-20 reads and the approval the money pages need (the sdk's demo token ABI is a plain ERC-20).
import { type Address, erc20Abi, type WalletClient } from "viem";
import { publicClientOf } from "./chains.ts";
import type { WebChain } from "./config.ts";

export async function tokenInfo(chain: WebChain, token: Address, owner?: Address) {
  const client = publicClientOf(chain);
  const [symbol, decimals, balance] = await Promise.all([
    client.readContract({ address: token, abi: erc20Abi, functionName: "symbol" }).catch(() => "TOKEN"),
    client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }).catch(() => 18),
    owner === undefined
      ? Promise.resolve(undefined)
      : client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [owner] }),
  ]);
  return { symbol, decimals, balance };
}

export async function approve(chain: WebChain, wallet: WalletClient, token: Address, spender: Address, amount: bigint) {
  const account = wallet.account;
  if (account === undefined) throw new RangeError("the wallet has no account");
  const hash = await wallet.writeContract({
    address: token,
    abi: erc20Abi,
    functionName: "approve",
    args: [spender, amount],
    account,
    chain: wallet.chain,
  });
  await publicClientOf(chain).waitForTransactionReceipt({ hash });
}
