// EVM <-> Solana with real processes: two `hardhat node`s, the local Solana endpoint (domain 1003, maskoii initialized
// and linked with chain A by the relayer's Solana fixture), three `maskoii attester` processes and the `maskoii relayer`
// process (paying Solana fees with its own airdropped ed25519 key). Every test asserts nothing lost and nothing
// doubled: one receipt per message on Solana, one MessageDelivered per message on EVM, balances and supplies exact,
// no verification account left behind.
//
// Not here: an arbitrary (non-token) message EVM -> Solana. The program delivers to any executable recipient program
// that implements `handle` (docs/solana.md, "Delivery and the recipient interface"), but the local endpoint loads only
// maskoii and SPL Token, and no recipient program is built in this repository (the program tests' mock recipients are
// native processors, not SBF binaries `--bpf-program` could load).
import { addressToBytes32, gatewayAbi } from "@maskoii/sdk";
import { pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { demoTokenAbi, localRpcFromEnv, until } from "@maskoii/testkit";
import type { Keypair, PublicKey } from "@solana/web3.js";
import { type Hex, parseUnits, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveredCounts, handledPayloads, type Sent, transferTokens } from "../lib/bridge.ts";
import { SolanaSide } from "../lib/solana.ts";
import { Stack } from "../lib/stack.ts";

const SOLANA = 1003;
const binary = localRpcFromEnv();

/** The value of a Prometheus sample line (0 when absent). */
function metric(text: string, pattern: RegExp): number {
  const line = text.split("\n").find((l) => pattern.test(l));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

if (binary === undefined && process.env.MASKOII_REQUIRE_LOCAL_RPC === "1") {
  describe("e2e Solana", () => {
    it("has the local Solana RPC (MASKOII_REQUIRE_LOCAL_RPC=1)", () => {
      throw new Error("MASKOII_REQUIRE_LOCAL_RPC=1 but MASKOII_LOCAL_RPC does not name the local RPC binary");
    });
  });
}

describe.skipIf(binary === undefined)(
  "e2e Solana: token and message legs through attester and relayer processes",
  () => {
    let stack: Stack;
    let solana: SolanaSide;
    let user: { keypair: Keypair; tokenAccount: PublicKey };
    /** Messages to Solana and from Solana to A, as sent. */
    const toSolana: Hex[] = [];
    const toA: Hex[] = [];
    /** Demo tokens (18 decimals) locked on A for Solana. */
    let locked = 0n;

    beforeAll(async () => {
      stack = await Stack.start({
        label: "solana",
        solana: true,
        attesters: 3,
        relayer: { maxBatchSize: 8 },
        proxies: { relayer: true },
      });
      solana = new SolanaSide(stack);
      user = await solana.newUser();
    });

    afterAll(async () => {
      await stack?.stop();
    });

    const a = () => stack.a;
    const contractsA = () => stack.contractsOf(1001);

    async function demoBalance(holder: Hex): Promise<bigint> {
      return a().public.readContract({
        address: contractsA().demoToken,
        abi: demoTokenAbi,
        functionName: "balanceOf",
        args: [holder],
      });
    }

    async function expectNothingLeft(): Promise<void> {
      expect(await solana.verificationsOf(stack.solanaPayer.publicKey), "verification accounts left").toBe(0);
    }

    async function transferToSolana(amount: bigint): Promise<Sent> {
      const [sent] = await transferTokens({
        stack,
        origin: a(),
        destination: SOLANA,
        recipient: `0x${"00".repeat(20)}`,
        amount,
        count: 1,
        recipientBytes32: pubkeyToBytes32(user.tokenAccount),
      });
      if (sent === undefined) throw new Error("no MessageSent");
      toSolana.push(sent.messageId);
      locked += amount;
      return sent;
    }

    /** Sends `amount` (9 decimals) of the bridged mint from the Solana user back to `recipient` on A. */
    async function transferToA(amount: bigint): Promise<Hex> {
      const back = await solana.client.tokenTransferRemoteIx({
        sender: user.keypair.publicKey,
        payer: user.keypair.publicKey,
        mint: solana.mint,
        source: user.tokenAccount,
        destination: 1001,
        recipient: addressToBytes32(stack.user.address),
        amount,
        maxFee: 1_000_000,
      });
      await solana.send(back.instruction, user.keypair);
      toA.push(back.messageId.toLowerCase() as Hex);
      locked -= amount * 10n ** 9n;
      return back.messageId.toLowerCase() as Hex;
    }

    async function waitDeliveredOnA(ids: readonly Hex[]): Promise<void> {
      await until(
        `${ids.length} deliveries on A`,
        async () => {
          const counts = await deliveredCounts(a(), contractsA().gateway);
          return ids.every((id) => counts.has(id)) ? true : undefined;
        },
        { timeoutMs: 60_000, everyMs: 250 },
      );
    }

    it("a token transfer A -> Solana is delivered once: one receipt, SPL balance and supply exact, A's lock exact", async () => {
      const amount = parseUnits("12.5", 18);
      const sent = await transferToSolana(amount);
      await solana.waitDelivered(sent.messageId);
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await solana.receiptIds()).sort()).toEqual([sent.messageId]);
      const receipt = await solana.client.fetchReceiptById(sent.messageId);
      expect(receipt?.relayer.toBase58()).toBe(stack.solanaPayer.publicKey.toBase58());
      expect(await solana.tokenBalance(user.tokenAccount)).toBe(parseUnits("12.5", 9));
      expect(await solana.supply()).toBe(parseUnits("12.5", 9));
      expect(await demoBalance(contractsA().tokenBridge)).toBe(amount);
      // 2 of 3 signatures and the token `deliver` fit one transaction: the relayer sent exactly one.
      expect(await solana.transactionsOf(stack.solanaPayer.publicKey)).toHaveLength(1);
      await expectNothingLeft();
      const record = (await (await fetch(`${stack.opsUrl()}/messages/${sent.messageId}`)).json()) as Record<
        string,
        unknown
      >;
      expect(record).toMatchObject({ state: "delivered", origin: 1001, destination: SOLANA });
      const metrics = await stack.relayerMetrics();
      expect(metric(metrics, /^maskoii_messages_total\{status="delivered",origin="1001",destination="1003"\}/)).toBe(1);
    });

    it("a token transfer Solana -> A is delivered once: one MessageDelivered, tokens released, SPL burnt", async () => {
      const before = await demoBalance(stack.user.address);
      const id = await transferToA(parseUnits("12.5", 9));
      await waitDeliveredOnA([id]);
      await new Promise((r) => setTimeout(r, 1_500));
      const counts = await deliveredCounts(a(), contractsA().gateway);
      expect(counts.get(id)).toBe(1);
      expect((await demoBalance(stack.user.address)) - before).toBe(parseUnits("12.5", 18));
      expect(await demoBalance(contractsA().tokenBridge)).toBe(0n);
      expect(await solana.tokenBalance(user.tokenAccount)).toBe(0n);
      expect(await solana.supply()).toBe(0n);
    });

    it("an arbitrary message Solana -> A reaches DemoRecipient once with its payload", async () => {
      const payload = stringToHex("hello from Solana");
      const handledBefore = (await handledPayloads(a(), contractsA().demoRecipient)).length;
      const sent = await solana.client.sendIx({
        sender: user.keypair.publicKey,
        payer: user.keypair.publicKey,
        destination: 1001,
        recipient: addressToBytes32(contractsA().demoRecipient),
        payload,
        maxFee: 1_000_000,
      });
      await solana.send(sent.instruction, user.keypair);
      const id = sent.messageId.toLowerCase() as Hex;
      toA.push(id);
      await waitDeliveredOnA([id]);
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await deliveredCounts(a(), contractsA().gateway)).get(id)).toBe(1);
      const handled = await handledPayloads(a(), contractsA().demoRecipient);
      expect(handled.slice(handledBefore)).toEqual([payload]);
      const status = await a().public.readContract({
        address: contractsA().gateway,
        abi: gatewayAbi,
        functionName: "messageStatus",
        args: [sent.message],
      });
      expect(status).toBe(1);
    });

    it("SIGKILL of the relayer while its Solana delivery is in flight, restart on its store: delivered once", async () => {
      const proxy = stack.proxies.relayer.get(SOLANA)!;
      const payer = stack.solanaPayer.publicKey;
      const txsBefore = (await solana.transactionsOf(payer)).length;
      // Every delivery transaction the relayer sends to Solana reaches the node, but the relayer never hears back:
      // it waits for a confirmation it cannot see while the transaction lands.
      proxy.resetCounters();
      proxy.setFaults([{ kind: "drop-response", methods: ["sendTransaction"] }]);
      const amount = parseUnits("3", 18);
      const sent = await transferToSolana(amount);
      try {
        await until(
          "the relayer's delivery transaction",
          () => (proxy.counters.droppedResponses > 0 ? true : undefined),
          {
            timeoutMs: 60_000,
            everyMs: 20,
          },
        );
        expect(await stack.relayer.stop("SIGKILL")).toBe("SIGKILL");
      } finally {
        proxy.clearFaults();
      }
      // It landed while the relayer was dead.
      await solana.waitDelivered(sent.messageId, 20_000);

      await stack.startRelayer();
      await until(
        "the restarted relayer settles the message",
        async () => {
          const r = (await (await fetch(`${stack.opsUrl()}/messages/${sent.messageId}`)).json()) as { state: string };
          return r.state === "pending" ? undefined : r.state;
        },
        { timeoutMs: 60_000 },
      );
      const settled = (await (await fetch(`${stack.opsUrl()}/messages/${sent.messageId}`)).json()) as {
        state: string;
      };
      // Found on chain (a receipt) rather than sent again.
      expect(settled.state).toBe("skipped");
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await solana.receiptIds()).filter((id) => id === sent.messageId)).toHaveLength(1);
      expect(await solana.tokenBalance(user.tokenAccount)).toBe(parseUnits("3", 9));
      expect(await solana.supply()).toBe(parseUnits("3", 9));
      expect(await demoBalance(contractsA().tokenBridge)).toBe(amount);
      // One delivery transaction for it in all (plus none re-sent after the restart).
      expect((await solana.transactionsOf(payer)).length - txsBefore).toBe(1);
      await expectNothingLeft();
    });

    it("nothing lost, nothing doubled across the file; no process died on its own", async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await solana.receiptIds()).sort()).toEqual([...toSolana].sort());
      const counts = await deliveredCounts(a(), contractsA().gateway);
      expect([...counts.keys()].sort()).toEqual([...toA].sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      // Locked on A = bridged supply on Solana (scaled from 18 to 9 decimals).
      expect(await demoBalance(contractsA().tokenBridge)).toBe(locked);
      expect((await solana.supply()) * 10n ** 9n).toBe(locked);
      await expectNothingLeft();
      expect(stack.unexpectedExits).toEqual([]);
    });
  },
);
