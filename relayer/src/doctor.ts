// `maskoii doctor <messageId>`: where is a message stuck? Checks, in order: sent at all, final on its origin,
// already delivered (or recipient failed), destination paused, quorum of signatures (which signers), relayer state.
import { attestationDigest, decodeMessage } from "@maskoii/sdk";
import type { Address, Hex } from "viem";
import type { Chains, SentMessage } from "./chains/adapter.ts";
import { aggregate, type Rejection } from "./relayer/aggregator.ts";
import { candidatesFor, type SignatureSource } from "./relayer/collector.ts";
import type { DeliveryRecord, Store } from "./store/types.ts";

export type Diagnosis =
  | { readonly stage: "unknown"; readonly detail: string }
  | {
      readonly stage: "not-final";
      readonly detail: string;
      readonly blockNumber: bigint;
      readonly finalizedBlock: bigint;
    }
  | { readonly stage: "no-destination"; readonly detail: string }
  | { readonly stage: "delivered"; readonly detail: string; readonly delivery?: DeliveryRecord | undefined }
  | { readonly stage: "recipient-failed"; readonly detail: string }
  | { readonly stage: "paused"; readonly detail: string }
  | {
      readonly stage: "below-quorum";
      readonly detail: string;
      readonly signers: readonly Address[];
      readonly missing: readonly Address[];
      readonly rejected: readonly Rejection[];
      readonly unreachable: readonly string[];
    }
  | { readonly stage: "awaiting-relayer"; readonly detail: string; readonly delivery?: DeliveryRecord | undefined };

export async function diagnose(args: {
  messageId: Hex;
  chains: Chains;
  startBlocks: ReadonlyMap<number, number>;
  attesters?: SignatureSource;
  store?: Store;
}): Promise<Diagnosis> {
  const id = args.messageId.toLowerCase() as Hex;
  let sent: SentMessage | undefined;
  for (const adapter of args.chains.values()) {
    sent = await adapter.findSent(id, BigInt(args.startBlocks.get(adapter.domain) ?? 0));
    if (sent !== undefined) break;
  }
  if (sent === undefined) {
    return { stage: "unknown", detail: `no MessageSent with id ${id} on any configured chain` };
  }
  const origin = args.chains.get(sent.origin);
  const finalizedBlock = origin === undefined ? -1n : await origin.finalizedBlock();
  if (sent.blockNumber > finalizedBlock) {
    return {
      stage: "not-final",
      detail: `sent in block ${sent.blockNumber} of domain ${sent.origin}; final head is ${finalizedBlock}`,
      blockNumber: sent.blockNumber,
      finalizedBlock,
    };
  }
  const destination = args.chains.get(decodeMessage(sent.message).destinationDomain);
  if (destination === undefined) {
    return { stage: "no-destination", detail: `destination domain ${sent.destination} is not configured here` };
  }
  const delivery = await args.store?.getDelivery(id);
  const status = await destination.getMessageStatus(sent.message);
  if (status === "delivered") {
    return { stage: "delivered", detail: `already delivered on domain ${destination.domain}`, delivery };
  }
  if (status === "failed") {
    return {
      stage: "recipient-failed",
      detail: `delivered, but the recipient reverted (MessageFailed); anyone may call retry(message) on domain ${destination.domain}`,
    };
  }
  if (await destination.isPaused()) {
    return { stage: "paused", detail: `the gateway of domain ${destination.domain} is paused by its guardian` };
  }
  if (args.attesters !== undefined) {
    const setId = await destination.currentSetId();
    const set = await destination.getAttesterSet(setId);
    const answers = await args.attesters.signatures(id);
    const target = { domain: destination.domain, verifier: destination.verifier, attesterSetId: setId };
    const agg = aggregate({
      digest: attestationDigest("message", { ...target, value: id }),
      set,
      candidates: candidatesFor(answers, { kind: "message", value: id, ...target }),
    });
    if (!agg.ready) {
      return {
        stage: "below-quorum",
        detail: `set ${setId}: ${agg.signedWeight}/${agg.totalWeight} weight signed, threshold ${set.thresholdBps} bps`,
        signers: agg.signers,
        missing: agg.missing,
        rejected: agg.rejected,
        unreachable: answers.filter((a) => !a.ok).map((a) => a.source),
      };
    }
  }
  const state =
    delivery === undefined
      ? "not tracked by this relayer's store"
      : `relayer state ${delivery.state}, ${delivery.attempts} failed attempts, last: ${delivery.lastError ?? "none"}`;
  return { stage: "awaiting-relayer", detail: `quorum reached; ${state}`, delivery };
}
