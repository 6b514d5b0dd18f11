// Devnet step: one token transfer A -> B through the whole protocol, attested with the local attester keys.
import { attestationDigest, buildAttestation, gatewayAbi, tokenBridgeAbi } from "@maskoii/sdk";
import { type Address, formatUnits, getAddress, type Hex, pad, parseEventLogs, parseUnits } from "viem";
import type { ChainDeployment } from "../deploy.ts";
import { demoTokenAbi } from "./abi.ts";
import type { Attester } from "./keys.ts";

/** IGateway.MessageStatus by value. */
export const MESSAGE_STATUS = ["None", "Delivered", "Failed"] as const;

/** Raised when the demo transfer does not go through. */
export class DemoError extends Error {
  override readonly name = "DemoError";
}

export type DemoResult = {
  messageId: Hex;
  status: (typeof MESSAGE_STATUS)[number];
  sendGas: bigint;
  deliverGas: bigint;
  recipient: Address;
  recipientBalance: bigint;
};

export async function runDemoTransfer(args: {
  deployment: readonly [ChainDeployment, ChainDeployment];
  attesters: readonly Attester[];
  /** How many attesters sign (the lowest-index ones). */
  quorum: number;
  log: (line: string) => void;
}): Promise<DemoResult> {
  const [a, b] = args.deployment;
  const publicA = await a.connection.viem.getPublicClient();
  const publicB = await b.connection.viem.getPublicClient();
  const [ownerA, userA] = await a.connection.viem.getWalletClients();
  const [, , relayerB] = await b.connection.viem.getWalletClients();
  if (ownerA === undefined || userA === undefined || relayerB === undefined) {
    throw new DemoError("the devnet chains need at least three funded accounts");
  }
  const user = getAddress(userA.account.address);
  const recipient = user;
  const amount = parseUnits("100.5", 18);

  const receiptOnA = async (hash: Hex, what: string) => {
    const receipt = await publicA.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new DemoError(`${what} reverted (tx ${hash})`);
    return receipt;
  };

  // 1. On A: mint demo tokens to the user, approve the bridge, transferRemote to the same address on B.
  await receiptOnA(
    await ownerA.writeContract({
      address: a.contracts.demoToken,
      abi: demoTokenAbi,
      functionName: "mint",
      args: [user, amount],
    }),
    "mint",
  );
  await receiptOnA(
    await userA.writeContract({
      address: a.contracts.demoToken,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [a.contracts.tokenBridge, amount],
    }),
    "approve",
  );
  const fee = await publicA.readContract({
    address: a.contracts.tokenBridge,
    abi: tokenBridgeAbi,
    functionName: "quoteTransfer",
    args: [b.domain],
  });
  const sendReceipt = await receiptOnA(
    await userA.writeContract({
      address: a.contracts.tokenBridge,
      abi: tokenBridgeAbi,
      functionName: "transferRemote",
      args: [a.contracts.demoToken, b.domain, pad(recipient, { size: 32 }), amount],
      value: fee,
    }),
    "transferRemote",
  );
  const [sent] = parseEventLogs({ abi: gatewayAbi, eventName: "MessageSent", logs: sendReceipt.logs });
  if (sent === undefined) throw new DemoError("transferRemote emitted no MessageSent");
  const { messageId, message } = sent.args;
  args.log(
    `sent ${formatUnits(amount, 18)} DEMO A -> B: message ${messageId} (nonce ${sent.args.nonce}, fee ${fee} wei)`,
  );

  // 2. Attest: the lowest-index `quorum` attesters sign MessageAttestation(B, gateway B, set, id). The gateway is
  //    B's attester set, so the set id and members are read from it too.
  const setId = await publicB.readContract({
    address: b.contracts.gateway,
    abi: gatewayAbi,
    functionName: "currentSetId",
  });
  const [members] = await publicB.readContract({
    address: b.contracts.gateway,
    abi: gatewayAbi,
    functionName: "getSet",
    args: [setId],
  });
  const digest = attestationDigest("message", {
    domain: b.domain,
    verifier: pad(b.contracts.gateway, { size: 32 }),
    attesterSetId: setId,
    value: messageId,
  });
  const signers = args.attesters.slice(0, args.quorum);
  const attestation = buildAttestation({
    digest,
    attesterSetId: setId,
    attesters: members,
    signers: signers.map((signer) => signer.privateKey),
  });
  args.log(`attested by ${signers.length} of ${members.length} attesters of set ${setId}`);

  // 3. On B: deliver (any account may relay).
  const deliverHash = await relayerB.writeContract({
    address: b.contracts.gateway,
    abi: gatewayAbi,
    functionName: "deliver",
    args: [message, attestation],
  });
  const deliverReceipt = await publicB.waitForTransactionReceipt({ hash: deliverHash });
  if (deliverReceipt.status !== "success") throw new DemoError(`deliver reverted (tx ${deliverHash})`);
  const statusValue = await publicB.readContract({
    address: b.contracts.gateway,
    abi: gatewayAbi,
    functionName: "messageStatus",
    args: [message],
  });
  const status = MESSAGE_STATUS[statusValue] ?? "None";
  const recipientBalance = await publicB.readContract({
    address: b.contracts.bridgedToken,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [recipient],
  });

  args.log(`message id       ${messageId}`);
  args.log(`status on B      ${status}`);
  args.log(`gas send (A)     ${sendReceipt.gasUsed} (transferRemote; gasUsed incl. the 21,000 base)`);
  args.log(
    `gas deliver (B)  ${deliverReceipt.gasUsed} (deliver, ${signers.length} signatures, mint; incl. 21,000 base)`,
  );
  args.log(`recipient on B   ${recipient} holds ${formatUnits(recipientBalance, 18)} bridged DEMO`);
  if (status !== "Delivered") throw new DemoError(`message status on B is ${status}, expected Delivered`);
  if (recipientBalance !== amount) throw new DemoError(`recipient holds ${recipientBalance}, expected ${amount}`);
  return {
    messageId,
    status,
    sendGas: sendReceipt.gasUsed,
    deliverGas: deliverReceipt.gasUsed,
    recipient,
    recipientBalance,
  };
}
