// Refunds across EVM and Solana on real runtimes (docs/protocol.md §8.1): a `hardhat node` A (1001) and the local
// Solana RPC (1003) with maskoii deployed and linked by the devnet's own code, three attester nodes and one relayer with
// refunds on (solana-stack.ts).
//  * A -> Solana to a wallet (not a token account of the mint): delivered on Solana as a refund record (reason 2), the
//    attesters read it at their commitment and sign the refund receipt (basis "record", verifier A's TokenBridge), the
//    relayer refunds on A: the sender's balance is whole again; a second refund is skipped (already refunded).
//  * Solana -> A to a recipient A can never credit (upper 12 bytes not zero; Solana's route to A has family unknown, so
//    the send passes): A records it refundable, the attesters cross-check the Solana send (outbox + TransferSent in
//    the send transaction) and sign (verifier the program), the relayer posts the signatures (kind 3) and calls
//    `token_refund` (after waiting while Solana is paused): the sender's token account is whole again, the nonce is
//    marked refunded.
import {
  addressToBytes32,
  attestationDigest,
  decodeRefundReceipt,
  gatewayAbi,
  refundReceiptHash,
  signDigest,
  tokenBridgeAbi,
} from "@maskoii/sdk";
import { MaskoiiSolanaClient, pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { demoTokenAbi, until } from "@maskoii/testkit";
import { getAccount, getOrCreateAssociatedTokenAccount } from "@solana/spl-token";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { createPublicClient, createWalletClient, type Hex, http, parseEventLogs, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RefundStore } from "../src/store/refunds.ts";
import { chainA, devAccount } from "./evm-stack.ts";
import { airdrop, DEV_ADMIN, HAVE_LOCAL_RPC, requireLocalRpc } from "./solana-helpers.ts";
import { SolanaStack } from "./solana-stack.ts";

const owner = devAccount(0);
const user = devAccount(1);
const SOLANA = 1003;
const A = 1001;

type RefundJson = { basis: string; receipt: Hex; signatures: { verifier: Hex; domain: number }[] };

requireLocalRpc("solana-refunds.test");

describe.runIf(HAVE_LOCAL_RPC)("refunds across EVM and Solana", { timeout: 120_000 }, () => {
  const stack = new SolanaStack("solana-refunds", { refunds: true });
  let connection: Connection;
  let client: MaskoiiSolanaClient;

  beforeAll(async () => {
    await stack.start();
    connection = new Connection(stack.rpc!.url, "confirmed");
    client = new MaskoiiSolanaClient({ connection, programId: new PublicKey(stack.rpc!.programId) });
  }, 240_000);

  afterAll(() => stack.stop());

  const publicA = () => createPublicClient({ chain: chainA, transport: http(stack.rpcA) });
  const mined = async (hash: Hex) => {
    const receipt = await publicA().waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    return receipt;
  };
  const balanceA = () =>
    publicA().readContract({
      address: stack.contracts.demoToken,
      abi: demoTokenAbi,
      functionName: "balanceOf",
      args: [user.address],
    });

  /** Mints `tokens` to the user on A and sends them to `recipient` on Solana; the message id. */
  async function sendFromA(tokens: string, recipient: Hex): Promise<Hex> {
    const ownerA = createWalletClient({ account: owner, chain: chainA, transport: http(stack.rpcA) });
    const userA = createWalletClient({ account: user, chain: chainA, transport: http(stack.rpcA) });
    const amount = parseUnits(tokens, 18);
    const { demoToken, tokenBridge } = stack.contracts;
    await mined(
      await ownerA.writeContract({
        address: demoToken,
        abi: demoTokenAbi,
        functionName: "mint",
        args: [user.address, amount],
      }),
    );
    await mined(
      await userA.writeContract({
        address: demoToken,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [tokenBridge, amount],
      }),
    );
    const fee = await publicA().readContract({
      address: tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "quoteTransfer",
      args: [SOLANA],
    });
    const receipt = await mined(
      await userA.writeContract({
        address: tokenBridge,
        abi: tokenBridgeAbi,
        functionName: "transferRemote",
        args: [demoToken, SOLANA, recipient, amount],
        value: fee,
      }),
    );
    const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
    return sent!.args.messageId.toLowerCase() as Hex;
  }

  const getRefund = async (url: string, id: Hex) => {
    const response = await fetch(`${url}/refunds/${id}`);
    return { status: response.status, body: (await response.json()) as RefundJson };
  };

  it("A -> Solana to a wallet: refund record on Solana, attesters sign, refunded on A, balance restored", async () => {
    const wallet = Keypair.generate().publicKey; // a wallet, not a token account of the mint
    const before = await balanceA();
    const id = await sendFromA("4", pubkeyToBytes32(wallet));
    expect(await balanceA()).toBe(before);

    const record = await until(
      "refund record on Solana",
      async () => (await client.fetchRefundRecord(id)) ?? undefined,
      { timeoutMs: 60_000 },
    );
    // Wire units: the bridge's shared decimals (8).
    expect(record).toMatchObject({ origin: A, reason: 2, wireAmount: parseUnits("4", 8) });
    expect(await client.isDelivered(A, record.nonce)).toBe(true);

    // Every attester signs on its own (its scan of Solana's records), for A's TokenBridge.
    for (const node of stack.attesters) {
      const { body } = await until(
        "refund signed",
        async () => {
          const r = await getRefund(node.url, id);
          return r.status === 200 ? r : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(body.basis).toBe("record");
      expect(body.signatures.map((s) => [s.domain, s.verifier.toLowerCase()])).toEqual([
        [A, addressToBytes32(stack.contracts.tokenBridge).toLowerCase()],
      ]);
      const receipt = decodeRefundReceipt(body.receipt);
      expect(receipt.refundTo.toLowerCase()).toBe(addressToBytes32(user.address).toLowerCase());
      expect(receipt.destinationDomain).toBe(SOLANA);
    }

    // The relayer refunds on A: the sender's balance is whole again.
    await until("refunded on A", async () => ((await balanceA()) === before + parseUnits("4", 18) ? true : undefined), {
      timeoutMs: 60_000,
    });
    const refunds = RefundStore.of(stack.relayer!.store);
    expect(
      await until(
        "relayer records it",
        async () => {
          const d = await refunds.delivery(id);
          return d?.state === "refunded" ? d : undefined;
        },
        { timeoutMs: 10_000 },
      ),
    ).toMatchObject({ origin: A, destination: SOLANA });
    // Once only: another attempt is skipped (the origin says refunded).
    const again = await stack.relayer!.refunder!.refundOnce(id);
    expect(again.kind).toBe("already-refunded");
    expect(await balanceA()).toBe(before + parseUnits("4", 18));
  });

  it("Solana -> A to a recipient A never credits: refund record on A, post_signatures + token_refund on Solana", async () => {
    const sender = Keypair.generate();
    await airdrop(connection, sender.publicKey, 5);
    const senderToken = (await getOrCreateAssociatedTokenAccount(connection, sender, stack.mint, sender.publicKey))
      .address;
    // Tokens on Solana first: A -> Solana to the sender's token account.
    const inbound = await sendFromA("6", pubkeyToBytes32(senderToken));
    await until("delivery on Solana", async () => ((await client.fetchReceiptById(inbound)) ? true : undefined), {
      timeoutMs: 60_000,
    });
    expect((await getAccount(connection, senderToken)).amount).toBe(parseUnits("6", 9));

    // Solana's route to A has family unknown (said explicitly): the bad recipient passes the send.
    await client.sendAndConfirm([await client.setDestinationFamilyIx(DEV_ADMIN.publicKey, A, 0)], [DEV_ADMIN]);
    const bad = `0x${"ff".repeat(12)}${user.address.slice(2).toLowerCase()}` as Hex;
    const out = await client.tokenTransferRemoteIx({
      sender: sender.publicKey,
      payer: sender.publicKey,
      mint: stack.mint,
      source: senderToken,
      destination: A,
      recipient: bad,
      amount: parseUnits("2.5", 9),
      maxFee: 1_000_000,
    });
    await client.sendAndConfirm([out.instruction], [sender]);
    expect((await getAccount(connection, senderToken)).amount).toBe(parseUnits("3.5", 9));
    const id = out.messageId.toLowerCase() as Hex;
    // The guardian pauses Solana (the origin): the refund must wait, nothing is sent.
    const pause = async (paused: boolean) =>
      client.sendAndConfirm([await client.setPausedIx({ guardian: DEV_ADMIN.publicKey, paused })], [DEV_ADMIN]);
    await pause(true);

    // Delivered on A as a refund record (reason 2).
    const reason = await until(
      "refund record on A",
      async () => {
        const [token, , , , r] = await publicA().readContract({
          address: stack.contracts.tokenBridge,
          abi: tokenBridgeAbi,
          functionName: "refundRecord",
          args: [id],
        });
        return /^0x0{40}$/.test(token) ? undefined : r;
      },
      { timeoutMs: 60_000 },
    );
    expect(reason).toBe(2);

    // Attesters sign for the program (Solana's verifier), refundTo = the owner wallet that signed the send.
    for (const node of stack.attesters) {
      const { body } = await until(
        "refund signed",
        async () => {
          const r = await getRefund(node.url, id);
          return r.status === 200 ? r : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(body.signatures.map((s) => [s.domain, s.verifier.toLowerCase()])).toEqual([
        [SOLANA, client.verifier.toLowerCase()],
      ]);
      const receipt = decodeRefundReceipt(body.receipt);
      expect(receipt.refundTo.toLowerCase()).toBe(pubkeyToBytes32(sender.publicKey).toLowerCase());
      expect(receipt.token.toLowerCase()).toBe(pubkeyToBytes32(stack.mint).toLowerCase());
      expect(receipt.nonce).toBe(out.nonce);
    }

    const refunds = RefundStore.of(stack.relayer!.store);
    const waiting = await until(
      "refund waits for Solana's pause",
      async () => {
        const d = await refunds.delivery(id);
        return d?.lastError?.includes("paused") === true ? d : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(waiting.state).toBe("pending");
    expect(await client.isRefunded(out.nonce)).toBe(false);
    expect((await getAccount(connection, senderToken)).amount).toBe(parseUnits("3.5", 9));
    // A verification left over by an earlier attempt of the relayer's payer holding only attester 2's signature (one
    // the new attestation may not use): the relayer must not count on it (it closes it and posts afresh).
    const { body: signed } = await getRefund(stack.attesters[0]!.url, id);
    const setId = (await client.fetchConfig()).currentSetId;
    const digest = attestationDigest("refund", {
      domain: SOLANA,
      verifier: client.verifier,
      attesterSetId: setId,
      value: refundReceiptHash(signed.receipt),
    });
    const last = stack.attesterKeys.length - 1;
    const stale = await client.postSignaturesIx({
      payer: stack.solanaPayer.publicKey,
      kind: "refund",
      attesterSetId: setId,
      value: refundReceiptHash(signed.receipt),
      signatures: [{ index: last, ...signDigest(digest, stack.attesterKeys[last]!.privateKey) }],
    });
    await client.sendAndConfirm([stale], [stack.solanaPayer]);
    expect(
      await client.fetchVerification(stack.solanaPayer.publicKey, "refund", setId, refundReceiptHash(signed.receipt)),
    ).toMatchObject({ nextIndex: last + 1 });
    await pause(false);

    // The relayer refunds on Solana: the nonce is refunded and the sender's token account is whole.
    await until("refunded on Solana", async () => ((await client.isRefunded(out.nonce)) ? true : undefined), {
      timeoutMs: 60_000,
    });
    expect((await getAccount(connection, senderToken)).amount).toBe(parseUnits("6", 9));
    expect(
      await until(
        "relayer records it",
        async () => {
          const d = await refunds.delivery(id);
          return d?.state === "refunded" ? d : undefined;
        },
        { timeoutMs: 10_000 },
      ),
    ).toMatchObject({ origin: SOLANA, destination: A });
    // No verification account left behind by the refund (token_refund closes it).
    const leftovers = await client.program.account.verification.all([
      { memcmp: { offset: 8, bytes: stack.solanaPayer.publicKey.toBase58() } },
    ]);
    expect(leftovers).toEqual([]);
    // Once only.
    const again = await stack.relayer!.refunder!.refundOnce(id);
    expect(again.kind).toBe("already-refunded");
    expect((await getAccount(connection, senderToken)).amount).toBe(parseUnits("6", 9));
  });
});
