// A test wallet injected into the page as an EIP-1193 provider: `window.ethereum.request` calls a function exposed by
// the test (playwright's exposeFunction), which signs with a viem local account and sends transactions through the
// chain's RPC; reads go to the RPC as they are.
import type { BrowserContext } from "playwright-core";
import { createWalletClient, type Hex, http, type PrivateKeyAccount, toHex } from "viem";

type Chain = { chainId: number; rpcUrl: string };

const PROVIDER_SCRIPT = `(() => {
  const listeners = {};
  const provider = {
    isMaskoiiTest: true,
    async request({ method, params }) {
      const answer = await window.__maskoiiWallet(method, JSON.stringify(params ?? []));
      const parsed = JSON.parse(answer);
      if (parsed.error) { const e = new Error(parsed.error.message); e.code = parsed.error.code; throw e; }
      if (method === "eth_requestAccounts") (listeners.accountsChanged || []).forEach((f) => f(parsed.result));
      return parsed.result;
    },
    on(event, fn) { (listeners[event] = listeners[event] || []).push(fn); },
    removeListener(event, fn) { listeners[event] = (listeners[event] || []).filter((f) => f !== fn); },
  };
  window.ethereum = provider;
})();`;

export async function injectWallet(
  context: BrowserContext,
  account: PrivateKeyAccount,
  chains: readonly Chain[],
): Promise<void> {
  let current = chains[0] as Chain;
  let connected = false;
  const rpc = async (method: string, params: unknown[]) => {
    const res = await fetch(current.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    return (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
  };
  await context.exposeFunction("__maskoiiWallet", async (method: string, rawParams: string): Promise<string> => {
    const params = JSON.parse(rawParams) as unknown[];
    try {
      switch (method) {
        case "eth_requestAccounts":
          connected = true;
          return JSON.stringify({ result: [account.address] });
        case "eth_accounts":
          return JSON.stringify({ result: connected ? [account.address] : [] });
        case "eth_chainId":
          return JSON.stringify({ result: toHex(current.chainId) });
        case "wallet_switchEthereumChain": {
          const id = Number.parseInt(String((params[0] as { chainId: string }).chainId), 16);
          const next = chains.find((c) => c.chainId === id);
          if (next === undefined) return JSON.stringify({ error: { code: 4902, message: `unknown chain ${id}` } });
          current = next;
          return JSON.stringify({ result: null });
        }
        case "personal_sign":
          return JSON.stringify({ result: await account.signMessage({ message: { raw: params[0] as Hex } }) });
        case "eth_sendTransaction": {
          const tx = params[0] as { to?: Hex; data?: Hex; value?: Hex; gas?: Hex };
          const wallet = createWalletClient({ account, transport: http(current.rpcUrl) });
          const hash = await wallet.sendTransaction({
            chain: null,
            ...(tx.to === undefined ? {} : { to: tx.to }),
            ...(tx.data === undefined ? {} : { data: tx.data }),
            ...(tx.value === undefined ? {} : { value: BigInt(tx.value) }),
          });
          return JSON.stringify({ result: hash });
        }
        default:
          return JSON.stringify(await rpc(method, params));
      }
    } catch (e) {
      return JSON.stringify({ error: { code: -32000, message: e instanceof Error ? e.message : String(e) } });
    }
  });
  await context.addInitScript(PROVIDER_SCRIPT);
}
