// Wallet connection through any injected EIP-1193 provider (`window.ethereum`): a small connector in place of
// wagmi. It asks for accounts, follows `accountsChanged` / `chainChanged`, switches chains on request and hands out
// viem wallet clients over the provider (the provider signs; the app never sees a key).
import { BaseError } from "@maskoii/sdk";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { type Address, createWalletClient, custom, type EIP1193Provider, getAddress, type Hex, toHex } from "viem";
import { viemChain } from "./chains.ts";
import type { WebChain } from "./config.ts";

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

export type Wallet = {
  readonly available: boolean;
  readonly address: Address | undefined;
  readonly chainId: number | undefined;
  readonly error: string | undefined;
  connect(): Promise<void>;
  /** A viem wallet client on `chain` (switching the provider to it first). */
  client(chain: WebChain): Promise<ReturnType<typeof makeClient>>;
  /** EIP-191 personal_sign of a text or raw bytes. */
  signMessage(message: string | { raw: Hex }): Promise<Hex>;
};

function makeClient(provider: EIP1193Provider, account: Address, chain: WebChain) {
  return createWalletClient({ account, chain: viemChain(chain), transport: custom(provider) });
}

const WalletContext = createContext<Wallet | undefined>(undefined);

export function WalletProvider({ children }: { children: ReactNode }) {
  const provider = typeof window === "undefined" ? undefined : window.ethereum;
  const [address, setAddress] = useState<Address | undefined>();
  const [chainId, setChainId] = useState<number | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (provider === undefined) return;
    const onAccounts = (accounts: unknown) => {
      const first = Array.isArray(accounts) ? accounts[0] : undefined;
      setAddress(typeof first === "string" ? getAddress(first) : undefined);
    };
    const onChain = (id: unknown) => setChainId(typeof id === "string" ? Number.parseInt(id, 16) : undefined);
    provider.on("accountsChanged", onAccounts);
    provider.on("chainChanged", onChain);
    void provider
      .request({ method: "eth_accounts" })
      .then(onAccounts)
      .catch(() => undefined);
    return () => {
      provider.removeListener("accountsChanged", onAccounts);
      provider.removeListener("chainChanged", onChain);
    };
  }, [provider]);

  const connect = useCallback(async () => {
    if (provider === undefined) {
      setError("No wallet found: install a browser wallet (any EIP-1193 provider) and reload.");
      return;
    }
    try {
      const accounts = await provider.request({ method: "eth_requestAccounts" });
      const first = accounts[0];
      setAddress(first === undefined ? undefined : getAddress(first));
      setChainId(Number.parseInt(await provider.request({ method: "eth_chainId" }), 16));
      setError(undefined);
    } catch (e) {
      setError(`The wallet refused to connect: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, [provider]);

  const value = useMemo<Wallet>(
    () => ({
      available: provider !== undefined,
      address,
      chainId,
      error,
      connect,
      async client(chain) {
        if (provider === undefined || address === undefined) throw new WalletNotConnectedError();
        const current = Number.parseInt(await provider.request({ method: "eth_chainId" }), 16);
        if (current !== chain.chainId) {
          await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: toHex(chain.chainId) }] });
          setChainId(chain.chainId);
        }
        return makeClient(provider, address, chain);
      },
      async signMessage(message) {
        if (provider === undefined || address === undefined) throw new WalletNotConnectedError();
        const data = typeof message === "string" ? toHex(message) : message.raw;
        return provider.request({ method: "personal_sign", params: [data, address] });
      },
    }),
    [provider, address, chainId, error, connect],
  );
  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}

export function useWallet(): Wallet {
  const wallet = useContext(WalletContext);
  if (wallet === undefined) throw new WalletNotConnectedError();
  return wallet;
}

export class WalletNotConnectedError extends BaseError<"web-wallet-not-connected"> {
  override name = "WalletNotConnectedError";
  constructor() {
    super("web-wallet-not-connected", "Connect a wallet first.");
  }
}
