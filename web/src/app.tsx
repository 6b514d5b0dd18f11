// The app shell: loads config.json, connects the wallet, routes by the URL hash.
import { useEffect, useState } from "react";
import { webConfigSchema } from "./lib/config.ts";
import { request } from "./lib/http.ts";
import { useRequest } from "./lib/use-request.ts";
import { useWallet, WalletProvider } from "./lib/wallet.tsx";
import { BridgePage } from "./pages/bridge-page.tsx";
import { CampaignsPage } from "./pages/campaigns-page.tsx";
import { CommunityPage } from "./pages/community-page.tsx";
import { FeedPage } from "./pages/feed-page.tsx";
import { IdentityPage } from "./pages/identity-page.tsx";
import { MoneyPage } from "./pages/money-page.tsx";
import { PrivatePage } from "./pages/private-page.tsx";
import { StackContext, stackOf } from "./stack.tsx";
import { Request, short } from "./ui.tsx";

const PAGES = [
  { path: "community", label: "Community", Page: CommunityPage },
  { path: "feed", label: "For you", Page: FeedPage },
  { path: "private", label: "Private posts", Page: PrivatePage },
  { path: "identity", label: "Identity", Page: IdentityPage },
  { path: "money", label: "Earnings", Page: MoneyPage },
  { path: "campaigns", label: "Campaigns", Page: CampaignsPage },
  { path: "bridge", label: "Bridge", Page: BridgePage },
] as const;

const read = () => window.location.hash.replace(/^#\/?/, "").split("?")[0] || "community";

function useHashPath(): string {
  const [path, setPath] = useState(read);
  useEffect(() => {
    const on = () => setPath(read());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return path;
}

function WalletButton() {
  const wallet = useWallet();
  if (wallet.address !== undefined) {
    return (
      <span className="wallet" title={wallet.address} data-testid="wallet-address">
        {short(wallet.address, 4)}
      </span>
    );
  }
  return (
    <span className="wallet-connect">
      <button type="button" onClick={() => void wallet.connect()}>
        Connect wallet
      </button>
      {wallet.error === undefined ? null : (
        <span className="error-line" role="alert">
          {wallet.error}
        </span>
      )}
    </span>
  );
}

function Shell() {
  const path = useHashPath();
  const page = PAGES.find((p) => p.path === path) ?? PAGES[0];
  const { state, reload } = useRequest(
    () => request("the client's configuration", new URL("config.json", window.location.href).href, webConfigSchema),
    [],
  );
  useEffect(() => {
    document.title = `${page.label} · maskoii`;
  }, [page]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span className="brand">maskoii</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={p === page ? "page" : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <WalletButton />
      </header>
      <main id="main" tabIndex={-1}>
        <Request state={state} what="the client's configuration (config.json)" retry={reload}>
          {(config) => (
            <StackContext.Provider value={stackOf(config, window.location.href)}>
              <page.Page />
            </StackContext.Provider>
          )}
        </Request>
      </main>
    </>
  );
}

export function App() {
  return (
    <WalletProvider>
      <Shell />
    </WalletProvider>
  );
}
