// The durable state of the attester node and the relayer, behind one interface so that the embedded PGlite
// (default) and a PostgreSQL server (`pg`) are interchangeable.
import type { Address, Hex } from "viem";

/** A MessageSent seen final on its origin chain. */
export type ObservedMessage = {
  readonly messageId: Hex;
  readonly origin: number;
  readonly destination: number;
  readonly nonce: bigint;
  readonly message: Hex;
  readonly blockNumber: bigint;
  readonly txHash: Hex;
  /** ms since the epoch when this process first saw it final. */
  readonly observedAt: number;
};

export type SignatureKind = "message" | "batch";

/** A signature this attester produced (attester store) over a message id or a batch root. */
export type StoredSignature = {
  readonly kind: SignatureKind;
  /** The message id (kind message) or the batch root (kind batch). */
  readonly value: Hex;
  readonly domain: number;
  /** bytes32, the destination gateway. */
  readonly verifier: Hex;
  readonly attesterSetId: bigint;
  readonly signer: Address;
  /** r ‖ s ‖ v, 65 bytes. */
  readonly signature: Hex;
  /** The message ids a batch root covers, in batch order; [value] for a message signature. */
  readonly messageIds: readonly Hex[];
  readonly createdAt: number;
};

/** The order key of observed messages: (observedAt, origin, nonce). */
export type ObservedKey = Pick<ObservedMessage, "observedAt" | "origin" | "nonce">;

/** One (origin, nonce) -> messageId claim of the signing journal, with the origin block it was read at. */
export type JournalEntry = {
  readonly origin: number;
  readonly nonce: bigint;
  readonly messageId: Hex;
  /** The origin block (EVM) or slot (Solana) of the MessageSent; absent when the caller does not know it. */
  readonly originBlock?: bigint;
};

/** A signing journal row as stored. */
export type JournalRow = Omit<JournalEntry, "originBlock"> & {
  /** null for rows journaled before the origin block was recorded (store migration 6). */
  readonly originBlock: bigint | null;
  readonly createdAt: number;
};

export type DeliveryState = "pending" | "delivered" | "skipped" | "failed";

/**
 * Why the last delivery attempt failed, as data: the error's stable code (errors.ts `RelayerErrorCode`) and the
 * numbers it carried (decimal strings), so that `maskoii doctor` need not parse `lastError` text.
 */
export type DeliveryFailure = { readonly code: string; readonly facts: Readonly<Record<string, string>> };

/** The relayer's record of one message to deliver. */
export type DeliveryRecord = {
  readonly messageId: Hex;
  readonly origin: number;
  readonly destination: number;
  readonly nonce: bigint;
  readonly message: Hex;
  readonly state: DeliveryState;
  readonly attempts: number;
  /** ms since the epoch; the relayer does not touch the message before. */
  readonly nextAttemptAt: number;
  readonly firstSeenAt: number;
  readonly quorumAt: number | null;
  readonly deliveredAt: number | null;
  readonly txHash: Hex | null;
  readonly gasUsed: bigint | null;
  readonly lastError: string | null;
  /**
   * The last attempt's failure as data; absent when the last outcome was not an error (or before migration 4). An
   * update with null clears it.
   */
  readonly lastFailure?: DeliveryFailure | null;
};

export type DeliveryUpdate = Partial<
  Pick<
    DeliveryRecord,
    | "state"
    | "attempts"
    | "nextAttemptAt"
    | "quorumAt"
    | "deliveredAt"
    | "txHash"
    | "gasUsed"
    | "lastError"
    | "lastFailure"
  >
>;

/** Who holds a pending delivery, until when (ms since the epoch). */
export type DeliveryClaim = { readonly claimedBy: string; readonly leaseUntil: number };

export interface Store {
  /** Last block scanned by a watcher (`name` is e.g. "watch:1001"). */
  getCursor(name: string): Promise<bigint | undefined>;
  setCursor(name: string, block: bigint): Promise<void>;

  /** Records an observed message; false if it was already known. */
  recordObserved(message: ObservedMessage): Promise<boolean>;
  getObserved(messageId: Hex): Promise<ObservedMessage | undefined>;
  /** Observed messages for `destination` not yet known delivered, oldest first. */
  listOpenObserved(destination: number, limit: number): Promise<ObservedMessage[]>;
  markObservedClosed(messageIds: readonly Hex[]): Promise<void>;

  /**
   * The signing journal: atomically records (origin, nonce) -> messageId unless the pair is already journaled, and
   * returns the journaled message id (the given one, or the one recorded earlier). Durable before it returns.
   */
  journalReserve(origin: number, nonce: bigint, messageId: Hex, originBlock?: bigint): Promise<Hex>;
  /** The journal row of (origin, nonce), or undefined when nothing was ever signed for it. */
  getJournal(origin: number, nonce: bigint): Promise<JournalRow | undefined>;

  /**
   * The rotation journal: records (domain, verifier, setId) -> nextSetHash unless already journaled, and returns the
   * journaled hash. Durable before it returns.
   */
  rotationReserve(domain: number, verifier: Hex, setId: bigint, nextSetHash: Hex): Promise<Hex>;

  saveSignature(signature: StoredSignature): Promise<void>;
  /** Every signature over `messageId`, alone or as part of a batch root. */
  getSignatures(messageId: Hex): Promise<StoredSignature[]>;
  findSignature(
    kind: SignatureKind,
    value: Hex,
    domain: number,
    verifier: Hex,
    setId: bigint,
  ): Promise<StoredSignature | undefined>;

  /** Adds a pending delivery; false if the message is already tracked. */
  addDelivery(record: DeliveryRecord): Promise<boolean>;
  getDelivery(messageId: Hex): Promise<DeliveryRecord | undefined>;
  /** Pending deliveries due at `now`, oldest first. */
  dueDeliveries(now: number, limit: number): Promise<DeliveryRecord[]>;
  updateDelivery(messageId: Hex, update: DeliveryUpdate): Promise<void>;
  countDeliveries(): Promise<Record<DeliveryState, number>>;

  /**
   * Claims up to `limit` pending deliveries due at `now` for `owner` until `leaseUntil`, oldest first: rows that are
   * unclaimed, claimed by `owner`, or whose lease expired. Rows another transaction is claiming are skipped
   * (FOR UPDATE SKIP LOCKED), so concurrent instances never get the same delivery.
   */
  claimDeliveries(owner: string, now: number, leaseUntil: number, limit: number): Promise<DeliveryRecord[]>;
  /** Extends `owner`'s lease on `messageIds`; returns the ids it still holds (pending and claimed by it). */
  renewClaims(owner: string, messageIds: readonly Hex[], leaseUntil: number): Promise<Hex[]>;
  /** Hands back `owner`'s claims (all of them, or only `messageIds`); returns how many were released. */
  releaseClaims(owner: string, messageIds?: readonly Hex[]): Promise<number>;
  getClaim(messageId: Hex): Promise<DeliveryClaim | undefined>;

  // Bulk forms of the hot paths: one database round trip (or one transaction) for many messages.

  /** The ids among `messageIds` whose observed message is closed (known delivered, or refused by the journal). */
  closedAmong(messageIds: readonly Hex[]): Promise<Hex[]>;
  /** How many batch signatures each of `messageIds` is a member of (ids in none are left out); lower-case ids. */
  batchCountsOf(messageIds: readonly Hex[]): Promise<Map<string, number>>;
  /** The observed messages among `messageIds` (unknown ids are left out; order unspecified). */
  getObservedMany(messageIds: readonly Hex[]): Promise<ObservedMessage[]>;
  /** Like listOpenObserved, but only messages strictly after `after` in (observedAt, origin, nonce) order. */
  listOpenObservedAfter(destination: number, after: ObservedKey | undefined, limit: number): Promise<ObservedMessage[]>;
  /**
   * journalReserve for many entries in one transaction: returns, per entry and in order, the journaled message id.
   * Two entries with one (origin, nonce) and different ids: the first is journaled, the second sees the first's id.
   */
  journalReserveMany(entries: readonly JournalEntry[]): Promise<Hex[]>;
  /** saveSignature for many signatures in one transaction. */
  saveSignatures(signatures: readonly StoredSignature[]): Promise<void>;
  /** Message-kind signatures (any target, any set) over any of `messageIds`. */
  getMessageSignatures(messageIds: readonly Hex[]): Promise<StoredSignature[]>;
  /** The same update applied to every delivery of `messageIds`, in one statement. */
  updateDeliveries(messageIds: readonly Hex[], update: DeliveryUpdate): Promise<void>;
  /** recordObserved for many messages in one statement: returns the (lowercase) ids that were new. */
  recordObservedMany(messages: readonly ObservedMessage[]): Promise<Hex[]>;
  /** addDelivery for many records in one statement: returns the (lowercase) ids that were new. */
  addDeliveries(records: readonly DeliveryRecord[]): Promise<Hex[]>;

  close(): Promise<void>;
}
