// The relayer pipeline in-process across an EVM chain and Solana: `hardhat node` chains (A = 1001; B only because the
// deployment script deploys a pair) and the local Solana RPC (1003), maskoii deployed and linked A <-> Solana by the
// devnet's own code (in a child process), three attester nodes (startAttester: watchers, journal, signer, HTTP) and
// one relayer (startRelayer: watchers, attester client, delivery loop), each with its own PGlite store. A token
// transfer A -> Solana and one Solana -> A must each be delivered exactly once.
import { setTimeout as sleep } from "node:timers/promises";
import { addressToBytes32, gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { MaskoiiSolanaClient, pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { demoTokenAbi, until } from "@maskoii/testkit";
import { getAccount, getOrCreateAssociatedTokenAccount } from "@solana/spl-token";
import { Connection, Keypair } from "@solana/web3.js";
import { createPublicClient, createWalletClient, type Hex, http, parseEventLogs, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainA, devAccount } from "./evm-stack.ts";
import { airdrop, HAVE_LOCAL_RPC, requireLocalRpc } from "./solana-helpers.ts";
import { SolanaStack } from "./solana-stack.ts";

const owner = devAccount(0);
const user = devAccount(1);
const SOLANA = 1003;

requireLocalRpc("solana-flow.test");

describe.runIf(HAVE_LOCAL_RPC)("relayer pipeline: EVM <-> Solana token transfers, each delivered once", () => {
  const stack = new SolanaStack("solana-flow");

  beforeAll(() => stack.start(), 240_000);

  afterAll(() => stack.stop());

  it("a transfer A -> Solana and one Solana -> A are each delivered exactly once", async () => {
    const { rpc, rpcA, contracts, mint, solanaPayer, relayer, relayerAccount } = stack;
    const connection = new Connection(rpc!.url, "confirmed");
    const client = new MaskoiiSolanaClient({ connection });
    const publicA = createPublicClient({ chain: chainA, transport: http(rpcA) });
    const ownerA = createWalletClient({ account: owner, chain: chainA, transport: http(rpcA) });
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(rpcA) });
    const mined = async (hash: Hex) => {
      const receipt = await publicA.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe("success");
      return receipt;
    };
    const solanaUser = Keypair.generate();
    await airdrop(connection, solanaUser.publicKey, 5);
    const userToken = (await getOrCreateAssociatedTokenAccount(connection, solanaUser, mint, solanaUser.publicKey))
      .address;

    // ---- A -> Solana: 12.5 demo tokens (18 decimals) arrive as 12.5 bridged SPL tokens (9 decimals).
    const amount = parseUnits("12.5", 18);
    await mined(
      await ownerA.writeContract({
        address: contracts.demoToken,
        abi: demoTokenAbi,
        functionName: "mint",
        args: [user.address, amount],
      }),
    );
    await mined(
      await userA.writeContract({
        address: contracts.demoToken,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [contracts.tokenBridge, amount],
      }),
    );
    const fee = await publicA.readContract({
      address: contracts.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteTransfer",
      args: [SOLANA],
    });
    const receipt = await mined(
      await userA.writeContract({
        address: contracts.tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "transferRemote",
        args: [contracts.demoToken, SOLANA, pubkeyToBytes32(userToken), amount],
        value: fee,
      }),
    );
    const [toSolana] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    expect(toSolana).toBeDefined();
    const inboundId = toSolana!.args.messageId;
    await until("delivery on Solana", async () => ((await client.fetchReceiptById(inboundId)) ? true : undefined), {
      timeoutMs: 40_000,
    });
    expect((await getAccount(connection, userToken)).amount).toBe(parseUnits("12.5", 9));

    // ---- Solana -> A: all of it back.
    const back = await client.tokenTransferRemoteIx({
      sender: solanaUser.publicKey,
      payer: solanaUser.publicKey,
      mint,
      source: userToken,
      destination: 1001,
      recipient: addressToBytes32(user.address),
      amount: parseUnits("12.5", 9),
      maxFee: 1_000_000,
    });
    await client.sendAndConfirm([back.instruction], [solanaUser]);
    const balanceBefore = await publicA.readContract({
      address: contracts.demoToken,
      abi: demoTokenAbi,
      functionName: "balanceOf",
      args: [user.address],
    });
    expect(balanceBefore).toBe(0n);
    await until(
      "delivery on A",
      async () =>
        (await publicA.readContract({
          address: contracts.gateway,
          abi: gatewayAbi,
          functionName: "messageStatus",
          args: [back.message],
        })) === 1
          ? true
          : undefined,
      { timeoutMs: 40_000 },
    );
    expect(
      await publicA.readContract({
        address: contracts.demoToken,
        abi: demoTokenAbi,
        functionName: "balanceOf",
        args: [user.address],
      }),
    ).toBe(amount);

    // More relayer rounds change nothing: one delivery each way, one relayer transaction each way.
    await sleep(1_500);
    const delivered = await publicA.getContractEvents({
      address: contracts.gateway,
      abi: gatewayAbi,
      eventName: "MessageDelivered",
      fromBlock: 0n,
    });
    expect(delivered.map((e) => e.args.messageId)).toEqual([back.messageId]);
    expect(await publicA.getTransactionCount({ address: relayerAccount.address })).toBe(1);
    // 2 of 3 signatures fit next to `deliver`: one Solana transaction, and no verification account left.
    const solanaTxs = await connection.getSignaturesForAddress(solanaPayer.publicKey);
    expect(solanaTxs.filter((s) => s.err === null).length).toBe(2); // the airdrop and the delivery
    const leftovers = await client.program.account.verification.all([
      { memcmp: { offset: 8, bytes: solanaPayer.publicKey.toBase58() } },
    ]);
    expect(leftovers).toEqual([]);
    expect((await client.fetchReceiptById(inboundId))?.relayer.toBase58()).toBe(solanaPayer.publicKey.toBase58());

    const store = relayer!.store;
    expect(await store.getDelivery(inboundId.toLowerCase() as Hex)).toMatchObject({ state: "delivered" });
    expect(await store.getDelivery(back.messageId.toLowerCase() as Hex)).toMatchObject({ state: "delivered" });
    expect(await store.countDeliveries()).toMatchObject({ delivered: 2, failed: 0 });
  });
});
