// `maskoii doctor <messageId>`: where is a message stuck? Checks, in order: sent at all, final on its origin,
// delivered (its token transfer queued by the destination's inbound rate limit?) or recipient failed, destination
// paused, refused for good by the destination (an invalid recipient: the relayer failed it and delivered the rest of
// its batch), quorum of signatures (which signers), the relayer's last attempt (underpriced? account out of funds?),
// relayer state.
// docs/relayer.md ("maskoii doctor") lists every stage with its remedy.
import { attestationDigest, decodeMessage } from "@maskoii/sdk";
import type { Address, Hex } from "viem";
import { aggregate, type Rejection } from "./aggregator.ts";
import type { Chains, QueuedTransferView, SentMessage } from "./chains/adapter.ts";
import { candidatesFor, type SignatureSource } from "./collector.ts";
import type { DeliveryFailure, DeliveryRecord, Store } from "./store/types.ts";

export type Diagnosis =
  | { readonly stage: "unknown"; readonly detail: string }
  | {
      readonly stage: "not-final";
      readonly detail: string;
      readonly blockNumber: bigint;
      readonly finalizedBlock: bigint;
    }
  | { readonly stage: "no-destination"; readonly detail: string }
  | {
      readonly stage: "delivered";
      readonly detail: string;
      readonly delivery?: DeliveryRecord | undefined;
      /** The transfer's queue entry when it was rate-limited and has since been released. */
      readonly queued?: QueuedTransferView | undefined;
    }
  | { readonly stage: "rate-limited"; readonly detail: string; readonly queued: QueuedTransferView }
  | { readonly stage: "recipient-failed"; readonly detail: string }
  | { readonly stage: "paused"; readonly detail: string }
  | {
      /** The destination refuses the message for good (DeliveryRefused, permanent): it was failed, not retried. */
      readonly stage: "refused";
      readonly detail: string;
      /** The gateway's error, e.g. `InvalidRecipient(0x...)`. */
      readonly reason: string;
      readonly delivery: DeliveryRecord;
    }
  | {
      /** The relayer's paying account cannot pay for the delivery (InsufficientFunds). */
      readonly stage: "out-of-funds";
      readonly detail: string;
      readonly account: string;
      readonly domain: number;
      readonly delivery: DeliveryRecord;
    }
  | {
      readonly stage: "below-quorum";
      readonly detail: string;
      readonly signers: readonly Address[];
      readonly missing: readonly Address[];
      readonly rejected: readonly Rejection[];
      readonly unreachable: readonly string[];
    }
  | {
      readonly stage: "underpriced";
      readonly detail: string;
      /** FeeCapExceeded, TransactionStuck (EVM) or TransactionExpired (Solana). */
      readonly code: string;
      readonly domain: number;
      /** The relayer's cap (wei, EVM) when known. */
      readonly cap?: bigint | undefined;
      /** The base fee the relayer saw (wei, EVM FeeCapExceeded). */
      readonly baseFeePerGas?: bigint | undefined;
      /** The last broadcast's maxFeePerGas (wei, EVM TransactionStuck). */
      readonly maxFeePerGas?: bigint | undefined;
      /** The last compute-unit price (micro-lamports, Solana). */
      readonly microLamports?: bigint | undefined;
      /** The config field to raise. */
      readonly configField: string;
      readonly delivery: DeliveryRecord;
    }
  | { readonly stage: "awaiting-relayer"; readonly detail: string; readonly delivery?: DeliveryRecord | undefined };

/** Failure codes meaning the relayer's transaction was priced too low to be mined. */
const UNDERPRICED = new Set(["FeeCapExceeded", "TransactionStuck", "TransactionExpired"]);

const GWEI = 10n ** 9n;
/** Wei as "N wei (G gwei)" for humans. */
function wei(value: bigint): string {
  const whole = value / GWEI;
  const frac = (value % GWEI).toString().padStart(9, "0").replace(/0+$/, "");
  return `${value} wei (${whole}${frac === "" ? "" : `.${frac}`} gwei)`;
}

const bigOr = (facts: DeliveryFailure["facts"], key: string): bigint | undefined => {
  const v = facts[key];
  return v === undefined || !/^\d+$/.test(v) ? undefined : BigInt(v);
};

/** The underpriced diagnosis of a delivery whose last attempt failed for its price, or undefined. */
function underpriced(delivery: DeliveryRecord | undefined, destination: number): Diagnosis | undefined {
  const failure = delivery?.lastFailure;
  if (delivery === undefined || failure === undefined || failure === null || !UNDERPRICED.has(failure.code)) {
    return undefined;
  }
  const domain = Number(failure.facts.domain ?? destination);
  const given = delivery.state === "failed" ? `; the relayer gave up after ${delivery.attempts} attempts` : "";
  const common = { stage: "underpriced" as const, code: failure.code, domain, delivery };
  if (failure.code === "FeeCapExceeded") {
    const cap = bigOr(failure.facts, "cap");
    const base = bigOr(failure.facts, "baseFeePerGas");
    return {
      ...common,
      cap,
      baseFeePerGas: base,
      configField: "relayer.fees.maxFeePerGasGwei",
      detail: `domain ${domain}: the base fee ${base === undefined ? "?" : wei(base)} is above the relayer's fee cap ${cap === undefined ? "?" : wei(cap)}, so it does not send${given}; raise relayer.fees.maxFeePerGasGwei above the base fee (or wait for the base fee to fall)`,
    };
  }
  if (failure.code === "TransactionStuck") {
    const max = bigOr(failure.facts, "maxFeePerGas");
    return {
      ...common,
      maxFeePerGas: max,
      configField: "relayer.fees.maxFeePerGasGwei",
      detail: `domain ${domain}: the delivery transaction (nonce ${failure.facts.nonce ?? "?"}, last ${failure.facts.lastTx ?? "?"}) was not mined after ${failure.facts.broadcasts ?? "?"} broadcast(s), last maxFeePerGas ${max === undefined ? "?" : wei(max)}${given}; raise relayer.fees.maxFeePerGasGwei (the next attempt replaces it at the same nonce)`,
    };
  }
  const price = bigOr(failure.facts, "microLamports");
  return {
    ...common,
    microLamports: price,
    configField: `chains[domain ${domain}].priorityFee.maxMicroLamports`,
    detail: `domain ${domain}: the delivery transaction expired unconfirmed ${failure.facts.attempts ?? "?"} times, last compute-unit price ${price ?? "?"} micro-lamports${given}; raise priorityFee.maxMicroLamports of that chain`,
  };
}

/** Why a message the destination refuses for good can never be delivered, by the gateway's error name. */
const REFUSALS: Record<string, string> = {
  InvalidRecipient:
    "its recipient's upper 12 bytes are not zero (or it is zero), so no EVM address can receive it; the sender must send a new message to a valid recipient",
  WrongDestination: "it is addressed to another domain than this gateway's",
  MessageTooShort: "the message is malformed (too short)",
  PayloadTooLong: "its payload is longer than the protocol allows",
  UnsupportedVersion: "its version is not one this gateway delivers",
};

/** The refused diagnosis of a delivery the relayer failed because the destination refuses it for good. */
function refused(delivery: DeliveryRecord | undefined, destination: number): Diagnosis | undefined {
  const failure = delivery?.lastFailure;
  if (delivery === undefined || failure?.code !== "DeliveryRefused" || failure.facts.permanent !== "true") {
    return undefined;
  }
  const reason = failure.facts.reason ?? "unknown";
  const why = REFUSALS[reason.replace(/\(.*$/s, "")] ?? "the gateway refuses it whatever the attestation";
  return {
    stage: "refused",
    reason,
    delivery,
    detail: `domain ${failure.facts.domain ?? destination} refuses this message for good: ${reason}: ${why}. The relayer recorded it failed after ${delivery.attempts} attempt(s) and delivered the other messages of its batch without it`,
  };
}

/** The out-of-funds diagnosis of a delivery whose last attempt failed because the paying account is empty. */
function outOfFunds(delivery: DeliveryRecord | undefined, destination: number): Diagnosis | undefined {
  const failure = delivery?.lastFailure;
  if (delivery === undefined || delivery.state !== "pending" || failure?.code !== "InsufficientFunds") return undefined;
  const domain = Number(failure.facts.domain ?? destination);
  const account = failure.facts.account ?? "?";
  return {
    stage: "out-of-funds",
    account,
    domain,
    delivery,
    detail: `domain ${domain}: the relayer's paying account ${account} has insufficient funds for the delivery transaction; fund it (the relayer backs off and retries, without counting attempts)`,
  };
}

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
    const fromBlock = BigInt(args.startBlocks.get(destination.domain) ?? 0);
    const queued = await destination.queuedTransfer?.(sent.message, fromBlock);
    if (queued !== undefined && !queued.released) {
      const when =
        queued.releasableAt === null
          ? "never at the current limit"
          : queued.releasableAt <= queued.now
            ? "releasable now"
            : `releasable from unix time ${queued.releasableAt} (in ${queued.releasableAt - queued.now} s)`;
      return {
        stage: "rate-limited",
        detail: `delivered on domain ${destination.domain}, but the token bridge queued the transfer (queue id ${queued.queueId}): its inbound bucket held ${queued.bucket.available} of ${queued.wireAmount} needed; ${when}. ${queued.release}`,
        queued,
      };
    }
    const released =
      queued === undefined ? "" : ` (its transfer was rate-limited, queue id ${queued.queueId}, and has been released)`;
    return {
      stage: "delivered",
      detail: `already delivered on domain ${destination.domain}${released}`,
      delivery,
      ...(queued === undefined ? {} : { queued }),
    };
  }
  if (status === "failed") {
    return {
      stage: "recipient-failed",
      detail: `delivered, but the recipient reverted (MessageFailed); anyone may call retry(message) on domain ${destination.domain}`,
    };
  }
  const refusal = refused(delivery, destination.domain);
  if (refusal !== undefined) return refusal;
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
  const priced = underpriced(delivery, destination.domain) ?? outOfFunds(delivery, destination.domain);
  if (priced !== undefined) return priced;
  const state =
    delivery === undefined
      ? "not tracked by this relayer's store"
      : `relayer state ${delivery.state}, ${delivery.attempts} failed attempts, last: ${delivery.lastError ?? "none"}`;
  return { stage: "awaiting-relayer", detail: `quorum reached; ${state}`, delivery };
}
