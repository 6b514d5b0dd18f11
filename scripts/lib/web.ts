// Devnet step: the community web client (web/, issue 18). Builds the static app (vite), writes its runtime
// config.json next to it (the stack's URLs, all proxied through the web server's own origin, and the home chain's
// addresses: nothing secret) and serves web/dist on 127.0.0.1 with a tiny static server.
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Attester } from "@maskoii/testkit";
import type { ChainDeployment } from "@maskoii/testkit/deploy";
import { startWebServer, type WebConfigInput, type WebServer } from "@maskoii/web/server";
import { getAddress } from "viem";
import type { AggregatorDemo } from "./aggregator-demo.ts";
import { CHAIN_A, CHAIN_B } from "./chains.ts";

export const WEB_PORT = 5173;

class WebBuildError extends Error {
  override readonly name = "DevnetError";
}

/** `npm run build` in web/ (vite); its output goes to the log file. */
async function buildWeb(root: string, logFile: string): Promise<void> {
  const { createWriteStream } = await import("node:fs");
  const log = createWriteStream(logFile);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "node_modules", "vite", "bin", "vite.js"), "build"], {
      cwd: join(root, "web"),
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new WebBuildError(`the web client's build failed (exit ${code}); see ${logFile}`)),
    );
  });
}

export async function startWeb(args: {
  root: string;
  logDir: string;
  chains: readonly ChainDeployment[];
  attesters: readonly Attester[];
  attesterSetId: bigint;
  communityId: bigint;
  indexerUrl?: string;
  aggregator: AggregatorDemo;
  log: (line: string) => void;
}): Promise<WebServer> {
  const dist = join(args.root, "web", "dist");
  await buildWeb(args.root, join(args.logDir, "web-build.log"));
  const proxies: Record<string, string> = {};
  const nodes = args.aggregator.nodeUrls.map((url, i) => {
    proxies[`/proxy/node-${i + 1}`] = url;
    return { name: `node ${i + 1}`, url: `/proxy/node-${i + 1}` };
  });
  if (args.indexerUrl !== undefined) proxies["/proxy/indexer"] = args.indexerUrl;
  proxies["/proxy/mastodon"] = args.aggregator.mastodon.url;
  const config: WebConfigInput = {
    version: 1,
    community: args.communityId.toString(),
    nodes,
    indexer: args.indexerUrl === undefined ? null : "/proxy/indexer",
    publish: {
      network: "mastodon",
      url: "/proxy/mastodon",
      host: args.aggregator.mastodon.host,
      hashtag: args.aggregator.mastodon.hashtag,
    },
    chains: args.chains.map((chain) => {
      const meta = chain.chainId === CHAIN_A.chainId ? CHAIN_A : CHAIN_B;
      const path = `/proxy/${meta.name}`;
      proxies[path] = meta.rpcUrl;
      return {
        chainId: chain.chainId,
        name: meta.name === "chainA" ? "chain A" : "chain B",
        domain: chain.domain,
        rpcUrl: path,
        token: chain.contracts.demoToken,
        revenue: chain.revenue === undefined ? null : chain.revenue,
        attesters: {
          setId: args.attesterSetId.toString(),
          members: args.attesters.map((a) => getAddress(a.account.address)),
        },
      };
    }),
  };
  await writeFile(join(dist, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  const server = await startWebServer({ dir: dist, host: "127.0.0.1", port: WEB_PORT, proxies });
  const demo = args.aggregator.mastodon.demoAccount;
  args.log(`web client: ${server.url}/ (config ${join(dist, "config.json")})`);
  args.log(`  publish from the local Mastodon as ${demo.acct} with access token "${demo.token}" (devnet only)`);
  return server;
}
