// The devnet's Solana demo: a round trip A -> Solana -> A and an inbound transfer, on the endpoint and deployment
// that @maskoii/testkit starts and sets up (its solana.ts).
//
// The Solana side goes through the SDK's Solana client (sdk/src/solana: instruction builders on @anchor-lang/core,
// delivery planning with chunked post_signatures, account readers).
import { performance } from "node:perf_hooks";
import { gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { pubkeyToBytes32 } from "@maskoii/sdk/solana";
import { demoTokenAbi } from "@maskoii/testkit";
import {
  airdrop,
  confirmEvm,
  DEMO_DECIMALS,
  evmSymbol,
  SHARED_DECIMALS,
  SOLANA,
  SOLANA_FEES,
  type SolanaDeployment,
  SolanaError,
  type SolanaLink,
  SPL_DECIMALS,
  TOKEN_PAYLOAD_LENGTH,
  toBytes32,
} from "@maskoii/testkit/deploy";
import { getAccount, getMint, getOrCreateAssociatedTokenAccount } from "@solana/spl-token";
import { Keypair } from "@solana/web3.js";
import { formatUnits, getAddress, type Hex, parseEventLogs, parseUnits } from "viem";
import { MESSAGE_STATUS, waitForDelivery } from "./demo.ts";
import type { DevnetNodes } from "./nodes.ts";

/** How long one leg of the round trip may take, send to delivery. */
const LEG_TIMEOUT_MS = 90_000;

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

export type LegResult = {
  messageId: Hex;
  status: "Delivered" | "None" | "Failed";
  /** Milliseconds: send on the origin, attest, deliver on the destination, and all of it. */
  timings: { send: number; attest: number; deliver: number; total: number };
};

export type RoundTripResult = { toSolana: LegResult; back: LegResult; amount: bigint };

/**
 * The Solana demo: `amount` of chain A's demo token goes A -> Solana (transferRemote to a Solana token account;
 * attesters sign for the program; post_signatures + deliver mints the bridged SPL token) and back Solana -> A
 * (token_transfer_remote burns it; the message is read from the outbox account, signed for A's gateway and
 * delivered there, releasing the locked tokens).
 */
export async function runSolanaRoundTrip(args: {
  solana: SolanaDeployment;
  /** The running attester nodes and relayer (scripts/lib/nodes.ts), Solana among their chains. */
  nodes: DevnetNodes;
  /** How many attester signatures make a quorum. */
  quorum: number;
  log: (line: string) => void;
}): Promise<RoundTripResult> {
  const { solana } = args;
  const { client, connection, evm, mint } = solana;
  const publicA = await evm.connection.viem.getPublicClient();
  const [ownerA, userA] = await evm.connection.viem.getWalletClients();
  if (ownerA === undefined || userA === undefined) {
    throw new SolanaError("the devnet chain needs at least three funded accounts");
  }
  const evmUser = getAddress(userA.account.address);
  const amount = parseUnits("42.5", DEMO_DECIMALS);
  const symbol = evmSymbol(evm);
  const roundTripStarted = performance.now();

  // The Solana user and its token account of the bridged mint (the bridge credits token accounts, not wallets).
  const user = Keypair.generate();
  await airdrop(connection, user.publicKey, 10);
  const userToken = (await getOrCreateAssociatedTokenAccount(connection, user, mint, user.publicKey)).address;

  // ---- leg 1: A -> Solana -------------------------------------------------------------------------------------
  await confirmEvm(
    evm,
    ownerA.writeContract({
      address: evm.contracts.demoToken,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [evmUser, amount],
    }),
    "mint",
  );
  await confirmEvm(
    evm,
    userA.writeContract({
      address: evm.contracts.demoToken,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [evm.contracts.tokenBridge, amount],
    }),
    "approve",
  );
  const balanceBefore = await publicA.readContract({
    address: evm.contracts.demoToken,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [evmUser],
  });
  const fee = await publicA.readContract({
    address: evm.contracts.tokenBridge,
    abi: tokenBridgeAbi,
    functionName: "quoteTransfer",
    args: [SOLANA.domain],
  });
  let t = performance.now();
  const sendReceipt = await confirmEvm(
    evm,
    userA.writeContract({
      address: evm.contracts.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "transferRemote",
      args: [evm.contracts.demoToken, SOLANA.domain, pubkeyToBytes32(userToken), amount],
      value: fee,
    }),
    "transferRemote to Solana",
  );
  const sendToSolana = performance.now() - t;
  const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: sendReceipt.logs });
  if (sent === undefined) throw new SolanaError("transferRemote emitted no MessageSent");
  const inboundId = sent.args.messageId;

  // The attester nodes sign it for the program (verifier = program id) and the relayer posts the signatures and
  // delivers on Solana; the demo only watches.
  const toSolanaTimings = await waitForDelivery({
    messageId: inboundId,
    attesterUrls: args.nodes.attesterUrls,
    quorum: args.quorum,
    delivered: async () => (await client.fetchReceiptById(inboundId)) !== null,
    timeoutMs: LEG_TIMEOUT_MS,
  });
  const delivered = (await client.fetchReceiptById(inboundId)) !== null;
  const credited = (await getAccount(connection, userToken)).amount;
  const attestToSolana = toSolanaTimings.quorumMs;
  const deliverOnSolana = toSolanaTimings.deliveredMs - toSolanaTimings.quorumMs;
  const totalToSolana = sendToSolana + toSolanaTimings.deliveredMs;
  const expectedCredit =
    (amount / 10n ** BigInt(DEMO_DECIMALS - SHARED_DECIMALS)) * 10n ** BigInt(SPL_DECIMALS - SHARED_DECIMALS);
  const toSolana: LegResult = {
    messageId: inboundId,
    status: delivered ? "Delivered" : "None",
    timings: { send: sendToSolana, attest: attestToSolana, deliver: deliverOnSolana, total: totalToSolana },
  };
  args.log(`A -> Solana: message id ${inboundId} (nonce ${sent.args.nonce} of domain ${evm.domain})`);
  args.log(`A -> Solana: status on Solana ${toSolana.status}`);
  args.log(
    `A -> Solana: timings send ${ms(sendToSolana)} (transferRemote on A), attest ${ms(attestToSolana)} ` +
      `(a quorum of the ${args.nodes.attesterUrls.length} attester nodes, verifier = program id), deliver ` +
      `${ms(deliverOnSolana)} (the relayer posts the signatures and delivers), total ${ms(totalToSolana)}`,
  );
  args.log(
    `A -> Solana: recipient token account ${userToken.toBase58()} (owner ${user.publicKey.toBase58()}) holds ` +
      `${formatUnits(credited, SPL_DECIMALS)} b${symbol}`,
  );
  if (!delivered) throw new SolanaError(`A -> Solana: message ${inboundId} has no receipt on Solana`);
  if (credited !== expectedCredit)
    throw new SolanaError(`A -> Solana: credited ${credited}, expected ${expectedCredit}`);

  // ---- leg 2: Solana -> A -------------------------------------------------------------------------------------
  t = performance.now();
  const out = await client.tokenTransferRemoteIx({
    sender: user.publicKey,
    payer: user.publicKey,
    mint,
    source: userToken,
    destination: evm.domain,
    recipient: toBytes32(evmUser),
    amount: credited,
    maxFee: SOLANA_FEES.baseFee + SOLANA_FEES.feePerByte * TOKEN_PAYLOAD_LENGTH,
  });
  const transferSignature = await client.sendAndConfirm([out.instruction], [user]);
  const sendFromSolana = performance.now() - t;

  // The attester nodes read it from the outbox account once final, sign it for A's gateway, and the relayer
  // delivers it on A.
  const outbox = await client.fetchOutboxMessage(out.nonce);
  if (outbox === null) throw new SolanaError(`no outbox account for nonce ${out.nonce}`);
  if (outbox.message !== out.message) throw new SolanaError("the outbox message differs from the one predicted");
  const backTimings = await waitForDelivery({
    messageId: outbox.messageId,
    attesterUrls: args.nodes.attesterUrls,
    quorum: args.quorum,
    delivered: async () =>
      (await publicA.readContract({
        address: evm.contracts.gateway,
        abi: gatewayAbi,
        functionName: "messageStatus",
        args: [outbox.message],
      })) !== 0,
    timeoutMs: LEG_TIMEOUT_MS,
  });
  const attestBack = backTimings.quorumMs;
  const deliverOnA = backTimings.deliveredMs - backTimings.quorumMs;
  const [deliveredEvent] = await publicA.getContractEvents({
    address: evm.contracts.gateway,
    abi: gatewayAbi,
    eventName: "MessageDelivered",
    args: { messageId: outbox.messageId },
    fromBlock: 0n,
  });
  if (deliveredEvent === undefined) throw new SolanaError(`no MessageDelivered for ${outbox.messageId} on A`);
  const deliverReceipt = await publicA.getTransactionReceipt({ hash: deliveredEvent.transactionHash });
  const statusValue = await publicA.readContract({
    address: evm.contracts.gateway,
    abi: gatewayAbi,
    functionName: "messageStatus",
    args: [outbox.message],
  });
  const backStatus = MESSAGE_STATUS[statusValue] ?? "None";
  const balanceAfter = await publicA.readContract({
    address: evm.contracts.demoToken,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [evmUser],
  });
  const supply = (await getMint(connection, mint)).supply;
  const totalBack = sendFromSolana + backTimings.deliveredMs;
  const back: LegResult = {
    messageId: outbox.messageId,
    status: backStatus,
    timings: { send: sendFromSolana, attest: attestBack, deliver: deliverOnA, total: totalBack },
  };
  args.log(`Solana -> A: message id ${outbox.messageId} (nonce ${out.nonce} of domain ${SOLANA.domain})`);
  args.log(`Solana -> A: status on A ${backStatus}`);
  args.log(
    `Solana -> A: timings send ${ms(sendFromSolana)} (token_transfer_remote, tx ${transferSignature}), ` +
      `attest ${ms(attestBack)} (outbox read when final, a quorum of the attester nodes), deliver ${ms(deliverOnA)} ` +
      `(by the relayer, gas ${deliverReceipt.gasUsed} incl. 21,000 base), total ${ms(totalBack)}`,
  );
  args.log(
    `Solana -> A: recipient on A ${evmUser} got back ${formatUnits(balanceAfter - balanceBefore + amount, DEMO_DECIMALS)} ` +
      `${symbol}; bridged supply on Solana ${formatUnits(supply, SPL_DECIMALS)}`,
  );
  args.log(`round trip A -> Solana -> A: ${ms(performance.now() - roundTripStarted)} (incl. Solana user setup)`);
  if (backStatus !== "Delivered")
    throw new SolanaError(`Solana -> A: status on A is ${backStatus}, expected Delivered`);
  if (balanceAfter !== balanceBefore) {
    throw new SolanaError(`Solana -> A: the user holds ${balanceAfter} on A, expected ${balanceBefore} again`);
  }
  if (supply !== 0n) throw new SolanaError(`Solana -> A: bridged supply is ${supply}, expected 0 after the burn`);
  return { toSolana, back, amount };
}

/**
 * A one-way transfer from a further linked chain (B) to Solana, through the nodes: proves every EVM chain of the
 * devnet reaches the program, each with its own bridged mint.
 */
export async function runSolanaInbound(args: {
  solana: SolanaDeployment;
  link: SolanaLink;
  nodes: DevnetNodes;
  quorum: number;
  log: (line: string) => void;
}): Promise<LegResult> {
  const { client, connection } = args.solana;
  const { evm, mint } = args.link;
  const [owner, user] = await evm.connection.viem.getWalletClients();
  if (owner === undefined || user === undefined) throw new SolanaError("the devnet chain needs two funded accounts");
  const publicClient = await evm.connection.viem.getPublicClient();
  const amount = parseUnits("7.25", DEMO_DECIMALS);
  const symbol = evmSymbol(evm);
  const holder = Keypair.generate();
  await airdrop(connection, holder.publicKey, 1);
  const account = (await getOrCreateAssociatedTokenAccount(connection, holder, mint, holder.publicKey)).address;
  const token = { address: evm.contracts.demoToken, abi: demoTokenAbi } as const;
  await confirmEvm(
    evm,
    owner.writeContract({ ...token, functionName: "mint", args: [user.account.address, amount] }),
    "mint",
  );
  await confirmEvm(
    evm,
    user.writeContract({ ...token, functionName: "approve", args: [evm.contracts.tokenBridge, amount] }),
    "approve",
  );
  const fee = await publicClient.readContract({
    address: evm.contracts.tokenBridge,
    abi: tokenBridgeAbi,
    functionName: "quoteTransfer",
    args: [SOLANA.domain],
  });
  const started = performance.now();
  const receipt = await confirmEvm(
    evm,
    user.writeContract({
      address: evm.contracts.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "transferRemote",
      args: [evm.contracts.demoToken, SOLANA.domain, pubkeyToBytes32(account), amount],
      value: fee,
    }),
    "transferRemote to Solana",
  );
  const send = performance.now() - started;
  const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: receipt.logs });
  if (sent === undefined) throw new SolanaError("transferRemote emitted no MessageSent");
  const timings = await waitForDelivery({
    messageId: sent.args.messageId,
    attesterUrls: args.nodes.attesterUrls,
    quorum: args.quorum,
    delivered: async () => (await client.fetchReceiptById(sent.args.messageId)) !== null,
    timeoutMs: LEG_TIMEOUT_MS,
  });
  const credited = (await getAccount(connection, account)).amount;
  const expected =
    (amount / 10n ** BigInt(DEMO_DECIMALS - SHARED_DECIMALS)) * 10n ** BigInt(SPL_DECIMALS - SHARED_DECIMALS);
  const leg: LegResult = {
    messageId: sent.args.messageId,
    status: "Delivered",
    timings: {
      send,
      attest: timings.quorumMs,
      deliver: timings.deliveredMs - timings.quorumMs,
      total: send + timings.deliveredMs,
    },
  };
  args.log(`B -> Solana: message id ${leg.messageId} (nonce ${sent.args.nonce} of domain ${evm.domain})`);
  args.log(
    `B -> Solana: delivered ${ms(leg.timings.total)} after the send (quorum ${ms(leg.timings.attest)}); ` +
      `${account.toBase58()} holds ${formatUnits(credited, SPL_DECIMALS)} b${symbol} (mint ${mint.toBase58()})`,
  );
  if (credited !== expected) throw new SolanaError(`B -> Solana: credited ${credited}, expected ${expected}`);
  return leg;
}
