// A real EVM chain for the Koii task tests: one `hardhat node` (chain id 31337 = domain 1001) on a free 127.0.0.1 port
// with a Gateway deployed from the compiled artifact (built first if missing), whose set 1 is the given attesters.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gatewayAbi } from "@maskoii/sdk";
import { hardhatBuild, ROOT, Supervisor, startHardhatNode } from "@maskoii/testkit";
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  getAddress,
  type Hex,
  http,
  parseEventLogs,
  toHex,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

const ARTIFACT = join(ROOT, "artifacts", "contracts", "src", "core", "Gateway.sol", "Gateway.json");
const MNEMONIC = "test test test test test test test test test test test junk";

export const chainA = defineChain({
  id: 31337,
  name: "A",
  nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});

export type TestChain = {
  readonly rpcUrl: string;
  readonly gateway: Address;
  readonly deployBlock: bigint;
  /** Sends a message A -> 1002 from hardhat account #1; resolves with its MessageSent fields. */
  send(payload: Hex): Promise<{ messageId: Hex; nonce: bigint; message: Hex; blockNumber: bigint }>;
  setBalance(address: Address, wei: bigint): Promise<void>;
  weightOf(attester: Address): Promise<bigint>;
  slashedEvents(): Promise<{ attester: Address; messageIdA: Hex; messageIdB: Hex }[]>;
  stop(): Promise<void>;
};

export async function startTestChain(attesters: readonly Address[]): Promise<TestChain> {
  const supervisor = new Supervisor();
  if (!existsSync(ARTIFACT)) await hardhatBuild(supervisor, join(tmpdir(), `maskoii-koii-build-${process.pid}.log`));
  try {
    const { rpcUrl } = await startHardhatNode({
      supervisor,
      name: "chainA",
      chainId: 31337,
      logFile: join(tmpdir(), `maskoii-koii-chain-${process.pid}-${Date.now()}.log`),
    });
    const artifact = JSON.parse(await readFile(ARTIFACT, "utf8")) as { bytecode: Hex };
    const owner = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
    const user = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
    const transport = http(rpcUrl);
    const pub = createPublicClient({ chain: chainA, transport });
    const deployer = createWalletClient({ account: owner, chain: chainA, transport });
    const sender = createWalletClient({ account: user, chain: chainA, transport });
    const test = createTestClient({ mode: "hardhat", chain: chainA, transport });
    const sorted = [...attesters].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const hash = await deployer.deployContract({
      abi: gatewayAbi,
      bytecode: artifact.bytecode,
      args: [1001, owner.address, owner.address, sorted, sorted.map(() => 1n), 6667, 86_400, 172_800],
    });
    const receipt = await pub.waitForTransactionReceipt({ hash });
    const gateway = getAddress(receipt.contractAddress as Address);
    return {
      rpcUrl,
      gateway,
      deployBlock: receipt.blockNumber,
      async send(payload) {
        const tx = await sender.writeContract({
          address: gateway,
          abi: gatewayAbi,
          functionName: "send",
          args: [1002, toHex(7n, { size: 32 }), payload],
        });
        const r = await pub.waitForTransactionReceipt({ hash: tx });
        const [log] = parseEventLogs({ abi: gatewayAbi, logs: r.logs, eventName: "MessageSent" });
        if (log === undefined) throw new Error("no MessageSent");
        return {
          messageId: log.args.messageId.toLowerCase() as Hex,
          nonce: log.args.nonce,
          message: log.args.message.toLowerCase() as Hex,
          blockNumber: r.blockNumber,
        };
      },
      async setBalance(address, wei) {
        await test.setBalance({ address, value: wei });
      },
      async weightOf(attester) {
        const setId = await pub.readContract({ address: gateway, abi: gatewayAbi, functionName: "currentSetId" });
        const [list, weights] = await pub.readContract({
          address: gateway,
          abi: gatewayAbi,
          functionName: "getSet",
          args: [setId],
        });
        const i = list.findIndex((a) => a.toLowerCase() === attester.toLowerCase());
        return i < 0 ? 0n : (weights[i] ?? 0n);
      },
      async slashedEvents() {
        const logs = await pub.getContractEvents({
          address: gateway,
          abi: gatewayAbi,
          eventName: "AttesterSlashed",
          fromBlock: 0n,
          strict: true,
        });
        return logs.map((l) => ({
          attester: l.args.attester,
          messageIdA: l.args.messageIdA,
          messageIdB: l.args.messageIdB,
        }));
      },
      stop: () => supervisor.stopAll(),
    };
  } catch (error) {
    await supervisor.stopAll();
    throw error;
  }
}
